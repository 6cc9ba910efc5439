"""The review API: write, read, edit, delete, the doctor's reply, photos, the new-account queue,
flags and moderation, and the OpenAPI document that describes them."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum import clock
from forum.extensions import db
from forum.models import Review, ReviewPhoto, VerificationStatus
from forum.services import photos
from tests.api.helpers import error_of
from tests.factories import make_doctor, make_moderator, make_reviewer, make_treatment, make_user
from tests.services.test_consultations import jpeg_with_exif

BODY = "The peel stung for a few minutes, the redness faded in two days and my skin looks smoother."


@pytest.fixture
def app_config(tmp_path):
    return {"PHOTO_DIR": str(tmp_path / "photos"), "RATELIMIT_ENABLED": False}


@pytest.fixture
def world(app):
    class World:
        treatment = make_treatment()
        doctor = make_doctor(full_name="Dr. Ada Peel")
        member = make_reviewer(display_name="Rita Reviewer")
    World.profile_id = World.doctor.doctor_profile.id
    return World


def review_json(**overrides) -> dict:
    data = {"treatment": "chemical-peel", "rating": 4, "worth_it": "yes", "treated_on": "2026-03",
            "cost_amount": 350, "cost_currency": "USD", "city": "Springfield", "body": BODY}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not ...}


def post_review(client, world, headers, **overrides):
    return client.post(f"/api/v1/doctors/{world.profile_id}/reviews", json=review_json(**overrides), headers=headers)


def posted(client, world, bearer, author=None, **overrides) -> dict:
    response = post_review(client, world, bearer(author or world.member), **overrides)
    assert response.status_code == 201, response.json
    return response.json


def upload(client, review_id, headers, alt="Cheek two weeks after the peel", consent=None, raw=None):
    form = {"photos": (io.BytesIO(raw or jpeg_with_exif()), "cheek.jpg", "image/jpeg")}
    if alt is not None:
        form["alt"] = alt
    if consent is not None:
        form["photo_consent"] = "true" if consent else "false"
    return client.post(f"/api/v1/reviews/{review_id}/photos", data=form, headers=headers,
                       content_type="multipart/form-data")


def reviews_in_db() -> int:
    return db.session.scalar(select(func.count()).select_from(Review))


# ---- writing and reading ----

def test_a_member_reviews_a_doctor_and_everyone_can_read_it(client, world, bearer):
    review = posted(client, world, bearer)
    assert review["author"] == "Rita Reviewer" and review["status"] == "published"
    assert review["doctor"]["id"] == world.profile_id and review["doctor"]["name"] == "Dr. Ada Peel"
    assert review["doctor"]["url"].startswith(f"/doctors/{world.profile_id}/")
    assert review["treatment"] == {"slug": "chemical-peel", "name": "Chemical peel"}
    assert review["treated_on"] == "2026-03" and review["cost"] == {"amount": 350, "currency": "USD"}
    assert review["reply"] is None and review["photos"] == [] and review["verified"] is False
    shown = client.get(f"/api/v1/reviews/{review['id']}")
    assert shown.status_code == 200 and shown.json == review
    assert world.member.email not in shown.get_data(as_text=True)


def test_the_doctors_list_pages_published_reviews_with_the_rating_summary(client, world, bearer):
    posted(client, world, bearer, rating=5)
    posted(client, world, bearer, author=make_reviewer(), rating=2, worth_it="no", cost_amount=None,
           cost_currency=None)
    page = client.get(f"/api/v1/doctors/{world.profile_id}/reviews?per_page=1").json
    assert page["summary"] == {"count": 2, "average": 3.5, "worth_it_share": 0.5}
    assert (page["total"], page["pages"], page["has_next"], page["has_prev"]) == (2, 2, True, False)
    assert len(page["items"]) == 1 and page["items"][0]["cost"] is None  # newest first
    second = client.get(f"/api/v1/doctors/{world.profile_id}/reviews?page=2&per_page=1").json
    assert second["items"][0]["rating"] == 5 and second["has_prev"] is True


def test_a_doctor_without_reviews_has_an_empty_summary(client, world):
    page = client.get(f"/api/v1/doctors/{world.profile_id}/reviews").json
    assert page["items"] == [] and page["summary"] == {"count": 0, "average": None, "worth_it_share": None}


def test_an_unknown_or_unverified_doctor_has_no_reviews_to_list_or_write(client, world, bearer):
    pending = make_doctor(status=VerificationStatus.PENDING).doctor_profile.id
    for profile_id in (pending, 999_999):
        error_of(client.get(f"/api/v1/doctors/{profile_id}/reviews"), 404)
        error_of(client.post(f"/api/v1/doctors/{profile_id}/reviews", json=review_json(),
                             headers=bearer(world.member)), 404)
    assert reviews_in_db() == 0


@pytest.mark.parametrize("overrides, field", [
    ({"rating": 6}, "rating"), ({"rating": "five"}, "rating"), ({"rating": ...}, "rating"),
    ({"worth_it": "maybe"}, "worth_it"), ({"treated_on": "2026-13"}, "treated_on"),
    ({"treated_on": "March 2026"}, "treated_on"), ({"body": "Too short."}, "body"),
    ({"cost_currency": None}, "cost_currency"), ({"cost_currency": "XYZ"}, "cost_currency"),
    ({"cost_amount": 0}, "cost_amount"), ({"treatment": "Not A Slug"}, "treatment"),
    ({"colour": "blue"}, "colour"),
    # the service's own rules, answered the same way
    ({"treatment": "no-such-treatment"}, "treatment"), ({"treated_on": "2099-01"}, "treated_on"),
])
def test_an_invalid_review_is_refused_with_the_field_named_and_nothing_stored(client, world, bearer, overrides,
                                                                               field):
    error = error_of(post_review(client, world, bearer(world.member), **overrides), 422)
    assert field in error["fields"]
    assert reviews_in_db() == 0


def test_a_full_date_is_taken_as_its_month(client, world, bearer):
    assert posted(client, world, bearer, treated_on="2025-11-23")["treated_on"] == "2025-11"


def test_a_second_review_of_the_same_doctor_and_treatment_is_refused(client, world, bearer):
    posted(client, world, bearer)
    error = error_of(post_review(client, world, bearer(world.member)), 422)
    assert "treatment" in error["fields"]
    make_treatment("botox", "Botox")
    assert post_review(client, world, bearer(world.member), treatment="botox").status_code == 201


def test_a_doctor_cannot_review_themself_and_a_visitor_must_log_in(client, world, bearer):
    error_of(post_review(client, world, bearer(world.doctor)), 403)
    error_of(client.post(f"/api/v1/doctors/{world.profile_id}/reviews", json=review_json()), 401)
    assert reviews_in_db() == 0


# ---- editing and deleting ----

def test_the_author_edits_only_what_they_send(client, world, bearer):
    review = posted(client, world, bearer)
    edited = client.patch(f"/api/v1/reviews/{review['id']}", json={"rating": 2, "worth_it": "not_sure"},
                          headers=bearer(world.member))
    assert edited.status_code == 200
    assert (edited.json["rating"], edited.json["worth_it"], edited.json["body"]) == (2, "not_sure", BODY)
    assert edited.json["cost"] == review["cost"] and edited.json["edited_at"] is not None
    error = error_of(client.patch(f"/api/v1/reviews/{review['id']}", json={"body": "Short."},
                                  headers=bearer(world.member)), 422)
    assert "body" in error["fields"]
    assert client.get(f"/api/v1/reviews/{review['id']}").json["body"] == BODY


def test_nobody_but_the_author_edits_a_review(client, world, bearer):
    review = posted(client, world, bearer)
    for other in (make_reviewer(), world.doctor):
        error_of(client.patch(f"/api/v1/reviews/{review['id']}", json={"rating": 1}, headers=bearer(other)), 404)
    error_of(client.patch(f"/api/v1/reviews/{review['id']}", json={"rating": 1}), 401)
    assert client.get(f"/api/v1/reviews/{review['id']}").json["rating"] == 4


def test_only_the_author_deletes_a_review_moderators_hide_it_with_a_logged_reason(client, world, bearer):
    first = posted(client, world, bearer)
    error_of(client.delete(f"/api/v1/reviews/{first['id']}", headers=bearer(make_reviewer())), 404)
    assert client.delete(f"/api/v1/reviews/{first['id']}", headers=bearer(world.member)).status_code == 204
    error_of(client.get(f"/api/v1/reviews/{first['id']}"), 404)
    second = posted(client, world, bearer)
    error_of(client.delete(f"/api/v1/reviews/{second['id']}", headers=bearer(make_moderator())), 404)
    assert reviews_in_db() == 1  # an unlogged removal is not a moderator's tool


# ---- the doctor's reply ----

def test_the_reviewed_doctor_replies_once_and_a_second_reply_replaces_it(client, world, bearer):
    review = posted(client, world, bearer)
    url = f"/api/v1/reviews/{review['id']}/reply"
    first = client.put(url, json={"body": "Thank you for the kind words."}, headers=bearer(world.doctor))
    assert first.status_code == 200 and first.json["reply"]["body"] == "Thank you for the kind words."
    second = client.put(url, json={"body": "Thank you; do come back for the check-up."}, headers=bearer(world.doctor))
    assert second.json["reply"]["body"] == "Thank you; do come back for the check-up."
    assert client.get(f"/api/v1/reviews/{review['id']}").json["reply"]["body"].startswith("Thank you; do come")


def test_only_the_reviewed_doctor_replies(client, world, bearer):
    review = posted(client, world, bearer)
    url = f"/api/v1/reviews/{review['id']}/reply"
    for other in (make_doctor(), world.member):
        error_of(client.put(url, json={"body": "Not my review to answer."}, headers=bearer(other)), 403)
    assert "body" in error_of(client.put(url, json={"body": ""}, headers=bearer(world.doctor)), 422)["fields"]
    assert client.get(f"/api/v1/reviews/{review['id']}").json["reply"] is None


# ---- photos ----

def test_a_photo_needs_the_public_photo_consent(client, world, bearer):
    review = posted(client, world, bearer)
    error = error_of(upload(client, review["id"], bearer(world.member)), 422)
    assert "photo_consent" in error["fields"]
    assert db.session.scalar(select(func.count()).select_from(ReviewPhoto)) == 0
    added = upload(client, review["id"], bearer(world.member), consent=True)
    assert added.status_code == 201
    assert [p["alt"] for p in added.json["photos"]] == ["Cheek two weeks after the peel"]


def test_an_uploaded_photo_is_served_without_its_exif(client, world, bearer):
    review = posted(client, world, bearer, photo_consent=True)
    photo = upload(client, review["id"], bearer(world.member)).json["photos"][0]
    served = client.get(photo["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"Quixotryl" not in served.data and b"Examplecam" not in served.data
    image = Image.open(io.BytesIO(served.data))
    assert dict(image.getexif()) == {}
    assert served.headers["Cache-Control"].startswith("public")


def test_a_review_holds_at_most_four_photos(client, world, bearer):
    review = posted(client, world, bearer, photo_consent=True)
    for _ in range(4):
        assert upload(client, review["id"], bearer(world.member)).status_code == 201
    error = error_of(upload(client, review["id"], bearer(world.member)), 422)
    assert "photos" in error["fields"]
    assert len(client.get(f"/api/v1/reviews/{review['id']}").json["photos"]) == 4


@pytest.mark.parametrize("alt, raw, field", [
    (None, None, "alt"), ("x", None, "alt"), ("A photo", b"<html><script>alert(1)</script></html>", "photos"),
])
def test_a_photo_without_alt_text_or_not_an_image_is_refused(client, world, bearer, alt, raw, field):
    review = posted(client, world, bearer, photo_consent=True)
    assert field in error_of(upload(client, review["id"], bearer(world.member), alt=alt, raw=raw), 422)["fields"]
    assert db.session.scalar(select(func.count()).select_from(ReviewPhoto)) == 0


def test_a_request_without_a_file_is_refused(client, world, bearer):
    review = posted(client, world, bearer, photo_consent=True)
    response = client.post(f"/api/v1/reviews/{review['id']}/photos", data={"alt": "Cheek"},
                           headers=bearer(world.member), content_type="multipart/form-data")
    assert "photos" in error_of(response, 422)["fields"]


def test_only_the_author_adds_or_removes_photos(client, world, bearer):
    review = posted(client, world, bearer, photo_consent=True)
    error_of(upload(client, review["id"], bearer(make_reviewer())), 404)
    photo = upload(client, review["id"], bearer(world.member)).json["photos"][0]
    error_of(client.delete(f"/api/v1/reviews/{review['id']}/photos/{photo['id']}", headers=bearer(make_reviewer())),
             404)
    assert len(client.get(f"/api/v1/reviews/{review['id']}").json["photos"]) == 1


def test_the_author_removes_a_photo_and_its_file_goes(client, world, bearer):
    review = posted(client, world, bearer, photo_consent=True)
    photo = upload(client, review["id"], bearer(world.member)).json["photos"][0]
    stored = db.session.get(ReviewPhoto, photo["id"]).stored_name
    error_of(client.delete(f"/api/v1/reviews/{review['id']}/photos/{'0' * 32}", headers=bearer(world.member)), 404)
    removed = client.delete(f"/api/v1/reviews/{review['id']}/photos/{photo['id']}", headers=bearer(world.member))
    assert removed.status_code == 200 and removed.json["photos"] == []
    assert not (photos.photo_dir() / stored).exists()
    assert client.get(photo["url"]).status_code == 404  # the page address the profile used is gone too


# ---- the new-account queue, flags and moderation ----

def test_a_new_accounts_review_waits_and_only_its_author_and_staff_see_it(client, world, bearer):
    newcomer = make_user(created_at=clock.now() - timedelta(days=2))
    review = posted(client, world, bearer, author=newcomer)
    assert review["status"] == "pending"
    url = f"/api/v1/reviews/{review['id']}"
    error_of(client.get(url), 404)
    error_of(client.get(url, headers=bearer(world.member)), 404)
    assert client.get(url, headers=bearer(newcomer)).status_code == 200
    assert client.get(url, headers=bearer(make_moderator())).status_code == 200
    assert client.get(f"/api/v1/doctors/{world.profile_id}/reviews").json["summary"]["count"] == 0
    mine = client.get("/api/v1/me/reviews", headers=bearer(newcomer)).json
    assert [(r["id"], r["status"]) for r in mine] == [(review["id"], "pending")]
    assert client.get("/api/v1/me/reviews", headers=bearer(world.member)).json == []


def test_anyone_signed_in_flags_a_review_and_a_moderator_hides_it_with_a_reason(client, world, bearer):
    review = posted(client, world, bearer)
    flag = client.post("/api/v1/flags", json={"target_type": "review", "target_id": str(review["id"]),
                                              "reason": "spam"}, headers=bearer(make_reviewer()))
    assert flag.status_code == 201 and flag.json["target_type"] == "review"
    moderator = make_moderator()
    hidden = client.post(f"/api/v1/mod/content/review/{review['id']}/hide", json={"reason": "Advertising"},
                         headers=bearer(moderator))
    assert hidden.status_code == 200, hidden.json
    error_of(client.get(f"/api/v1/reviews/{review['id']}"), 404)
    mine = client.get("/api/v1/me/reviews", headers=bearer(world.member)).json
    assert (mine[0]["status"], mine[0]["hidden_reason"]) == ("hidden", "Advertising")
    error_of(client.post(f"/api/v1/mod/content/review/{review['id']}/unhide", json={"reason": "Fine after all"},
                         headers=bearer(world.member)), 403)


def test_a_moderator_approves_a_waiting_review(client, world, bearer):
    review = posted(client, world, bearer, author=make_user())
    approved = client.post(f"/api/v1/mod/content/review/{review['id']}/approve", json={"reason": "Reads genuine"},
                           headers=bearer(make_moderator()))
    assert approved.status_code == 200, approved.json
    assert client.get(f"/api/v1/reviews/{review['id']}").json["status"] == "published"


# ---- the document ----

def test_the_openapi_document_describes_the_review_api(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/doctors/{doctor_id}/reviews"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/reviews/{review_id}"])
    assert "put" in paths["/api/v1/reviews/{review_id}/reply"]
    upload_body = paths["/api/v1/reviews/{review_id}/photos"]["post"]["requestBody"]["content"]
    assert set(upload_body["multipart/form-data"]["schema"]["required"]) == {"photos", "alt"}
    assert "delete" in paths["/api/v1/reviews/{review_id}/photos/{photo_id}"]
    assert "get" in paths["/api/v1/me/reviews"]
    assert "review" in spec["components"]["schemas"]["FlagIn"]["properties"]["target_type"]["enum"]
    moderation = next(p for p in paths if p.startswith("/api/v1/mod/content/"))
    target = next(p for p in paths[moderation]["parameters"] if p["name"] == "target_type")
    assert "review" in target["schema"]["enum"]
    review_in = spec["components"]["schemas"]["ReviewIn"]
    assert set(review_in["properties"]) == {"treatment", "rating", "worth_it", "treated_on", "cost_amount",
                                            "cost_currency", "city", "body", "photo_consent"}
    assert "required" not in spec["components"]["schemas"]["ReviewEditIn"]


def test_your_reviews_cost_the_same_queries_for_two_doctors_or_four(client, world, bearer, count_queries):
    from forum.services import reviews
    from tests.factories import review_data

    headers = bearer(world.member)
    for profile_id in (world.profile_id, make_doctor().doctor_profile.id):
        reviews.create_review(world.member, profile_id, review_data(), ())
    client.get("/api/v1/me/reviews", headers=headers)
    db.session.expire_all()  # nothing already loaded hides a query
    with count_queries() as few:
        assert len(client.get("/api/v1/me/reviews", headers=headers).json) == 2
    for _ in range(2):
        reviews.create_review(world.member, make_doctor().doctor_profile.id, review_data(), ())
    db.session.expire_all()
    with count_queries() as many:
        assert len(client.get("/api/v1/me/reviews", headers=headers).json) == 4
    assert many.count == few.count, many.statements[few.count:]
