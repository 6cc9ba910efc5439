"""Forms that help (GOV.UK / NHS.UK error summary pattern): a form sent back with mistakes opens with
"There is a problem" listing each one as a link to its field, says in plain words what to do, marks
each bad field for screen readers (aria-invalid, aria-describedby naming its message) and keeps what
was typed, except passwords."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from forum.services.seed import load_seed
from tests.factories import application_data, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
RAW_WORDING = ["Missing data for required field.", "Not a valid", "Length must be", "Longer than maximum",
               "Shorter than minimum", "Must be one of"]


class Page(HTMLParser):
    """Elements by id, the error summary's links and texts, each element's text by id."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}
        self.text_of: dict[str, str] = {}
        self.summary: list[tuple[str | None, str]] = []
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of elements being read
        self._in_summary = 0
        self._link: str | None = None
        self._item: list[str] | None = None
        self.summary_attrs: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if "id" in attrs:
            assert attrs["id"] not in self.by_id, f"duplicate id {attrs['id']}"
            self.by_id[attrs["id"]] = {"tag": tag, **attrs}
            self.text_of[attrs["id"]] = ""
        if tag in ("input", "br", "meta", "link"):
            return
        if "error-summary" in attrs.get("class", "").split():
            self.summary_attrs = attrs
            self._in_summary = len(self._open) + 1
        if self._in_summary and tag == "li":
            self._item, self._link = [], None
        if self._in_summary and tag == "a":
            self._link = attrs.get("href", "").removeprefix("#")
        self._open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        if tag in ("input", "br", "meta", "link") or not self._open:
            return
        self._open.pop()
        if self._in_summary and tag == "li" and self._item is not None:
            self.summary.append((self._link, " ".join("".join(self._item).split())))
            self._item = None
        if self._in_summary and len(self._open) < self._in_summary:
            self._in_summary = 0

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.text_of[element_id] += data
        if self._item is not None:
            self._item.append(data)

    def described_by(self, element_id: str) -> str:
        """The words a screen reader adds to a control: the texts its aria-describedby names."""
        ids = self.by_id[element_id].get("aria-describedby", "").split()
        assert all(i in self.by_id for i in ids), f"{element_id} points at a missing id"
        return " ".join(" ".join(self.text_of[i].split()) for i in ids)


def check_helpful_errors(page: Page, expected: dict[str, str]) -> None:
    """`expected`: control id -> the plain message the summary and the field both show."""
    assert page.summary_attrs is not None, "no error summary"
    assert page.summary_attrs["role"] == "alert" and page.summary_attrs["tabindex"] == "-1"
    assert page.text_of[page.summary_attrs["aria-labelledby"]].strip() == "There is a problem"
    links = dict((target, message) for target, message in page.summary if target)
    for control_id, message in expected.items():
        assert links.get(control_id) == message, page.summary
        control = page.by_id[control_id]  # the link resolves to the field itself
        assert control["tag"] in ("input", "textarea", "select")
        assert control.get("aria-invalid") == "true"
        assert message in page.described_by(control_id)
    for target, _message in page.summary:
        assert target is None or target in page.by_id


def no_raw_wording(html: str) -> None:
    assert not [w for w in RAW_WORDING if w in html]


def test_an_empty_registration_says_what_to_do_and_keeps_what_was_typed(browser):
    response = browser.post_form("/register", {"email": "", "display_name": "Sam Fictional", "password": ""},
                                 token_from="/register")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = Page(html)
    check_helpful_errors(page, {"email": "Enter your e-mail address", "password": "Enter your password"})
    no_raw_wording(html)
    assert page.by_id["display_name"]["value"] == "Sam Fictional"
    assert "aria-invalid" not in page.by_id["display_name"]
    # a hint is still read out with the error
    assert page.described_by("password").startswith("At least 12 characters")


def test_a_registration_keeps_the_address_but_never_the_password(browser):
    response = browser.post_form("/register", {"email": "sam@example.org", "display_name": "S",
                                               "password": "a long enough passphrase here"}, token_from="/register")
    page = Page(response.get_data(as_text=True))
    check_helpful_errors(page, {"display_name": "Use between 2 and 50 characters"})
    assert page.by_id["email"]["value"] == "sam@example.org"
    assert "value" not in page.by_id["password"]


def test_a_form_without_mistakes_has_no_error_summary(client):
    page = Page(client.get("/register").get_data(as_text=True))
    assert page.summary_attrs is None
    assert "aria-invalid" not in page.by_id["email"]


def test_an_email_that_is_not_an_address_gets_an_example(browser):
    response = browser.post_form("/register", {"email": "sam-at-example", "display_name": "Sam Fictional",
                                               "password": "a long enough passphrase here", "confirm_adult": "1"},
                                 token_from="/register")
    page = Page(response.get_data(as_text=True))
    check_helpful_errors(page, {"email": "Enter an e-mail address like name@example.com"})
    assert page.by_id["email"]["value"] == "sam-at-example"


@pytest.fixture
def seeded(app):
    load_seed(SEED)


def test_an_empty_question_says_what_to_do_and_keeps_the_title(browser, seeded):
    browser.login(make_user())
    response = browser.post_form("/questions/ask", {"title": "Pores?", "body": ""}, token_from="/questions/ask")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = Page(html)
    check_helpful_errors(page, {"title": "Use between 15 and 150 characters", "body": "Enter some text"})
    no_raw_wording(html)
    assert page.by_id["title"]["value"] == "Pores?"


def test_a_question_without_topics_links_to_the_first_box_of_the_group(browser, seeded):
    browser.login(make_user())
    response = browser.post_form("/questions/ask", {"title": "Can retinol shrink large pores on my nose?",
                                                    "body": "My pores look large by noon. Would retinol help?"},
                                 token_from="/questions/ask")
    page = Page(response.get_data(as_text=True))
    assert page.summary == [("topics-1", "Choose at least one topic or treatment.")]
    assert page.by_id["topics-1"]["type"] == "checkbox" and page.by_id["topics-1"]["aria-invalid"] == "true"
    assert page.by_id["title"]["value"] == "Can retinol shrink large pores on my nose?"
    assert page.text_of["body"] == "My pores look large by noon. Would retinol help?"


def test_a_doctor_application_with_mistakes_keeps_every_typed_value(browser):
    browser.login(make_user())
    data = application_data(full_name="", country="X", website="ftp//nowhere", specialty="astrology")
    response = browser.post_form("/doctor/apply", data, token_from="/doctor/apply")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = Page(html)
    check_helpful_errors(page, {
        "full_name": "Enter your full name", "country": "Use between 2 and 80 characters",
        "website": "Enter a web address starting with https://, like https://www.example.com",
        "specialty": "Choose one of the options"})
    no_raw_wording(html)
    assert page.by_id["license_number"]["value"] == data["license_number"]
    assert page.by_id["website"]["value"] == "ftp//nowhere"
    assert page.text_of["bio"] == data["bio"]
