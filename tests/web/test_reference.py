"""Reference pages: facts, sources, drafts, safe Markdown, editing by moderators only."""
import json
import re
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from forum.extensions import db
from forum.services import stats
from forum.models import Article, ModerationLog
from forum.schemas.reference import ArticleIn
from forum.services.seed import load_seed
from tests.factories import make_doctor, make_moderator, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
ARTICLE = "enlarged-pores-what-they-are-and-what-shrinks-them"


@pytest.fixture
def seeded(app):
    load_seed(SEED)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def new_article(**overrides) -> dict:
    data = {"title": "A draft about skin texture", "summary": "A short summary of the draft post.",
            "body": "Some **Markdown** body text for the draft.", "author_name": "Editorial team",
            "topics": ["skin-texture"], "treatments": ["microneedling"]}
    data.update(overrides)
    return data


def test_every_seeded_treatment_page_shows_its_facts_and_sources(client, seeded):
    from forum.services import reference
    for treatment in reference.list_treatments():
        page = text_of(client.get(f"/treatments/{treatment.slug}"))
        assert str(escape(treatment.name)) in page
        assert 'data-testid="facts-table"' in page
        facts = {"How it works": treatment.how_it_works, "Sessions": treatment.sessions,
                 "Downtime": treatment.downtime, "How long results last": treatment.durability}
        for label, value in facts.items():
            assert (label in page) == bool(value), (treatment.slug, label)  # a row only for a known fact
        assert "not stated" not in page
        for source in treatment.sources:
            assert str(escape(source["publication"])) in page
        assert 'data-testid="medical-disclaimer"' in page


def test_treatment_costs_read_as_figures_and_unknown_facts_are_left_out(client, seeded):
    assert "from USD 1,000" in text_of(client.get("/treatments/fractional-non-ablative-laser"))
    assert "about USD 500" in text_of(client.get("/treatments/micro-botox"))
    microdermabrasion = text_of(client.get("/treatments/microdermabrasion"))
    assert "Typical cost" not in microdermabrasion and "Downtime" not in microdermabrasion
    assert "How it works" in microdermabrasion and "not stated" not in microdermabrasion


def test_topic_kinds_read_as_labels_not_slugs(client, seeded):
    page = text_of(client.get("/topics"))
    assert "treatment-type" not in page and "Type of treatment" in page


def test_every_seeded_article_renders_with_sources_disclaimer_and_json_ld(client, seeded):
    for article in db.session.scalars(select(Article)):
        html = client.get(f"/articles/{article.slug}").get_data(as_text=True)
        assert str(escape(article.title)) in html
        assert 'data-testid="medical-disclaimer"' in html
        for source in article.sources:
            assert str(escape(source["publication"])) in html
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        assert ld["@type"] == "Article" and ld["headline"] == article.title
        for treatment in article.treatments:
            assert f'href="/treatments/{treatment.slug}"' in html


def test_topic_page_lists_its_reference_posts_and_treatments(client, seeded):
    page = text_of(client.get("/topics/enlarged-pores"))
    assert "Enlarged pores" in page and f"/articles/{ARTICLE}" in page


def test_unknown_slugs_are_404(client, seeded):
    for path in ("/articles/nope", "/treatments/nope", "/topics/nope", "/api/v1/articles/nope"):
        assert client.get(path).status_code == 404


def test_home_page_shows_counts_featured_posts_topics_and_consultation_call(client, seeded):
    make_doctor()
    page = text_of(client.get("/"))
    assert re.search(r'data-testid="stat-verified-doctors">1<', page)
    assert f"/articles/{ARTICLE}" in page and "/topics/acne" in page
    assert "Start a private virtual consultation" in page


def test_home_page_costs_a_fixed_number_of_queries(app, client, seeded, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0  # measure the rendering, not the visitors' page cache
    stats.refresh_all()  # the stored counts, as the periodic job leaves them
    client.get("/")
    with count_queries() as first:
        client.get("/")
    for n in range(5):
        make_doctor()
    client.get("/")  # the kept topic list is rebuilt once after reference content changes
    with count_queries() as second:
        client.get("/")
    assert second.count == first.count <= 5


def test_drafts_are_invisible_to_the_public_in_html_api_and_sitemap(client, browser, seeded):
    from forum.services import reference
    moderator = make_moderator()
    reference.save_article(moderator, data=ArticleIn().load(new_article()))
    for path in ("/articles/a-draft-about-skin-texture", "/api/v1/articles/a-draft-about-skin-texture"):
        assert client.get(path).status_code == 404
    assert "a-draft-about-skin-texture" not in client.get("/articles").get_data(as_text=True)
    assert "a-draft-about-skin-texture" not in client.get("/api/v1/articles").get_data(as_text=True)
    assert "a-draft-about-skin-texture" not in client.get("/sitemap.xml").get_data(as_text=True)
    assert "a-draft-about-skin-texture" not in client.get("/topics/skin-texture").get_data(as_text=True)
    browser.login(make_user())
    assert client.get("/articles/a-draft-about-skin-texture").status_code == 404


def test_sitemap_lists_published_articles_topics_treatments(client, seeded):
    xml = client.get("/sitemap.xml")
    assert xml.mimetype == "application/xml"
    body = xml.get_data(as_text=True)
    assert f"/articles/{ARTICLE}</loc>" in body and "/treatments/micro-botox</loc>" in body


XSS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<svg onload="alert(1)"></svg>',
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](JaVaScRiPt:alert(1))",
]


def test_article_markdown_with_scripts_handlers_and_javascript_links_renders_inert(client, seeded):
    from forum.services import reference
    moderator = make_moderator()
    body = "Intro paragraph.\n\n" + "\n\n".join(XSS) + "\n\n[fine](https://example.org)"
    reference.save_article(moderator, data=ArticleIn().load(new_article(body=body)))
    reference.set_article_published(moderator, slug="a-draft-about-skin-texture", published=True)
    html = client.get("/articles/a-draft-about-skin-texture").get_data(as_text=True)
    rendered = html.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in rendered and "<img" not in rendered and "<svg" not in rendered
    assert not re.search(r"<[^>]*\son\w+\s*=", rendered)  # no event handler inside any tag
    assert not re.search(r'<a[^>]*href="(javascript|data):', rendered, re.I)
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in rendered


def test_moderator_creates_edits_and_publishes_an_article_in_the_browser_and_each_step_is_logged(
        client, browser, seeded):
    browser.login(make_moderator())
    form = new_article()
    data = {k: v for k, v in form.items() if not isinstance(v, list)}
    data.update(topics="skin-texture", treatments="microneedling")
    response = browser.post_form("/mod/articles/new", data)
    assert response.status_code == 303 and response.headers["Location"] == "/articles/a-draft-about-skin-texture"
    data["title"] = "A revised draft about skin texture"
    response = browser.post_form("/mod/articles/a-draft-about-skin-texture/edit", data)
    assert response.status_code == 303
    response = browser.post_form("/mod/articles/a-draft-about-skin-texture/publish", {"reason": "Ready to go"},
                                 token_from="/articles/a-draft-about-skin-texture")
    assert response.status_code == 303
    client.get("/logout")
    actions = [e.action for e in db.session.scalars(select(ModerationLog).order_by(ModerationLog.id))]
    assert actions == ["article.create", "article.edit", "article.publish"]
    assert "A revised draft about skin texture" in client.get("/articles/a-draft-about-skin-texture").get_data(
        as_text=True)


def test_article_form_errors_are_shown_and_nothing_is_stored(browser, seeded):
    browser.login(make_moderator())
    response = browser.post_form("/mod/articles/new", {"title": "short", "summary": "", "body": "x",
                                                       "author_name": "E", "treatments": "no-such-thing"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use between 15 and 150 characters" in page
    assert "Enter your summary" in page and "Missing data for required field." not in page
    assert db.session.scalar(select(Article).where(Article.title == "short")) is None


def test_moderator_edits_a_treatment_and_a_topic(browser, client, seeded):
    browser.login(make_moderator())
    response = browser.post_form("/mod/topics/acne/edit", {"name": "Acne", "slug": "acne", "kind": "concern",
                                                           "description": "Updated description of acne."})
    assert response.status_code == 303
    assert "Updated description of acne." in client.get("/topics/acne").get_data(as_text=True)
    response = browser.post_form("/mod/treatments/new", {
        "name": "Test light therapy", "kind": "in-office", "how_it_works": "Light of some wavelength.",
        "cost_min": "100", "cost_max": "50", "cost_currency": "USD"})
    assert response.status_code == 422
    assert "The maximum cannot be below the minimum." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["visitor", "member", "doctor"])
def test_non_moderators_cannot_edit_reference_content(client, browser, seeded, role):
    if role != "visitor":
        browser.login(make_user() if role == "member" else make_doctor())
    paths = ["/mod/articles/new", f"/mod/articles/{ARTICLE}/edit", "/mod/topics/acne/edit",
             "/mod/treatments/micro-botox/edit", "/mod/review-due"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == (302 if role == "visitor" else 403), path
    if role != "visitor":
        response = browser.post_form("/mod/topics/acne/edit", {"name": "Hacked", "kind": "concern"},
                                     token_from="/")
        assert response.status_code == 403
        response = browser.post_form(f"/mod/articles/{ARTICLE}/unpublish", {}, token_from="/")
        assert response.status_code == 403
    assert db.session.scalar(select(ModerationLog)) is None


def test_medical_review_is_shown_once_the_doctor_confirms_and_old_reviews_fall_due(client, browser, seeded,
                                                                                   frozen_clock):
    moderator = make_moderator()
    doctor = make_doctor(full_name="Dr. Fictional Reviewer")
    browser.login(moderator)
    due = client.get("/mod/review-due").get_data(as_text=True)
    assert ARTICLE in due
    response = browser.post_form(f"/mod/articles/{ARTICLE}/review",
                                 {"reviewer_id": str(doctor.doctor_profile.id)}, token_from="/mod/review-due")
    assert response.status_code == 303
    assert "Medically reviewed by" not in text_of(client.get(f"/articles/{ARTICLE}"))  # not before sign-off
    browser.login(doctor)
    dashboard = client.get("/doctor/dashboard").get_data(as_text=True)
    [review_id] = re.findall(r"/doctor/medical-reviews/(\d+)/confirm", dashboard)
    response = browser.post_form(f"/doctor/medical-reviews/{review_id}/confirm", token_from="/doctor/dashboard")
    assert response.status_code == 303
    page = text_of(client.get(f"/articles/{ARTICLE}"))
    assert "Medically reviewed by" in page and "Dr. Fictional Reviewer" in page
    browser.login(moderator)
    assert ARTICLE not in client.get("/mod/review-due").get_data(as_text=True)
    frozen_clock.advance(days=366)
    browser.login(moderator)
    assert ARTICLE in client.get("/mod/review-due").get_data(as_text=True)


def test_only_a_verified_doctor_can_be_recorded_as_reviewer(seeded):
    from forum.errors import Invalid
    from forum.models import VerificationStatus
    from forum.services import medical_reviews
    pending = make_doctor(status=VerificationStatus.PENDING)
    with pytest.raises(Invalid):
        medical_reviews.assign_reviewer(make_moderator(), slug=ARTICLE, reviewer_id=pending.doctor_profile.id)


def test_topic_and_treatment_pages_list_their_questions_and_the_doctors_who_answered(client, seeded):
    from forum.services import answers, questions, stats
    asker = make_user()
    doctor = make_doctor(full_name="Dr. Topic Answerer")
    question = questions.ask_question(asker, title="Does microneedling help acne scars at all?",
                                      body="I have acne scars and wonder whether microneedling is worth it.",
                                      topics=["acne"], treatments=["microneedling"]).question
    answers.post_answer(doctor, question_id=question.id, body="It can help some scars; an examination decides.")
    stats.refresh_all()  # the periodic job keeps "doctors answering here" per topic and treatment
    for path in ("/topics/acne", "/treatments/microneedling"):
        page = client.get(path).get_data(as_text=True)
        assert "Does microneedling help acne scars at all?" in page and "Dr. Topic Answerer" in page
    question.hidden = True
    db.session.commit()
    stats.refresh_all()
    page = client.get("/topics/acne").get_data(as_text=True)
    assert "Does microneedling help acne scars at all?" not in page and "Dr. Topic Answerer" not in page
