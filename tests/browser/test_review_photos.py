"""A review's photos on a doctor's profile start blurred; "Show photo" shows one in place and
"Blur photo" blurs it again (static/js/photos.js, shared with question photos)."""
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
    photo = page.get_by_test_id("review-photo")
    expect(photo).to_have_class("is-blurred")
    expect(page.get_by_role("img", name="Left cheek a week after")).to_be_visible()
    button = page.get_by_test_id("show-photo")  # hidden without JavaScript; its name changes with the state
    expect(button).to_have_text("Show photo")
    button.click()
    expect(photo).not_to_have_class("is-blurred")
    expect(button).to_have_text("Blur photo")
    button.click()
    expect(photo).to_have_class("is-blurred")
