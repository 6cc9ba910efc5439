"""Reading reviews: one review, a doctor's published reviews page by page, the rating summary,
the author's own, the moderators' queue of reviews from new accounts, and review photos."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from forum.errors import NotFound
from forum.extensions import db
from forum.ids import is_valid_id
from forum.models import DoctorProfile, Review, ReviewPhoto, ReviewStatus, User, WorthIt
from forum.permissions import can, require
from forum.services import photos

PER_PAGE = 10
MAX_PER_PAGE = 50


@dataclass
class RatingSummary:
    count: int
    average: float | None
    worth_it_share: float | None  # of published reviews saying "yes", 0..1


@dataclass
class ReviewPage:
    items: list[Review]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _loaded():
    return (selectinload(Review.author), selectinload(Review.treatment), selectinload(Review.photos),
            selectinload(Review.doctor).selectinload(User.doctor_profile))


def get_review(viewer, review_id) -> Review:
    """A published review for anyone; a pending or hidden one for its author and staff only."""
    review = db.session.get(Review, review_id) if is_valid_id(review_id) else None
    if review is None:
        raise NotFound()
    require(viewer, "review.view", review, hide=True)
    return review


def _public_profile(viewer, profile_id) -> DoctorProfile:
    profile = db.session.get(DoctorProfile, profile_id) if is_valid_id(profile_id) else None
    if profile is None or not can(viewer, "doctor.view_profile", profile):
        raise NotFound()
    return profile


def doctor_reviews(viewer, profile_id: int, *, page: int = 1, per_page: int = PER_PAGE) -> ReviewPage:
    """A doctor's published reviews, newest first; a page past the last is not found."""
    profile = _public_profile(viewer, profile_id)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    published = (Review.doctor_id == profile.user_id, Review.status == ReviewStatus.PUBLISHED)
    total = db.session.scalar(select(func.count()).select_from(Review).where(*published)) or 0
    if page < 1 or (page > 1 and (page - 1) * per_page >= total):
        raise NotFound()
    items = list(db.session.scalars(
        select(Review).where(*published).options(*_loaded())
        .order_by(Review.published_at.desc(), Review.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    return ReviewPage(items, page, per_page, total)


def rating_of(doctor_user_id: int) -> RatingSummary:
    count, average, yes = db.session.execute(
        select(func.count(), func.avg(Review.rating), func.sum(case((Review.worth_it == WorthIt.YES, 1), else_=0)))
        .where(Review.doctor_id == doctor_user_id, Review.status == ReviewStatus.PUBLISHED)).one()
    if not count:
        return RatingSummary(0, None, None)
    return RatingSummary(count, round(float(average), 2), (yes or 0) / count)


def doctor_rating(profile_id: int) -> RatingSummary:
    """Average rating, number of published reviews, and the share who found it worth it."""
    profile = db.session.get(DoctorProfile, profile_id) if is_valid_id(profile_id) else None
    if profile is None:
        raise NotFound()
    return rating_of(profile.user_id)


def my_reviews(actor) -> list[Review]:
    """The author's own reviews, whatever their status, newest first."""
    require(actor, "account.use")
    return list(db.session.scalars(select(Review).where(Review.author_id == actor.id).options(*_loaded())
                                   .order_by(Review.id.desc())))


def pending_reviews(actor, limit: int = 50) -> list[Review]:
    """Reviews from new accounts waiting for a moderator, oldest first."""
    require(actor, "content.moderate")
    return list(db.session.scalars(select(Review).where(Review.status == ReviewStatus.PENDING)
                                   .options(*_loaded()).order_by(Review.created_at, Review.id).limit(limit)))


def review_photo_file(viewer, photo_id: str, name: str) -> tuple[bytes, str, bool]:
    """(bytes, content type, public) of a review photo; public (cacheable) when the review is
    published with the author's consent; otherwise only its author and staff see it."""
    photo = db.session.get(ReviewPhoto, photo_id) if isinstance(photo_id, str) and len(photo_id) == 32 else None
    if photo is None or photo.stored_name != name:
        raise NotFound()
    review = photo.review
    public = review.is_published and review.photo_consent
    if not public and not can(viewer, "review.edit", review) and not can(viewer, "content.moderate"):
        raise NotFound()
    try:
        data = photos.read(name)
    except (OSError, ValueError):
        raise NotFound() from None
    return data, photo.content_type, public


def values_of(review: Review) -> dict:
    """A review's editable values, as create_review and edit_review take them."""
    return {"treatment": review.treatment.slug, "rating": review.rating, "worth_it": review.worth_it.value,
            "treated_on": review.treated_on, "cost_amount": review.cost_amount, "cost_currency": review.cost_currency,
            "city": review.city, "body": review.body, "photo_consent": review.photo_consent}
