"""The review journey in a real browser: a member whose private consultation with a doctor was
completed reviews that doctor from the profile, with what they paid and a described photo; the
profile shows the review as "Verified patient", and the treatment page's box of what patients
paid appears once this fifth cost report is published (four others written through the service).

Needs the review pages (helper HW's branch `hw`: /doctors/<id>/reviews/new and the profile's
review list) merged."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image

from forum import clock
from tests.browser.test_journeys_accounts import expect, log_in
from tests.factories import make_doctor, make_reviewer, make_treatment, review_data

pytestmark = pytest.mark.browser

TREATMENT = "journey-peel"
BODY = ("The peel stung for a minute or two and my cheeks flaked for three days. "
        "Two weeks on the rough patches are smoother and make-up sits better.")


def _history(doctor_name: str) -> dict:
    """The doctor, the member's completed consultation with them, and four other patients' reviews."""
    from forum.services import consultations, reviews

    make_treatment(TREATMENT, "Journey peel")
    doctor, member = make_doctor(full_name=doctor_name), make_reviewer(display_name="Rita Reviewer")
    profile_id = doctor.doctor_profile.id
    asked = consultations.request_consultation(
        member, doctor_id=profile_id, consent=True, concern="Rough patches on the cheeks",
        description="Rough, uneven patches on both cheeks for a few years.", contact_method="video call")
    for action, when in (("accept", None), ("schedule", clock.now() + timedelta(days=1)), ("complete", None)):
        consultations.transition(doctor, consultation_id=asked.id, action=action, scheduled_for=when)
    for amount in (300, 350, 420, 500):
        reviews.create_review(make_reviewer(), profile_id, review_data(treatment=TREATMENT, cost_amount=amount))
    return {"member": member.email, "profile_id": profile_id}


def _photo(tmp_path) -> str:
    path = tmp_path / "cheek.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), (215, 170, 150)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_verified_patient_reviews_their_doctor_and_the_fifth_cost_report_shows_the_box(
        new_context, live_server, tmp_path, monkeypatch, screenshot):
    monkeypatch.setitem(live_server.app.config, "PHOTO_DIR", str(tmp_path / "photos"))
    with live_server.app_context():
        made = _history("Dr. Journey Reviewed")

    visitor = new_context().new_page()
    visitor.goto(f"/treatments/{TREATMENT}")
    expect(visitor.get_by_role("heading", name="Journey peel", exact=True)).to_be_visible()
    expect(visitor.get_by_test_id("patient-costs")).to_have_count(0)  # four reports say too little

    page = new_context().new_page()
    log_in(page, email=made["member"])
    page.goto(f"/doctors/{made['profile_id']}")
    page.get_by_test_id("write-review").click()
    expect(page.get_by_role("heading", name="Review Dr. Journey Reviewed")).to_be_visible()
    page.get_by_label("5 stars: excellent").check()
    page.get_by_role("group", name="Was it worth it?").get_by_label("Yes").check()
    page.get_by_label("Treatment").select_option(TREATMENT)
    last_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    page.get_by_label("When you had it (month)").fill(last_month)
    page.get_by_label("Amount, whole number").fill("380")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("City (optional)").fill("Springfield")
    page.get_by_label("Your review").fill(BODY)
    page.get_by_label("Photo 1", exact=True).set_input_files(_photo(tmp_path))
    page.get_by_label("Description of photo 1").fill("Left cheek two weeks after the peel")
    page.get_by_label("I agree that my photos are shown publicly").check()
    page.get_by_role("button", name="Publish review").click()

    expect(page).to_have_url(re.compile(rf"/doctors/{made['profile_id']}/[a-z0-9-]+(\?.*)?#review-\d+$"))
    review = page.locator("article.review").filter(has_text="make-up sits better")
    expect(review.get_by_test_id("verified-patient")).to_have_text("Verified patient")
    expect(review.get_by_test_id("cost")).to_contain_text("380 USD")
    expect(review.get_by_role("img", name="Left cheek two weeks after the peel")).to_have_count(1)
    expect(page.get_by_test_id("review-count")).to_have_text("5 reviews")
    screenshot(page, "review-published")

    visitor.reload()
    box = visitor.get_by_test_id("patient-costs")
    expect(box).to_be_visible()
    expect(box.get_by_role("heading", name="What patients here reported paying")).to_be_visible()
    expect(box).to_contain_text("not checked by the site")
    expect(box).to_contain_text("Reported by 5 patients paying in USD: median USD 380, from USD 300 to USD 500")
    screenshot(visitor, "treatment-patient-costs")
