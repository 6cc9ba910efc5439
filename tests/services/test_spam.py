"""New accounts may put at most two links in a post; older accounts and staff are not limited."""
from datetime import timedelta
from pathlib import Path

import pytest

from forum import clock
from forum.errors import Invalid
from forum.services import answers, questions
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
THREE_LINKS = ("See https://example.org/a and https://example.org/b and www.example.org/c "
               "for what I mean about my pores.")


@pytest.fixture
def seeded(app):
    load_seed(SEED)


def ask(user, body):
    return questions.ask_question(user, title="How do I make my enlarged pores look smaller?", body=body,
                                  topics=["enlarged-pores"], treatments=[])


def test_a_new_account_may_not_post_three_links(seeded):
    with pytest.raises(Invalid) as err:
        ask(make_user(), THREE_LINKS)
    assert "at most 2 links" in err.value.fields["body"][0]


def test_two_links_are_fine_for_a_new_account(seeded):
    assert ask(make_user(), "See https://example.org/a and https://example.org/b about my pores please.").question.id


def test_a_day_old_account_and_staff_may_post_more_links(seeded):
    old = make_user(created_at=clock.now() - timedelta(days=2))
    assert ask(old, THREE_LINKS).question.id
    assert ask(make_moderator(), THREE_LINKS).question.id


def test_answers_and_follow_ups_from_new_accounts_are_limited_too(seeded):
    asker = make_user(created_at=clock.now() - timedelta(days=3))
    question = ask(asker, "A question body long enough to be accepted by the schema.").question
    doctor = make_doctor()  # a brand-new account
    with pytest.raises(Invalid):
        answers.post_answer(doctor, question_id=question.id, body=THREE_LINKS)
    answer = answers.post_answer(doctor, question_id=question.id, body="Plain advice without links at all here.")
    with pytest.raises(Invalid):
        answers.add_follow_up(doctor, answer_id=answer.id, body=THREE_LINKS)
