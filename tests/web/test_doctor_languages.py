"""Doctors' languages on the pages: the profile form's checkboxes, the application's default, the
"Speaks:" line on the public profile, and the directory's language filter."""
import re

from forum.extensions import db
from forum.services import doctors
from forum.text import slugify
from tests.factories import application_data, make_doctor, make_user
from tests.web.html import field_errors, flashes, text


def checked(page: str, name: str = "languages") -> list[str]:
    return re.findall(rf'name="{name}" value="([a-z]+)" checked', page)


def profile_url(user) -> str:
    profile = user.doctor_profile
    return f"/doctors/{profile.id}/{slugify(profile.full_name)}"


def test_a_doctor_ticks_the_languages_they_speak_and_the_profile_says_so(browser, client):
    doctor = make_doctor(full_name="Dr. Lena Lingua")
    doctors.set_languages(doctor, ["en"])
    browser.login(doctor)
    page = text(client.get("/doctor/apply"))
    assert 'data-testid="languages-section"' in page and checked(page) == ["en"]
    response = browser.post_form("/doctor/languages", {"languages": ["es", "en"]}, token_from="/doctor/apply")
    assert response.status_code == 303 and response.headers["Location"] == "/doctor/apply#languages"
    page = text(client.get("/doctor/apply"))
    assert "The languages you speak are saved." in flashes(page)
    assert sorted(checked(page)) == ["en", "es"]
    profile = text(client.get(profile_url(doctor)))
    assert '<p data-testid="doctor-languages">Speaks: English, Spanish</p>' in profile


def test_no_language_or_an_unknown_one_is_refused_at_the_field(browser, client):
    doctor = make_doctor()
    doctors.set_languages(doctor, ["en"])
    browser.login(doctor)
    for data, message in (({}, "Choose at least one language you speak."),
                          ({"languages": ["en", "xx"]}, "Choose languages from the list.")):
        response = browser.post_form("/doctor/languages", data, token_from="/doctor/apply")
        assert response.status_code == 422
        assert field_errors(text(response)) == {"spoken": [message]}
    db.session.expire_all()
    assert [row.language for row in doctor.doctor_profile.languages] == ["en"]


def test_the_application_form_ticks_the_sites_language_and_saves_the_choice(browser, client):
    member = make_user()
    browser.login(member)
    assert checked(text(client.get("/doctor/apply"))) == ["en"]
    assert checked(text(client.get("/doctor/apply", headers={"Accept-Language": "es"}))) == ["es"]
    response = browser.post_form("/doctor/apply", {**application_data(), "languages": ["en", "pt"]})
    assert response.status_code == 303
    db.session.expire_all()
    assert [row.language for row in member.doctor_profile.languages] == ["en", "pt"]


def test_the_directory_filters_by_language_and_refuses_an_unknown_one(client):
    english, spanish = make_doctor(full_name="Dr. Only English"), make_doctor(full_name="Dr. Habla Espanol")
    doctors.set_languages(english, ["en"])
    doctors.set_languages(spanish, ["en", "es"])
    page = text(client.get("/doctors?language=es"))
    assert "Dr. Habla Espanol" in page and "Dr. Only English" not in page
    assert '<option value="es" selected>Spanish</option>' in page
    assert "Dr. Only English" in text(client.get("/doctors?language="))  # "Any"
    refused = client.get("/doctors?language=xx")
    assert refused.status_code == 422 and "Choose a language from the list." in text(refused)


def test_the_profile_names_languages_in_spanish(client):
    """Needs the Spanish catalog compiled (see I18N.md)."""
    doctor = make_doctor(full_name="Dr. Lena Lingua")
    doctors.set_languages(doctor, ["en", "es"])
    page = text(client.get(profile_url(doctor), headers={"Accept-Language": "es"}))
    assert "Habla: inglés, español" in page
    directory = text(client.get("/doctors?language=es", headers={"Accept-Language": "es"}))
    assert "Médicos verificados" in directory and '<option value="es" selected>Español</option>' in directory
