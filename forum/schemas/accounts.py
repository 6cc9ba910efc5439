"""Account, doctor-application and token schemas."""
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from forum import clock
from forum.i18n import _, _l
from forum.models import Specialty
from forum.passwords import MAX_LENGTH, password_problem
from forum.schemas.common import ArgsSchema, InputSchema, Text, UtcDateTime

EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def Email() -> fields.String:  # noqa: N802
    return fields.String(required=True, validate=[validate.Length(max=254),
                                                  validate.Regexp(EMAIL_RE, error=_l("Enter a valid e-mail address."))])


def Password(**kwargs) -> fields.String:  # noqa: N802
    return fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH * 4), **kwargs)


def DisplayName() -> fields.String:  # noqa: N802
    """The one display-name rule: at registration and when it is changed."""
    return Text(min_len=2, max_len=50)


class RegisterIn(InputSchema):
    RAW_FIELDS = ("password",)
    email = Email()
    display_name = DisplayName()
    password = Password()
    confirm_adult = fields.Boolean(required=True, metadata={"description": "I am 18 or older"})

    @validates("confirm_adult")
    def _adult(self, value, **_kwargs):
        if value is not True:
            raise ValidationError(_("You must be 18 or older to join."))

    @validates_schema(skip_on_field_errors=False)
    def _password_rules(self, data, **_kwargs):
        if isinstance(data.get("password"), str):
            problem = password_problem(data["password"], email=data.get("email"))
            if problem:
                raise ValidationError({"password": [problem]})


class LoginIn(InputSchema):
    RAW_FIELDS = ("password",)
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = Password()
    remember = fields.Boolean(load_default=False)


def Code() -> fields.String:  # noqa: N802
    """A second-factor code: 6 digits from the authenticator app, or a recovery code."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40), metadata={
        "description": "Two-factor code (or a recovery code); required when two-factor is on"})


class TokenExchangeIn(InputSchema):
    RAW_FIELDS = ("password",)
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = Password()
    name = Text(min_len=1, max_len=60)
    code = Code()


class PasswordChangeIn(InputSchema):
    RAW_FIELDS = ("current_password", "new_password")
    current_password = Password()
    new_password = Password()
    code = Code()

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data, **_kwargs):
        if isinstance(data.get("new_password"), str):
            problem = password_problem(data["new_password"])
            if problem:
                raise ValidationError({"new_password": [problem]})


class PasswordResetRequestIn(InputSchema):
    email = Email()


class PasswordResetIn(InputSchema):
    RAW_FIELDS = ("password",)
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = Password()

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data, **_kwargs):
        if isinstance(data.get("password"), str):
            problem = password_problem(data["password"])
            if problem:
                raise ValidationError({"password": [problem]})


class DisplayNameIn(InputSchema):
    display_name = DisplayName()


class EmailChangeIn(InputSchema):
    """A new address needs the password again (and the two-factor code when on)."""

    RAW_FIELDS = ("password",)
    new_email = Email()
    password = Password(metadata={"description": "Your current password"})
    code = Code()


class AccountIn(InputSchema):
    """PATCH /me: what the member may change about themselves here (fields left out stay)."""

    locale = fields.String(allow_none=True, validate=validate.Length(max=8), metadata={
        "description": "The site's language for you: en | es, or null to follow your browser's Accept-Language"})


class EmailVerifyIn(InputSchema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class DoctorApplicationIn(InputSchema):
    full_name = Text(min_len=3, max_len=120)
    credentials = Text(min_len=2, max_len=80, metadata={"description": "e.g. MD, FAAD"})
    specialty = fields.Enum(Specialty, by_value=True, required=True)
    board_certification = Text(max_len=160, required=False)
    license_number = Text(min_len=2, max_len=60)
    license_region = Text(min_len=2, max_len=80)
    practice_name = Text(max_len=160, required=False)
    city = Text(min_len=2, max_len=80)
    region = Text(max_len=80, required=False)
    country = Text(min_len=2, max_len=80)
    bio = Text(max_len=4000, required=False)
    website = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                         validate=validate.Length(max=255))
    topics = fields.List(fields.String(validate=validate.Length(max=80)), load_default=list,
                         validate=validate.Length(max=8),
                         metadata={"description": "Topic slugs you focus on (used to match questions)"})


class DoctorArgs(ArgsSchema):
    specialty = fields.Enum(Specialty, by_value=True, load_default=None)
    location = fields.String(load_default=None, validate=validate.Length(max=80))
    sort = fields.String(load_default="answers", validate=validate.OneOf(["answers", "helpful", "newest"]))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class DoctorDecisionIn(InputSchema):
    """A moderator's decision. Verifying records what was checked on the credential ledger."""

    decision = fields.String(required=True, validate=validate.OneOf(["verify", "reject"]))
    reason = Text(min_len=3, max_len=500)
    license_source = Text(max_len=255, required=False,
                          metadata={"description": "Where the license was checked (e.g. the state board's register)"})
    license_issuer = Text(max_len=160, required=False)
    license_expires_on = fields.Date(load_default=None, allow_none=True)
    board_source = Text(max_len=255, required=False)
    board_expires_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _verify_needs_source(self, data, **_kwargs):
        if data.get("decision") == "verify":
            errors = {}
            if not data.get("license_source"):
                errors["license_source"] = [_("Say where you checked the license.")]
            if not data.get("license_expires_on"):
                errors["license_expires_on"] = [_("Give the license's expiry date.")]
            # A credential that has already expired cannot be verified: the doctor would be
            # "verified" and lapsed at once. Reject instead, or check a current one.
            today = clock.now().date()
            for name in ("license_expires_on", "board_expires_on"):
                if data.get(name) and data[name] < today:
                    errors[name] = [_("This date has passed: the credential has expired.")]
            if errors:
                raise ValidationError(errors)


class TokenIn(InputSchema):
    """Minting a token asks for the password again (and the two-factor code when it is on)."""

    RAW_FIELDS = ("password",)
    name = Text(min_len=1, max_len=60)
    password = Password(metadata={"description": "Your current password"})
    code = Code()


# ---- output (JSON only) ----

class CredentialOut(Schema):
    kind = fields.String()
    identifier = fields.String()
    issuer = fields.String()
    source = fields.String()
    checked_at = UtcDateTime()
    expires_on = fields.Date()


class DoctorOut(Schema):
    """Public view of a doctor."""

    id = fields.Integer(dump_only=True)
    full_name = fields.String()
    credentials = fields.String()
    specialty = fields.String()
    board_certification = fields.String(allow_none=True)
    practice_name = fields.String(allow_none=True)
    city = fields.String()
    region = fields.String(allow_none=True)
    country = fields.String()
    bio = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    accepts_consultations = fields.Boolean()
    answer_count = fields.Integer()
    helpful_count = fields.Integer()
    topics = fields.Function(lambda d: [t.slug for t in d.topics])
    status = fields.String(attribute="public_status")
    verified_credentials = fields.List(fields.Nested(CredentialOut), attribute="credential_checks")


class DoctorApplicationOut(DoctorOut):
    """The applicant's or a moderator's view: also the license details and the decision."""

    user_id = fields.Integer()
    license_number = fields.String()
    license_region = fields.String()
    applied_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)


class UserOut(Schema):
    """The current user about themselves."""

    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role = fields.String()
    status = fields.String()
    email_verified = fields.Function(lambda u: u.email_verified_at is not None)
    is_verified_doctor = fields.Boolean()
    locale = fields.String(allow_none=True, metadata={"description": "en | es; null: follows the browser"})
    created_at = UtcDateTime()
    doctor_application = fields.Nested(DoctorApplicationOut, attribute="doctor_profile", allow_none=True)


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = UtcDateTime()
    expires_at = UtcDateTime()
    last_used_at = UtcDateTime(allow_none=True, metadata={"description": "Recorded to the hour"})
    revoked_at = UtcDateTime(allow_none=True)


class TokenCreatedOut(TokenOut):
    token = fields.String(metadata={"description": "Shown once; store it now"})


class MemberOut(Schema):
    """A member's public profile: never the e-mail, never an anonymous question."""

    id = fields.Integer(attribute="user.id")
    display_name = fields.String(attribute="user.display_name")
    slug = fields.String()
    member_since = fields.Function(lambda p: p.user.created_at.strftime("%Y-%m"),
                                   metadata={"description": "Year and month the account was made (YYYY-MM)"})
    question_count = fields.Integer(metadata={"description": "Visible questions not asked anonymously"})
    helpful_count = fields.Integer(metadata={
        "description": "Helpful votes readers gave the answers to those questions"})
