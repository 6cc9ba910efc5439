"""A small forum with one account of each role and one object of each kind, for the access matrix."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from forum import clock
from forum.text import slugify
from forum.extensions import db
from forum.models import (
    Article, ArticleStatus, QuestionPhoto, Review, Revision, Role, Topic, Treatment, UserStatus, VerificationStatus,
)
from forum.services import (
    accounts, answers, consultations, contact, doctor_photos, medical_reviews, moderation_content, pages, photos,
    questions, reviews,
)
from tests import factories

from tests.access.levels import ROLES


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


# Eight log-ins per test: a cheap hash keeps them fast (the password check itself is tested elsewhere).
QUICK_HASH = generate_password_hash(factories.PASSWORD, method="pbkdf2:sha256:1000")


def _member():
    return factories.make_user(password_hash=QUICK_HASH)


@dataclass
class World:
    users: dict = field(default_factory=dict)   # role -> User (no visitor)
    values: dict = field(default_factory=dict)  # URL parameter -> value
    tokens: dict = field(default_factory=dict)  # role -> raw bearer token

    def url(self, rule: str) -> str:
        """`rule` with every parameter replaced by an existing object's key."""
        def value(match):
            converter, name = match.group(1), match.group(2)
            if converter and converter.startswith("any("):
                return re.findall(r"\w+", converter[4:])[0]
            if name == "slug":
                return self.values[_slug_kind(rule)]
            if name == "answer_id" and "review" in rule:  # doctors review other doctors' answers
                return str(self.values["other_answer_id"])
            if name in ("photo_id", "name") and "review" in rule:  # a review's photo, not the consultation's
                return str(self.values[f"review_{name}"])
            if name == "photo_id" and rule.startswith(("/questions/", "/api/v1/questions/")):
                return str(self.values["question_photo_id"])
            return str(self.values.get(name, "x"))
        return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule)


def _slug_kind(rule: str) -> str:
    for kind in ("article", "topic", "treatment", "question", "doctor"):
        if f"/{kind}s/" in rule or f"/mod/{kind}s" in rule:
            return f"{kind}_slug"
    return "article_slug"


def _reference() -> dict:
    topic = Topic(slug="enlarged-pores", name="Enlarged pores", description="Visible pores.")
    treatment = Treatment(slug="chemical-peel", name="Chemical peel", kind="procedure", how_it_works="Acid.")
    article = Article(slug="about-pores", title="About pores", summary="What pores are.", body="Pores **are** fine.",
                      author_name="Editorial team", status=ArticleStatus.PUBLISHED, published_on=date.today())
    db.session.add_all([topic, treatment, article])
    for slug, title in pages.TRUST_PAGES.items():  # the trust pages, as `forum seed` loads them
        pages.apply_page(None, {"slug": slug, "title": str(title), "summary": f"{title} for the matrix.",
                                "body": "## Section\n\nText.", "reviewed_on": date.today()})
    db.session.commit()
    return {"topic_slug": topic.slug, "topic": topic.slug, "treatment_slug": treatment.slug,
            "article_slug": article.slug, "subject_id": topic.id}


def build() -> World:
    world = World()
    users = world.users
    users["member"] = factories.make_user(display_name="Mia Member", password_hash=QUICK_HASH)
    users["pending_doctor"] = factories.make_doctor(status=VerificationStatus.PENDING, user=_member())
    users["doctor"] = factories.make_doctor(user=_member())
    users["suspended"] = _member()
    users["moderator_no_2fa"] = _member()  # made a moderator below, after minting a token
    users["moderator"] = factories.make_moderator(password_hash=QUICK_HASH)
    users["admin"] = factories.make_admin(password_hash=QUICK_HASH)
    victim = factories.make_user(display_name="Vic Target")
    world.values.update(_reference(), code="es")  # /language/<code>: the switcher's Spanish
    asked = questions.ask_question(users["member"], title="Do pore strips shrink pores for good?",
                                   body="I use them weekly and wonder whether they help.", topics=["enlarged-pores"],
                                   treatments=[])
    answer = answers.post_answer(users["doctor"], question_id=asked.question.id,
                                 body="They empty pores for a while; the size comes back.")
    other_doctor = factories.make_doctor()
    other_answer = answers.post_answer(other_doctor, question_id=asked.question.id,
                                       body="A second opinion: retinoids help a little over months.")
    invitee = factories.make_doctor()
    invitee.doctor_profile.topics = [db.session.scalar(select(Topic))]
    db.session.commit()
    consultation = consultations.request_consultation(
        users["member"], doctor_id=users["doctor"].doctor_profile.id, consent=True,
        photos_in=[(png(), "cheek.png")], **_consultation_details())
    doctor_photos.set_photo(users["doctor"], png(), "me.png")
    review = _review(users)
    question_photo = _question_photo(asked.question)
    world.values.update(_issue_15(world, users, answer))
    for role, user in users.items():
        world.tokens[role] = factories.mint_token(user, name="matrix")
    # a moderator who has not turned two-factor on yet, holding a token from before (as members
    # made moderators by a direct database change would): it must get them nothing but enrolment
    users["moderator_no_2fa"].role = Role.MODERATOR
    db.session.commit()
    world.values.update(
        question_id=asked.question.id, question_slug=asked.question.slug, answer_id=answer.id,
        other_answer_id=other_answer.id, invitee_id=invitee.doctor_profile.id,
        doctor_id=users["doctor"].doctor_profile.id, doctor_slug=slugify(users["doctor"].doctor_profile.full_name),
        filename="css/site.css", name=users["doctor"].doctor_profile.photo_name,
        profile_id=users["pending_doctor"].doctor_profile.id, user_id=victim.id,
        consultation_id=consultation.id, photo_id=consultation.photos[0].id, question_photo_id=question_photo.id,
        review_id=review.id, review_photo_id=review.photos[0].id, review_name=review.photos[0].stored_name,
        token_id=_token_id(users["member"]), target_id=asked.question.id, action="lock",
        message_id=contact.send_message(name="Sam Sender", email="sam@example.test", topic="general",
                                        message="Hello from the access matrix.").id)
    return world


def _issue_15(world: World, users: dict, answer) -> dict:
    """What the routes of issue #15 need: an edited answer (so a revision), a medical review assigned
    to the doctor, a member's public profile."""
    answers.edit_answer(users["doctor"], answer_id=answer.id, body="They empty pores for a while only.")
    medical_review = medical_reviews.assign_reviewer(users["moderator"], slug=world.values["article_slug"],
                                                     reviewer_id=users["doctor"].doctor_profile.id)
    return {"revision_id": db.session.scalar(select(Revision.id)), "medical_review_id": medical_review.id,
            "member_id": users["member"].id}


def _review(users: dict) -> Review:
    """The member's published review (with a photo) of the doctor, for a treatment other than the
    one new reviews in the matrix are written for."""
    factories.make_treatment("botox", "Botox")
    upload = reviews.PhotoUpload(png(), "forehead.png", "Forehead a month after")
    review = reviews.create_review(users["member"], users["doctor"].doctor_profile.id,
                                   factories.review_data(treatment="botox", photo_consent=True), [upload])
    moderation_content.moderate_content(users["moderator"], target_type="review", target_id=review.id,
                                        action="approve", reason="Reads as a genuine patient's account")
    return review


def _question_photo(question):
    """A public photo in the member's question (added as an older account would: no hold)."""
    clean = photos.clean_photo(png(), "chin.png")
    photo = QuestionPhoto(question=question, stored_name=photos.store(clean), content_type=clean.content_type,
                          alt="A red patch on the chin.")
    db.session.add(photo)
    db.session.commit()
    return photo


def suspend(world: World) -> None:
    """The suspended member is suspended after logging in: their session and token must stop working."""
    user = world.users["suspended"]
    user.status, user.suspended_until = UserStatus.SUSPENDED, clock.now() + timedelta(days=7)
    db.session.commit()


def _token_id(user) -> int:
    return accounts.list_tokens(user)[0].id


def _consultation_details() -> dict:
    return {"concern": "Enlarged pores on both cheeks", "description": "Visible pores for two years.",
            "tried_before": "Pore strips"}


def log_in_everyone(app, world: World) -> dict:
    """One browser per role (each from its own address), logged in through the log-in form."""
    from tests.conftest import Browser
    clients = {}
    for number, role in enumerate(ROLES, start=1):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.9.0.{number}"
        if role != "visitor":
            Browser(client).login(world.users[role])
        clients[role] = client
    return clients
