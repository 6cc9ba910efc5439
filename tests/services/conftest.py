"""Service tests run inside the app fixture's application context (no HTTP)."""
import pytest
from rq import SimpleWorker

from forum.extensions import db
from forum.jobs import tasks


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every service test gets the app, its database and an open application context."""
    return app


@pytest.fixture
def jobs(app):
    """The app's job queue (RQ when the test's app_config says JOBS_BACKEND=rq)."""
    return app.extensions["forum_jobs"]


@pytest.fixture
def drain(app, jobs):
    """Run a worker until the queue is empty, as `forum worker --burst` would."""
    def run():
        tasks.use_app(app)
        try:
            SimpleWorker([jobs.queue], connection=jobs.connection).work(burst=True, logging_level="ERROR")
        finally:
            tasks.use_app(None)
        db.session.expire_all()
    return run
