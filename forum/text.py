"""Text helpers: safe Markdown rendering (markdown-it-py + nh3), plain text and slugs."""
from __future__ import annotations

import html as html_lib
import re
import unicodedata
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from forum.i18n import _l

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
                "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
# A script scheme anywhere in a URL once percent-escapes, spaces and control characters are
# gone ("%5Cjavascript:", "java%09script:"): inert as a relative link today, but nothing a
# member needs, and any later consumer that decodes the URL would meet a live scheme.
_SCRIPT_URL = re.compile(r"(?<![a-z0-9])(?:java|vb)script:|(?<![a-z0-9])data:")


def _drop_script_urls(_tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        decoded = re.sub(r"[\s\x00-\x1f\x7f]+", "", unquote(value)).lower()
        if _SCRIPT_URL.search(decoded):
            return None
    return value


# Characters nobody types on purpose, refused in every input (schemas, so forms and the API alike):
# the C0 controls but tab, line feed and carriage return; DEL; the C1 controls; and the bidirectional
# embeddings, overrides and isolates, which make text display in another order than it is stored
# ("Trojan Source"). Left-to-right and right-to-left marks (U+200E, U+200F) stay allowed.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_CHARACTERS_MESSAGE = _l("This contains control characters (invisible codes); please remove them.")


def has_control_characters(value: str) -> bool:
    """Whether a text holds a character that _CONTROL_CHARACTERS refuses."""
    return _CONTROL_CHARACTERS.search(value) is not None


def render_markdown(source: str | None) -> Markup:
    """User Markdown -> sanitised HTML: raw HTML is off, then an nh3 allow-list; links get
    rel="nofollow ugc noopener" and only http, https and mailto survive."""
    html = _md.render(source or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_drop_script_urls,
                      url_schemes={"http", "https", "mailto"}, link_rel="nofollow ugc noopener")
    # Accepted B704: the only Markup() of user text, and it is nh3's sanitised output.
    return Markup(clean)  # nosec B704


def rendered(obj, field: str = "body") -> Markup:
    """`obj.<field>` as HTML: the `<field>_html` column that render_markdown filled when the text
    was saved (so a page view renders nothing); rendered now only if that column is empty."""
    html = getattr(obj, f"{field}_html", None)
    if html:
        # Accepted B704: render_markdown's own sanitised output, stored when the text was saved.
        return Markup(html)  # nosec B704
    return render_markdown(getattr(obj, field))


_BLOCK_END = re.compile(r"</(?:p|li|h[2-6]|blockquote|pre|tr|td|th)>|<br\s*/?>|<hr\s*/?>", re.I)
_SPACES = re.compile(r"\s+")


def plain_text(html: str | None) -> str:
    """Rendered HTML as plain text (what search stores and shows in snippets): tags removed, entities
    decoded, blocks kept apart by a space, runs of white space made one."""
    if not html:
        return ""
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + " ", str(html))
    return _SPACES.sub(" ", html_lib.unescape(nh3.clean(spaced, tags=set()))).strip()


def slugify(text: str, max_length: int = 80) -> str:
    normalized = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", normalized.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"
