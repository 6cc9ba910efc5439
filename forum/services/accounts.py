"""Accounts: register, log in, passwords, e-mail tokens, API tokens, doctor applications."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from forum import clock, jobs, mail
from forum.errors import Invalid, NotFound, Unauthorized
from forum.extensions import db
from forum.i18n import DEFAULT_LOCALE, LOCALES, _, _l, current_locale, fdatetime, supported
from forum.models import (
    ApiToken, AuthToken, AuthTokenPurpose, DoctorProfile, Role, Topic, User, UserStatus,
    VerificationStatus,
)
from forum.passwords import hash_password, verify_password
from forum.permissions import require
from forum.services import login_guard
from forum.services.reference import by_slugs
from forum.services.two_factor import check_login_code, confirm_identity
from forum.seclog import security_event

GENERIC_LOGIN_ERROR = _l("E-mail or password is incorrect, or this account cannot log in.")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def register(*, email: str, display_name: str, password: str, role: Role = Role.MEMBER) -> User | None:
    """Create an account and queue a confirmation mail. E-mail is unique case-insensitively.

    A taken address creates nothing and returns None; its owner gets a mail instead, and the
    caller answers exactly as on success, so registration never reveals who has an account.
    """
    email = normalize_email(email)
    password_hash = hash_password(password)  # hashed in both branches: equal timing
    existing = find_user_by_email(email)
    if existing is not None:
        site = current_app.config["SITE_URL"].rstrip("/")
        mail.queue_mail(existing.email, _l("Someone tried to register with your address"), "register_duplicate",
                        login_link=f"{site}/login", reset_link=f"{site}/forgot-password")
        db.session.commit()
        security_event("register_duplicate", user_id=existing.id)
        return None
    user = User(email=email, display_name=display_name, password_hash=password_hash, role=role,
                locale=supported(current_locale()) if has_request_context() else None)  # the language signed up in
    db.session.add(user)
    db.session.flush()
    _queue_email_verification(user)
    db.session.commit()
    security_event("register", user_id=user.id)
    return user


def authenticate(*, email: str, password: str, ip: str | None = None) -> User:
    """The user with this e-mail and password, if they may log in; one generic error otherwise.
    The login guard may refuse first (RateLimited for this IP, LoginLinkSent past the account's
    failure cap, when the password is not even checked)."""
    user = find_user_by_email(email) if email else None
    attempt = login_guard.admit(normalize_email(email or ""), user, ip)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        attempt.failed()
        security_event("login_failed", user_id=user.id if user else None,
                       reason="password" if not ok else "status")
        raise Invalid(str(GENERIC_LOGIN_ERROR))
    attempt.succeeded()
    user.last_seen_at = clock.now()
    if user.locale is None and current_locale() != DEFAULT_LOCALE:  # their mail follows the language they use
        user.locale = current_locale()
    db.session.commit()
    security_event("login", user_id=user.id)
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of `user` and revoke all their API tokens
    (log-out everywhere, password change and reset, suspension, ban, role change), and cancel any
    e-mail change still waiting for its link. Runs in the caller's transaction."""
    user.session_version = (user.session_version or 0) + 1
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))
    void_email_change_links(user)  # a reset after "your address is being changed" must stop the change


def void_email_change_links(user: User) -> None:
    """Mark every unused e-mail-change link of `user` used. Runs in the caller's transaction."""
    db.session.execute(update(AuthToken).where(AuthToken.user_id == user.id,
                                               AuthToken.purpose == AuthTokenPurpose.EMAIL_CHANGE,
                                               AuthToken.used_at.is_(None)).values(used_at=clock.now()))


def log_out(user: User) -> None:
    """Log-out ends this user's sessions everywhere, on the server side."""
    end_all_sessions(user)
    db.session.commit()
    security_event("logout", user_id=user.id)


def change_password(actor: User, *, current_password: str, new_password: str, code: str | None = None) -> User:
    """A password change needs the current password (and the two-factor code when on); it ends
    every session and revokes every API token."""
    require(actor, "account.use")
    confirm_identity(actor, password=current_password, code=code, password_field="current_password")
    actor.password_hash = hash_password(new_password)
    end_all_sessions(actor)
    db.session.commit()
    security_event("password_changed", user_id=actor.id)
    return actor


# ---- single-use e-mail tokens ----

def issue_auth_token(user: User, purpose: AuthTokenPurpose, **fields) -> str:
    """A 256-bit random token, stored hashed (with `fields`, e.g. the new e-mail address). Runs in
    the caller's transaction."""
    raw = secrets.token_urlsafe(32)
    lifetime = current_app.config["AUTH_TOKEN_MAX_AGE"]
    db.session.add(AuthToken(user=user, purpose=purpose, token_hash=_sha256(raw),
                             expires_at=clock.now() + lifetime, **fields))
    return raw


def live_auth_token(raw: str, purpose: AuthTokenPurpose) -> AuthToken:
    """The unused, unexpired token `raw` names; Invalid otherwise. Writes nothing."""
    token = db.session.scalar(select(AuthToken).where(AuthToken.token_hash == _sha256(raw),
                                                      AuthToken.purpose == purpose))
    if token is None or token.used_at is not None or token.expires_at <= clock.now():
        raise Invalid(_("This link is invalid or has expired. Ask for a new one."),
                      fields={"token": [_("Invalid or expired link.")]})
    return token


def consume_auth_token(raw: str, purpose: AuthTokenPurpose) -> User:
    token = live_auth_token(raw, purpose)
    token.used_at = clock.now()
    return token.user


def _queue_email_verification(user: User) -> None:
    raw = issue_auth_token(user, AuthTokenPurpose.VERIFY_EMAIL)
    link = f"{current_app.config['SITE_URL']}/verify-email/{raw}"
    mail.queue_mail(user.email, _l("Confirm your e-mail address"), "verify_email", name=user.display_name, link=link)


def resend_verification(actor: User) -> None:
    require(actor, "account.use")
    if actor.email_verified_at is None:
        _queue_email_verification(actor)
        db.session.commit()


def verify_email(*, token: str) -> User:
    user = consume_auth_token(token, AuthTokenPurpose.VERIFY_EMAIL)
    user.email_verified_at = user.email_verified_at or clock.now()
    db.session.commit()
    return user


def request_password_reset(*, email: str) -> None:
    """Enqueue one send_password_reset job, whether or not the account exists: the request does
    the same work either way, so neither its answer nor its timing tells (#12)."""
    if not jobs.enqueue("send_password_reset", email=normalize_email(email), locale=current_locale()):
        send_password_reset(email=email)  # the queue is down: better a slower answer than no link


def send_password_reset(*, email: str) -> None:
    """The job's half: queue a reset link if the account exists and is not banned; nothing otherwise."""
    user = find_user_by_email(email)
    if user is not None and user.status != UserStatus.BANNED:
        raw = issue_auth_token(user, AuthTokenPurpose.PASSWORD_RESET)
        link = f"{current_app.config['SITE_URL']}/reset-password/{raw}"
        mail.queue_mail(user.email, _l("Reset your password"), "password_reset", link=link)
        db.session.commit()
    security_event("password_reset_requested", user_id=user.id if user else None)


def reset_password(*, token: str, password: str) -> User:
    """Set a new password with a single-use reset token; every session of the user ends."""
    user = consume_auth_token(token, AuthTokenPurpose.PASSWORD_RESET)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    db.session.commit()
    security_event("password_reset", user_id=user.id)
    return user


# ---- session and token loading ----

def load_session_user(session_id: str) -> User | None:
    """Flask-Login's stored id is "<user id>:<session version>"; a stale version loads nobody."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # The doctor profile and its checks come along: nearly every page asks is_verified_doctor.
    user = db.session.get(User, int(user_id), options=[
        joinedload(User.doctor_profile).selectinload(DoctorProfile.credential_checks)])
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def issue_token(actor: User, *, name: str, password: str, code: str | None = None) -> tuple[ApiToken, str]:
    """Create a named bearer token after re-authentication (password, and the two-factor code
    when on); it expires after API_TOKEN_LIFETIME_DAYS. The raw value is returned once and only
    its hash is kept."""
    require(actor, "account.use")
    confirm_identity(actor, password=password, code=code)
    return _mint_token(actor, name)


def exchange_token(*, email: str, password: str, name: str, code: str | None = None,
                   ip: str | None = None) -> tuple[ApiToken, str]:
    """Trade e-mail and password (and the two-factor code when on) for a named bearer token. The
    login guard applies as to any log-in (LoginLinkSent past the account's failure cap)."""
    user = authenticate(email=email, password=password, ip=ip)
    check_login_code(user, code)
    require(user, "account.use")  # staff without two-factor: enrol first
    return _mint_token(user, name)


def _mint_token(user: User, name: str) -> tuple[ApiToken, str]:
    raw = "fct_" + secrets.token_urlsafe(32)
    lifetime = timedelta(days=current_app.config["API_TOKEN_LIFETIME_DAYS"])
    token = ApiToken(user=user, name=name, token_hash=_sha256(raw), prefix=raw[:10],
                     expires_at=clock.now() + lifetime)
    db.session.add(token)
    db.session.commit()
    security_event("api_token_created", user_id=user.id)
    return token, raw


def list_tokens(actor: User) -> list[ApiToken]:
    require(actor, "account.use")
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == actor.id)
                                   .order_by(ApiToken.id.desc())))


def revoke_token(actor: User, *, token_id: int) -> ApiToken:
    """Revoke one of your own tokens; another user's token is "not found"."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound()
    require(actor, "api_token.revoke", token, hide=True)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.session.commit()
    return token


def authenticate_token(raw: str) -> User:
    """The user of an active bearer token; Unauthorized saying why otherwise. "Last used" is
    written at most once per API_TOKEN_LAST_USED_MINUTES per token, so reads rarely write."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(raw)))
    if token is not None and token.revoked_at is None and token.is_expired:
        raise Unauthorized(_("This API token expired on %(when)s UTC. Create a new one on your account page.",
                             when=fdatetime(token.expires_at, "medium")))
    if token is None or not token.is_active or not token.user.is_active:
        raise Unauthorized(_("This API token is not valid: it is unknown or was revoked "
                             "(tokens are revoked when you log out everywhere or change your password)."))
    now = clock.now()
    every = timedelta(minutes=current_app.config["API_TOKEN_LAST_USED_MINUTES"])
    if token.last_used_at is None or now - token.last_used_at >= every:
        token.last_used_at = now
        db.session.commit()
    return token.user


def load_token_user(raw: str) -> User | None:
    try:
        return authenticate_token(raw)
    except Unauthorized:
        return None


# ---- doctor applications ----

def apply_as_doctor(actor: User, **details) -> DoctorProfile:
    """A member applies with credentials; the application is pending until a moderator decides."""
    require(actor, "doctor.apply")
    profile = actor.doctor_profile or DoctorProfile(user=actor)
    profile.topics = by_slugs(Topic, details.pop("topics", []), "topics")
    for key, value in details.items():
        setattr(profile, key, value)
    profile.status = VerificationStatus.PENDING
    profile.applied_at = clock.now()
    profile.decided_at = profile.decided_by_id = profile.decision_reason = None
    db.session.add(profile)
    db.session.commit()
    return profile


def own_account(actor: User) -> User:
    """The caller's own account (GET /api/v1/me); staff without two-factor are sent to enrol."""
    require(actor, "account.use")
    return actor


def set_locale(user: User, locale: str | None) -> None:
    """The language the site speaks to `user` (pages, and the mail and notices they get): one of
    forum.i18n.LOCALES, or None to follow the browser (Accept-Language, the switcher's cookie)."""
    code = supported(locale) if isinstance(locale, str) else None
    if locale is not None and code is None:
        choices = ", ".join(LOCALES)
        raise Invalid(_("Choose a language we offer (%(choices)s), or none to follow your browser.", choices=choices),
                      fields={"locale": [_("Choose one of: %(choices)s.", choices=choices)]})
    user.locale = code
    db.session.commit()


def application_for_form(actor: User) -> DoctorProfile | None:
    """The caller's doctor application, if any, to prefill the (re-)application form."""
    require(actor, "account.use")
    return actor.doctor_profile


def my_application(actor: User) -> DoctorProfile:
    require(actor, "account.use")
    if actor.doctor_profile is None:
        raise NotFound(_("You have not applied as a doctor."))
    return actor.doctor_profile


def create_user_cli(*, email: str, display_name: str, password: str, role: Role) -> User:
    """Staff accounts are made only from the command line (no default or seeded staff)."""
    user = register(email=email, display_name=display_name, password=password, role=role)
    if user is None:
        raise Invalid(_("An account with this e-mail already exists."), fields={"email": [_("Already registered.")]})
    user.email_verified_at = clock.now()
    db.session.commit()
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user

