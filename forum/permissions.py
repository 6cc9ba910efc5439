"""Named actions mapped to rule functions; the only place that compares roles or states."""
from __future__ import annotations

from typing import Any, Callable

from forum.errors import Forbidden, NotFound, TwoFactorRequired
import sqlalchemy as sa

from forum.models import Answer, Article, ArticleStatus, Question, Role, VerificationStatus

RULES: dict[str, Callable[[Any, Any], bool]] = {}


def rule(*names: str):
    def register(fn):
        for name in names:
            RULES[name] = fn
        return fn
    return register


def can(user, action: str, obj: Any = None) -> bool:
    """True when `user` (possibly anonymous) may perform `action` on `obj`."""
    if user is None or not getattr(user, "is_authenticated", False):
        user = None
    return bool(RULES[action](user, obj))


def require(user, action: str, obj: Any = None, *, hide: bool = False) -> None:
    """Raise Forbidden (or NotFound when `hide`, so existence is not revealed) unless allowed;
    a moderator or admin without two-factor gets TwoFactorRequired (sent to enrol) instead."""
    if not can(user, action, obj):
        if needs_two_factor(user):
            raise TwoFactorRequired()
        raise NotFound() if hide else Forbidden()


def needs_two_factor(user) -> bool:
    """Moderators and admins must turn on two-factor before they can do anything but enrol."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role in (Role.MODERATOR, Role.ADMIN) and not user.two_factor_enabled)


def _active(user) -> bool:
    """An active account; a staff account without two-factor counts as inactive until it enrols."""
    return user is not None and user.is_active and not needs_two_factor(user)


def _staff(user) -> bool:
    return _active(user) and user.role in (Role.MODERATOR, Role.ADMIN)


def staff_account(user) -> bool:
    """A moderator's or admin's account, active or not (who made a past edit, say)."""
    return getattr(user, "role", None) in (Role.MODERATOR, Role.ADMIN)


@rule("account.use")
def _account_use(user, _obj) -> bool:
    """Any active, logged-in account may use its own account pages."""
    return _active(user)


@rule("two_factor.manage")
def _two_factor_manage(user, _obj) -> bool:
    """Any active account turns two-factor on or off for itself (staff without it included)."""
    return user is not None and user.is_active


@rule("doctor.apply")
def _doctor_apply(user, _obj) -> bool:
    """A member applies once; a rejected or lapsed doctor may apply again with new details.
    Moderators and admins do not: they decide applications, so they may not hold one."""
    if not _active(user) or _staff(user):
        return False
    profile = user.doctor_profile
    return profile is None or profile.status in (VerificationStatus.REJECTED, VerificationStatus.LAPSED)


@rule("doctor.view_profile")
def _doctor_view_profile(user, profile) -> bool:
    """Public profiles are for verified (or lapsed, marked) doctors; the owner and staff see any."""
    if profile.status in (VerificationStatus.VERIFIED, VerificationStatus.LAPSED,
                          VerificationStatus.SUSPENDED):
        return True
    return user is not None and (user.id == profile.user_id or _staff(user))


@rule("doctor.edit_photo")
def _doctor_edit_photo(user, profile) -> bool:
    """A doctor or applicant sets or removes their own profile photo (not while suspended or refused)."""
    return (_active(user) and profile is not None and profile.user_id == user.id
            and profile.status in (VerificationStatus.PENDING, VerificationStatus.VERIFIED, VerificationStatus.LAPSED))


@rule("doctor.answer")
def _doctor_answer(user, _obj) -> bool:
    """Only a verified doctor whose license has not lapsed acts as a doctor."""
    return _active(user) and user.is_verified_doctor


@rule("mod.access", "reference.edit", "content.moderate", "content.rollback", "contact.handle")
def _staff_only(user, _obj) -> bool:
    """Moderators and admins: the moderation pages; topics, treatments and reference posts; actions
    on content and rolling an edit back (each with a logged reason); contact-form messages."""
    return _staff(user)


@rule("doctor.decide")
def _doctor_decide(user, profile) -> bool:
    """Staff decide applications, but never their own."""
    return _staff(user) and (profile is None or profile.user_id != user.id)


@rule("user.manage_staff")
def _user_manage_staff(user, _obj) -> bool:
    """Only admins create or change moderators."""
    return _active(user) and user.role == Role.ADMIN


@rule("api_token.revoke")
def _api_token_revoke(user, token) -> bool:
    """A token belongs to one user; only they revoke it."""
    return _active(user) and token.user_id == user.id


@rule("article.view")
def _article_view(user, article) -> bool:
    """Published posts are public; drafts only for editors."""
    return article.is_published or _staff(user)


def visible_articles(user):
    """SQL filter matching "article.view" for list queries."""
    if _staff(user if user is not None and getattr(user, "is_authenticated", False) else None):
        return sa.true()
    return Article.status == ArticleStatus.PUBLISHED


# ---- questions and answers ----

@rule("question.ask")
def _question_ask(user, _obj) -> bool:
    """Any active member asks."""
    return _active(user)


@rule("question.view")
def _question_view(user, question) -> bool:
    """Hidden questions are visible to their asker and to staff only; deleted ones to staff only."""
    if not question.hidden:
        return True
    return user is not None and (_staff(user) or (user.id == question.author_id and question.deleted_at is None))


@rule("question.see_asker")
def _question_see_asker(user, question) -> bool:
    """An anonymous asker's name is shown to the asker and to staff, never to the public."""
    return not question.anonymous or (user is not None and (user.id == question.author_id or _staff(user)))


@rule("question.urgent_notice")
def _question_urgent_notice(user, question) -> bool:
    """The urgent-care notice of a red-flag question is for its asker."""
    return user is not None and user.id == question.author_id


@rule("question.edit")
def _question_edit(user, question) -> bool:
    """The asker edits their own question while it is not locked."""
    return _active(user) and user.id == question.author_id and not question.locked


@rule("question.invite")
def _question_invite(user, question) -> bool:
    """The asker invites doctors to an open question."""
    return _active(user) and user.id == question.author_id and question.is_open


@rule("question.follow")
def _question_follow(user, _question) -> bool:
    return _active(user)


@rule("subject.follow")
def _subject_follow(user, _subject) -> bool:
    """Any active account may follow a topic, a treatment or a doctor."""
    return _active(user)


@rule("answer.create")
def _answer_create(user, question) -> bool:
    """A verified doctor answers an open question that is not their own."""
    return _active(user) and user.is_verified_doctor and question.is_open and question.author_id != user.id


@rule("answer.view")
def _answer_view(user, answer) -> bool:
    """Hidden answers are visible to their author and to staff only; deleted ones to staff only."""
    if not answer.hidden:
        return True
    return user is not None and (_staff(user) or (user.id == answer.author_id and answer.deleted_at is None))


@rule("answer.edit")
def _answer_edit(user, answer) -> bool:
    """A doctor edits their own answer while verified and while the question is not locked."""
    return (_active(user) and user.id == answer.author_id and user.is_verified_doctor
            and not answer.question.locked)


@rule("answer.accept")
def _answer_accept(user, answer) -> bool:
    """Only the asker accepts an answer."""
    return _active(user) and user.id == answer.question.author_id and not answer.hidden


@rule("answer.helpful")
def _answer_helpful(user, answer) -> bool:
    """Members mark other people's answers helpful."""
    return _active(user) and user.id != answer.author_id and not answer.hidden


@rule("answer.review")
def _answer_review(user, answer) -> bool:
    """Verified doctors agree or disagree with other doctors' answers."""
    return _active(user) and user.is_verified_doctor and user.id != answer.author_id and not answer.hidden


@rule("followup.create")
def _followup_create(user, answer) -> bool:
    """The asker and the answering doctor talk under the answer while the question is not locked."""
    question = answer.question
    return (_active(user) and user.id in (question.author_id, answer.author_id) and not question.locked
            and not answer.hidden and not question.hidden)


def visible_questions(user):
    """SQL filter matching "question.view"."""
    from_user = user if user is not None and getattr(user, "is_authenticated", False) else None
    if _staff(from_user):
        return sa.true()
    if from_user is not None:
        return sa.or_(Question.hidden.is_(False),
                      sa.and_(Question.author_id == from_user.id, Question.deleted_at.is_(None)))
    return Question.hidden.is_(False)


def visible_question_parts(user) -> list:
    """`visible_questions` as disjoint filters that each follow an index: public questions, then
    (for a member) their own hidden, undeleted ones. Lists page each part and merge them."""
    from_user = user if user is not None and getattr(user, "is_authenticated", False) else None
    if _staff(from_user):
        return [sa.true()]
    parts = [Question.hidden.is_(False)]
    if from_user is not None:
        parts.append(sa.and_(Question.hidden.is_(True), Question.author_id == from_user.id,
                             Question.deleted_at.is_(None)))
    return parts


def visible_answers(user):
    """SQL filter matching "answer.view"."""
    from_user = user if user is not None and getattr(user, "is_authenticated", False) else None
    if _staff(from_user):
        return sa.true()
    if from_user is not None:
        return sa.or_(Answer.hidden.is_(False), sa.and_(Answer.author_id == from_user.id, Answer.deleted_at.is_(None)))
    return Answer.hidden.is_(False)



# ---- reviews of doctors ----

@rule("review.create")
def _review_create(user, profile) -> bool:
    """Members review verified doctors; never themselves, and staff (who moderate reviews) do not."""
    return (_active(user) and not _staff(user) and profile is not None
            and profile.status == VerificationStatus.VERIFIED and profile.user_id != user.id)


@rule("review.view")
def _review_view(user, review) -> bool:
    """Published reviews are public; pending and hidden ones are for their author and staff."""
    if review.status == "published":
        return True
    return user is not None and (user.id == review.author_id or _staff(user))


@rule("review.edit")
def _review_edit(user, review) -> bool:
    """The author edits their own review."""
    return _active(user) and review.author_id == user.id


@rule("review.delete")
def _review_delete(user, review) -> bool:
    """Only the author deletes a review; moderators hide one, with a reason that is logged."""
    return _active(user) and review.author_id == user.id


@rule("review.reply")
def _review_reply(user, review) -> bool:
    """The reviewed doctor, while verified, posts one public reply to a published review."""
    return (_active(user) and review.doctor_id == user.id and user.is_verified_doctor
            and review.status == "published")


# ---- moderation ----

@rule("content.flag")
def _content_flag(user, target) -> bool:
    """Any active user flags content they did not write."""
    return _active(user) and getattr(target, "author_id", getattr(target, "user_id", None)) != user.id


@rule("revision.view_text")
def _revision_view_text(user, earlier) -> bool:
    """An earlier version's text (earlier.revision, .subject, .later_editors: who made the edit that replaced it
    and every later one). Staff and the author see it; others never a question's (health details), an answer's
    unless a moderator's edit (a redaction) replaced it or came after; staff-written reference pages' always."""
    author_id = getattr(earlier.subject, "author_id", None)
    if _staff(user) or (_active(user) and author_id is not None and author_id == user.id):
        return True
    kind = earlier.revision.subject_type
    return kind != "question" and not (kind == "answer" and any(map(staff_account, earlier.later_editors)))


@rule("user.moderate")
def _user_moderate(user, target) -> bool:
    """Admins act on anyone but themselves; moderators only on members (never on admins or on
    other moderators)."""
    if not _staff(user) or target is None or target.id == user.id:
        return False
    return user.role == Role.ADMIN or target.role == Role.MEMBER


# ---- consultations (private: a refusal is always "not found") ----

@rule("consultation.request")
def _consultation_request(user, _obj) -> bool:
    """Any active member may ask a doctor for a private consultation."""
    return _active(user)


@rule("consultation.offer")
def _consultation_offer(user, profile) -> bool:
    """Whom a "request a private consultation" button is for: visitors (they log in first) and
    members, never a doctor (they answer, they do not ask) and never on the doctor's own profile."""
    if user is None:
        return True
    return (_active(user) and not user.is_verified_doctor and user.doctor_profile is None
            and (profile is None or profile.user_id != user.id))


@rule("consultation.view")
def _consultation_view(user, consultation) -> bool:
    """Only the requester and the chosen doctor see a request (moderators only through a flag,
    checked and logged in the service)."""
    return _active(user) and user.id in (consultation.requester_id, consultation.doctor_id)


@rule("consultation.respond")
def _consultation_respond(user, consultation) -> bool:
    """The chosen doctor, while verified, accepts, declines, schedules and completes."""
    return _active(user) and user.id == consultation.doctor_id and user.is_verified_doctor


@rule("consultation.withdraw")
def _consultation_withdraw(user, consultation) -> bool:
    return _active(user) and user.id == consultation.requester_id


@rule("consultation.message")
def _consultation_message(user, consultation) -> bool:
    """Both sides write in the thread until the request is declined or withdrawn."""
    return (_consultation_view(user, consultation)
            and consultation.status.value not in ("declined", "withdrawn"))


@rule("medical_review.decide")
def _medical_review_decide(user, review) -> bool:
    """Only the doctor a post's medical review is assigned to confirms or declines it, while verified."""
    return (_active(user) and user.is_verified_doctor and review is not None
            and review.doctor_id == user.doctor_profile.id)


# ---- member profiles ----

@rule("member.view_profile")
def _member_view_profile(_user, member) -> bool:
    """A member's public profile is shown while the account is active; a suspended or banned one is
    "not found" to everyone alike, so every reader gets the same page (it may be cached)."""
    return member is not None and member.is_active
