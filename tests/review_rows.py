"""Published (or pending, hidden) reviews written straight as rows, for tests of figures built
from many reviews: each one by a new member. Tests of the review rules go through the service."""
from __future__ import annotations

from datetime import date

from forum.extensions import db
from forum.models import Review, ReviewStatus, Treatment, WorthIt
from tests.factories import make_doctor, make_user


def make_costed_treatment(slug: str = "chemical-peel", **overrides) -> Treatment:
    """A treatment with an editorial cost (USD 100-300 unless overridden)."""
    fields = {"slug": slug, "name": slug.replace("-", " ").capitalize(), "kind": "procedure",
              "summary": "A treatment made for tests.", "how_it_works": "It works in a way tests describe.",
              "cost_min": 100, "cost_max": 300, "cost_currency": "USD"}
    fields.update(overrides)
    treatment = Treatment(**fields)
    db.session.add(treatment)
    db.session.commit()
    return treatment


def add_reviews(treatment: Treatment, costs, *, currency: str | None = "USD", city: str | None = None,
                status: ReviewStatus = ReviewStatus.PUBLISHED, worth_it: WorthIt = WorthIt.YES,
                doctor=None) -> list[Review]:
    """One review per amount in `costs` (None: no cost reported), each by a new member."""
    doctor = doctor or make_doctor()
    reviews = []
    for amount in costs:
        review = Review(author=make_user(), doctor=doctor, treatment=treatment, rating=4, worth_it=worth_it,
                        treated_on=date(2026, 1, 1), cost_amount=amount,
                        cost_currency=currency if amount is not None else None, city=city,
                        body="A plain account of how the treatment went, written for a test.", status=status)
        db.session.add(review)
        reviews.append(review)
    db.session.commit()
    return reviews
