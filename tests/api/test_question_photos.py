"""API: photos in public questions (POST/DELETE /api/v1/questions/<id>/photos), shown in every
question as `photos` [{id, url, alt}] with `awaiting_approval`; documented in the OpenAPI file."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from forum.extensions import db
from forum.models import Topic
from forum.services import questions
from tests.api.helpers import error_of
from tests.factories import make_reviewer, make_user
from tests.services.test_consultations import image_bytes, jpeg_with_exif

PATH = "/api/v1/questions/{}/photos"




@pytest.fixture(autouse=True)
def topic(app):
    db.session.add(Topic(slug="rosacea", name="Rosacea", description="Redness of the face."))
    db.session.commit()



def ask(user):
    return questions.ask_question(user, title="Is this redness on my cheeks rosacea or a reaction?",
                                  body="It started a month ago after a new cream and comes and goes.",
                                  topics=["rosacea"], treatments=[]).question


def send(client, headers, question_id, raw=None, **fields):
    form = {"alt": "Red patches on both cheeks", "photo_consent": "true", **fields}
    form = {k: v for k, v in form.items() if v is not None}
    if raw is not False:
        form["photos"] = (io.BytesIO(raw or image_bytes()), "cheek.jpg")
    return client.post(PATH.format(question_id), headers=headers, data=form, content_type="multipart/form-data")


def files(photo_dir) -> list:
    return list(photo_dir.iterdir()) if photo_dir.exists() else []


def test_the_asker_adds_a_photo_cleaned_and_served_publicly(client, bearer, photo_dir):
    asker = make_reviewer()
    question = ask(asker)
    response = send(client, bearer(asker), question.id, jpeg_with_exif("Quixotryl"))
    assert response.status_code == 201
    body = response.get_json()
    [photo] = body["photos"]
    assert set(photo) == {"id", "url", "alt"} and photo["alt"] == "Red patches on both cheeks"
    assert photo["url"] == f"/questions/{question.id}/photos/{photo['id']}"
    assert body["awaiting_approval"] is False
    served = client.get(photo["url"])
    assert served.status_code == 200 and served.headers["Cache-Control"] == "public, max-age=3600"
    assert b"Quixotryl" not in served.data and not Image.open(io.BytesIO(served.data)).getexif().get_ifd(0x8825)
    listed = client.get("/api/v1/questions").get_json()["items"]
    assert [q["photos"] for q in listed] == [[photo]]


def test_a_new_accounts_photo_holds_the_question(client, bearer):
    newcomer = make_user()
    question = ask(newcomer)
    body = send(client, bearer(newcomer), question.id).get_json()
    assert body["awaiting_approval"] is True
    assert client.get(f"/api/v1/questions/{question.id}").status_code == 404
    assert client.get("/api/v1/questions").get_json()["items"] == []
    assert client.get(body["photos"][0]["url"]).status_code == 404
    mine = client.get(f"/api/v1/questions/{question.id}", headers=bearer(newcomer)).get_json()
    assert mine["awaiting_approval"] is True and len(mine["photos"]) == 1


@pytest.mark.parametrize(("fields", "raw", "field", "message"), [
    ({"alt": None}, None, "alt", "Describe photo 1 in a few words"),
    ({"alt": "x" * 301}, None, "alt", "300 characters or fewer"),
    ({"photo_consent": "false"}, None, "photo_consent", "Tick this box to show your photos publicly"),
    ({}, False, "photos", "Attach a photo"),
    ({}, b"not an image at all", "photos", "not a readable JPEG, PNG or WebP image"),
])
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(client, bearer, photo_dir, fields, raw, field,
                                                                   message):
    asker = make_reviewer()
    question = ask(asker)
    error = error_of(send(client, bearer(asker), question.id, raw, **fields), 422)
    assert message in error["fields"][field][0]
    assert files(photo_dir) == [] and question.photos == []


def test_a_fifth_photo_is_refused(client, bearer, photo_dir):
    asker = make_reviewer()
    question = ask(asker)
    for _ in range(4):
        assert send(client, bearer(asker), question.id).status_code == 201
    error = error_of(send(client, bearer(asker), question.id), 422)
    assert "at most 4 photos" in error["fields"]["photos"][0]
    assert len(files(photo_dir)) == 4


def test_only_the_asker_adds_photos(client, bearer):
    question = ask(make_reviewer())
    error_of(send(client, {}, question.id), 401)
    error_of(send(client, bearer(make_reviewer()), question.id), 403)
    error_of(send(client, bearer(make_reviewer()), 2147483647), 404)


def test_the_asker_removes_a_photo_and_its_file(client, bearer, photo_dir):
    asker = make_reviewer()
    question = ask(asker)
    photo = send(client, bearer(asker), question.id).get_json()["photos"][0]
    error_of(client.delete(f"{PATH.format(question.id)}/{photo['id']}", headers=bearer(make_reviewer())), 403)
    error_of(client.delete(f"{PATH.format(question.id)}/{'0' * 32}", headers=bearer(asker)), 404)
    response = client.delete(f"{PATH.format(question.id)}/{photo['id']}", headers=bearer(asker))
    assert response.status_code == 200 and response.get_json()["photos"] == []
    assert files(photo_dir) == [] and client.get(photo["url"]).status_code == 404


def test_the_openapi_document_describes_the_photo_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    add = spec["paths"]["/api/v1/questions/{question_id}/photos"]["post"]
    form = add["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(form["required"]) == {"photos", "alt", "photo_consent"}
    assert form["properties"]["photos"] == {**form["properties"]["photos"], "type": "string", "format": "binary"}
    assert {"201", "401", "403", "404", "422"} <= set(add["responses"])
    remove = spec["paths"]["/api/v1/questions/{question_id}/photos/{photo_id}"]["delete"]
    assert {"200", "401", "403", "404"} <= set(remove["responses"])
    question = spec["components"]["schemas"]["QuestionOut"]["properties"]
    assert "awaiting_approval" in question and question["photos"]["type"] == "array"
    photo = spec["components"]["schemas"]["QuestionPhotoOut"]["properties"]
    assert set(photo) == {"id", "url", "alt"}
