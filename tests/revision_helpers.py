"""A small forum for the revision tests: a public question with one answer, a reference post and a treatment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forum.extensions import db
from forum.models import Answer, Article, ArticleStatus, Question, Topic, User
from forum.services import answers, questions
from tests import factories

ARTICLE = {"title": "About pores", "summary": "What pores are.", "body": "Pores are small openings.",
           "author_name": "Editorial team", "featured": False}
TREATMENT = {"name": "Chemical peel", "kind": "procedure", "how_it_works": "An acid lifts the top layer.",
             "prescription": False}


@dataclass
class Forum:
    asker: User
    doctor: User
    moderator: User
    question: Question
    answer: Answer
    article: Article


def build() -> Forum:
    db.session.add(Topic(slug="enlarged-pores", name="Enlarged pores", description="Visible pores."))
    db.session.add(Article(slug="about-pores", status=ArticleStatus.PUBLISHED, published_on=date(2026, 1, 5),
                           **ARTICLE))
    factories.make_treatment()
    asker, doctor, moderator = factories.make_user(), factories.make_doctor(), factories.make_moderator()
    question = questions.ask_question(asker, title="Do pore strips shrink pores for good?",
                                      body="I use them weekly and wonder whether they help.",
                                      topics=["enlarged-pores"], treatments=[]).question
    answer = answers.post_answer(doctor, question_id=question.id, body="They empty pores for a while only.")
    article = db.session.query(Article).one()
    return Forum(asker, doctor, moderator, question, answer, article)


def edit_question(forum: Forum, title: str, body: str) -> Question:
    return questions.edit_question(forum.asker, question_id=forum.question.id, title=title, body=body,
                                   topics=["enlarged-pores"], treatments=[])


def edit_answer(forum: Forum, body: str) -> Answer:
    return answers.edit_answer(forum.doctor, answer_id=forum.answer.id, body=body)
