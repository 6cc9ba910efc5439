"""Forms that help, in a real browser: after a failed submit, focus lands on the error summary (so a
screen reader announces "There is a problem"), and following a link in it puts focus in the field."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def test_focus_lands_on_the_error_summary_and_its_links_reach_the_fields(page, live_server):
    page.goto("/register")
    page.get_by_label("Display name").fill("Quinn Fictional")
    page.get_by_role("button", name="Create account").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter your e-mail address")).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_value("Quinn Fictional")

    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
