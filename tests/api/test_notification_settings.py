"""GET and PUT /api/v1/account/notification-settings: the same rules as the settings page."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Channel, DigestFrequency
from forum.services import notification_settings
from tests.api.helpers import error_of
from tests.factories import make_user

URL = "/api/v1/account/notification-settings"


def test_get_shows_the_defaults(client, bearer):
    user = make_user()
    response = client.get(URL, headers=bearer(user))
    assert response.status_code == 200
    body = response.get_json()
    assert body["frequency"] == "weekly"
    assert body["channels"]["my_questions"] == "email" and body["channels"]["following"] == "digest"
    assert set(body["channels"]) == {c.key for c in notification_settings.CATEGORIES}
    assert sorted(body["locked"]) == ["account", "consultations"]


def test_put_changes_what_it_names_and_keeps_the_rest(client, bearer):
    user = make_user()
    headers = bearer(user)
    response = client.put(URL, json={"channels": {"reviews": "off", "follow_ups": "in_app"}, "frequency": "daily"},
                          headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["channels"]["reviews"] == "off" and body["channels"]["follow_ups"] == "in_app"
    assert body["channels"]["my_questions"] == "email" and body["frequency"] == "daily"
    assert client.put(URL, json={"frequency": "never"}, headers=headers).get_json()["channels"]["reviews"] == "off"
    assert client.get(URL, headers=headers).get_json()["frequency"] == "never"


@pytest.mark.parametrize("body, field", [
    ({"channels": {"reviews": "sms"}}, "channels.reviews"),
    ({"channels": {"nonsense": "off"}}, "channels.nonsense"),
    ({"channels": {"consultations": "off"}}, "channels.consultations"),
    ({"frequency": "hourly"}, "frequency"),
    ({"channels": "off"}, "channels"),
    ({"frequency": 7}, "frequency"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_input_is_422_with_the_field_and_nothing_is_saved(client, bearer, body, field):
    user = make_user()
    if "channels" not in body:
        body = {**body, "channels": {"my_questions": "off"}}  # a valid change sent along is not saved either
    response = client.put(URL, json=body, headers=bearer(user))
    error = error_of(response, 422, "invalid")
    assert field in error["fields"]
    db.session.expire_all()
    settings = notification_settings.settings_of(user)
    assert settings["channels"]["my_questions"] is Channel.EMAIL and settings["frequency"] is DigestFrequency.WEEKLY


def test_a_caller_without_a_token_is_refused(client):
    error_of(client.get(URL), 401)
    error_of(client.put(URL, json={"frequency": "never"}), 401)


def test_the_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths[URL])
