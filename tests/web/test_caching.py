"""Reads that scale: visitors' pages from the shared page cache with validators (304), no write
on any visitor GET, buffered view counts, stored aggregates and rendered Markdown, and query
budgets that hold whatever the number of rows."""
from __future__ import annotations

import gc
import re

import pytest
from sqlalchemy import select, text

from forum import cache
from forum.extensions import db
from forum.models import Question
from forum.services import answers, questions, site, stats
from forum.services.seed import load_seed
from tests.conftest import csrf_token
from tests.factories import make_doctor, make_user

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


@pytest.fixture
def seeded(app):
    load_seed(app.config["SEED_PATH"])


def ask(asker, n: int = 0, topics=("acne",), treatments=("microneedling",)) -> Question:
    return questions.ask_question(
        asker, title=f"Does microneedling help acne scars, case {n}?",
        body=f"I have **acne scars** and wonder whether microneedling is worth it (case {n}).",
        topics=list(topics), treatments=list(treatments)).question


def answered_question(n: int = 0, doctors: int = 1) -> Question:
    question = ask(make_user(), n)
    for _ in range(doctors):
        answers.post_answer(make_doctor(), question_id=question.id, body=f"It can help some scars, case {n}.")
    return question


def public_paths(question: Question) -> list[str]:
    doctor_id = question.answers[0].author.doctor_profile.id
    return ["/", "/questions", f"/questions/{question.id}/{question.slug}", "/topics", "/topics/acne",
            "/treatments", "/treatments/microneedling", "/articles", "/doctors",
            f"/doctors/{doctor_id}",
            "/search?q=microneedling", "/feeds/questions.atom", "/feeds/topics/acne.atom", "/sitemap.xml",
            "/api/v1/questions", f"/api/v1/questions/{question.id}", "/api/v1/topics", "/api/v1/treatments",
            "/api/v1/doctors", f"/api/v1/doctors/{doctor_id}", "/api/v1/search?q=microneedling", "/api/v1/articles"]


# ---- no writes on GET ----

@pytest.mark.parametrize("page_cache", [60, 0], ids=["page-cache-on", "page-cache-off"])
def test_no_visitor_get_of_a_public_page_writes_to_the_database(app, client, seeded, count_queries, page_cache):
    app.config["PAGE_CACHE_SECONDS"] = page_cache
    question = answered_question()
    stats.refresh_all()
    for path in public_paths(question):
        for _ in range(2):  # a miss, then (with the cache on) a hit
            with count_queries() as q:
                response = client.get(path, follow_redirects=True)
            assert response.status_code == 200, path
            assert [s for s in q.statements if WRITE.match(s)] == [], path


def test_a_signed_in_members_question_view_writes_nothing_either(app, browser, client, seeded, count_queries):
    question = answered_question()
    browser.login(make_user())
    with count_queries() as q:
        assert client.get(f"/questions/{question.id}/{question.slug}").status_code == 200
    assert [s for s in q.statements if WRITE.match(s)] == []


# ---- views are buffered, then flushed in one batch ----

def test_views_are_counted_in_the_buffer_and_written_by_the_flush(client, seeded):
    question = answered_question()
    for _ in range(3):
        client.get(f"/questions/{question.id}/{question.slug}")  # a miss, then hits of the page cache
    client.get(f"/api/v1/questions/{question.id}")
    assert db.session.scalar(select(Question.view_count).where(Question.id == question.id)) == 0
    assert questions.flush_view_counts() == 4
    db.session.expire_all()
    assert db.session.get(Question, question.id).view_count == 4
    assert questions.flush_view_counts() == 0  # running it again changes nothing


def test_views_of_a_hidden_question_are_not_counted(seeded):
    question = answered_question()
    questions.record_view(question.id)
    question.hidden = True
    db.session.commit()
    questions.flush_view_counts()
    db.session.expire_all()
    assert db.session.get(Question, question.id).view_count == 0


# ---- HTTP caching: validators, audiences, invalidation ----

def test_a_visitor_page_is_public_with_validators_and_a_conditional_get_gets_304(client, seeded):
    question = answered_question()
    url = f"/questions/{question.id}/{question.slug}"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=30"
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "Cookie" in first.headers["Vary"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_an_edit_changes_the_etag_and_the_visitor_sees_it_at_once(client, seeded):
    question = answered_question()
    url = f"/questions/{question.id}/{question.slug}"
    before = client.get(url)
    questions.edit_question(question.author, question_id=question.id, title=question.title,
                            body="Edited: my scars are from acne years ago; is microneedling still worth it?",
                            topics=["acne"], treatments=["microneedling"])
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert "Edited: my scars" in after.get_data(as_text=True)


def test_a_new_answer_shows_on_cached_pages_at_once(client, seeded):
    question = answered_question()
    url = f"/questions/{question.id}/{question.slug}"
    client.get(url), client.get("/questions"), client.get(f"/api/v1/questions/{question.id}")
    answers.post_answer(make_doctor(full_name="Dr. Late Answerer"), question_id=question.id,
                        body="A second opinion from a fictional doctor.")
    assert "A second opinion from a fictional doctor." in client.get(url).get_data(as_text=True)
    assert len(client.get(f"/api/v1/questions/{question.id}").get_json()["answers"]) == 2


def test_pages_carrying_a_csrf_token_are_never_shared(client, seeded, monkeypatch):
    from forum.web import caching

    monkeypatch.setattr(caching, "CACHEABLE", caching.CACHEABLE | {"auth.login"})  # a cacheable page with a form
    response = client.get("/login")
    assert "public" not in response.headers["Cache-Control"]
    token = csrf_token(client, "/login")
    other = client.application.test_client().get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in other and token not in other


def test_a_visitor_with_a_message_waiting_or_a_token_is_not_served_the_shared_page(client, seeded):
    question = answered_question()
    url = f"/questions/{question.id}/{question.slug}"
    assert client.get(url).headers["Cache-Control"].startswith("public")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "A message only for this visitor.")]
    assert "A message only for this visitor." in client.get(url).get_data(as_text=True)
    bearer = client.application.test_client().get(url, headers={"Authorization": "Bearer nonsense"})
    assert "public" not in bearer.headers.get("Cache-Control", "")


def test_head_requests_are_answered_from_the_page_cache_too(client, seeded):
    question = answered_question()
    url = f"/questions/{question.id}/{question.slug}"
    etag = client.get(url).headers["ETag"]
    head = client.head(url)
    assert head.status_code == 200 and head.headers["ETag"] == etag and head.get_data() == b""


def test_a_moderator_hiding_an_answer_or_deleting_a_question_updates_visitor_pages_at_once(client, seeded):
    from forum.services import moderation_content
    from tests.factories import make_moderator

    question = answered_question(doctors=2)
    neighbour = answered_question(1)
    url = f"/questions/{question.id}/{question.slug}"
    neighbour_url = f"/questions/{neighbour.id}/{neighbour.slug}"
    hidden_answer = question.answers[0]
    assert hidden_answer.body in client.get(url).get_data(as_text=True)
    assert question.title in client.get(neighbour_url).get_data(as_text=True)  # listed as related
    moderator = make_moderator()
    moderation_content.moderate_content(moderator, target_type="answer", target_id=hidden_answer.id, action="hide",
                                reason="Medical misinformation")
    moderation_content.moderate_content(moderator, target_type="question", target_id=question.id, action="delete",
                                reason="Contains a phone number")
    assert client.get(url).status_code == 404
    assert question.title not in client.get(neighbour_url).get_data(as_text=True)


def test_consultation_and_account_pages_are_no_store_and_member_pages_private(browser, client, seeded):
    question = answered_question()
    browser.login(make_user())
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    assert client.get("/consultations").headers["Cache-Control"] == "no-store"
    member = client.get(f"/questions/{question.id}/{question.slug}")
    assert member.headers["Cache-Control"] == "private, no-cache"


def test_a_member_never_gets_the_visitors_cached_page(browser, client, seeded):
    question = answered_question()
    url = f"/questions/{question.id}/{question.slug}"
    client.get(url)  # cached for visitors
    member = make_user(display_name="Member Marisol")
    browser.login(member)
    assert "Member Marisol" in client.get(url).get_data(as_text=True)


# ---- stored derivatives: rebuilt from scratch, they equal what writes produced ----

def test_rerendering_all_markdown_changes_nothing_after_normal_writes(seeded):
    from forum.services import moderation_content
    from tests.factories import make_moderator

    question = answered_question(doctors=2)
    answer = question.answers[0]
    answers.add_follow_up(question.author, answer_id=answer.id, body="Thanks, *doctor*: how many sessions?")
    moderation_content.moderate_content(make_moderator(), target_type="answer", target_id=answer.id, action="edit",
                                reason="Removed a clinic name", body="An edited answer with **emphasis**.")
    answer.author.doctor_profile.bio = "A *fictional* doctor's edited bio."
    db.session.commit()
    assert "<strong>emphasis</strong>" in answer.body_html
    assert "<em>fictional</em>" in answer.author.doctor_profile.bio_html
    assert "<strong>acne scars</strong>" in question.body_html
    assert site.rerender_markdown() == 0
    db.session.execute(text("UPDATE questions SET body_html = '<p>stale</p>'"))
    db.session.commit()
    assert site.rerender_markdown() == 1
    db.session.expire_all()
    assert "<strong>acne scars</strong>" in db.session.get(Question, question.id).body_html


def test_stored_aggregates_match_a_fresh_count(seeded):
    question = answered_question(doctors=2)
    answered_question(1)
    stats.refresh_all()
    assert stats.read("home") == {"verified_doctors": 3, "doctor_answers": 3, "answered_questions": 2}
    acne = next(t for t in questions.reference.list_topics() if t.slug == "acne")
    assert len(stats.read(f"topic:{acne.id}")["doctors"]) == 3
    question.hidden = True
    db.session.commit()
    stats.refresh_all()
    assert stats.read("home") == {"verified_doctors": 3, "doctor_answers": 1, "answered_questions": 1}


def test_the_page_cache_and_view_counts_are_shared_between_app_processes(redis_app_pair):
    first, second = redis_app_pair
    with first.app_context():
        load_seed(first.config["SEED_PATH"])
        question = answered_question()
        qid, url = question.id, f"/questions/{question.id}/{question.slug}"
    first.test_client().get(url)
    with second.app_context():
        answers.post_answer(make_doctor(full_name="Dr. Other Process"), question_id=qid,
                            body="Written through the second server.")
    assert "Written through the second server." in first.test_client().get(url).get_data(as_text=True)
    served = second.test_client().get(url)  # rendered by the first server, kept in Redis
    assert served.headers["X-SQL-Statements"] == "0"
    with first.app_context():
        assert questions.flush_view_counts() == 3  # three views, through either server


# ---- query budgets: a fixed number of statements whatever the rows ----

LISTING_PAGES = ["/", "/questions", "/questions?topic=acne&sort=active", "/questions?treatment=microneedling",
                 "/questions?answered=yes&sort=helpful", "/topics", "/topics/acne", "/treatments",
                 "/treatments/microneedling", "/articles", "/doctors", "/search?q=microneedling",
                 "/feeds/questions.atom", "/feeds/topics/acne.atom", "/sitemap.xml", "/api/v1/questions",
                 "/api/v1/doctors", "/api/v1/topics", "/api/v1/treatments", "/api/v1/articles",
                 "/api/v1/search?q=microneedling", "{question}", "/api/v1/questions/{id}", "/doctors/{doctor}",
                 "/api/v1/doctors/{doctor}", "/articles/enlarged-pores-what-they-are-and-what-shrinks-them",
                 "/api/v1/articles/enlarged-pores-what-they-are-and-what-shrinks-them"]
MEMBER_PAGES = ["/notifications", "/consultations", "/api/v1/notifications", "/api/v1/consultations"]


def _grow(question: Question) -> None:
    """More of everything a listing page shows: questions, answers, doctors, votes, follow-ups."""
    for n in range(1, 5):
        answered_question(n, doctors=2)
    for _ in range(3):
        doctor = make_doctor()
        answer = answers.post_answer(doctor, question_id=question.id, body="Another fictional opinion, briefly.")
        answers.mark_helpful(make_user(), answer_id=answer.id)
        answers.add_follow_up(question.author, answer_id=answer.id, body="Thank you: how long does it last?")
        answers.review_answer(make_doctor(), answer_id=answer.id, verdict="agree")
    stats.refresh_all()


def _statements(client, count_queries, path: str) -> int:
    client.get(path, follow_redirects=True)  # warm: kept reference lists are rebuilt after changes
    # The test's session outlives requests and its identity map holds rows only while something refers to
    # them: collect garbage so that what earlier requests left behind does not decide which rows load again.
    gc.collect()
    with count_queries() as q:
        response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, path
    return q.count


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_listing_pages_cost_the_same_statements_whatever_the_rows(app, browser, client, seeded, count_queries,
                                                                 signed_in):
    app.config["PAGE_CACHE_SECONDS"] = 0  # the rendering itself, as a signed-in member gets it
    question = answered_question()
    first = question.answers[0]  # one of each thing a question page shows, then many of them
    answers.mark_helpful(make_user(), answer_id=first.id)
    answers.add_follow_up(question.author, answer_id=first.id, body="Thank you: is it painful at all?")
    answers.review_answer(make_doctor(), answer_id=first.id, verdict="agree")
    answered_question(99)  # a related question
    stats.refresh_all()
    if signed_in:
        browser.login(make_user())
    doctor_id = question.answers[0].author.doctor_profile.id

    def paths():
        return [p.format(question=f"/questions/{question.id}/{question.slug}", id=question.id, doctor=doctor_id)
                for p in LISTING_PAGES + (MEMBER_PAGES if signed_in else [])]
    before = {p: _statements(client, count_queries, p) for p in paths()}
    _grow(question)
    after = {p: _statements(client, count_queries, p) for p in paths()}
    assert after == before


def test_the_maintenance_commands_run_and_report(app, seeded):
    answered_question()
    questions.record_view(1)
    runner = app.test_cli_runner()
    assert "1 view(s) written." in runner.invoke(args=["flush-views"]).output
    assert "aggregate(s) stored." in runner.invoke(args=["refresh-stats"]).output
    assert "Planner statistics refreshed." in runner.invoke(args=["optimize-db"]).output
    assert "0 text(s) re-rendered." in runner.invoke(args=["rerender"]).output
    refused = runner.invoke(args=["bench-data", "--questions", "10"])
    assert refused.exit_code != 0 and "already has questions" in refused.output


def test_pages_for_other_host_names_are_never_kept(client, seeded):
    question = answered_question()
    url = f"/questions/{question.id}/{question.slug}"
    odd = client.get(url, headers={"Host": "evil.example"})
    assert odd.status_code == 200 and odd.headers["Cache-Control"] == "private, no-cache"


def test_pages_still_answer_while_redis_is_down(app, client, seeded):
    """A cache outage costs speed, not pages: reads miss and views are skipped."""
    app.extensions["forum_cache"] = cache.RedisBackend("redis://127.0.0.1:1/0")  # nothing listens there
    question = answered_question()
    for path in ("/", f"/questions/{question.id}/{question.slug}", f"/api/v1/questions/{question.id}"):
        response = client.get(path)
        assert response.status_code == 200 and "public" not in response.headers["Cache-Control"]
    assert questions.flush_view_counts() == 0


def test_production_refuses_to_start_without_a_shared_redis():
    from forum import create_app

    with pytest.raises(RuntimeError, match="FORUM_REDIS_URL"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 40})
    assert create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "REDIS_URL": "redis://127.0.0.1:6379/13"})
