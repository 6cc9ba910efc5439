"""The scheduler: enqueues the periodic jobs. Several may run (one per server); a Redis key per
job and period (SET NX with the period as its lifetime) lets exactly one of them enqueue it."""
from __future__ import annotations

import logging
import time

import redis

from forum.jobs.queue import RqJobs

log = logging.getLogger("forum.jobs")
# (job, every N seconds). send_mail is the outbox sweep: whatever a lost enqueue left pending.
PERIODIC = (("send_mail", 60), ("flush_views", 60), ("refresh_stats", 300),
            ("lapse_expired", 86_400), ("optimize_db", 86_400), ("purge_idempotency_keys", 3_600),
            ("send_digests", 900), ("remind_due_reviews", 86_400))
LOCK_PREFIX = "forum:schedule:"


def tick(jobs: RqJobs, periodic=PERIODIC) -> list[str]:
    """Enqueue every periodic job whose period has run out; returns the names enqueued."""
    enqueued = []
    for name, seconds in periodic:
        try:
            first = jobs.connection.set(LOCK_PREFIX + name, int(time.time()), nx=True, ex=seconds)
        except redis.RedisError as exc:
            log.warning("scheduler cannot reach Redis: %s", type(exc).__name__)
            return enqueued
        if first and jobs.enqueue(name):
            enqueued.append(name)
    return enqueued


def run(jobs: RqJobs, interval: float = 5.0, stop=lambda: False) -> None:
    """Tick every `interval` seconds until `stop()` (SIGTERM ends the process between ticks)."""
    log.info("scheduler started: %s", ", ".join(f"{n} every {s} s" for n, s in PERIODIC))
    while not stop():
        for name in tick(jobs):
            log.info("enqueued %s", name)
        time.sleep(interval)
