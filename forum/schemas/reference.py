"""Topics, treatments, articles: the In schemas (site edits, API writes and seed files) and Out schemas."""
from __future__ import annotations

import re

from flask import url_for
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from forum.i18n import _, _l
from forum.models import ArticleStatus, TopicKind
from forum.schemas.common import Id, InputSchema, Text, UtcDateTime

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error=_l("Use lower-case letters, digits and hyphens."))
FACTS = ("how_it_works", "cost", "sessions", "downtime", "durability", "cautions")


def Slug(required: bool = False) -> fields.String:  # noqa: N802
    if required:
        return fields.String(required=True, validate=[validate.Length(min=2, max=80), SLUG])
    return fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=2, max=80), SLUG])


def SlugList(max_items: int = 10) -> fields.List:  # noqa: N802
    return fields.List(fields.String(validate=[validate.Length(max=120), SLUG]), load_default=list,
                       validate=validate.Length(max=max_items))


class SourceIn(InputSchema):
    publication = Text(min_len=2, max_len=200)
    expert = Text(max_len=120, required=False)
    credential = Text(max_len=300, required=False)
    supports = fields.List(fields.String(validate=validate.OneOf(FACTS)), load_default=list)


class SourcesField(fields.Field):
    """A list of sources; an HTML textarea may send one per line as
    "publication | expert | credential | supported facts, comma separated"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [_parse_source_line(line) for line in value.splitlines() if line.strip()]
        if not isinstance(value, list):
            raise ValidationError(_("Give a list of sources."))
        if len(value) > 20:
            raise ValidationError(_("At most 20 sources."))
        try:
            return SourceIn(many=True).load(value)
        except ValidationError as err:
            raise ValidationError(_flatten_source_errors(err.messages)) from None


def _parse_source_line(line: str) -> dict:
    parts = [p.strip() for p in line.split("|")]
    source = {"publication": parts[0]}
    if len(parts) > 1 and parts[1]:
        source["expert"] = parts[1]
    if len(parts) > 2 and parts[2]:
        source["credential"] = parts[2]
    if len(parts) > 3 and parts[3]:
        source["supports"] = [s.strip() for s in re.split(r"[,\s]+", parts[3]) if s.strip()]
    return source


def _flatten_source_errors(messages) -> list[str]:
    out = []
    for index, errors in (messages.items() if isinstance(messages, dict) else []):
        for field, problems in (errors.items() if isinstance(errors, dict) else []):
            out.extend(_("Source %(number)d, %(field)s: %(problem)s", number=int(index) + 1, field=field, problem=p)
                       for p in problems)
    return out or [_("Invalid sources.")]


class TopicIn(InputSchema):
    slug = Slug()
    name = Text(min_len=2, max_len=80)
    kind = fields.Enum(TopicKind, by_value=True, load_default=TopicKind.CONCERN)
    description = Text(max_len=1000, required=False)


class TreatmentIn(InputSchema):
    slug = Slug()
    name = Text(min_len=2, max_len=120)
    kind = Text(min_len=2, max_len=80)
    summary = Text(max_len=300, required=False)
    how_it_works = Text(min_len=10, max_len=4000)
    cost_min = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    cost_max = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    cost_currency = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Z]{3}$", error=_l("A 3-letter currency code, e.g. USD.")))
    cost_note = Text(max_len=200, required=False)
    sessions = Text(max_len=200, required=False)
    downtime = Text(max_len=200, required=False)
    durability = Text(max_len=200, required=False)
    cautions = Text(max_len=2000, required=False)
    prescription = fields.Boolean(load_default=False)
    topics = SlugList()
    sources = SourcesField(load_default=list)

    @validates_schema
    def _cost(self, data, **_kwargs):
        low, high = data.get("cost_min"), data.get("cost_max")
        if low is not None and high is not None and high < low:
            raise ValidationError(_("The maximum cannot be below the minimum."), field_name="cost_max")
        if (low is not None or high is not None) and not data.get("cost_currency"):
            raise ValidationError(_("Give the currency of the cost."), field_name="cost_currency")


class ArticleIn(InputSchema):
    slug = Slug()
    title = Text(min_len=15, max_len=150)
    summary = Text(min_len=20, max_len=300)
    body = Text(min_len=20, max_len=32_000)
    author_name = Text(min_len=2, max_len=120)
    author_bio = Text(max_len=600, required=False)
    sources = SourcesField(load_default=list)
    topics = SlugList()
    treatments = SlugList(max_items=15)
    related = SlugList()
    featured = fields.Boolean(load_default=False)


class ArticleSeed(ArticleIn):
    """A seed file's front matter plus body: also carries the publication state and date."""

    status = fields.Enum(ArticleStatus, by_value=True, load_default=ArticleStatus.DRAFT)
    published_on = fields.Date(load_default=None, allow_none=True)


class ArticleReviewIn(InputSchema):
    """A moderator assigns a verified doctor; the byline appears when the doctor confirms."""

    reviewer_id = Id(required=True, metadata={"description": "A verified doctor's profile id"})


class MedicalReviewDeclineIn(InputSchema):
    note = Text(max_len=500, required=False, metadata={"description": "Optional, for the moderators"})


class EditorialActionIn(InputSchema):
    """Publish / unpublish: the reason goes to the moderation log."""

    reason = Text(min_len=3, max_len=500, required=False)


# ---- output ----

class SourceOut(Schema):
    publication = fields.String(allow_none=True)
    expert = fields.String(allow_none=True)
    credential = fields.String(allow_none=True)
    supports = fields.List(fields.String())


class TopicRefOut(Schema):
    slug = fields.String()
    name = fields.String()


class TopicOut(TopicRefOut):
    kind = fields.String()
    description = fields.String()


class TreatmentRefOut(Schema):
    slug = fields.String()
    name = fields.String()


class TreatmentOut(TreatmentRefOut):
    kind = fields.String()
    summary = fields.String()
    how_it_works = fields.String()
    cost_min = fields.Integer(allow_none=True)
    cost_max = fields.Integer(allow_none=True)
    cost_currency = fields.String(allow_none=True)
    cost_note = fields.String(allow_none=True)
    sessions = fields.String(allow_none=True)
    downtime = fields.String(allow_none=True)
    durability = fields.String(allow_none=True)
    cautions = fields.String(allow_none=True)
    prescription = fields.Boolean()
    topics = fields.List(fields.Nested(TopicRefOut))
    sources = fields.List(fields.Nested(SourceOut))


class CostRangeOut(Schema):
    count = fields.Integer(metadata={"description": "Cost reports (at least 5)"})
    median = fields.Integer(metadata={"description": "Whole units; for an even count the mean of the middle two, "
                                                    "halves rounded up"})
    low = fields.Integer()
    high = fields.Integer()


class CityCostsOut(CostRangeOut):
    city = fields.String()


class CurrencyCostsOut(CostRangeOut):
    currency = fields.String()
    cities = fields.List(fields.Nested(CityCostsOut), metadata={"description": "Cities with at least 5 reports"})


class PatientCostsOut(Schema):
    """What patients reported in their published reviews; not checked by the site."""

    reviews = fields.Integer(metadata={"description": "Published reviews of the treatment"})
    currencies = fields.List(fields.Nested(CurrencyCostsOut),
                             metadata={"description": "Currencies with at least 5 cost reports, most reported first"})
    worth_it_share = fields.Float(allow_none=True, metadata={
        "description": "Share (0 to 1) of published reviews saying it was worth it; null under 5 reviews"})


class TreatmentDetailOut(TreatmentOut):
    patient_costs = fields.Nested(PatientCostsOut, allow_none=True, metadata={
        "description": "Costs reported by patients in published reviews (not checked by the site); "
                       "null until at least 5 reviews report them"})


class ArticleRefOut(Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()


class ReviewerOut(Schema):
    id = fields.Integer()
    full_name = fields.String()
    credentials = fields.String()


class ArticleOut(ArticleRefOut):
    body = fields.String(metadata={"description": "Markdown"})
    author_name = fields.String()
    author_bio = fields.String()
    status = fields.String()
    featured = fields.Boolean()
    published_on = fields.Date(allow_none=True)
    updated_at = UtcDateTime()
    reviewed_on = fields.Date(allow_none=True)
    reviewer = fields.Nested(ReviewerOut, allow_none=True)
    sources = fields.List(fields.Nested(SourceOut))
    topics = fields.List(fields.Nested(TopicRefOut))
    treatments = fields.List(fields.Nested(TreatmentRefOut))
    related = fields.List(fields.Nested(ArticleRefOut))


class AnsweredQuestionOut(Schema):
    id = fields.Integer()
    title = fields.String()
    url = fields.Function(lambda q: url_for("questions.show", question_id=q.id, slug=q.slug))
    answer_count = fields.Integer(metadata={"description": "Visible doctor answers"})
    helpful_count = fields.Integer(metadata={"description": "Helpful votes over its visible answers"})


class ArticleDetailOut(ArticleOut):
    answered_questions = fields.List(fields.Nested(AnsweredQuestionOut), metadata={
        "description": "Up to 10 public questions with doctor answers on the post's topics or treatments, "
                       "most helpful first, newest first on ties"})


class MedicalReviewOut(Schema):
    """A post's medical review as assigned to a doctor: pending until they confirm or decline."""

    id = fields.Integer()
    status = fields.String(attribute="status.value")
    article = fields.Nested(ArticleRefOut)
    reviewer = fields.Nested(ReviewerOut, attribute="doctor")
    assigned_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)
    reviewed_on = fields.Date(allow_none=True)
    note = fields.String()
