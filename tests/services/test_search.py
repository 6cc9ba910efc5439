"""Search service on SQLite FTS5 and PostgreSQL tsvector alike: ranked hits over questions,
answers and reference posts with highlighted snippets; filters; hidden content never appears;
hostile query strings never raise."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Article, ArticleStatus, SearchDocument
from forum.services import answers, questions, search
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
                                 body="Collagen induction therapy with a dermaroller softens scarring; "
                                      "expect modest results after three sessions.")
    return {"question": question, "other": other, "answer": answer, "asker": asker, "doctor": doctor}


def kinds(hits) -> set[str]:
    return {h.kind for h in hits}


def test_finds_questions_answers_and_articles(content):
    hits = search.search("pores")
    assert {"question", "article"} <= kinds(hits)
    assert content["question"].id in [h.ref_id for h in hits if h.kind == "question"]
    assert content["other"].id not in [h.question_id for h in hits]
    (hit,) = search.search("dermaroller")
    assert (hit.kind, hit.ref_id, hit.question_id) == ("answer", content["answer"].id, content["question"].id)
    assert hit.url == f"/questions/{content['question'].id}#answer-{content['answer'].id}"


def test_an_article_hit_links_to_the_article():
    hits = search.search("pores", kind="article")
    slugs = set(db.session.scalars(select(Article.slug)))
    assert hits and all(h.url.removeprefix("/articles/") in slugs for h in hits)


def test_snippets_highlight_the_matches_and_escape_the_rest(content):
    asker = content["asker"]
    questions.ask_question(asker, title="Retinol & <b>pores</b>: worth it?",
                           body="Does <script>alert(1)</script> retinol tighten pores over months of use?",
                           topics=["retinoids"], treatments=[])
    (hit,) = search.search("retinol tighten", kind="question")
    snippet = str(hit.snippet)
    assert "<mark>" in snippet and "</mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet  # escaped (SQLite) or dropped (PostgreSQL)
    marked = snippet.split("<mark>")[1].split("</mark>")[0]
    assert marked.lower().startswith(("retinol", "tighten"))


def test_every_word_must_match(content):
    assert search.search("spironolactone jawline")
    assert search.search("spironolactone dermaroller") == []


def test_words_match_whatever_their_case():
    assert search.search("MICRONEEDLING", kind="question") == search.search("microneedling", kind="question") != []


@pytest.mark.parametrize("kind, query", [("question", "pores"), ("article", "pores"), ("answer", "sessions")])
def test_filter_by_kind(kind, query):
    assert len(kinds(search.search(query))) > 1
    hits = search.search(query, kind=kind)
    assert hits and kinds(hits) == {kind}


def test_filter_by_topic(content):
    assert [h.ref_id for h in search.search("pores", kind="question", topic="enlarged-pores")] == [content["question"].id]
    assert search.search("pores", kind="question", topic="acne") == []
    assert [h.ref_id for h in search.search("spironolactone", kind="question", topic="acne")] == [content["other"].id]
    assert search.search("pores", topic="enlarged") == []  # whole slugs only


def test_a_hidden_question_and_its_answers_never_appear(content):
    question = content["question"]
    question.hidden = True
    search.index_question(question)
    db.session.commit()
    assert content["question"].id not in [h.question_id for h in search.search("microneedling")]
    assert search.search("dermaroller") == []


def test_unhiding_a_question_brings_back_it_and_its_answers(content):
    question = content["question"]
    question.hidden = True
    search.index_question(question)
    db.session.commit()
    question.hidden = False
    search.index_question(question)
    db.session.commit()
    assert [h.ref_id for h in search.search("microneedling", kind="question")] == [question.id]
    assert [h.ref_id for h in search.search("dermaroller")] == [content["answer"].id]


def test_a_hidden_answer_never_appears(content):
    answer = content["answer"]
    answer.hidden = True
    search.index_answer(answer)
    db.session.commit()
    assert search.search("dermaroller") == []
    assert search.search("microneedling", kind="question")


def test_a_draft_article_never_appears():
    article = db.session.scalars(select(Article)).first()
    article.status = ArticleStatus.DRAFT
    search.index_article(article)
    db.session.commit()
    assert article.id not in [h.ref_id for h in search.search("pores", kind="article")]


def test_an_edit_reaches_the_index_at_once(content):
    question = content["question"]
    questions.edit_question(content["asker"], question_id=question.id, title="Will fractional laser help my pores?",
                            body="Thinking about fractional laser resurfacing for pores on my cheeks.",
                            topics=["lasers"], treatments=[])
    assert [h.ref_id for h in search.search("fractional", kind="question")] == [question.id]
    assert search.search("microneedling", kind="question") == []
    assert search.search("fractional", kind="question", topic="lasers")
    assert search.search("fractional", kind="question", topic="enlarged-pores") == []
    answers.edit_answer(content["doctor"], answer_id=content["answer"].id,
                        body="Edited: a fractional laser softens scarring more than a dermaroller does.")
    assert search.search("dermaroller", kind="answer")[0].ref_id == content["answer"].id
    assert search.search("collagen", kind="answer") == []


def test_the_index_keeps_one_document_per_item(content):
    questions.edit_question(content["asker"], question_id=content["question"].id, title=content["question"].title,
                            body=content["question"].body, topics=["enlarged-pores"], treatments=[])
    rows = db.session.execute(select(SearchDocument.kind, SearchDocument.ref_id)).all()
    assert len(rows) == len(set(rows))


def test_the_limit_caps_the_hits(content):
    for i in range(5):
        questions.ask_question(content["asker"], title=f"Another question about pores, number {i}",
                               body="Yet another question about enlarged pores and what to do.",
                               topics=["enlarged-pores"], treatments=[])
    assert len(search.search("pores", kind="question", limit=3)) == 3


def test_similar_questions_suggest_up_to_five(content):
    for i in range(7):
        questions.ask_question(content["asker"], title=f"Pores on my chin keep getting bigger, case {i}",
                               body="The pores on my chin keep getting bigger. What can I do?",
                               topics=["enlarged-pores"], treatments=[])
    similar = questions.similar_questions("pores chin")
    assert len(similar) == 5 and all(h.kind == "question" for h in similar)


def test_hostile_queries_never_raise():
    for query in HOSTILE:  # one loop, not one test each: the setup (schema + seed) dominates the time
        for kind, topic, match_any in ((None, None, False), ("question", "enlarged-pores", False),
                                       ("answer", "acne", False), ("article", None, True)):
            hits = search.search(query, kind=kind, topic=topic, match_any=match_any)
            assert isinstance(hits, list), query


def test_words_survive_the_operators_around_them(content):
    assert search.search('"microneedling" (nose) ^pores* -', kind="question")  # reduced to plain words
    assert search.terms('NEAR(a b) "c" d* ^e') == ["NEAR", "a", "b", "c", "d", "e"]
    assert search.terms("\x00\x01") == [] and search.terms("") == [] and search.terms(None) == []
