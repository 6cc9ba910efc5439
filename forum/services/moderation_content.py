"""Moderating content: flags (with the trust-weighted auto-hide) and moderator actions on content."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forum import clock
from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l
from forum.ids import is_valid_id
from forum.models import (
    Answer, ConsultationRequest, DoctorProfile, Flag, FlagStatus, FlagTarget, FollowUp, Question, QuestionStatus,
    Review, User, VerificationStatus,
)
from forum.permissions import can, require
from forum.services import following_fanout, moderation_trust, notifications, reviews, revisions, search_index
from forum.services.answers import recount_doctor, recount_question
from forum.services.moderation import log_action

MODELS = {FlagTarget.QUESTION: Question, FlagTarget.ANSWER: Answer, FlagTarget.FOLLOW_UP: FollowUp,
          FlagTarget.DOCTOR: DoctorProfile, FlagTarget.CONSULTATION: ConsultationRequest, FlagTarget.REVIEW: Review}
CONTENT_ACTIONS = {
    FlagTarget.QUESTION: {"hide", "unhide", "delete", "restore", "lock", "unlock", "close_duplicate", "reopen",
                          "edit", "dismiss", "clear_urgent", "approve"},
    FlagTarget.ANSWER: {"hide", "unhide", "delete", "restore", "edit", "dismiss"},
    FlagTarget.FOLLOW_UP: {"hide", "unhide", "delete", "restore", "edit", "dismiss"},
    FlagTarget.DOCTOR: {"suspend_verification", "restore_verification", "dismiss"},
    FlagTarget.CONSULTATION: {"dismiss"},
    FlagTarget.REVIEW: {"hide", "unhide", "approve", "dismiss"},
}


def load_target(target_type: str, target_id: int | str):
    """The flagged or moderated object, or NotFound."""
    try:
        model = MODELS[FlagTarget(target_type)]
        key = str(target_id) if model is ConsultationRequest else int(target_id)
    except (ValueError, KeyError):
        raise NotFound() from None
    if not isinstance(key, str) and not is_valid_id(key):
        raise NotFound()
    obj = db.session.get(model, key)
    if obj is None:
        raise NotFound()
    return obj


def author_of(obj) -> User | None:
    if isinstance(obj, ConsultationRequest):
        return None  # nobody is told about moderation of a private request
    return obj.user if isinstance(obj, DoctorProfile) else obj.author


def _question_of(obj) -> Question | None:
    if isinstance(obj, Question):
        return obj
    if isinstance(obj, Answer):
        return obj.question
    if isinstance(obj, FollowUp):
        return obj.answer.question
    return None


def _link(obj) -> str:
    if isinstance(obj, ConsultationRequest):
        return f"/consultations/{obj.id}"
    if isinstance(obj, Review):
        profile = obj.doctor.doctor_profile
        return f"/doctors/{profile.id}#review-{obj.id}" if profile else "/account/reviews"
    question = _question_of(obj)
    if question is None:
        return f"/doctors/{obj.id}"
    return f"/questions/{question.id}" + (f"#answer-{obj.id}" if isinstance(obj, Answer) else "")


def _label(obj) -> str:
    if isinstance(obj, DoctorProfile):
        return ""  # people are logged by id only (services/moderation.py: _name_people)
    if isinstance(obj, ConsultationRequest):
        return "private consultation"  # never any health detail in the log
    if isinstance(obj, Review):
        return f"review: {obj.treatment.name}"
    question = _question_of(obj)
    return question.title if question else ""


def refresh_visibility(obj) -> None:
    """Counts and the search index follow a visibility change. Runs in the caller's transaction."""
    if isinstance(obj, Question):
        search_index.index_question(obj)  # and its answers, which carry the question's visibility
        recount_question(obj)
        for author in {answer.author for answer in obj.answers if answer.author is not None}:
            recount_doctor(author)  # their public answer counts follow the question
    elif isinstance(obj, Answer):
        search_index.index_answer(obj)
        recount_question(obj.question)
        recount_doctor(obj.author)


# ---- flags ----

def _visible_to(viewer: User, obj) -> bool:
    """Whether the viewer can see the item at all (a hidden or deleted post is "not found" to
    everyone but its author and staff, so flagging must not reveal it)."""
    if isinstance(obj, DoctorProfile):
        return can(viewer, "doctor.view_profile", obj)
    if isinstance(obj, Review):
        return can(viewer, "review.view", obj)
    if isinstance(obj, FollowUp):
        return (not obj.hidden or _is_staff(viewer)) and _visible_to(viewer, obj.answer)
    if isinstance(obj, Answer):
        return can(viewer, "answer.view", obj) and can(viewer, "question.view", obj.question)
    return can(viewer, "question.view", obj)


def _is_staff(user: User) -> bool:
    return can(user, "content.moderate")


def flag_content(actor: User, *, target_type: str, target_id: int | str, reason: str,
                 note: str | None = None) -> Flag:
    """Report an item. One open flag per user per item, weighted by the reporter's trust; when the
    item's open flags weigh enough (three trusted users; new accounts alone never) it is hidden at
    once pending review, and its author is told."""
    obj = load_target(target_type, target_id)
    target_type = FlagTarget(target_type)
    if isinstance(obj, ConsultationRequest):
        require(actor, "consultation.view", obj, hide=True)  # only its two participants may report it
    else:
        if not _visible_to(actor, obj):
            raise NotFound()
        require(actor, "content.flag", obj)
    target_id = str(obj.id)  # canonical: "012" and "12" are the same item
    duplicate = Conflict(_("You already flagged this; a moderator will review it."))
    exists = db.session.scalar(select(Flag.id).where(
        Flag.reporter_id == actor.id, Flag.target_type == target_type, Flag.target_id == target_id,
        Flag.status == FlagStatus.OPEN))
    if exists is not None:
        raise duplicate
    flag = Flag(reporter_id=actor.id, target_type=target_type, target_id=target_id, reason=reason, note=note,
                weight=moderation_trust.flag_weight(actor))
    db.session.add(flag)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent double submit hit the one-open-flag index
        db.session.rollback()
        raise duplicate from None
    if hasattr(obj, "hidden") and not obj.hidden:
        tally = moderation_trust.tally_open_flags(target_type, target_id)
        if tally.hides:
            _auto_hide(obj, target_type, tally)
    db.session.commit()
    return flag


def _auto_hide(obj, target_type: FlagTarget, tally: moderation_trust.FlagTally) -> None:
    """Hide pending review, log it as the system, tell the author. Runs in the caller's transaction."""
    obj.hidden = True
    refresh_visibility(obj)
    log_action(None, f"{target_type.value}.auto_hide", target_type.value, obj.id,
               f"Hidden automatically after flags from {tally.flaggers} users "
               f"(weight {tally.score:g} of {tally.threshold:g})", _label(obj))
    author = author_of(obj)
    if author is not None:
        notifications.notify(author, "content_under_review",
                             _l("Your post was hidden after several reports and is under review by a moderator."),
                             link=_link(obj))


@dataclass
class FlaggedItem:
    target_type: str
    target_id: int
    target: object
    flags: list = field(default_factory=list)

    @property
    def oldest(self):
        return min(f.created_at for f in self.flags)

    @property
    def tally(self) -> moderation_trust.FlagTally:
        """The weight of the open flags shown (the queue loads open flags only)."""
        return moderation_trust.tally(self.flags)


_QUEUE_LOADS = {  # what the queue page shows of each kind of item, loaded up front
    FlagTarget.QUESTION: lambda: (selectinload(Question.author),),
    FlagTarget.ANSWER: lambda: (selectinload(Answer.author), selectinload(Answer.question)),
    FlagTarget.FOLLOW_UP: lambda: (selectinload(FollowUp.author),
                                   selectinload(FollowUp.answer).selectinload(Answer.question)),
    FlagTarget.DOCTOR: lambda: (),
    FlagTarget.CONSULTATION: lambda: (),
    FlagTarget.REVIEW: lambda: (selectinload(Review.author), selectinload(Review.treatment),
                                selectinload(Review.doctor).selectinload(User.doctor_profile)),
}


def _load_targets(keys) -> dict:
    """The flagged objects by (type, id string): one query per kind of item, not one per item."""
    wanted: dict = defaultdict(list)
    for target_type, target_id in keys:
        wanted[target_type].append(target_id)
    found = {}
    for target_type, ids in wanted.items():
        model = MODELS[target_type]
        if model is not ConsultationRequest:
            ids = [int(i) for i in ids if i.isdigit()]
        for obj in db.session.scalars(select(model).where(model.id.in_(ids)).options(*_QUEUE_LOADS[target_type]())):
            found[(target_type, str(obj.id))] = obj
    return found


def open_flags(actor: User, limit: int = 50) -> list[FlaggedItem]:
    """Open flags grouped per item, the item flagged longest ago first; a fixed number of
    queries whatever the number of items."""
    require(actor, "content.moderate")
    flags = db.session.scalars(select(Flag).where(Flag.status == FlagStatus.OPEN)
                               .options(selectinload(Flag.reporter)).order_by(Flag.created_at, Flag.id)
                               .limit(limit * 10)).all()
    grouped: dict = defaultdict(list)
    for flag in flags:
        grouped[(FlagTarget(flag.target_type), flag.target_id)].append(flag)
    targets = _load_targets(grouped)
    items = [FlaggedItem(target_type.value, target_id, targets[(target_type, target_id)], group)
             for (target_type, target_id), group in grouped.items() if (target_type, target_id) in targets]
    return sorted(items, key=lambda i: i.oldest)[:limit]


def _close_flags(actor: User, target_type: str, target_id: int, status: FlagStatus) -> int:
    result = db.session.execute(update(Flag).where(
        Flag.target_type == target_type, Flag.target_id == target_id, Flag.status == FlagStatus.OPEN)
        .values(status=status, handled_by_id=actor.id, handled_at=clock.now()))
    return result.rowcount or 0


# ---- moderator actions on content ----

def moderate_content(actor: User, *, target_type: str, target_id: int, action: str, reason: str,
                     duplicate_of_id: int | None = None, title: str | None = None,
                     body: str | None = None) -> object:
    """One moderator action on a question, answer, follow-up or doctor profile, with a reason.
    Logged; open flags on the item are resolved (or dismissed); the author is told."""
    require(actor, "content.moderate")
    obj = load_target(target_type, target_id)
    kind = FlagTarget(target_type)
    if action not in CONTENT_ACTIONS[kind]:
        raise Invalid(fields=dict(action=[_("Not an action on a %(kind)s.", kind=kind.value.replace('_', '-'))]))
    outcome = _apply(actor, obj, action, duplicate_of_id=duplicate_of_id, title=title, body=body, reason=reason)
    if action != "clear_urgent":  # the urgency review says nothing about what members reported
        _close_flags(actor, kind, str(obj.id),
                     FlagStatus.DISMISSED if action in ("dismiss", "restore", "unhide") else FlagStatus.RESOLVED)
    log_action(actor, f"{kind.value}.{action}", kind.value, obj.id, reason, _label(obj))
    author = author_of(obj)
    if outcome and author is not None and author.id != actor.id:
        notifications.notify(author, "moderation", told_author(outcome, reason), link=_link(obj))
    db.session.commit()
    return obj


def told_author(outcome: str, reason: str):
    """What the author is told (lazy: rendered in their language) for the outcome a handler returned."""
    return {
        "hid your post": _l("A moderator hid your post: %(reason)s", reason=reason),
        "deleted your post": _l("A moderator deleted your post: %(reason)s", reason=reason),
        "made your post visible again": _l("A moderator made your post visible again: %(reason)s", reason=reason),
        "restored your post": _l("A moderator restored your post: %(reason)s", reason=reason),
        "approved your question": _l("A moderator approved your question: %(reason)s", reason=reason),
        "locked your question": _l("A moderator locked your question: %(reason)s", reason=reason),
        "unlocked your question": _l("A moderator unlocked your question: %(reason)s", reason=reason),
        "reopened your question": _l("A moderator reopened your question: %(reason)s", reason=reason),
        "closed your question as a duplicate": _l("A moderator closed your question as a duplicate: %(reason)s",
                                                  reason=reason),
        "edited your post": _l("A moderator edited your post: %(reason)s", reason=reason),
        "suspended your doctor verification": _l("A moderator suspended your doctor verification: %(reason)s",
                                                 reason=reason),
        "restored your doctor verification": _l("A moderator restored your doctor verification: %(reason)s",
                                                reason=reason),
        "hid your review": _l("A moderator hid your review: %(reason)s", reason=reason),
        "made your review visible again": _l("A moderator made your review visible again: %(reason)s",
                                             reason=reason),
        "approved your review": _l("A moderator approved your review: %(reason)s", reason=reason),
    }[outcome]


def _apply(actor: User, obj, action: str, *, duplicate_of_id, title, body, reason) -> str | None:  # noqa: ARG001
    """Change the object; return what to tell its author (None: nothing to tell)."""
    if isinstance(obj, Review) and action != "dismiss":
        return reviews.set_status(obj, action, reason)
    for actions, handler in _HANDLERS:
        if action in actions:
            return handler(obj, action, duplicate_of_id=duplicate_of_id, title=title, body=body, actor=actor)
    raise Invalid(fields=dict(action=[_("Unknown action.")]))


def _no_change(obj, action: str, **_kw) -> None:
    if action == "clear_urgent":  # a moderator has looked at a red-flag question
        obj.urgent = False


def _visibility(obj, action: str, **_kw) -> str:
    if action == "unhide" and obj.deleted_at is not None:  # checked before anything changes
        raise Conflict(_("This post was deleted; restore it instead."))
    obj.hidden = action in ("hide", "delete")
    obj.deleted_at = clock.now() if action == "delete" else (None if action == "restore" else obj.deleted_at)
    refresh_visibility(obj)
    return {"hide": "hid your post", "delete": "deleted your post", "unhide": "made your post visible again",
            "restore": "restored your post"}[action]


def _approve(obj, _action: str, **_kw) -> str:
    """A question held for a moderator (photos from a new account) goes public."""
    if not obj.awaiting_approval:
        raise Invalid(fields=dict(action=[_("Only a question waiting for approval can be approved.")]))
    obj.awaiting_approval = obj.hidden = False
    refresh_visibility(obj)
    if isinstance(obj, Question):  # held until now: its topics' and treatments' followers hear of it
        following_fanout.announce_question(obj)
    return "approved your question"


def _lock(obj, action: str, **_kw) -> str:
    obj.locked = action == "lock"
    return "locked your question" if obj.locked else "unlocked your question"


def _duplicate(obj, action: str, *, duplicate_of_id, **_kw) -> str:
    if action == "reopen":
        obj.duplicate_of_id = None
        obj.status = QuestionStatus.ANSWERED if obj.answer_count else QuestionStatus.OPEN
        return "reopened your question"
    original = db.session.get(Question, duplicate_of_id) if duplicate_of_id else None
    if original is None or original.id == obj.id or original.hidden:
        raise Invalid(fields=dict(duplicate_of_id=[_("Give the id of a visible, different question.")]))
    obj.status, obj.duplicate_of_id = QuestionStatus.CLOSED, original.id
    return "closed your question as a duplicate"


def _edit(obj, _action: str, *, title, body, actor, **_kw) -> str:
    if not body or len(body) < 2 or (isinstance(obj, Question) and not title):
        raise Invalid(fields=dict(body=[_("Give the edited text.")]))
    revisions.record(obj, actor)  # questions and answers keep the version replaced
    if isinstance(obj, Question):
        obj.title = title
    obj.body, obj.moderator_edited_at = body, clock.now()
    refresh_visibility(obj)
    return "edited your post"


def _verification(obj, action: str, **_kw) -> str:
    suspending = action == "suspend_verification"
    expected = VerificationStatus.VERIFIED if suspending else VerificationStatus.SUSPENDED
    if obj.status != expected:
        raise Conflict(_("This doctor's verification is %(status)s.", status=obj.status.value))
    obj.status = VerificationStatus.SUSPENDED if suspending else VerificationStatus.VERIFIED
    return "suspended your doctor verification" if suspending else "restored your doctor verification"


_HANDLERS = (
    ({"dismiss", "clear_urgent"}, _no_change),
    ({"hide", "delete", "unhide", "restore"}, _visibility),
    ({"lock", "unlock"}, _lock),
    ({"approve"}, _approve),
    ({"close_duplicate", "reopen"}, _duplicate),
    ({"edit"}, _edit),
    ({"suspend_verification", "restore_verification"}, _verification),
)
