#!/usr/bin/env python3
"""Full-page screenshots at 390 px (a phone) and 1280 px (a laptop) of home, a question, a
treatment, the ask form (signed in) and a doctor profile, on a production-like local server.

    python bench/screenshots.py [--reuse] [--out-dir docs/screenshots]

Serves the demo data as bench/local_site.py describes and drives Debian's Chromium through
Playwright (the test extra). Writes <page>-<width>.png, e.g. docs/screenshots/question-390.png.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from local_site import MEMBER_EMAIL, MEMBER_PASSWORD, REPO_DIR, BenchError, Interrupted, local_site, log

CHROMIUM = os.environ.get("FORUM_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
VIEWPORTS = {390: 844, 1280: 800}  # width -> height
PAGES = ("home", "question", "treatment", "ask form", "doctor profile")
SIGNED_IN = {"ask form"}
TIMEOUT_MS = 30_000


def _sign_in(page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(MEMBER_EMAIL)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def shoot(browser, site, out_dir: Path) -> list[Path]:
    saved = []
    for width, height in VIEWPORTS.items():
        for signed_in in (False, True):
            context = browser.new_context(base_url=site.url, viewport={"width": width, "height": height},
                                          locale="en-GB")
            context.set_default_timeout(TIMEOUT_MS)
            try:
                page = context.new_page()
                if signed_in:
                    _sign_in(page)
                for name in (n for n in PAGES if (n in SIGNED_IN) == signed_in):
                    response = page.goto(site.pages[name], wait_until="networkidle")
                    if response is None or response.status != 200:
                        raise BenchError(f"{site.pages[name]} answered {response and response.status}")
                    path = out_dir / f"{name.replace(' ', '-')}-{width}.png"
                    page.screenshot(path=str(path), full_page=True)
                    log(f"saved {path.relative_to(REPO_DIR) if path.is_relative_to(REPO_DIR) else path}")
                    saved.append(path)
            finally:
                context.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description="Screenshots at 390 and 1280 px of the main pages.")
    parser.add_argument("--reuse", action="store_true", help="keep a demo database an earlier run prepared")
    parser.add_argument("--out-dir", type=Path, default=REPO_DIR / "docs" / "screenshots")
    args = parser.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        parser.error(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set FORUM_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    args.out_dir = args.out_dir.resolve()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with local_site(reuse=args.reuse) as site, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            try:
                saved = shoot(browser, site, args.out_dir)
            finally:
                browser.close()
    except BenchError as e:
        log(f"ABORTED: {e}")
        return 1
    except (KeyboardInterrupt, Interrupted) as e:
        log(f"interrupted ({e or 'SIGINT'}); server stopped")
        return 130
    log(f"{len(saved)} screenshots in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
