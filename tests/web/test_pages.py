"""Site-wide behaviour: security headers, error pages, rate limits, health check, access by default."""
import re

import pytest

from tests.factories import PASSWORD, make_user
from tests.web.html import text

# The blueprints of issue #2. Pages anyone may see are listed in PUBLIC; every other route of
# these blueprints must send visitors to log in.
BLUEPRINTS = {"main", "auth", "account", "doctors", "moderation", "notifications"}
PUBLIC = {"/", "/healthz", "/readyz", "/robots.txt", "/login", "/register", "/forgot-password", "/login-link/<token>",
          "/reset-password/<token>", "/verify-email/<token>", "/doctors", "/doctors/<int:doctor_id>",
          "/doctors/<int:doctor_id>/<slug>",
          "/doctors/<int:doctor_id>/photo/<name>", "/unsubscribe/<token>", "/unsubscribe/<token>/undo",
          "/account/email/confirm/<token>"}  # the link to a new e-mail address is the proof, as for /verify-email
INTERNAL = ["Traceback", "File \"", "werkzeug", "sqlalchemy", "jinja2", "/work/", "site-packages",
            "Exception"]


def assert_security_headers(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")
    hsts = headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000 and "includeSubDomains" in hsts


def assert_says_nothing_internal(response):
    page = response.get_data(as_text=True)
    for word in INTERNAL:
        assert word not in page, word


# ---- security headers ----

@pytest.mark.parametrize("method, path, status", [
    ("get", "/", 200),
    ("get", "/login", 200),
    ("get", "/no-such-page", 404),
    ("delete", "/", 405),
    ("post", "/healthz", 405),
    ("get", "/api/v1/no-such-thing", 404),
    ("get", "/healthz", 200),
])
def test_every_response_carries_the_security_headers(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert_security_headers(response)


def test_a_forbidden_page_and_a_redirect_carry_the_security_headers(browser, client):
    assert_security_headers(client.get("/account"))
    browser.login(make_user())
    response = client.get("/mod")
    assert response.status_code == 403
    assert_security_headers(response)


def test_private_pages_of_a_logged_in_member_are_never_stored(browser, client):
    browser.login(make_user())
    for path in ("/account", "/notifications", "/doctor/apply", "/questions/ask", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_of_a_logged_in_member_are_private_and_revalidated(browser, client):
    browser.login(make_user())
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache" and "public" not in response.headers["Cache-Control"]
    again = client.get("/", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


# ---- error pages ----

def test_a_missing_page_gets_an_html_404_that_says_nothing_internal(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Page not found" in text(response)
    assert_says_nothing_internal(response)


def test_a_wrong_method_gets_an_html_405_with_the_allowed_methods(client):
    response = client.delete("/login")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "That method is not allowed here." in text(response)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert_says_nothing_internal(response)


def test_the_apis_404_is_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_request_over_the_size_limit_gets_an_html_413(app, client):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/register", data={"display_name": too_big})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "The request is too large." in text(response)
    assert_says_nothing_internal(response)
    assert_security_headers(response)


def test_a_crash_gets_a_500_page_with_a_request_id_and_no_traceback(app, client, caplog):
    def explode():
        raise RuntimeError("secret internal detail: password=hunter2")
    app.add_url_rule("/test-explode", "test_explode", explode)

    response = client.get("/test-explode")

    assert response.status_code == 500 and response.mimetype == "text/html"
    page = text(response)
    assert "Something went wrong" in page
    request_id = re.search(r"Request id: <code>([0-9a-f]+)</code>", page).group(1)
    assert "secret internal detail" not in page and "hunter2" not in page and "RuntimeError" not in page
    assert_says_nothing_internal(response)
    assert_security_headers(response)
    assert any(request_id in record.getMessage() for record in caplog.records)  # findable in the log


def test_a_400_page_says_what_was_wrong_and_nothing_internal(client):
    response = client.post("/login", data={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "CSRF token is missing" in text(response)
    assert_says_nothing_internal(response)


# ---- rate limits ----

def test_the_seventh_log_in_within_a_minute_gets_429_with_retry_after(browser, client):
    user = make_user()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    for _ in range(6):
        response = client.post("/login", data={"email": user.email, "password": "wrong password",
                                               "csrf_token": token})
        assert response.status_code == 422
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    assert "Too many requests" in text(response)
    assert_says_nothing_internal(response)
    assert client.get("/account").status_code == 302  # the right password did not get through


def test_log_in_pages_can_still_be_read_while_log_in_posts_are_limited(browser, client):
    user = make_user()
    for _ in range(6):
        browser.post_form("/login", {"email": user.email, "password": "wrong password"})
    assert client.get("/login").status_code == 200


# ---- health check ----

def test_the_health_checks_answer_200_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.is_json
    assert response.get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "database": True, "redis": True}


# ---- deny by default ----

def html_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] not in BLUEPRINTS or rule.rule in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def concrete_path(rule) -> str:
    path = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(" '\""), rule.rule)  # first choice
    return re.sub(r"<(?:int:)?[^>]+>", "1", path)


def test_the_public_allowlist_names_only_routes_that_exist(app):
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert PUBLIC <= rules


def test_every_other_page_sends_a_visitor_to_log_in(app, client):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    checked = []
    for rule, method in html_rules(app):
        path = concrete_path(rule)
        data = {"csrf_token": token} if method != "GET" else None
        response = client.open(path, method=method, data=data)
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.headers["Location"].startswith("/login"), (method, path)
        checked.append(f"{method} {rule.rule}")
    for expected in ("GET /account", "POST /account/password", "POST /account/tokens",
                     "POST /account/tokens/<int:token_id>/revoke", "POST /account/verify-email",
                     "GET /notifications", "POST /notifications/read", "POST /logout",
                     "GET /doctor/apply", "POST /doctor/apply", "GET /mod", "GET /mod/applications",
                     "GET /mod/applications/<int:profile_id>", "POST /mod/applications/<int:profile_id>",
                     "GET /mod/log"):
        assert expected in checked


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/forgot-password", "/doctors", "/robots.txt"])
def test_public_pages_open_for_visitors(client, path):
    assert client.get(path).status_code == 200
