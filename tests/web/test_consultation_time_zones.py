"""Consultation times on the pages: the time zone setting, the doctor's one Respond form (a
proposed time entered on their own clock, one message box, every field labelled), times shown
on each viewer's clock with the zone's name, and topics by name."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from forum.extensions import db
from forum.models import ConsultationRequest, ConsultationStatus
from forum.services import consultations
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_user
from tests.services.test_consultations import make_request, set_status
from tests.web.html import field_errors, text
from tests.web.test_consultations import as_browser, post

S = ConsultationStatus
SEED = Path(__file__).resolve().parents[2] / "seed"



@pytest.fixture
def people(app):
    class People:
        requester = make_user(display_name="Requester", time_zone="America/New_York")
        doctor = make_doctor(full_name="Dr. Paris Clock", user=make_user(time_zone="Europe/Paris"))
    return People


@pytest.fixture
def consultation(people):
    return make_request(people.requester, people.doctor)


def _page(browser, consultation) -> str:
    return browser.get(f"/consultations/{consultation.id}").get_data(as_text=True)


# ---- the setting ----

def test_a_member_chooses_a_time_zone_in_the_settings(browser):
    member = make_user()
    browser.login(member)
    page = browser.get("/account").get_data(as_text=True)
    assert '<label for="time_zone">Your time zone</label>' in page
    assert '<option value="Europe/Lisbon">' in page and "data-browser-time-zone" in page  # none set: the JS offers one
    assert re.search(r'<script src="/static/js/timezone[^"]*\.js"', page)
    response = post(browser, "/account/time-zone", {"time_zone": "Europe/Lisbon"})
    assert response.status_code == 303
    page = browser.get("/account").get_data(as_text=True)
    assert '<option value="Europe/Lisbon" selected>' in page and "data-browser-time-zone" not in page
    db.session.expire_all()
    assert member.time_zone == "Europe/Lisbon"


@pytest.mark.parametrize("zone", ["Atlantis/Capital", ""])
def test_a_bad_time_zone_is_a_plain_field_error_and_changes_nothing(browser, zone):
    member = make_user(time_zone="Asia/Seoul")
    browser.login(member)
    response = post(browser, "/account/time-zone", {"time_zone": zone})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["time_zone"]
    select = re.search(r'<select id="time_zone"[^>]*>', response.get_data(as_text=True)).group(0)
    assert 'aria-invalid="true"' in select and re.search(r'aria-describedby="[^"]*\btime_zone-error\b', select)
    db.session.expire_all()
    assert member.time_zone == "Asia/Seoul"


def test_a_visitor_cannot_set_a_time_zone(client):
    assert client.post("/account/time-zone", data={"time_zone": "UTC"}).status_code in (302, 303, 400)


# ---- the doctor's one form ----

def test_the_respond_form_has_one_message_box_and_a_label_for_every_field(browser, people, consultation):
    set_status(consultation, S.ACCEPTED)
    browser.login(people.doctor)
    page = _page(browser, consultation)
    form = re.search(r'<form [^>]*data-testid="respond-form".*?</form>', page, re.S).group(0)
    assert page.count("<textarea") == 1  # no second message box on the page
    for control in re.findall(r'<(?:input|select|textarea)[^>]*>', form):
        if 'type="hidden"' in control or 'type="radio"' in control:
            continue
        control_id = re.search(r'id="([^"]+)"', control).group(1)
        assert f'<label for="{control_id}">' in form, control
    for radio in re.findall(r'<input type="radio"[^>]*>', form):
        assert re.search(re.escape(radio) + r" [A-Z]", form), radio  # a radio sits inside its label's text
    assert 'class="card"' in page and 'class="field' in form and 'class="button"' in form
    assert "Times are in your time zone, <strong>Europe/Paris</strong>" in form


def test_a_doctor_proposes_a_time_on_their_clock_and_each_side_sees_it_on_theirs(browser, new_browser, people,
                                                                                  consultation):
    set_status(consultation, S.ACCEPTED)
    browser.login(people.doctor)
    response = post(browser, f"/consultations/{consultation.id}/messages",
                    {"decision": "schedule", "scheduled_date": "2099-06-01", "scheduled_time": "17:30",
                     "time_zone": "Europe/Paris", "body": "Would this time suit you?"})
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(ConsultationRequest, consultation.id)
    assert stored.status == S.SCHEDULED and stored.scheduled_for == datetime(2099, 6, 1, 15, 30)
    assert 'data-testid="scheduled-for">Monday 01 June 2099, 17:30 Europe/Paris<' in text(
        browser.get(f"/consultations/{consultation.id}"))
    member = as_browser(new_browser, people.requester)
    page = text(member.get(f"/consultations/{consultation.id}"))
    assert 'data-testid="scheduled-for">Monday 01 June 2099, 11:30 America/New_York<' in page
    assert "Would this time suit you?" in page


def test_a_doctor_without_a_zone_picks_one_and_it_is_remembered(browser, new_browser, people):
    doctor = make_doctor(full_name="Dr. No Zone Yet")
    consultation = set_status(make_request(people.requester, doctor), S.ACCEPTED)
    browser.login(doctor)
    page = _page(browser, consultation)
    assert '<select id="time_zone" name="time_zone"' in page and "data-browser-time-zone" in page
    assert '<option value="UTC" selected>' in page  # without JavaScript: UTC
    post(browser, f"/consultations/{consultation.id}/messages",
         {"decision": "schedule", "scheduled_date": "2099-01-15", "scheduled_time": "09:00",
          "time_zone": "Asia/Tokyo", "body": ""})
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, consultation.id).scheduled_for == datetime(2099, 1, 15, 0, 0)
    assert doctor.time_zone == "Asia/Tokyo"
    assert "Times are in your time zone, <strong>Asia/Tokyo</strong>" in _page(browser, consultation)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"decision": "schedule", "scheduled_date": "2099-06-01"}, "scheduled_date",
     "Give the date and the time you propose."),
    ({"decision": "schedule", "scheduled_date": "2001-06-01", "scheduled_time": "10:00"}, "scheduled_date",
     "Propose a time in the future."),
    ({"decision": "schedule", "scheduled_date": "2030-03-31", "scheduled_time": "02:30"}, "scheduled_time",
     "02:30 does not exist on that day in Europe/Paris (the clocks change); choose another."),
    ({"decision": "", "body": ""}, "body", "Write a message, or choose what to do with the request."),
])
def test_a_response_missing_a_detail_is_re_rendered_with_the_message_at_its_field(browser, people, consultation,
                                                                                    data, field, message):
    set_status(consultation, S.ACCEPTED)
    browser.login(people.doctor)
    response = post(browser, f"/consultations/{consultation.id}/messages",
                    {"time_zone": "Europe/Paris", "body": "Kept text", **data})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))[field] == [message]
    if data.get("scheduled_date"):
        assert f'value="{data["scheduled_date"]}"' in response.get_data(as_text=True)  # what was entered is kept
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, consultation.id).status == S.ACCEPTED


def test_the_doctor_accepts_with_a_message_in_the_same_form(browser, people, consultation):
    browser.login(people.doctor)
    response = post(browser, f"/consultations/{consultation.id}/messages",
                    {"decision": "accept", "body": "Happy to look at this."})
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(ConsultationRequest, consultation.id)
    assert stored.status == S.ACCEPTED
    assert [(m.kind, consultations.message_body(m)) for m in stored.messages] == [("accept", "Happy to look at this.")]


def test_the_member_cannot_slip_a_doctors_decision_into_a_message(browser, people, consultation):
    browser.login(people.requester)
    response = post(browser, f"/consultations/{consultation.id}/messages", {"decision": "accept", "body": "Hi"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, consultation.id).status == S.SUBMITTED


# ---- topics by name ----

def test_topics_and_treatments_are_shown_by_name(browser, people):
    load_seed(SEED)
    consultation = make_request(people.requester, people.doctor, topics=["acne", "chemical-peels"],
                                treatments=["birth-control-pills"])
    browser.login(people.doctor)
    page = text(browser.get(f"/consultations/{consultation.id}"))
    assert 'data-testid="consultation-topics">Acne, Chemical peels<' in page
    assert 'data-testid="consultation-treatments">Birth control pills<' in page
    assert "chemical-peels" not in page.replace(f"/consultations/{consultation.id}", "")


def test_declining_without_a_reason_is_asked_for_at_the_message_box(browser, people, consultation):
    browser.login(people.doctor)
    response = post(browser, f"/consultations/{consultation.id}/messages", {"decision": "decline", "body": ""})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"body": ["Tell the member briefly why you decline."]}
    assert 'name="decision" value="decline" checked' in response.get_data(as_text=True)  # the choice is kept


def test_a_time_entered_without_choosing_to_propose_it_is_not_dropped_unseen(browser, people, consultation):
    set_status(consultation, S.ACCEPTED)
    browser.login(people.doctor)
    response = post(browser, f"/consultations/{consultation.id}/messages",
                    {"decision": "", "scheduled_date": "2099-06-01", "scheduled_time": "17:30", "body": "See you"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["decision"] == [
        "Choose “Propose a time” to send the time you entered, or clear it."]
    db.session.expire_all()
    stored = db.session.get(ConsultationRequest, consultation.id)
    assert stored.scheduled_for is None and stored.messages == []
