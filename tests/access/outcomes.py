"""How each role is answered: the routes that depart from their level, and what each outcome looks like."""
from __future__ import annotations

from tests.access.levels import HIDDEN_FROM_VISITORS, LET_THROUGH, REFUSAL, ROLES, SEEN_BY, SIGNED_IN

# query strings that make a read meaningful (a search needs words)
QUERY = {"/search": "?q=pores", "/api/v1/search": "?q=pores", "/api/v1/questions/similar": "?title=pore+strips"}

# (method, rule) -> {role: outcome} where one route departs from its level, each with its reason
EXCEPTIONS: dict[tuple[str, str], dict[str, str]] = {
    # the metrics endpoint is for the scraper's address (or token), not for people
    ("GET", "/metrics"): {role: "hidden" for role in ROLES},
    # no enrolment was started in this forum, so any code is refused (the handler was reached)
    ("POST", "/account/two-factor/confirm"): {role: "invalid" for role in SIGNED_IN | {"moderator_no_2fa"}},
    # the staff here have it on already: starting again is refused until they turn it off
    ("POST", "/account/two-factor/setup"): {"moderator": "invalid", "admin": "invalid"},
    # a changed password ends every session, this one too: done, then log in again
    ("POST", "/account/password"): {role: "ok_then_login" for role in SIGNED_IN},
    # nobody marks their own answer helpful or flags their own post (the answer is the doctor's)
    ("POST", "/api/v1/answers/<int:answer_id>/helpful"): {"doctor": "forbidden"},
    ("POST", "/api/v1/flags"): {"doctor": "forbidden"},
    ("POST", "/flags"): {"doctor": "forbidden"},
    # asking oneself for a consultation is refused as invalid input, like any other wrong choice
    ("POST", "/api/v1/consultations"): {"doctor": "invalid"},
    ("POST", "/consultations/new"): {"visitor": "login", "suspended": "login", "doctor": "invalid"},
    # the doctor may not review themself (the review is of them)
    ("POST", "/api/v1/doctors/<int:doctor_id>/reviews"): {"doctor": "forbidden"},
    # the member (who comes first) deleted the review / the photo: later callers find nothing
    # (moderators deleting reviews: tests/api/test_reviews.py)
    ("DELETE", "/api/v1/reviews/<int:review_id>"): {"moderator_no_2fa": "hidden"},
    ("DELETE", "/api/v1/reviews/<int:review_id>/photos/<photo_id>"): {"moderator_no_2fa": "hidden"},
    ("GET", "/doctors/<int:doctor_id>/reviews/new"): {"doctor": "forbidden"},
    ("POST", "/doctors/<int:doctor_id>/reviews/new"): {"doctor": "forbidden"},
    # the member (who comes first) deleted the review: later callers find nothing
    ("POST", "/reviews/<int:review_id>/delete"): {"moderator_no_2fa": "hidden"},
    # a visitor may fill in the request; sending it keeps a draft and asks them to log in
    # the member's account is new, so their photo holds the question for a moderator: from then on
    # it is not found to anyone but them and the (enrolled) staff
    ("POST", "/api/v1/questions/<int:question_id>/photos"): {"pending_doctor": "hidden", "doctor": "hidden",
                                                            "moderator_no_2fa": "hidden"},
}


def expected_outcome(level: str, role: str, method: str, rule: str) -> str:
    special = EXCEPTIONS.get((method, rule), {})
    if role in special:
        return special[role]
    api = rule.startswith("/api/")
    if role == "visitor" or role == "suspended":
        if level == "public":  # a suspended member's API token was revoked: refused even here
            return "login" if api and role == "suspended" else "answered"
        return "hidden" if level in HIDDEN_FROM_VISITORS and not api else "login"
    if level == "public":
        return "answered"
    if role == "moderator_no_2fa" and level != "enrolment":
        if level in HIDDEN_FROM_VISITORS:  # private things stay "not found" to them as to anyone
            return "hidden"
        return REFUSAL.get(level) if level == "two_factor_on" else "enrol"
    if role in LET_THROUGH[level]:
        return "ok"
    if role in SEEN_BY.get(level, ()):
        return "forbidden"
    return REFUSAL.get(level, "forbidden")


def _location(response) -> str:
    return response.headers.get("Location", "")


def _turned_to_login(response, _method, rule) -> bool:
    if rule.startswith("/api/"):
        return response.status_code == 401
    return response.status_code in (302, 303) and _location(response).startswith("/login")


def _ok(response, method, rule) -> bool:
    if response.status_code >= 500 or response.status_code in (401, 403, 404, 405):
        return False
    if _turned_to_login(response, method, rule):
        return False
    if method == "GET":  # a page, or its canonical address
        return response.status_code in (200, 301)
    # done (each write sends a valid body), or "already done" when a role before this one did it
    return response.status_code in (200, 201, 202, 204, 302, 303, 409)


def _ok_then_login(response, method, rule) -> bool:
    return _ok(response, method, rule) or (not rule.startswith("/api/") and _turned_to_login(response, method, rule))


def _answered(response, method, rule) -> bool:
    """Public routes check no role: whatever they answer (made-up tokens are refused as invalid), it
    is never "log in" or "not allowed", and never an error of ours."""
    if method == "GET" and rule not in ANSWERED_READS:
        return _ok(response, method, rule)
    return response.status_code < 500 and response.status_code not in (401, 403)


# public reads whose made-up parameter (a signed token) is refused as invalid for everyone
# (and the code step of log-in, which sends anyone with no log-in under way back to /login)
ANSWERED_READS = {"/unsubscribe/<token>", "/reset-password/<token>", "/verify-email/<token>", "/login/code"}


def _sent_to_enrol(response, _method, rule) -> bool:
    """Staff without two-factor: pages send them to turn it on, the API says why it refuses."""
    if rule.startswith("/api/"):
        return response.status_code == 403 and response.get_json()["error"]["code"] == "two_factor_required"
    return response.status_code in (302, 303) and _location(response).startswith("/account/two-factor")


OUTCOMES = {
    "enrol": _sent_to_enrol,
    "answered": _answered,
    "ok": _ok,
    "ok_then_login": _ok_then_login,
    "login": _turned_to_login,
    "forbidden": lambda response, *_: response.status_code == 403,
    "hidden": lambda response, *_: response.status_code == 404,
    "invalid": lambda response, *_: response.status_code in (400, 409, 422),  # refused input or state
}

ANSWERED_READS.add("/language/<code>")  # the switcher (#16): a cookie and a redirect back, for anyone
ANSWERED_READS.add("/account/email/confirm/<token>")  # member profiles (#15): a made-up link is refused
