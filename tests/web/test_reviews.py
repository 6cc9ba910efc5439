"""Reviews of doctors in the browser: writing one (published, or held for a new account), what the
form refuses and says, editing, the doctor's reply, reporting, and what the profile shows."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Flag, Review, ReviewStatus
from forum.services import reviews
from tests.factories import make_doctor, make_reviewer, make_treatment, make_user, review_data
from tests.services.test_consultations import image_bytes
from tests.web.html import field_errors, flashes, text

BODY = "The peel stung for a few minutes, the redness faded in two days and my skin looks smoother."



@pytest.fixture
def world(app):
    class World:
        treatment = make_treatment()
        other_treatment = make_treatment("microneedling", "Microneedling")
        doctor = make_doctor(full_name="Dr. Ada Lovelace")
        member = make_reviewer()
    World.profile = World.doctor.doctor_profile
    World.new_url = f"/doctors/{World.profile.id}/reviews/new"
    World.profile_url = f"/doctors/{World.profile.id}/dr-ada-lovelace"
    return World


def form(**overrides) -> dict:
    data = {"rating": "4", "worth_it": "yes", "treatment": "chemical-peel", "treated_on": "2026-03",
            "cost_amount": "350", "cost_currency": "USD", "city": "Springfield", "body": BODY}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def photo_fields(count: int, consent: bool = True) -> dict:
    fields = {f"photo_{n}": (io.BytesIO(image_bytes()), f"cheek{n}.jpg") for n in range(1, count + 1)}
    fields.update({f"photo_{n}_alt": f"Cheek, photo {n}" for n in range(1, count + 1)})
    if consent:
        fields["photo_consent"] = "1"
    return fields


def write(author, world, treatment="chemical-peel", **overrides) -> Review:
    """A review straight through the service (the form itself is tested below)."""
    return reviews.create_review(author, world.profile.id, review_data(treatment=treatment, **overrides))


def profile_text(browser, world, query="") -> str:
    response = browser.get(world.profile_url + query)
    assert response.status_code == 200
    return text(response)


# ---- writing ----

def test_a_member_writes_a_review_and_it_shows_on_the_profile(browser, world):
    browser.login(world.member)
    page = text(browser.get(world.profile_url))
    assert 'data-testid="write-review"' in page and "No reviews yet." in page
    response = browser.post_form(world.new_url, form(body=BODY + "\nSecond line <b>bold</b>."))
    assert response.status_code == 303 and re.search(r"/doctors/\d+/dr-ada-lovelace#review-\d+$",
                                                     response.headers["Location"])
    page = browser.get(world.profile_url).get_data(as_text=True)
    assert flashes(page) == ["Thank you: your review is published."]
    assert "Second line &lt;b&gt;bold&lt;/b&gt;." in page  # escaped, newline kept (CSS pre-line)
    assert "smoother.\nSecond line" in page
    shown = text(browser.get(world.profile_url))
    assert "Not verified" in shown and "350 USD" in shown and "March 2026" in shown and "Springfield" in shown
    assert "Rated 4 out of 5" in shown and "1 review" in shown and "100% found it worth it" in shown


def test_a_new_account_s_review_waits_for_a_moderator(browser, world):
    newcomer = make_user()
    browser.login(newcomer)
    response = browser.post_form(world.new_url, form(), follow_redirects=True)
    assert "Thanks — your review will appear after a moderator checks it." in flashes(response.get_data(as_text=True))
    assert "Waiting for a moderator" in text(response)
    assert BODY not in profile_text(browser, world)
    assert db.session.scalar(select(Review.status)) == ReviewStatus.PENDING


def test_a_second_review_of_the_same_doctor_and_treatment_is_refused_plainly(browser, world):
    write(world.member, world)
    browser.login(world.member)
    response = browser.post_form(world.new_url, form(city="Shelbyville"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["treatment"] == [
        "You already reviewed this doctor for this treatment; edit that review instead."]
    assert 'value="Shelbyville"' in response.get_data(as_text=True)  # what was typed is kept
    assert browser.post_form(world.new_url, form(treatment="microneedling")).status_code == 303


def test_a_doctor_cannot_review_themselves(browser, world):
    browser.login(world.doctor)
    assert 'data-testid="write-review"' not in profile_text(browser, world)
    assert browser.get(world.new_url).status_code == 403
    assert browser.post_form(world.new_url, form(), token_from="/account").status_code == 403
    assert db.session.scalar(select(Review.id)) is None


def test_visitors_are_asked_to_log_in_to_review(client, world):
    page = text(client.get(world.profile_url))
    assert "Log in to write a review" in page and 'data-testid="write-review"' not in page
    assert client.get(world.new_url).headers["Location"].startswith("/login")


@pytest.mark.parametrize("overrides, field, message", [
    ({"body": "Too short to help."}, "body", "Use between 50 and 5000 characters"),
    ({"body": None}, "body", "Enter some text"),
    ({"rating": "7"}, "rating", "Choose a rating from 1 to 5 stars."),
    ({"rating": None}, "rating", "Enter a rating from 1 to 5 stars"),
    ({"worth_it": "maybe"}, "worth_it", "Choose yes, not sure or no."),
    ({"worth_it": None}, "worth_it", "Choose whether it was worth it"),
    ({"treated_on": "2099-01"}, "treated_on", "The month you had the treatment cannot be in the future."),
    ({"treated_on": "March last year"}, "treated_on", "Enter the month like 2026-03."),
    ({"treated_on": "2025-13"}, "treated_on", "Enter the month like 2026-03."),
    ({"treated_on": None}, "treated_on", "Enter the month you had the treatment"),
    ({"cost_currency": None}, "cost_currency", "Choose the currency you paid in."),
    ({"cost_amount": "lots"}, "cost_amount", "Enter a whole number"),
    ({"treatment": None}, "treatment", "Enter the treatment you had"),
    ({"treatment": "no-such-treatment"}, "treatment", "Choose the treatment you had from the list."),
])
def test_bad_input_is_sent_back_with_a_plain_message_and_what_was_typed(browser, world, overrides, field, message):
    browser.login(world.member)
    response = browser.post_form(world.new_url, form(city="Ogdenville", **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_errors(page)[field]
    assert 'value="Ogdenville"' in page and 'data-testid="error-summary"' in page
    assert db.session.scalar(select(Review.id)) is None


def test_photos_need_the_consent_box(browser, world):
    browser.login(world.member)
    response = browser.post_form(world.new_url, {**form(), **photo_fields(1, consent=False)})
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True))
    assert errors["photo_consent"] == ["Tick the box to agree that your photos are shown publicly, "
                                       "or remove the photos."]
    assert errors["photos"] == ["Your photos were not saved: choose them again."]


def test_at_most_four_photos(browser, world):
    browser.login(world.member)
    response = browser.post_form(world.new_url, {**form(), **photo_fields(5)})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["photos"] == ["Add at most 4 photos to a review."]
    assert db.session.scalar(select(Review.id)) is None


def test_photos_are_shown_blurred_with_a_show_control_and_served_publicly(browser, client, world):
    browser.login(world.member)
    assert browser.post_form(world.new_url, {**form(), **photo_fields(2)}).status_code == 303
    page = client.get(world.profile_url).get_data(as_text=True)
    assert page.count('data-testid="review-photo"') == 2 and page.count('class="secondary show-photo"') == 2
    assert re.search(r'<img class="is-blurred" src="/reviews/photos/[^"]+" alt="Cheek, photo 1"', page)
    assert re.search(r"/static/js/photos\.[0-9a-f]+\.js", page)
    src = re.search(r'<img class="is-blurred" src="(/reviews/photos/[^"]+)"', page).group(1)
    response = client.get(src)
    assert response.status_code == 200 and response.mimetype.startswith("image/")
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_a_pending_review_s_photo_is_private_to_its_author(browser, new_browser, world):
    newcomer = make_user()
    browser.login(newcomer)
    browser.post_form(world.new_url, {**form(), **photo_fields(1)})
    review = db.session.scalar(select(Review))
    photo = review.photos[0]
    url = f"/reviews/photos/{photo.id}/{photo.stored_name}"
    own = browser.get(url)
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
    assert new_browser().get(url).status_code == 404
    assert browser.get(f"/reviews/photos/{photo.id}/not-the-name").status_code == 404


# ---- editing, deleting ----

def test_the_author_edits_their_review_and_nobody_else_can(browser, new_browser, world):
    review = write(world.member, world)
    browser.login(world.member)
    page = browser.get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    assert 'value="2026-03"' in page and "Springfield" in page and 'value="4" checked' in page
    changed = browser.post_form(f"/reviews/{review.id}/edit", form(rating="2", body=BODY + " Update: it faded."))
    assert changed.status_code == 303
    assert "Update: it faded." in profile_text(browser, world) and "Rated 2 out of 5" in profile_text(browser, world)
    other = new_browser()
    other.login(make_reviewer())
    assert 'data-testid="edit-review"' not in profile_text(other, world)
    assert other.get(f"/reviews/{review.id}/edit").status_code == 404
    refused = other.post_form(f"/reviews/{review.id}/edit", form(body=BODY + " Vandalised."), token_from="/account")
    assert refused.status_code == 404
    assert "Vandalised" not in profile_text(other, world)


def test_the_author_deletes_their_review(browser, world):
    review = write(world.member, world)
    browser.login(world.member)
    response = browser.post_form(f"/reviews/{review.id}/delete", {}, token_from=f"/reviews/{review.id}/edit")
    assert response.status_code == 303 and response.headers["Location"] == "/account/reviews"
    assert db.session.get(Review, review.id) is None


# ---- the doctor's reply ----

def test_the_doctor_replies_once_and_may_edit_the_reply(browser, world):
    review = write(world.member, world)
    browser.login(world.doctor)
    page = profile_text(browser, world)
    assert "Reply publicly" in page
    browser.post_form(f"/reviews/{review.id}/reply", {"body": "Thank you for the kind words."}, token_from="/account")
    browser.post_form(f"/reviews/{review.id}/reply", {"body": "Thank you; glad the redness settled."},
                      token_from="/account")
    page = profile_text(browser, world)
    assert page.count('data-testid="doctor-reply"') == 1
    assert "glad the redness settled" in page and "Thank you for the kind words." not in page
    assert "Edit your reply" in page
    too_short = browser.post_form(f"/reviews/{review.id}/reply", {"body": "x"}, token_from="/account")
    assert too_short.status_code == 422
    assert field_errors(too_short.get_data(as_text=True))[f"reply-{review.id}"]


def test_only_the_reviewed_doctor_replies(browser, world):
    review = write(world.member, world)
    browser.login(make_reviewer())
    assert "Reply publicly" not in profile_text(browser, world)
    response = browser.post_form(f"/reviews/{review.id}/reply", {"body": "Not my review."}, token_from="/account")
    assert response.status_code == 403


# ---- reporting and moderation ----

def test_a_signed_in_member_reports_a_review(browser, world):
    review = write(world.member, world)
    browser.login(make_reviewer())
    assert 'name="target_type" value="review"' in profile_text(browser, world)
    response = browser.post_form(f"/flags?next=/doctors/{world.profile.id}", {
        "target_type": "review", "target_id": str(review.id), "reason": "spam"}, token_from=world.profile_url,
        follow_redirects=True)
    assert "Thank you. A moderator will review this." in flashes(response.get_data(as_text=True))
    assert db.session.scalar(select(Flag.target_type)).value == "review"


def test_the_author_does_not_see_a_report_form_on_their_own_review(browser, world):
    write(world.member, world)
    browser.login(world.member)
    assert 'name="target_type" value="review"' not in profile_text(browser, world)


def test_the_author_removes_a_photo_and_adds_another(browser, world):
    browser.login(world.member)
    browser.post_form(world.new_url, {**form(), **photo_fields(2)})
    review = db.session.scalar(select(Review))
    gone, kept = review.photos[0].id, review.photos[1].id
    page = browser.get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    assert f'name="remove_photos" value="{gone}"' in page and 'name="photo_2"' in page and 'name="photo_3"' not in page
    data = {**form(), "photo_consent": "1", "remove_photos": gone,
            "photo_1": (io.BytesIO(image_bytes()), "new.jpg"), "photo_1_alt": "Cheek, three months on"}
    assert browser.post_form(f"/reviews/{review.id}/edit", data).status_code == 303
    db.session.expire_all()
    photos = db.session.get(Review, review.id).photos
    assert [p.alt for p in photos] == ["Cheek, photo 2", "Cheek, three months on"] and kept in [p.id for p in photos]


def test_the_account_page_links_to_the_author_s_reviews(browser, world):
    browser.login(world.member)
    assert 'href="/account/reviews"' in browser.get("/account").get_data(as_text=True)
    assert "You have not reviewed a doctor yet." in text(browser.get("/account/reviews"))
