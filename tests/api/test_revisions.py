"""Edit history in the API: revisions newest first with the replaced version and an escaped word diff,
the "edited after accepted" field of answers, and the moderators' rollback (reason required)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ModerationLog, Revision
from forum.services import answers, moderation_content, reference
from tests import factories
from tests.api.helpers import error_of
from tests.revision_helpers import ARTICLE, build, edit_answer, edit_question


@pytest.fixture
def forum(app):
    return build()


def test_question_revisions_newest_first_with_the_replaced_version(forum, client, bearer):
    edit_question(forum, "Do pore strips shrink pores at all?", "I use them weekly and wonder whether they help.")
    edit_question(forum, "Do pore strips shrink pores at all?", "I use them daily and wonder whether they help.")
    response = client.get(f"/api/v1/questions/{forum.question.id}/revisions", headers=bearer(forum.asker))
    assert response.status_code == 200
    first, second = response.get_json()[1], response.get_json()[0]
    assert (second["number"], first["number"]) == (2, 1)
    assert first["previous"]["title"] == "Do pore strips shrink pores for good?"
    assert first["editor"] == forum.asker.display_name and first["created_at"].endswith("+00:00")
    assert second["changes"] == [{"field": "body", "label": "Body",
                                  "diff_html": "I use them <del>weekly</del><ins>daily</ins> and wonder whether "
                                               "they help."}]


@pytest.mark.parametrize("who", [None, "member", "doctor"])
def test_others_get_who_and_when_but_not_a_questions_earlier_text(forum, client, bearer, who):
    edit_question(forum, "Do pore strips shrink pores at all?", "I am Jo Bloggs (0123 456); do they help?")
    edit_question(forum, "Do pore strips shrink pores at all?", "Do they help?")
    viewer = {"member": factories.make_user, "doctor": lambda: forum.doctor}.get(who)
    response = client.get(f"/api/v1/questions/{forum.question.id}/revisions",
                          headers=bearer(viewer()) if viewer else {})
    assert response.status_code == 200 and "Jo Bloggs" not in response.get_data(as_text=True)
    for entry in response.get_json():
        assert (entry["previous"], entry["changes"], entry["text_shown"]) == (None, None, False)
        assert entry["editor"] and entry["created_at"]


def test_a_moderator_sees_a_questions_earlier_text(forum, client, bearer):
    edit_question(forum, "Do pore strips shrink pores at all?", "Do they help?")
    [entry] = client.get(f"/api/v1/questions/{forum.question.id}/revisions", headers=bearer(forum.moderator)).get_json()
    assert entry["previous"]["body"] == "I use them weekly and wonder whether they help."


def test_an_answers_earlier_advice_is_public_until_a_moderator_redacts(forum, client):
    edit_answer(forum, "They empty pores for a while. Call 0123 456.")
    [entry] = client.get(f"/api/v1/answers/{forum.answer.id}/revisions").get_json()
    assert entry["previous"]["body"] == "They empty pores for a while only." and entry["text_shown"] is True
    moderation_content.moderate_content(forum.moderator, target_type="answer", target_id=forum.answer.id,
                                        action="edit", reason="Phone number removed", body="They empty pores.")
    entries = client.get(f"/api/v1/answers/{forum.answer.id}/revisions").get_json()
    assert [entry["previous"] for entry in entries] == [None, None]


def test_answer_revisions_escape_what_people_typed(forum, client):
    edit_answer(forum, "Nothing <img src=x onerror=alert(1)> helps.")
    [revision] = client.get(f"/api/v1/answers/{forum.answer.id}/revisions").get_json()
    assert "<img" not in revision["changes"][0]["diff_html"]
    assert "&lt;img" in revision["changes"][0]["diff_html"]


def test_reference_post_revisions(forum, client):
    reference.save_article(forum.moderator, slug="about-pores", data={**ARTICLE, "title": "All about pores"})
    [revision] = client.get("/api/v1/articles/about-pores/revisions").get_json()
    assert revision["previous"]["title"] == "About pores" and revision["editor"] == "a moderator"
    assert client.get("/api/v1/treatments/chemical-peel/revisions").get_json() == []


def test_hidden_content_keeps_its_history_hidden(forum, client):
    moderation_content.moderate_content(forum.moderator, target_type="answer", target_id=forum.answer.id,
                                        action="hide", reason="Checking a claim")
    error_of(client.get(f"/api/v1/answers/{forum.answer.id}/revisions"), 404)
    error_of(client.get("/api/v1/questions/999999/revisions"), 404)


def test_an_answer_edited_after_acceptance_says_so(forum, client):
    answers.accept_answer(forum.asker, answer_id=forum.answer.id)
    [before] = client.get(f"/api/v1/questions/{forum.question.id}").get_json()["answers"]
    assert before["edited_after_accepted"] is False
    edit_answer(forum, "They empty pores for a while; the size comes back.")
    [after] = client.get(f"/api/v1/questions/{forum.question.id}").get_json()["answers"]
    assert after["edited_after_accepted"] is True


def test_a_moderator_rolls_back_with_a_reason(forum, client, bearer):
    original = forum.answer.body
    edit_answer(forum, "A second version.")
    edit_answer(forum, "A third version.")
    first = db.session.scalars(select(Revision).where(Revision.number == 1)).one()
    response = client.post(f"/api/v1/revisions/{first.id}/rollback", json={"reason": "Restores the caution"},
                           headers=bearer(forum.moderator))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["number"], body["rollback_to"], body["reason"]) == (3, 1, "Restores the caution")
    assert body["previous"]["body"] == "A third version."
    db.session.refresh(forum.answer)
    assert forum.answer.body == original
    assert db.session.scalar(select(ModerationLog).where(ModerationLog.action == "answer.rollback")) is not None


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}])
def test_a_rollback_needs_a_reason(forum, client, bearer, payload):
    edit_answer(forum, "A second version.")
    revision = db.session.scalars(select(Revision)).one()
    error = error_of(client.post(f"/api/v1/revisions/{revision.id}/rollback", json=payload,
                                 headers=bearer(forum.moderator)), 422)
    assert "reason" in error["fields"]
    db.session.refresh(forum.answer)
    assert forum.answer.body == "A second version."


def test_members_and_doctors_cannot_roll_back(forum, client, bearer):
    edit_answer(forum, "A second version.")
    revision = db.session.scalars(select(Revision)).one()
    for someone in (forum.doctor, forum.asker, factories.make_user()):
        error_of(client.post(f"/api/v1/revisions/{revision.id}/rollback", json={"reason": "Mine"},
                             headers=bearer(someone)), 403)
    error_of(client.post(f"/api/v1/revisions/{revision.id}/rollback", json={"reason": "Mine"}), 401)
    error_of(client.post("/api/v1/revisions/999999/rollback", json={"reason": "Gone"},
                         headers=bearer(forum.moderator)), 404)
