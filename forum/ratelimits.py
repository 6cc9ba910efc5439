"""Named rate limits shared by the HTML and API routes; values come from the configuration."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from forum.extensions import limiter


def _config(name: str):
    return lambda: current_app.config[name]


def _login_account_key() -> str:
    """Failures are also counted per account, so rotating IPs still hit the account cap."""
    email = request.form.get("email") if request.form else None
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return "login-account:" + str(email or "").strip().lower()[:254]


# Only accepted sign-ups count: a typo in the form must not lock the person out for a day.
# A taken address is answered as a success, so it counts too (no enumeration by rate limit).
signup = limiter.limit(_config("RATELIMIT_SIGNUP"), methods=["POST"], scope="signup",
                       deduct_when=lambda r: r.status_code < 400)
login = limiter.limit(_config("RATELIMIT_LOGIN"), methods=["POST"], scope="login")
login_account = limiter.limit(_config("RATELIMIT_LOGIN_ACCOUNT"), methods=["POST"], scope="login-account",
                              key_func=_login_account_key, deduct_when=lambda r: r.status_code >= 400)
password_reset = limiter.limit(_config("RATELIMIT_RESET"), methods=["POST"], scope="reset")


def _user_key() -> str:
    """Posting limits follow the account (falling back to the IP for visitors)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


ask = limiter.limit(_config("RATELIMIT_ASK"), methods=["POST"], scope="ask", key_func=_user_key)
answer = limiter.limit(_config("RATELIMIT_ANSWER"), methods=["POST"], scope="answer", key_func=_user_key)
follow_up = limiter.limit(_config("RATELIMIT_FOLLOW_UP"), methods=["POST"], scope="follow-up", key_func=_user_key)
flag = limiter.limit(_config("RATELIMIT_FLAG"), methods=["POST"], scope="flag", key_func=_user_key)
consultation = limiter.limit(_config("RATELIMIT_CONSULTATION"), methods=["POST"], scope="consultation",
                             key_func=_user_key)
