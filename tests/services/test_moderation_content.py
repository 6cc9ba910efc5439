"""Moderating content: flags and the trust-weighted auto-hide, the flag queue, and every moderator
action on questions, answers, follow-ups and doctor profiles (effect, log, flags, notice)."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import select

from forum import mail
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import (
    Flag, FlagReason, FlagStatus, FlagTarget, ModerationLog, Notification, QuestionStatus, UserStatus,
    VerificationStatus,
)
from forum.permissions import can
from forum.services import answers, moderation_content, questions, search
from forum.services.seed import load_seed
from tests.factories import make_admin, make_doctor, make_moderator, make_trusted_member, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(user, **overrides):
    data = {"title": f"Does microneedling shrink quokkaish pores, case {next(_n)}?",
            "body": "My pores on the nose look large. Would microneedling make them smaller for good?",
            "topics": ["enlarged-pores"], "treatments": [], "anonymous": False}
    data.update(overrides)
    return questions.ask_question(user, **data).question


def answer(doctor, question, body="Microneedling softens xylophonic pores a little over three to six sessions."):
    return answers.post_answer(doctor, question_id=question.id, body=body)


def flag(user, obj, kind="answer", reason=FlagReason.SPAM, note=None):
    return moderation_content.flag_content(user, target_type=kind, target_id=obj.id, reason=reason, note=note)


def act(actor, obj, action, kind="answer", reason="Breaks the rules on advertising", **extra):
    return moderation_content.moderate_content(actor, target_type=kind, target_id=obj.id, action=action,
                                               reason=reason, **extra)


def log_rows() -> list[ModerationLog]:
    return list(db.session.scalars(select(ModerationLog).order_by(ModerationLog.id)))


def flags_on(obj, kind="answer") -> list[Flag]:
    return list(db.session.scalars(select(Flag).where(Flag.target_type == kind, Flag.target_id == str(obj.id))
                                   .order_by(Flag.id)))


def notes_for(user, kind=None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def search_kinds(word: str) -> set[tuple[str, int]]:
    return {(h.kind, h.ref_id) for h in search.search(word).hits}


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
    return answer(doctor, question)


@pytest.fixture
def follow_up(asker, posted):
    return answers.add_follow_up(asker, answer_id=posted.id, body="Thank you, how many sessions would I need?")


@pytest.fixture
def moderator():
    return make_moderator(display_name="Mo Derator")


def target_of(kind, question, posted, follow_up):
    return {"question": question, "answer": posted, "follow_up": follow_up}[kind]


# ---- flags ----

def test_a_member_flags_an_answer_with_a_reason_and_a_note(posted):
    reporter = make_user()
    made = flag(reporter, posted, reason=FlagReason.MISINFORMATION, note="Says results are permanent")
    assert (made.reporter_id, made.target_type, made.target_id) == (reporter.id, FlagTarget.ANSWER, str(posted.id))
    assert made.reason == FlagReason.MISINFORMATION and made.note == "Says results are permanent"
    assert made.status == FlagStatus.OPEN
    assert not posted.hidden


def test_a_second_flag_by_the_same_user_on_the_same_item_is_a_conflict(posted):
    reporter = make_user()
    flag(reporter, posted)
    with pytest.raises(Conflict):
        flag(reporter, posted, reason=FlagReason.OFFENSIVE)
    assert len(flags_on(posted)) == 1


def test_another_spelling_of_the_same_id_is_the_same_item(posted):
    reporter = make_user()
    flag(reporter, posted)
    with pytest.raises(Conflict):
        moderation_content.flag_content(reporter, target_type="answer", target_id=f"00{posted.id}",
                                        reason=FlagReason.SPAM)
    assert [f.target_id for f in flags_on(posted)] == [str(posted.id)]


@pytest.mark.parametrize("kind", ["question", "answer", "follow_up"])
def test_three_different_users_hide_an_item_at_once(kind, question, posted, follow_up):
    target = target_of(kind, question, posted, follow_up)
    flag(make_trusted_member(), target, kind)
    flag(make_trusted_member(), target, kind)
    assert not target.hidden
    flag(make_trusted_member(), target, kind)
    assert target.hidden and target.deleted_at is None
    (entry,) = log_rows()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        None, f"{kind}.auto_hide", kind, str(target.id))
    assert "3 users" in entry.reason
    assert all(f.status == FlagStatus.OPEN for f in flags_on(target, kind))  # still waiting for review


def test_one_user_flagging_three_times_does_not_hide_anything(posted):
    reporter = make_user()
    flag(reporter, posted)
    for _ in range(2):
        with pytest.raises(Conflict):
            flag(reporter, posted)
    assert not posted.hidden
    assert log_rows() == []


def test_two_users_and_a_repeat_do_not_hide_anything(posted):
    first, second = make_trusted_member(), make_trusted_member()
    flag(first, posted)
    flag(second, posted)
    with pytest.raises(Conflict):
        flag(second, posted)
    assert not posted.hidden


def test_the_author_is_told_when_their_post_is_hidden_for_review(posted, doctor):
    mail.SENT.clear()
    for _ in range(3):
        flag(make_trusted_member(), posted)
    (note,) = notes_for(doctor, "content_under_review")
    assert "under review" in note.message
    assert note.link == f"/questions/{posted.question_id}#answer-{posted.id}"
    assert doctor.email in [m["To"] for m in mail.SENT]


def test_an_auto_hidden_answer_leaves_search_and_the_counts(question, posted, doctor):
    assert ("answer", posted.id) in search_kinds("xylophonic")
    assert question.answer_count == 1 and doctor.doctor_profile.answer_count == 1
    for _ in range(3):
        flag(make_trusted_member(), posted)
    assert ("answer", posted.id) not in search_kinds("xylophonic")
    assert question.answer_count == 0 and question.status == QuestionStatus.OPEN
    assert doctor.doctor_profile.answer_count == 0


def test_an_auto_hidden_question_is_seen_only_by_its_asker_and_staff(question, asker, moderator):
    for _ in range(3):
        flag(make_trusted_member(), question, "question")
    assert can(asker, "question.view", question) and can(moderator, "question.view", question)
    assert not can(make_user(), "question.view", question) and not can(None, "question.view", question)
    with pytest.raises(NotFound):
        questions.get_question(None, question.id)


def test_authors_cannot_flag_their_own_posts(posted, doctor, question, asker):
    with pytest.raises(Forbidden):
        flag(doctor, posted)
    with pytest.raises(Forbidden):
        flag(asker, question, "question")


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.BANNED])
def test_suspended_and_banned_users_cannot_flag(posted, status):
    with pytest.raises(Forbidden):
        flag(make_user(status=status), posted)
    assert flags_on(posted) == []


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_content_people_cannot_see_is_not_found_to_flag(posted, moderator, action):
    act(moderator, posted, action)
    with pytest.raises(NotFound):
        flag(make_user(), posted)


def test_an_answer_on_a_deleted_question_is_not_found_to_flag(question, posted, moderator):
    act(moderator, question, "delete", "question")
    with pytest.raises(NotFound):
        flag(make_user(), posted)


@pytest.mark.parametrize("kind, target_id", [("answer", 999_999), ("question", "abc"), ("doctor", 999_999)])
def test_flagging_something_that_does_not_exist_is_not_found(kind, target_id):
    with pytest.raises(NotFound):
        moderation_content.flag_content(make_user(), target_type=kind, target_id=target_id, reason=FlagReason.SPAM)


def test_a_doctor_profile_is_flagged_but_never_hidden_automatically(doctor):
    profile = doctor.doctor_profile
    for _ in range(3):
        flag(make_user(), profile, "doctor", reason=FlagReason.SELF_PROMOTION)
    assert len(flags_on(profile, "doctor")) == 3
    assert profile.status == VerificationStatus.VERIFIED
    assert log_rows() == []


def test_after_a_dismissal_the_same_user_may_flag_again(posted, moderator):
    reporter = make_user()
    flag(reporter, posted)
    act(moderator, posted, "dismiss", reason="Nothing wrong with it")
    again = flag(reporter, posted)
    assert again.status == FlagStatus.OPEN
    assert [f.status for f in flags_on(posted)] == [FlagStatus.DISMISSED, FlagStatus.OPEN]


# ---- the queue ----

def test_open_flags_are_grouped_per_item_oldest_first(frozen_clock, question, posted, moderator):
    first, second = make_user(display_name="First Reporter"), make_user()
    flag(first, posted)
    frozen_clock.advance(minutes=5)
    flag(first, question, "question")
    frozen_clock.advance(minutes=5)
    flag(second, posted, reason=FlagReason.OFFENSIVE)
    items = moderation_content.open_flags(moderator)
    assert [(i.target_type, i.target_id) for i in items] == [("answer", str(posted.id)), ("question", str(question.id))]
    assert [f.reporter_id for f in items[0].flags] == [first.id, second.id]
    assert items[0].target is posted


def test_handled_flags_leave_the_queue(posted, moderator):
    flag(make_user(), posted)
    act(moderator, posted, "hide")
    assert moderation_content.open_flags(moderator) == []


@pytest.mark.parametrize("who", ["member", "doctor", "suspended moderator"])
def test_only_active_staff_see_the_flag_queue(who):
    actor = {"member": make_user, "doctor": make_doctor,
             "suspended moderator": lambda: make_moderator(status=UserStatus.SUSPENDED)}[who]()
    with pytest.raises(Forbidden):
        moderation_content.open_flags(actor)


# ---- hide, delete, unhide, restore ----

def test_hiding_an_answer_leaves_it_to_its_author_and_staff(posted, doctor, moderator, asker):
    act(moderator, posted, "hide")
    assert posted.hidden and posted.deleted_at is None
    assert can(doctor, "answer.view", posted) and can(moderator, "answer.view", posted)
    assert not can(asker, "answer.view", posted) and not can(None, "answer.view", posted)
    with pytest.raises(NotFound):
        answers.get_answer(asker, posted.id)
    assert answers.get_answer(doctor, posted.id) is posted


def test_deleting_an_answer_hides_it_even_from_its_author(posted, doctor, moderator, question):
    act(moderator, posted, "delete")
    assert posted.hidden and posted.deleted_at is not None
    assert not can(doctor, "answer.view", posted)
    assert can(moderator, "answer.view", posted) and can(make_admin(), "answer.view", posted)
    page = questions.question_page(doctor, question.id, count_view=False)
    assert page["answers"] == []
    assert questions.question_page(moderator, question.id, count_view=False)["answers"] == [posted]


def test_deleting_a_question_hides_it_even_from_its_asker(question, asker, moderator):
    act(moderator, question, "delete", "question")
    with pytest.raises(NotFound):
        questions.get_question(asker, question.id)
    assert questions.list_questions(asker).items == []
    assert questions.get_question(moderator, question.id) is question


def test_hiding_a_question_leaves_it_to_its_asker_and_staff(question, asker, moderator):
    act(moderator, question, "hide", "question")
    assert questions.get_question(asker, question.id) is question
    assert [q.id for q in questions.list_questions(asker).items] == [question.id]
    assert questions.list_questions(make_user()).items == [] and questions.list_questions(None).items == []


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_a_removed_question_takes_its_answers_out_of_search_and_feeds(question, posted, moderator, action):
    act(moderator, question, action, "question")
    assert search_kinds("quokkaish") == set() and search_kinds("xylophonic") == set()
    assert question.id not in [q.id for q in questions.feed_questions()]
    assert question.id not in [q.id for q in questions.recently_answered()]


@pytest.mark.parametrize("removal", ["hide", "delete"])
def test_restore_brings_an_answer_back_everywhere(question, posted, doctor, moderator, removal):
    act(moderator, posted, removal)
    act(moderator, posted, "restore", reason="Checked: the answer is fine")
    assert not posted.hidden and posted.deleted_at is None
    assert ("answer", posted.id) in search_kinds("xylophonic")
    assert question.answer_count == 1 and question.status == QuestionStatus.ANSWERED
    assert doctor.doctor_profile.answer_count == 1
    assert questions.question_page(None, question.id, count_view=False)["answers"] == [posted]


def test_restore_brings_a_deleted_question_and_its_answers_back(question, posted, moderator, asker):
    act(moderator, question, "delete", "question")
    act(moderator, question, "restore", "question")
    assert questions.get_question(None, question.id) is question
    assert ("question", question.id) in search_kinds("quokkaish")
    assert ("answer", posted.id) in search_kinds("xylophonic")


def test_unhide_brings_a_hidden_answer_back(posted, moderator):
    act(moderator, posted, "hide")
    act(moderator, posted, "unhide")
    assert not posted.hidden
    assert ("answer", posted.id) in search_kinds("xylophonic")


def test_unhiding_a_deleted_post_is_a_conflict_and_changes_nothing(posted, moderator):
    act(moderator, posted, "delete")
    with pytest.raises(Conflict):
        act(moderator, posted, "unhide")
    assert posted.hidden and posted.deleted_at is not None
    db.session.rollback()
    db.session.refresh(posted)
    assert posted.hidden and posted.deleted_at is not None


def test_hiding_a_follow_up_removes_it_from_the_thread(follow_up, posted, moderator):
    act(moderator, follow_up, "hide", "follow_up")
    assert follow_up.hidden
    assert posted.visible_follow_ups == []
    act(moderator, follow_up, "restore", "follow_up")
    assert posted.visible_follow_ups == [follow_up]


# ---- lock, close as duplicate, reopen ----

def test_a_locked_question_takes_no_new_answers_or_follow_ups(question, posted, asker, moderator):
    act(moderator, question, "lock", "question", reason="The thread went off topic")
    assert question.locked
    with pytest.raises(Forbidden):
        answer(make_doctor(), question)
    with pytest.raises(Forbidden):
        answers.add_follow_up(asker, answer_id=posted.id, body="Any news on this one, doctor?")
    act(moderator, question, "unlock", "question")
    assert not question.locked
    answers.add_follow_up(asker, answer_id=posted.id, body="Any news on this one, doctor?")
    assert answer(make_doctor(), question).id


def test_closing_as_a_duplicate_links_the_original_and_blocks_answers(question, asker, moderator):
    original = ask(make_user())
    act(moderator, question, "close_duplicate", "question", duplicate_of_id=original.id)
    assert question.status == QuestionStatus.CLOSED and question.duplicate_of_id == original.id
    page = questions.question_page(None, question.id, count_view=False)
    assert page["question"].duplicate_of is original
    with pytest.raises(Forbidden):
        answer(make_doctor(), question)


@pytest.mark.parametrize("problem", ["missing", "itself", "unknown", "hidden"])
def test_a_duplicate_needs_another_visible_question(question, moderator, problem):
    other = ask(make_user())
    if problem == "hidden":
        act(moderator, other, "hide", "question")
    duplicate_of_id = {"missing": None, "itself": question.id, "unknown": 999_999, "hidden": other.id}[problem]
    with pytest.raises(Invalid) as error:
        act(moderator, question, "close_duplicate", "question", duplicate_of_id=duplicate_of_id)
    assert "duplicate_of_id" in error.value.fields
    assert question.status == QuestionStatus.OPEN and question.duplicate_of_id is None


def test_reopening_a_duplicate_takes_answers_again(question, posted, moderator):
    act(moderator, question, "close_duplicate", "question", duplicate_of_id=ask(make_user()).id)
    act(moderator, question, "reopen", "question", reason="Not the same question after all")
    assert question.duplicate_of_id is None and question.status == QuestionStatus.ANSWERED
    assert answer(make_doctor(), question).id


# ---- moderator edits ----

def test_a_moderator_edit_changes_the_answer_and_marks_it(frozen_clock, posted, doctor, moderator):
    act(moderator, posted, "edit", reason="Removed a phone number", body="Microneedling softens pores a little; "
        "book an examination with a doctor near you.")
    assert posted.body.startswith("Microneedling softens pores a little;")
    assert posted.moderator_edited_at == frozen_clock.current
    assert posted.edited_at is None  # the author's own edit mark is separate
    assert ("answer", posted.id) in search_kinds("examination")
    assert ("answer", posted.id) not in search_kinds("xylophonic")
    (note,) = notes_for(doctor, "moderation")
    assert "edited your post" in note.message and "Removed a phone number" in note.message


def test_a_moderator_edit_of_a_question_needs_a_title(question, moderator):
    with pytest.raises(Invalid):
        act(moderator, question, "edit", "question", body="A new body that is long enough to keep.")
    act(moderator, question, "edit", "question", title="Does microneedling shrink pores for good?",
        body="My pores look large. Would microneedling help?")
    assert question.title == "Does microneedling shrink pores for good?"
    assert question.moderator_edited_at is not None


def test_a_moderator_edit_of_a_follow_up_marks_it(follow_up, moderator):
    act(moderator, follow_up, "edit", "follow_up", body="Thank you, doctor.")
    assert follow_up.body == "Thank you, doctor." and follow_up.moderator_edited_at is not None


# ---- doctor profiles ----

def test_suspending_a_doctors_verification_stops_them_answering(doctor, question, moderator):
    profile = doctor.doctor_profile
    act(moderator, profile, "suspend_verification", "doctor", reason="License under investigation")
    assert profile.status == VerificationStatus.SUSPENDED and not doctor.is_verified_doctor
    with pytest.raises(Forbidden):
        answer(doctor, question)
    with pytest.raises(Conflict):
        act(moderator, profile, "suspend_verification", "doctor")
    act(moderator, profile, "restore_verification", "doctor", reason="Investigation closed")
    assert doctor.is_verified_doctor
    assert [e.action for e in log_rows()] == ["doctor.suspend_verification", "doctor.restore_verification"]


# ---- what every action does: who, log, flags, notice ----

ACTIONS = [("question", "hide"), ("question", "delete"), ("question", "lock"), ("question", "edit"),
           ("question", "dismiss"), ("answer", "hide"), ("answer", "delete"), ("answer", "edit"),
           ("answer", "dismiss"), ("follow_up", "hide"), ("follow_up", "delete"), ("follow_up", "edit")]


def _extra(kind, action):
    if action != "edit":
        return {}
    return {"title": "An edited title long enough", "body": "Edited text"} if kind == "question" else \
        {"body": "Edited text"}


@pytest.mark.parametrize("kind, action", ACTIONS)
def test_every_action_is_logged_with_actor_target_and_reason(kind, action, question, posted, follow_up, moderator):
    target = target_of(kind, question, posted, follow_up)
    act(moderator, target, action, kind, reason=f"Reason for {action}", **_extra(kind, action))
    (entry,) = log_rows()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id, entry.reason) == (
        moderator.id, f"{kind}.{action}", kind, str(target.id), f"Reason for {action}")
    assert entry.target_label == question.title and entry.created_at is not None


@pytest.mark.parametrize("kind, action", ACTIONS)
def test_members_and_doctors_cannot_moderate(kind, action, question, posted, follow_up):
    target = target_of(kind, question, posted, follow_up)
    for actor in (make_user(), make_doctor()):
        with pytest.raises(Forbidden):
            act(actor, target, action, kind, **_extra(kind, action))
    assert log_rows() == []
    assert not getattr(target, "hidden") and not question.locked


def test_a_non_staff_actor_is_forbidden_even_on_missing_items():
    with pytest.raises(Forbidden):
        moderation_content.moderate_content(make_user(), target_type="answer", target_id=999_999, action="hide",
                                            reason="probe")


def test_an_unknown_item_is_not_found_to_a_moderator(moderator):
    with pytest.raises(NotFound):
        moderation_content.moderate_content(moderator, target_type="answer", target_id=999_999, action="hide",
                                            reason="Nothing there")


@pytest.mark.parametrize("kind, action", [("answer", "lock"), ("follow_up", "close_duplicate"),
                                          ("question", "suspend_verification"), ("doctor", "hide"),
                                          ("question", "explode")])
def test_an_action_that_does_not_fit_the_item_is_invalid(kind, action, question, posted, follow_up, doctor,
                                                         moderator):
    target = doctor.doctor_profile if kind == "doctor" else target_of(kind, question, posted, follow_up)
    with pytest.raises(Invalid):
        act(moderator, target, action, kind)
    assert log_rows() == []


@pytest.mark.parametrize("action, status", [("hide", FlagStatus.RESOLVED), ("delete", FlagStatus.RESOLVED),
                                            ("edit", FlagStatus.RESOLVED), ("dismiss", FlagStatus.DISMISSED),
                                            ("restore", FlagStatus.DISMISSED)])
def test_an_action_closes_the_open_flags_on_the_item(posted, moderator, action, status):
    reporters = [make_user(), make_user()]
    for reporter in reporters:
        flag(reporter, posted)
    act(moderator, posted, action, **_extra("answer", action))
    closed = flags_on(posted)
    assert {f.status for f in closed} == {status}
    assert {f.handled_by_id for f in closed} == {moderator.id} and all(f.handled_at for f in closed)


def test_the_author_is_told_what_a_moderator_did_and_why(posted, doctor, moderator):
    act(moderator, posted, "hide", reason="Advertises a clinic")
    (note,) = notes_for(doctor, "moderation")
    assert note.message == "A moderator hid your post: Advertises a clinic"


def test_dismissing_flags_tells_the_author_nothing(posted, doctor, moderator):
    flag(make_user(), posted)
    act(moderator, posted, "dismiss", reason="Nothing wrong")
    assert notes_for(doctor, "moderation") == []
    assert not posted.hidden


def test_an_admin_moderates_content_too(posted):
    admin = make_admin()
    act(admin, posted, "delete")
    assert posted.deleted_at is not None
    assert log_rows()[0].actor_id == admin.id


def test_marking_an_urgent_question_reviewed_is_logged_and_leaves_member_flags_open(asker, moderator):
    urgent = ask(asker, title="My vision went blurry after filler injections yesterday",
                 body="Since the filler in my nose yesterday my vision is blurry in one eye. Is this normal?")
    assert urgent.urgent
    reporter = make_user()
    flag(reporter, urgent, "question", reason=FlagReason.OTHER)
    act(moderator, urgent, "clear_urgent", "question", reason="Called the asker; seen by their clinic")
    assert not urgent.urgent
    assert questions.urgent_questions(moderator) == []
    assert [e.action for e in log_rows()] == ["question.clear_urgent"]
    assert [f.status for f in flags_on(urgent, "question")] == [FlagStatus.OPEN]
    assert notes_for(asker, "moderation") == []
