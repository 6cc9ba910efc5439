"""API moderation: flags (one per user per item, the three-flag auto-hide, the rate limit), every
moderator action on content and users with its effect on the public API, who is refused on every
/api/v1/mod route, suspended and banned users on every write with a live token or session, the log."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Answer, ApiToken, ConsultationRequest, DoctorProfile, Flag, FlagStatus, FollowUp, HelpfulVote, ModerationLog,
    Notification, Question, QuestionStatus, Role, UserStatus, VerificationStatus,
)
from forum.services import answers, questions
from forum.services.seed import load_seed
from tests.api.helpers import error_of
from tests.factories import (
    PASSWORD, application_data, make_admin, make_doctor, make_moderator, make_trusted_member, make_user,
)

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)
ANSWER_WORD = "xylophonic"


@pytest.fixture
def app_config():
    return {"RATELIMIT_DEFAULT": "10000 per minute"}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user, **overrides) -> Question:
    data = {"title": f"Does microneedling shrink quokkaish pores, case {next(_n)}?",
            "body": "My pores on the nose look large. Would microneedling make them smaller for good?",
            "topics": ["enlarged-pores"], "treatments": [], "anonymous": False}
    data.update(overrides)
    return questions.ask_question(user, **data).question


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def content_url(kind, target_id, action) -> str:
    return f"/api/v1/mod/content/{kind}/{target_id}/{action}"


@pytest.fixture
def asker():
    return make_user(display_name="Pat Asker")


@pytest.fixture
def doctor():
    return make_doctor(full_name="Dr. Ada Fictional")


@pytest.fixture
def question(asker):
    return ask(asker)


@pytest.fixture
def posted(question, doctor):
    return answers.post_answer(doctor, question_id=question.id,
                               body=f"Microneedling softens {ANSWER_WORD} pores a little over three to six sessions.")


@pytest.fixture
def moderator():
    return make_moderator(display_name="Mo Derator")


@pytest.fixture
def mod_headers(bearer, moderator):
    return bearer(moderator)


def flag_body(answer, reason="spam", **extra) -> dict:
    return {"target_type": "answer", "target_id": str(answer.id), "reason": reason, **extra}


def answer_ids(client, question) -> list[int]:
    response = client.get(f"/api/v1/questions/{question.id}")
    return [a["id"] for a in response.get_json()["answers"]] if response.status_code == 200 else []


# ---- flags ----

def test_a_member_flags_an_answer(client, bearer, posted):
    response = client.post("/api/v1/flags", json=flag_body(posted, "medical misinformation", note="Says permanent"),
                           headers=bearer(make_user()))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "target_type", "target_id", "reason", "note", "status", "created_at", "weight"}
    assert body["weight"] == 0.25  # a brand-new account's flag
    assert (body["target_type"], body["target_id"], body["reason"], body["note"], body["status"]) == (
        "answer", str(posted.id), "medical misinformation", "Says permanent", "open")


def test_a_second_flag_by_the_same_user_is_a_409(client, bearer, posted):
    headers = bearer(make_user())
    assert client.post("/api/v1/flags", json=flag_body(posted), headers=headers).status_code == 201
    error_of(client.post("/api/v1/flags", json=flag_body(posted, "offensive"), headers=headers), 409, "conflict")
    assert count(Flag) == 1


def test_three_different_users_hide_the_answer_from_the_api(client, bearer, question, posted, doctor):
    for _ in range(3):
        assert client.post("/api/v1/flags", json=flag_body(posted),
                           headers=bearer(make_trusted_member())).status_code == 201
    assert posted.hidden
    assert answer_ids(client, question) == []
    assert answer_ids(client, question) == [] and ANSWER_WORD not in client.get(
        f"/api/v1/search?q={ANSWER_WORD}").get_data(as_text=True)
    assert count(Notification, Notification.user_id == doctor.id, Notification.kind == "content_under_review") == 1
    assert answer_ids(client.application.test_client(), question) == []
    headers = bearer(doctor)  # its author still sees it
    assert posted.id in [a["id"] for a in client.get(f"/api/v1/questions/{question.id}", headers=headers)
                         .get_json()["answers"]]


def test_one_user_flagging_three_times_hides_nothing(client, bearer, question, posted):
    headers = bearer(make_user())
    statuses = [client.post("/api/v1/flags", json=flag_body(posted), headers=headers).status_code for _ in range(3)]
    assert statuses == [201, 409, 409]
    assert not posted.hidden and answer_ids(client, question) == [posted.id]


@pytest.mark.parametrize("body, field", [
    ({"target_type": "answer", "target_id": "1", "reason": "boring"}, "reason"),
    ({"target_type": "comment", "target_id": "1", "reason": "spam"}, "target_type"),
    ({"target_type": "answer", "target_id": "1; DROP", "reason": "spam"}, "target_id"),
    ({"target_type": "answer", "reason": "spam"}, "target_id"),
    ({"target_type": "answer", "target_id": "1", "reason": "spam", "note": "x" * 501}, "note"),
])
def test_an_invalid_flag_is_a_422_naming_the_field(client, bearer, body, field):
    error = error_of(client.post("/api/v1/flags", json=body, headers=bearer(make_user())), 422, "invalid")
    assert field in error["fields"]


def test_flagging_a_missing_item_is_a_404(client, bearer):
    error_of(client.post("/api/v1/flags", json={"target_type": "answer", "target_id": "424242", "reason": "spam"},
                         headers=bearer(make_user())), 404, "not_found")


def test_flagging_your_own_answer_is_forbidden(client, bearer, posted, doctor):
    error_of(client.post("/api/v1/flags", json=flag_body(posted), headers=bearer(doctor)), 403, "forbidden")


def test_a_visitor_cannot_flag(client, posted):
    error_of(client.post("/api/v1/flags", json=flag_body(posted)), 401, "unauthorized")
    assert count(Flag) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_FLAG": "2 per hour"}])
def test_flagging_too_often_is_a_429(client, bearer, question):
    headers = bearer(make_user())
    targets = [answers.post_answer(make_doctor(), question_id=question.id, body="An answer long enough to post.")
               for _ in range(3)]
    statuses = [client.post("/api/v1/flags", json=flag_body(a), headers=headers).status_code for a in targets]
    assert statuses == [201, 201, 429]
    assert count(Flag) == 2


# ---- the queue ----

def test_moderators_see_open_flags_grouped_per_item(client, bearer, mod_headers, question, posted):
    for _ in range(2):
        client.post("/api/v1/flags", json=flag_body(posted), headers=bearer(make_user()))
    client.post("/api/v1/flags", json={"target_type": "question", "target_id": str(question.id), "reason": "other"},
                headers=bearer(make_user()))
    response = client.get("/api/v1/mod/flags", headers=mod_headers)
    assert response.status_code == 200
    items = response.get_json()
    assert [(i["target_type"], i["target_id"], len(i["flags"]), i["hidden"]) for i in items] == [
        ("answer", str(posted.id), 2, False), ("question", str(question.id), 1, False)]


# ---- content actions and their effect ----

def test_a_moderator_deletes_an_answer_and_it_leaves_the_api(client, mod_headers, moderator, question, posted):
    response = client.post(content_url("answer", posted.id, "delete"), json={"reason": "Advertising a clinic"},
                           headers=mod_headers)
    assert response.status_code == 200
    assert response.get_json() == {"target_type": "answer", "target_id": str(posted.id),
                                   "message": "delete done and logged"}
    assert answer_ids(client, question) == []
    listed = client.get("/api/v1/questions").get_json()["items"]
    assert [q["answer_count"] for q in listed if q["id"] == question.id] == [0]
    assert f"#answer-{posted.id}" not in client.get(f"/api/v1/search?q={ANSWER_WORD}").get_data(as_text=True)
    entry = db.session.scalars(select(ModerationLog)).one()
    assert (entry.actor_id, entry.action, entry.target_id, entry.reason) == (
        moderator.id, "answer.delete", str(posted.id), "Advertising a clinic")


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_a_removed_question_leaves_the_api_and_restore_brings_it_back(client, mod_headers, question, posted, action):
    before = client.get(f"/api/v1/questions/{question.id}").get_json()
    client.post(content_url("question", question.id, action), json={"reason": "Spam"}, headers=mod_headers)
    error_of(client.get(f"/api/v1/questions/{question.id}"), 404, "not_found")
    assert question.id not in [q["id"] for q in client.get("/api/v1/questions").get_json()["items"]]
    assert f"/questions/{question.id}" not in client.get("/api/v1/search?q=quokkaish").get_data(as_text=True)
    client.post(content_url("question", question.id, "restore"), json={"reason": "Fine"}, headers=mod_headers)
    after = client.get(f"/api/v1/questions/{question.id}").get_json()
    assert after["answers"] == before["answers"] and after["answer_count"] == 1
    assert [h["url"] for h in client.get("/api/v1/search?q=quokkaish").get_json()["items"]][:1]


def test_hide_leaves_a_question_to_its_asker_and_delete_does_not(client, bearer, mod_headers, question, asker):
    asker_headers = bearer(asker)
    client.post(content_url("question", question.id, "hide"), json={"reason": "Review"}, headers=mod_headers)
    assert client.get(f"/api/v1/questions/{question.id}", headers=asker_headers).status_code == 200
    assert question.id in [q["id"] for q in client.get("/api/v1/questions", headers=asker_headers)
                           .get_json()["items"]]
    client.post(content_url("question", question.id, "delete"), json={"reason": "Spam"}, headers=mod_headers)
    error_of(client.get(f"/api/v1/questions/{question.id}", headers=asker_headers), 404, "not_found")
    assert client.get(f"/api/v1/questions/{question.id}", headers=mod_headers).status_code == 200


def test_a_locked_question_refuses_answers_and_follow_ups(client, bearer, mod_headers, question, posted, asker):
    assert client.post(content_url("question", question.id, "lock"), json={"reason": "Heated"},
                       headers=mod_headers).status_code == 200
    assert client.get(f"/api/v1/questions/{question.id}").get_json()["locked"] is True
    error_of(client.post(f"/api/v1/questions/{question.id}/answers", json={"body": "A" * 40},
                         headers=bearer(make_doctor())), 403, "forbidden")
    error_of(client.post(f"/api/v1/answers/{posted.id}/follow-ups", json={"body": "Any news on this?"},
                         headers=bearer(asker)), 403, "forbidden")
    client.post(content_url("question", question.id, "unlock"), json={"reason": "Calm again"}, headers=mod_headers)
    assert client.post(f"/api/v1/answers/{posted.id}/follow-ups", json={"body": "Any news on this?"},
                       headers=bearer(asker)).status_code == 201


def test_close_as_duplicate_and_reopen(client, bearer, mod_headers, question):
    original = ask(make_user())
    response = client.post(content_url("question", question.id, "close_duplicate"),
                           json={"reason": "Asked before", "duplicate_of_id": original.id}, headers=mod_headers)
    assert response.status_code == 200
    detail = client.get(f"/api/v1/questions/{question.id}").get_json()
    assert (detail["status"], detail["duplicate_of_id"]) == ("closed", original.id)
    error_of(client.post(f"/api/v1/questions/{question.id}/answers", json={"body": "A" * 40},
                         headers=bearer(make_doctor())), 403, "forbidden")
    client.post(content_url("question", question.id, "reopen"), json={"reason": "Different"}, headers=mod_headers)
    detail = client.get(f"/api/v1/questions/{question.id}").get_json()
    assert (detail["status"], detail["duplicate_of_id"]) == ("open", None)
    assert question.status == QuestionStatus.OPEN


def test_a_duplicate_without_a_valid_original_is_a_422(client, mod_headers, question):
    error = error_of(client.post(content_url("question", question.id, "close_duplicate"),
                                 json={"reason": "Asked before", "duplicate_of_id": question.id}, headers=mod_headers),
                     422, "invalid")
    assert "duplicate_of_id" in error["fields"]


def test_a_moderator_edit_changes_the_text_and_marks_it(client, mod_headers, question, posted):
    response = client.post(content_url("answer", posted.id, "edit"),
                           json={"reason": "Removed a phone number", "body": "Microneedling helps a little."},
                           headers=mod_headers)
    assert response.status_code == 200
    detail = client.get(f"/api/v1/questions/{question.id}").get_json()
    assert detail["answers"][0]["body"] == "Microneedling helps a little."
    db.session.refresh(posted)
    assert posted.moderator_edited_at is not None


def test_the_api_marks_a_moderator_edit(client, mod_headers, question, posted):
    client.post(content_url("answer", posted.id, "edit"), json={"reason": "Phone number", "body": "Edited text."},
                headers=mod_headers)
    detail = client.get(f"/api/v1/questions/{question.id}").get_json()
    assert detail["moderator_edited_at"] is None and detail["answers"][0]["moderator_edited_at"]


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_a_removed_question_leaves_the_doctors_answer_count(client, mod_headers, question, posted, doctor, action):
    profile_url = f"/api/v1/doctors/{doctor.doctor_profile.id}"
    assert client.get(profile_url).get_json()["answer_count"] == 1
    client.post(content_url("question", question.id, action), json={"reason": "Spam"}, headers=mod_headers)
    assert client.get(profile_url).get_json()["answer_count"] == 0
    client.post(content_url("question", question.id, "restore"), json={"reason": "Fine"}, headers=mod_headers)
    assert client.get(profile_url).get_json()["answer_count"] == 1


@pytest.mark.parametrize("body, field", [({}, "reason"), ({"reason": "no"}, "reason"),
                                         ({"reason": "Retitle", "title": "Too short", "body": "Long enough"}, "title"),
                                         ({"reason": "Why not", "surprise": 1}, "surprise")])
def test_an_invalid_action_body_is_a_422(client, mod_headers, question, body, field):
    error = error_of(client.post(content_url("question", question.id, "edit"), json=body, headers=mod_headers),
                     422, "invalid")
    assert field in error["fields"]
    assert question.moderator_edited_at is None


def test_an_action_that_does_not_fit_is_a_422_and_a_missing_item_a_404(client, mod_headers, posted):
    error = error_of(client.post(content_url("answer", posted.id, "lock"), json={"reason": "Lock it"},
                                 headers=mod_headers), 422, "invalid")
    assert "action" in error["fields"]
    error_of(client.post(content_url("answer", 424242, "hide"), json={"reason": "Gone"}, headers=mod_headers),
             404, "not_found")
    error_of(client.post("/api/v1/mod/content/widget/1/hide", json={"reason": "Gone"}, headers=mod_headers),
             404, "not_found")


def test_unhiding_a_deleted_answer_is_a_409(client, mod_headers, posted):
    client.post(content_url("answer", posted.id, "delete"), json={"reason": "Spam"}, headers=mod_headers)
    error_of(client.post(content_url("answer", posted.id, "unhide"), json={"reason": "Oops"}, headers=mod_headers),
             409, "conflict")
    db.session.refresh(posted)
    assert posted.hidden and posted.deleted_at is not None


def test_dismissing_flags_closes_them_and_changes_nothing(client, bearer, mod_headers, question, posted):
    client.post("/api/v1/flags", json=flag_body(posted), headers=bearer(make_user()))
    response = client.post(content_url("answer", posted.id, "dismiss"), json={"reason": "Nothing wrong"},
                           headers=mod_headers)
    assert response.status_code == 200
    assert [f.status for f in db.session.scalars(select(Flag))] == [FlagStatus.DISMISSED]
    assert client.get("/api/v1/mod/flags", headers=mod_headers).get_json() == []
    assert answer_ids(client, question) == [posted.id]


def test_suspending_a_doctors_verification(client, bearer, mod_headers, doctor, question):
    profile_id = doctor.doctor_profile.id
    response = client.post(content_url("doctor", profile_id, "suspend_verification"),
                           json={"reason": "License under investigation"}, headers=mod_headers)
    assert response.status_code == 200
    assert client.get(f"/api/v1/doctors/{profile_id}").get_json()["status"] == "suspended"
    error_of(client.post(f"/api/v1/questions/{ask(make_user()).id}/answers", json={"body": "A" * 40},
                         headers=bearer(doctor)), 403, "forbidden")
    error_of(client.post(content_url("doctor", profile_id, "suspend_verification"), json={"reason": "Again"},
                         headers=mod_headers), 409, "conflict")


# ---- users ----

def test_moderators_search_users(client, mod_headers, asker):
    response = client.get("/api/v1/mod/users?q=pat", headers=mod_headers)
    assert response.status_code == 200
    (row,) = response.get_json()["items"]
    assert (row["id"], row["email"], row["role"], row["status"]) == (asker.id, asker.email, "member", "active")
    assert "password_hash" not in row


def test_a_moderator_suspends_a_member_for_some_days(client, mod_headers, asker):
    response = client.post(f"/api/v1/mod/users/{asker.id}/suspend", json={"reason": "Spam", "days": 7},
                           headers=mod_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "suspended" and body["suspended_until"]
    error = error_of(client.post(f"/api/v1/mod/users/{asker.id}/suspend", json={"reason": "Spam", "days": 0},
                                 headers=mod_headers), 422, "invalid")
    assert "days" in error["fields"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MODERATOR])
@pytest.mark.parametrize("action", ["suspend", "ban", "restore", "promote", "demote"])
def test_a_moderator_cannot_act_on_an_admin_or_another_moderator(client, mod_headers, role, action):
    target = make_user(role=role)
    error_of(client.post(f"/api/v1/mod/users/{target.id}/{action}", json={"reason": "Trying", "days": 1},
                         headers=mod_headers), 403, "forbidden")
    assert target.role == role and target.status == UserStatus.ACTIVE
    assert count(ModerationLog) == 0


def test_only_admins_promote_and_demote(client, bearer, mod_headers, asker):
    error_of(client.post(f"/api/v1/mod/users/{asker.id}/promote", json={"reason": "Helpful"}, headers=mod_headers),
             403, "forbidden")
    admin_headers = bearer(make_admin())
    response = client.post(f"/api/v1/mod/users/{asker.id}/promote", json={"reason": "Helpful"},
                           headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["role"] == "moderator"
    response = client.post(f"/api/v1/mod/users/{asker.id}/demote", json={"reason": "Stepped down"},
                           headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["role"] == "member"


def test_acting_on_a_missing_user_is_a_404_for_staff_only(client, bearer, mod_headers):
    error_of(client.post("/api/v1/mod/users/424242/ban", json={"reason": "Nobody"}, headers=mod_headers),
             404, "not_found")
    error_of(client.post("/api/v1/mod/users/424242/ban", json={"reason": "Nobody"}, headers=bearer(make_user())),
             403, "forbidden")


# ---- the log ----

def test_the_log_lists_every_action_with_actor_target_and_reason_and_filters(client, bearer, mod_headers, moderator,
                                                                             question, posted, asker):
    admin = make_admin()
    client.post(content_url("answer", posted.id, "hide"), json={"reason": "Under review"}, headers=mod_headers)
    client.post(content_url("question", question.id, "lock"), json={"reason": "Heated"}, headers=mod_headers)
    client.post(f"/api/v1/mod/users/{asker.id}/ban", json={"reason": "Ban evasion"}, headers=bearer(admin))
    items = client.get("/api/v1/mod/log", headers=mod_headers).get_json()["items"]
    assert [(e["actor_id"], e["action"], e["target_type"], e["target_id"], e["reason"]) for e in items] == [
        (admin.id, "user.ban", "user", str(asker.id), "Ban evasion"),
        (moderator.id, "question.lock", "question", str(question.id), "Heated"),
        (moderator.id, "answer.hide", "answer", str(posted.id), "Under review")]
    assert all(e["created_at"] for e in items)

    def actions(query):
        return [e["action"] for e in client.get(f"/api/v1/mod/log?{query}", headers=mod_headers).get_json()["items"]]

    assert actions(f"actor_id={admin.id}") == ["user.ban"]
    assert actions("action=answer.hide") == ["answer.hide"]
    assert actions(f"target_type=question&target_id={question.id}") == ["question.lock"]
    error_of(client.get("/api/v1/mod/log?actor_id=x", headers=mod_headers), 422, "invalid")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_log_cannot_be_written_through_the_api(client, mod_headers, method):
    response = getattr(client, method)("/api/v1/mod/log", json={"reason": "rewrite"}, headers=mod_headers)
    error_of(response, 405)


def test_the_openapi_document_lists_the_moderation_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/flags", "/mod/flags", "/mod/users", "/mod/log"):
        assert any(p.endswith(path) for p in paths), path
    assert any("/mod/content/" in p for p in paths) and any("/mod/users/{user_id}/" in p for p in paths)


# ---- who reaches /api/v1/mod ----

def api_mod_routes(app, question, profile, user) -> list[tuple[str, str]]:
    values = {"profile_id": profile.id, "user_id": user.id, "target_type": "question", "target_id": question.id}
    actions = {"api_moderation.act_on_user": "suspend", "api_moderation.act_on_content": "delete"}
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/mod"):
            continue
        args = {name: values[name] for name in rule.arguments if name in values}
        if "action" in rule.arguments:
            args["action"] = actions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = BODIES[rule.endpoint] if method == "POST" else None  # valid: the refusal is about who asks
            routes.append((method, rule.build(args)[1], body))
    assert len(routes) >= 8
    return routes


BODIES = {"api_moderation.act_on_user": {"reason": "Trying my luck", "days": 3},
          "api_moderation.act_on_content": {"reason": "Trying my luck"},
          "api_moderation.decide": {"decision": "reject", "reason": "Trying my luck"}}


@pytest.mark.parametrize("who", ["member", "doctor", "pending doctor"])
def test_members_and_doctors_are_forbidden_on_every_mod_route(app, client, bearer, question, who):
    actor = {"member": make_user, "doctor": make_doctor,
             "pending doctor": lambda: make_doctor(status=VerificationStatus.PENDING)}[who]()
    routes = api_mod_routes(app, question, make_doctor(status=VerificationStatus.PENDING).doctor_profile, make_user())
    headers = bearer(actor)
    statuses = {}
    for method, path, body in routes:
        response = client.open(path, method=method, headers=headers, json=body)
        statuses[(method, path)] = response.status_code
        error_of(response, 403, "forbidden")
    assert set(statuses.values()) == {403}
    assert count(ModerationLog) == 0 and not question.hidden


def test_visitors_get_401_on_every_mod_route(app, client, question):
    routes = api_mod_routes(app, question, make_doctor(status=VerificationStatus.PENDING).doctor_profile, make_user())
    for method, path, body in routes:
        error_of(client.open(path, method=method, json=body), 401, "unauthorized")


def test_a_member_session_is_forbidden_on_mod_routes_too(client, browser, question):
    browser.login(make_user())
    token = browser.api_token()
    error_of(client.get("/api/v1/mod/flags"), 403, "forbidden")
    error_of(client.post(content_url("question", question.id, "delete"), json={"reason": "Mine now"},
                         headers={"X-CSRFToken": token}), 403, "forbidden")
    assert not question.hidden


# ---- suspended and banned users on every write ----

def api_writes(question, answer) -> list[tuple[str, dict]]:
    application = {k: v for k, v in application_data().items()}
    return [
        ("/api/v1/questions", {"title": "Can micro-botox calm oily skin on my forehead?",
                               "body": "My forehead is shiny by noon even with blotting papers. Would it help?",
                               "topics": ["oily-skin"], "treatments": []}),
        (f"/api/v1/questions/{question.id}/answers", {"body": "Micro-botox reduces oil for three to four months."}),
        (f"/api/v1/answers/{answer.id}/follow-ups", {"body": "Thank you, how long does it last?"}),
        (f"/api/v1/answers/{answer.id}/helpful", {}),
        ("/api/v1/flags", {"target_type": "answer", "target_id": str(answer.id), "reason": "spam"}),
        ("/api/v1/consultations", {"doctor_id": answer.author.doctor_profile.id, "concern": "Oily forehead",
                                   "description": "My forehead is shiny by noon; what would you suggest?",
                                   "contact_method": "message"}),
        ("/api/v1/doctor-application", application),
        ("/api/v1/tokens", {"name": "my script", "password": PASSWORD}),
    ]


def _rows() -> dict:
    return {m.__name__: count(m) for m in (Question, Answer, FollowUp, HelpfulVote, Flag, ConsultationRequest,
                                           ApiToken, DoctorProfile)}


@pytest.mark.parametrize("action, days", [("suspend", 7), ("ban", None)])
@pytest.mark.parametrize("who", ["asker", "other doctor"])
def test_suspended_and_banned_users_get_401_on_every_write_with_their_token(
        client, bearer, mod_headers, question, posted, asker, action, days, who):
    user = asker if who == "asker" else make_doctor()
    headers = bearer(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    client.post(f"/api/v1/mod/users/{user.id}/{action}", json={"reason": "Spam", "days": days}, headers=mod_headers)
    before = _rows()
    for path, body in api_writes(question, posted):
        error_of(client.post(path, json=body, headers=headers), 401, "unauthorized")
    assert _rows() == before
    error_of(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


@pytest.mark.parametrize("action, days", [("suspend", 7), ("ban", None)])
def test_suspended_and_banned_users_get_401_on_every_write_with_their_session(
        client, browser, mod_headers, question, posted, asker, action, days):
    browser.login(asker)
    token = browser.api_token()
    client.post(f"/api/v1/mod/users/{asker.id}/{action}", json={"reason": "Spam", "days": days}, headers=mod_headers)
    before = _rows()
    for path, body in api_writes(question, posted):
        error_of(client.post(path, json=body, headers={"X-CSRFToken": token}), 401, "unauthorized")
    assert _rows() == before


def test_a_banned_user_cannot_get_a_new_token(client, mod_headers, asker):
    client.post(f"/api/v1/mod/users/{asker.id}/ban", json={"reason": "Abuse"}, headers=mod_headers)
    response = client.post("/api/v1/auth/token", json={"email": asker.email, "password": PASSWORD, "name": "again"})
    assert response.status_code in (401, 422)
    assert count(ApiToken) == 1  # only the moderator's


def test_a_restored_user_needs_a_new_token_as_the_suspension_revoked_the_old(client, bearer, mod_headers, asker):
    headers = bearer(asker)
    client.post(f"/api/v1/mod/users/{asker.id}/suspend", json={"reason": "Cool off", "days": 1}, headers=mod_headers)
    error_of(client.get("/api/v1/me", headers=headers), 401)
    client.post(f"/api/v1/mod/users/{asker.id}/restore", json={"reason": "Appeal"}, headers=mod_headers)
    error_of(client.get("/api/v1/me", headers=headers), 401)
    assert client.get("/api/v1/me", headers=bearer(asker)).status_code == 200


def test_a_suspension_ends_by_itself_when_its_days_pass(frozen_clock, client, bearer, mod_headers, asker):
    headers = bearer(asker)
    client.post(f"/api/v1/mod/users/{asker.id}/suspend", json={"reason": "Cool off", "days": 1}, headers=mod_headers)
    error_of(client.post("/api/v1/flags", json={"target_type": "question", "target_id": "1", "reason": "spam"},
                         headers=headers), 401)
    frozen_clock.advance(days=1, minutes=1)
    error_of(client.get("/api/v1/me", headers=headers), 401)  # the suspension revoked it
    headers = bearer(asker)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.post("/api/v1/questions", headers=headers, json={
        "title": "Can micro-botox calm oily skin on my forehead?",
        "body": "My forehead is shiny by noon even with blotting papers. Would it help?",
        "topics": ["oily-skin"], "treatments": []})
    assert response.status_code == 201
