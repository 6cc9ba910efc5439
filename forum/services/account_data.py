"""A member's own data: export everything as JSON, or delete the account."""
from __future__ import annotations

from sqlalchemy import delete, select

from forum import clock
from forum.errors import Invalid
from forum.extensions import db
from forum.models import (
    Answer, ApiToken, AnswerReview, ConsultationMessage, ConsultationRequest, Follow, FollowUp, HelpfulVote,
    Notification, Question, User,
)
from forum.passwords import verify_password
from forum.permissions import require
from forum.seclog import security_event
from forum.services import consultations, photos, search_index
from forum.services.answers import recount_doctor, recount_question


def _iso(value):
    return value.isoformat() if value else None


def export_user_data(actor: User) -> dict:
    """Everything the member wrote or received about themselves, and nothing about anyone else:
    other people appear by display name at most; consultations are the ones they requested
    (received ones belong to the requester), and of other threads only their own messages."""
    require(actor, "account.use")
    mine = lambda model, column: db.session.scalars(select(model).where(column == actor.id)).all()  # noqa: E731
    requested = mine(ConsultationRequest, ConsultationRequest.requester_id)
    written_elsewhere = db.session.scalars(
        select(ConsultationMessage).join(ConsultationRequest)
        .where(ConsultationMessage.author_id == actor.id, ConsultationRequest.requester_id != actor.id)).all()
    profile = actor.doctor_profile
    return {
        "exported_at": _iso(clock.now()),
        "profile": {"email": actor.email, "display_name": actor.display_name, "role": actor.role.value,
                    "status": actor.status.value, "created_at": _iso(actor.created_at),
                    "email_verified_at": _iso(actor.email_verified_at)},
        "doctor_profile": None if profile is None else {
            "full_name": profile.full_name, "credentials": profile.credentials, "specialty": profile.specialty.value,
            "license_number": profile.license_number, "license_region": profile.license_region,
            "status": profile.status.value, "bio": profile.bio},
        "questions": [{"id": q.id, "title": q.title, "body": q.body, "anonymous": q.anonymous,
                       "created_at": _iso(q.created_at)} for q in mine(Question, Question.author_id)],
        "answers": [{"id": a.id, "question_id": a.question_id, "body": a.body, "offers_treatment": a.offers_treatment,
                     "industry_ties": a.industry_ties, "created_at": _iso(a.created_at)}
                    for a in mine(Answer, Answer.author_id)],
        "follow_ups": [{"id": f.id, "answer_id": f.answer_id, "body": f.body, "created_at": _iso(f.created_at)}
                       for f in mine(FollowUp, FollowUp.author_id)],
        "helpful_votes": [{"answer_id": v.answer_id, "created_at": _iso(v.created_at)}
                          for v in mine(HelpfulVote, HelpfulVote.user_id)],
        "reviews": [{"answer_id": r.answer_id, "verdict": r.verdict.value, "reason": r.reason}
                    for r in mine(AnswerReview, AnswerReview.doctor_id)],
        "follows": [{"question_id": f.question_id} for f in mine(Follow, Follow.user_id)],
        "consultations": [_export_consultation(c) for c in requested],
        "messages_in_other_consultations": [
            {"consultation_id": m.consultation_id, "body": consultations.message_body(m),
             "created_at": _iso(m.created_at)} for m in written_elsewhere],
        "notifications": [{"kind": n.kind, "message": n.message, "link": n.link, "created_at": _iso(n.created_at),
                           "read": n.read_at is not None} for n in mine(Notification, Notification.user_id)],
        "api_tokens": [{"name": t.name, "created_at": _iso(t.created_at), "revoked": t.revoked_at is not None}
                       for t in mine(ApiToken, ApiToken.user_id)],
    }


def _export_consultation(c: ConsultationRequest) -> dict:
    return {"id": c.id, "status": c.status.value, "created_at": _iso(c.created_at),
            "scheduled_for": _iso(c.scheduled_for), "details": consultations.details_of(c),
            "doctor": c.doctor.doctor_profile.full_name if c.doctor and c.doctor.doctor_profile else None,
            "messages": [{"from": "me" if m.author_id == c.requester_id else "doctor", "kind": m.kind,
                          "body": consultations.message_body(m), "created_at": _iso(m.created_at)}
                         for m in c.messages],
            "photos": len(c.photos)}


def delete_account(actor: User, *, password: str, delete_questions: bool = False) -> None:
    """Delete the account after the password is confirmed. Consultations the member requested are
    deleted with their photos; their questions stay as "deleted user" unless they ask for them
    to go too; answers stay without a name; votes, follows, tokens and notifications go."""
    require(actor, "account.use")
    if not verify_password(actor.password_hash, password):
        raise Invalid("Your password is not correct.", fields={"password": ["Your password is not correct."]})
    requested = db.session.scalars(select(ConsultationRequest).where(ConsultationRequest.requester_id == actor.id)).all()
    files = [p.stored_name for c in requested for p in c.photos]
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
