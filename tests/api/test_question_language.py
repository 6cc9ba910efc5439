"""The API's `language` of a question: given (en|es), detected when left out, refused otherwise, shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from forum.extensions import db
from forum.models import Question
from forum.services.seed import load_seed
from tests.api.helpers import error_of
from tests.factories import make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
QUESTION = {"title": "Can micro-botox calm oily skin on my forehead?",
            "body": "My forehead is shiny by noon even with blotting papers. Would micro-botox help?",
            "topics": ["oily-skin"], "treatments": ["micro-botox"]}
PREGUNTA = {**QUESTION, "title": "¿El micro-bótox puede calmar la piel grasa de la frente?",
            "body": "Mi frente brilla al mediodía aunque use papel secante. ¿Me ayudaría el micro-bótox?"}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def test_the_language_given_is_stored_and_shown(client, bearer):
    response = client.post("/api/v1/questions", json={**QUESTION, "language": "es"}, headers=bearer(make_user()))
    assert response.status_code == 201 and response.json["language"] == "es"
    assert db.session.get(Question, response.json["id"]).language == "es"
    assert client.get(f"/api/v1/questions/{response.json['id']}").json["language"] == "es"
    assert client.get("/api/v1/questions").json["items"][0]["language"] == "es"


def test_left_out_the_language_is_detected(client, bearer):
    asker = make_user()
    spanish = client.post("/api/v1/questions", json=PREGUNTA, headers=bearer(asker))
    english = client.post("/api/v1/questions", json=QUESTION, headers=bearer(asker))
    assert (spanish.status_code, english.status_code) == (201, 201)
    assert spanish.json["language"] == "es" and english.json["language"] == "en"


@pytest.mark.parametrize("language", ["fr", "ES", "spanish", "", 1, ["es"]])
def test_any_other_language_is_422_naming_the_field(client, bearer, language):
    response = client.post("/api/v1/questions", json={**QUESTION, "language": language}, headers=bearer(make_user()))
    error = error_of(response, 422, "invalid")
    assert list(error["fields"]) == ["language"]
    assert db.session.query(Question).count() == 0


def test_an_edit_keeps_or_changes_the_language(client, bearer):
    asker = make_user()
    created = client.post("/api/v1/questions", json=PREGUNTA, headers=bearer(asker)).json
    path = f"/api/v1/questions/{created['id']}"
    assert client.put(path, json=PREGUNTA, headers=bearer(asker)).json["language"] == "es"
    assert client.put(path, json={**PREGUNTA, "language": "en"}, headers=bearer(asker)).json["language"] == "en"
    error = error_of(client.put(path, json={**PREGUNTA, "language": "pt"}, headers=bearer(asker)), 422)
    assert list(error["fields"]) == ["language"]


def test_the_openapi_document_lists_the_two_languages(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert schemas["QuestionIn"]["properties"]["language"]["enum"] == ["en", "es"]
    assert "language" in schemas["QuestionOut"]["properties"]
