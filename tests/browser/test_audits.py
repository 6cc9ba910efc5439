"""Automated audits of the pages people use, signed out and signed in as a member, a doctor and a
moderator: axe-core (accessibility rules, run inside the page) finds no violation of any impact,
and the Nu HTML checker (vnu.jar, on the HTML the server sent) finds no error.

The tools come from npm (package.json at the repository root: `npm ci`), found under
FORUM_NODE_MODULES (default: ./node_modules); the Nu checker also needs `java`. Without them these
tests skip, or fail under FORUM_REQUIRE_BROWSER=1 (CI). One browser and one Java run for all pages:
the crawl happens once per module (`audits`), the tests only read its findings.
"""
from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from forum.config import ROOT
from forum.extensions import db
from forum.models import Article, ArticleStatus, Topic, Treatment, VerificationStatus
from forum.services import answers as answer_service
from forum.services import consultations as consultation_service
from forum.services import following, medical_reviews, members, moderation_content, question_photos
from forum.services import questions as question_service
from forum.services import reviews as review_service
from forum.services.seed import load_seed
from tests.browser.conftest import TIMEOUT_MS, _unavailable
from tests.browser.test_journeys_accounts import expect, log_in, nav
from tests.factories import (
    PASSWORD, TOTP_SECRET, make_doctor, make_moderator, make_reviewer, make_trusted_member, make_user, mint_token,
)
from tests.services.test_consultations import image_bytes

pytestmark = pytest.mark.browser

NODE_MODULES = Path(os.environ.get("FORUM_NODE_MODULES", ROOT / "node_modules"))
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ROLES = ("visitor", "member", "doctor", "moderator")
_sites = itertools.count(1)

# Every rule axe enables by default (WCAG 2.x A and AA, best practices), any impact. Then colour
# contrast again in the dark colour scheme (prefers-color-scheme: dark).
AXE_RUN = """async ([options, label]) => {
    const result = await axe.run(document, options);
    return result.violations.map(v => ({id: v.id + label, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(" "))}));
}"""
AXE_PASSES = ((None, "", {"resultTypes": ["violations"]}),
              ("dark", " (dark scheme)", {"runOnly": ["color-contrast"], "resultTypes": ["violations"]}))


@dataclass
class Audited:
    role: str
    path: str
    status: int
    html: str = field(repr=False)
    violations: list[dict] = field(default_factory=list, repr=False)


@pytest.fixture(scope="module")
def audit_tools():
    """axe.min.js, vnu.jar and java, or a skip (a failure in CI) saying how to get them."""
    for path in (AXE, VNU):
        if not path.is_file():
            _unavailable(f"{path} is missing: run `npm ci` at the repository root (or set FORUM_NODE_MODULES)")
    java = shutil.which("java")
    if java is None:
        _unavailable("java is not installed (apt-get install default-jre-headless): the Nu checker needs it")
    return java


def _first_slug(model, *conditions) -> str:
    return db.session.scalars(select(model.slug).where(*conditions).order_by(model.slug).limit(1)).one()


def _content(n: int) -> dict:
    """A small living site: a question answered by a doctor (with a follow-up and a second doctor
    who disagrees), an open one, a consultation, a flag, a pending doctor application, an API
    token. Returns the people's e-mails and the ids the pages need."""
    load_seed(ROOT / "seed")
    member, other = make_trusted_member(display_name=f"Audit Member {n}"), make_trusted_member()
    doctor = make_doctor(full_name=f"Dr. Audit Fictional {n}", topics=[])
    pending = make_doctor(status=VerificationStatus.PENDING, full_name=f"Dr. Pending Fictional {n}")
    topic = _first_slug(Topic)
    answered = question_service.ask_question(
        member, title=f"Does microneedling help enlarged pores, audit {n}?", topics=[topic], treatments=[],
        body="My pores on the nose look larger every year. Is microneedling worth a try before lasers?").question
    answer = answer_service.post_answer(
        doctor, question_id=answered.id, offers_treatment=True,
        body="Microneedling can make pores *look* smaller over a few months; ask about downtime first.")
    mint_token(member)  # the account page lists it
    answer_service.add_follow_up(member, answer_id=answer.id, body="How many sessions would I need, roughly?")
    answer_service.review_answer(make_doctor(topics=[]), answer_id=answer.id, verdict="disagree",
                                 reason="A chemical peel is a cheaper first step for most people.")
    moderation_content.flag_content(other, target_type="answer", target_id=answer.id, reason="self-promotion",
                                    note="Reads like an advert")
    open_question = question_service.ask_question(
        other, title=f"Can a chemical peel fade freckles for good, audit {n}?", topics=[topic], treatments=[],
        body="I have freckles on my cheeks. Would a chemical peel fade them for good, or do they return?").question
    _reviews(doctor, other, n)
    _photos(other, open_question.id, topic, n)
    consultation = consultation_service.request_consultation(
        member, doctor_id=doctor.doctor_profile.id, consent=True, concern="Enlarged pores on the nose",
        description="My pores look larger every year and make-up settles into them by midday.")
    moderator = make_moderator(display_name=f"Audit Moderator {n}")
    article = _first_slug(Article, Article.status == ArticleStatus.PUBLISHED)
    return {"emails": {"member": member.email, "doctor": doctor.email, "moderator": moderator.email},
            **_following_and_history(member, doctor, moderator, topic, answer, article),
            "answered": f"/questions/{answered.id}/{answered.slug}",
            "open": f"/questions/{open_question.id}/{open_question.slug}",
            "question_id": answered.id, "answer_id": answer.id, "consultation": consultation.id,
            "doctor_profile": doctor.doctor_profile.id,
            "pending_profile": pending.doctor_profile.id, "member_id": member.id, "topic": topic,
            "treatment": _first_slug(Treatment),
            "article": article}


def _following_and_history(member, doctor, moderator, topic: str, answer, article: str) -> dict:
    """Issue #15's pages with something on them: the member follows the topic (their /following
    lists it), the doctor edited the answer (its history has a diff) and is asked for a medical
    review (their dashboard lists it); the member's public profile."""
    following.follow(member, "topic", db.session.scalar(select(Topic.id).where(Topic.slug == topic)))
    answer_service.edit_answer(doctor, answer_id=answer.id, body="Microneedling can make pores *look* smaller "
                               "over a few months; ask about downtime.")
    medical_reviews.assign_reviewer(moderator, slug=article, reviewer_id=doctor.doctor_profile.id)
    return {"member_profile": f"/members/{member.id}/{members.member_slug(member)}"}


def _reviews(doctor, author, n: int) -> None:
    """A published review of the doctor with a photo (blurred on the profile), and one from a new
    account waiting in the moderators' queue."""
    data = {"treatment": _first_slug(Treatment), "rating": 4, "worth_it": "not_sure", "treated_on": date(2025, 3, 1),
            "cost_amount": 450, "cost_currency": "EUR", "city": "Springfield", "photo_consent": True,
            "body": "Two sessions, a day of redness each time.\nThe pores look a little smaller; not dramatic."}
    photo = review_service.PhotoUpload(image_bytes(), "cheek.jpg", "Left cheek two weeks after the second session")
    review_service.create_review(author, doctor.doctor_profile.id, data, [photo])
    newcomer = make_user(display_name=f"Audit Newcomer {n}")
    review_service.create_review(newcomer, doctor.doctor_profile.id, {**data, "photo_consent": False}, [])
    for cost in (380, 420, 500, 520):  # five reports: the treatment page shows what patients paid
        review_service.create_review(make_reviewer(), doctor.doctor_profile.id,
                                     {**data, "cost_amount": cost, "photo_consent": False}, [])


def _photos(asker, question_id: int, topic: str, n: int) -> None:
    """A public photo (blurred) in the open question, and a new account's question with a photo,
    held on the moderators' dashboard."""
    photo = review_service.PhotoUpload(image_bytes(), "chin.jpg", "Small brown spots on the left cheek")
    question_photos.add_photos(asker, question_id=question_id, photos_in=[photo], photo_consent=True)
    question_service.ask_question(
        make_user(display_name=f"Audit Asker {n}"), title=f"Is this spot on my chin a cyst, audit {n}?",
        body="A firm bump appeared on my chin two weeks ago and has not gone down since.", topics=[topic],
        treatments=[], photos=[photo], photo_consent=True)


def _pages(c: dict) -> dict[str, dict[str, int]]:
    """Path -> expected status, per role: at least 20 pages, signed out and signed in."""
    visitor = {"/": 200, "/questions": 200, c["answered"]: 200, c["open"]: 200, "/topics": 200,
               f"/topics/{c['topic']}": 200,
               "/treatments": 200, f"/treatments/{c['treatment']}": 200, "/articles": 200,
               f"/articles/{c['article']}": 200, "/doctors": 200,
               f"/doctors/{c['doctor_profile']}": 200, "/search": 200, "/search?q=pores": 200,
               "/search?q=zzqxwv": 200, "/login": 200, "/register": 200, "/forgot-password": 200,
               "/reset-password/not-a-real-token": 200, "/verify-email/not-a-real-token": 200,
               "/login-link/not-a-real-token": 200, "/unsubscribe/not-a-real-token": 422,
               "/api/v1/docs": 200, "/no-such-page": 404, "/logout": 405, c["member_profile"]: 200,
               f"/answers/{c['answer_id']}/history": 200}
    member = {"/": 200, c["answered"]: 200, "/questions/ask": 200, f"/questions/{c['question_id']}/edit": 200,
              "/account": 200, "/account/two-factor": 200, "/notifications": 200, "/consultations": 200,
              "/consultations/new": 200, f"/consultations/{c['consultation']}": 200, "/doctor/apply": 200,
              f"/doctors/{c['doctor_profile']}/reviews/new": 200, "/account/reviews": 200, "/mod": 403,
              "/following": 200, "/account/notifications": 200}
    doctor = {"/doctor/dashboard": 200, c["open"]: 200, f"/answers/{c['answer_id']}/edit": 200,
              "/consultations": 200, f"/consultations/{c['consultation']}": 200, "/notifications": 200,
              f"/doctors/{c['doctor_profile']}": 200}
    moderator = {"/mod": 200, "/mod/flags": 200, "/mod/applications": 200, "/mod/reviews": 200,
                 f"/mod/applications/{c['pending_profile']}": 200, "/mod/log": 200, "/mod/users": 200,
                 f"/mod/users/{c['member_id']}": 200, "/mod/review-due": 200, "/mod/articles/new": 200,
                 f"/mod/treatments/{c['treatment']}/edit": 200, c["answered"]: 200,
                 "/account/two-factor": 200, f"/answers/{c['answer_id']}/history": 200}
    return {"visitor": visitor, "member": member, "doctor": doctor, "moderator": moderator}


# Forms sent empty (bypassing the browser's own checks) come back with their error messages:
# path -> (its submit button, the status of the re-rendered form).
SENT_EMPTY = {"visitor": {"/register": ("Create account", 422), "/login": ("Log in", 422),
                          "/forgot-password": ("Send a reset link", 422)},
              "member": {"/questions/ask": ("Post question", 422)}}


def _audit_page(page, role: str, path: str) -> Audited:
    return _audit_loaded(page, role, path, page.goto(path, wait_until="load"))


def _audit_sent_empty(page, role: str, path: str, button: str) -> Audited:
    page.goto(path)
    with page.expect_navigation(wait_until="load") as sent:
        page.get_by_role("button", name=button, exact=True).evaluate("button => button.form.submit()")
    return _audit_loaded(page, role, f"{path} (sent empty)", sent.value)


def _audit_loaded(page, role: str, path: str, response) -> Audited:
    assert response is not None, f"no response for {path}"
    page.add_script_tag(path=str(AXE))  # allowed despite the page's CSP: the context bypasses it
    audited = Audited(role=role, path=path, status=response.status, html=response.text())
    for scheme, label, options in AXE_PASSES:
        if scheme:
            page.emulate_media(color_scheme=scheme)
        audited.violations += page.evaluate(AXE_RUN, [options, label])
    page.emulate_media(color_scheme="light")
    return audited


def _sign_in_auditing_code_step(page, email: str, results: list[Audited]) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/login/code")
    results.append(_audit_page(page, "moderator", "/login/code"))
    page.get_by_role("textbox", name="Code", exact=True).fill(pyotp.TOTP(TOTP_SECRET).now())
    page.get_by_role("button", name="Verify").click()
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture(scope="module")
def audits(audit_tools, chromium, live_server) -> list[Audited]:
    """Every page of `_pages`, fetched once per role in its own context, with axe's findings."""
    with live_server.app_context():
        content = _content(next(_sites))
    live_server.errors.take()
    results = []
    for role, pages in _pages(content).items():
        context = chromium.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True,
                                       viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            if role == "moderator":  # staff have two-factor on: audit the code step on the way in
                _sign_in_auditing_code_step(page, content["emails"][role], results)
            elif role != "visitor":
                log_in(page, email=content["emails"][role])
            results += [_audit_page(page, role, path) for path in pages]
            sent = SENT_EMPTY.get(role, {})
            results += [_audit_sent_empty(page, role, path, button) for path, (button, _) in sent.items()]
        finally:
            context.close()
        pages = {**pages, **{f"{path} (sent empty)": status for path, (_, status) in sent.items()}}
        expected = [(r.path, r.status, pages.get(r.path, 200)) for r in results if r.role == role]
        wrong = [f"{role} {path}: {got}, expected {want}" for path, got, want in expected if got != want]
        assert not wrong, "pages answered unexpectedly:\n" + "\n".join(wrong)
    problems = live_server.errors.take()
    assert not problems, "the server failed during the audit crawl:\n" + "\n".join(problems)
    return results


def test_the_audit_covers_at_least_twenty_pages_signed_in_and_out(audits):
    assert len({a.path for a in audits}) >= 20
    assert {a.role for a in audits} == set(ROLES)
    shown = " ".join(a.html for a in audits)  # the issue #14 parts are on the audited pages
    for part in ('data-testid="patient-costs"', 'data-testid="question-photo"', 'data-testid="review-photo"',
                 'data-testid="held-questions"'):
        assert part in shown, part


@pytest.mark.parametrize("role", ROLES)
def test_axe_finds_no_accessibility_violation(audits, role):
    lines = [f"{a.path}: {v['id']} ({v['impact']}) {v['help']}\n      at " + "\n      at ".join(v["targets"])
             for a in audits if a.role == role for v in a.violations]
    assert not lines, f"axe-core found {len(lines)} violation(s) as {role}:\n" + "\n".join(lines)


def _run_vnu(java: str, files: list[Path]) -> list[dict]:
    """One Java run over every file; the checker's JSON messages."""
    done = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--errors-only", "--exit-zero-always",
                           *map(str, files)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"vnu.jar failed (exit {done.returncode}):\n{done.stderr[-2000:]}"
    return json.loads(done.stderr or done.stdout)["messages"]


def test_nu_validator_finds_no_error_in_the_served_html(audits, audit_tools, tmp_path):
    by_file = {}
    for n, audited in enumerate(audits):
        path = tmp_path / f"page{n:03d}.html"
        path.write_text(audited.html, encoding="utf-8")
        by_file[path.name] = audited
    messages = _run_vnu(audit_tools, sorted(tmp_path.glob("page*.html")))
    lines = []
    for m in messages:
        where = by_file.get(m.get("url", "").rsplit("/", 1)[-1])
        page = f"{where.role} {where.path}" if where else m.get("url", "?")
        extract = " ".join(m.get("extract", "").split())
        lines.append(f"{page} line {m.get('lastLine', '?')}: {m.get('type')}: {m.get('message')}\n      {extract}")
    assert not lines, f"the Nu checker found {len(lines)} error(s):\n" + "\n".join(lines)
