"""Trust pages (issue #13): About, How we verify doctors, Editorial policy, Privacy, Terms and Contact
are loaded from seed/pages/, each with one h1 and a "last reviewed" date, and linked from every
page's footer."""
from __future__ import annotations

import re
import shutil
import tomllib
from html import unescape
from pathlib import Path

import pytest

from forum.services.seed import SeedError, load_seed

SEED = Path(__file__).resolve().parents[2] / "seed"
PAGES = ["/about", "/how-we-verify-doctors", "/editorial-policy", "/privacy", "/terms", "/contact"]


def front_matter(path: str) -> dict:
    text = (SEED / "pages" / f"{path.strip('/')}.md").read_text(encoding="utf-8")
    return tomllib.loads(text.split("+++")[1])


def headings(page: str, level: int) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", h)).strip()
            for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", page, re.S)]


def footer_links(page: str) -> dict[str, str]:
    nav = re.search(r'<nav aria-label="Footer">(.*?)</nav>', page, re.S)
    assert nav, "no footer navigation"
    return {href: unescape(label) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))}


@pytest.fixture
def seeded(app):
    load_seed(SEED)


@pytest.mark.parametrize("path", PAGES)
def test_each_trust_page_shows_its_seeded_title_as_the_only_h1_and_a_review_date(client, seeded, path):
    facts = front_matter(path)
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert headings(page, 1) == [facts["title"]]
    assert len(headings(page, 2)) >= 2, "the body is organised under h2 headings"
    assert not re.search(r"<h[1-6][^>]*>\s*</h", page)
    assert f'datetime="{facts["reviewed_on"].isoformat()}"' in page
    assert "Last reviewed" in page
    assert unescape(facts["summary"]) in unescape(page)


@pytest.mark.parametrize("path", PAGES)
def test_every_trust_page_is_linked_from_the_footer_of_other_pages(client, seeded, path):
    for other in ("/", "/questions", "/terms" if path != "/terms" else "/about"):
        links = footer_links(client.get(other).get_data(as_text=True))
        assert path in links, f"{path} missing from the footer of {other}"
    assert "/api/v1/docs" in links, "the API link stays"


def test_footer_labels_say_where_they_lead(client, seeded):
    links = footer_links(client.get("/").get_data(as_text=True))
    assert links["/how-we-verify-doctors"] == "How we verify doctors"
    assert links["/privacy"] == "Privacy notice"
    assert links["/contact"] == "Contact us"


def test_pages_come_from_the_seed_folder_and_follow_its_edits(client, app, tmp_path):
    assert client.get("/about").status_code == 404  # nothing is hard-coded in the templates
    copy = tmp_path / "seed"
    shutil.copytree(SEED, copy)
    load_seed(copy)
    assert headings(client.get("/about").get_data(as_text=True), 1) == ["About Ask a Cosmetic Doctor"]
    path = copy / "pages" / "about.md"
    text = path.read_text(encoding="utf-8").replace('title = "About Ask a Cosmetic Doctor"', 'title = "Who we are"')
    path.write_text(text.replace("reviewed_on = 2026-12-02", "reviewed_on = 2027-01-15"), encoding="utf-8")
    report = load_seed(copy)
    assert report.updated.get("pages") == 1
    page = client.get("/about").get_data(as_text=True)
    assert headings(page, 1) == ["Who we are"]
    assert 'datetime="2027-01-15"' in page and "15 January 2027" in page


def test_the_verification_page_explains_what_is_checked_and_what_lapses(client, seeded):
    page = unescape(client.get("/how-we-verify-doctors").get_data(as_text=True))
    assert "credential ledger" in page
    assert "When a licence expires" in headings(page, 2)
    assert "Verification lapsed" in page


def test_the_privacy_notice_names_the_encryption_and_how_to_export_or_delete(client, seeded):
    page = unescape(client.get("/privacy").get_data(as_text=True))
    titles = headings(page, 2)
    assert {"Export your data", "Delete your account", "Who can see what"} <= set(titles)
    assert "Fernet" in page and "GPS" in page


def test_a_seed_page_without_a_review_date_stops_the_load_with_its_file_named(app, tmp_path):
    copy = tmp_path / "seed"
    shutil.copytree(SEED, copy)
    path = copy / "pages" / "terms.md"
    path.write_text(path.read_text(encoding="utf-8").replace("reviewed_on = 2026-12-02\n", ""), encoding="utf-8")
    with pytest.raises(SeedError, match=r"terms\.md.*reviewed_on"):
        load_seed(copy)


def test_the_sitemap_lists_every_trust_page_with_its_last_change(client, seeded):
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    for path in PAGES:
        assert re.search(rf"<url><loc>[^<]*{re.escape(path)}</loc><lastmod>\d{{4}}-\d\d-\d\d</lastmod>", xml), path
        assert f'hreflang="es" href="http://localhost{path}?lang=es"' in xml, path
