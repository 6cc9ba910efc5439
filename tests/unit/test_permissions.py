"""The role x action matrix over permissions.RULES, on plain (unsaved) model objects."""
from datetime import date, timedelta
from itertools import count
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from forum import clock
from forum.errors import Forbidden, NotFound, TwoFactorRequired
from forum.models import (
    ApiToken, Credential, CredentialKind, DoctorProfile, Question, QuestionStatus, Role, User, UserStatus,
    VerificationStatus,
)
from forum.permissions import RULES, can, require

_ids = count(1)


def user(role: Role = Role.MEMBER, status: UserStatus = UserStatus.ACTIVE, doctor: VerificationStatus | None = None,
         license_expires_on: date | None = None, two_factor: bool | None = None) -> User:
    """Staff have two-factor on unless `two_factor=False`."""
    someone = User(id=next(_ids), role=role, status=status, email="x@example.test", display_name="X")
    if two_factor if two_factor is not None else role != Role.MEMBER:
        someone.totp_enabled_at = clock.now()
    if doctor is not None:
        profile = DoctorProfile(id=next(_ids), user=someone, user_id=someone.id, status=doctor)
        if doctor == VerificationStatus.VERIFIED:
            expires = license_expires_on or clock.now().date() + timedelta(days=365)
            profile.credential_checks.append(Credential(kind=CredentialKind.LICENSE, expires_on=expires))
    return someone


ROLES = {
    "visitor": lambda: None,
    "member": lambda: user(),
    "pending doctor": lambda: user(doctor=VerificationStatus.PENDING),
    "verified doctor": lambda: user(doctor=VerificationStatus.VERIFIED),
    "rejected doctor": lambda: user(doctor=VerificationStatus.REJECTED),
    "suspended user": lambda: user(status=UserStatus.SUSPENDED),
    "moderator": lambda: user(Role.MODERATOR),
    "admin": lambda: user(Role.ADMIN),
    "moderator without 2FA": lambda: user(Role.MODERATOR, two_factor=False),
    "admin without 2FA": lambda: user(Role.ADMIN, two_factor=False),
}
STAFF = {"moderator", "admin"}
ACCOUNT_HOLDERS = set(ROLES) - {"visitor", "suspended user", "moderator without 2FA", "admin without 2FA"}

# The object each action is asked about; `actor` is the user being checked.
OBJECTS = {
    "doctor.decide": lambda actor: user(doctor=VerificationStatus.PENDING).doctor_profile,  # someone else's
    "api_token.revoke": lambda actor: ApiToken(user_id=actor.id if actor else None),       # the actor's own
    "content.flag": lambda actor: Question(author_id=-1, title="t", body="b", hidden=False),  # someone else's
    "user.moderate": lambda actor: user(),                                                  # a member
    "doctor.edit_photo": lambda actor: actor.doctor_profile if actor else None,                  # their own
    "answer.create": lambda actor: Question(author_id=-1, title="t", body="b", hidden=False, locked=False,
                                            status=QuestionStatus.OPEN),
    "review.create": lambda actor: user(doctor=VerificationStatus.VERIFIED).doctor_profile,  # another doctor
    # a medical review of a reference post assigned to the actor's own doctor profile (another doctor's:
    # tests/services/test_medical_signoff.py)
    "medical_review.decide": lambda actor: SimpleNamespace(
        doctor_id=actor.doctor_profile.id if actor is not None and actor.doctor_profile else -1),
    "member.view_profile": lambda actor: user(),                                            # an active member
    # an earlier version of someone else's question (answers, the author, redactions: tests/*/test_revisions.py)
    "revision.view_text": lambda actor: SimpleNamespace(revision=SimpleNamespace(subject_type="question"),
                                                        subject=Question(author_id=-1), later_editors=[user()]),
}

# Who may do what. Every rule in permissions.RULES needs a row (see the completeness test).
ALLOWED = {
    "account.use": ACCOUNT_HOLDERS,
    "member.view_profile": set(ROLES),  # an active member's profile is public; suspended ones: tests/services
    # staff without two-factor may do nothing but enrol (and log out, read public pages)
    "two_factor.manage": ACCOUNT_HOLDERS | {"moderator without 2FA", "admin without 2FA"},
    "doctor.apply": {"member", "rejected doctor"},  # staff decide applications, never hold one
    "doctor.answer": {"verified doctor"},
    "mod.access": STAFF,
    "doctor.decide": STAFF,
    "user.manage_staff": {"admin"},
    "api_token.revoke": ACCOUNT_HOLDERS,
    "reference.edit": STAFF,
    "question.ask": ACCOUNT_HOLDERS,
    "question.follow": ACCOUNT_HOLDERS,
    "subject.follow": ACCOUNT_HOLDERS,
    "answer.create": {"verified doctor"},
    "content.flag": ACCOUNT_HOLDERS,
    "content.moderate": STAFF,
    "content.rollback": STAFF,
    "revision.view_text": STAFF,
    "contact.handle": STAFF,
    "user.moderate": STAFF,
    "consultation.request": ACCOUNT_HOLDERS,
    "doctor.edit_photo": {"pending doctor", "verified doctor"},
    # the "request a private consultation" button: not for doctors (or applicants), who answer
    "consultation.offer": {"visitor", "member", "moderator", "admin"},
    # members (doctors and applicants too) review another doctor; staff moderate reviews instead
    "review.create": {"member", "pending doctor", "verified doctor", "rejected doctor"},
    "medical_review.decide": {"verified doctor"},  # only the assigned doctor, while verified
}
# Rules whose answer depends on the object more than the role get their own tests below.
TESTED_ELSEWHERE = {"doctor.view_profile", "article.view",
                    # consultations: the privacy matrix in tests/web and tests/api/test_consultations.py
                    "consultation.view", "consultation.respond", "consultation.withdraw", "consultation.message",
                    # reviews: the author, the reviewed doctor, the status (tests/services/test_reviews.py,
                    # tests/web/test_reviews.py); a doctor reviewing themself: tests/web/test_reviews.py
                    "review.view", "review.edit", "review.delete", "review.reply"}
# The other Q&A rules depend on who wrote the object (own answer, the asker ...): tests/services/test_qa.py
# and tests/web/test_questions.py cover them case by case. Any other new rule without a row fails.
LATER_FEATURES = ("question.", "answer.", "followup.")


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("role", list(ROLES))
def test_role_action_matrix(role, action):
    actor = ROLES[role]()
    obj = OBJECTS.get(action, lambda _actor: None)(actor)
    assert can(actor, action, obj) is (role in ALLOWED[action])


def test_every_rule_is_in_the_matrix():
    assert set(ALLOWED) <= set(RULES), "the matrix names an action that does not exist"
    untested = {name for name in set(RULES) - set(ALLOWED) - TESTED_ELSEWHERE if not name.startswith(LATER_FEATURES)}
    assert not untested, f"add these actions to the permission matrix: {sorted(untested)}"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
@pytest.mark.parametrize("action, hide", [("mod.access", False), ("account.use", False), ("question.ask", False),
                                          ("api_token.revoke", True)])
def test_staff_without_two_factor_are_told_to_enrol(role, action, hide):
    staff = user(role, two_factor=False)
    obj = OBJECTS.get(action, lambda _actor: None)(staff)
    with pytest.raises(TwoFactorRequired) as refused:
        require(staff, action, obj, hide=hide)
    assert "two-factor" in refused.value.message and refused.value.status == 403
    require(staff, "two_factor.manage")


def test_an_anonymous_user_object_counts_as_a_visitor():
    anonymous = AnonymousUserMixin()
    for action in ALLOWED:  # only what the matrix grants visitors (a button offered to them, say)
        assert can(anonymous, action, OBJECTS.get(action, lambda _a: None)(None)) is ("visitor" in ALLOWED[action])


@pytest.mark.parametrize("role", sorted(STAFF))
def test_staff_never_decide_their_own_application(role):
    staff = user(Role(role), doctor=VerificationStatus.PENDING)
    assert can(staff, "doctor.decide", staff.doctor_profile) is False
    assert can(staff, "doctor.decide", user(doctor=VerificationStatus.PENDING).doctor_profile) is True


@pytest.mark.parametrize("role", list(ROLES))
def test_nobody_revokes_another_users_token(role):
    other = user()
    assert can(ROLES[role](), "api_token.revoke", ApiToken(user_id=other.id)) is False


@pytest.mark.parametrize(("actor", "allowed"), [
    (lambda: user(doctor=VerificationStatus.LAPSED), True),
    (lambda: user(doctor=VerificationStatus.SUSPENDED), False),
    (lambda: user(status=UserStatus.BANNED), False),
], ids=["lapsed-doctor", "suspended-doctor", "banned"])
def test_who_else_may_apply(actor, allowed):
    assert can(actor(), "doctor.apply") is allowed


@pytest.mark.parametrize("actor", [
    lambda: user(doctor=VerificationStatus.VERIFIED, license_expires_on=clock.now().date() - timedelta(days=1)),
    lambda: user(doctor=VerificationStatus.LAPSED),
    lambda: user(doctor=VerificationStatus.SUSPENDED),
    lambda: user(status=UserStatus.SUSPENDED, doctor=VerificationStatus.VERIFIED),
    lambda: user(status=UserStatus.BANNED, doctor=VerificationStatus.VERIFIED),
    lambda: user(Role.ADMIN),
], ids=["expired-license", "lapsed", "doctor-suspended", "account-suspended", "account-banned", "admin"])
def test_only_an_active_verified_doctor_with_a_current_license_answers(actor):
    assert can(actor(), "doctor.answer") is False


def test_a_suspension_that_ended_restores_access():
    returned = user(status=UserStatus.SUSPENDED)
    returned.suspended_until = clock.now() - timedelta(minutes=1)
    assert can(returned, "account.use") is True


@pytest.mark.parametrize("status", ["active", "suspended", "banned"])
def test_suspended_or_banned_staff_lose_moderation_access(status):
    assert can(user(Role.MODERATOR, UserStatus(status)), "mod.access") is (status == "active")
    assert can(user(Role.ADMIN, UserStatus(status)), "user.manage_staff") is (status == "active")


@pytest.mark.parametrize("status", list(VerificationStatus))
@pytest.mark.parametrize("viewer", ["visitor", "member", "owner", "moderator"])
def test_who_sees_a_doctor_profile(viewer, status):
    doctor = user(doctor=status)
    actor = {"visitor": None, "member": user(), "owner": doctor, "moderator": user(Role.MODERATOR)}[viewer]
    public = status in (VerificationStatus.VERIFIED, VerificationStatus.LAPSED, VerificationStatus.SUSPENDED)
    assert can(actor, "doctor.view_profile", doctor.doctor_profile) is (public or viewer in ("owner", "moderator"))


@pytest.mark.parametrize("published", [True, False], ids=["published", "draft"])
@pytest.mark.parametrize("role", list(ROLES))
def test_who_sees_an_article(role, published):
    article = SimpleNamespace(is_published=published)
    assert can(ROLES[role](), "article.view", article) is (published or role in STAFF)


def test_require_raises_forbidden_or_hides_as_not_found():
    require(user(Role.ADMIN), "mod.access")
    with pytest.raises(Forbidden):
        require(user(), "mod.access")
    with pytest.raises(NotFound):
        require(user(), "api_token.revoke", ApiToken(user_id=-1), hide=True)
