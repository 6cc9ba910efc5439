"""Migrations: upgrade -> downgrade base -> upgrade on a scratch database, then no drift between
the migrated schema and the models; and the app factory never touches the database.

SQLite always runs. PostgreSQL runs on the server of FORUM_TEST_DATABASE_URL when that is a
postgresql URL, else on the local default server; a missing server skips only outside CI.
"""
from __future__ import annotations

import os
import secrets

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.config import ROOT
from forum.extensions import db

MIGRATIONS = str(ROOT / "migrations")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nope"


def _postgres_server() -> tuple[str, bool]:
    """(URL of a database to connect to for CREATE DATABASE, whether it was asked for)."""
    url = os.environ.get("FORUM_TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return url, True
    return DEFAULT_POSTGRES, False


def _no_postgres(reason: str, asked_for: bool):
    if asked_for or os.environ.get("CI"):
        pytest.fail(f"PostgreSQL migration test cannot run: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL migration test skipped: {reason} (set FORUM_TEST_DATABASE_URL to run it)")


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_database(request, tmp_path):
    """The URL of an empty database that exists only for this test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return

    server_url, asked_for = _postgres_server()
    shown = make_url(server_url).render_as_string(hide_password=True)
    try:
        engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    except ImportError as e:  # psycopg not installed
        _no_postgres(f"no PostgreSQL driver ({e})", asked_for)
    try:
        conn = engine.connect()
    except Exception as e:  # noqa: BLE001 - any failure to connect means "no server"
        engine.dispose()
        _no_postgres(f"cannot connect to {shown} ({type(e).__name__}: {str(e).splitlines()[0]})", asked_for)
    name = f"forum_mig_{secrets.token_hex(6)}"
    try:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        conn.close()
        engine.dispose()


def _app_for(url: str):
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "DATABASE_URL": None,
                       "MAIL_BACKEND": "memory"})


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _drift() -> list:
    """What autogenerate would write for this database now (with the project's own options)."""
    options = dict(flask_migrate_configure_args())
    options.pop("process_revision_directives", None)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=options)
        return compare_metadata(context, db.metadata)


def flask_migrate_configure_args() -> dict:
    from flask import current_app

    return current_app.extensions["migrate"].configure_args


def test_migrations_upgrade_downgrade_upgrade_leave_no_drift(scratch_database):
    app = _app_for(scratch_database)
    head = ScriptDirectory(MIGRATIONS).get_current_head()
    with app.app_context():
        try:
            flask_migrate.upgrade(directory=MIGRATIONS)
            model_tables = {table.name for table in db.metadata.sorted_tables}
            assert model_tables <= _tables(), f"tables without a migration: {model_tables - _tables()}"

            flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
            assert _tables() <= {"alembic_version"}, f"left after downgrade to base: {_tables() - {'alembic_version'}}"

            flask_migrate.upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == head
            drift = _drift()
            assert drift == [], ("the models differ from the migrated schema; write a migration "
                                 f"(forum db migrate) and review it:\n{drift}")
        finally:
            db.session.remove()
            db.engine.dispose()


def test_rows_survive_every_downgrade_and_upgrade_step(scratch_database):
    """SQLite batch migrations rebuild tables; rows that refer to a rebuilt table (answers to
    questions, credentials to doctor profiles) must not be cascade-deleted on the way."""
    from forum.services.seed import load_seed

    app = _app_for(scratch_database)
    script = ScriptDirectory(MIGRATIONS)
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    tables = ("questions", "answers", "follow_ups", "helpful_votes", "question_topics", "doctor_topics",
              "credentials", "doctor_profiles", "article_topics")
    with app.app_context():
        try:
            flask_migrate.upgrade(directory=MIGRATIONS)
            load_seed(ROOT / "seed", demo=True)
            db.session.remove()

            def counts():
                with db.engine.connect() as conn:
                    present = set(inspect(conn).get_table_names())
                    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()  # nosec B608
                            for t in tables if t in present}

            before = counts()
            assert before["answers"] > 0 and before["credentials"] > 0
            for down_to in revisions[1:]:
                flask_migrate.downgrade(directory=MIGRATIONS, revision=down_to)
                after = counts()
                assert after == {t: before[t] for t in after}, f"rows lost going down to {down_to}"
                flask_migrate.upgrade(directory=MIGRATIONS)
                again = counts()
                assert {t: again[t] for t in after} == after, f"rows lost going up from {down_to}"
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_performance_migration_renders_stored_markdown_and_gathers_planner_statistics(scratch_database):
    """0006 fills body_html for rows written before it, and runs ANALYZE so the planner picks
    the indexes from the start."""
    from forum.services.seed import load_seed

    app = _app_for(scratch_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(directory=MIGRATIONS)
            load_seed(ROOT / "seed", demo=True)
            db.session.remove()
            flask_migrate.downgrade(directory=MIGRATIONS, revision="0005_consultations")
            flask_migrate.upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                empty = conn.execute(text("SELECT count(*) FROM answers WHERE body_html = ''")).scalar()
                rendered = conn.execute(text("SELECT body_html FROM articles")).scalars().all()
                if conn.dialect.name == "sqlite":
                    analyzed = conn.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar()
                else:
                    analyzed = conn.execute(text("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'questions' "
                                                 "AND last_analyze IS NOT NULL")).scalar()
            assert empty == 0 and rendered and all(html.startswith("<") for html in rendered)
            assert analyzed > 0
        finally:
            db.session.remove()
            db.engine.dispose()


def test_app_factory_does_not_touch_the_database(monkeypatch):
    """Workers must boot while the database is down; the readiness check then says so."""
    monkeypatch.setenv("FORUM_DATABASE_URL", UNREACHABLE)
    app = create_app({"ENV_NAME": "testing"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == UNREACHABLE
    client = app.test_client()
    try:
        assert client.get("/healthz").status_code == 200  # alive: a restart would not help
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.is_json and response.get_json()["database"] is False

        for path in ("/login", "/"):
            response = client.get(path)
            assert response.status_code in (200, 503), (path, response.status_code)
            assert response.mimetype == "text/html"
            assert "Traceback" not in response.get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_search_migration_rebuilds_the_index_from_the_content(scratch_database):
    """0007 replaces the index's shape on a database that already has content: every public
    question, answer, published post, treatment and topic is a document again, with plain-text
    bodies, and the engines find them (stemmed, accent-free, by prefix)."""
    from forum.services import search
    from forum.services.seed import load_seed

    app = _app_for(scratch_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(directory=MIGRATIONS)
            load_seed(ROOT / "seed", demo=True)
            db.session.remove()
            flask_migrate.downgrade(directory=MIGRATIONS, revision="0006_performance")
            flask_migrate.upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                kinds = dict(conn.execute(text("SELECT kind, count(*) FROM search_documents GROUP BY kind")).all())
                expected = {
                    "question": conn.execute(text("SELECT count(*) FROM questions WHERE hidden = :f "
                                                  "AND deleted_at IS NULL"), {"f": False}).scalar(),
                    "article": conn.execute(text("SELECT count(*) FROM articles WHERE status = 'published'")).scalar(),
                    "treatment": conn.execute(text("SELECT count(*) FROM treatments")).scalar(),
                    "topic": conn.execute(text("SELECT count(*) FROM topics")).scalar(),
                }
                markdown = conn.execute(text("SELECT count(*) FROM search_documents WHERE body LIKE '%**%'")).scalar()
                terms = conn.execute(text("SELECT count(*) FROM search_terms")).scalar()
            assert {k: kinds.get(k) for k in expected} == expected and kinds["answer"] > 0
            assert markdown == 0 and terms > 100
            hits = search.search("microneedl").hits
            assert hits and any(h.url == "/treatments/microneedling" for h in hits)
        finally:
            db.session.remove()
            db.engine.dispose()


def _log_triggers(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'moderation_log'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('moderation_log') AND NOT tgisinternal"
    return set(conn.execute(text(sql)).scalars())


LOG_TRIGGERS = {"sqlite": {"moderation_log_no_delete", "moderation_log_no_update"},
                "postgresql": {"moderation_log_append_only", "moderation_log_no_truncate"}}


def test_the_moderation_trust_migration_makes_the_log_append_only(scratch_database):
    """0011 installs the triggers create_all installs: raw UPDATE and DELETE on the log are refused,
    deleting a moderator's account still clears their name; downgrading removes the triggers."""
    from sqlalchemy.exc import DatabaseError

    from forum.services.moderation import log_action
    from tests.factories import make_moderator

    app = _app_for(scratch_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(directory=MIGRATIONS)
            moderator = make_moderator()
            log_action(moderator, "user.ban", "user", 1, "Advertised a clinic in every answer")
            db.session.commit()
            db.session.delete(moderator)  # ON DELETE SET NULL passes the trigger
            db.session.commit()
            with db.engine.connect() as conn:
                assert _log_triggers(conn) == LOG_TRIGGERS[conn.dialect.name]
                assert conn.execute(text("SELECT actor_id, reason FROM moderation_log")).one() == (
                    None, "Advertised a clinic in every answer")
                conn.rollback()
                for statement in ("UPDATE moderation_log SET reason = 'Nothing'", "DELETE FROM moderation_log"):
                    with pytest.raises(DatabaseError, match="append-only"):
                        with conn.begin():
                            conn.execute(text(statement))

            flask_migrate.downgrade(directory=MIGRATIONS, revision="0010_idempotency")
            with db.engine.begin() as conn:
                assert _log_triggers(conn) == set()
                if conn.dialect.name == "postgresql":
                    assert conn.execute(text("SELECT count(*) FROM pg_proc "
                                             "WHERE proname = 'moderation_log_append_only'")).scalar() == 0
                conn.execute(text("UPDATE moderation_log SET reason = 'Before 0011 nothing stopped this'"))

            flask_migrate.upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                assert _log_triggers(conn) == LOG_TRIGGERS[conn.dialect.name]
        finally:
            db.session.remove()
            db.engine.dispose()
