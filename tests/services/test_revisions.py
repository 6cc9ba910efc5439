"""Revisions: every edit path keeps the version it replaced with who and when; the history's word
diff escapes what people typed; moderators (only) roll back, with a reason, logged and kept."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import ModerationLog, Revision, Treatment
from forum.services import answers, moderation_content, reference, revisions
from tests import factories
from tests.revision_helpers import ARTICLE, TREATMENT, build, edit_answer, edit_question


@pytest.fixture
def forum(frozen_clock):
    return build()


def kept(kind: str, subject_id: int) -> list[Revision]:
    return list(db.session.scalars(select(Revision).where(Revision.subject_type == kind,
                                                          Revision.subject_id == subject_id)
                                   .order_by(Revision.number)))


def test_the_asker_editing_keeps_the_previous_question_with_who_and_when(forum, frozen_clock):
    frozen_clock.advance(hours=2)
    edit_question(forum, "Do pore strips shrink pores at all?", "Weekly use; do they help for good?")
    [revision] = kept("question", forum.question.id)
    assert revision.snapshot == {"title": "Do pore strips shrink pores for good?",
                                 "body": "I use them weekly and wonder whether they help."}
    assert (revision.editor_id, revision.number, revision.created_at) == (forum.asker.id, 1, frozen_clock.current)


def test_the_doctor_editing_keeps_the_previous_answer(forum):
    edit_answer(forum, "They empty pores for a while; the size comes back.")
    [revision] = kept("answer", forum.answer.id)
    assert revision.snapshot["body"] == "They empty pores for a while only."
    assert revision.editor_id == forum.doctor.id


@pytest.mark.parametrize("kind", ["question", "answer"])
def test_a_moderator_edit_keeps_the_previous_version(forum, kind):
    subject = forum.question if kind == "question" else forum.answer
    moderation_content.moderate_content(forum.moderator, target_type=kind, target_id=subject.id, action="edit",
                                        reason="Removed a phone number", title="A tidier title",
                                        body="A tidier body without the phone number.")
    [revision] = kept(kind, subject.id)
    assert revision.editor_id == forum.moderator.id
    assert "body" in revision.snapshot and revision.snapshot["body"] != subject.body


def test_editing_a_reference_post_and_a_treatment_keeps_the_previous_version(forum):
    reference.save_article(forum.moderator, slug="about-pores", data={**ARTICLE, "body": "Pores are openings."})
    reference.save_treatment(forum.moderator, slug="chemical-peel",
                             data={**TREATMENT, "how_it_works": "A stronger acid."})
    [article_revision] = kept("article", forum.article.id)
    treatment = db.session.scalar(select(Treatment))
    [treatment_revision] = kept("treatment", treatment.id)
    assert article_revision.snapshot["body"] == "Pores are small openings."
    assert treatment_revision.snapshot["how_it_works"] == "Explained elsewhere."
    assert article_revision.editor_id == treatment_revision.editor_id == forum.moderator.id


def test_creating_content_keeps_no_revision(forum):
    reference.save_article(forum.moderator, data={**ARTICLE, "title": "A new post"})
    assert db.session.scalars(select(Revision)).all() == []


def test_history_lists_the_edits_newest_first_with_a_word_diff(forum):
    edit_answer(forum, "They empty pores for a while; the size comes back.")
    edit_answer(forum, "They empty pores for a day; the size comes back.")
    changes = revisions.history(forum.answer)
    assert [c.revision.number for c in changes] == [2, 1]
    assert str(changes[0].diffs[0].html) == ("They empty pores for a <del>while;</del><ins>day;</ins> "
                                            "the size comes back.")
    assert "<del>only.</del><ins>the size comes back.</ins>" in str(changes[1].diffs[0].html)


def test_the_diff_escapes_what_people_typed(forum):
    edit_answer(forum, 'They <script>alert("x")</script> help & more.')
    html = str(revisions.history(forum.answer)[0].diffs[0].html)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&amp;" in html
    assert set(__import__("re").findall(r"<(/?\w+)", html)) <= {"ins", "/ins", "del", "/del"}


def test_round_trip_edit_twice_then_roll_back_to_the_first(forum):
    original = forum.answer.body
    edit_answer(forum, "Second version of the answer.")
    edit_answer(forum, "Third version of the answer.")
    first = kept("answer", forum.answer.id)[0]
    added = revisions.rollback(forum.moderator, revision_id=first.id, reason="The edits removed the caution")
    assert forum.answer.body == original
    assert (added.number, added.rollback_to, added.editor_id) == (3, 1, forum.moderator.id)
    assert added.snapshot["body"] == "Third version of the answer."
    assert added.reason == "The edits removed the caution"
    entry = db.session.scalars(select(ModerationLog).where(ModerationLog.action == "answer.rollback")).one()
    assert (entry.actor_id, entry.target_id) == (forum.moderator.id, str(forum.answer.id))
    assert "The edits removed the caution" in entry.reason
    assert revisions.history(forum.answer)[0].revision.rollback_to == 1


def test_only_moderators_roll_back(forum):
    edit_question(forum, "Another title for the question?", "Another body for the question.")
    revision = kept("question", forum.question.id)[0]
    for someone in (forum.asker, forum.doctor, factories.make_user()):
        with pytest.raises(Forbidden):
            revisions.rollback(someone, revision_id=revision.id, reason="Mine")
    assert forum.question.title == "Another title for the question?"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rollback_needs_a_reason(forum, reason):
    edit_question(forum, "Another title for the question?", "Another body for the question.")
    revision = kept("question", forum.question.id)[0]
    with pytest.raises(Invalid) as refused:
        revisions.rollback(forum.moderator, revision_id=revision.id, reason=reason)
    assert "reason" in refused.value.fields
    assert len(kept("question", forum.question.id)) == 1


def test_rolling_back_an_unknown_revision_is_not_found(forum):
    with pytest.raises(NotFound):
        revisions.rollback(forum.moderator, revision_id=999, reason="Gone")


def test_an_answer_edited_after_it_was_accepted_says_so(forum):
    edit_answer(forum, "Edited before acceptance.")
    assert forum.answer.edited_after_accepted is False
    answers.accept_answer(forum.asker, answer_id=forum.answer.id)
    edit_answer(forum, "Edited after acceptance.")
    assert forum.answer.edited_after_accepted is True


def test_history_follows_the_visibility_of_the_content(forum):
    moderation_content.moderate_content(forum.moderator, target_type="answer", target_id=forum.answer.id,
                                        action="hide", reason="Checking a claim")
    stranger = factories.make_user()
    with pytest.raises(NotFound):
        revisions.load_subject(stranger, "answer", forum.answer.id)
    assert revisions.load_subject(forum.moderator, "answer", forum.answer.id) is forum.answer
    assert revisions.load_subject(None, "question", forum.question.id) is forum.question


def test_two_records_in_one_transaction_are_numbered_one_and_two(forum):
    """record() locks the subject's row before numbering (concurrent edits wait for each other)."""
    first, second = revisions.record(forum.answer, forum.doctor), revisions.record(forum.answer, forum.doctor)
    db.session.flush()
    assert (first.number, second.number) == (1, 2)


def test_the_earlier_text_of_a_question_is_for_its_asker_and_moderators_only(forum):
    edit_question(forum, "Do pore strips shrink pores at all?", "Jo Bloggs here; do they help?")
    for viewer, shown in [(None, False), (factories.make_user(), False), (forum.doctor, False),
                          (forum.asker, True), (forum.moderator, True)]:
        [change] = revisions.history(forum.question, viewer)
        assert change.text_shown is shown and (change.previous is not None) is shown
        assert bool(change.diffs) is shown and change.editor  # who and when stay for everyone


def test_a_moderators_edit_of_an_answer_hides_the_versions_before_it_from_others(forum):
    edit_answer(forum, "They empty pores for a while. Call 0123 456.")
    assert revisions.history(forum.answer, None)[0].text_shown is True  # earlier advice is public
    moderation_content.moderate_content(forum.moderator, target_type="answer", target_id=forum.answer.id,
                                        action="edit", reason="Phone number removed", body="They empty pores.")
    edit_answer(forum, "They empty pores for a while.")
    newest, redaction, first = revisions.history(forum.answer, None)
    assert (newest.text_shown, redaction.text_shown, first.text_shown) == (True, False, False)
    assert [change.text_shown for change in revisions.history(forum.answer, forum.doctor)] == [True] * 3


def test_reference_edits_keep_the_author_and_sources_and_roll_them_back(forum):
    sources = [{"title": "A review", "url": "https://example.org/review"}]
    reference.save_article(forum.moderator, slug="about-pores",
                           data={**ARTICLE, "author_name": "Dr New", "author_bio": "Writes.", "sources": sources})
    [kept_version] = kept("article", forum.article.id)
    assert (kept_version.snapshot["author_name"], kept_version.snapshot["sources"]) == ("Editorial team", [])
    [change] = revisions.history(forum.article)
    diffs = {diff.name: str(diff.html) for diff in change.diffs}
    assert "<ins>New</ins>" in diffs["author_name"] and "https://example.org/review" in diffs["sources"]
    revisions.rollback(forum.moderator, revision_id=kept_version.id, reason="Wrong author")
    assert (forum.article.author_name, forum.article.sources) == ("Editorial team", [])
    assert revisions.history(forum.article)[0].revision.snapshot["sources"] == sources


def test_treatment_edits_keep_kind_prescription_and_costs(forum):
    reference.save_treatment(forum.moderator, slug="chemical-peel",
                             data={**TREATMENT, "prescription": True, "cost_min": 100, "cost_max": 300,
                                   "cost_currency": "EUR"})
    treatment = db.session.scalar(select(Treatment))
    [revision] = kept("treatment", treatment.id)
    assert {name: revision.snapshot[name] for name in ("kind", "prescription", "cost_min")} == \
        {"kind": "procedure", "prescription": False, "cost_min": None}
    diffs = {diff.name: str(diff.html) for diff in revisions.history(treatment)[0].diffs}
    assert diffs["prescription"] == "<del>no</del><ins>yes</ins>" and diffs["cost_min"] == "<ins>100</ins>"
