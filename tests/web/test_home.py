"""The home page: a labelled search box, the "Ask a doctor" call to action, featured treatments
and recently answered questions, at a fixed query cost."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from forum.services import answers, questions, stats
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_user
from tests.web.html import text

SEED = Path(__file__).resolve().parents[2] / "seed"


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def ask(n: int, answered: bool = True):
    question = questions.ask_question(make_user(), title=f"Will microneedling soften my acne scars, case {n}?",
                                      body="I have shallow acne scars on both cheeks. Is microneedling worth trying?",
                                      topics=["acne"], treatments=["microneedling"]).question
    if answered:
        answers.post_answer(make_doctor(), question_id=question.id, body=f"It can soften shallow scars, case {n}.")
    return question


def section(page: str, testid: str) -> str:
    match = re.search(rf'<(section|form)[^>]*data-testid="{testid}".*?</\1>', page, re.S)
    assert match, testid
    return match.group(0)


def test_the_search_box_is_labelled_and_goes_to_the_search_page(client):
    form = section(client.get("/").get_data(as_text=True), "home-search")
    assert 'method="get"' in form and 'action="/search"' in form
    field_id = re.search(r'<input id="([^"]+)" name="q" type="search"', form).group(1)
    assert f'<label for="{field_id}">' in form
    assert client.get("/search?q=microneedling").status_code == 200


def test_ask_a_doctor_leads_to_the_ask_form_through_log_in(client, browser):
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'<a class="button" href="([^"]+)" data-testid="ask-cta">Ask a doctor</a>', page)
    assert link and link.group(1) == "/questions/ask"
    response = client.get(link.group(1))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    browser.login(make_user())
    assert "<h1" in client.get(link.group(1)).get_data(as_text=True)
    assert client.get(link.group(1)).status_code == 200


def test_featured_treatments_link_to_their_pages(client):
    featured = section(client.get("/").get_data(as_text=True), "featured-treatments")
    slugs = re.findall(r'href="/treatments/([a-z0-9-]+)"', featured)
    assert slugs[:2] == ["microneedling", "fractional-non-ablative-laser"] and 3 <= len(slugs) <= 6
    assert "Microneedling" in featured and 'href="/treatments"' in featured
    for slug in slugs:
        assert client.get(f"/treatments/{slug}").status_code == 200


def test_recently_answered_questions_are_listed_newest_activity_first(client):
    older, unanswered, newer = ask(1), ask(2, answered=False), ask(3)
    recent = section(text(client.get("/")), "recent-answered")
    assert newer.title in recent and older.title in recent and unanswered.title not in recent
    assert recent.index(newer.title) < recent.index(older.title)
    assert "1 doctor answer ·" in recent and "1 doctor answers" not in recent
    assert re.search(r'<article class="card question-row">\s*<h3>', recent)  # under the section's h2


def test_an_empty_site_still_offers_a_first_question(client):
    recent = section(client.get("/").get_data(as_text=True), "recent-answered")
    assert "No answered questions yet" in recent and 'href="/questions/ask"' in recent


def test_counts_read_in_the_singular_for_one(client):
    ask(1)
    stats.refresh_all()
    page = text(client.get("/"))
    assert re.search(r'stat-doctor-answers">1</strong> doctor answer</div>', page)
    assert re.search(r'stat-verified-doctors">1</strong> verified doctor</div>', page)


def test_one_h1_and_no_heading_jumps(client):
    ask(1)
    levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", client.get("/").get_data(as_text=True))]
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_the_home_page_costs_the_same_queries_with_more_content(app, client, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0

    def statements() -> int:
        client.get("/")
        with count_queries() as q:
            assert client.get("/").status_code == 200
        return q.count
    ask(1)
    stats.refresh_all()
    few = statements()
    for n in range(2, 9):
        ask(n)
    stats.refresh_all()
    assert statements() == few
