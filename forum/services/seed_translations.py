"""Load seed/<locale>/ (reference content in other languages) into content_translations, idempotently.

Each file mirrors its English one (seed/topics.toml, treatments.toml, articles/, pages/) with only the
translated fields, validated by the same schemas; records are matched by slug to the English record,
which must exist. Runs in the caller's transaction (services/seed.py)."""
from __future__ import annotations

from pathlib import Path

from marshmallow import Schema
from sqlalchemy import select

from forum.extensions import db
from forum.i18n import DEFAULT_LOCALE, LOCALES
from forum.models import Article, SitePage, Topic, Treatment
from forum.models.translation import ContentTranslation
from forum.schemas.pages import SitePageSeed
from forum.schemas.reference import ArticleSeed, TopicIn, TreatmentIn
from forum.services.seed_files import SeedError, checksum, line_of, read_front_matter, read_records, validate_record
from forum.text import render_markdown

TOPIC_FIELDS = ("slug", "name", "description")
TREATMENT_FIELDS = ("slug", "name", "kind", "summary", "how_it_works", "cost_note", "sessions", "downtime",
                    "durability", "cautions", "sources")
ARTICLE_FIELDS = ("slug", "title", "summary", "body", "author_name", "author_bio", "sources")
PAGE_FIELDS = ("slug", "title", "summary", "body", "reviewed_on")


def _fields(record: dict, data: dict) -> dict:
    """The translated fields as stored: those the file gives (not the schema's defaults), JSON-ready;
    a Markdown body also as its sanitised HTML, as the English records keep it."""
    fields = {key: value for key, value in data.items() if key in record and key != "slug"}
    if "reviewed_on" in fields:
        fields["reviewed_on"] = fields["reviewed_on"].isoformat()
    if "body" in fields:
        fields["body_html"] = str(render_markdown(fields["body"]))
    return fields


def _same_sources(english: list | None, translated: list) -> bool:
    """The translated sources are the English ones, in order: same experts, backing the same facts."""
    def shape(sources):
        return [(s.get("expert") or None, sorted(s.get("supports") or [])) for s in sources or []]
    return shape(english) == shape(translated)


def _save(kind: str, model, locale: str, record: dict, data: dict, report, where: str) -> None:
    original = db.session.scalar(select(model).where(model.slug == data["slug"]))
    if original is None:
        raise SeedError(f"{where}: slug: {data['slug']!r} has no English {kind} to translate")
    if "sources" in record and not _same_sources(original.sources, data["sources"]):
        raise SeedError(f"{where}: sources: list the English record's sources in the same order, "
                        "with the same experts and facts")
    object_id = original.id
    digest = checksum(record)
    row = db.session.scalar(select(ContentTranslation).where(
        ContentTranslation.kind == kind, ContentTranslation.object_id == object_id,
        ContentTranslation.locale == locale))
    label = f"{kind}s ({locale})"
    if row is not None and row.seed_checksum == digest:
        report.count("unchanged", label)
        return
    if row is None:
        row = ContentTranslation(kind=kind, object_id=object_id, locale=locale)
        db.session.add(row)
    row.fields, row.seed_checksum = _fields(record, data), digest
    report.count("updated" if row.id else "created", label)


def _load_table(folder: Path, locale: str, report, *, header: str, schema: Schema, model) -> None:
    path = folder / f"{header}s.toml"
    if not path.exists():
        return
    records, text = read_records(path, header)
    for index, record in enumerate(records):
        data = validate_record(schema, record, path=path, text=text, header=header, index=index)
        if not data.get("slug"):
            raise SeedError(f"{path}:{line_of(text, header, index, None)}: slug: seed records need a slug")
        _save(header, model, locale, record, data, report, f"{path}:{line_of(text, header, index, 'slug')}")


def _load_documents(folder: Path, locale: str, report, *, kind: str, schema: Schema, model) -> None:
    for path in sorted((folder / f"{kind}s").glob("*.md")):
        record, data = read_front_matter(path, schema)
        _save(kind, model, locale, record, data, report, str(path))


def load_translations(root: Path, report) -> None:
    """seed/<locale>/ for every locale but English, where the folder exists."""
    for locale in LOCALES:
        folder = root / locale
        if locale == DEFAULT_LOCALE or not folder.is_dir():
            continue
        # The English schemas restricted to the fields a translation carries: the same lengths apply.
        _load_table(folder, locale, report, header="topic", schema=TopicIn(only=TOPIC_FIELDS), model=Topic)
        _load_table(folder, locale, report, header="treatment", schema=TreatmentIn(only=TREATMENT_FIELDS),
                    model=Treatment)
        _load_documents(folder, locale, report, kind="article", schema=ArticleSeed(only=ARTICLE_FIELDS), model=Article)
        _load_documents(folder, locale, report, kind="page", schema=SitePageSeed(only=PAGE_FIELDS), model=SitePage)
    db.session.flush()
