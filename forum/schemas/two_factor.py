"""Two-factor schemas: the log-in code, enrolment and turning it off."""
from marshmallow import fields, validate

from forum.schemas.accounts import Password
from forum.schemas.common import InputSchema


def RequiredCode() -> fields.String:  # noqa: N802
    return fields.String(required=True, validate=validate.Length(min=1, max=40))


class TwoFactorCodeIn(InputSchema):
    """A 6-digit code from the app or a recovery code (log-in second step, enrolment confirmation)."""

    code = RequiredCode()


class TwoFactorStartIn(InputSchema):
    RAW_FIELDS = ("password",)
    password = Password()


class TwoFactorConfirmIn(InputSchema):
    """Password and a code: turning two-factor off, new recovery codes."""

    RAW_FIELDS = ("password",)
    password = Password()
    code = RequiredCode()
