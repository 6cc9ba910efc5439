"""Questions, answers, votes, reviews, follow-ups, invitations: In schemas and Out schemas."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from forum.i18n import LOCALES, _, _l
from forum.schemas.common import ArgsSchema, Id, InputSchema, Text, UtcDateTime
from forum.schemas.reference import SLUG, TopicRefOut, TreatmentRefOut

SORTS = ("newest", "active", "helpful")
LANGUAGE_MESSAGE = _l("Choose English (en) or Spanish (es).")


def _language(description: str) -> fields.String:
    return fields.String(load_default=None, validate=validate.OneOf(LOCALES, error=LANGUAGE_MESSAGE),
                         metadata={"description": description, "enum": list(LOCALES)})


def _slugs(max_items: int) -> fields.List:
    return fields.List(fields.String(validate=[validate.Length(max=80), SLUG]), load_default=list,
                       validate=validate.Length(max=max_items))


class QuestionIn(InputSchema):
    title = Text(min_len=15, max_len=150)
    body = Text(min_len=30, max_len=20_000)
    topics = _slugs(5)
    treatments = _slugs(5)
    anonymous = fields.Boolean(load_default=False, metadata={"description": "Hide your name from the public"})
    language = _language("The language the question is written in: en or es; omitted: detected from the text")

    @validates_schema
    def _one_to_five(self, data, **_kwargs):
        total = len(data.get("topics", [])) + len(data.get("treatments", []))
        if total == 0:
            raise ValidationError(dict(topics=[_("Choose at least one topic or treatment.")]))
        if total > 5:
            raise ValidationError(dict(topics=[_("Choose at most five topics and treatments in all.")]))


class QuestionEditIn(QuestionIn):
    """An edit through the API: leaving out `anonymous` keeps the current choice, so a client
    that only fixes a typo never reveals an anonymous asker."""

    anonymous = fields.Boolean(load_default=None, allow_none=False,
                               metadata={"description": "Hide your name from the public; omitted: unchanged"})
    language = _language("The language the question is written in: en or es; omitted: unchanged")


class AnswerIn(InputSchema):
    body = Text(min_len=30, max_len=20_000)
    offers_treatment = fields.Boolean(load_default=False,
                                      metadata={"description": "Disclosure: I offer this treatment in my practice"})
    industry_ties = Text(max_len=500, required=False, metadata={"description": "Disclosure: industry ties, if any"})


class FollowUpIn(InputSchema):
    body = Text(min_len=2, max_len=2000)


class AnswerReviewIn(InputSchema):
    verdict = fields.String(required=True, validate=validate.OneOf(["agree", "disagree"]))
    reason = Text(max_len=500, required=False)

    @validates_schema
    def _reason_for_disagreement(self, data, **_kwargs):
        if data.get("verdict") == "disagree" and len(data.get("reason") or "") < 10:
            raise ValidationError(dict(reason=[_("Say briefly why you disagree (at least 10 characters).")]))


class InviteIn(InputSchema):
    doctor_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=3))


class QuestionArgs(ArgsSchema):
    # Slugs only: anything else (a NUL byte, LIKE wildcards) never reaches the database.
    topic = fields.String(load_default=None, validate=[validate.Length(max=80), SLUG])
    treatment = fields.String(load_default=None, validate=[validate.Length(max=80), SLUG])
    answered = fields.String(load_default=None, validate=validate.OneOf(["yes", "no"]))
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SearchArgs(ArgsSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default=None,
                         validate=validate.OneOf(["question", "answer", "review", "article", "treatment", "topic"]))
    topic = fields.String(load_default=None, validate=[validate.Length(max=80), SLUG])
    # None: every language
    language = fields.String(load_default=None, validate=validate.OneOf(LOCALES, error=LANGUAGE_MESSAGE))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


class SimilarArgs(ArgsSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=150))


# ---- output ----

class AuthorOut(Schema):
    """The public face of an author: never the e-mail."""

    id = fields.Integer()
    display_name = fields.String()


class DoctorRefOut(Schema):
    id = fields.Integer()
    full_name = fields.String()
    credentials = fields.String()
    specialty = fields.String()
    verified = fields.Boolean(attribute="is_verified")


class AnswerReviewOut(Schema):
    doctor = fields.Function(lambda r: r.doctor.doctor_profile.full_name if r.doctor.doctor_profile else None)
    verdict = fields.String()
    reason = fields.String(allow_none=True)
    created_at = UtcDateTime()


class FollowUpOut(Schema):
    id = fields.Integer()
    author_role = fields.String(metadata={"description": "asker or doctor"})
    body = fields.String()
    created_at = UtcDateTime()
    moderator_edited_at = UtcDateTime(allow_none=True)


class AnswerOut(Schema):
    id = fields.Integer()
    question_id = fields.Integer()
    body = fields.String()
    doctor = fields.Function(lambda a: DoctorRefOut().dump(a.author.doctor_profile)
                             if a.author and a.author.doctor_profile else None)
    disclosure = fields.Function(lambda a: {"offers_treatment": a.offers_treatment,
                                            "industry_ties": a.industry_ties})
    helpful_count = fields.Integer()
    agree_count = fields.Integer()
    disagree_count = fields.Integer()
    accepted = fields.Boolean()
    edited_after_accepted = fields.Function(lambda a: bool(a.accepted and a.edited_after_accepted), metadata={
        "description": "The accepted answer was changed after the asker accepted it"})
    reviews = fields.List(fields.Nested(AnswerReviewOut))
    follow_ups = fields.List(fields.Nested(FollowUpOut), attribute="visible_follow_ups")
    created_at = UtcDateTime()
    edited_at = UtcDateTime(allow_none=True)
    moderator_edited_at = UtcDateTime(allow_none=True)


class QuestionPhotoOut(Schema):
    id = fields.String()
    url = fields.Function(lambda p: f"/questions/{p.question_id}/photos/{p.id}", metadata={
        "description": "The image; public questions' photos may be cached (their address never changes)"})
    alt = fields.String(metadata={"description": "The asker's description of the photo"})


class QuestionOut(Schema):
    """A question as the public sees it: an anonymous asker has no author."""

    id = fields.Integer()
    title = fields.String()
    slug = fields.String()
    body = fields.String()
    anonymous = fields.Boolean()
    language = fields.String(metadata={"description": "The language the question is written in (en, es)"})
    author = fields.Function(lambda q: None if q.anonymous or q.author is None else AuthorOut().dump(q.author))
    status = fields.String()
    locked = fields.Boolean()
    topics = fields.List(fields.Nested(TopicRefOut))
    treatments = fields.List(fields.Nested(TreatmentRefOut))
    answer_count = fields.Integer()
    view_count = fields.Integer()
    follower_count = fields.Integer()
    helpful_count = fields.Integer()
    accepted_answer_id = fields.Integer(allow_none=True)
    duplicate_of_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    last_activity_at = UtcDateTime()
    edited_at = UtcDateTime(allow_none=True)
    moderator_edited_at = UtcDateTime(allow_none=True)
    photos = fields.List(fields.Nested(QuestionPhotoOut), metadata={
        "description": "Up to 4, shown blurred until the reader chooses to see them"})
    awaiting_approval = fields.Boolean(metadata={
        "description": "Held for a moderator (photos from an account under 7 days old); only its asker and staff "
                       "see such a question"})


class QuestionStaffOut(QuestionOut):
    """Moderators (and the asker) also see who asked an anonymous question."""

    author = fields.Function(lambda q: AuthorOut().dump(q.author) if q.author else None)


class QuestionDetailOut(QuestionOut):
    answers = fields.List(fields.Nested(AnswerOut))
    urgent_notice = fields.Boolean(attribute="urgent")


class QuestionDetailStaffOut(QuestionStaffOut):
    answers = fields.List(fields.Nested(AnswerOut))
    urgent_notice = fields.Boolean(attribute="urgent")


class SearchHitOut(Schema):
    kind = fields.String(metadata={"description": "question, answer, review, article, treatment or topic"})
    title = fields.String(metadata={"description": "For an answer, its question's title"})
    url = fields.String()
    question_id = fields.Integer(allow_none=True)
    snippet = fields.String(metadata={"description": "Plain text, HTML-escaped; matches wrapped in <mark>"})


class SearchPageOut(Schema):
    items = fields.List(fields.Nested(SearchHitOut))
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "Pass as ?cursor= for the next page, with the same q (with `suggestion` as q when "
                       "`corrected_from` is set)"})
    total = fields.Integer(metadata={"description": "Results (a question with its answers counts once)"})
    estimated = fields.Boolean(metadata={"description": "True when `total` is an estimate, rounded"})
    suggestion = fields.String(allow_none=True, metadata={"description": "Did you mean: a corrected query"})
    partial_match = fields.Boolean(metadata={"description": "No result has every word; these have some"})
    corrected_from = fields.String(
        allow_none=True, metadata={"description": "Set when nothing matched the query as typed and the results "
                                                  "are for `suggestion` instead"})


class SimilarOut(Schema):
    id = fields.Integer()
    title = fields.String()
    url = fields.String()
