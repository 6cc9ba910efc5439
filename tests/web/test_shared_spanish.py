"""Issue #16: the shared pages, partials, error pages and form messages in Spanish (Accept-Language or ?lang=es),
and still in English for a request that asks for nothing. One language per test: the tests' app context
outlives a request, and Flask-Babel keeps the first locale it chose there."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from marshmallow import fields, validate

from forum.schemas.common import InputSchema
from forum.schemas.pages import ContactIn
from forum.services.seed import load_seed
from forum.web.forms import load_form
from forum.words import label
from tests.factories import make_doctor, make_moderator, make_user
from tests.web.html import field_errors, text

SEED = Path(__file__).resolve().parents[2] / "seed"
SPANISH = {"Accept-Language": "es"}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


class _Sample(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=5))


def test_the_home_page_speaks_spanish_when_asked(client):
    page = text(client.get("/", headers=SPANISH))
    assert "Pregunte a un médico" in page and "Respondidas recientemente" in page


def test_a_request_asking_for_nothing_stays_english(client):
    assert "Ask a doctor" in text(client.get("/"))


def test_the_not_found_page_and_the_api_error_are_in_spanish(client):
    response = client.get("/no-such-page", headers=SPANISH)
    assert response.status_code == 404 and "Página no encontrada" in text(response)
    api = client.get("/api/v1/no-such-thing", headers=SPANISH)
    assert api.status_code == 404 and api.get_json()["error"]["message"] == "Esta página no existe."


def test_the_contact_form_and_its_messages_are_in_spanish(browser):
    page = text(browser.get("/contact?lang=es"))
    assert "Envíenos un mensaje" in page and "Informar de un problema" in page
    response = browser.post_form("/contact?lang=es", {"name": "", "email": "rosa@example.test", "topic": "press",
                                                      "message": "A question about an article on the site."})
    assert response.status_code == 422
    assert field_errors(text(response))["name"] == ["Escriba su nombre."]


def test_marshmallow_messages_and_plain_sentences_follow_the_language(app):
    with app.test_request_context("/", headers=SPANISH):
        errors = _Sample().validate({})
        assert errors == {"name": ["Falta un dato en un campo obligatorio."]}
        assert _Sample().validate({"name": "abcdefgh"}) == {"name": ["La longitud debe estar entre 2 y 5."]}
        assert _Sample().validate({"name": "ab", "age": 3}) == {"age": ["Campo desconocido."]}
    with app.test_request_context("/", method="POST", data={"name": "abcdefgh"}, headers=SPANISH):
        assert load_form(_Sample())[1] == {"name": ["Use entre 2 y 5 caracteres"]}
    with app.test_request_context("/", method="POST", data={"email": "nope"}, headers=SPANISH):
        errors = load_form(ContactIn())[1]
        assert errors["email"] == ["Escriba una dirección de correo electrónico con la forma nombre@ejemplo.com."]


def test_marshmallow_messages_stay_english_by_default(app):
    with app.test_request_context("/"):
        assert _Sample().validate({}) == {"name": ["Missing data for required field."]}
        assert label("dermatology") == "Dermatology"


def test_labels_are_translated(app):
    with app.test_request_context("/?lang=es"):
        assert label("dermatology") == "Dermatología" and label("treatment-type") == "Tipo de tratamiento"


def test_number_range_messages_are_in_spanish_in_the_api_and_in_forms(client, app):
    api = client.get("/api/v1/questions?limit=500", headers=SPANISH)
    assert api.status_code == 422
    assert api.get_json()["error"]["fields"]["limit"] == ["Debe ser mayor o igual que 1 y menor o igual que 100."]
    with app.test_request_context("/", method="POST", data={"rating": "9"}, headers=SPANISH):
        class Rating(InputSchema):
            rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
        assert load_form(Rating())[1] == {"rating": ["Escriba un número de 1 a 5"]}


def test_range_messages_stay_marshmallows_english_by_default(client):
    api = client.get("/api/v1/questions?limit=0")
    expected = "Must be greater than or equal to 1 and less than or equal to 100."
    assert api.get_json()["error"]["fields"]["limit"] == [expected]


def test_a_moderator_reads_roles_and_states_in_spanish(browser):
    member = make_user(display_name="Rosa Miembro")
    browser.login(make_moderator(display_name="Mo Derator"))
    page = text(browser.get(f"/mod/users/{member.id}?lang=es"))
    assert 'data-testid="user-role">Miembro<' in page and 'data-testid="user-status">Activa<' in page


def test_a_doctors_license_check_is_dated_in_spanish(client):
    doctor = make_doctor(full_name="Dr. Fecha Ficticia", license_expires_on=date(2027, 3, 31))
    page = text(client.get(f"/doctors/{doctor.doctor_profile.id}", headers=SPANISH, follow_redirects=True))
    assert "válida hasta el 31 mar 2027" in page


def test_a_redirect_to_the_canonical_address_keeps_the_language_asked_for(client):
    doctor = make_doctor(full_name="Dr. Ruta Ficticia")
    response = client.get(f"/doctors/{doctor.doctor_profile.id}?lang=es")
    assert response.status_code == 301 and response.headers["Location"].endswith("/dr-ruta-ficticia?lang=es")
    assert "?" not in client.get(f"/doctors/{doctor.doctor_profile.id}?lang=xx").headers["Location"]
    page = text(client.get(f"/doctors/{doctor.doctor_profile.id}?lang=es", follow_redirects=True))
    assert "válida hasta el" in page
