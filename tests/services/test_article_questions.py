"""A reference post lists the answered questions on its topics and treatments, most helpful first:
public questions with a visible doctor answer only, newest first on ties, in one query."""
from __future__ import annotations

from pathlib import Path

import pytest

from forum.extensions import db
from forum.models import Article
from forum.services import answers, article_questions, moderation_content, questions, reference
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
# Topics: enlarged-pores, skin-texture, microdermabrasion, lasers, chemical-peels, photodynamic-therapy.
MAGAZINE = "you-cant-shrink-pores-but-you-can-make-them-look-smaller"


def ask(title: str, *, topics=(), treatments=()):
    return questions.ask_question(make_user(), title=title, body=f"{title} I would like a doctor's view on this.",
                                  topics=list(topics), treatments=list(treatments)).question


def answer(doctor, question, votes: int = 0):
    posted = answers.post_answer(doctor, question_id=question.id,
                                 body="A doctor's answer long enough to be posted on the forum.")
    for _ in range(votes):
        answers.mark_helpful(make_user(), answer_id=posted.id)
    return posted


def build_world(frozen_clock) -> dict:
    """Questions on the magazine post's subjects (and one off them), asked a day apart, oldest first."""
    load_seed(SEED)
    doctor = make_doctor()
    made = {}
    for name, subjects, votes in [
        ("peel", {"topics": ["chemical-peels"]}, 3),
        ("older_tie", {"treatments": ["microdermabrasion"]}, 1),
        ("newer_tie", {"topics": ["lasers"], "treatments": ["ablative-laser"]}, 1),
        ("no_votes", {"topics": ["skin-texture"]}, 0),
        ("unanswered", {"topics": ["enlarged-pores"]}, None),
        ("hidden", {"topics": ["enlarged-pores"]}, 5),
        ("answer_hidden", {"treatments": ["chemical-peel"]}, 4),
        ("off_subject", {"topics": ["botox"]}, 6),
    ]:
        frozen_clock.advance(days=1)
        made[name] = ask(f"Question called {name.replace('_', ' ')} about my skin", **subjects)
        if votes is not None:
            made[f"{name}_answer"] = answer(doctor, made[name], votes)
    moderator = make_moderator()
    moderation_content.moderate_content(moderator, target_type="question", target_id=made["hidden"].id,
                                        action="hide", reason="Off-topic advertising")
    moderation_content.moderate_content(moderator, target_type="answer", target_id=made["answer_hidden_answer"].id,
                                        action="hide", reason="Unsafe advice")
    db.session.commit()
    return made


@pytest.fixture
def world(app, frozen_clock):
    return build_world(frozen_clock)


def magazine_post() -> Article:
    return reference.get_article(None, MAGAZINE)


def test_answered_questions_on_the_posts_subjects_most_helpful_first_newest_on_ties(world):
    listed = [q.id for q in article_questions.answered_questions(magazine_post())]
    assert listed == [world["peel"].id, world["newer_tie"].id, world["older_tie"].id, world["no_votes"].id]


def test_hidden_unanswered_and_off_subject_questions_are_left_out(world):
    listed = {q.id for q in article_questions.answered_questions(magazine_post())}
    for name in ("unanswered", "hidden", "answer_hidden", "off_subject"):
        assert world[name].id not in listed, name


def test_helpful_count_is_the_votes_on_visible_answers_and_the_list_follows_new_votes(world):
    first = article_questions.answered_questions(magazine_post())[0]
    assert (first.id, first.helpful_count, first.answer_count) == (world["peel"].id, 3, 1)
    for _ in range(3):
        answers.mark_helpful(make_user(), answer_id=world["no_votes_answer"].id)
    listed = [q.id for q in article_questions.answered_questions(magazine_post())]
    assert listed[:2] == [world["no_votes"].id, world["peel"].id]  # 3 votes each: the newer first


def test_the_list_is_limited_and_a_post_without_subjects_lists_nothing(world):
    assert len(article_questions.answered_questions(magazine_post(), limit=2)) == 2
    bare = Article(slug="bare", title="A post without subjects", summary="s", body="b", author_name="a")
    assert article_questions.answered_questions(bare) == []


def test_the_list_takes_one_query_however_many_questions(world, count_queries):
    post = magazine_post()
    with count_queries() as queries:
        listed = article_questions.answered_questions(post)
        _ = [(q.title, q.slug, q.helpful_count, q.answer_count) for q in listed]
    assert len(listed) == 4 and queries.count == 1
