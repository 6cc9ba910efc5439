"""Consultation pages: the request form (public; kept across log-in with only an id in the
cookie), photos, the request page and its transitions (illegal ones re-render with 422), the
privacy matrix (404 to everyone but the two parties), no-store, never in search, feeds, the
sitemap or the home counts, inboxes, the doctor's availability and response time."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from forum import mail
from forum.extensions import db
from forum.models import (
    ConsultationDraft, ConsultationPhoto, ConsultationRequest, ConsultationStatus, ModerationLog, Question,
)
from forum.services import consultations, moderation_content, questions, site
from forum.services import photos as site_photos
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_user
from tests.services.test_consultations import (
    DETAILS, FUTURE, ILLEGAL, LEGAL, SECRET_DESCRIPTION, SECRET_HISTORY, SECRET_MESSAGE, SECRET_WORDS, image_bytes,
    jpeg_with_exif, make_request, set_status,
)
from tests.conftest import csrf_token
from tests.web.html import field_errors, flashes, text

S = ConsultationStatus
SEED = Path(__file__).resolve().parents[2] / "seed"
FORM = "/consultations/new"




@pytest.fixture
def people(app):
    class People:
        requester = make_user(display_name="Requester")
        doctor = make_doctor(full_name="Dr. Chosen One")
        member = make_user(display_name="Another Member")
        other_doctor = make_doctor(full_name="Dr. Not Involved")
        moderator = make_moderator()
    return People


@pytest.fixture
def consultation(people):
    return make_request(people.requester, people.doctor, photos_in=[(image_bytes(), "cheek.jpg")])


def form_data(doctor=None, **overrides) -> dict:
    data = {"doctor_id": str(doctor.doctor_profile.id) if doctor else "", "specialty": "",
            "concern": DETAILS["concern"], "description": DETAILS["description"],
            "tried_before": DETAILS["tried_before"], "history": DETAILS["history"], "skin_type": "III",
            "budget": "under $500", "contact_method": "in-app messages", "contact_times": "Weekday evenings",
            "consent": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(browser, path, data=None, **kw):
    """A form post with a CSRF token read from the public form page. Photos, given as
    `photos=[(bytes, filename), ...]`, go as multipart/form-data built in memory (the test
    client would spool a large body to a temporary file that it never closes)."""
    data = dict(data or {})
    if "photos" not in data:
        return browser.post_form(path, data, token_from=FORM, **kw)
    fields = MultiDict({"csrf_token": csrf_token(browser.client, FORM)})
    for key, value in data.items():
        if key == "photos":
            for raw, name in value:
                fields.add(key, FileStorage(io.BytesIO(raw), filename=name, content_type="application/octet-stream"))
        else:
            for item in value if isinstance(value, list) else [value]:
                fields.add(key, item)
    boundary, body = encode_multipart(fields)
    return browser.client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kw)


def as_browser(new_browser, user):
    other = new_browser()
    if user is not None:
        other.login(user)
    return other


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(photo_dir) -> list:
    return list(photo_dir.iterdir()) if photo_dir.exists() else []


# ---- the form ----

def test_the_form_is_public_and_not_cached_or_indexed(client, people):
    response = client.get(FORM)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in page
    assert "You will be asked to log in" in page


def test_the_form_is_reached_from_the_home_page_a_doctor_profile_a_topic_a_treatment_and_a_question(client, people):
    load_seed(SEED)
    question = questions.ask_question(people.member, title="Does niacinamide help oily skin at all?",
                                      body="My T-zone is shiny by noon; would a niacinamide serum help?",
                                      topics=["acne"], treatments=[]).question
    profile = people.doctor.doctor_profile
    for page, target in [("/", FORM), (f"/doctors/{profile.id}", f"{FORM}?doctor={profile.id}"),
                         ("/topics/acne", f"{FORM}?topic=acne"),
                         (f"/questions/{question.id}", f"{FORM}?topic=acne")]:
        html = client.get(page, follow_redirects=True).get_data(as_text=True)
        assert f'href="{target}"' in html, page
    treatment = re.search(r'href="(/treatments/[^"]+)"', client.get("/treatments").get_data(as_text=True)).group(1)
    slug = treatment.rsplit("/", 1)[1]
    assert f'href="{FORM}?treatment={slug}"' in client.get(treatment).get_data(as_text=True)


def test_a_doctor_profile_link_preselects_that_doctor(client, people):
    page = client.get(f"{FORM}?doctor={people.doctor.doctor_profile.id}").get_data(as_text=True)
    assert re.search(rf'<option value="{people.doctor.doctor_profile.id}" selected>Dr\. Chosen One', page)


def test_a_member_sends_a_request_with_photos_and_lands_on_it(browser, client, people, photo_dir):
    browser.login(people.requester)
    data = form_data(people.doctor, photos=[(image_bytes("PNG"), "a.png"),
                                            (jpeg_with_exif(), "b.jpg")])
    response = post(browser, FORM, data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    created = db.session.scalars(select(ConsultationRequest)).one()
    assert response.headers["Location"] == f"/consultations/{created.id}"
    assert created.doctor_id == people.doctor.id and len(created.photos) == 2 and len(stored_files(photo_dir)) == 2
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = text(page)
    assert SECRET_DESCRIPTION in body and SECRET_HISTORY in body and "submitted" in body
    assert "Only you and the doctor can see it" in flashes(page.get_data(as_text=True))[0]
    assert body.count('data-testid="consultation-photo"') == 2


def test_any_verified_doctor_of_a_specialty_is_routed_from_the_form(browser, people):
    people.other_doctor.doctor_profile.accepts_consultations = False
    db.session.commit()
    browser.login(people.requester)
    assert post(browser, FORM, form_data(specialty="dermatology")).status_code == 303
    assert db.session.scalars(select(ConsultationRequest)).one().doctor_id == people.doctor.id


@pytest.mark.parametrize("consent", [None, "", "0"], ids=["missing", "empty", "zero"])
def test_consent_is_required_and_nothing_is_stored(browser, people, photo_dir, consent):
    browser.login(people.requester)
    data = form_data(people.doctor, consent=consent, photos=[(image_bytes(), "a.jpg")])
    response = post(browser, FORM, data)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "consent": ["You must agree to share this with the doctor."]}
    assert SECRET_DESCRIPTION in text(response)  # the rest of what they wrote is kept on the page
    assert count(ConsultationRequest) == count(ConsultationPhoto) == 0 and stored_files(photo_dir) == []


def test_a_doctor_who_is_not_accepting_is_refused_on_the_form(browser, people):
    consultations.set_accepting(people.doctor, accepting=False)
    browser.login(people.requester)
    response = post(browser, FORM, form_data(people.doctor))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "doctor_id": ["This doctor is not accepting consultation requests right now."]}
    assert count(ConsultationRequest) == 0


def test_missing_fields_are_refused_at_the_field(browser, people):
    browser.login(people.requester)
    response = post(browser, FORM, form_data(people.doctor, concern="", description="short", contact_method=""))
    assert response.status_code == 422
    assert set(field_errors(response.get_data(as_text=True))) == {"concern", "description", "contact_method"}
    response = post(browser, FORM, form_data())  # neither a doctor nor a specialty
    assert field_errors(response.get_data(as_text=True)) == {
        "doctor_id": ["Choose a doctor, or any verified doctor of a specialty."]}
    assert count(ConsultationRequest) == 0


# ---- photos through the form ----

BAD_PHOTOS = {
    "renamed-html": (b"<html><body><script>alert(1)</script></body></html>", "cat.png",
                     "cat.png contains web page code, so it was refused."),
    "polyglot": (image_bytes() + b"<script>alert(1)</script>", "poly.jpg",
                 "poly.jpg contains web page code, so it was refused."),
    "not-an-image": (b"GIF89a not really", "x.jpg", "x.jpg is not a readable JPEG, PNG or WebP image."),
}


@pytest.mark.parametrize("case", BAD_PHOTOS)
def test_a_bad_photo_is_refused_with_a_clear_message_and_nothing_is_stored(browser, people, photo_dir, case):
    raw, name, message = BAD_PHOTOS[case]
    browser.login(people.requester)
    data = form_data(people.doctor, photos=[(image_bytes(), "good.jpg"), (raw, name)])
    response = post(browser, FORM, data)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"photos": [message]}
    assert count(ConsultationRequest) == count(ConsultationPhoto) == 0 and stored_files(photo_dir) == []


def test_an_oversized_photo_is_refused(browser, people, photo_dir, app):
    app.config["PHOTO_MAX_BYTES"] = 2 * 1024 * 1024  # the limit itself is tested on the service
    browser.login(people.requester)
    big = image_bytes() + b"\0" * (2 * 1024 * 1024)
    response = post(browser, FORM, form_data(people.doctor, photos=[(big, "big.jpg")]))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"photos": ["big.jpg is larger than 2 MB."]}
    assert count(ConsultationRequest) == 0 and stored_files(photo_dir) == []


def test_a_photo_of_more_than_a_megabyte_is_accepted(browser, people, photo_dir):
    """The form allows photos up to PHOTO_MAX_BYTES each, above the site-wide 1 MB body limit."""
    noisy = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))  # noise does not compress
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    raw = buffer.getvalue()
    assert 1024 * 1024 < len(raw) < 4 * 1024 * 1024
    browser.login(people.requester)
    response = post(browser, FORM, form_data(people.doctor, photos=[(raw, "big.png")]))
    assert response.status_code == 303, response.status_code
    assert len(stored_files(photo_dir)) == 1


def test_more_than_five_photos_are_refused(browser, people, photo_dir):
    browser.login(people.requester)
    six = [(image_bytes(), f"p{i}.jpg") for i in range(6)]
    response = post(browser, FORM, form_data(people.doctor, photos=six))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"photos": ["Attach at most 5 photos."]}
    assert count(ConsultationRequest) == 0 and stored_files(photo_dir) == []


def test_a_photo_is_served_to_the_parties_as_an_attachment_that_is_never_cached(browser, client, people,
                                                                                  consultation):
    browser.login(people.doctor)
    photo = consultation.photos[0]
    response = client.get(f"/consultations/{consultation.id}/photos/{photo.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg" and response.data.startswith(b"\xff\xd8")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/consultations/{consultation.id}/photos/{'0' * 32}").status_code == 404


# ---- the log-in-and-return flow ----

def test_a_visitor_is_sent_to_log_in_and_comes_back_to_the_filled_form(browser, client, cookies, people):
    data = form_data(people.doctor, skin_type="V", budget="$500 to $1,000", contact_method="video call")
    response = post(browser, FORM, {**data, "topics": []})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/consultations/new"
    assert count(ConsultationRequest) == 0 and count(ConsultationDraft) == 1

    # the cookie (readable by anyone holding it) carries a random id, never the form
    payload = cookies.readable_payload()
    draft_id = payload["consultation_draft"]
    assert db.session.get(ConsultationDraft, draft_id) is not None and len(draft_id) >= 40
    raw_cookie = json.dumps(payload)
    for word in (*SECRET_WORDS, "Azelaic", "jawline", "Weekday", "video call"):
        assert word not in raw_cookie

    login = browser.post_form("/login?next=/consultations/new",
                              {"email": people.requester.email, "password": "a perfectly fine passphrase"},
                              token_from="/login")
    assert login.status_code == 303 and login.headers["Location"] == FORM
    assert cookies.readable_payload()["consultation_draft"] == draft_id  # carried over the new session

    page = client.get(FORM).get_data(as_text=True)
    assert SECRET_DESCRIPTION in text(client.get(FORM)) and SECRET_HISTORY in text(client.get(FORM))
    assert f'<option value="{people.doctor.doctor_profile.id}" selected>' in page
    assert '<option value="V" selected>' in page and '<option value="video call" selected>' in page
    assert f'value="{DETAILS["contact_times"]}"' in page and 'name="consent" value="1" checked' in page

    response = post(browser, FORM, {**data, "photos": [(image_bytes(), "later.jpg")]})
    assert response.status_code == 303
    created = db.session.scalars(select(ConsultationRequest)).one()
    assert consultations.details_of(created)["skin_type"] == "V" and len(created.photos) == 1
    assert count(ConsultationDraft) == 0 and "consultation_draft" not in cookies.readable_payload()


def test_a_visitor_who_registers_first_still_finds_the_form_filled(browser, client, people):
    post(browser, FORM, form_data(people.doctor))
    registered = browser.post_form("/register", {"email": "new.member@example.test", "display_name": "Newcomer",
                                                 "password": "a perfectly fine passphrase", "confirm_adult": "1"})
    assert registered.status_code == 303
    browser.post_form("/login", {"email": "new.member@example.test", "password": "a perfectly fine passphrase"})
    page = text(client.get(FORM))
    assert SECRET_DESCRIPTION in page and SECRET_HISTORY in page


def test_someone_else_on_another_device_never_gets_the_visitors_draft(browser, new_browser, people):
    post(browser, FORM, form_data(people.doctor))
    other = as_browser(new_browser, people.member)
    assert SECRET_DESCRIPTION not in text(other.get(FORM))


def test_photos_a_visitor_attaches_are_not_kept_before_log_in(browser, people, photo_dir):
    response = post(browser, FORM, form_data(people.doctor, photos=[(image_bytes(), "a.jpg")]))
    assert response.status_code == 303 and stored_files(photo_dir) == []


def test_the_form_post_needs_a_csrf_token(client, people):
    assert client.post(FORM, data=form_data(people.doctor)).status_code == 400
    assert count(ConsultationDraft) == 0


# ---- the privacy matrix ----

ROLES = ["visitor", "member", "other_doctor", "moderator", "requester", "doctor"]
# route -> (method, path template, form data, who succeeds and with what)
MATRIX = {
    "page": ("GET", "/consultations/{id}", None, {"requester": 200, "doctor": 200}),
    "photo": ("GET", "/consultations/{id}/photos/{photo}", None, {"requester": 200, "doctor": 200}),
    "accept": ("POST", "/consultations/{id}/accept", {}, {"doctor": 303, "requester": 403}),
    "decline": ("POST", "/consultations/{id}/decline", {"message": "Not for me."}, {"doctor": 303, "requester": 403}),
    "withdraw": ("POST", "/consultations/{id}/withdraw", {}, {"requester": 303, "doctor": 403}),
    "messages": ("POST", "/consultations/{id}/messages", {"body": "Hello there"}, {"requester": 303, "doctor": 303}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", MATRIX)
def test_privacy_matrix(new_browser, people, consultation, route, role):
    """The two parties get their answer (the wrong party 403 on the other's move: they can see
    the request anyway); everyone else gets 404 — never 403 or a log-in redirect — and the
    same 404 as for an id that does not exist."""
    method, template, data, allowed = MATRIX[route]
    who = as_browser(new_browser, None if role == "visitor" else getattr(people, role))
    path = template.format(id=consultation.id, photo=consultation.photos[0].id)
    response = who.get(path) if method == "GET" else post(who, path, data)
    assert response.status_code == allowed.get(role, 404), response.get_data(as_text=True)[:300]
    if role not in allowed:
        missing = template.format(id="0" * 32, photo="0" * 32)
        twin = who.get(missing) if method == "GET" else post(who, missing, data)
        assert twin.status_code == 404
        for word in (*SECRET_WORDS, DETAILS["concern"], people.requester.display_name, "Dr. Chosen One"):
            assert word not in text(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_nothing_changed_for_the_outsiders(new_browser, people, consultation):
    for role in ("visitor", "member", "other_doctor", "moderator"):
        who = as_browser(new_browser, None if role == "visitor" else getattr(people, role))
        for action, data in (("accept", {}), ("withdraw", {}), ("messages", {"body": "Hi"})):
            post(who, f"/consultations/{consultation.id}/{action}", data)
    db.session.expire_all()
    fresh = db.session.get(ConsultationRequest, consultation.id)
    assert fresh.status == S.SUBMITTED and fresh.messages == []


def test_a_moderator_with_an_open_flag_sees_the_request_and_the_look_is_logged(browser, client, people, consultation):
    moderation_content.flag_content(people.requester, target_type="consultation", target_id=consultation.id,
                                    reason="privacy")
    browser.login(people.moderator)
    response = client.get(f"/consultations/{consultation.id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "This access is recorded in the moderation log" in text(response)
    assert 'action="/consultations/' + consultation.id + '/messages"' not in response.get_data(as_text=True)
    photo = client.get(f"/consultations/{consultation.id}/photos/{consultation.photos[0].id}")
    assert photo.status_code == 200
    rows = db.session.scalars(select(ModerationLog).where(ModerationLog.action == "consultation.view")).all()
    assert len(rows) == 2 and {r.actor_id for r in rows} == {people.moderator.id}
    assert {r.target_id for r in rows} == {consultation.id}
    assert post(browser, f"/consultations/{consultation.id}/accept").status_code == 404
    assert post(browser, f"/consultations/{consultation.id}/messages", {"body": "Hi"}).status_code == 404


def test_the_participants_can_report_the_request(browser, client, people, consultation):
    browser.login(people.doctor)
    response = post(browser, f"/flags?next=/consultations/{consultation.id}",
                    {"target_type": "consultation", "target_id": consultation.id, "reason": "offensive"})
    assert response.status_code == 303
    assert "A moderator will review this" in flashes(client.get(response.headers["Location"]).get_data(as_text=True))[0]


# ---- transitions through the page ----

def _actor(people, action):
    return people.requester if action == "withdraw" else people.doctor


def _form_for(action) -> dict:
    return {"message": "Not something I treat." if action == "decline" else "",
            "scheduled_for": FUTURE.strftime("%Y-%m-%dT%H:%M") if action == "schedule" else ""}


@pytest.mark.parametrize(("status", "action"), list(LEGAL), ids=[f"{s.value}-{a}" for s, a in LEGAL])
def test_every_legal_move_through_the_page(browser, client, people, consultation, status, action):
    set_status(consultation, status)
    browser.login(_actor(people, action))
    response = post(browser, f"/consultations/{consultation.id}/{action}", _form_for(action))
    assert response.status_code == 303 and response.headers["Location"] == f"/consultations/{consultation.id}"
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, consultation.id).status == LEGAL[(status, action)]
    page = text(client.get(response.headers["Location"]))
    assert f'data-testid="consultation-status">{LEGAL[(status, action)].value}<' in page


@pytest.mark.parametrize(("status", "action"), ILLEGAL, ids=[f"{s.value}-{a}" for s, a in ILLEGAL])
def test_every_illegal_move_re_renders_the_page_with_422(browser, people, consultation, status, action):
    set_status(consultation, status)
    browser.login(_actor(people, action))
    response = post(browser, f"/consultations/{consultation.id}/{action}", _form_for(action))
    assert response.status_code == 422
    page = text(response)
    done = {"accept": "accepted", "decline": "declined", "schedule": "scheduled", "complete": "completed"}
    message = (f"A {status.value} request can no longer be withdrawn." if action == "withdraw"
               else f"A {status.value} request cannot be {done[action]}.")
    assert f'<p class="field-error">{message}</p>' in page
    assert 'data-testid="consultation-status">' + status.value in page
    assert response.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, consultation.id).status == status


def test_the_doctor_proposes_a_time_and_the_member_sees_it(browser, new_browser, people, consultation):
    browser.login(people.doctor)
    post(browser, f"/consultations/{consultation.id}/accept", {"message": "Happy to help."})
    assert post(browser, f"/consultations/{consultation.id}/schedule",
                {"scheduled_for": "2099-06-01T15:30", "message": ""}).status_code == 303
    member = as_browser(new_browser, people.requester)
    page = text(member.get(f"/consultations/{consultation.id}"))
    assert 'data-testid="consultation-status">scheduled<' in page
    assert 'data-testid="scheduled-for">Monday 01 June 2099, 15:30 UTC<' in page
    assert "Happy to help." in page


@pytest.mark.parametrize(("action", "data", "field"), [
    ("decline", {"message": ""}, "Tell the member briefly why you decline."),
    ("schedule", {"scheduled_for": "2001-01-01T10:00"}, "Propose a time in the future."),
])
def test_a_move_with_a_missing_detail_is_re_rendered_with_the_reason(browser, people, consultation, action, data,
                                                                     field):
    if action == "schedule":
        set_status(consultation, S.ACCEPTED)
    browser.login(people.doctor)
    response = post(browser, f"/consultations/{consultation.id}/{action}", data)
    assert response.status_code == 422 and [field] in field_errors(response.get_data(as_text=True)).values()


def test_messages_in_the_thread(browser, new_browser, people, consultation):
    browser.login(people.requester)
    response = post(browser, f"/consultations/{consultation.id}/messages", {"body": SECRET_MESSAGE})
    assert response.status_code == 303 and response.headers["Location"].endswith("#thread")
    doctor = as_browser(new_browser, people.doctor)
    assert SECRET_MESSAGE in text(doctor.get(f"/consultations/{consultation.id}"))
    empty = post(doctor, f"/consultations/{consultation.id}/messages", {"body": ""})
    assert empty.status_code == 422 and field_errors(empty.get_data(as_text=True))["body"]


# ---- mail ----

def test_mails_about_a_consultation_carry_a_link_and_no_health_detail(browser, people):
    mail.SENT.clear()
    browser.login(people.requester)
    post(browser, FORM, form_data(people.doctor))
    created = db.session.scalars(select(ConsultationRequest)).one()
    post(browser, f"/consultations/{created.id}/messages", {"body": SECRET_MESSAGE})
    assert [m["To"] for m in mail.SENT] == [people.doctor.email, people.doctor.email]
    for message in mail.SENT:
        content = (str(message["Subject"]) + message.get_body(("plain",)).get_content()
                   + message.get_body(("html",)).get_content())
        assert f"/consultations/{created.id}" in content
        for word in (*SECRET_WORDS, DETAILS["concern"], DETAILS["tried_before"], "Weekday"):
            assert word not in content


# ---- never public ----

def test_consultations_never_appear_in_search_feeds_the_sitemap_or_the_home_counts(app, client, people):
    load_seed(SEED)
    client.get("/")
    app.extensions.pop("forum_home_stats", None)
    stats_before = site.home_stats()
    public = questions.ask_question(people.member, title="Has anyone heard of Quixotryl for redness?",
                                    body="A friend mentioned Quixotryl; is it a real treatment for rosacea?",
                                    topics=["acne"], treatments=[]).question
    consultation = make_request(people.requester, people.doctor, concern="Quixotryl jawline concern")
    consultations.send_message(people.doctor, consultation_id=consultation.id, body=SECRET_MESSAGE)
    app.extensions.pop("forum_home_stats", None)
    assert site.home_stats() == stats_before

    hits = text(client.get("/search?q=Quixotryl"))
    assert f"/questions/{public.id}" in hits  # the search works ...
    assert consultation.id not in hits and "jawline" not in hits  # ... and never finds a consultation
    nothing = text(client.get("/search?q=Mirvantolide"))
    assert "0 results" in nothing and consultation.id not in nothing
    api_hits = client.get("/api/v1/search?q=Quixotryl").get_json()
    assert [h["kind"] for h in api_hits["items"]] == ["question"]
    assert client.get("/api/v1/search?q=Mirvantolide").get_json()["items"] == []
    for path in ("/sitemap.xml", "/feeds/questions.atom", "/feeds/topics/acne.atom", "/", "/questions",
                 "/robots.txt"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert consultation.id not in body and "jawline" not in body and "Mirvantolide" not in body, path
    assert "Disallow: /consultations" in client.get("/robots.txt").get_data(as_text=True)
    assert db.session.get(Question, public.id) is not None


def test_error_pages_say_nothing_about_a_request(client, people, consultation):
    page = text(client.get(f"/consultations/{consultation.id}"))
    assert consultation.id not in page and "Requester" not in page and DETAILS["concern"] not in page


# ---- inboxes ----

def test_the_inbox_lists_a_members_requests_with_status_filter_and_unread_marks(browser, client, people,
                                                                               frozen_clock):
    first = make_request(people.requester, people.doctor, concern="First concern")
    frozen_clock.advance(minutes=1)
    second = make_request(people.requester, people.other_doctor, concern="Second concern")
    make_request(people.member, people.doctor, concern="Not mine")
    consultations.transition(people.doctor, consultation_id=first.id, action="accept")
    browser.login(people.requester)
    response = client.get("/consultations")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = re.findall(r'<tr data-testid="consultation-row">(.*?)</tr>', response.get_data(as_text=True), re.S)
    assert [("Second concern" in r, "First concern" in r) for r in rows] == [(True, False), (False, True)]
    assert ['class="badge">new<' in r for r in rows] == [False, True]
    assert "Not mine" not in response.get_data(as_text=True)
    accepted = client.get("/consultations?status=accepted").get_data(as_text=True)
    assert "First concern" in accepted and "Second concern" not in accepted
    assert client.get("/consultations?status=bogus").status_code == 422
    client.get(f"/consultations/{first.id}")  # opening it clears the mark
    assert 'class="badge">new<' not in client.get("/consultations").get_data(as_text=True)
    assert second.id in client.get("/consultations").get_data(as_text=True)


def test_the_doctors_inbox_shows_incoming_requests_unread(browser, client, people, consultation):
    make_request(people.member, people.other_doctor, concern="For the other doctor")
    browser.login(people.doctor)
    page = client.get("/consultations").get_data(as_text=True)
    assert DETAILS["concern"] in page and "new</span>" in page and "For the other doctor" not in page
    assert "Requester" in page


def test_the_inbox_needs_log_in(client):
    response = client.get("/consultations")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# ---- the doctor's availability and response time ----

def test_a_doctor_stops_accepting_and_the_profile_says_so(browser, client, new_browser, people):
    browser.login(people.doctor)
    response = post(browser, "/doctor/consultations/accepting", {})
    assert response.status_code == 303
    profile_url = f"/doctors/{people.doctor.doctor_profile.id}"
    profile_page = new_browser().get(profile_url, follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="not-accepting"' in profile_page and 'data-testid="request-consultation"' not in profile_page
    form = new_browser().get(FORM).get_data(as_text=True)
    assert f'<option value="{people.doctor.doctor_profile.id}"' not in form
    assert post(browser, "/doctor/consultations/accepting", {"accepting": "1"}).status_code == 303
    assert 'data-testid="request-consultation"' in new_browser().get(
        profile_url, follow_redirects=True).get_data(as_text=True)


def test_only_verified_doctors_switch_accepting(browser, people):
    browser.login(people.member)
    assert post(browser, "/doctor/consultations/accepting", {}).status_code == 403


def test_the_profile_shows_the_median_response_time(client, people, frozen_clock):
    profile_url = f"/doctors/{people.doctor.doctor_profile.id}"
    assert "Typical first response" not in text(client.get(profile_url, follow_redirects=True))
    for hours in (1, 3, 8):
        consultation = make_request(people.requester, people.doctor)
        frozen_clock.advance(hours=hours)
        consultations.transition(people.doctor, consultation_id=consultation.id, action="accept")
    assert "Typical first response: about 3 hours." in text(client.get(profile_url, follow_redirects=True))


# ---- logs and the rate limit ----

def test_a_whole_consultation_over_http_logs_no_health_detail(browser, new_browser, people, caplog):
    caplog.set_level(logging.DEBUG, logger="forum")
    post(new_browser(), FORM, form_data(people.doctor))  # a visitor's draft
    browser.login(people.requester)
    post(browser, FORM, form_data(people.doctor, photos=[(image_bytes(), "a.jpg")]))
    created = db.session.scalars(select(ConsultationRequest)).one()
    post(browser, FORM, form_data(people.doctor, consent=None))  # refused, re-rendered
    post(browser, f"/consultations/{created.id}/messages", {"body": SECRET_MESSAGE})
    doctor = as_browser(new_browser, people.doctor)
    doctor.get(f"/consultations/{created.id}")
    post(doctor, f"/consultations/{created.id}/decline", {"message": SECRET_MESSAGE})
    as_browser(new_browser, people.member).get(f"/consultations/{created.id}")  # a refused look
    assert caplog.records
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for word in (*SECRET_WORDS, DETAILS["concern"], DETAILS["tried_before"], "Weekday"):
        assert word not in logged


def test_requests_are_rate_limited(app, browser, people):
    app.config["RATELIMIT_CONSULTATION"] = "2 per hour"
    browser.login(people.requester)
    statuses = [post(browser, FORM, form_data(people.doctor)).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert count(ConsultationRequest) == 2


# ---- the member's data: export and deletion ----

def test_the_account_page_offers_export_and_deletion(browser, client, people):
    browser.login(people.requester)
    page = client.get("/account").get_data(as_text=True)
    assert re.search(r"<title>Your account · Ask a Cosmetic Doctor</title>", page)
    assert 'href="/account/export"' in page and 'action="/account/delete"' in page


def test_the_export_downloads_a_zip_of_the_members_data_and_photos_and_nobody_elses(browser, client, people,
                                                                                   consultation):
    make_request(people.member, people.doctor, description="The other member's own private description.",
                 photos_in=[(image_bytes(color=(1, 2, 3)), "other.jpg")])
    browser.login(people.requester)
    response = client.get("/account/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r"attachment; filename=ask-a-cosmetic-doctor-export-\d{4}-\d{2}-\d{2}\.zip",
                        response.headers["Content-Disposition"])
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    data = json.loads(archive.read("data.json"))
    assert [c["id"] for c in data["consultations"]] == [consultation.id]
    assert data["consultations"][0]["details"]["history"] == SECRET_HISTORY
    [photo] = data["consultations"][0]["photos"]
    assert sorted(archive.namelist()) == ["data.json", photo["file"]]
    assert archive.read(photo["file"]) == site_photos.read(consultation.photos[0].stored_name)
    body = archive.read("data.json").decode()
    assert "other member's own private description" not in body and people.member.email not in body
    assert client.application.test_client().get("/account/export").status_code == 302  # visitors log in first


def test_deleting_the_account_needs_the_password_and_removes_the_consultations(browser, client, people,
                                                                               consultation, photo_dir):
    browser.login(people.requester)
    wrong = browser.post_form("/account/delete", {"password": "not my password"}, token_from="/account")
    assert wrong.status_code == 422
    assert field_errors(wrong.get_data(as_text=True)) == {"password": ["Your password is not correct."]}
    assert count(ConsultationRequest) == 1 and len(stored_files(photo_dir)) == 1

    response = browser.post_form("/account/delete", {"password": "a perfectly fine passphrase"},
                                 token_from="/account")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert count(ConsultationRequest) == count(ConsultationPhoto) == 0 and stored_files(photo_dir) == []
    assert client.get("/account").status_code == 302  # logged out
    assert browser.post_form("/login", {"email": people.requester.email,
                                        "password": "a perfectly fine passphrase"}).status_code == 422
