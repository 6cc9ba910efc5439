"""The API's reference post carries the answered questions on its subjects, most helpful first."""
from __future__ import annotations

import pytest

from tests.services.test_article_questions import MAGAZINE, build_world


@pytest.fixture
def world(app, frozen_clock):
    return build_world(frozen_clock)


def test_the_post_carries_its_answered_questions_in_order(client, world):
    body = client.get(f"/api/v1/articles/{MAGAZINE}").json
    listed = body["answered_questions"]
    assert [q["id"] for q in listed] == [world[n].id for n in ("peel", "newer_tie", "older_tie", "no_votes")]
    peel = world["peel"]
    assert listed[0] == {"id": peel.id, "title": peel.title, "url": f"/questions/{peel.id}/{peel.slug}",
                         "answer_count": 1, "helpful_count": 3}
    assert body["title"] and body["sources"]  # the rest of the post is unchanged


def test_hidden_and_unanswered_questions_are_not_in_the_api_either(client, world):
    ids = {q["id"] for q in client.get(f"/api/v1/articles/{MAGAZINE}").json["answered_questions"]}
    assert not ids & {world[n].id for n in ("unanswered", "hidden", "answer_hidden", "off_subject")}


def test_the_post_list_stays_light(client, world):
    items = client.get("/api/v1/articles").json["items"]
    assert items and all("answered_questions" not in item for item in items)
