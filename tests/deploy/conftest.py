"""The production shape, started for real by deploy/local-stack: nginx (HTTPS) in front of two
gunicorn instances, a job worker and a scheduler, on the machine's PostgreSQL and Redis.

The stack gets its own database (forum_stack_<random>, created by local-stack, dropped here), Redis
database 11 (10 for the second pytest -n worker; emptied before and after), free ports and a runtime directory under tmp. Without
nginx, PostgreSQL or Redis the tests skip, or fail when CI or FORUM_REQUIRE_BROWSER is set."""
from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import workers

ROOT = Path(__file__).resolve().parents[2]
LOCAL_STACK = ROOT / "deploy" / "local-stack"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = workers.redis_url(os.environ.get("FORUM_STACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/11"), step=-1)


def _unavailable(reason: str):
    """Skip locally; in CI (or with FORUM_REQUIRE_BROWSER) a missing piece is a failure."""
    if os.environ.get("CI") or os.environ.get("FORUM_REQUIRE_BROWSER"):
        pytest.fail(f"deploy tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _empty_redis() -> None:
    import redis

    with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3) as r:
        r.flushdb()


def _drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str
    elapsed: float

    @property
    def upstream(self) -> str | None:
        return self.headers.get("X-Upstream")


@dataclass
class Client:
    """A small HTTPS client that keeps cookies, one connection per request (so nginx spreads
    consecutive requests over the app instances), redirects not followed."""

    port: int
    context: ssl.SSLContext
    timeout: float = 10.0
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Response:
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=self.timeout)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            elapsed = time.perf_counter() - started
            for line in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = line.partition("=")
                value = rest.split(";", 1)[0]
                if value and "max-age=0" not in line.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return Response(resp.status, resp.headers, text, elapsed)
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw) -> Response:
        return self.request("POST", path, form=form, **kw)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@dataclass
class Stack:
    dir: Path
    https_port: int
    http_port: int
    app_ports: list[int]
    env: dict[str, str]

    @property
    def cert(self) -> Path:
        return self.dir / "tls" / "cert.pem"

    @property
    def app_addresses(self) -> set[str]:
        return {f"127.0.0.1:{port}" for port in self.app_ports}

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def client(self, timeout: float = 10.0) -> Client:
        return Client(self.https_port, self.ssl_context(), timeout)

    def run(self, *args: str, extra_env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        env = dict(self.env, **(extra_env or {}))
        return subprocess.run([str(LOCAL_STACK), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def forum(self, *args: str, extra_env: dict | None = None) -> str:
        done = self.run("forum", *args, extra_env=extra_env)
        assert done.returncode == 0, f"forum {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def master_pid(self, port: int) -> int:
        return int((self.dir / f"web-{port}.pid").read_text().strip())

    def reset_rate_limits(self) -> None:
        import redis

        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3) as r:
            keys = list(r.scan_iter("LIMITS*", count=1000))
            if keys:
                r.delete(*keys)


@pytest.fixture(scope="module")
def stack():
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(nginx, os.X_OK):
        _unavailable("nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)")
    if not shutil.which("openssl"):
        _unavailable("openssl is not installed")
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=5):
            pass
    except Exception as e:  # noqa: BLE001 - any reason means no PostgreSQL for the stack
        _unavailable(f"PostgreSQL at 127.0.0.1:5432 is not usable: {type(e).__name__}: {e}")
    try:
        _empty_redis()
    except Exception as e:  # noqa: BLE001
        _unavailable(f"Redis at {REDIS_URL} is not usable: {type(e).__name__}: {e}")

    database = f"forum_stack_{secrets.token_hex(4)}"
    runtime = Path(tempfile.mkdtemp(prefix="forum-stack-"))
    https_port, http_port, *app_ports = _free_ports(4)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update(
        # `forum` and gunicorn of the interpreter running the tests
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        FORUM_STACK_DIR=str(runtime),
        FORUM_STACK_HTTPS_PORT=str(https_port),
        FORUM_STACK_HTTP_PORT=str(http_port),
        FORUM_STACK_APP_PORTS=" ".join(map(str, app_ports)),
        FORUM_STACK_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        FORUM_STACK_REDIS_URL=REDIS_URL,
        FORUM_STACK_TIMEOUT="60",
        FORUM_WEB_CONCURRENCY="2",
        # The load test sends a few hundred GETs from one address within seconds; the site-wide
        # per-IP limit would answer 429. The log-in limit under test keeps its production value.
        FORUM_RATELIMIT_DEFAULT="100000 per minute",
    )
    stack = Stack(runtime, https_port, http_port, app_ports, env)
    try:
        started = time.perf_counter()
        up = stack.run("up", timeout=180)
        if up.returncode != 0:
            pytest.fail(f"deploy/local-stack up failed (exit {up.returncode}):\n{up.stdout}\n{up.stderr}",
                        pytrace=False)
        print(f"\n[deploy] local stack up in {time.perf_counter() - started:.1f} s "
              f"(https {https_port}, app {app_ports}, database {database})")
        yield stack
    finally:
        down = stack.run("down", timeout=120)
        if down.returncode != 0:
            print(f"[deploy] local-stack down failed:\n{down.stdout}\n{down.stderr}")
        try:
            _drop_database(database)
        finally:
            _empty_redis()
            shutil.rmtree(runtime, ignore_errors=True)
