"""Reference API: public reads with cursor pagination, moderator-only writes, the same rules."""
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ModerationLog
from forum.services.seed import load_seed
from tests.factories import make_moderator, make_user, mint_token

SEED = Path(__file__).resolve().parents[2] / "seed"


@pytest.fixture
def seeded(app):
    load_seed(SEED)


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {mint_token(user, 'test')}"}


ARTICLE = {"title": "An API-written draft post", "summary": "Summary of the API-written draft.",
           "body": "Body text of the API-written draft.", "author_name": "Editorial team",
           "topics": ["acne"], "treatments": ["topical-retinoids"]}


def test_topics_and_treatments_are_public_with_facts_and_sources(client, seeded):
    topics = client.get("/api/v1/topics").json
    assert len(topics) == 17 and {"slug", "name", "kind", "description"} <= set(topics[0])
    botox = client.get("/api/v1/treatments/micro-botox").json
    assert botox["cost_min"] == 500 and botox["cost_currency"] == "USD"
    assert botox["sources"] and all("publication" in s for s in botox["sources"])
    assert client.get("/api/v1/topics/acne").json["name"]


def test_articles_paginate_with_a_cursor(client, seeded):
    first = client.get("/api/v1/articles?limit=1").json
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(f"/api/v1/articles?limit=1&cursor={first['next_cursor']}").json
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert first["items"][0]["slug"] != second["items"][0]["slug"]
    assert client.get("/api/v1/articles?limit=500").status_code == 422


def test_moderator_writes_publishes_and_reviews_through_the_api(client, seeded):
    headers = bearer(make_moderator())
    created = client.post("/api/v1/articles", json=ARTICLE, headers=headers)
    assert created.status_code == 201 and created.json["status"] == "draft"
    slug = created.json["slug"]
    assert client.get(f"/api/v1/articles/{slug}").status_code == 404
    assert client.get(f"/api/v1/articles/{slug}", headers=headers).status_code == 200
    published = client.post(f"/api/v1/articles/{slug}/publish", json={"reason": "Checked"}, headers=headers)
    assert published.status_code == 200 and published.json["status"] == "published"
    assert client.post(f"/api/v1/articles/{slug}/publish", json={}, headers=headers).status_code == 409
    assert client.get(f"/api/v1/articles/{slug}").json["title"] == ARTICLE["title"]
    actions = [e.action for e in db.session.scalars(select(ModerationLog).order_by(ModerationLog.id))]
    assert actions == ["article.create", "article.publish"]


def test_writes_are_refused_to_members_and_anonymous_callers(client, seeded):
    assert client.post("/api/v1/articles", json=ARTICLE).status_code == 401
    member = bearer(make_user())
    assert client.post("/api/v1/articles", json=ARTICLE, headers=member).status_code == 403
    assert client.put("/api/v1/topics/acne", json={"name": "Hacked"}, headers=member).status_code == 403
    assert client.get("/api/v1/topics/acne").json["name"] != "Hacked"


def test_bad_article_input_is_422_with_fields_and_stores_nothing(client, seeded):
    headers = bearer(make_moderator())
    response = client.post("/api/v1/articles", json={**ARTICLE, "title": "short", "treatments": ["nope"],
                                                     "status": "published"}, headers=headers)
    assert response.status_code == 422
    assert {"title", "status"} <= set(response.json["error"]["fields"])
    response = client.post("/api/v1/articles", json={**ARTICLE, "treatments": ["nope"]}, headers=headers)
    assert response.status_code == 422 and "treatments" in response.json["error"]["fields"]
    assert client.get("/api/v1/articles", headers=headers).json["items"].__len__() == 2


def test_reference_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/topics", "/api/v1/treatments/{slug}", "/api/v1/articles", "/api/v1/articles/{slug}/publish",
                 "/api/v1/articles/{slug}/review"):
        assert path in paths
