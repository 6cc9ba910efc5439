"""Published reviews are searchable and lead to the doctor's profile, at the review; pending and
hidden ones never appear."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum import clock
from forum.extensions import db
from forum.i18n import force_locale
from forum.models import Review, Treatment
from forum.models.translation import ContentTranslation
from forum.services import moderation_content, reviews, search, search_index
from forum.text import slugify
from tests.factories import make_doctor, make_moderator, make_reviewer, make_treatment, make_user, review_data

WORDS = "The nurse numbed my forehead with chilled aloe before the peel and it barely stung."


@pytest.fixture
def doctor(app):
    make_treatment()
    return make_doctor()


def write(doctor, author=None, **overrides) -> Review:
    data = review_data(**{"body": WORDS, **overrides})
    return reviews.create_review(author or make_reviewer(), doctor.doctor_profile.id, data)


def test_a_published_review_is_found_and_links_to_the_doctors_profile_at_the_review(doctor):
    review = write(doctor)
    [hit] = search.search("chilled aloe").hits
    profile = doctor.doctor_profile
    assert (hit.kind, hit.label, hit.ref_id) == ("review", "Patient review", review.id)
    assert hit.url == f"/doctors/{profile.id}/{slugify(profile.full_name)}#review-{review.id}"
    assert "Chemical peel" in hit.title and "<mark>chilled</mark> <mark>aloe</mark>" in hit.snippet
    assert search.search("chilled aloe", kind="review").hits and not search.search("chilled aloe", kind="question").hits


def test_a_review_from_a_new_account_is_not_found_until_a_moderator_approves_it(doctor):
    review = write(doctor, author=make_user())  # a day-old account: waits in the queue
    assert search.search("chilled aloe").hits == []
    moderation_content.moderate_content(make_moderator(), target_type="review", target_id=review.id,
                                        action="approve", reason="Reads as a genuine account.")
    assert [h.ref_id for h in search.search("chilled aloe").hits] == [review.id]


def test_a_hidden_review_is_not_found_and_unhiding_brings_it_back(doctor):
    review, moderator = write(doctor), make_moderator()
    moderation_content.moderate_content(moderator, target_type="review", target_id=review.id, action="hide",
                                        reason="Names another patient.")
    assert search.search("chilled aloe").hits == []
    moderation_content.moderate_content(moderator, target_type="review", target_id=review.id, action="unhide",
                                        reason="The name was removed.")
    assert [h.ref_id for h in search.search("chilled aloe").hits] == [review.id]


def test_an_older_review_links_to_the_page_of_the_profile_that_lists_it(doctor):
    old = write(doctor)
    for n in range(10):
        write(doctor, body=f"Another patient's plain account number {n} of how the peel went for them.")
    db.session.execute(update(Review).where(Review.id == old.id)
                       .values(published_at=clock.now() - timedelta(days=30)))
    db.session.commit()
    [hit] = search.search("chilled aloe").hits
    assert hit.url.endswith(f"?page=2#review-{old.id}")


def test_the_rebuild_keeps_published_reviews_only(doctor):
    published = write(doctor)
    write(doctor, author=make_user(), body="A pending account of the peel with chilled aloe, from a new member.")
    search_index.rebuild()
    assert [h.ref_id for h in search.search("chilled aloe").hits] == [published.id]


def test_a_review_result_is_titled_in_the_readers_language(app, doctor):
    treatment = db.session.scalars(select(Treatment)).first()
    db.session.add(ContentTranslation(kind="treatment", object_id=treatment.id, locale="es",
                                      fields={"name": "Peeling químico"}))
    db.session.commit()
    write(doctor)
    [english] = search.search("chilled aloe").hits
    assert english.title == f"{treatment.name} with {doctor.display_name}"
    with app.test_request_context("/search?lang=es"), force_locale("es"):
        [spanish] = search.search("chilled aloe").hits
        assert spanish.title == f"Peeling químico con {doctor.display_name}"
        assert spanish.label == "Opinión de un paciente"
