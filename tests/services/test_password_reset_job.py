"""Password reset requests do the same work for every address (#12, finding 7): the request only
enqueues one send_password_reset job, whether or not an account exists; a worker looks the
account up and builds the mail (or does nothing). Runs with the production queue (RQ over the
machine's Redis) and an in-process worker, as in test_jobs."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import mail
from forum.extensions import db
from forum.models import AuthToken, OutboxMail
from tests.conftest import Browser
from tests.factories import make_user

NOBODY = "nobody-here@example.org"


@pytest.fixture
def app_config(redis_url):
    return {"JOBS_BACKEND": "rq", "JOBS_REDIS_URL": redis_url}


def queued(jobs) -> list[tuple[str, list[str]]]:
    """(job name, argument names) of every job waiting in the queue."""
    waiting = [jobs.queue.fetch_job(job_id) for job_id in jobs.queue.job_ids]
    return [(job.description, sorted(job.kwargs)) for job in waiting]


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def ask(app, door: str, email: str):
    """Ask for a reset link from a fresh browser (the form) or client (the API)."""
    if door == "web":
        return Browser(app.test_client()).post_form("/forgot-password", {"email": email})
    return app.test_client().post("/api/v1/auth/password-reset", json={"email": email})


@pytest.mark.parametrize("door", ["web", "api"])
def test_known_and_unknown_addresses_get_the_same_answer_and_one_identical_job(app, jobs, door):
    user = make_user()
    answers = []
    for email in (user.email, NOBODY):
        jobs.queue.empty()
        response = ask(app, door, email)
        answers.append((response.status_code, response.headers.get("Location"), response.get_json(silent=True)))
        assert queued(jobs) == [("send_password_reset", ["email", "locale"])]
        assert rows(OutboxMail) == rows(AuthToken) == 0 and mail.SENT == []  # nothing built in the request
    assert answers[0] == answers[1] and answers[0][0] in (202, 303)


def test_the_worker_sends_the_link_to_a_real_account_and_nothing_for_an_unknown_one(app, jobs, drain):
    user = make_user()
    ask(app, "api", user.email.upper())
    ask(app, "web", NOBODY)
    assert [name for name, _ in queued(jobs)] == ["send_password_reset"] * 2
    drain()
    assert [(m["To"], m["Subject"]) for m in mail.SENT] == [(user.email, "Reset your password")]
    assert "/reset-password/" in mail.SENT[0].get_body(("plain",)).get_content()
    assert rows(AuthToken) == 1 and jobs.queue.count == 0
