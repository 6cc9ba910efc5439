"""Reference content per locale: seed/es/ loaded into content_translations and laid over the English records."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.i18n import force_locale
from forum.models import Topic, Treatment
from forum.models.translation import ContentTranslation
from forum.services import pages, reference
from forum.services.seed import SeedError, load_seed
from forum.services.translations import localize_all, localized

SEED = Path(__file__).resolve().parents[2] / "seed"
ARTICLE = "enlarged-pores-what-they-are-and-what-shrinks-them"


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def count(kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(ContentTranslation).where(
        ContentTranslation.kind == kind, ContentTranslation.locale == "es"))


def test_the_seed_loads_the_spanish_content_matched_by_slug(app):
    report = load_seed(SEED)
    assert report.translations.created == {"topics (es)": 17, "treatments (es)": 13, "articles (es)": 2,
                                           "pages (es)": 6}
    assert (count("topic"), count("treatment"), count("article"), count("page")) == (17, 13, 2, 6)
    pores = db.session.scalar(select(Topic).where(Topic.slug == "enlarged-pores"))
    row = db.session.scalar(select(ContentTranslation).where(ContentTranslation.kind == "topic",
                                                             ContentTranslation.object_id == pores.id))
    assert row.fields["name"] == "Poros dilatados" and "slug" not in row.fields
    article = db.session.scalar(select(ContentTranslation).where(ContentTranslation.kind == "article"))
    assert article.fields["body_html"].startswith("<h2>")
    assert "es" in report.summary() or "(es)" in report.summary()


def test_reseeding_changes_nothing_and_an_edited_file_updates_its_translation(app, seed_copy):
    load_seed(seed_copy)
    before = {(r.kind, r.object_id): (r.fields, r.updated_at) for r in db.session.scalars(select(ContentTranslation))}
    report = load_seed(seed_copy)
    assert report.translations.created == {} and report.translations.updated == {}
    assert {(r.kind, r.object_id): (r.fields, r.updated_at)
            for r in db.session.scalars(select(ContentTranslation))} == before
    path = seed_copy / "es" / "topics.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"Poros dilatados"', '"Poros abiertos"'),
                    encoding="utf-8")
    assert load_seed(seed_copy).translations.updated == {"topics (es)": 1}
    with force_locale("es"):
        assert reference.get_topic("enlarged-pores").name == "Poros abiertos"


def test_a_translation_without_an_english_record_is_refused(app, seed_copy):
    path = seed_copy / "es" / "topics.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[topic]]\nslug = "no-such-topic"\nname = "Ninguno"\n',
                    encoding="utf-8")
    with pytest.raises(SeedError, match=r"topics\.toml.*no-such-topic"):
        load_seed(seed_copy)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0


def test_a_translation_is_validated_like_the_english_record(app, seed_copy):
    path = seed_copy / "es" / "treatments.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "Espironolactona"', 'name = "E"'),
                    encoding="utf-8")
    with pytest.raises(SeedError, match=r"treatments\.toml:\d+: name"):
        load_seed(seed_copy)


def test_a_spanish_reader_gets_the_translated_fields_and_the_english_ones_elsewhere(app):
    load_seed(SEED)
    with force_locale("es"):
        treatment = reference.get_treatment("microneedling")
        assert treatment.name.startswith("Microagujas")
        assert treatment.slug == "microneedling"
        assert reference.get_treatment("micro-botox").cost_min == 500  # from the English record
        assert all(t.name != "Enlarged pores" for t in treatment.topics)
        assert treatment.sources_for("how_it_works")[0]["credential"] != \
            treatment.original.sources_for("how_it_works")[0]["credential"]
        article = reference.get_article(None, ARTICLE)
        assert article.title.startswith("Poros dilatados") and "Por qué" in article.body_html
        assert pages.get_page("about").title == "Acerca de Ask a Cosmetic Doctor"
        assert any(t.name == "Poros dilatados" for t in reference.list_topics())
    with force_locale("en"):
        assert reference.get_treatment("microneedling").name.startswith("Microneedling")
        assert isinstance(reference.get_treatment("microneedling"), Treatment)
        assert pages.get_page("about").title == "About Ask a Cosmetic Doctor"


def test_a_list_is_localized_in_one_query(app, count_queries):
    load_seed(SEED)
    articles = reference.list_articles(None).items
    originals = [getattr(a, "original", a) for a in articles]
    with force_locale("es"), count_queries() as queries:
        localize_all(originals, "article")
    assert queries.count == 1
    with force_locale("es"):
        assert localized(None, "article") is None


def test_a_localized_record_compares_and_hashes_like_its_record(app):
    load_seed(SEED)
    with force_locale("es"):
        topics = reference.list_topics()
        assert len(set(topics)) == len(topics)
        treatment = reference.get_treatment("micro-botox")
        assert treatment == treatment.original and treatment.id == treatment.original.id


def test_translated_sources_must_follow_the_english_ones(app, seed_copy):
    path = seed_copy / "es" / "treatments.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('supports = ["how_it_works", "cautions"]', 'supports = ["cost"]', 1), encoding="utf-8")
    with pytest.raises(SeedError, match=r"treatments\.toml.*sources"):
        load_seed(seed_copy)
