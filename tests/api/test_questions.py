"""Questions API: the same rules and refusals as the pages, in JSON; anonymity; cursor pages;
search with hostile strings; the dashboard; the rate limit."""
from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum import clock, mail

from forum.extensions import db
from forum.models import (
    Answer, AnswerReview, FollowUp, HelpfulVote, Invitation, Notification, OutboxMail, Question, QuestionStatus,
    Topic, VerificationStatus,
)
from forum.services import answers, outbox, questions, search_index
from forum.services.seed import load_seed
from tests.api.helpers import error_of
from tests.factories import make_doctor, make_moderator, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)

QUESTION = {"title": "Can micro-botox calm oily skin on my forehead?",
            "body": "My forehead is shiny by noon even with blotting papers. Would micro-botox help?",
            "topics": ["oily-skin"], "treatments": ["micro-botox"]}
ANSWER = {"body": "Micro-botox can reduce oil for three to four months; results vary between people.",
          "offers_treatment": True, "industry_ties": "Speaker fees from DermaCo"}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user, **overrides) -> Question:
    data = {"title": f"Can microneedling shrink enlarged pores, case {next(_n)}?",
            "body": "My pores on the nose and cheeks look large. Would microneedling make them smaller?",
            "topics": ["enlarged-pores"], "treatments": ["microneedling"], "anonymous": False}
    data.update(overrides)
    return questions.ask_question(user, **data).question


def answer(doctor, question, **overrides) -> Answer:
    data = {"body": "Microneedling can soften the look of pores a little over three to six sessions."}
    data.update(overrides)
    return answers.post_answer(doctor, question_id=question.id, **data)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def doctor_for(*topics, **overrides):
    user = make_doctor(**overrides)
    user.doctor_profile.topics = list(db.session.scalars(select(Topic).where(Topic.slug.in_(topics))))
    db.session.commit()
    return user


@pytest.fixture
def asker():
    return make_user(display_name="Pat Asker")


@pytest.fixture
def question(asker):
    return ask(asker)


# ---- asking ----

def test_a_member_asks_through_the_api(client, bearer, asker):
    response = client.post("/api/v1/questions", json=QUESTION, headers=bearer(asker))
    assert response.status_code == 201
    body = response.json
    assert body["title"] == QUESTION["title"] and body["author"] == {"id": asker.id, "display_name": "Pat Asker"}
    assert [t["slug"] for t in body["topics"]] == ["oily-skin"] and body["answers"] == []
    assert body["urgent_notice"] is False and body["follower_count"] == 1 and body["status"] == "open"


def test_a_red_flag_question_says_so(client, bearer, asker):
    response = client.post("/api/v1/questions", headers=bearer(asker), json={
        **QUESTION, "title": "Skin turning white after lip filler",
        "body": "Half an hour after lip filler my upper lip skin is turning white. What should I do?"})
    assert response.status_code == 201 and response.json["urgent_notice"] is True
    assert questions.urgent_questions(make_moderator())[0].id == response.json["id"]


def test_a_visitor_cannot_ask(client):
    error_of(client.post("/api/v1/questions", json=QUESTION), 401)
    assert count(Question) == 0


@pytest.mark.parametrize("change, field", [
    ({"title": "Too short?"}, "title"),
    ({"title": "x" * 151}, "title"),
    ({"body": "Too short."}, "body"),
    ({"body": "x" * 20_001}, "body"),
    ({"topics": [], "treatments": []}, "topics"),
    ({"topics": ["acne", "oily-skin", "scars", "lasers"], "treatments": ["microneedling", "micro-botox"]}, "topics"),
    ({"topics": ["no-such-topic"]}, "topics"),
    ({"treatments": ["no-such-treatment"]}, "treatments"),
    ({"title": "A title with a NUL \x00 character"}, "title"),
    ({"surprise": True}, "surprise"),
])
def test_bad_questions_are_422_with_field_errors_and_store_nothing(client, bearer, asker, change, field):
    error = error_of(client.post("/api/v1/questions", json={**QUESTION, **change}, headers=bearer(asker)), 422,
                     "invalid")
    assert field in error["fields"]
    assert count(Question) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ASK": "1 per minute"}])
def test_asking_too_often_is_429(client, bearer, asker):
    headers = bearer(asker)
    assert client.post("/api/v1/questions", json=QUESTION, headers=headers).status_code == 201
    error_of(client.post("/api/v1/questions", json={**QUESTION, "title": "Another question in the same minute"},
                         headers=headers), 429, "rate_limited")
    assert count(Question) == 1


def test_the_asker_edits_and_the_edit_time_is_kept(client, bearer, asker, question):
    response = client.put(f"/api/v1/questions/{question.id}", json=QUESTION, headers=bearer(asker))
    assert response.status_code == 200 and response.json["edited_at"] and response.json["title"] == QUESTION["title"]
    error_of(client.put(f"/api/v1/questions/{question.id}", json=QUESTION, headers=bearer(make_user())), 403)
    error_of(client.put("/api/v1/questions/999999", json=QUESTION, headers=bearer(asker)), 404)


def test_an_api_edit_that_leaves_out_anonymous_keeps_the_asker_hidden(client, bearer, asker):
    question = ask(asker, anonymous=True)
    assert client.put(f"/api/v1/questions/{question.id}", json=QUESTION, headers=bearer(asker)).status_code == 200
    assert client.get(f"/api/v1/questions/{question.id}").json["author"] is None
    response = client.put(f"/api/v1/questions/{question.id}", json={**QUESTION, "anonymous": False},
                          headers=bearer(asker))
    assert response.json["anonymous"] is False
    assert client.get(f"/api/v1/questions/{question.id}").json["author"]["display_name"] == "Pat Asker"


def test_similar_questions_are_suggested_while_typing(client, asker):
    for i in range(7):
        ask(asker, title=f"Pores on my chin keep getting bigger, case {i}")
    similar = client.get("/api/v1/questions/similar?title=chin pores").json
    assert len(similar) == 5 and all(s["url"].startswith("/questions/") for s in similar)
    assert client.get("/api/v1/questions/similar?title=zzzz").json == []
    error_of(client.get("/api/v1/questions/similar"), 422)


# ---- answering: every rule and its refusal ----

def test_a_verified_doctor_answers_with_a_disclosure(client, bearer, question):
    doctor = make_doctor(full_name="Dr. Dana Verified")
    response = client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER, headers=bearer(doctor))
    assert response.status_code == 201
    body = response.json
    assert body["disclosure"] == {"offers_treatment": True, "industry_ties": "Speaker fees from DermaCo"}
    assert body["doctor"]["full_name"] == "Dr. Dana Verified" and body["doctor"]["verified"] is True
    detail = client.get(f"/api/v1/questions/{question.id}").json
    assert detail["answer_count"] == 1 and detail["answers"][0]["disclosure"]["offers_treatment"] is True


@pytest.mark.parametrize("make_actor", [
    make_user,
    make_moderator,
    lambda: make_doctor(status=VerificationStatus.PENDING),
    lambda: make_doctor(status=VerificationStatus.REJECTED),
    lambda: make_doctor(status=VerificationStatus.LAPSED),
    lambda: make_doctor(license_expires_on=clock.now().date() - timedelta(days=1)),
], ids=["member", "moderator", "pending", "rejected", "lapsed", "license-expired"])
def test_only_verified_doctors_answer(client, bearer, question, make_actor):
    error_of(client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER, headers=bearer(make_actor())),
             403, "forbidden")
    assert count(Answer) == 0


def test_a_visitor_cannot_answer(client, question):
    error_of(client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER), 401)


def test_a_second_answer_is_409(client, bearer, question):
    headers = bearer(make_doctor())
    assert client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER, headers=headers).status_code == 201
    error_of(client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER, headers=headers), 409, "conflict")
    assert count(Answer) == 1


@pytest.mark.parametrize("state", ["locked", "closed"])
def test_no_answers_on_locked_or_closed_questions(client, bearer, question, state):
    if state == "locked":
        question.locked = True
    else:
        question.status = QuestionStatus.CLOSED
    db.session.commit()
    error_of(client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER, headers=bearer(make_doctor())), 403)
    assert count(Answer) == 0


def test_a_doctor_cannot_answer_their_own_question(client, bearer):
    doctor = make_doctor()
    own = ask(doctor)
    error_of(client.post(f"/api/v1/questions/{own.id}/answers", json=ANSWER, headers=bearer(doctor)), 403)


def test_answering_a_missing_or_hidden_question_is_404(client, bearer, question):
    headers = bearer(make_doctor())
    error_of(client.post("/api/v1/questions/999999/answers", json=ANSWER, headers=headers), 404)
    question.hidden = True
    db.session.commit()
    error_of(client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER, headers=headers), 404)


def test_a_bad_answer_is_422(client, bearer, question):
    error = error_of(client.post(f"/api/v1/questions/{question.id}/answers",
                                 json={"body": "Short", "industry_ties": "x" * 501}, headers=bearer(make_doctor())),
                     422)
    assert {"body", "industry_ties"} <= set(error["fields"])


def test_the_doctor_edits_their_answer_only(client, bearer, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    response = client.put(f"/api/v1/answers/{posted.id}", json={**ANSWER, "body": "Edited: expect a modest change only."},
                          headers=bearer(doctor))
    assert response.status_code == 200 and response.json["edited_at"] and response.json["body"].startswith("Edited")
    error_of(client.put(f"/api/v1/answers/{posted.id}", json=ANSWER, headers=bearer(make_doctor())), 403)


def test_an_answer_is_saved_and_its_mail_kept_when_the_mail_server_is_down(client, bearer, monkeypatch, asker,
                                                                          question, frozen_clock):
    def down(self, message):
        raise OSError("connection refused")

    working_send = mail.MemorySender.send
    monkeypatch.setattr(mail.MemorySender, "send", down)
    response = client.post(f"/api/v1/questions/{question.id}/answers", json=ANSWER, headers=bearer(make_doctor()))
    assert response.status_code == 201
    (queued,) = db.session.scalars(select(OutboxMail)).all()
    assert queued.to_address == asker.email and queued.sent_at is None and "connection refused" in queued.last_error
    monkeypatch.setattr(mail.MemorySender, "send", working_send)
    frozen_clock.advance(minutes=1, seconds=1)  # the first retry is due a minute later
    assert outbox.deliver_due() == 1 and [m["To"] for m in mail.SENT] == [asker.email]


# ---- accepting and helpful votes ----

def test_the_asker_accepts_and_moves_the_acceptance(client, bearer, asker, question):
    first, second = answer(make_doctor(), question), answer(make_doctor(), question)
    headers = bearer(asker)
    assert client.post(f"/api/v1/answers/{first.id}/accept", headers=headers).json["accepted"] is True
    assert client.post(f"/api/v1/answers/{second.id}/accept", headers=headers).json["accepted"] is True
    detail = client.get(f"/api/v1/questions/{question.id}").json
    assert detail["accepted_answer_id"] == second.id
    assert [(a["id"], a["accepted"]) for a in detail["answers"]] == [(second.id, True), (first.id, False)]


def test_only_the_asker_accepts(client, bearer, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    for other in (doctor, make_user(), make_moderator()):
        error_of(client.post(f"/api/v1/answers/{posted.id}/accept", headers=bearer(other)), 403)
    error_of(client.post(f"/api/v1/answers/{posted.id}/accept"), 401)
    error_of(client.post("/api/v1/answers/999999/accept", headers=bearer(make_user())), 404)


def test_helpful_once_per_member_and_not_ones_own(client, bearer, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    headers = bearer(make_user())
    assert client.post(f"/api/v1/answers/{posted.id}/helpful", headers=headers).json["helpful_count"] == 1
    error_of(client.post(f"/api/v1/answers/{posted.id}/helpful", headers=headers), 409, "conflict")
    error_of(client.post(f"/api/v1/answers/{posted.id}/helpful", headers=bearer(doctor)), 403)
    assert count(HelpfulVote) == 1


# ---- agree / disagree ----

def test_doctors_agree_and_disagree_with_a_reason(client, bearer, question):
    posted = answer(make_doctor(), question)
    agreed = client.post(f"/api/v1/answers/{posted.id}/reviews", json={"verdict": "agree"},
                         headers=bearer(make_doctor()))
    assert agreed.status_code == 201 and agreed.json["verdict"] == "agree" and agreed.json["reason"] is None
    disagreed = client.post(f"/api/v1/answers/{posted.id}/reviews",
                            json={"verdict": "disagree", "reason": "Pores do not shrink; their look improves."},
                            headers=bearer(make_doctor(full_name="Dr. Dis Agree")))
    assert disagreed.status_code == 201 and disagreed.json["doctor"] == "Dr. Dis Agree"
    shown = client.get(f"/api/v1/questions/{question.id}").json["answers"][0]
    assert (shown["agree_count"], shown["disagree_count"]) == (1, 1)
    assert "Pores do not shrink; their look improves." in [r["reason"] for r in shown["reviews"]]


@pytest.mark.parametrize("payload", [{"verdict": "disagree"}, {"verdict": "disagree", "reason": ""},
                                     {"verdict": "disagree", "reason": "No."}])
def test_a_disagreement_without_a_reason_is_422(client, bearer, question, payload):
    posted = answer(make_doctor(), question)
    error = error_of(client.post(f"/api/v1/answers/{posted.id}/reviews", json=payload, headers=bearer(make_doctor())),
                     422)
    assert "reason" in error["fields"] and count(AnswerReview) == 0


def test_a_review_needs_a_known_verdict(client, bearer, question):
    posted = answer(make_doctor(), question)
    error = error_of(client.post(f"/api/v1/answers/{posted.id}/reviews", json={"verdict": "meh"},
                                 headers=bearer(make_doctor())), 422)
    assert "verdict" in error["fields"]


@pytest.mark.parametrize("make_actor", [make_user, lambda: make_doctor(status=VerificationStatus.PENDING)],
                         ids=["member", "pending"])
def test_only_verified_doctors_review(client, bearer, question, make_actor):
    posted = answer(make_doctor(), question)
    error_of(client.post(f"/api/v1/answers/{posted.id}/reviews", json={"verdict": "agree"},
                         headers=bearer(make_actor())), 403)


def test_a_doctor_cannot_review_their_own_answer(client, bearer, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    error_of(client.post(f"/api/v1/answers/{posted.id}/reviews", json={"verdict": "agree"}, headers=bearer(doctor)),
             403)


# ---- follow-ups ----

def test_the_asker_and_the_doctor_exchange_follow_ups(client, bearer, asker, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    first = client.post(f"/api/v1/answers/{posted.id}/follow-ups", json={"body": "How many sessions?"},
                        headers=bearer(asker))
    assert first.status_code == 201 and first.json["author_role"] == "asker"
    reply = client.post(f"/api/v1/answers/{posted.id}/follow-ups", json={"body": "Three."}, headers=bearer(doctor))
    assert reply.status_code == 201 and reply.json["author_role"] == "doctor"
    shown = client.get(f"/api/v1/questions/{question.id}").json["answers"][0]["follow_ups"]
    assert [f["body"] for f in shown] == ["How many sessions?", "Three."]


@pytest.mark.parametrize("make_actor", [make_user, make_doctor, make_moderator], ids=["member", "doctor", "moderator"])
def test_nobody_else_adds_follow_ups(client, bearer, question, make_actor):
    posted = answer(make_doctor(), question)
    error_of(client.post(f"/api/v1/answers/{posted.id}/follow-ups", json={"body": "Can I join?"},
                         headers=bearer(make_actor())), 403)
    assert count(FollowUp) == 0


def test_an_empty_follow_up_is_422(client, bearer, asker, question):
    posted = answer(make_doctor(), question)
    error = error_of(client.post(f"/api/v1/answers/{posted.id}/follow-ups", json={"body": " "}, headers=bearer(asker)),
                     422)
    assert "body" in error["fields"]


# ---- invitations ----

def test_the_asker_invites_up_to_three_matching_doctors(client, bearer, asker, question):
    doctors = [doctor_for("enlarged-pores") for _ in range(4)]
    headers = bearer(asker)
    response = client.post(f"/api/v1/questions/{question.id}/invitations",
                           json={"doctor_ids": [d.doctor_profile.id for d in doctors[:3]]}, headers=headers)
    assert response.status_code == 201 and len(response.json) == 3
    error = error_of(client.post(f"/api/v1/questions/{question.id}/invitations",
                                 json={"doctor_ids": [doctors[3].doctor_profile.id]}, headers=headers), 422)
    assert "doctor_ids" in error["fields"]
    assert count(Invitation) == 3
    assert [count(Notification, Notification.user_id == d.id, Notification.kind == "invitation")
            for d in doctors] == [1, 1, 1, 0]


@pytest.mark.parametrize("doctor_ids", [[], [1, 2, 3, 4]])
def test_an_invitation_list_of_wrong_size_is_422(client, bearer, asker, question, doctor_ids):
    error = error_of(client.post(f"/api/v1/questions/{question.id}/invitations", json={"doctor_ids": doctor_ids},
                                 headers=bearer(asker)), 422)
    assert "doctor_ids" in error["fields"]


@pytest.mark.parametrize("make_invitee", [
    lambda: doctor_for("acne"),
    lambda: doctor_for("enlarged-pores", status=VerificationStatus.PENDING),
    lambda: make_user(),
], ids=["other-topics", "pending", "member"])
def test_only_matching_verified_doctors_are_invited(client, bearer, asker, question, make_invitee):
    invitee = make_invitee()
    target = invitee.doctor_profile.id if invitee.doctor_profile else 999999
    error_of(client.post(f"/api/v1/questions/{question.id}/invitations", json={"doctor_ids": [target]},
                         headers=bearer(asker)), 422)
    assert count(Invitation) == 0 and count(Notification) == 0


def test_only_the_asker_invites(client, bearer, question):
    invitee = doctor_for("enlarged-pores")
    error_of(client.post(f"/api/v1/questions/{question.id}/invitations",
                         json={"doctor_ids": [invitee.doctor_profile.id]}, headers=bearer(make_user())), 403)


# ---- anonymous askers ----

def test_an_anonymous_asker_is_hidden_in_the_api_except_from_them_and_moderators(client, bearer, asker):
    question = ask(asker, anonymous=True)
    listed = client.get("/api/v1/questions").json["items"][0]
    assert listed["anonymous"] is True and listed["author"] is None
    public = client.get(f"/api/v1/questions/{question.id}")
    assert public.json["author"] is None and "Pat Asker" not in public.get_data(as_text=True)
    assert client.get(f"/api/v1/questions/{question.id}", headers=bearer(make_user())).json["author"] is None
    assert client.get(f"/api/v1/questions/{question.id}", headers=bearer(make_doctor())).json["author"] is None
    mine = client.get(f"/api/v1/questions/{question.id}", headers=bearer(asker)).json["author"]
    assert mine == {"id": asker.id, "display_name": "Pat Asker"}
    staff = client.get(f"/api/v1/questions/{question.id}", headers=bearer(make_moderator())).json["author"]
    assert staff == {"id": asker.id, "display_name": "Pat Asker"}
    for path in ("/api/v1/questions?sort=active", "/api/v1/search?q=microneedling", "/api/v1/questions/similar?title=pores"):
        assert "Pat Asker" not in client.get(path).get_data(as_text=True)


def test_asking_anonymously_through_the_api_returns_the_askers_own_view(client, bearer, asker):
    response = client.post("/api/v1/questions", json={**QUESTION, "anonymous": True}, headers=bearer(asker))
    assert response.json["anonymous"] is True and response.json["author"]["display_name"] == "Pat Asker"
    assert client.get(f"/api/v1/questions/{response.json['id']}").json["author"] is None


# ---- browsing: cursor pages ----

def _walk(client, query: str, insert) -> list[int]:
    seen, cursor = [], None
    while True:
        path = f"/api/v1/questions?{query}&limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(path)
        assert page.status_code == 200, page.get_data(as_text=True)
        seen += [q["id"] for q in page.json["items"]]
        insert()
        cursor = page.json["next_cursor"]
        if not cursor:
            return seen


@pytest.mark.parametrize("query", ["sort=newest", "sort=active", "sort=helpful", "topic=acne", "treatment=micro-botox",
                                   "answered=yes", "answered=no", "topic=acne&treatment=micro-botox&sort=helpful"])
def test_walking_the_api_pages_while_questions_arrive_skips_and_repeats_nothing(client, asker, query, frozen_clock):
    doctor = make_doctor()
    for i in range(20):
        frozen_clock.advance(seconds=i % 2)  # shared timestamps: the id breaks ties
        q = ask(asker, topics=["acne"] if i % 2 else ["oily-skin"], treatments=["micro-botox"] if i % 3 else [])
        if i % 3 == 0:
            posted = answer(doctor, q)
            if i % 2:
                answers.mark_helpful(make_user(), answer_id=posted.id)
    filters = dict(p.split("=") for p in query.split("&"))
    expected = {q.id for q in questions.list_questions(None, limit=100, **filters).items}
    seen = _walk(client, query, lambda: ask(make_user(), topics=["acne"], treatments=["micro-botox"]))
    assert len(seen) == len(set(seen)) and expected <= set(seen) and len(seen) > 4


@pytest.mark.parametrize("query", ["sort=sideways", "answered=maybe", "limit=0", "limit=101", "cursor=garbage",
                                   "cursor=W1tdXQ"])
def test_bad_list_arguments_are_422(client, query):
    error_of(client.get(f"/api/v1/questions?{query}"), 422)


def test_hidden_questions_are_missing_from_the_api(client, bearer, asker, question):
    question.hidden = True
    search_index.index_question(question)
    db.session.commit()
    assert client.get("/api/v1/questions").json["items"] == []
    error_of(client.get(f"/api/v1/questions/{question.id}"), 404)
    assert client.get(f"/api/v1/questions/{question.id}", headers=bearer(asker)).status_code == 200
    assert client.get(f"/api/v1/questions/{question.id}", headers=bearer(make_moderator())).status_code == 200
    assert client.get("/api/v1/search?q=microneedling&kind=question").json["items"] == []


# ---- search ----

def test_search_finds_answers_with_highlighted_snippets(client, question):
    posted = answer(make_doctor(), question, body="Collagen induction with cryotherapy softens scarring.")
    (hit,) = client.get("/api/v1/search?q=cryotherapy").json["items"]
    assert hit["kind"] == "answer" and hit["url"] == f"/questions/{question.id}#answer-{posted.id}"
    assert "<mark>" in hit["snippet"]
    kinds = {h["kind"] for h in client.get("/api/v1/search?q=pores").json["items"]}
    assert {"question", "article"} <= kinds
    assert {h["kind"] for h in client.get("/api/v1/search?q=pores&kind=article").json["items"]} == {"article"}
    assert client.get("/api/v1/search?q=pores&kind=question&topic=acne").json["items"] == []


HOSTILE = ['"', "'", "pores' OR 1=1 --", "AND", "NEAR(a b)", "*", "pore*", "^", "(", ")", "😀", "مسام", "\u202e",
           "x" * 100, "\\", "%", "a:b", "<script>", "pores\x00acne", "\x00", "ＰＯＲＥＳ", "pores -acne | retinol & !x"]


def test_hostile_search_strings_never_give_a_500(client, question):
    for query in HOSTILE:
        for args in ({"q": query}, {"q": query, "kind": "question", "topic": "acne"}):
            response = client.get("/api/v1/search", query_string=args)
            assert response.status_code in (200, 422), (query, response.status_code)
            assert isinstance(response.json, dict) and ("items" in response.json) == (response.status_code == 200)
        response = client.get("/api/v1/questions/similar", query_string={"title": query})
        assert response.status_code in (200, 422), (query, response.status_code)


@pytest.mark.parametrize("path", ["/api/v1/search?q=pores&topic=%00", "/api/v1/search?q=pores&topic=%25",
                                  "/api/v1/questions?topic=%00", "/api/v1/questions?treatment=%00",
                                  "/api/v1/questions?topic=_"])
def test_nul_bytes_and_wildcards_in_filters_are_refused_on_every_database(client, path):
    assert 400 <= client.get(path).status_code < 500


def test_bad_search_arguments_are_422(client):
    error_of(client.get("/api/v1/search"), 422)
    error_of(client.get("/api/v1/search?q=" + "x" * 201), 422)
    error_of(client.get("/api/v1/search?q=pores&kind=users"), 422)


# ---- following and the dashboard ----

def test_follow_and_unfollow(client, bearer, question):
    headers = bearer(make_user())
    assert client.post(f"/api/v1/questions/{question.id}/follow", headers=headers).json["follower_count"] == 2
    assert client.delete(f"/api/v1/questions/{question.id}/follow", headers=headers).json["follower_count"] == 1
    error_of(client.post(f"/api/v1/questions/{question.id}/follow"), 401)


def test_the_dashboard_lists_invitations_first(client, bearer, asker):
    doctor = doctor_for("enlarged-pores")
    waiting = ask(make_user())
    invited = ask(asker)
    questions.invite_doctors(asker, question_id=invited.id, doctor_ids=[doctor.doctor_profile.id])
    items = client.get("/api/v1/doctor/dashboard", headers=bearer(doctor)).json["items"]
    assert [q["id"] for q in items] == [invited.id, waiting.id]


def test_the_dashboard_refuses_members_and_visitors(client, bearer):
    error_of(client.get("/api/v1/doctor/dashboard", headers=bearer(make_user())), 403)
    error_of(client.get("/api/v1/doctor/dashboard", headers=bearer(make_doctor(status=VerificationStatus.PENDING))),
             403)
    error_of(client.get("/api/v1/doctor/dashboard"), 401)


# ---- the OpenAPI document ----

def test_the_openapi_document_lists_the_question_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/questions", "/api/v1/questions/{question_id}", "/api/v1/questions/{question_id}/answers",
                 "/api/v1/answers/{answer_id}/accept", "/api/v1/answers/{answer_id}/helpful",
                 "/api/v1/answers/{answer_id}/reviews", "/api/v1/answers/{answer_id}/follow-ups",
                 "/api/v1/questions/{question_id}/invitations", "/api/v1/search", "/api/v1/doctor/dashboard"):
        assert path in paths, path
