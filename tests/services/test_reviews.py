"""Reviews of doctors, in the service layer: who may write one, what a valid review is, the
"verified patient" rule, the new-account queue, replies, moderation and the rating summary."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import (
    ConsultationStatus, ModerationLog, Review, ReviewPhoto, ReviewStatus, SearchDocument,
)
from forum.services import consultations, moderation_content, photos, review_queries, reviews
from tests.factories import (
    make_doctor, make_moderator, make_reviewer, make_treatment, make_user, review_data,
)
from tests.services.test_consultations import jpeg_with_exif, make_request, set_status



@pytest.fixture
def world(app):
    class World:
        treatment = make_treatment()
        doctor = make_doctor()
        member = make_reviewer()
    World.profile_id = World.doctor.doctor_profile.id
    return World


def write(world, author=None, photos=(), **overrides) -> Review:
    return reviews.create_review(author or world.member, world.profile_id, review_data(**overrides), photos)


def photo(alt="Cheek two weeks after the peel") -> photos.PhotoUpload:
    return photos.PhotoUpload(jpeg_with_exif(), "cheek.jpg", alt)


def test_a_member_reviews_a_doctor_and_it_is_published_and_searchable(world):
    review = write(world)
    assert review.status == ReviewStatus.PUBLISHED and review.published_at is not None
    assert review.treated_on == date(2026, 3, 1) and review.cost_amount == 350 and review.cost_currency == "USD"
    assert not review.verified
    indexed = db.session.scalar(select(SearchDocument).where(SearchDocument.kind == "review"))
    assert indexed is not None and "redness faded" in indexed.body


def test_the_month_is_kept_not_the_day(world):
    assert write(world, treated_on=date(2025, 11, 23)).treated_on == date(2025, 11, 1)


@pytest.mark.parametrize("field, value", [
    ("rating", 0), ("rating", 6), ("rating", None), ("worth_it", "maybe"), ("treatment", "no-such-thing"),
    ("treated_on", None), ("body", "Too short to help anyone."), ("body", "x" * 5001),
    ("cost_amount", 0), ("cost_amount", 2_000_000),
])
def test_bad_fields_are_refused_by_name_and_nothing_is_stored(world, field, value):
    with pytest.raises(Invalid) as refused:
        write(world, **{field: value})
    assert field in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_a_future_month_and_an_amount_without_currency_are_refused(world):
    next_month = clock.now().date() + timedelta(days=40)
    with pytest.raises(Invalid) as refused:
        write(world, treated_on=next_month, cost_currency=None)
    assert set(refused.value.fields) == {"treated_on", "cost_currency"}


def test_the_cost_is_optional(world):
    review = write(world, cost_amount=None, cost_currency="EUR")
    assert review.cost_amount is None and review.cost_currency is None


def test_one_review_per_member_doctor_and_treatment(world):
    write(world)
    with pytest.raises(Invalid) as refused:
        write(world, rating=1)
    assert "already reviewed" in refused.value.fields["treatment"][0]
    make_treatment("microneedling", "Microneedling")
    assert write(world, treatment="microneedling").id  # another treatment is another review


def test_doctors_cannot_review_themselves_and_staff_do_not_review(world):
    with pytest.raises(Forbidden):
        write(world, author=world.doctor)
    with pytest.raises(Forbidden):
        write(world, author=make_moderator())


def test_an_unverified_doctor_cannot_be_reviewed(world):
    from forum.models import VerificationStatus
    pending = make_doctor(status=VerificationStatus.PENDING)
    with pytest.raises(NotFound):
        reviews.create_review(world.member, pending.doctor_profile.id, review_data(), ())


def test_verified_patient_only_after_a_completed_consultation(world):
    consultation = make_request(world.member, world.doctor)
    set_status(consultation, ConsultationStatus.SCHEDULED)
    review = write(world)
    assert not review.verified  # scheduled is not completed
    consultations.transition(world.doctor, consultation_id=consultation.id, action="complete")
    db.session.refresh(review)
    assert review.verified  # the completion marks the existing review
    make_treatment("microneedling", "Microneedling")
    assert write(world, treatment="microneedling").verified  # and new ones


def test_a_consultation_with_another_doctor_does_not_verify(world):
    other = make_doctor()
    set_status(make_request(world.member, other), ConsultationStatus.COMPLETED)
    assert not write(world).verified


def test_reviews_from_new_accounts_wait_for_a_moderator(world):
    newcomer = make_user()  # created now
    review = write(world, author=newcomer)
    assert review.status == ReviewStatus.PENDING
    assert review_queries.doctor_reviews(None, world.profile_id).total == 0
    assert not db.session.scalar(select(SearchDocument).where(SearchDocument.kind == "review"))
    moderator = make_moderator()
    assert [r.id for r in review_queries.pending_reviews(moderator)] == [review.id]
    with pytest.raises(NotFound):
        review_queries.get_review(make_reviewer(), review.id)  # not public yet
    assert review_queries.get_review(newcomer, review.id) is review  # the author sees it
    moderation_content.moderate_content(moderator, target_type="review", target_id=review.id, action="approve",
                                        reason="Reads as a real experience")
    assert review.status == ReviewStatus.PUBLISHED
    assert review_queries.doctor_reviews(None, world.profile_id).total == 1


def test_moderators_hide_a_review_with_a_logged_reason(world):
    review = write(world)
    moderator = make_moderator()
    moderation_content.moderate_content(moderator, target_type="review", target_id=review.id, action="hide",
                                        reason="Names another patient")
    assert review.status == ReviewStatus.HIDDEN and review.hidden_reason == "Names another patient"
    entry = db.session.scalar(select(ModerationLog).where(ModerationLog.action == "review.hide"))
    assert entry.reason == "Names another patient" and entry.actor_id == moderator.id
    assert review_queries.doctor_rating(world.profile_id).count == 0
    with pytest.raises(NotFound):
        review_queries.get_review(None, review.id)
    edited = reviews.edit_review(world.member, review.id, review_data(rating=2))
    assert edited.status == ReviewStatus.HIDDEN  # editing does not bring it back


def test_anyone_signed_in_can_flag_a_review_once(world):
    review = write(world)
    reporter = make_reviewer()
    flag = moderation_content.flag_content(reporter, target_type="review", target_id=review.id, reason="spam")
    assert flag.target_id == str(review.id)
    with pytest.raises(Exception, match="already flagged"):
        moderation_content.flag_content(reporter, target_type="review", target_id=review.id, reason="spam")
    with pytest.raises(Forbidden):  # not your own
        moderation_content.flag_content(world.member, target_type="review", target_id=review.id, reason="spam")


def test_only_the_author_edits(world):
    review = write(world)
    with pytest.raises(NotFound):
        reviews.edit_review(make_reviewer(), review.id, review_data(rating=1))
    edited = reviews.edit_review(world.member, review.id, review_data(rating=5, worth_it="no"))
    assert (edited.rating, edited.worth_it, edited.edited_at is not None) == (5, "no", True)


def test_the_doctor_replies_once_and_may_change_the_reply(world):
    review = write(world)
    with pytest.raises(Forbidden):
        reviews.reply_to_review(make_doctor(), review.id, "Not my patient.")
    reviews.reply_to_review(world.doctor, review.id, "Thank you for the kind words.")
    reviews.reply_to_review(world.doctor, review.id, "Thank you, and see you at the check-up.")
    assert review.reply_body == "Thank you, and see you at the check-up."
    with pytest.raises(Invalid):
        reviews.reply_to_review(world.doctor, review.id, " ")


def test_photos_need_consent_and_alt_text_at_most_four_and_lose_their_exif(world, tmp_path):
    with pytest.raises(Invalid) as refused:
        write(world, photos=[photo()])
    assert "photo_consent" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        write(world, photos=[photo(alt=" ")], photo_consent=True)
    assert "photos" in refused.value.fields
    with pytest.raises(Invalid):
        write(world, photos=[photo()] * 5, photo_consent=True)
    assert db.session.scalar(select(func.count()).select_from(ReviewPhoto)) == 0
    assert not list((tmp_path / "photos").glob("*")) if (tmp_path / "photos").exists() else True
    review = write(world, photos=[photo()], photo_consent=True)
    data, content_type, public = review_queries.review_photo_file(None, review.photos[0].id,
                                                                  review.photos[0].stored_name)
    assert content_type == "image/jpeg" and public
    assert b"Examplecam" not in data and b"Quixotryl" not in data


def test_pending_review_photos_are_private_and_deleting_removes_the_files(world, tmp_path):
    newcomer = make_user()
    review = write(world, author=newcomer, photos=[photo()], photo_consent=True)
    stored = review.photos[0]
    with pytest.raises(NotFound):
        review_queries.review_photo_file(None, stored.id, stored.stored_name)
    assert review_queries.review_photo_file(newcomer, stored.id, stored.stored_name)[2] is False
    reviews.delete_review(newcomer, review.id)
    assert not (tmp_path / "photos" / stored.stored_name).exists()


def test_the_rating_summary_counts_published_reviews(world):
    for n, (rating, worth) in enumerate([(5, "yes"), (4, "yes"), (2, "no"), (3, "not_sure")]):
        write(world, author=make_reviewer(), rating=rating, worth_it=worth)
    write(world, author=make_user(), rating=1, worth_it="no")  # pending: not counted
    summary = review_queries.doctor_rating(world.profile_id)
    assert (summary.count, summary.average, summary.worth_it_share) == (4, 3.5, 0.5)


def test_reviews_page_newest_first(world):
    written = [write(world, author=make_reviewer()) for _ in range(3)]
    page = review_queries.doctor_reviews(None, world.profile_id, per_page=2)
    assert [r.id for r in page.items] == [written[2].id, written[1].id] and page.has_next
    assert [r.id for r in review_queries.doctor_reviews(None, world.profile_id, page=2, per_page=2).items] \
        == [written[0].id]
    with pytest.raises(NotFound):
        review_queries.doctor_reviews(None, world.profile_id, page=3, per_page=2)


def test_the_doctor_hears_of_a_published_review_and_the_author_of_the_first_reply(world):
    from forum.models import Notification

    def notes(user):
        return [n.message for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))]
    review = write(world)
    assert notes(world.doctor) == ["A patient reviewed you for Chemical peel (4 of 5)."]
    held = write(world, author=make_user(), rating=2)
    assert len(notes(world.doctor)) == 1  # not while it waits for a moderator
    moderation_content.moderate_content(make_moderator(), target_type="review", target_id=held.id,
                                        action="approve", reason="Fine")
    assert len(notes(world.doctor)) == 2
    reviews.reply_to_review(world.doctor, review.id, "Thank you.")
    reviews.reply_to_review(world.doctor, review.id, "Thank you, truly.")
    assert notes(world.member) == [f"{world.doctor.display_name} replied to your review."]
