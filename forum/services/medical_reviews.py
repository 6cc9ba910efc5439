"""Medical review of reference posts with the doctor's sign-off.

A moderator assigns a verified doctor (pending); the doctor is notified and confirms or declines in
their dashboard. Only a confirmed review sets the post's public byline ("Medically reviewed by Dr X
on <date>", Article.reviewer / reviewed_on). A review falls due 12 months after the last confirmed
one; the daily reminder job tells the doctor once per due period."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum import clock
from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import Article, ArticleStatus, DoctorProfile, MedicalReview, MedicalReviewStatus, User
from forum.permissions import require
from forum.services import notifications
from forum.services.moderation import log_action

REVIEW_VALID_DAYS = 365    # a confirmed review is current for 12 months (Article.review_due)
PENDING_REMIND_DAYS = 14   # a doctor who has not answered an assignment is reminded after this long
DASHBOARD_LINK = "/doctor/dashboard#medical-reviews"
PENDING = MedicalReviewStatus.PENDING


def _article(slug: str) -> Article:
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound()
    return article


def _ask(article: Article, doctor: DoctorProfile, assigned_by: User | None, message: str) -> MedicalReview:
    """A pending review for `doctor`, who is told. Runs in the caller's transaction."""
    review = MedicalReview(article=article, doctor=doctor, assigned_by_id=assigned_by.id if assigned_by else None,
                           status=PENDING, assigned_at=clock.now())
    db.session.add(review)
    notifications.notify(doctor.user, "medical_review", message, link=DASHBOARD_LINK)
    return review


def assign_reviewer(actor: User, *, slug: str, reviewer_id: int) -> MedicalReview:
    """A moderator asks a verified doctor to review a post. The byline changes only when the doctor
    confirms; an earlier unanswered assignment to someone else is withdrawn. Logged."""
    require(actor, "reference.edit")
    article = _article(slug)
    doctor = db.session.get(DoctorProfile, reviewer_id)
    if doctor is None or not doctor.is_verified:
        raise Invalid(_("Choose a verified doctor as reviewer."),
                      fields=dict(reviewer_id=[_("Choose a verified doctor.")]))
    pending = list(db.session.scalars(select(MedicalReview).where(MedicalReview.article_id == article.id,
                                                                  MedicalReview.status == PENDING)))
    if any(p.doctor_id == doctor.id for p in pending):
        raise Conflict(_("%(doctor)s is already asked to review this post.", doctor=doctor.full_name))
    for earlier in pending:  # the doctor asked before is told they need not answer any more
        earlier.status, earlier.decided_at = MedicalReviewStatus.WITHDRAWN, clock.now()
        notifications.notify(earlier.doctor.user, "medical_review",
                             _l("Your medical review is no longer needed: %(title)s", title=article.title),
                             link=DASHBOARD_LINK)
    review = _ask(article, doctor, actor, _l("Please review the reference post: %(title)s", title=article.title))
    db.session.flush()
    log_action(actor, "article.review_assign", "article", article.id,
               f"Medical review asked of doctor #{doctor.id}", article.title)
    db.session.commit()
    return review


def pending_for(actor: User) -> list[MedicalReview]:
    """The reviews a verified doctor is asked for and has not answered, oldest first."""
    require(actor, "doctor.answer")
    return list(db.session.scalars(
        select(MedicalReview).where(MedicalReview.doctor_id == actor.doctor_profile.id, MedicalReview.status == PENDING)
        .options(selectinload(MedicalReview.article)).order_by(MedicalReview.assigned_at, MedicalReview.id)))


def _already(status: MedicalReviewStatus) -> str:
    """Why a review can no longer be confirmed or declined."""
    return {MedicalReviewStatus.CONFIRMED: _("This review is already confirmed."),
            MedicalReviewStatus.DECLINED: _("This review is already declined."),
            MedicalReviewStatus.WITHDRAWN: _("This review is already withdrawn.")}.get(status,
                                                                        _("This review is closed."))


def _pending(actor: User, review_id: int) -> MedicalReview:
    review = db.session.get(MedicalReview, review_id)
    if review is None:
        raise NotFound()
    require(actor, "medical_review.decide", review)
    if review.status != PENDING:
        raise Conflict(_already(review.status))
    return review


def confirm(actor: User, review_id: int) -> MedicalReview:
    """The assigned doctor signs off: from now the post says "Medically reviewed by" them, today."""
    review = _pending(actor, review_id)
    now = clock.now()
    review.status, review.decided_at, review.reviewed_on = MedicalReviewStatus.CONFIRMED, now, now.date()
    article = review.article
    article.reviewer_id, article.reviewed_on = review.doctor_id, review.reviewed_on
    log_action(actor, "article.review", "article", article.id,
               f"Medically reviewed by doctor #{review.doctor_id} on {review.reviewed_on.isoformat()}", article.title)
    db.session.commit()
    return review


def decline(actor: User, review_id: int, note: str | None = None) -> MedicalReview:
    """The assigned doctor says no (with an optional note): the post stays without a new reviewer,
    and the moderator who asked is told. Logged."""
    review = _pending(actor, review_id)
    review.status, review.decided_at, review.note = MedicalReviewStatus.DECLINED, clock.now(), note or ""
    article = review.article
    if review.assigned_by_id is not None and (moderator := db.session.get(User, review.assigned_by_id)):
        notifications.notify(moderator, "medical_review",
                             _l("%(doctor)s declined to review: %(title)s", doctor=review.doctor.full_name,
                                title=article.title),
                             link="/mod/review-due")
    log_action(actor, "article.review_decline", "article", article.id,
               f"Doctor #{review.doctor_id} declined the medical review" + (f": {note}" if note else ""),
               article.title)
    db.session.commit()
    return review


def open_assignments(article_ids: list[int]) -> dict[int, MedicalReview]:
    """The latest unconfirmed assignment (pending or declined) of each post, for the review-due page."""
    if not article_ids:
        return {}
    rows = db.session.scalars(
        select(MedicalReview).where(MedicalReview.article_id.in_(article_ids),
                                    MedicalReview.status.in_([PENDING, MedicalReviewStatus.DECLINED]))
        .options(selectinload(MedicalReview.doctor)).order_by(MedicalReview.id))
    return {row.article_id: row for row in rows}


# ---- the reminder (daily job) ----

def _remind_pending(now) -> int:
    """Assignments left unanswered for PENDING_REMIND_DAYS: the doctor is reminded once."""
    stale = db.session.scalars(select(MedicalReview).where(
        MedicalReview.status == PENDING, MedicalReview.reminded_at.is_(None),
        MedicalReview.assigned_at <= now - timedelta(days=PENDING_REMIND_DAYS))
        .options(selectinload(MedicalReview.article), selectinload(MedicalReview.doctor)))
    count = 0
    for review in stale:
        review.reminded_at = now
        count += notifications.notify(review.doctor.user, "medical_review",
                                      _l("Reminder: your medical review is waiting: %(title)s",
                                         title=review.article.title),
                                      link=DASHBOARD_LINK) is not None
    return count


def _remind_lapsed(now) -> int:
    """A published post whose confirmed review is over 12 months old: its reviewer is asked again
    (a new pending review in their dashboard), once per due period."""
    lapsed = db.session.scalars(
        select(MedicalReview).join(Article, Article.id == MedicalReview.article_id).where(
            MedicalReview.status == MedicalReviewStatus.CONFIRMED, MedicalReview.reminded_at.is_(None),
            MedicalReview.reviewed_on < now.date() - timedelta(days=REVIEW_VALID_DAYS),
            Article.status == ArticleStatus.PUBLISHED, Article.reviewer_id == MedicalReview.doctor_id,
            Article.reviewed_on == MedicalReview.reviewed_on)
        .options(selectinload(MedicalReview.article), selectinload(MedicalReview.doctor)))
    count = 0
    for review in lapsed:
        review.reminded_at = now
        asked = db.session.scalar(select(MedicalReview.id).where(MedicalReview.article_id == review.article_id,
                                                                 MedicalReview.status == PENDING).limit(1))
        if asked is None and review.doctor.is_verified:
            _ask(review.article, review.doctor, None,
                 _l("Due for its yearly medical review: %(title)s", title=review.article.title))
            count += 1
    return count


def remind_due_reviews() -> int:
    """Tell each reviewing doctor once when a review falls due; returns how many were told. Commits."""
    now = clock.now()
    count = _remind_pending(now) + _remind_lapsed(now)
    db.session.commit()
    return count
