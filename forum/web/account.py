"""The member's own account: password, API tokens, e-mail confirmation, time zone, export, deletion."""
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from forum.errors import Invalid
from forum.schemas.accounts import PasswordChangeIn, TokenIn
from forum.schemas.consultations import AccountDeleteIn, TimeZoneIn
from forum.services import account_data, accounts, time_zones
from forum.web.auth import end_session
from forum.web.forms import load_form

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(status=200, **extra):
    tokens = accounts.list_tokens(current_user)
    context = {"tokens": tokens, "errors": {}, "token_errors": {}, "delete_errors": {}, "zone_errors": {},
               "new_token": None, "zone_names": time_zones.zone_names(), "forms": {}, **extra}
    return render_template("account/settings.html", **context), status


@bp.get("")
@login_required
def settings():
    return _page()


@bp.post("/password")
@login_required
def change_password():
    data, errors = load_form(PasswordChangeIn())
    if not errors:
        try:
            accounts.change_password(current_user, **data)
            end_session()
            flash("Password changed. Every session was ended: log in with the new password.", "success")
            return redirect(url_for("auth.login"), 303)
        except Invalid as e:
            errors = e.fields
    return _page(422, errors=errors)


@bp.post("/time-zone")
@login_required
def set_time_zone():
    data, errors = load_form(TimeZoneIn())
    if not errors:
        try:
            time_zones.set_time_zone(current_user, **data)
            flash(f"Consultation times are now shown in {data['time_zone']}.", "success")
            return redirect(url_for("account.settings", _anchor="time-zone"), 303)
        except Invalid as e:
            errors = e.fields
    return _page(422, zone_errors=errors, forms={"zone": request.form})


@bp.post("/tokens")
@login_required
def create_token():
    data, errors = load_form(TokenIn())
    if not errors:
        try:
            _token, raw = accounts.issue_token(current_user, **data)
            flash("Token created. Copy it now: it will not be shown again.", "success")
            return _page(201, new_token=raw)
        except Invalid as e:
            errors = e.fields
    return _page(422, token_errors=errors, forms={"token": request.form})


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    accounts.revoke_token(current_user, token_id=token_id)
    flash("Token revoked.", "success")
    return redirect(url_for("account.settings"), 303)


@bp.post("/verify-email")
@login_required
def resend_verification():
    accounts.resend_verification(current_user)
    flash("We sent a new confirmation link.", "success")
    return redirect(url_for("account.settings"), 303)


@bp.get("/export")
@login_required
def export():
    archive = account_data.export_archive(current_user)
    response = send_file(archive.file, mimetype="application/zip", as_attachment=True,
                         download_name=archive.filename, conditional=False, etag=False)
    response.headers.update({"Content-Length": str(archive.size), "Cache-Control": "no-store"})
    return response


@bp.post("/delete")
@login_required
def delete():
    data, errors = load_form(AccountDeleteIn())
    if not errors:
        try:
            account_data.delete_account(current_user._get_current_object(), **data)
            end_session()
            flash("Your account was deleted.", "success")
            return redirect(url_for("main.index"), 303)
        except Invalid as e:
            errors = e.fields
    return _page(422, delete_errors=errors, forms={"delete": request.form})
