"""Following topics, treatments and doctors: the follow buttons' POST and the "following" page."""
from flask import Blueprint, flash, redirect, render_template
from flask_login import current_user, login_required

from forum.i18n import _
from forum.models import FollowKind
from forum.services import following, following_feed
from forum.web.auth import safe_next

bp = Blueprint("following", __name__)
KINDS = "any(topic, treatment, doctor)"


@bp.post(f"/follow/<{KINDS}:kind>/<int:subject_id>/<any(follow, unfollow):action>")
@login_required
def follow(kind, subject_id, action):
    target = following.follow(current_user, kind, subject_id, on=action == "follow")
    name = following.subject_name(FollowKind(kind), target)
    if action == "follow":
        done = _("You follow %(name)s.", name=name)
    else:
        done = _("You no longer follow %(name)s.", name=name)
    flash(done, "success")
    return redirect(safe_next(following.subject_url(FollowKind(kind), target)), 303)


@bp.get("/following")
@login_required
def index():
    return render_template("following/index.html", followed=following.followed(current_user),
                           activity=following_feed.activity(current_user))


@bp.app_template_global()
def follows(kind: str, target_id: int) -> bool:
    """For the follow buttons: whether the signed-in user follows that topic, treatment or doctor."""
    return following.is_following(current_user, FollowKind(kind), target_id)


@bp.app_template_global()
def subject_url(kind, target) -> str:
    return following.subject_url(FollowKind(kind), target)
