"""Edit history pages: public for visible content, a word diff that escapes what people typed, the
"history" and "edited after it was accepted" marks, and the moderators' rollback form."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ModerationLog, Revision
from forum.services import answers, moderation_content, reference
from tests import factories
from tests.revision_helpers import ARTICLE, TREATMENT, build, edit_answer, edit_question


@pytest.fixture
def forum(app):
    return build()


def first_revision(kind: str) -> Revision:
    return db.session.scalars(select(Revision).where(Revision.subject_type == kind).order_by(Revision.number)).first()


def test_an_edited_question_links_to_its_history_with_a_word_diff(forum, client):
    edit_question(forum, "Do pore strips shrink pores for good?", "I use them daily and wonder whether they help.")
    page = client.get(f"/questions/{forum.question.id}", follow_redirects=True).get_data(as_text=True)
    assert f'href="/questions/{forum.question.id}/history"' in page
    history = client.get(f"/questions/{forum.question.id}/history")
    html = history.get_data(as_text=True)
    assert history.status_code == 200
    assert "Roll back" not in html  # visitors see no rollback form
    # a visitor learns who and when, never what the asker removed
    assert "weekly" not in html and "Earlier text not shown" in html


@pytest.mark.parametrize("who", ["asker", "moderator"])
def test_the_asker_and_moderators_see_the_earlier_text_of_a_question(forum, client, browser, who):
    edit_question(forum, "Do pore strips shrink pores for good?", "I use them daily and wonder whether they help.")
    browser.login(getattr(forum, who))
    html = client.get(f"/questions/{forum.question.id}/history").get_data(as_text=True)
    assert "<del>weekly</del><ins>daily</ins>" in html


def test_other_members_do_not_see_the_earlier_text_of_a_question(forum, client, browser):
    edit_question(forum, "Do pore strips shrink pores for good?", "I am Jo Bloggs, 0123 456, and use them daily.")
    edit_question(forum, "Do pore strips shrink pores for good?", "I use them daily and wonder whether they help.")
    browser.login(factories.make_user())
    html = client.get(f"/questions/{forum.question.id}/history").get_data(as_text=True)
    assert "Jo Bloggs" not in html and "weekly" not in html and html.count("Earlier text not shown") == 2


def test_an_answers_earlier_advice_is_public_but_not_what_a_moderator_redacted(forum, client, browser):
    edit_answer(forum, "They empty pores for a while. Call me on 0123 456.")
    html = client.get(f"/answers/{forum.answer.id}/history").get_data(as_text=True)
    assert "<del>only.</del>" in html  # the earlier advice, shown to anyone
    moderation_content.moderate_content(forum.moderator, target_type="answer", target_id=forum.answer.id,
                                        action="edit", reason="Phone number removed", body="They empty pores.")
    html = client.get(f"/answers/{forum.answer.id}/history").get_data(as_text=True)
    assert "0123 456" not in html and "only." not in html and html.count("Earlier text not shown") == 2
    browser.login(forum.doctor)  # the answer's author still sees what was removed
    assert "0123 456" in client.get(f"/answers/{forum.answer.id}/history").get_data(as_text=True)


def test_the_history_escapes_what_people_typed(forum, client):
    edit_answer(forum, "Try <b>nothing</b> & <script>alert(1)</script> wait.")
    html = client.get(f"/answers/{forum.answer.id}/history").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<b>nothing</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_answer_edited_after_acceptance_says_so_on_the_question_page(forum, client):
    answers.accept_answer(forum.asker, answer_id=forum.answer.id)
    page = client.get(f"/questions/{forum.question.id}", follow_redirects=True).get_data(as_text=True)
    assert "edited after it was accepted" not in page
    edit_answer(forum, "They empty pores for a while; the size comes back.")
    page = client.get(f"/questions/{forum.question.id}", follow_redirects=True).get_data(as_text=True)
    assert "edited after it was accepted" in page
    assert f'href="/answers/{forum.answer.id}/history"' in page


def test_reference_post_and_treatment_histories_are_public(forum, client):
    reference.save_article(forum.moderator, slug="about-pores", data={**ARTICLE, "summary": "What pores really are."})
    reference.save_treatment(forum.moderator, slug="chemical-peel", data=TREATMENT)
    article = client.get("/articles/about-pores/history").get_data(as_text=True)
    assert "<ins>really" in article and "a moderator" in article
    assert client.get("/treatments/chemical-peel/history").status_code == 200
    assert 'href="/articles/about-pores/history"' in client.get("/articles/about-pores").get_data(as_text=True)


def test_the_history_of_hidden_content_is_hidden_like_the_content(forum, client):
    moderation_content.moderate_content(forum.moderator, target_type="question", target_id=forum.question.id,
                                        action="hide", reason="Checking a claim")
    assert client.get(f"/questions/{forum.question.id}/history").status_code == 404
    assert client.get(f"/answers/{forum.answer.id}/history").status_code == 404
    assert client.get("/questions/999999/history").status_code == 404


def test_a_moderator_rolls_back_from_the_history_page(forum, browser):
    original = forum.answer.body
    edit_answer(forum, "A second version of the answer.")
    revision = first_revision("answer")
    browser.login(forum.moderator)
    page = browser.get(f"/answers/{forum.answer.id}/history").get_data(as_text=True)
    assert "Roll back" in page
    response = browser.post_form(f"/revisions/{revision.id}/rollback", {"reason": "The edit dropped a caution"},
                                 token_from=f"/answers/{forum.answer.id}/history")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/answers/{forum.answer.id}/history")
    db.session.refresh(forum.answer)
    assert forum.answer.body == original
    assert db.session.scalar(select(ModerationLog).where(ModerationLog.action == "answer.rollback")) is not None
    page = browser.get(f"/answers/{forum.answer.id}/history").get_data(as_text=True)
    assert "rolled back to the version before edit 1" in page and "The edit dropped a caution" in page


def test_a_rollback_without_a_reason_is_refused_with_a_message(forum, browser):
    edit_answer(forum, "A second version of the answer.")
    revision = first_revision("answer")
    browser.login(forum.moderator)
    response = browser.post_form(f"/revisions/{revision.id}/rollback", {"reason": " "},
                                 token_from=f"/answers/{forum.answer.id}/history")
    assert response.status_code == 422
    assert "Say why you roll this back." in response.get_data(as_text=True)
    db.session.refresh(forum.answer)
    assert forum.answer.body == "A second version of the answer."


def test_members_cannot_roll_back(forum, browser):
    edit_answer(forum, "A second version of the answer.")
    revision = first_revision("answer")
    browser.login(factories.make_user())
    assert "Roll back" not in browser.get(f"/answers/{forum.answer.id}/history").get_data(as_text=True)
    response = browser.post_form(f"/revisions/{revision.id}/rollback", {"reason": "Mine"},
                                 token_from=f"/answers/{forum.answer.id}/history")
    assert response.status_code == 403
