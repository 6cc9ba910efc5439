"""Question pages in the browser: asking, answering and every refusal, anonymity, keyset pages,
the page's query count, slugs, XSS, search, feeds, sitemap, dashboard, home counts, rate limit."""
from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.extensions import db
from forum.models import (
    Answer, AnswerReview, FollowUp, HelpfulVote, Invitation, Notification, Question, QuestionStatus, Topic,
    VerificationStatus,
)
from forum.services import answers, questions, search_index
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_user
from tests.web.html import field_errors, flashes, text

SEED = Path(__file__).resolve().parents[2] / "seed"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user, **overrides) -> Question:
    data = {"title": f"Can microneedling shrink enlarged pores, case {next(_n)}?",
            "body": "My pores on the nose and cheeks look large. Would microneedling make them smaller?",
            "topics": ["enlarged-pores"], "treatments": ["microneedling"], "anonymous": False}
    data.update(overrides)
    return questions.ask_question(user, **data).question


def answer(doctor, question, **overrides) -> Answer:
    data = {"body": "Microneedling can soften the look of pores a little over three to six sessions."}
    data.update(overrides)
    return answers.post_answer(doctor, question_id=question.id, **data)


def url(question: Question) -> str:
    return f"/questions/{question.id}/{question.slug}"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def hide(question: Question) -> None:
    question.hidden = True
    search_index.index_question(question)
    db.session.commit()


ASK_FORM = {"title": "Can micro-botox calm oily skin on my forehead?",
            "body": "My forehead is shiny by noon even with blotting papers. Would micro-botox help?",
            "topics": ["oily-skin"], "treatments": ["micro-botox"]}
ANSWER_FORM = {"body": "Micro-botox can reduce oil for three to four months; results vary between people.",
               "industry_ties": ""}


@pytest.fixture
def asker():
    return make_user(display_name="Pat Asker")


@pytest.fixture
def question(asker):
    return ask(asker)


# ---- asking ----

def test_a_visitor_is_sent_to_log_in_before_asking(client):
    response = client.get("/questions/ask")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_a_member_asks_and_lands_on_the_new_question(browser, client, asker):
    browser.login(asker)
    form = client.get("/questions/ask").get_data(as_text=True)
    assert 'id="similar"' in form and re.search(r"js/ask\.[0-9a-f]{12}\.js", form) and 'value="oily-skin"' in form
    response = browser.post_form("/questions/ask", ASK_FORM)
    question = db.session.scalars(select(Question)).one()
    assert response.status_code == 303 and response.headers["Location"] == url(question)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and ASK_FORM["title"] in text(page)
    assert 'data-testid="urgent-notice"' not in page.get_data(as_text=True)
    assert [t.slug for t in question.topics] == ["oily-skin"] and question.author_id == asker.id


@pytest.mark.parametrize("change, field", [
    ({"title": "Too short?"}, "title"),
    ({"title": "x" * 151}, "title"),
    ({"body": "Too short."}, "body"),
    ({"body": ""}, "body"),
    ({"topics": [], "treatments": []}, "topics"),
    ({"topics": ["acne", "oily-skin", "scars", "lasers"], "treatments": ["microneedling", "micro-botox"]}, "topics"),
    ({"topics": ["no-such-topic"]}, "topics"),
    ({"treatments": ["no-such-treatment"]}, "treatments"),
])
def test_each_ask_mistake_is_shown_at_its_field_and_nothing_is_stored(browser, asker, change, field):
    browser.login(asker)
    response = browser.post_form("/questions/ask", {**ASK_FORM, **change}, token_from="/questions/ask")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field in field_errors(page)
    assert count(Question) == 0
    if field != "title":
        assert ASK_FORM["title"] in text(response)  # what was typed is kept


def test_asking_without_a_csrf_token_is_refused(client, browser, asker):
    browser.login(asker)
    response = client.post("/questions/ask", data=ASK_FORM)
    assert response.status_code == 400 and count(Question) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ASK": "1 per minute"}])
def test_asking_too_often_gets_429(browser, asker):
    browser.login(asker)
    assert browser.post_form("/questions/ask", ASK_FORM, token_from="/questions/ask").status_code == 303
    second = browser.post_form("/questions/ask", {**ASK_FORM, "title": "A second question within the minute"},
                               token_from="/questions").status_code
    assert second == 429 and count(Question) == 1


def test_a_red_flag_question_shows_the_asker_the_urgent_notice(browser, client, new_browser, asker):
    browser.login(asker)
    response = browser.post_form("/questions/ask", {
        **ASK_FORM, "title": "Blurry vision after filler this morning",
        "body": "Two hours after tear trough filler my left eye sees blurry. Is this normal?"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count('data-testid="urgent-notice"') == 1 and "emergency" in page
    question = db.session.scalars(select(Question)).one()
    assert question.urgent and questions.urgent_questions(make_moderator())[0].id == question.id
    visitor = new_browser()
    assert 'data-testid="urgent-notice"' not in visitor.get(url(question)).get_data(as_text=True)
    calm = ask(asker)
    moderator = new_browser()
    moderator.login(make_moderator())
    queue = moderator.get("/mod").get_data(as_text=True).split('class="card urgent-queue"')[1].split("</section>")[0]
    assert f'href="{url(question)}"' in queue and calm.title not in queue


def test_a_harmless_question_shows_no_urgent_notice(browser, client, asker):
    browser.login(asker)
    response = browser.post_form("/questions/ask", {**ASK_FORM, "title": "Should I see a dermatologist before filler?"})
    assert 'data-testid="urgent-notice"' not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not db.session.scalars(select(Question)).one().urgent


def test_the_asker_edits_and_the_page_says_edited(browser, client, asker, question):
    browser.login(asker)
    form = client.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert question.title in form and 'checked' in form
    response = browser.post_form(f"/questions/{question.id}/edit", {**ASK_FORM, "title": "Edited: does micro-botox help?"})
    assert response.status_code == 303
    db.session.expire_all()
    edited = db.session.get(Question, question.id)
    assert edited.edited_at is not None and edited.title == "Edited: does micro-botox help?"
    assert response.headers["Location"] == url(edited)
    assert "· edited" in client.get(url(edited)).get_data(as_text=True)


def test_asking_anonymously_hides_the_name_from_visitors(browser, client, new_browser, asker):
    browser.login(asker)
    response = browser.post_form("/questions/ask", {**ASK_FORM, "anonymous": "1"})
    question = db.session.scalars(select(Question)).one()
    assert question.anonymous is True
    assert "Pat Asker</span>" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pat Asker" not in text(new_browser().get(response.headers["Location"]))
    form = client.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert re.search(r'name="anonymous" value="1" checked', form)  # an edit keeps the choice unless changed


def test_a_bad_edit_is_shown_at_its_field_and_changes_nothing(browser, asker, question):
    browser.login(asker)
    response = browser.post_form(f"/questions/{question.id}/edit", {**ASK_FORM, "topics": ["no-such-topic"]})
    assert response.status_code == 422 and "topics" in field_errors(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Question, question.id).title == question.title


def test_only_the_asker_edits(browser, client, question):
    browser.login(make_user())
    assert client.get(f"/questions/{question.id}/edit").status_code == 403
    assert browser.post_form(f"/questions/{question.id}/edit", ASK_FORM, token_from="/questions").status_code == 403


# ---- slugs ----

def test_a_wrong_or_missing_slug_redirects_permanently_to_the_canonical_url(client, question):
    for path in (f"/questions/{question.id}", f"/questions/{question.id}/wrong-slug"):
        response = client.get(path)
        assert response.status_code == 301 and response.headers["Location"] == url(question)
    page = client.get(url(question)).get_data(as_text=True)
    assert f'<link rel="canonical" href="http://localhost{url(question)}">' in page
    assert client.get("/questions/999999/anything").status_code == 404


def test_a_hidden_question_is_not_found_for_the_public(client, browser, question):
    hide(question)
    assert client.get(url(question)).status_code == 404
    browser.login(make_moderator())
    assert client.get(url(question)).status_code == 200


# ---- answering ----

def test_a_verified_doctor_answers_with_a_disclosure(browser, client, question):
    doctor = make_doctor(full_name="Dr. Dana Verified", credentials="MD, FAAD")
    browser.login(doctor)
    page = client.get(url(question)).get_data(as_text=True)
    assert 'id="your-answer"' in page
    response = browser.post_form(f"/questions/{question.id}/answers",
                                 {**ANSWER_FORM, "offers_treatment": "1", "industry_ties": "Speaker fees, DermaCo"},
                                 token_from=url(question))
    posted = db.session.scalars(select(Answer)).one()
    assert response.status_code == 303 and response.headers["Location"] == f"{url(question)}#answer-{posted.id}"
    page = client.get(url(question)).get_data(as_text=True)
    assert "Dr. Dana Verified" in page and "MD, FAAD" in page and "✓ Verified doctor" in page
    disclosure = re.search(r'data-testid="disclosure">(.*?)</p>', page, re.S).group(1)
    assert "offers this treatment" in disclosure and "Speaker fees, DermaCo" in disclosure
    assert f'href="/doctors/{doctor.doctor_profile.id}/dr-dana-verified"' in page
    assert 'id="your-answer"' not in page  # answered: the form is gone


@pytest.mark.parametrize("make_actor", [
    make_user,
    lambda: make_doctor(status=VerificationStatus.PENDING),
    lambda: make_doctor(status=VerificationStatus.REJECTED),
    lambda: make_doctor(status=VerificationStatus.LAPSED),
    lambda: make_doctor(license_expires_on=clock.now().date().replace(year=clock.now().year - 1)),
], ids=["member", "pending", "rejected", "lapsed", "license-expired"])
def test_only_verified_doctors_answer(browser, client, question, make_actor):
    browser.login(make_actor())
    assert 'id="your-answer"' not in client.get(url(question)).get_data(as_text=True)
    response = browser.post_form(f"/questions/{question.id}/answers", ANSWER_FORM, token_from=url(question))
    assert response.status_code == 403 and count(Answer) == 0


def test_a_visitor_cannot_post_an_answer(client, question):
    response = client.post(f"/questions/{question.id}/answers", data=ANSWER_FORM)
    assert response.status_code in (302, 400) and count(Answer) == 0


def test_a_second_answer_by_the_same_doctor_is_a_conflict(browser, question):
    doctor = make_doctor()
    answer(doctor, question)
    browser.login(doctor)
    response = browser.post_form(f"/questions/{question.id}/answers", ANSWER_FORM, token_from=url(question))
    assert response.status_code == 409 and "already answered" in text(response)
    assert count(Answer) == 1


def test_a_too_short_answer_is_shown_at_its_field(browser, question):
    browser.login(make_doctor())
    response = browser.post_form(f"/questions/{question.id}/answers", {"body": "Too short."}, token_from=url(question))
    assert response.status_code == 422 and "body" in field_errors(response.get_data(as_text=True))
    assert count(Answer) == 0


@pytest.mark.parametrize("state", ["locked", "closed"])
def test_no_answers_on_locked_or_closed_questions(browser, client, question, state):
    if state == "locked":
        question.locked = True
    else:
        question.status = QuestionStatus.CLOSED
    db.session.commit()
    browser.login(make_doctor())
    assert 'id="your-answer"' not in client.get(url(question)).get_data(as_text=True)
    response = browser.post_form(f"/questions/{question.id}/answers", ANSWER_FORM, token_from=url(question))
    assert response.status_code == 403 and count(Answer) == 0


def test_a_doctor_cannot_answer_their_own_question(browser, client):
    doctor = make_doctor()
    own = ask(doctor)
    browser.login(doctor)
    assert 'id="your-answer"' not in client.get(url(own)).get_data(as_text=True)
    response = browser.post_form(f"/questions/{own.id}/answers", ANSWER_FORM, token_from=url(own))
    assert response.status_code == 403 and count(Answer) == 0


def test_answering_a_missing_question_is_404(browser):
    browser.login(make_doctor())
    assert browser.post_form("/questions/999999/answers", ANSWER_FORM, token_from="/questions").status_code == 404


def test_the_doctor_edits_their_answer_and_the_page_says_edited(browser, client, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    browser.login(doctor)
    assert client.get(f"/answers/{posted.id}/edit").status_code == 200
    response = browser.post_form(f"/answers/{posted.id}/edit", {"body": "Edited answer: expect modest change only."})
    assert response.status_code == 303
    page = client.get(url(question)).get_data(as_text=True)
    assert "Edited answer: expect modest change only." in page and "· edited" in page


def test_another_doctor_cannot_edit_the_answer(browser, client, question):
    posted = answer(make_doctor(), question)
    browser.login(make_doctor())
    assert client.get(f"/answers/{posted.id}/edit").status_code == 403
    for form in ({"body": "Hijacked answer text, long enough to pass."}, {"body": ""}):
        assert browser.post_form(f"/answers/{posted.id}/edit", form, token_from=url(question)).status_code == 403
    assert db.session.get(Answer, posted.id).body == posted.body


# ---- accepting, helpful votes ----

def test_the_asker_accepts_and_can_move_the_acceptance(browser, client, asker, question):
    first, second = answer(make_doctor(), question), answer(make_doctor(), question)
    browser.login(asker)
    page = client.get(url(question)).get_data(as_text=True)
    assert page.count("Accept this answer") == 2
    assert browser.post_form(f"/answers/{first.id}/accept", token_from=url(question)).status_code == 303
    page = client.get(url(question)).get_data(as_text=True)
    assert page.count('data-testid="accepted"') == 1 and page.index(f'id="answer-{first.id}"') < page.index(
        f'id="answer-{second.id}"')
    browser.post_form(f"/answers/{second.id}/accept", token_from=url(question))
    page = client.get(url(question)).get_data(as_text=True)
    assert page.count('data-testid="accepted"') == 1
    assert page.index(f'id="answer-{second.id}"') < page.index(f'id="answer-{first.id}"')
    assert count(Answer, Answer.accepted.is_(True)) == 1


def test_only_the_asker_accepts(browser, client, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    browser.login(make_user())
    assert "Accept this answer" not in client.get(url(question)).get_data(as_text=True)
    assert browser.post_form(f"/answers/{posted.id}/accept", token_from=url(question)).status_code == 403
    assert count(Answer, Answer.accepted.is_(True)) == 0


def test_a_member_marks_an_answer_helpful_once(browser, client, question):
    posted = answer(make_doctor(), question)
    browser.login(make_user())
    assert browser.post_form(f"/answers/{posted.id}/helpful", token_from=url(question)).status_code == 303
    again = browser.post_form(f"/answers/{posted.id}/helpful", token_from=url(question))
    assert again.status_code == 303
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already marked" in " ".join(flashes(page))
    assert re.search(r'data-testid="helpful-count">1<', page) and count(HelpfulVote) == 1


def test_a_doctor_cannot_mark_their_own_answer_helpful(browser, client, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    browser.login(doctor)
    assert ">Helpful</button>" not in client.get(url(question)).get_data(as_text=True)
    assert browser.post_form(f"/answers/{posted.id}/helpful", token_from=url(question)).status_code == 403
    assert count(HelpfulVote) == 0


def test_voting_on_a_missing_answer_is_404(browser):
    browser.login(make_user())
    assert browser.post_form("/answers/999999/helpful", token_from="/questions").status_code == 404


# ---- agree / disagree ----

def test_doctors_agree_and_disagree_with_a_reason_that_is_shown(browser, client, new_browser, question):
    posted = answer(make_doctor(), question)
    browser.login(make_doctor())
    assert browser.post_form(f"/answers/{posted.id}/review", {"verdict": "agree"},
                             token_from=url(question)).status_code == 303
    other = new_browser()
    other.login(make_doctor(full_name="Dr. Dis Agree"))
    assert other.post_form(f"/answers/{posted.id}/review",
                           {"verdict": "disagree", "reason": "Pores do not shrink; only their look improves."},
                           token_from=url(question)).status_code == 303
    page = client.get(url(question)).get_data(as_text=True)
    assert "1 doctor agrees" in page and "1 doctor disagrees" in page
    assert "Dr. Dis Agree</strong>: Pores do not shrink; only their look improves." in page


def test_a_disagreement_without_a_reason_is_422(browser, question):
    posted = answer(make_doctor(), question)
    browser.login(make_doctor())
    response = browser.post_form(f"/answers/{posted.id}/review", {"verdict": "disagree", "reason": ""},
                                 token_from=url(question))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f"reason-{posted.id}" in field_errors(page)  # the error names its field
    assert f'aria-describedby="reason-{posted.id}-error"' in page
    assert count(AnswerReview) == 0


@pytest.mark.parametrize("make_actor", [make_user, lambda: make_doctor(status=VerificationStatus.PENDING)],
                         ids=["member", "pending"])
def test_only_verified_doctors_review(browser, client, question, make_actor):
    posted = answer(make_doctor(), question)
    browser.login(make_actor())
    assert "Agree or disagree" not in client.get(url(question)).get_data(as_text=True)
    assert browser.post_form(f"/answers/{posted.id}/review", {"verdict": "agree"},
                             token_from=url(question)).status_code == 403


def test_a_doctor_cannot_review_their_own_answer(browser, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    browser.login(doctor)
    assert browser.post_form(f"/answers/{posted.id}/review", {"verdict": "agree"},
                             token_from=url(question)).status_code == 403


# ---- follow-ups ----

def test_the_asker_and_the_doctor_exchange_follow_ups(browser, client, new_browser, asker, question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    browser.login(asker)
    assert browser.post_form(f"/answers/{posted.id}/follow-ups", {"body": "How many sessions?"},
                             token_from=url(question)).status_code == 303
    other = new_browser()
    other.login(doctor)
    assert other.post_form(f"/answers/{posted.id}/follow-ups", {"body": "Three, a month apart."},
                           token_from=url(question)).status_code == 303
    page = client.get(url(question)).get_data(as_text=True)
    assert page.index("How many sessions?") < page.index("Three, a month apart.")
    assert "The asker" in page and "The doctor" in page


@pytest.mark.parametrize("make_actor", [make_user, make_doctor, make_moderator], ids=["member", "doctor", "moderator"])
def test_nobody_else_adds_follow_ups(browser, client, question, make_actor):
    posted = answer(make_doctor(), question)
    browser.login(make_actor())
    assert "Add a follow-up" not in client.get(url(question)).get_data(as_text=True)
    assert browser.post_form(f"/answers/{posted.id}/follow-ups", {"body": "Can I join in?"},
                             token_from=url(question)).status_code == 403
    assert count(FollowUp) == 0


def test_an_empty_follow_up_is_shown_at_its_field(browser, asker, question):
    posted = answer(make_doctor(), question)
    browser.login(asker)
    response = browser.post_form(f"/answers/{posted.id}/follow-ups", {"body": ""}, token_from=url(question))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f"follow-up-{posted.id}" in field_errors(page)
    assert f'aria-describedby="follow-up-{posted.id}-error"' in page


# ---- invitations ----

def _doctor_for(*topics, **overrides):
    user = make_doctor(**overrides)
    user.doctor_profile.topics = list(db.session.scalars(select(Topic).where(Topic.slug.in_(topics))))
    db.session.commit()
    return user


def test_the_asker_invites_matching_doctors_who_are_notified(browser, client, asker, question):
    invitees = [_doctor_for("enlarged-pores", full_name=f"Dr. Invitee {i}") for i in range(2)]
    _doctor_for("acne", full_name="Dr. Other Topic")
    browser.login(asker)
    page = client.get(url(question)).get_data(as_text=True)
    assert "Dr. Invitee 0" in page and "Dr. Invitee 1" in page and "Dr. Other Topic" not in page
    response = browser.post_form(f"/questions/{question.id}/invite",
                                 {"doctor_ids": [str(d.doctor_profile.id) for d in invitees]}, token_from=url(question))
    assert response.status_code == 303
    assert count(Invitation) == 2
    assert [count(Notification, Notification.user_id == d.id, Notification.kind == "invitation")
            for d in invitees] == [1, 1]


def test_inviting_four_or_unmatched_doctors_is_shown_at_the_field(browser, asker, question):
    ids = [str(_doctor_for("enlarged-pores").doctor_profile.id) for _ in range(4)]
    browser.login(asker)
    response = browser.post_form(f"/questions/{question.id}/invite", {"doctor_ids": ids}, token_from=url(question))
    assert response.status_code == 422 and "doctor_ids" in field_errors(response.get_data(as_text=True))
    unmatched = str(_doctor_for("acne").doctor_profile.id)
    response = browser.post_form(f"/questions/{question.id}/invite", {"doctor_ids": [unmatched]},
                                 token_from=url(question))
    assert response.status_code == 422 and "doctor_ids" in field_errors(response.get_data(as_text=True))
    assert count(Invitation) == 0


def test_only_the_asker_invites(browser, question):
    invitee = _doctor_for("enlarged-pores")
    browser.login(make_user())
    response = browser.post_form(f"/questions/{question.id}/invite",
                                 {"doctor_ids": [str(invitee.doctor_profile.id)]}, token_from=url(question))
    assert response.status_code == 403 and count(Invitation) == 0


# ---- anonymous askers ----

def _jsonld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_an_anonymous_asker_is_never_named_to_the_public(browser, client, new_browser, asker):
    question = ask(asker, anonymous=True)
    answer(make_doctor(), question)
    public = [client.get(url(question)), client.get("/questions"), client.get("/feeds/questions.atom"),
              client.get("/feeds/topics/enlarged-pores.atom"), client.get("/"), client.get("/topics/enlarged-pores"),
              client.get("/search?q=microneedling")]
    for response in public:
        assert response.status_code == 200
        assert "Pat Asker" not in text(response) and asker.email not in text(response)
    page = public[0].get_data(as_text=True)
    assert '<span data-testid="asker">an anonymous member</span>' in page
    assert _jsonld(page)["mainEntity"]["author"]["name"] == "Anonymous member"
    member = new_browser()
    member.login(make_user())
    assert "Pat Asker" not in text(member.get(url(question)))
    browser.login(asker)
    assert "Pat Asker</span>" in client.get(url(question)).get_data(as_text=True)
    moderator = new_browser()
    moderator.login(make_moderator())
    assert '<span data-testid="asker">Pat Asker</span>' in moderator.get(url(question)).get_data(as_text=True)


def test_a_named_asker_is_shown(client, asker, question):
    page = client.get(url(question)).get_data(as_text=True)
    assert '<span data-testid="asker">Pat Asker</span>' in page
    assert _jsonld(page)["mainEntity"]["author"]["name"] == "Pat Asker"


def test_the_jsonld_is_a_qa_page_with_the_accepted_answer(client, asker, question):
    first, second = answer(make_doctor(), question), answer(make_doctor(full_name="Dr. Chosen One"), question)
    answers.accept_answer(asker, answer_id=second.id)
    main = _jsonld(client.get(url(question)).get_data(as_text=True))["mainEntity"]
    assert main["@type"] == "Question" and main["name"] == question.title and main["answerCount"] == 2
    assert main["acceptedAnswer"]["author"]["name"] == "Dr. Chosen One"
    assert [a["url"].rsplit("#", 1)[1] for a in main["suggestedAnswer"]] == [f"answer-{first.id}"]


# ---- browsing: keyset pages ----

def _ids_on(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="card question-row">\s*<h2><a href="/questions/(\d+)/', page)]


def _walk(client, path: str, insert) -> list[int]:
    seen = []
    while path:
        page = client.get(path).get_data(as_text=True)
        seen += _ids_on(page)
        insert()
        match = re.search(r'<a rel="next" href="([^"]+)"', page)
        path = match.group(1).replace("&amp;", "&") if match else None
    return seen


@pytest.mark.parametrize("query", ["sort=newest", "sort=active", "sort=helpful", "topic=acne", "treatment=micro-botox",
                                   "answered=yes", "answered=no", "topic=acne&answered=no&sort=active"])
def test_walking_the_question_pages_while_questions_arrive_skips_and_repeats_nothing(client, asker, query):
    doctor = make_doctor()
    for i in range(25):
        q = ask(asker, topics=["acne"] if i % 2 else ["oily-skin"], treatments=["micro-botox"] if i % 3 else [])
        if i % 4 == 0:
            posted = answer(doctor, q)
            if i % 8 == 0:
                answers.mark_helpful(make_user(), answer_id=posted.id)
    filters = dict(p.split("=") for p in query.split("&"))
    expected = {q.id for q in questions.list_questions(None, limit=100, **filters).items}
    assert 0 < len(expected) <= 25
    seen = _walk(client, f"/questions?{query}&limit=4",
                 lambda: ask(make_user(), topics=["acne"], treatments=["micro-botox"]))
    assert len(seen) == len(set(seen)) and expected <= set(seen)
    assert len(seen) > 4  # more than one page was walked


def test_a_bad_filter_or_cursor_is_a_422_page(client):
    assert client.get("/questions?sort=sideways").status_code == 422
    assert client.get("/questions?answered=maybe").status_code == 422
    assert client.get("/questions?cursor=garbage").status_code == 422
    assert client.get("/questions?limit=500").status_code == 422


def test_hidden_questions_are_not_listed(client, asker, question):
    other = ask(asker)
    hide(question)
    assert _ids_on(client.get("/questions").get_data(as_text=True)) == [other.id]


# ---- the question page costs a fixed number of queries ----

def _page_with_answers(n: int) -> Question:
    asker = make_user()
    question = ask(asker)
    reviewer = make_doctor()
    for i in range(n):
        posted = answer(make_doctor(), question)
        answers.add_follow_up(asker, answer_id=posted.id, body=f"Follow-up number {i}")
        answers.review_answer(reviewer, answer_id=posted.id, verdict="disagree", reason="Too optimistic in my view.")
        answers.mark_helpful(asker, answer_id=posted.id)
    answers.accept_answer(asker, answer_id=posted.id)
    return question


@pytest.mark.parametrize("viewer", ["visitor", "member"])
def test_the_question_page_costs_the_same_queries_with_1_or_30_answers(client, browser, count_queries, viewer):
    small, large = _page_with_answers(1), _page_with_answers(30)
    if viewer == "member":
        browser.login(make_user())
    costs = []
    for question in (small, large):
        client.get(url(question))  # warm caches (home stats, first-request work)
        with count_queries() as counter:
            response = client.get(url(question))
        assert response.status_code == 200
        costs.append(counter.count)
    assert costs[0] == costs[1], costs
    assert response.get_data(as_text=True).count('data-testid="answer"') == 30


def test_the_question_list_costs_the_same_queries_with_2_or_20_questions(client, count_queries, asker):
    costs = []
    for n in (2, 18):
        for _ in range(n):
            ask(asker, anonymous=bool(n % 2))
        client.get("/questions")
        with count_queries() as counter:
            page = client.get("/questions").get_data(as_text=True)
        costs.append(counter.count)
    assert len(_ids_on(page)) == 20 and costs[0] == costs[1], costs


# ---- XSS ----

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](%6A%61%76%61script:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<base href=\"//evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=//evil.example\">",
    "<a href=x onmouseover=alert(1)>hover</a>",
    "[a](https://example.org \"title\" onclick=alert(1))",
    "<<script>script>alert(1)<</script>/script>",
    "{{ 7*7 }} {% raw %}",
]
DANGEROUS_TAGS = {"iframe", "object", "embed", "svg", "math", "img", "style", "base", "frame", "frameset",
                  "video", "audio", "template", "marquee", "applet"}


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self.problems.append("meta http-equiv")
        if tag == "script":
            values = dict(attrs)
            if values.get("type") != "application/ld+json" and not (values.get("src") or "").startswith("/static/"):
                self.problems.append(f"script {values}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                cleaned = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if cleaned.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{tag} {name}={value}")


def assert_inert(response):
    assert response.status_code == 200
    inspector = _Inspector()
    inspector.feed(response.get_data(as_text=True))
    assert inspector.problems == []


@pytest.mark.parametrize("payload", XSS)
def test_hostile_markup_in_questions_answers_and_follow_ups_renders_inert(browser, client, new_browser, asker,
                                                                         payload):
    question = ask(asker, title=("Payload " + payload)[:150].ljust(15, "."),
                   body=f"Question body with a payload: {payload}")
    doctor = make_doctor()
    posted = answer(doctor, question, body=f"Answer body with a payload: {payload}", industry_ties=payload[:500])
    answers.add_follow_up(asker, answer_id=posted.id, body=f"Follow-up: {payload}")
    answers.review_answer(make_doctor(), answer_id=posted.id, verdict="disagree", reason=f"Reason: {payload}"[:500])
    for response in (client.get(url(question)), client.get("/questions"), client.get("/"),
                     client.get("/search?q=payload"), client.get("/doctor/dashboard")):
        if response.status_code == 302:  # the dashboard needs a doctor; checked below
            continue
        assert_inert(response)
    page = client.get(url(question)).get_data(as_text=True)
    assert _jsonld(page)["mainEntity"]["text"].endswith(payload)  # JSON-LD carries the text, escaped for <script>
    assert page.count("</script>") == page.count("<script")
    browser.login(asker)  # the asker's page carries accept and follow-up forms
    assert_inert(client.get(url(question)))
    assert_inert(client.get(f"/questions/{question.id}/edit"))
    other = new_browser()
    other.login(doctor)
    assert_inert(other.get(f"/answers/{posted.id}/edit"))
    feed = client.get("/feeds/questions.atom")
    ET.fromstring(feed.get_data())  # still well-formed XML


def test_hostile_markup_typed_into_the_forms_renders_inert(browser, client, new_browser, asker):
    payload = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(1)</script>"
    browser.login(asker)
    location = browser.post_form("/questions/ask", {**ASK_FORM, "body": f"Question body: {payload}"}).headers["Location"]
    doctor = new_browser()
    doctor.login(make_doctor())
    question = db.session.scalars(select(Question)).one()
    assert doctor.post_form(f"/questions/{question.id}/answers", {**ANSWER_FORM, "body": f"Answer body: {payload}",
                                                                  "industry_ties": payload},
                            token_from=location).status_code == 303
    posted = db.session.scalars(select(Answer)).one()
    assert browser.post_form(f"/answers/{posted.id}/follow-ups", {"body": f"Follow-up: {payload}"},
                             token_from=location).status_code == 303
    response = client.get(location)
    assert_inert(response)
    assert text(response).count("<script>alert(1)</script>") >= 3  # shown as text, not run
    assert_inert(new_browser().get(location))


def test_markdown_links_get_nofollow(client, asker):
    question = ask(asker, body="See [the leaflet](https://example.org/leaflet) for details on pores.")
    page = client.get(url(question)).get_data(as_text=True)
    assert re.search(r'<a href="https://example.org/leaflet" rel="nofollow ugc noopener">', page)


# ---- search page ----

def test_search_finds_questions_and_answers_with_highlights(client, question):
    answer(make_doctor(), question, body="Collagen induction with cryotherapy softens scarring after sessions.")
    page = client.get("/search?q=cryotherapy").get_data(as_text=True)
    assert page.count('data-testid="search-hit"') == 1 and "<mark>cryotherapy</mark>" in page.lower()
    page = client.get("/search?q=pores&kind=question").get_data(as_text=True)
    assert f'href="/questions/{question.id}"' in page and '<p class="muted">Reference post</p>' not in page
    page = client.get("/search?q=pores&kind=article").get_data(as_text=True)
    assert 'href="/articles/' in page and f'href="/questions/{question.id}"' not in page
    page = client.get("/search?q=pores&topic=acne&kind=question").get_data(as_text=True)
    assert 'data-testid="search-hit"' not in page


def test_search_never_shows_hidden_questions(client, question):
    hide(question)
    assert f'href="/questions/{question.id}' not in client.get("/search?q=microneedling").get_data(as_text=True)


SEARCH_HOSTILE = ['"', "'", "pores' OR 1=1 --", "AND", "OR NOT", "NEAR(pores acne)", "*", "pore*", "^", "(", "))",
                  "😀🔥", "مسام", "\u202eserop", "x" * 100, "pores\x00", "\x00", "%00", "<script>", "a:b", "-", "\\"]


def test_hostile_search_strings_never_give_a_500(client, question):
    for query in SEARCH_HOSTILE:
        for path in (f"/search?q={quote(query)}", f"/search?q={quote(query)}&kind=answer&topic=acne",
                     f"/api/v1/questions/similar?title={quote(query)}"):
            response = client.get(path)
            assert response.status_code in (200, 422), (query, path, response.status_code)


@pytest.mark.parametrize("path", ["/search?q=pores&topic=%00", "/questions?topic=%00", "/questions?treatment=%25",
                                  "/feeds/topics/%00.atom", "/feeds/topics/ACNE.atom"])
def test_nul_bytes_and_odd_slugs_in_filters_are_refused_without_a_500(client, path):
    assert 400 <= client.get(path).status_code < 500


def test_an_overlong_or_bad_search_is_a_422_page(client):
    assert client.get("/search?q=" + "x" * 201).status_code == 422
    assert client.get("/search?q=pores&kind=users").status_code == 422


# ---- feeds and sitemap ----

def test_the_atom_feed_is_valid_and_lists_public_questions_only(client, asker):
    shown = ask(asker, title="Retinol & <pores>: does it help?")
    hidden = ask(asker)
    hide(hidden)
    response = client.get("/feeds/questions.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}updated") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Retinol & <pores>: does it help?"]
    assert entries[0].find(f"{ATOM}link").get("href") == f"http://localhost{url(shown)}"
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Pat Asker"


def test_the_topic_feed_lists_that_topics_questions(client, asker):
    acne = ask(asker, topics=["acne"], treatments=[])
    ask(asker, topics=["oily-skin"], treatments=[])
    hidden = ask(asker, topics=["acne"], treatments=[])
    hide(hidden)
    feed = ET.fromstring(client.get("/feeds/topics/acne.atom").get_data())
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert links == [f"http://localhost{url(acne)}"]
    assert client.get("/feeds/topics/no-such-topic.atom").status_code == 404


def test_the_sitemap_lists_questions_but_not_hidden_ones(client, asker):
    shown, hidden = ask(asker), ask(asker)
    hide(hidden)
    response = client.get("/sitemap.xml")
    locs = [loc.text for loc in ET.fromstring(response.get_data()).iter(f"{SITEMAP}loc")]
    assert f"http://localhost{url(shown)}" in locs
    assert not [loc for loc in locs if f"/questions/{hidden.id}/" in loc]


# ---- the doctor's dashboard ----

def test_the_dashboard_lists_invitations_first(browser, client, asker):
    doctor = _doctor_for("enlarged-pores")
    waiting = ask(make_user(), title="Which laser helps enlarged pores on the cheeks?")
    invited = ask(asker, title="Invited: will a peel shrink my enlarged pores?")
    questions.invite_doctors(asker, question_id=invited.id, doctor_ids=[doctor.doctor_profile.id])
    unrelated = ask(asker, topics=["acne"], treatments=[], title="Unrelated: spironolactone for acne?")
    browser.login(doctor)
    page = client.get("/doctor/dashboard").get_data(as_text=True)
    assert page.index(invited.title) < page.index("Unanswered questions") < page.index(waiting.title)
    assert page.count(invited.title) == 1 and unrelated.title not in page


def test_the_dashboard_shows_the_doctors_answers_and_counts(browser, client, question):
    doctor = _doctor_for("enlarged-pores")
    answer(doctor, question)
    browser.login(doctor)
    page = client.get("/doctor/dashboard").get_data(as_text=True)
    assert "<strong>1</strong> answer<" in page and f'href="{url(question)}#answer-' in page
    assert "1 answers" not in page and "<strong>1</strong> answers" not in page
    assert question.title in page.split("Your recent answers")[1]


@pytest.mark.parametrize("make_actor", [make_user, lambda: make_doctor(status=VerificationStatus.PENDING)],
                         ids=["member", "pending"])
def test_the_dashboard_refuses_anyone_but_verified_doctors(browser, client, make_actor):
    assert client.get("/doctor/dashboard").status_code == 302
    browser.login(make_actor())
    assert client.get("/doctor/dashboard").status_code == 403


# ---- home page ----

def test_home_page_counts_answers_and_answered_questions(client, asker):
    answered = ask(asker)
    ask(asker)  # and one left unanswered
    answer(make_doctor(), answered)
    answer(make_doctor(), answered)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'data-testid="stat-answered-questions">1<', page)
    assert re.search(r'data-testid="stat-doctor-answers">2<', page)
    assert answered.title in page


def test_answers_on_a_hidden_question_are_not_counted_on_the_home_page(client, asker):
    hidden = ask(asker)
    answer(make_doctor(), hidden)
    hide(hidden)
    page = client.get("/").get_data(as_text=True)
    assert hidden.title not in page
    assert re.search(r'data-testid="stat-doctor-answers">0<', page)


# ---- notifications ----

def test_the_asker_sees_an_unread_notification_for_a_new_answer(browser, client, asker, question):
    answer(make_doctor(full_name="Dr. Quick Reply"), question)
    browser.login(asker)
    page = client.get("/questions").get_data(as_text=True)
    assert re.search(r'data-testid="unread">1<', page)
    assert "Dr. Quick Reply answered" in text(client.get("/notifications"))


# ---- following ----

def test_a_member_follows_and_unfollows(browser, client, question):
    browser.login(make_user())
    assert browser.post_form(f"/questions/{question.id}/follow", token_from=url(question)).status_code == 303
    assert "2 following" in client.get(url(question)).get_data(as_text=True)
    assert browser.post_form(f"/questions/{question.id}/unfollow", token_from=url(question)).status_code == 303
    assert "1 following" in client.get(url(question)).get_data(as_text=True)
