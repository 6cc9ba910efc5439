"""Banning with "also remove all of this user's posts": every question, answer and follow-up goes
(logged with the counts), and restoring the account with "restore posts" brings back exactly
those, not posts removed earlier for other reasons."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.models import Flag, FlagReason, FlagStatus, ModerationLog, UserStatus
from forum.services import answers, moderation_content, moderation_users, questions, search
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user, word="quokkaish"):
    return questions.ask_question(user, title=f"Does microneedling shrink {word} pores, case {next(_n)}?",
                                  body=f"My {word} pores on the nose look large. Would microneedling help?",
                                  topics=["enlarged-pores"], treatments=[], anonymous=False).question


@pytest.fixture
def moderator():
    return make_moderator(display_name="Mo Derator")


@pytest.fixture
def spammer():
    """A doctor who turned to advertising: two questions, an answer and a follow-up."""
    user = make_doctor(full_name="Dr. Spam Fictional")
    asked = [ask(user, "zanzibarish"), ask(user, "zanzibarish")]
    other_question = ask(make_user())
    answer = answers.post_answer(user, question_id=other_question.id,
                                 body="Call my zanzibarish clinic today for half price, this week only.")
    asker_answer = answers.post_answer(make_doctor(), question_id=asked[0].id,
                                       body="A real answer from another doctor, long enough to post.")
    follow_up = answers.add_follow_up(user, answer_id=asker_answer.id, body="Thanks, see my clinic too.")
    return {"user": user, "questions": asked, "answer": answer, "follow_up": follow_up,
            "other_question": other_question}


def act(moderator, user, action, reason="Advertises a clinic everywhere", **extra):
    return moderation_users.moderate_user(moderator, user_id=user.id, action=action, reason=reason, **extra)


def posts(case) -> list:
    return [*case["questions"], case["answer"], case["follow_up"]]


def log_actions(user) -> list[tuple[str, str]]:
    rows = db.session.scalars(select(ModerationLog).where(ModerationLog.target_type == "user",
                                                          ModerationLog.target_id == str(user.id))
                              .order_by(ModerationLog.id))
    return [(row.action, row.reason) for row in rows]


def test_a_ban_with_remove_posts_removes_every_post_and_logs_the_counts(moderator, spammer):
    act(moderator, spammer["user"], "ban", remove_posts=True)
    db.session.expire_all()
    assert spammer["user"].status == UserStatus.BANNED
    assert all(p.hidden and p.deleted_at is not None for p in posts(spammer))
    assert log_actions(spammer["user"]) == [
        ("user.ban", "Advertises a clinic everywhere"),
        ("user.remove_posts", "Removed with the ban: 2 questions, 1 answer, 1 follow-up. Advertises a clinic everywhere"),
    ]
    assert search.search("zanzibarish").hits == []
    with pytest.raises(NotFound):
        questions.get_question(None, spammer["questions"][0].id)
    assert spammer["other_question"].answer_count == 0
    assert spammer["user"].doctor_profile.answer_count == 0


def test_a_ban_without_it_leaves_the_posts(moderator, spammer):
    act(moderator, spammer["user"], "ban")
    db.session.expire_all()
    assert not any(p.hidden or p.deleted_at for p in posts(spammer))
    assert [a for a, _ in log_actions(spammer["user"])] == ["user.ban"]


def test_open_flags_on_the_removed_posts_are_resolved(moderator, spammer):
    reporter = make_user()
    moderation_content.flag_content(reporter, target_type="answer", target_id=spammer["answer"].id,
                                    reason=FlagReason.SELF_PROMOTION)
    act(moderator, spammer["user"], "ban", remove_posts=True)
    (made,) = db.session.scalars(select(Flag)).all()
    assert (made.status, made.handled_by_id) == (FlagStatus.RESOLVED, moderator.id)
    assert moderation_content.open_flags(moderator) == []


def test_restoring_with_restore_posts_brings_back_exactly_what_the_ban_removed(moderator, spammer):
    earlier = spammer["questions"][1]
    moderation_content.moderate_content(moderator, target_type="question", target_id=earlier.id, action="delete",
                                        reason="Duplicate advert")
    hidden_before = spammer["answer"]
    moderation_content.moderate_content(moderator, target_type="answer", target_id=hidden_before.id, action="hide",
                                        reason="Under review")
    act(moderator, spammer["user"], "ban", remove_posts=True)
    act(moderator, spammer["user"], "restore", reason="Appeal accepted", restore_posts=True)
    db.session.expire_all()
    assert spammer["user"].status == UserStatus.ACTIVE
    assert earlier.deleted_at is not None and earlier.hidden  # removed earlier, for another reason
    assert hidden_before.hidden and hidden_before.deleted_at is None  # comes back as it was: hidden
    assert not spammer["questions"][0].hidden and spammer["questions"][0].deleted_at is None
    assert not spammer["follow_up"].hidden and spammer["follow_up"].deleted_at is None
    assert log_actions(spammer["user"])[-2:] == [
        ("user.restore", "Appeal accepted"),
        ("user.restore_posts", "Restored what the ban removed: 1 question, 1 answer, 1 follow-up. Appeal accepted"),
    ]
    assert [h.ref_id for h in search.search("zanzibarish").hits if h.kind == "question"] == [spammer["questions"][0].id]


def test_a_restore_without_restore_posts_leaves_them_removed_until_asked(moderator, spammer):
    act(moderator, spammer["user"], "ban", remove_posts=True)
    act(moderator, spammer["user"], "restore", reason="Appeal accepted")
    db.session.expire_all()
    assert all(p.deleted_at is not None for p in posts(spammer))
    assert moderation_users.user_record(moderator, spammer["user"].id)["removed_by_ban"] == 4
    act(moderator, spammer["user"], "restore", reason="Posts too", restore_posts=True)  # account already active
    db.session.expire_all()
    assert not any(p.deleted_at for p in posts(spammer))
    assert moderation_users.user_record(moderator, spammer["user"].id)["removed_by_ban"] == 0
    with pytest.raises(Conflict):  # nothing left to bring back
        act(moderator, spammer["user"], "restore", restore_posts=True)


def test_a_post_deleted_again_after_its_own_restore_stays_deleted(moderator, spammer):
    act(moderator, spammer["user"], "ban", remove_posts=True)
    answer = spammer["answer"]
    for action in ("restore", "delete"):
        moderation_content.moderate_content(moderator, target_type="answer", target_id=answer.id, action=action,
                                            reason="Looked again")
    act(moderator, spammer["user"], "restore", reason="Appeal accepted", restore_posts=True)
    db.session.expire_all()
    assert answer.deleted_at is not None
    assert not spammer["questions"][0].hidden


@pytest.mark.parametrize("action, extra, field", [
    ("suspend", {"days": 3, "remove_posts": True}, "remove_posts"),
    ("ban", {"restore_posts": True}, "restore_posts"),
])
def test_remove_and_restore_go_only_with_ban_and_restore(moderator, spammer, action, extra, field):
    with pytest.raises(Invalid) as caught:
        act(moderator, spammer["user"], action, **extra)
    assert field in caught.value.fields
    db.session.rollback()
    db.session.expire_all()
    assert spammer["user"].status == UserStatus.ACTIVE and log_actions(spammer["user"]) == []
