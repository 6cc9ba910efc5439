"""Medical sign-off through the API: moderators assign, the doctor lists, confirms or declines;
ArticleOut shows the reviewer only once confirmed."""
from datetime import date, datetime

import pytest

from forum.extensions import db
from forum.models import Article, ArticleStatus
from tests.api.helpers import error_of
from tests.factories import make_doctor, make_moderator, make_user, mint_token

SLUG = "about-pores"


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {mint_token(user, 'test')}"}


@pytest.fixture
def world(app, frozen_clock):
    frozen_clock.current = datetime(2026, 3, 2, 9, 0)
    db.session.add(Article(slug=SLUG, title="About pores", summary="What pores are.", body="Pores are fine.",
                           author_name="Editorial team", status=ArticleStatus.PUBLISHED, published_on=date(2026, 1, 5)))
    db.session.commit()
    doctor, other = make_doctor(full_name="Dr. Rhea Reviewer"), make_doctor(full_name="Dr. Otto Other")
    return {"doctor": doctor, "other": other, "mod": bearer(make_moderator()), "doc": bearer(doctor),
            "oth": bearer(other), "profile_id": doctor.doctor_profile.id}


def assign(client, world) -> dict:
    response = client.post(f"/api/v1/articles/{SLUG}/review", json={"reviewer_id": world["profile_id"]},
                           headers=world["mod"])
    assert response.status_code == 201, response.json
    return response.json


def test_assign_list_confirm_and_the_byline(client, world):
    review = assign(client, world)
    assert review["status"] == "pending" and review["reviewer"]["full_name"] == "Dr. Rhea Reviewer"
    assert client.get(f"/api/v1/articles/{SLUG}").json["reviewer"] is None
    listed = client.get("/api/v1/doctor/medical-reviews", headers=world["doc"]).json
    assert [(r["id"], r["article"]["slug"]) for r in listed] == [(review["id"], SLUG)]
    assert client.get("/api/v1/doctor/medical-reviews", headers=world["oth"]).json == []
    done = client.post(f"/api/v1/doctor/medical-reviews/{review['id']}/confirm", headers=world["doc"])
    assert done.status_code == 200 and done.json["status"] == "confirmed" and done.json["reviewed_on"] == "2026-03-02"
    article = client.get(f"/api/v1/articles/{SLUG}").json
    assert article["reviewer"]["full_name"] == "Dr. Rhea Reviewer" and article["reviewed_on"] == "2026-03-02"
    error_of(client.post(f"/api/v1/doctor/medical-reviews/{review['id']}/confirm", headers=world["doc"]), 409)


def test_only_the_assigned_doctor_decides(client, world):
    review = assign(client, world)
    for headers in (world["oth"], world["mod"], bearer(make_user())):
        error_of(client.post(f"/api/v1/doctor/medical-reviews/{review['id']}/confirm", headers=headers), 403)
        error_of(client.post(f"/api/v1/doctor/medical-reviews/{review['id']}/decline", json={},
                             headers=headers), 403)
    error_of(client.post("/api/v1/doctor/medical-reviews/999999/confirm", headers=world["doc"]), 404)
    error_of(client.get("/api/v1/doctor/medical-reviews", headers=world["mod"]), 403)
    assert client.get(f"/api/v1/articles/{SLUG}").json["reviewer"] is None


def test_decline_with_a_note_and_bad_input(client, world):
    review = assign(client, world)
    url = f"/api/v1/doctor/medical-reviews/{review['id']}/decline"
    assert "note" in error_of(client.post(url, json={"note": "x" * 501}, headers=world["doc"]), 422)["fields"]
    declined = client.post(url, json={"note": "Outside my field."}, headers=world["doc"])
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    assert declined.json["note"] == "Outside my field."
    assert client.get(f"/api/v1/articles/{SLUG}").json["reviewer"] is None
    assert client.get("/api/v1/doctor/medical-reviews", headers=world["doc"]).json == []


def test_assigning_refuses_an_unverified_doctor_and_members(client, world):
    from forum.models import VerificationStatus
    pending = make_doctor(status=VerificationStatus.PENDING)
    body = error_of(client.post(f"/api/v1/articles/{SLUG}/review", json={"reviewer_id": pending.doctor_profile.id},
                                headers=world["mod"]), 422)
    assert "reviewer_id" in body["fields"]
    error_of(client.post(f"/api/v1/articles/{SLUG}/review", json={"reviewer_id": world["profile_id"]},
                         headers=world["doc"]), 403)


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/doctor/medical-reviews", "/api/v1/doctor/medical-reviews/{medical_review_id}/confirm",
                 "/api/v1/doctor/medical-reviews/{medical_review_id}/decline"):
        assert path in paths
