"""Medical review with the doctor's sign-off (issue 15, item 6): a moderator assigns a verified doctor,
only that doctor confirms or declines, the byline appears only once confirmed, and the daily job
reminds the doctor once per due period."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from forum.errors import Conflict, Forbidden, Invalid
from forum.extensions import db
from forum.jobs import scheduler, tasks
from forum.models import (
    Article, ArticleStatus, MedicalReview, MedicalReviewStatus, ModerationLog, Notification, VerificationStatus,
)
from forum.services import medical_reviews
from tests.factories import make_doctor, make_moderator, make_user

START = datetime(2026, 3, 2, 9, 0)
FAR = date(2031, 1, 1)  # licences that outlast every clock move below


@pytest.fixture
def fixed_clock(frozen_clock):
    frozen_clock.current = START
    return frozen_clock


@pytest.fixture
def world(app, fixed_clock):
    article = Article(slug="about-pores", title="About pores", summary="What pores are.", body="Pores are fine.",
                      author_name="Editorial team", status=ArticleStatus.PUBLISHED, published_on=START.date())
    db.session.add(article)
    db.session.commit()
    doctor = make_doctor(full_name="Dr. Rhea Reviewer", license_expires_on=FAR)
    return {"article": article, "doctor": doctor, "moderator": make_moderator(),
            "other": make_doctor(full_name="Dr. Otto Other", license_expires_on=FAR)}


def notes(user, kind="medical_review") -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind)))


def assign(world, doctor=None) -> MedicalReview:
    doctor = doctor or world["doctor"]
    return medical_reviews.assign_reviewer(world["moderator"], slug="about-pores",
                                           reviewer_id=doctor.doctor_profile.id)


def test_the_assigned_doctor_is_told_and_nothing_shows_before_they_confirm(world):
    review = assign(world)
    assert review.status is MedicalReviewStatus.PENDING
    assert world["article"].reviewer is None and world["article"].reviewed_on is None
    [note] = notes(world["doctor"])
    assert "About pores" in note.message and note.link == "/doctor/dashboard#medical-reviews"
    assert [r.id for r in medical_reviews.pending_for(world["doctor"])] == [review.id]
    assert medical_reviews.pending_for(world["other"]) == []
    assert db.session.scalar(select(ModerationLog.action)) == "article.review_assign"


def test_confirming_puts_the_doctor_and_the_date_on_the_post(world, fixed_clock):
    review = assign(world)
    fixed_clock.advance(days=3)
    medical_reviews.confirm(world["doctor"], review.id)
    article = db.session.get(Article, world["article"].id)
    assert article.reviewer.full_name == "Dr. Rhea Reviewer" and article.reviewed_on == date(2026, 3, 5)
    assert review.status is MedicalReviewStatus.CONFIRMED and medical_reviews.pending_for(world["doctor"]) == []
    with pytest.raises(Conflict):
        medical_reviews.confirm(world["doctor"], review.id)


@pytest.mark.parametrize("who", ["other", "moderator", "member", "pending doctor"])
def test_only_the_assigned_doctor_confirms_or_declines(world, who):
    review = assign(world)
    someone = {"other": world["other"], "moderator": world["moderator"], "member": make_user(),
               "pending doctor": make_doctor(status=VerificationStatus.PENDING)}[who]
    for act in (lambda: medical_reviews.confirm(someone, review.id),
                lambda: medical_reviews.decline(someone, review.id, note="Not me.")):
        with pytest.raises(Forbidden):
            act()
    db.session.rollback()
    assert db.session.get(MedicalReview, review.id).status is MedicalReviewStatus.PENDING
    assert db.session.get(Article, world["article"].id).reviewer is None


def test_declining_tells_the_moderator_and_leaves_the_post_unassigned(world):
    review = assign(world)
    medical_reviews.decline(world["doctor"], review.id, note="Outside my specialty.")
    assert review.status is MedicalReviewStatus.DECLINED and review.note == "Outside my specialty."
    assert db.session.get(Article, world["article"].id).reviewer is None
    [told] = notes(world["moderator"])
    assert "Dr. Rhea Reviewer declined" in told.message and told.link == "/mod/review-due"
    assert medical_reviews.open_assignments([world["article"].id])[world["article"].id].id == review.id
    with pytest.raises(Conflict):
        medical_reviews.confirm(world["doctor"], review.id)


def test_assigning_someone_else_withdraws_the_unanswered_request(world):
    first = assign(world)
    with pytest.raises(Conflict):
        assign(world)  # the same doctor twice
    second = assign(world, world["other"])
    assert db.session.get(MedicalReview, first.id).status is MedicalReviewStatus.WITHDRAWN
    assert "no longer needed" in notes(world["doctor"])[-1].message
    with pytest.raises(Conflict):
        medical_reviews.confirm(world["doctor"], first.id)
    medical_reviews.confirm(world["other"], second.id)
    assert db.session.get(Article, world["article"].id).reviewer.full_name == "Dr. Otto Other"


def test_only_a_verified_doctor_can_be_assigned(world):
    pending = make_doctor(status=VerificationStatus.PENDING)
    with pytest.raises(Invalid) as refused:
        assign(world, pending)
    assert "reviewer_id" in refused.value.fields
    with pytest.raises(Forbidden):
        medical_reviews.assign_reviewer(world["other"], slug="about-pores",
                                        reviewer_id=world["doctor"].doctor_profile.id)
    assert db.session.scalar(select(MedicalReview)) is None


def test_an_unanswered_request_is_reminded_once(world, fixed_clock):
    assign(world)
    assert tasks.remind_due_reviews() == 0
    fixed_clock.advance(days=medical_reviews.PENDING_REMIND_DAYS)
    assert tasks.remind_due_reviews() == 1
    assert len(notes(world["doctor"])) == 2 and "Reminder" in notes(world["doctor"])[-1].message
    fixed_clock.advance(days=30)
    assert tasks.remind_due_reviews() == 0 and len(notes(world["doctor"])) == 2


def test_a_review_falls_due_after_twelve_months_and_the_doctor_is_asked_once(world, fixed_clock):
    medical_reviews.confirm(world["doctor"], assign(world).id)
    fixed_clock.advance(days=365)
    assert tasks.remind_due_reviews() == 0 and not world["article"].review_due
    fixed_clock.advance(days=1)
    assert world["article"].review_due
    assert tasks.remind_due_reviews() == 1 and tasks.remind_due_reviews() == 0
    [again] = medical_reviews.pending_for(world["doctor"])
    assert "yearly medical review" in notes(world["doctor"])[-1].message
    medical_reviews.confirm(world["doctor"], again.id)  # the new period starts with this sign-off
    assert db.session.get(Article, world["article"].id).reviewed_on == date(2027, 3, 3)
    fixed_clock.advance(days=366)
    assert tasks.remind_due_reviews() == 1


def test_a_due_review_is_not_reasked_when_a_moderator_already_asked_someone(world, fixed_clock):
    medical_reviews.confirm(world["doctor"], assign(world).id)
    fixed_clock.advance(days=370)
    assign(world, world["other"])
    assert tasks.remind_due_reviews() == 0
    assert medical_reviews.pending_for(world["doctor"]) == []


def test_the_reminder_runs_daily_from_the_scheduler_and_as_a_command(app, world, fixed_clock):
    assert ("remind_due_reviews", 86_400) in scheduler.PERIODIC and "remind_due_reviews" in tasks.JOBS
    assign(world)
    fixed_clock.advance(days=medical_reviews.PENDING_REMIND_DAYS)
    assert "1 doctor(s) reminded." in app.test_cli_runner().invoke(args=["remind-reviews"]).output
    assert "0 doctor(s) reminded." in app.test_cli_runner().invoke(args=["remind-reviews"]).output
