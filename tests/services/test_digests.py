"""The activity digest, built for a fixed clock: who gets one (at their local 07:00, weekly ones on
Mondays), what it holds, never empty, never twice, never a consultation, and its unsubscribe link."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select

from forum import clock
from forum.extensions import db
from forum.jobs import scheduler, tasks
from forum.models import (
    Answer, DigestFrequency, DigestSetting, Follow, FollowKind, Notification, OutboxMail, Question, Subscription,
    Topic, UserStatus,
)
from forum.services import digests, notification_settings, notifications
from tests.factories import make_doctor, make_treatment, make_user

MONDAY = datetime(2026, 6, 1, 7, 5)  # 07:05 UTC on a Monday
TUESDAY = MONDAY + timedelta(days=1)


def digest_mails(user=None) -> list[OutboxMail]:
    stmt = select(OutboxMail).where(OutboxMail.kind == "digest").order_by(OutboxMail.id)
    if user is not None:
        stmt = stmt.where(OutboxMail.to_address == user.email)
    return list(db.session.scalars(stmt))


def reader(frequency=DigestFrequency.DAILY, **overrides):
    user = make_user(**overrides)
    if frequency is not None:
        notification_settings.set_digest_frequency(user.id, frequency)
        db.session.commit()
    return user


def topic(slug="enlarged-pores", name="Enlarged pores") -> Topic:
    row = Topic(slug=slug, name=name)
    db.session.add(row)
    db.session.commit()
    return row


def follow(user, kind: FollowKind, target_id: int) -> None:
    db.session.add(Subscription(user_id=user.id, kind=kind, target_id=target_id))
    db.session.commit()


def answered_question(title: str, answered_at: datetime, *, topics=(), treatments=(), hidden=False) -> Question:
    doctor = make_doctor()
    question = Question(author=make_user(), title=title, body="Some details about my skin.", hidden=hidden,
                        topics=list(topics), treatments=list(treatments), created_at=answered_at - timedelta(hours=1))
    db.session.add(question)
    db.session.flush()
    answer(question, doctor, answered_at)
    question.first_answer_at, question.answer_count = answered_at, 1
    db.session.commit()
    return question


def answer(question, author, at: datetime) -> Answer:
    row = Answer(question_id=question.id, author_id=author.id, body="A doctor's answer, long enough.", created_at=at)
    db.session.add(row)
    db.session.commit()
    return row


def note(user, kind="followed_activity", message="New question in Enlarged pores: Pore strips?", *, at, digest=True,
         read=False) -> Notification:
    row = Notification(user_id=user.id, kind=kind, message=message, link="/questions/7", digest=digest, created_at=at,
                       read_at=at if read else None)
    db.session.add(row)
    db.session.commit()
    return row


def test_the_fixed_days_are_what_the_tests_say():
    assert MONDAY.weekday() == 0 and TUESDAY.weekday() == 1


def test_a_daily_reader_gets_new_answered_questions_of_a_followed_topic_at_seven_local():
    pores = topic()
    user = reader()
    follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=10), topics=[pores])
    assert digests.send_due_digests(MONDAY.replace(hour=6, minute=59)) == 0
    assert digest_mails() == []
    assert digests.send_due_digests(MONDAY) == 1
    (sent,) = digest_mails()
    assert sent.to_address == user.email and sent.user_id == user.id
    assert "your daily digest" in sent.subject
    assert "Do pore strips make pores bigger?" in sent.body_text
    assert re.search(r"/unsubscribe/\S+", sent.body_text)
    assert db.session.get(DigestSetting, user.id).last_sent_at == MONDAY


def test_no_digest_twice_and_no_old_item_again():
    pores = topic()
    user = reader()
    follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=10), topics=[pores])
    assert digests.send_due_digests(MONDAY) == 1
    assert digests.send_due_digests(MONDAY + timedelta(minutes=15)) == 0  # same morning: already sent
    assert digests.send_due_digests(TUESDAY) == 0  # nothing new: no empty digest
    answered_question("Does niacinamide shrink pores?", TUESDAY + timedelta(hours=3), topics=[pores])
    assert digests.send_due_digests(TUESDAY + timedelta(hours=4)) == 0  # the day's slot was handled
    wednesday = TUESDAY + timedelta(days=1)
    assert digests.send_due_digests(wednesday) == 1
    _first, second = digest_mails(user)
    assert "Does niacinamide shrink pores?" in second.body_text
    assert "Do pore strips make pores bigger?" not in second.body_text


def test_the_hour_is_the_readers_own():
    pores = topic()
    new_york = reader(time_zone="America/New_York")  # UTC-4 in June: 07:00 there is 11:00 UTC
    utc = reader()
    for user in (new_york, utc):
        follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=12), topics=[pores])
    assert digests.send_due_digests(MONDAY) == 1  # 07:05 UTC, 03:05 in New York
    assert [m.to_address for m in digest_mails()] == [utc.email]
    assert digests.send_due_digests(MONDAY.replace(hour=10, minute=59)) == 0
    assert digests.send_due_digests(MONDAY.replace(hour=11, minute=0)) == 1
    assert [m.to_address for m in digest_mails()] == [utc.email, new_york.email]


def test_a_tokyo_reader_is_sent_theirs_at_their_seven():
    pores = topic()
    tokyo = reader(time_zone="Asia/Tokyo")
    follow(tokyo, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY.replace(hour=15), topics=[pores])
    assert digests.send_due_digests(MONDAY.replace(hour=21, minute=55)) == 0  # 06:55 in Tokyo
    assert digests.send_due_digests(MONDAY.replace(hour=22, minute=10)) == 1  # 07:10 in Tokyo


def test_weekly_readers_get_theirs_on_monday_only_and_it_is_the_default():
    pores = topic()
    weekly = reader(DigestFrequency.WEEKLY)
    default = reader(None)  # no setting: the weekly digest
    for user in (weekly, default):
        follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(days=2), topics=[pores])
    sunday = MONDAY - timedelta(days=1)
    assert digests.send_due_digests(sunday + timedelta(hours=5)) == 0
    assert digests.send_due_digests(MONDAY) == 2
    assert sorted(m.to_address for m in digest_mails()) == sorted([weekly.email, default.email])
    answered_question("Does niacinamide shrink pores?", MONDAY + timedelta(hours=5), topics=[pores])
    assert digests.send_due_digests(TUESDAY) == 0
    assert digests.send_due_digests(MONDAY + timedelta(days=6)) == 0  # Sunday
    assert digests.send_due_digests(MONDAY + timedelta(days=7)) == 2


def test_weekly_follows_the_readers_monday():
    pores = topic()
    auckland = reader(DigestFrequency.WEEKLY, time_zone="Pacific/Auckland")  # UTC+12 in June
    follow(auckland, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(days=2), topics=[pores])
    sunday_evening_utc = MONDAY.replace(day=31, month=5, hour=19, minute=30)  # Monday 07:30 in Auckland
    assert digests.send_due_digests(sunday_evening_utc) == 1
    assert digests.send_due_digests(MONDAY) == 0  # Monday 19:05 there: sent already


def test_nobody_who_chose_never_or_is_suspended_or_banned_gets_one():
    pores = topic()
    never = reader(DigestFrequency.NEVER)
    suspended = reader(status=UserStatus.SUSPENDED)
    banned = reader(status=UserStatus.BANNED)
    for user in (never, suspended, banned):
        follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=3), topics=[pores])
    assert digests.send_due_digests(MONDAY) == 0
    assert digest_mails() == []


def test_a_reader_with_nothing_new_gets_nothing():
    pores = topic()
    idle = reader()
    follow(idle, FollowKind.TOPIC, pores.id)
    answered_question("An unrelated answered question about lasers", MONDAY - timedelta(hours=3))
    answered_question("Hidden by a moderator", MONDAY - timedelta(hours=3), topics=[pores], hidden=True)
    note(idle, at=MONDAY - timedelta(hours=2), read=True)  # read on the site already
    note(idle, kind="answer_posted", at=MONDAY - timedelta(hours=2), digest=False)  # was e-mailed at once
    assert digests.send_due_digests(MONDAY) == 0
    assert digest_mails() == []


def test_the_digest_holds_digest_notifications_followed_treatments_and_followed_questions():
    peel = make_treatment()
    user = reader()
    follow(user, FollowKind.TREATMENT, peel.id)
    note(user, message="New question in Chemical peel: How long is the redness?", at=MONDAY - timedelta(hours=5))
    answered_question("Is a TCA peel safe on dark skin?", MONDAY - timedelta(hours=4), treatments=[peel])
    followed = answered_question("Can retinoids shrink pores?", MONDAY - timedelta(days=3))
    db.session.add(Follow(user_id=user.id, question_id=followed.id))
    db.session.commit()
    doctor = make_doctor()
    answer(followed, doctor, MONDAY - timedelta(hours=6))
    answer(followed, make_doctor(), MONDAY - timedelta(hours=2))
    answer(followed, user, MONDAY - timedelta(hours=1))  # their own answer is not news to them
    assert digests.send_due_digests(MONDAY) == 1
    (sent,) = digest_mails()
    for text in (sent.body_text, sent.body_html):
        assert "New question in Chemical peel: How long is the redness?" in text
        assert "Is a TCA peel safe on dark skin?" in text
        assert "Can retinoids shrink pores?" in text and "(2 new answers)" in text


def test_no_consultation_notice_ever_reaches_a_digest():
    user = reader()
    note(user, kind="consultation", message="Your consultation with Dr Lee was accepted",
         at=MONDAY - timedelta(hours=1))
    assert digests.send_due_digests(MONDAY) == 0
    assert digest_mails() == []


def test_the_first_digest_covers_one_period_only():
    pores = topic()
    user = reader()
    follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Answered last week", MONDAY - timedelta(days=5), topics=[pores])
    assert digests.send_due_digests(MONDAY) == 0


def test_a_digest_turned_back_on_after_months_reaches_back_two_periods_only():
    pores = topic()
    user = reader(DigestFrequency.WEEKLY)
    db.session.get(DigestSetting, user.id).last_sent_at = MONDAY - timedelta(days=90)
    db.session.commit()
    follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Answered a month ago", MONDAY - timedelta(days=30), topics=[pores])
    answered_question("Answered ten days ago", MONDAY - timedelta(days=10), topics=[pores])
    assert digests.send_due_digests(MONDAY) == 1
    (sent,) = digest_mails()
    assert "Answered ten days ago" in sent.body_text and "Answered a month ago" not in sent.body_text


def test_the_unsubscribe_link_turns_the_digest_off_and_undo_turns_it_back_on():
    pores = topic()
    user = reader()
    follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=3), topics=[pores])
    digests.send_due_digests(MONDAY)
    (sent,) = digest_mails()
    token = re.search(r"/unsubscribe/(\S+)", sent.body_text).group(1)
    assert notifications.describe_unsubscribe(token=token)["kind"] == "digest"
    notifications.unsubscribe(token=token)
    assert notification_settings.digest_frequency(user.id) is DigestFrequency.NEVER
    answered_question("Does niacinamide shrink pores?", TUESDAY - timedelta(hours=3), topics=[pores])
    assert digests.send_due_digests(TUESDAY) == 0
    notifications.resubscribe(token=token)
    assert notification_settings.digest_frequency(user.id) is notification_settings.DEFAULT_FREQUENCY


def test_the_job_the_scheduler_and_the_command_send_what_is_due(app, monkeypatch):
    assert ("send_digests", 900) in scheduler.PERIODIC
    pores = topic()
    user = reader()
    follow(user, FollowKind.TOPIC, pores.id)
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=3), topics=[pores])
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    assert tasks.send_digests() == 1
    assert tasks.send_digests() == 0
    monkeypatch.setattr(clock, "now", lambda: TUESDAY)
    answered_question("Does niacinamide shrink pores?", TUESDAY - timedelta(hours=3), topics=[pores])
    result = CliRunner().invoke(app.cli, ["send-digests"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 digest(s)." in result.output
    assert len(digest_mails(user)) == 2


def test_a_question_whose_only_answer_was_hidden_is_not_newly_answered():
    pores = topic()
    user = reader()
    follow(user, FollowKind.TOPIC, pores.id)
    question = answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=10), topics=[pores])
    question.answer_count = 0  # as a moderator hiding the only answer leaves it (first_answer_at stays)
    db.session.commit()
    assert digests.send_due_digests(MONDAY) == 0 and digest_mails() == []


def test_a_question_is_listed_once_even_when_followed_and_in_a_followed_topic():
    pores = topic()
    user = reader()
    follow(user, FollowKind.TOPIC, pores.id)
    question = answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=10), topics=[pores])
    db.session.add(Follow(user_id=user.id, question_id=question.id))
    db.session.commit()
    digest = digests.build_digest(user, since=MONDAY - timedelta(days=1), until=MONDAY)
    assert [q.id for q, _ in digest.followed] == [question.id] and digest.answered == []
    assert digests.send_due_digests(MONDAY) == 1
    assert digest_mails(user)[0].body_text.count("Do pore strips make pores bigger?") == 1
