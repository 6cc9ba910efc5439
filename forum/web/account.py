"""The member's own account: password, API tokens, e-mail confirmation, time zone, language, export, deletion."""
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from forum import ratelimits
from forum.errors import Invalid
from forum.i18n import COOKIE, DEFAULT_LOCALE, LOCALES, NAMES, _, _l, force_locale
from forum.schemas.accounts import AccountIn, DisplayNameIn, EmailChangeIn, PasswordChangeIn, TokenIn
from forum.schemas.consultations import AccountDeleteIn, TimeZoneIn
from forum.services import account_data, accounts, email_change, members, time_zones
from forum.web.auth import end_session
from forum.web.forms import load_form

bp = Blueprint("account", __name__, url_prefix="/account")
EMAIL_LINK_SENT = _l("We sent a confirmation link to the new address; your address changes when you follow it. "
                     "Your current address was told.")


def _page(status=200, **extra):
    tokens = accounts.list_tokens(current_user)
    context = {"tokens": tokens, "errors": {}, "token_errors": {}, "delete_errors": {}, "zone_errors": {},
               "name_errors": {}, "email_errors": {}, "language_errors": {},
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
            flash(_("Password changed. Every session was ended: log in with the new password."), "success")
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
            flash(_("Consultation times are now shown in %(zone)s.", zone=data["time_zone"]), "success")
            return redirect(url_for("account.settings", _anchor="time-zone"), 303)
        except Invalid as e:
            errors = e.fields
    return _page(422, zone_errors=errors, forms={"zone": request.form})


@bp.post("/language")
@login_required
def set_language():
    """The site's language for this member: English, Spanish, or (empty) their browser's."""
    data, errors = load_form(AccountIn())
    if not errors:
        try:
            user = accounts.own_account(current_user)
            accounts.set_locale(user, data.get("locale") or None)
            response = redirect(url_for("account.settings", _anchor="language"), 303)
            if user.locale is None:
                response.delete_cookie(COOKIE)  # the switcher's cookie would otherwise outrank the browser
            browser = request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE  # the cookie goes
            with force_locale(user.locale or browser):  # said in the language just chosen
                flash(_("Language saved: %(language)s.", language=NAMES[user.locale]) if user.locale
                      else _("The site now follows your browser's language."), "success")
            return response
        except Invalid as e:
            errors = e.fields
    return _page(422, language_errors=errors, forms={"language": request.form})


@bp.post("/tokens")
@login_required
def create_token():
    data, errors = load_form(TokenIn())
    if not errors:
        try:
            _token, raw = accounts.issue_token(current_user, **data)
            flash(_("Token created. Copy it now: it will not be shown again."), "success")
            return _page(201, new_token=raw)
        except Invalid as e:
            errors = e.fields
    return _page(422, token_errors=errors, forms={"token": request.form})


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    accounts.revoke_token(current_user, token_id=token_id)
    flash(_("Token revoked."), "success")
    return redirect(url_for("account.settings"), 303)


@bp.post("/verify-email")
@login_required
def resend_verification():
    accounts.resend_verification(current_user)
    flash(_("We sent a new confirmation link."), "success")
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
            flash(_("Your account was deleted."), "success")
            return redirect(url_for("main.index"), 303)
        except Invalid as e:
            errors = e.fields
    return _page(422, delete_errors=errors, forms={"delete": request.form})


@bp.post("/display-name")
@login_required
def change_display_name():
    data, errors = load_form(DisplayNameIn())
    if not errors:
        members.change_display_name(current_user, **data)
        flash(_("Display name saved."), "success")
        return redirect(url_for("account.settings", _anchor="profile"), 303)
    return _page(422, name_errors=errors, forms={"name": request.form})


@bp.post("/email")
@login_required
@ratelimits.email_change
def request_email_change():
    data, errors = load_form(EmailChangeIn())
    if not errors:
        try:
            email_change.request_email_change(current_user, **data)
            flash(str(EMAIL_LINK_SENT), "success")
            return redirect(url_for("account.settings", _anchor="email"), 303)
        except Invalid as e:
            errors = e.fields
    return _page(422, email_errors=errors, forms={"email": {"new_email": request.form.get("new_email", "")}})


@bp.get("/email/confirm/<token>")
def confirm_email_form(token):
    """The link in the mail shows a button; only the POST changes the address (GET never writes)."""
    try:
        new_email = email_change.pending_change(token=token)
    except Invalid as e:
        return render_template("account/email_confirm.html", token=token, error=e.message), 400
    return render_template("account/email_confirm.html", token=token, new_email=new_email, error=None)


@bp.post("/email/confirm/<token>")
def confirm_email(token):
    try:
        email_change.confirm_email_change(token=token)
    except Invalid as e:
        return render_template("account/email_confirm.html", token=token, error=e.message), 400
    flash(_("Your e-mail address was changed."), "success")
    return redirect(url_for("account.settings" if current_user.is_authenticated else "auth.login"), 303)
