"""Consultation schemas: the request form, transitions, messages, and the participants' JSON."""
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from forum.i18n import _
from forum.models import ConsultationStatus, Specialty
from forum.schemas.common import ArgsSchema, Id, InputSchema, Text, UtcDateTime
from forum.schemas.reference import SLUG

SKIN_TYPES = ["I", "II", "III", "IV", "V", "VI"]
BUDGETS = ["not sure", "under $500", "$500 to $1,000", "$1,000 to $3,000", "over $3,000"]
CONTACT_METHODS = ["in-app messages", "video call", "phone call", "e-mail"]
ACTIONS = ["accept", "decline", "schedule", "complete", "withdraw"]


def _slugs() -> fields.List:
    return fields.List(fields.String(validate=[validate.Length(max=80), SLUG]), load_default=list,
                       validate=validate.Length(max=5))


class ConsultationIn(InputSchema):
    doctor_id = Id(load_default=None, allow_none=True,
                   metadata={"description": "A verified doctor's profile id; or give `specialty`"})
    specialty = fields.Enum(Specialty, by_value=True, load_default=None, allow_none=True,
                            metadata={"description": "Any verified doctor of this specialty"})
    concern = Text(min_len=3, max_len=200, metadata={"description": "Concern and area, e.g. enlarged pores on the nose"})
    topics = _slugs()
    treatments = _slugs()
    description = Text(min_len=20, max_len=5000)
    tried_before = Text(max_len=2000, required=False)
    history = Text(max_len=2000, required=False,
                   metadata={"description": "Relevant history: medications (e.g. isotretinoin), pregnancy ..."})
    skin_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SKIN_TYPES),
                              metadata={"description": "Fitzpatrick skin type I-VI"})
    budget = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(BUDGETS))
    contact_method = fields.String(required=True, validate=validate.OneOf(CONTACT_METHODS))
    contact_times = Text(max_len=200, required=False)
    consent = fields.Boolean(required=True, truthy={True}, falsy={False},
                             metadata={"description": "Consent to share this with the chosen doctor (true)"})

    @validates("consent")
    def _consent(self, value, **_kwargs):
        if value is not True:
            raise ValidationError(_("You must agree to share this with the doctor."))

    @validates_schema
    def _doctor_or_specialty(self, data, **_kwargs):
        if not data.get("doctor_id") and not data.get("specialty"):
            raise ValidationError({"doctor_id": [_("Choose a doctor, or any verified doctor of a specialty.")]})


class TransitionIn(InputSchema):
    message = Text(max_len=2000, required=False)
    scheduled_for = UtcDateTime(load_default=None, allow_none=True,
                                    metadata={"description": "Proposed time when scheduling: ISO 8601 with an offset "
                                                             "(without one it is taken as UTC)"})


class MessageIn(InputSchema):
    body = Text(min_len=1, max_len=5000)


class RespondIn(InputSchema):
    """The one form on a request page (HTML): a message, and optionally a decision; a proposed
    time is a date and a time in `time_zone` (the API takes `scheduled_for` with an offset)."""
    body = Text(max_len=5000, required=False)
    decision = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ACTIONS))
    scheduled_date = fields.Date(load_default=None, allow_none=True)
    scheduled_time = fields.Time(load_default=None, allow_none=True)
    time_zone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class TimeZoneIn(InputSchema):
    time_zone = fields.String(required=True, validate=validate.Length(max=64),
                              metadata={"description": "An IANA time zone name, e.g. Europe/Paris"})


class AcceptingIn(InputSchema):
    accepting = fields.Boolean(required=True)


class InboxArgs(ArgsSchema):
    status = fields.Enum(ConsultationStatus, by_value=True, load_default=None)
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AccountDeleteIn(InputSchema):
    RAW_FIELDS = ("password",)
    password = fields.String(required=True, validate=validate.Length(min=1, max=512))
    delete_questions = fields.Boolean(load_default=False)


# ---- output (participants only) ----

class PartyOut(Schema):
    id = fields.Integer()
    name = fields.String()


class ConsultationSummaryOut(Schema):
    id = fields.String()
    status = fields.String()
    role = fields.String(metadata={"description": "requester or doctor: your side of it"})
    other_party = fields.Nested(PartyOut, allow_none=True)
    concern = fields.String()
    unread = fields.Boolean()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class ConsultationMessageOut(Schema):
    kind = fields.String()
    author = fields.String()
    body = fields.String()
    created_at = UtcDateTime()


class PhotoOut(Schema):
    id = fields.String()
    url = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class ConsultationOut(ConsultationSummaryOut):
    requested_specialty = fields.String(allow_none=True)
    scheduled_for = UtcDateTime(allow_none=True)
    details = fields.Dict()
    messages = fields.List(fields.Nested(ConsultationMessageOut))
    photos = fields.List(fields.Nested(PhotoOut))
