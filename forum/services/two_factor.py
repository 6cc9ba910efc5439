"""Two-factor authentication (TOTP, RFC 6238) and re-authentication: enrolment with a QR code made
on the server, single-use recovery codes, the second step of log-in, turning it off."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timezone

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, select

from forum import clock, crypto, mail
from forum.errors import Conflict, Invalid
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import RecoveryCode, User
from forum.passwords import verify_password
from forum.permissions import require
from forum.seclog import security_event

RECOVERY_CODES = 10
WRONG_CODE = _l("This code is not valid. Enter the 6-digit code your app shows now, or an unused recovery code.")
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without mistakes


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _totp(user: User) -> pyotp.TOTP | None:
    return pyotp.TOTP(crypto.decrypt_json(user.totp_secret)) if user.totp_secret else None


def _check_totp(user: User, code: str) -> bool:
    """A 6-digit code of this, the previous or the next 30-second step, each accepted once."""
    totp = _totp(user)
    if totp is None or not (code.isdigit() and len(code) == 6):
        return False
    now_step = int(clock.now().replace(tzinfo=timezone.utc).timestamp()) // totp.interval
    for step in (now_step, now_step - 1, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code) and step > (user.totp_last_step or -1):
            user.totp_last_step = step
            return True
    return False


def check_code(user: User, code: str | None) -> bool:
    """True for a current TOTP code or an unused recovery code (which is used up). Runs in the
    caller's transaction."""
    code = _normal(code or "")
    if not code or not user.two_factor_enabled:
        return False
    if _check_totp(user, code):
        return True
    row = db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                       RecoveryCode.code_hash == _hash(code),
                                                       RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = clock.now()
    security_event("recovery_code_used", user_id=user.id)
    return True


def check_login_code(user: User, code: str | None) -> None:
    """For an account with two-factor on, refuse a missing or wrong code (field "code"). Runs in
    the caller's transaction."""
    if user.two_factor_enabled and not check_code(user, code):
        security_event("login_failed", user_id=user.id, reason="second_factor")
        raise Invalid(str(WRONG_CODE), fields={"code": [str(WRONG_CODE) if code else _("Enter your two-factor code.")]})


def confirm_identity(user: User, *, password: str | None, code: str | None = None,
                     password_field: str = "password") -> None:
    """Re-authentication before a sensitive change (password, e-mail, two-factor, tokens): the
    password again, and the two-factor code when it is on. Runs in the caller's transaction."""
    if not verify_password(user.password_hash, password or ""):
        raise Invalid(_("Your password is not correct."),
                      fields={password_field: [_("This is not your current password.")]})
    check_login_code(user, code)


# ---- log-in: the second step ----

def complete_login(*, session_id: str, code: str | None) -> User:
    """The second step of log-in: `session_id` ("<id>:<session version>") was held after a right
    password; the user is logged in once the code is right. Commits the used code."""
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or str(user.session_version) != version or not user.is_active:
        raise Invalid(_("Your log-in has expired. Log in again."), fields={"code": [_("Log in again.")]})
    try:
        check_login_code(user, code)
    finally:
        db.session.commit()  # a used code stays used, even when the rest fails
    security_event("login", user_id=user.id, second_factor=True)
    return user


# ---- enrolment ----

def begin_enrolment(actor: User, *, password: str) -> str:
    """After the password again, a new secret waits for its first code; returns the secret."""
    require(actor, "two_factor.manage")
    if actor.two_factor_enabled:
        raise Conflict(_("Two-factor authentication is already on."))
    confirm_identity(actor, password=password)
    secret = pyotp.random_base32()
    actor.totp_secret, actor.totp_last_step = crypto.encrypt_json(secret), None
    db.session.commit()
    return secret


def pending_enrolment(actor: User) -> dict | None:
    """The secret waiting for its first code, its otpauth:// URI and its QR code as inline SVG."""
    require(actor, "two_factor.manage")
    if actor.two_factor_enabled or not actor.totp_secret:
        return None
    totp = _totp(actor)
    uri = totp.provisioning_uri(name=actor.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])
    svg = segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    return {"secret": totp.secret, "uri": uri, "qr_svg": svg}


def confirm_enrolment(actor: User, *, code: str) -> list[str]:
    """The first right code turns two-factor on; returns the 10 recovery codes (shown once)."""
    require(actor, "two_factor.manage")
    if actor.two_factor_enabled or not actor.totp_secret:
        raise Conflict(_("Start the set-up first."))
    if not _check_totp(actor, _normal(code)):
        raise Invalid(str(WRONG_CODE),
                      fields={"code": [_("This code is not valid; enter the one your app shows now.")]})
    actor.totp_enabled_at = clock.now()
    codes = _new_recovery_codes(actor)
    db.session.commit()
    security_event("two_factor_enabled", user_id=actor.id)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes: 16 characters (80 bits) each. Runs in the caller's transaction."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _place in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def regenerate_recovery_codes(actor: User, *, password: str, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after the password and a code."""
    require(actor, "two_factor.manage")
    if not actor.two_factor_enabled:
        raise Conflict(_("Two-factor authentication is off."))
    confirm_identity(actor, password=password, code=code)
    codes = _new_recovery_codes(actor)
    db.session.commit()
    security_event("recovery_codes_regenerated", user_id=actor.id)
    return codes


def unused_recovery_codes(actor: User) -> int:
    require(actor, "two_factor.manage")
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == actor.id, RecoveryCode.used_at.is_(None))) or 0


def disable(actor: User, *, password: str, code: str) -> User:
    """Turn two-factor off after the password and a code; the owner is told by e-mail. Staff
    are then held to enrolling again before anything else."""
    require(actor, "two_factor.manage")
    if not actor.two_factor_enabled:
        raise Conflict(_("Two-factor authentication is already off."))
    confirm_identity(actor, password=password, code=code)
    _turn_off(actor)
    db.session.commit()
    security_event("two_factor_disabled", user_id=actor.id)
    return actor


def reset_for_user_cli(user: User) -> None:
    """An operator turns two-factor off for someone who lost their device and codes (`forum
    reset-two-factor`); they are told by e-mail."""
    _turn_off(user)
    db.session.commit()
    security_event("two_factor_disabled", user_id=user.id, by="operator")


def _turn_off(user: User) -> None:
    """Forget the secret and the recovery codes, and tell the owner. Runs in the caller's transaction."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    site = current_app.config["SITE_URL"].rstrip("/")
    mail.queue_mail(user.email, _l("Two-factor authentication was turned off"), "two_factor_disabled",
                    name=user.display_name, when=clock.now(), settings_link=f"{site}/account/two-factor",
                    reset_link=f"{site}/forgot-password")
