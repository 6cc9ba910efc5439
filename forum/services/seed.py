"""Load seed/ (topics, treatments, reference posts; demo data on request), idempotently."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from forum import clock
from forum.errors import Invalid
from forum.extensions import db
from forum.models import (
    Answer, AnswerReview, Article, ArticleStatus, Credential, CredentialKind, DoctorProfile, Follow, FollowUp,
    HelpfulVote, Question, SitePage, Topic, Treatment, User, Verdict,
    DoctorLanguage, VerificationStatus,
)
from forum.passwords import hash_password
from forum.schemas.accounts import DoctorApplicationIn
from forum.schemas.common import InputSchema, Text
from forum.schemas.pages import SitePageSeed
from forum.schemas.qa import QuestionIn
from forum.schemas.reference import ArticleSeed, TopicIn, TreatmentIn
from forum.services import revisions, search_index
from forum.services.answers import recount_doctor, recount_question
from forum.services.doctors import LANGUAGES
from forum.services.pages import apply_page
from forum.services.reference import apply_article, apply_topic, apply_treatment, by_slugs
from forum.services.seed_files import SeedError, checksum, line_of, read_front_matter, read_records, validate_record
from forum.services.seed_translations import load_translations
from forum.services.seed_reviews import check_demo_reviews, write_demo_reviews

DEMO_ACCOUNT_AGE = timedelta(days=400)


@dataclass
class SeedReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    translations: SeedReport | None = None  # seed/<locale>/, counted apart (kinds like "topics (es)")

    def count(self, bucket: str, kind: str) -> None:
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        parts = [f"{k}: {self.created.get(k, 0)} created, {self.updated.get(k, 0)} updated, "
                 f"{self.unchanged.get(k, 0)} unchanged" for k in kinds]
        if self.translations is not None and self.translations.summary() != "nothing to load":
            parts.append(self.translations.summary())
        return "; ".join(parts) or "nothing to load"


class DemoDoctorSeed(DoctorApplicationIn):
    email = fields.Email(required=True)
    display_name = Text(min_len=2, max_len=50)
    accepts_consultations = fields.Boolean(load_default=True)
    license_expires_on = fields.Date(required=True)
    topics = fields.List(fields.String(), load_default=list)
    languages = fields.List(fields.String(validate=validate.OneOf(sorted(LANGUAGES))), load_default=lambda: ["en"],
                            validate=validate.Length(min=1))


class DemoMemberSeed(InputSchema):
    email = fields.Email(required=True)
    display_name = Text(min_len=2, max_len=50)


def _upsert(model, slug: str, digest: str, apply, data: dict, report: SeedReport, kind: str, path: Path):
    current = db.session.scalar(select(model).where(model.slug == slug))
    if current is not None and current.seed_checksum == digest:
        report.count("unchanged", kind)
        return current, False
    before = revisions.snapshot(current) if current is not None and revisions.kind_of(current) else None
    try:
        obj = apply(current, data)
    except Invalid as err:
        raise SeedError(f"{path}: {slug}: {err.fields or err.message}") from None
    if before is not None and revisions.snapshot(obj) != before:  # the version replaced stays in the history
        revisions.record(obj, None, reason=revisions.SEED_REASON, kept=before)
    obj.seed_checksum = digest
    report.count("updated" if current is not None else "created", kind)
    return obj, True


def _load_table(root: Path, report: SeedReport, *, header: str, schema: Schema, model, apply) -> None:
    """Load `<header>s.toml` ([[header]] tables) through `schema`, upserting by slug."""
    path = root / f"{header}s.toml"
    records, text = read_records(path, header)
    for index, record in enumerate(records):
        data = validate_record(schema, record, path=path, text=text, header=header, index=index)
        if not data.get("slug"):
            raise SeedError(f"{path}:{line_of(text, header, index, None)}: slug: seed records need a slug")
        _upsert(model, data["slug"], checksum(record), apply, data, report, f"{header}s", path)
    db.session.flush()


def _load_articles(root: Path, report: SeedReport) -> None:
    parsed = [(path, *read_front_matter(path, ArticleSeed())) for path in sorted((root / "articles").glob("*.md"))]
    changed = []
    for path, record, data in parsed:
        article, was_changed = _upsert(Article, data["slug"], checksum(record), _apply_seed_article, data,
                                       report, "articles", path)
        if was_changed:
            changed.append((path, article, data))
    db.session.flush()
    # Related links point at other posts, so they are set once every post exists.
    for path, article, data in changed:
        try:
            article.related = by_slugs(Article, [s for s in data["related"] if s != article.slug], "related")
        except Invalid as err:
            raise SeedError(f"{path}: related: {err.fields['related'][0]}") from None


def _load_pages(root: Path, report: SeedReport) -> None:
    """seed/pages/<slug>.md: the trust pages (About, Privacy...), upserted by slug like posts."""
    for path in sorted((root / "pages").glob("*.md")):
        record, data = read_front_matter(path, SitePageSeed())
        _upsert(SitePage, data["slug"], checksum(record), apply_page, data, report, "pages", path)
    db.session.flush()


def _apply_seed_article(current: Article | None, data: dict) -> Article:
    article = apply_article(current, {**data, "related": []})
    article.status = data["status"]
    if article.status == ArticleStatus.PUBLISHED:
        article.published_on = data["published_on"] or article.published_on or clock.now().date()
    db.session.flush()
    search_index.index_article(article)
    return article


def _load_demo(root: Path, report: SeedReport) -> None:
    doctors_path, members_path = root / "demo" / "doctors.toml", root / "demo" / "members.toml"
    records, text = read_records(members_path, "member")
    for index, record in enumerate(records):
        data = validate_record(DemoMemberSeed(), record, path=members_path, text=text, header="member", index=index)
        _demo_user(data["email"], data["display_name"], report, "demo members")
    records, text = read_records(doctors_path, "doctor")
    for index, record in enumerate(records):
        data = validate_record(DemoDoctorSeed(), record, path=doctors_path, text=text, header="doctor", index=index)
        user = _demo_user(data.pop("email"), data.pop("display_name"), report, "demo doctors")
        if user.doctor_profile is None:
            expires: date = data.pop("license_expires_on")
            topics = by_slugs(Topic, data.pop("topics"), "topics")
            languages = [DoctorLanguage(language=code) for code in sorted(set(data.pop("languages")))]
            profile = DoctorProfile(user=user, status=VerificationStatus.VERIFIED, decided_at=clock.now(),
                                    decision_reason="Demo data", topics=topics, languages=languages, **data)
            db.session.add(Credential(doctor=profile, kind=CredentialKind.LICENSE, identifier=profile.license_number,
                                      issuer=profile.license_region, source="Demo data: not a real license",
                                      expires_on=expires))
    db.session.flush()


def _demo_user(email: str, display_name: str, report: SeedReport, kind: str) -> User:
    email = email.lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        # Demo accounts get an unknown random password: no seeded credentials exist anywhere.
        # Dated back: the demo's questions and reviews are months old, and so are the people behind them.
        user = User(email=email, display_name=display_name, password_hash=hash_password(secrets.token_urlsafe(24)),
                    email_verified_at=clock.now() - DEMO_ACCOUNT_AGE, created_at=clock.now() - DEMO_ACCOUNT_AGE)
        db.session.add(user)
        report.count("created", kind)
    else:
        report.count("unchanged", kind)
    return user


def load_seed(root: Path | str, *, demo: bool = False) -> SeedReport:
    """Load the seed folder in one transaction: everything or, on the first bad file, nothing.
    (Demo reviews, checked in that transaction, are then written through the review service,
    which commits each: services/seed_reviews.py.)

    Records are matched by slug and carry the checksum of the seed record they came from:
    an unchanged record is left alone (a moderator's later edit survives), a changed file
    updates its record, and nothing that exists only in the database is deleted."""
    root = Path(root)
    report = SeedReport()
    demo_reviews = []
    try:
        _load_table(root, report, header="topic", schema=TopicIn(), model=Topic, apply=apply_topic)
        _load_table(root, report, header="treatment", schema=TreatmentIn(), model=Treatment, apply=apply_treatment)
        _load_articles(root, report)
        _load_pages(root, report)
        report.translations = SeedReport()
        load_translations(root, report.translations)
        search_index.index_subjects()
        if demo:
            _load_demo(root, report)
            _load_demo_questions(root, report)
            demo_reviews = check_demo_reviews(root, {u.email: u for u in db.session.scalars(select(User))})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    write_demo_reviews(demo_reviews, report)
    return report


def database_is_empty(*, demo: bool = False) -> bool:
    """No reference content yet; with `demo`, no questions and no doctors yet (reference content
    loaded earlier without people still gets the demo)."""
    if demo:
        return db.session.scalar(select(Question.id).limit(1)) is None and \
            db.session.scalar(select(DoctorProfile.id).limit(1)) is None
    return db.session.scalar(select(Topic.id).limit(1)) is None and \
        db.session.scalar(select(Article.id).limit(1)) is None



class DemoDisagreeSeed(InputSchema):
    doctor = fields.Email(required=True)
    reason = Text(min_len=10, max_len=300)


class DemoFollowUpSeed(InputSchema):
    by = fields.String(required=True, validate=validate.OneOf(["asker", "doctor"]))
    body = Text(min_len=2, max_len=600)


class DemoAnswerSeed(InputSchema):
    doctor = fields.Email(required=True)
    body = Text(min_len=30, max_len=2000)
    offers_treatment = fields.Boolean(load_default=False)
    industry_ties = fields.String(load_default="", validate=validate.Length(max=500))
    hours_after = fields.Integer(required=True, validate=validate.Range(min=1, max=240))
    helpful_by = fields.List(fields.Email(), load_default=list)
    agree_by = fields.List(fields.Email(), load_default=list)
    accepted = fields.Boolean(load_default=False)
    disagree = fields.List(fields.Nested(DemoDisagreeSeed), load_default=list)
    follow_ups = fields.List(fields.Nested(DemoFollowUpSeed), load_default=list)


class DemoQuestionSeed(QuestionIn):
    asker = fields.Email(required=True)
    days_ago = fields.Integer(required=True, validate=validate.Range(min=1, max=120))
    answers = fields.List(fields.Nested(DemoAnswerSeed), load_default=list)


def _load_demo_questions(root: Path, report: SeedReport) -> None:
    path = root / "demo" / "questions.toml"
    if not path.exists():
        return
    records, text = read_records(path, "question")
    users = {u.email: u for u in db.session.scalars(select(User))}
    for index, record in enumerate(records):
        data = validate_record(DemoQuestionSeed(), record, path=path, text=text, header="question", index=index)
        asker = users.get(data["asker"].lower())
        if asker is None:
            raise SeedError(f"{path}:{line_of(text, 'question', index, 'asker')}: asker: unknown demo member")
        if db.session.scalar(select(Question.id).where(Question.author_id == asker.id,
                                                       Question.title == data["title"])) is not None:
            report.count("unchanged", "demo questions")
            continue
        try:
            _demo_question(asker, data, users)
        except (KeyError, Invalid) as err:
            raise SeedError(f"{path}:{line_of(text, 'question', index, None)}: {data['title']!r}: "
                            f"unknown e-mail or slug {err}") from None
        report.count("created", "demo questions")
    db.session.flush()


def _demo_question(asker: User, data: dict, users: dict) -> None:
    asked = clock.now() - timedelta(days=data["days_ago"])
    question = Question(author=asker, title=data["title"], body=data["body"], anonymous=data["anonymous"],
                        created_at=asked, last_activity_at=asked)
    question.topics = by_slugs(Topic, data["topics"], "topics")
    question.treatments = by_slugs(Treatment, data["treatments"], "treatments")
    db.session.add(question)
    db.session.flush()
    db.session.add(Follow(user_id=asker.id, question_id=question.id, created_at=asked))
    question.follower_count = 1
    doctors = set()
    for item in data["answers"]:
        doctor = users[item["doctor"].lower()]
        when = asked + timedelta(hours=item["hours_after"])
        answer = Answer(question=question, author=doctor, body=item["body"], created_at=when,
                        offers_treatment=item["offers_treatment"], industry_ties=item["industry_ties"] or None,
                        accepted=item["accepted"], helpful_count=len(item["helpful_by"]))
        db.session.add(answer)
        db.session.flush()
        for email in item["helpful_by"]:
            db.session.add(HelpfulVote(answer_id=answer.id, user_id=users[email.lower()].id, created_at=when))
        for email in item["agree_by"]:
            db.session.add(AnswerReview(answer_id=answer.id, doctor_id=users[email.lower()].id,
                                        verdict=Verdict.AGREE, created_at=when))
        for review in item["disagree"]:
            db.session.add(AnswerReview(answer_id=answer.id, doctor_id=users[review["doctor"].lower()].id,
                                        verdict=Verdict.DISAGREE, reason=review["reason"], created_at=when))
        answer.agree_count, answer.disagree_count = len(item["agree_by"]), len(item["disagree"])
        for offset, follow_up in enumerate(item["follow_ups"], start=1):
            author = asker if follow_up["by"] == "asker" else doctor
            db.session.add(FollowUp(answer=answer, author=author, body=follow_up["body"],
                                    created_at=when + timedelta(hours=offset)))
        if item["accepted"]:
            question.accepted_answer_id = answer.id
        question.first_answer_at = min(filter(None, [question.first_answer_at, when]))
        question.last_activity_at = max(question.last_activity_at, when)
        doctors.add(doctor)
        search_index.index_answer(answer)
    recount_question(question)
    for doctor in doctors:
        recount_doctor(doctor)
    search_index.index_question(question)
