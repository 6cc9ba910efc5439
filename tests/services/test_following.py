"""Following topics, treatments and doctors (services/following.py, services/following_feed.py):
idempotent follows, refusals, the "following" activity and the notifications followers get."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import FollowKind, Notification, Subscription, UserStatus, VerificationStatus
from forum.services import answers, following, following_feed, moderation_content, notification_settings, questions
from tests.following_helpers import add_subjects, peel, topic
from tests.factories import make_doctor, make_moderator, make_user
from tests.services.test_question_photos import upload

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def subjects(app):
    add_subjects()


def ask(user, topics=("enlarged-pores",), treatments=(), **overrides):
    data = {"title": f"Do pore strips shrink pores for good, case {next(_n)}?",
            "body": "I use them weekly and wonder whether they help at all.",
            "topics": list(topics), "treatments": list(treatments)}
    data.update(overrides)
    return questions.ask_question(user, **data).question


def answer(doctor, question):
    return answers.post_answer(doctor, question_id=question.id, body="They empty pores for a while; size comes back.")


def notes(user, kind="followed_activity") -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind).order_by(Notification.id)))


def subscriptions() -> int:
    return db.session.scalar(select(func.count()).select_from(Subscription))


# ---- follow / unfollow ----

def test_following_twice_keeps_one_row_and_unfollowing_twice_is_harmless():
    member = make_user()
    following.follow(member, "topic", topic().id)
    following.follow(member, "topic", topic().id)
    assert subscriptions() == 1 and following.is_following(member, FollowKind.TOPIC, topic().id)
    following.follow(member, "topic", topic().id, on=False)
    following.follow(member, "topic", topic().id, on=False)
    assert subscriptions() == 0 and not following.is_following(member, FollowKind.TOPIC, topic().id)


def test_followed_lists_each_kind_by_name():
    member, doctor = make_user(), make_doctor(full_name="Dr. Ana Silva")
    following.follow(member, "topic", topic("enlarged-pores").id)
    following.follow(member, "topic", topic("acne-scars").id)
    following.follow(member, "treatment", peel().id)
    following.follow(member, "doctor", doctor.doctor_profile.id)
    listed = following.followed(member)
    assert [t.name for t in listed[FollowKind.TOPIC]] == ["Acne scars", "Enlarged pores"]
    assert [t.name for t in listed[FollowKind.TREATMENT]] == ["Chemical peel"]
    assert [d.full_name for d in listed[FollowKind.DOCTOR]] == ["Dr. Ana Silva"]


def test_unknown_kind_and_unknown_id_are_refused_and_store_nothing():
    member = make_user()
    with pytest.raises(Invalid) as refused:
        following.follow(member, "question", 1)
    assert "kind" in refused.value.fields
    for kind in ("topic", "treatment", "doctor"):
        with pytest.raises(NotFound):
            following.follow(member, kind, 999_999)
    with pytest.raises(NotFound):
        following.follow(member, "topic", 2**40)
    assert subscriptions() == 0


def test_an_unverified_doctor_cannot_be_followed():
    member = make_user()
    for status in (VerificationStatus.PENDING, VerificationStatus.REJECTED):
        pending = make_doctor(status=status)
        with pytest.raises(NotFound):
            following.follow(member, "doctor", pending.doctor_profile.id)
    assert subscriptions() == 0


def test_a_suspended_account_may_not_follow():
    member = make_user()
    member.status = UserStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(Forbidden):
        following.follow(member, "topic", topic().id)
    assert subscriptions() == 0


# ---- the activity feed ----

def test_feed_has_questions_in_followed_subjects_and_answers_by_followed_doctors_newest_first(frozen_clock):
    reader, asker = make_user(), make_user(display_name="Pat Asker")
    followed_doctor, other_doctor = make_doctor(full_name="Dr. Ana Silva"), make_doctor()
    following.follow(reader, "topic", topic("enlarged-pores").id)
    following.follow(reader, "treatment", peel().id)
    following.follow(reader, "doctor", followed_doctor.doctor_profile.id)
    in_topic = ask(asker)
    frozen_clock.advance(minutes=5)
    in_treatment = ask(asker, topics=["acne-scars"], treatments=["chemical-peel"])
    frozen_clock.advance(minutes=5)
    elsewhere = ask(asker, topics=["acne-scars"])
    frozen_clock.advance(minutes=5)
    by_followed = answer(followed_doctor, elsewhere)
    frozen_clock.advance(minutes=5)
    answer(other_doctor, elsewhere)  # not followed, not in a followed subject
    frozen_clock.advance(minutes=5)
    in_followed_topic = answer(other_doctor, in_topic)

    items = following_feed.activity(reader)
    assert [(i.kind, i.answer.id if i.answer else i.question.id) for i in items] == [
        ("answer", in_followed_topic.id), ("answer", by_followed.id),
        ("question", in_treatment.id), ("question", in_topic.id)]
    assert items[1].doctor.full_name == "Dr. Ana Silva" and items[3].asker == "Pat Asker"
    assert [i.question.id for i in following_feed.activity(reader, limit=1)] == [in_topic.id]


def test_feed_never_names_an_anonymous_asker_and_leaves_out_hidden_posts():
    reader, asker = make_user(), make_user(display_name="Secret Name")
    moderator, doctor = make_moderator(), make_doctor()
    following.follow(reader, "topic", topic().id)
    anonymous = ask(asker, anonymous=True)
    hidden = ask(asker)
    hidden_answer_on = ask(asker)
    moderation_content.moderate_content(moderator, target_type="question", target_id=hidden.id, action="hide",
                                        reason="Spam.")
    hidden_answer = answer(doctor, hidden_answer_on)
    moderation_content.moderate_content(moderator, target_type="answer", target_id=hidden_answer.id, action="hide",
                                        reason="Advertising.")
    items = following_feed.activity(reader)
    assert {(i.kind, i.question.id) for i in items} == {("question", anonymous.id), ("question", hidden_answer_on.id)}
    assert [i.asker for i in items if i.question.id == anonymous.id] == ["an anonymous member"]
    assert following_feed.activity(moderator) == []  # follows nothing: nothing to show


def test_feed_is_empty_when_nothing_is_followed_and_reading_it_writes_nothing():
    reader = make_user()
    ask(make_user())
    assert following_feed.activity(reader) == []
    assert not db.session.new and not db.session.dirty


# ---- fan-out ----

def test_a_new_question_notifies_followers_of_its_topics_and_treatments_once_but_not_its_asker():
    topic_fan, treatment_fan, both, asker, bystander = make_user(), make_user(), make_user(), make_user(), make_user()
    following.follow(topic_fan, "topic", topic().id)
    following.follow(treatment_fan, "treatment", peel().id)
    following.follow(both, "topic", topic().id)
    following.follow(both, "treatment", peel().id)
    following.follow(asker, "topic", topic().id)
    question = ask(asker, treatments=["chemical-peel"], anonymous=True)
    for user in (topic_fan, treatment_fan, both):
        [note] = notes(user)
        assert note.link == f"/questions/{question.id}" and question.title in note.message
        assert asker.display_name not in note.message  # an anonymous asker stays anonymous
        assert note.digest is True  # the "following" category defaults to the digest
    assert notes(asker) == [] and notes(bystander) == []


def test_a_followed_doctors_answer_notifies_their_followers_but_not_the_doctor_or_question_followers():
    fan, question_follower, asker = make_user(), make_user(), make_user()
    doctor = make_doctor(full_name="Dr. Ana Silva")
    following.follow(fan, "doctor", doctor.doctor_profile.id)
    following.follow(question_follower, "doctor", doctor.doctor_profile.id)
    following.follow(doctor, "doctor", doctor.doctor_profile.id)
    question = ask(asker, topics=["acne-scars"])
    questions.follow_question(question_follower, question_id=question.id)
    posted = answer(doctor, question)
    [note] = notes(fan)
    assert note.message == f"Dr. Ana Silva answered: {question.title}"
    assert note.link == f"/questions/{question.id}#answer-{posted.id}"
    assert notes(question_follower) == [] and len(notes(question_follower, "answer_posted")) == 1
    assert notes(doctor) == []


def test_a_suspended_follower_is_not_notified():
    fan = make_user()
    following.follow(fan, "topic", topic().id)
    fan.status = UserStatus.SUSPENDED
    db.session.commit()
    ask(make_user())
    assert notes(fan) == []


def test_the_channel_setting_is_honoured():
    fan = make_user()
    following.follow(fan, "topic", topic().id)
    notification_settings.save_settings(fan, {"channels": {"following": "off"}})
    ask(make_user())
    assert notes(fan) == []


def test_a_held_question_notifies_only_when_a_moderator_approves_it(photo_dir):
    fan, moderator = make_user(), make_moderator()
    newcomer = make_user(created_at=clock.now() - timedelta(hours=1))
    following.follow(fan, "topic", topic().id)
    question = ask(newcomer, photos=[upload()], photo_consent=True)
    assert question.awaiting_approval and notes(fan) == []
    assert following_feed.activity(fan) == []
    moderation_content.moderate_content(moderator, target_type="question", target_id=question.id, action="approve",
                                        reason="Photos checked.")
    assert [n.link for n in notes(fan)] == [f"/questions/{question.id}"]
