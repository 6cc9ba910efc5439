"""The search page and the search API as people use them: counts, next pages, "Did you mean",
corrected results, some-words results, the empty state, reference pages among results, and
filters; bad input is a 422 with a plain message."""
from __future__ import annotations

import re

import pytest

from forum.services import questions, stats
from forum.services.seed import load_seed
from tests.factories import make_user


@pytest.fixture
def asker(app):
    load_seed(app.config["SEED_PATH"])
    return make_user()


def ask(asker, title: str, topics=("acne",)):
    return questions.ask_question(asker, title=title, body="Details of what I tried and for how long.",
                                  topics=list(topics), treatments=[]).question


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_results_show_a_count_and_a_next_page_link(client, asker):
    for n in range(23):
        ask(asker, f"Zinc oxide question number {n}")
    first = page(client, "/search?q=zinc")
    assert "23 results" in first and first.count('data-testid="search-hit"') == 20
    next_link = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = page(client, next_link)
    assert second.count('data-testid="search-hit"') == 3 and 'rel="next"' not in second


def test_the_api_pages_with_the_same_cursor(client, asker):
    for n in range(7):
        ask(asker, f"Zinc oxide question number {n}")
    body = client.get("/api/v1/search?q=zinc&limit=5").get_json()
    assert (body["total"], body["estimated"], len(body["items"])) == (7, False, 5) and body["next_cursor"]
    rest = client.get(f"/api/v1/search?q=zinc&limit=5&cursor={body['next_cursor']}").get_json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    assert {h["url"] for h in body["items"]}.isdisjoint({h["url"] for h in rest["items"]})


def test_a_bad_cursor_is_a_422_with_a_message(client, asker):
    ask(asker, "Zinc oxide question")
    response = client.get("/search?q=zinc&cursor=WzEsMiwzXQ")
    assert response.status_code == 422 and "page link is not valid" in response.get_data(as_text=True)
    response = client.get("/api/v1/search?q=zinc&cursor=nonsense")
    assert response.status_code == 422 and "Not a valid cursor." in response.get_data(as_text=True)


def test_a_typo_shows_results_for_the_correction_and_says_so(client, asker):
    wanted = ask(asker, "Spironolactone and potassium levels")
    html = page(client, "/search?q=spironolactne+potassium")
    assert 'data-testid="corrected"' in html and "spironolactone potassium" in html
    assert f'href="/questions/{wanted.id}"' in html
    api = client.get("/api/v1/search?q=spironolactne+potassium").get_json()
    assert api["corrected_from"] == "spironolactne potassium" and api["suggestion"] == "spironolactone potassium"


def test_no_result_with_every_word_shows_some_words_and_says_so(client, asker):
    wanted = ask(asker, "Spironolactone and potassium levels")
    html = page(client, "/search?q=spironolactone+quasarwaffle")
    assert 'data-testid="loose"' in html and f'href="/questions/{wanted.id}"' in html
    assert client.get("/api/v1/search?q=spironolactone+quasarwaffle").get_json()["partial_match"] is True


def test_nothing_found_offers_popular_topics_treatments_and_asking(client, asker):
    ask(asker, "Zinc oxide question", topics=["oily-skin"])
    stats.refresh_all()
    html = page(client, "/search?q=xyzzyplugh")
    assert "0 results" in html and 'data-testid="search-start"' in html
    assert 'href="/topics/oily-skin"' in html and 'href="/treatments/' in html and 'href="/questions/ask"' in html
    empty = page(client, "/search")
    assert 'data-testid="search-start"' in empty and "result" not in empty.split('data-testid="search-start"')[0][-200:]


def test_treatments_and_topics_appear_and_filter(client, asker):
    html = page(client, "/search?q=Fraxel")
    assert 'href="/treatments/fractional-non-ablative-laser"' in html and "Treatment" in html
    html = page(client, "/search?q=acne&kind=topic")
    assert 'href="/topics/acne"' in html and 'href="/questions/' not in html


def test_the_page_says_which_common_words_it_left_out(client, asker):
    ask(asker, "Salicylic acid twice a day")
    assert "common words left out: what, do, you" in page(client, "/search?q=what+do+you+say+salicylic")


def test_snippets_escape_what_people_wrote(client, asker):
    questions.ask_question(asker, title="Retinol & <b>pores</b> worth it?", body="Does <script>x</script> retinol "
                           "**really** tighten pores?", topics=["acne"], treatments=[])
    html = page(client, "/search?q=retinol+tighten&kind=question")
    assert "<script>x" not in html and "<b>pores" not in html and "**" not in html and "<mark>tighten</mark>" in html


def test_the_search_box_suggests_as_you_type(client, asker):
    html = page(client, "/search")
    assert re.search(r'src="/static/js/search\.[0-9a-f]{12}\.js"', html) and 'id="search-suggestions"' in html
    script = ""
    for name in ("suggest.js", "search.js"):
        response = client.get(f"/static/js/{name}")
        script += response.get_data(as_text=True)
        response.close()
    assert "/api/v1/search?limit=5&q=" in script and "textContent" in script and "innerHTML" not in script


def test_the_next_page_of_corrected_results_follows_the_correction(client, asker):
    for n in range(22):
        ask(asker, f"Spironolactone and potassium levels, case {n}")
    first = page(client, "/search?q=spironolactne+potassium")
    next_link = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "q=spironolactone+potassium" in next_link
    assert page(client, next_link).count('data-testid="search-hit"') == 2
