"""Moderating people: search, the record, suspend (and its end), ban, restore, promote and
demote; who may act on whom; sessions and tokens ending at once; the log and its filters."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from sqlalchemy import select

from forum import clock
from forum.errors import Conflict, Forbidden, Invalid, NotFound, TwoFactorRequired
from forum.extensions import db
from forum.models import FlagReason, ModerationLog, Notification, Role, UserStatus, VerificationStatus
from forum.services import accounts, answers, moderation, moderation_content, moderation_users, questions
from forum.services.seed import load_seed
from tests.factories import PASSWORD, make_admin, make_doctor, make_moderator, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"


def act(actor, target, action, reason="Repeated spam after a warning", days=None):
    return moderation_users.moderate_user(actor, user_id=target.id, action=action, reason=reason, days=days)


def log_rows() -> list[ModerationLog]:
    return list(db.session.scalars(select(ModerationLog).order_by(ModerationLog.id)))


def notes_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def can_log_in(user) -> bool:
    try:
        accounts.authenticate(email=user.email, password=PASSWORD)
    except Invalid:
        return False
    return True


@pytest.fixture
def moderator():
    return make_moderator(display_name="Mo Derator")


@pytest.fixture
def member():
    return make_user(display_name="Sam Spammer", email="sam.spammer@example.test")


def ask(user, n=1):
    return questions.ask_question(user, title=f"Is a chemical peel safe for dark skin, case {n}?",
                                  body="I have dark skin and worry about marks after a peel. Is it safe?",
                                  topics=["enlarged-pores"], treatments=[]).question


# ---- search and record ----

def test_users_are_found_by_email_or_name_newest_first(moderator, member):
    other = make_user(display_name="Sammy Other")
    make_user(display_name="Unrelated Person")
    assert [u.id for u in moderation_users.search_users(moderator, q="SPAMMER@").items] == [member.id]
    assert [u.id for u in moderation_users.search_users(moderator, q="samm").items] == [other.id]
    assert [u.id for u in moderation_users.search_users(moderator, q="sam").items] == [other.id, member.id]


def test_the_record_shows_content_counts_and_flags_against_the_user(app, moderator, member):
    load_seed(SEED)
    question = ask(member)
    doctor = make_doctor()
    posted = answers.post_answer(doctor, question_id=question.id, body="Peels at low strength can suit dark skin.")
    reporter = make_user()
    moderation_content.flag_content(reporter, target_type="question", target_id=question.id,
                                    reason=FlagReason.SPAM, note="Same text five times")
    moderation_content.flag_content(reporter, target_type="answer", target_id=posted.id, reason=FlagReason.OFFENSIVE)
    record = moderation_users.user_record(moderator, member.id)
    assert record["user"] is member
    assert record["counts"] == {"questions": 1, "answers": 0, "follow_ups": 0}
    assert [(f.target_type, f.note) for f in record["flags"]] == [("question", "Same text five times")]
    assert moderation_users.user_record(moderator, doctor.id)["counts"]["answers"] == 1


def test_an_unknown_user_record_is_not_found(moderator):
    with pytest.raises(NotFound):
        moderation_users.user_record(moderator, 999_999)


@pytest.mark.parametrize("who", ["member", "doctor"])
def test_non_staff_cannot_search_or_read_records(who, member):
    actor = make_user() if who == "member" else make_doctor()
    with pytest.raises(Forbidden):
        moderation_users.search_users(actor, q="sam")
    with pytest.raises(Forbidden):
        moderation_users.user_record(actor, member.id)
    with pytest.raises(Forbidden):
        moderation_users.recent_from_new_accounts(actor)


# ---- suspend ----

def test_a_suspension_ends_sessions_tokens_and_posting_at_once(frozen_clock, moderator, member):
    _token, raw = accounts.issue_token(member, name="phone", password=PASSWORD)
    session_id = member.get_id()
    act(moderator, member, "suspend", days=7)
    assert member.status == UserStatus.SUSPENDED
    assert member.suspended_until == frozen_clock.current + timedelta(days=7)
    assert not member.is_active
    assert accounts.load_session_user(session_id) is None
    assert accounts.load_token_user(raw) is None
    assert not can_log_in(member)
    with pytest.raises(Forbidden):
        questions.ask_question(member, title="Is a chemical peel safe for dark skin?", body="x" * 40,
                               topics=[], treatments=[])


def test_a_suspension_ends_when_its_days_pass(frozen_clock, moderator, member):
    _token, raw = accounts.issue_token(member, name="phone", password=PASSWORD)
    act(moderator, member, "suspend", days=3)
    frozen_clock.advance(days=2, hours=23)
    assert not member.is_active and not can_log_in(member)
    frozen_clock.advance(hours=2)
    assert member.is_active
    assert can_log_in(member)
    assert accounts.load_token_user(raw) is None  # the suspension revoked it: the user makes a new one


def test_the_suspended_user_is_told_until_when_and_why(frozen_clock, moderator, member):
    act(moderator, member, "suspend", days=7, reason="Advertising a clinic in every answer")
    (note,) = notes_for(member)
    until = format_date(frozen_clock.current + timedelta(days=7), "long", locale="en")  # "December 10, 2026"
    assert note.kind == "account" and until in note.message and "Advertising a clinic" in note.message


def test_a_spanish_speaking_member_is_told_the_date_in_spanish(frozen_clock, moderator, member):
    member.locale = "es"
    db.session.commit()
    act(moderator, member, "suspend", days=7, reason="Publicidad de una clínica")
    (note,) = notes_for(member)
    until = format_date(frozen_clock.current + timedelta(days=7), "long", locale="es")  # "10 de diciembre de 2026"
    assert note.message == f"Su cuenta está suspendida hasta el {until}: Publicidad de una clínica"


@pytest.mark.parametrize("days", [None, 0])
def test_a_suspension_needs_a_number_of_days(moderator, member, days):
    with pytest.raises(Invalid) as error:
        act(moderator, member, "suspend", days=days)
    assert "days" in error.value.fields
    assert member.status == UserStatus.ACTIVE and log_rows() == []


# ---- ban and restore ----

def test_a_banned_user_cannot_log_in_and_their_token_stops(moderator, member):
    _token, raw = accounts.issue_token(member, name="laptop", password=PASSWORD)
    session_id = member.get_id()
    act(moderator, member, "ban")
    assert member.status == UserStatus.BANNED and member.suspended_until is None
    assert not can_log_in(member)
    assert accounts.load_session_user(session_id) is None
    assert accounts.load_token_user(raw) is None


def test_a_ban_does_not_end_with_time(frozen_clock, moderator, member):
    act(moderator, member, "ban")
    frozen_clock.advance(days=3650)
    assert not member.is_active and not can_log_in(member)


@pytest.mark.parametrize("action, days", [("suspend", 30), ("ban", None)])
def test_restore_lets_the_user_back_in(moderator, member, action, days):
    act(moderator, member, action, days=days)
    act(moderator, member, "restore", reason="Appeal accepted")
    assert member.status == UserStatus.ACTIVE and member.suspended_until is None
    assert can_log_in(member)
    assert notes_for(member)[-1].message == "Your account is active again."


def test_restoring_an_active_user_is_a_conflict(moderator, member):
    with pytest.raises(Conflict):
        act(moderator, member, "restore")
    assert log_rows() == []


def test_an_unknown_action_is_invalid(moderator, member):
    with pytest.raises(Invalid):
        act(moderator, member, "vaporise")


def test_an_unknown_user_is_not_found_to_a_moderator(moderator):
    with pytest.raises(NotFound):
        moderation_users.moderate_user(moderator, user_id=999_999, action="ban", reason="Nobody there")


@pytest.mark.parametrize("who", ["member", "doctor", "suspended moderator"])
def test_non_staff_are_forbidden_before_any_lookup(who, member):
    actor = {"member": make_user, "doctor": make_doctor,
             "suspended moderator": lambda: make_moderator(status=UserStatus.SUSPENDED)}[who]()
    for user_id in (member.id, 999_999):  # an unknown id must not answer differently
        with pytest.raises(Forbidden):
            moderation_users.moderate_user(actor, user_id=user_id, action="ban", reason="Not my job")
    assert member.status == UserStatus.ACTIVE


# ---- who acts on whom ----

@pytest.mark.parametrize("action, days", [("suspend", 3), ("ban", None), ("restore", None), ("demote", None)])
def test_a_moderator_cannot_act_on_an_admin(moderator, action, days):
    admin = make_admin()
    with pytest.raises(Forbidden):
        act(moderator, admin, action, days=days)
    assert admin.status == UserStatus.ACTIVE and admin.role == Role.ADMIN and log_rows() == []


@pytest.mark.parametrize("action, days", [("suspend", 3), ("ban", None), ("demote", None)])
def test_a_moderator_cannot_act_on_another_moderator(moderator, action, days):
    other = make_moderator()
    with pytest.raises(Forbidden):
        act(moderator, other, action, days=days)
    assert other.status == UserStatus.ACTIVE and other.role == Role.MODERATOR


def test_nobody_acts_on_themselves(moderator):
    admin = make_admin()
    for actor in (moderator, admin):
        with pytest.raises(Forbidden):
            act(actor, actor, "ban")


def test_a_moderator_may_not_promote_a_member(moderator, member):
    with pytest.raises(Forbidden):
        act(moderator, member, "promote")
    assert member.role == Role.MEMBER


def test_an_admin_promotes_and_demotes_moderators(member):
    admin = make_admin()
    session_id = member.get_id()
    act(admin, member, "promote", reason="Trusted long-time member")
    assert member.role == Role.MODERATOR
    assert accounts.load_session_user(session_id) is None  # the new role starts with a new session
    with pytest.raises(TwoFactorRequired):  # a new moderator turns on two-factor first
        moderation_users.search_users(member, q="sam")
    member.totp_enabled_at = clock.now()
    db.session.commit()
    assert moderation_users.search_users(member, q="sam").items  # now reaches the moderation pages
    act(admin, member, "demote", reason="Stepped down")
    assert member.role == Role.MEMBER
    with pytest.raises(Forbidden):
        moderation_users.search_users(member)
    assert [n.message for n in notes_for(member)] == ["You are now a moderator.", "You are no longer a moderator."]


@pytest.mark.parametrize("role, action", [(Role.MODERATOR, "promote"), (Role.MEMBER, "demote"),
                                          (Role.ADMIN, "demote")])
def test_promoting_or_demoting_the_wrong_role_is_a_conflict(role, action):
    admin = make_admin()
    target = make_user(role=role)
    with pytest.raises(Conflict):
        act(admin, target, action)
    assert target.role == role


def test_an_admin_may_suspend_a_moderator(frozen_clock):
    admin, moderator = make_admin(), make_moderator()
    act(admin, moderator, "suspend", days=1)
    assert not moderator.is_active
    with pytest.raises(Forbidden):
        moderation_content.open_flags(moderator)


def test_a_moderator_may_act_on_a_doctor(moderator):
    doctor = make_doctor()
    act(moderator, doctor, "suspend", days=2)
    assert not doctor.is_verified_doctor
    assert doctor.doctor_profile.status == VerificationStatus.VERIFIED  # the account, not the credential


# ---- the log ----

def test_every_user_action_is_logged_with_actor_target_and_reason(frozen_clock, member):
    admin = make_admin()
    steps = [("suspend", 2), ("restore", None), ("ban", None), ("restore", None), ("promote", None),
             ("demote", None)]
    for action, days in steps:
        act(admin, member, action, days=days, reason=f"Because of {action}")
    rows = log_rows()
    assert [r.action for r in rows] == [f"user.{a}" for a, _ in steps]
    assert {(r.actor_id, r.target_type, r.target_id, r.target_label) for r in rows} == {
        (admin.id, "user", str(member.id), "")}  # people by id only: no name outlives the account
    assert [r.reason for r in rows] == [f"Because of {a}" for a, _ in steps]
    assert all(r.created_at == frozen_clock.current for r in rows)


def test_the_log_filters_by_moderator_action_and_target(moderator, member):
    admin = make_admin()
    other = make_user()
    act(moderator, member, "suspend", days=1)
    act(admin, other, "ban")
    act(admin, member, "restore")

    def actions(**filters):
        return [e.action for e in moderation.moderation_log(moderator, **filters).items]

    assert actions() == ["user.restore", "user.ban", "user.suspend"]
    assert actions(actor_id=admin.id) == ["user.restore", "user.ban"]
    assert actions(action="user.ban") == ["user.ban"]
    assert actions(target_type="user", target_id=str(member.id)) == ["user.restore", "user.suspend"]
    assert actions(target_type="answer") == []


def test_the_log_pages_with_a_cursor(moderator):
    targets = [make_user() for _ in range(3)]
    for target in targets:
        act(moderator, target, "ban")
    first = moderation.moderation_log(moderator, limit=2)
    second = moderation.moderation_log(moderator, limit=2, cursor=first.next_cursor)
    assert [e.target_id for e in first.items + second.items] == [str(t.id) for t in reversed(targets)]
    assert second.next_cursor is None


def test_a_log_row_cannot_be_changed_or_removed(moderator, member):
    act(moderator, member, "ban", reason="Original reason")
    (entry,) = log_rows()
    entry.reason = "Rewritten"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(log_rows()[0])
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert [(e.reason) for e in log_rows()] == ["Original reason"]


# ---- the new-accounts queue ----

def test_recent_content_from_new_accounts_leaves_out_older_accounts(frozen_clock, moderator):
    load_seed(SEED)
    veteran = make_user()
    frozen_clock.advance(days=30)
    newcomer = make_user()
    old_question = ask(veteran, 1)
    new_question = ask(newcomer, 2)
    frozen_clock.advance(minutes=1)
    doctor = make_doctor()
    posted = answers.post_answer(doctor, question_id=old_question.id, body="A fresh doctor answers this one.")
    recent = moderation_users.recent_from_new_accounts(moderator)
    assert recent == [posted, new_question]
