"""Account journeys in a real browser: join, log in and out; apply as a doctor and get verified."""
from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pyotp
import pytest
from babel.dates import format_date

from tests.factories import PASSWORD, TOTP_SECRET, make_moderator

pytestmark = pytest.mark.browser
_people = itertools.count(1)


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def nav(page):
    return page.get_by_role("navigation", name="Main")


def register(page, *, email: str, display_name: str, password: str = PASSWORD) -> None:
    page.goto("/")
    nav(page).get_by_role("link", name="Join").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password").fill(password)
    page.get_by_label("I am 18 or older").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status").first).to_contain_text("your account is ready")


def log_in(page, *, email: str, password: str = PASSWORD) -> None:
    if not page.url.endswith("/login"):
        page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    logged_in = nav(page).get_by_role("button", name="Log out")
    code_step = page.get_by_role("textbox", name="Code", exact=True)
    expect(logged_in.or_(code_step)).to_be_visible()
    if code_step.is_visible():  # staff are made with two-factor on (tests.factories.TOTP_SECRET)
        code_step.fill(pyotp.TOTP(TOTP_SECRET).now())
        page.get_by_role("button", name="Verify").click()
    expect(logged_in).to_be_visible()


def new_person(label: str) -> tuple[str, str]:
    n = next(_people)
    return f"{label}.{n}@example.test", f"{label.capitalize()} Person {n}"


def test_visitor_registers_logs_in_and_logs_out(page, live_server, screenshot):
    email, name = new_person("visitor")
    register(page, email=email, display_name=name)
    log_in(page, email=email)

    expect(nav(page).get_by_role("link", name=name)).to_be_visible()
    session = {c["name"]: c for c in page.context.cookies()}.get("__Host-session")
    assert session is not None, "Chromium refused the __Host-session cookie on http://127.0.0.1"
    assert session["secure"] and session["httpOnly"] and session["path"] == "/"

    page.reload()  # the session cookie is sent back: still logged in
    expect(nav(page).get_by_role("link", name=name)).to_be_visible()

    nav(page).get_by_role("button", name="Log out").click()
    expect(nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(nav(page).get_by_role("link", name=name)).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text("logged out")
    screenshot(page, "accounts-register-login-logout")
    page.goto("/account")  # the old session is gone
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_member_applies_as_doctor_and_moderator_verifies(new_context, live_server, screenshot):
    # The moderator exists only in the server's database (staff come from the command line).
    with live_server.app_context():
        moderator_email = make_moderator(display_name="Mo Derator").email

    doctor = new_context().new_page()
    email, name = new_person("doctor")
    register(doctor, email=email, display_name=name)
    log_in(doctor, email=email)

    nav(doctor).get_by_role("link", name="Apply as a doctor").click()
    expect(doctor.get_by_role("heading", name="Apply as a doctor")).to_be_visible()
    full_name = f"Dr. Ada Lovelace-{next(_people)}"
    doctor.get_by_label("Full name").fill(full_name)
    doctor.get_by_label("Credentials").fill("MD, FAAD")
    doctor.get_by_label("Specialty").select_option(label="Dermatology")
    doctor.get_by_label("Board certification").fill("American Board of Dermatology")
    doctor.get_by_label("License number").fill("MD-123456")
    doctor.get_by_label("License issuing region or board").fill("Demo State Medical Board")
    doctor.get_by_label("Practice").fill("Imaginary Skin Clinic")
    doctor.get_by_label("City").fill("Springfield")
    doctor.get_by_label("State or region").fill("Demo State")
    doctor.get_by_label("Country").fill("United States")
    doctor.get_by_label("Website").fill("https://example.org/clinic")
    doctor.get_by_label("Short bio").fill("Board-certified dermatologist. **Fictional**, for tests.")
    doctor.get_by_role("button", name="Send application").click()
    expect(doctor.get_by_role("status").first).to_contain_text("Application received")
    expect(doctor.get_by_test_id("application-status")).to_contain_text("pending")
    expect(doctor.get_by_test_id("verified-badge")).to_have_count(0)

    moderator = new_context().new_page()
    log_in(moderator, email=moderator_email)
    moderator.goto("/mod/applications")
    expect(moderator.get_by_role("heading", name="Doctor applications")).to_be_visible()
    moderator.get_by_role("link", name=re.compile(re.escape(full_name))).click()
    expect(moderator.get_by_role("heading", name=re.compile(re.escape(full_name)))).to_be_visible()
    moderator.get_by_role("radio", name="Verify").check()
    moderator.get_by_label("Reason").fill("License found active in the board's register.")
    moderator.get_by_label("License checked against").fill("Demo State Medical Board online register")
    valid_until = date.today() + timedelta(days=365)
    moderator.get_by_label("License valid until").fill(valid_until.isoformat())
    moderator.get_by_role("button", name="Record decision").click()
    expect(moderator.get_by_role("status").first).to_contain_text("Decision recorded")
    expect(moderator.get_by_role("link", name=re.compile(re.escape(full_name)))).to_have_count(0)

    doctor.goto("/doctor/apply")
    expect(doctor.get_by_test_id("application-status")).to_contain_text("verified")
    expect(doctor.get_by_test_id("verified-badge")).to_be_visible()
    doctor.get_by_role("link", name="See your public profile").click()
    expect(doctor.get_by_role("heading", level=1)).to_contain_text(full_name)
    expect(doctor.get_by_test_id("verified-badge")).to_be_visible()
    expect(doctor.get_by_text("checked against Demo State Medical Board online register")).to_be_visible()
    expect(doctor.get_by_text(f"valid until {format_date(valid_until, 'medium', locale='en')}")).to_be_visible()
    screenshot(doctor, "accounts-doctor-verified-profile")
