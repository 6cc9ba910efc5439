"""Revisions: every edit of a question, answer, reference post or treatment keeps the version it
replaced, with who and when; the history shows a word diff per edit; moderators roll back (logged)."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import delete, func, select

from forum import clock
from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l
from forum.ids import is_valid_id
from forum.models import Answer, Article, Question, Revision, Treatment, User
from forum.permissions import can, require, staff_account
from forum.services import search_index
from forum.services.moderation import log_action

# kind -> (model, the fields a revision keeps, in the order the history shows them)
KINDS: dict[str, tuple[type, tuple[str, ...]]] = {
    "question": (Question, ("title", "body")),
    "answer": (Answer, ("body", "offers_treatment", "industry_ties")),
    "article": (Article, ("title", "summary", "body", "author_name", "author_bio", "sources")),
    "treatment": (Treatment, ("name", "kind", "summary", "how_it_works", "sessions", "downtime", "durability",
                              "cautions", "prescription", "cost_min", "cost_max", "cost_currency", "cost_note",
                              "sources")),
}
FIELD_LABELS = {"how_it_works": _l("How it works"), "offers_treatment": _l("Offers this treatment"),
                "industry_ties": _l("Industry ties"), "cost_note": _l("Cost note"), "author_bio": _l("Author bio"),
                "cost_min": _l("Lowest cost"), "cost_max": _l("Highest cost"), "cost_currency": _l("Cost currency"),
                "prescription": _l("Prescription only"), "title": _l("Title"), "body": _l("Body"),
                "summary": _l("Summary"), "author_name": _l("Author name"), "sources": _l("Sources"),
                "name": _l("Name"), "kind": _l("Kind"), "sessions": _l("Sessions"), "downtime": _l("Downtime"),
                "durability": _l("Durability"), "cautions": _l("Cautions")}
SEED_REASON = "seed"  # the reason of a revision `forum seed` made (it has no editor)
_INDEX = {"question": search_index.index_question, "answer": search_index.index_answer,
          "article": search_index.index_article, "treatment": search_index.index_treatment}
MAX_REASON = 500


def kind_of(subject) -> str | None:
    """The revision kind of an object, or None for things whose edits are not kept (follow-ups)."""
    return next((kind for kind, (model, _) in KINDS.items() if isinstance(subject, model)), None)


def snapshot(subject) -> dict:
    """The kept fields of `subject` as they are now (JSON-safe; lists copied, so later changes stay out)."""
    return {name: _plain(getattr(subject, name)) for name in KINDS[kind_of(subject)][1]}


def _plain(value):
    if isinstance(value, list):
        return [dict(item) if isinstance(item, dict) else item for item in value]
    return value


def record(subject, editor: User | None, *, reason: str | None = None,
           rollback_to: int | None = None, kept: dict | None = None) -> Revision | None:
    """Keep `subject` as it is now, before `editor` changes it. Call it after the edit's checks
    passed and before the change; runs in the caller's transaction. An accepted answer that is
    edited is marked "edited after it was accepted". `kept`: the version to keep when the caller
    took it before changing `subject` (`forum seed`)."""
    kind = kind_of(subject)
    if kind is None or subject.id is None:
        return None
    model = KINDS[kind][0]  # lock the subject's row: concurrent edits of it are numbered one after the other
    db.session.execute(select(model.id).where(model.id == subject.id).with_for_update())
    number = db.session.scalar(select(func.coalesce(func.max(Revision.number), 0))
                               .where(Revision.subject_type == kind, Revision.subject_id == subject.id)) + 1
    revision = Revision(subject_type=kind, subject_id=subject.id, number=number, editor=editor, reason=reason,
                        snapshot=kept if kept is not None else snapshot(subject), rollback_to=rollback_to)
    db.session.add(revision)
    if kind == "answer" and subject.accepted:
        subject.edited_after_accepted = True
    return revision


def forget_authored_by(user: User) -> None:
    """Drop the kept versions of a member's questions and answers (their account is erased: the
    earlier versions could still carry their name). Runs in the caller's transaction."""
    authored = (((Revision.subject_type == "question")
                 & Revision.subject_id.in_(select(Question.id).where(Question.author_id == user.id)))
                | ((Revision.subject_type == "answer")
                   & Revision.subject_id.in_(select(Answer.id).where(Answer.author_id == user.id))))
    db.session.execute(delete(Revision).where(authored))


# ---- reading ----

@dataclass
class FieldDiff:
    name: str
    label: str
    html: Markup  # escaped text with <del>/<ins> around the changed words


@dataclass
class Change:
    """One edit: the revision (the version it replaced, who, when), who made it as the viewer may
    know them, and what it changed."""
    revision: Revision
    editor: str
    diffs: list[FieldDiff]
    text_shown: bool = True

    @property
    def previous(self) -> dict | None:
        return self.revision.snapshot if self.text_shown else None


@dataclass
class EarlierVersion:
    """What "revision.view_text" is asked about: a kept version, its subject, who made the edit that
    replaced it and every later one."""
    revision: Revision
    subject: object
    later_editors: list


def word_diff(old, new) -> Markup:
    """`old` to `new` word by word, as escaped HTML: removed words in <del>, added ones in <ins>."""
    before, after = _words(old), _words(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Markup("<del>%s</del>") % "".join(before[i1:i2]))
        if j2 > j1:
            parts.append(Markup("<ins>%s</ins>") % "".join(after[j1:j2]))
    return Markup("").join(parts)


def _words(value) -> list[str]:
    text = _("yes") if value is True else _("no") if value is False else _text(value)
    return [token for token in re.split(r"(\s+)", text) if token]


def _text(value) -> str:
    if isinstance(value, list):  # sources: one line each
        return "\n".join(" ".join(str(part) for part in item.values()) if isinstance(item, dict) else str(item)
                         for item in value)
    return value if isinstance(value, str) else "" if value is None else str(value)


def _diffs(kind: str, before: dict, after: dict) -> list[FieldDiff]:
    return [FieldDiff(name, str(FIELD_LABELS.get(name, name.replace("_", " ").capitalize())),
                      word_diff(before.get(name), after.get(name)))
            for name in KINDS[kind][1] if before.get(name) != after.get(name)]


def load_subject(viewer: User | None, kind: str, key) -> object:
    """The question, answer (by id), reference post or treatment (by slug) whose history the
    viewer asks for: the same visibility rule as the content itself, else NotFound."""
    if kind not in KINDS:
        raise NotFound()
    model = KINDS[kind][0]
    if kind in ("question", "answer"):
        subject = db.session.get(model, key) if is_valid_id(key) else None
    else:
        subject = db.session.scalar(select(model).where(model.slug == str(key)))
    if subject is None or not _visible(viewer, kind, subject):
        raise NotFound()
    return subject


def _visible(viewer: User | None, kind: str, subject) -> bool:
    if kind == "question":
        return can(viewer, "question.view", subject)
    if kind == "answer":
        return can(viewer, "answer.view", subject) and can(viewer, "question.view", subject.question)
    if kind == "article":
        return can(viewer, "article.view", subject)
    return True


def editor_name(viewer: User | None, kind: str, subject, editor: User | None, reason: str | None = None) -> str:
    """Who made an edit, as the viewer may know them: staff as "a moderator", an anonymous asker
    as "the asker" (named only to those who may see the asker), doctors by their verified name."""
    if editor is None:
        return _("site editors (content update)") if reason == SEED_REASON else _("a deleted user")
    if staff_account(editor):
        return _("a moderator")
    if kind == "question" and subject.anonymous and editor.id == subject.author_id \
            and not can(viewer, "question.see_asker", subject):
        return _("the asker")
    profile = editor.doctor_profile
    return profile.full_name if profile is not None and profile.is_verified else editor.display_name


def history(subject, viewer: User | None = None) -> list[Change]:
    """Every kept edit of `subject`, newest first, each with the word diff of what it changed; the
    earlier text only where "revision.view_text" lets the viewer see it (else `text_shown` is False,
    no diff: who and when only)."""
    kind = kind_of(subject)
    kept = list(db.session.scalars(select(Revision).where(Revision.subject_type == kind,
                                                          Revision.subject_id == subject.id)
                                   .order_by(Revision.number)))
    afters = [revision.snapshot for revision in kept[1:]] + [snapshot(subject)]
    changes = []
    for index, (revision, after) in enumerate(zip(kept, afters)):
        earlier = EarlierVersion(revision, subject, [later.editor for later in kept[index:]])
        shown = can(viewer, "revision.view_text", earlier)
        changes.append(Change(revision, editor_name(viewer, kind, subject, revision.editor, revision.reason),
                              _diffs(kind, revision.snapshot, after) if shown else [], shown))
    return changes[::-1]


def get_revision(revision_id) -> Revision:
    revision = db.session.get(Revision, revision_id) if is_valid_id(revision_id) else None
    if revision is None:
        raise NotFound()
    return revision


def subject_of(revision: Revision):
    subject = db.session.get(KINDS[revision.subject_type][0], revision.subject_id)
    if subject is None:
        raise NotFound()
    return subject


# ---- rolling back ----

def rollback(actor: User, *, revision_id: int, reason: str | None) -> Revision:
    """A moderator restores the version a revision kept. The version replaced is kept in turn (a new
    revision saying which one was restored and why), the moderation log records it. Commits."""
    require(actor, "content.rollback")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": [_("Say why you roll this back.")]})
    if len(reason) > MAX_REASON:
        raise Invalid(fields={"reason": [_("Keep the reason under %(max)s characters.", max=MAX_REASON)]})
    target = get_revision(revision_id)
    subject, kind = subject_of(target), target.subject_type
    added = record(subject, actor, reason=reason, rollback_to=target.number)
    for name in KINDS[kind][1]:
        if name in target.snapshot:
            setattr(subject, name, target.snapshot[name])
    if kind in ("question", "answer"):
        subject.moderator_edited_at = clock.now()
    db.session.flush()
    _INDEX[kind](subject)
    log_action(actor, f"{kind}.rollback", kind, subject.id, f"Rolled back to revision {target.number}: {reason}",
               _label(kind, subject))
    db.session.commit()
    return added


def _label(kind: str, subject) -> str:
    if kind == "answer":
        return f"Answer to: {subject.question.title}"
    return getattr(subject, "title", None) or getattr(subject, "name", "")
