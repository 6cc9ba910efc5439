"""Private consultations: the request form (kept across log-in), inbox, request page, photos."""
from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from forum import ratelimits
from forum.errors import Conflict, Invalid
from forum.extensions import csrf
from forum.i18n import _
from forum.schemas.consultations import AcceptingIn, ConsultationIn, InboxArgs, RespondIn, TransitionIn
from forum.services import consultation_drafts, consultations, doctors, time_zones
from forum.web.forms import load_args, load_form

bp = Blueprint("consultations", __name__)
DRAFT_KEY = "consultation_draft"  # the session holds only this random id, never the form itself


@bp.app_template_filter("local_time")
def local_time(value, zone, style=time_zones.TIME_FORMAT):
    """A stored UTC time in the viewer's zone and language ("full", "medium" or "short"), with the zone's name."""
    return time_zones.show(value, zone, style)


def _form_page(form, errors=None, status=200):
    draft_id = session.get(DRAFT_KEY) if current_user.is_authenticated else None
    return render_template("consultations/form.html", form=form, errors=errors or {},
                           kept_photos=consultation_drafts.draft_photo_count(draft_id),
                           specialties=doctors.specialty_choices(), **consultation_drafts.form_choices(form)), status


@bp.get("/consultations/new")
def new():
    draft = consultation_drafts.load_draft(session.get(DRAFT_KEY)) if current_user.is_authenticated else None
    return _form_page(draft or consultation_drafts.prefill(request.args))


@bp.post("/consultations/new")
@csrf.exempt  # checked below, once photo_uploads has raised the body limit (1 MB site-wide) for photos
@ratelimits.consultation
@ratelimits.photo_uploads
def create():
    csrf.protect()
    if not current_user.is_authenticated:
        return _keep_draft_and_ask_to_log_in()
    data, errors = load_form(ConsultationIn())
    if not errors:
        try:
            created = consultations.request_consultation(current_user, **data, **_beside_the_fields())
            session.pop(DRAFT_KEY, None)  # the request used the draft up
            flash(_("Your private request was sent. Only you and the doctor can see it."), "success")
            return redirect(url_for("consultations.show", consultation_id=created.id), 303)
        except Invalid as e:
            errors = e.fields or {"_schema": [e.message]}
    return _form_page(consultation_drafts.draft_values(request.form), errors, 422)


def _beside_the_fields() -> dict:
    """The photos, the pre-log-in draft (its photos join these) and the browser's time zone."""
    return {"photos_in": _uploads(), "draft_id": session.get(DRAFT_KEY), "browser_zone": request.form.get("time_zone")}


def _uploads() -> list[tuple[bytes, str]]:
    return [(f.read(), f.filename or "") for f in request.files.getlist("photos") if f and f.filename]


def _keep_draft_and_ask_to_log_in():
    """A visitor's form and photos are kept (encrypted, server-side) while they log in or register."""
    values = consultation_drafts.draft_values(request.form)
    try:
        session[DRAFT_KEY] = consultation_drafts.save_draft(values, _uploads(), replaces=session.get(DRAFT_KEY))
    except Invalid as e:  # a refused photo is said now, not after logging in
        return _form_page(values, e.fields or {"_schema": [e.message]}, 422)
    flash(_("Log in or create an account to send your request. What you wrote is kept for an hour, "
            "with your photos."), "info")
    return redirect(url_for("auth.login", next=url_for("consultations.new")), 303)


@bp.get("/consultations")
@login_required
def index():
    args = load_args(InboxArgs())
    page = consultations.inbox(current_user, **args)
    rows = [consultations.summary(current_user, c) for c in page.items]
    return render_template("consultations/index.html", page=page, rows=rows, args=args)


@bp.get("/consultations/<consultation_id>")
def show(consultation_id):  # no log-in redirect: to anyone else a request simply does not exist
    page = consultations.consultation_page(current_user, consultation_id)
    return render_template("consultations/show.html", **page, errors={})


# No log-in redirect on the request's own routes: to a visitor, as to anyone but its two
# participants, a request does not exist (404), whatever the method.
@bp.post("/consultations/<consultation_id>/<any(accept, decline, schedule, complete, withdraw):action>")
def act(consultation_id, action):
    data, errors = load_form(TransitionIn())
    if not errors:
        try:
            consultations.transition(current_user, consultation_id=consultation_id, action=action, **data,
                                     time_zone=time_zones.zone_of(current_user))
            return redirect(url_for("consultations.show", consultation_id=consultation_id), 303)
        except (Invalid, Conflict) as e:
            errors = e.fields or {"_schema": [e.message]}
    page = consultations.consultation_page(current_user, consultation_id)
    return render_template("consultations/show.html", **page, errors={action: errors}), 422


@bp.post("/consultations/<consultation_id>/messages")
def message(consultation_id):  # the page's one form: a message, with or without a decision
    data, errors = load_form(RespondIn())
    if not errors:
        try:
            consultations.respond(current_user, consultation_id=consultation_id, **data)
            return redirect(url_for("consultations.show", consultation_id=consultation_id, _anchor="thread"), 303)
        except (Invalid, Conflict) as e:
            errors = e.fields or {"_schema": [e.message]}
    page = consultations.consultation_page(current_user, consultation_id)
    return render_template("consultations/show.html", **page, errors={"message": errors},
                           form=request.form), 422


@bp.get("/consultations/<consultation_id>/photos/<photo_id>")
def photo(consultation_id, photo_id):
    data, content_type = consultations.photo_file(current_user, consultation_id, photo_id)
    return Response(data, mimetype=content_type, headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="photo-{photo_id[:8]}"'})


@bp.post("/doctor/consultations/accepting")
@login_required
def accepting():
    data, errors = load_form(AcceptingIn())
    consultations.set_accepting(current_user, accepting=bool(data.get("accepting")))
    flash(_("You accept new consultation requests.") if data.get("accepting") else
          _("You no longer accept new consultation requests."), "success")
    return redirect(url_for("search.dashboard"), 303)
