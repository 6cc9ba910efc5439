"""The job queue (RQ over the machine's Redis), the outbox claims and the scheduler.

These apps run with the production queue (JOBS_BACKEND=rq): a request only writes the outbox row
and enqueues a job; a worker (run here in-process, `SimpleWorker` in burst mode, as `forum worker`
does) sends the mail."""
from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select, text

from forum import create_app, mail
from forum.extensions import db
from forum.jobs import scheduler
from forum.jobs.queue import RqJobs
from forum.models import OutboxMail
from forum.services import outbox
from tests.conftest import IS_POSTGRES
from tests.factories import PASSWORD

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens there: Redis is "down"
SIGN_UP = {"email": "new@example.org", "display_name": "New Member", "password": PASSWORD, "confirm_adult": "1"}


@pytest.fixture
def app_config(redis_url):
    return {"JOBS_BACKEND": "rq", "JOBS_REDIS_URL": redis_url}


def queue_one(to="someone@example.org") -> OutboxMail:
    row = OutboxMail(to_address=to, subject="Hello", body_text="Hello there")
    db.session.add(row)
    db.session.commit()
    return row


def test_a_request_never_sends_mail_itself_a_worker_does(browser, jobs, drain):
    response = browser.post_form("/register", SIGN_UP)
    assert response.status_code == 303
    assert mail.SENT == [] and jobs.queue.count == 1  # the page answered; the mail waits for a worker
    (row,) = db.session.scalars(select(OutboxMail)).all()
    assert row.sent_at is None
    drain()
    assert [m["To"] for m in mail.SENT] == ["new@example.org"]
    assert db.session.get(OutboxMail, row.id).sent_at is not None and jobs.queue.count == 0


def test_with_redis_down_the_request_succeeds_and_the_sweep_sends_the_mail_later(app, browser, caplog, drain,
                                                                                  jobs, monkeypatch):
    monkeypatch.setitem(app.extensions, "forum_jobs", RqJobs(NOWHERE))  # the queue is unreachable
    with caplog.at_level(logging.WARNING, "forum.jobs"):
        assert browser.post_form("/register", SIGN_UP).status_code == 303  # the sign-up itself succeeds
    assert "not enqueued" in caplog.text
    (row,) = db.session.scalars(select(OutboxMail)).all()  # the durable record of the mail
    row_id = row.id
    monkeypatch.undo()  # Redis is back
    assert mail.SENT == [] and jobs.queue.count == 0
    assert scheduler.tick(jobs, periodic=(("send_mail", 60),)) == ["send_mail"]  # the minute's sweep
    drain()
    assert [m["To"] for m in mail.SENT] == ["new@example.org"]
    assert db.session.get(OutboxMail, row_id).sent_at is not None


def test_each_periodic_job_is_enqueued_once_per_period_whatever_the_number_of_schedulers(app, redis_url, jobs):
    other = RqJobs(redis_url)  # a scheduler on another server
    periodic = (("send_mail", 1), ("refresh_stats", 300))
    assert scheduler.tick(jobs, periodic) == ["send_mail", "refresh_stats"]
    assert scheduler.tick(other, periodic) == [] and scheduler.tick(jobs, periodic) == []
    time.sleep(1.1)
    assert scheduler.tick(other, periodic) == ["send_mail"]
    assert jobs.queue.count == 3
    other.connection.close()


def test_a_scheduler_without_redis_waits_instead_of_failing(app):
    assert scheduler.tick(RqJobs(NOWHERE)) == []


def test_a_job_that_fails_is_retried_with_backoff(app, jobs, drain, monkeypatch):
    queue_one()
    jobs.queue.empty()
    monkeypatch.setattr(outbox, "deliver_due", lambda: (_ for _ in ()).throw(RuntimeError("database gone")))
    assert jobs.enqueue("send_mail")
    drain()
    (job,) = [jobs.queue.fetch_job(i) for i in jobs.queue.scheduled_job_registry.get_job_ids()]
    assert job.retries_left == 2  # the first of 3 retries is scheduled (10 s, then 60 s, then 300 s)


# ---- claims: two workers never send one mail twice ----

def test_a_claimed_mail_is_not_claimed_again_until_its_lease_runs_out(app, frozen_clock):
    first, second = queue_one(), queue_one()
    assert outbox.claim(limit=1) == [first.id]
    assert outbox.claim() == [second.id]  # another worker gets only what is left
    assert outbox.claim() == []
    frozen_clock.advance(minutes=6)  # the first worker died mid-send: its mails are due again
    assert outbox.claim() == [first.id, second.id]


def test_a_mail_is_given_up_after_its_last_retry(app, frozen_clock, monkeypatch):
    row = queue_one()

    class Down:
        def send(self, message):
            raise ConnectionRefusedError("no mail server")

    for delay in outbox.BACKOFF:
        assert outbox.deliver_due(Down()) == 0
        frozen_clock.advance(seconds=delay.total_seconds() + 1)
    assert outbox.deliver_due(Down()) == 0
    db.session.refresh(row)
    assert row.failed_at is not None and row.attempts == outbox.MAX_ATTEMPTS and outbox.pending()[0] == 0
    assert outbox.deliver_due(Down()) == 0 and row.attempts == outbox.MAX_ATTEMPTS  # never tried again


@pytest.mark.skipif(not IS_POSTGRES, reason="row locks: PostgreSQL only (SQLite has one writer at a time)")
def test_on_postgresql_a_worker_skips_rows_another_worker_has_locked(app):
    locked, free = queue_one(), queue_one()
    with db.engine.connect() as other_worker:
        other_worker.execute(text("SELECT id FROM outbox_mail WHERE id = :id FOR UPDATE"), {"id": locked.id})
        started = time.monotonic()
        assert outbox.claim() == [free.id]  # no waiting for the other worker's lock
        assert time.monotonic() - started < 5
        other_worker.rollback()
    assert outbox.claim() == [locked.id]


# ---- production settings ----

PRODUCTION = {"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "REDIS_URL": "redis://127.0.0.1:6379/13"}


def test_production_shares_rate_limits_through_redis_by_default():
    app = create_app(dict(PRODUCTION))
    assert app.config["RATELIMIT_STORAGE_URI"] == PRODUCTION["REDIS_URL"]
    app.extensions["forum_jobs"].connection.close()


@pytest.mark.parametrize("setting, message", [
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ({"JOBS_BACKEND": "inline"}, "JOBS_BACKEND"),
    ({"REDIS_URL": None}, "REDIS_URL"),
    ({"MAIL_SMTP_SECURITY": "ssl"}, "MAIL_SMTP_SECURITY"),
])
def test_production_refuses_to_start_with_per_process_state(setting, message):
    with pytest.raises(RuntimeError, match=message):
        create_app({**PRODUCTION, **setting})
