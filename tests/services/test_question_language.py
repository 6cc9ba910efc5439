"""A question keeps the language it is written in: chosen by the asker, or detected from the text
(falling back to the locale being served), kept or changed on edit; the seed's questions are English."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.i18n import force_locale
from forum.models import Question
from forum.services import questions
from forum.services.seed import load_seed
from tests.factories import make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)
SPANISH = {"title": "¿El microneedling puede cerrar los poros de la nariz?",
           "body": "Tengo los poros de la nariz y las mejillas muy abiertos. ¿Me ayudaría el microneedling?"}
ENGLISH = {"title": "Can microneedling shrink enlarged pores on my nose?",
           "body": "My pores on the nose and cheeks look large. Would microneedling make them smaller?"}
NEUTRAL = {"title": "Microneedling 3x 2024 vs 2025 Fraxel?",
           "body": "Microneedling 3x, Fraxel 2x, Botox 1x: 2024, 2025."}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user, text: dict, **overrides) -> Question:
    data = {**text, "topics": ["enlarged-pores"], "treatments": ["microneedling"], **overrides}
    data["title"] = f"{data['title']} {next(_n)}"
    return questions.ask_question(user, **data).question


def test_the_chosen_language_is_stored_whatever_the_text():
    asker = make_user()
    assert ask(asker, ENGLISH, language="es").language == "es"
    assert ask(asker, SPANISH, language="en").language == "en"


def test_without_a_choice_the_language_is_detected_from_the_text():
    asker = make_user()
    assert ask(asker, SPANISH).language == "es"
    assert ask(asker, ENGLISH).language == "en"


def test_text_that_tells_nothing_takes_the_locale_being_served():
    asker = make_user()
    with force_locale("es"):
        assert ask(asker, NEUTRAL).language == "es"
    assert ask(asker, NEUTRAL).language == "en"


def test_an_edit_keeps_the_language_unless_it_is_changed():
    asker = make_user()
    question = ask(asker, SPANISH)
    common = {"title": question.title, "body": question.body, "topics": ["enlarged-pores"], "treatments": []}
    assert questions.edit_question(asker, question_id=question.id, **common).language == "es"
    assert questions.edit_question(asker, question_id=question.id, **common, language="en").language == "en"
    assert questions.edit_form_values(asker, question)["language"] == "en"


def test_the_seed_demo_questions_stay_english(app):
    load_seed(SEED, demo=True)
    languages = set(db.session.scalars(select(Question.language)))
    assert languages == {"en"}
