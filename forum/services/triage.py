"""Safety triage: match question text against the reviewable red-flag file.

Each flag has an English `pattern` and may have one per language (`pattern_es`); a question matches a
flag when any of them matches, whatever language it was written in. Names (`name_es`) and the notice
(`notice_es`) are shown in the reader's language, English when the file has none for it."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from forum.i18n import current_locale

RED_FLAGS = Path(__file__).resolve().parent.parent / "data" / "red_flags.toml"


@lru_cache(maxsize=1)
def _rules() -> tuple[dict, tuple[tuple[str, re.Pattern], ...], dict]:
    """(notices by locale, (name, pattern) pairs, names by English name and locale)."""
    data = tomllib.loads(RED_FLAGS.read_text(encoding="utf-8"))
    notices = {key.partition("_")[2] or "en": text for key, text in data.items() if key.startswith("notice")}
    flags = tuple((f["name"], re.compile(f[key], re.I | re.S))
                  for f in data["flag"] for key in sorted(f) if key.startswith("pattern"))
    names = {f["name"]: {key.partition("_")[2] or "en": f[key] for key in f if key.startswith("name")}
             for f in data["flag"]}
    return notices, flags, names


def red_flags(*texts: str) -> list[str]:
    """English names of the red flags the texts match, in the file's order (empty when none)."""
    _, flags, _names = _rules()
    joined = "\n".join(t or "" for t in texts)
    matched = {name for name, pattern in flags if pattern.search(joined)}
    return [name for name in _names if name in matched]


def warning_signs(*texts: str) -> list[str]:
    """The red flags the texts match, named in the reader's language."""
    locale, names = current_locale(), _rules()[2]
    return [names[name].get(locale, name) for name in red_flags(*texts)]


def urgent_notice() -> str:
    """The urgent-care notice in the reader's language."""
    notices = _rules()[0]
    return notices.get(current_locale(), notices["en"])
