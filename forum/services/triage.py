"""Safety triage: match question text against the reviewable red-flag file."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

RED_FLAGS = Path(__file__).resolve().parent.parent / "data" / "red_flags.toml"


@lru_cache(maxsize=1)
def _rules() -> tuple[str, tuple[tuple[str, re.Pattern], ...]]:
    data = tomllib.loads(RED_FLAGS.read_text(encoding="utf-8"))
    flags = tuple((f["name"], re.compile(f["pattern"], re.I | re.S)) for f in data["flag"])
    return data["notice"], flags


def red_flags(*texts: str) -> list[str]:
    """Names of the red flags the texts match (empty when none)."""
    _, flags = _rules()
    joined = "\n".join(t or "" for t in texts)
    return [name for name, pattern in flags if pattern.search(joined)]


def urgent_notice() -> str:
    return _rules()[0]
