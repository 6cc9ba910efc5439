"""Questions and answers service: every rule of asking, answering, voting, reviewing, following
up and inviting, with its refusal; triage, notifications, the outbox, keyset pagination."""
from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from forum import clock, mail

from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import (
    Answer, AnswerReview, DoctorProfile, Follow, FollowUp, HelpfulVote, Invitation, Notification, OutboxMail,
    Question, QuestionStatus, Topic, UserStatus, VerificationStatus,
)
from forum.schemas.qa import AnswerReviewIn, QuestionIn
from forum.services import answers, outbox, questions, search_index
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
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
    data = {"body": "Microneedling can soften the look of pores a little over three to six sessions.",
            "offers_treatment": False, "industry_ties": None}
    data.update(overrides)
    return answers.post_answer(doctor, question_id=question.id, **data)


def doctor_for(*topics: str, **overrides):
    """A verified doctor whose profile lists these topics."""
    user = make_doctor(**overrides)
    user.doctor_profile.topics = list(db.session.scalars(select(Topic).where(Topic.slug.in_(topics))))
    db.session.commit()
    return user


def notes(user, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def hide(obj) -> None:
    """What a moderator's hide does to the row (the moderation service owns the action)."""
    obj.hidden = True
    if isinstance(obj, Question):
        search_index.index_question(obj)
    else:
        search_index.index_answer(obj)
        answers.recount_question(obj.question)
    db.session.commit()


@pytest.fixture
def asker():
    return make_user()


@pytest.fixture
def doctor():
    return make_doctor()


@pytest.fixture
def question(asker):
    return ask(asker)


# ---- asking ----

def test_a_member_asks_and_follows_their_question(asker):
    result = questions.ask_question(asker, title="Does micro-botox reduce oily skin on the T-zone?",
                                    body="My forehead and nose get shiny by noon. Is micro-botox an option?",
                                    topics=["oily-skin"], treatments=["micro-botox"])
    question = result.question
    assert result.red_flags == [] and question.urgent is False
    assert question.status == QuestionStatus.OPEN and question.author_id == asker.id
    assert [t.slug for t in question.topics] == ["oily-skin"]
    assert [t.slug for t in question.treatments] == ["micro-botox"]
    assert question.follower_count == 1
    assert db.session.scalar(select(Follow.user_id).where(Follow.question_id == question.id)) == asker.id


@pytest.mark.parametrize("change, field", [
    ({"title": "Too short?"}, "title"),
    ({"title": "x" * 151}, "title"),
    ({"body": "Short body."}, "body"),
    ({"body": "x" * 20_001}, "body"),
    ({"topics": [], "treatments": []}, "topics"),
    ({"topics": ["acne", "oily-skin", "scars", "lasers"], "treatments": ["microneedling", "micro-botox"]}, "topics"),
    ({"topics": ["Not A Slug!"]}, "topics"),
])
def test_the_question_schema_refuses_bad_input(change, field):
    data = {"title": "A perfectly sensible question title", "body": "A body that is long enough to be useful.",
            "topics": ["acne"], "treatments": []}
    data.update(change)
    with pytest.raises(ValidationError) as err:
        QuestionIn().load(data)
    assert field in err.value.messages


def test_the_question_schema_accepts_the_limits():
    data = QuestionIn().load({"title": "x" * 15, "body": "y" * 30, "topics": ["acne", "oily-skin", "scars"],
                              "treatments": ["microneedling", "micro-botox"]})
    assert data["anonymous"] is False and len(data["topics"]) == 3


@pytest.mark.parametrize("field", ["topics", "treatments"])
def test_an_unknown_topic_or_treatment_is_a_field_error_and_stores_nothing(asker, field):
    with pytest.raises(Invalid) as err:
        ask(asker, **{field: ["no-such-thing"]})
    assert list(err.value.fields) == [field] and "no-such-thing" in err.value.fields[field][0]
    db.session.rollback()
    assert count(Question) == 0 and count(Follow) == 0


def test_the_same_question_twice_in_a_row_is_refused(asker):
    ask(asker, title="Is a chemical peel safe for oily acne-prone skin?")
    with pytest.raises(Invalid) as err:
        ask(asker, title="Is a chemical peel safe for oily acne-prone skin?")
    assert "title" in err.value.fields
    assert count(Question) == 1


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.BANNED])
def test_a_suspended_or_banned_member_cannot_ask(status):
    with pytest.raises(Forbidden):
        ask(make_user(status=status))


def test_the_asker_edits_and_the_last_edited_time_is_kept(asker, question, frozen_clock):
    assert question.edited_at is None
    frozen_clock.advance(hours=2)
    edited = questions.edit_question(asker, question_id=question.id, title="Can microneedling shrink pores at 40?",
                                     body="Edited: pores on my nose got larger with age. Does it help at 40?",
                                     topics=["enlarged-pores", "skin-texture"], treatments=[])
    assert edited.edited_at == frozen_clock.current
    assert edited.title == "Can microneedling shrink pores at 40?"
    assert [t.slug for t in edited.topics] == ["enlarged-pores", "skin-texture"] and edited.treatments == []
    frozen_clock.advance(days=1)
    again = questions.edit_question(asker, question_id=question.id, title=edited.title, body=edited.body,
                                    topics=["enlarged-pores"], treatments=[])
    assert again.edited_at == frozen_clock.current


def test_an_edit_keeps_anonymity_unless_told_otherwise(asker):
    question = ask(asker, anonymous=True)
    edit = {"title": question.title, "body": question.body, "topics": ["acne"], "treatments": []}
    assert questions.edit_question(asker, question_id=question.id, **edit).anonymous is True
    assert questions.edit_question(asker, question_id=question.id, anonymous=False, **edit).anonymous is False


def test_a_failed_edit_changes_nothing(asker, question):
    title = question.title
    with pytest.raises(Invalid):
        questions.edit_question(asker, question_id=question.id, title="A brand new title for this question",
                                body=question.body, topics=["no-such-topic"], treatments=[])
    db.session.commit()  # whatever the caller does next must not store half an edit
    db.session.expire_all()
    assert db.session.get(Question, question.id).title == title


def test_only_the_asker_edits(question):
    for other in (make_user(), make_doctor(), make_moderator()):
        with pytest.raises(Forbidden):
            questions.edit_question(other, question_id=question.id, title="Someone else's new title here",
                                    body="Someone else's new body, long enough to pass.", topics=["acne"],
                                    treatments=[])


# ---- safety triage ----

RED_FLAG_TEXTS = [
    ("Blurry vision after filler in my tear troughs", "Two hours after hyaluronic filler my left eye sees blurry."),
    ("Skin turning white after lip filler", "Half an hour after lip filler my upper lip skin is turning white."),
    ("Fever and spreading redness after microneedling", "I have a fever and the redness is spreading on my cheek."),
    ("My mole is changing quickly", "A mole on my back has been growing and bleeding over the last two weeks."),
]


@pytest.mark.parametrize("title, body", RED_FLAG_TEXTS)
def test_a_red_flag_question_is_urgent_and_tops_the_moderators_list(asker, title, body):
    calm = ask(asker)
    result = questions.ask_question(asker, title=title, body=body, topics=["skin-texture"], treatments=[])
    assert result.red_flags and result.question.urgent is True
    urgent = questions.urgent_questions(make_moderator())
    assert urgent[0].id == result.question.id and calm.id not in [q.id for q in urgent]


def test_harmless_questions_are_not_flagged(asker):
    for title, body in [
        ("Should I see a dermatologist before filler?", "I would like to see if filler can lift my cheeks a bit."),
        ("How long until I see results from botox?", "I cannot see any difference one week after my injection."),
        ("Do dark spots change after a peel?", "Will my dark spots fade a few weeks after a chemical peel?"),
    ]:
        result = questions.ask_question(asker, title=title, body=body, topics=["botox"], treatments=[])
        assert result.red_flags == [] and result.question.urgent is False, title


def test_an_edit_that_adds_a_red_flag_marks_the_question_urgent(asker, question):
    questions.edit_question(asker, question_id=question.id, title=question.title,
                            body="Update: since the injection of filler my vision is blurred in one eye.",
                            topics=["enlarged-pores"], treatments=[])
    assert db.session.get(Question, question.id).urgent is True


def test_only_moderators_see_the_urgent_list():
    for user in (make_user(), make_doctor()):
        with pytest.raises(Forbidden):
            questions.urgent_questions(user)


# ---- answering ----

def test_a_verified_doctor_answers_with_a_disclosure(asker, question, doctor):
    posted = answer(doctor, question, offers_treatment=True, industry_ties="Speaker fees from DermaCo")
    assert (posted.offers_treatment, posted.industry_ties) == (True, "Speaker fees from DermaCo")
    db.session.refresh(question)
    assert question.answer_count == 1 and question.status == QuestionStatus.ANSWERED
    assert question.first_answer_at is not None
    assert doctor.doctor_profile.answer_count == 1


@pytest.mark.parametrize("make_actor", [
    make_user,
    make_moderator,
    lambda: make_doctor(status=VerificationStatus.PENDING),
    lambda: make_doctor(status=VerificationStatus.REJECTED),
    lambda: make_doctor(status=VerificationStatus.LAPSED),
    lambda: make_doctor(status=VerificationStatus.SUSPENDED),
    lambda: make_doctor(license_expires_on=clock.now().date() - timedelta(days=1)),
    lambda: make_doctor(user=make_user(status=UserStatus.SUSPENDED)),
], ids=["member", "moderator", "pending", "rejected", "lapsed", "suspended-doctor", "license-expired",
        "suspended-user"])
def test_only_verified_doctors_answer(question, make_actor):
    with pytest.raises(Forbidden):
        answer(make_actor(), question)
    assert count(Answer) == 0


def test_a_doctor_answers_a_question_only_once(question, doctor):
    answer(doctor, question)
    with pytest.raises(Conflict):
        answer(doctor, question, body="A second answer from the same doctor, which is refused.")
    assert count(Answer) == 1


@pytest.mark.parametrize("state", ["locked", "closed"])
def test_no_answers_on_locked_or_closed_questions(question, doctor, state):
    if state == "locked":
        question.locked = True
    else:
        question.status = QuestionStatus.CLOSED
    db.session.commit()
    with pytest.raises(Forbidden):
        answer(doctor, question)
    assert count(Answer) == 0


def test_a_hidden_question_is_not_found_for_a_doctor(question, doctor):
    hide(question)
    with pytest.raises(NotFound):
        answer(doctor, question)


def test_a_doctor_cannot_answer_their_own_question(doctor):
    own = ask(doctor)
    with pytest.raises(Forbidden):
        answer(doctor, own)


def test_a_doctor_edits_their_answer_and_the_edit_time_is_kept(question, doctor, frozen_clock):
    posted = answer(doctor, question)
    frozen_clock.advance(minutes=10)
    edited = answers.edit_answer(doctor, answer_id=posted.id, body="Edited: three sessions, four weeks apart.",
                                 offers_treatment=True, industry_ties=None)
    assert edited.edited_at == frozen_clock.current and edited.offers_treatment is True
    with pytest.raises(Forbidden):
        answers.edit_answer(make_doctor(), answer_id=posted.id, body="Not my answer, but I try to edit it.")


# ---- accepting ----

def test_the_asker_accepts_one_answer_and_can_move_it(asker, question):
    first, second = answer(make_doctor(), question), answer(make_doctor(), question)
    answers.accept_answer(asker, answer_id=first.id)
    assert question.accepted_answer_id == first.id and first.accepted
    answers.accept_answer(asker, answer_id=second.id)
    db.session.expire_all()
    accepted = list(db.session.scalars(select(Answer.id).where(Answer.accepted.is_(True))))
    assert accepted == [second.id]
    assert db.session.get(Question, question.id).accepted_answer_id == second.id


def test_only_the_asker_accepts(question):
    doctor = make_doctor()
    posted = answer(doctor, question)
    for other in (doctor, make_user(), make_doctor(), make_moderator()):
        with pytest.raises(Forbidden):
            answers.accept_answer(other, answer_id=posted.id)
    assert not db.session.get(Answer, posted.id).accepted


# ---- helpful votes ----

def test_members_mark_an_answer_helpful_once(asker, question, doctor):
    posted = answer(doctor, question)
    answers.mark_helpful(asker, answer_id=posted.id)
    answers.mark_helpful(make_user(), answer_id=posted.id)
    with pytest.raises(Conflict):
        answers.mark_helpful(asker, answer_id=posted.id)
    db.session.expire_all()
    assert db.session.get(Answer, posted.id).helpful_count == 2
    assert db.session.get(Question, question.id).helpful_count == 2
    assert db.session.get(DoctorProfile, doctor.doctor_profile.id).helpful_count == 2
    assert count(HelpfulVote) == 2


def test_a_doctor_cannot_mark_their_own_answer_helpful(question, doctor):
    posted = answer(doctor, question)
    with pytest.raises(Forbidden):
        answers.mark_helpful(doctor, answer_id=posted.id)
    assert count(HelpfulVote) == 0


# ---- agree / disagree ----

def test_a_verified_doctor_agrees_and_another_disagrees_with_a_reason(question, doctor):
    posted = answer(doctor, question)
    answers.review_answer(make_doctor(), answer_id=posted.id, verdict="agree")
    review = answers.review_answer(make_doctor(), answer_id=posted.id, verdict="disagree",
                                   reason="Pores do not shrink; only their look improves.")
    assert review.reason == "Pores do not shrink; only their look improves."
    db.session.refresh(posted)
    assert (posted.agree_count, posted.disagree_count) == (1, 1)


@pytest.mark.parametrize("reason", [None, "", "No."])
def test_a_disagreement_needs_a_reason(question, doctor, reason):
    posted = answer(doctor, question)
    with pytest.raises(Invalid) as err:
        answers.review_answer(make_doctor(), answer_id=posted.id, verdict="disagree", reason=reason)
    assert "reason" in err.value.fields
    assert count(AnswerReview) == 0
    with pytest.raises(ValidationError) as schema_err:
        AnswerReviewIn().load({"verdict": "disagree", "reason": reason} if reason is not None
                              else {"verdict": "disagree"})
    assert "reason" in schema_err.value.messages


@pytest.mark.parametrize("make_actor", [
    make_user, make_moderator, lambda: make_doctor(status=VerificationStatus.PENDING),
    lambda: make_doctor(status=VerificationStatus.LAPSED),
], ids=["member", "moderator", "pending", "lapsed"])
def test_only_verified_doctors_review(question, doctor, make_actor):
    posted = answer(doctor, question)
    with pytest.raises(Forbidden):
        answers.review_answer(make_actor(), answer_id=posted.id, verdict="agree")


def test_a_doctor_cannot_review_their_own_answer(question, doctor):
    posted = answer(doctor, question)
    with pytest.raises(Forbidden):
        answers.review_answer(doctor, answer_id=posted.id, verdict="agree")


def test_changing_ones_mind_updates_the_one_review(question, doctor):
    posted = answer(doctor, question)
    reviewer = make_doctor()
    answers.review_answer(reviewer, answer_id=posted.id, verdict="agree")
    answers.review_answer(reviewer, answer_id=posted.id, verdict="disagree", reason="On reflection, too optimistic.")
    db.session.refresh(posted)
    assert (posted.agree_count, posted.disagree_count) == (0, 1) and count(AnswerReview) == 1


# ---- follow-ups ----

def test_the_asker_and_the_answering_doctor_exchange_follow_ups(asker, question, doctor):
    posted = answer(doctor, question)
    answers.add_follow_up(asker, answer_id=posted.id, body="How many sessions would I need?")
    answers.add_follow_up(doctor, answer_id=posted.id, body="Usually three, a month apart.")
    db.session.refresh(posted)
    assert [f.author_role for f in posted.follow_ups] == ["asker", "doctor"]


def test_nobody_else_adds_follow_ups(question, doctor):
    posted = answer(doctor, question)
    other_doctor = make_doctor()
    answer(other_doctor, question)
    for other in (make_user(), other_doctor, make_moderator()):
        with pytest.raises(Forbidden):
            answers.add_follow_up(other, answer_id=posted.id, body="May I add something here?")
    assert count(FollowUp) == 0


def test_no_follow_ups_on_a_locked_question(asker, question, doctor):
    posted = answer(doctor, question)
    question.locked = True
    db.session.commit()
    with pytest.raises(Forbidden):
        answers.add_follow_up(asker, answer_id=posted.id, body="Can I still ask something?")


# ---- invitations ----

def test_the_asker_invites_up_to_three_matching_doctors_and_each_is_notified(asker, question):
    doctors = [doctor_for("enlarged-pores") for _ in range(4)]
    ids = [d.doctor_profile.id for d in doctors]
    invited = questions.invite_doctors(asker, question_id=question.id, doctor_ids=ids[:2])
    assert {i.doctor_id for i in invited} == {doctors[0].id, doctors[1].id}
    questions.invite_doctors(asker, question_id=question.id, doctor_ids=[ids[2]])
    with pytest.raises(Invalid) as err:
        questions.invite_doctors(asker, question_id=question.id, doctor_ids=[ids[3]])
    assert "doctor_ids" in err.value.fields
    assert count(Invitation) == 3
    assert [len(notes(d, "invitation")) for d in doctors] == [1, 1, 1, 0]


def test_inviting_the_same_doctor_again_sends_nothing_new(asker, question):
    doctor = doctor_for("enlarged-pores")
    questions.invite_doctors(asker, question_id=question.id, doctor_ids=[doctor.doctor_profile.id])
    questions.invite_doctors(asker, question_id=question.id, doctor_ids=[doctor.doctor_profile.id])
    assert count(Invitation) == 1 and len(notes(doctor, "invitation")) == 1


def test_four_doctors_at_once_are_refused(asker, question):
    ids = [doctor_for("enlarged-pores").doctor_profile.id for _ in range(4)]
    with pytest.raises(Invalid):
        questions.invite_doctors(asker, question_id=question.id, doctor_ids=ids)
    assert count(Invitation) == 0 and count(Notification) == 0


@pytest.mark.parametrize("make_invitee", [
    lambda: doctor_for("acne"),  # topics do not match
    lambda: doctor_for("enlarged-pores", status=VerificationStatus.PENDING),
    lambda: doctor_for("enlarged-pores", status=VerificationStatus.REJECTED),
    lambda: doctor_for("enlarged-pores", license_expires_on=clock.now().date() - timedelta(days=1)),
    lambda: doctor_for("enlarged-pores", user=make_user(status=UserStatus.SUSPENDED)),
], ids=["other-topics", "pending", "rejected", "lapsed", "suspended"])
def test_only_matching_verified_doctors_can_be_invited(asker, question, make_invitee):
    invitee = make_invitee()
    with pytest.raises(Invalid):
        questions.invite_doctors(asker, question_id=question.id, doctor_ids=[invitee.doctor_profile.id])
    assert count(Invitation) == 0 and notes(invitee) == []


def test_a_doctor_who_answered_cannot_be_invited(asker, question):
    doctor = doctor_for("enlarged-pores")
    answer(doctor, question)
    with pytest.raises(Invalid):
        questions.invite_doctors(asker, question_id=question.id, doctor_ids=[doctor.doctor_profile.id])


def test_a_doctor_who_answered_in_the_topic_can_be_invited(asker, question):
    doctor = doctor_for()  # no topics on the profile, but answers in this one
    answer(doctor, ask(make_user()))
    questions.invite_doctors(asker, question_id=question.id, doctor_ids=[doctor.doctor_profile.id])
    assert len(notes(doctor, "invitation")) == 1


def test_only_the_asker_invites(question):
    doctor = doctor_for("enlarged-pores")
    with pytest.raises(Forbidden):
        questions.invite_doctors(make_user(), question_id=question.id, doctor_ids=[doctor.doctor_profile.id])


# ---- notifications: exactly once per event ----

def test_a_new_answer_notifies_the_asker_and_followers_but_not_the_doctor(asker, question, doctor):
    follower = make_user()
    questions.follow_question(follower, question_id=question.id)
    questions.follow_question(doctor, question_id=question.id)  # even a following doctor is not told of their own
    answer(doctor, question)
    assert len(notes(asker, "answer_posted")) == 1
    assert len(notes(follower, "answer_posted")) == 1
    assert notes(doctor) == []
    assert count(Notification) == 2


def test_a_follow_up_notifies_only_the_other_party(asker, question, doctor):
    posted = answer(doctor, question)
    before = count(Notification)
    answers.add_follow_up(asker, answer_id=posted.id, body="How many sessions would I need?")
    assert len(notes(doctor, "follow_up")) == 1 and notes(asker, "follow_up") == []
    answers.add_follow_up(doctor, answer_id=posted.id, body="Usually three, a month apart.")
    assert len(notes(asker, "follow_up")) == 1 and len(notes(doctor, "follow_up")) == 1
    assert count(Notification) == before + 2


def test_acceptance_notifies_the_doctor_once(asker, question, doctor):
    posted = answer(doctor, question)
    answers.accept_answer(asker, answer_id=posted.id)
    answers.accept_answer(asker, answer_id=posted.id)  # accepting again changes nothing
    assert len(notes(doctor, "answer_accepted")) == 1
    assert notes(asker, "answer_accepted") == []


def test_an_agreement_notifies_the_doctor_once(question, doctor):
    posted = answer(doctor, question)
    reviewer = make_doctor()
    answers.review_answer(reviewer, answer_id=posted.id, verdict="agree")
    answers.review_answer(reviewer, answer_id=posted.id, verdict="agree")
    assert len(notes(doctor, "answer_reviewed")) == 1 and notes(reviewer) == []


def test_each_notification_queues_one_mail(asker, question, doctor):
    answer(doctor, question)
    assert count(OutboxMail) == count(Notification) == 1
    assert [m["To"] for m in mail.SENT] == [asker.email]


# ---- the outbox ----

def test_the_outbox_keeps_mail_when_the_mail_server_fails(monkeypatch, frozen_clock, asker, question, doctor):
    def broken(self, message):
        raise ConnectionRefusedError("mail server down")

    working_send = mail.MemorySender.send
    monkeypatch.setattr(mail.MemorySender, "send", broken)
    posted = answer(doctor, question)  # the answer itself is saved whatever the mail server does
    assert db.session.get(Answer, posted.id) is not None
    (queued,) = db.session.scalars(select(OutboxMail)).all()
    assert queued.sent_at is None and "mail server down" in queued.last_error and queued.attempts == 1
    assert len(notes(asker, "answer_posted")) == 1

    monkeypatch.setattr(mail.MemorySender, "send", working_send)
    assert outbox.deliver_due() == 0  # the retry waits a minute (then 5, 30 ...)
    frozen_clock.advance(minutes=1, seconds=1)
    assert outbox.deliver_due() == 1
    db.session.refresh(queued)
    assert queued.sent_at is not None and [m["To"] for m in mail.SENT] == [asker.email]
    assert outbox.deliver_due() == 0  # sent once only


# ---- browsing: keyset pagination stable under inserts ----

def _walk(viewer, insert, **filters) -> list[int]:
    seen, cursor = [], None
    while True:
        page = questions.list_questions(viewer, cursor=cursor, limit=3, **filters)
        seen += [q.id for q in page.items]
        insert()
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["newest", "active", "helpful"])
def test_walking_the_pages_while_questions_arrive_skips_and_repeats_nothing(asker, sort, frozen_clock):
    doctor = make_doctor()
    originals = []
    for i in range(10):
        frozen_clock.advance(seconds=i % 3)  # some share a timestamp: ties are broken by id
        q = ask(asker)
        if i % 2:
            posted = answer(doctor, q)
            if i % 4 == 1:
                answers.mark_helpful(make_user(), answer_id=posted.id)
        originals.append(q.id)
    seen = _walk(None, lambda: ask(make_user()), sort=sort)
    assert len(seen) == len(set(seen))
    assert set(originals) <= set(seen)


@pytest.mark.parametrize("filters, expected", [
    ({"topic": "acne"}, "acne"),
    ({"treatment": "micro-botox"}, "botox"),
    ({"answered": "yes"}, "answered"),
    ({"answered": "no"}, "unanswered"),
])
def test_filters_page_through_matching_questions_only(asker, filters, expected):
    doctor = make_doctor()
    groups = {"acne": [], "botox": [], "answered": [], "unanswered": []}
    for i in range(8):
        q = ask(asker, topics=["acne"] if i % 2 else ["oily-skin"], treatments=["micro-botox"] if i % 3 == 0 else [])
        if i % 2:
            groups["acne"].append(q.id)
        if i % 3 == 0:
            groups["botox"].append(q.id)
        if i % 4 == 0:
            answer(doctor, q)
            groups["answered"].append(q.id)
        else:
            groups["unanswered"].append(q.id)
    inserted = []

    def insert():
        inserted.append(ask(make_user(), topics=["acne"], treatments=["micro-botox"]).id)

    seen = _walk(None, insert, **filters)
    assert len(seen) == len(set(seen))
    assert set(seen) - set(inserted) == set(groups[expected])


def test_a_tampered_cursor_is_a_field_error():
    with pytest.raises(Invalid) as err:
        questions.list_questions(None, cursor="not-a-cursor")
    assert "cursor" in err.value.fields


def test_hidden_questions_are_listed_only_for_their_asker_and_moderators(asker, question):
    hide(question)
    assert questions.list_questions(None).items == []
    assert questions.list_questions(make_user()).items == []
    assert [q.id for q in questions.list_questions(asker).items] == [question.id]
    assert [q.id for q in questions.list_questions(make_moderator()).items] == [question.id]


def test_an_askers_own_hidden_questions_merge_into_their_pages_in_order(asker, frozen_clock):
    mine = []
    for n in range(5):
        frozen_clock.advance(minutes=1)
        mine.append(ask(asker, title=f"My own question about pores, number {n}"))
        frozen_clock.advance(minutes=1)
        ask(make_user(), title=f"Someone else's question about pores, number {n}")
    hide(mine[1]), hide(mine[3])
    seen, cursor = [], None
    for _ in range(10):
        page = questions.list_questions(asker, limit=3, cursor=cursor)
        seen += [q.id for q in page.items]
        if not (cursor := page.next_cursor):
            break
    everything = sorted(q.id for q in db.session.scalars(select(Question)))
    assert seen == sorted(everything, reverse=True)  # newest first, each once, hidden ones included
    others = [q.id for q in questions.list_questions(make_user(), limit=50).items]
    assert mine[1].id not in others and mine[3].id not in others and len(others) == 8


def test_a_hidden_answer_leaves_the_counts(asker, question, doctor):
    posted = answer(doctor, question)
    hide(posted)
    db.session.refresh(question)
    assert question.answer_count == 0 and question.status == QuestionStatus.OPEN
    assert questions.question_page(None, question.id, count_view=False)["answers"] == []
    assert [a.id for a in questions.question_page(doctor, question.id, count_view=False)["answers"]] == [posted.id]


def test_the_question_page_lists_the_accepted_answer_first_then_the_most_helpful(asker, question):
    plain, helpful, accepted = (answer(make_doctor(), question) for _ in range(3))
    answers.mark_helpful(make_user(), answer_id=helpful.id)
    answers.accept_answer(asker, answer_id=accepted.id)
    page = questions.question_page(None, question.id)
    assert [a.id for a in page["answers"]] == [accepted.id, helpful.id, plain.id]
