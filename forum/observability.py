"""What the running site tells its operators: a request id on every request, one JSON log line
per request, Prometheus metrics at /metrics, and the two health checks.

Metrics work in one process (development, tests) and under gunicorn's several workers: with
PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py) every worker writes its samples to files
there and a scrape of any worker adds them up. Queue, outbox and pool figures are read when
scraped, so they are the same whichever worker answers."""
from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import re
import time
import uuid

import redis
from flask import Flask, Response, abort, current_app, g, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import REGISTRY, multiprocess
from prometheus_client.core import GaugeMetricFamily

from forum.extensions import db
from forum.services import outbox

log = logging.getLogger("forum.request")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

LATENCY = Histogram("forum_request_duration_seconds", "Time to answer a request, by endpoint",
                    ["endpoint", "method"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
RESPONSES = Counter("forum_responses_total", "Responses by endpoint and status class", ["endpoint", "status"])
POOL_IN_USE = Gauge("forum_db_pool_checked_out", "Database connections in use (sampled after each request)",
                    multiprocess_mode="livesum")
POOL_SIZE = Gauge("forum_db_pool_size", "Database connections held open by the pools",
                  multiprocess_mode="livesum")


def init_observability(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", metrics)


def _start() -> None:
    g.started = time.perf_counter()
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
    LATENCY.labels(endpoint, request.method).observe(seconds)
    RESPONSES.labels(endpoint, f"{response.status_code // 100}xx").inc()
    _sample_pool()
    if current_app.config["REQUEST_LOG"]:
        user = current_user.get_id() if current_user and current_user.is_authenticated else None
        log.info("request", extra={"fields": {
            "request_id": request_id, "method": request.method, "path": request.path, "endpoint": endpoint,
            "status": response.status_code, "duration_ms": round(seconds * 1000, 1),
            "user_id": int(user.split(":")[0]) if user else None, "ip": request.remote_addr}})
    return response


def _sample_pool() -> None:
    pool = db.engine.pool
    if hasattr(pool, "checkedout") and hasattr(pool, "size"):
        POOL_IN_USE.set(pool.checkedout())
        POOL_SIZE.set(pool.checkedin() + pool.checkedout())


# ---- /metrics ----

def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    supplied = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    networks = [n.strip() for n in str(current_app.config.get("METRICS_ALLOW") or "").split(",") if n.strip()]
    return any(client in ipaddress.ip_network(n, strict=False) for n in networks)


class _LiveFigures:
    """Read at scrape time: the job queue and the outbox, the same for every worker."""

    def collect(self):
        try:
            waiting, failed = current_app.extensions["forum_jobs"].depth()
        except redis.RedisError:
            waiting = failed = float("nan")  # the queue is unreachable: /readyz says so
        yield GaugeMetricFamily("forum_jobs_queued", "Jobs waiting in the queue", value=waiting)
        yield GaugeMetricFamily("forum_jobs_failed", "Jobs that failed after their retries", value=failed)
        count, oldest = outbox.pending()
        yield GaugeMetricFamily("forum_outbox_pending", "Mails not yet sent (nor given up)", value=count)
        yield GaugeMetricFamily("forum_outbox_oldest_age_seconds", "Age of the oldest unsent mail",
                                value=oldest or 0)


def metrics():
    if not _allowed():
        abort(404)
    live = CollectorRegistry()
    live.register(_LiveFigures())
    if MULTIPROCESS:
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)
    else:
        shared = REGISTRY
    body = generate_latest(shared) + generate_latest(live)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"})


# ---- logs ----

class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                 "logger": record.name, "msg": record.getMessage()}
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
