"""Moderator pages: dashboard, doctor-application queue and decisions, the log."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import Invalid
from forum.schemas.accounts import DoctorDecisionIn
from forum.services import moderation, questions
from forum.web.forms import load_form

bp = Blueprint("moderation", __name__, url_prefix="/mod")


@bp.get("")
@login_required
def dashboard():
    queue = moderation.application_queue(current_user, limit=5)
    return render_template("moderation/dashboard.html", queue=queue, urgent=questions.urgent_questions(current_user))


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
            flash("Decision recorded.", "success")
            return redirect(url_for("moderation.applications"), 303)
        except Invalid as e:
            errors = e.fields
    profile = moderation.get_application(current_user, profile_id)
    return render_template("moderation/application.html", profile=profile, form=request.form, errors=errors), 422


@bp.get("/log")
@login_required
def log():
    page = moderation.moderation_log(current_user, cursor=request.args.get("cursor"))
    return render_template("moderation/log.html", page=page)
