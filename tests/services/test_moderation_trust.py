"""Flags weighted by trust: brand-new accounts, or accounts with nothing the site kept, weigh a
quarter and can never hide a doctor's answer on their own, however many; trusted members can."""
from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from forum import clock
from forum.extensions import db
from forum.models import Flag, FlagReason, ModerationLog
from forum.services import answers, moderation_content, moderation_trust, questions
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_trusted_member, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user):
    return questions.ask_question(user, title=f"Does microneedling shrink quokkaish pores, case {next(_n)}?",
                                  body="My pores on the nose look large. Would microneedling make them smaller?",
                                  topics=["enlarged-pores"], treatments=[], anonymous=False).question


@pytest.fixture
def posted():
    question = ask(make_user())
    return answers.post_answer(make_doctor(), question_id=question.id,
                               body="Microneedling softens pores a little over three to six sessions.")


def flag(user, obj, kind="answer"):
    return moderation_content.flag_content(user, target_type=kind, target_id=obj.id, reason=FlagReason.SPAM)


def new_accounts(n: int) -> list:
    return [make_user() for _ in range(n)]


def auto_hides() -> list[ModerationLog]:
    return list(db.session.scalars(select(ModerationLog).where(ModerationLog.action.like("%.auto_hide"))))


@pytest.mark.parametrize("how_many", [3, 20])
def test_brand_new_accounts_alone_never_hide_a_doctors_answer(posted, how_many):
    for user in new_accounts(how_many):
        flag(user, posted)
    assert not posted.hidden and auto_hides() == []
    weights = db.session.scalars(select(Flag.weight)).all()
    assert len(weights) == how_many and set(weights) == {0.25}


def test_three_trusted_members_hide_it_and_the_log_gives_the_weight(posted):
    for user in (make_trusted_member(), make_trusted_member()):
        flag(user, posted)
    assert not posted.hidden
    flag(make_trusted_member(), posted)
    assert posted.hidden
    (entry,) = auto_hides()
    assert entry.reason == "Hidden automatically after flags from 3 users (weight 3 of 3)"


@pytest.mark.parametrize("trusted, untrusted, hidden", [
    (2, 3, False),   # 2 + 0.75
    (2, 4, True),    # 2 + 1: four new accounts count as one trusted member
    (2, 12, True),   # 2 + 1 (capped)
    (1, 20, False),  # 1 + 1 (capped): one member and a crowd of new accounts is not enough
])
def test_a_mix_counts_new_accounts_at_a_quarter_and_at_most_one_member_in_all(posted, trusted, untrusted, hidden):
    for user in new_accounts(untrusted) + [make_trusted_member() for _ in range(trusted)]:
        flag(user, posted)
    assert posted.hidden is hidden
    tally = moderation_trust.tally_open_flags("answer", str(posted.id))
    assert (tally.flaggers, tally.trusted, tally.untrusted) == (trusted + untrusted, trusted, untrusted / 4)


def test_an_old_account_with_no_public_post_weighs_a_quarter(posted):
    lurker = make_user(created_at=clock.now() - timedelta(days=400))
    assert flag(lurker, posted).weight == 0.25


def test_a_new_account_with_a_post_still_weighs_a_quarter(posted):
    newcomer = make_user()
    ask(newcomer)
    assert flag(newcomer, posted).weight == 0.25


def test_posts_the_site_hid_or_deleted_are_not_accepted_activity(posted):
    spammer = make_user(created_at=clock.now() - timedelta(days=30))
    question = ask(spammer)
    question.hidden = True
    db.session.commit()
    assert not moderation_trust.is_trusted_flagger(spammer)
    question.hidden, question.deleted_at = False, clock.now()
    db.session.commit()
    assert flag(spammer, posted).weight == 0.25


def test_a_day_old_account_with_a_kept_post_counts_in_full(posted, frozen_clock):
    member = make_user()
    ask(member)
    assert not moderation_trust.is_trusted_flagger(member)
    frozen_clock.advance(hours=23)
    assert not moderation_trust.is_trusted_flagger(member)
    frozen_clock.advance(hours=1)
    assert flag(member, posted).weight == 1.0


def test_new_staff_and_verified_doctors_are_trusted_from_the_start(posted):
    reporters = [make_moderator(), make_doctor(), make_doctor()]
    assert [flag(user, posted).weight for user in reporters] == [1.0, 1.0, 1.0]
    assert posted.hidden


def test_the_weight_is_kept_as_it_was_when_the_flag_was_made(posted, frozen_clock):
    member = make_user()
    ask(member)
    made = flag(member, posted)
    frozen_clock.advance(days=3)
    assert moderation_trust.is_trusted_flagger(member)
    db.session.expire_all()
    assert db.session.get(Flag, made.id).weight == 0.25


@pytest.mark.parametrize("app_config", [{"FLAG_WEIGHT_UNTRUSTED": 0.5, "FLAG_UNTRUSTED_CAP": 2.5,
                                         "FLAG_AUTO_HIDE_WEIGHT": 2.0}])
def test_untrusted_flags_alone_never_hide_even_when_configured_to_weigh_more(posted):
    for user in new_accounts(10):
        flag(user, posted)
    assert not posted.hidden
    flag(make_trusted_member(), posted)
    assert posted.hidden


def test_the_moderator_queue_shows_each_weight_and_the_total(posted):
    for user in new_accounts(3) + [make_trusted_member()]:
        flag(user, posted)
    (item,) = moderation_content.open_flags(make_moderator())
    assert sorted(f.weight for f in item.flags) == [0.25, 0.25, 0.25, 1.0]
    assert (item.tally.score, item.tally.threshold, item.tally.trusted) == (1.75, 3.0, 1.0)
