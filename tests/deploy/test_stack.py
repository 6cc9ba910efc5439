"""The production shape through nginx: shared sessions and rate limits across app instances,
slow clients kept away from the workers, and a killed worker costing (almost) nothing.

Run: python -m pytest -q -p no:cacheprovider tests/deploy/test_stack.py -s (prints the figures)."""
from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import ssl
import statistics
import threading
import time
from pathlib import Path

from tests.deploy.conftest import ROOT, csrf_token

SLOW_CLIENTS = 6
LOAD_REQUESTS = 300
LOAD_THREADS = 4
LOAD_PAGES = ("/", "/questions", "/topics", "/login", "/articles")


def test_session_is_shared_by_both_app_instances(stack):
    email = f"stack-{secrets.token_hex(4)}@example.org"
    password = f"stack-pw-{secrets.token_hex(12)}"
    stack.forum("create-user", "--email", email, "--name", "Stack Member", "--role", "member",
                extra_env={"FORUM_NEW_USER_PASSWORD": password})
    stack.reset_rate_limits()
    client = stack.client()
    token = csrf_token(client.get("/login").text)

    logged_in = client.post("/login", {"csrf_token": token, "email": email, "password": password})
    assert logged_in.status == 303, logged_in.text[:500]
    assert any(name.startswith("__Host-") for name in client.cookies), client.cookies

    pages = [client.get("/account") for _ in range(6)]
    assert [p.status for p in pages] == [200] * 6
    assert all(email in p.text for p in pages)
    assert {p.upstream for p in pages} == stack.app_addresses, [p.upstream for p in pages]
    assert all(p.headers.get("X-Request-ID") for p in pages)


def test_log_in_rate_limit_is_shared_by_both_app_instances(stack):
    stack.reset_rate_limits()
    client = stack.client()
    token = csrf_token(client.get("/login").text)
    wrong = {"csrf_token": token, "email": "nobody@example.org", "password": "not-the-password-1"}

    answers = [client.post("/login", wrong) for _ in range(7)]
    # "6 per minute" per address: six failures are answered, the seventh is refused, although
    # the posts went to both instances, each of which saw only three or four of them.
    assert [a.status for a in answers] == [422] * 6 + [429], [(a.status, a.upstream) for a in answers]
    assert {a.upstream for a in answers[:6]} == stack.app_addresses
    stack.reset_rate_limits()


def test_nginx_serves_static_files_redirects_http_and_guards_metrics(stack):
    client = stack.client()
    home = client.get("/")
    assert home.status == 200 and home.upstream in stack.app_addresses
    # A visitor's page is shared: the app recognises the host nginx forwards as FORUM_SITE_URL's.
    assert home.headers["Cache-Control"].startswith("public"), home.headers["Cache-Control"]
    hashed = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text)
    assert hashed, "the page links no content-hashed stylesheet"
    css = client.get(hashed.group(1))
    assert css.status == 200 and css.upstream is None  # nginx answered, not an app instance
    assert css.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert css.text == (ROOT / "static" / "css" / "site.css").read_text()
    plain = client.get("/static/css/site.css")
    assert plain.status == 200 and plain.headers.get_all("Cache-Control") == ["public, max-age=3600"]

    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    try:
        conn.request("GET", "/questions?page=2")
        answer = conn.getresponse()
        answer.read()
    finally:
        conn.close()
    assert answer.status == 301
    assert answer.getheader("Location") == f"https://127.0.0.1:{stack.https_port}/questions?page=2"

    metrics = client.get("/metrics")  # from this machine: allowed by nginx and by the app
    assert metrics.status == 200 and "forum_request_duration_seconds" in metrics.text


def _tls_socket(stack, context: ssl.SSLContext) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", stack.https_port), timeout=5)
    try:
        return context.wrap_socket(raw, server_hostname="127.0.0.1")
    except BaseException:
        raw.close()
        raise


def test_slow_clients_never_hold_a_worker(stack):
    """Four gunicorn workers in all; the four clients that never finish their body would block
    every one of them if nginx passed requests on before it had them whole (the two that never
    finish their headers, had nginx no header timeout, would hold nginx connections only)."""
    client = stack.client()
    for path in ("/", "/login") * 4:  # every worker has served once (imports, first queries)
        assert client.get(path).status == 200
    context = stack.ssl_context()
    slow = []
    try:
        for i in range(SLOW_CLIENTS):
            s = _tls_socket(stack, context)
            slow.append(s)
            if i % 3 == 2:  # headers without the blank line that ends them
                s.sendall(b"GET /questions HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-loris\r\n")
            else:  # a body promised longer than what is sent
                s.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
                          + b"email=slow%40example.org&password=" + b"x" * 500)
        time.sleep(0.3)  # let nginx read what they sent

        timings = []
        for path in ("/", "/login", "/questions", "/healthz", "/", "/login"):
            answer = client.get(path)
            assert answer.status == 200, (path, answer.status)
            timings.append(answer.elapsed)
        worst = max(timings)
        print(f"\n[deploy] with {SLOW_CLIENTS} slow clients holding half-sent requests: "
              f"GET through nginx median {statistics.median(timings) * 1000:.0f} ms, worst {worst * 1000:.0f} ms")
        assert worst < 0.5, timings

        for s in slow:  # nginx is still waiting for the rest of each of them: nothing answered yet
            s.settimeout(0.05)
            try:
                assert s.recv(1) == b"", "a half-sent request was answered"
            except (TimeoutError, ssl.SSLWantReadError):
                pass
    finally:
        for s in slow:
            s.close()


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return sorted(children)


def test_a_killed_worker_costs_at_most_one_request(stack):
    master = stack.master_pid(stack.app_ports[0])
    workers_before = _children(master)
    assert len(workers_before) == 2, workers_before

    lock = threading.Lock()
    next_index = iter(range(LOAD_REQUESTS))
    results: list[tuple[int | None, float, str | None]] = []
    quarter_done = threading.Event()
    killed: list[int] = []

    def load() -> None:
        client = stack.client(timeout=10)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            path = LOAD_PAGES[index % len(LOAD_PAGES)]
            started = time.perf_counter()
            try:
                answer = client.get(path)
                outcome = (answer.status, time.perf_counter() - started, answer.upstream)
            except Exception as e:  # noqa: BLE001 - a failed request is what is counted
                outcome = (None, time.perf_counter() - started, f"{type(e).__name__}: {e}")
            with lock:
                results.append(outcome)
                if len(results) >= LOAD_REQUESTS // 4:
                    quarter_done.set()

    threads = [threading.Thread(target=load, name=f"load-{i}") for i in range(LOAD_THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    try:
        assert quarter_done.wait(60), "the load did not get going"
        victim = _children(master)[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
    finally:
        for t in threads:
            t.join(120)
    seconds = time.perf_counter() - started

    failed = [r for r in results if r[0] is None or not 200 <= r[0] < 400]
    latencies = sorted(r[1] for r in results)
    print(f"\n[deploy] SIGKILL of worker {killed[0]} (instance {stack.app_ports[0]}) during {len(results)} GETs "
          f"from {LOAD_THREADS} threads: {len(failed)} failed, {len(results) / seconds:.0f} requests/s, "
          f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms; failures: {failed}")
    assert len(results) == LOAD_REQUESTS
    assert len(failed) <= 1, failed

    deadline = time.monotonic() + 15  # the master replaces the worker
    while time.monotonic() < deadline and len(_children(master)) < 2:
        time.sleep(0.2)
    workers_after = _children(master)
    assert len(workers_after) == 2 and killed[0] not in workers_after, workers_after


def test_hup_reload_one_instance_at_a_time_drops_no_request(stack):
    """The release step of docs/deploy.md: HUP each instance in turn while GETs keep coming."""
    results: list[int | str] = []
    stop = threading.Event()

    def load() -> None:
        client = stack.client(timeout=10)
        index = 0
        while not stop.is_set():
            index += 1
            try:
                results.append(client.get(LOAD_PAGES[index % len(LOAD_PAGES)]).status)
            except Exception as e:  # noqa: BLE001 - counted as a failure
                results.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=load, name=f"reload-load-{i}") for i in range(LOAD_THREADS)]
    for t in threads:
        t.start()
    reloads = []
    try:
        time.sleep(0.5)
        for port in stack.app_ports:
            master = stack.master_pid(port)
            old = set(_children(master))
            started = time.perf_counter()
            os.kill(master, signal.SIGHUP)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # every old worker gone, two new ones running
                now = set(_children(master))
                if not now & old and len(now) == 2:
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"instance {port} still runs old workers after HUP: {old & now}")
            reloads.append(time.perf_counter() - started)
            time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    failed = [r for r in results if not isinstance(r, int) or not 200 <= r < 400]
    print(f"\n[deploy] HUP reload of {len(stack.app_ports)} instances one at a time "
          f"({', '.join(f'{s:.1f} s' for s in reloads)}) under load: {len(results)} GETs, {len(failed)} failed {failed[:5]}")
    assert results and not failed
