"""Reference content: topics, treatments and reference posts; reading, editing, publishing, review."""
from __future__ import annotations

from datetime import timedelta

from types import SimpleNamespace

from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from forum import cache, clock
from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.i18n import _
from forum.models import Article, ArticleStatus, Topic, Treatment, User
from forum.pagination import Page, paginate
from forum.permissions import can, require, visible_articles
from forum.services import revisions, search_index
from forum.services.translations import localize_all, localized
from forum.services.moderation import log_action
from forum.text import slugify

ARTICLE_LOAD = (selectinload(Article.topics), selectinload(Article.treatments), selectinload(Article.related),
                selectinload(Article.reviewer))


# ---- reading ----

def _snapshot(obj, **extra) -> SimpleNamespace:
    """A read-only copy of a row's columns, safe to keep across requests (unlike an ORM object)."""
    values = {column.key: getattr(obj, column.key) for column in inspect(type(obj)).column_attrs}
    return SimpleNamespace(**values, **extra)


def list_topics() -> list[SimpleNamespace]:
    """Every topic by name, in the reader's language; kept per process until reference content changes
    (cache.memo)."""
    kept = cache.memo("topics", lambda: [_snapshot(t) for t in db.session.scalars(select(Topic).order_by(Topic.name))])
    return localize_all(kept, "topic")


def list_treatments() -> list[SimpleNamespace]:
    """Every treatment by name, with its topics; kept like list_topics."""
    def build():
        rows = db.session.scalars(select(Treatment).options(selectinload(Treatment.topics)).order_by(Treatment.name))
        return [_snapshot(t, topics=[_snapshot(topic) for topic in t.topics]) for t in rows]
    return localize_all(cache.memo("treatments", build), "treatment")


def topic_id(slug: str) -> int | None:
    """A topic's id by slug (None when unknown), from the kept list."""
    return next((t.id for t in list_topics() if t.slug == slug), None)


def treatment_id(slug: str) -> int | None:
    return next((t.id for t in list_treatments() if t.slug == slug), None)


def get_topic(slug: str) -> Topic:
    topic = db.session.scalar(select(Topic).where(Topic.slug == slug).options(selectinload(Topic.treatments)))
    if topic is None:
        raise NotFound()
    return localized(topic, "topic")


def get_treatment(slug: str) -> Treatment:
    treatment = db.session.scalar(select(Treatment).where(Treatment.slug == slug)
                                  .options(selectinload(Treatment.topics)))
    if treatment is None:
        raise NotFound()
    return localized(treatment, "treatment")


def articles_about(viewer: User | None, *, topic: Topic | None = None, treatment: Treatment | None = None,
                   limit: int = 20) -> list[Article]:
    """Visible reference posts linked to a topic or a treatment (cards: title and summary only)."""
    stmt = select(Article).where(visible_articles(viewer))
    if topic is not None:
        stmt = stmt.where(Article.topics.any(Topic.id == topic.id))
    if treatment is not None:
        stmt = stmt.where(Article.treatments.any(Treatment.id == treatment.id))
    return localize_all(db.session.scalars(stmt.order_by(Article.published_on.desc(), Article.id.desc()).limit(limit)),
                        "article")


def articles_for_subjects(topic_ids: list[int], treatment_ids: list[int], limit: int = 3) -> list[Article]:
    """Published posts sharing any of these topics or treatments."""
    if not topic_ids and not treatment_ids:
        return []
    stmt = select(Article).where(Article.status == ArticleStatus.PUBLISHED,
                                 Article.topics.any(Topic.id.in_(topic_ids)) |
                                 Article.treatments.any(Treatment.id.in_(treatment_ids)))
    return localize_all(db.session.scalars(stmt.order_by(Article.published_on.desc(), Article.id.desc()).limit(limit)),
                        "article")


def list_articles(viewer: User | None, *, cursor: str | None = None, limit: int = 20) -> Page:
    """Published posts, newest first; editors also see drafts."""
    stmt = select(Article).where(visible_articles(viewer)).options(*ARTICLE_LOAD)
    page = paginate(stmt, columns=[Article.id], cursor=cursor, limit=limit)
    return Page(items=localize_all(page.items, "article"), next_cursor=page.next_cursor)


def featured_articles(limit: int = 3) -> list[Article]:
    stmt = (select(Article).where(Article.status == ArticleStatus.PUBLISHED, Article.featured.is_(True))
            .order_by(Article.published_on.desc(), Article.id.desc()).limit(limit))
    return localize_all(db.session.scalars(stmt), "article")


def get_article(viewer: User | None, slug: str) -> Article:
    """A post by slug; a draft is "not found" to everyone but editors."""
    article = db.session.scalar(select(Article).where(Article.slug == slug).options(*ARTICLE_LOAD))
    if article is None or not can(viewer, "article.view", article):
        raise NotFound()
    return localized(article, "article")


def review_due(actor: User) -> list[Article]:
    """Published posts never reviewed, or last reviewed more than 12 months ago."""
    require(actor, "reference.edit")
    cutoff = clock.now().date() - timedelta(days=365)
    stmt = (select(Article).where(Article.status == ArticleStatus.PUBLISHED,
                                  (Article.reviewed_on.is_(None)) | (Article.reviewed_on < cutoff))
            .options(*ARTICLE_LOAD).order_by(Article.reviewed_on.asc().nulls_first(), Article.id))
    return list(db.session.scalars(stmt))


# ---- building blocks shared with the seed loader (run in the caller's transaction) ----

def by_slugs(model, slugs: list[str], field: str) -> list:
    slugs = list(dict.fromkeys(slugs))
    found = {obj.slug: obj for obj in db.session.scalars(select(model).where(model.slug.in_(slugs)))} if slugs else {}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise Invalid(fields={field: [_("Unknown: %(slugs)s.", slugs=", ".join(missing))]})
    return [found[s] for s in slugs]


def _claim_slug(model, current, wanted: str | None, fallback: str) -> str:
    slug = wanted or (current.slug if current is not None else slugify(fallback))
    clash = db.session.scalar(select(model).where(model.slug == slug))
    if clash is not None and clash is not current:
        raise Invalid(fields=dict(slug=[_("This slug is already used.")]))
    return slug


def apply_topic(topic: Topic | None, data: dict) -> Topic:
    topic = topic or Topic()
    topic.slug = _claim_slug(Topic, topic if topic.id else None, data.get("slug"), data["name"])
    topic.name, topic.kind, topic.description = data["name"], data["kind"], data.get("description") or ""
    db.session.add(topic)
    return topic


def apply_treatment(treatment: Treatment | None, data: dict) -> Treatment:
    treatment = treatment or Treatment()
    treatment.slug = _claim_slug(Treatment, treatment if treatment.id else None, data.get("slug"), data["name"])
    for key in ("name", "kind", "summary", "how_it_works", "cost_min", "cost_max", "cost_currency", "cost_note",
                "sessions", "downtime", "durability", "cautions", "prescription", "sources"):
        setattr(treatment, key, data.get(key))
    treatment.summary = treatment.summary or ""
    treatment.sources = data.get("sources") or []
    treatment.topics = by_slugs(Topic, data.get("topics", []), "topics")
    db.session.add(treatment)
    return treatment


def apply_article(article: Article | None, data: dict) -> Article:
    article = article or Article(status=ArticleStatus.DRAFT)
    article.slug = _claim_slug(Article, article if article.id else None, data.get("slug"), data["title"])
    for key in ("title", "summary", "body", "author_name", "featured"):
        setattr(article, key, data[key])
    article.author_bio = data.get("author_bio") or ""
    article.sources = data.get("sources") or []
    article.topics = by_slugs(Topic, data.get("topics", []), "topics")
    article.treatments = by_slugs(Treatment, data.get("treatments", []), "treatments")
    related = [slug for slug in data.get("related", []) if slug != article.slug]
    article.related = by_slugs(Article, related, "related")
    db.session.add(article)
    return article


# ---- editing (moderators) ----

def _get(model, slug: str):
    obj = db.session.scalar(select(model).where(model.slug == slug))
    if obj is None:
        raise NotFound()
    return obj


def _kept(actor: User, model, slug: str | None):
    """The post or treatment being edited (None: a new one), its current version kept as a revision."""
    if not slug:
        return None
    obj = _get(model, slug)
    revisions.record(obj, actor)
    return obj


def save_topic(actor: User, *, slug: str | None = None, data: dict) -> Topic:
    """Create (slug None) or edit a topic; logged."""
    require(actor, "reference.edit")
    topic = apply_topic(_get(Topic, slug) if slug else None, data)
    db.session.flush()
    search_index.index_topic(topic)
    log_action(actor, "topic.edit" if slug else "topic.create", "topic", topic.id, "Editorial change", topic.name)
    db.session.commit()
    return topic


def save_treatment(actor: User, *, slug: str | None = None, data: dict) -> Treatment:
    """Create (slug None) or edit a treatment; logged."""
    require(actor, "reference.edit")
    treatment = apply_treatment(_kept(actor, Treatment, slug), data)
    db.session.flush()
    search_index.index_treatment(treatment)
    log_action(actor, "treatment.edit" if slug else "treatment.create", "treatment", treatment.id,
               "Editorial change", treatment.name)
    db.session.commit()
    return treatment


def save_article(actor: User, *, slug: str | None = None, data: dict) -> Article:
    """Create a draft (slug None) or edit a post; logged."""
    require(actor, "reference.edit")
    article = apply_article(_kept(actor, Article, slug), data)
    db.session.flush()
    search_index.index_article(article)
    log_action(actor, "article.edit" if slug else "article.create", "article", article.id, "Editorial change",
               article.title)
    db.session.commit()
    return article


def set_article_published(actor: User, *, slug: str, published: bool, reason: str | None = None) -> Article:
    """Publish or unpublish a post; logged with the reason."""
    require(actor, "reference.edit")
    article = _get(Article, slug)
    wanted = ArticleStatus.PUBLISHED if published else ArticleStatus.DRAFT
    if article.status == wanted:
        raise Conflict(_("This post is already published.") if published else _("This post is already a draft."))
    article.status = wanted
    if published and article.published_on is None:
        article.published_on = clock.now().date()
    search_index.index_article(article)
    log_action(actor, "article.publish" if published else "article.unpublish", "article", article.id,
               reason or ("Published" if published else "Unpublished"), article.title)
    db.session.commit()
    return article


LIST_FIELDS = {"topics", "treatments", "related"}
_EDIT_FIELDS = {
    "articles": ("slug", "title", "summary", "body", "author_name", "author_bio", "sources", "topics", "treatments",
                 "related", "featured"),
    "topics": ("slug", "name", "kind", "description"),
    "treatments": ("slug", "name", "kind", "summary", "how_it_works", "cost_min", "cost_max", "cost_currency",
                   "cost_note", "sessions", "downtime", "durability", "cautions", "prescription", "topics", "sources"),
}
_MODELS = {"articles": Article, "topics": Topic, "treatments": Treatment}


def _form_value(obj, name: str):
    value = getattr(obj, name)
    if name in LIST_FIELDS:
        return [item.slug for item in value]
    if name == "sources":
        return "\n".join(" | ".join([s.get("publication", ""), s.get("expert") or "", s.get("credential") or "",
                                     ", ".join(s.get("supports", []))]).rstrip(" |") for s in value or [])
    return getattr(value, "value", value)


def editor_context(actor: User, kind: str, slug: str | None, form=None) -> dict:
    """What the edit form needs: current values (or the submitted ones) and the choices."""
    require(actor, "reference.edit")
    obj = _get(_MODELS[kind], slug) if slug else None
    if form is not None:
        values = {name: form.getlist(name) if name in LIST_FIELDS else form.get(name) for name in _EDIT_FIELDS[kind]}
    else:
        values = {name: _form_value(obj, name) for name in _EDIT_FIELDS[kind]} if obj else {}
    articles = list(db.session.scalars(select(Article).order_by(Article.title))) if kind == "articles" else []
    return {"obj": obj, "form": values, "topics": list_topics(), "treatments": list_treatments(),
            "articles": articles}
