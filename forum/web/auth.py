"""Log-in, registration, log-out, password reset and e-mail verification pages."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from forum import clock, ratelimits
from forum.errors import Invalid
from forum.i18n import _
from forum.schemas.accounts import LoginIn, PasswordResetIn, PasswordResetRequestIn, RegisterIn
from forum.services import accounts, login_guard
from forum.web.forms import load_form

bp = Blueprint("auth", __name__)


def safe_next(default: str = "/") -> str:
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and "\\" not in target:
        return target
    return default


def end_session() -> None:
    """Forget the user in this browser: empty the session first, then log out, so Flask-Login's
    instruction to delete the remember-me cookie survives (clearing afterwards dropped it)."""
    session.clear()
    logout_user()


CARRIED_OVER = ("consultation_draft",)  # random ids of what a visitor started before logging in


def start_session(user, remember: bool) -> None:
    """A fresh session at log-in (no fixation): clear, then log in. Only the id of a
    consultation form the visitor filled in before logging in is carried over."""
    kept = {key: session[key] for key in CARRIED_OVER if key in session}
    session.clear()
    login_user(user, remember=remember)
    session.update(kept)
    session["_started"] = session["_seen"] = clock.now().timestamp()


PENDING = "two_factor_login"  # the password was right; the code is still to come (web/two_factor.py)


def hold_for_code(user, remember: bool):
    """For an account with two-factor on, the right password does not log in: the session only
    remembers whom to ask for the code, for a few minutes. None when two-factor is off."""
    if not user.two_factor_enabled:
        return None
    logout_user()
    until = clock.now() + timedelta(minutes=current_app.config["TWO_FACTOR_LOGIN_MINUTES"])
    session[PENDING] = {"id": user.get_id(), "remember": remember, "until": until.timestamp()}
    return redirect(url_for("two_factor.login_code", next=safe_next("") or None), 303)


def logged_in(user, remember: bool):
    start_session(user, remember)
    return redirect(safe_next(url_for("main.index")), 303)


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.login
def login():
    if request.method == "GET":
        return render_template("auth/login.html", form={}, errors={})
    data, errors = load_form(LoginIn())
    if not errors:
        try:
            user = accounts.authenticate(email=data["email"], password=data["password"], ip=request.remote_addr)
            return hold_for_code(user, data["remember"]) or logged_in(user, data["remember"])
        except Invalid as e:
            flash(e.message, "error")
        except login_guard.LoginLinkSent as e:  # no password was checked: the same answer for everyone
            flash(e.message, "info")
            return render_template("auth/login.html", form={}, errors={})
    return render_template("auth/login.html", form=request.form, errors=errors), 422


@bp.route("/register", methods=["GET", "POST"])
@ratelimits.signup
def register():
    if request.method == "GET":
        return render_template("auth/register.html", form={}, errors={})
    data, errors = load_form(RegisterIn())
    if not errors:
        accounts.register(email=data["email"], display_name=data["display_name"], password=data["password"])
        flash(_("Thanks. If %(email)s is new here, your account is ready: log in below. "
                "We sent a link to confirm the address.", email=data["email"]), "success")
        return redirect(url_for("auth.login", next=safe_next("") or None), 303)
    return render_template("auth/register.html", form=request.form, errors=errors), 422


@bp.post("/logout")
@login_required
def logout():
    accounts.log_out(current_user._get_current_object())
    end_session()
    flash(_("You are logged out everywhere."), "success")
    response = redirect(url_for("main.index"), 303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
@ratelimits.password_reset
def forgot_password():
    if request.method == "GET":
        return render_template("auth/forgot_password.html", form={}, errors={})
    data, errors = load_form(PasswordResetRequestIn())
    if not errors:
        accounts.request_password_reset(email=data["email"])
        flash(_("If an account uses that address, we sent it a link to reset the password. It works for one hour."),
              "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot_password.html", form=request.form, errors=errors), 422


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@ratelimits.password_reset
def reset_password(token):
    if request.method == "GET":
        return render_template("auth/reset_password.html", token=token, errors={})
    data, errors = load_form(PasswordResetIn(), source=_with_token(token))
    if not errors:
        try:
            accounts.reset_password(token=data["token"], password=data["password"])
            flash(_("Your password was changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"), 303)
        except Invalid as e:
            flash(e.message, "error")
            errors = e.fields
    return render_template("auth/reset_password.html", token=token, errors=errors), 400 if "token" in errors else 422


@bp.get("/verify-email/<token>")
def verify_email_form(token):
    return render_template("auth/verify_email.html", token=token)


@bp.post("/verify-email/<token>")
def verify_email(token):
    try:
        accounts.verify_email(token=token)
        flash(_("Your e-mail address is confirmed."), "success")
    except Invalid as e:
        flash(e.message, "error")
        return render_template("auth/verify_email.html", token=token), 400
    return redirect(url_for("main.index"), 303)


def _with_token(token: str):
    form = request.form.copy()
    form["token"] = token
    return form


@bp.get("/login-link/<token>")
def login_link_form(token):
    """A page with a button: mail scanners that open links must not use up the single-use link."""
    return render_template("auth/login_link.html", token=token)


@bp.post("/login-link/<token>")
def login_link(token):
    try:
        user = login_guard.use_login_link(token=token)
    except Invalid as e:
        flash(e.message, "error")
        return render_template("auth/login_link.html", token=token), 400
    held = hold_for_code(user, remember=False)  # the link stands in for the password, not for the code
    if held is not None:
        return held
    start_session(user, remember=False)
    flash(_("You are logged in. If you did not ask for this link, change your password now."), "success")
    return redirect(url_for("main.index"), 303)
