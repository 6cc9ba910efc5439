"""Mobile-first layout: every main page at 320, 390, 768 and 1280 px without sideways scrolling,
and a header menu that is a <details> button on a phone with touch targets of at least 44 px.

One browser context per kind of person; each page is loaded once and resized through the widths
(media queries apply on resize), so the whole sweep stays quick on a slow CI machine."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.config import ROOT
from forum.extensions import db
from forum.models import Article, ArticleStatus, Treatment
from forum.services import answers as answer_service
from forum.services import questions as question_service
from forum.services import reviews
from forum.services.seed import load_seed
from tests.browser.test_journeys_accounts import expect, log_in, nav
from tests.factories import make_doctor, make_moderator, make_reviewer, make_user, review_data
from tests.services.test_consultations import image_bytes

pytestmark = pytest.mark.browser
WIDTHS = (320, 390, 768, 1280)
TOUCH_PX = 44
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
LONG_LINE = "python -c 'print(" + "x" * 140 + ")'"

# Sideways overflow and, if there is any, the element reaching furthest right that is not
# inside a box of its own that scrolls or clips (a table in its scroll wrapper is fine).
OVERFLOW_JS = """() => {
  const root = document.documentElement, limit = window.innerWidth;
  if (root.scrollWidth <= limit) return null;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  let worst = null, right = limit;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5 && !clipped(el)) { right = r.right; worst = el; }
  }
  const classes = (el) => typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const name = worst ? worst.tagName.toLowerCase() + (worst.id ? '#' + worst.id : '') + classes(worst) +
    ' "' + (worst.textContent || '').trim().slice(0, 40) + '"' : '(none found)';
  return {scrollWidth: root.scrollWidth, innerWidth: limit, widest: name, right: Math.round(right)};
}"""

# Every visible link, button and summary in the header and the footer's menu, with its height.
TARGETS_JS = """() => [...document.querySelectorAll('header a, header button, header summary, footer nav a')]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map((el) => ({name: (el.textContent || '').trim().replace(/\\s+/g, ' '),
                 height: el.getBoundingClientRect().height}))"""


@pytest.fixture(scope="module")
def site(live_server):
    """Seeded reference content plus one question with a doctor's answer, and the people to sign in."""
    with live_server.app_context():
        load_seed(ROOT / "seed")
        member = make_user(display_name="Lay Outtester")
        doctor = make_doctor(full_name="Dr. Wren Fictional-Longname-Example", topics=[])
        moderator = make_moderator(display_name="Mo Layout")
        menu_tester = make_moderator(display_name="Mo Menu")  # a second log-in: a TOTP code is used once
        asked = question_service.ask_question(
            member, title=f"Will microneedling help with {LONG_WORD}?",
            body=f"My pores look large. {LONG_WORD}\n\n```\n{LONG_LINE}\n```", topics=["enlarged-pores"],
            treatments=[])
        answer_service.post_answer(
            doctor, question_id=asked.question.id,
            body=f"Often it helps a little. See https://example.org/{'a-very-long-path/' * 8}for details.")
        treatment = db.session.scalars(select(Treatment).order_by(Treatment.slug)).first()
        pictured = _patients_voice(doctor, treatment)
        article = db.session.scalars(select(Article).where(Article.status == ArticleStatus.PUBLISHED)
                                     .order_by(Article.slug)).first()
        return {
            "member": member.email, "moderator": moderator.email, "menu_tester": menu_tester.email,
            "public": ["/", "/questions", f"/questions/{asked.question.id}", "/topics", "/topics/enlarged-pores",
                       "/treatments", f"/treatments/{treatment.slug}", "/articles", f"/articles/{article.slug}",
                       "/doctors", f"/doctors/{doctor.doctor_profile.id}", "/search?q=pores", "/login", "/register",
                       f"/questions/{pictured}"],
            "member_pages": ["/questions/ask", "/notifications", "/account", "/consultations", "/account/reviews",
                             f"/doctors/{doctor.doctor_profile.id}/reviews/new"],
            "moderator_pages": ["/mod", "/mod/style", "/mod/reviews"],
        }


def _patients_voice(doctor, treatment) -> int:
    """Five reviews of the doctor with costs (the treatment page's patient-cost box) and photos,
    and a question with a photo; returns that question's id."""
    photo = reviews.PhotoUpload(image_bytes(size=(1600, 900)), "cheek.jpg", f"Cheek after the peel {LONG_WORD}")
    for cost in (380, 420, 450, 500, 520):
        reviews.create_review(make_reviewer(), doctor.doctor_profile.id, review_data(
            treatment=treatment.slug, cost_amount=cost, city="Llanfairpwllgwyngyll", photo_consent=True,
            body=f"It took two sessions and a day of redness each time. {LONG_WORD}"), [photo])
    return question_service.ask_question(
        make_reviewer(), title="Are these spots on my cheek freckles or sun damage?", topics=["enlarged-pores"],
        body="They appeared over the summer.", treatments=[], photos=[photo], photo_consent=True).question.id


def sweep(page, paths: list[str]) -> list[str]:
    """Load each page once, resize it through WIDTHS, and list every width that scrolls sideways."""
    problems = []
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
        response = page.goto(path)
        assert response is not None and response.ok, f"{path} answered {response and response.status}"
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                problems.append(f"{path} at {width} px is {overflow['scrollWidth']} px wide; widest element: "
                                f"{overflow['widest']} (right edge {overflow['right']} px)")
    return problems


def signed_in(new_context, email: str):
    page = new_context().new_page()
    log_in(page, email=email)
    return page


def test_public_pages_never_scroll_sideways(page, site):
    problems = sweep(page, site["public"])
    assert not problems, "sideways scrolling:\n" + "\n".join(problems)


def test_member_pages_never_scroll_sideways(new_context, site):
    problems = sweep(signed_in(new_context, site["member"]), site["member_pages"] + ["/"])
    assert not problems, "sideways scrolling:\n" + "\n".join(problems)


def test_moderator_pages_never_scroll_sideways(new_context, site):
    problems = sweep(signed_in(new_context, site["moderator"]), site["moderator_pages"])
    assert not problems, "sideways scrolling:\n" + "\n".join(problems)


def assert_touch_targets(page, width: int) -> None:
    small = [t for t in page.evaluate(TARGETS_JS) if t["height"] < TOUCH_PX - 0.5]
    assert not small, f"header and footer touch targets under {TOUCH_PX} px at {width} px: {small}"


def test_on_a_phone_the_menu_is_a_details_button_that_opens(new_context, site):
    page = signed_in(new_context, site["menu_tester"])  # the longest menu: staff links and log out
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/questions")
    menu = page.locator("header details.menu")
    summary = menu.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_text("Menu")
    expect(nav(page)).to_be_hidden()
    assert_touch_targets(page, 390)
    header_height = page.locator("header").bounding_box()["height"]
    assert header_height <= 80, f"the closed header takes {header_height} px at 390 px"

    summary.click()
    expect(menu).to_have_attribute("open", "")
    for name in ("Questions", "Doctors", "Moderation", "Notifications"):
        expect(nav(page).get_by_role("link", name=name)).to_be_visible()
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()
    assert_touch_targets(page, 390)
    nav(page).get_by_role("link", name="Doctors").click()
    expect(page).to_have_url(re.compile(r"/doctors$"))


def test_on_a_wide_screen_the_nav_shows_inline_without_a_menu_button(new_context, site):
    page = signed_in(new_context, site["member"])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    expect(page.locator("header summary")).to_be_hidden()
    expect(nav(page).get_by_role("link", name="Questions")).to_be_visible()
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()
    assert_touch_targets(page, 1280)


def test_the_skip_link_appears_on_focus_and_moves_to_the_main_content(page, site):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/questions")
    skip = page.get_by_role("link", name="Skip to main content")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/questions#main$"))
    expect(page.locator("main#main")).to_be_focused()



def test_the_phone_menu_works_without_javascript(chromium, live_server, site):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False,
                                   viewport={"width": 320, "height": 700})
    try:
        page = context.new_page()
        page.goto("/treatments")
        expect(nav(page)).to_be_hidden()
        page.locator("header summary").click()
        nav(page).get_by_role("link", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/login$"))
    finally:
        context.close()
