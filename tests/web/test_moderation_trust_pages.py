"""Moderator pages for trust: the flag queue shows what each flag weighs, new accounts' reports do
not take an answer off the page, and the ban form's "also remove all of this user's posts" box
removes them, logged, until a restore with "restore posts" brings them back."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from forum.extensions import db
from forum.models import FlagReason, UserStatus
from forum.services import answers, moderation_content, questions
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_trusted_member, make_user
from tests.web.html import text

SEED = Path(__file__).resolve().parents[2] / "seed"
ANSWER_WORD = "xylophonic"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user):
    return questions.ask_question(user, title=f"Does microneedling shrink quokkaish pores, case {next(_n)}?",
                                  body="My pores on the nose look large. Would microneedling make them smaller?",
                                  topics=["enlarged-pores"], treatments=[], anonymous=False).question


@pytest.fixture
def question():
    return ask(make_user())


@pytest.fixture
def doctor():
    return make_doctor(full_name="Dr. Ada Fictional")


@pytest.fixture
def posted(question, doctor):
    return answers.post_answer(doctor, question_id=question.id,
                               body=f"Microneedling softens {ANSWER_WORD} pores a little over three to six sessions.")


def url(question) -> str:
    return f"/questions/{question.id}/{question.slug}"


@pytest.fixture
def as_moderator(browser):
    browser.login(make_moderator(display_name="Mo Derator"))
    return browser


def test_three_brand_new_accounts_reporting_an_answer_leave_it_on_the_page(app, new_browser, question, posted):
    for _ in range(3):
        member = new_browser()
        member.login(make_user())
        response = member.post_form(f"/flags?next={url(question)}", {"target_type": "answer",
                                    "target_id": str(posted.id), "reason": "spam", "note": ""},
                                    token_from=url(question))
        assert response.status_code in (302, 303)
    assert ANSWER_WORD in app.test_client().get(url(question)).get_data(as_text=True)


def test_the_flag_queue_shows_each_flags_weight_and_the_total(as_moderator, posted):
    for user in (make_user(display_name="Nia Newcomer"), make_user(), make_trusted_member(display_name="Tom Trusted")):
        moderation_content.flag_content(user, target_type="answer", target_id=posted.id, reason=FlagReason.SPAM)
    page = text(as_moderator.get("/mod/flags"))
    assert "Flag weight 1.5 of 3 to hide" in page
    assert "Nia Newcomer, " in page and "weight 0.25 (new or untrusted account)" in page
    assert page.count("weight 0.25 (new or untrusted account)") == 2
    assert page.count("weight 1</span>") == 1 and "Tom Trusted, " in page


def test_a_ban_with_the_remove_posts_box_removes_them_and_a_restore_brings_them_back(as_moderator, app, question,
                                                                                     posted, doctor):
    record = f"/mod/users/{doctor.id}"
    assert "also remove all of this user's posts" in text(as_moderator.get(record))
    response = as_moderator.post_form(f"{record}/ban", {"reason": "Advertises a clinic", "remove_posts": "1"},
                                      token_from=record)
    assert response.status_code == 303
    assert ANSWER_WORD not in app.test_client().get(url(question)).get_data(as_text=True)
    page = text(as_moderator.get(record))
    assert "1 removed by a ban" in page and "bring back the 1 post a ban removed" in page
    log = text(as_moderator.get("/mod/log?action=user.remove_posts"))
    assert "Removed with the ban: 0 questions, 1 answer, 0 follow-ups. Advertises a clinic" in log

    response = as_moderator.post_form(f"{record}/restore", {"reason": "Appeal accepted", "restore_posts": "1"},
                                      token_from=record)
    assert response.status_code == 303
    db.session.expire_all()
    assert doctor.status == UserStatus.ACTIVE
    assert ANSWER_WORD in app.test_client().get(url(question)).get_data(as_text=True)
    assert "Restored what the ban removed" in text(as_moderator.get("/mod/log?action=user.restore_posts"))


def test_ticking_remove_posts_with_suspend_is_refused_with_a_message(as_moderator, app, question, posted, doctor):
    record = f"/mod/users/{doctor.id}"
    response = as_moderator.post_form(f"{record}/suspend", {"reason": "Advertises", "days": "3",
                                                             "remove_posts": "1"}, token_from=record)
    assert response.status_code == 422 and "Only a ban removes the user's posts." in text(response)
    db.session.expire_all()
    assert doctor.status == UserStatus.ACTIVE
    assert ANSWER_WORD in app.test_client().get(url(question)).get_data(as_text=True)
