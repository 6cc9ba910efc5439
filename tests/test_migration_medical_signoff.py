"""Migration 0019_medical_signoff: reviewers recorded before sign-off existed count as confirmed,
so no published post loses its "Medically reviewed by" byline."""
from __future__ import annotations

from datetime import date

import flask_migrate
from sqlalchemy import select, text

import tests.test_migrations as migrations_test
from forum.extensions import db
from forum.models import Article, ArticleStatus, MedicalReview, MedicalReviewStatus
from tests.factories import make_doctor

scratch_database = migrations_test.scratch_database  # the same empty SQLite / PostgreSQL databases


def test_recorded_reviewers_become_confirmed_reviews(scratch_database):
    app = migrations_test._app_for(scratch_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(directory=migrations_test.MIGRATIONS)
            profile_id = make_doctor(full_name="Dr. Early Reviewer").doctor_profile.id
            db.session.add_all([
                Article(slug="reviewed", title="Reviewed", summary="s", body="b", author_name="Editorial team",
                        status=ArticleStatus.PUBLISHED, reviewer_id=profile_id,
                        reviewed_on=date(2026, 5, 4)),
                Article(slug="unreviewed", title="Unreviewed", summary="s", body="b", author_name="Editorial team")])
            db.session.commit()
            db.session.remove()
            flask_migrate.downgrade(directory=migrations_test.MIGRATIONS, revision="0018_revisions")
            flask_migrate.upgrade(directory=migrations_test.MIGRATIONS)
            [review] = db.session.scalars(select(MedicalReview)).all()
            article = db.session.scalar(select(Article).where(Article.slug == "reviewed"))
            assert (review.article_id, review.doctor_id) == (article.id, profile_id)
            assert review.status is MedicalReviewStatus.CONFIRMED and review.reviewed_on == date(2026, 5, 4)
            assert article.reviewer.full_name == "Dr. Early Reviewer"
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM medical_reviews")).scalar() == 1
        finally:
            db.session.remove()
            db.engine.dispose()
