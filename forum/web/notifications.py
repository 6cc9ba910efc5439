"""The member's notifications page, and the one-click unsubscribe pages linked from notification mail."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.extensions import csrf
from forum.services import notifications

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
    flash(f"E-mails about {about['topic']} are on again.", "success")
    return redirect(url_for("notifications.unsubscribe_form", token=token), 303)
