"""The shared cache: named keys, tag versions, buffered view counts, and the one place that
invalidates cached pages when content changes.

Two backends with one interface: Redis (FORUM_REDIS_URL; production, shared by every worker and
server) and memory (one process; development and tests). Cached pages are keyed by the versions
of the tags they depend on, so invalidation is a counter bump: an ORM flush that touches public
content records its tags, and the commit bumps them (`_collect_tags`, `_bump_on_commit`)."""
from __future__ import annotations

import functools
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass

import redis

from flask import Flask, current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

log = logging.getLogger("forum.cache")
PREFIX = "forum:"
VIEWS_KEY = PREFIX + "views"
TAG_CONTENT = "content"  # any public content (lists, home, topic pages, search)
TAG_REFERENCE = "ref"    # topics, treatments, posts, doctors, display names: shown on every page
MEMO_SECONDS = 60        # longest a process keeps reference lists, even if an invalidation was lost
EPOCH_KEY = PREFIX + "epoch"  # random, set once: counters that restart from 0 never meet old keys
UNKNOWN = b"-1"          # a tag version while the cache is unreachable: nothing is kept or served


# ---- backends ----

class MemoryBackend:
    """One process's cache: for development (one server process) and tests."""

    MAX_ENTRIES = 10_000

    def __init__(self):
        self._data: dict[str, tuple[float | None, object]] = {}
        self._lock = threading.Lock()

    def _live(self, key):
        item = self._data.get(key)
        if item is None or (item[0] is not None and item[0] < time.monotonic()):
            self._data.pop(key, None)
            return None
        return item[1]

    def get(self, key: str):
        with self._lock:
            return self._live(key)

    def get_many(self, keys: list[str]) -> list:
        with self._lock:
            return [self._live(k) for k in keys]

    def set(self, key: str, value, ttl: int | None = None) -> None:
        with self._lock:
            if len(self._data) > self.MAX_ENTRIES:  # drop what has expired before growing further
                now = time.monotonic()
                self._data = {k: v for k, v in self._data.items() if v[0] is None or v[0] >= now}
            self._data[key] = (time.monotonic() + ttl if ttl else None, value)

    def set_if_absent(self, key: str, value) -> None:
        with self._lock:
            if self._live(key) is None:
                self._data[key] = (None, value)

    def incr(self, key: str) -> int:
        with self._lock:
            value = int(self._live(key) or 0) + 1
            self._data[key] = (None, value)
            return value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def hincrby(self, name: str, field: str, amount: int = 1) -> None:
        with self._lock:
            table = self._live(name) or {}
            table[field] = int(table.get(field, 0)) + amount
            self._data[name] = (None, table)

    def take_hash(self, name: str) -> dict[str, int]:
        with self._lock:
            table = self._live(name) or {}
            self._data.pop(name, None)
            return dict(table)

    def ping(self) -> bool:
        return True


def _tolerant(default):
    """A Redis outage must not take pages down: reads miss, counters are skipped, and it is logged."""
    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as exc:
                log.warning("cache unavailable (%s: %s); carrying on without it", type(exc).__name__, exc)
                return default(*args) if callable(default) else default
        return call
    return wrap


class RedisBackend:
    """Redis, shared by every process; values are bytes or ints. Every call survives an outage."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1, health_check_interval=30)

    @_tolerant(None)
    def get(self, key: str):
        return self.client.get(key)

    @_tolerant(lambda keys: [UNKNOWN] * len(keys))
    def get_many(self, keys: list[str]) -> list:
        return self.client.mget(keys) if keys else []

    @_tolerant(None)
    def set(self, key: str, value, ttl: int | None = None) -> None:
        self.client.set(key, value, ex=ttl)

    @_tolerant(None)
    def set_if_absent(self, key: str, value) -> None:
        self.client.set(key, value, nx=True)

    @_tolerant(0)
    def incr(self, key: str) -> int:
        return int(self.client.incr(key))

    @_tolerant(None)
    def delete(self, key: str) -> None:
        self.client.delete(key)

    @_tolerant(None)
    def hincrby(self, name: str, field: str, amount: int = 1) -> None:
        self.client.hincrby(name, field, amount)

    @_tolerant(lambda name: {})
    def take_hash(self, name: str) -> dict[str, int]:
        """Atomically move the hash aside and read it: increments made meanwhile start a new one."""
        aside = f"{name}:taking:{uuid.uuid4().hex}"
        try:
            self.client.rename(name, aside)
        except redis.ResponseError as exc:  # "no such key": nothing new buffered
            if "no such key" not in str(exc).lower():
                raise
        totals: dict[str, int] = {}
        for key in self.client.scan_iter(f"{name}:taking:*"):  # this one, and any an interrupted run left
            claimed = f"{name}:claimed:{uuid.uuid4().hex}"
            try:
                self.client.rename(key, claimed)  # atomic: of two flushers, one gets each batch
            except redis.ResponseError:
                continue
            for field, value in self.client.hgetall(claimed).items():
                totals[field.decode()] = totals.get(field.decode(), 0) + int(value)
            self.client.delete(claimed)
        return totals

    def ping(self) -> bool:
        return bool(self.client.ping())


def init_cache(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["forum_cache"] = RedisBackend(url) if url else MemoryBackend()
    app.extensions["forum_reference_memo"] = {}


def backend():
    return current_app.extensions["forum_cache"]


def reachable() -> bool:
    """Whether the shared cache answers (always true for one process's memory)."""
    try:
        return backend().ping()
    except redis.RedisError:
        return False


# ---- tag versions and cached pages ----

def tag_versions(tags: list[str]) -> list[int]:
    """Current versions (-1 for all while the cache is unreachable)."""
    return [int(v or 0) for v in backend().get_many([PREFIX + "tag:" + t for t in tags])]


def _epoch() -> str:
    """The cache's generation: a fresh Redis (restart, eviction) gets a new one, so keys made with
    version numbers that restarted from zero can never be confused with older pages."""
    current = backend().get(EPOCH_KEY)
    if current is None:
        backend().set_if_absent(EPOCH_KEY, uuid.uuid4().hex[:8].encode())
        current = backend().get(EPOCH_KEY)
    return current.decode() if isinstance(current, bytes) else str(current or "")


def page_key(tags: list[str], path_and_query: str) -> str | None:
    """The cache key of a page rendered now, or None when versions are unknown (outage)."""
    versions = tag_versions(tags)
    if -1 in versions:
        return None
    return f"{PREFIX}page:{_epoch()}:{'.'.join(map(str, versions))}:{path_and_query}"


def bump(*tags: str) -> None:
    """Invalidate everything that depends on these tags."""
    for tag in dict.fromkeys(tags):
        backend().incr(PREFIX + "tag:" + tag)


@dataclass
class CachedPage:
    body: bytes
    mimetype: str
    etag: str
    last_modified: float  # Unix time of rendering

    def dump(self) -> bytes:
        head = json.dumps({"m": self.mimetype, "e": self.etag, "t": self.last_modified}).encode()
        return head + b"\n" + self.body

    @classmethod
    def load(cls, raw) -> CachedPage | None:
        if not isinstance(raw, bytes) or b"\n" not in raw:
            return None
        head, body = raw.split(b"\n", 1)
        meta = json.loads(head)
        return cls(body, meta["m"], meta["e"], meta["t"])


def get_page(key: str) -> CachedPage | None:
    return CachedPage.load(backend().get(key))


def set_page(key: str, page: CachedPage) -> None:
    backend().set(key, page.dump(), ttl=int(current_app.config["PAGE_CACHE_SECONDS"]))


# ---- buffered view counts ----

def count_view(question_id: int) -> None:
    """One more view of a question; written to the database in batches by the view-count flush."""
    backend().hincrby(VIEWS_KEY, str(question_id), 1)


def take_view_counts() -> dict[int, int]:
    """The views counted since the last call, removed from the buffer."""
    return {int(k): n for k, n in backend().take_hash(VIEWS_KEY).items()}


# ---- per-process memo of small reference data, refreshed when the "ref" tag moves ----

def memo(name: str, build):
    """`build()`'s result, kept in this process until reference content changes anywhere."""
    version = tag_versions([TAG_REFERENCE])[0]
    if version == -1:  # the cache is unreachable: nothing says whether a kept copy is current
        return build()
    store = current_app.extensions["forum_reference_memo"]
    hit = store.get(name)
    now = time.monotonic()
    if hit is not None and hit[0] == version and hit[2] > now:
        return hit[1]
    value = build()
    store[name] = (version, value, now + MEMO_SECONDS)  # also bounded in time: a lost bump heals
    return value


# ---- invalidation on write: the one place ----

def _question_id_of(obj) -> int | None:
    name = type(obj).__name__
    if name == "Question":
        return obj.id
    if name == "Answer":
        return obj.question_id
    if name == "FollowUp":
        return obj.answer.question_id if obj.answer is not None else None
    return None


_REFERENCE_MODELS = {"Topic", "Treatment", "Article", "DoctorProfile", "Credential", "ContentTranslation",
                     "DoctorLanguage"}
# Changes shown only as aggregates on public pages (a doctor's typical response time): the
# record itself stays private; only the version counter moves. Reviews (and their photos) show on
# doctor profiles and, as what patients paid, on treatment pages.
_CONTENT_MODELS = {"ConsultationRequest", "Review", "ReviewPhoto"}
_USER_PUBLIC_FIELDS = ("display_name", "status", "role")


# A question's title and visibility also show on other questions' pages (related, duplicate of).
_QUESTION_SHOWN_ELSEWHERE = ("title", "hidden", "deleted_at")
# A doctor's own counters are shown on lists, not on the pages tagged "ref".
_DOCTOR_COUNTERS = {"answer_count", "helpful_count"}


def _changed(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _tags_for(obj, is_new: bool, is_deleted: bool = False) -> set[str]:
    name = type(obj).__name__
    if name in ("Question", "Answer", "FollowUp"):
        qid = _question_id_of(obj)
        tags = {TAG_CONTENT, f"q:{qid}"} if qid is not None else {TAG_CONTENT}
        if name == "Question" and (is_deleted or (not is_new and _changed(obj) & set(_QUESTION_SHOWN_ELSEWHERE))):
            tags.add(TAG_REFERENCE)
        return tags
    if name == "DoctorProfile" and not is_new and not is_deleted and _changed(obj) <= _DOCTOR_COUNTERS:
        return {TAG_CONTENT}
    if name in _REFERENCE_MODELS:
        return {TAG_CONTENT, TAG_REFERENCE}
    if name in _CONTENT_MODELS:
        return {TAG_CONTENT}
    if name == "User" and is_deleted:
        return {TAG_CONTENT, TAG_REFERENCE}
    if name == "User" and not is_new and _changed(obj) & set(_USER_PUBLIC_FIELDS):
        return {TAG_CONTENT, TAG_REFERENCE}
    return set()


def _collect_tags(session: Session, _flush_context) -> None:
    """After a flush (ids assigned; new/dirty/deleted still list what was flushed)."""
    tags = session.info.setdefault("forum_cache_tags", set())
    for obj in session.new:
        tags |= _tags_for(obj, True)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=True):
            tags |= _tags_for(obj, False)
    for obj in session.deleted:
        tags |= _tags_for(obj, False, is_deleted=True)


def _bump_on_commit(session: Session) -> None:
    tags = session.info.pop("forum_cache_tags", None)
    if tags:
        try:
            bump(*sorted(tags))
        except RuntimeError:  # no application context (scripts): nothing is cached there
            pass


def _forget_on_rollback(session: Session) -> None:
    session.info.pop("forum_cache_tags", None)


event.listen(Session, "after_flush", _collect_tags)
event.listen(Session, "after_commit", _bump_on_commit)
event.listen(Session, "after_soft_rollback", lambda session, _tx: _forget_on_rollback(session))
