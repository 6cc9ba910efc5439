"""Two-factor pages: the code step of log-in, enrolment with a QR code, recovery codes, turning it off."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from forum import clock, ratelimits
from forum.errors import Conflict, Invalid
from forum.i18n import _
from forum.schemas.two_factor import TwoFactorCodeIn, TwoFactorConfirmIn, TwoFactorStartIn
from forum.services import two_factor
from forum.web.auth import PENDING, logged_in
from forum.web.forms import load_form

bp = Blueprint("two_factor", __name__)
SETTINGS = "two_factor/settings.html"


def _pending() -> dict | None:
    held = session.get(PENDING)
    if not isinstance(held, dict) or held.get("until", 0) < clock.now().timestamp():
        session.pop(PENDING, None)
        return None
    return held


@bp.route("/login/code", methods=["GET", "POST"])
@ratelimits.two_factor
def login_code():
    held = _pending()
    if held is None:
        flash(_("Your log-in has expired. Log in again."), "error")
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("two_factor/login_code.html", errors={})
    data, errors = load_form(TwoFactorCodeIn())
    if not errors:
        try:
            return logged_in(two_factor.complete_login(session_id=held["id"], code=data["code"]), held["remember"])
        except Invalid as e:
            errors = e.fields
    return render_template("two_factor/login_code.html", errors=errors), 422


def _settings(status=200, **extra):
    context = {"errors": {}, "enrolment": None, "codes": None, "remaining": 0, **extra}
    if current_user.two_factor_enabled:
        context["remaining"] = two_factor.unused_recovery_codes(current_user)
    if context["enrolment"]:
        # Accepted B704: segno's own SVG of the otpauth URI; no user text is in it.
        context["qr"] = Markup(context["enrolment"]["qr_svg"])  # nosec B704
    return render_template(SETTINGS, **context), status


@bp.get("/account/two-factor")
@login_required
def settings():
    return _settings(enrolment=two_factor.pending_enrolment(current_user))


@bp.post("/account/two-factor/setup")
@login_required
def setup():
    data, errors = load_form(TwoFactorStartIn())
    if not errors:
        try:
            two_factor.begin_enrolment(current_user, password=data["password"])
            return _settings(enrolment=two_factor.pending_enrolment(current_user))
        except (Invalid, Conflict) as e:
            errors = getattr(e, "fields", {}) or {"password": [e.message]}
    return _settings(422, errors=errors)


@bp.post("/account/two-factor/confirm")
@login_required
def confirm():
    data, errors = load_form(TwoFactorCodeIn())
    if not errors:
        try:
            codes = two_factor.confirm_enrolment(current_user, code=data["code"])
            flash(_("Two-factor authentication is on."), "success")
            return _settings(codes=codes)
        except Invalid as e:
            errors = e.fields
    return _settings(422, errors=errors, enrolment=two_factor.pending_enrolment(current_user))


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    data, errors = load_form(TwoFactorConfirmIn())
    if not errors:
        try:
            return _settings(codes=two_factor.regenerate_recovery_codes(current_user, **data))
        except Invalid as e:
            errors = e.fields
    return _settings(422, errors={"codes": errors})


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    data, errors = load_form(TwoFactorConfirmIn())
    if not errors:
        try:
            two_factor.disable(current_user, **data)
            flash(_("Two-factor authentication is off. We sent you an e-mail about it."), "success")
            return redirect(url_for("two_factor.settings"), 303)
        except Invalid as e:
            errors = e.fields
    return _settings(422, errors={"off": errors})
