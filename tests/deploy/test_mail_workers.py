"""Mail as it runs in production: real `forum worker` and `forum scheduler` processes, a private
Redis server the test starts and stops (the machine's Redis is never touched), and an SMTP server
on 127.0.0.1 that demands STARTTLS and AUTH.

- Two workers draining one outbox deliver every mail exactly once.
- A mail queued while Redis is down (its job cannot be enqueued, and the restarted Redis has lost
  every queued job) is still delivered: the outbox row is the durable record and the scheduler's
  sweep enqueues a delivery."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from forum import create_app
from forum.extensions import db
from forum.models import OutboxMail
from tests.conftest import DATABASE_URL, IS_POSTGRES
from tests.smtp_server import smtp_server

FORUM = str(Path(sys.executable).parent / "forum")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """redis-server on 127.0.0.1 at its own port, without persistence: a restart loses the queue."""

    def __init__(self, directory: Path):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def database(tmp_path):
    """A migrated database of this test's own: SQLite file, or a fresh PostgreSQL database."""
    if not IS_POSTGRES:
        yield f"sqlite:///{tmp_path / 'mail.sqlite3'}"
        return
    name = f"forum_mail_{secrets.token_hex(4)}"
    admin = create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def stack(tmp_path, database):
    """Settings for the production shape (as FORUM_* variables), a private Redis, an SMTP server."""
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    processes: list[subprocess.Popen] = []
    with smtp_server(security="starttls", username="forum", password="mail-secret") as smtp:
        settings = {"ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database,
                    "REDIS_URL": redis_server.url, "MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": smtp.host,
                    "MAIL_SMTP_PORT": str(smtp.port), "MAIL_SMTP_SECURITY": "starttls",
                    "MAIL_SMTP_CA_FILE": smtp.ca_file, "MAIL_SMTP_USERNAME": "forum",
                    "MAIL_SMTP_PASSWORD": "mail-secret", "REQUEST_LOG": "false"}
        env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
        env.update({f"FORUM_{k}": v for k, v in settings.items()})
        subprocess.run([FORUM, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
        app = create_app({"ENV_NAME": "production", "SECRET_KEY": settings["SECRET_KEY"],
                          "SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": redis_server.url})

        def start(*args):
            processes.append(subprocess.Popen([FORUM, *args], env=env, stdout=subprocess.PIPE,
                                              stderr=subprocess.STDOUT))
            return processes[-1]

        try:
            with app.app_context():
                yield app, smtp, redis_server, start
                db.session.remove()
                db.engine.dispose()
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                process.wait(10)
                process.stdout.close()
            redis_server.stop()
            app.extensions["forum_jobs"].connection.close()


def queue(count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        db.session.add(OutboxMail(to_address=f"member{i}@example.org", subject=f"Mail {i}",
                                  body_text=f"Hello {i}", message_id=f"<m{i}.{secrets.token_hex(4)}@example.org>"))
    db.session.commit()  # enqueues one delivery job


def sent_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(OutboxMail.sent_at.is_not(None)))


def test_two_workers_draining_one_outbox_deliver_each_mail_once(stack):
    app, smtp, _redis, start = stack
    queue(60)
    jobs = app.extensions["forum_jobs"]
    for _ in range(5):
        jobs.enqueue("send_mail")  # several jobs, so both workers are busy at the same time
    assert smtp.messages == []  # nothing was sent by the process that queued the mail
    workers = [start("worker", "--burst"), start("worker", "--burst")]
    for worker in workers:
        assert worker.wait(90) == 0, worker.stdout.read().decode()[-2000:]
    received = smtp.wait_for(60)
    recipients = sorted(m["To"] for m in received)
    assert recipients == sorted(f"member{i}@example.org" for i in range(60))  # all, and each once
    assert len({m["Message-ID"] for m in received}) == 60
    assert all(login == ("forum", True) for login in smtp.logins) and smtp.logins
    assert sent_count() == 60
    time.sleep(0.5)
    assert len(smtp.messages) == 60  # and nothing more arrives later


def test_mail_queued_during_a_redis_outage_is_delivered_after_it(stack, caplog):
    app, smtp, redis_server, start = stack
    redis_server.stop()
    queue(1)  # the request's transaction commits; only the job could not be enqueued
    assert "not enqueued" in caplog.text
    redis_server.start()  # back, empty: the job was never there
    assert app.extensions["forum_jobs"].queue.count == 0
    scheduler = start("scheduler", "--interval", "0.2")
    worker = start("worker")
    (message,) = smtp.wait_for(1, timeout=30)
    assert message["To"] == "member0@example.org"
    for process in (scheduler, worker):
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    assert sent_count() == 1 and len(smtp.messages) == 1
