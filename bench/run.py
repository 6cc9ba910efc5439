#!/usr/bin/env python3
"""Benchmark the forum's main read pages against a bare Flask app ("the limit").

    python bench/run.py --data demo|100k|1m [--engine sqlite|postgresql|both] [--duration 10]
                        [--out bench/results/NAME.md] [--app-dir PATH] [--reuse]

For each engine: prepare a fresh database (forum db upgrade, seed, demo data or bench-data),
create a member, serve the forum and bench/bare_app.py with gunicorn (2 sync workers, 127.0.0.1),
log the member in over HTTP, then measure each page as a visitor and as the member: a warm-up,
the X-SQL-Statements header, single-client latency (sequential requests, one connection each)
and wrk throughput. Appends one Markdown table per engine to --out. See bench/README.md.
"""
from __future__ import annotations

import argparse
import http.client
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
LOG_DIR = DATA_DIR / "logs"

SIZES = {"demo": None, "100k": 100_000, "1m": 1_000_000}
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"  # maintenance db: CREATE/DROP DATABASE only
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 14
MEMBER_EMAIL = "bench-member@bench.example"
MEMBER_NAME = "Bench Member"
MEMBER_PASSWORD = "bench member password 2026"
SESSION_COOKIE = "__Host-session"

WORKERS = 2
WRK_THREADS, WRK_CONNECTIONS, WRK_TIMEOUT = 2, 8, "30s"
WARMUP_REQUESTS = 10
HTTP_TIMEOUT = 60            # seconds, one request of the harness's own client
SERVER_START_TIMEOUT = 60    # seconds for gunicorn to answer /healthz
CRON_COMMANDS = ("optimize-db", "refresh-stats")  # run after loading, if the checkout has them
PREP_TIMEOUTS = {"demo": 600, "100k": 2 * 3600, "1m": 6 * 3600}  # seconds for one prep command


class BenchError(Exception):
    """A clear, expected failure: printed without a traceback."""


class Interrupted(BaseException):
    """SIGTERM/SIGHUP turned into an exception so every finally: block runs."""


def _on_signal(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


# ---------------------------------------------------------------------------------------------
# Small helpers

def log(msg: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def fmt_ms(value: float | None) -> str:
    if value is None or value != value:  # None or NaN
        return "n/a"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def redis_flushdb() -> None:
    """FLUSHDB on the benchmark's Redis db (14) only, over a raw socket (no client package needed)."""
    cmd = f"*2\r\n$6\r\nSELECT\r\n${len(str(REDIS_DB))}\r\n{REDIS_DB}\r\n*1\r\n$7\r\nFLUSHDB\r\n".encode()
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=5) as s:
            s.sendall(cmd)
            reply = b""
            deadline = time.monotonic() + 5
            while reply.count(b"\r\n") < 2 and time.monotonic() < deadline:
                chunk = s.recv(256)
                if not chunk:
                    break
                reply += chunk
    except OSError as e:
        raise BenchError(f"Redis at {REDIS_HOST}:{REDIS_PORT} is not reachable: {e}") from None
    if reply != b"+OK\r\n+OK\r\n":
        raise BenchError(f"Redis FLUSHDB on db {REDIS_DB} answered {reply!r}")


# ---------------------------------------------------------------------------------------------
# The app under test, its environment and its data set

@dataclass
class Target:
    """The app checkout being measured and the environment every forum process gets."""
    app_dir: Path
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    _commands: set | None = None

    def env(self, database_url: str, serving: bool = False) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FORUM_", "BENCH_"))}
        env.update(FORUM_ENV="production", FORUM_SECRET_KEY=self.secret_key, FORUM_DATABASE_URL=database_url,
                   FORUM_REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
                   PYTHONPATH=str(self.app_dir), PYTHONDONTWRITEBYTECODE="1")
        if serving:
            env.update(FORUM_RATELIMIT_ENABLED="false",
                       FORUM_RATELIMIT_STORAGE_URI=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
                       FORUM_SQL_COUNT_HEADER="true")
        return env

    def forum(self, args: list[str], database_url: str, timeout: int, extra_env: dict | None = None,
              quiet: bool = False) -> str:
        """Run `forum ARGS` from the app dir (its own `forum` package first on the path)."""
        env = self.env(database_url)
        env.update(extra_env or {})
        cmd = [sys.executable, "-c", "from forum.cli import cli; cli(prog_name='forum')", *args]
        if not quiet:
            log("forum " + " ".join(args))
        started = time.monotonic()
        try:
            proc = subprocess.run(cmd, cwd=self.app_dir, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"`forum {' '.join(args)}` took more than {timeout} s") from None
        if proc.returncode != 0:
            out = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
            raise BenchError(f"`forum {' '.join(args)}` failed (exit {proc.returncode}):\n{out}")
        if not quiet:
            log(f"  done in {time.monotonic() - started:.1f} s")
        return proc.stdout

    def commands(self) -> set[str]:
        """The `forum` subcommands this checkout has (read once from `forum --help`)."""
        if self._commands is None:
            out = self.forum(["--help"], "sqlite://", 120, quiet=True)
            section = out.split("Commands:", 1)[-1]
            self._commands = {m.group(1) for m in re.finditer(r"^\s{2}([a-z][a-z0-9-]*)\s", section, re.M)}
        return self._commands

    def forum_package(self) -> str:
        proc = subprocess.run([sys.executable, "-c", "import forum; print(forum.__file__)"], cwd=self.app_dir,
                              env=self.env("sqlite://"), capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            raise BenchError(f"cannot import forum from {self.app_dir}:\n{proc.stderr.strip()[-2000:]}")
        return str(Path(proc.stdout.strip()).parent)

    def commit(self) -> str:
        def git(*args):
            return subprocess.run(["git", "-C", str(self.app_dir), *args], capture_output=True, text=True, timeout=60)
        head = git("rev-parse", "--short", "HEAD")
        if head.returncode != 0:
            return "unknown (not a git checkout)"
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")


class Dataset:
    """One engine's database for one data size: create, fill, or reuse."""

    def __init__(self, engine: str, size: str):
        self.engine, self.size = engine, size
        self.marker = DATA_DIR / f"{engine}-{size}.ready"
        if engine == "sqlite":
            self.path = DATA_DIR / f"bench_{size}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.dbname = f"bench_{size}"
            assert re.fullmatch(r"bench_[a-z0-9]+", self.dbname)
            self.url = PG_URL.format(name=self.dbname)

    # PostgreSQL administration: only our own bench_<size> database is created or dropped.
    def _pg_admin(self, sql: str) -> list:
        import psycopg
        try:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
                cur = conn.execute(sql)
                return cur.fetchall() if cur.description else []
        except psycopg.Error as e:
            raise BenchError(f"PostgreSQL at 127.0.0.1:5432: {e}") from None

    def exists(self) -> bool:
        if not self.marker.exists():
            return False
        if self.engine == "sqlite":
            return self.path.exists()
        return bool(self._pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{self.dbname}'"))

    def drop(self) -> None:
        self.marker.unlink(missing_ok=True)
        if self.engine == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def prepare(self, target: Target) -> None:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        log(f"preparing a fresh {self.engine} database for {self.size}")
        self.drop()
        if self.engine == "postgresql":
            self._pg_admin(f'CREATE DATABASE "{self.dbname}"')
        steps = [["db", "upgrade"], ["seed"]]
        if SIZES[self.size] is None:
            steps.append(["seed", "--demo"])
        elif "bench-data" in target.commands():
            steps.append(["bench-data", "--questions", str(SIZES[self.size])])
        else:
            raise BenchError(f"{target.app_dir} has no `forum bench-data` command: use --data demo")
        if SIZES[self.size] is None:
            # What production's cron jobs keep up to date, when this checkout has them: after
            # `seed --demo` they have not run yet (bench-data runs both itself).
            steps += [[command] for command in CRON_COMMANDS if command in target.commands()]
        started = time.monotonic()
        for step in steps:
            target.forum(step, self.url, PREP_TIMEOUTS[self.size])
        summary = (f"{'; '.join('forum ' + ' '.join(step) for step in steps)} "
                   f"({time.monotonic() - started:.0f} s, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
                   f"commit {target.commit()})")
        self.marker.write_text(summary + "\n")

    def how_prepared(self) -> str:
        try:
            return self.marker.read_text().strip()
        except OSError:
            return "unknown"

    def ensure_member(self, target: Target, engine) -> None:
        import sqlalchemy as sa
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT id FROM users WHERE email = :e"), {"e": MEMBER_EMAIL}).first()
        if found is None:
            target.forum(["create-user", "--email", MEMBER_EMAIL, "--name", MEMBER_NAME, "--role", "member"],
                         self.url, 120, {"FORUM_NEW_USER_PASSWORD": MEMBER_PASSWORD})


# ---------------------------------------------------------------------------------------------
# What to measure, found with SQL against the benchmark database

@dataclass
class Page:
    name: str
    path: str
    note: str = ""


def discover(engine, encode_cursor) -> tuple[list[Page], dict, int]:
    """The pages to measure, the data-set facts for the header, and the bare app's question id."""
    import sqlalchemy as sa
    f = {"f": False}
    with engine.connect() as conn:
        def one(sql, **params):
            return conn.execute(sa.text(sql), {**f, **params}).first()

        facts = {
            "questions": one("SELECT count(*) FROM questions")[0],
            "visible_questions": one("SELECT count(*) FROM questions WHERE hidden = :f")[0],
            "answers": one("SELECT count(*) FROM answers")[0],
            "users": one("SELECT count(*) FROM users")[0],
        }
        search_pages = discover_search(conn)
        if facts["visible_questions"] == 0:
            raise BenchError("the data set has no visible question")

        # Deep cursor page: the row at OFFSET count/2 in the list's order (newest first).
        offset = facts["visible_questions"] // 2
        stmt = sa.text("SELECT created_at, id FROM questions WHERE hidden = :f "
                       "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET :o").columns(
            sa.column("created_at", sa.DateTime()), sa.column("id", sa.Integer()))
        created_at, mid_id = conn.execute(stmt, {**f, "o": offset}).first()
        cursor = encode_cursor([created_at, mid_id])

        # The visible question with the most visible answers.
        top_q = one("SELECT q.id, count(a.id) AS n FROM questions q JOIN answers a ON a.question_id = q.id "
                    "WHERE q.hidden = :f AND q.deleted_at IS NULL AND a.hidden = :f "
                    "GROUP BY q.id ORDER BY n DESC, q.id LIMIT 1")
        if top_q is None:  # no answers at all: any visible question
            top_q = (one("SELECT id FROM questions WHERE hidden = :f AND deleted_at IS NULL ORDER BY id LIMIT 1")[0], 0)

        # The topic with the most visible questions.
        topic = one("SELECT t.slug, count(*) AS n FROM question_topics qt JOIN topics t ON t.id = qt.topic_id "
                    "JOIN questions q ON q.id = qt.question_id WHERE q.hidden = :f "
                    "GROUP BY t.slug ORDER BY n DESC, t.slug LIMIT 1")
        if topic is None:
            raise BenchError("no topic has a visible question")

        # The public doctor with the most visible answers.
        doctor = one("SELECT p.id, count(a.id) AS n FROM doctor_profiles p JOIN answers a ON a.author_id = p.user_id "
                     "WHERE p.status = 'verified' AND a.hidden = :f GROUP BY p.id ORDER BY n DESC, p.id LIMIT 1")
        if doctor is None:
            raise BenchError("no verified doctor has an answer")

    pages = [
        Page("home", "/"),
        Page("questions list, page 1", "/questions"),
        Page("questions list, deep cursor", "/questions?cursor=" + urllib.parse.quote(cursor),
             f"row {offset + 1} of {facts['visible_questions']}"),
        Page("question page", f"/questions/{top_q[0]}", f"question {top_q[0]}, {top_q[1]} answers"),
        Page("topic page", f"/topics/{topic[0]}", f"{topic[1]} questions"),
        Page("doctor profile", f"/doctors/{doctor[0]}", f"profile {doctor[0]}, {doctor[1]} answers"),
        Page("API list", "/api/v1/questions"),
        Page("API detail", f"/api/v1/questions/{top_q[0]}", f"question {top_q[0]}"),
    ]
    if search_pages:
        pages += search_pages
    return pages, facts, top_q[0]


def discover_search(conn) -> list[Page]:
    """Search pages (issue #10; the pre-#10 search answers them too): a very common word, a
    mid word, a rare word (bench data never writes "follicles"; a reference page or two does) and two
    words."""
    import sqlalchemy as sa
    if not sa.inspect(conn).has_table("search_documents"):
        return []
    pages = [Page("search, common word", "/search?q=laser", "“laser”: in ~77% of documents"),
             Page("search, mid word", "/search?q=melasma", "“melasma”: in ~5% of documents"),
             Page("search, two words", "/search?q=laser+melasma", "both words"),
             Page("search, rare word", "/search?q=follicles", "“follicles”: in a handful of reference documents"),
             Page("API search, common word", "/api/v1/search?q=laser")]
    return pages


def engine_version(engine) -> str:
    import sqlalchemy as sa
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + conn.execute(sa.text("SELECT sqlite_version()")).scalar()
        return " ".join(conn.execute(sa.text("SELECT version()")).scalar().split()[:2])


# ---------------------------------------------------------------------------------------------
# Servers and HTTP

class Server:
    """One gunicorn master (own process group), stopped by PID."""

    def __init__(self, name: str, app: str, cwd: Path, env: dict, pythonpath: Path, port: int | None = None):
        self.name, self.port = name, port or free_port()
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"{name}.log"
        self.settings = f"gunicorn -w {WORKERS} -b 127.0.0.1:PORT (sync workers)"
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}",
               "--pythonpath", str(pythonpath), "--chdir", str(cwd), app]
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log(f"started {name} (gunicorn pid {self.proc.pid}) on 127.0.0.1:{self.port}")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name}: gunicorn exited with {self.proc.returncode}:\n{tail(self.log_path)}")
            try:
                status, _, _ = http_get(self.port, "/healthz", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError(f"{self.name}: no answer on /healthz within {SERVER_START_TIMEOUT} s:\n{tail(self.log_path)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group this Popen created
                self.proc.wait(timeout=10)
            log(f"stopped {self.name} (pid {self.proc.pid})")
        self._log.close()


def http_get(port: int, path: str, headers: dict | None = None, timeout: float = HTTP_TIMEOUT,
             method: str = "GET", body: bytes | None = None):
    """One request on a fresh connection: (status, http.client.HTTPMessage, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.msg, data
    finally:
        conn.close()


def session_cookie(msg) -> str | None:
    for value in msg.get_all("Set-Cookie") or []:
        pair = value.split(";", 1)[0].strip()
        if pair.startswith(SESSION_COOKIE + "="):
            return pair
    return None


class _CsrfFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.token = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token" and self.token is None:
            self.token = a.get("value")


def login(port: int) -> str:
    """Log the member in; return the `__Host-session=...` pair for a Cookie header."""
    status, msg, body = http_get(port, "/login")
    if status != 200:
        raise BenchError(f"GET /login answered {status}")
    finder = _CsrfFinder()
    finder.feed(body.decode("utf-8", "replace"))
    cookie = session_cookie(msg)
    if not finder.token or not cookie:
        raise BenchError("GET /login: no csrf_token input or no session cookie")
    form = urllib.parse.urlencode({"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD, "csrf_token": finder.token})
    status, msg, body = http_get(port, "/login", method="POST", body=form.encode(),
                                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    signed_in = session_cookie(msg)
    if status not in (302, 303) or not signed_in:
        raise BenchError(f"POST /login answered {status} (expected a redirect with a session cookie)")
    status, msg, body = http_get(port, "/", headers={"Cookie": signed_in})
    if status != 200 or b'data-testid="account-link"' not in body:
        raise BenchError("the member's session cookie does not sign in (no account link on /)")
    # The first page after log-in stores a new CSRF token in the session (Set-Cookie); a browser
    # keeps that cookie, and so does the harness, or every request would rewrite the session.
    return session_cookie(msg) or signed_in


def canonical(port: int, path: str, headers: dict) -> str:
    """Follow one 301 (a question or doctor without its slug) to the canonical path."""
    status, msg, _ = http_get(port, path, headers)
    if status in (301, 302, 308):
        location = msg.get("Location", "")
        parts = urllib.parse.urlsplit(location)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if status != 200:
        raise BenchError(f"GET {path} answered {status}, expected 200 or a redirect to the canonical URL")
    return path


# ---------------------------------------------------------------------------------------------
# Measuring

@dataclass
class Result:
    page: str
    role: str
    path: str
    sql: str = "n/a"
    rps: float | None = None
    wrk_p50: float | None = None
    wrk_p99: float | None = None
    one_p50: float | None = None
    one_p99: float | None = None
    one_n: int = 0
    problems: list = field(default_factory=list)
    note: str = ""


def warm_up(port: int, page: str, role: str, path: str, cookie: str | None, html: bool) -> tuple[str, str | None]:
    """A few requests; each must be 200. Returns the SQL statement count and a refreshed cookie."""
    counts = []
    for _ in range(WARMUP_REQUESTS):
        headers = {"Cookie": cookie} if cookie else {}
        status, msg, body = http_get(port, path, headers)
        if status != 200:
            raise BenchError(f"{page} as {role}: GET {path} answered {status}, expected 200 "
                             f"(first bytes: {body[:200]!r})")
        if cookie:
            cookie = session_cookie(msg) or cookie  # the app refreshes the idle timer now and then
            if html and b'data-testid="account-link"' not in body:
                raise BenchError(f"{page} as member: GET {path} does not show the member signed in")
        counts.append(msg.get("X-SQL-Statements"))
    values = [int(c) for c in counts if c is not None and c.strip().isdigit()]
    if len(values) != len(counts):
        return "n/a", cookie
    # What wrk meets is the warm state (the second half of the warm-up: each of the workers has
    # served the page by then); a cold first request (cache fill) is shown too when it differs.
    warm = values[len(values) // 2:]
    text = str(warm[0]) if min(warm) == max(warm) else f"{min(warm)}–{max(warm)}"
    if values[0] not in warm:
        text += f" (1st: {values[0]})"
    return text, cookie


def single_client(port: int, path: str, cookie: str | None, count: int, max_seconds: float):
    """Sequential requests, a new connection each; bounded by count and by time."""
    times, bad = [], 0
    headers = {"Cookie": cookie} if cookie else {}
    deadline = time.monotonic() + max_seconds
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        status, msg, _ = http_get(port, path, headers)
        times.append((time.perf_counter() - t0) * 1000)
        bad += status != 200
        if cookie and (fresh := session_cookie(msg)):  # keep the cookie as a browser would
            cookie = headers["Cookie"] = fresh
    times.sort()
    return percentile(times, 50), percentile(times, 99), len(times), bad, cookie


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(port: int, path: str, cookie: str | None, duration: int) -> dict:
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration}s", "--latency", "--timeout", WRK_TIMEOUT]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired:
        raise BenchError(f"wrk on {path} did not finish within {duration + 60} s") from None
    out = proc.stdout
    if proc.returncode != 0 or "Requests/sec" not in out:
        raise BenchError(f"wrk on {path} failed (exit {proc.returncode}):\n{out}\n{proc.stderr}")
    result = {"rps": float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1)), "problems": []}
    for pct in ("50", "99"):
        m = re.search(rf"^\s*{pct}(?:\.0+)?%\s+(\S+)", out, re.M)
        result[f"p{pct}"] = _ms(m.group(1)) if m else None
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m and (int(m.group(1)) or int(m.group(4))):  # read/write errors: gunicorn sync closes connections
        result["problems"].append(f"socket errors: connect {m.group(1)}, timeout {m.group(4)}")
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    if m:
        result["problems"].append(f"{m.group(1)} non-2xx/3xx responses")
    return result


def measure(port: int, page: str, role: str, path: str, cookie: str | None, args, html: bool = True) -> tuple[Result, str | None]:
    log(f"  {page} as {role}: {path}")
    result = Result(page, role, path)
    result.sql, cookie = warm_up(port, page, role, path, cookie, html)
    result.one_p50, result.one_p99, result.one_n, bad, cookie = single_client(port, path, cookie, args.requests,
                                                                       args.single_seconds)
    if bad:
        result.problems.append(f"{bad} non-200 answers to the single client")
    if result.one_n < args.requests:
        result.problems.append(f"single client stopped at {result.one_n} requests (time bound)")
    w = run_wrk(port, path, cookie, args.duration)
    result.rps, result.wrk_p50, result.wrk_p99 = w["rps"], w["p50"], w["p99"]
    result.problems += w["problems"]
    return result, cookie


# ---------------------------------------------------------------------------------------------
# Report

def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        mem = "unknown memory"
    return f"{os.cpu_count()} CPUs (nproc), {model}, {mem}, {platform.system()} {platform.release()}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def gunicorn_version() -> str:
    try:
        import gunicorn
        return gunicorn.__version__
    except ImportError:
        return "?"


def wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        m = re.search(r"wrk (\S+)", out.stdout + out.stderr)
        return m.group(1) if m else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def render(meta: dict, limit: Result, results: list[Result]) -> str:
    lines = [
        f"## {meta['size']} data on {meta['engine_label']} — {meta['date']}",
        "",
        f"- Date: {meta['date']} (run took {meta['elapsed']:.0f} s)",
        f"- App: `{meta['app_dir']}` at commit `{meta['commit']}` (package `{meta['package']}`)",
        f"- Machine: {meta['machine']}",
        f"- Load average (1/5/15 min): before {meta['load_before']}, after {meta['load_after']}",
        f"- Engine: {meta['engine_version']} (`{meta['db']}`)",
        f"- Data: `{meta['size']}`: {meta['facts']['questions']:,} questions ({meta['facts']['visible_questions']:,} visible), "
        f"{meta['facts']['answers']:,} answers, {meta['facts']['users']:,} users; "
        f"{'reused, ' if meta['reused'] else ''}prepared by {meta['prepared']}",
        f"- Server: gunicorn {meta['gunicorn']}, {WORKERS} sync workers, bound to 127.0.0.1, "
        "FORUM_ENV=production; the limit is bench/bare_app.py under the same settings",
        f"- Load: wrk {meta['wrk']} `-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{meta['duration']}s --latency --timeout {WRK_TIMEOUT}`; "
        f"single client: {meta['requests']} sequential requests, a new connection each (after {WARMUP_REQUESTS} warm-up requests)",
        "- Rate limits were off for the run (FORUM_RATELIMIT_ENABLED=false)."
        + (f" Page cache: FORUM_PAGE_CACHE_SECONDS={meta['page_cache']}"
           + (" (visitors' pages are rendered every time)." if meta["page_cache"] == 0 else ".")
           if meta.get("page_cache") is not None else ""),
    ]
    busy = float(meta["load_before"].split()[0]) > 0.5
    if busy:
        lines.append(f"- ⚠ The machine was not quiet (1-minute load {meta['load_before'].split()[0]} before the run "
                     f"on {os.cpu_count()} CPUs): compare shares of the limit rather than raw req/s.")
    lines += [
        "",
        "| Page | Role | req/s | Share of limit | wrk p50 (ms) | wrk p99 (ms) | 1-client p50 (ms) | 1-client p99 (ms) | SQL statements |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(r: Result, share: str) -> str:
        mark = " ⚠" if r.problems else ""
        return (f"| {r.page} | {r.role} | {r.rps:.0f}{mark} | {share} | {fmt_ms(r.wrk_p50)} | {fmt_ms(r.wrk_p99)} | "
                f"{fmt_ms(r.one_p50)} | {fmt_ms(r.one_p99)} | {r.sql} |")

    lines.append(row(limit, "100%"))
    for r in results:
        share = f"{100 * r.rps / limit.rps:.1f}%" if limit.rps else "n/a"
        lines.append(row(r, share))
    lines += ["", "Pages measured:", ""]
    lines.append(f"- the limit (bare Flask: one query, one template): `{limit.path}`")
    seen = set()
    for r in results:
        if r.page in seen:
            continue
        seen.add(r.page)
        note = next((p.note for p in meta["pages"] if p.name == r.page and p.note), "")
        lines.append(f"- {r.page}: `{r.path}`" + (f" ({note})" if note else ""))
    problems = [(r, p) for r in [limit, *results] for p in r.problems]
    if problems:
        lines += ["", "⚠ Problems during the run:", ""]
        lines += [f"- {r.page} as {r.role}: {p}" for r, p in problems]
    return "\n".join(lines) + "\n"


def write_out(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a") as f:
        if new:
            f.write("# Benchmark results\n\nWritten by `bench/run.py`; see bench/README.md for how to read them.\n\n")
        else:
            f.write("\n")
        f.write(text)


# ---------------------------------------------------------------------------------------------
# One engine, start to end

def run_engine(engine_name: str, args, target: Target, encode_cursor) -> str:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool
    started = time.monotonic()
    load_before = load()
    dataset = Dataset(engine_name, args.data)
    reused = args.reuse and dataset.exists()
    if reused:
        log(f"reusing the {engine_name} database for {args.data}")
    else:
        if args.reuse:
            log(f"no finished {engine_name} database for {args.data} to reuse: preparing one")
        dataset.prepare(target)
    db = sa.create_engine(dataset.url, poolclass=NullPool)
    servers: list[Server] = []
    try:
        dataset.ensure_member(target, db)
        pages, facts, bare_id = discover(db, encode_cursor)
        version = engine_version(db)
        redis_flushdb()

        port = free_port()
        forum_env = target.env(dataset.url, serving=True)
        forum_env["FORUM_SITE_URL"] = f"http://127.0.0.1:{port}"  # the host the app serves (and caches pages for)
        if args.page_cache_seconds is not None:
            forum_env["FORUM_PAGE_CACHE_SECONDS"] = str(args.page_cache_seconds)
        if args.pages == "search":
            pages = [p for p in pages if "search" in p.name]
        forum = Server(f"forum-{engine_name}-{args.data}", "forum:create_app()", target.app_dir,
                       forum_env, target.app_dir, port=port)
        servers.append(forum)
        bare_env = target.env(dataset.url)
        bare_env.update(BENCH_DATABASE_URL=dataset.url, PYTHONPATH=str(BENCH_DIR))
        bare = Server(f"bare-{engine_name}-{args.data}", "bare_app:create_app()", BENCH_DIR, bare_env, BENCH_DIR)
        servers.append(bare)
        forum.wait_ready()
        bare.wait_ready()

        cookie = login(forum.port)
        log("member signed in")
        for p in pages:  # canonical URLs (slugs) for question and doctor pages
            if p.path.startswith(("/questions/", "/doctors/")) and "?" not in p.path:
                p.path = canonical(forum.port, p.path, {})

        log(f"measuring on {engine_name}:")
        limit, _ = measure(bare.port, "the limit (bare Flask)", "visitor", f"/questions/{bare_id}", None, args,
                           html=False)
        results = []
        for p in pages:
            html = not p.path.startswith("/api/")
            r, _ = measure(forum.port, p.name, "visitor", p.path, None, args, html)
            r.note = p.note
            results.append(r)
            r, cookie = measure(forum.port, p.name, "member", p.path, cookie, args, html)
            r.note = p.note
            results.append(r)
    finally:
        for s in reversed(servers):
            s.stop()
        db.dispose()

    meta = {
        "size": args.data, "engine_label": "SQLite" if engine_name == "sqlite" else "PostgreSQL",
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "elapsed": time.monotonic() - started, "app_dir": target.app_dir, "commit": target.commit(),
        "package": args.package, "machine": machine(), "load_before": load_before, "load_after": load(),
        "engine_version": version, "db": dataset.url.replace(str(REPO_DIR) + "/", ""), "facts": facts,
        "gunicorn": gunicorn_version(), "wrk": wrk_version(), "duration": args.duration,
        "requests": args.requests, "pages": pages, "reused": reused, "prepared": dataset.how_prepared(),
        "page_cache": args.page_cache_seconds,
    }
    return render(meta, limit, results)


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the forum's read pages against a bare Flask app.")
    parser.add_argument("--data", required=True, choices=list(SIZES), help="data set: demo, 100k or 1m questions")
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (default 10)")
    parser.add_argument("--out", type=Path, default=None, help="Markdown file to append to "
                        "(default bench/results/<data>.md)")
    parser.add_argument("--app-dir", type=Path, default=REPO_DIR, help="checkout to serve (default: this one)")
    parser.add_argument("--reuse", action="store_true", help="reuse a finished database of this size if any")
    parser.add_argument("--pages", default="all", choices=["all", "search"], help="measure every page or search only")
    parser.add_argument("--page-cache-seconds", type=int, default=None,
                        help="FORUM_PAGE_CACHE_SECONDS for the forum (0: visitors' pages are not cached)")
    parser.add_argument("--requests", type=int, default=200, help="single-client requests per page (default 200)")
    parser.add_argument("--single-seconds", type=float, default=120,
                        help="time bound of the single-client loop per page (default 120 s)")
    args = parser.parse_args()
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if not 1 <= args.requests <= 10_000:
        parser.error("--requests must be between 1 and 10000")
    args.app_dir = args.app_dir.resolve()
    args.out = (args.out or BENCH_DIR / "results" / f"{args.data}.md").resolve()
    if not (args.app_dir / "forum" / "__init__.py").exists():
        parser.error(f"{args.app_dir} has no forum package")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)

    target = Target(args.app_dir)
    try:
        args.package = target.forum_package()
        # The harness imports forum only for the cursor format, from the checkout under test.
        sys.path.insert(0, str(args.app_dir))
        from forum.pagination import encode_cursor

        engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
        for name in engines:
            log(f"=== {args.data} on {name} ===")
            text = run_engine(name, args, target, encode_cursor)
            write_out(args.out, text)
            print("\n" + text, flush=True)
            log(f"appended to {args.out}")
    except BenchError as e:
        log(f"ABORTED: {e}")
        return 1
    except (KeyboardInterrupt, Interrupted) as e:
        log(f"interrupted ({e or 'SIGINT'}); servers stopped")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
