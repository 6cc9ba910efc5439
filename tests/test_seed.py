"""The seed loader: idempotent, updates edited records, never deletes, names bad files."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum import clock
from forum.models import (
    Answer, Article, ArticleStatus, ConsultationRequest, ConsultationStatus, DoctorProfile, FollowUp, Question,
    Review, ReviewStatus, Revision, SitePage, Topic, Treatment, User,
)
from forum.services import moderation_trust, reference, revisions
from forum.services.patient_costs import patient_costs
from forum.services.seed import SeedError, load_seed
from tests.factories import make_moderator

SEED = Path(__file__).resolve().parent.parent / "seed"


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def snapshot() -> dict:
    """Every reference row as plain data, to compare whole databases."""
    def rows(model, *names):
        return sorted(tuple(str(getattr(obj, n)) for n in names) for obj in db.session.scalars(select(model)))
    return {
        "topics": rows(Topic, "slug", "name", "description", "updated_at"),
        "treatments": rows(Treatment, "slug", "how_it_works", "cost_min", "sources", "updated_at"),
        "articles": rows(Article, "slug", "title", "body", "status", "published_on", "updated_at"),
        "pages": rows(SitePage, "slug", "title", "body", "reviewed_on", "updated_at"),
        "links": sorted((a.slug, tuple(sorted(t.slug for t in a.treatments)), tuple(sorted(r.slug for r in a.related)))
                        for a in db.session.scalars(select(Article))),
    }


def test_seed_loads_every_topic_treatment_and_both_reference_posts(app):
    report = load_seed(SEED)
    assert report.created == {"topics": 17, "treatments": 13, "articles": 2, "pages": 6}
    assert db.session.scalar(select(func.count()).select_from(Article).where(
        Article.status == ArticleStatus.PUBLISHED)) == 2
    post = reference.get_article(None, "enlarged-pores-what-they-are-and-what-shrinks-them")
    assert {"microneedling", "micro-botox"} <= {t.slug for t in post.treatments}
    assert [a.slug for a in post.related] == ["you-cant-shrink-pores-but-you-can-make-them-look-smaller"]


def test_loading_the_seed_twice_leaves_the_database_identical(app):
    load_seed(SEED)
    before = snapshot()
    report = load_seed(SEED)
    assert report.created == {} and report.updated == {}
    assert snapshot() == before


def test_an_edited_seed_file_updates_its_record(app, seed_copy):
    load_seed(seed_copy)
    path = seed_copy / "treatments.toml"
    text = path.read_text()
    assert 'slug = "micro-botox"' in text
    path.write_text(text.replace("cost_min = 500", "cost_min = 450", 1))
    report = load_seed(seed_copy)
    assert report.updated == {"treatments": 1}
    assert reference.get_treatment("micro-botox").cost_min == 450


def test_a_changed_seed_file_keeps_the_version_it_replaces_in_the_history(app, seed_copy):
    load_seed(seed_copy)
    path = seed_copy / "treatments.toml"
    path.write_text(path.read_text().replace("cost_min = 500", "cost_min = 450", 1))
    load_seed(seed_copy)
    load_seed(seed_copy)  # unchanged now: nothing more kept
    treatment = reference.get_treatment("micro-botox")
    [change] = revisions.history(treatment)
    assert change.revision.snapshot["cost_min"] == 500 and change.revision.editor is None
    assert change.editor == "site editors (content update)"
    assert [str(diff.html) for diff in change.diffs] == ["<del>500</del><ins>450</ins>"]
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 1


def test_reseeding_keeps_a_moderators_edit_and_what_moderators_created(app):
    load_seed(SEED)
    moderator = make_moderator()
    topic = reference.get_topic("acne")
    reference.save_topic(moderator, slug="acne", data={"slug": "acne", "name": "Acne and breakouts",
                                                       "kind": topic.kind, "description": "Edited in the site."})
    reference.save_topic(moderator, data={"slug": "rosacea", "name": "Rosacea", "kind": topic.kind,
                                          "description": "Made by a moderator."})
    load_seed(SEED)
    assert reference.get_topic("acne").name == "Acne and breakouts"
    assert reference.get_topic("rosacea").description == "Made by a moderator."


@pytest.mark.parametrize("mutate, expected", [
    (lambda t: t.replace('[[topic]]\nslug = "acne"', '[[topic]]\nslug = "Acne!"', 1), "topics.toml:"),
    (lambda t: t + "\n[[topic]]\nname = \n", "TOML syntax error"),
    (lambda t: t.replace('kind = "concern"', 'kind = "feeling"', 1), "kind"),
])
def test_a_malformed_topics_file_names_the_file_and_the_problem(app, seed_copy, mutate, expected):
    path = seed_copy / "topics.toml"
    path.write_text(mutate(path.read_text()))
    with pytest.raises(SeedError) as err:
        load_seed(seed_copy)
    assert "topics.toml" in str(err.value) and expected in str(err.value)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0  # nothing partial


def test_a_bad_field_is_reported_with_its_line(app, seed_copy):
    path = seed_copy / "treatments.toml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("how_it_works"))
    lines[index] = 'how_it_works = "short"'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SeedError) as err:
        load_seed(seed_copy)
    assert f"treatments.toml:{index + 1}: how_it_works" in str(err.value)


def test_an_article_without_front_matter_or_with_unknown_links_is_refused(app, seed_copy):
    post = seed_copy / "articles" / "you-cant-shrink-pores-but-you-can-make-them-look-smaller.md"
    text = post.read_text()
    post.write_text(text.replace('"microdermabrasion"', '"no-such-treatment"', 1))
    with pytest.raises(SeedError) as err:
        load_seed(seed_copy)
    assert "no-such-treatment" in str(err.value) and post.name in str(err.value)
    post.write_text("Just Markdown, no front matter.\n")
    with pytest.raises(SeedError, match="front matter"):
        load_seed(seed_copy)


def test_demo_data_is_loaded_only_when_asked(app):
    load_seed(SEED)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    load_seed(SEED, demo=True)
    doctors = db.session.scalars(select(DoctorProfile)).all()
    assert len(doctors) >= 6 and all(d.is_verified for d in doctors)
    assert all(d.user.email.endswith("@example.test") for d in doctors)
    assert all(d.license_number.startswith("DEMO-") for d in doctors)
    assert not any(u.is_staff for u in db.session.scalars(select(User)))
    questions = db.session.scalars(select(Question)).all()
    assert len(questions) >= 24 and len({t.slug for q in questions for t in q.topics}) >= 10
    answered = [q for q in questions if q.answer_count]
    assert answered and all(q.status.value == "answered" for q in answered)
    assert sum(q.answer_count for q in questions) == db.session.scalar(select(func.count()).select_from(Answer))
    assert all(a.author.is_verified_doctor for a in db.session.scalars(select(Answer)))
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) > 0
    again = load_seed(SEED, demo=True)
    assert again.created == {}
    assert again.unchanged["demo reviews"] == db.session.scalar(select(func.count()).select_from(Review))


def test_demo_reviews_are_published_dated_in_the_past_and_some_are_verified(app):
    load_seed(SEED, demo=True)
    demo = db.session.scalars(select(Review)).all()
    assert len(demo) >= 10 and all(r.status == ReviewStatus.PUBLISHED for r in demo)
    assert all(r.author.email.endswith("@example.test") and r.doctor.is_verified_doctor for r in demo)
    now = clock.now()
    assert all(r.published_at < now and r.treated_on < now.date() and r.created_at < now for r in demo)
    assert all(not moderation_trust.is_new_account(r.author) for r in demo)
    verified = [r for r in demo if r.verified]
    assert 2 <= len(verified) < len(demo)
    assert all(db.session.scalar(select(ConsultationRequest.id).where(
        ConsultationRequest.requester_id == r.author_id, ConsultationRequest.doctor_id == r.doctor_id,
        ConsultationRequest.status == ConsultationStatus.COMPLETED)) for r in verified)
    assert any(r.reply_body for r in demo)


def test_the_demo_history_sends_nobody_mail_or_notifications(app):
    from forum.models import Notification, OutboxMail
    load_seed(SEED, demo=True)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_the_demo_shows_patient_costs_on_two_treatments_beside_their_editorial_cost(app, client):
    load_seed(SEED, demo=True)
    shown = {}
    for treatment in db.session.scalars(select(Treatment)):
        costs = patient_costs(treatment.id)
        if costs and costs.currencies:
            shown[treatment.slug] = (treatment, costs.currencies[0])
    assert len(shown) >= 2
    for treatment, usd in shown.values():
        assert usd.currency == treatment.cost_currency == "USD" and usd.count >= 5
        assert treatment.cost_min <= usd.median <= 2 * treatment.cost_min  # plausible beside the editorial figure
        page = client.get(f"/treatments/{treatment.slug}").get_data(as_text=True)
        assert "What patients here reported paying" in page


def test_a_bad_demo_review_is_named_and_nothing_is_loaded(app, seed_copy):
    path = seed_copy / "demo" / "reviews.toml"
    path.write_text(path.read_text().replace('treatment = "micro-botox"', 'treatment = "no-such-thing"', 1))
    with pytest.raises(SeedError, match="reviews.toml:.*no-such-thing"):
        load_seed(seed_copy, demo=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0
