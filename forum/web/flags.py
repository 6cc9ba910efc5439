"""Flagging content from any page."""
from flask import Blueprint, flash, redirect
from flask_login import current_user, login_required

from forum import ratelimits
from forum.errors import Conflict
from forum.i18n import _
from forum.schemas.moderation import FlagIn
from forum.services import moderation_content
from forum.web.auth import safe_next
from forum.web.forms import load_form

bp = Blueprint("flags", __name__)


@bp.post("/flags")
@login_required
@ratelimits.flag
def create():
    data, errors = load_form(FlagIn())
    if errors:
        flash(_("Choose a reason for the report."), "error")
    else:
        try:
            moderation_content.flag_content(current_user, **data)
            flash(_("Thank you. A moderator will review this."), "success")
        except Conflict as e:
            flash(e.message, "error")
    return redirect(safe_next("/"), 303)
