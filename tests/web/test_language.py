"""Which language a page comes in: ?lang=, the user's setting, the switcher's cookie, then
Accept-Language; the switcher on every page; hreflang alternates; one cached copy per language."""
from __future__ import annotations

import html
import re

import pytest

from forum.extensions import db
from forum.models import User
from tests.factories import make_user

SPANISH_NAV = ">Preguntas</a>"
ENGLISH_NAV = ">Questions</a>"


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_a_browser_asking_for_spanish_gets_spanish(client):
    response = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert html_lang(response) == "es"
    assert SPANISH_NAV in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers.get("Vary", "")


def test_english_is_the_default_and_unknown_languages_fall_back_to_it(client):
    for header in ({}, {"Accept-Language": "de-DE,fr;q=0.8"}):
        response = client.get("/", headers=header)
        assert html_lang(response) == "en"
        assert ENGLISH_NAV in response.get_data(as_text=True)


def test_lang_in_the_address_wins_over_the_browser(client):
    response = client.get("/questions?lang=en", headers={"Accept-Language": "es"})
    assert html_lang(response) == "en"
    assert html_lang(client.get("/questions?lang=es")) == "es"


def test_the_switcher_remembers_a_visitors_choice_and_goes_back(client):
    page = client.get("/topics").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="es" hreflang="es"', page).group(1)
    assert link == "/language/es?next=/topics"
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/topics"
    assert "lang=es" in response.headers["Set-Cookie"]
    assert html_lang(client.get("/topics")) == "es"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_the_switcher_never_sends_anyone_off_the_site(client, target):
    response = client.get("/language/es", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_not_found(client):
    assert client.get("/language/xx").status_code == 404
    assert client.get("/language/ES").status_code == 404


def test_a_signed_in_users_choice_is_saved_to_their_account(browser, client):
    user = make_user()
    browser.login(user)
    response = browser.post_form("/language", {"locale": "es", "next": "/questions"}, token_from="/questions")
    assert response.status_code == 302 and response.headers["Location"] == "/questions"
    assert db.session.get(User, user.id).locale == "es"
    assert "Idioma guardado: Español." in client.get("/questions").get_data(as_text=True)
    client.delete_cookie("lang")
    page = client.get("/notifications", headers={"Accept-Language": "en"})
    assert html_lang(page) == "es"


def test_a_signed_in_user_cannot_save_an_unknown_language(browser):
    user = make_user()
    browser.login(user)
    response = browser.post_form("/language", {"locale": "klingon"}, token_from="/questions")
    assert response.status_code == 422
    assert db.session.get(User, user.id).locale is None


def test_public_pages_list_their_language_alternates(client, app):
    page = client.get("/topics?sort=name").get_data(as_text=True)
    site = app.config["SITE_URL"].rstrip("/")
    links = [(code, html.unescape(href))
             for code, href in re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)]
    assert links == [("en", f"{site}/topics?sort=name&lang=en"), ("es", f"{site}/topics?sort=name&lang=es"),
                     ("x-default", f"{site}/topics?sort=name")]


def test_each_language_has_its_own_cached_copy(app, client):
    app.config["PAGE_CACHE_SECONDS"] = 60
    english = client.get("/topics", headers={"Accept-Language": "en"})
    spanish = client.get("/topics", headers={"Accept-Language": "es"})
    assert html_lang(english) == "en" and html_lang(spanish) == "es"
    assert html_lang(client.get("/topics", headers={"Accept-Language": "en"})) == "en"
