"""A review's photos on a doctor's profile start blurred; "Show photo" shows one in place and
"Blur photo" blurs it again (static/js/review-photos.js)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.test_journeys_accounts import expect
from tests.factories import make_doctor, make_reviewer, make_treatment, review_data

pytestmark = pytest.mark.browser


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), (215, 170, 150)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_review_photo_is_blurred_until_the_reader_shows_it(new_context, live_server, tmp_path, monkeypatch):
    from forum.services import reviews

    monkeypatch.setitem(live_server.app.config, "PHOTO_DIR", str(tmp_path / "photos"))
    with live_server.app_context():
        make_treatment("photo-peel", "Photo peel")
        doctor = make_doctor(full_name="Dr. Blur Fictional")
        reviews.create_review(make_reviewer(), doctor.doctor_profile.id,
                              review_data(treatment="photo-peel", photo_consent=True),
                              [reviews.PhotoUpload(_jpeg(), "cheek.jpg", "Left cheek a week after")])
        profile_id = doctor.doctor_profile.id
    page = new_context().new_page()
    page.goto(f"/doctors/{profile_id}")
    figure = page.locator("figure[data-review-photo]")
    expect(figure).to_have_class("review-photo is-blurred")
    expect(figure.get_by_role("img", name="Left cheek a week after")).to_be_visible()
    expect(figure.get_by_role("button", name="Show photo")).to_have_attribute("aria-pressed", "false")
    button = figure.locator("button.review-photo-show")  # its name changes with the state
    button.click()
    expect(figure).to_have_class("review-photo")
    expect(button).to_have_text("Blur photo")
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()
    expect(figure).to_have_class("review-photo is-blurred")
