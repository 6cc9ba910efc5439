"""Who may call what: each route's access level, and what each role gets at each level."""
from __future__ import annotations

ROLES = ("visitor", "member", "pending_doctor", "doctor", "suspended", "moderator_no_2fa", "moderator", "admin")
STAFF = {"moderator", "admin"}
SIGNED_IN = {"member", "pending_doctor", "doctor", "moderator", "admin"}

# level -> the roles that are let through; everyone else is turned away as `REFUSAL` says
LET_THROUGH = {
    "public": set(ROLES),
    "enrolment": SIGNED_IN | {"moderator_no_2fa"},
    "account": SIGNED_IN,                  # any active account (its own things)
    "doctor": {"doctor"},                  # a verified doctor
    "applicant": {"pending_doctor", "doctor"},  # whoever has a doctor application
    "profile_owner": {"pending_doctor", "doctor"},  # whoever has a doctor profile (others: 403)
    "staff": STAFF,                        # moderators and admins
    "participant": {"member", "doctor"},   # the consultation's requester and its doctor
    "requester": {"member"},               # the consultation's requester only
    "asker": {"member"},                   # the question's author (and the answer's accepter)
    "answerer": {"doctor"},                # the answer's author
    "thread": {"member", "doctor"},        # the asker and the answering doctor (follow-ups)
    "token_owner": {"member"},             # the token's owner (the token is the member's)
    "two_factor_on": {"moderator", "admin"},  # accounts with two-factor on (in this forum: the staff)
    "consultation_doctor": {"doctor"},     # the doctor chosen for the consultation
    "new_applicant": {"member"},  # members with no doctor application yet (staff decide, never apply)
    "reviewer": {"member", "pending_doctor"},  # members review doctors: never themselves; staff moderate instead
    "review_author": {"member"},           # the review's author
    "reviewed_doctor": {"doctor"},         # the doctor the review is about
}
# how a signed-in role that is not let through is refused at each level
REFUSAL = {"two_factor_on": "invalid", "participant": "hidden", "requester": "hidden", "applicant": "hidden",
           "token_owner": "hidden", "consultation_doctor": "hidden", "review_author": "hidden"}
# the requester of a consultation is told "not allowed" (they know it exists), not "not found"
SEEN_BY = {"consultation_doctor": {"member"}}
HIDDEN_FROM_VISITORS = {"participant", "requester", "consultation_doctor"}


def _routes(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split(maxsplit=1)) for line in text.strip().splitlines()]


LEVELS = {
    "public": _routes("""
GET /
GET /login
POST /login
GET /register
POST /register
GET /forgot-password
POST /forgot-password
GET /reset-password/<token>
POST /reset-password/<token>
GET /verify-email/<token>
POST /verify-email/<token>
GET /unsubscribe/<token>
POST /unsubscribe/<token>
POST /unsubscribe/<token>/undo
GET /healthz
GET /readyz
GET /metrics
GET /robots.txt
GET /static/<path:filename>
GET /doctors
GET /doctors/<int:doctor_id>
GET /doctors/<int:doctor_id>/<slug>
GET /doctors/<int:doctor_id>/photo/<name>
GET /reviews/photos/<photo_id>/<name>
GET /topics
GET /topics/<slug>
GET /treatments
GET /treatments/<slug>
GET /articles
GET /articles/<slug>
GET /sitemap.xml
GET /about
GET /how-we-verify-doctors
GET /editorial-policy
GET /privacy
GET /terms
GET /contact
POST /contact
GET /questions
GET /questions/<int:question_id>
GET /questions/<int:question_id>/<slug>
GET /questions/<int:question_id>/photos/<photo_id>
GET /search
GET /feeds/questions.atom
GET /feeds/topics/<topic>.atom
GET /consultations/new
POST /consultations/new
GET /api/v1/openapi.json
GET /api/v1/docs
POST /api/v1/auth/register
POST /api/v1/auth/token
POST /api/v1/auth/password-reset
GET /api/v1/doctors
GET /api/v1/doctors/<int:doctor_id>
GET /api/v1/topics
GET /api/v1/topics/<slug>
GET /api/v1/treatments
GET /api/v1/treatments/<slug>
GET /api/v1/articles
GET /api/v1/articles/<slug>
GET /api/v1/questions
GET /api/v1/questions/<int:question_id>
GET /api/v1/questions/similar
GET /api/v1/search
GET /api/v1/doctors/<int:doctor_id>/reviews
GET /api/v1/reviews/<int:review_id>
GET /login/code
POST /login/code
GET /login-link/<token>
POST /login-link/<token>
GET /questions/<int:question_id>/history
GET /answers/<int:answer_id>/history
GET /articles/<slug>/history
GET /treatments/<slug>/history
GET /api/v1/questions/<int:question_id>/revisions
GET /api/v1/answers/<int:answer_id>/revisions
GET /api/v1/articles/<slug>/revisions
GET /api/v1/treatments/<slug>/revisions
GET /members/<int:member_id>
GET /members/<int:member_id>/<slug>
GET /api/v1/members/<int:member_id>
GET /api/v1/members/<int:member_id>/questions
GET /account/email/confirm/<token>
POST /account/email/confirm/<token>
POST /api/v1/account/email/confirm
"""),
    # turning two-factor on: the one thing a moderator or admin without it may do
    "enrolment": _routes("""
GET /account/two-factor
POST /account/two-factor/setup
POST /account/two-factor/confirm
POST /logout
"""),
    "account": _routes("""
GET /account
GET /account/export
POST /account/delete
POST /account/password
POST /account/time-zone
POST /account/tokens
POST /account/verify-email
GET /notifications
POST /notifications/read
GET /questions/ask
POST /questions/ask
POST /questions/<int:question_id>/<any(follow, unfollow):action>
GET /doctor/apply
POST /flags
GET /consultations
GET /account/reviews
GET /api/v1/me
GET /api/v1/account/export
DELETE /api/v1/account
GET /api/v1/notifications
POST /api/v1/notifications/read
GET /api/v1/tokens
POST /api/v1/tokens
POST /api/v1/questions
POST /api/v1/questions/<int:question_id>/follow
DELETE /api/v1/questions/<int:question_id>/follow
POST /api/v1/answers/<int:answer_id>/helpful
POST /api/v1/flags
GET /api/v1/consultations
POST /api/v1/consultations
GET /api/v1/me/reviews
GET /account/notifications
POST /account/notifications
GET /api/v1/account/notification-settings
PUT /api/v1/account/notification-settings
POST /follow/<any(topic, treatment, doctor):kind>/<int:subject_id>/<any(follow, unfollow):action>
GET /following
GET /api/v1/following
PUT /api/v1/following/<any(topic, treatment, doctor):kind>/<int:subject_id>
DELETE /api/v1/following/<any(topic, treatment, doctor):kind>/<int:subject_id>
POST /account/display-name
POST /account/email
POST /api/v1/account/display-name
POST /api/v1/account/email
"""),
    "doctor": _routes("""
GET /doctor/dashboard
POST /doctor/consultations/accepting
POST /questions/<int:question_id>/answers
POST /answers/<int:answer_id>/review
GET /api/v1/doctor/dashboard
PUT /api/v1/doctor/accepting
POST /api/v1/questions/<int:question_id>/answers
POST /api/v1/answers/<int:answer_id>/reviews
GET /api/v1/doctor/medical-reviews
POST /doctor/medical-reviews/<int:medical_review_id>/confirm
POST /doctor/medical-reviews/<int:medical_review_id>/decline
POST /api/v1/doctor/medical-reviews/<int:medical_review_id>/confirm
POST /api/v1/doctor/medical-reviews/<int:medical_review_id>/decline
"""),
    "two_factor_on": _routes("""
POST /account/two-factor/disable
POST /account/two-factor/recovery-codes
"""),
    "token_owner": _routes("""
POST /account/tokens/<int:token_id>/revoke
DELETE /api/v1/tokens/<int:token_id>
"""),
    "thread": _routes("""
POST /answers/<int:answer_id>/follow-ups
POST /api/v1/answers/<int:answer_id>/follow-ups
"""),
    "new_applicant": _routes("""
POST /doctor/apply
POST /api/v1/doctor-application
"""),
    "consultation_doctor": _routes("""
POST /consultations/<consultation_id>/<any(accept, decline, schedule, complete, withdraw):action>
POST /api/v1/consultations/<consultation_id>/<any(accept, decline, schedule, complete, withdraw):action>
"""),
    "applicant": _routes("""
GET /api/v1/doctor-application
"""),
    # a doctor's own profile photo: anyone else with an account is told "not allowed"
    "profile_owner": _routes("""
POST /doctor/photo
POST /doctor/photo/remove
"""),
    "staff": _routes("""
GET /mod
GET /mod/<any(articles, topics, treatments):kind>/<slug>/edit
POST /mod/<any(articles, topics, treatments):kind>/<slug>/edit
GET /mod/<any(articles, topics, treatments):kind>/new
POST /mod/<any(articles, topics, treatments):kind>/new
GET /mod/applications
GET /mod/applications/<int:profile_id>
POST /mod/applications/<int:profile_id>
POST /mod/articles/<slug>/<any(publish, unpublish):action>
POST /mod/articles/<slug>/review
POST /mod/content/<any(question, answer, follow_up, doctor, consultation, review):target_type>/<target_id>/<action>
GET /mod/reviews
GET /mod/flags
GET /mod/contact
POST /mod/contact/<int:message_id>/handled
GET /mod/log
GET /mod/review-due
GET /mod/style
GET /mod/users
GET /mod/users/<int:user_id>
POST /mod/users/<int:user_id>/<any(suspend, ban, restore, promote, demote):action>
POST /api/v1/articles
PUT /api/v1/articles/<slug>
POST /api/v1/articles/<slug>/publish
POST /api/v1/articles/<slug>/review
POST /api/v1/articles/<slug>/unpublish
POST /api/v1/topics
PUT /api/v1/topics/<slug>
POST /api/v1/treatments
PUT /api/v1/treatments/<slug>
POST /api/v1/mod/content/<any(question, answer, follow_up, doctor, consultation, review):target_type>/<target_id>/<action>
GET /api/v1/mod/doctor-applications
GET /api/v1/mod/doctor-applications/<int:profile_id>
POST /api/v1/mod/doctor-applications/<int:profile_id>/decision
GET /api/v1/mod/flags
GET /api/v1/mod/log
GET /api/v1/mod/users
POST /api/v1/mod/users/<int:user_id>/<any(suspend, ban, restore, promote, demote):action>
POST /revisions/<int:revision_id>/rollback
POST /api/v1/revisions/<int:revision_id>/rollback
"""),
    "participant": _routes("""
GET /consultations/<consultation_id>
GET /consultations/<consultation_id>/photos/<photo_id>
POST /consultations/<consultation_id>/messages
GET /api/v1/consultations/<consultation_id>
GET /api/v1/consultations/<consultation_id>/photos/<photo_id>
POST /api/v1/consultations/<consultation_id>/messages
"""),
    "requester": _routes("""
POST /api/v1/consultations/<consultation_id>/photos
"""),
    "asker": _routes("""
GET /questions/<int:question_id>/edit
POST /questions/<int:question_id>/edit
PUT /api/v1/questions/<int:question_id>
POST /api/v1/questions/<int:question_id>/photos
DELETE /api/v1/questions/<int:question_id>/photos/<photo_id>
POST /answers/<int:answer_id>/<any(accept, helpful):action>
POST /api/v1/answers/<int:answer_id>/accept
POST /questions/<int:question_id>/invite
POST /api/v1/questions/<int:question_id>/invitations
"""),
    "reviewer": _routes("""
POST /api/v1/doctors/<int:doctor_id>/reviews
GET /doctors/<int:doctor_id>/reviews/new
POST /doctors/<int:doctor_id>/reviews/new
"""),
    "review_author": _routes("""
PATCH /api/v1/reviews/<int:review_id>
DELETE /api/v1/reviews/<int:review_id>
POST /api/v1/reviews/<int:review_id>/photos
DELETE /api/v1/reviews/<int:review_id>/photos/<photo_id>
GET /reviews/<int:review_id>/edit
POST /reviews/<int:review_id>/edit
POST /reviews/<int:review_id>/delete
"""),
    "reviewed_doctor": _routes("""
PUT /api/v1/reviews/<int:review_id>/reply
POST /reviews/<int:review_id>/reply
"""),
    "answerer": _routes("""
GET /answers/<int:answer_id>/edit
POST /answers/<int:answer_id>/edit
PUT /api/v1/answers/<int:answer_id>
"""),
}

# query strings that make a read meaningful (a search needs words)
QUERY = {"/search": "?q=pores", "/api/v1/search": "?q=pores", "/api/v1/questions/similar": "?title=pore+strips"}

# (method, rule) -> {role: outcome} where one route departs from its level, each with its reason
EXCEPTIONS: dict[tuple[str, str], dict[str, str]] = {
    # the metrics endpoint is for the scraper's address (or token), not for people
    ("GET", "/metrics"): {role: "hidden" for role in ROLES},
    # no enrolment was started in this forum, so any code is refused (the handler was reached)
    ("POST", "/account/two-factor/confirm"): {role: "invalid" for role in SIGNED_IN | {"moderator_no_2fa"}},
    # the staff here have it on already: starting again is refused until they turn it off
    ("POST", "/account/two-factor/setup"): {"moderator": "invalid", "admin": "invalid"},
    # a changed password ends every session, this one too: done, then log in again
    ("POST", "/account/password"): {role: "ok_then_login" for role in SIGNED_IN},
    # nobody marks their own answer helpful or flags their own post (the answer is the doctor's)
    ("POST", "/api/v1/answers/<int:answer_id>/helpful"): {"doctor": "forbidden"},
    ("POST", "/api/v1/flags"): {"doctor": "forbidden"},
    ("POST", "/flags"): {"doctor": "forbidden"},
    # asking oneself for a consultation is refused as invalid input, like any other wrong choice
    ("POST", "/api/v1/consultations"): {"doctor": "invalid"},
    ("POST", "/consultations/new"): {"visitor": "login", "suspended": "login", "doctor": "invalid"},
    # the doctor may not review themself (the review is of them)
    ("POST", "/api/v1/doctors/<int:doctor_id>/reviews"): {"doctor": "forbidden"},
    # the member (who comes first) deleted the review / the photo: later callers find nothing
    # (moderators deleting reviews: tests/api/test_reviews.py)
    ("DELETE", "/api/v1/reviews/<int:review_id>"): {"moderator_no_2fa": "hidden"},
    ("DELETE", "/api/v1/reviews/<int:review_id>/photos/<photo_id>"): {"moderator_no_2fa": "hidden"},
    ("GET", "/doctors/<int:doctor_id>/reviews/new"): {"doctor": "forbidden"},
    ("POST", "/doctors/<int:doctor_id>/reviews/new"): {"doctor": "forbidden"},
    # the member (who comes first) deleted the review: later callers find nothing
    ("POST", "/reviews/<int:review_id>/delete"): {"moderator_no_2fa": "hidden"},
    # a visitor may fill in the request; sending it keeps a draft and asks them to log in
    # the member's account is new, so their photo holds the question for a moderator: from then on
    # it is not found to anyone but them and the (enrolled) staff
    ("POST", "/api/v1/questions/<int:question_id>/photos"): {"pending_doctor": "hidden", "doctor": "hidden",
                                                            "moderator_no_2fa": "hidden"},
}


def expected_outcome(level: str, role: str, method: str, rule: str) -> str:
    special = EXCEPTIONS.get((method, rule), {})
    if role in special:
        return special[role]
    api = rule.startswith("/api/")
    if role == "visitor" or role == "suspended":
        if level == "public":  # a suspended member's API token was revoked: refused even here
            return "login" if api and role == "suspended" else "answered"
        return "hidden" if level in HIDDEN_FROM_VISITORS and not api else "login"
    if level == "public":
        return "answered"
    if role == "moderator_no_2fa" and level != "enrolment":
        if level in HIDDEN_FROM_VISITORS:  # private things stay "not found" to them as to anyone
            return "hidden"
        return REFUSAL.get(level) if level == "two_factor_on" else "enrol"
    if role in LET_THROUGH[level]:
        return "ok"
    if role in SEEN_BY.get(level, ()):
        return "forbidden"
    return REFUSAL.get(level, "forbidden")


def _location(response) -> str:
    return response.headers.get("Location", "")


def _turned_to_login(response, _method, rule) -> bool:
    if rule.startswith("/api/"):
        return response.status_code == 401
    return response.status_code in (302, 303) and _location(response).startswith("/login")


def _ok(response, method, rule) -> bool:
    if response.status_code >= 500 or response.status_code in (401, 403, 404, 405):
        return False
    if _turned_to_login(response, method, rule):
        return False
    if method == "GET":  # a page, or its canonical address
        return response.status_code in (200, 301)
    # done (each write sends a valid body), or "already done" when a role before this one did it
    return response.status_code in (200, 201, 202, 204, 302, 303, 409)


def _ok_then_login(response, method, rule) -> bool:
    return _ok(response, method, rule) or (not rule.startswith("/api/") and _turned_to_login(response, method, rule))


def _answered(response, method, rule) -> bool:
    """Public routes check no role: whatever they answer (made-up tokens are refused as invalid), it
    is never "log in" or "not allowed", and never an error of ours."""
    if method == "GET" and rule not in ANSWERED_READS:
        return _ok(response, method, rule)
    return response.status_code < 500 and response.status_code not in (401, 403)


# public reads whose made-up parameter (a signed token) is refused as invalid for everyone
# (and the code step of log-in, which sends anyone with no log-in under way back to /login)
ANSWERED_READS = {"/unsubscribe/<token>", "/reset-password/<token>", "/verify-email/<token>", "/login/code"}


def _sent_to_enrol(response, _method, rule) -> bool:
    """Staff without two-factor: pages send them to turn it on, the API says why it refuses."""
    if rule.startswith("/api/"):
        return response.status_code == 403 and response.get_json()["error"]["code"] == "two_factor_required"
    return response.status_code in (302, 303) and _location(response).startswith("/account/two-factor")


OUTCOMES = {
    "enrol": _sent_to_enrol,
    "answered": _answered,
    "ok": _ok,
    "ok_then_login": _ok_then_login,
    "login": _turned_to_login,
    "forbidden": lambda response, *_: response.status_code == 403,
    "hidden": lambda response, *_: response.status_code == 404,
    "invalid": lambda response, *_: response.status_code in (400, 409, 422),  # refused input or state
}

ANSWERED_READS.add("/account/email/confirm/<token>")  # member profiles (#15): a made-up link is refused
