"""Doctor applications, the moderators' verification pages and public doctor profiles."""
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from forum import clock
from forum.extensions import db
from forum.models import DoctorProfile, ModerationLog, Notification, VerificationStatus
from forum.text import slugify
from tests.factories import application_data, make_doctor, make_moderator, make_user
from tests.web.html import field_errors, flashes, text

MOD_PAGES = ["/mod", "/mod/applications", "/mod/log"]


def profiles() -> list[DoctorProfile]:
    return db.session.query(DoctorProfile).all()


def profile_url(profile: DoctorProfile) -> str:
    return f"/doctors/{profile.id}/{slugify(profile.full_name)}"


def verify_form(**overrides) -> dict:
    data = {"decision": "verify", "reason": "Checked on the board's register",
            "license_source": "https://board.example.org/lookup",
            "license_expires_on": (clock.now().date() + timedelta(days=400)).isoformat(),
            "board_source": "https://abd.example.org/verify"}
    data.update(overrides)
    return data


# ---- applying ----

def test_a_member_applies_as_a_doctor_and_sees_the_application_pending(browser, client):
    user = make_user()
    browser.login(user)
    data = application_data(full_name="Dr. Ada Example", website="")
    response = browser.post_form("/doctor/apply", data)
    assert response.status_code == 303 and response.headers["Location"] == "/doctor/apply"
    page = client.get("/doctor/apply").get_data(as_text=True)
    assert "Application received" in flashes(page)[0]
    assert re.search(r"Your application: <strong>pending</strong>", page)
    assert 'action="/doctor/apply"' not in page  # no second application while pending
    (profile,) = profiles()
    assert (profile.user_id, profile.full_name, profile.status) == (user.id, "Dr. Ada Example",
                                                                    VerificationStatus.PENDING)
    assert profile.website is None


def test_a_pending_doctor_sees_pending_on_the_application_page(browser, client):
    browser.login(make_doctor(status=VerificationStatus.PENDING))
    section = re.search(r'data-testid="application-status">(.*?)</section>',
                        client.get("/doctor/apply").get_data(as_text=True), re.S).group(1)
    assert "<strong>pending</strong>" in section


@pytest.mark.parametrize("change, field, message", [
    ({"full_name": ""}, "full_name", "Enter your full name"),
    ({"specialty": "astrology"}, "specialty", None),
    ({"license_number": ""}, "license_number", "Enter your license number"),
    ({"country": "X"}, "country", "Use between 2 and 80 characters"),
    ({"website": "javascript:alert(1)"}, "website",
     "Enter a web address starting with https://, like https://www.example.com"),
])
def test_each_application_mistake_is_shown_at_its_field(browser, change, field, message):
    browser.login(make_user())
    response = browser.post_form("/doctor/apply", application_data(**change))
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True))
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert profiles() == []


def test_a_pending_doctor_cannot_send_a_second_application(browser):
    doctor = make_doctor(status=VerificationStatus.PENDING, full_name="Dr. First Try")
    browser.login(doctor)
    response = browser.post_form("/doctor/apply", application_data(full_name="Dr. Second Try"))
    assert response.status_code == 403
    assert [p.full_name for p in profiles()] == ["Dr. First Try"]


def test_a_rejected_doctor_sees_the_reason_and_may_apply_again(browser, client):
    doctor = make_doctor(status=VerificationStatus.REJECTED, decision_reason="License not in the register")
    browser.login(doctor)
    page = text(client.get("/doctor/apply"))
    assert "rejected" in page and "License not in the register" in page
    assert browser.post_form("/doctor/apply", application_data()).status_code == 303
    assert profiles()[0].status == VerificationStatus.PENDING


def test_a_visitor_is_sent_to_log_in_before_applying(client):
    response = client.get("/doctor/apply")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# ---- verification by a moderator ----

def test_a_moderator_verifies_an_application_and_the_public_profile_shows_the_ledger(
        browser, new_browser, client, frozen_clock):
    applicant = make_doctor(status=VerificationStatus.PENDING, full_name="Dr. Ada Example",
                            license_number="CA-A12345", license_region="Medical Board of California")
    profile = applicant.doctor_profile
    moderator = new_browser()
    moderator.login(make_moderator(display_name="Mona Moderator"))
    queue = moderator.get("/mod/applications").get_data(as_text=True)
    assert f'href="/mod/applications/{profile.id}"' in queue and "Dr. Ada Example" in queue
    expiry = (clock.now().date() + timedelta(days=400)).isoformat()
    response = moderator.post_form(f"/mod/applications/{profile.id}", verify_form(license_expires_on=expiry))
    assert response.status_code == 303 and response.headers["Location"] == "/mod/applications"
    assert "Nothing waiting." in moderator.get("/mod/applications").get_data(as_text=True)

    public = client.get(profile_url(profile))
    assert public.status_code == 200
    page = text(public)
    assert 'data-testid="verified-badge"' in page
    today, until = (format_date(d, "medium", locale="en") for d in (clock.now().date(), date.fromisoformat(expiry)))
    assert (f"License CA-A12345 (Medical Board of California) checked against "
            f"https://board.example.org/lookup on {today}, valid until {until}") in page  # "Dec 3, 2026"
    assert "Board certification American Board of Dermatology" in page

    browser.login(applicant)
    notes = text(browser.get("/notifications"))
    assert "you are now a verified doctor" in notes
    log = text(moderator.get("/mod/log"))
    assert "doctor.verify" in log and "Mona Moderator" in log


def test_a_moderator_rejects_an_application_with_a_reason(browser, new_browser):
    applicant = make_doctor(status=VerificationStatus.PENDING)
    profile = applicant.doctor_profile
    browser.login(make_moderator())
    response = browser.post_form(f"/mod/applications/{profile.id}",
                                 {"decision": "reject", "reason": "License number not found"})
    assert response.status_code == 303
    db.session.refresh(profile)
    assert profile.status == VerificationStatus.REJECTED
    assert profile.decision_reason == "License number not found"
    assert db.session.query(ModerationLog).one().action == "doctor.reject"
    assert "License number not found" in db.session.query(Notification).one().message
    assert new_browser().get(profile_url(profile)).status_code == 404


@pytest.mark.parametrize("form, field", [
    ({"decision": "verify", "reason": "Looks fine"}, "license_source"),
    (verify_form(license_expires_on="2020-01-31"), "license_expires_on"),
    (verify_form(board_expires_on="2020-01-31"), "board_expires_on"),
    ({"decision": "reject", "reason": ""}, "reason"),
    ({"reason": "No decision given"}, "decision"),
])
def test_a_decision_missing_what_was_checked_is_shown_at_its_field(browser, form, field):
    profile = make_doctor(status=VerificationStatus.PENDING).doctor_profile
    browser.login(make_moderator())
    response = browser.post_form(f"/mod/applications/{profile.id}", form)
    assert response.status_code == 422
    assert field in field_errors(response.get_data(as_text=True))
    db.session.refresh(profile)
    assert profile.status == VerificationStatus.PENDING
    assert db.session.query(ModerationLog).count() == 0


def test_deciding_an_already_decided_application_is_a_conflict(browser):
    profile = make_doctor().doctor_profile
    browser.login(make_moderator())
    response = browser.post_form(f"/mod/applications/{profile.id}", verify_form(),
                                 token_from="/mod")
    assert response.status_code == 409
    assert "already verified" in text(response)


def test_a_moderator_cannot_verify_their_own_application(browser):
    moderator = make_doctor(status=VerificationStatus.PENDING, user=make_moderator())
    profile = moderator.doctor_profile
    browser.login(moderator)
    assert 'name="decision"' not in browser.get(f"/mod/applications/{profile.id}").get_data(as_text=True)
    response = browser.post_form(f"/mod/applications/{profile.id}", verify_form(), token_from="/mod")
    assert response.status_code == 403
    db.session.refresh(profile)
    assert profile.status == VerificationStatus.PENDING


def test_a_missing_application_is_not_found(browser):
    browser.login(make_moderator())
    assert browser.get("/mod/applications/987654").status_code == 404


# ---- who reaches the moderation pages ----

@pytest.mark.parametrize("who", ["member", "pending doctor", "rejected doctor", "verified doctor"])
@pytest.mark.parametrize("path", MOD_PAGES)
def test_only_moderators_reach_the_moderation_pages(browser, who, path):
    users = {"member": make_user, "pending doctor": lambda: make_doctor(status=VerificationStatus.PENDING),
             "rejected doctor": lambda: make_doctor(status=VerificationStatus.REJECTED),
             "verified doctor": make_doctor}
    browser.login(users[who]())
    response = browser.get(path)
    assert response.status_code == 403
    assert "You are not allowed to do that." in text(response)


@pytest.mark.parametrize("who", ["member", "pending doctor", "rejected doctor"])
def test_non_moderators_cannot_open_or_decide_an_application(browser, who):
    actor = {"member": make_user, "pending doctor": lambda: make_doctor(status=VerificationStatus.PENDING),
             "rejected doctor": lambda: make_doctor(status=VerificationStatus.REJECTED)}[who]()
    profile = make_doctor(status=VerificationStatus.PENDING).doctor_profile
    browser.login(actor)
    assert browser.get(f"/mod/applications/{profile.id}").status_code == 403
    response = browser.post_form(f"/mod/applications/{profile.id}", verify_form(), token_from="/")
    assert response.status_code == 403
    db.session.refresh(profile)
    assert profile.status == VerificationStatus.PENDING


@pytest.mark.parametrize("path", MOD_PAGES)
def test_a_visitor_is_sent_to_log_in_for_the_moderation_pages(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", MOD_PAGES)
def test_a_moderator_reaches_the_moderation_pages(browser, path):
    browser.login(make_moderator())
    assert browser.get(path).status_code == 200


# ---- public profiles ----

def test_a_wrong_slug_redirects_permanently_to_the_canonical_one(client):
    profile = make_doctor(full_name="Dr. Zoë Ñúñez").doctor_profile
    for path in (f"/doctors/{profile.id}/someone-else", f"/doctors/{profile.id}"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"] == f"/doctors/{profile.id}/dr-zoe-nunez"
    assert client.get(f"/doctors/{profile.id}/dr-zoe-nunez").status_code == 200


@pytest.mark.parametrize("status", [VerificationStatus.PENDING, VerificationStatus.REJECTED])
def test_an_unverified_applicants_profile_is_not_found_to_visitors_and_members(
        browser, client, status):
    profile = make_doctor(status=status).doctor_profile
    assert client.get(profile_url(profile)).status_code == 404
    assert client.get(f"/doctors/{profile.id}/wrong-slug").status_code == 404  # no redirect leaks the name
    browser.login(make_user())
    assert client.get(profile_url(profile)).status_code == 404


def test_a_doctor_that_does_not_exist_is_not_found(client):
    assert client.get("/doctors/987654/anyone").status_code == 404


def test_a_doctor_whose_license_expired_is_shown_as_lapsed(client, frozen_clock):
    doctor = make_doctor(license_expires_on=frozen_clock.current.date() + timedelta(days=1))
    frozen_clock.advance(days=2)
    page = client.get(profile_url(doctor.doctor_profile)).get_data(as_text=True)
    assert 'data-testid="lapsed-badge"' in page
    assert 'data-testid="verified-badge"' not in page


def test_the_directory_lists_verified_doctors_only(client):
    verified = make_doctor(full_name="Dr. Vera Verified")
    make_doctor(status=VerificationStatus.PENDING, full_name="Dr. Penny Pending")
    page = client.get("/doctors").get_data(as_text=True)
    assert "Dr. Vera Verified" in page and profile_url(verified.doctor_profile) in page
    assert "Dr. Penny Pending" not in page


def test_a_verified_doctors_own_page_links_to_the_canonical_profile(browser, client):
    doctor = make_doctor(full_name="Dr. Ada Example", license_expires_on=date(2099, 1, 1))
    browser.login(doctor)
    page = client.get("/doctor/apply").get_data(as_text=True)
    assert f'href="{profile_url(doctor.doctor_profile)}"' in page
