"""Absolute URLs come from SITE_URL, never from the Host header; production answers 400 to
hosts outside TRUSTED_HOSTS, except on the probes (issue #12, finding 5)."""
import json
import re
from pathlib import Path

import pytest

from forum.services import answers, questions
from forum.services.seed import load_seed
from forum.web.hosts import trusted_hosts
from tests.conftest import DATABASE_URL, make_app
from tests.factories import make_doctor, make_user
from tests.web.html import text

SEED = Path(__file__).resolve().parents[2] / "seed"
SITE = "https://forum.example.org"
EVIL = {"Host": "evil.example"}


@pytest.fixture
def app_config():
    return {"SITE_URL": SITE}


@pytest.fixture
def question(app):
    load_seed(SEED)
    asked = questions.ask_question(make_user(), title="Can microneedling shrink enlarged pores on the nose?",
                                   body="My pores on the nose look large. Would microneedling make them smaller?",
                                   topics=["enlarged-pores"], treatments=["microneedling"], anonymous=False).question
    answers.post_answer(make_doctor(), question_id=asked.id,
                        body="Microneedling can soften the look of pores a little over three to six sessions.")
    return asked


def test_a_forged_host_does_not_reach_the_canonical_link_or_json_ld(client, question):
    page = client.get(f"/questions/{question.id}/{question.slug}", headers=EVIL).get_data(as_text=True)
    canonical = f"{SITE}/questions/{question.id}/{question.slug}"
    assert f'<link rel="canonical" href="{canonical}">' in page
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ld = json.loads(block)
    urls = [a["url"] for a in ld["mainEntity"]["suggestedAnswer"]]
    assert urls and all(u.startswith(canonical + "#answer-") for u in urls)
    assert "evil.example" not in page


def test_a_forged_host_does_not_reach_the_atom_feed_or_the_sitemap(client, question):
    for path in ("/feeds/questions.atom", "/feeds/topics/enlarged-pores.atom", "/sitemap.xml"):
        body = client.get(path, headers=EVIL).get_data(as_text=True)
        assert "evil.example" not in body, path
        links = re.findall(r'href="(https?://[^"]+)"|<(?:id|loc)>(https?://[^<]+)<', body)
        assert links and all((a or b).startswith(SITE + "/") for a, b in links), (path, links)
    feed = client.get("/feeds/topics/enlarged-pores.atom", headers=EVIL).get_data(as_text=True)
    assert f"<id>{SITE}/feeds/topics/enlarged-pores.atom</id>" in feed
    assert f'<link href="{SITE}/questions/{question.id}/{question.slug}"/>' in feed


@pytest.mark.parametrize("path", ["/topics/enlarged-pores", "/treatments/microneedling",
                                  "/articles/enlarged-pores-what-they-are-and-what-shrinks-them"])
def test_reference_pages_name_themselves_by_site_url(client, question, path):
    page = client.get(path, headers=EVIL).get_data(as_text=True)
    assert f'<link rel="canonical" href="{SITE}{path}">' in page and "evil.example" not in page


# ---- TRUSTED_HOSTS ----

@pytest.fixture
def guarded(app):
    """The app as production runs it: only the site's own host is trusted."""
    app.config["TRUSTED_HOSTS"] = ["forum.example.org"]
    return app.test_client()


def test_another_host_gets_a_clean_400_page(guarded):
    response = guarded.get("/", headers=EVIL)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "The request could not be understood" in text(response)
    assert "Traceback" not in text(response) and "evil.example" not in text(response)
    assert response.headers["Content-Security-Policy"] and response.headers["X-Request-ID"]


def test_another_host_gets_a_json_400_on_the_api_and_on_unknown_paths(guarded):
    api = guarded.get("/api/v1/questions", headers=EVIL)
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "bad_request"
    assert guarded.get("/no/such/page", headers=EVIL).status_code == 400
    assert guarded.post("/login", headers=EVIL, data={"email": "a@example.org"}).status_code == 400


def test_the_real_host_is_answered(guarded):
    assert guarded.get("/", headers={"Host": "forum.example.org"}).status_code == 200
    assert guarded.get("/robots.txt", headers={"Host": "forum.example.org:443"}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:8001", "10.0.0.5"])
def test_probes_answer_any_host(guarded, host):
    assert guarded.get("/healthz", headers={"Host": host}).status_code == 200
    assert guarded.get("/readyz", headers={"Host": host}).status_code == 200
    assert guarded.get("/metrics", headers={"Host": host}).status_code == 200  # from 127.0.0.1: allowed


def test_production_trusts_the_host_of_site_url_unless_told_otherwise(redis_url):
    app = make_app(ENV_NAME="production", SECRET_KEY="s" * 40, REDIS_URL=redis_url, SITE_URL=SITE,
                   SQLALCHEMY_DATABASE_URI=DATABASE_URL)
    assert app.config["TRUSTED_HOSTS"] == ["forum.example.org"]
    client = app.test_client()
    assert client.get("/robots.txt", headers=EVIL).status_code == 400
    assert client.get("/robots.txt", headers={"Host": "forum.example.org"}).status_code == 200
    assert client.get("/healthz", headers=EVIL).status_code == 200


def test_forum_trusted_hosts_lists_several_hosts():
    config = {"ENV_NAME": "production", "SITE_URL": SITE, "TRUSTED_HOSTS": "forum.example.org, www.example.org"}
    assert trusted_hosts(config) == ["forum.example.org", "www.example.org"]
    assert trusted_hosts({"ENV_NAME": "development", "SITE_URL": SITE, "TRUSTED_HOSTS": None}) is None
