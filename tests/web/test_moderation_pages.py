"""Moderation in the browser: flags and the trust-weighted auto-hide, each action's effect on every
public surface (page, list, search, feed, sitemap, API, home counts), the moderator pages and who
is refused on them, the log, suspended and banned users on every write, honeypot, rate limit."""
from __future__ import annotations

import itertools
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import current_app
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Answer, ApiToken, Article, ConsultationRequest, DoctorProfile, Flag, FlagReason, FlagStatus, FollowUp, HelpfulVote,
    ModerationLog, Notification, Question, Role, User, UserStatus, VerificationStatus,
)
from forum.services import answers, contact, moderation_content, moderation_users, questions, site
from forum.services.seed import load_seed
from tests.conftest import csrf_token
from tests.factories import (
    PASSWORD, application_data, make_admin, make_doctor, make_moderator, make_trusted_member, make_user,
)
from tests.web.html import flashes, text

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)
QUESTION_WORD, ANSWER_WORD = "quokkaish", "xylophonic"


@pytest.fixture
def app_config():
    """These tests walk many pages per test; the per-IP default limit has its own tests."""
    return {"RATELIMIT_DEFAULT": "10000 per minute"}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user, **overrides) -> Question:
    data = {"title": f"Does microneedling shrink {QUESTION_WORD} pores, case {next(_n)}?",
            "body": "My pores on the nose look large. Would microneedling make them smaller for good?",
            "topics": ["enlarged-pores"], "treatments": [], "anonymous": False}
    data.update(overrides)
    return questions.ask_question(user, **data).question


def url(question: Question) -> str:
    return f"/questions/{question.id}/{question.slug}"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def act(actor, obj, action, kind="answer", reason="Breaks the advertising rule", **extra):
    return moderation_content.moderate_content(actor, target_type=kind, target_id=obj.id, action=action,
                                               reason=reason, **extra)


def home_counts() -> dict:
    current_app.extensions.pop("forum_home_stats", None)  # cached for a minute per app
    return site.home_stats()


@pytest.fixture
def asker():
    return make_user(display_name="Pat Asker")


@pytest.fixture
def doctor():
    return make_doctor(full_name="Dr. Ada Fictional")


@pytest.fixture
def question(asker):
    return ask(asker)


@pytest.fixture
def posted(question, doctor):
    return answers.post_answer(doctor, question_id=question.id,
                               body=f"Microneedling softens {ANSWER_WORD} pores a little over three to six sessions.")


@pytest.fixture
def moderator():
    return make_moderator(display_name="Mo Derator")


@pytest.fixture
def as_moderator(browser, moderator):
    browser.login(moderator)
    return browser


# ---- what the public sees ----

def public_view(app, question, answer=None) -> dict:
    """Every public place a question (and one of its answers) can appear, as a visitor sees it."""
    visitor = app.test_client()
    page = visitor.get(url(question))
    api = visitor.get(f"/api/v1/questions/{question.id}")
    listed = visitor.get("/api/v1/questions?limit=100").get_json()["items"]
    listed_row = next((q for q in listed if q["id"] == question.id), None)
    q_path = f"/questions/{question.id}"
    view = {
        "page": page.status_code,
        "list": q_path + "/" in visitor.get("/questions").get_data(as_text=True),
        "search": f'href="{q_path}"' in visitor.get(f"/search?q={QUESTION_WORD}").get_data(as_text=True),
        "api_search": q_path in [h["url"] for h in visitor.get(f"/api/v1/search?q={QUESTION_WORD}").get_json()["items"]],
        "feed": q_path + "/" in visitor.get("/feeds/questions.atom").get_data(as_text=True),
        "sitemap": q_path + "/" in visitor.get("/sitemap.xml").get_data(as_text=True),
        "api_detail": api.status_code,
        "api_list": listed_row is not None,
        "home": home_counts(),
    }
    if answer is not None:
        anchor = f"{q_path}#answer-{answer.id}"
        view.update({
            "page_answer": page.status_code == 200 and f'id="answer-{answer.id}"' in page.get_data(as_text=True),
            "answer_search": anchor in visitor.get(f"/search?q={ANSWER_WORD}").get_data(as_text=True),
            "answer_api_search": anchor in [h["url"] for h in
                                            visitor.get(f"/api/v1/search?q={ANSWER_WORD}").get_json()["items"]],
            "answer_api_detail": api.status_code == 200 and answer.id in [a["id"] for a in api.get_json()["answers"]],
            "answer_count": listed_row["answer_count"] if listed_row else None,
        })
    return view


QUESTION_SHOWN = {"page": 200, "list": True, "search": True, "api_search": True, "feed": True, "sitemap": True,
                  "api_detail": 200, "api_list": True}
QUESTION_GONE = {"page": 404, "list": False, "search": False, "api_search": False, "feed": False,
                 "sitemap": False, "api_detail": 404, "api_list": False}


def visible_part(view: dict, keys) -> dict:
    return {k: view[k] for k in keys}


def test_a_visible_question_and_answer_are_on_every_public_surface(app, question, posted):
    view = public_view(app, question, posted)
    assert visible_part(view, QUESTION_SHOWN) == QUESTION_SHOWN
    assert view["page_answer"] and view["answer_search"] and view["answer_api_search"]
    assert view["answer_api_detail"] and view["answer_count"] == 1
    assert view["home"]["doctor_answers"] == 1 and view["home"]["answered_questions"] == 1


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_a_removed_question_is_gone_from_every_public_surface(app, question, posted, moderator, action):
    act(moderator, question, action, "question")
    view = public_view(app, question, posted)
    assert visible_part(view, QUESTION_GONE) == QUESTION_GONE
    assert not view["answer_search"] and not view["answer_api_search"]
    assert view["home"]["answered_questions"] == 0


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_a_removed_question_takes_its_answers_out_of_the_home_count(app, question, posted, moderator, action):
    act(moderator, question, action, "question")
    assert home_counts()["doctor_answers"] == 0


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_a_removed_answer_is_gone_from_every_public_surface(app, question, posted, moderator, action):
    act(moderator, posted, action)
    view = public_view(app, question, posted)
    assert visible_part(view, QUESTION_SHOWN) == QUESTION_SHOWN  # the question itself stays
    assert not view["page_answer"] and not view["answer_search"] and not view["answer_api_search"]
    assert not view["answer_api_detail"] and view["answer_count"] == 0
    assert view["home"] == {**view["home"], "doctor_answers": 0, "answered_questions": 0}
    assert ANSWER_WORD not in app.test_client().get(url(question)).get_data(as_text=True)


@pytest.mark.parametrize("kind, removal", [("question", "hide"), ("question", "delete"), ("answer", "hide"),
                                           ("answer", "delete")])
def test_restore_brings_the_content_back_everywhere(app, question, posted, moderator, kind, removal):
    before = public_view(app, question, posted)
    target = question if kind == "question" else posted
    act(moderator, target, removal, kind)
    act(moderator, target, "restore", kind, reason="Checked: nothing wrong")
    assert public_view(app, question, posted) == before


def test_unhide_brings_a_hidden_answer_back(app, question, posted, moderator):
    before = public_view(app, question, posted)
    act(moderator, posted, "hide")
    act(moderator, posted, "unhide")
    assert public_view(app, question, posted) == before


# ---- hidden versus deleted, for the author and staff ----

def test_a_hidden_question_is_still_shown_to_its_asker_and_staff_with_a_badge(browser, new_browser, question, asker,
                                                                              moderator):
    act(moderator, question, "hide", "question")
    browser.login(asker)
    page = browser.get(url(question))
    assert page.status_code == 200 and "Hidden pending review" in text(page)
    staff = new_browser()
    staff.login(moderator)
    assert staff.get(url(question)).status_code == 200
    assert staff.get(f"/api/v1/questions/{question.id}").status_code == 200
    other = new_browser()
    other.login(make_user())
    assert other.get(url(question)).status_code == 404


def test_a_deleted_question_is_gone_even_for_its_asker_but_not_for_staff(browser, new_browser, question, asker,
                                                                         moderator):
    act(moderator, question, "delete", "question")
    browser.login(asker)
    assert browser.get(url(question)).status_code == 404
    assert question.title not in text(browser.get("/questions"))
    staff = new_browser()
    staff.login(moderator)
    assert staff.get(url(question)).status_code == 200


def test_a_hidden_answer_is_shown_to_its_doctor_and_a_deleted_one_is_not(browser, question, posted, doctor,
                                                                         moderator):
    browser.login(doctor)
    act(moderator, posted, "hide")
    page = text(browser.get(url(question)))
    assert ANSWER_WORD in page and "Hidden pending review" in page
    act(moderator, posted, "delete")
    assert ANSWER_WORD not in text(browser.get(url(question)))


def test_a_hidden_follow_up_leaves_the_thread(app, question, posted, asker, moderator):
    follow_up = answers.add_follow_up(asker, answer_id=posted.id, body="How many zanzibaric sessions would I need?")
    visitor = app.test_client()
    assert "zanzibaric" in visitor.get(url(question)).get_data(as_text=True)
    act(moderator, follow_up, "delete", "follow_up")
    assert "zanzibaric" not in visitor.get(url(question)).get_data(as_text=True)
    assert "zanzibaric" not in visitor.get(f"/api/v1/questions/{question.id}").get_data(as_text=True)
    act(moderator, follow_up, "restore", "follow_up")
    assert "zanzibaric" in visitor.get(url(question)).get_data(as_text=True)


# ---- lock, duplicate, edit as the pages show them ----

def test_a_locked_question_says_so_and_takes_no_answers_or_follow_ups(browser, new_browser, question, posted, asker,
                                                                      moderator):
    act(moderator, question, "lock", "question", reason="Heated thread")
    second = new_browser()
    second.login(make_doctor())
    page = second.get(url(question))
    assert "This question is locked" in text(page) and "Post answer" not in text(page)
    refused = second.post_form(f"/questions/{question.id}/answers", {"body": "A" * 40}, token_from=url(question))
    assert refused.status_code == 403
    browser.login(asker)
    assert "Send follow-up" not in text(browser.get(url(question)))
    refused = browser.post_form(f"/answers/{posted.id}/follow-ups", {"body": "Any news?"}, token_from=url(question))
    assert refused.status_code == 403
    assert count(FollowUp) == 0
    act(moderator, question, "unlock", "question")
    assert "Send follow-up" in text(browser.get(url(question)))


def test_a_duplicate_links_to_the_original_and_takes_no_answers(browser, question, moderator):
    original = ask(make_user(), title="Does microneedling shrink large pores permanently?")
    act(moderator, question, "close_duplicate", "question", duplicate_of_id=original.id)
    browser.login(make_doctor())
    page = browser.get(url(question))
    assert "Closed as a duplicate of" in text(page)
    assert f'href="{url(original)}"' in page.get_data(as_text=True)
    assert "Post answer" not in text(page)
    refused = browser.post_form(f"/questions/{question.id}/answers", {"body": "A" * 40}, token_from=url(question))
    assert refused.status_code == 403
    act(moderator, question, "reopen", "question")
    page = browser.get(url(question))
    assert "Closed as a duplicate" not in text(page) and "Post answer" in text(page)


def test_a_moderator_edit_shows_on_the_page(app, question, posted, moderator):
    act(moderator, posted, "edit", reason="Removed a clinic phone number",
        body="Microneedling softens pores a little; see a doctor near you for an examination.")
    page = app.test_client().get(url(question)).get_data(as_text=True)
    assert "see a doctor near you" in page and ANSWER_WORD not in page
    assert posted.moderator_edited_at is not None


def test_the_author_sees_an_edited_by_moderator_mark(browser, question, posted, doctor, moderator):
    act(moderator, posted, "edit", reason="Removed a phone number", body="Microneedling softens pores a little.")
    act(moderator, question, "edit", "question", title="Does microneedling shrink my pores?",
        body="My pores on the nose look large. Would it help?")
    browser.login(doctor)
    page = browser.get(url(question)).get_data(as_text=True)
    assert page.count('data-testid="moderator-edited"') == 2
    assert text(browser.get(url(question))).lower().count("edited by a moderator") == 2


def test_staff_lock_and_unlock_from_the_question_page(browser, new_browser, as_moderator, question):
    member = new_browser()
    member.login(make_user())
    assert "Moderate this question" not in text(member.get(url(question)))
    page = text(as_moderator.get(url(question)))
    assert "Moderate this question" in page and ">Lock</button>" in page
    response = as_moderator.post_form(f"/mod/content/question/{question.id}/lock?next={url(question)}",
                                      {"reason": "Heated thread"}, token_from=url(question))
    assert response.status_code == 303 and response.headers["Location"] == url(question)
    page = text(as_moderator.get(url(question)))
    assert "This question is locked" in page and ">Unlock</button>" in page
    as_moderator.post_form(f"/mod/content/question/{question.id}/unlock?next={url(question)}",
                           {"reason": "Calm again"}, token_from=url(question))
    assert not question.locked


def test_a_visitor_sees_no_report_or_moderation_controls(client, question, posted):
    page = client.get(url(question)).get_data(as_text=True)
    assert "/flags" not in page and "Moderate this" not in page


# ---- flagging from the pages ----

def test_the_question_page_offers_members_a_report_control(browser, question, posted):
    browser.login(make_user())
    page = browser.get(url(question)).get_data(as_text=True)
    assert page.count('action="/flags?next=') >= 2
    assert f'name="target_id" value="{posted.id}"' in page


def flag_form(answer, reason="spam", note="") -> dict:
    return {"target_type": "answer", "target_id": str(answer.id), "reason": reason, "note": note}


def test_a_member_reports_an_answer_and_returns_to_the_page(browser, question, posted):
    reporter = make_user()
    browser.login(reporter)
    response = browser.post_form(f"/flags?next={url(question)}", flag_form(posted, "medical misinformation",
                                                                            "Promises permanent results"),
                                 token_from=url(question))
    assert response.status_code == 303 and response.headers["Location"] == url(question)
    assert "Thank you. A moderator will review this." in flashes(browser.get(url(question)).get_data(as_text=True))
    (flag,) = db.session.scalars(select(Flag)).all()
    assert (flag.reporter_id, flag.reason, flag.note) == (reporter.id, FlagReason.MISINFORMATION,
                                                          "Promises permanent results")


def test_a_second_report_by_the_same_member_is_refused_with_a_message(browser, question, posted):
    browser.login(make_user())
    browser.post_form(f"/flags?next={url(question)}", flag_form(posted), token_from=url(question))
    again = browser.post_form(f"/flags?next={url(question)}", flag_form(posted, "offensive"), token_from=url(question))
    assert again.status_code == 303
    assert "You already flagged this" in " ".join(flashes(browser.get(url(question)).get_data(as_text=True)))
    assert count(Flag) == 1


def test_a_report_without_a_reason_is_refused_with_a_message(browser, question, posted):
    browser.login(make_user())
    browser.post_form(f"/flags?next={url(question)}", flag_form(posted, reason=""), token_from=url(question))
    assert "Choose a reason for the report." in flashes(browser.get(url(question)).get_data(as_text=True))
    assert count(Flag) == 0


def test_a_visitor_is_sent_to_log_in_before_reporting(client, browser, posted):
    response = browser.post_form("/flags", flag_form(posted), token_from="/login")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert count(Flag) == 0


def test_reporting_without_a_csrf_token_is_refused(browser, client, posted):
    browser.login(make_user())
    assert client.post("/flags", data=flag_form(posted)).status_code == 400
    assert count(Flag) == 0


def test_three_members_reporting_an_answer_hide_it_from_the_page(app, new_browser, question, posted, doctor):
    for _ in range(3):
        member = new_browser()
        member.login(make_trusted_member())
        member.post_form(f"/flags?next={url(question)}", flag_form(posted), token_from=url(question))
    page = app.test_client().get(url(question)).get_data(as_text=True)
    assert ANSWER_WORD not in page and "No doctor has answered yet." in page
    assert [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == doctor.id))] == [
        "content_under_review"]


def test_one_member_reporting_three_times_hides_nothing(app, browser, question, posted):
    browser.login(make_user())
    for _ in range(3):
        browser.post_form(f"/flags?next={url(question)}", flag_form(posted), token_from=url(question))
    assert ANSWER_WORD in app.test_client().get(url(question)).get_data(as_text=True)
    assert count(Flag) == 1


@pytest.mark.parametrize("app_config", [{"RATELIMIT_FLAG": "2 per hour"}])
def test_reporting_too_often_gets_429(browser, question):
    browser.login(make_user())
    targets = [answers.post_answer(make_doctor(), question_id=question.id, body="An answer long enough to post.")
               for _ in range(3)]
    statuses = [browser.post_form("/flags", flag_form(a), token_from=url(question)).status_code for a in targets]
    assert statuses == [303, 303, 429]
    assert count(Flag) == 2


# ---- the moderator's pages ----

def test_the_dashboard_shows_the_queues(as_moderator, question, posted):
    make_doctor(status=VerificationStatus.PENDING, full_name="Dr. Pending Applicant")
    moderation_content.flag_content(make_user(), target_type="answer", target_id=posted.id, reason=FlagReason.SPAM)
    page = as_moderator.get("/mod")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'data-testid="count-flags">1<', html)
    assert re.search(r'data-testid="count-applications">1<', html)
    assert f"answer #{posted.id} — 1 flag since" in text(page)
    assert "Dr. Pending Applicant" in html
    assert f"Question: <a href=\"{url(question)}\">" in html  # content from a new account


def test_the_flag_queue_shows_the_content_author_flags_and_actions(as_moderator, question, posted):
    moderation_content.flag_content(make_user(display_name="Rita Reporter"), target_type="answer",
                                    target_id=posted.id, reason=FlagReason.SELF_PROMOTION, note="Links to a clinic")
    moderation_content.flag_content(make_user(), target_type="answer", target_id=posted.id,
                                    reason=FlagReason.SPAM)
    page = as_moderator.get("/mod/flags")
    body = text(page)
    assert page.status_code == 200
    assert body.count('data-testid="flagged-') == 1  # grouped per item
    assert ANSWER_WORD in body and f"By {posted.author.display_name}" in body
    assert "<strong>Self-promotion</strong>: Links to a clinic" in body
    assert "Rita Reporter" in body and "<strong>Spam</strong>" in body
    for label in ("Restore", "Hide", "Delete", "Dismiss flags"):
        assert f">{label}</button>" in body


def _flag_one_of_each(question_author):
    """A flagged question, answer, follow-up and doctor profile, each from different people."""
    question = ask(question_author)
    doctor = make_doctor()
    answer = answers.post_answer(doctor, question_id=question.id, body="An answer long enough to be posted.")
    follow_up = answers.add_follow_up(question_author, answer_id=answer.id, body="Thank you, doctor.")
    reporter = make_user()
    for kind, obj in (("question", question), ("answer", answer), ("follow_up", follow_up),
                      ("doctor", doctor.doctor_profile)):
        moderation_content.flag_content(reporter, target_type=kind, target_id=obj.id, reason=FlagReason.SPAM)


def test_the_flag_queue_costs_the_same_queries_for_more_items(as_moderator, count_queries):
    _flag_one_of_each(make_user())
    with count_queries() as few:
        assert as_moderator.get("/mod/flags").status_code == 200
    for _ in range(3):
        _flag_one_of_each(make_user())
    with count_queries() as many:
        page = as_moderator.get("/mod/flags")
    assert page.get_data(as_text=True).count('data-testid="flagged-') == 16
    assert many.count == few.count, many.statements


def test_a_flagged_consultation_is_listed_without_its_private_details(as_moderator, moderator):
    from forum.services import consultations

    requester, doctor = make_user(), make_doctor()
    request_ = consultations.request_consultation(
        requester, doctor_id=doctor.doctor_profile.id, consent=True, concern="Rosacea flare on my cheeks",
        description="Since the laser last month my cheeks burn and flush every evening.",
        contact_method="in-app messages")
    moderation_content.flag_content(doctor, target_type="consultation", target_id=request_.id,
                                    reason=FlagReason.OFFENSIVE, note="Abusive messages")
    page = as_moderator.get("/mod/flags")
    assert page.status_code == 200
    body = text(page)
    assert f'href="/consultations/{request_.id}"' in body and "Private consultation" in body
    assert "Rosacea" not in body and "burn and flush" not in body
    assert ">Dismiss flags</button>" in body and ">Delete</button>" not in body
    response = as_moderator.post_form(f"/mod/content/consultation/{request_.id}/dismiss",
                                      {"reason": "Handled with both people"}, token_from="/mod/flags")
    assert response.status_code == 303 and "No open flags." in text(as_moderator.get("/mod/flags"))


def test_a_moderator_deletes_from_the_queue_with_a_reason(app, as_moderator, moderator, question, posted):
    moderation_content.flag_content(make_user(), target_type="answer", target_id=posted.id, reason=FlagReason.SPAM)
    response = as_moderator.post_form(f"/mod/content/answer/{posted.id}/delete?next=/mod/flags",
                                      {"reason": "Advertising a clinic"}, token_from="/mod/flags")
    assert response.status_code == 303 and response.headers["Location"] == "/mod/flags"
    page = as_moderator.get("/mod/flags")
    assert "Done, and logged." in flashes(page.get_data(as_text=True)) and "No open flags." in text(page)
    assert posted.deleted_at is not None
    assert ANSWER_WORD not in app.test_client().get(url(question)).get_data(as_text=True)
    log = text(as_moderator.get("/mod/log"))
    assert "answer.delete" in log and "Advertising a clinic" in log and "Mo Derator" in log


def test_a_moderator_restores_an_auto_hidden_answer_from_the_queue(app, as_moderator, question, posted):
    for _ in range(3):
        moderation_content.flag_content(make_user(), target_type="answer", target_id=posted.id,
                                        reason=FlagReason.SPAM)
    assert "hidden" in text(as_moderator.get("/mod/flags"))
    as_moderator.post_form(f"/mod/content/answer/{posted.id}/restore", {"reason": "Fine on review"},
                           token_from="/mod/flags")
    assert ANSWER_WORD in app.test_client().get(url(question)).get_data(as_text=True)
    assert {f.status for f in db.session.scalars(select(Flag))} == {FlagStatus.DISMISSED}


def test_a_moderator_edits_from_the_queue(app, as_moderator, question, posted):
    moderation_content.flag_content(make_user(), target_type="answer", target_id=posted.id, reason=FlagReason.PRIVACY)
    assert "Edit the text" in text(as_moderator.get("/mod/flags"))
    response = as_moderator.post_form(f"/mod/content/answer/{posted.id}/edit",
                                      {"reason": "Removed a phone number", "body": "Microneedling helps a little."},
                                      token_from="/mod/flags")
    assert response.status_code == 303
    assert "Microneedling helps a little." in app.test_client().get(url(question)).get_data(as_text=True)


@pytest.mark.parametrize("data, message", [({"reason": ""}, "Enter a reason"),
                                           ({"reason": "ok"}, "Use between 3 and 500 characters")])
def test_an_action_without_a_reason_is_refused_and_changes_nothing(as_moderator, posted, data, message):
    moderation_content.flag_content(make_user(), target_type="answer", target_id=posted.id, reason=FlagReason.SPAM)
    response = as_moderator.post_form(f"/mod/content/answer/{posted.id}/delete", data, token_from="/mod/flags")
    assert response.status_code == 422
    assert message in text(response)
    assert posted.deleted_at is None and count(ModerationLog) == 0


def test_closing_as_a_duplicate_without_an_original_is_refused_on_the_queue(as_moderator, question):
    moderation_content.flag_content(make_user(), target_type="question", target_id=question.id,
                                    reason=FlagReason.OTHER)
    response = as_moderator.post_form(f"/mod/content/question/{question.id}/close_duplicate",
                                      {"reason": "Asked before", "duplicate_of_id": ""}, token_from="/mod/flags")
    assert response.status_code == 422
    assert "Give the id of a visible, different question." in text(response)


def test_an_action_on_a_missing_item_is_not_found(as_moderator):
    response = as_moderator.post_form("/mod/content/answer/999999/delete", {"reason": "Gone"},
                                      token_from="/mod/flags")
    assert response.status_code == 404


def test_a_moderator_finds_a_user_and_sees_their_record(as_moderator, question, asker):
    page = as_moderator.get("/mod/users?q=pat")
    assert page.status_code == 200
    assert re.findall(r'<a href="/mod/users/(\d+)">', page.get_data(as_text=True)) == [str(asker.id)]
    record = as_moderator.get(f"/mod/users/{asker.id}")
    assert record.status_code == 200
    body = text(record)
    assert "1 question · 0 answers" in body and asker.email in body  # ngettext: singular for one (#16)
    assert ">Suspend</button>" in body and "Make moderator" not in body


def test_a_moderator_suspends_a_member_from_their_page(as_moderator, asker):
    response = as_moderator.post_form(f"/mod/users/{asker.id}/suspend", {"reason": "Spam", "days": "7"},
                                      token_from=f"/mod/users/{asker.id}")
    assert response.status_code == 303 and response.headers["Location"] == f"/mod/users/{asker.id}"
    assert asker.status == UserStatus.SUSPENDED
    assert 'data-testid="user-status">Suspended until' in as_moderator.get(f"/mod/users/{asker.id}").get_data(
        as_text=True)


def test_a_suspension_without_days_is_refused_at_the_field(as_moderator, asker):
    response = as_moderator.post_form(f"/mod/users/{asker.id}/suspend", {"reason": "Spam", "days": ""},
                                      token_from=f"/mod/users/{asker.id}")
    assert response.status_code == 422 and "Give the number of days." in text(response)
    assert asker.status == UserStatus.ACTIVE


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MODERATOR])
def test_a_moderator_cannot_act_on_an_admin_or_another_moderator(as_moderator, role):
    target = make_user(role=role)
    page = as_moderator.get(f"/mod/users/{target.id}")
    assert "You cannot act on this account." in text(page) and ">Ban</button>" not in text(page)
    for action in ("suspend", "ban", "demote"):
        response = as_moderator.post_form(f"/mod/users/{target.id}/{action}", {"reason": "Trying", "days": "1"},
                                          token_from=f"/mod/users/{target.id}")
        assert response.status_code == 403
    assert target.status == UserStatus.ACTIVE and target.role == role


def test_a_moderator_cannot_promote_but_an_admin_can(browser, new_browser, as_moderator, asker):
    response = as_moderator.post_form(f"/mod/users/{asker.id}/promote", {"reason": "Helpful member"},
                                      token_from=f"/mod/users/{asker.id}")
    assert response.status_code == 403 and asker.role == Role.MEMBER
    admin = new_browser()
    admin.login(make_admin())
    assert "Make moderator" in text(admin.get(f"/mod/users/{asker.id}"))
    response = admin.post_form(f"/mod/users/{asker.id}/promote", {"reason": "Helpful member"},
                               token_from=f"/mod/users/{asker.id}")
    assert response.status_code == 303 and asker.role == Role.MODERATOR
    admin.post_form(f"/mod/users/{asker.id}/demote", {"reason": "Stepped down"}, token_from=f"/mod/users/{asker.id}")
    assert asker.role == Role.MEMBER


def test_the_log_shows_every_action_and_filters(as_moderator, moderator, question, posted, asker):
    admin = make_admin(display_name="Ad Min")
    act(moderator, posted, "hide", reason="Under review")
    act(moderator, question, "lock", "question", reason="Heated")
    moderation_users.moderate_user(admin, user_id=asker.id, action="ban", reason="Ban evasion")
    page = as_moderator.get("/mod/log")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('data-testid="log-entry"') == 3
    body = text(page)
    for expected in ("answer.hide", "Under review", "question.lock", "Heated", "user.ban", "Ban evasion", "Ad Min",
                     f"Answer #{posted.id}", f"User #{asker.id}"):
        assert expected in body

    def entries(query):
        return as_moderator.get(f"/mod/log?{query}").get_data(as_text=True).count('data-testid="log-entry"')

    assert entries(f"actor_id={admin.id}") == 1
    assert entries("action=question.lock") == 1
    assert entries("target_type=answer") == 1
    assert entries(f"target_type=user&target_id={asker.id}") == 1
    assert entries("action=answer.delete") == 0
    assert as_moderator.get("/mod/log?actor_id=abc").status_code == 422


def test_no_route_writes_to_the_log(app):
    writes = {"POST", "PUT", "PATCH", "DELETE"}
    log_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(("/mod/log", "/api/v1/mod/log"))]
    assert {r.rule for r in log_rules} == {"/mod/log", "/api/v1/mod/log"}
    assert all(not (r.methods & writes) for r in log_rules)
    assert not [r.rule for r in app.url_map.iter_rules() if "log" in r.rule.split("/") and r.methods & writes]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_to_the_log_is_not_allowed(as_moderator, client, method):
    token = csrf_token(client, "/mod/log")
    response = getattr(client, method)("/mod/log", data={"csrf_token": token}, headers={"X-CSRFToken": token})
    assert response.status_code == 405


# ---- who reaches /mod ----

def mod_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) under /mod, with real ids filled in."""
    article = db.session.scalar(select(Article).limit(1))
    target_user = make_user()
    profile = make_doctor(status=VerificationStatus.PENDING).doctor_profile
    question = ask(make_user())
    message = contact.send_message(name="Sam", email="sam@example.test", topic="general", message="Hello, moderators.")
    values = {"kind": "articles", "slug": article.slug, "profile_id": profile.id, "user_id": target_user.id,
              "target_type": "question", "target_id": question.id, "message_id": message.id}
    actions = {"moderation.act_on_user": "ban", "moderation.act_on_content": "delete", "reference.publish": "unpublish"}
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/mod"):
            continue
        args = {name: values[name] for name in rule.arguments if name in values}
        if "action" in rule.arguments:
            args["action"] = actions[rule.endpoint]
        path = rule.build(args)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    assert len(routes) >= 17
    return routes


def _request(browser, method, path, token_from):
    if method == "GET":
        return browser.get(path)
    return browser.post_form(path, {"reason": "Trying my luck", "days": "3", "decision": "reject"},
                             token_from=token_from)


@pytest.mark.parametrize("who", ["member", "doctor", "pending doctor"])
def test_members_and_doctors_are_forbidden_on_every_mod_route(app, browser, who):
    user = {"member": make_user, "doctor": make_doctor,
            "pending doctor": lambda: make_doctor(status=VerificationStatus.PENDING)}[who]()
    routes = mod_routes(app)
    browser.login(user)
    refused = {(method, path): _request(browser, method, path, "/account").status_code for method, path in routes}
    assert refused == {route: 403 for route in routes}
    assert count(ModerationLog) == 0 and count(User, User.status != UserStatus.ACTIVE) == 0


def test_a_member_posting_an_incomplete_reviewer_form_is_forbidden(browser):
    slug = db.session.scalar(select(Article.slug).limit(1))
    browser.login(make_user())
    response = browser.post_form(f"/mod/articles/{slug}/review", {}, token_from="/account")
    assert response.status_code == 403


def test_visitors_are_sent_to_log_in_on_every_mod_route(app, browser):
    routes = mod_routes(app)
    for method, path in routes:
        response = _request(browser, method, path, "/login")
        assert response.status_code == 302, (method, path)
        assert urlsplit(response.headers["Location"]).path == "/login"


def test_moderators_and_admins_reach_every_mod_page(app, new_browser):
    pages = [path for method, path in mod_routes(app) if method == "GET"]
    for staff in (make_moderator(), make_admin()):
        viewer = new_browser()
        viewer.login(staff)
        assert {path: viewer.get(path).status_code for path in pages} == {path: 200 for path in pages}


# ---- suspended and banned users on every write ----

def html_writes(question, answer) -> list[tuple[str, dict]]:
    """One POST per kind of write a member or doctor makes, with valid data."""
    doctor_form = {k: v for k, v in application_data().items()}
    return [
        ("/questions/ask", {"title": "Can micro-botox calm oily skin on my forehead?",
                            "body": "My forehead is shiny by noon even with blotting papers. Would it help?",
                            "topics": "oily-skin"}),
        (f"/questions/{question.id}/answers", {"body": "Micro-botox reduces oil for three to four months or so."}),
        (f"/answers/{answer.id}/follow-ups", {"body": "Thank you, how long does it last?"}),
        (f"/answers/{answer.id}/helpful", {}),
        ("/flags", {"target_type": "answer", "target_id": str(answer.id), "reason": "spam"}),
        ("/consultations/new", {"doctor_id": str(answer.author.doctor_profile.id), "topic": "oily-skin",
                                "description": "My forehead is shiny by noon; what would you suggest for me?"}),
        ("/doctor/apply", doctor_form),
        ("/account/tokens", {"name": "my script", "password": PASSWORD}),
    ]


def _rows() -> dict:
    return {m.__name__: count(m) for m in (Question, Answer, FollowUp, HelpfulVote, Flag, ConsultationRequest,
                                           ApiToken, DoctorProfile)}


@pytest.mark.parametrize("action, days", [("suspend", 7), ("ban", None)])
@pytest.mark.parametrize("who", ["asker", "other doctor"])
def test_suspended_and_banned_users_are_refused_every_write_with_their_open_session(
        browser, question, posted, asker, moderator, action, days, who):
    user = asker if who == "asker" else make_doctor()
    browser.login(user)
    token = csrf_token(browser.client, "/account")  # the session and its CSRF token exist already
    moderation_users.moderate_user(moderator, user_id=user.id, action=action, reason="Spam", days=days)
    before = _rows()
    for path, data in html_writes(question, posted):
        response = browser.client.post(path, data={**data, "csrf_token": token})
        assert response.status_code in (302, 303), (path, response.status_code)
        assert urlsplit(response.headers["Location"]).path == "/login", path
    assert _rows() == before
    assert browser.get("/account").status_code == 302  # the session ended at once


def test_banned_users_cannot_log_in(browser, asker, moderator):
    moderation_users.moderate_user(moderator, user_id=asker.id, action="ban", reason="Abuse")
    response = browser.post_form("/login", {"email": asker.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "/account" not in response.headers.get("Location", "")
    assert browser.get("/account").status_code == 302


def test_a_suspended_user_logs_in_again_once_the_days_pass(frozen_clock, browser, asker, moderator):
    moderation_users.moderate_user(moderator, user_id=asker.id, action="suspend", reason="Cool off", days=2)
    assert browser.post_form("/login", {"email": asker.email, "password": PASSWORD}).status_code == 422
    frozen_clock.advance(days=2, minutes=1)
    browser.login(asker)
    assert browser.get("/account").status_code == 200
    response = browser.post_form("/questions/ask", {
        "title": "Can micro-botox calm oily skin on my forehead?",
        "body": "My forehead is shiny by noon even with blotting papers. Would it help?",
        "topics": "oily-skin"}, token_from="/questions/ask")
    assert response.status_code == 303


# ---- spam controls ----

def test_the_honeypot_refuses_a_filled_registration_form(browser):
    form = {"email": "bot@example.test", "display_name": "Totally Human", "password": PASSWORD,
            "confirm_adult": "1", "homepage": "https://spam.example"}
    response = browser.post_form("/register", form)
    assert response.status_code == 422
    assert "This looked automated and was not saved." in text(response)
    assert count(User, User.email == "bot@example.test") == 0
    del form["homepage"]
    assert browser.post_form("/register", form).status_code == 303  # the same form without it is fine


def test_the_registration_form_carries_a_hidden_honeypot(client):
    html = client.get("/register").get_data(as_text=True)
    assert re.search(r'<div class="hp" aria-hidden="true">.*name="homepage".*tabindex="-1"', html)
