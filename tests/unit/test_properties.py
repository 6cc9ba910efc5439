"""Property tests (Hypothesis, derandomized): no script, event handler or unsafe URL survives the
Markdown renderer, whatever is typed; every input schema refuses bad input only with a
ValidationError, and refuses control characters in every string field with a clear message."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import string
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import func, select

import forum.schemas
from forum.extensions import db
from forum.models import User
from forum.schemas.common import ArgsSchema, InputSchema
from forum.text import ALLOWED_TAGS, CONTROL_CHARACTERS_MESSAGE, render_markdown
from tests.web.html import field_errors

PROPERTY = settings(derandomize=True, max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# ---- the Markdown renderer ---------------------------------------------------------------------

FRAGMENTS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<scr<script>ipt>", "</script>",
    "<img src=x onerror=alert(1)>", " onerror=alert(1) ", "onload=", "<body onload=alert(1)>",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:", "java&#x09;script:", "&#106;avascript:",
    "&#x6A;avascript&colon;", "javascript&#58;", "%6Aavascript:", "\x01javascript:", " \x00javascript:",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:image/svg+xml,<svg onload=alert(1)>",
    "vbscript:msgbox(1)", "VBScript:", "<iframe src=//evil.example></iframe>", "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>", "<math><a xlink:href=javascript:alert(1)>x</a></math>",
    "<object data=javascript:alert(1)>", "<embed src=javascript:alert(1)>", "<style>*{x:expression(1)}</style>",
    ' style="background:url(javascript:alert(1))"', "<a href='javascript:alert(1)'>x</a>",
    '<a href="&#1;javascript:alert(1)">x</a>', "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>", "<base href=javascript:/>",
    "<link rel=stylesheet href=//evil.example>", "<!--", "-->", "<![CDATA[", "]]>", "&lt;script&gt;",
    "&amp;", "&", "<", ">", '"', "'", "`", "(", ")", "[", "]", "](", "![", "\n", "\n\n", "    ", "*", "|", ":",
    "http://ok.example/", "mailto:a@example.org", "/relative/path", "#anchor",
]
DANGEROUS_URLS = [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\nscript:alert(1)", "java%0ascript:alert(1)",
    "&#106;avascript:alert(1)", "jav&#x09;ascript:alert(1)", "javascript&colon;alert(1)", " javascript:alert(1)",
    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA",
    "file:///etc/passwd", "\\javascript:alert(1)", "<javascript:alert(1)>", "%6a%61%76%61script:alert(1)",
    "java\x00script:alert(1)", "\x0bjavascript:alert(1)", "feed:javascript:alert(1)",
]


def _case_trick(text: str):
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flips: "".join(c.upper() if f else c.lower() for c, f in zip(text, flips)))


def _entity_trick(text: str):
    encode = st.sampled_from([lambda c: c, lambda c: f"&#{ord(c)};", lambda c: f"&#x{ord(c):x};",
                              lambda c: f"&#x{ord(c):04X};", lambda c: f"&#{ord(c):07d};"])
    return st.lists(encode, min_size=len(text), max_size=len(text)).map(
        lambda how: "".join(h(c) for h, c in zip(how, text)))


def _tricked(pieces: list[str]):
    return st.sampled_from(pieces).flatmap(lambda p: st.one_of(st.just(p), _case_trick(p), _entity_trick(p)))


_links = st.builds(
    lambda bang, label, url, title: f"{bang}[{label}]({url}{title})",
    st.sampled_from(["", "!"]), st.text(max_size=8), _tricked(DANGEROUS_URLS),
    st.sampled_from(["", ' "t"', " 'x onmouseover=alert(1)'"]),
)
_references = st.builds(lambda url: f"[x]\n\n[x]: {url}\n", _tricked(DANGEROUS_URLS))
_autolinks = st.builds(lambda url: f"<{url}>", _tricked(DANGEROUS_URLS))
dangerous_text = st.lists(st.one_of(_tricked(FRAGMENTS), _links, _references, _autolinks, st.text(max_size=6)),
                          max_size=12).map("".join)

SAFE_SCHEMES = {"http", "https", "mailto"}
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "img", "form", "meta", "base",
                  "link", "frame", "frameset", "applet", "template", "noscript", "xmp", "textarea"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see (WHATWG URL: leading/trailing C0 controls and spaces are
    dropped, tabs and newlines removed anywhere); None for a relative URL. `value` comes from
    html.parser, which has already decoded character references."""
    cleaned = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS or tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction", "xlink:href"):
                self.problems.append(f"attribute {name}")
            if name in ("href", "src", "action", "data") and url_scheme(value or "") not in (None, *SAFE_SCHEMES):
                self.problems.append(f"{name}={value!r}")

    handle_startendtag = handle_starttag


def unsafe_parts(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def test_the_audit_itself_catches_what_it_must():
    assert unsafe_parts('<a href=" &#x6A;ava\tscript:x">') == ["href=' java\\tscript:x'"]
    assert unsafe_parts("<p onclick=x>") and unsafe_parts("<script>") and unsafe_parts('<a href="data:x">')
    assert unsafe_parts('<a href="/x:y">') == [] and unsafe_parts('<a href="https://a.example">') == []


@PROPERTY
@given(st.text(max_size=400))
def test_no_arbitrary_text_renders_to_a_script_handler_or_unsafe_url(source):
    assert unsafe_parts(render_markdown(source)) == []


@PROPERTY
@given(dangerous_text)
def test_no_mix_of_dangerous_fragments_renders_to_a_script_handler_or_unsafe_url(source):
    assert unsafe_parts(render_markdown(source)) == []


# ---- every input schema --------------------------------------------------------------------------

def input_schemas() -> list[type[Schema]]:
    """Every schema in forum/schemas that loads input: InputSchema and ArgsSchema subclasses."""
    found = {}
    for module in pkgutil.iter_modules(forum.schemas.__path__):
        for obj in vars(importlib.import_module(f"forum.schemas.{module.name}")).values():
            if inspect.isclass(obj) and issubclass(obj, (InputSchema, ArgsSchema)) \
                    and obj not in (InputSchema, ArgsSchema):
                found[obj.__qualname__] = obj
    return [found[name] for name in sorted(found)]


INPUT_SCHEMAS = input_schemas()


def test_the_schema_list_is_complete():
    """Every schema named *In or *Args is an input schema, so nothing escapes these properties."""
    names = {s.__name__ for s in INPUT_SCHEMAS}
    assert {"QuestionIn", "AnswerIn", "RegisterIn", "ConsultationIn", "FlagIn", "ArticleIn", "SearchArgs"} <= names
    for module in pkgutil.iter_modules(forum.schemas.__path__):
        for name, obj in vars(importlib.import_module(f"forum.schemas.{module.name}")).items():
            if inspect.isclass(obj) and issubclass(obj, Schema) and re.search(r"(In|Args)$", name):
                assert obj in INPUT_SCHEMAS, name


def string_fields(schema_class) -> list[str]:
    schema = schema_class()
    return [field.data_key or name for name, field in schema.load_fields.items()
            if isinstance(field, fields.String)
            or (isinstance(field, fields.List) and isinstance(field.inner, fields.String))]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**62, max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30)
    | st.sampled_from(["", " ", "2026-01-01", "2026-02-30", "1e309", "-1", "0", "true", "none", "x" * 300]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize("schema_class", INPUT_SCHEMAS, ids=lambda s: s.__name__)
def test_any_input_is_refused_only_with_a_validation_error(schema_class):
    keys = st.sampled_from(sorted(f.data_key or n for n, f in schema_class().load_fields.items()) or ["x"])

    @settings(PROPERTY, max_examples=40)
    @given(st.one_of(st.dictionaries(keys | st.text(max_size=8), json_values, max_size=8), json_values))
    def check(data):
        try:
            schema_class().load(data)
        except ValidationError:
            pass

    check()


CONTROL = st.sampled_from([chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
                                            *range(0x202A, 0x202F), *range(0x2066, 0x206A)]])
_PLAIN = st.text(alphabet=string.ascii_letters + " .,áé", max_size=20)
SCHEMA_STRING_FIELDS = [(s, name) for s in INPUT_SCHEMAS for name in string_fields(s)]


@pytest.mark.parametrize("schema_class, name", SCHEMA_STRING_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_control_characters_are_refused_in_every_string_field(schema_class, name):
    is_list = isinstance(schema_class().load_fields.get(name) or next(
        f for f in schema_class().load_fields.values() if f.data_key == name), fields.List)

    @settings(PROPERTY, max_examples=6)
    @given(_PLAIN, CONTROL, _PLAIN)
    def check(before, control, after):
        value = before + control + after
        with pytest.raises(ValidationError) as refused:
            schema_class().load({name: [value] if is_list else value})
        assert refused.value.messages[name] == [CONTROL_CHARACTERS_MESSAGE]

    check()


@pytest.mark.parametrize("schema_class, name", SCHEMA_STRING_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_newlines_tabs_and_direction_marks_are_not_control_characters(schema_class, name):
    value = "Line one,\ttabbed\r\nline two \u200f\u200e done."
    try:
        schema_class().load({name: value})
    except ValidationError as err:
        assert str(CONTROL_CHARACTERS_MESSAGE) not in str(err.messages.get(name))


@pytest.mark.parametrize("name", ["Zoe\u202eevil", "Zoe\x85", "\x1c", "Zoe\x00"])
def test_the_html_form_shows_the_control_character_message_at_its_field(browser, name):
    """"\x1c" alone is blank to str.strip(): still named as a control character, not as missing."""
    form = {"email": "zoe@example.org", "display_name": name, "password": "a long enough pass phrase 42",
            "confirm_adult": "1"}
    response = browser.post_form("/register", form)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)).get("display_name") == [CONTROL_CHARACTERS_MESSAGE]
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_api_refuses_control_characters_with_a_field_message(client):
    response = client.get("/api/v1/search", query_string={"q": "acne\x1b[31m"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["q"] == [CONTROL_CHARACTERS_MESSAGE]


def test_deeply_nested_input_is_a_validation_error_not_a_crash():
    nested: object = "a\x00"
    for _ in range(5000):
        nested = [{"k": nested}]
    for schema_class in INPUT_SCHEMAS:
        with pytest.raises(ValidationError):
            schema_class().load({"x": nested})
