"""The answered questions a reference post lists: public Q&A on the post's topics and treatments."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.permissions import visible_questions
from forum.models import Article, Question
from forum.services import questions

ANSWERED_LIMIT = 10


def answered_questions(article: Article, limit: int = ANSWERED_LIMIT) -> list[Question]:
    """Up to `limit` public questions with at least one visible doctor answer, linked to any of the
    post's topics or treatments; most helpful first (the helpful votes on their visible answers,
    `Question.helpful_count`, as the questions list's "most helpful" sort), newest first on ties.

    The same for every reader (the article page is shared by visitors through the page cache, which
    any new answer, vote or hidden question invalidates). One query: rows carry no relationships."""
    topic_ids = [topic.id for topic in article.topics]
    treatment_ids = [treatment.id for treatment in article.treatments]
    if not topic_ids and not treatment_ids:
        return []
    stmt = (select(Question)
            .where(visible_questions(None), Question.answer_count > 0,
                   questions.in_any_subject(topic_ids, treatment_ids))
            .order_by(Question.helpful_count.desc(), Question.created_at.desc(), Question.id.desc())
            .limit(limit))
    return list(db.session.scalars(stmt))
