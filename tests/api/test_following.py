"""Following API: PUT and DELETE /api/v1/following/<kind>/<id> (idempotent, 204) and GET
/api/v1/following (what I follow, with names and page addresses); refusals in JSON."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Subscription, Treatment, UserStatus, VerificationStatus
from forum.text import slugify
from tests.api.helpers import error_of
from tests.following_helpers import add_subjects, topic
from tests.factories import make_doctor, make_user


@pytest.fixture(autouse=True)
def subjects(app):
    add_subjects()


def subscriptions() -> int:
    return db.session.scalar(select(func.count()).select_from(Subscription))


def test_put_and_delete_are_idempotent(client, bearer):
    headers = bearer(make_user())
    url = f"/api/v1/following/topic/{topic().id}"
    for _ in range(2):
        response = client.put(url, headers=headers)
        assert response.status_code == 204 and subscriptions() == 1
    for _ in range(2):
        response = client.delete(url, headers=headers)
        assert response.status_code == 204 and subscriptions() == 0


def test_get_lists_what_i_follow_with_names_and_urls(client, bearer):
    member = make_user()
    doctor = make_doctor(full_name="Dr. Ana Silva").doctor_profile
    peel = db.session.scalar(select(Treatment).where(Treatment.slug == "chemical-peel"))
    headers = bearer(member)
    for kind, target_id in [("topic", topic("enlarged-pores").id), ("topic", topic("acne-scars").id),
                            ("treatment", peel.id), ("doctor", doctor.id)]:
        assert client.put(f"/api/v1/following/{kind}/{target_id}", headers=headers).status_code == 204
    body = client.get("/api/v1/following", headers=headers).get_json()
    assert body == {
        "topics": [{"id": topic("acne-scars").id, "name": "Acne scars", "url": "/topics/acne-scars"},
                   {"id": topic().id, "name": "Enlarged pores", "url": "/topics/enlarged-pores"}],
        "treatments": [{"id": peel.id, "name": "Chemical peel", "url": "/treatments/chemical-peel"}],
        "doctors": [{"id": doctor.id, "name": "Dr. Ana Silva",
                     "url": f"/doctors/{doctor.id}/{slugify('Dr. Ana Silva')}"}]}


def test_nothing_followed_gives_empty_lists(client, bearer):
    body = client.get("/api/v1/following", headers=bearer(make_user())).get_json()
    assert body == {"topics": [], "treatments": [], "doctors": []}


def test_unknown_kind_unknown_id_and_unverified_doctor_are_not_found(client, bearer):
    headers = bearer(make_user())
    error_of(client.put("/api/v1/following/question/1", headers=headers), 404)
    error_of(client.put("/api/v1/following/topic/999999", headers=headers), 404)
    error_of(client.put("/api/v1/following/topic/99999999999999", headers=headers), 404)
    pending = make_doctor(status=VerificationStatus.PENDING).doctor_profile
    error_of(client.put(f"/api/v1/following/doctor/{pending.id}", headers=headers), 404)
    assert subscriptions() == 0


def test_visitors_and_suspended_accounts_are_refused(client, bearer):
    error_of(client.put(f"/api/v1/following/topic/{topic().id}"), 401)
    error_of(client.get("/api/v1/following"), 401)
    suspended = make_user()
    headers = bearer(suspended)
    suspended.status = UserStatus.SUSPENDED
    db.session.commit()
    response = client.put(f"/api/v1/following/topic/{topic().id}", headers=headers)
    assert response.status_code in (401, 403) and subscriptions() == 0
