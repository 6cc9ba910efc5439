"""Forms that help, on the private consultation pages: the request form's selects and photo input
and the doctor's Respond form mark each bad field for screen readers (aria-invalid, aria-describedby
naming its message), the error summary links to the controls themselves, what was chosen is kept,
and the inbox dates are on the viewer's clock."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from forum.extensions import db
from forum.models import ConsultationRequest, ConsultationStatus
from tests.factories import make_doctor, make_user
from tests.services.test_consultations import make_request, set_status
from tests.web.test_consultations import FORM, form_data, post
from tests.web.test_forms_help import Page, check_helpful_errors, no_raw_wording



@pytest.fixture
def people(app):
    class People:
        requester = make_user(display_name="Requester", time_zone="Asia/Tokyo")
        doctor = make_doctor(full_name="Dr. Helpful Form", user=make_user(time_zone="America/Los_Angeles"))
    return People


def _sent_back(browser, path, data) -> tuple[Page, str]:
    response = post(browser, path, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    return Page(html), html


def test_bad_choices_on_the_request_form_are_marked_and_linked_to_their_selects(browser, people):
    browser.login(people.requester)
    page, html = _sent_back(browser, FORM, form_data(people.doctor, specialty="astrology", skin_type="VII",
                                                     budget="a million", contact_method=""))
    check_helpful_errors(page, {"specialty": "Choose one of the options", "skin_type": "Choose one of the options",
                                "budget": "Choose one of the options",
                                "contact_method": "Choose how you would like to be contacted"})
    no_raw_wording(html)
    # the skin type's hint is still read out with its error
    assert page.by_id["skin_type"]["aria-describedby"] == "skin_type-hint skin_type-error"
    assert page.described_by("skin_type").startswith("Some lasers can harm darker skin")
    # the good choices are kept and not marked
    assert f'<option value="{people.doctor.doctor_profile.id}" selected>Dr. Helpful Form' in html
    assert "aria-invalid" not in page.by_id["doctor_id"]
    assert 'name="concern"' in html and page.by_id["concern"]["value"] == form_data()["concern"]
    assert db.session.query(ConsultationRequest).count() == 0


def test_no_doctor_and_no_specialty_points_at_the_doctor_select(browser, people):
    browser.login(people.requester)
    page, html = _sent_back(browser, FORM, form_data(skin_type="IV"))
    check_helpful_errors(page, {"doctor_id": "Choose a doctor, or any verified doctor of a specialty."})
    assert page.by_id["doctor_id"]["aria-describedby"] == "doctor_id-error"
    assert '<option value="IV" selected>IV</option>' in html  # kept


def test_a_refused_photo_is_linked_to_the_file_input(browser, people):
    browser.login(people.requester)
    page, _html = _sent_back(browser, FORM, form_data(people.doctor, photos=[(b"not a picture", "notes.txt")]))
    [(target, message)] = page.summary
    assert target == "photos" and page.by_id["photos"]["tag"] == "input"
    assert page.by_id["photos"]["aria-invalid"] == "true"
    assert message in page.described_by("photos")
    assert page.described_by("photos").startswith("Location and camera data are removed")


def test_a_form_without_mistakes_marks_nothing(browser, people):
    browser.login(people.requester)
    page = Page(browser.get(FORM).get_data(as_text=True))
    assert page.summary_attrs is None
    assert not [i for i, attrs in page.by_id.items() if "aria-invalid" in attrs]


@pytest.fixture
def accepted(people):
    consultation = make_request(people.requester, people.doctor)
    set_status(consultation, ConsultationStatus.ACCEPTED)
    return consultation


def test_proposing_a_time_without_a_date_links_to_the_date_field(browser, people, accepted):
    browser.login(people.doctor)
    page, html = _sent_back(browser, f"/consultations/{accepted.id}/messages",
                            {"decision": "schedule", "scheduled_time": "17:30", "body": "Does this suit you?"})
    assert page.summary == [("scheduled_date", "Give the date and the time you propose.")]
    check_helpful_errors(page, {"scheduled_date": "Give the date and the time you propose."})
    no_raw_wording(html)
    assert page.by_id["scheduled_time"]["value"] == "17:30" and "aria-invalid" not in page.by_id["scheduled_time"]
    assert page.text_of["body"] == "Does this suit you?"
    assert 'name="decision" value="schedule" checked' in html


def test_a_proposed_time_in_an_unknown_zone_is_refused_not_read_as_utc(browser, people, accepted):
    browser.login(people.doctor)
    page, html = _sent_back(browser, f"/consultations/{accepted.id}/messages",
                            {"decision": "schedule", "scheduled_date": "2099-06-01", "scheduled_time": "17:30",
                             "time_zone": "Atlantis/Capital", "body": "Does this suit you?"})
    assert [message for _target, message in page.summary] == ["Choose your time zone from the list."]
    assert page.by_id["scheduled_time"]["value"] == "17:30" and page.text_of["body"] == "Does this suit you?"
    assert accepted.scheduled_for is None


def test_a_decision_error_links_to_the_first_choice_and_describes_the_group(browser, people, accepted):
    browser.login(people.doctor)
    page, html = _sent_back(browser, f"/consultations/{accepted.id}/messages",
                            {"decision": "", "scheduled_date": "2099-06-01", "scheduled_time": "17:30",
                             "body": "See you"})
    message = "Choose “Propose a time” to send the time you entered, or clear it."
    assert page.summary == [("decision-message", message)]
    assert page.by_id["decision-message"]["type"] == "radio"
    assert re.search(r'<fieldset class="field has-error" aria-describedby="decision-error"><legend>What would', html)
    assert page.text_of["decision-error"].strip() == message


def test_a_refused_move_on_the_old_routes_is_told_at_the_message_box(browser, people):
    consultation = make_request(people.requester, people.doctor)
    browser.login(people.doctor)
    page, _html = _sent_back(browser, f"/consultations/{consultation.id}/decline", {"message": ""})
    check_helpful_errors(page, {"body": "Tell the member briefly why you decline."})


def test_the_inbox_shows_when_a_request_was_sent_on_each_viewers_clock(browser, new_browser, people):
    consultation = make_request(people.requester, people.doctor)
    consultation.created_at = datetime(2099, 3, 1, 20, 15)  # stored as UTC
    db.session.commit()
    browser.login(people.requester)
    doctor = new_browser()
    doctor.login(people.doctor)
    assert "02 Mar 2099, 05:15 Asia/Tokyo" in browser.get("/consultations").get_data(as_text=True)
    doctor_html = doctor.get("/consultations").get_data(as_text=True)
    assert "01 Mar 2099, 12:15 America/Los_Angeles" in doctor_html and "2099-03-01" not in doctor_html
