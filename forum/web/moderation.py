"""Moderator pages: dashboard, flags and content actions, users, doctor applications, the log."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import Invalid
from forum.i18n import _
from forum.permissions import require
from forum.schemas.accounts import DoctorDecisionIn
from forum.schemas.moderation import LogArgs, ModerationActionIn, UserActionIn, UserSearchArgs
from forum.services import (
    contact, moderation, moderation_content, moderation_users, question_photos, questions, review_queries, triage,
)
from forum.web.auth import safe_next
from forum.web.forms import load_args, load_form

bp = Blueprint("moderation", __name__, url_prefix="/mod")


@bp.get("")
@login_required
def dashboard():
    return render_template("moderation/dashboard.html", queue=moderation.application_queue(current_user, limit=5),
                           urgent=questions.urgent_questions(current_user),
                           flagged=moderation_content.open_flags(current_user, limit=5),
                           recent=moderation_users.recent_from_new_accounts(current_user, limit=10),
                           contact_open=contact.open_count(current_user), warning_signs=triage.warning_signs,
                           reviews_waiting=review_queries.pending_reviews(current_user),
                           held=question_photos.held_questions(current_user))


@bp.get("/flags")
@login_required
def flags():
    return render_template("moderation/flags.html", items=moderation_content.open_flags(current_user), errors={})


@bp.post("/content/<any(question, answer, follow_up, doctor, consultation, review):target_type>/<target_id>/<action>")
@login_required
def act_on_content(target_type, target_id, action):
    data, errors = load_form(ModerationActionIn())
    if not errors:
        try:
            moderation_content.moderate_content(current_user, target_type=target_type, target_id=target_id,
                                                action=action, **data)
            flash(_("Done, and logged."), "success")
            return redirect(safe_next(url_for("moderation.flags")), 303)
        except Invalid as e:
            errors = e.fields or {"_schema": [e.message]}
    return _refused_action(target_type, target_id, errors)


def _refused_action(target_type: str, target_id: str, errors: dict):
    """The page the action came from, with the reason's message: the review queue or the flags."""
    keyed = {f"{target_type}-{target_id}": errors}
    if target_type == "review" and safe_next("").startswith(url_for("reviews.queue")):
        return render_template("reviews/queue.html", reviews=review_queries.pending_reviews(current_user),
                               errors=keyed), 422
    return render_template("moderation/flags.html", items=moderation_content.open_flags(current_user),
                           errors=keyed), 422


@bp.get("/users")
@login_required
def users():
    args = load_args(UserSearchArgs())
    return render_template("moderation/users.html", page=moderation_users.search_users(current_user, **args),
                           args=args)


@bp.get("/users/<int:user_id>")
@login_required
def user(user_id):
    return render_template("moderation/user.html", **moderation_users.user_record(current_user, user_id), errors={})


@bp.post("/users/<int:user_id>/<any(suspend, ban, restore, promote, demote):action>")
@login_required
def act_on_user(user_id, action):
    data, errors = load_form(UserActionIn())
    if not errors:
        try:
            moderation_users.moderate_user(current_user, user_id=user_id, action=action, **data)
            flash(_("Done, and logged."), "success")
            return redirect(url_for("moderation.user", user_id=user_id), 303)
        except Invalid as e:
            errors = e.fields or {"_schema": [e.message]}
    return render_template("moderation/user.html", **moderation_users.user_record(current_user, user_id),
                           errors={action: errors}, form=request.form), 422


@bp.get("/applications")
@login_required
def applications():
    page = moderation.application_queue(current_user, cursor=request.args.get("cursor"))
    return render_template("moderation/applications.html", page=page)


@bp.get("/applications/<int:profile_id>")
@login_required
def application(profile_id):
    profile = moderation.get_application(current_user, profile_id)
    return render_template("moderation/application.html", profile=profile, form={}, errors={})


@bp.post("/applications/<int:profile_id>")
@login_required
def decide(profile_id):
    data, errors = load_form(DoctorDecisionIn())
    if not errors:
        try:
            moderation.decide_doctor_application(current_user, profile_id=profile_id, **data)
            flash(_("Decision recorded."), "success")
            return redirect(url_for("moderation.applications"), 303)
        except Invalid as e:
            errors = e.fields
    profile = moderation.get_application(current_user, profile_id)
    return render_template("moderation/application.html", profile=profile, form=request.form, errors=errors), 422


@bp.get("/log")
@login_required
def log():
    args = load_args(LogArgs())
    return render_template("moderation/log.html", page=moderation.moderation_log(current_user, **args), args=args)


@bp.get("/style")
@login_required
def style():
    """The design system's components with sample markup, for the people who write templates."""
    require(current_user, "mod.access")
    return render_template("moderation/style.html")


@bp.get("/contact")
@login_required
def contact_messages():
    return render_template("moderation/contact.html", items=contact.open_messages(current_user),
                           handled=contact.recently_handled(current_user))


@bp.post("/contact/<int:message_id>/handled")
@login_required
def contact_handled(message_id):
    contact.mark_handled(current_user, message_id=message_id)
    flash(_("Marked handled."), "success")
    return redirect(url_for("moderation.contact_messages"), 303)
