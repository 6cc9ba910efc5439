"""Reviews of doctors: the write and edit form (with photos), delete, the doctor's reply, review
photos, the author's own reviews and the moderators' queue of reviews from new accounts."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum import ratelimits
from forum.errors import Invalid
from forum.extensions import csrf
from forum.i18n import _, _l
from forum.permissions import require
from forum.schemas.reviews import ReplyIn, ReviewIn
from forum.services import doctors, photos, reference, review_queries, reviews
from forum.text import slugify
from forum.web import caching
from forum.web.doctors import profile_response
from forum.web.forms import load_form

bp = Blueprint("reviews", __name__)
PHOTO_FIELD = re.compile(r"^photo_(\d{1,2})$")  # photo_1 ... photo_4, each with its alt text photo_N_alt
WORTH_IT = [("yes", _l("Yes")), ("not_sure", _l("Not sure")), ("no", _l("No"))]
PENDING_MESSAGE = _l("Thanks — your review will appear after a moderator checks it.")


def _form_page(profile, review=None, form=None, errors=None, status=200):
    return render_template("reviews/form.html", doctor=profile, review=review, form=form or {},
                           errors=errors or {}, treatments=reference.list_treatments(),
                           currencies=reviews.CURRENCIES, worth_it_choices=WORTH_IT, min_body=reviews.MIN_BODY,
                           max_photos=reviews.MAX_PHOTOS), status


def _uploads() -> list[photos.PhotoUpload]:
    """The chosen photo files in field order, each with the alt text typed beside it."""
    numbered = sorted((int(m.group(1)), key) for key in request.files if (m := PHOTO_FIELD.match(key)))
    chosen = [(key, request.files[key]) for _n, key in numbered]
    return [photos.PhotoUpload(raw=f.read(), filename=f.filename or "", alt=request.form.get(f"{key}_alt", ""))
            for key, f in chosen if f and f.filename]


def _refused(e: Invalid, photos: list) -> dict:
    """The service's field messages; files never survive a re-shown form, so say so."""
    errors = dict(e.fields or {"_schema": [e.message]})
    if photos and "photos" not in errors:
        errors["photos"] = [_("Your photos were not saved: choose them again.")]
    return errors


def _on_profile(review, **extra) -> str:
    profile = review.doctor.doctor_profile
    return url_for("doctors.show", doctor_id=profile.id, slug=slugify(profile.full_name),
                   _anchor=f"review-{review.id}", **extra)


@bp.get("/doctors/<int:doctor_id>/reviews/new")
@login_required
def new(doctor_id):
    profile = doctors.get_doctor(current_user, doctor_id)
    require(current_user, "review.create", profile)
    return _form_page(profile)


@bp.post("/doctors/<int:doctor_id>/reviews/new")
@csrf.exempt  # checked below, once photo_uploads has raised the body limit (1 MB site-wide) for photos
@login_required
@ratelimits.photo_uploads
def create(doctor_id):
    csrf.protect()
    data, errors, photos = *load_form(ReviewIn()), _uploads()
    if not errors:
        try:
            review = reviews.create_review(current_user, doctor_id, data, photos)
            flash(_("Thank you: your review is published.") if review.is_published else str(PENDING_MESSAGE), "success")
            return redirect(_on_profile(review) if review.is_published else url_for("reviews.mine"), 303)
        except Invalid as e:
            errors = _refused(e, photos)
    return _form_page(doctors.get_doctor(current_user, doctor_id), form=request.form, errors=errors, status=422)


@bp.get("/reviews/<int:review_id>/edit")
@login_required
def edit_form(review_id):
    review = review_queries.get_review(current_user, review_id)
    require(current_user, "review.edit", review, hide=True)
    return _form_page(review.doctor.doctor_profile, review, form=form_values(review))


@bp.post("/reviews/<int:review_id>/edit")
@csrf.exempt  # checked below, once photo_uploads has raised the body limit for photos
@login_required
@ratelimits.photo_uploads
def edit(review_id):
    csrf.protect()
    data, errors, photos = *load_form(ReviewIn()), _uploads()
    if not errors:
        try:
            review = reviews.edit_review(current_user, review_id, data, photos, request.form.getlist("remove_photos"))
            flash(_("Your review is updated."), "success")
            return redirect(_on_profile(review) if review.is_published else url_for("reviews.mine"), 303)
        except Invalid as e:
            errors = _refused(e, photos)
    review = review_queries.get_review(current_user, review_id)
    return _form_page(review.doctor.doctor_profile, review, form=request.form, errors=errors, status=422)


def form_values(review) -> dict:
    """A review as the form shows it: text fields as strings, empty ones blank."""
    values = review_queries.values_of(review)
    text = {k: "" if v is None else str(v) for k, v in values.items() if k != "photo_consent"}
    return {**values, **text, "treated_on": review.treated_on.strftime("%Y-%m")}


@bp.post("/reviews/<int:review_id>/delete")
@login_required
def delete(review_id):
    reviews.delete_review(current_user, review_id)
    flash(_("Your review is deleted."), "success")
    return redirect(url_for("reviews.mine"), 303)


@bp.post("/reviews/<int:review_id>/reply")
@login_required
def reply(review_id):
    data, errors = load_form(ReplyIn())
    if not errors:
        try:
            review = reviews.reply_to_review(current_user, review_id, data["body"])
            flash(_("Your reply is published."), "success")
            return redirect(_on_profile(review), 303)
        except Invalid as e:
            errors = e.fields or {"_schema": [e.message]}
    review = review_queries.get_review(current_user, review_id)
    return profile_response(review.doctor.doctor_profile, status=422, reply_errors={review.id: errors},
                            reply_form=request.form)


@bp.get("/reviews/photos/<photo_id>/<name>")
def photo(photo_id, name):
    return caching.photo_response(*review_queries.review_photo_file(current_user, photo_id, name))


@bp.get("/account/reviews")
@login_required
def mine():
    return render_template("reviews/mine.html", reviews=review_queries.my_reviews(current_user))


@bp.get("/mod/reviews")
@login_required
def queue():
    return render_template("reviews/queue.html", reviews=review_queries.pending_reviews(current_user), errors={})
