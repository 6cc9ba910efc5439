"""Password-guessing limits that cannot lock the owner out, and one-time log-in links by e-mail.

Failed log-ins are counted twice, in the rate-limit storage (Redis in production, the same one
Flask-Limiter uses): per account and client IP, and per account. Keys hold an HMAC of the
address, never the address, and unknown addresses are counted exactly like real ones, so no
answer tells whether an account exists.

- Per account and IP (RATELIMIT_LOGIN_ACCOUNT_IP, "10 per 15 minutes"): past it, that IP gets
  429 for that account; the owner on another network is not affected.
- Per account (RATELIMIT_LOGIN_ACCOUNT, "100 per hour", ASVS 4.0.3 2.2.1): past it, no password
  is checked for the account any more, so guessing stops however many IPs are used. Every
  attempt gets the same neutral answer, and the owner is e-mailed a one-time log-in link (at most
  one mail per LOGIN_LINK_MAIL_INTERVAL). The owner's right password is never answered 429.

Counters use two fixed windows: an attempt is refused while the previous and the current
window together hold the limit, so no sliding period of the window's length ever sees more than
the limit. Windows follow forum.clock, so tests can move time. The account's count takes each
guess before its password is checked (given back when it is right), so parallel attempts cannot
overrun the cap.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import lru_cache

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from limits import parse
from limits.storage import MemoryStorage

from forum import clock, mail
from forum.errors import Invalid, RateLimited
from forum.extensions import db, limiter
from forum.i18n import _, _l
from forum.models import User
from forum.seclog import security_event

log = logging.getLogger("forum.security")
LINK_SALT = "login-link"
BAD_LINK = _l("This log-in link is invalid, used or expired. Log in again to get a new one.")


class LoginLinkSent(Exception):
    """The account is past its failure cap: no password was checked; answer with `message`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---- counters in the rate-limit storage ----

@lru_cache(maxsize=1)
def _fallback() -> MemoryStorage:
    """When Redis fails, each process keeps counting on its own meanwhile (made on first need:
    the storage starts a timer thread)."""
    return MemoryStorage()


def _storage_call(method: str, *args):
    try:
        return getattr(limiter.storage, method)(*args)
    except Exception as exc:  # noqa: BLE001 - storage down: count in this process rather than fail
        log.warning("login guard storage unavailable, counting in this process: %s", type(exc).__name__)
        return getattr(_fallback(), method)(*args)


def _now_seconds() -> float:
    return clock.now().replace(tzinfo=timezone.utc).timestamp()


@dataclass(frozen=True)
class _Window:
    """Two fixed windows of `seconds` for `key`: the current one and the one before."""

    key: str
    amount: int
    seconds: int

    @classmethod
    def of(cls, name: str, ident: str, setting: str) -> "_Window":
        item = parse(current_app.config[setting])
        return cls(f"login-guard:{name}:{ident}", item.amount, item.get_expiry())

    def _index(self) -> int:
        return int(_now_seconds() // self.seconds)

    def count(self) -> int:
        index = self._index()
        return _storage_call("get", f"{self.key}:{index - 1}") + _storage_call("get", f"{self.key}:{index}")

    def current(self) -> int:
        return _storage_call("get", f"{self.key}:{self._index()}")

    def hit(self, amount: int = 1) -> int:
        return _storage_call("incr", f"{self.key}:{self._index()}", 2 * self.seconds, amount)

    def retry_after(self) -> int:
        """Seconds until the refusal ends: the end of this window, or of the next one when this
        window alone holds the limit."""
        remaining = self.seconds - _now_seconds() % self.seconds
        return int(remaining + (self.seconds if self.current() >= self.amount else 0)) + 1

    def clear(self) -> None:
        index = self._index()
        for key in (f"{self.key}:{index - 1}", f"{self.key}:{index}"):
            _storage_call("clear", key)


def _digest(*parts: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, "\x00".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:32]


# ---- the guard around a password check ----

@dataclass
class Attempt:
    """One log-in attempt that the guard let through to the password check."""

    account: _Window
    account_ip: _Window

    def failed(self) -> None:
        """Count a wrong password (or an unknown address, or an account that may not log in); the
        account's count already holds this attempt (`admit` reserved it)."""
        self.account_ip.hit()

    def succeeded(self) -> None:
        """The right password: the reserved guess is given back, and this IP's mistakes for the
        account are forgotten (not the account's)."""
        self.account.hit(-1)
        self.account_ip.clear()


def admit(email: str, user: User | None, ip: str | None) -> Attempt:
    """Let a log-in attempt for the normalised `email` (its `user`, or None) reach the password
    check, or refuse it first. Raises RateLimited (429) when this IP is past its limit for the
    account, and LoginLinkSent when the account is past its cap; in that case the owner, if
    there is one, is e-mailed a one-time log-in link, committed here."""
    account_id = _digest("account", email)
    account = _Window.of("account", account_id, "RATELIMIT_LOGIN_ACCOUNT")
    account_ip = _Window.of("account-ip", _digest("account-ip", account_id, ip or "-"), "RATELIMIT_LOGIN_ACCOUNT_IP")
    if account_ip.count() >= account_ip.amount:
        security_event("login_refused", user_id=user.id if user else None, reason="account_ip_limit")
        raise RateLimited(retry_after=account_ip.retry_after())
    if account.count() >= account.amount:
        _refuse_past_cap(account_id, account_ip, user)
    account.hit()  # reserve the guess first, so parallel attempts cannot overrun the cap
    if account.count() > account.amount:
        account.hit(-1)
        _refuse_past_cap(account_id, account_ip, user)
    return Attempt(account=account, account_ip=account_ip)


def _refuse_past_cap(account_id: str, account_ip: _Window, user: User | None) -> None:
    account_ip.hit()  # still an attempt from this IP: it cannot try forever
    _mail_login_link(account_id, user)
    security_event("login_refused", user_id=user.id if user else None, reason="account_cap")
    raise LoginLinkSent(_("For your safety, this account now logs in through a link sent by e-mail. If the account "
                          "exists, we e-mailed it a one-time log-in link; it works for %(minutes)d minutes.",
                          minutes=_link_minutes()))


# ---- one-time log-in links ----

def _seconds(setting: str) -> int:
    value = current_app.config[setting]
    return int(value.total_seconds() if isinstance(value, timedelta) else value)


def _link_minutes() -> int:
    return max(1, _seconds("LOGIN_LINK_MAX_AGE") // 60)


def _serializer() -> URLSafeSerializer:
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or []), current_app.config["SECRET_KEY"]]
    return URLSafeSerializer(keys, salt=LINK_SALT)


def _fingerprint(user: User) -> str:
    """Changes when the password changes or every session is ended: older links stop working."""
    return _digest("fingerprint", str(user.id), user.password_hash or "", str(user.session_version or 0))


def login_link_token(user: User) -> str:
    """A signed single-use token for `user`, valid LOGIN_LINK_MAX_AGE from now."""
    return _serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(16),
                                "t": int(_now_seconds()), "f": _fingerprint(user)})


def _mail_login_link(account_id: str, user: User | None) -> None:
    """At most one mail per LOGIN_LINK_MAIL_INTERVAL per account (two windows: the next mail
    comes one to two intervals after the last). Unknown addresses get nothing, silently."""
    if user is None or not user.is_active:
        return
    interval = _seconds("LOGIN_LINK_MAIL_INTERVAL")
    index = int(_now_seconds() // interval)
    key = f"login-guard:link-mail:{account_id}"
    if _storage_call("get", f"{key}:{index - 1}") or _storage_call("incr", f"{key}:{index}", 2 * interval) > 1:
        return
    link = f"{current_app.config['SITE_URL'].rstrip('/')}/login-link/{login_link_token(user)}"
    mail.queue_mail(user.email, _l("Your one-time log-in link"), "login_link", name=user.display_name, link=link,
                    minutes=_link_minutes(), limit=current_app.config["RATELIMIT_LOGIN_ACCOUNT"])
    db.session.commit()
    security_event("login_link_sent", user_id=user.id)


def _read_link(token: str) -> dict | None:
    try:
        data = _serializer().loads(token)
    except BadData:
        return None
    if not isinstance(data, dict) or set(data) != {"u", "n", "t", "f"} or type(data["u"]) is not int:
        return None
    if not isinstance(data["n"], str) or not isinstance(data["f"], str):
        return None
    if not isinstance(data["t"], int) or not 0 <= _now_seconds() - data["t"] <= _seconds("LOGIN_LINK_MAX_AGE"):
        return None
    return data


def use_login_link(*, token: str) -> User:
    """Log in with a one-time link: signed by us, unexpired, unused, issued under the user's
    current password and sessions, and the user may still log in (not suspended or banned).

    Two-factor (#12 item 10): this proves the password step only. When the user has a second
    factor enrolled, the caller must ask for the code exactly as after a right password."""
    data = _read_link(token)
    user = db.session.get(User, data["u"]) if data else None
    if user is None or not hmac.compare_digest(data["f"].encode(), _fingerprint(user).encode()) or not user.is_active:
        raise Invalid(str(BAD_LINK), fields={"token": [_("Invalid or expired link.")]})
    if _storage_call("incr", f"login-guard:link-used:{data['n']}", 2 * _seconds("LOGIN_LINK_MAX_AGE")) > 1:
        raise Invalid(str(BAD_LINK), fields={"token": [_("This link was already used.")]})
    user.last_seen_at = clock.now()
    db.session.commit()
    security_event("login", user_id=user.id, method="login_link")
    return user

