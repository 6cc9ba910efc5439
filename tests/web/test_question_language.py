"""The language of a question on the pages: the ask and edit forms' choice (by default the page's
language), a `lang` mark on the question's content when it differs from the page, and the question
page in Spanish. The Spanish strings come from the compiled catalog (forum/translations)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Question
from forum.services import questions
from forum.services.seed import load_seed
from tests.factories import make_user
from tests.web.html import field_errors, text

SEED = Path(__file__).resolve().parents[2] / "seed"
ES = {"Accept-Language": "es"}
ASK_FORM = {"title": "Can micro-botox calm oily skin on my forehead?",
            "body": "My forehead is shiny by noon even with blotting papers. Would micro-botox help?",
            "topics": ["oily-skin"], "treatments": ["micro-botox"]}
PREGUNTA = {"title": "¿El micro-bótox puede calmar la piel grasa de la frente?",
            "body": "Mi frente brilla al mediodía aunque use papel secante. ¿Me ayudaría el micro-bótox?",
            "topics": ["oily-skin"], "treatments": ["micro-botox"]}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def url(question: Question) -> str:
    return f"/questions/{question.id}/{question.slug}"


def selected_language(page: str) -> str:
    select_html = re.search(r'<select id="language" name="language".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="(\w+)"[^>]*selected', select_html).group(1)


def test_the_ask_form_offers_the_language_defaulting_to_the_page_language(browser, client):
    browser.login(make_user())
    assert selected_language(client.get("/questions/ask").get_data(as_text=True)) == "en"
    page = client.get("/questions/ask", headers=ES).get_data(as_text=True)
    assert selected_language(page) == "es" and "Idioma de su pregunta" in page
    assert '<option value="en" lang="en">English</option>' in page


def test_the_chosen_language_is_stored(browser, client):
    browser.login(make_user())
    response = browser.post_form("/questions/ask", {**ASK_FORM, "language": "es"}, token_from="/questions/ask")
    assert response.status_code == 303
    assert db.session.scalars(select(Question)).one().language == "es"


def test_a_language_we_do_not_serve_is_refused_at_the_field(browser, client):
    browser.login(make_user())
    response = browser.post_form("/questions/ask", {**ASK_FORM, "language": "fr"}, token_from="/questions/ask")
    assert response.status_code == 422 and "language" in field_errors(response.get_data(as_text=True))
    assert db.session.scalars(select(Question)).first() is None


def test_the_edit_form_shows_and_changes_the_language(browser, client):
    asker = make_user()
    question = questions.ask_question(asker, **PREGUNTA).question
    browser.login(asker)
    edit = f"/questions/{question.id}/edit"
    assert selected_language(client.get(edit).get_data(as_text=True)) == "es"
    form = {**PREGUNTA, "language": "en"}
    assert browser.post_form(edit, form, token_from=edit).status_code == 303
    assert db.session.get(Question, question.id).language == "en"


def test_a_question_in_another_language_than_the_page_is_marked(browser, client):
    browser.login(make_user())  # signed in: each language's page is rendered afresh
    spanish = questions.ask_question(make_user(), **PREGUNTA).question
    english = questions.ask_question(make_user(), **ASK_FORM).question
    on_english_page = client.get(url(spanish)).get_data(as_text=True)
    assert '<div class="body" lang="es" data-testid="question-body">' in on_english_page
    assert re.search(r'<h1 lang="es">', on_english_page)
    assert '<div class="body" data-testid="question-body">' in client.get(url(english)).get_data(as_text=True)
    assert '<div class="body" data-testid="question-body">' in client.get(url(spanish), headers=ES).get_data(
        as_text=True)
    assert '<div class="body" lang="en" data-testid="question-body">' in client.get(url(english), headers=ES).get_data(
        as_text=True)


def test_the_question_page_in_spanish_speaks_spanish(browser, client):
    browser.login(make_user())
    question = questions.ask_question(make_user(), **ASK_FORM).question
    page = text(client.get(url(question), headers=ES))
    for phrase in ("Preguntado el", "por ", "0 respuestas de médicos", "Ningún médico ha respondido todavía.",
                   "1 seguidor"):
        assert phrase in page, phrase
    assert "Asked " not in page and "No doctor has answered yet." not in page
    english = text(client.get(url(question)))
    assert "No doctor has answered yet." in english and "0 doctor answers" in english
