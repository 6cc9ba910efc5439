"""Accounts, log-in and two-factor in Spanish (#16): needs the Spanish catalog compiled with
forum/translations/parts/account.po merged in."""
from forum.extensions import db
from forum.models import User
from tests.factories import make_user, mint_token
from tests.web.html import field_errors, flashes, text

SPANISH = {"Accept-Language": "es"}


def test_the_log_in_and_sign_up_pages_speak_spanish(client):
    login = text(client.get("/login", headers=SPANISH))
    assert "Iniciar sesión" in login and "¿Olvidó su contraseña?" in login
    assert "Tengo 18 años o más" in text(client.get("/register", headers=SPANISH))


def test_a_wrong_password_is_refused_in_spanish(browser):
    user = make_user()
    response = browser.post_form("/login", {"email": user.email, "password": "not it at all"}, headers=SPANISH)
    assert response.status_code == 422
    assert "El correo electrónico o la contraseña no son correctos" in text(response)


def test_the_account_page_follows_the_members_language(browser, client):
    user = make_user(locale="es")
    browser.login(user)
    page = text(client.get("/account"))  # no Accept-Language: the setting decides
    assert "Su cuenta" in page and "Usar el idioma de mi navegador" in page


def test_choosing_spanish_is_confirmed_in_spanish(browser, client):
    user = make_user()
    browser.login(user)
    assert browser.post_form("/account/language", {"locale": "es"}, token_from="/account").status_code == 303
    assert flashes(client.get("/account").get_data(as_text=True)) == ["Idioma guardado: Español."]
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "es"


def test_a_refused_language_says_why_in_spanish(browser):
    browser.login(make_user(locale="es"))
    response = browser.post_form("/account/language", {"locale": "fr"}, token_from="/account")
    assert field_errors(response.get_data(as_text=True)) == {"locale": ["Elija uno de estos: en, es."]}


def test_the_two_factor_page_counts_recovery_codes_in_spanish(browser, client):
    user = make_user(locale="es", two_factor=True)
    browser.login(user)
    page = text(client.get("/account/two-factor"))
    assert "La verificación en dos pasos está <strong>activada</strong> desde el" in page
    assert "Le quedan 0 códigos de recuperación sin usar." in page


def test_the_api_answers_in_the_callers_language(client):
    user = make_user()
    headers = {"Authorization": f"Bearer {mint_token(user)}", **SPANISH}
    response = client.patch("/api/v1/me", json={"locale": "fr"}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"locale": ["Elija uno de estos: en, es."]}
