"""The consultation form with photos (#12, finding 1): one file over the limits refuses the whole
request before any file is decoded, nothing is stored, and requests carrying photos are rate
limited per account, refused ones included."""
from __future__ import annotations

import pytest

from forum.models import ConsultationPhoto, ConsultationRequest
from tests.factories import make_doctor, make_user
from tests.services.test_consultations import image_bytes
from tests.services.test_photo_limits import blank_png, many_scan_jpeg
from tests.web.html import field_errors
from tests.web.test_consultations import FORM, count, form_data, post, stored_files


@pytest.fixture
def app_config(tmp_path):
    return {"PHOTO_DIR": str(tmp_path / "photos"), "RATELIMIT_PHOTOS": "3 per hour"}



@pytest.fixture
def people(app):
    class People:
        requester = make_user(display_name="Requester")
        doctor = make_doctor(full_name="Dr. Chosen One")
    return People


@pytest.mark.parametrize(("bad", "message"), [
    ((blank_png(8000, 5000), "huge.png"), "huge.png has too many pixels (at most 24 megapixels)."),
    ((many_scan_jpeg(), "scans.jpg"), "scans.jpg is a JPEG saved in too many passes; save it again as a standard JPEG."),
], ids=["40-megapixels", "310-scans"])
def test_one_bad_photo_among_good_ones_refuses_the_whole_request(browser, people, photo_dir, bad, message):
    browser.login(people.requester)
    files = [(image_bytes("JPEG", size=(800, 600)), "good1.jpg"), bad, (image_bytes("PNG"), "good2.png")]
    response = post(browser, FORM, form_data(people.doctor, photos=files))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"photos": [message]}
    assert count(ConsultationRequest) == count(ConsultationPhoto) == 0 and stored_files(photo_dir) == []


def test_refused_uploads_count_against_the_photo_limit(browser, people):
    browser.login(people.requester)
    bomb = [(blank_png(8000, 5000), "huge.png")]
    statuses = [post(browser, FORM, form_data(people.doctor, photos=bomb)).status_code for _ in range(3)]
    good = post(browser, FORM, form_data(people.doctor, photos=[(image_bytes(), "good.jpg")]))
    assert statuses == [422, 422, 422] and good.status_code == 429
    assert count(ConsultationRequest) == 0
    without_photos = post(browser, FORM, form_data(people.doctor))  # the limit is on photos only
    assert without_photos.status_code == 303 and count(ConsultationRequest) == 1
