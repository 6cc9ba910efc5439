"""Changing the e-mail address: re-authentication, a single-use link to the new address, and a
notice to the old one. The address changes only when the link is confirmed."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError

from forum import clock, mail
from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import AuthTokenPurpose, User
from forum.permissions import require
from forum.seclog import security_event
from forum.services import notifications
from forum.services.accounts import (
    find_user_by_email, issue_auth_token, live_auth_token, normalize_email, void_email_change_links,
)
from forum.services.two_factor import confirm_identity

PURPOSE = AuthTokenPurpose.EMAIL_CHANGE
SAME_ADDRESS = _l("This is already your e-mail address.")
TAKEN_AT_CONFIRM = _l("Another account uses this address now, so it cannot become yours. Nothing was changed.")


def _site() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def masked(email: str) -> str:
    """"j***@example.com": enough for the owner to recognise, little for anyone reading over a shoulder."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def request_email_change(actor: User, *, new_email: str, password: str, code: str | None = None) -> None:
    """After the password (and two-factor code when on), mail a confirmation link to the new
    address and tell the old one. A taken address gets the same answer as a free one (as at
    registration); the mail to that address says it already has an account, and nothing changes."""
    require(actor, "account.use")
    confirm_identity(actor, password=password, code=code)
    new_email = normalize_email(new_email)
    if new_email == actor.email:
        raise Invalid(str(SAME_ADDRESS), fields={"new_email": [str(SAME_ADDRESS)]})
    if find_user_by_email(new_email) is not None:
        mail.queue_mail(new_email, _l("Your address is already registered"), "email_change_taken",
                        login_link=f"{_site()}/login", reset_link=f"{_site()}/forgot-password")
    else:
        void_email_change_links(actor)  # only the newest request's link works
        raw = issue_auth_token(actor, PURPOSE, new_email=new_email)
        mail.queue_mail(new_email, _l("Confirm your new e-mail address"), "email_change_confirm",
                        name=actor.display_name, link=f"{_site()}/account/email/confirm/{raw}")
    _tell_old_address(actor, _l("A change of your e-mail address to %(address)s was requested.",
                                address=masked(new_email)),
                      requested=True, new_email=new_email)
    db.session.commit()
    security_event("email_change_requested", user_id=actor.id)


def pending_change(*, token: str) -> str:
    """The new address a confirmation link would set (for the confirm page); writes nothing."""
    return live_auth_token(token, PURPOSE).new_email


def confirm_email_change(*, token: str) -> User:
    """Set the new address from a live, single-use link. The old address is told; the new one
    counts as verified (the link reached it)."""
    record = live_auth_token(token, PURPOSE)
    user, new_email = record.user, record.new_email
    if not user.is_active:
        raise Invalid(_("This link is invalid or has expired. Ask for a new one."),
                      fields={"token": [_("Invalid or expired link.")]})
    if find_user_by_email(new_email) is not None:
        raise Invalid(str(TAKEN_AT_CONFIRM), fields={"token": [str(TAKEN_AT_CONFIRM)]})
    void_email_change_links(user)  # this link, and any other still out
    _tell_old_address(user, _l("Your e-mail address was changed to %(address)s.", address=masked(new_email)),
                      requested=False, new_email=new_email)
    user.email, user.email_verified_at = new_email, clock.now()
    try:
        db.session.commit()
    except IntegrityError:  # taken between the check and the commit
        db.session.rollback()
        raise Invalid(str(TAKEN_AT_CONFIRM), fields={"token": [str(TAKEN_AT_CONFIRM)]}) from None
    security_event("email_changed", user_id=user.id)
    return user


def _tell_old_address(user: User, message: str, *, requested: bool, new_email: str) -> None:
    """An in-app notice (kind "account", which cannot be turned off) and a mail to the current
    address with no unsubscribe link: security mail always goes. Runs in the caller's transaction."""
    notifications.notify(user, "account", message, link="/account", email=False)
    subject = _l("Your e-mail address is changing") if requested else _l("Your e-mail address was changed")
    mail.queue_mail(user.email, subject,
                    "email_change_notice", name=user.display_name, requested=requested,
                    new_email=masked(new_email), when=clock.now(), reset_link=f"{_site()}/forgot-password")
