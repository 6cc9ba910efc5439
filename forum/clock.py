"""The one source of "now", so tests can move time without patching every caller."""
from datetime import datetime, timezone


def now() -> datetime:
    """Current UTC time as a naive datetime (how both SQLite and PostgreSQL columns store it)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
