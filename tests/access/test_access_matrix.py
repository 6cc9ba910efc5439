"""The access matrix (issue #12, item 15): every route of the URL map and every API operation, called
by each kind of person, with the answer that person must get.

Each (method, rule) belongs to exactly one access level below; a level says what each role gets.
A new route fails `test_every_route_is_in_the_matrix` until it is placed, so nothing is reachable by
accident. Reads run against one shared forum; each write gets a fresh forum, because writes change
it (log out, ban, revoke) for the roles that come after."""
from __future__ import annotations

import io
import re

import pytest

from tests.access import world as worlds
from tests.access.bodies import as_form, body_for
from tests.access.levels import LEVELS
from tests.access.outcomes import OUTCOMES, QUERY, expected_outcome
from tests.conftest import csrf_token, make_app

ROLES = worlds.ROLES
_app = make_app()
ROUTES = sorted({(method, rule.rule) for rule in _app.url_map.iter_rules()
                 for method in rule.methods - {"HEAD", "OPTIONS"}}, key=lambda r: (r[1], r[0]))
LEVEL_OF = {route: level for level, routes in LEVELS.items() for route in routes}
MULTIPART = {"/api/v1/consultations/<consultation_id>/photos", "/doctor/photo",
             "/api/v1/reviews/<int:review_id>/photos", "/api/v1/questions/<int:question_id>/photos",
             "/doctors/<int:doctor_id>/reviews/new", "/reviews/<int:review_id>/edit"}
READS = [route for route in ROUTES if route[0] == "GET"]
WRITES = [route for route in ROUTES if route[0] != "GET"]


def test_every_route_is_in_the_matrix():
    missing = [f"{m} {r}" for m, r in ROUTES if (m, r) not in LEVEL_OF]
    assert not missing, f"routes with no access level in tests/access/levels.py: {missing}"


def test_the_matrix_names_only_existing_routes():
    stale = sorted(f"{m} {r}" for m, r in set(LEVEL_OF) - set(ROUTES))
    assert not stale, f"stale entries in tests/access/levels.py: {stale}"
    listed = [route for routes in LEVELS.values() for route in routes]
    assert len(listed) == len(set(listed)), "a route is listed under two levels"


def _call(world, clients, role: str, method: str, rule: str):
    client = clients[role]
    url = world.url(rule) + QUERY.get(rule, "")
    if rule.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role != "visitor" else {}
        if rule in MULTIPART:
            fields = as_form(body_for(world, method, rule, role))
            return client.open(url, method=method, headers=headers,
                               data={**fields, "photos": (io.BytesIO(worlds.png()), "a.png")})
        body = None if method == "GET" else body_for(world, method, rule, role)
        return client.open(url, method=method, headers=headers, json=body)
    data = None
    if method != "GET":
        data = {**as_form(body_for(world, method, rule, role)), "csrf_token": csrf_token(client, "/forgot-password")}
        if rule in MULTIPART:
            data["photos"] = (io.BytesIO(worlds.png()), "a.png")
    return client.open(url, method=method, data=data)


def _why(response) -> str:
    """The field messages of a refused input, so a wrong test body is easy to see."""
    if response.status_code not in (400, 422):
        return ""
    if response.is_json:
        return str(response.get_json().get("error", {}).get("fields", ""))[:200]
    return " ".join(re.findall(r'class="field-error"[^>]*>([^<]+)<', response.get_data(as_text=True)))[:200]


def _check(world, clients, method: str, rule: str) -> list[str]:
    problems = []
    for role in ROLES:
        response = _call(world, clients, role, method, rule)
        response.close()
        wanted = expected_outcome(LEVEL_OF[(method, rule)], role, method, rule)
        if not OUTCOMES[wanted](response, method, rule):
            where = response.headers.get("Location", "") or _why(response)
            problems.append(f"{method} {rule} as {role}: wanted {wanted}, got {response.status_code} {where}")
    return problems


@pytest.fixture
def forum(app):
    world = worlds.build()
    clients = worlds.log_in_everyone(app, world)
    worlds.suspend(world)
    return world, clients


def test_reads(forum):
    """Every GET route for every role, in one forum (reads change nothing)."""
    problems = [problem for method, rule in READS for problem in _check(*forum, method, rule)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("method", "rule"), WRITES, ids=[f"{m} {r}" for m, r in WRITES])
def test_writes(forum, method, rule):
    problems = _check(*forum, method, rule)
    assert not problems, "\n".join(problems)


def test_the_matrix_catches_a_route_open_to_the_wrong_people(forum, monkeypatch):
    """Were the ask page meant for staff only, members reaching it must show up as a problem."""
    monkeypatch.setitem(LEVEL_OF, ("GET", "/questions/ask"), "staff")
    problems = _check(*forum, "GET", "/questions/ask")
    assert any("as member: wanted forbidden, got 200" in problem for problem in problems), problems
