"""Who may call what: each route's access level, and what each role gets at each level (the
exceptions and what each outcome looks like: outcomes.py)."""
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
GET /language/<code>
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
POST /language
GET /account/two-factor
POST /account/two-factor/setup
POST /account/two-factor/confirm
POST /logout
"""),
    "account": _routes("""
POST /account/language
PATCH /api/v1/me
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
    # a doctor's own profile photo and languages: anyone else with an account is told "not allowed"
    "profile_owner": _routes("""
POST /doctor/photo
POST /doctor/photo/remove
POST /doctor/languages
PUT /api/v1/doctor/languages
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
