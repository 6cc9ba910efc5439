"""Read what a user sees on a page: flash messages, field errors, the page text."""
from __future__ import annotations

import html
import re


def flashes(page: str) -> list[str]:
    return [html.unescape(m.strip())
            for m in re.findall(r'<div class="flash[^"]*" role="status">(.*?)</div>', page, re.S)]


def field_errors(page: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, message in re.findall(r'<p class="field-error" id="([^"]+)-error">(.*?)</p>', page, re.S):
        for one in message.split("<br>"):  # one element per field, its messages on separate lines
            errors.setdefault(name, []).append(html.unescape(one))
    return errors


def text(response) -> str:
    """The page as a user reads it: HTML unescaped."""
    return html.unescape(response.get_data(as_text=True))


def without_csrf_token(page: str) -> str:
    """CSRF tokens carry a timestamp; blank them to compare two pages."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)
