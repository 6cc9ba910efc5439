"""bandit over forum/ (the same command as .ci/run): no medium or high severity finding of any
confidence is left unreviewed. An accepted one carries `# nosec Bxxx` alone on its line, with the
reason in a comment on the line above."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANDIT = ["-m", "bandit", "-r", "forum", "-ll", "-q", "-f", "json"]


def test_bandit_finds_nothing_of_medium_or_high_severity():
    pytest.importorskip("bandit")
    result = subprocess.run([sys.executable, *BANDIT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout)
    found = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_severity']}: {r['issue_text']}"
             for r in report["results"]]
    assert found == [] and result.returncode == 0, "\n".join(found) or result.stderr
    assert not report["errors"], report["errors"]


def test_every_suppression_names_its_test_and_gives_a_reason_above():
    for path in sorted((ROOT / "forum").rglob("*.py")):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if "nosec" not in line:
                continue
            where = f"{path.relative_to(ROOT)}:{number + 1}"
            suppressed = re.search(r"# nosec (B\d{3})$", line)
            assert suppressed, f"{where}: write `# nosec Bxxx` alone at the end"
            above = "\n".join(lines[max(0, number - 2):number])
            assert f"# Accepted {suppressed.group(1)}" in above, \
                f"{where}: say why on the line above (# Accepted {suppressed.group(1)}: ...)"
