"""Doctor photos: uploaded through the one photo pipeline, shown on cards, profiles and answers,
initials otherwise; replaced and removed by the doctor; served with the right headers."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from forum.extensions import db
from forum.models import VerificationStatus
from forum.services import answers, photos, questions
from forum.services.seed import load_seed
from forum.text import slugify
from tests.conftest import csrf_token
from tests.factories import make_doctor, make_user
from tests.web.html import field_errors, flashes

APPLY = "/doctor/apply"
SEED = Path(__file__).resolve().parents[2] / "seed"




def image_bytes(fmt="JPEG", size=(900, 600), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 120, 100)).save(buffer, fmt, **save)
    return buffer.getvalue()


def upload(browser, raw: bytes, name: str = "me.jpg"):
    fields = MultiDict({"csrf_token": csrf_token(browser.client, APPLY)})
    fields.add("photos", FileStorage(io.BytesIO(raw), filename=name, content_type="image/jpeg"))
    boundary, body = encode_multipart(fields)
    return browser.client.post("/doctor/photo", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def profile_url(profile) -> str:
    return f"/doctors/{profile.id}/{slugify(profile.full_name)}"


def avatar_src(page: str) -> str | None:
    match = re.search(r'<img class="avatar" alt="" [^>]*src="([^"]+)"', page)
    return match.group(1) if match else None


@pytest.fixture
def doctor(browser):
    user = make_doctor(full_name="Dr. Robin Quill")
    browser.login(user)
    return user


def test_a_doctor_uploads_a_photo_shown_small_and_without_metadata(browser, client, doctor, photo_dir):
    exif = Image.Exif()
    exif[0x010F] = "Examplecam"
    response = upload(browser, image_bytes(exif=exif.tobytes()))
    assert response.status_code == 303 and response.headers["Location"].startswith(APPLY)
    assert "photo is saved" in flashes(client.get(APPLY).get_data(as_text=True))[0]
    profile = doctor.doctor_profile
    db.session.refresh(profile)
    served = client.get(avatar_src(client.get(profile_url(profile)).get_data(as_text=True)))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(served.data))
    assert max(image.size) <= 480 and b"Examplecam" not in served.data  # re-encoded by the pipeline
    assert [p.name for p in photo_dir.iterdir()] == [profile.photo_name]
    assert b"Examplecam" not in (photo_dir / profile.photo_name).read_bytes()  # encrypted at rest too
    assert photos.read(profile.photo_name) == served.data


@pytest.mark.parametrize("raw, name, message", [
    (b"<html><script>alert(1)</script></html>", "me.jpg", "me.jpg contains web page code, so it was refused."),
    (b"just some text, not an image", "notes.png", "notes.png is not a readable JPEG, PNG or WebP image."),
    (image_bytes("GIF", size=(20, 20)), "anim.gif", "anim.gif is not a readable JPEG, PNG or WebP image."),
])
def test_a_bad_file_is_refused_with_a_plain_message(browser, doctor, photo_dir, raw, name, message):
    response = upload(browser, raw, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page) == {"photos": [message]}
    assert 'aria-invalid="true"' in page
    db.session.refresh(doctor.doctor_profile)
    assert doctor.doctor_profile.photo_name is None and not list(photo_dir.glob("*"))


def test_no_file_chosen_is_a_plain_message(browser, doctor):
    fields = MultiDict({"csrf_token": csrf_token(browser.client, APPLY)})
    boundary, body = encode_multipart(fields)
    response = browser.client.post("/doctor/photo", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True)) == {
        "photos": ["Choose a photo to upload."]}


def test_without_a_photo_the_doctors_initials_are_shown(client, app):
    profile = make_doctor(full_name="Dr. Ada Lovelace-Byron").doctor_profile
    initials = '<span class="avatar initials" aria-hidden="true">AL</span>'
    assert initials in client.get(profile_url(profile)).get_data(as_text=True)
    directory = client.get("/doctors").get_data(as_text=True)
    card = re.search(r'<article class="card doctor-card".*?</article>', directory, re.S)
    assert initials in card.group(0) and "Dr. Ada Lovelace-Byron" in card.group(0)
    assert "<img class=\"avatar\"" not in card.group(0)


def test_the_photo_is_on_the_card_the_profile_and_next_to_answers(browser, client, doctor, new_browser):
    load_seed(SEED)
    upload(browser, image_bytes())
    profile = doctor.doctor_profile
    db.session.refresh(profile)
    question = questions.ask_question(make_user(), title="Does a laser help large pores on the nose?",
                                      body="My nose pores look large in photos; would a laser help them?",
                                      topics=["enlarged-pores"], treatments=[], anonymous=False).question
    answers.post_answer(doctor, question_id=question.id, body="A fractional laser can tighten the skin around pores.")
    visitor = new_browser()
    src = f"/doctors/{profile.id}/photo/{profile.photo_name}"
    card = re.search(r'<article class="card doctor-card".*?</article>', visitor.get("/doctors").get_data(as_text=True),
                     re.S).group(0)
    assert avatar_src(card) == src and "Dr. Robin Quill" in card and "1 answer" in card and "1 answers" not in card
    assert avatar_src(visitor.get(profile_url(profile)).get_data(as_text=True)) == src
    answer_html = re.search(r'data-testid="answer">.*?</article>',
                            visitor.get(f"/questions/{question.id}/{question.slug}").get_data(as_text=True), re.S)
    assert avatar_src(answer_html.group(0)) == src


def test_the_doctor_replaces_then_removes_the_photo(browser, client, doctor, photo_dir):
    upload(browser, image_bytes())
    profile = doctor.doctor_profile
    db.session.refresh(profile)
    first = profile.photo_name
    upload(browser, image_bytes("PNG", size=(300, 300)), "new.png")
    db.session.refresh(profile)
    assert profile.photo_name != first and profile.photo_type == "image/png"
    assert [p.name for p in photo_dir.iterdir()] == [profile.photo_name]  # the old file is gone
    assert client.get(f"/doctors/{profile.id}/photo/{first}").status_code == 404
    response = browser.post_form("/doctor/photo/remove", {}, token_from=APPLY)
    assert response.status_code == 303
    db.session.refresh(profile)
    assert profile.photo_name is None and list(photo_dir.iterdir()) == []
    assert 'class="avatar initials"' in client.get(profile_url(profile)).get_data(as_text=True)


def test_an_applicants_photo_is_private_and_members_cannot_upload(browser, client, new_browser, photo_dir):
    applicant = make_doctor(status=VerificationStatus.PENDING, full_name="Dr. Sam Pending")
    browser.login(applicant)
    assert 'data-testid="photo-section"' in client.get(APPLY).get_data(as_text=True)
    assert upload(browser, image_bytes()).status_code == 303
    profile = applicant.doctor_profile
    db.session.refresh(profile)
    own = client.get(f"/doctors/{profile.id}/photo/{profile.photo_name}")
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
    assert new_browser().get(f"/doctors/{profile.id}/photo/{profile.photo_name}").status_code == 404
    member = new_browser()
    member.login(make_user())
    assert 'data-testid="photo-section"' not in member.get(APPLY).get_data(as_text=True)
    assert upload(member, image_bytes()).status_code == 403
