"""A valid body for each write, so that only the caller's role decides the answer (the input is
checked before the permission in many handlers; an empty body would be refused for everyone)."""
from __future__ import annotations

import io
import itertools

from tests import factories
from tests.access.world import png

CONSULTATION = {"concern": "Enlarged pores on the nose", "description": "Visible pores on my nose for two years now.",
                "contact_method": "in-app messages", "consent": True}
QUESTION = {"title": "Can retinoids shrink enlarged pores over time?",
            "body": "I have read mixed things and would like a doctor's view on this.", "topics": ["enlarged-pores"]}
ANSWER = {"body": "A fresh answer from a doctor, long enough to be kept."}
ARTICLE = {"title": "What pores are and why they show", "summary": "A short summary of what pores are.",
           "body": "Pores are the openings of hair follicles.", "author_name": "Editorial team"}
TREATMENT = {"kind": "procedure", "how_it_works": "Fine needles make tiny wounds that heal."}
REVIEW = {"treatment": "chemical-peel", "rating": 4, "worth_it": "yes", "treated_on": "2026-03",
          "body": "The peel stung for a few minutes and the redness faded in two days; smoother skin since."}
_serial = itertools.count(1)
REASON = {"reason": "Checked by the access matrix."}


def _application(world) -> dict:
    return factories.application_data()


BODIES = {
    ("POST", "/account/delete"): lambda w: {"password": factories.PASSWORD},
    ("POST", "/account/time-zone"): lambda w: {"time_zone": "Europe/Paris"},
    ("POST", "/account/notifications"): lambda w: {"my_questions": "digest", "frequency": "daily"},
    ("PUT", "/api/v1/account/notification-settings"): lambda w: {"channels": {"following": "off"},
                                                                 "frequency": "daily"},
    ("POST", "/answers/<int:answer_id>/edit"): lambda w: {"body": "An edited answer that is long enough to keep."},
    ("POST", "/answers/<int:answer_id>/follow-ups"): lambda w: {"body": "Thanks, and how long until it shows?"},
    ("POST", "/answers/<int:answer_id>/review"): lambda w: {"verdict": "agree"},
    ("DELETE", "/api/v1/account"): lambda w: {"password": factories.PASSWORD},
    ("PUT", "/api/v1/answers/<int:answer_id>"): lambda w: {"body": "An edited answer that is long enough to keep."},
    ("POST", "/api/v1/answers/<int:answer_id>/follow-ups"): lambda w: {"body": "Thanks, and how long until it shows?"},
    ("POST", "/api/v1/answers/<int:answer_id>/reviews"): lambda w: {"verdict": "agree"},
    ("POST", "/api/v1/articles"): lambda w: {**ARTICLE, "title": f"{ARTICLE['title']} {next(_serial)}"},
    ("PUT", "/api/v1/articles/<slug>"): lambda w: ARTICLE,
    ("POST", "/api/v1/articles/<slug>/review"): lambda w: {"reviewer_id": w.values["doctor_id"]},
    ("POST", "/mod/articles/<slug>/review"): lambda w: {"reviewer_id": w.values["doctor_id"]},
    ("POST", "/doctor/medical-reviews/<int:medical_review_id>/decline"): lambda w: {"note": "Not my field."},
    ("POST", "/api/v1/doctor/medical-reviews/<int:medical_review_id>/decline"): lambda w: {"note": "Not my field."},
    ("POST", "/api/v1/consultations"): lambda w: {**CONSULTATION, "doctor_id": w.values["doctor_id"]},
    ("POST", "/consultations/new"): lambda w: {**CONSULTATION, "doctor_id": w.values["doctor_id"]},
    ("POST", "/contact"): lambda w: {"name": "Sam Sender", "email": "sam@example.test", "topic": "general",
                                     "message": "A question about the site from the access matrix."},
    ("POST", "/api/v1/auth/password-reset"): lambda w: {"email": "nobody@example.test"},
    ("POST", "/forgot-password"): lambda w: {"email": "nobody@example.test"},
    ("POST", "/api/v1/auth/register"): lambda w: _registration(),
    ("POST", "/register"): lambda w: _registration(),
    ("POST", "/api/v1/auth/token"): lambda w: {"email": w.users["member"].email, "password": factories.PASSWORD,
                                               "name": "matrix three"},
    ("POST", "/login"): lambda w: {"email": w.users["member"].email, "password": factories.PASSWORD},
    ("POST", "/api/v1/consultations/<consultation_id>/messages"): lambda w: {"body": "Any news?"},
    ("POST", "/consultations/<consultation_id>/messages"): lambda w: {"body": "Any news?"},
    ("POST", "/api/v1/doctor-application"): _application,
    ("POST", "/doctor/apply"): _application,
    ("PUT", "/api/v1/doctor/accepting"): lambda w: {"accepting": False},
    ("PUT", "/api/v1/doctor/languages"): lambda w: {"languages": ["en", "es"]},
    ("POST", "/doctor/languages"): lambda w: {"languages": ["en", "es"]},
    ("POST", "/language"): lambda w: {"locale": "en", "next": "/"},
    ("POST", "/doctor/consultations/accepting"): lambda w: {"accepting": "1"},
    ("POST", "/api/v1/flags"): lambda w: {"target_type": "answer", "target_id": str(w.values["answer_id"]),
                                          "reason": "spam"},
    ("POST", "/flags"): lambda w: {"target_type": "answer", "target_id": str(w.values["answer_id"]), "reason": "spam"},
    ("POST", "/api/v1/mod/content/<any(question, answer, follow_up, doctor, consultation, review):target_type>"
             "/<target_id>/<action>"): lambda w: REASON,
    ("POST", "/mod/content/<any(question, answer, follow_up, doctor, consultation, review):target_type>"
             "/<target_id>/<action>"): lambda w: REASON,
    ("POST", "/api/v1/mod/doctor-applications/<int:profile_id>/decision"): lambda w: {"decision": "reject", **REASON},
    ("POST", "/mod/applications/<int:profile_id>"): lambda w: {"decision": "reject", **REASON},
    ("POST", "/revisions/<int:revision_id>/rollback"): lambda w: REASON,
    ("POST", "/api/v1/revisions/<int:revision_id>/rollback"): lambda w: REASON,
    ("POST", "/api/v1/mod/users/<int:user_id>/<any(suspend, ban, restore, promote, demote):action>"):
        lambda w: {**REASON, "days": 3},
    ("POST", "/mod/users/<int:user_id>/<any(suspend, ban, restore, promote, demote):action>"):
        lambda w: {**REASON, "days": 3},
    ("POST", "/api/v1/doctors/<int:doctor_id>/reviews"): lambda w: REVIEW,
    ("PATCH", "/api/v1/reviews/<int:review_id>"): lambda w: {"rating": 3},
    ("PUT", "/api/v1/reviews/<int:review_id>/reply"): lambda w: {"body": "Thank you for taking the time to write."},
    ("POST", "/api/v1/reviews/<int:review_id>/photos"): lambda w: {"alt": "Forehead two months after"},
    ("POST", "/doctors/<int:doctor_id>/reviews/new"): lambda w: _review_form("chemical-peel"),
    ("POST", "/reviews/<int:review_id>/edit"): lambda w: _review_form("botox"),
    ("POST", "/reviews/<int:review_id>/reply"): lambda w: {"body": "Thank you for taking the time to write."},
    ("POST", "/api/v1/questions"): lambda w: QUESTION,
    ("POST", "/questions/ask"): lambda w: QUESTION,
    ("PUT", "/api/v1/questions/<int:question_id>"): lambda w: QUESTION,
    ("POST", "/questions/<int:question_id>/edit"): lambda w: QUESTION,
    ("POST", "/api/v1/questions/<int:question_id>/photos"): lambda w: {"alt": "A red patch on the chin.",
                                                                      "photo_consent": True},
    ("POST", "/api/v1/questions/<int:question_id>/answers"): lambda w: ANSWER,
    ("POST", "/questions/<int:question_id>/answers"): lambda w: ANSWER,
    ("POST", "/api/v1/questions/<int:question_id>/invitations"): lambda w: {"doctor_ids": [w.values["invitee_id"]]},
    ("POST", "/questions/<int:question_id>/invite"): lambda w: {"doctor_ids": [w.values["invitee_id"]]},
    ("POST", "/api/v1/topics"): lambda w: {"name": f"Blackheads {next(_serial)}"},
    ("PUT", "/api/v1/topics/<slug>"): lambda w: {"name": "Enlarged pores"},
    ("POST", "/api/v1/treatments"): lambda w: {**TREATMENT, "name": f"Microneedling {next(_serial)}"},
    ("PUT", "/api/v1/treatments/<slug>"): lambda w: {**TREATMENT, "name": "Chemical peel"},
    ("POST", "/mod/<any(articles, topics, treatments):kind>/<slug>/edit"):
        lambda w: {**ARTICLE, "kind": "articles"},
    ("POST", "/mod/<any(articles, topics, treatments):kind>/new"):
        lambda w: {**ARTICLE, "title": f"{ARTICLE['title']} {next(_serial)}"},
}


def _review_form(treatment: str) -> dict:
    """A review as the HTML form posts it (strings), with one photo: a fresh file for each caller."""
    return {**{key: str(value) for key, value in REVIEW.items()}, "treatment": treatment, "photo_consent": True,
            "photo_1": (io.BytesIO(png()), "cheek.png"), "photo_1_alt": "My cheek a week later"}


def _registration() -> dict:
    return {"email": f"newcomer{next(_serial)}@example.test", "display_name": "New Comer",
            "password": factories.PASSWORD, "confirm_adult": True}


def _reauth(world, role: str) -> dict:
    """Re-confirming who you are: the password, and the current code when two-factor is on."""
    user = world.users.get(role)
    code = factories.totp_code(user) if user is not None and user.two_factor_enabled else None
    return {"password": factories.PASSWORD, **({"code": code} if code else {})}


# bodies that depend on who sends them (re-authentication asks enrolled users for their code)
ROLE_BODIES = {
    ("POST", "/account/password"): lambda w, role: {**_reauth(w, role), "current_password": factories.PASSWORD,
                                                    "new_password": "another fine passphrase here"},
    ("POST", "/account/tokens"): lambda w, role: {**_reauth(w, role), "name": "matrix two"},
    ("POST", "/api/v1/tokens"): lambda w, role: {**_reauth(w, role), "name": "matrix two"},
    ("POST", "/account/two-factor/setup"): lambda w, role: _reauth(w, role),
    ("POST", "/account/two-factor/disable"): lambda w, role: _reauth(w, role),
    ("POST", "/account/two-factor/recovery-codes"): lambda w, role: _reauth(w, role),
    ("POST", "/account/two-factor/confirm"): lambda w, role: {"code": "123456"},
}


def body_for(world, method: str, rule: str, role: str) -> dict:
    if (method, rule) in ROLE_BODIES:
        return ROLE_BODIES[(method, rule)](world, role)
    make = BODIES.get((method, rule))
    return make(world) if make else {}


def as_form(body: dict) -> dict:
    """The same body as an HTML form posts it: lists repeat a field, a ticked box sends "1"."""
    return {key: ("1" if value is True else [str(v) for v in value] if isinstance(value, list) else value)
            for key, value in body.items() if value is not False}


# member profiles (#15): display name and e-mail change
BODIES.update({
    ("POST", "/account/display-name"): lambda w: {"display_name": "Matrix Name"},
    ("POST", "/api/v1/account/display-name"): lambda w: {"display_name": "Matrix Name"},
    ("POST", "/api/v1/account/email/confirm"): lambda w: {"token": "made-up-token-of-the-matrix"},
})
ROLE_BODIES.update({
    ("POST", "/account/email"): lambda w, role: {**_reauth(w, role), "new_email": f"moved{next(_serial)}@example.test"},
    ("POST", "/api/v1/account/email"): lambda w, role: {**_reauth(w, role),
                                                        "new_email": f"moved{next(_serial)}@example.test"},
})
