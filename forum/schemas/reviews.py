"""Reviews of doctors: the one In schema for writing a review (HTML form and JSON API), the reply,
and the profile's page argument. Cross-record rules (one review per doctor and treatment, photos
need consent, the currency goes with an amount, no future month) live in services/reviews.py."""
from __future__ import annotations

import re
from datetime import date

from marshmallow import ValidationError, fields, validate, validates

from forum.models import WorthIt
from forum.schemas.common import ArgsSchema, InputSchema, Text
from forum.schemas.reference import SLUG

# The same numbers as services/reviews.py (a test checks they agree); schemas do not import services.
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")
MIN_BODY, MAX_BODY = 50, 5000
MAX_COST = 1_000_000
MAX_REPLY = 3000
MONTH_MESSAGE = "Enter the month as year and month, for example 2025-03."
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


class Month(fields.Field):
    """A month: "YYYY-MM" (what <input type="month"> sends) or a full date "YYYY-MM-DD", loaded as
    the first day of that month."""

    default_error_messages = {"invalid": MONTH_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", "The month, YYYY-MM (a full date is accepted)")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        match = _MONTH.match(value) if isinstance(value, str) else None
        if match is None:
            raise self.make_error("invalid")
        try:
            if match.group(3):
                date(int(match.group(1)), int(match.group(2)), int(match.group(3)))  # a real day, if given
            return date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise self.make_error("invalid") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%Y-%m")


def _choice(message: str, values, **kwargs) -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(list(values), error=message),
                         error_messages={"required": message, "null": message}, **kwargs)


class ReviewIn(InputSchema):
    """A member's review of a doctor for one treatment. Field names are services/reviews.py's data keys."""

    treatment = fields.String(
        required=True, validate=[validate.Length(max=80), SLUG],
        error_messages={"required": "Choose the treatment you had from the list.",
                        "null": "Choose the treatment you had from the list."},
        metadata={"description": "The treatment's slug (see /api/v1/treatments)"})
    rating = fields.Integer(
        required=True, validate=validate.Range(min=1, max=5, error="Choose a rating from 1 to 5 stars."),
        error_messages={"required": "Choose a rating from 1 to 5 stars.", "null": "Choose a rating from 1 to 5 stars.",
                        "invalid": "Choose a rating from 1 to 5 stars."},
        metadata={"description": "1 (poor) to 5 (excellent)"})
    worth_it = _choice("Say whether it was worth it: yes, not sure or no.", [w.value for w in WorthIt],
                       metadata={"description": "yes, not_sure or no"})
    treated_on = Month(required=True, error_messages={"required": "Enter the month you had the treatment.",
                                                      "null": "Enter the month you had the treatment."})
    cost_amount = fields.Integer(
        load_default=None, allow_none=True,
        validate=validate.Range(min=1, max=MAX_COST, error=f"Give what you paid as a whole number from 1 to "
                                                            f"{MAX_COST:,}."),
        error_messages={"invalid": f"Give what you paid as a whole number from 1 to {MAX_COST:,}."},
        metadata={"description": "What you paid, in whole units of cost_currency (optional)"})
    cost_currency = fields.String(
        load_default=None, allow_none=True,
        validate=validate.OneOf(CURRENCIES, error="Choose the currency you paid in."),
        metadata={"description": "Required when cost_amount is given: " + ", ".join(CURRENCIES)})
    city = Text(max_len=80, required=False, metadata={"description": "Where it was done (optional)"})
    body = fields.String(required=True, error_messages={
        "required": f"Write your review: at least {MIN_BODY} characters.",
        "null": f"Write your review: at least {MIN_BODY} characters."})
    photo_consent = fields.Boolean(load_default=False, metadata={
        "description": "Agreement that the review's photos are shown publicly (required with photos)"})

    @validates("body")
    def _body_length(self, value: str, **_kwargs):
        if len(value) < MIN_BODY:
            raise ValidationError(f"Tell other patients a bit more: at least {MIN_BODY} characters "
                                  f"(you wrote {len(value)}).")
        if len(value) > MAX_BODY:
            raise ValidationError(f"Keep the review under {MAX_BODY} characters (you wrote {len(value)}).")


class ReplyIn(InputSchema):
    """The reviewed doctor's one public reply (sending it again replaces it)."""

    body = Text(min_len=2, max_len=MAX_REPLY)


class ReviewPageArgs(ArgsSchema):
    """?page=N on a doctor's profile (10 reviews a page, newest first)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000,
                                                                  error="Give a page number of 1 or more."))
