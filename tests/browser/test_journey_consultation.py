"""The consultation journey in a real browser: a visitor asks a verified doctor for a private
consultation from the doctor's profile, attaches a photo, logs in half-way and finds the form
as they left it (the photo kept) and sends it; the doctor accepts and proposes a time on their
own clock in the one Respond form; the member sees it on theirs."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.browser.test_journeys_accounts import expect, nav
from tests.factories import PASSWORD, make_doctor, make_user

pytestmark = pytest.mark.browser

CONCERN = "Enlarged pores on the nose and cheeks"
DESCRIPTION = "My pores look larger every year and make-up settles into them by midday."
HISTORY = "No current medications; not pregnant."


def test_visitor_requests_a_consultation_logs_in_and_the_doctor_schedules_it(new_context, live_server, tmp_path,
                                                                               monkeypatch, screenshot):
    monkeypatch.setitem(live_server.app.config, "PHOTO_DIR", str(tmp_path / "photos"))  # not the instance folder
    with live_server.app_context():
        member = make_user(display_name="Paula Pores")
        doctor = make_doctor(full_name="Dr. Journey Dermatologist")
        member_email, doctor_email, profile_id = member.email, doctor.email, doctor.doctor_profile.id
    photo = tmp_path / "nose.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (210, 160, 140)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    # A visitor finds the doctor and starts a request: that doctor is already chosen.
    page = new_context(timezone_id="America/New_York").new_page()
    page.goto(f"/doctors/{profile_id}")
    page.get_by_role("link", name="Request a private consultation").click()
    expect(page.get_by_role("heading", name="Request a private virtual consultation")).to_be_visible()
    expect(page.get_by_label("Doctor", exact=True)).to_have_value(str(profile_id))
    page.get_by_label("Your concern and the area").fill(CONCERN)
    page.get_by_label("Describe what you would like to change").fill(DESCRIPTION)
    page.get_by_label("Relevant history").fill(HISTORY)
    page.get_by_label("Skin type").select_option("IV")
    page.get_by_label("Preferred contact").select_option("video call")
    page.get_by_label("Photos (optional").set_input_files(str(photo))
    page.get_by_role("button", name="Send private request").click()

    # ... is asked to log in ...
    expect(page).to_have_url(re.compile(r"/login\?next=/consultations/new$"))
    expect(page.get_by_role("status").first).to_contain_text("What you wrote is kept")
    page.get_by_label("E-mail").fill(member_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # ... and is back on the form with everything they wrote.
    expect(page).to_have_url(re.compile(r"/consultations/new$"))
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_label("Doctor", exact=True)).to_have_value(str(profile_id))
    expect(page.get_by_label("Your concern and the area")).to_have_value(CONCERN)
    expect(page.get_by_label("Describe what you would like to change")).to_have_value(DESCRIPTION)
    expect(page.get_by_label("Relevant history")).to_have_value(HISTORY)
    expect(page.get_by_label("Skin type")).to_have_value("IV")
    expect(page.get_by_label("Preferred contact")).to_have_value("video call")
    session_cookie = {c["name"]: c for c in page.context.cookies()}["__Host-session"]["value"]
    assert "pores" not in session_cookie.lower()

    expect(page.get_by_test_id("kept-photos")).to_contain_text("1 photo you chose before logging in is kept")
    page.get_by_label("I agree to share this information").check()
    page.get_by_role("button", name="Send private request").click()
    expect(page).to_have_url(re.compile(r"/consultations/[0-9a-f]{32}$"))
    expect(page.get_by_role("status").first).to_contain_text("Only you and the doctor can see it")
    expect(page.get_by_test_id("consultation-status")).to_have_text("submitted")
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()
    expect(page.get_by_test_id("consultation-photo")).to_have_count(1)
    assert page.get_by_test_id("consultation-photo").evaluate("img => img.naturalWidth") == 120
    request_url = page.url
    assert len(list((tmp_path / "photos").iterdir())) == 1

    # The doctor finds it in their inbox, accepts it and proposes a time.
    doctor_page = new_context(timezone_id="Europe/Paris").new_page()
    doctor_page.goto("/login")
    doctor_page.get_by_label("E-mail").fill(doctor_email)
    doctor_page.get_by_label("Password").fill(PASSWORD)
    doctor_page.get_by_role("button", name="Log in").click()
    expect(nav(doctor_page).get_by_role("button", name="Log out")).to_be_visible()
    nav(doctor_page).get_by_role("link", name="Consultations").click()
    row = doctor_page.get_by_test_id("consultation-row").filter(has_text=CONCERN)
    expect(row).to_contain_text("new")
    row.get_by_role("link", name=CONCERN).click()
    expect(doctor_page).to_have_url(request_url)
    expect(doctor_page.locator("textarea")).to_have_count(1)  # one message box on the page
    doctor_page.get_by_label("Accept the request").check()
    doctor_page.get_by_label("Message to the member").fill("Happy to look at this with you.")
    doctor_page.get_by_role("button", name="Send").click()
    expect(doctor_page.get_by_test_id("consultation-status")).to_have_text("accepted")
    # No zone set yet: the browser's own (Europe/Paris in this context) is offered, then remembered.
    expect(doctor_page.get_by_label("Your time zone")).to_have_value("Europe/Paris")
    doctor_page.get_by_label("Propose a time").check()
    doctor_page.get_by_label("Date", exact=True).fill("2099-06-01")
    doctor_page.get_by_label("Time", exact=True).fill("17:30")
    doctor_page.get_by_role("button", name="Send").click()
    expect(doctor_page.get_by_test_id("consultation-status")).to_have_text("scheduled")
    expect(doctor_page.get_by_test_id("scheduled-for")).to_have_text("Monday 01 June 2099, 17:30 Europe/Paris")

    # The member (whose browser's zone was taken when they sent the request) reloads and sees
    # the new status and the proposed time on their own clock.
    page.reload()
    expect(page.get_by_test_id("consultation-status")).to_have_text("scheduled")
    expect(page.get_by_test_id("scheduled-for")).to_have_text("Monday 01 June 2099, 11:30 America/New_York")
    expect(page.get_by_text("Happy to look at this with you.")).to_be_visible()
    screenshot(page, "consultation-scheduled")

    # Someone else, logged in or not, finds nothing there.
    stranger = new_context().new_page()
    response = stranger.goto(request_url)
    assert response.status == 404 and response.headers["cache-control"] == "no-store"
    expect(stranger.get_by_text(DESCRIPTION)).to_have_count(0)
