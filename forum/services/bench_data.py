"""Bulk benchmark data: fictional doctors, members and N question threads, written in bulk.

Rows are built in Python with their ids and every counter already right (as the qa services
would leave them), then written per chunk: COPY on PostgreSQL, executemany on SQLite. The
search index is written alongside; the full-text structures are rebuilt once at the end."""
from __future__ import annotations

import enum
import importlib
import importlib.util
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime
from queue import Empty

import sqlalchemy as sa
from sqlalchemy import func, select

from forum import clock
from forum.extensions import db
from forum.models import Question, Topic, Treatment, User
from forum.services import search_index
from forum.services.bench_rows import (  # noqa: F401 - BenchDataError is this module's error too
    THREAD_TABLES, BenchDataError, Generator, Vocabulary, check_fast_path,
)

CHUNK = 20_000
COLUMNS = {
    "users": ("id", "email", "display_name", "password_hash", "email_verified_at", "created_at"),
    "doctor_profiles": ("id", "user_id", "full_name", "credentials", "specialty", "board_certification",
                        "license_number", "license_region", "practice_name", "city", "region", "country", "bio",
                        "bio_html", "accepts_consultations", "status", "applied_at", "decided_at",
                        "decision_reason", "created_at"),
    "credentials": ("id", "doctor_id", "kind", "identifier", "issuer", "source", "checked_at", "expires_on"),
    "doctor_topics": ("doctor_id", "topic_id"),
    "questions": ("id", "author_id", "title", "body", "body_html", "anonymous", "status", "hidden",
                  "accepted_answer_id", "answer_count", "view_count", "follower_count", "helpful_count",
                  "first_answer_at", "last_activity_at", "created_at"),
    "question_topics": ("question_id", "topic_id"),
    "question_treatments": ("question_id", "treatment_id"),
    "answers": ("id", "question_id", "author_id", "body", "body_html", "offers_treatment", "helpful_count",
                "agree_count", "disagree_count", "accepted", "hidden", "created_at"),
    "answer_reviews": ("id", "answer_id", "doctor_id", "verdict", "reason", "created_at"),
    "helpful_votes": ("id", "answer_id", "user_id", "created_at"),
    "follow_ups": ("id", "answer_id", "author_id", "body", "body_html", "hidden", "created_at"),
    "follows": ("id", "user_id", "question_id", "created_at"),
    "search_documents": ("id", "kind", "ref_id", "question_id", "title", "body", "tags", "slug", "updated_at"),
}
# What begin_bulk sets aside and end_bulk restores: (create, drop, is a foreign key); "%%" is psycopg's "%".
PG_SAVED = """
SELECT format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass, conname, pg_get_constraintdef(oid)),
       format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname), contype = 'f'
FROM pg_constraint WHERE contype IN ('f', 'u') AND conrelid::regclass::text = ANY(%s)
UNION ALL
SELECT indexdef, format('DROP INDEX %%I', indexname), false FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)
"""
SQLITE_SAVED = ("SELECT sql, 'DROP ' || type || ' ' || name, 0 FROM sqlite_master "
                "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({})")
SERIAL_TABLES = ("users", "doctor_profiles", "credentials", "questions", "answers", "answer_reviews",
                 "helpful_votes", "follow_ups", "follows", "search_documents")


def generate(questions: int, seed: int = 1, progress: Callable[[str], object] = print, *,
             now: datetime | None = None) -> dict:
    """Add ~questions/5 members, a pool of verified doctors and `questions` threads (answers,
    votes, reviews, follow-ups, follows, accepted answers, search documents) to a migrated,
    seeded database without questions. Content is fixed by `seed`; times end at `now`.
    Returns the number of rows written per table."""
    if questions < 1:
        raise BenchDataError("Ask for at least one question.")
    started = time.perf_counter()
    topics, treatments = _reference_rows()
    _refuse_unsuitable(topics, treatments)
    db.session.commit()  # hand the connection back: SQLite would refuse our writes behind a reader
    vocabulary = Vocabulary(topics, treatments)
    check_fast_path(vocabulary, seed)
    with db.engine.connect() as conn:
        writer = _Writer(conn, _next_ids(conn))
        gen = Generator(questions, seed, now or clock.now(), vocabulary, writer.first_ids)
        writer.begin_bulk(progress)
        try:
            _phase(progress, "people", lambda: writer.write_all(gen.people()))
            _phase(progress, "questions", lambda: _threads(gen, writer, progress))
            _phase(progress, "doctor counters", lambda: writer.update_doctors(gen.doctor_totals()))
        finally:
            _phase(progress, "indexes", writer.end_bulk)
    _phase(progress, "search vocabulary", lambda: _vocabulary(gen))
    _phase(progress, "analyze", _analyze)  # first, so the stats queries get good plans
    _phase(progress, "stats", _refresh_stats)
    progress(f"bench data: {questions:,} questions in {time.perf_counter() - started:.1f}s")
    return dict(writer.counts)


def _vocabulary(gen: Generator) -> None:
    search_index.count_terms(gen.terms)
    db.session.commit()


def _phase(progress: Callable[[str], object], name: str, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    work()
    progress(f"  {name}: {time.perf_counter() - started:.1f}s")


def _reference_rows() -> tuple[list[sa.Row], list[sa.Row]]:
    """Topics in the database's name order (as Question.topics sorts them) and treatments, as
    plain rows: expired ORM objects would reopen a transaction that blocks the bulk load."""
    topics = db.session.execute(select(Topic.id, Topic.slug, Topic.name, Topic.kind).order_by(Topic.name)).all()
    treatments = db.session.execute(select(Treatment.id, Treatment.slug, Treatment.name).order_by(Treatment.id)).all()
    return topics, treatments


def _refuse_unsuitable(topics: list[sa.Row], treatments: list[sa.Row]) -> None:
    if not topics or not treatments:
        raise BenchDataError("No topics or treatments: run `forum db upgrade && forum seed` first.")
    if db.session.scalar(select(Question.id).limit(1)) is not None:
        raise BenchDataError("The database already has questions; bench data needs a freshly seeded database "
                             "(`forum db upgrade && forum seed`, without --demo).")
    if db.session.scalar(select(User.id).where(User.email.in_(["doctor1@bench.example", "member1@bench.example"]))):
        raise BenchDataError("Bench users already exist; start again from a freshly seeded database.")


def _next_ids(conn: sa.Connection) -> dict[str, int]:
    tables = db.metadata.tables
    return {name: (conn.scalar(select(func.max(tables[name].c.id))) or 0) + 1 for name in SERIAL_TABLES}


def _threads(gen: Generator, writer: _Writer, progress: Callable[[str], object]) -> None:
    started, done = time.perf_counter(), 0
    for batch in _batches(gen):
        writer.write_all(batch)
        done += len(batch["questions"])
        if done % 100_000 == 0 or done == gen.questions:
            progress(f"    {done:,} questions, {time.perf_counter() - started:.1f}s")


def _batches(gen: Generator) -> Iterator[dict[str, list[tuple]]]:
    """Thread batches in order. When there are several, a worker process makes them while this
    one writes: one core runs Python, the other the database."""
    ranges = [(first, min(first + CHUNK, gen.questions)) for first in range(0, gen.questions, CHUNK)]
    if len(ranges) == 1:
        yield gen.threads(*ranges[0])
        return
    context = multiprocessing.get_context("spawn")  # no inherited connections, locks or threads
    queue = context.Queue(maxsize=2)
    worker = context.Process(target=_produce, args=(gen, ranges, queue), daemon=True)
    worker.start()
    try:
        for _ in ranges:
            yield _receive(queue, worker)
        gen.doctor_answers, gen.doctor_helpful, gen.terms = _receive(queue, worker)
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()


def _produce(gen: Generator, ranges: list[tuple[int, int]], queue) -> None:
    """The worker: every batch, then the doctors' counters; a failure is sent as its traceback."""
    try:
        for first, stop in ranges:
            queue.put(gen.threads(first, stop))
        queue.put((gen.doctor_answers, gen.doctor_helpful, gen.terms))
    except Exception:
        queue.put(traceback.format_exc())
        raise


def _receive(queue, worker):
    while True:
        try:
            item = queue.get(timeout=5)
        except Empty:
            if not worker.is_alive():
                raise BenchDataError(f"The row-making process stopped (exit code {worker.exitcode}).") from None
            continue
        if isinstance(item, str):
            raise BenchDataError(f"The row-making process failed:\n{item}")
        return item


def _refresh_stats() -> None:
    """Recompute the stored aggregates when the stats service exists."""
    if importlib.util.find_spec("forum.services.stats") is None:
        return
    refresh = getattr(importlib.import_module("forum.services.stats"), "refresh_all", None)
    if refresh is not None:
        refresh()
        db.session.commit()


def _analyze() -> None:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA optimize")
        conn.commit()


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


class _Writer:
    """Writes row tuples straight through the driver: COPY (PostgreSQL) or executemany (SQLite)."""

    def __init__(self, conn: sa.Connection, first_ids: dict[str, int]):
        self.conn, self.raw = conn, conn.connection.driver_connection
        self.pg = conn.dialect.name == "postgresql"
        self.first_ids, self.counts, self.specs = first_ids, {}, {}

    def _spec(self, name: str) -> tuple[str, list[int] | None, tuple]:
        """Columns to write: ours that the table has, plus the scalar Python defaults of the rest."""
        if name not in self.specs:
            table, given = db.metadata.tables[name], COLUMNS[name]
            keep = [i for i, column in enumerate(given) if column in table.c]
            names, extra = [given[i] for i in keep], []
            for column in table.c:
                if column.name in given:
                    continue
                if column.default is not None and column.default.is_scalar:
                    names.append(column.name)
                    extra.append(_plain(column.default.arg))
                elif not (column.nullable or column.server_default is not None or column.primary_key):
                    raise BenchDataError(f"{name}.{column.name} needs a value: teach bench_data about it.")
            self.specs[name] = (", ".join(names), None if len(keep) == len(given) else keep, tuple(extra))
        return self.specs[name]

    def write(self, name: str, rows: list[tuple]) -> None:
        columns, keep, extra = self._spec(name)
        if keep is not None:
            rows = [tuple(row[i] for i in keep) for row in rows]
        if extra:
            rows = [row + extra for row in rows]
        if self.pg:
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * (columns.count(",") + 1))
            # Accepted B608: table and column names are this module's constants; the values are bound.
            self.raw.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", rows)  # nosec B608
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def write_all(self, tables: dict[str, list[tuple]]) -> None:
        """Write one batch of tables in one transaction."""
        for name, rows in tables.items():
            if rows:
                self.write(name, rows)
        self.raw.commit()

    def update_doctors(self, totals: list[tuple[int, int, int]]) -> None:
        sql = "UPDATE doctor_profiles SET answer_count = %s, helpful_count = %s WHERE id = %s"
        cursor = self.raw.cursor()
        cursor.executemany(sql if self.pg else sql.replace("%s", "?"), totals)
        cursor.close()
        self.raw.commit()

    def _run(self, *statements: str) -> None:
        cursor = self.raw.cursor()  # sqlite3 cursors are no context managers
        for statement in statements:
            cursor.execute(statement)
        cursor.close()
        self.raw.commit()

    def begin_bulk(self, progress: Callable[[str], object]) -> None:
        """Fast settings, and no index, constraint or trigger upkeep on the bulk tables until the end
        (one sorted build beats millions of random inserts)."""
        cursor = self.raw.cursor()
        if self.pg:
            cursor.execute(PG_SAVED, (list(THREAD_TABLES), list(THREAD_TABLES)))
            settings = ["SET synchronous_commit = off", "SET lock_timeout = '20s'"]
        else:
            self.raw.commit()  # PRAGMA foreign_keys and synchronous are ignored inside a transaction
            self.restore = [f"PRAGMA {p} = {cursor.execute(f'PRAGMA {p}').fetchone()[0]}"
                            for p in ("foreign_keys", "synchronous", "cache_size", "temp_store")]
            cursor.execute(SQLITE_SAVED.format(", ".join(f"'{t}'" for t in THREAD_TABLES)))
            settings = ["PRAGMA foreign_keys = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144",
                        "PRAGMA temp_store = MEMORY"]
        self.saved = sorted(cursor.fetchall(), key=lambda row: row[2])  # foreign keys come back last
        cursor.close()
        self._run(*settings)
        try:  # one transaction: all set aside, or nothing
            self._run(*(drop for _create, drop, _key in reversed(self.saved)))
        except Exception as err:
            self.raw.rollback()
            raise BenchDataError(f"Could not set indexes aside ({err}). Is another process using the database?") \
                from err
        if self.pg:
            self._run("SET lock_timeout = 0")
        progress(f"  {'COPY' if self.pg else 'executemany'}, {CHUNK:,} questions a batch; "
                 f"{len(self.saved)} indexes, constraints and triggers set aside")

    def end_bulk(self) -> None:
        """Recreate what begin_bulk set aside, rebuild full-text search, advance the sequences."""
        self.raw.rollback()
        if self.pg:
            self._run("SET maintenance_work_mem = '512MB'", *(create for create, _drop, _key in self.saved))
            # Accepted B608: the table names come from the constant SERIAL_TABLES, not from input.
            self._run(*(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "  # nosec B608
                        f"GREATEST((SELECT max(id) FROM {t}), 1))" for t in SERIAL_TABLES))
        else:
            self._run(*(create for create, _drop, _key in self.saved))
            # Statistics taken while search_fts was empty (migration 0006 runs ANALYZE) make FTS5's
            # merges ~9x slower on millions of rows: state a large table and reload them.
            if self.raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                self._run("DELETE FROM sqlite_stat1 WHERE tbl = 'search_fts_data'",
                          "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('search_fts_data', NULL, '1000000')",
                          "ANALYZE sqlite_master")
            self._run("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            self._run(*self.restore)
