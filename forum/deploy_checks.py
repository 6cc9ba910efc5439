"""What production must not run with, in one list of named problems (Django's `check --deploy`).

`startup_problems` holds the rules production refuses to start on (create_app raises on the first);
`deploy_problems` adds the rest and is what `forum check-deploy` prints, all at once. Each problem
has a stable id (deploy.W001 ...) and a plain message that says how to fix it."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from forum.i18n import stale_catalogs

SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT = 10        # a key of fewer distinct characters is a pattern, not randomness
SECRET_MIN_BITS = 96            # Shannon estimate over the key's own characters (token_hex(16) passes)
_PLACEHOLDER = re.compile(r"change-?me|placeholder|not-?secret|dev-only|test-secret|^(?:secret|password)", re.I)
_GOOD_SAMESITE = ("lax", "strict")
_GENERATE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
_GENERATE_FERNET = 'python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


class Problem(NamedTuple):
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.id}: {self.message}"


def startup_problems(config: Mapping, *, production: bool) -> list[Problem]:
    """What production refuses to start with (the secret key is needed everywhere)."""
    problems = []
    if not config.get("SECRET_KEY"):
        problems.append(Problem("deploy.W010", "FORUM_SECRET_KEY is not set: the app refuses to start without a secret key. "
                                f"Generate one with {_GENERATE_SECRET}."))
    if not production:
        return problems
    if not config.get("REDIS_URL"):
        problems.append(Problem("deploy.W020", "FORUM_REDIS_URL is not set: in production every worker must share "
                                "buffered views and cached pages through Redis (e.g. redis://127.0.0.1:6379/0)."))
    if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory"):
        problems.append(Problem("deploy.W021", "FORUM_RATELIMIT_STORAGE_URI is memory://: in production rate limits "
                                "must be shared by every worker through Redis (leave it unset to use FORUM_REDIS_URL)."))
    if config.get("JOBS_BACKEND") != "rq":
        problems.append(Problem("deploy.W022", "FORUM_JOBS_BACKEND must be rq in production: requests never send "
                                "mail themselves. Set FORUM_JOBS_BACKEND=rq and run `forum worker`."))
    if config.get("MAIL_SMTP_SECURITY") not in ("starttls", "tls", "none"):
        problems.append(Problem("deploy.W023", "FORUM_MAIL_SMTP_SECURITY must be starttls, tls or none."))
    if stale_catalogs():
        problems.append(Problem("deploy.W024", f"The translations for {', '.join(stale_catalogs())} are not compiled "
                                "(or older than their .po files): run `pybabel compile -d forum/translations`."))
    return problems


def deploy_problems(config: Mapping) -> list[Problem]:
    """Every problem of this configuration for a public deployment, in a stable order."""
    problems = _mode_problems(config) + startup_problems(config, production=True) + _secret_problems(config)
    for check in (_cookie_problems, _storage_problems, _request_problems, _consultation_key_problems):
        problems += check(config)
    return sorted(problems, key=lambda p: p.id)


def _mode_problems(config: Mapping) -> list[Problem]:
    problems = []
    if config.get("ENV_NAME") != "production":
        problems.append(Problem("deploy.W001", f"FORUM_ENV is {config.get('ENV_NAME')!r}: production settings are not "
                                "in force. Unset FORUM_ENV or set FORUM_ENV=production."))
    if config.get("DEBUG"):
        problems.append(Problem("deploy.W002", "Debug mode is on: tracebacks and the debugger reach visitors. "
                                "Unset FORUM_DEBUG and FLASK_DEBUG."))
    if config.get("TESTING"):
        problems.append(Problem("deploy.W003", "Testing mode is on: errors propagate instead of being handled. "
                                "Unset FORUM_TESTING."))
    return problems


def secret_weakness(secret: str) -> str | None:
    """Why a secret key is too weak to sign sessions, or None."""
    if _PLACEHOLDER.search(secret):
        return "placeholder"
    if len(secret) < SECRET_MIN_LENGTH:
        return "short"
    counts = Counter(secret)
    bits = -sum(n * math.log2(n / len(secret)) for n in counts.values())
    periodic = secret in (secret + secret)[1:-1]  # "abcdefghij" * 4
    if len(counts) < SECRET_MIN_DISTINCT or bits < SECRET_MIN_BITS or periodic:
        return "low entropy"
    return None


def _secret_problems(config: Mapping) -> list[Problem]:
    secret = config.get("SECRET_KEY")
    weakness = secret_weakness(str(secret)) if secret else None
    fix = f"Generate a new one with {_GENERATE_SECRET} (docs/deploy.md, \"Secrets and key rotation\")."
    return {
        None: [],
        "short": [Problem("deploy.W011", f"FORUM_SECRET_KEY has fewer than {SECRET_MIN_LENGTH} characters. {fix}")],
        "low entropy": [Problem("deploy.W012", "FORUM_SECRET_KEY repeats too few characters to be random "
                                f"(under {SECRET_MIN_BITS} bits). {fix}")],
        "placeholder": [Problem("deploy.W013", f"FORUM_SECRET_KEY is a known placeholder or example value. {fix}")],
    }[weakness]


_COOKIE_FLAGS: list[tuple[str, str, Callable[[object], bool], str]] = [
    ("deploy.W030", "SESSION_COOKIE_SECURE", bool, "true"),
    ("deploy.W031", "SESSION_COOKIE_HTTPONLY", bool, "true"),
    ("deploy.W032", "SESSION_COOKIE_SAMESITE", lambda v: str(v).lower() in _GOOD_SAMESITE, "Lax"),
    ("deploy.W033", "REMEMBER_COOKIE_SECURE", bool, "true"),
    ("deploy.W034", "REMEMBER_COOKIE_HTTPONLY", bool, "true"),
    ("deploy.W035", "REMEMBER_COOKIE_SAMESITE", lambda v: str(v).lower() in _GOOD_SAMESITE, "Lax"),
]


def _cookie_problems(config: Mapping) -> list[Problem]:
    problems = [Problem(code, f"{name} is {config.get(name)!r}: cookies could travel over plain HTTP, be read by "
                              f"scripts or ride cross-site requests. Unset FORUM_{name} (default {default}).")
                for code, name, good, default in _COOKIE_FLAGS if not good(config.get(name))]
    if not config.get("WTF_CSRF_ENABLED", True):
        problems.append(Problem("deploy.W036", "CSRF protection is off. Unset FORUM_WTF_CSRF_ENABLED."))
    return problems


def _storage_problems(config: Mapping) -> list[Problem]:
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        return [Problem("deploy.W040", "The database is SQLite: production runs on PostgreSQL. Set FORUM_DATABASE_URL="
                                       "postgresql+psycopg://forum@127.0.0.1:5432/forum (docs/deploy.md).")]
    return []


def _request_problems(config: Mapping) -> list[Problem]:
    problems = []
    hosts = config.get("TRUSTED_HOSTS")
    if not isinstance(hosts, (list, tuple)) or not hosts:
        problems.append(Problem("deploy.W050", "TRUSTED_HOSTS is empty: any Host header is accepted. Set FORUM_SITE_URL "
                                "to the public https address, or FORUM_TRUSTED_HOSTS='[\"forum.example.org\"]'."))
    if not config.get("MAX_CONTENT_LENGTH"):
        problems.append(Problem("deploy.W060", "MAX_CONTENT_LENGTH is not set: request bodies have no size limit. "
                                "Unset FORUM_MAX_CONTENT_LENGTH (default 1048576)."))
    site = urlsplit(str(config.get("SITE_URL") or ""))
    if not site.netloc:
        problems.append(Problem("deploy.W070", "FORUM_SITE_URL is not set: links in e-mails, feeds and canonical URLs "
                                "need the public address, e.g. FORUM_SITE_URL=https://forum.example.org."))
    elif site.scheme != "https":
        problems.append(Problem("deploy.W071", f"FORUM_SITE_URL is {config.get('SITE_URL')!r}, not https: set it to the "
                                "public https address, e.g. FORUM_SITE_URL=https://forum.example.org."))
    return problems


def _consultation_key_problems(config: Mapping) -> list[Problem]:
    keys = config.get("CONSULTATION_KEYS")
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",") if k.strip()]
    if not keys:
        return [Problem("deploy.W080", "FORUM_CONSULTATION_KEYS is not set: consultation data would be encrypted with a "
                                       "key derived from the secret key, and rotating that would make it unreadable. "
                                       f"Generate one with {_GENERATE_FERNET}.")]
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return [Problem("deploy.W081", "FORUM_CONSULTATION_KEYS holds a value that is not a Fernet key (32 url-safe "
                                           f"base64-encoded bytes). Generate one with {_GENERATE_FERNET}.")]
    return []
