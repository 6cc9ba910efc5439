"""Ask a Cosmetic Doctor: the application factory (wiring only, no database access)."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from forum.api import register_api
from forum.cache import init_cache
from forum.cli import register_cli
from forum.config import CONFIGS, ROOT
from forum.deploy_checks import startup_problems
from forum.errors import register_errors
from forum.extensions import csrf, db, limiter, login_manager, migrate
from forum.i18n import init_i18n
from forum.ids import register_converters
from forum.jobs.queue import init_jobs
from forum.models import include_in_autogenerate
from forum.observability import JsonFormatter, init_observability
from forum.web import register_web
from forum.web.hosts import ForumFlask, trusted_hosts


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app. FORUM_ENV picks production (default), development or testing settings;
    FORUM_* environment variables override them; `overrides` (tests) win over both."""
    app = configured_app(overrides)
    init_extensions(app)
    init_observability(app)
    register_errors(app)
    register_web(app)
    register_api(app)
    register_cli(app)
    _configure_logging(app)
    return app


def configured_app(overrides: dict | None = None, *, refuse_unsafe: bool = True) -> Flask:
    """The app with its configuration loaded and derived, nothing initialised yet. Production
    refuses to start on the first of deploy_checks.startup_problems unless refuse_unsafe is
    False (`forum check-deploy`, which reports them all)."""
    app = ForumFlask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    env = (overrides or {}).get("ENV_NAME") or os.environ.get("FORUM_ENV", "production")
    app.config.from_object(CONFIGS[env])
    app.config.from_prefixed_env("FORUM")
    app.config.update(overrides or {})
    _check_config(app, refuse_unsafe=refuse_unsafe)
    register_converters(app)
    return app


def _check_config(app: Flask, *, refuse_unsafe: bool = True) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)  # production: SITE_URL's host; others get 400
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    problems = startup_problems(app.config, production=app.config["ENV_NAME"] == "production")
    if problems and refuse_unsafe:
        raise RuntimeError(problems[0].message)
    if app.config.get("DATABASE_URL"):  # FORUM_DATABASE_URL
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):  # a hung server costs seconds, not a worker
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": int(app.config["DATABASE_CONNECT_TIMEOUT"]),
                                   **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), include_object=include_in_autogenerate)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_cache(app)
    init_jobs(app)
    init_i18n(app)
    if app.config.get("TRUSTED_PROXY_COUNT"):
        count = int(app.config["TRUSTED_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: WAL, a busy timeout and foreign keys on every connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _configure_logging(app: Flask) -> None:
    """One JSON object per line (request lines carry their fields); tests leave logging to pytest."""
    if not logging.getLogger("forum").handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.getLogger("forum").addHandler(handler)
        logging.getLogger("forum").setLevel(logging.INFO)
