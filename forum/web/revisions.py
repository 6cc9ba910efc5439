"""Edit history pages (questions, answers, reference posts, treatments) and the moderators' rollback."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import Invalid
from forum.i18n import _
from forum.services import revisions

bp = Blueprint("revisions", __name__)

_HISTORY = {"question": ("revisions.question_history", "question_id"),
            "answer": ("revisions.answer_history", "answer_id"),
            "article": ("revisions.article_history", "slug"), "treatment": ("revisions.treatment_history", "slug")}


def content_url(kind: str, subject) -> str:
    """Where the content itself is shown."""
    if kind == "question":
        return url_for("questions.show", question_id=subject.id, slug=subject.slug)
    if kind == "answer":
        question = subject.question
        return url_for("questions.show", question_id=question.id, slug=question.slug) + f"#answer-{subject.id}"
    return url_for(f"reference.{kind}", slug=subject.slug)


def history_url(kind: str, subject) -> str:
    endpoint, key = _HISTORY[kind]
    return url_for(endpoint, **{key: subject.slug if key == "slug" else subject.id})


def _page(kind: str, subject, status: int = 200, errors: dict | None = None, form=None):
    title = subject.question.title if kind == "answer" else getattr(subject, "title", None) or subject.name
    return render_template("revisions/history.html", kind=kind, subject=subject, title=title,
                           changes=revisions.history(subject, current_user), content_url=content_url(kind, subject),
                           errors=errors or {}, form=form or {}), status


@bp.get("/questions/<int:question_id>/history")
def question_history(question_id):
    return _page("question", revisions.load_subject(current_user, "question", question_id))


@bp.get("/answers/<int:answer_id>/history")
def answer_history(answer_id):
    return _page("answer", revisions.load_subject(current_user, "answer", answer_id))


@bp.get("/articles/<slug>/history")
def article_history(slug):
    return _page("article", revisions.load_subject(current_user, "article", slug))


@bp.get("/treatments/<slug>/history")
def treatment_history(slug):
    return _page("treatment", revisions.load_subject(current_user, "treatment", slug))


@bp.post("/revisions/<int:revision_id>/rollback")
@login_required
def rollback(revision_id):
    """A moderator restores the version a revision kept; the reason is required."""
    try:
        added = revisions.rollback(current_user, revision_id=revision_id, reason=request.form.get("reason"))
    except Invalid as refused:
        revision = revisions.get_revision(revision_id)
        return _page(revision.subject_type, revisions.subject_of(revision), 422,
                     errors={revision.id: refused.fields}, form=request.form)
    flash(_("Restored the version from revision %(number)s.", number=added.rollback_to))
    return redirect(history_url(added.subject_type, revisions.subject_of(added)), 303)
