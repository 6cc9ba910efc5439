"""A PostgreSQL outage: 503 with Retry-After only while the database is down, no error after.

The test starts a PRIVATE throwaway cluster (tests/deploy/pgcluster.py: initdb in a temporary
directory, a free port, 127.0.0.1 only), never the machine's shared server, so it runs the same
on the SQLite and the PostgreSQL suite runs. It migrates and seeds that cluster in-process, then
drives the app through Flask's test client with the page cache off (a cached page would hide
the outage): every page answers 200; `pg_ctl stop -m fast`; the same pages answer 503 with
Retry-After (an HTML page or the JSON error body, never a traceback, never 500), quickly;
`/readyz` says 503 and `/healthz` (alive) 200; the cluster starts again and from the moment it
accepts connections every request answers 200. The figures are printed (run with -s).
"""
from __future__ import annotations

import os
import subprocess  # nosec B404
import time

import flask_migrate
import pytest
from sqlalchemy import select

from forum import create_app
from forum.config import ROOT
from forum.extensions import db
from forum.text import slugify
from tests.deploy import pgcluster

MIGRATIONS = str(ROOT / "migrations")
CONNECT_TIMEOUT = 2  # seconds; production needs one too: ?connect_timeout=5 in FORUM_DATABASE_URL


@pytest.fixture
def cluster():
    reason = pgcluster.missing_reason()
    if reason:
        if os.environ.get("CI") or os.environ.get("FORUM_REQUIRE_BROWSER"):
            pytest.fail(f"the outage test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    with pgcluster.PrivateCluster() as running:
        yield running  # stopped (-m immediate) and removed on the way out, even on failure


def _app(url: str):
    return create_app({
        "ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "DATABASE_URL": None, "MAIL_BACKEND": "memory",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"connect_timeout": CONNECT_TIMEOUT}},
        "PAGE_CACHE_SECONDS": 0, "PUBLIC_MAX_AGE": 0, "REDIS_URL": None,
        "RATELIMIT_ENABLED": False,  # the test polls faster than a visitor may
    })


def _seed(app) -> list[str]:
    """Migrate and load the reference and demo content; the pages to watch."""
    from forum.models import Question, Topic
    from forum.services.seed import load_seed

    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        load_seed(app.config["SEED_PATH"], demo=True)
        topic = db.session.scalar(select(Topic.slug).order_by(Topic.id).limit(1))
        question = db.session.scalars(select(Question).where(Question.hidden.is_(False)).order_by(Question.id)).first()
        question_path = f"/questions/{question.id}/{slugify(question.title)}"
        db.session.remove()
    assert topic
    return ["/", f"/topics/{topic}", question_path, "/api/v1/questions"]


def _assert_unavailable(path: str, response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, (path, response.status_code, body[:300])
    retry = response.headers.get("Retry-After", "")
    assert retry.isdigit() and int(retry) > 0, (path, dict(response.headers))
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body, (path, body[:500])
    if path.startswith("/api/"):
        assert response.is_json, (path, response.mimetype)
        error = response.get_json()["error"]
        assert error["code"] == "unavailable" and error.get("request_id"), error
    else:
        assert response.mimetype == "text/html", (path, response.mimetype)


def test_postgresql_outage_gives_503_with_retry_after_only_while_it_is_down(cluster):
    app = _app(cluster.create_database("forum"))
    figures: dict[str, float] = {}
    try:
        pages = _seed(app)
        client = app.test_client()

        # ---- up: every page answers, the checks say ready ----
        for path in pages * 2:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200

        # ---- down ----
        figures["pg_ctl stop -m fast (s)"] = cluster.stop("fast")
        down_times = []
        for _ in range(3):  # the pool held live connections before; the second round has none
            for path in pages:
                started = time.monotonic()
                response = client.get(path)
                down_times.append(time.monotonic() - started)
                _assert_unavailable(path, response)
        figures["slowest request while down (ms)"] = max(down_times) * 1000
        figures["median request while down (ms)"] = sorted(down_times)[len(down_times) // 2] * 1000
        assert max(down_times) < CONNECT_TIMEOUT, "requests must fail fast while the database is down"

        # /healthz: the process is alive (a restart would not help); /readyz: the database and Redis answer.
        health = client.get("/healthz")
        assert health.status_code == 200, health.get_data(as_text=True)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["database"] is False, ready.get_data(as_text=True)

        # ---- back: poll while the server starts; 503 is allowed only until pg_ctl says it is up ----
        statuses_during_start = []
        started = time.monotonic()
        with subprocess.Popen(cluster.start_command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,  # nosec B603
                              cwd=cluster.root) as starting:
            first_ok = None
            while starting.poll() is None:
                response = client.get(pages[0])
                statuses_during_start.append(response.status_code)
                if response.status_code == 200 and first_ok is None:
                    first_ok = time.monotonic() - started
                elif response.status_code != 200:
                    _assert_unavailable(pages[0], response)
                time.sleep(0.02)
            error = starting.stderr.read().decode(errors="replace")
        assert starting.returncode == 0, f"pg_ctl start failed: {error}\n{cluster.server_log()}"
        cluster.running = True
        accepting = time.monotonic() - started

        after = []
        for path in pages * 3:
            response = client.get(path)
            after.append((path, response.status_code))
            if first_ok is None and response.status_code == 200:
                first_ok = time.monotonic() - started
        assert all(status == 200 for _, status in after), f"errors after the database came back: {after}"
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200

        # ---- hung, not down: the server takes connections but never answers (a frozen host, a
        # full backlog). Only a connect timeout turns that into a quick 503 instead of a worker
        # stuck until gunicorn kills it. New connections are needed: empty the pool first.
        with app.app_context():
            db.engine.dispose()
        hung_times = []
        with cluster.frozen():
            for path in (pages[0], pages[-1]):
                started_hung = time.monotonic()
                response = client.get(path)
                hung_times.append(time.monotonic() - started_hung)
                _assert_unavailable(path, response)
        assert max(hung_times) < CONNECT_TIMEOUT + 2, hung_times
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, ("after the hang", path, response.status_code)
        figures["request while hung (connect_timeout) (s)"] = max(hung_times)

        figures["pg_ctl start until accepting (s)"] = accepting
        figures["restart to first 200 (s)"] = first_ok
        figures["requests during start-up"] = len(statuses_during_start)
        figures["503 during start-up"] = statuses_during_start.count(503)
        print("\nPostgreSQL outage figures:")
        for name, value in figures.items():
            print(f"  {name:42} {value:.3f}" if isinstance(value, float) else f"  {name:42} {value}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
