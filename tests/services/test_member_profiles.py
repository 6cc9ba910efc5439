"""Member profiles, display names and e-mail changes: the service layer."""
import re

import pytest
from sqlalchemy import select

from forum import mail
from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import Answer, Notification, Question, User, UserStatus
from forum.schemas.accounts import DisplayNameIn, RegisterIn
from forum.services import accounts, email_change, members
from tests.factories import PASSWORD, make_doctor, make_user


def ask(author, title, *, anonymous=False, hidden=False, helpful=0) -> Question:
    question = Question(author=author, title=title, body="A question body long enough to be asked here.",
                        anonymous=anonymous, hidden=hidden, helpful_count=helpful)
    db.session.add(question)
    db.session.commit()
    return question


def sent_to(address: str) -> list:
    return [m for m in mail.SENT if m["To"] == address]


def body_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def change_token(address: str) -> str:
    (message,) = sent_to(address)
    match = re.search(r"/account/email/confirm/([A-Za-z0-9_\-]+)", body_of(message))
    assert match, body_of(message)
    return match.group(1)


# ---- the public profile ----

def test_a_profile_shows_public_questions_and_their_helpful_votes_but_nothing_anonymous_or_hidden():
    member = make_user(display_name="Nora Vale")
    ask(member, "Does retinol help enlarged pores?", helpful=3)
    ask(member, "Is microneedling painful?", helpful=2)
    ask(member, "A private worry about my nose", anonymous=True, helpful=7)
    ask(member, "A question a moderator hid", hidden=True, helpful=5)
    profile = members.get_member(member.id)
    assert (profile.question_count, profile.helpful_count) == (2, 5)
    assert profile.slug == "nora-vale"
    titles = [q.title for q in members.member_questions(member.id).items]
    assert titles == ["Is microneedling painful?", "Does retinol help enlarged pores?"]


def test_profiles_are_paged_newest_first():
    member = make_user()
    for n in range(3):
        ask(member, f"Question number {n} about skin care")
    first = members.member_questions(member.id, limit=2)
    second = members.member_questions(member.id, cursor=first.next_cursor, limit=2)
    assert [q.title for q in first.items + second.items] == [f"Question number {n} about skin care" for n in (2, 1, 0)]
    assert second.next_cursor is None


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.BANNED])
def test_suspended_and_banned_members_have_no_profile(status):
    member = make_user(status=status)
    with pytest.raises(NotFound):
        members.get_member(member.id)


def test_an_unknown_member_is_not_found():
    with pytest.raises(NotFound):
        members.get_member(999_999)


def test_a_deleted_question_is_not_on_the_profile():
    member = make_user()
    ask(member, "Does retinol help enlarged pores?")
    gone = ask(member, "A question its asker deleted")
    gone.hidden, gone.deleted_at = True, gone.created_at  # as a moderator's delete leaves it
    db.session.commit()
    assert members.get_member(member.id).question_count == 1
    assert [q.title for q in members.member_questions(member.id).items] == ["Does retinol help enlarged pores?"]


# ---- display name ----

def test_changing_the_display_name_shows_on_the_profile():
    member = make_user(display_name="Old Name")
    members.change_display_name(member, display_name="New Name")
    assert db.session.get(User, member.id).display_name == "New Name"
    assert members.get_member(member.id).slug == "new-name"


def test_the_display_name_rule_is_the_registration_rule():
    for value in ("x", "y" * 51, "   "):
        errors = DisplayNameIn().validate({"display_name": value})
        registration = RegisterIn().validate({"email": "a@example.org", "display_name": value,
                                              "password": PASSWORD, "confirm_adult": True})
        assert errors["display_name"] == registration["display_name"]
    assert DisplayNameIn().load({"display_name": "  Ann  "}) == {"display_name": "Ann"}


# ---- e-mail change ----

def test_a_wrong_password_changes_nothing_and_sends_nothing():
    member = make_user()
    mail.SENT.clear()
    with pytest.raises(Invalid) as caught:
        email_change.request_email_change(member, new_email="new@example.org", password="not my password")
    assert "password" in caught.value.fields
    assert mail.SENT == []


def test_the_new_address_gets_a_link_and_the_old_one_a_notice_and_nothing_changes_yet():
    member = make_user(email="old@example.org")
    mail.SENT.clear()
    email_change.request_email_change(member, new_email="New@Example.org", password=PASSWORD)
    token = change_token("new@example.org")
    (notice,) = sent_to("old@example.org")
    assert "n***@example.org" in body_of(notice) and "List-Unsubscribe" not in notice
    assert db.session.get(User, member.id).email == "old@example.org"
    assert email_change.pending_change(token=token) == "new@example.org"
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == member.id)) == "account"


def test_confirming_changes_the_address_and_tells_the_old_one():
    member = make_user(email="old2@example.org")
    email_change.request_email_change(member, new_email="new2@example.org", password=PASSWORD)
    token = change_token("new2@example.org")
    mail.SENT.clear()
    email_change.confirm_email_change(token=token)
    assert db.session.get(User, member.id).email == "new2@example.org"
    (notice,) = sent_to("old2@example.org")
    assert "was changed" in body_of(notice)
    assert accounts.authenticate(email="new2@example.org", password=PASSWORD).id == member.id


def test_a_link_works_once(frozen_clock):
    member = make_user()
    email_change.request_email_change(member, new_email="once@example.org", password=PASSWORD)
    token = change_token("once@example.org")
    email_change.confirm_email_change(token=token)
    with pytest.raises(Invalid):
        email_change.confirm_email_change(token=token)
    with pytest.raises(Invalid):
        email_change.pending_change(token=token)


def test_an_expired_link_is_refused(frozen_clock):
    member = make_user(email="stay@example.org")
    email_change.request_email_change(member, new_email="late@example.org", password=PASSWORD)
    token = change_token("late@example.org")
    frozen_clock.advance(hours=1, seconds=1)
    with pytest.raises(Invalid):
        email_change.confirm_email_change(token=token)
    assert db.session.get(User, member.id).email == "stay@example.org"


def test_a_taken_address_gets_no_link_only_a_mail_saying_it_is_registered():
    make_user(email="taken@example.org")
    member = make_user(email="mine@example.org")
    mail.SENT.clear()
    email_change.request_email_change(member, new_email="taken@example.org", password=PASSWORD)  # same answer
    (message,) = sent_to("taken@example.org")
    assert "already" in body_of(message) and "/account/email/confirm/" not in body_of(message)
    assert db.session.get(User, member.id).email == "mine@example.org"


def test_an_address_taken_before_the_link_is_followed_is_refused_clearly():
    member = make_user(email="first@example.org")
    email_change.request_email_change(member, new_email="race@example.org", password=PASSWORD)
    token = change_token("race@example.org")
    make_user(email="race@example.org")
    with pytest.raises(Invalid) as caught:
        email_change.confirm_email_change(token=token)
    assert "Another account uses this address" in caught.value.message
    assert db.session.get(User, member.id).email == "first@example.org"


def test_the_same_address_is_refused_at_the_field():
    member = make_user(email="same@example.org")
    with pytest.raises(Invalid) as caught:
        email_change.request_email_change(member, new_email="SAME@example.org", password=PASSWORD)
    assert caught.value.fields == {"new_email": [email_change.SAME_ADDRESS]}


def test_answers_are_not_counted_as_a_members_questions():
    doctor = make_doctor()
    member = make_user()
    question = ask(member, "Which peel is right for melasma?")
    db.session.add(Answer(question=question, author=doctor, body="An answer long enough for the test to pass."))
    db.session.commit()
    assert members.get_member(doctor.id).question_count == 0


def test_a_newer_request_voids_the_earlier_link():
    member = make_user(email="two@example.org")
    email_change.request_email_change(member, new_email="first-choice@example.org", password=PASSWORD)
    first = change_token("first-choice@example.org")
    email_change.request_email_change(member, new_email="second-choice@example.org", password=PASSWORD)
    second = change_token("second-choice@example.org")
    with pytest.raises(Invalid):
        email_change.confirm_email_change(token=first)
    email_change.confirm_email_change(token=second)
    assert db.session.get(User, member.id).email == "second-choice@example.org"


def test_a_password_change_or_reset_cancels_an_e_mail_change_still_waiting():
    member = make_user(email="victim@example.org")
    email_change.request_email_change(member, new_email="attacker@example.org", password=PASSWORD)
    token = change_token("attacker@example.org")
    accounts.change_password(member, current_password=PASSWORD, new_password="a brand new passphrase 42")
    with pytest.raises(Invalid):
        email_change.confirm_email_change(token=token)
    assert db.session.get(User, member.id).email == "victim@example.org"
