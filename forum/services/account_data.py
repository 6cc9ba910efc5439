"""A member's own data: export everything (a zip of JSON and their photos), or delete the account."""
from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO
from datetime import timezone

from sqlalchemy import delete, select

from forum import clock
from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import _
from forum.models import (
    Answer, ApiToken, AnswerReview, ConsultationMessage, ConsultationPhoto, ConsultationRequest, Flag, Follow,
    FollowUp, HelpfulVote, Invitation, MailOptOut, Notification, Question, Review, ReviewPhoto, User,
)
from forum.passwords import verify_password
from forum.permissions import require
from forum.seclog import security_event
from forum.services import account_erasure, consultations, photos, question_photos, reviews, search_index
from forum.services.answers import recount_doctor, recount_question

DATA_FILE = "data.json"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
SPOOL_BYTES = 8 * 1024 * 1024  # an archive larger than this is built in a temporary file, not in memory


def _iso(value):
    return value.replace(tzinfo=value.tzinfo or timezone.utc).isoformat() if value else None


def _mine(actor: User, model, column) -> list:
    return db.session.scalars(select(model).where(column == actor.id).order_by(*model.__table__.primary_key)).all()


def export_user_data(actor: User) -> dict:
    """Everything the member wrote or received about themselves, and nothing about anyone else:
    other people appear by public name at most; consultations are the ones they requested
    (received ones belong to the requester), and of other threads only their own messages.
    Photos are listed by the file name they have in the archive (`export_archive`)."""
    require(actor, "account.use")
    return {"exported_at": _iso(clock.now()), **_account(actor), **_contributions(actor), **_activity(actor),
            **_private(actor), **_doctor_reviews(actor)}


def _account(actor: User) -> dict:
    profile = actor.doctor_profile
    return {
        "profile": {"email": actor.email, "display_name": actor.display_name, "role": actor.role.value,
                    "status": actor.status.value, "created_at": _iso(actor.created_at),
                    "email_verified_at": _iso(actor.email_verified_at)},
        "doctor_profile": None if profile is None else {
            "full_name": profile.full_name, "credentials": profile.credentials, "specialty": profile.specialty.value,
            "license_number": profile.license_number, "license_region": profile.license_region,
            "status": profile.status.value, "bio": profile.bio},
        "api_tokens": [{"name": t.name, "created_at": _iso(t.created_at), "revoked": t.revoked_at is not None}
                       for t in _mine(actor, ApiToken, ApiToken.user_id)],
        "mail_turned_off": [o.kind for o in _mine(actor, MailOptOut, MailOptOut.user_id)],
    }


def _contributions(actor: User) -> dict:
    return {
        "questions": [{"id": q.id, "title": q.title, "body": q.body, "anonymous": q.anonymous,
                       "created_at": _iso(q.created_at)} for q in _mine(actor, Question, Question.author_id)],
        "question_photos": question_photos.export_photos_of(actor),
        "answers": [{"id": a.id, "question_id": a.question_id, "body": a.body, "offers_treatment": a.offers_treatment,
                     "industry_ties": a.industry_ties, "created_at": _iso(a.created_at)}
                    for a in _mine(actor, Answer, Answer.author_id)],
        "follow_ups": [{"id": f.id, "answer_id": f.answer_id, "body": f.body, "created_at": _iso(f.created_at)}
                       for f in _mine(actor, FollowUp, FollowUp.author_id)],
    }


def _activity(actor: User) -> dict:
    made = db.session.scalars(select(Invitation).join(Question, Invitation.question_id == Question.id)
                              .where(Question.author_id == actor.id).order_by(Invitation.id)).all()
    return {
        "helpful_votes": [{"answer_id": v.answer_id, "created_at": _iso(v.created_at)}
                          for v in _mine(actor, HelpfulVote, HelpfulVote.user_id)],
        "reviews": [{"answer_id": r.answer_id, "verdict": r.verdict.value, "reason": r.reason}
                    for r in _mine(actor, AnswerReview, AnswerReview.doctor_id)],
        "follows": [{"question_id": f.question_id} for f in _mine(actor, Follow, Follow.user_id)],
        "flags": [{"target_type": f.target_type.value, "target_id": f.target_id, "reason": f.reason.value,
                   "note": f.note, "status": f.status.value, "created_at": _iso(f.created_at)}
                  for f in _mine(actor, Flag, Flag.reporter_id)],
        "invitations_made": [{"question_id": i.question_id, "doctor": _public_name(i.doctor),
                              "created_at": _iso(i.created_at)} for i in made],
        "invitations_received": [{"question_id": i.question_id, "created_at": _iso(i.created_at)}
                                 for i in _mine(actor, Invitation, Invitation.doctor_id)],
        "notifications": [{"kind": n.kind, "message": n.message, "link": n.link, "created_at": _iso(n.created_at),
                           "read": n.read_at is not None} for n in _mine(actor, Notification, Notification.user_id)],
    }


def _private(actor: User) -> dict:
    written_elsewhere = db.session.scalars(
        select(ConsultationMessage).join(ConsultationRequest)
        .where(ConsultationMessage.author_id == actor.id, ConsultationRequest.requester_id != actor.id)
        .order_by(ConsultationMessage.created_at)).all()
    requested = db.session.scalars(select(ConsultationRequest).where(ConsultationRequest.requester_id == actor.id)
                                   .order_by(ConsultationRequest.created_at)).all()
    return {
        "consultations": [_export_consultation(c) for c in requested],
        "messages_in_other_consultations": [
            {"consultation_id": m.consultation_id, "body": consultations.message_body(m),
             "created_at": _iso(m.created_at)} for m in written_elsewhere],
    }


def _public_name(user: User | None) -> str | None:
    return user.doctor_profile.full_name if user and user.doctor_profile else None


def photo_path(photo: ConsultationPhoto) -> str:
    """Where a photo sits in the export archive."""
    return f"photos/{photo.consultation_id}/{photo.id}.{EXTENSIONS.get(photo.content_type, 'bin')}"


def _export_consultation(c: ConsultationRequest) -> dict:
    return {"id": c.id, "status": c.status.value, "created_at": _iso(c.created_at),
            "scheduled_for": _iso(c.scheduled_for), "details": consultations.details_of(c),
            "doctor": _public_name(c.doctor),
            "messages": [{"from": "me" if m.author_id == c.requester_id else "doctor", "kind": m.kind,
                          "body": consultations.message_body(m), "created_at": _iso(m.created_at)}
                         for m in c.messages],
            "photos": [{"file": photo_path(p), "content_type": p.content_type, "size": p.size,
                        "created_at": _iso(p.created_at)} for p in c.photos]}


def review_photo_path(photo) -> str:
    """Where a review photo sits in the export archive."""
    return f"review-photos/{photo.review_id}/{photo.id}.{EXTENSIONS.get(photo.content_type, 'bin')}"


def _doctor_reviews(actor: User) -> dict:
    """The reviews of doctors they wrote (with the doctor's reply and their photos), and, for a
    doctor, the replies they wrote to reviews of them. (`reviews` above are a doctor's
    agree/disagree reviews of answers.)"""
    def exported(r: Review) -> dict:
        return {"id": r.id, "doctor": _public_name(r.doctor), "treatment": r.treatment.name, "rating": r.rating,
                "worth_it": r.worth_it.value, "treated_on": f"{r.treated_on:%Y-%m}", "cost_amount": r.cost_amount,
                "cost_currency": r.cost_currency, "city": r.city, "body": r.body, "photo_consent": r.photo_consent,
                "status": r.status.value, "hidden_reason": r.hidden_reason, "verified": r.verified,
                "created_at": _iso(r.created_at), "edited_at": _iso(r.edited_at),
                "reply": None if r.reply_body is None else {"body": r.reply_body, "at": _iso(r.reply_at)},
                "photos": [{"id": p.id, "alt": p.alt, "file": review_photo_path(p), "content_type": p.content_type,
                            "created_at": _iso(p.created_at)} for p in r.photos]}
    return {"doctor_reviews": [exported(r) for r in _mine(actor, Review, Review.author_id)],
            "review_replies": [{"review_id": r.id, "treatment": r.treatment.name, "body": r.reply_body,
                                "at": _iso(r.reply_at)} for r in _mine(actor, Review, Review.doctor_id)
                               if r.reply_body is not None]}


@dataclass
class Archive:
    filename: str
    file: IO[bytes]  # positioned at its start; the caller closes it
    size: int


def export_archive(actor: User) -> Archive:
    """The export as a zip: `data.json` plus each photo of the member's own requests and reviews, decrypted,
    under the file name the JSON gives it (a photo that cannot be read is listed with `"file":
    null`). Built in a temporary file that stays in memory up to SPOOL_BYTES; photos are read
    one at a time."""
    data = export_user_data(actor)
    buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to the response
    with zipfile.ZipFile(buffer, "w") as archive:
        for consultation in db.session.scalars(select(ConsultationRequest).where(
                ConsultationRequest.requester_id == actor.id)):
            _add_photos(archive, consultation, data)
        _add_review_photos(archive, data)
        archive.writestr(DATA_FILE, json.dumps(data, indent=2, ensure_ascii=False), zipfile.ZIP_DEFLATED)
    size = buffer.tell()
    buffer.seek(0)
    return Archive(f"ask-a-cosmetic-doctor-export-{clock.now():%Y-%m-%d}.zip", buffer, size)


def _add_photos(archive: zipfile.ZipFile, consultation: ConsultationRequest, data: dict) -> None:
    entries = {e["file"]: e for c in data["consultations"] if c["id"] == consultation.id for e in c["photos"]}
    for photo in consultation.photos:
        try:
            content = photos.read(photo.stored_name)
        except (OSError, ValueError):  # file lost, or encrypted with a key no longer configured
            entries[photo_path(photo)]["file"] = None
            continue
        archive.writestr(photo_path(photo), content, zipfile.ZIP_STORED)


def _add_review_photos(archive: zipfile.ZipFile, data: dict) -> None:
    entries = {p["id"]: p for r in data["doctor_reviews"] for p in r["photos"]}
    for photo in db.session.scalars(select(ReviewPhoto).where(ReviewPhoto.id.in_(entries))):
        try:
            archive.writestr(review_photo_path(photo), photos.read(photo.stored_name), zipfile.ZIP_STORED)
        except (OSError, ValueError):  # as for consultation photos: listed with no file
            entries[photo.id]["file"] = None


def delete_account(actor: User, *, password: str, delete_questions: bool = False) -> None:
    """Delete the account after the password is confirmed. Consultations the member requested are
    deleted with their photos, and so are their reviews (a doctor's: also the reviews of them);
    their questions stay as "deleted user" unless they ask for them
    to go too; answers stay without a name; votes, follows, tokens, notifications, invitations,
    mail to them and flags about them go; their names and address are replaced by "A former user"
    wherever else they were written (services/account_erasure.py)."""
    require(actor, "account.use")
    if not verify_password(actor.password_hash, password):
        raise Invalid(_("Your password is not correct."), fields={"password": [_("Your password is not correct.")]})
    requested = db.session.scalars(select(ConsultationRequest).where(
        ConsultationRequest.requester_id == actor.id)).all()
    files = [p.stored_name for c in requested for p in c.photos]
    if actor.doctor_profile is not None and actor.doctor_profile.photo_name:
        files.append(actor.doctor_profile.photo_name)  # the profile goes with the account (cascade)
    files += question_photos.erase_photos_of(actor)  # public photos of their questions go with the account
    account_erasure.erase_traces(actor, consultation_ids=[c.id for c in requested])
    files += reviews.erase_reviews_of(actor)  # theirs, and (a doctor's) those of them
    for consultation in requested:
        db.session.delete(consultation)
    questions = db.session.scalars(select(Question).where(Question.author_id == actor.id)).all()
    for question in questions:
        if delete_questions:
            question.hidden, question.deleted_at = True, clock.now()
            search_index.index_question(question)
        question.author_id = None
    voted = db.session.scalars(select(Answer).join(HelpfulVote).where(HelpfulVote.user_id == actor.id)).all()
    db.session.execute(delete(HelpfulVote).where(HelpfulVote.user_id == actor.id))
    for answer in voted:
        answer.helpful_count = max(0, answer.helpful_count - 1)
        recount_question(answer.question)
        recount_doctor(answer.author)
    user_id = actor.id
    db.session.delete(actor)
    db.session.commit()
    for name in files:
        photos.remove(name)
    security_event("account_deleted", user_id=user_id)
