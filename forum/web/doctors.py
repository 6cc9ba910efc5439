"""Doctor application, directory and public profiles."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum import ratelimits
from forum.errors import Invalid
from forum.extensions import csrf
from forum.i18n import _, current_locale
from forum.schemas.doctors import DoctorApplicationWithLanguagesIn, DoctorLanguagesIn, DoctorListArgs
from forum.schemas.reference import MedicalReviewDeclineIn
from forum.schemas.reviews import ReviewArgs
from forum.services import accounts, doctor_photos, doctors, medical_reviews, reference
from forum.text import slugify
from forum.web import caching
from forum.web.forms import load_args, load_form
from forum.web.hosts import absolute_url
from forum.web.language_links import kept_language

bp = Blueprint("doctors", __name__)
SPECIALTIES = doctors.specialty_choices()
# Ours that schema.org's MedicalSpecialty list names (the others have no member there).
SCHEMA_SPECIALTIES = {"dermatology": "Dermatology", "plastic surgery": "PlasticSurgery"}


@bp.get("/doctor/apply")
@login_required
def apply_form():
    return _apply_page()


@bp.post("/doctor/apply")
@login_required
def apply():
    data, errors = load_form(DoctorApplicationWithLanguagesIn())
    if not errors:
        doctors.apply(current_user, **data)
        flash(_("Application received. A moderator will check your credentials."), "success")
        return redirect(url_for("doctors.apply_form"), 303)
    return _apply_page(form=request.form, errors=errors), 422


@bp.post("/doctor/languages")
@login_required
def set_languages():
    data, errors = load_form(DoctorLanguagesIn())
    if errors:
        return _apply_page(language_errors=errors), 422
    doctors.set_languages(current_user, data["languages"])
    flash(_("The languages you speak are saved."), "success")
    return redirect(url_for("doctors.apply_form", _anchor="languages"), 303)


@bp.get("/doctors")
def index():
    try:
        args, errors = load_args(DoctorListArgs()), {}
    except Invalid as refused:  # e.g. an unknown language: said at the filter, with the form kept
        args, errors = {**DoctorListArgs().load({}), "location": request.args.get("location")}, refused.fields
    return render_template("doctors/index.html", page=None if errors else doctors.list_doctors(**args), args=args,
                           errors=errors, specialties=SPECIALTIES,
                           languages=doctors.language_choices()), 422 if errors else 200


@bp.get("/doctors/<int:doctor_id>", defaults={"slug": ""})
@bp.get("/doctors/<int:doctor_id>/<slug>")
def show(doctor_id, slug):
    args = load_args(ReviewArgs())
    profile = doctors.get_doctor(current_user, doctor_id)
    canonical = slugify(profile.full_name)
    if slug != canonical:
        page = {"page": args["page"]} if args["page"] > 1 else {}
        return redirect(url_for("doctors.show", doctor_id=doctor_id, slug=canonical, **page, **kept_language()), 301)
    return profile_response(profile, review_page=args["page"])


def profile_response(profile, *, review_page: int = 1, status: int = 200, **extra):
    """The profile page (also re-shown by the review routes with a form's errors)."""
    page = doctors.profile_page(current_user, profile=profile, review_page=review_page)
    return render_template("doctors/show.html", **page, jsonld=physician_jsonld(profile, page["rating"]),
                           specialty_name=doctors.specialty_name(profile.specialty),
                           reply_errors=extra.pop("reply_errors", {}), reply_form=extra.pop("reply_form", {}),
                           **extra), status


def physician_jsonld(profile, rating) -> dict:
    """schema.org Physician; aggregateRating only from 3 published reviews (fewer say too little)."""
    address = {"@type": "PostalAddress", "addressLocality": profile.city, "addressCountry": profile.country}
    if profile.region:
        address["addressRegion"] = profile.region
    data = {"@context": "https://schema.org", "@type": "Physician", "name": profile.full_name,
            "url": absolute_url("doctors.show", doctor_id=profile.id, slug=slugify(profile.full_name)),
            "address": address}
    if profile.specialty.value in SCHEMA_SPECIALTIES:
        data["medicalSpecialty"] = SCHEMA_SPECIALTIES[profile.specialty.value]
    if rating.count >= 3:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": round(rating.average, 1),
                                   "reviewCount": rating.count, "bestRating": 5, "worstRating": 1}
    return data


def _apply_page(photo_errors: dict | None = None, *, form=None, errors: dict | None = None,
                language_errors: dict | None = None) -> str:
    """The application page: status, profile photo, languages and (when allowed) the application form."""
    profile = accounts.application_for_form(current_user)
    spoken = [row.language for row in profile.languages] if profile is not None else []
    return render_template("doctors/apply.html", profile=profile, form=form or _profile_form(profile),
                           errors=errors or {}, photo_errors=photo_errors or {}, specialties=SPECIALTIES,
                           topics=reference.list_topics(), languages=doctors.language_choices(),
                           spoken=request.form.getlist("languages") if language_errors is not None else spoken,
                           language_errors=language_errors or {})


def _profile_form(profile) -> dict:
    """Prefill a re-application with the previous details."""
    if profile is None:
        return {"languages": [current_locale()]}
    names = [n for n in DoctorApplicationWithLanguagesIn().fields if n not in ("topics", "languages")]
    values = {name: getattr(getattr(profile, name), "value", getattr(profile, name)) for name in names}
    return {**values, "topics": [t.slug for t in profile.topics], "languages": [r.language for r in profile.languages]}


@bp.post("/doctor/photo")
@csrf.exempt  # checked below, once photo_uploads has raised the body limit (1 MB site-wide) for photos
@login_required
@ratelimits.photo_uploads
def upload_photo():
    csrf.protect()
    upload = request.files.get("photos")
    try:
        doctor_photos.set_photo(current_user, upload.read() if upload else b"", upload.filename if upload else "")
    except Invalid as refused:
        return _apply_page(photo_errors=refused.fields or {"photos": [refused.message]}), 422
    flash(_("Your profile photo is saved."), "success")
    return redirect(url_for("doctors.apply_form", _anchor="photo"), 303)


@bp.post("/doctor/photo/remove")
@login_required
def remove_photo():
    doctor_photos.remove_photo(current_user)
    flash(_("Your profile photo is removed; your initials are shown instead."), "success")
    return redirect(url_for("doctors.apply_form", _anchor="photo"), 303)


@bp.get("/doctors/<int:doctor_id>/photo/<name>")
def photo(doctor_id, name):
    return caching.photo_response(*doctor_photos.photo_file(current_user, doctor_id, name),
                                  public_cache=caching.PORTRAIT_CACHE)


# ---- medical reviews of reference posts asked of the doctor (their dashboard lists them) ----

@bp.post("/doctor/medical-reviews/<int:medical_review_id>/confirm")
@login_required
def confirm_medical_review(medical_review_id):
    review = medical_reviews.confirm(current_user, medical_review_id)
    flash(_("Thank you: “%(title)s” now shows your medical review.", title=review.article.title), "success")
    return redirect(url_for("search.dashboard", _anchor="medical-reviews"), 303)


@bp.post("/doctor/medical-reviews/<int:medical_review_id>/decline")
@login_required
def decline_medical_review(medical_review_id):
    data, errors = load_form(MedicalReviewDeclineIn())
    if errors:
        return render_template("doctors/dashboard.html", **doctors.dashboard(current_user),
                               decline_errors={medical_review_id: errors}), 422
    review = medical_reviews.decline(current_user, medical_review_id, **data)
    flash(_("You declined to review “%(title)s”; the moderators are told.", title=review.article.title), "success")
    return redirect(url_for("search.dashboard", _anchor="medical-reviews"), 303)
