"""Medical sign-off on the site: the moderator's review-due page, the doctor's dashboard with
Confirm and Decline, and the byline on the public post only after confirmation."""
import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Article, ArticleStatus, MedicalReview, MedicalReviewStatus
from forum.services import medical_reviews
from tests.factories import make_doctor, make_moderator

SLUG = "about-pores"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def world(app, frozen_clock):
    frozen_clock.current = datetime(2026, 3, 2, 9, 0)
    db.session.add(Article(slug=SLUG, title="About pores", summary="What pores are.", body="Pores are fine.",
                           author_name="Editorial team", status=ArticleStatus.PUBLISHED, published_on=date(2026, 1, 5)))
    db.session.commit()
    return {"doctor": make_doctor(full_name="Dr. Rhea Reviewer"), "moderator": make_moderator(),
            "other": make_doctor(full_name="Dr. Otto Other")}


def assigned(world) -> MedicalReview:
    return medical_reviews.assign_reviewer(world["moderator"], slug=SLUG,
                                           reviewer_id=world["doctor"].doctor_profile.id)


def test_the_moderator_assigns_and_the_page_waits_for_the_doctor(client, browser, world):
    browser.login(world["moderator"])
    response = browser.post_form(f"/mod/articles/{SLUG}/review", {"reviewer_id": world["doctor"].doctor_profile.id},
                                 token_from="/mod/review-due")
    assert response.status_code == 303 and response.headers["Location"].endswith("/mod/review-due")
    due = text_of(client.get("/mod/review-due"))
    assert "Dr. Rhea Reviewer is asked to review it" in due and "Waiting for Dr. Rhea Reviewer to confirm" in due
    assert "Medically reviewed by" not in text_of(client.get(f"/articles/{SLUG}"))
    again = browser.post_form(f"/mod/articles/{SLUG}/review", {"reviewer_id": world["doctor"].doctor_profile.id},
                              token_from="/mod/review-due")
    assert again.status_code == 409 and "already asked" in text_of(again)


def test_the_doctor_confirms_from_the_dashboard_and_the_byline_appears(client, browser, world):
    review = assigned(world)
    browser.login(world["doctor"])
    dashboard = text_of(client.get("/doctor/dashboard"))
    assert "Medical reviews asked of you" in dashboard and "About pores" in dashboard
    assert "Confirm review" in dashboard and "Decline" in dashboard
    response = browser.post_form(f"/doctor/medical-reviews/{review.id}/confirm", token_from="/doctor/dashboard")
    assert response.status_code == 303
    page = text_of(client.get(f"/articles/{SLUG}"))
    assert "Medically reviewed by" in page and "Dr. Rhea Reviewer" in page and "March 2, 2026" in page
    assert "No medical reviews waiting for you." in text_of(client.get("/doctor/dashboard"))


def test_another_doctor_cannot_confirm_and_a_post_without_csrf_is_refused(client, browser, world):
    review = assigned(world)
    browser.login(world["other"])
    assert browser.post_form(f"/doctor/medical-reviews/{review.id}/confirm",
                             token_from="/doctor/dashboard").status_code == 403
    assert client.post(f"/doctor/medical-reviews/{review.id}/confirm").status_code in (400, 403)
    browser.login(world["doctor"])
    assert client.post(f"/doctor/medical-reviews/{review.id}/confirm").status_code in (400, 403)  # no token
    assert db.session.get(MedicalReview, review.id).status is MedicalReviewStatus.PENDING
    assert "Medically reviewed by" not in text_of(client.get(f"/articles/{SLUG}"))


def test_the_doctor_declines_with_a_note_the_moderators_see(client, browser, world):
    review = assigned(world)
    browser.login(world["doctor"])
    too_long = browser.post_form(f"/doctor/medical-reviews/{review.id}/decline", {"note": "x" * 501},
                                 token_from="/doctor/dashboard")
    assert too_long.status_code == 422 and 'class="field-error"' in too_long.get_data(as_text=True)
    assert "There is a problem" in text_of(too_long)
    assert db.session.get(MedicalReview, review.id).status is MedicalReviewStatus.PENDING
    response = browser.post_form(f"/doctor/medical-reviews/{review.id}/decline", {"note": "Outside my field."},
                                 token_from="/doctor/dashboard")
    assert response.status_code == 303
    browser.login(world["moderator"])
    due = text_of(client.get("/mod/review-due"))
    assert "Dr. Rhea Reviewer declined on March 2, 2026: Outside my field." in due
    assert db.session.scalar(select(Article.reviewer_id).where(Article.slug == SLUG)) is None
