#!/usr/bin/env python3
"""Lighthouse scores (mobile preset) of four pages on a production-like local server.

    python bench/lighthouse.py [--reuse] [--out bench/results/lighthouse.md] [--reports DIR]

Serves the demo data as bench/local_site.py describes, then runs Lighthouse from npm
(node_modules/.bin/lighthouse, `npm ci` at the repository root) with Debian's Chromium on: home,
a question page, a treatment page and the ask form (signed in: the member's session cookie goes
in --extra-headers). Lighthouse's default form factor is mobile (a Moto G Power sized screen,
simulated slow 4G and a 4x slower CPU). Prints accessibility, best practices, SEO and
performance per page beside the issue's targets (100, 100, 100, >= 95) and lists every audit
that cost points. Not a CI gate. See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from local_site import REPO_DIR, BenchError, Interrupted, local_site, log

LIGHTHOUSE = Path(os.environ.get("FORUM_NODE_MODULES", REPO_DIR / "node_modules")) / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("FORUM_CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
CATEGORIES = {"accessibility": 100, "best-practices": 100, "seo": 100, "performance": 95}  # the targets
PAGES = ("home", "question", "treatment", "ask form")
SIGNED_IN = {"ask form"}
RUN_TIMEOUT = 300  # seconds for one Lighthouse run


def run_lighthouse(url: str, report: Path, cookie: str | None) -> dict:
    cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
           f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise BenchError(f"Lighthouse took more than {RUN_TIMEOUT} s on {url}") from None
    if done.returncode != 0 or not report.exists():
        raise BenchError(f"Lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(report.read_text())


def summarise(name: str, path: str, lhr: dict) -> tuple[dict, list[str]]:
    """Scores 0-100 per category, and one line per audit that cost points."""
    if lhr.get("runtimeError"):
        raise BenchError(f"Lighthouse could not load {path}: {lhr['runtimeError'].get('message')}")
    if lhr["finalDisplayedUrl"].split("?")[0].endswith("/login"):
        raise BenchError(f"{path} redirected to the log-in page: the member's cookie did not sign in")
    scores, losses = {}, []
    for key in CATEGORIES:
        category = lhr["categories"][key]
        scores[key] = None if category["score"] is None else round(category["score"] * 100)
        for ref in category["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                losses.append(f"{name} / {key}: {ref['id']} {audit['score']:.2f}{value}: {audit['title']}")
    return scores, losses


def render(rows: list[tuple[str, str, dict]], losses: list[str], meta: str) -> str:
    head = "| page | URL | " + " | ".join(f"{k} (target {'≥ ' if v < 100 else ''}{v})"
                                           for k, v in CATEGORIES.items()) + " |"
    lines = [f"## Lighthouse, mobile preset, {meta}", "", head, "|" + " --- |" * (len(CATEGORIES) + 2)]
    for name, path, scores in rows:
        cells = [("n/a" if s is None else str(s) + ("" if s >= CATEGORIES[k] else " ✗")) for k, s in scores.items()]
        lines.append(f"| {name} | `{path}` | " + " | ".join(cells) + " |")
    lines += ["", "Audits that cost points:" if losses else "No audit cost points.", ""]
    lines += [f"- {line}" for line in losses]
    return "\n".join(lines) + "\n"


def measure(args) -> str:
    rows, losses = [], []
    with local_site(reuse=args.reuse) as site, tempfile.TemporaryDirectory() as tmp:
        reports = args.reports or Path(tmp)
        reports.mkdir(parents=True, exist_ok=True)
        for name in PAGES:
            path = site.pages[name]
            log(f"lighthouse {name}: {path}")
            lhr = run_lighthouse(site.url + path, reports / f"{name.replace(' ', '-')}.json",
                                 site.cookie if name in SIGNED_IN else None)
            scores, lost = summarise(name, path, lhr)
            rows.append((name, path, scores))
            losses += lost
            version = lhr["lighthouseVersion"]
    commit = subprocess.run(["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip() or "unknown"
    meta = f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, commit {commit}, Lighthouse {version}, {CHROMIUM}"
    return render(rows, losses, meta)


def main() -> int:
    parser = argparse.ArgumentParser(description="Lighthouse (mobile) on home, a question, a treatment, the ask form.")
    parser.add_argument("--reuse", action="store_true", help="keep a demo database an earlier run prepared")
    parser.add_argument("--out", type=Path, help="Markdown file to append the table to")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's JSON reports in this folder")
    args = parser.parse_args()
    if not os.access(LIGHTHOUSE, os.X_OK):
        parser.error(f"{LIGHTHOUSE} is missing: run `npm ci` at the repository root")
    if not os.access(CHROMIUM, os.X_OK):
        parser.error(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set FORUM_CHROMIUM)")
    try:
        text = measure(args)
    except BenchError as e:
        log(f"ABORTED: {e}")
        return 1
    except (KeyboardInterrupt, Interrupted) as e:
        log(f"interrupted ({e or 'SIGINT'}); server stopped")
        return 130
    print("\n" + text, flush=True)
    if args.out:
        with args.out.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
        log(f"appended to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
