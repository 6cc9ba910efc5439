"""medical review with the doctor's sign-off; existing recorded reviewers count as confirmed

Revision ID: 0019_medical_signoff
Revises: 0016_follows_settings
Create Date: 2026-12-03 07:45:00

"""
from datetime import datetime, time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_medical_signoff'
down_revision = '0018_revisions'
branch_labels = None
depends_on = None


def upgrade():
    reviews = op.create_table(
        'medical_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('doctor_id', sa.Integer(), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('pending', 'confirmed', 'declined', 'withdrawn', name='medicalreviewstatus',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('reviewed_on', sa.Date(), nullable=True),
        sa.Column('note', sa.String(length=500), server_default='', nullable=False),
        sa.Column('reminded_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_medical_reviews_article_id_articles'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_medical_reviews_assigned_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['doctor_id'], ['doctor_profiles.id'],
                                name=op.f('fk_medical_reviews_doctor_id_doctor_profiles'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_medical_reviews')),
    )
    with op.batch_alter_table('medical_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_medical_reviews_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_medical_reviews_doctor_status', ['doctor_id', 'status'], unique=False)

    # Reviewers recorded before sign-off existed keep their public byline: they count as confirmed.
    articles = sa.table('articles', sa.column('id', sa.Integer()), sa.column('reviewer_id', sa.Integer()),
                        sa.column('reviewed_on', sa.Date()))
    rows = op.get_bind().execute(sa.select(articles.c.id, articles.c.reviewer_id, articles.c.reviewed_on).where(
        articles.c.reviewer_id.is_not(None), articles.c.reviewed_on.is_not(None))).all()
    if rows:
        op.bulk_insert(reviews, [
            {"article_id": article_id, "doctor_id": doctor_id, "status": "confirmed", "note": "",
             "assigned_at": datetime.combine(reviewed_on, time()), "decided_at": datetime.combine(reviewed_on, time()),
             "reviewed_on": reviewed_on}
            for article_id, doctor_id, reviewed_on in rows])


def downgrade():
    with op.batch_alter_table('medical_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_medical_reviews_doctor_status')
        batch_op.drop_index(batch_op.f('ix_medical_reviews_article_id'))
    op.drop_table('medical_reviews')
