"""Reviews of doctors in a member's own data: the export holds the reviews they wrote (with their
photos and the doctor's reply) and a doctor's replies; deleting an account deletes the reviews
they wrote and, for a doctor, the reviews of them, with the photo files and the flags about them."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Flag, Review, ReviewPhoto, SearchDocument
from forum.services import account_data, moderation_content, photos, review_queries, reviews
from tests.factories import PASSWORD, make_doctor, make_reviewer, make_treatment, review_data
from tests.services.test_consultations import jpeg_with_exif



@pytest.fixture
def world(app):
    """Rita reviews Dr. Ada Peel with a photo (Ada replies) and Dr. Bo Other without one; Otto
    reviews Ada too, with a photo, and Rita flags Otto's review."""
    make_treatment()
    ada, bo = make_doctor(full_name="Dr. Ada Peel"), make_doctor(full_name="Dr. Bo Other")
    rita, otto = make_reviewer(display_name="Rita"), make_reviewer(display_name="Otto")
    photo = reviews.PhotoUpload(jpeg_with_exif(), "cheek.jpg", "Cheek two weeks after the peel")
    ritas = reviews.create_review(rita, ada.doctor_profile.id, review_data(photo_consent=True), [photo])
    reviews.reply_to_review(ada, ritas.id, "Thank you, Rita; see you at the check-up.")
    ritas_other = reviews.create_review(rita, bo.doctor_profile.id, review_data(rating=2, worth_it="no"))
    ottos = reviews.create_review(otto, ada.doctor_profile.id, review_data(photo_consent=True, city="Shelbyville"),
                                  [photo])
    moderation_content.flag_content(rita, target_type="review", target_id=ottos.id, reason="spam")
    return {"ada": ada, "bo": bo, "rita": rita, "otto": otto, "ritas": ritas, "ritas_other": ritas_other,
            "ottos": ottos}


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def stored_names(review_ids) -> list[str]:
    return list(db.session.scalars(select(ReviewPhoto.stored_name).where(ReviewPhoto.review_id.in_(review_ids))))


# ---- export ----

def test_the_export_holds_the_reviews_the_member_wrote_with_photos_and_reply(world):
    data = account_data.export_user_data(world["rita"])
    exported = {r["id"]: r for r in data["doctor_reviews"]}
    assert set(exported) == {world["ritas"].id, world["ritas_other"].id}
    ritas = exported[world["ritas"].id]
    assert (ritas["doctor"], ritas["treatment"], ritas["rating"], ritas["worth_it"]) == \
        ("Dr. Ada Peel", "Chemical peel", 4, "yes")
    assert (ritas["treated_on"], ritas["cost_amount"], ritas["cost_currency"], ritas["city"]) == \
        ("2026-03", 350, "USD", "Springfield")
    assert ritas["body"] == review_data()["body"] and ritas["status"] == "published"
    assert ritas["reply"]["body"] == "Thank you, Rita; see you at the check-up."
    photo = world["ritas"].photos[0]
    assert ritas["photos"] == [{"id": photo.id, "alt": "Cheek two weeks after the peel",
                                "file": f"review-photos/{world['ritas'].id}/{photo.id}.jpg",
                                "content_type": "image/jpeg", "created_at": ritas["photos"][0]["created_at"]}]
    assert "Shelbyville" not in json.dumps(data)  # Otto's review is not Rita's data


def test_a_doctors_export_holds_their_replies_not_the_reviews_of_them(world):
    data = account_data.export_user_data(world["ada"])
    assert data["doctor_reviews"] == []
    assert data["review_replies"] == [{"review_id": world["ritas"].id, "treatment": "Chemical peel",
                                       "body": "Thank you, Rita; see you at the check-up.",
                                       "at": data["review_replies"][0]["at"]}]
    assert review_data()["body"] not in json.dumps(data)


def test_the_archive_holds_the_review_photos_decrypted_without_exif(world):
    archive = account_data.export_archive(world["rita"])
    with archive.file, zipfile.ZipFile(archive.file) as opened:
        data = json.loads(opened.read(account_data.DATA_FILE))
        path = next(r for r in data["doctor_reviews"] if r["photos"])["photos"][0]["file"]
        image = Image.open(io.BytesIO(opened.read(path)))
        assert image.format == "JPEG" and dict(image.getexif()) == {}
        assert not any(name.startswith(f"review-photos/{world['ottos'].id}/") for name in opened.namelist())


def test_a_review_photo_that_cannot_be_read_is_listed_without_a_file(world):
    photos.remove(world["ritas"].photos[0].stored_name)
    archive = account_data.export_archive(world["rita"])
    with archive.file, zipfile.ZipFile(archive.file) as opened:
        data = json.loads(opened.read(account_data.DATA_FILE))
    assert next(r for r in data["doctor_reviews"] if r["photos"])["photos"][0]["file"] is None


# ---- deletion ----

def test_deleting_the_account_deletes_the_members_reviews_and_their_photo_files(world):
    ritas = [world["ritas"].id, world["ritas_other"].id]
    files = stored_names(ritas)
    assert files and all((photos.photo_dir() / name).exists() for name in files)
    account_data.delete_account(world["rita"], password=PASSWORD)
    assert count(Review, Review.id.in_(ritas)) == 0 and count(ReviewPhoto, ReviewPhoto.review_id.in_(ritas)) == 0
    assert not any((photos.photo_dir() / name).exists() for name in files)
    assert count(SearchDocument, SearchDocument.kind == "review", SearchDocument.ref_id.in_(ritas)) == 0
    assert review_queries.doctor_rating(world["bo"].doctor_profile.id).count == 0
    assert count(Review, Review.id == world["ottos"].id) == 1  # other people's reviews stay


def test_deleting_a_doctors_account_deletes_the_reviews_of_them_and_their_photo_files(world):
    of_ada = [world["ritas"].id, world["ottos"].id]
    files = stored_names(of_ada)
    assert len(files) == 2
    account_data.delete_account(world["ada"], password=PASSWORD)
    assert count(Review, Review.id.in_(of_ada)) == 0
    assert not any((photos.photo_dir() / name).exists() for name in files)
    assert count(SearchDocument, SearchDocument.kind == "review", SearchDocument.ref_id.in_(of_ada)) == 0
    assert count(Flag, Flag.target_type == "review") == 0  # the flag on Otto's review lost its target
    assert count(Review, Review.id == world["ritas_other"].id) == 1


def test_the_flags_a_member_made_on_reviews_stay_when_only_the_reporter_goes(world):
    account_data.delete_account(world["rita"], password=PASSWORD)
    assert count(Flag, Flag.target_type == "review", Flag.target_id == str(world["ottos"].id)) == 1


def test_a_review_written_after_a_date_is_its_month_in_the_export(world):
    reviews.edit_review(world["rita"], world["ritas_other"].id, review_data(rating=2, treated_on=date(2025, 7, 19)))
    exported = account_data.export_user_data(world["rita"])["doctor_reviews"]
    assert {r["treated_on"] for r in exported} == {"2026-03", "2025-07"}
