"""Reviews on a doctor's profile: the summary numbers, paging, "verified patient", the Physician
JSON-LD's aggregateRating, and the moderators' side (the queue of new accounts' reviews, hiding)."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ConsultationStatus, ModerationLog, Review, ReviewStatus
from forum.services import reviews
from tests.factories import make_doctor, make_moderator, make_reviewer, make_treatment, make_user, review_data
from tests.services.test_consultations import make_request, set_status
from tests.web.html import field_errors, text


@pytest.fixture
def world(app):
    class World:
        treatment = make_treatment()
        doctor = make_doctor(full_name="Dr. Grace Hopper")
    World.profile = World.doctor.doctor_profile
    World.profile_url = f"/doctors/{World.profile.id}/dr-grace-hopper"
    return World


def write(world, author=None, **overrides) -> Review:
    return reviews.create_review(author or make_reviewer(), world.profile.id, review_data(**overrides))


def jsonld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def shown_reviews(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="card review" id="review-(\d+)"', page)]


# ---- the summary ----

def test_the_summary_shows_average_count_and_worth_it_share(client, world):
    write(world, rating=5, worth_it="yes")
    write(world, rating=4, worth_it="yes")
    write(world, rating=2, worth_it="no")
    page = text(client.get(world.profile_url))
    assert re.search(r'data-testid="rating-average">3\.7<', page)
    assert "3 reviews" in page and "67% found it worth it" in page
    assert "3.7 / 5" in page.replace("</strong><span aria-hidden=\"true\">", "")


def test_one_review_is_counted_in_the_singular_and_none_says_so(client, world):
    assert "No reviews yet." in text(client.get(world.profile_url))
    write(world, rating=3, worth_it="not_sure")
    page = text(client.get(world.profile_url))
    assert "1 review<" in page and "0% found it worth it" in page


# ---- the list and its pages ----

def test_reviews_are_listed_newest_first_ten_a_page(client, world):
    made = [write(world).id for _ in range(12)]
    first = client.get(world.profile_url).get_data(as_text=True)
    assert shown_reviews(first) == list(reversed(made))[:10]
    assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(world.profile_url + "?page=2").get_data(as_text=True)
    assert shown_reviews(second) == list(reversed(made))[10:]
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_a_page_past_the_last_is_not_found_and_a_bad_one_is_refused(client, world):
    write(world)
    assert client.get(world.profile_url + "?page=2").status_code == 404
    for bad in ("abc", "0", "-1"):
        response = client.get(world.profile_url + f"?page={bad}")
        assert response.status_code == 422, bad
    assert client.get(world.profile_url + "?page=1").status_code == 200


def test_the_wrong_slug_redirects_and_keeps_the_page(client, world):
    for _ in range(11):
        write(world)
    response = client.get(f"/doctors/{world.profile.id}/old-name?page=2")
    assert response.status_code == 301 and response.headers["Location"].endswith("/dr-grace-hopper?page=2")


# ---- verified patient ----

def test_verified_patient_only_after_a_completed_consultation(client, world):
    patient, stranger, almost = make_reviewer(), make_reviewer(), make_reviewer()
    set_status(make_request(patient, world.doctor), ConsultationStatus.COMPLETED)
    set_status(make_request(almost, world.doctor), ConsultationStatus.SCHEDULED)
    verified = write(world, author=patient)
    others = [write(world, author=stranger), write(world, author=almost)]
    page = client.get(world.profile_url).get_data(as_text=True)
    articles = dict(re.findall(r'id="review-(\d+)"(.*?)</article>', page, re.S))
    assert 'data-testid="verified-patient"' in articles[str(verified.id)]
    assert "had a consultation with this doctor through this site" in articles[str(verified.id)]
    for review in others:
        assert 'data-testid="not-verified"' in articles[str(review.id)]
        assert 'data-testid="verified-patient"' not in articles[str(review.id)]


# ---- JSON-LD ----

def test_physician_json_ld_has_an_aggregate_rating_only_from_three_reviews(client, world):
    write(world, rating=5)
    write(world, rating=4)
    data = jsonld(client.get(world.profile_url).get_data(as_text=True))
    assert data["@type"] == "Physician" and data["name"] == "Dr. Grace Hopper"
    assert data["medicalSpecialty"] == "Dermatology" and data["url"].endswith(world.profile_url)
    assert "aggregateRating" not in data
    write(world, rating=4)
    data = jsonld(client.get(world.profile_url).get_data(as_text=True))
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 4.3, "reviewCount": 3,
                                       "bestRating": 5, "worstRating": 1}


def test_pending_and_hidden_reviews_do_not_count(client, world):
    write(world, author=make_user())  # a new account: pending
    for _ in range(3):
        write(world)
    hidden = db.session.scalar(select(Review).where(Review.status == ReviewStatus.PUBLISHED))
    hidden.status = ReviewStatus.HIDDEN
    db.session.commit()
    page = client.get(world.profile_url).get_data(as_text=True)
    assert "aggregateRating" not in jsonld(page) and "2 reviews" in text(client.get(world.profile_url))


# ---- moderators ----

@pytest.fixture
def moderator(app):
    return make_moderator()


def test_the_queue_lists_new_accounts_reviews_and_approving_publishes(browser, world, moderator):
    review = write(world, author=make_user(), body="A newcomer's review that is long enough to be kept here.")
    browser.login(moderator)
    dashboard = text(browser.get("/mod"))
    assert 'href="/mod/reviews"' in dashboard and "1 review from new accounts is waiting." in dashboard
    queue = text(browser.get("/mod/reviews"))
    assert "A newcomer's review that is long enough" in queue
    response = browser.post_form(f"/mod/content/review/{review.id}/approve?next=/mod/reviews",
                                 {"reason": "Reads as a genuine patient."}, token_from="/mod/reviews")
    assert response.status_code == 303 and response.headers["Location"] == "/mod/reviews"
    assert "No reviews are waiting." in text(browser.get("/mod/reviews"))
    assert "A newcomer's review that is long enough" in text(browser.get(world.profile_url))


def test_hiding_needs_a_reason_shown_on_the_queue(browser, world, moderator):
    review = write(world, author=make_user())
    browser.login(moderator)
    response = browser.post_form(f"/mod/content/review/{review.id}/hide?next=/mod/reviews", {"reason": ""},
                                 token_from="/mod/reviews")
    assert response.status_code == 422 and "Reviews waiting for approval" in text(response)
    assert field_errors(response.get_data(as_text=True))[f"mod-reason-review-{review.id}"] == ["Enter a reason"]
    assert db.session.get(Review, review.id).status == ReviewStatus.PENDING


def test_a_moderator_hides_a_review_with_a_logged_reason_the_author_sees(browser, new_browser, world, moderator):
    author = make_reviewer()
    review = write(world, author=author)
    assert f'id="review-{review.id}"' in browser.get(world.profile_url).get_data(as_text=True)
    browser.login(moderator)
    response = browser.post_form(f"/mod/content/review/{review.id}/hide", {"reason": "Names another patient."},
                                 token_from="/mod/reviews")
    assert response.status_code == 303
    entry = db.session.scalar(select(ModerationLog).where(ModerationLog.target_type == "review"))
    assert entry.action == "review.hide" and entry.reason == "Names another patient."
    assert entry.target_id == str(review.id)
    assert f'id="review-{review.id}"' not in browser.get(world.profile_url).get_data(as_text=True)
    own = new_browser()
    own.login(author)
    mine = text(own.get("/account/reviews"))
    assert "Hidden by a moderator" in mine and "Reason given: Names another patient." in mine
    assert "Names another patient." in text(own.get(f"/reviews/{review.id}/edit"))


def test_the_queue_is_for_staff_only(browser, world):
    browser.login(make_reviewer())
    assert browser.get("/mod/reviews").status_code == 403


def test_the_profile_costs_the_same_queries_for_three_reviews_or_ten(client, world, count_queries, app):
    app.config["PAGE_CACHE_SECONDS"] = 0  # every request renders
    for _ in range(3):
        write(world)
    client.get(world.profile_url)
    with count_queries() as few:
        assert client.get(world.profile_url).status_code == 200
    for _ in range(7):
        write(world)
    with count_queries() as many:
        page = client.get(world.profile_url).get_data(as_text=True)
    assert len(shown_reviews(page)) == 10
    assert many.count == few.count, many.statements[few.count:]


def test_a_flagged_review_is_on_the_flags_page_and_hidden_from_there(browser, world, moderator):
    from forum.services import moderation_content

    review = write(world, body="A review someone reported, long enough to be kept by the service.")
    moderation_content.flag_content(make_reviewer(), target_type="review", target_id=review.id, reason="spam")
    browser.login(moderator)
    page = text(browser.get("/mod/flags"))
    assert f'data-testid="flagged-review-{review.id}"' in page and "Dr. Grace Hopper</a> · Chemical peel" in page
    assert "A review someone reported" in page
    assert f"/mod/content/review/{review.id}/hide" in page
    response = browser.post_form(f"/mod/content/review/{review.id}/hide", {"reason": "Advertising."},
                                 token_from="/mod/flags")
    assert response.status_code == 303
    assert db.session.get(Review, review.id).status == ReviewStatus.HIDDEN
    assert "No open flags." in text(browser.get("/mod/flags"))
