"""Every string people read goes through the gettext catalogs, and Spanish has them all.

- No template holds visible words outside `_()`/`ngettext()`/`{% trans %}` (text between tags,
  or a placeholder, title, alt or aria-label attribute).
- No flash(), domain error, validation error or mail subject is given a bare string literal.
- Every message extracted from the code has a Spanish translation, none empty or fuzzy, with
  the same placeholders."""
from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

from forum.config import ROOT
from forum.i18n import LOCALES

TEMPLATES = ROOT / "templates"
CATALOGS = ROOT / "forum" / "translations"
# Words that are the same in every language: the site's and products' names, language names
# (each in its own language, on the switcher), and technical tokens.
SAME_IN_EVERY_LANGUAGE = {
    "Ask a Cosmetic Doctor", "English", "Español", "RSS", "API", "OpenAPI", "JSON", "Atom", "TOTP", "URL", "ID",
    "Markdown", "Botox", "Fraxel", "ETag", "CSV", "UTC", "MD", "PDF", "USD", "EUR", "GBP", "CAD", "AUD", "e-mail",
    "Clarisonic", "PNG", "JPEG", "WebP", "HEIC", "GIF", "Redis", "PostgreSQL", "SQLite",
}
WORD = re.compile(r"[^\W\d_]{2,}")
TEXT_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label", "aria-description", "content")


def leftover_words(text: str) -> str:
    for phrase in sorted(SAME_IN_EVERY_LANGUAGE, key=len, reverse=True):
        text = text.replace(phrase, " ")
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return " ".join(WORD.findall(text))


class _Visible(HTMLParser):
    """The visible words of an HTML fragment: text, and the attributes people read."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []

    def handle_data(self, data):
        if leftover_words(data):
            self.found.append(data.strip())

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            readable = name in TEXT_ATTRIBUTES and not (tag == "meta" and name == "content")
            if readable and value and leftover_words(value):
                self.found.append(f'{name}="{value}"')


def template_literals(source: str, *, text_mail: bool = False) -> list[str]:
    """Visible words written directly into a template (not through gettext)."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    tree = env.parse(source)
    raw = "\x00".join(node.data for node in tree.find_all(nodes.TemplateData))
    if text_mail:
        return [line.strip() for line in raw.split("\x00") if leftover_words(line)]
    parser = _Visible()
    for piece in raw.split("\x00"):
        parser.feed(piece)
    parser.close()
    return parser.found


TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_text_outside_the_catalog(path):
    found = template_literals(path.read_text(encoding="utf-8"), text_mail=path.suffix == ".txt")
    assert found == [], f"wrap these in _() or {{% trans %}} in {path.relative_to(ROOT)}"


def test_the_check_finds_bare_words():
    """The checks above would fail on a template with a bare word, a bare attribute or a bare mail line."""
    page = ('<p>{{ _("Hello") }}</p><label>Your name</label><input placeholder="Search questions">'
            '{% trans %}Hi{% endtrans %}')
    assert template_literals(page) == ["Your name", 'placeholder="Search questions"']
    assert template_literals("{{ _('Hi') }}\nClick the link:\n{{ link }}", text_mail=True) == ["Click the link:"]
    assert leftover_words("Ask a Cosmetic Doctor · 2026 &middot; RSS") == ""


# ---- Python: messages handed to people ----
CALLS_TAKING_MESSAGES = {"flash", "Invalid", "NotFound", "Forbidden", "Unauthorized", "Conflict", "RateLimited",
                         "DomainError", "ValidationError", "queue_mail"}
GETTEXT = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def _bare_strings(node: ast.AST) -> list[str]:
    """String literals (and f-strings) in a message argument that are not inside a gettext call."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in GETTEXT:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and WORD.search(node.value):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)]
    if isinstance(node, ast.Dict):  # field names are keys; their messages are the values
        return [s for value in node.values for s in _bare_strings(value)]
    if isinstance(node, (ast.List, ast.Tuple, ast.BinOp, ast.IfExp)):
        return [s for child in ast.iter_child_nodes(node) for s in _bare_strings(child)]
    return []


def python_literals(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name not in CALLS_TAKING_MESSAGES:
            continue
        args = list(node.args[:2] if name == "queue_mail" else node.args)
        args = args[1:] if name == "queue_mail" else args  # queue_mail(to, subject, ...): the subject
        args += [kw.value for kw in node.keywords if kw.arg in ("fields", "message")]
        if name == "flash":
            args = node.args[:1]
        for arg in args:
            found += [f"line {node.lineno}: {s}" for s in _bare_strings(arg)]
    return found


PYTHON_FILES = sorted((ROOT / "forum").rglob("*.py"))


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_python_message_outside_the_catalog(path):
    assert python_literals(path.read_text(encoding="utf-8")) == [], f"wrap these in _() or _l() in {path}"


def test_the_python_check_finds_bare_messages():
    source = ('flash("Saved.")\nraise Invalid(fields={"x": ["Bad."]})\nflash(_("Fine."))\n'
              'queue_mail(a, f"Hi {n}", "t")\nraise Invalid(fields={"token": [_("Fine.")]})\n')
    assert python_literals(source) == ["line 1: Saved.", "line 2: Bad.", "line 4: f'Hi {n}'"]


# ---- the catalogs ----

def _not_hidden(path: str) -> bool:
    return not Path(path).name.startswith(".")


def extracted_messages() -> dict:
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2),
                "lazy_ngettext": (1, 2)}
    found = {}
    for folder, method_map in (("forum", [("**.py", "python")]),
                               ("templates", [("**.html", "jinja2"), ("**.txt", "jinja2")])):
        for filename, _lineno, message, _comments, _context in extract_from_dir(  # _partials/ too
                str(ROOT / folder), method_map, keywords=keywords, directory_filter=_not_hidden):
            found[message if isinstance(message, str) else message[0]] = f"{folder}/{filename}"
    return found


def catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=locale)


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_every_message_is_translated(locale):
    translations = catalog(locale)
    messages = extracted_messages()
    assert len(messages) > 500, "the extraction found too few messages: is the catalog wired?"
    missing = [f"{where}: {msgid!r}" for msgid, where in messages.items() if msgid not in translations]
    assert missing == [], f"{len(missing)} messages are not in the {locale} catalog (run pybabel update)"
    empty = [m.id for m in translations if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    fuzzy = [m.id for m in translations if m.id and m.fuzzy]
    assert empty == [], f"{len(empty)} {locale} messages have no translation"
    assert fuzzy == [], f"{len(fuzzy)} {locale} messages are fuzzy: check and unmark them"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in translations.check()]
    assert problems == [], "translations whose placeholders differ from the English"
