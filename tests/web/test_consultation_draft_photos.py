"""A photo chosen before log-in survives log-in or registration with the rest of the draft:
cleaned and encrypted at rest like the text, attached when the request is sent, then gone."""
from __future__ import annotations

import logging
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ConsultationDraft, ConsultationDraftPhoto, ConsultationRequest
from forum.services import consultation_drafts, consultations
from forum.services import photos as site_photos
from tests.factories import make_doctor, make_user
from tests.services.test_consultations import image_bytes, jpeg_with_exif
from tests.web.html import field_errors, text
from tests.web.test_consultations import FORM, count, form_data, post, stored_files

PASSWORD = "a perfectly fine passphrase"




@pytest.fixture
def doctor(app):
    return make_doctor(full_name="Dr. Draft Keeper")


def test_a_photo_chosen_before_log_in_is_sent_after_it_and_was_encrypted_meanwhile(browser, client, doctor,
                                                                                   photo_dir, caplog):
    upload = jpeg_with_exif("Quixotryl")
    caplog.set_level(logging.DEBUG, logger="forum")
    response = post(browser, FORM, {**form_data(doctor), "photos": [(upload, "cheek.jpg")]})
    assert response.status_code == 303 and response.headers["Location"] == "/login?next=/consultations/new"
    assert "photo" not in response.headers["Location"]

    kept = db.session.scalars(select(ConsultationDraftPhoto)).one()
    assert kept.data_enc != upload and upload not in kept.data_enc
    assert b"\xff\xd8" not in kept.data_enc and b"Quixotryl" not in kept.data_enc  # no JPEG, no text at rest
    assert stored_files(photo_dir) == []  # nothing in the photo store before a request exists

    member = make_user()
    browser.login(member)
    page = text(client.get(FORM))
    assert "1 photo you chose before logging in is kept" in page

    response = post(browser, FORM, form_data(doctor))  # no new file chosen: the kept one goes
    assert response.status_code == 303
    created = db.session.scalars(select(ConsultationRequest)).one()
    assert len(created.photos) == 1
    sent = site_photos.read(created.photos[0].stored_name)
    assert sent.startswith(b"\xff\xd8") and b"Quixotryl" not in sent  # cleaned: EXIF gone
    assert count(ConsultationDraft) == 0 and count(ConsultationDraftPhoto) == 0  # used once
    assert "Quixotryl" not in caplog.text and "cheek.jpg" not in caplog.text


def test_a_photo_survives_registration_too_and_adds_to_new_ones(browser, client, doctor):
    post(browser, FORM, {**form_data(doctor), "photos": [(image_bytes(), "a.jpg"), (image_bytes("PNG"), "b.png")]})
    assert count(ConsultationDraftPhoto) == 2
    registered = browser.post_form("/register", {"email": "draft.photo@example.test", "display_name": "Newcomer",
                                                 "password": PASSWORD, "confirm_adult": "1"})
    assert registered.status_code == 303
    browser.post_form("/login", {"email": "draft.photo@example.test", "password": PASSWORD})
    assert "2 photos you chose before logging in are kept" in text(client.get(FORM))
    response = post(browser, FORM, {**form_data(doctor), "photos": [(image_bytes(), "c.jpg")]})
    assert response.status_code == 303
    created = db.session.scalars(select(ConsultationRequest)).one()
    assert sorted(p.content_type for p in created.photos) == ["image/jpeg", "image/jpeg", "image/png"]
    assert count(ConsultationDraftPhoto) == 0


def test_kept_photos_count_towards_the_five(browser, client, doctor):
    post(browser, FORM, {**form_data(doctor), "photos": [(image_bytes(), f"{i}.jpg") for i in range(4)]})
    browser.login(make_user())
    two_more = [(image_bytes(), "x.jpg"), (image_bytes(), "y.jpg")]
    response = post(browser, FORM, {**form_data(doctor), "photos": two_more})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["photos"] == [
        "Attach at most 5 photos in all (4 kept from before you logged in)."]
    assert count(ConsultationRequest) == 0 and count(ConsultationDraftPhoto) == 4  # the draft stays for a retry


def test_a_bad_photo_is_refused_before_log_in_with_the_text_kept(browser, doctor):
    response = post(browser, FORM, {**form_data(doctor), "photos": [(b"<html><script>x</script>", "evil.jpg")]})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["photos"]
    assert form_data(doctor)["concern"] in text(response)
    assert count(ConsultationDraft) == 0 and count(ConsultationDraftPhoto) == 0


def test_expired_drafts_take_their_photos_with_them(app, frozen_clock):
    draft_id = consultation_drafts.save_draft({"concern": "x"}, [(image_bytes(), "a.jpg")])
    frozen_clock.advance(hours=2)
    assert consultation_drafts.take_draft_photos(draft_id) == []  # too old to use
    consultation_drafts.save_draft({})  # saving sweeps expired drafts
    assert db.session.get(ConsultationDraft, draft_id) is None and count(ConsultationDraftPhoto) == 0


def test_an_expired_draft_adds_no_photos_to_a_request(app, frozen_clock, doctor):
    draft_id = consultation_drafts.save_draft({}, [(image_bytes(), "a.jpg")])
    frozen_clock.advance(hours=1, minutes=1)
    created = consultations.request_consultation(make_user(), doctor_id=doctor.doctor_profile.id, consent=True,
                                                 draft_id=draft_id, concern="Dry patches",
                                                 description="Dry patches on both cheeks since the autumn.",
                                                 contact_method="in-app messages")
    assert created.photos == [] and count(ConsultationDraftPhoto) == 1  # left for the sweep
