"""Browser harness: the app on a free 127.0.0.1 port, a fresh migrated SQLite file, and
Debian's Chromium driven through Playwright's sync API (never a downloaded browser).

Browser tests skip with a reason when Chromium or the `playwright` package is missing,
unless FORUM_REQUIRE_BROWSER=1 (CI), where they fail instead. They use their own app
(`live_server`), never the `app` fixture of tests/conftest.py.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from forum import create_app
from forum.config import ROOT
from forum.services.seed import load_seed

CHROMIUM = os.environ.get("FORUM_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("FORUM_REQUIRE_BROWSER") == "1"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (`-m "not browser"` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    """Skip (a developer machine without a browser) or fail (CI must run these tests)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (FORUM_REQUIRE_BROWSER=1: browser tests may not skip)", pytrace=False)
    pytest.skip(reason)


# ---- the server ----

class _QuietHandler(WSGIRequestHandler):
    """No access log: it would write to pytest's captured streams from server threads."""

    def log_request(self, *args, **kwargs):
        pass

    def log_message(self, *args, **kwargs):
        pass


class _ServerErrors(logging.Handler):
    """Collects what went wrong inside the server (5xx answers, logged tracebacks), so a test
    fails with the server's traceback instead of a locator timeout."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.problems: list[str] = []
        self._lock = threading.Lock()

    def add(self, problem: str) -> None:
        with self._lock:
            self.problems.append(problem)

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.add(f"{record.name}: {text}")

    def take(self) -> list[str]:
        with self._lock:
            problems, self.problems = self.problems, []
        return problems


@dataclass
class LiveServer:
    app: Flask
    url: str
    database_path: Path
    errors: _ServerErrors

    @contextmanager
    def app_context(self):
        """Work on the server's database from the test (create staff, read rows)."""
        from forum.extensions import db

        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()


def _browser_app_config(tmp: Path) -> dict:
    return {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'forum.sqlite3'}",
        "PHOTO_DIR": str(tmp / "photos"),  # never the checkout's instance folder
        "DATABASE_URL": None,  # a FORUM_DATABASE_URL in the environment must not win here
        "MAIL_BACKEND": "memory",
        "RATELIMIT_SIGNUP": "100 per day",
        "RATELIMIT_LOGIN": "100 per minute",
        "RATELIMIT_DEFAULT": "10000 per minute",
        # Production cookie settings stay as they are (__Host-session, Secure): Chromium treats
        # http://127.0.0.1 as a secure context and accepts them (the log-in journey checks).
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served by werkzeug in a background thread; stopped at the end of the session."""
    import flask_migrate

    from forum.extensions import db

    tmp = tmp_path_factory.mktemp("browser-db")
    app = create_app(_browser_app_config(tmp))
    errors = _ServerErrors()

    @app.after_request
    def _record_server_errors(response):
        if response.status_code >= 500:
            from flask import request

            errors.add(f"{request.method} {request.full_path.rstrip('?')} answered {response.status}")
        return response

    forum_log = logging.getLogger("forum")
    forum_log.addHandler(errors)
    try:
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))  # schema from migrations only
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="forum-live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}",
                             database_path=tmp / "forum.sqlite3", errors=errors)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            assert not thread.is_alive(), "the live server thread did not stop"
    finally:
        forum_log.removeHandler(errors)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """A browser test fails when the server answered 5xx or logged an error during it."""
    if "live_server" not in request.fixturenames:
        yield
        return
    if "chromium" in request.fixturenames:
        request.getfixturevalue("chromium")  # skip (or fail) before starting a server for nothing
    server = request.getfixturevalue("live_server")
    server.errors.take()
    yield
    problems = server.errors.take()
    if problems:
        pytest.fail("the server failed during this test:\n" + "\n".join(problems), pytrace=False)


# ---- the browser ----

@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, launched once per session through Playwright's sync API."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set FORUM_CHROMIUM)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as e:
        _unavailable(f"the playwright package is not importable ({e}); pip install -e '.[test]'")
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        pytest.fail("Playwright's sync API cannot run inside a running asyncio loop", pytrace=False)

    expect.set_options(timeout=TIMEOUT_MS)  # a 2-core CI machine hashes passwords slowly
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    except Exception:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def new_context(chromium, live_server):
    """Open isolated browser contexts (separate cookie jars: two people at two computers)."""
    contexts = []

    def open_context(**options):  # e.g. timezone_id="Europe/Paris", locale="es-MX"
        options.setdefault("locale", "en-GB")
        context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def seeded(live_server):
    """The live server with the seed's reference content (topics, treatments, posts, pages, translations)."""
    with live_server.app_context():
        load_seed(ROOT / "seed")
    return live_server


@pytest.fixture
def page(new_context):
    """A page in a fresh context: one visitor."""
    return new_context().new_page()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot to test-artifacts/<name>.png (gitignored)."""
    def save(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
