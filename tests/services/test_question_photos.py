"""Photos in public questions (services/question_photos.py): up to four, each described, with
consent; cleaned of EXIF and GPS; held for a moderator when the account is under a week old;
served publicly only when the question is public; gone with the account."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import Question, QuestionPhoto, Topic
from forum.services import account_data, moderation_content, question_photos, questions, search
from forum.services.photos import PhotoUpload
from tests.factories import PASSWORD, make_moderator, make_reviewer, make_user
from tests.services.test_consultations import image_bytes, jpeg_with_exif




@pytest.fixture(autouse=True)
def topic(app):
    db.session.add(Topic(slug="rosacea", name="Rosacea", description="Redness of the face."))
    db.session.commit()



def upload(raw: bytes | None = None, alt: str = "Red patches on both cheeks", name: str = "cheek.jpg") -> PhotoUpload:
    return PhotoUpload(raw if raw is not None else image_bytes(), name, alt)


def ask(user, photos=(), consent=True, title="Is this redness on my cheeks rosacea or a reaction?") -> Question:
    return questions.ask_question(
        user, title=title, body="It started a month ago after a new cream and comes and goes through the day.",
        topics=["rosacea"], treatments=[], photos=list(photos), photo_consent=consent).question


def stored(photo_dir) -> list:
    return sorted(p.name for p in photo_dir.iterdir()) if photo_dir.exists() else []


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def edit(user, question, **photo_in) -> Question:
    return questions.edit_question(user, question_id=question.id, title=question.title, body=question.body,
                                   topics=["rosacea"], treatments=[], **photo_in)


def test_a_photo_is_stored_cleaned_of_exif_and_gps_and_served_publicly(photo_dir):
    question = ask(make_reviewer(), [upload(jpeg_with_exif("Quixotryl"), alt="Redness on the left cheek")])
    assert [p.alt for p in question.photos] == ["Redness on the left cheek"]
    photo = question.photos[0]
    assert stored(photo_dir) == [photo.stored_name]
    assert b"\xff\xd8" not in (photo_dir / photo.stored_name).read_bytes()  # encrypted at rest
    data, content_type, public = question_photos.photo_file(None, question.id, photo.id)
    assert content_type == "image/jpeg" and public is True
    assert b"Quixotryl" not in data and b"Examplecam" not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)  # no EXIF, no GPS


def test_up_to_four_photos_keep_their_order_and_a_fifth_is_refused(photo_dir):
    member = make_reviewer()
    with pytest.raises(Invalid) as refused:
        ask(member, [upload(alt=f"Photo number {n}") for n in range(1, 6)])
    assert "at most 4 photos" in refused.value.fields["photos"][0]
    assert count(Question) == 0 and count(QuestionPhoto) == 0 and stored(photo_dir) == []
    question = ask(member, [upload(alt=f"Photo number {n}") for n in range(1, 5)])
    assert [p.alt for p in question.photos] == [f"Photo number {n}" for n in range(1, 5)]
    with pytest.raises(Invalid) as refused:
        edit(member, question, photos=[upload()], photo_consent=True)
    assert "Remove one before adding another" in refused.value.fields["photos"][0]
    assert len(stored(photo_dir)) == 4


def test_each_photo_needs_a_description_of_at_most_300_characters(photo_dir):
    member = make_reviewer()
    with pytest.raises(Invalid) as refused:
        ask(member, [upload(alt="Fine"), upload(alt="   "), upload(alt="x" * 301)])
    assert refused.value.fields == {
        "photo_alt_2": ["Describe photo 2 in a few words for people who cannot see it."],
        "photo_alt_3": ["Keep the description of photo 3 to 300 characters or fewer."]}
    assert count(Question) == 0 and stored(photo_dir) == []


def test_photos_without_consent_are_refused_and_nothing_is_stored(photo_dir):
    with pytest.raises(Invalid) as refused:
        ask(make_reviewer(), [upload()], consent=False)
    assert refused.value.fields == {
        "photo_consent": ["Tick this box to show your photos publicly, or remove the photos."]}
    assert count(Question) == 0 and count(QuestionPhoto) == 0 and stored(photo_dir) == []


def test_a_file_that_is_not_an_image_refuses_the_whole_question(photo_dir):
    with pytest.raises(Invalid) as refused:
        ask(make_reviewer(), [upload(), upload(b"<html><script>alert(1)</script></html>", name="x.jpg")])
    assert "web page code" in refused.value.fields["photos"][0]
    assert count(Question) == 0 and stored(photo_dir) == []


def test_a_failed_commit_leaves_no_files_behind(photo_dir, monkeypatch):
    member = make_reviewer()

    def refuse(_session):
        raise OperationalError("COMMIT", {}, Exception("the database went away"))
    monkeypatch.setattr(Session, "commit", refuse)
    with pytest.raises(OperationalError):
        ask(member, [upload(), upload(alt="The other cheek")])
    monkeypatch.undo()
    assert stored(photo_dir) == [] and count(QuestionPhoto) == 0 and count(Question) == 0


def test_a_new_accounts_question_with_photos_waits_for_a_moderator(photo_dir):
    newcomer, stranger, moderator = make_user(), make_reviewer(), make_moderator()
    question = ask(newcomer, [upload()], title="Is this rosacea flare from a new moisturiser?")
    assert question.hidden and question.awaiting_approval
    assert question.id not in [q.id for q in questions.list_questions(None).items]
    assert question.id not in [q.id for q in questions.list_questions(stranger).items]
    assert not [h for h in search.search("moisturiser").hits if h.question_id == question.id]
    assert questions.get_question(newcomer, question.id) is question  # the asker still sees it
    with pytest.raises(NotFound):
        questions.get_question(stranger, question.id)
    with pytest.raises(NotFound):
        question_photos.photo_file(stranger, question.id, question.photos[0].id)
    data, _type, public = question_photos.photo_file(newcomer, question.id, question.photos[0].id)
    assert data and public is False  # for the asker only: never kept by a shared cache
    assert [q.id for q in question_photos.held_questions(moderator)] == [question.id]

    moderation_content.moderate_content(moderator, target_type="question", target_id=question.id, action="approve",
                                        reason="Photos checked: no face shown.")
    db.session.refresh(question)
    assert not question.hidden and not question.awaiting_approval
    assert question.id in [q.id for q in questions.list_questions(None).items]
    assert [h.question_id for h in search.search("moisturiser").hits] == [question.id]
    assert question_photos.photo_file(None, question.id, question.photos[0].id)[2] is True
    assert question_photos.held_questions(moderator) == []


def test_a_new_accounts_question_without_photos_is_public_at_once():
    question = ask(make_user(), [])
    assert not question.hidden and not question.awaiting_approval


def test_an_older_accounts_question_with_photos_is_public_at_once():
    question = ask(make_reviewer(), [upload()])
    assert not question.hidden and not question.awaiting_approval
    assert question.id in [q.id for q in questions.list_questions(None).items]


def test_photos_added_on_edit_by_a_new_account_hold_the_question():
    newcomer = make_user()
    question = ask(newcomer, [])
    assert not question.hidden
    edit(newcomer, question, photos=[upload()], photo_consent=True)
    assert question.hidden and question.awaiting_approval and len(question.photos) == 1


def test_a_question_a_moderator_hid_is_not_turned_into_one_waiting_for_approval():
    newcomer = make_user()
    question = ask(newcomer, [])
    question.hidden = True
    db.session.commit()
    edit(newcomer, question, photos=[upload()], photo_consent=True)
    assert question.hidden and not question.awaiting_approval  # "approve" must not undo the moderator's hiding


def test_the_asker_removes_a_photo_on_edit_and_its_file_goes(photo_dir):
    member = make_reviewer()
    question = ask(member, [upload(alt="First"), upload(alt="Second")])
    first, second = question.photos
    edit(member, question, remove_photo_ids=[first.id, "not-one-of-mine"], photos=[upload(alt="Third")],
         photo_consent=True)
    assert [p.alt for p in question.photos] == ["Second", "Third"]
    assert first.stored_name not in stored(photo_dir) and second.stored_name in stored(photo_dir)
    assert len(stored(photo_dir)) == 2


def test_only_the_asker_adds_or_removes_photos(photo_dir):
    asker, other = make_reviewer(), make_reviewer()
    question = ask(asker, [upload()])
    with pytest.raises(Forbidden):
        question_photos.add_photos(other, question_id=question.id, photos_in=[upload()], photo_consent=True)
    with pytest.raises(Forbidden):
        question_photos.remove_photo(other, question_id=question.id, photo_id=question.photos[0].id)
    with pytest.raises(NotFound):
        question_photos.remove_photo(asker, question_id=question.id, photo_id="0" * 32)
    question_photos.remove_photo(asker, question_id=question.id, photo_id=question.photos[0].id)
    assert question.photos == [] and stored(photo_dir) == [] and question.edited_at is not None


def test_a_photo_is_found_only_under_its_own_question(photo_dir):
    member = make_reviewer()
    first = ask(member, [upload()])
    second = ask(member, [upload()], title="Another question about redness on my nose?")
    with pytest.raises(NotFound):
        question_photos.photo_file(None, second.id, first.photos[0].id)


def test_held_questions_are_for_moderators_only():
    with pytest.raises(Forbidden):
        question_photos.held_questions(make_user())


def test_the_export_lists_the_photos_and_deleting_the_account_removes_them(photo_dir):
    member = make_reviewer()
    question = ask(member, [upload(alt="Left cheek"), upload(alt="Right cheek")])
    exported = account_data.export_user_data(member)["question_photos"]
    assert [(p["question_id"], p["alt"]) for p in exported] == [(question.id, "Left cheek"),
                                                                (question.id, "Right cheek")]
    assert exported[0]["url"] == f"/questions/{question.id}/photos/{question.photos[0].id}"
    account_data.delete_account(member, password=PASSWORD)
    assert stored(photo_dir) == [] and count(QuestionPhoto) == 0
    assert count(Question) == 1  # the question itself stays, as "a deleted user"
