"""The languages a doctor speaks: checked against the supported list, at least one, kept sorted;
the application defaults to the site's language; the directory filters by one."""
import pytest

from forum.errors import Forbidden, Invalid
from forum.extensions import db
from forum.i18n import force_locale
from forum.models import DoctorLanguage, VerificationStatus
from forum.services import doctors
from tests.factories import application_data, make_doctor, make_user


def spoken(user) -> list[str]:
    db.session.expire_all()
    return [row.language for row in user.doctor_profile.languages]


def test_a_doctor_sets_the_languages_they_speak_sorted_and_once(app):
    doctor = make_doctor()
    doctors.set_languages(doctor, ["es", "EN", "es"])
    assert spoken(doctor) == ["en", "es"]
    doctors.set_languages(doctor, ["pt"])
    assert spoken(doctor) == ["pt"]
    assert db.session.query(DoctorLanguage).count() == 1


@pytest.mark.parametrize("codes", [["xx"], ["en", "klingon"], [""]])
def test_an_unknown_code_is_refused_on_the_languages_field(app, codes):
    doctor = make_doctor()
    doctors.set_languages(doctor, ["en"])
    with pytest.raises(Invalid) as refused:
        doctors.set_languages(doctor, codes)
    assert list(refused.value.fields) == ["languages"]
    assert spoken(doctor) == ["en"]


def test_at_least_one_language_is_needed(app):
    with pytest.raises(Invalid) as refused:
        doctors.set_languages(make_doctor(), [])
    assert refused.value.fields == {"languages": ["Choose at least one language you speak."]}


def test_only_a_doctor_or_applicant_sets_languages(app):
    with pytest.raises(Forbidden):
        doctors.set_languages(make_user(), ["en"])
    with pytest.raises(Forbidden):
        doctors.set_languages(make_doctor(status=VerificationStatus.REJECTED), ["en"])
    pending = make_doctor(status=VerificationStatus.PENDING)
    doctors.set_languages(pending, ["fr"])
    assert spoken(pending) == ["fr"]


def test_an_application_defaults_to_the_sites_language_and_keeps_given_ones(app):
    member, other = make_user(), make_user()
    doctors.apply(member, **application_data())
    assert spoken(member) == ["en"]
    doctors.apply(other, languages=["es", "en"], **application_data())
    assert spoken(other) == ["en", "es"]


def test_the_directory_filters_by_a_language(app):
    english, both = make_doctor(full_name="Dr. Only English"), make_doctor(full_name="Dr. Both Languages")
    doctors.set_languages(english, ["en"])
    doctors.set_languages(both, ["en", "es"])
    names = lambda **kw: sorted(p.full_name for p in doctors.list_doctors(**kw).items)  # noqa: E731
    assert names(language="es") == ["Dr. Both Languages"]
    assert names(language="en") == ["Dr. Both Languages", "Dr. Only English"]
    assert names(language="fr") == []
    with pytest.raises(Invalid) as refused:
        doctors.list_doctors(language="xx")
    assert list(refused.value.fields) == ["language"]


def test_language_names_follow_the_readers_language(app):
    with force_locale("es"):
        assert doctors.language_name("en") == "inglés" and doctors.language_name("es", capital=True) == "Español"
    with force_locale("en"):
        assert doctors.language_name("es") == "Spanish"
        assert {"slug": "tl", "name": "Tagalog"} in doctors.language_choices()
