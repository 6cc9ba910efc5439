"""The Spanish journey in a real browser: a member whose browser asks for Spanish logs in and asks a
question in Spanish; a doctor (on an English page) answers it; the member's notification, in the
site and by e-mail, is in Spanish, and a visitor switches the site to Spanish from the switcher."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import OutboxMail, Question, User
from forum.services import answers
from tests.browser.test_journeys_accounts import expect
from tests.factories import PASSWORD, make_doctor, make_user

pytestmark = pytest.mark.browser

TITLE = "¿La depilación láser deja manchas en la piel morena?"
BODY = "Tengo la piel morena y me preocupa que el láser me deje manchas oscuras. ¿Qué debo preguntar antes?"


def test_a_member_asks_in_spanish_and_is_told_of_the_answer_in_spanish(new_context, seeded, screenshot):
    with seeded.app_context():
        member = make_user(display_name="Lucía M.")
        doctor = make_doctor(full_name="Dr. Tomás Ficticio")
        member_email, member_id, doctor_id = member.email, member.id, doctor.id

    page = new_context(locale="es-MX").new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Correo electrónico").fill(member_email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    nav = page.get_by_role("navigation", name="Principal")
    expect(nav.get_by_role("button", name="Cerrar sesión")).to_be_visible()

    nav.get_by_role("link", name="Preguntas").click()
    page.get_by_role("link", name="Pregunte a un médico").first.click()
    expect(page.get_by_label("Idioma de su pregunta")).to_have_value("es")
    page.get_by_label("Su pregunta en una frase").fill(TITLE)
    page.get_by_label("Detalles (Markdown)").fill(BODY)
    page.locator('input[name="topics"][value="enlarged-pores"]').check()
    page.get_by_role("button", name="Publicar pregunta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    question_id = int(re.search(r"/questions/(\d+)/", page.url).group(1))

    with seeded.app_context():
        question = db.session.get(Question, question_id)
        assert question.language == "es"
        assert db.session.get(User, member_id).locale == "es"  # logging in in Spanish remembered it
        answers.post_answer(db.session.get(User, doctor_id), question_id=question_id,
                            body="Pregunte por la experiencia del centro con pieles oscuras y pida una prueba.")

    page.goto("/notifications")
    expect(page.locator("main")).to_contain_text(f"Dr. Tomás Ficticio respondió: {TITLE}")
    screenshot(page, "spanish-notification")
    with seeded.app_context():
        subjects = db.session.scalars(select(OutboxMail.subject).where(OutboxMail.to_address == member_email)).all()
    assert any("respondió" in subject for subject in subjects), subjects


def test_a_visitor_switches_the_site_to_spanish(new_context, seeded):
    page = new_context().new_page()
    page.goto("/treatments")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("language-switcher").get_by_role("link", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(r"/treatments$"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Treatments")
    page.goto("/about")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acerca de")
