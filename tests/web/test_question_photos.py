"""Photos in public questions, as people use them: the ask form's photo slots, descriptions and
consent; the question page's blurred photos with a "Show photo" button; the public, cacheable
photo address; a new account's question waiting for a moderator, who approves it."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from forum.config import ROOT
from forum.extensions import db
from forum.models import Question, QuestionPhoto, Topic
from tests.conftest import csrf_token
from tests.factories import make_moderator, make_reviewer, make_user
from tests.services.test_consultations import image_bytes, jpeg_with_exif
from tests.web.html import field_errors, text

ASK = "/questions/ask"
TITLE = "Is this redness on my cheeks rosacea or a reaction?"
FORM = {"title": TITLE, "body": "It started a month ago after a new cream and comes and goes through the day.",
        "topics": "rosacea"}




@pytest.fixture(autouse=True)
def topic(app):
    db.session.add(Topic(slug="rosacea", name="Rosacea", description="Redness of the face."))
    db.session.commit()



def post(browser, path, fields: dict, files=(), token_from=ASK):
    """A multipart form post as the browser sends it: every file slot, chosen or not."""
    data = MultiDict({"csrf_token": csrf_token(browser.client, token_from)})
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            data.add(key, item)
    for raw, name in files:
        data.add("photos", FileStorage(io.BytesIO(raw), filename=name, content_type="application/octet-stream"))
    boundary, body = encode_multipart(data)
    return browser.client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def ask_with_photo(browser, raw=None, **extra):
    fields = {**FORM, "photo_alt_1": "Red patches on both cheeks", "photo_consent": "1", **extra}
    return post(browser, ASK, fields, [(raw or image_bytes(), "cheek.jpg"), (b"", "")])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored(photo_dir) -> list:
    return list(photo_dir.iterdir()) if photo_dir.exists() else []


def photo_srcs(page: str) -> list[str]:
    return re.findall(r'<img class="is-blurred" src="([^"]+)"', page)


def test_the_ask_form_offers_four_described_photos_with_consent(browser, client):
    browser.login(make_reviewer())
    page = client.get(ASK).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert len(re.findall(r'<input id="photo-\d" name="photos" type="file"', page)) == 4
    for n in range(1, 5):
        assert f'<label for="photo_alt_{n}">Describe photo {n}' in page
    assert '<input type="checkbox" id="photo_consent" name="photo_consent"' in page
    assert "avoid your face" in page and "Location and camera data are removed" in page
    assert 'data-testid="photos-held-hint"' not in page  # an older account is not held


def test_a_new_account_is_told_before_asking_that_photos_wait_for_approval(browser, client):
    browser.login(make_user())
    assert "waits for a moderator's approval" in text(client.get(ASK))


def test_a_question_with_a_photo_shows_it_blurred_with_a_show_photo_button(browser, client, photo_dir):
    browser.login(make_reviewer())
    response = ask_with_photo(browser, jpeg_with_exif("Quixotryl"))
    assert response.status_code == 303
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    [src] = photo_srcs(page)
    assert 'alt="Red patches on both cheeks"' in page
    assert re.search(r'<button type="button" class="secondary show-photo" aria-controls="question-photo-1"[^>]*>'
                     r'Show photo</button>', page)
    assert f'<a href="{src}" data-testid="open-photo">' in page  # works without JavaScript too
    assert "/static/js/photos." in page and " style=" not in page and "<script>" not in page
    served = client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=3600"
    assert b"Quixotryl" not in served.data and b"Examplecam" not in served.data
    assert not Image.open(io.BytesIO(served.data)).getexif().get_ifd(0x8825)  # no GPS
    assert len(stored(photo_dir)) == 1


def test_the_blur_is_css_and_the_button_a_static_script():
    css = (ROOT / "static" / "css" / "site.css").read_text()
    assert re.search(r"\.photo-frame img\.is-blurred \{ filter: blur\(", css)
    script = (ROOT / "static" / "js" / "photos.js").read_text()
    assert 'classList.toggle("is-blurred")' in script and "button.hidden = false" in script


def test_a_photo_without_a_description_is_refused_with_the_text_kept(browser, client, photo_dir):
    browser.login(make_reviewer())
    response = ask_with_photo(browser, photo_alt_1="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page)["photo_alt_1"] == ["Describe photo 1 in a few words for people who cannot see it."]
    assert 'aria-describedby="photo_alt_1-hint photo_alt_1-error"' in page
    assert f'value="{TITLE}"' in page and "choose your photos again" in page
    assert count(Question) == 0 and stored(photo_dir) == []


def test_photos_without_consent_are_refused_and_nothing_is_stored(browser, photo_dir):
    browser.login(make_reviewer())
    response = ask_with_photo(browser, photo_consent="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page)["photo_consent"] == ["Tick this box to show your photos publicly, or remove the photos."]
    assert 'value="Red patches on both cheeks"' in page  # the description is kept
    assert count(Question) == 0 and count(QuestionPhoto) == 0 and stored(photo_dir) == []


def test_a_fifth_photo_is_refused(browser, photo_dir):
    browser.login(make_reviewer())
    fields = {**FORM, "photo_consent": "1", **{f"photo_alt_{n}": f"Photo {n}" for n in range(1, 6)}}
    response = post(browser, ASK, fields, [(image_bytes(), f"{n}.jpg") for n in range(1, 6)])
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["photos"] == ["A question can have at most 4 photos."]
    assert count(Question) == 0 and stored(photo_dir) == []


def test_text_errors_and_photo_errors_are_shown_together(browser):
    browser.login(make_reviewer())
    response = ask_with_photo(browser, title="Short", photo_consent="")
    errors = field_errors(response.get_data(as_text=True))
    assert response.status_code == 422 and {"title", "photo_consent"} <= set(errors)


def test_a_new_accounts_question_waits_for_a_moderator_who_approves_it(app, browser, client, new_browser):
    newcomer = make_user()
    browser.login(newcomer)
    location = ask_with_photo(browser).headers["Location"]
    question = db.session.scalars(select(Question)).one()
    asker_page = client.get(location).get_data(as_text=True)
    assert "Waiting for a moderator's approval" in asker_page
    src = photo_srcs(asker_page)[0]
    assert client.get(src).headers["Cache-Control"] == "private, no-store"

    visitor = app.test_client()
    assert visitor.get(location).status_code == 404 and visitor.get(src).status_code == 404
    assert TITLE not in text(visitor.get("/questions")) and TITLE not in text(visitor.get("/search?q=redness+cheeks"))
    stranger = new_browser()
    stranger.login(make_reviewer())
    assert stranger.get(src).status_code == 404

    moderator = new_browser()
    moderator.login(make_moderator())
    dashboard = moderator.get("/mod").get_data(as_text=True)
    assert "Questions waiting for approval" in dashboard and f'data-testid="held-question-{question.id}"' in dashboard
    approve = f"/mod/content/question/{question.id}/approve?next=/mod"
    response = moderator.post_form(approve, {"reason": "Photos checked: no face."}, token_from="/mod")
    assert response.status_code == 303
    assert TITLE in text(visitor.get("/questions"))
    assert visitor.get(src).headers["Cache-Control"] == "public, max-age=3600"
    assert "Nothing waiting." in moderator.get("/mod").get_data(as_text=True)


def test_an_older_accounts_question_with_photos_is_public_at_once(app, browser, client):
    browser.login(make_reviewer())
    location = ask_with_photo(browser).headers["Location"]
    assert "Waiting for a moderator" not in text(client.get(location))
    assert TITLE in text(app.test_client().get("/questions"))


def test_the_asker_removes_and_adds_photos_on_the_edit_page(browser, client, photo_dir):
    browser.login(make_reviewer())
    ask_with_photo(browser)
    question = db.session.scalars(select(Question)).one()
    edit = f"/questions/{question.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'data-testid="current-photos"' in page and 'alt="Red patches on both cheeks"' in page
    assert len(re.findall(r'name="photos" type="file"', page)) == 3  # four in all
    fields = {**FORM, "remove_photos": question.photos[0].id, "photo_alt_1": "Closer view", "photo_consent": "1"}
    response = post(browser, edit, fields, [(image_bytes(), "closer.png")], token_from=edit)
    assert response.status_code == 303
    db.session.expire_all()
    assert [p.alt for p in db.session.get(Question, question.id).photos] == ["Closer view"]
    assert len(stored(photo_dir)) == 1


def test_a_question_without_photos_loads_no_photo_script(browser, client):
    browser.login(make_reviewer())
    location = browser.post_form(ASK, FORM).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "/static/js/photos." not in page and 'data-testid="question-photos"' not in page
