"""The colour tokens in static/css/site.css meet WCAG AA (4.5:1 for text) in the light and the dark
theme, for every pairing the components use."""
from __future__ import annotations

import re

import pytest

from forum.config import ROOT

CSS = (ROOT / "static" / "css" / "site.css").read_text()
AA_TEXT = 4.5
# (text colour, background colour) as the components pair them
PAIRS = [
    ("text", "bg"), ("text", "surface"), ("text", "subtle"), ("muted", "bg"), ("muted", "surface"), ("muted", "subtle"),
    ("accent", "bg"), ("accent", "surface"), ("accent", "subtle"), ("accent", "accent-soft"),
    ("accent-strong", "accent-soft"), ("on-accent", "accent"), ("on-accent", "accent-strong"),
    ("danger", "bg"), ("danger", "surface"), ("danger", "danger-soft"), ("on-danger", "danger"),
    ("warning", "warning-soft"), ("success", "success-soft"), ("success", "surface"), ("info", "info-soft"),
    ("text", "accent-soft"), ("text", "danger-soft"), ("text", "warning-soft"), ("text", "success-soft"),
    ("text", "info-soft"), ("text", "mark"),
]


def tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--color-([a-z-]+):\s*(#[0-9a-fA-F]{6})", block))


def themes() -> dict[str, dict[str, str]]:
    light = tokens(re.search(r":root\s*\{(.*?)\}", CSS, re.S).group(1))
    dark_block = re.search(r"prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(.*?)\}", CSS, re.S).group(1)
    return {"light": light, "dark": {**light, **tokens(dark_block)}}


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_matches_wcag_for_black_on_white():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_pairing_reaches_aa(theme):
    colours = themes()[theme]
    assert len(colours) >= 20, "the colour tokens were not found in site.css"
    weak = [f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}" for fg, bg in PAIRS
            if contrast(colours[fg], colours[bg]) < AA_TEXT]
    assert not weak, f"{theme} theme below {AA_TEXT}:1: {weak}"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_form_control_borders_are_visible(theme):
    colours = themes()[theme]
    assert contrast(colours["input-line"], colours["surface"]) >= 3.0  # WCAG 1.4.11 non-text contrast
