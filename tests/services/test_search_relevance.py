"""The search relevance set (tests/data/search_relevance.toml): everyday words, synonyms,
typos, unfinished words, accents, phrases and exclusions, each with the result that must be in
the top three on the demo data. One test runs the whole set on each engine and reports the
top-1 and top-3 hit rates (printed with `pytest -s`)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from forum.services import search
from forum.services.seed import load_seed

CASES = tomllib.loads((Path(__file__).resolve().parents[1] / "data" / "search_relevance.toml").read_text())["case"]


def _matches(hit, expected: str) -> bool:
    kind, _, name = expected.partition(": ")
    if kind == "question":
        return hit.kind in ("question", "answer") and hit.title.startswith(name)
    return hit.kind == kind and hit.url.rsplit("/", 1)[-1] == name


def test_the_set_is_big_and_varied_enough():
    assert len(CASES) >= 40
    assert len({case["query"].casefold() for case in CASES}) == len(CASES)
    assert {case["expect"].partition(":")[0] for case in CASES} == {"question", "article", "treatment", "topic"}


@pytest.fixture
def demo(app):
    load_seed(app.config["SEED_PATH"], demo=True)


def test_every_query_finds_its_result_in_the_top_three(demo, capsys):
    positions, missed = {}, []
    for case in CASES:
        hits = search.search(case["query"], limit=10).hits
        found = [n for n, hit in enumerate(hits, start=1) if _matches(hit, case["expect"])]
        positions[case["query"]] = found[0] if found else None
        if not found or found[0] > 3:
            missed.append(f"{case['query']!r} -> {case['expect']!r} at {found[0] if found else 'none'}; got "
                          + "; ".join(f"{h.kind}: {h.title[:50]}" for h in hits[:3]))
    top1 = sum(p == 1 for p in positions.values())
    top3 = sum(p is not None and p <= 3 for p in positions.values())
    with capsys.disabled():
        print(f"\nsearch relevance: top-1 {top1}/{len(CASES)} ({top1 / len(CASES):.0%}), "
              f"top-3 {top3}/{len(CASES)} ({top3 / len(CASES):.0%})")
    assert not missed, "\n".join(missed)
