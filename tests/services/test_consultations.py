"""Consultation service: request (consent, chosen doctor or routing), the status workflow
(every legal and illegal move), who may act, privacy (404 to everyone but the two parties; a
moderator only through an open flag, logged), encryption at rest, logs, mail, inboxes, drafts.

The helpers at the top (DETAILS, image bytes, make_request, set_status) are shared with the
web, API and browser tests of consultations."""
from __future__ import annotations

import io
import logging
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_login import AnonymousUserMixin
from PIL import Image
from sqlalchemy import func, select, text

from forum import clock, mail
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import (
    ConsultationDraft, ConsultationMessage, ConsultationPhoto, ConsultationRequest, ConsultationStatus, Flag,
    FlagStatus, ModerationLog, Notification, UserStatus, VerificationStatus,
)
from forum.services import consultation_drafts, consultations, moderation_content
from tests.factories import make_admin, make_doctor, make_moderator, make_user

S = ConsultationStatus
ACTIONS = ("accept", "decline", "schedule", "complete", "withdraw")

# Distinctive words: none of them may ever show up outside the encrypted columns and files.
SECRET_DESCRIPTION = "Quixotryl flare along my jawline since the spring, worse after waxing."
SECRET_HISTORY = "Taking Zembrivox 20 mg daily; pregnant in the second trimester."
SECRET_MESSAGE = "Mirvantolide made the redness worse last week."
SECRET_WORDS = ("Quixotryl", "Zembrivox", "Mirvantolide")
DETAILS = {"concern": "Redness and bumps on the jawline", "topics": [], "treatments": [],
           "description": SECRET_DESCRIPTION, "tried_before": "Azelaic acid for three months",
           "history": SECRET_HISTORY, "skin_type": "III", "budget": "under $500",
           "contact_method": "in-app messages", "contact_times": "Weekday evenings"}
FUTURE = datetime(2099, 6, 1, 15, 30)

# The table the workflow must follow, written out independently of the code's own table:
# (status, action) -> new status; every pair not listed is illegal.
LEGAL = {
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.SUBMITTED, "decline"): S.DECLINED,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.ACCEPTED, "schedule"): S.SCHEDULED,
    (S.ACCEPTED, "withdraw"): S.WITHDRAWN,
    (S.SCHEDULED, "schedule"): S.SCHEDULED,  # the doctor proposes another time
    (S.SCHEDULED, "complete"): S.COMPLETED,
    (S.SCHEDULED, "withdraw"): S.WITHDRAWN,
}
ALL_MOVES = [(status, action) for status in S for action in ACTIONS]
ILLEGAL = [move for move in ALL_MOVES if move not in LEGAL]


# ---- helpers shared with the web, API and browser tests ----

def image_bytes(fmt: str = "JPEG", size=(40, 30), color=(200, 120, 90), **save) -> bytes:
    mode = "RGBA" if fmt in ("PNG", "WEBP") and len(color) == 4 else "RGB"
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_exif(word: str = "Quixotryl") -> bytes:
    """A JPEG carrying a description, a camera maker and a GPS position in its EXIF block."""
    exif = Image.Exif()
    exif[0x010E] = f"{word} close-up"  # ImageDescription
    exif[0x010F] = "Examplecam"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    return image_bytes("JPEG", exif=exif.tobytes())


def transition_kwargs(action: str) -> dict:
    return {"message": "Not something I treat." if action == "decline" else None,
            "scheduled_for": FUTURE if action == "schedule" else None}


def make_request(requester, doctor, photos_in=(), **overrides) -> ConsultationRequest:
    values = {**DETAILS, "doctor_id": doctor.doctor_profile.id, "consent": True, **overrides}
    return consultations.request_consultation(requester, photos_in=list(photos_in), **values)


def set_status(consultation: ConsultationRequest, status: ConsultationStatus) -> ConsultationRequest:
    """Put a request straight into a state (the workflow itself is tested move by move)."""
    consultation.status = status
    consultation.scheduled_for = FUTURE if status in (S.SCHEDULED, S.COMPLETED) else None
    db.session.commit()
    return consultation


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- fixtures ----



@pytest.fixture
def people():
    class People:
        requester = make_user(display_name="Requester")
        doctor = make_doctor(full_name="Dr. Chosen One")
        member = make_user(display_name="Another Member")
        other_doctor = make_doctor(full_name="Dr. Not Involved")
        moderator = make_moderator()
    return People


@pytest.fixture
def request_(people):
    return make_request(people.requester, people.doctor)


# ---- requesting ----

def test_a_member_sends_a_private_request_to_the_chosen_doctor(people):
    consultation = make_request(people.requester, people.doctor)
    assert consultation.status == S.SUBMITTED
    assert consultation.doctor_id == people.doctor.id and consultation.requester_id == people.requester.id
    assert consultation.consent_at is not None and consultation.doctor_unread and not consultation.requester_unread
    assert consultations.details_of(consultation) == DETAILS
    note = db.session.scalar(select(Notification).where(Notification.user_id == people.doctor.id))
    assert note.link == f"/consultations/{consultation.id}"


def test_request_ids_are_random_128_bit_hex_not_sequential(people):
    ids = {make_request(people.requester, people.doctor).id for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


@pytest.mark.parametrize("consent", [False, None, "yes", 1])
def test_consent_is_required_and_nothing_is_stored_without_it(people, photo_dir, consent):
    with pytest.raises(Invalid) as refused:
        make_request(people.requester, people.doctor, photos_in=[(image_bytes(), "a.jpg")], consent=consent)
    assert "consent" in refused.value.fields
    assert count(ConsultationRequest) == count(ConsultationPhoto) == count(Notification) == 0
    assert not photo_dir.exists() or not any(photo_dir.iterdir())


def test_a_visitor_or_a_suspended_member_cannot_request(people):
    with pytest.raises(Forbidden):
        make_request(AnonymousUserMixin(), people.doctor)
    people.requester.status = UserStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(Forbidden):
        make_request(people.requester, people.doctor)
    assert count(ConsultationRequest) == 0


def test_a_doctor_who_stops_accepting_is_refused_as_the_chosen_doctor(people):
    consultations.set_accepting(people.doctor, accepting=False)
    with pytest.raises(Invalid) as refused:
        make_request(people.requester, people.doctor)
    assert refused.value.fields == {"doctor_id": ["This doctor is not accepting consultation requests right now."]}
    consultations.set_accepting(people.doctor, accepting=True)
    assert make_request(people.requester, people.doctor).doctor_id == people.doctor.id


@pytest.mark.parametrize("problem", ["pending", "suspended_verification", "suspended_user", "expired_license"])
def test_only_a_verified_active_doctor_can_be_chosen(people, problem):
    doctor = make_doctor(status=VerificationStatus.PENDING if problem == "pending" else VerificationStatus.VERIFIED,
                         license_expires_on=date(2000, 1, 1) if problem == "expired_license" else None)
    if problem == "suspended_verification":
        doctor.doctor_profile.status = VerificationStatus.SUSPENDED
    if problem == "suspended_user":
        doctor.status = UserStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        make_request(people.requester, doctor)
    assert refused.value.fields == {"doctor_id": ["Choose a verified doctor."]}
    assert count(ConsultationRequest) == 0


def test_a_doctor_cannot_request_a_consultation_with_themselves(people):
    with pytest.raises(Invalid) as refused:
        make_request(people.doctor, people.doctor)
    assert "doctor_id" in refused.value.fields


def test_only_members_who_are_doctors_may_turn_accepting_on_or_off(people):
    with pytest.raises(Forbidden):
        consultations.set_accepting(people.member, accepting=False)
    assert consultations.set_accepting(people.doctor, accepting=False).accepts_consultations is False


# ---- routing "any verified doctor" ----

def _any_doctor(requester, specialty="dermatology"):
    return consultations.request_consultation(requester, specialty=specialty, consent=True, **DETAILS)


def test_any_verified_doctor_goes_to_an_accepting_doctor_of_that_specialty():
    requester = make_user()
    make_doctor(specialty="plastic surgery")
    dermatologist = make_doctor(specialty="dermatology")
    consultation = _any_doctor(requester)
    assert consultation.doctor_id == dermatologist.id
    assert consultation.requested_specialty.value == "dermatology"


def test_routing_spreads_the_load_to_the_doctor_with_the_fewest_open_requests():
    requester = make_user()
    first, second, third = make_doctor(), make_doctor(), make_doctor()
    chosen = [_any_doctor(requester).doctor_id for _ in range(3)]
    assert sorted(chosen) == sorted([first.id, second.id, third.id])  # one each
    busy = db.session.scalars(select(ConsultationRequest).where(ConsultationRequest.doctor_id == first.id)).one()
    set_status(busy, S.COMPLETED)  # closed requests do not count as load
    assert _any_doctor(requester).doctor_id == first.id


def test_routing_skips_doctors_who_do_not_accept_are_suspended_or_whose_license_expired():
    requester = make_user()
    not_accepting = make_doctor()
    not_accepting.doctor_profile.accepts_consultations = False
    verification_suspended = make_doctor()
    verification_suspended.doctor_profile.status = VerificationStatus.SUSPENDED
    user_suspended = make_doctor()
    user_suspended.status, user_suspended.suspended_until = UserStatus.SUSPENDED, clock.now() + timedelta(days=7)
    make_doctor(license_expires_on=date(2001, 1, 1))
    make_doctor(status=VerificationStatus.PENDING)
    make_doctor(specialty="plastic surgery")
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        _any_doctor(requester)
    assert list(refused.value.fields) == ["specialty"]
    assert count(ConsultationRequest) == 0

    available = make_doctor()
    assert {_any_doctor(requester).doctor_id for _ in range(4)} == {available.id}


def test_routing_never_sends_a_doctors_own_request_to_themselves():
    doctor, colleague = make_doctor(), make_doctor()
    assert _any_doctor(doctor).doctor_id == colleague.id


# ---- the workflow, move by move ----

@pytest.mark.parametrize(("status", "action"), list(LEGAL), ids=[f"{s.value}-{a}" for s, a in LEGAL])
def test_every_legal_move(people, request_, status, action):
    set_status(request_, status)
    actor = people.requester if action == "withdraw" else people.doctor
    moved = consultations.transition(actor, consultation_id=request_.id, action=action, **transition_kwargs(action))
    assert moved.status == LEGAL[(status, action)]
    assert moved.messages[-1].kind == action and moved.messages[-1].author_id == actor.id


@pytest.mark.parametrize(("status", "action"), ILLEGAL, ids=[f"{s.value}-{a}" for s, a in ILLEGAL])
def test_every_illegal_move_is_a_conflict_and_changes_nothing(people, request_, status, action):
    set_status(request_, status)
    actor = people.requester if action == "withdraw" else people.doctor
    with pytest.raises(Conflict):
        consultations.transition(actor, consultation_id=request_.id, action=action, **transition_kwargs(action))
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, request_.id).status == status
    assert count(ConsultationMessage) == 0


def test_the_code_table_matches_the_written_table():
    assert consultations.TRANSITIONS == LEGAL


@pytest.mark.parametrize("action", ["accept", "decline", "schedule", "complete"])
def test_the_requester_cannot_act_for_the_doctor(people, request_, action):
    set_status(request_, {"accept": S.SUBMITTED, "decline": S.SUBMITTED, "schedule": S.ACCEPTED,
                          "complete": S.SCHEDULED}[action])
    with pytest.raises(Forbidden):
        consultations.transition(people.requester, consultation_id=request_.id, action=action,
                                 **transition_kwargs(action))


def test_the_doctor_cannot_withdraw_the_members_request(people, request_):
    with pytest.raises(Forbidden):
        consultations.transition(people.doctor, consultation_id=request_.id, action="withdraw")
    assert request_.status == S.SUBMITTED


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("outsider", ["member", "other_doctor", "moderator"])
def test_outsiders_cannot_act_and_learn_nothing(people, request_, action, outsider):
    with pytest.raises(NotFound):
        consultations.transition(getattr(people, outsider), consultation_id=request_.id, action=action,
                                 **transition_kwargs(action))


def test_a_doctor_whose_verification_was_suspended_can_no_longer_respond(people, request_):
    people.doctor.doctor_profile.status = VerificationStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(Forbidden):
        consultations.transition(people.doctor, consultation_id=request_.id, action="accept")


def test_declining_needs_a_message(people, request_):
    with pytest.raises(Invalid) as refused:
        consultations.transition(people.doctor, consultation_id=request_.id, action="decline")
    assert "message" in refused.value.fields and request_.status == S.SUBMITTED


@pytest.mark.parametrize("when", [None, datetime(2001, 1, 1, 9, 0)])
def test_scheduling_needs_a_time_in_the_future(people, request_, when):
    set_status(request_, S.ACCEPTED)
    with pytest.raises(Invalid) as refused:
        consultations.transition(people.doctor, consultation_id=request_.id, action="schedule", scheduled_for=when)
    assert "scheduled_for" in refused.value.fields


def test_a_proposed_time_with_an_offset_is_stored_in_utc(people, request_):
    set_status(request_, S.ACCEPTED)
    paris = timezone(timedelta(hours=2))
    consultations.transition(people.doctor, consultation_id=request_.id, action="schedule",
                             scheduled_for=datetime(2099, 6, 1, 17, 30, tzinfo=paris))
    assert request_.scheduled_for == datetime(2099, 6, 1, 15, 30)


def test_each_move_tells_the_other_party_in_app_and_by_mail_without_health_details(people, request_):
    mail.SENT.clear()
    consultations.transition(people.doctor, consultation_id=request_.id, action="accept",
                             message=SECRET_MESSAGE)
    consultations.transition(people.doctor, consultation_id=request_.id, action="schedule", scheduled_for=FUTURE)
    consultations.transition(people.requester, consultation_id=request_.id, action="withdraw")
    link = f"/consultations/{request_.id}"
    requester_notes = db.session.scalars(select(Notification).where(
        Notification.user_id == people.requester.id)).all()
    doctor_notes = db.session.scalars(select(Notification).where(Notification.user_id == people.doctor.id)).all()
    assert [n.message for n in requester_notes] == ["Your consultation request was accepted.",
                                                    "A time was proposed for your consultation."]
    assert doctor_notes[-1].message == "A consultation request was withdrawn."
    assert all(n.link == link for n in requester_notes + doctor_notes)
    assert [m["To"] for m in mail.SENT] == [people.requester.email, people.requester.email, people.doctor.email]
    for message in mail.SENT:
        body = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
        assert link in message.get_body(("plain",)).get_content()
        everything = str(message["Subject"]) + body
        for word in (*SECRET_WORDS, DETAILS["concern"], DETAILS["tried_before"]):
            assert word not in everything


def test_the_first_response_time_is_recorded_and_its_median_shown(people, frozen_clock):
    profile = people.doctor.doctor_profile
    assert consultations.median_response_hours(profile) is None
    for hours in (2, 4, 10):
        consultation = make_request(people.requester, people.doctor)
        frozen_clock.advance(hours=hours)
        consultations.transition(people.doctor, consultation_id=consultation.id, action="accept")
    frozen_clock.advance(hours=1)
    make_request(people.requester, people.doctor)  # not answered yet: not counted
    assert consultations.median_response_hours(profile) == 4.0


# ---- the thread ----

def test_both_parties_write_in_the_thread_and_the_other_sees_it_unread(people, request_):
    consultations.consultation_page(people.doctor, request_.id)
    assert not request_.doctor_unread
    consultations.send_message(people.requester, consultation_id=request_.id, body=SECRET_MESSAGE)
    assert request_.doctor_unread and not request_.requester_unread
    consultations.send_message(people.doctor, consultation_id=request_.id, body="Please send a photo in daylight.")
    assert request_.requester_unread
    page = consultations.consultation_page(people.requester, request_.id)
    assert [m["body"] for m in page["messages"]] == [SECRET_MESSAGE, "Please send a photo in daylight."]
    assert [m["author"] for m in page["messages"]] == ["Requester", "Dr. Chosen One"]
    assert not request_.requester_unread and request_.doctor_unread  # opening clears only one's own mark


@pytest.mark.parametrize("status", [S.DECLINED, S.WITHDRAWN])
def test_no_messages_after_a_request_is_declined_or_withdrawn(people, request_, status):
    set_status(request_, status)
    with pytest.raises(Forbidden):
        consultations.send_message(people.requester, consultation_id=request_.id, body="Hello?")


@pytest.mark.parametrize("outsider", ["member", "other_doctor", "moderator"])
def test_outsiders_cannot_write_in_the_thread(people, request_, outsider):
    with pytest.raises(NotFound):
        consultations.send_message(getattr(people, outsider), consultation_id=request_.id, body="Hi")


# ---- privacy ----

@pytest.mark.parametrize("viewer", ["requester", "doctor"])
def test_the_two_parties_see_the_request(people, request_, viewer):
    page = consultations.consultation_page(getattr(people, viewer), request_.id)
    assert page["details"]["description"] == SECRET_DESCRIPTION and page["role"] == viewer


@pytest.mark.parametrize("viewer", ["visitor", "anonymous", "member", "other_doctor", "moderator", "admin"])
def test_everyone_else_gets_not_found(people, request_, viewer):
    user = {"visitor": None, "anonymous": AnonymousUserMixin(), "admin": None}.get(viewer)
    if viewer == "admin":
        user = make_admin()
    elif user is None and viewer != "visitor":
        user = getattr(people, viewer)
    with pytest.raises(NotFound):
        consultations.get_consultation(user, request_.id)
    with pytest.raises(NotFound):
        consultations.photo_file(user, request_.id, "0" * 32)
    assert count(ModerationLog) == 0


@pytest.mark.parametrize("consultation_id", ["", "0" * 32, "1", "../../etc/passwd"])
def test_unknown_ids_are_not_found(people, consultation_id):
    with pytest.raises(NotFound):
        consultations.get_consultation(people.requester, consultation_id)


def test_a_suspended_party_loses_access(people, request_):
    people.requester.status = UserStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(NotFound):
        consultations.get_consultation(people.requester, request_.id)


def test_a_moderator_sees_a_request_only_through_an_open_flag_and_each_look_is_logged(people, request_):
    flag = moderation_content.flag_content(people.doctor, target_type="consultation", target_id=request_.id,
                                           reason="offensive")
    seen = consultations.get_consultation(people.moderator, request_.id)
    assert seen.id == request_.id
    consultations.get_consultation(people.moderator, request_.id)
    rows = db.session.scalars(select(ModerationLog).where(ModerationLog.action == "consultation.view")).all()
    assert len(rows) == 2
    assert {(r.actor_id, r.target_type, r.target_id) for r in rows} == {
        (people.moderator.id, "consultation", request_.id)}
    for row in rows:  # the log names the flag, never a health detail
        assert f"#{flag.id}" in row.reason
        assert not any(w in row.reason + row.target_label for w in SECRET_WORDS)
    assert consultations.role_of(people.moderator, seen) == "moderator"
    with pytest.raises(NotFound):  # seeing is not acting
        consultations.transition(people.moderator, consultation_id=request_.id, action="accept")
    with pytest.raises(NotFound):
        consultations.send_message(people.moderator, consultation_id=request_.id, body="Hello")

    moderation_content.moderate_content(people.moderator, target_type="consultation", target_id=request_.id,
                                        action="dismiss", reason="Nothing wrong")
    assert db.session.get(Flag, flag.id).status == FlagStatus.DISMISSED
    with pytest.raises(NotFound):  # the flag is closed: the door closes with it
        consultations.get_consultation(people.moderator, request_.id)


def test_a_flag_on_another_request_opens_nothing_else(people, request_):
    other = make_request(people.member, people.other_doctor)
    moderation_content.flag_content(people.member, target_type="consultation", target_id=other.id, reason="spam")
    with pytest.raises(NotFound):
        consultations.get_consultation(people.moderator, request_.id)


def test_outsiders_cannot_flag_a_request_to_probe_for_it(people, request_):
    with pytest.raises(NotFound):
        moderation_content.flag_content(people.member, target_type="consultation", target_id=request_.id,
                                        reason="spam")


# ---- encryption at rest, logs ----

def test_the_database_holds_no_health_detail_in_plain_text(people, request_):
    consultations.transition(people.doctor, consultation_id=request_.id, action="accept", message=SECRET_MESSAGE)
    consultations.send_message(people.requester, consultation_id=request_.id, body=SECRET_MESSAGE)
    consultation_drafts.save_draft({**DETAILS, "doctor_id": "1"})
    db.session.expire_all()
    rows = [*db.session.execute(text("SELECT details_enc FROM consultation_requests")).scalars(),
            *db.session.execute(text("SELECT body_enc FROM consultation_messages")).scalars(),
            *db.session.execute(text("SELECT payload_enc FROM consultation_drafts")).scalars()]
    assert len(rows) == 4  # the request, the accept note, the message, the draft
    for raw in rows:
        assert raw.startswith("gAAAA")  # a Fernet token
        for word in (*SECRET_WORDS, "Azelaic", "jawline", "Weekday"):
            assert word not in raw
    dump = "\n".join(str(row) for table in ("consultation_requests", "consultation_messages", "notifications",
                                            "outbox_mail", "moderation_log")
                     for row in db.session.execute(text(f"SELECT * FROM {table}")))  # noqa: S608 - fixed names
    assert not any(word in dump for word in SECRET_WORDS)


def test_photo_files_on_disk_are_encrypted_and_stripped(people, photo_dir):
    consultation = make_request(people.requester, people.doctor, photos_in=[(jpeg_with_exif("Zembrivox"), "me.jpg")])
    [stored] = list(photo_dir.iterdir())
    on_disk = stored.read_bytes()
    assert b"Zembrivox" not in on_disk and not on_disk.startswith(b"\xff\xd8")
    assert stored.name == consultation.photos[0].stored_name and "me" not in stored.name
    data, content_type = consultations.photo_file(people.doctor, consultation.id, consultation.photos[0].id)
    assert content_type == "image/jpeg" and data.startswith(b"\xff\xd8") and b"Zembrivox" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {} and "exif" not in image.info


def test_another_key_cannot_read_the_data(app, people, request_):
    from forum import crypto

    app.extensions.pop("forum_fernet")
    app.config["CONSULTATION_KEYS"] = "Wwt3Ug-1y27wMoPL6G7xAgWCKgWzhEVI_fBBI6vnR9Q="
    with pytest.raises(ValueError):
        crypto.decrypt_json(request_.details_enc)
    app.extensions.pop("forum_fernet")


def test_logs_never_hold_health_details(people, caplog, photo_dir):
    caplog.set_level(logging.DEBUG, logger="forum")
    consultation = make_request(people.requester, people.doctor, photos_in=[(image_bytes(), "a.jpg")])
    consultations.consultation_page(people.doctor, consultation.id)
    consultations.transition(people.doctor, consultation_id=consultation.id, action="accept", message=SECRET_MESSAGE)
    consultations.send_message(people.requester, consultation_id=consultation.id, body=SECRET_MESSAGE)
    with pytest.raises(Invalid):
        make_request(people.requester, people.doctor, consent=False)
    with pytest.raises(NotFound):
        consultations.get_consultation(people.member, consultation.id)
    assert caplog.records, "the service logs security events: the test must see them"
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for word in (*SECRET_WORDS, DETAILS["concern"], DETAILS["tried_before"]):
        assert word not in logged


# ---- photos on a request ----

def test_up_to_five_photos_more_are_refused_and_nothing_is_stored(people, photo_dir):
    six = [(image_bytes(), f"p{i}.jpg") for i in range(6)]
    with pytest.raises(Invalid) as refused:
        make_request(people.requester, people.doctor, photos_in=six)
    assert "photos" in refused.value.fields
    assert count(ConsultationRequest) == 0 and not (photo_dir.exists() and any(photo_dir.iterdir()))
    consultation = make_request(people.requester, people.doctor, photos_in=six[:5])
    assert len(consultation.photos) == 5 and len(list(photo_dir.iterdir())) == 5


def test_one_bad_photo_stops_the_whole_request(people, photo_dir):
    with pytest.raises(Invalid) as refused:
        make_request(people.requester, people.doctor,
                     photos_in=[(image_bytes(), "good.jpg"), (b"<html><body>hi</body></html>", "bad.png")])
    assert refused.value.fields == {"photos": ["bad.png contains web page code, so it was refused."]}
    assert count(ConsultationRequest) == count(ConsultationPhoto) == 0
    assert not (photo_dir.exists() and any(photo_dir.iterdir()))


def test_the_requester_adds_photos_to_an_open_request_up_to_five_in_all(people, request_, photo_dir):
    consultations.add_photos(people.requester, consultation_id=request_.id,
                             photos_in=[(image_bytes("PNG"), "a.png"), (image_bytes("WEBP"), "b.webp")])
    assert [p.content_type for p in request_.photos] == ["image/png", "image/webp"] and request_.doctor_unread
    with pytest.raises(Invalid):
        consultations.add_photos(people.requester, consultation_id=request_.id,
                                 photos_in=[(image_bytes(), "c.jpg")] * 4)
    assert len(request_.photos) == 2 and len(list(photo_dir.iterdir())) == 2


def test_only_the_requester_adds_photos_and_only_while_open(people, request_):
    for outsider in (people.doctor, people.member, people.moderator):
        with pytest.raises(NotFound):
            consultations.add_photos(outsider, consultation_id=request_.id, photos_in=[(image_bytes(), "a.jpg")])
    set_status(request_, S.COMPLETED)
    with pytest.raises(Conflict):
        consultations.add_photos(people.requester, consultation_id=request_.id, photos_in=[(image_bytes(), "a.jpg")])


def test_a_photo_of_another_request_is_not_found(people, request_):
    other = make_request(people.member, people.doctor, photos_in=[(image_bytes(), "a.jpg")])
    with pytest.raises(NotFound):  # the doctor may see both, but never mixed up
        consultations.photo_file(people.doctor, request_.id, other.photos[0].id)


# ---- inboxes ----

def test_inboxes_list_newest_first_filter_by_status_and_mark_unread(people, frozen_clock):
    first = make_request(people.requester, people.doctor, concern="First concern")
    frozen_clock.advance(minutes=5)
    second = make_request(people.requester, people.other_doctor, concern="Second concern")
    frozen_clock.advance(minutes=5)
    make_request(people.member, people.other_doctor, concern="Someone else's")
    consultations.transition(people.doctor, consultation_id=first.id, action="accept")

    mine = consultations.inbox(people.requester).items
    assert [c.id for c in mine] == [second.id, first.id]
    rows = [consultations.summary(people.requester, c) for c in mine]
    assert [(r["concern"], r["status"], r["unread"], r["role"]) for r in rows] == [
        ("Second concern", "submitted", False, "requester"), ("First concern", "accepted", True, "requester")]
    assert rows[1]["other_party"] == {"id": people.doctor.id, "name": "Dr. Chosen One"}
    assert [c.id for c in consultations.inbox(people.requester, status=S.ACCEPTED).items] == [first.id]
    assert consultations.inbox(people.requester, status=S.DECLINED).items == []

    incoming = consultations.inbox(people.other_doctor).items
    assert len(incoming) == 2 and all(consultations.summary(people.other_doctor, c)["unread"] for c in incoming)
    assert [c.id for c in consultations.inbox(people.doctor).items] == [first.id]
    assert consultations.inbox(people.member).items[0].requester_id == people.member.id


# ---- drafts kept while a visitor logs in ----

def test_a_draft_is_kept_encrypted_for_an_hour(frozen_clock):
    values = {**DETAILS, "doctor_id": "7"}
    draft_id = consultation_drafts.save_draft(values)
    assert len(draft_id) >= 40
    assert consultation_drafts.load_draft(draft_id) == values
    assert "Quixotryl" not in db.session.get(ConsultationDraft, draft_id).payload_enc
    frozen_clock.advance(minutes=61)
    assert consultation_drafts.load_draft(draft_id) is None
    consultation_drafts.save_draft({})  # saving sweeps expired drafts
    assert db.session.get(ConsultationDraft, draft_id) is None


def test_a_draft_can_be_dropped_and_unknown_ids_load_nothing():
    draft_id = consultation_drafts.save_draft({"concern": "x"})
    consultation_drafts.drop_draft(draft_id)
    assert consultation_drafts.load_draft(draft_id) is None
    assert consultation_drafts.load_draft(None) is None and consultation_drafts.load_draft("nope") is None
