"""The API platform: one JSON error format, CSRF for session calls, OpenAPI, cursor pagination."""
import base64
import json
import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import User, VerificationStatus
from tests.api.helpers import error_of
from tests.factories import PASSWORD, make_doctor, make_moderator, make_user

REGISTER = "/api/v1/auth/register"


def registration(n: int = 1) -> dict:
    return {"email": f"member{n}@example.org", "display_name": f"Member {n}", "password": PASSWORD,
            "confirm_adult": True}


# ---- the error format, status by status ----

@pytest.mark.parametrize("body", ["{not json", '{"email": "a@b.c",}', "\x00\x01"], ids=["brace", "comma", "binary"])
def test_a_malformed_json_body_is_400(client, body):
    error_of(client.post(REGISTER, data=body, content_type="application/json"), 400, "bad_request")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_anonymous_call_to_a_protected_endpoint_is_401(client):
    error_of(client.get("/api/v1/notifications"), 401, "unauthorized")


def test_wrong_role_is_403(client, bearer):
    error_of(client.get("/api/v1/mod/log", headers=bearer(make_user())), 403, "forbidden")


@pytest.mark.parametrize("path", ["/api/v1/xyz", "/api/v1/", "/api/v2/me", "/api/v1/doctors/999999",
                                  "/api/v1/doctors/not-a-number"])
def test_unknown_api_paths_are_json_404(client, path):
    error_of(client.get(path), 404, "not_found")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("delete", "/api/v1/me", {"GET", "HEAD", "OPTIONS", "PATCH"}),
    ("put", "/api/v1/auth/register", {"POST", "OPTIONS"}),
    ("patch", "/api/v1/tokens", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("get", "/api/v1/tokens/1", {"DELETE", "OPTIONS"}),
])
def test_wrong_method_is_json_405_with_an_allow_header(client, bearer, method, path, allowed):
    response = getattr(client, method)(path, json={}, headers=bearer(make_user()))
    error_of(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_wrong_method_on_an_html_page_keeps_the_allow_header(client):
    response = client.put("/login")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("kwargs", [
    {"data": {"email": "a@example.org"}},
    {"data": "email=a@example.org", "content_type": "application/x-www-form-urlencoded"},
    {"data": json.dumps(registration()), "content_type": "text/plain"},
    {},
], ids=["form", "urlencoded", "json-as-text", "no-body"])
def test_anonymous_writes_without_json_are_415(client, kwargs):
    error_of(client.post(REGISTER, **kwargs), 415, "unsupported_media_type")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_invalid_input_is_422_with_flat_field_errors(client):
    error = error_of(client.post(REGISTER, json={"email": "nope"}), 422, "invalid")
    assert set(error["fields"]) == {"email", "display_name", "password", "confirm_adult"}
    assert all(isinstance(m, list) and m for m in error["fields"].values())
    assert "json" not in error["fields"]


def test_invalid_query_arguments_are_422_with_the_field(client):
    error = error_of(client.get("/api/v1/doctors?limit=abc"), 422, "invalid")
    assert set(error["fields"]) == {"limit"}
    assert "limit" in error_of(client.get("/api/v1/doctors?limit=0"), 422)["fields"]


@pytest.mark.parametrize("query", ["limit=5&limit=50", "location=Leeds&location=York", "q=pores&q=peel"])
def test_a_single_value_parameter_given_twice_is_422_not_a_guess(client, query):
    path = "/api/v1/search" if query.startswith("q=") else "/api/v1/doctors"
    error = error_of(client.get(f"{path}?{query}"), 422, "invalid")
    assert set(error["fields"]) == {query.split("=")[0]}


def test_a_search_with_no_words_still_refuses_a_bad_page_link(client):
    assert "cursor" in error_of(client.get("/api/v1/search?q=%3F%3F&cursor=garbage!"), 422, "invalid")["fields"]
    assert client.get("/api/v1/search?q=%3F%3F").status_code == 200


class TestSignupRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_SIGNUP": "2 per day"}

    def test_the_third_signup_of_the_day_is_429_with_retry_after(self, client):
        assert [client.post(REGISTER, json=registration(n)).status_code for n in (1, 2)] == [202, 202]
        response = client.post(REGISTER, json=registration(3))
        error_of(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) > 0
        assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_errors_never_leak_internals(client):
    for response in (client.get("/api/v1/xyz"), client.post(REGISTER, data="{", content_type="application/json")):
        text = response.get_data(as_text=True)
        assert "Traceback" not in text and "werkzeug" not in text.lower() and "<html" not in text.lower()


# ---- session authentication and CSRF ----

def test_a_session_write_without_the_csrf_header_is_refused(browser, client):
    browser.login(make_user())
    error_of(client.post("/api/v1/tokens", json={"name": "from the browser"}), 400, "bad_request")
    error_of(client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRFToken": "forged"}), 400)
    assert client.get("/api/v1/tokens").get_json() == []


def test_a_session_write_with_the_csrf_header_succeeds(browser, client):
    user = make_user()
    browser.login(user)
    response = client.post("/api/v1/tokens", json={"name": "from the browser", "password": PASSWORD},
                           headers={"X-CSRFToken": browser.api_token()})
    assert response.status_code == 201
    assert [t["name"] for t in client.get("/api/v1/tokens").get_json()] == ["from the browser"]


def test_a_session_write_needs_json_even_with_the_csrf_header(browser, client):
    browser.login(make_user())
    response = client.post("/api/v1/tokens", data={"name": "form post"}, headers={"X-CSRFToken": browser.api_token()})
    error_of(response, 415)


def test_a_session_read_works_without_a_token(browser, client):
    user = make_user()
    browser.login(user)
    assert client.get("/api/v1/me").get_json()["id"] == user.id


# ---- OpenAPI ----

def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_document_lists_every_api_route_and_method(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    routes = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")
              and r.rule not in ("/api/v1/openapi.json", "/api/v1/docs")]
    assert len(routes) >= 10
    for rule in routes:
        path = _openapi_path(rule.rule)
        assert path in spec["paths"], f"{rule.rule} is missing from the OpenAPI document"
        documented = {m.upper() for m in spec["paths"][path] if m != "parameters"}
        assert rule.methods - {"HEAD", "OPTIONS"} <= documented, rule.rule


def test_openapi_marks_protected_operations_with_a_security_scheme(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"bearerAuth", "sessionCookie"} <= set(spec["components"]["securitySchemes"])
    assert "security" in spec["paths"]["/api/v1/me"]["get"]
    assert "security" in spec["paths"]["/api/v1/mod/doctor-applications/{profile_id}/decision"]["post"]
    assert "security" not in spec["paths"]["/api/v1/auth/register"]["post"]


def test_api_docs_render_as_html(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "POST /api/v1/auth/register" in html and "/api/v1/openapi.json" in html


# ---- cursor pagination ----

def test_walking_the_doctor_directory_by_cursor_sees_every_doctor_once(client):
    ids = {make_doctor().doctor_profile.id for _ in range(25)}
    make_doctor(status=VerificationStatus.PENDING)
    seen, sizes, cursor = [], [], None
    while True:
        response = client.get("/api/v1/doctors", query_string={"limit": 10, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.get_json()
        sizes.append(len(page["items"]))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(sizes) < 5, "pagination does not terminate"
    assert sizes == [10, 10, 5]
    assert len(seen) == len(set(seen)) == 25
    assert set(seen) == ids


def test_the_default_page_is_capped_and_the_limit_may_not_exceed_100(client):
    assert "limit" in error_of(client.get("/api/v1/doctors?limit=101"), 422, "invalid")["fields"]
    assert client.get("/api/v1/doctors?limit=100").status_code == 200


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "garbage!", "abc", "%%%", "é", _b64(b"not json"), _b64(b"1"), _b64(b'{"id": 1}'), _b64(b"[]"),
    _b64(b"[1, 2, 3, 4, 5]"), _b64(b'["x"]'), _b64(b"[null]"), _b64(b"[[1]]"), _b64(b"[true]"), _b64(b"[1.5]"),
    _b64(b'[{"dt": "yesterday"}]'), _b64(b'[{"dt": "2024-01-01T00:00:00"}]'), "x" * 501,
])
def test_a_garbage_cursor_is_422(client, cursor):
    make_doctor()
    response = client.get("/api/v1/doctors", query_string={"cursor": cursor})
    assert "cursor" in error_of(response, 422, "invalid")["fields"]


def test_a_tampered_cursor_on_a_two_column_key_is_422(client, bearer):
    headers = bearer(make_moderator())
    for raw in (b'[1, 2]', b'[{"dt": "2024-01-01T00:00:00"}, "x"]', b'[{"d": "2024-01-01"}, 1]'):
        response = client.get("/api/v1/mod/doctor-applications", query_string={"cursor": _b64(raw)}, headers=headers)
        assert "cursor" in error_of(response, 422)["fields"]
    good = _b64(b'[{"dt": "2024-01-01T00:00:00"}, 1]')
    assert client.get("/api/v1/mod/doctor-applications", query_string={"cursor": good}, headers=headers).status_code == 200
