"""The member's notifications page and notification settings, and the one-click unsubscribe pages
linked from notification mail."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import Invalid
from forum.extensions import csrf
from forum.i18n import _
from forum.services import notification_settings, notifications

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    page = notifications.list_notifications(current_user, cursor=request.args.get("cursor"))
    return render_template("notifications/index.html", page=page)


@bp.post("/notifications/read")
@login_required
def mark_read():
    notifications.mark_all_read(current_user)
    return redirect(url_for("notifications.index"), 303)


def _settings_page(status=200, errors=None, chosen=None):
    saved = notification_settings.settings_of(current_user)
    return render_template("notifications/settings.html", categories=notification_settings.CATEGORIES,
                           channel_labels=notification_settings.CHANNEL_LABELS, saved=saved, errors=errors or {},
                           frequency_labels=notification_settings.FREQUENCY_LABELS, chosen=chosen), status


def _settings_form() -> dict:
    """The form as the service takes it: a channel per editable category, the digest frequency."""
    channels = {c.key: request.form[c.key] for c in notification_settings.CATEGORIES
                if not c.locked and c.key in request.form}
    return {"channels": channels, "frequency": request.form.get("frequency") or None}


@bp.get("/account/notifications")
@login_required
def settings():
    return _settings_page()


@bp.post("/account/notifications")
@login_required
def save_settings():
    data = _settings_form()
    try:
        notification_settings.save_settings(current_user, data)
    except Invalid as e:
        return _settings_page(422, errors=e.fields, chosen=data)
    flash(_("Your notification settings were saved."), "success")
    return redirect(url_for("notifications.settings"), 303)


# No log-in on these pages: the signed token in the link names the account and the kind of mail.

@bp.get("/unsubscribe/<token>")
def unsubscribe_form(token):
    about = notifications.describe_unsubscribe(token=token)
    return render_template("notifications/unsubscribe_form.html", token=token, **about)


# Exempt from CSRF on purpose: with one-click unsubscribe (RFC 8058) the mail provider POSTs
# "List-Unsubscribe=One-Click" here, with no session and no CSRF token. A forged cross-site POST
# can only turn mail off, which harms nobody; turning it back on (below) keeps the CSRF check.
@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token):
    about = notifications.unsubscribe(token=token)
    return render_template("notifications/unsubscribe.html", token=token, **about)


@bp.post("/unsubscribe/<token>/undo")  # CSRF-protected: a forged POST must not turn mail back on
def resubscribe(token):
    about = notifications.resubscribe(token=token)
    flash(_("E-mails about %(topic)s are on again.", topic=about["topic"]), "success")
    return redirect(url_for("notifications.unsubscribe_form", token=token), 303)
