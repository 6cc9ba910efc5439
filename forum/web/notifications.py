"""The member's notifications page."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

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
