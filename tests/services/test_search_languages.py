"""Search in each language (#16), on either engine: accents do not matter either way, Spanish word
forms are found by their Spanish stem, the language filter keeps one language's documents (a bad
one is refused), the reader's language goes first, reference pages are found in their translations' words, and the
rebuild equals what the writers wrote."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import force_locale
from forum.models import SearchDocument, SearchTerm
from forum.services import answers, questions, search, search_index
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_user


@pytest.fixture
def asker(app):
    load_seed(app.config["SEED_PATH"])
    return make_user()


def ask(asker, title: str, body: str = "Some details about my skin and what I have tried so far.",
        language: str = "en"):
    """A question in `language` (the asking form's language choice belongs to services/questions.py:
    here the language is set and the question indexed again, as that service will do)."""
    question = questions.ask_question(asker, title=title, body=body, topics=["acne"], treatments=[]).question
    if language != "en":
        question.language = language
        search_index.index_question(question)
        db.session.commit()
    return question


def found(query: str, **filters) -> set[int]:
    return {h.question_id for h in search.search(query, **filters).hits if h.kind in ("question", "answer")}


SPANISH_BODY = "Tengo la piel sensible y quisiera saber qué opciones recomiendan los especialistas."


def test_accents_do_not_matter_either_way_in_spanish(asker):
    accented = ask(asker, "¿La depilación láser deja manchas?", SPANISH_BODY, language="es")
    plain = ask(asker, "Depilacion con cera o con laser para piel morena", SPANISH_BODY, language="es")
    assert {accented.id, plain.id} <= found("depilacion")
    assert {accented.id, plain.id} <= found("depilación")
    assert {accented.id, plain.id} <= found("DEPILACIÓN", language="es")


def test_a_spanish_plural_finds_the_singular_and_back(asker):
    singular = ask(asker, "¿Qué crema sirve para una mancha oscura?", SPANISH_BODY, language="es")
    plural = ask(asker, "Cremas para manchas del embarazo en la cara", SPANISH_BODY, language="es")
    assert {singular.id, plural.id} <= found("cremas manchas", language="es")
    assert {singular.id, plural.id} <= found("crema mancha", language="es")
    assert singular.id in found("cremas")  # every language searched: Spanish documents in Spanish


def test_an_answer_is_found_in_its_questions_language(asker):
    question = ask(asker, "¿Sirve el ácido azelaico?", SPANISH_BODY, language="es")
    answers.post_answer(make_doctor(), question_id=question.id,
                        body="Las cicatrices superficiales suelen mejorar con varias sesiones.")
    hits = search.search("sesión superficial", language="es", kind="answer").hits
    assert [(h.kind, h.question_id) for h in hits] == [("answer", question.id)]


def test_the_language_filter_keeps_one_language(asker):
    english = ask(asker, "Laser hair removal on dark skin")
    spanish = ask(asker, "Depilación láser en piel oscura", SPANISH_BODY, language="es")
    assert {english.id, spanish.id} <= found("laser")
    assert english.id in found("laser", language="en") and spanish.id not in found("laser", language="en")
    assert spanish.id in found("laser", language="es") and english.id not in found("laser", language="es")
    urls = [h.url for h in search.search("laser", language="es").hits if h.kind in ("article", "treatment", "topic")]
    assert urls and all(url.endswith("?lang=es") for url in urls)  # reference pages in their Spanish words
    urls = [h.url for h in search.search("laser", language="en").hits if h.kind in ("article", "treatment", "topic")]
    assert urls and not any("lang=" in url for url in urls)


def test_an_unknown_language_is_refused(asker):
    with pytest.raises(Invalid) as refused:
        search.search("laser", language="fr")
    assert "language" in refused.value.fields


def test_spanish_filler_words_are_left_out_of_a_spanish_search(asker):
    wanted = ask(asker, "Manchas después del sol", SPANISH_BODY, language="es")
    results = search.search("las manchas de la cara", language="es")
    assert wanted.id in {h.question_id for h in results.hits}
    assert {"las", "de", "la"} <= set(results.ignored)


def test_the_readers_language_goes_first_among_equal_results(app, asker):
    english = ask(asker, "Botox for forehead lines")
    spanish = ask(asker, "Botox para las arrugas de la frente", SPANISH_BODY, language="es")
    assert [h.question_id for h in search.search("botox", kind="question").hits][:2] == [english.id, spanish.id]
    with app.test_request_context("/search?lang=es"), force_locale("es"):
        assert [h.question_id for h in search.search("botox", kind="question").hits][:2] == [spanish.id, english.id]


def test_spanish_snippets_mark_the_spanish_word_forms(asker):
    ask(asker, "Pregunta sobre tratamientos", "Probé varios tratamientos y ninguno funcionó.", language="es")
    hit = search.search("tratamiento", language="es", kind="question").hits[0]
    assert "<mark>tratamientos</mark>" in str(hit.snippet)


COLUMNS = (SearchDocument.kind, SearchDocument.ref_id, SearchDocument.question_id, SearchDocument.title,
           SearchDocument.body, SearchDocument.tags, SearchDocument.slug, SearchDocument.language,
           SearchDocument.stems)


def test_the_rebuild_equals_what_the_writers_produced_in_both_languages(app, asker):
    english = ask(asker, "Azelaic acid for redness?")
    spanish = ask(asker, "¿Ácido azelaico para la rojez?", SPANISH_BODY, language="es")
    doctor = make_doctor()
    answers.post_answer(doctor, question_id=english.id, body="Azelaic acid is gentle; try it nightly.")
    answers.post_answer(doctor, question_id=spanish.id, body="El ácido azelaico es suave; úselo por la noche.")
    before = set(db.session.execute(select(*COLUMNS)).all())
    assert {(kind, language) for kind, *_rest, language, _stems in before} >= {("answer", "es"), ("question", "es")}
    terms = dict(db.session.execute(select(SearchTerm.term, SearchTerm.docs)).all())
    output = app.test_cli_runner().invoke(args=["search-rebuild"]).output  # `forum search-rebuild`
    assert output.startswith(f"{len(before)} document(s) and {len(terms)} ")
    assert set(db.session.execute(select(*COLUMNS)).all()) == before
    assert dict(db.session.execute(select(SearchTerm.term, SearchTerm.docs)).all()) == terms
    assert spanish.id in found("acidos azelaicos", language="es")


def test_a_spanish_reader_finds_reference_pages_by_their_spanish_words(app, asker):
    with app.test_request_context("/search?lang=es"), force_locale("es"):
        hits = search.search("poros dilatados").hits
        pages = [h for h in hits if h.kind in ("article", "treatment", "topic")]
        assert pages and all(h.url.endswith("?lang=es") for h in pages)
        assert any(h.kind == "article" and "poros" in h.title.lower() for h in pages)
        assert len({(h.kind, h.ref_id) for h in hits}) == len(hits)  # each page once, in Spanish
        microneedling = search.search("microagujas", kind="treatment").hits
        assert "/treatments/microneedling?lang=es" in [h.url for h in microneedling]


def test_an_english_reader_is_not_sent_to_the_translations(asker):
    hits = search.search("pores").hits
    assert hits and not any("lang=" in h.url for h in hits)
    assert search.search("poros dilatados", kind="article").hits == []  # Spanish words: English pages only


def test_an_edited_or_unpublished_page_takes_its_translations_along(app, asker):
    from forum.models import Article, ArticleStatus
    article = db.session.scalars(select(Article).order_by(Article.id)).first()
    languages = lambda: sorted(db.session.scalars(select(SearchDocument.language).where(  # noqa: E731
        SearchDocument.kind == "article", SearchDocument.ref_id == article.id)))
    assert languages() == ["en", "es"]
    article.status = ArticleStatus.DRAFT
    search_index.index_article(article)
    assert languages() == []
    article.status = ArticleStatus.PUBLISHED
    search_index.index_article(article)
    assert languages() == ["en", "es"]
