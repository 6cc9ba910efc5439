"""Time zones: a member's setting (an IANA name), and consultation times entered and shown in
the viewer's zone while the database keeps naive UTC (forum.clock.now)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime

from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import DEFAULT_LOCALE, _, _l, current_locale
from forum.models import User
from forum.permissions import require

UTC = "UTC"
BAD_ZONE = _l("Choose your time zone from the list.")
# Babel patterns for consultation times, per locale: "full" (a proposed time), "medium" (when a
# request was sent), "short" (lists and the message thread).
TIME_PATTERNS = {
    "en": {"full": "EEEE dd MMMM y, HH:mm", "medium": "dd MMMM y, HH:mm", "short": "dd MMM y, HH:mm"},
    "es": {"full": "EEEE, dd 'de' MMMM 'de' y, HH:mm", "medium": "dd 'de' MMMM 'de' y, HH:mm",
           "short": "dd MMM y, HH:mm"},
}
TIME_FORMAT = "full"


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_names() -> list[str]:
    """Every IANA zone the system knows, sorted; the legacy aliases ("US/Eastern") are kept, as
    browsers may still report them."""
    return sorted(_known())


def is_zone(name: str | None) -> bool:
    return isinstance(name, str) and name in _known()


def zone_of(user: User | None) -> str:
    """The zone a person sees times in: their setting, else UTC."""
    name = getattr(user, "time_zone", None)
    return name if is_zone(name) else UTC


def set_time_zone(actor: User, *, time_zone: str) -> User:
    """A member chooses the zone their consultation times are entered and shown in."""
    require(actor, "account.use")
    if not is_zone(time_zone):
        raise Invalid(str(BAD_ZONE), fields={"time_zone": [str(BAD_ZONE)]})
    actor.time_zone = time_zone
    db.session.commit()
    return actor


def remember_browser_zone(actor: User, browser_zone: str | None) -> None:
    """Take the browser's zone as the setting while the member has none (an unknown name is
    ignored). Runs in the caller's transaction."""
    if actor.time_zone is None and is_zone(browser_zone):
        actor.time_zone = browser_zone


def to_utc(day: date, at: time, zone: str) -> datetime:
    """A wall-clock date and time in `zone` as naive UTC. A time the clocks skip (spring
    forward) does not exist there: Invalid, so nobody is booked for an hour that never comes."""
    if not is_zone(zone):
        raise Invalid(str(BAD_ZONE), fields={"time_zone": [str(BAD_ZONE)]})
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    in_utc = local.astimezone(timezone.utc)
    if in_utc.astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None):
        message = _("%(time)s does not exist on that day in %(zone)s (the clocks change); choose another.",
                    time=at.strftime("%H:%M"), zone=zone)
        raise Invalid(message, fields={"scheduled_time": [message]})
    return in_utc.replace(tzinfo=None)


def naive_to_utc(value: datetime | None, zone: str) -> datetime | None:
    """A datetime from a form: one without an offset is wall-clock time in `zone`; one with an
    offset (the API) is converted as it is. Returns naive UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return to_utc(value.date(), value.time(), zone)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def in_zone(value: datetime, zone: str) -> datetime:
    """A stored (naive UTC) time as an aware time in `zone`."""
    return value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone if is_zone(zone) else UTC))


def show(value: datetime | None, zone: str, style: str = TIME_FORMAT) -> str:
    """A stored time for people: wall-clock time in `zone` in the reader's language (`style`: one
    of TIME_PATTERNS' "full", "medium", "short"), followed by the zone's name."""
    if value is None:
        return ""
    locale = current_locale()
    pattern = TIME_PATTERNS.get(locale, TIME_PATTERNS[DEFAULT_LOCALE])[style]
    return f"{format_datetime(in_zone(value, zone), pattern, locale=locale)} {zone if is_zone(zone) else UTC}"
