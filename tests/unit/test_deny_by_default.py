"""Deny by default (SECURITY.md #12): every route is on the public allowlist below, or it turns
an anonymous visitor away (302 to /login for pages, 401 for the API). A new route that is
neither fails here until it is protected or consciously listed."""
import re

import pytest

from tests.conftest import csrf_token, make_app

ALL = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
READ = frozenset({"GET"})

# rule (exactly as in app.url_map) -> methods anyone may call
PUBLIC = {
    "/": READ,
    "/login": ALL,
    "/register": ALL,
    "/forgot-password": ALL,
    "/reset-password/<token>": ALL,
    "/verify-email/<token>": ALL,
    "/login-link/<token>": ALL,
    # one-click unsubscribe from notification mail (issue #11): the signed token is the credential
    "/unsubscribe/<token>": ALL,
    "/unsubscribe/<token>/undo": ALL,
    "/healthz": READ,
    "/readyz": READ,
    "/metrics": READ,  # no account: guarded by client address or token (tests/web/test_observability.py)
    "/robots.txt": READ,
    "/language/<code>": READ,  # the switcher: sets a cookie and goes back; saving to an account is a POST
    "/static/<path:filename>": READ,
    "/doctors": READ,
    "/doctors/<int:doctor_id>": READ,
    "/doctors/<int:doctor_id>/<slug>": READ,
    "/doctors/<int:doctor_id>/photo/<name>": READ,  # a public profile's photo; an applicant's is not found
    "/reviews/photos/<photo_id>/<name>": READ,  # a published review's consented photo; others are not found
    # reference content (issue #3): public reading
    "/topics": READ,
    "/topics/<slug>": READ,
    "/treatments": READ,
    "/treatments/<slug>": READ,
    "/articles": READ,
    "/articles/<slug>": READ,
    "/sitemap.xml": READ,
    # trust pages and the contact form (issue #13): anyone reads them and may write to the moderators
    "/about": READ,
    "/how-we-verify-doctors": READ,
    "/editorial-policy": READ,
    "/privacy": READ,
    "/terms": READ,
    "/contact": ALL,
    # questions and answers (issue #4): PRODUCT.md lets visitors read them, search and subscribe
    "/questions": READ,
    "/questions/<int:question_id>": READ,
    "/questions/<int:question_id>/<slug>": READ,
    "/questions/<int:question_id>/photos/<photo_id>": READ,  # a public question's photo; a held one is not found
    "/search": READ,
    "/feeds/questions.atom": READ,
    "/feeds/topics/<topic>.atom": READ,
    # consultations (issue #6): a visitor may fill in the form; sending it asks them to log in
    # (POST keeps an encrypted draft and answers 303 to /login, checked in tests/web)
    "/consultations/new": ALL,
    # API
    "/api/v1/openapi.json": READ,
    "/api/v1/docs": READ,
    "/api/v1/auth/register": ALL,
    "/api/v1/auth/token": ALL,
    "/api/v1/auth/password-reset": ALL,
    "/api/v1/doctors": READ,
    "/api/v1/doctors/<int:doctor_id>": READ,
    "/api/v1/doctors/<int:doctor_id>/reviews": READ,  # published reviews of a public doctor (issue #14)
    "/api/v1/reviews/<int:review_id>": READ,  # a published review; pending and hidden ones are not found
    "/api/v1/topics": READ,
    "/api/v1/topics/<slug>": READ,
    "/api/v1/treatments": READ,
    "/api/v1/treatments/<slug>": READ,
    "/api/v1/articles": READ,
    "/api/v1/articles/<slug>": READ,
    "/api/v1/questions": READ,
    "/api/v1/questions/<int:question_id>": READ,
    "/api/v1/questions/similar": READ,
    "/api/v1/search": READ,
    # edit history (issue #15): as public as the content itself (hidden content's history is not found)
    "/questions/<int:question_id>/history": READ,
    "/answers/<int:answer_id>/history": READ,
    "/articles/<slug>/history": READ,
    "/treatments/<slug>/history": READ,
    "/api/v1/questions/<int:question_id>/revisions": READ,
    "/api/v1/answers/<int:answer_id>/revisions": READ,
    "/api/v1/articles/<slug>/revisions": READ,
    "/api/v1/treatments/<slug>/revisions": READ,
    # member profiles (issue #15): public reading; suspended and banned members are not found
    "/members/<int:member_id>": READ,
    "/members/<int:member_id>/<slug>": READ,
    "/api/v1/members/<int:member_id>": READ,
    "/api/v1/members/<int:member_id>/questions": READ,
    # confirming a new e-mail address: the single-use link is the credential (as for /verify-email)
    "/account/email/confirm/<token>": ALL,
    "/api/v1/account/email/confirm": ALL,
}

# private pages that answer 404 to a visitor, exactly as to any other non-participant: a log-in
# redirect would be harmless, but 404 is what everyone else gets (issue #6, item 6)
NOT_FOUND_FOR_VISITORS = {
    "/consultations/<consultation_id>", "/consultations/<consultation_id>/photos/<photo_id>",
    "/consultations/<consultation_id>/<any(accept, decline, schedule, complete, withdraw):action>",
    "/consultations/<consultation_id>/messages",
}

_app = make_app()
ROUTES = sorted({(rule.rule, method) for rule in _app.url_map.iter_rules()
                 for method in rule.methods - {"HEAD", "OPTIONS"}})
PROTECTED = [(rule, method) for rule, method in ROUTES if method not in PUBLIC.get(rule, ())]


def concrete(rule: str) -> str:
    """A URL that matches `rule`: ids 1, the first choice of any(...), "x" for other values."""
    rule = re.sub(r"<int:[^>]+>", "1", rule)
    rule = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(" '\""), rule)
    return re.sub(r"<[^>]+>", "x", rule)


def test_the_routes_were_found():
    assert len(ROUTES) > 30 and len(PROTECTED) > 15


def test_the_allowlist_names_only_existing_routes():
    rules = {rule for rule, _ in ROUTES}
    assert not set(PUBLIC) - rules, f"stale allowlist entries: {sorted(set(PUBLIC) - rules)}"


def assert_turned_away(client, rule: str, method: str) -> None:
    url = concrete(rule)
    if rule.startswith("/api/"):
        response = client.open(url, method=method, json=None if method == "GET" else {})
        assert response.status_code == 401, f"{method} {url} answered {response.status_code} to an anonymous caller"
        assert response.get_json()["error"]["code"] == "unauthorized"
    elif rule in NOT_FOUND_FOR_VISITORS:
        data = None if method == "GET" else {"csrf_token": csrf_token(client)}
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, f"{method} {url} answered {response.status_code} to an anonymous visitor"
    else:
        data = None if method == "GET" else {"csrf_token": csrf_token(client)}
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, f"{method} {url} answered {response.status_code} to an anonymous visitor"
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("rule", "method"), PROTECTED, ids=[f"{m} {r}" for r, m in PROTECTED])
def test_anonymous_visitors_are_turned_away(client, rule, method):
    assert_turned_away(client, rule, method)


def test_the_check_fails_for_an_unprotected_page_or_api_route():
    app = make_app()
    app.add_url_rule("/leaky", "leaky", lambda: "secret")
    app.add_url_rule("/api/v1/leaky", "api_leaky", lambda: {"secret": True}, methods=["POST"])
    with app.app_context():
        client = app.test_client()
        with pytest.raises(AssertionError):
            assert_turned_away(client, "/leaky", "GET")
        with pytest.raises(AssertionError):
            assert_turned_away(client, "/api/v1/leaky", "POST")


PUBLIC_READS = sorted(rule for rule, methods in PUBLIC.items() if "GET" in methods)


@pytest.mark.parametrize("rule", PUBLIC_READS)
def test_public_routes_answer_anonymous_visitors_without_error(client, rule):
    response = client.get(concrete(rule))
    assert response.status_code < 500
    assert response.status_code != 401 and not response.headers.get("Location", "").startswith("/login")
