"""Named rate limits shared by the HTML and API routes; values come from the configuration."""
from __future__ import annotations

from functools import wraps

from flask import current_app, request, session
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from forum.extensions import limiter


def _config(name: str):
    return lambda: current_app.config[name]


# Only accepted sign-ups count: a typo in the form must not lock the person out for a day.
# A taken address is answered as a success, so it counts too (no enumeration by rate limit).
signup = limiter.limit(_config("RATELIMIT_SIGNUP"), methods=["POST"], scope="signup",
                       deduct_when=lambda r: r.status_code < 400)
# Per IP. Failures per account (and per account and IP) are counted by services/login_guard.py,
# which never answers the owner's right password with 429.
login = limiter.limit(_config("RATELIMIT_LOGIN"), methods=["POST"], scope="login")
password_reset = limiter.limit(_config("RATELIMIT_RESET"), methods=["POST"], scope="reset")


def _two_factor_key() -> str:
    """Wrong codes at the second step of log-in count per account (the one held in the session)."""
    held = session.get("two_factor_login")
    user_id = str(held.get("id", "")).partition(":")[0] if isinstance(held, dict) else ""
    return f"two-factor:{user_id}" if user_id else f"two-factor-ip:{request.remote_addr}"


two_factor = limiter.limit(_config("RATELIMIT_TWO_FACTOR"), methods=["POST"], scope="two-factor",
                           key_func=_two_factor_key, deduct_when=lambda r: r.status_code >= 400)


def _user_key() -> str:
    """Posting limits follow the account (falling back to the IP for visitors)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


ask = limiter.limit(_config("RATELIMIT_ASK"), methods=["POST"], scope="ask", key_func=_user_key)
answer = limiter.limit(_config("RATELIMIT_ANSWER"), methods=["POST"], scope="answer", key_func=_user_key)
follow_up = limiter.limit(_config("RATELIMIT_FOLLOW_UP"), methods=["POST"], scope="follow-up", key_func=_user_key)
email_change = limiter.limit(_config("RATELIMIT_EMAIL_CHANGE"), methods=["POST"], scope="email-change",
                             key_func=_user_key)
flag = limiter.limit(_config("RATELIMIT_FLAG"), methods=["POST"], scope="flag", key_func=_user_key)
# Only accepted messages count: a form sent back for a typo costs nothing.
contact = limiter.limit(_config("RATELIMIT_CONTACT"), methods=["POST"], scope="contact", key_func=_user_key,
                        deduct_when=lambda r: r.status_code < 400)
consultation = limiter.limit(_config("RATELIMIT_CONSULTATION"), methods=["POST"], scope="consultation",
                             key_func=_user_key)


def _without_photos() -> bool:
    """Only requests carrying photo files count against the photo limit, refused ones included."""
    try:
        return not any(f.filename for _name, f in request.files.items(multi=True))  # "photos", "photo_1" ...
    except HTTPException:  # a body too large or malformed counts; the view then refuses it
        return False


_photos = limiter.limit(_config("RATELIMIT_PHOTOS"), methods=["POST"], scope="photos", key_func=_user_key,
                        exempt_when=_without_photos)


def photo_uploads(view):
    """For routes that take photos: the larger body limit (CONSULTATION_MAX_CONTENT_LENGTH, set
    before anything reads the body), then the photo limit, counted before any photo is checked."""
    limited = _photos(view)

    @wraps(limited)  # keeps Flask-Limiter's mark: limits stacked above are checked once, with this one
    def with_photo_body_limit(*args, **kwargs):
        request.max_content_length = current_app.config["CONSULTATION_MAX_CONTENT_LENGTH"]
        return limited(*args, **kwargs)
    return with_photo_body_limit
