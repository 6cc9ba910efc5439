"""Forms that help, on the remaining forms: checkbox groups (doctor topics, question topics, reference
posts), the moderator's act-on-user form, the contact topic, account settings, two-factor and the forms
under an answer. Each bad control is aria-invalid and described by its message, the summary links to a
real control, and what was typed comes back (never a password, and never into another form)."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from forum.services import answers, questions
from forum.services.seed import load_seed
from tests.factories import PASSWORD, application_data, make_doctor, make_moderator, make_user
from tests.web.test_forms_help import Page, check_helpful_errors

SEED = Path(__file__).resolve().parents[2] / "seed"


@pytest.fixture
def seeded(app):
    load_seed(SEED)


def check_group(page: Page, name: str, message: str) -> None:
    """The summary links to the first box of the group; every box is invalid and described by the message."""
    assert (f"{name}-1", message) in page.summary, page.summary
    boxes = [i for i, attrs in page.by_id.items() if i.startswith(f"{name}-") and attrs.get("name") == name]
    assert boxes and page.by_id[f"{name}-1"]["type"] == "checkbox"
    for box in boxes:
        assert page.by_id[box]["aria-invalid"] == "true"
        assert message in page.described_by(box)


def test_too_many_doctor_topics_mark_the_group_and_keep_the_ticks(browser, seeded):
    browser.login(make_user())
    chosen = ["enlarged-pores", "acne", "oily-skin", "skin-texture", "scars", "fine-lines-and-wrinkles",
              "dark-spots-and-redness", "hormonal-treatments", "lasers"]  # nine: one too many
    response = browser.post_form("/doctor/apply", {**application_data(), "topics": chosen}, token_from="/doctor/apply")
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    message = next(m for target, m in page.summary if target == "topics-1")
    check_group(page, "topics", message)
    ticked = {a["value"] for a in page.by_id.values() if a.get("name") == "topics" and "checked" in a}
    assert ticked and ticked <= set(chosen)


def test_an_act_on_user_without_a_reason_is_shown_at_the_field_with_the_days_kept(browser):
    member = make_user()
    browser.login(make_moderator())
    response = browser.post_form(f"/mod/users/{member.id}/suspend", {"reason": "", "days": "7"},
                                 token_from=f"/mod/users/{member.id}")
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    message = dict((t, m) for t, m in page.summary if t).get("reason")
    assert message, page.summary
    check_helpful_errors(page, {"reason": message})
    assert page.by_id["days"]["value"] == "7" and page.by_id["days"]["inputmode"] == "numeric"


def test_a_contact_message_without_a_topic_marks_the_select_and_keeps_the_rest(browser, seeded):
    data = {"name": "Rosa Example", "email": "rosa@example.test", "topic": "",
            "message": "The treatment page for microneedling shows a broken link in the second section."}
    response = browser.post_form("/contact", data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    message = dict((t, m) for t, m in page.summary if t).get("topic")
    assert message, page.summary
    check_helpful_errors(page, {"topic": message})
    assert page.by_id["name"]["value"] == "Rosa Example"
    assert page.text_of["message"] == data["message"]


def test_a_reference_post_with_an_unknown_treatment_links_to_the_first_treatment_box(browser, seeded):
    browser.login(make_moderator())
    response = browser.post_form("/mod/articles/new", {
        "title": "A short guide to skin texture", "summary": "What changes skin texture and what helps.",
        "body": "Texture changes with age, sun and scarring; several treatments help a little.",
        "author_name": "Editorial team", "treatments": "no-such-thing"})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    message = next((m for t, m in page.summary if t == "treatments-1"), None)
    assert message, page.summary
    check_group(page, "treatments", message)


def test_a_token_without_a_name_keeps_nothing_secret_and_marks_only_its_own_form(browser):
    browser.login(make_user())
    response = browser.post_form("/account/tokens", {"name": "x" * 61, "password": PASSWORD}, token_from="/account")
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    message = dict((t, m) for t, m in page.summary if t).get("name")
    assert message, page.summary
    check_helpful_errors(page, {"name": message})
    assert page.by_id["name"]["value"] == "x" * 61
    assert "value" not in page.by_id["token-password"]
    assert "aria-invalid" not in page.by_id["current_password"]


def test_a_failed_account_deletion_keeps_the_tick_but_not_the_password(browser):
    browser.login(make_user())
    response = browser.post_form("/account/delete", {"password": "not my password", "delete_questions": "1"},
                                 token_from="/account")
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    message = dict((t, m) for t, m in page.summary if t).get("password")
    assert message, page.summary
    check_helpful_errors(page, {"password": message})
    assert "checked" in page.by_id["delete_questions"]
    assert "value" not in page.by_id["password"]


def test_an_empty_time_zone_is_marked_at_its_select(browser):
    browser.login(make_user())
    response = browser.post_form("/account/time-zone", {"time_zone": ""}, token_from="/account")
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    message = dict((t, m) for t, m in page.summary if t).get("time_zone")
    assert message, page.summary
    check_helpful_errors(page, {"time_zone": message})


def test_a_wrong_password_to_turn_two_factor_off_marks_only_that_form(browser):
    user = make_user(two_factor=True)
    browser.login(user)
    response = browser.post_form("/account/two-factor/disable", {"password": "wrong password", "code": "123456"},
                                 token_from="/account/two-factor")
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    linked = [t for t, _m in page.summary if t]
    assert linked and all(t.startswith("off-") for t in linked), page.summary
    assert page.by_id[linked[0]]["aria-invalid"] == "true"
    assert "aria-invalid" not in page.by_id["codes-password"] and "aria-invalid" not in page.by_id["codes-code"]
    assert "value" not in page.by_id["off-password"]


@pytest.fixture
def answered(seeded):
    asker = make_user(display_name="Pat Asker")
    question = questions.ask_question(
        asker, title="Can microneedling shrink enlarged pores on my nose?",
        body="My pores on the nose and cheeks look large. Would microneedling make them smaller?",
        topics=["enlarged-pores"], treatments=["microneedling"], anonymous=False).question
    posted = answers.post_answer(make_doctor(), question_id=question.id,
                                 body="Microneedling can soften the look of pores a little over a few sessions.")
    return asker, question, posted


def test_a_failed_disagreement_keeps_its_choice_and_not_in_the_answer_box(browser, answered):
    _asker, question, posted = answered
    browser.login(make_doctor())  # a doctor who has not answered sees the review form and the answer form
    url = f"/questions/{question.id}/{question.slug}"
    response = browser.post_form(f"/answers/{posted.id}/review", {"verdict": "disagree", "reason": ""},
                                 token_from=url)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    rid = f"reason-{posted.id}"
    message = dict((t, m) for t, m in page.summary if t).get(rid)
    assert message, page.summary
    check_helpful_errors(page, {rid: message})
    assert _radios(response.get_data(as_text=True)) == {"agree": False, "disagree": True}
    assert page.text_of["body"] == "" and page.by_id["industry_ties"].get("value", "") == ""


def _radios(html: str) -> dict[str, bool]:
    found: dict[str, bool] = {}

    class Radios(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") == "verdict":
                found[attrs["value"]] = "checked" in attrs

    Radios().feed(html)
    return found


def test_a_failed_follow_up_keeps_its_text_in_its_own_box_only(browser, answered):
    asker, question, posted = answered
    browser.login(asker)
    url = f"/questions/{question.id}/{question.slug}"
    typed = "How many sessions? " + "Please say more. " * 130  # over 2,000 characters
    response = browser.post_form(f"/answers/{posted.id}/follow-ups", {"body": typed}, token_from=url)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = Page(html)
    fid = f"follow-up-{posted.id}"
    message = dict((t, m) for t, m in page.summary if t).get(fid)
    assert message, page.summary
    check_helpful_errors(page, {fid: message})
    assert page.text_of[fid] == typed
    assert html.count("How many sessions?") == 1  # in the follow-up box, and in no other form
