"""A member's own data: the export holds everything about them and nothing about anyone else;
deleting the account needs the password, removes their consultations (rows and photo files),
and keeps their questions as a "deleted user" unless they ask for them to go too."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timezone
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum import clock
from forum.errors import Forbidden, Invalid
from forum.extensions import db
from forum.models import (
    ApiToken, ConsultationMessage, ConsultationPhoto, ConsultationRequest, Follow, HelpfulVote, Notification, Question,
    Topic, User, UserStatus,
)
from forum.services import account_data, accounts, answers, consultations, moderation_content, photos, questions
from forum.services.seed import load_seed
from tests.factories import PASSWORD, make_doctor, make_user
from tests.services.test_consultations import SECRET_DESCRIPTION, SECRET_MESSAGE, image_bytes, make_request

SEED = Path(__file__).resolve().parents[2] / "seed"



@pytest.fixture
def world(app):
    """A member with a question, a vote, a follow-up, a token and a consultation with a photo;
    another member with their own question and consultation; a doctor who answers both."""
    load_seed(SEED)
    member, other, doctor = make_user(display_name="Marta"), make_user(display_name="Otto"), make_doctor()
    mine = questions.ask_question(member, title="Does tretinoin help with fine lines around the eyes?",
                                  body="I am 42 and wonder whether a low-strength tretinoin is worth it.",
                                  topics=["acne"], treatments=[]).question
    theirs = questions.ask_question(other, title="Otto asks about laser hair removal on dark skin",
                                    body="Which lasers are safe on Fitzpatrick type V skin, and how many sessions?",
                                    topics=["acne"], treatments=[]).question
    answer_mine = answers.post_answer(doctor, question_id=mine.id,
                                      body="Yes: start with 0.025% twice a week and build up slowly.")
    answer_theirs = answers.post_answer(doctor, question_id=theirs.id,
                                        body="Nd:YAG 1064 nm lasers are the usual choice for darker skin.")
    answers.mark_helpful(member, answer_id=answer_theirs.id)
    answers.add_follow_up(member, answer_id=answer_mine.id, body="Thank you, should I use it with sunscreen?")
    accounts.issue_token(member, name="my script", password=PASSWORD)
    consultation = make_request(member, doctor, photos_in=[(image_bytes(), "cheek.jpg")])
    consultations.send_message(doctor, consultation_id=consultation.id, body="Please add a daylight photo.")
    consultations.send_message(member, consultation_id=consultation.id, body=SECRET_MESSAGE)
    other_consultation = make_request(other, doctor, description="Otto's private description of his scalp issue.")
    consultations.send_message(doctor, consultation_id=other_consultation.id, body="A note for Otto only.")
    db.session.commit()
    return {"member": member, "other": other, "doctor": doctor, "mine": mine, "theirs": theirs,
            "answer_mine": answer_mine, "answer_theirs": answer_theirs, "consultation": consultation,
            "other_consultation": other_consultation}


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---- export ----

def test_the_export_holds_the_members_own_data(world):
    data = account_data.export_user_data(world["member"])
    json.dumps(data)  # serialisable as it is
    assert data["profile"]["email"] == world["member"].email and data["profile"]["display_name"] == "Marta"
    assert [q["id"] for q in data["questions"]] == [world["mine"].id]
    assert [v["answer_id"] for v in data["helpful_votes"]] == [world["answer_theirs"].id]
    assert [f["body"] for f in data["follow_ups"]] == ["Thank you, should I use it with sunscreen?"]
    assert {f["question_id"] for f in data["follows"]} == {world["mine"].id}
    assert [t["name"] for t in data["api_tokens"]] == ["my script"]
    assert data["notifications"] and all(n["link"] for n in data["notifications"])
    [consultation] = data["consultations"]
    assert consultation["id"] == world["consultation"].id
    assert [p["file"] for p in consultation["photos"]] == [account_data.photo_path(world["consultation"].photos[0])]
    assert consultation["details"]["description"] == SECRET_DESCRIPTION
    assert [(m["from"], m["body"]) for m in consultation["messages"]] == [
        ("doctor", "Please add a daylight photo."), ("me", SECRET_MESSAGE)]
    assert data["doctor_profile"] is None


def test_the_export_holds_nothing_about_anyone_else(world):
    dumped = json.dumps(account_data.export_user_data(world["member"]))
    for foreign in (world["other"].email, "Otto asks about laser", "Fitzpatrick type V", "Otto's private description",
                    "A note for Otto only", world["other_consultation"].id, world["doctor"].email,
                    world["doctor"].password_hash, world["member"].password_hash):
        assert foreign not in dumped


def test_a_doctors_export_has_their_answers_and_profile_but_not_their_patients_requests(world):
    data = account_data.export_user_data(world["doctor"])
    assert {a["id"] for a in data["answers"]} == {world["answer_mine"].id, world["answer_theirs"].id}
    assert data["doctor_profile"]["license_number"] == world["doctor"].doctor_profile.license_number
    assert data["consultations"] == []  # received requests belong to their requesters
    assert sorted(m["body"] for m in data["messages_in_other_consultations"]) == [
        "A note for Otto only.", "Please add a daylight photo."]
    dumped = json.dumps(data)
    assert SECRET_DESCRIPTION not in dumped and SECRET_MESSAGE not in dumped
    assert "Otto's private description" not in dumped and world["member"].email not in dumped


def _flags_and_invitations(world) -> dict:
    """The member flags Otto's question and invites the doctor to a new question; Otto flags the
    member's question and adds a photo to his own consultation."""
    doctor = world["doctor"]
    doctor.doctor_profile.topics = [db.session.scalar(select(Topic).where(Topic.slug == "acne"))]
    db.session.commit()
    flag = moderation_content.flag_content(world["member"], target_type="question", target_id=world["theirs"].id,
                                           reason="spam", note="Marta thinks this is an advert.")
    moderation_content.flag_content(world["other"], target_type="question", target_id=world["mine"].id,
                                    reason="other", note="Otto's private flag note.")
    third = questions.ask_question(world["member"], title="Can azelaic acid be used during pregnancy safely?",
                                   body="I am pregnant and want to keep treating my rosacea; is azelaic acid fine?",
                                   topics=["acne"], treatments=[]).question
    questions.invite_doctors(world["member"], question_id=third.id, doctor_ids=[doctor.doctor_profile.id])
    ottos_photo = image_bytes(color=(10, 200, 30))
    consultations.add_photos(world["other"], consultation_id=world["other_consultation"].id,
                             photos_in=[(ottos_photo, "otto.jpg")])
    return {"flag": flag, "invited_on": third, "ottos_photo": ottos_photo}


def open_archive(member) -> tuple[zipfile.ZipFile, dict]:
    archive = account_data.export_archive(member)
    assert archive.filename == f"ask-a-cosmetic-doctor-export-{clock.now():%Y-%m-%d}.zip"
    with archive.file:
        content = archive.file.read()
    assert len(content) == archive.size
    opened = zipfile.ZipFile(io.BytesIO(content))
    assert opened.testzip() is None
    return opened, json.loads(opened.read("data.json"))


def test_the_export_lists_the_flags_and_invitations_the_member_made(world):
    extra = _flags_and_invitations(world)
    _, data = open_archive(world["member"])
    assert data["flags"] == [{"target_type": "question", "target_id": str(world["theirs"].id), "reason": "spam",
                              "note": "Marta thinks this is an advert.", "status": "open",
                              "created_at": extra["flag"].created_at.replace(tzinfo=timezone.utc).isoformat()}]
    assert [(i["question_id"], i["doctor"]) for i in data["invitations_made"]] == [
        (extra["invited_on"].id, world["doctor"].doctor_profile.full_name)]
    assert data["invitations_received"] == []
    assert "Otto's private flag note" not in json.dumps(data)


def test_the_archive_holds_the_members_own_photos_decrypted(world, tmp_path):
    extra = _flags_and_invitations(world)
    opened, data = open_archive(world["member"])
    [photo] = world["consultation"].photos
    [entry] = data["consultations"][0]["photos"]
    assert entry["file"] == f"photos/{world['consultation'].id}/{photo.id}.jpg"
    assert entry["content_type"] == "image/jpeg" and entry["size"] == photo.size
    assert sorted(opened.namelist()) == sorted(["data.json", entry["file"]])  # Otto's photo is not there
    exported = opened.read(entry["file"])
    assert exported == photos.read(photo.stored_name) == photos.clean_photo(image_bytes()).data
    assert exported != (tmp_path / "photos" / photo.stored_name).read_bytes()  # the stored file is encrypted
    with Image.open(io.BytesIO(exported)) as image:
        assert image.format == "JPEG" and image.size == (40, 30)
    assert extra["ottos_photo"] not in b"".join(opened.read(name) for name in opened.namelist())


def test_the_archive_holds_nothing_about_anyone_else(world):
    _flags_and_invitations(world)
    opened, _ = open_archive(world["member"])
    dumped = opened.read("data.json").decode()
    for foreign in (world["other"].email, world["doctor"].email, "Otto asks about laser", "Otto's private",
                    "A note for Otto only", world["other_consultation"].id, world["member"].password_hash):
        assert foreign not in dumped


def test_a_photo_that_cannot_be_read_is_listed_without_a_file(world, tmp_path):
    [photo] = world["consultation"].photos
    (tmp_path / "photos" / photo.stored_name).unlink()
    opened, data = open_archive(world["member"])
    assert data["consultations"][0]["photos"][0]["file"] is None and opened.namelist() == ["data.json"]


def test_a_visitor_has_nothing_to_export(world):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Forbidden):
        account_data.export_user_data(AnonymousUserMixin())


# ---- deletion ----

@pytest.mark.parametrize("password", ["not my password", "", PASSWORD.upper()])
def test_deleting_needs_the_right_password_and_changes_nothing_otherwise(world, password, tmp_path):
    with pytest.raises(Invalid) as refused:
        account_data.delete_account(world["member"], password=password)
    assert refused.value.fields == {"password": ["Your password is not correct."]}
    assert db.session.get(User, world["member"].id) is not None
    assert count(ConsultationRequest) == 2 and len(list((tmp_path / "photos").iterdir())) == 1


def test_deleting_removes_the_requesters_consultations_with_their_photo_files(world, tmp_path):
    member_id, consultation_id = world["member"].id, world["consultation"].id
    photo_name = world["consultation"].photos[0].stored_name
    assert (tmp_path / "photos" / photo_name).exists()
    account_data.delete_account(world["member"], password=PASSWORD)
    db.session.expire_all()
    assert db.session.get(User, member_id) is None
    assert db.session.get(ConsultationRequest, consultation_id) is None
    assert count(ConsultationMessage, ConsultationMessage.consultation_id == consultation_id) == 0
    assert count(ConsultationPhoto) == 0
    assert not (tmp_path / "photos" / photo_name).exists()
    # nothing of theirs is left behind, and nobody else's data went with it
    for model, column in ((HelpfulVote, HelpfulVote.user_id), (Follow, Follow.user_id),
                          (ApiToken, ApiToken.user_id), (Notification, Notification.user_id)):
        assert count(model, column == member_id) == 0, model.__name__
    assert db.session.get(ConsultationRequest, world["other_consultation"].id) is not None
    assert db.session.get(User, world["other"].id) is not None


def test_the_members_questions_stay_as_from_a_deleted_user(world):
    account_data.delete_account(world["member"], password=PASSWORD)
    db.session.expire_all()
    question = db.session.get(Question, world["mine"].id)
    assert question.author_id is None and not question.hidden and question.deleted_at is None
    assert question.answer_count == 1  # its answers stay too
    answer = db.session.get(type(world["answer_theirs"]), world["answer_theirs"].id)
    assert answer.helpful_count == 0  # their vote went with them


def test_the_member_may_ask_for_their_questions_to_go_too(world):
    account_data.delete_account(world["member"], password=PASSWORD, delete_questions=True)
    db.session.expire_all()
    question = db.session.get(Question, world["mine"].id)
    assert question.hidden and question.deleted_at is not None and question.author_id is None
    assert world["mine"].id not in {q.id for q in questions.list_questions(None).items}
    assert not db.session.get(Question, world["theirs"].id).hidden


def test_a_doctor_who_deletes_their_account_leaves_the_requests_to_their_requesters(world):
    account_data.delete_account(world["doctor"], password=PASSWORD)
    db.session.expire_all()
    consultation = db.session.get(ConsultationRequest, world["consultation"].id)
    assert consultation is not None and consultation.doctor_id is None
    page = consultations.consultation_page(db.session.get(User, world["member"].id), consultation.id)
    assert page["messages"][0]["author"] == "A former user"


def test_a_suspended_member_cannot_delete_or_export(world):
    world["member"].status = UserStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(Forbidden):
        account_data.delete_account(world["member"], password=PASSWORD)
    with pytest.raises(Forbidden):
        account_data.export_user_data(world["member"])
