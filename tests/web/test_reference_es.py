"""Reference pages in Spanish: the translated content for a Spanish reader, hreflang alternates, the sitemap."""
import re
from pathlib import Path

import pytest

from forum.services.seed import load_seed

SEED = Path(__file__).resolve().parents[2] / "seed"
ARTICLE = "enlarged-pores-what-they-are-and-what-shrinks-them"


@pytest.fixture
def seeded(app):
    load_seed(SEED)


def text_of(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_spanish_reader_sees_the_treatment_in_spanish(client, seeded):
    page = text_of(client.get("/treatments/microneedling?lang=es"))
    assert "Microagujas" in page and "en el consultorio" in page
    assert "Poros dilatados" in page  # its topics too


def test_accept_language_es_gets_the_spanish_post_and_topic(client, seeded):
    post = text_of(client.get(f"/articles/{ARTICLE}", headers={"Accept-Language": "es-MX,es;q=0.9"}))
    assert "Poros dilatados: qué son" in post and "Por qué los poros reciben tanta atención" in post
    topic = text_of(client.get("/topics/enlarged-pores", headers={"Accept-Language": "es"}))
    assert "<h1>Poros dilatados</h1>" in topic


def test_a_spanish_reader_sees_the_spanish_trust_page(client, seeded):
    page = text_of(client.get("/about?lang=es"))
    assert "Acerca de Ask a Cosmetic Doctor" in page and "Qué es este sitio" in page


def test_an_english_reader_sees_the_english_content(client, seeded):
    assert "Microneedling (including infused" in text_of(client.get("/treatments/microneedling"))
    post = text_of(client.get(f"/articles/{ARTICLE}", headers={"Accept-Language": "en-US"}))
    assert "Enlarged pores: what they are" in post and "Poros dilatados" not in post
    assert "About Ask a Cosmetic Doctor" in text_of(client.get("/about"))


def test_the_lists_show_spanish_names(client, seeded):
    assert "Poros dilatados" in text_of(client.get("/topics?lang=es"))
    assert "Espironolactona" in text_of(client.get("/treatments?lang=es"))
    assert "Poros dilatados: qué son" in text_of(client.get("/articles?lang=es"))


def test_the_api_answers_in_the_readers_language(client, seeded):
    data = client.get("/api/v1/treatments/spironolactone?lang=es").get_json()
    assert data["name"] == "Espironolactona" and data["slug"] == "spironolactone"
    assert client.get("/api/v1/treatments/spironolactone").get_json()["name"] == "Spironolactone"


def test_alternate_links_name_every_language_and_a_default(app):
    with app.test_request_context("/treatments/microneedling?lang=es&cursor=x"):
        links = dict(app.jinja_env.globals["alternate_links"]())
    site = app.config["SITE_URL"].rstrip("/")
    assert links == {"en": f"{site}/treatments/microneedling?cursor=x&lang=en",
                     "es": f"{site}/treatments/microneedling?cursor=x&lang=es",
                     "x-default": f"{site}/treatments/microneedling?cursor=x"}


def test_the_sitemap_lists_each_address_with_its_language_alternates(client, seeded):
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in xml
    entry = re.search(r"<url><loc>([^<]*/treatments/microneedling)</loc>(.*?)</url>", xml, re.S)
    assert entry, "the treatment is listed"
    loc, rest = entry.groups()
    assert f'<xhtml:link rel="alternate" hreflang="es" href="{loc}?lang=es"/>' in rest
    assert f'<xhtml:link rel="alternate" hreflang="en" href="{loc}?lang=en"/>' in rest
    assert f'<xhtml:link rel="alternate" hreflang="x-default" href="{loc}"/>' in rest
    assert re.search(r"<lastmod>\d{4}-\d\d-\d\d</lastmod>", rest)


def test_the_page_around_the_content_is_in_spanish_too(client, seeded):
    page = text_of(client.get("/treatments/micro-botox?lang=es"))
    assert "Datos de un vistazo" in page and "Cómo funciona" in page and "Fuentes" in page
    post = text_of(client.get(f"/articles/{ARTICLE}?lang=es"))
    assert "Acerca del autor" in post and "Lecturas relacionadas" in post
    assert re.search(r"publicado el \d{1,2} de [a-z]+ de \d{4}", post)  # a Babel date, not strftime
    assert "Artículos de referencia" in text_of(client.get("/articles?lang=es"))


def test_each_language_is_its_own_canonical_page(client, seeded):
    site = client.application.config["SITE_URL"].rstrip("/")
    spanish = client.get("/treatments/micro-botox?lang=es").get_data(as_text=True)
    assert f'<link rel="canonical" href="{site}/treatments/micro-botox?lang=es">' in spanish
    english = client.get("/treatments/micro-botox").get_data(as_text=True)
    assert f'<link rel="canonical" href="{site}/treatments/micro-botox">' in english
    post = client.get(f"/articles/{ARTICLE}?lang=es").get_data(as_text=True)
    assert '"inLanguage": "es"' in post
