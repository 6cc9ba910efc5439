"""What the following tests (service and API) follow: two topics and a treatment."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import Topic, Treatment
from tests.factories import make_treatment


def add_subjects() -> None:
    db.session.add_all([Topic(slug="enlarged-pores", name="Enlarged pores", description="Visible pores."),
                        Topic(slug="acne-scars", name="Acne scars", description="Scars.")])
    db.session.commit()
    make_treatment()


def topic(slug="enlarged-pores") -> Topic:
    return db.session.scalar(select(Topic).where(Topic.slug == slug))


def peel() -> Treatment:
    return db.session.scalar(select(Treatment).where(Treatment.slug == "chemical-peel"))
