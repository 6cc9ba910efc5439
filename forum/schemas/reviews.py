"""Reviews of doctors: the one In schema (API and HTML form), the doctor's reply, and the JSON out."""
from __future__ import annotations

import re
from datetime import date

from flask import url_for
from flask_babel.speaklater import LazyString
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from forum.i18n import _, _l, fnumber
from forum.models import WorthIt
from forum.schemas.common import ArgsSchema, InputSchema, Text, UtcDateTime
from forum.schemas.reference import SLUG, TreatmentRefOut
from forum.services.reviews import CURRENCIES, MAX_ALT, MAX_BODY, MAX_COST, MAX_REPLY, MIN_BODY
from forum.text import slugify

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?$")


# formatted when shown, in the reader's locale (1,000,000 / 1.000.000)
_COST_RANGE = LazyString(lambda: _("Enter the amount as a whole number from 1 to %(max)s.", max=fnumber(MAX_COST)))


class Month(fields.Field):
    """A month, as "YYYY-MM" (what <input type="month"> sends) or a full date "YYYY-MM-DD";
    loads a `date` (the day as given: the service keeps only its month). Dumps "YYYY-MM"."""

    default_error_messages = {"invalid": _l("Enter the month like %(example)s.", example="2026-03")}

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        match = _MONTH.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValidationError(str(self.error_messages["invalid"]))
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        try:
            parsed = date(year, month, day)
        except ValueError:
            raise ValidationError(str(self.error_messages["invalid"])) from None
        return parsed  # how far back, and not in the future: the service's rule

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return None if value is None else f"{value:%Y-%m}"


class ReviewIn(InputSchema):
    """A review: what was done, when, how it went and (optionally) what it cost."""

    treatment = fields.String(required=True, validate=[validate.Length(min=2, max=80), SLUG],
                              metadata={"description": "The treatment's slug (GET /api/v1/treatments)"})
    rating = fields.Integer(required=True, validate=validate.Range(
        min=1, max=5, error=_l("Choose a rating from 1 to 5 stars.")))
    worth_it = fields.String(required=True, validate=validate.OneOf(
        [w.value for w in WorthIt], error=_l("Choose yes, not sure or no.")))
    treated_on = Month(required=True, metadata={
        "description": "The month of the treatment, YYYY-MM (or a date YYYY-MM-DD); not in the future",
        "type": "string", "pattern": _MONTH.pattern, "example": "2026-03"})
    cost_amount = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(
        min=1, max=MAX_COST, error=_COST_RANGE),
        metadata={"description": "What you paid, in whole units of `cost_currency` (optional)"})
    cost_currency = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        CURRENCIES, error=_l("Choose one of the listed currencies.")),
        metadata={"description": "Required when `cost_amount` is given"})
    city = Text(max_len=80, required=False, metadata={"description": "Where it was done (optional)"})
    body = Text(min_len=MIN_BODY, max_len=MAX_BODY)
    photo_consent = fields.Boolean(load_default=False, metadata={
        "description": "I agree that my photos are shown publicly with this review (needed to add photos)"})

    @validates_schema
    def _currency_with_amount(self, data, **_kwargs):
        if data.get("cost_amount") is not None and not data.get("cost_currency") and not self.partial:
            raise ValidationError(dict(cost_currency=[_("Choose the currency you paid in.")]))


class ReviewEditIn(ReviewIn):
    """An edit through the API (PATCH): any of the fields; those left out keep their value."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)


class ReplyIn(InputSchema):
    body = Text(min_len=2, max_len=MAX_REPLY, metadata={"description": "The doctor's one public reply"})


class ReviewPhotoIn(InputSchema):
    """The text fields of a multipart photo upload (the file itself is the part `file`)."""

    alt = Text(min_len=3, max_len=MAX_ALT, metadata={"description": "What the photo shows, for people who "
                                                                    "cannot see it"})
    photo_consent = fields.Boolean(load_default=False, metadata={
        "description": "Give the public-photo consent now (when the review does not have it yet)"})


class ReviewArgs(ArgsSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


# ---- output ----

def doctor_ref(user) -> dict | None:
    profile = user.doctor_profile if user is not None else None
    if profile is None:
        return None
    return {"id": profile.id, "name": profile.full_name,
            "url": url_for("doctors.show", doctor_id=profile.id, slug=slugify(profile.full_name))}


def photo_url(photo) -> str:
    return url_for("reviews.photo", photo_id=photo.id, name=photo.stored_name)


class DoctorRefOut(Schema):
    id = fields.Integer(metadata={"description": "The doctor's profile id (GET /api/v1/doctors/{id})"})
    name = fields.String()
    url = fields.String(metadata={"description": "The public profile page"})


class ReviewPhotoOut(Schema):
    id = fields.String()
    url = fields.Function(photo_url)
    alt = fields.String()


class CostOut(Schema):
    amount = fields.Integer()
    currency = fields.String()


class ReplyOut(Schema):
    body = fields.String()
    at = UtcDateTime()


class Derived(fields.Nested):
    """A nested object built from the row by `getter` (documented as the nested schema)."""

    def __init__(self, nested, getter, **kwargs):
        super().__init__(nested, **kwargs)
        self.getter = getter

    def get_value(self, obj, attr, accessor=None, default=None):
        return self.getter(obj)


class ReviewOut(Schema):
    """A review as readers see it: the author by display name only, never an e-mail address."""

    id = fields.Integer()
    doctor = Derived(DoctorRefOut, lambda r: doctor_ref(r.doctor), allow_none=True)
    author = fields.String(attribute="author.display_name", metadata={"description": "The author's display name"})
    treatment = fields.Nested(TreatmentRefOut)
    rating = fields.Integer()
    worth_it = fields.String(metadata={"enum": [w.value for w in WorthIt]})
    treated_on = Month(metadata={"description": "YYYY-MM", "type": "string"})
    cost = Derived(CostOut, lambda r: None if r.cost_amount is None else
                   {"amount": r.cost_amount, "currency": r.cost_currency}, allow_none=True)
    city = fields.String(allow_none=True)
    body = fields.String()
    verified = fields.Boolean(metadata={"description": "The site saw a consultation between the two completed"})
    status = fields.String(metadata={"description": "published; pending (new account, waiting for a moderator) "
                                                   "and hidden are seen by the author and staff only"})
    photos = fields.List(fields.Nested(ReviewPhotoOut))
    reply = Derived(ReplyOut, lambda r: None if r.reply_body is None else {"body": r.reply_body, "at": r.reply_at},
                    allow_none=True)
    created_at = UtcDateTime()
    edited_at = UtcDateTime(allow_none=True)


class MyReviewOut(ReviewOut):
    """The author's own view: also why a moderator hid it."""

    hidden_reason = fields.String(allow_none=True)


class RatingSummaryOut(Schema):
    count = fields.Integer(metadata={"description": "Published reviews"})
    average = fields.Float(allow_none=True, metadata={"description": "Mean rating, 1-5; null without reviews"})
    worth_it_share = fields.Float(allow_none=True, metadata={
        "description": "Share (0-1) of published reviews saying it was worth it; null without reviews"})


class ReviewPageOut(Schema):
    items = fields.List(fields.Nested(ReviewOut))
    summary = fields.Nested(RatingSummaryOut)
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
    has_next = fields.Boolean()
    has_prev = fields.Boolean()
