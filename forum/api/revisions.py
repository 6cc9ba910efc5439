"""API: edit history of questions, answers, reference posts and treatments; moderators' rollback."""
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.auth import AUTH, actor
from forum.schemas.revisions import RevisionOut, RollbackIn
from forum.services import revisions

blp = Blueprint("api_revisions", __name__, description="Edit history and rollback")


def _history(kind: str, key):
    return revisions.history(revisions.load_subject(current_user, kind, key), current_user)


@blp.get("/questions/<int:question_id>/revisions")
@blp.response(200, RevisionOut(many=True))
def question_revisions(question_id):
    """Every edit of a question, newest first, with the version it replaced and a word diff."""
    return _history("question", question_id)


@blp.get("/answers/<int:answer_id>/revisions")
@blp.response(200, RevisionOut(many=True))
def answer_revisions(answer_id):
    """Every edit of an answer, newest first."""
    return _history("answer", answer_id)


@blp.get("/articles/<slug>/revisions")
@blp.response(200, RevisionOut(many=True))
def article_revisions(slug):
    """Every edit of a reference post, newest first."""
    return _history("article", slug)


@blp.get("/treatments/<slug>/revisions")
@blp.response(200, RevisionOut(many=True))
def treatment_revisions(slug):
    """Every edit of a treatment page, newest first."""
    return _history("treatment", slug)


@blp.post("/revisions/<int:revision_id>/rollback")
@blp.arguments(RollbackIn)
@blp.response(201, RevisionOut)
@blp.doc(security=AUTH)
def rollback(data, revision_id):
    """A moderator restores the version this revision kept, with a reason (logged). The version replaced is kept
    as a new revision, returned here."""
    added = revisions.rollback(actor(), revision_id=revision_id, reason=data["reason"])
    return next(change for change in _history(added.subject_type, _key(added)) if change.revision.id == added.id)


def _key(revision):
    subject = revisions.subject_of(revision)
    return subject.slug if revision.subject_type in ("article", "treatment") else subject.id
