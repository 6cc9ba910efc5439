"""Moderation and reviews in Spanish (#16): the pages, form messages and flashes a Spanish reader
gets (Accept-Language: es); English stays the default. Needs the compiled es catalog."""
from __future__ import annotations

import pytest

from forum.i18n import force_locale
from forum.services import moderation_content
from tests.factories import make_doctor, make_moderator, make_reviewer, make_treatment
from tests.web.html import text

ES = {"Accept-Language": "es"}


@pytest.fixture
def world(app):
    make_treatment()
    doctor = make_doctor(full_name="Dr. Ada Lovelace")
    return doctor.doctor_profile


def test_the_moderation_dashboard_and_log_are_in_spanish(browser):
    browser.login(make_moderator())
    page = text(browser.get("/mod", headers=ES))
    assert "Moderación" in page and "Posibles emergencias (prioridad)" in page
    assert "Preguntas en espera de aprobación" in page
    assert "Registro de moderación" in text(browser.get("/mod/log", headers=ES))
    assert "Possible emergencies" in text(browser.get("/mod"))  # English without a preference


def test_the_style_guide_is_in_spanish(browser):
    browser.login(make_moderator())
    page = text(browser.get("/mod/style", headers=ES))
    assert "Guía de estilo" in page and "Busque ayuda ahora" in page


def test_a_refused_review_says_what_to_fix_in_spanish(browser, world):
    browser.login(make_reviewer())
    url = f"/doctors/{world.id}/reviews/new"
    form = {"rating": "9", "worth_it": "yes", "treatment": "chemical-peel", "treated_on": "2026-03",
            "body": "Too short."}
    page = text(browser.post_form(url, form, token_from=url, headers=ES))
    assert "Su calificación" in page
    assert "Elija una calificación de 1 a 5 estrellas." in page


def test_my_reviews_page_is_in_spanish(browser, world):
    browser.login(make_reviewer())
    assert "Todavía no ha escrito una reseña" in text(browser.get("/account/reviews", headers=ES))


def test_an_authors_notice_of_a_moderator_action_reads_in_their_language(app):
    message = moderation_content.told_author("hid your post", "spam")
    assert str(message) == "A moderator hid your post: spam"
    with force_locale("es"):
        assert str(message) == "Un moderador ocultó su publicación: spam"

