"""Bench data: a small run on either engine leaves every counter, the search index and the
schema exactly as the services would, renders bodies as render_markdown does, and refuses
databases it must not touch."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select, text

from forum.extensions import db
from forum.models import (
    Answer, AnswerReview, DoctorProfile, Follow, FollowUp, HelpfulVote, Question, SearchDocument, SearchTerm, User,
    Verdict,
)
from forum.services import answers, bench_data, questions, search, search_index
from forum.services.seed import load_seed
from forum.text import render_markdown
from tests.factories import make_user

QUESTIONS = 300
NOW = datetime(2026, 6, 1, 12, 0)


def _schema() -> list:
    """Every index, constraint and trigger of the database, to compare before and after a load."""
    if db.engine.dialect.name == "postgresql":
        sql = ("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() UNION ALL "
               "SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace")
    else:
        sql = "SELECT name || ':' || coalesce(sql, '') FROM sqlite_master WHERE type IN ('index', 'trigger')"
    return sorted(db.session.execute(text(sql)).scalars())


@pytest.fixture
def seeded(app):
    load_seed(app.config["SEED_PATH"])
    return _schema()


@pytest.fixture
def bench(seeded):
    lines: list[str] = []
    counts = bench_data.generate(questions=QUESTIONS, seed=7, progress=lines.append, now=NOW)
    return counts, lines, seeded


def _documents() -> set[tuple]:
    return set(db.session.execute(select(SearchDocument.kind, SearchDocument.ref_id, SearchDocument.question_id,
                                         SearchDocument.title, SearchDocument.body, SearchDocument.tags,
                                         SearchDocument.slug)).all())


def test_bench_data_needs_the_reference_content(app):
    with pytest.raises(bench_data.BenchDataError, match=r"forum db upgrade && forum seed"):
        bench_data.generate(questions=10, progress=lambda _line: None)


def test_bench_data_refuses_a_database_that_has_questions(bench):
    with pytest.raises(bench_data.BenchDataError, match="already has questions"):
        bench_data.generate(questions=10, progress=lambda _line: None)


def test_bench_data_reports_what_it_wrote(bench):
    counts, lines, _schema_before = bench
    assert counts["questions"] == QUESTIONS == db.session.scalar(select(func.count()).select_from(Question))
    assert counts["answers"] == db.session.scalar(select(func.count()).select_from(Answer))
    assert counts["users"] == 20 + QUESTIONS // 5
    assert any("questions" in line for line in lines) and lines[-1].startswith("bench data:")


def test_question_and_doctor_counters_equal_a_recount(bench):
    stored = {q.id: (q.answer_count, q.helpful_count, q.status) for q in db.session.scalars(select(Question))}
    doctors = {p.user_id: (p.answer_count, p.helpful_count) for p in db.session.scalars(select(DoctorProfile))}
    for question in db.session.scalars(select(Question)):
        answers.recount_question(question)
        assert (question.answer_count, question.helpful_count, question.status) == stored[question.id]
    for user in db.session.scalars(select(User).join(DoctorProfile, DoctorProfile.user_id == User.id)):
        answers.recount_doctor(user)
        assert (user.doctor_profile.answer_count, user.doctor_profile.helpful_count) == doctors[user.id]
    assert sum(answer_count for answer_count, _helpful in doctors.values()) > QUESTIONS
    db.session.rollback()


def test_answer_counters_follow_their_votes_reviews_and_follows(bench):
    votes = dict(db.session.execute(select(HelpfulVote.answer_id, func.count()).group_by(HelpfulVote.answer_id)).all())
    reviews = {(a, v): n for a, v, n in db.session.execute(
        select(AnswerReview.answer_id, AnswerReview.verdict, func.count()).group_by(AnswerReview.answer_id,
                                                                                     AnswerReview.verdict))}
    for answer in db.session.scalars(select(Answer)):
        assert answer.helpful_count == votes.get(answer.id, 0)
        assert answer.agree_count == reviews.get((answer.id, Verdict.AGREE), 0)
        assert answer.disagree_count == reviews.get((answer.id, Verdict.DISAGREE), 0)
    follows = dict(db.session.execute(select(Follow.question_id, func.count()).group_by(Follow.question_id)).all())
    assert {q.id: q.follower_count for q in db.session.scalars(select(Question))} == follows


def test_threads_have_a_plausible_shape(bench):
    all_questions = list(db.session.scalars(select(Question)))
    per_question = db.session.execute(select(Answer.question_id, func.count()).group_by(Answer.question_id)).all()
    assert sum(n == 20 for _qid, n in per_question) >= 3  # long threads (visible or not) for long pages
    assert 0 < sum(q.anonymous for q in all_questions) < QUESTIONS // 4
    for question in all_questions:
        times = [a.created_at for a in question.answers]
        assert all(question.created_at < t <= question.last_activity_at <= NOW for t in times)
        assert question.first_answer_at == (min(times) if times else None)
        assert 15 <= len(question.title) <= 150 and len(question.body) >= 30
        assert not re.search(r"\btry (.+) or \1 for\b", question.title)
        for body in [question.body] + [a.body for a in question.answers]:
            sentences = re.split(r"(?<=[.?])\s+", body)
            assert len(set(sentences)) == len(sentences), body
        accepted = [a.id for a in question.answers if a.accepted]
        assert accepted == ([question.accepted_answer_id] if question.accepted_answer_id else [])
        assert len({a.author_id for a in question.answers}) == len(question.answers)
    assert db.session.scalar(select(func.count()).select_from(HelpfulVote).join(Answer).where(
        HelpfulVote.user_id == Answer.author_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AnswerReview).where(
        AnswerReview.verdict == Verdict.DISAGREE, AnswerReview.reason.is_(None))) == 0
    for follow_up in db.session.scalars(select(FollowUp)):
        assert follow_up.author_id in (follow_up.answer.author_id, follow_up.answer.question.author_id)


def test_doctors_are_verified_with_a_license_and_topics(bench):
    doctors = list(db.session.scalars(select(User).join(DoctorProfile, DoctorProfile.user_id == User.id)))
    assert len(doctors) == 20
    for user in doctors:
        assert user.is_verified_doctor and user.doctor_profile.current_license.expires_on.year > NOW.year
        assert 2 <= len(user.doctor_profile.topics) <= 4
        assert user.doctor_profile.full_name.startswith("Dr. Bench Doctor ")


def test_search_documents_equal_what_index_question_writes(bench):
    before = _documents()
    terms = dict(db.session.execute(select(SearchTerm.term, SearchTerm.docs)).all())
    search_index.rebuild_in(db.session)
    db.session.flush()
    assert _documents() == before
    assert dict(db.session.execute(select(SearchTerm.term, SearchTerm.docs)).all()) == terms
    visible_answers = db.session.scalar(select(func.count()).select_from(Answer).join(Question).where(
        Answer.hidden.is_(False), Question.hidden.is_(False)))
    visible_questions = db.session.scalar(select(func.count()).select_from(Question).where(Question.hidden.is_(False)))
    assert sum(kind in ("question", "answer") for kind, *_rest in before) == visible_answers + visible_questions
    db.session.rollback()


def test_full_text_search_finds_the_common_and_the_rarer_word(bench):
    documents = [(title + " " + body).lower() for kind, _ref, _q, title, body, _t, _s in _documents()
                 if kind in ("question", "answer")]
    laser = sum("laser" in d for d in documents)
    assert 0.6 < laser / len(documents) < 0.9
    assert 0 < sum("melasma" in d for d in documents) / len(documents) < 0.15
    if db.engine.dialect.name == "sqlite":
        matched = db.session.scalar(text("SELECT count(*) FROM search_fts JOIN search_documents d "
                                         "ON d.id = search_fts.rowid WHERE search_fts MATCH 'laser' "
                                         "AND d.kind IN ('question', 'answer')"))
    else:
        matched = db.session.scalar(text("SELECT count(*) FROM search_documents "
                                         "WHERE tsv @@ plainto_tsquery('english', 'laser') "
                                         "AND kind IN ('question', 'answer')"))
    assert matched == laser
    assert search.search("melasma", limit=5).hits


def test_bodies_are_stored_rendered_as_render_markdown_would(bench):
    if "body_html" not in Question.__table__.c:
        pytest.skip("no body_html column yet")
    for model in (Question, Answer, FollowUp):
        for body, html in db.session.execute(select(model.body, model.body_html)):
            assert html == str(render_markdown(body))


def test_the_schema_is_whole_again_and_new_writes_work(bench):
    _counts, _lines, schema_before = bench
    assert _schema() == schema_before
    asker = make_user()  # the id sequences moved past the bulk ids
    asked = questions.ask_question(asker, title="Is a laser toning course worth it for melasma?",
                                   body="I would like to know how many sessions are usual for this.",
                                   topics=["dark-spots-and-redness"], treatments=[]).question
    assert asked.id > QUESTIONS
    assert asked.id in {hit.ref_id for hit in search.search("toning course", kind="question").hits}


def test_the_worker_process_makes_the_same_content_as_a_single_batch(seeded, monkeypatch):
    monkeypatch.setattr(bench_data, "CHUNK", 120)  # three batches: rows come from a worker process
    bench_data.generate(questions=QUESTIONS, seed=7, progress=lambda _line: None, now=NOW)
    written = db.session.execute(select(Question.title, Question.body, Question.answer_count).order_by(Question.id))
    vocabulary = bench_data.Vocabulary(*bench_data._reference_rows())
    maker = bench_data.Generator(QUESTIONS, 7, NOW, vocabulary, {table: 1 for table in bench_data.SERIAL_TABLES})
    maker.people()
    expected = maker.threads(0, QUESTIONS)["questions"]
    assert [tuple(row) for row in written] == [(row[2], row[3], row[9]) for row in expected]
