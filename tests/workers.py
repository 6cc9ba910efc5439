"""pytest -n 2 (pytest-xdist): what each worker process gets of its own, so that two workers never
share a database, a Redis database or a running stack. Without -n everything is as before."""
from __future__ import annotations

import os

from sqlalchemy.engine import make_url

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under pytest -n
INDEX = int(WORKER[2:]) if WORKER.startswith("gw") else 0
MAX_WORKERS = 3  # Redis numbers below: tests 13..15, local stacks 11..9


def redis_url(url: str, step: int = 1) -> str:
    """The Redis URL with its database number moved by this worker's index (`step` +1 or -1)."""
    if not WORKER:
        return url
    if INDEX >= MAX_WORKERS:
        raise RuntimeError(f"at most {MAX_WORKERS} pytest-xdist workers: each needs Redis databases of its own")
    parsed = make_url(url)
    number = int(parsed.database or 0) + step * INDEX
    return parsed.set(database=str(number)).render_as_string(hide_password=False)


def database_url(url: str) -> str:
    """A PostgreSQL URL gets a database of this worker's own (`<name>_gw0`), created when missing."""
    if not WORKER or not url.startswith("postgresql"):
        return url
    import psycopg
    from psycopg import sql

    parsed = make_url(url)
    name = f"{parsed.database}_{WORKER}"
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parsed.set(database=name).render_as_string(hide_password=False)
