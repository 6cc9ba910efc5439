"""Reviews of doctors by members: write, edit, delete, the doctor's one public reply, and the
"verified patient" rule (the site itself saw a consultation between the two reach "completed").

Reviews from accounts under a week old (moderation_trust.is_new_account) wait for a moderator (status "pending");
moderators hide, restore and approve them through services/moderation_content.py. Photos go
through the one pipeline (services/photos.py). Reading (profile lists, the rating summary,
photos) is in services/review_queries.py."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from forum import clock
from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l, fnumber
from forum.ids import is_valid_id
from forum.models import (
    ConsultationRequest, ConsultationStatus, DoctorProfile, Review, ReviewPhoto, ReviewStatus, Treatment, User,
    WorthIt,
)
from forum.permissions import require
from forum.services import moderation_trust, notifications, photos, reference, search_index
from forum.services.photos import PhotoUpload

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")
MIN_BODY, MAX_BODY = 50, 5000
MAX_PHOTOS = 4
MAX_REPLY = 3000
MAX_ALT = 300
MAX_COST = 1_000_000
EARLIEST = date(1990, 1, 1)
FIELDS = ("treatment", "rating", "worth_it", "treated_on", "cost_amount", "cost_currency", "city", "body",
          "photo_consent")


def had_completed_consultation(requester_id: int, doctor_user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        ConsultationRequest.requester_id == requester_id, ConsultationRequest.doctor_id == doctor_user_id,
        ConsultationRequest.status == ConsultationStatus.COMPLETED))))


def _profile(profile_id: int) -> DoctorProfile:
    profile = db.session.get(DoctorProfile, profile_id) if is_valid_id(profile_id) else None
    if profile is None:
        raise NotFound()
    return profile


# ---- validation ----

def _clean(data: dict, existing: Review | None = None) -> dict:
    """The review's fields, checked; Invalid with every problem at once (plain messages)."""
    values = {key: data.get(key) for key in FIELDS}
    errors: dict[str, list[str]] = {}
    values["treatment"] = _treatment(values["treatment"], errors)
    rating = values["rating"]
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        errors["rating"] = [_("Choose a rating from 1 to 5 stars.")]
    if values["worth_it"] not in {w.value for w in WorthIt}:
        errors["worth_it"] = [_("Say whether it was worth it: yes, not sure or no.")]
    values["treated_on"] = _month(values["treated_on"], errors)
    _cost(values, errors)
    values["city"] = (values["city"] or "").strip()[:80] or None
    body = (values["body"] or "").strip()
    if len(body) < MIN_BODY:
        errors["body"] = [_("Tell other patients a bit more: at least %(min)d characters (you wrote %(num)d).",
                            min=MIN_BODY, num=len(body))]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("Keep the review under %(max)d characters (you wrote %(num)d).", max=MAX_BODY,
                            num=len(body))]
    values["body"] = body
    values["photo_consent"] = bool(values["photo_consent"])
    if errors:
        raise Invalid(fields=errors)
    return values


def _treatment(slug, errors: dict) -> Treatment | None:
    treatment_id = reference.treatment_id(slug) if isinstance(slug, str) and slug else None
    if treatment_id is None:
        errors["treatment"] = [_("Choose the treatment you had from the list.")]
        return None
    return db.session.get(Treatment, treatment_id)


def _month(value, errors: dict) -> date | None:
    if not isinstance(value, date):
        errors["treated_on"] = [_("Give the month you had the treatment.")]
        return None
    month = date(value.year, value.month, 1)
    if month > clock.now().date():
        errors["treated_on"] = [_("The month you had the treatment cannot be in the future.")]
    elif month < EARLIEST:
        errors["treated_on"] = [_("Give a month from %(year)s on.", year=EARLIEST.year)]
    return month


def _cost(values: dict, errors: dict) -> None:
    amount, currency = values["cost_amount"], values["cost_currency"] or None
    if amount is None:
        values["cost_currency"] = None
        return
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_COST:
        errors["cost_amount"] = [_("Give what you paid as a whole number from 1 to %(max)s.", max=fnumber(MAX_COST))]
    if currency not in CURRENCIES:
        errors["cost_currency"] = [_("Choose the currency you paid in.")]
    values["cost_currency"] = currency


def _check_photos(uploads: Sequence[PhotoUpload], kept: int, consent: bool) -> list[photos.CleanPhoto]:
    """Cleaned photos (EXIF and GPS gone) or Invalid under "photos" / "photo_consent"."""
    if not uploads:
        return []
    if kept + len(uploads) > MAX_PHOTOS:
        raise Invalid(fields=dict(photos=[_("Add at most %(num)d photos to a review.", num=MAX_PHOTOS)]))
    if not consent:
        raise Invalid(fields=dict(photo_consent=[_("Tick the box to agree that your photos are shown publicly, "
                                                  "or remove the photos.")]))
    for upload in uploads:
        alt = (upload.alt or "").strip()
        if not alt or len(alt) > MAX_ALT:
            raise Invalid(fields=dict(photos=[_("Describe each photo in a few words (at most %(num)d characters) "
                                               "for people who cannot see it.", num=MAX_ALT)]))
    return photos.clean_photos([(u.raw, u.filename) for u in uploads])


def _store_photos(review: Review, uploads: Sequence[PhotoUpload], cleaned: list) -> list[str]:
    names = []
    start = max((p.position for p in review.photos), default=-1) + 1
    for offset, (upload, clean) in enumerate(zip(uploads, cleaned)):
        name = photos.store(clean)
        names.append(name)
        review.photos.append(ReviewPhoto(stored_name=name, content_type=clean.content_type,
                                         alt=upload.alt.strip(), position=start + offset))
    return names


def _commit(review: Review, written: list[str], *, tell_doctor: bool = False) -> None:
    """Index and commit, or roll back and remove the photo files just written (nothing partial is kept)."""
    try:
        with photos.removed_on_failure(written):
            db.session.flush()
            search_index.index_review(review)
            if tell_doctor:
                _tell_doctor(review)
            db.session.commit()
    except IntegrityError:
        raise Invalid(fields=dict(treatment=[
            _("You already reviewed this doctor for this treatment; edit that review instead.")])) from None


# ---- writing ----

def create_review(actor: User, profile_id: int, data: dict, photo_uploads: Sequence[PhotoUpload] = (), *,
                  notify: bool = True) -> Review:
    """A member's review of a doctor for one treatment; waits for a moderator when the account is new.
    The doctor is told of it once published (`notify=False`: the demo seed's history)."""
    profile = _profile(profile_id)
    require(actor, "review.create", profile, hide=profile.status.value != "verified")
    values = _clean(data)
    treatment = values.pop("treatment")
    if db.session.scalar(select(Review.id).where(Review.author_id == actor.id, Review.doctor_id == profile.user_id,
                                                 Review.treatment_id == treatment.id)):
        raise Invalid(fields=dict(treatment=[
            _("You already reviewed this doctor for this treatment; edit that review instead.")]))
    cleaned = _check_photos(photo_uploads, 0, values["photo_consent"])
    pending = moderation_trust.is_new_account(actor)
    review = Review(author_id=actor.id, doctor_id=profile.user_id, treatment_id=treatment.id, **values,
                    status=ReviewStatus.PENDING if pending else ReviewStatus.PUBLISHED,
                    published_at=None if pending else clock.now(),
                    verified=had_completed_consultation(actor.id, profile.user_id))
    review.treatment = treatment
    review.doctor = profile.user
    db.session.add(review)
    _commit(review, _store_photos(review, photo_uploads, cleaned), tell_doctor=notify and not pending)
    return review


def edit_review(actor: User, review_id: int, data: dict, add_photos: Sequence[PhotoUpload] = (),
                remove_photo_ids: Sequence[str] = ()) -> Review:
    """The author changes their review (a hidden one stays hidden); photos may be added or removed."""
    review = _get(review_id)
    require(actor, "review.edit", review, hide=True)
    values = _clean(data)
    treatment = values.pop("treatment")
    removed = [p for p in review.photos if p.id in set(remove_photo_ids)]
    kept = len(review.photos) - len(removed)
    if kept and not values["photo_consent"]:
        raise Invalid(fields=dict(photo_consent=[_("Tick the box to agree that your photos are shown publicly, "
                                                  "or remove the photos.")]))
    cleaned = _check_photos(add_photos, kept, values["photo_consent"])
    for key, value in values.items():
        setattr(review, key, value)
    review.treatment, review.treatment_id = treatment, treatment.id
    review.edited_at = clock.now()
    gone = [p.stored_name for p in removed]
    for photo in removed:
        review.photos.remove(photo)
    _commit(review, _store_photos(review, add_photos, cleaned))
    for name in gone:
        photos.remove(name)
    return review


def delete_review(actor: User, review_id: int) -> None:
    """The author removes their review and its photo files (moderators hide one instead: logged)."""
    review = _get(review_id)
    require(actor, "review.delete", review, hide=True)
    names = [p.stored_name for p in review.photos]
    search_index.drop_review(review.id)
    db.session.delete(review)
    db.session.commit()
    for name in names:
        photos.remove(name)


def reply_to_review(actor: User, review_id: int, body: str, *, notify: bool = True) -> Review:
    """The reviewed doctor's one public reply; calling again replaces it. The author is told of
    the first (`notify=False`: the demo seed's history)."""
    review = _get(review_id)
    require(actor, "review.reply", review, hide=not review.is_published)
    body = (body or "").strip()
    if not 2 <= len(body) <= MAX_REPLY:
        raise Invalid(fields=dict(body=[_("Write a reply of 2 to %(max)d characters.", max=MAX_REPLY)]))
    if notify and review.reply_body is None:
        notifications.notify(review.author, "review_reply",
                             _l("%(name)s replied to your review.", name=actor.display_name),
                             link=_review_link(review))
    review.reply_body, review.reply_at = body, clock.now()
    db.session.commit()
    return review


def _get(review_id) -> Review:
    review = db.session.get(Review, review_id) if is_valid_id(review_id) else None
    if review is None:
        raise NotFound()
    return review


def _review_link(review: Review) -> str:
    profile = review.doctor.doctor_profile
    return f"/doctors/{profile.id}#review-{review.id}" if profile else "/notifications"


def _tell_doctor(review: Review) -> None:
    """The doctor hears of a newly published review. Runs in the caller's transaction."""
    notifications.notify(review.doctor, "review_posted",
                         _l("A patient reviewed you for %(treatment)s (%(rating)d of 5).",
                            treatment=review.treatment.name, rating=review.rating),
                         link=_review_link(review))


# ---- moderation and the verified flag ----

def set_status(review: Review, action: str, reason: str) -> str:
    """A moderator's hide, unhide or approve (services/moderation_content.py logs it and tells the
    author); returns what to tell them. Runs in the caller's transaction."""
    if action == "hide":
        review.status, review.hidden_reason = ReviewStatus.HIDDEN, reason[:500]
    elif action == "approve" and review.status != ReviewStatus.PENDING:
        raise Invalid(fields=dict(action=[_("Only a review waiting for approval can be approved.")]))
    else:
        if review.published_at is None:  # its first publication: the doctor hears of it once
            review.published_at = clock.now()
            _tell_doctor(review)
        review.status, review.hidden_reason = ReviewStatus.PUBLISHED, None
    search_index.index_review(review)
    return {"hide": "hid your review", "unhide": "made your review visible again",
            "approve": "approved your review"}[action]


def refresh_verified(requester_id: int, doctor_user_id: int) -> None:
    """A consultation between the two reached "completed": their reviews say "verified patient".
    Runs in the caller's transaction."""
    db.session.execute(update(Review).where(Review.author_id == requester_id, Review.doctor_id == doctor_user_id)
                       .values(verified=had_completed_consultation(requester_id, doctor_user_id)))


def erase_reviews_of(user: User) -> list[str]:
    """Account deletion: the user's reviews, and reviews of them when they are a doctor, are
    deleted; returns the photo files to remove once the deletion is committed."""
    reviews = list(db.session.scalars(select(Review).where(
        (Review.author_id == user.id) | (Review.doctor_id == user.id))))
    names = [p.stored_name for review in reviews for p in review.photos]
    for review in reviews:
        search_index.drop_review(review.id)
        db.session.delete(review)
    return names
