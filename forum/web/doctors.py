"""Doctor application, directory and public profiles."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.models import Specialty
from forum.schemas.accounts import DoctorApplicationIn, DoctorArgs
from forum.services import accounts, doctors, reference
from forum.text import slugify
from forum.web.forms import load_args, load_form

bp = Blueprint("doctors", __name__)
SPECIALTIES = [(s.value, s.value.capitalize()) for s in Specialty]


@bp.get("/doctor/apply")
@login_required
def apply_form():
    profile = accounts.application_for_form(current_user)
    return render_template("doctors/apply.html", profile=profile, form=_profile_form(profile),
                           errors={}, specialties=SPECIALTIES, topics=reference.list_topics())


@bp.post("/doctor/apply")
@login_required
def apply():
    data, errors = load_form(DoctorApplicationIn())
    if not errors:
        accounts.apply_as_doctor(current_user, **data)
        flash("Application received. A moderator will check your credentials.", "success")
        return redirect(url_for("doctors.apply_form"), 303)
    return render_template("doctors/apply.html", profile=current_user.doctor_profile, form=request.form,
                           errors=errors, specialties=SPECIALTIES, topics=reference.list_topics()), 422


@bp.get("/doctors")
def index():
    args = load_args(DoctorArgs())
    return render_template("doctors/index.html", page=doctors.list_doctors(**args), args=args,
                           specialties=SPECIALTIES)


@bp.get("/doctors/<int:doctor_id>", defaults={"slug": ""})
@bp.get("/doctors/<int:doctor_id>/<slug>")
def show(doctor_id, slug):
    profile = doctors.get_doctor(current_user, doctor_id)
    canonical = slugify(profile.full_name)
    if slug != canonical:
        return redirect(url_for("doctors.show", doctor_id=doctor_id, slug=canonical), 301)
    return render_template("doctors/show.html", **doctors.profile_page(current_user, profile=profile))


def _profile_form(profile) -> dict:
    """Prefill a re-application with the previous details."""
    if profile is None:
        return {}
    names = [n for n in DoctorApplicationIn().fields if n != "topics"]
    values = {name: getattr(getattr(profile, name), "value", getattr(profile, name)) for name in names}
    return {**values, "topics": [t.slug for t in profile.topics]}
