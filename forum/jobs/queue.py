"""The job queue behind `jobs.enqueue`: RQ over Redis, or inline. Wired by `init_jobs` only.

Why RQ: it needs only Redis (already the shared cache), runs plain functions, retries with
backoff (`Retry`), and its worker is one small process; Celery's broker abstraction and
Dramatiq's middleware buy nothing here."""
from __future__ import annotations

import logging

import redis
from flask import Flask, current_app
from rq import Queue, Retry, SimpleWorker

from forum.jobs import tasks

log = logging.getLogger("forum.jobs")
QUEUE_NAME = "forum"
RETRY = Retry(max=3, interval=[10, 60, 300])  # a job that raised (e.g. database down) runs again
JOB_TIMEOUT = 600


class RqJobs:
    def __init__(self, url: str):
        self.connection = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.queue = Queue(QUEUE_NAME, connection=self.connection, default_timeout=JOB_TIMEOUT)

    def enqueue(self, name: str, **kwargs) -> bool:
        function = tasks.JOBS[name]
        try:
            self.queue.enqueue(function, kwargs=kwargs, retry=RETRY, result_ttl=300, failure_ttl=7 * 86400,
                               description=name)
        except redis.RedisError as exc:
            log.warning("job %s not enqueued, the sweep will catch up: %s", name, type(exc).__name__)
            return False
        return True

    def depth(self) -> tuple[int, int]:
        """(jobs waiting, jobs failed for good): for /metrics."""
        return self.queue.count, self.queue.failed_job_registry.count

    def work(self, app: Flask, burst: bool = False) -> None:
        """Run jobs in this process until stopped (or, with `burst`, until the queue is empty). One
        process, no fork per job: jobs are short, and the app and its connection pool are reused;
        retries scheduled with a delay are moved back to the queue by the worker's scheduler."""
        tasks.use_app(app)
        SimpleWorker([self.queue], connection=self.connection).work(burst=burst, with_scheduler=True,
                                                                    logging_level="WARNING")


class InlineJobs:
    """Development and tests without a worker: the job runs at once, in the caller's process, in
    an application context (and so a database session) of its own, as it would in a worker."""

    def enqueue(self, name: str, **kwargs) -> bool:
        try:
            with current_app.app_context():
                tasks.JOBS[name](**kwargs)
        except Exception:  # noqa: BLE001 - as with a queue, the caller's commit stands
            log.exception("inline job %s failed", name)
            return False
        return True

    def depth(self) -> tuple[int, int]:
        return 0, 0


def init_jobs(app: Flask) -> None:
    backend = app.config["JOBS_BACKEND"]
    if backend == "rq":
        app.extensions["forum_jobs"] = RqJobs(app.config["JOBS_REDIS_URL"] or app.config["REDIS_URL"])
    elif backend == "inline":
        app.extensions["forum_jobs"] = InlineJobs()
    else:
        raise RuntimeError(f"FORUM_JOBS_BACKEND must be rq or inline, not {backend!r}")
