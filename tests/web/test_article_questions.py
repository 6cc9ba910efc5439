"""The reference post page lists the answered questions on its subjects, most helpful first, and a
visitor's cached copy of the page follows new answers."""
from __future__ import annotations

import re

import pytest

from forum.services import answers
from forum.services.seed import load_seed
from tests.factories import make_doctor
from tests.services.test_article_questions import MAGAZINE, SEED, build_world

PAGE = f"/articles/{MAGAZINE}"


@pytest.fixture
def world(app, frozen_clock):
    return build_world(frozen_clock)


def listed_titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    section = re.search(r'data-testid="answered-questions">(.*?)</section>', html, re.S)
    return re.findall(r'<a href="/questions/\d+/[^"]+">([^<]+)</a>', section.group(1)) if section else []


def test_the_post_lists_answered_questions_with_links_and_helpful_votes(client, world):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert listed_titles(response) == [world[name].title for name in ("peel", "newer_tie", "older_tie", "no_votes")]
    html = response.get_data(as_text=True)
    peel = world["peel"]
    assert f'href="/questions/{peel.id}/{peel.slug}"' in html and "3 helpful votes" in html
    for name in ("unanswered", "hidden", "answer_hidden", "off_subject"):
        assert world[name].title not in html, name


def test_a_new_answer_reaches_a_visitors_cached_page(app, client, world):
    app.config["PAGE_CACHE_SECONDS"] = 60
    assert world["unanswered"].title not in listed_titles(client.get(PAGE))
    assert world["unanswered"].title not in listed_titles(client.get(PAGE))  # served from the page cache
    answers.post_answer(make_doctor(), question_id=world["unanswered"].id,
                        body="A doctor's answer long enough to be posted on the forum.")
    assert world["unanswered"].title in listed_titles(client.get(PAGE))


def test_a_post_whose_subjects_have_no_answered_questions_shows_no_list(client, app):
    load_seed(SEED)
    response = client.get(PAGE)
    assert response.status_code == 200 and 'data-testid="answered-questions"' not in response.get_data(as_text=True)
