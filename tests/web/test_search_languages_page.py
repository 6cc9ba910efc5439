"""The search page and API by language (#16): a language select (every language by default), the
`language` filter on both, a 422 for an unknown one, and the page in Spanish."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.services import questions, search_index
from forum.services.seed import load_seed
from tests.factories import make_user


@pytest.fixture
def asker(app):
    load_seed(app.config["SEED_PATH"])
    return make_user()


def ask(asker, title: str, language: str = "en"):
    question = questions.ask_question(asker, title=title, body="Details of what I tried and for how long.",
                                      topics=["acne"], treatments=[]).question
    question.language = language
    search_index.index_question(question)
    db.session.commit()
    return question


def test_the_page_has_a_language_select_defaulting_to_every_language(client, asker):
    html = client.get("/search?q=laser").get_data(as_text=True)
    select = html.split('name="language"')[1].split("</select>")[0]
    assert '<option value="">All languages</option>' in select
    assert '<option value="es" lang="es">Español</option>' in select and "selected" not in select
    chosen = client.get("/search?q=laser&language=es").get_data(as_text=True)
    assert '<option value="es" lang="es" selected>' in chosen


def test_the_language_filter_on_the_page_and_the_api(client, asker):
    english = ask(asker, "Laser hair removal on dark skin")
    spanish = ask(asker, "Depilación láser en piel oscura", language="es")
    page = client.get("/search?q=laser&language=es&kind=question").get_data(as_text=True)
    assert f"/questions/{spanish.id}" in page and f"/questions/{english.id}" not in page
    items = client.get("/api/v1/search?q=laser&language=en&kind=question").get_json()["items"]
    assert [i["question_id"] for i in items] == [english.id]
    items = client.get("/api/v1/search?q=depilacion&kind=question").get_json()["items"]
    assert [i["question_id"] for i in items] == [spanish.id]


@pytest.mark.parametrize("path", ["/search?q=laser&language=fr", "/api/v1/search?q=laser&language=xx"])
def test_an_unknown_language_is_a_422(client, asker, path):
    response = client.get(path)
    assert response.status_code == 422 and "language" in response.get_data(as_text=True)


def test_the_page_in_spanish(client, asker):
    ask(asker, "Depilación láser en piel oscura", language="es")
    html = client.get("/search?q=depilaciones", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Todos los idiomas" in html and "1 resultado" in html and "Pregunta" in html
    empty = client.get("/search", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Temas populares" in empty
