"""Fixtures: the app on SQLite (memory) or FORUM_TEST_DATABASE_URL, clean tables per test."""
from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import event

from forum import clock, create_app, mail
from forum.extensions import db
from forum.i18n import compile_catalogs
from tests import factories, workers

compile_catalogs()  # what `pybabel compile -d forum/translations` does on install

DATABASE_URL = workers.database_url(os.environ.get("FORUM_TEST_DATABASE_URL", "sqlite://"))
# The machine's Redis; tests that share state through it use this DB number (one per pytest -n
# worker) and empty it. Under pytest -n each worker has its own PostgreSQL database too.
REDIS_URL = workers.redis_url(os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/13"))
IS_POSTGRES = DATABASE_URL.startswith("postgresql")
_schema_ready = False


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks
def pytest_collection_modifyitems(items):
    """Under pytest -n, the deploy tests run one after another on one worker: a module's stack starts
    once, and two stacks never compete for the two cores (their start-up has a time limit)."""
    for item in items:
        if item.path.parent.name == "deploy" and item.path.name.startswith("test_"):
            item.add_marker(pytest.mark.xdist_group("deploy"))


def make_app(**overrides):
    config = {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": DATABASE_URL}
    config.update(overrides)
    app = create_app(config)
    # The fixture keeps one app context open so tests can use db.session; Flask would then
    # share `g` across requests (Flask-Login caches the user there, Flask-WTF the CSRF token).
    # Start every request with an empty `g`, as in production where each request has its own.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    return app


def _fresh_g():
    for key in list(vars(g)):
        delattr(g, key)


@pytest.fixture
def app_config():
    """Per-test config overrides; override this fixture (or use make_app) to change settings."""
    return {}


@pytest.fixture
def app(app_config, tmp_path):
    """The app on the test database; photos go to a folder of this test's own (`photo_dir`)."""
    global _schema_ready
    app = make_app(**{"PHOTO_DIR": str(tmp_path / "photos"), **app_config})
    with app.app_context():
        if not IS_POSTGRES:
            db.create_all()
        elif not _schema_ready:
            with db.engine.begin() as conn:  # drop_all only knows today's tables and keys
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            db.create_all()
            _schema_ready = True
        mail.SENT.clear()
        yield app
        db.session.remove()
        if IS_POSTGRES:
            with db.engine.begin() as conn:
                # user triggers off for this transaction: the moderation log refuses DELETE
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        else:
            db.drop_all()
        db.engine.dispose()  # one engine per app: close its pooled connections now


@pytest.fixture
def photo_dir(app, tmp_path):
    """Where this test's photos are stored (encrypted, under random names)."""
    return tmp_path / "photos"


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a page and read its CSRF token, as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Browser:
    """A test client that behaves like a user: reads the CSRF token before each form post."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post_form(self, path, data=None, token_from=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self.client, token_from or path))
        return self.client.post(path, data=data, **kw)

    def login(self, user, password=factories.PASSWORD, remember=False):
        data = {"email": user.email, "password": password}
        if remember:
            data["remember"] = "1"
        response = self.post_form("/login", data)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        if user.two_factor_enabled and "/login/code" in response.headers["Location"]:
            response = self.post_form("/login/code", {"code": factories.totp_code(user)})
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return response

    def api_token(self):
        return csrf_token(self.client, "/account")


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def login(browser):
    return browser.login


@pytest.fixture
def frozen_clock(monkeypatch):
    """Move time: `frozen_clock.advance(minutes=31)`."""
    class Clock:
        def __init__(self):
            self.current = clock.now()

        def advance(self, **delta):
            self.current += timedelta(**delta)

    fake = Clock()
    monkeypatch.setattr(clock, "now", lambda: fake.current)
    return fake


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside the `with` block: `with count_queries() as q: ...; q.count`."""
    class Counter:
        def __init__(self):
            self.count = 0
            self.statements = []

        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self._hit)
            return self

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self._hit)

        def _hit(self, conn, cursor, statement, *args):
            self.count += 1
            self.statements.append(statement)

    return Counter


@pytest.fixture
def redis_url():
    """The machine's Redis (FORUM_TEST_REDIS_URL), emptied before and after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is needed for this test: {exc}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def redis_app_pair(app, redis_url, tmp_path):
    """Two app instances, as two servers would run: one database, one Redis."""
    url = DATABASE_URL if IS_POSTGRES else f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    pair = [make_app(SQLALCHEMY_DATABASE_URI=url, REDIS_URL=redis_url, SQL_COUNT_HEADER=True) for _ in range(2)]
    if not IS_POSTGRES:
        with pair[0].app_context():
            db.create_all()
    yield pair
    for one in pair:
        with one.app_context():
            db.session.remove()
            db.engine.dispose()
