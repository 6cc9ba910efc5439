"""API: the languages a doctor speaks (PUT /api/v1/doctor/languages), in the doctors' output, and
the directory's ?language= filter."""
from forum.services import doctors
from tests.api.helpers import error_of
from tests.factories import application_data, make_doctor, make_user


def test_a_doctor_sets_languages_and_the_directory_shows_them(client, bearer):
    doctor = make_doctor(full_name="Dr. Api Lingua")
    response = client.put("/api/v1/doctor/languages", json={"languages": ["es", "en"]}, headers=bearer(doctor))
    assert response.status_code == 200 and response.get_json()["languages"] == ["en", "es"]
    profile_id = doctor.doctor_profile.id
    assert client.get(f"/api/v1/doctors/{profile_id}").get_json()["languages"] == ["en", "es"]
    (item,) = client.get("/api/v1/doctors?language=es").get_json()["items"]
    assert item["id"] == profile_id and item["languages"] == ["en", "es"]


def test_the_language_filter_leaves_out_other_doctors(client):
    english, spanish = make_doctor(), make_doctor()
    doctors.set_languages(english, ["en"])
    doctors.set_languages(spanish, ["es"])
    ids = lambda query: [d["id"] for d in client.get("/api/v1/doctors" + query).get_json()["items"]]  # noqa: E731
    assert ids("?language=es") == [spanish.doctor_profile.id]
    assert sorted(ids("")) == sorted([english.doctor_profile.id, spanish.doctor_profile.id])


def test_an_unknown_filter_language_is_a_422_naming_the_field(client):
    error = error_of(client.get("/api/v1/doctors?language=xx"), 422)
    assert "language" in str(error["fields"])


def test_bad_or_missing_languages_are_a_422_naming_the_field(client, bearer):
    headers = bearer(make_doctor())
    for body in ({"languages": ["en", "xx"]}, {"languages": []}, {}):
        error = error_of(client.put("/api/v1/doctor/languages", json=body, headers=headers), 422)
        assert list(error["fields"]) == ["languages"], body


def test_a_member_without_a_doctor_profile_may_not_set_languages(client, bearer):
    error_of(client.put("/api/v1/doctor/languages", json={"languages": ["en"]}, headers=bearer(make_user())), 403)


def test_an_api_application_keeps_the_languages_given(client, bearer):
    body = {**application_data(), "languages": ["es", "en"]}
    response = client.post("/api/v1/doctor-application", json=body, headers=bearer(make_user()))
    assert response.status_code == 201 and response.get_json()["languages"] == ["en", "es"]


def test_an_api_application_without_languages_takes_the_request_language(client, bearer):
    headers = {**bearer(make_user()), "Accept-Language": "es"}
    response = client.post("/api/v1/doctor-application", json=application_data(), headers=headers)
    assert response.status_code == 201 and response.get_json()["languages"] == ["es"]
    assert client.get("/api/v1/doctor-application", headers=headers).get_json()["languages"] == ["es"]


def test_an_api_application_with_an_unknown_language_is_a_422_and_stores_nothing(client, bearer):
    user = make_user()
    body = {**application_data(), "languages": ["xx"]}
    error = error_of(client.post("/api/v1/doctor-application", json=body, headers=bearer(user)), 422)
    assert list(error["fields"]) == ["languages"]
    error_of(client.get("/api/v1/doctor-application", headers=bearer(user)), 404, "not_found")
