"""render_markdown on an XSS corpus: no script, no event handlers, no javascript:/data: URLs."""
import random
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from forum.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

REL = "nofollow ugc noopener"
SAFE_SCHEMES = {"http", "https", "mailto"}

CORPUS = [
    # raw HTML
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<!-- x --><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror='alert(1)'/>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=x onmouseover=alert(1)>x</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>*{background:red}</style>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "**<b onclick=alert(1)>bold</b>**",
    # markdown links and images
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](<java\tscript:alert(1)>)",
    "[x](java\u200bscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![a\" onerror=\"alert(1)](http://example.org/y.png)",
    "[a](http://example.org \"t\\\" onmouseover=alert(1)\")",
    "[x](https://ok.example/\"onmouseover=\"alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: data:text/html,hi",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    # nested markdown
    "[[x](javascript:alert(1))](http://example.org)",
    "[![x](javascript:a)](javascript:b)",
    "[a [b](javascript:alert(1)) c](https://example.org)",
    "**[x](javascript:alert(1))**",
    "> [x](javascript:alert(1))\n> <script>alert(1)</script>",
    "- [x](javascript:alert(1))\n  - <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    # entity tricks
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#x64;ata:text/html,hi)",
    "[x](%6Aavascript:alert(1))",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "[x](\\javascript:alert(1))",
]


class Inspector(HTMLParser):
    """Collects the tags and attributes a browser would build from the output."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def url_scheme(url: str) -> str | None:
    """The scheme a browser sees: it drops leading C0/space and every tab or newline first."""
    cleaned = re.sub(r"[\t\n\r]", "", url).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                       "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                                                       "\x1c\x1d\x1e\x1f ")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


def problems(html: str) -> list[str]:
    """Everything in `html` that could run script or leave the allow-list."""
    found = []
    if "<script" in html.lower():
        found.append("raw <script")
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    for tag, attrs in inspector.tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"tag <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"event attribute {name}")
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set()):
                found.append(f"attribute {tag}.{name}")
            lowered = re.sub(r"[\s\x00-\x1f]", "", unquote(value)).lower()
            if "javascript:" in lowered or "data:" in lowered or "vbscript:" in lowered:
                found.append(f"script URL in {tag}.{name}")
            if name in ("href", "src") and url_scheme(value) not in SAFE_SCHEMES | {None}:
                found.append(f"scheme {url_scheme(value)} in {tag}.{name}")
        if tag == "a" and attrs.get("rel") != REL:
            found.append(f"link without rel={REL!r}")
    return found


@pytest.mark.parametrize("source", CORPUS)
def test_the_xss_corpus_renders_harmless(source):
    html = str(render_markdown(source))
    assert problems(html) == [], html


def test_a_thousand_random_mixes_of_the_corpus_render_harmless():
    rng = random.Random(1234)
    pieces = CORPUS + ["[", "](", ")", "<", ">", "**", "\n\n", "> ", "- ", "`", "\"", "'", "&#", ";", "![", "\t"]
    for _ in range(1000):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(2, 8)))
        html = str(render_markdown(source))
        assert problems(html) == [], (source, html)


def test_the_checker_itself_spots_dangerous_html():
    assert problems('<a href="javascript:alert(1)" rel="nofollow ugc noopener">x</a>')
    assert problems('<a href="https://x" rel="nofollow ugc noopener" onclick="y">x</a>')
    assert problems('<a href=" java\tscript:alert(1)" rel="nofollow ugc noopener">x</a>')
    assert problems('<img src="data:image/png;base64,AAAA">')
    assert problems('<a href="https://x">x</a>')
    assert problems("<p><script>alert(1)</script></p>")
    assert problems('<a href="https://example.org/" rel="nofollow ugc noopener">x</a>') == []


@pytest.mark.parametrize("source", ["[site](https://example.org/a?b=c)", "<https://example.org>",
                                    "[mail](mailto:doc@example.org)", "[plain](http://example.org)"])
def test_safe_links_survive_with_rel_nofollow_ugc_noopener(source):
    html = str(render_markdown(source))
    inspector = Inspector()
    inspector.feed(html)
    [(tag, attrs)] = inspector.tags[1:]  # after <p>
    assert tag == "a" and attrs["rel"] == REL
    assert url_scheme(attrs["href"]) in SAFE_SCHEMES


def test_a_link_that_claims_its_own_rel_gets_ours():
    html = str(render_markdown("[x](https://example.org \"title\")"))
    assert f'rel="{REL}"' in html and "follow\"" not in html.replace(REL, "")


def test_text_that_talks_about_script_stays_readable_but_inert():
    html = str(render_markdown("Never paste <script> tags or javascript: links, based on advice."))
    assert "&lt;script&gt;" in html and "javascript:" in html and problems(html) == []


def test_ordinary_markdown_still_renders():
    html = str(render_markdown("## Aftercare\n\n**Ice** the area, *gently*.\n\n1. one\n2. two"))
    assert "<h2>Aftercare</h2>" in html and "<strong>Ice</strong>" in html and "<ol>" in html


@pytest.mark.parametrize("source", [None, ""])
def test_empty_input_renders_empty(source):
    assert str(render_markdown(source)).strip() == ""
