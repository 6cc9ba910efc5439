"""A production-like local forum for the browser benchmarks (lighthouse.py, screenshots.py).

The same set-up as `run.py --data demo --engine sqlite`, with its helpers: the seed's demo data
in bench/data/bench_demo.sqlite3 (made fresh, or kept with --reuse), gunicorn with 2 sync
workers and FORUM_ENV=production on 127.0.0.1 (rate limits off, Redis db 14), and the bench
member signed in over HTTP. The pages to look at are found with SQL: the visible question with
the most answers (when the data has none, the member asks one through the form), the treatment
with the most facts filled in, the verified doctor with the most answers.
"""
from __future__ import annotations

import signal
import sys
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # noqa: E402 - bench/ is not a package: run.py is imported by path
    MEMBER_EMAIL, MEMBER_PASSWORD, REPO_DIR, BenchError, Dataset, Interrupted, Server, Target, _CsrfFinder,
    _on_signal, canonical, free_port, http_get, log, login, redis_flushdb, session_cookie,
)

__all__ = ["MEMBER_EMAIL", "MEMBER_PASSWORD", "REPO_DIR", "BenchError", "Interrupted", "Site", "local_site", "log"]


@dataclass
class Site:
    url: str
    cookie: str            # "__Host-session=..." of the signed-in bench member
    pages: dict[str, str]  # name -> path; "ask form" needs the member signed in


def _one(engine, sql: str):
    import sqlalchemy as sa
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), {"f": False}).first()


def _ask_a_question(port: int, cookie: str) -> str:
    """The member asks through the form; returns the new question's path."""
    status, msg, body = http_get(port, "/questions/ask", headers={"Cookie": cookie})
    finder = _CsrfFinder()
    finder.feed(body.decode("utf-8", "replace"))
    if status != 200 or not finder.token:
        raise BenchError(f"GET /questions/ask answered {status} (or had no csrf_token)")
    cookie = session_cookie(msg) or cookie
    form = urllib.parse.urlencode({
        "csrf_token": finder.token, "topics": "enlarged-pores",
        "title": "Does microneedling make enlarged pores look smaller?",
        "body": "My pores on the nose and cheeks look larger every year. Is microneedling worth trying?"})
    status, msg, _ = http_get(port, "/questions/ask", method="POST", body=form.encode(),
                              headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    if status not in (302, 303):
        raise BenchError(f"asking a question answered {status} (expected a redirect to the question)")
    return urllib.parse.urlsplit(msg["Location"]).path


def _pages(engine, port: int, cookie: str) -> dict[str, str]:
    question = _one(engine, "SELECT q.id FROM questions q LEFT JOIN answers a ON a.question_id = q.id "
                            "AND a.hidden = :f WHERE q.hidden = :f AND q.deleted_at IS NULL "
                            "GROUP BY q.id ORDER BY count(a.id) DESC, q.id LIMIT 1")
    question_path = (canonical(port, f"/questions/{question[0]}", {}) if question
                     else _ask_a_question(port, cookie))
    treatment = _one(engine, "SELECT slug FROM treatments ORDER BY (cost_min IS NOT NULL) + (sessions IS NOT NULL)"
                             " + (downtime IS NOT NULL) + (durability IS NOT NULL) DESC, slug LIMIT 1")
    doctor = _one(engine, "SELECT p.id FROM doctor_profiles p LEFT JOIN answers a ON a.author_id = p.user_id "
                          "WHERE p.status = 'verified' GROUP BY p.id ORDER BY count(a.id) DESC, p.id LIMIT 1")
    if treatment is None or doctor is None:
        raise BenchError("the demo data has no treatment or no verified doctor")
    return {"home": "/", "question": question_path, "treatment": f"/treatments/{treatment[0]}",
            "ask form": "/questions/ask", "doctor profile": canonical(port, f"/doctors/{doctor[0]}", {})}


@contextmanager
def local_site(reuse: bool = False):
    """Serve the forum on the demo data until the block ends; stop it by PID on exit or signal."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    target, dataset = Target(REPO_DIR), Dataset("sqlite", "demo")
    if reuse and dataset.exists():
        log("reusing the demo database")
    else:
        dataset.prepare(target)
    engine = sa.create_engine(dataset.url, poolclass=NullPool)
    server = None
    try:
        dataset.ensure_member(target, engine)
        redis_flushdb()
        port = free_port()
        env = target.env(dataset.url, serving=True)
        env["FORUM_SITE_URL"] = f"http://127.0.0.1:{port}"
        server = Server("forum-browser-bench", "forum:create_app()", REPO_DIR, env, REPO_DIR, port=port)
        server.wait_ready()
        cookie = login(port)
        yield Site(url=f"http://127.0.0.1:{port}", cookie=cookie, pages=_pages(engine, port, cookie))
    finally:
        if server is not None:
            server.stop()
        engine.dispose()
