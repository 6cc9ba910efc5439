"""Deleting an account leaves nothing behind that names the person: after a busy doctor-and-member
deletes their account, no row of any table (those added later included: the scan walks the
metadata) holds their e-mail address, display name, full name or license number, except the
append-only moderation log (see `KEPT_BY_DESIGN`)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from forum import clock, mail
from forum.extensions import db
from forum.models import (
    Flag, Invitation, MailOptOut, ModerationLog, Notification, OutboxMail, Question, Topic, User,
)
from forum.schemas.accounts import DoctorApplicationIn
from forum.services import (
    account_data, account_erasure, accounts, answers, consultations, moderation, moderation_content, notifications,
    outbox, questions,
)
from forum.services.seed import load_seed
from tests.factories import PASSWORD, application_data, make_doctor, make_moderator, make_user, mint_token
from tests.services.test_consultations import image_bytes, make_request

SEED = Path(__file__).resolve().parents[2] / "seed"
EMAIL = "Zelda.Quorn@Example.test"
DISPLAY_NAME = "Zelda Quorn"
FULL_NAME = "Dr. Isolde Varnakis"
LICENSE = "QX-7781-ZV"
NEEDLES = (EMAIL.lower(), DISPLAY_NAME.lower(), FULL_NAME.lower(), LICENSE.lower())
# The moderation log is append-only (a database trigger refuses UPDATE and DELETE, issue #12
# item 12), so it names people by id only and the log page shows their current name: nothing is
# exempt from the scan.
KEPT_BY_DESIGN: set = set()



def _topic(slug: str) -> Topic:
    return db.session.scalar(select(Topic).where(Topic.slug == slug))


def _ask(user, title: str, body: str) -> Question:
    return questions.ask_question(user, title=title, body=body, topics=["acne"], treatments=[]).question


def _become_doctor(moderator) -> User:
    """Zelda registers (a confirmation mail greets her by name), applies and is verified (logged)."""
    zelda = accounts.register(email=EMAIL, display_name=DISPLAY_NAME, password=PASSWORD)
    zelda.email_verified_at = clock.now()
    application = DoctorApplicationIn().load(application_data(full_name=FULL_NAME, license_number=LICENSE))
    profile = accounts.apply_as_doctor(zelda, **application)
    profile.topics = [_topic("acne")]
    moderation.decide_doctor_application(
        moderator, profile_id=profile.id, decision="verify", reason="License checked in the register",
        license_source="https://board.example.org/register", license_expires_on=date(2031, 6, 30))
    return zelda


@pytest.fixture
def world():
    """Zelda is a verified doctor and a member: she asks, answers, reviews, votes, follows up,
    flags, invites and is invited, requests a consultation with a photo and handles one, holds
    tokens and a mail preference; others are told about her by name; mail to her is queued and sent."""
    load_seed(SEED)
    moderator, otto = make_moderator(), make_user(display_name="Otto Member")
    bob = make_doctor(full_name="Dr. Bob Other")
    bob.doctor_profile.topics = [_topic("acne")]
    zelda = _become_doctor(moderator)
    hers = _ask(zelda, "Is a chemical peel safe after isotretinoin?",
                f"I finished isotretinoin six months ago and want a peel. Thanks, {DISPLAY_NAME} ({EMAIL})")
    ottos = _ask(otto, "Otto asks whether adapalene helps blackheads",
                 "Blackheads on my nose for years; would adapalene gel clear them up for good?")
    questions.invite_doctors(zelda, question_id=hers.id, doctor_ids=[bob.doctor_profile.id])
    questions.invite_doctors(otto, question_id=ottos.id, doctor_ids=[zelda.doctor_profile.id])
    her_answer = answers.post_answer(zelda, question_id=ottos.id, body="Yes: adapalene 0.1% nightly for 12 weeks.")
    bobs_answer = answers.post_answer(bob, question_id=ottos.id, body="Adapalene works; add a gentle BHA cleanser.")
    bobs_reply = answers.post_answer(bob, question_id=hers.id, body="Wait six months after isotretinoin; then fine.")
    answers.review_answer(zelda, answer_id=bobs_answer.id, verdict="agree")
    answers.mark_helpful(zelda, answer_id=bobs_answer.id)
    answers.mark_helpful(otto, answer_id=her_answer.id)
    answers.add_follow_up(zelda, answer_id=bobs_reply.id, body="Thank you, is a medium-depth peel fine too?")
    moderation_content.flag_content(zelda, target_type="question", target_id=ottos.id, reason="spam",
                                    note="Looks like an advert to me.")
    moderation_content.flag_content(otto, target_type="answer", target_id=her_answer.id, reason="self-promotion",
                                    note=f"{FULL_NAME} advertises her own clinic; {DISPLAY_NAME} on the forum.")
    moderation_content.flag_content(otto, target_type="doctor", target_id=zelda.doctor_profile.id,
                                    reason="other", note=f"Is {FULL_NAME} really licensed?")
    asked = make_request(zelda, bob, photos_in=[(image_bytes(), "cheek.jpg")])
    consultations.send_message(bob, consultation_id=asked.id, body="Please add a photo in daylight.")
    handled = make_request(otto, zelda, description="Otto's own description of his rosacea.")
    consultations.send_message(zelda, consultation_id=handled.id, body=f"Hello Otto, this is {FULL_NAME}.")
    mint_token(zelda, name="zelda's script")
    accounts.request_password_reset(email=EMAIL)
    db.session.add(MailOptOut(user_id=zelda.id, kind="follow_up"))
    db.session.commit()
    outbox.deliver_due(mail.MemorySender())  # sent mail is kept in the outbox too
    return {"zelda": zelda, "otto": otto, "bob": bob, "hers": hers, "ottos": ottos, "handled": handled}


def _as_text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return None


def mentions(needles=NEEDLES) -> list[str]:
    """Every value in every table of the schema (string, JSON or bytes) holding one of the needles."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                text = _as_text(value)
                if text is not None and any(needle in text.lower() for needle in needles):
                    found.append(f"{table.name}.{column.key if hasattr(column, 'key') else column}: {text[:120]!r}")
    return found


def test_before_deletion_the_scan_finds_the_person_in_many_places(world):
    tables = {hit.split(".")[0] for hit in mentions()}
    assert {"users", "doctor_profiles", "outbox_mail", "notifications", "flags", "questions"} <= tables
    assert "moderation_log" not in tables  # it names people by id only


def test_after_deletion_no_row_names_the_person(world):
    account_data.delete_account(world["zelda"], password=PASSWORD)
    db.session.expire_all()
    left = [hit for hit in mentions() if tuple(hit.split(":")[0].split(".")) not in KEPT_BY_DESIGN]
    assert left == [], "\n".join(left)


def test_other_peoples_notifications_and_mail_stay_but_without_the_name(world):
    otto_id = world["otto"].id
    account_data.delete_account(world["zelda"], password=PASSWORD)
    db.session.expire_all()
    messages = db.session.scalars(select(Notification.message).where(Notification.user_id == otto_id)).all()
    assert any(m.startswith("A former user answered: Otto asks") for m in messages)
    subjects = db.session.scalars(select(OutboxMail.subject).where(OutboxMail.to_address == world["otto"].email))
    assert any("A former user answered" in s for s in subjects)


def test_mail_to_the_deleted_address_is_gone_sent_or_not(world):
    assert db.session.scalars(select(OutboxMail.sent_at).where(OutboxMail.to_address == EMAIL.lower())).all()
    account_data.delete_account(world["zelda"], password=PASSWORD)
    assert db.session.scalars(select(OutboxMail.id).where(OutboxMail.to_address == EMAIL.lower())).all() == []


def test_the_kept_question_is_anonymous_and_unsigned(world):
    account_data.delete_account(world["zelda"], password=PASSWORD)
    db.session.expire_all()
    question = db.session.get(Question, world["hers"].id)
    assert question.author_id is None and not question.hidden
    assert question.body.endswith("Thanks, A former user ([address removed])")
    assert DISPLAY_NAME not in question.body_html


def test_flags_about_the_account_go_and_flags_it_made_stay_without_its_name(world):
    profile_id = str(world["zelda"].doctor_profile.id)
    account_data.delete_account(world["zelda"], password=PASSWORD)
    db.session.expire_all()
    flags = db.session.scalars(select(Flag)).all()
    assert profile_id not in {f.target_id for f in flags if f.target_type == "doctor"}
    mine = [f for f in flags if f.note == "Looks like an advert to me."]
    assert len(mine) == 1 and mine[0].reporter_id is None
    about_answer = next(f for f in flags if f.target_type == "answer")
    assert about_answer.note == "A former user advertises her own clinic; A former user on the forum."


def test_invitations_made_and_received_go(world):
    account_data.delete_account(world["zelda"], password=PASSWORD)
    assert db.session.scalars(select(Invitation)).all() == []


def test_the_moderation_log_keeps_its_rows_without_a_link_to_the_account(world):
    before = db.session.scalars(select(ModerationLog.id)).all()
    account_data.delete_account(world["zelda"], password=PASSWORD)
    assert db.session.scalars(select(ModerationLog.id)).all() == before


def test_the_consultation_she_handled_stays_with_its_requester(world):
    account_data.delete_account(world["zelda"], password=PASSWORD)
    db.session.expire_all()
    page = consultations.consultation_page(db.session.get(User, world["otto"].id), world["handled"].id)
    assert page["consultation"].doctor_id is None
    assert page["details"]["description"] == "Otto's own description of his rosacea."


def test_a_one_word_display_name_is_not_cut_out_of_the_sites_wording_in_other_peoples_notices(app):
    otto, new = make_user(display_name="Otto Member"), make_user(display_name="New")
    notifications.notify(otto, "follow_up", "New follow-up on: Does retinol help with fine lines?")
    account_data.delete_account(new, password=PASSWORD)
    db.session.expire_all()
    assert db.session.scalars(select(Notification.message)).all() == [
        "New follow-up on: Does retinol help with fine lines?"]
    [subject] = db.session.scalars(select(OutboxMail.subject)).all()
    assert subject == "Ask a Cosmetic Doctor: New follow-up on: Does retinol help with fine lines?"


def test_names_are_found_html_escaped_percent_encoded_and_in_any_case_but_only_as_whole_words():
    scrubber = account_erasure.Scrubber({"Seán O'Brien", "Ann"}, "Sean.OBrien@Example.test")
    assert scrubber.scrub("<p>Hello Seán O&#39;Brien, or SEÁN O'BRIEN</p>") == (
        "<p>Hello A former user, or A former user</p>")
    assert scrubber.scrub("mailto:sean.obrien%40example.test or sean.obrien@example.test") == (
        "mailto:[address removed] or [address removed]")
    assert scrubber.scrub("Anna and Joanne met ann.") == "Anna and Joanne met A former user."
