"""Demo reviews (seed/demo/reviews.toml), loaded by `forum seed --demo`: fictional members'
reviews of the demo doctors, written through the review service so they are checked, indexed
and marked "verified patient" exactly as members' own reviews are.

Two steps. `check_demo_reviews` runs inside the seed's one transaction: every record is
validated (file, line and field named on a problem) and, where `consulted = true`, the
completed private consultation that came first is added as history (as the demo questions and
answers are: rows dated in the past, no notifications or e-mails). Then, once that transaction
has committed, `write_demo_reviews` writes each review through reviews.create_review (which
commits each one) and dates it back to when it was written. A review the member already has
is left alone, so loading again adds nothing."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from marshmallow import fields, validate
from sqlalchemy import select

from forum import clock, crypto
from forum.errors import DomainError
from forum.extensions import db
from forum.models import ConsultationMessage, ConsultationRequest, ConsultationStatus, Review, Treatment, User
from forum.schemas.common import InputSchema, Text
from forum.services import reviews
from forum.services.seed_files import SeedError, line_of, read_records, validate_record

# When a demo review was written, after the month of the treatment (never later than yesterday).
WRITTEN_AFTER = timedelta(days=24)
REPLIED_AFTER = timedelta(days=3)


class DemoReviewSeed(InputSchema):
    author = fields.Email(required=True)
    doctor = fields.Email(required=True)
    treatment = fields.String(required=True, validate=validate.Length(min=2, max=80))
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    worth_it = fields.String(required=True, validate=validate.OneOf(["yes", "not_sure", "no"]))
    months_ago = fields.Integer(required=True, validate=validate.Range(min=1, max=36))
    cost_amount = fields.Integer(load_default=None, validate=validate.Range(min=1, max=reviews.MAX_COST))
    cost_currency = fields.String(load_default=None, validate=validate.OneOf(reviews.CURRENCIES))
    city = Text(max_len=80, required=False)
    body = Text(min_len=reviews.MIN_BODY, max_len=reviews.MAX_BODY)
    consulted = fields.Boolean(load_default=False)  # a completed consultation with the doctor came first
    reply = Text(max_len=reviews.MAX_REPLY, required=False)  # the doctor's public reply


def treatment_month(months_ago: int, today: date) -> date:
    """The first day of the month `months_ago` months before today's."""
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def check_demo_reviews(root: Path, users: dict[str, User]) -> list[dict]:
    """Every demo review, validated, with its people and treatment resolved; adds the completed
    consultations behind the "verified patient" ones. Runs in the seed's transaction."""
    path = root / "demo" / "reviews.toml"
    if not path.exists():
        return []
    records, text = read_records(path, "review")
    treatments = set(db.session.scalars(select(Treatment.slug)))
    checked = []
    for index, record in enumerate(records):
        data = validate_record(DemoReviewSeed(), record, path=path, text=text, header="review", index=index)
        where = f"{path}:{line_of(text, 'review', index, None)}"
        data["author"], data["doctor"] = users.get(data["author"].lower()), users.get(data["doctor"].lower())
        if data["author"] is None or data["doctor"] is None or data["doctor"].doctor_profile is None:
            raise SeedError(f"{where}: author and doctor must be a demo member and a demo doctor")
        if data["treatment"] not in treatments:
            raise SeedError(f"{where}: treatment: unknown slug {data['treatment']!r}")
        if (data["cost_amount"] is None) != (data["cost_currency"] is None):
            raise SeedError(f"{where}: cost_amount and cost_currency go together")
        data["treated_on"] = treatment_month(data.pop("months_ago"), clock.now().date())
        if data["consulted"]:
            _consultation_before(data["author"], data["doctor"], data["treated_on"])
        checked.append(data)
    db.session.flush()
    return checked


def _consultation_before(member: User, doctor: User, treated_on: date) -> None:
    """A completed private consultation a few weeks before the treatment (once per pair)."""
    if db.session.scalar(select(ConsultationRequest.id).where(
            ConsultationRequest.requester_id == member.id, ConsultationRequest.doctor_id == doctor.id).limit(1)):
        return
    asked = datetime.combine(treated_on, datetime.min.time()) - timedelta(days=30)
    details = {"concern": "A demo consultation before a treatment", "topics": [], "treatments": [],
               "description": "Fictional demo request: the member asked whether the treatment suited them.",
               "contact_method": "video"}
    consultation = ConsultationRequest(
        requester_id=member.id, doctor_id=doctor.id, status=ConsultationStatus.COMPLETED,
        details_enc=crypto.encrypt_json(details), consent_at=asked, created_at=asked,
        updated_at=asked + timedelta(days=9), responded_at=asked + timedelta(days=1),
        scheduled_for=asked + timedelta(days=8), requester_unread=False, doctor_unread=False)
    for days, kind in ((1, "accept"), (2, "schedule"), (9, "complete")):  # the thread the service would write
        consultation.messages.append(ConsultationMessage(author_id=doctor.id, kind=kind, created_at=asked + timedelta(
            days=days), body_enc=crypto.encrypt_json("")))
    db.session.add(consultation)


def write_demo_reviews(checked: list[dict], report) -> None:
    """Write the checked reviews through the review service (each commits), dated back."""
    for number, data in enumerate(checked):
        author, doctor = data["author"], data["doctor"]
        treatment_id = db.session.scalar(select(Treatment.id).where(Treatment.slug == data["treatment"]))
        if db.session.scalar(select(Review.id).where(Review.author_id == author.id, Review.doctor_id == doctor.id,
                                                     Review.treatment_id == treatment_id)):
            report.count("unchanged", "demo reviews")
            continue
        fields_in = {key: data.get(key) for key in reviews.FIELDS}
        try:
            review = reviews.create_review(author, doctor.doctor_profile.id, {**fields_in, "photo_consent": False},
                                           notify=False)
        except DomainError as err:
            raise SeedError(f"demo review by {author.email} of {doctor.email}: {err.fields or err.message}") from None
        yesterday = clock.now() - timedelta(days=1)
        written = min(datetime.combine(data["treated_on"], datetime.min.time()) + WRITTEN_AFTER
                      + timedelta(hours=8 + number % 12, minutes=7 * number % 60), yesterday)
        if data.get("reply"):
            reviews.reply_to_review(doctor, review.id, data["reply"], notify=False)
            review.reply_at = min(written + REPLIED_AFTER, yesterday)
        review.created_at = review.published_at = written
        db.session.commit()
        report.count("created", "demo reviews")
