"""Search service on SQLite FTS5 and PostgreSQL tsvector alike: ranked hits over questions,
answers and reference posts with highlighted snippets; filters; hidden content never appears;
hostile query strings never raise."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Article, ArticleStatus, SearchDocument
from forum.services import answers, questions, search, search_index, search_query
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"

HOSTILE = [
    '"', '""', '"unbalanced', "'", "it's", "pores' OR 1=1 --", "pores AND", "OR", "AND NOT", "NEAR(pores retinol)",
    "NEAR", "pores NEAR/3 retinol", "*", "pore*", "^pores", "pores^2", "(", ")", "((pores)", "title:pores",
    "body:", "{title body}: pores", "-pores", "+pores", "pores -acne", "a:b:c", "\\", "%", "_", "pores%' --",
    ":", "!", "&", "|", "<->", "pores <-> acne", "pores & !acne", "pores | acne", "!!", "@@", "$$", ";",
    "😀", "pores 😀 🔥", "👩🏽‍⚕️", "مسام كبيرة", "עור שמן", "\u202eserop", "\u200b", "\u200d\u200c", "\ufeffpores",
    "ＰＯＲＥＳ", "ﬁller", "Zürich café naïve", "ǅ", "ß", "İstanbul", "\u0301\u0301", "𝔭𝔬𝔯𝔢𝔰", "\U0010fffd",
    "x" * 100, "pneumonoultramicroscopicsilicovolcanoconiosis" * 2, " ".join(["pores"] * 50),
    "pores\x00acne", "\x00", "\t\n\r", "\x1b[31m", "NULL", "null", "undefined", "<script>alert(1)</script>",
]


@pytest.fixture(autouse=True)
def content(app):
    """Two published reference posts from the seed, one question, one answer."""
    load_seed(SEED)
    asker, doctor = make_user(), make_doctor()
    question = questions.ask_question(
        asker, title="Can microneedling shrink enlarged pores on my nose?",
        body="My pores are large and I wonder whether a few microneedling sessions would help.",
        topics=["enlarged-pores"], treatments=["microneedling"]).question
    other = questions.ask_question(
        asker, title="Is spironolactone safe for hormonal acne?",
        body="My dermatologist suggested spironolactone for jawline breakouts; what are the risks?",
        topics=["acne"], treatments=["spironolactone"]).question
    answer = answers.post_answer(doctor, question_id=question.id,
                                 body="Collagen induction therapy with a cryotherapy softens scarring; "
                                      "expect modest results after three sessions.")
    return {"question": question, "other": other, "answer": answer, "asker": asker, "doctor": doctor}


def find(query: str, **filters) -> list:
    return search.search(query, **filters).hits


def kinds(hits) -> set[str]:
    return {h.kind for h in hits}


def test_finds_questions_answers_and_articles(content):
    hits = find("pores")
    assert {"question", "article"} <= kinds(hits)
    assert content["question"].id in [h.ref_id for h in hits if h.kind == "question"]
    assert content["other"].id not in [h.question_id for h in hits]
    (hit,) = find("cryotherapy")
    assert (hit.kind, hit.ref_id, hit.question_id) == ("answer", content["answer"].id, content["question"].id)
    assert hit.url == f"/questions/{content['question'].id}#answer-{content['answer'].id}"


def test_an_article_hit_links_to_the_article():
    hits = find("pores", kind="article")
    slugs = set(db.session.scalars(select(Article.slug)))
    assert hits and all(h.url.removeprefix("/articles/") in slugs for h in hits)


def test_snippets_highlight_the_matches_and_escape_the_rest(content):
    asker = content["asker"]
    questions.ask_question(asker, title="Retinol & <b>pores</b>: worth it?",
                           body="Does <script>alert(1)</script> retinol tighten pores over months of use?",
                           topics=["retinoids"], treatments=[])
    (hit,) = find("retinol tighten", kind="question")
    snippet = str(hit.snippet)
    assert "<mark>" in snippet and "</mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet  # escaped (SQLite) or dropped (PostgreSQL)
    marked = snippet.split("<mark>")[1].split("</mark>")[0]
    assert marked.lower().startswith(("retinol", "tighten"))


def test_every_word_must_match(content):
    assert find("spironolactone jawline")
    results = search.search("spironolactone cryotherapy")  # no result has both: some words are shown, and said
    assert results.loose and results.exact == 0 and results.hits
    assert not any("cryotherapy" in str(h.snippet) and "spironolactone" in str(h.snippet) for h in results.hits)


def test_words_match_whatever_their_case():
    assert find("MICRONEEDLING", kind="question") == find("microneedling", kind="question") != []


@pytest.mark.parametrize("kind, query", [("question", "pores"), ("article", "pores"), ("answer", "sessions")])
def test_filter_by_kind(kind, query):
    assert len(kinds(find(query))) > 1
    hits = find(query, kind=kind)
    assert hits and kinds(hits) == {kind}


def test_filter_by_topic(content):
    assert [h.ref_id for h in find("pores", kind="question", topic="enlarged-pores")] == [content["question"].id]
    assert find("pores", kind="question", topic="acne") == []
    assert [h.ref_id for h in find("spironolactone", kind="question", topic="acne")] == [content["other"].id]
    assert find("pores", topic="enlarged") == []  # whole slugs only


def test_a_hidden_question_and_its_answers_never_appear(content):
    question = content["question"]
    question.hidden = True
    search_index.index_question(question)
    db.session.commit()
    assert content["question"].id not in [h.question_id for h in find("microneedling")]
    assert content["question"].id not in [h.question_id for h in find("cryotherapy")]


def test_unhiding_a_question_brings_back_it_and_its_answers(content):
    question = content["question"]
    question.hidden = True
    search_index.index_question(question)
    db.session.commit()
    question.hidden = False
    search_index.index_question(question)
    db.session.commit()
    assert [h.ref_id for h in find("microneedling", kind="question")] == [question.id]
    assert [h.ref_id for h in find("cryotherapy")] == [content["answer"].id]


def test_a_hidden_answer_never_appears(content):
    answer = content["answer"]
    answer.hidden = True
    search_index.index_answer(answer)
    db.session.commit()
    assert answer.id not in [h.ref_id for h in find("cryotherapy") if h.kind == "answer"]
    assert find("microneedling", kind="question")


def test_a_draft_article_never_appears():
    article = db.session.scalars(select(Article)).first()
    article.status = ArticleStatus.DRAFT
    search_index.index_article(article)
    db.session.commit()
    assert article.id not in [h.ref_id for h in find("pores", kind="article")]


def test_an_edit_reaches_the_index_at_once(content):
    question = content["question"]
    questions.edit_question(content["asker"], question_id=question.id, title="Will fractional laser help my pores?",
                            body="Thinking about fractional laser resurfacing for pores on my cheeks.",
                            topics=["lasers"], treatments=[])
    assert [h.ref_id for h in find("fractional", kind="question")] == [question.id]
    assert find("microneedling", kind="question") == []
    assert find("fractional", kind="question", topic="lasers")
    assert find("fractional", kind="question", topic="enlarged-pores") == []
    answers.edit_answer(content["doctor"], answer_id=content["answer"].id,
                        body="Edited: a fractional laser softens scarring more than a cryotherapy does.")
    assert find("cryotherapy", kind="answer")[0].ref_id == content["answer"].id
    assert find("collagen", kind="answer") == []


def test_the_index_keeps_one_document_per_item(content):
    questions.edit_question(content["asker"], question_id=content["question"].id, title=content["question"].title,
                            body=content["question"].body, topics=["enlarged-pores"], treatments=[])
    rows = db.session.execute(select(SearchDocument.kind, SearchDocument.ref_id, SearchDocument.language)).all()
    assert len(rows) == len(set(rows))
    assert len({(kind, ref_id) for kind, ref_id, language in rows if kind in ("question", "answer")}) == \
        len([1 for kind, *_rest in rows if kind in ("question", "answer")])


def test_the_limit_caps_the_hits(content):
    for i in range(5):
        questions.ask_question(content["asker"], title=f"Another question about pores, number {i}",
                               body="Yet another question about enlarged pores and what to do.",
                               topics=["enlarged-pores"], treatments=[])
    assert len(find("pores", kind="question", limit=3)) == 3


def test_similar_questions_suggest_up_to_five(content):
    for i in range(7):
        questions.ask_question(content["asker"], title=f"Pores on my chin keep getting bigger, case {i}",
                               body="The pores on my chin keep getting bigger. What can I do?",
                               topics=["enlarged-pores"], treatments=[])
    similar = questions.similar_questions("pores chin")
    assert len(similar) == 5 and all(h.kind == "question" for h in similar)


def test_hostile_queries_never_raise():
    for query in HOSTILE:  # one loop, not one test each: the setup (schema + seed) dominates the time
        for kind, topic in ((None, None), ("question", "enlarged-pores"), ("answer", "acne"), ("treatment", None)):
            results = search.search(query, kind=kind, topic=topic)
            assert isinstance(results.hits, list) and results.total >= len(results.hits), query
        assert isinstance(questions.similar_questions(query), list), query


def test_words_survive_the_operators_around_them(content):
    assert find('"microneedling" (nose) ^pores* -', kind="question")  # reduced to plain words
    labels = [item.label for item in search_query.parse('NEAR(spots scar) "c d" e* ^f').items]
    assert labels == ["near", "spots", "scar", "c d", "e", "f"]
    assert not search_query.parse("\x00\x01") and not search_query.parse("") and not search_query.parse(None)
