"""Configuration classes; every setting can be overridden with a FORUM_* environment variable."""
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Production defaults: safe unless told otherwise."""

    ENV_NAME = "production"
    SECRET_KEY = None  # must come from FORUM_SECRET_KEY; create_app refuses to start without it
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{ROOT / 'instance' / 'forum.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    DATABASE_CONNECT_TIMEOUT = 5  # seconds (PostgreSQL): a hung server gives 503s, not hung workers

    # Sessions (SECURITY.md B): __Host- prefix, Secure, HttpOnly, SameSite=Lax.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_PATH = "/"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)   # absolute cap on a session
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)        # idle cap
    REMEMBER_COOKIE_NAME = "__Host-remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_PATH = "/"

    # Request size limits (SECURITY.md #33).
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500 * 1024
    MAX_FORM_PARTS = 1000

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session, which is itself bounded
    WTF_CSRF_SSL_STRICT = False  # SameSite=Lax cookies already stop cross-site posts

    # Rate limits (Flask-Limiter). Unset: REDIS_URL when there is one, else memory (one process,
    # development only); production refuses to start with memory storage.
    RATELIMIT_STORAGE_URI = None
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: each process limits on its own meanwhile
    RATELIMIT_SWALLOW_ERRORS = True              # and a storage error never fails the request
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
    RATELIMIT_DEFAULT = "200 per minute;50 per 10 seconds"  # per IP, every route (Discourse)
    RATELIMIT_SIGNUP = "3 per day"
    RATELIMIT_LOGIN = "6 per minute;30 per hour"
    # Failed log-ins (forum/services/login_guard.py): per account and IP, past it that IP gets 429;
    # per account, past it no password is checked and the owner gets a one-time log-in link by mail.
    RATELIMIT_LOGIN_ACCOUNT_IP = "10 per 15 minutes"
    RATELIMIT_LOGIN_ACCOUNT = "100 per hour"
    LOGIN_LINK_MAX_AGE = timedelta(minutes=15)        # or seconds (FORUM_LOGIN_LINK_MAX_AGE=900)
    LOGIN_LINK_MAIL_INTERVAL = timedelta(minutes=15)  # at most one log-in link mail per account per interval
    RATELIMIT_RESET = "5 per hour"
    RATELIMIT_ASK = "1 per 15 seconds;20 per day"      # SECURITY.md #23, all users
    RATELIMIT_ANSWER = "1 per 5 seconds;100 per day"
    RATELIMIT_FOLLOW_UP = "1 per 5 seconds;100 per day"
    RATELIMIT_FLAG = "10 per hour;30 per day"
    RATELIMIT_CONTACT = "5 per hour;20 per day"  # contact form messages accepted, per account or IP
    RATELIMIT_EMAIL_CHANGE = "5 per hour;10 per day"  # e-mail change requests, per account (each sends mail)
    TRUSTED_PROXY_COUNT = 0  # set to 1 behind nginx so the real client IP is used

    # Flags weighted by trust (services/moderation_trust.py): an item is hidden pending review when
    # its open flags weigh FLAG_AUTO_HIDE_WEIGHT, with at least one trusted flag. A flag from an
    # account younger than FLAG_TRUST_MIN_AGE_HOURS or with no public post weighs FLAG_WEIGHT_UNTRUSTED,
    # and all such flags on one item together count at most FLAG_UNTRUSTED_CAP.
    FLAG_AUTO_HIDE_WEIGHT = 3.0
    FLAG_WEIGHT_UNTRUSTED = 0.25
    FLAG_UNTRUSTED_CAP = 1.0
    FLAG_TRUST_MIN_AGE_HOURS = 24

    # Mail: "console" logs mail, "smtp" sends it, "memory" keeps it for tests.
    MAIL_BACKEND = "console"
    MAIL_SENDER = "Ask a Cosmetic Doctor <no-reply@example.org>"
    MAIL_SMTP_HOST = "localhost"
    MAIL_SMTP_PORT = 587
    MAIL_SMTP_SECURITY = "starttls"  # "starttls" (port 587), "tls" (implicit TLS, port 465) or "none"
    MAIL_SMTP_USERNAME = None        # with a password: AUTH after TLS is up
    MAIL_SMTP_PASSWORD = None
    MAIL_SMTP_TIMEOUT = 10           # seconds for connect and each command
    MAIL_SMTP_CA_FILE = None         # a private CA to trust instead of the system's (tests, internal relays)
    # The site's origin: every absolute URL (canonical links, JSON-LD, feeds, sitemap, mail) is
    # built from it, never from the request's Host header.
    SITE_URL = "http://127.0.0.1:5000"
    # Host names the app answers to (others get 400; /healthz, /readyz and /metrics answer any).
    # Unset in production: SITE_URL's host. FORUM_TRUSTED_HOSTS='forum.example.org,www.forum.example.org'
    TRUSTED_HOSTS = None

    # Background jobs: "rq" (a queue in Redis, drained by `forum worker`; production) or "inline"
    # (the job runs in the requesting process; development and tests). JOBS_REDIS_URL defaults
    # to REDIS_URL.
    JOBS_BACKEND = "rq"
    JOBS_REDIS_URL = None

    AUTH_TOKEN_MAX_AGE = timedelta(hours=1)
    # API bearer tokens expire; their "last used" time is written at most once per this many
    # minutes per token (an API read with a token otherwise writes nothing).
    API_TOKEN_LIFETIME_DAYS = 90
    API_TOKEN_LAST_USED_MINUTES = 60
    # Two-factor (TOTP, RFC 6238): the name authenticator apps show, how long the "password was
    # right, now the code" step of a log-in stays open, and how often the code may be tried.
    TWO_FACTOR_ISSUER = "Ask a Cosmetic Doctor"
    TWO_FACTOR_LOGIN_MINUTES = 5
    RATELIMIT_TWO_FACTOR = "5 per minute;20 per hour"

    # flask-smorest / OpenAPI
    API_TITLE = "Ask a Cosmetic Doctor API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    SEED_PATH = str(ROOT / "seed")

    # Shared state (FORUM_REDIS_URL, e.g. redis://127.0.0.1:6379/0): the page cache, tag
    # versions and buffered view counts. Unset: one process's memory (development, tests).
    REDIS_URL = None
    PAGE_CACHE_SECONDS = 60   # how long a visitor's rendered page is kept (writes invalidate sooner)
    PUBLIC_MAX_AGE = 30       # Cache-Control max-age on visitors' pages, for a micro-caching proxy
    SQL_COUNT_HEADER = False  # benchmark only: X-SQL-Statements on every response

    # Observability: /metrics (Prometheus) answers only these client networks, or a request with
    # "Authorization: Bearer <METRICS_TOKEN>". Each request logs one JSON line with its id.
    METRICS_ALLOW = "127.0.0.1/32,::1/128"
    METRICS_TOKEN = None
    REQUEST_LOG = True

    # Consultations: encryption keys (comma-separated Fernet keys, newest first; derived from
    # SECRET_KEY when unset) and photo storage outside static/ (default: instance/photos).
    CONSULTATION_KEYS = None
    PHOTO_DIR = None
    PHOTO_MAX_BYTES = 4 * 1024 * 1024
    PHOTO_MAX_PIXELS = 24_000_000   # width x height, read from the header before any decode (#12)
    RATELIMIT_PHOTOS = "20 per hour"  # requests carrying photos, per account, refused ones included
    CONSULTATION_MAX_CONTENT_LENGTH = 5 * 4 * 1024 * 1024 + 256 * 1024
    RATELIMIT_CONSULTATION = "5 per hour;10 per day"

    # Idempotency-Key on API writes: how long a key and its response are kept per user, and how
    # long a key stays locked by a request that has not committed (longer than gunicorn's timeout).
    IDEMPOTENCY_TTL_HOURS = 24
    IDEMPOTENCY_LOCK_SECONDS = 60


class DevelopmentConfig(Config):
    """Local serving over plain http on 127.0.0.1 (README's first command)."""

    ENV_NAME = "development"
    JOBS_BACKEND = "inline"
    SECRET_KEY = "dev-only-not-secret-" + "x" * 16
    SESSION_COOKIE_NAME = "forum_session"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_NAME = "forum_remember"
    REMEMBER_COOKIE_SECURE = False


class TestConfig(Config):
    """Used by the test suite; the database URL comes from FORUM_TEST_DATABASE_URL."""

    ENV_NAME = "testing"
    TESTING = True
    JOBS_BACKEND = "inline"
    SECRET_KEY = "test-secret-key-" + "t" * 32
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_BACKEND = "memory"
    SITE_URL = "http://localhost"
    # Tests post several questions in a row; the posting limits have their own tests.
    RATELIMIT_ASK = "100 per minute"
    RATELIMIT_ANSWER = "100 per minute"
    RATELIMIT_FOLLOW_UP = "100 per minute"
    RATELIMIT_FLAG = "100 per minute"
    RATELIMIT_CONSULTATION = "100 per minute"
    RATELIMIT_PHOTOS = "100 per minute"


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}
