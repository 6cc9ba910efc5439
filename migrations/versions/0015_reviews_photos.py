"""reviews of doctors (verified-patient, costs, photos), public question photos, questions held for approval

Revision ID: 0015_reviews_photos
Revises: 0014_doctor_photos
Create Date: 2026-12-02 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_reviews_photos'
down_revision = '0014_doctor_photos'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('doctor_id', sa.Integer(), nullable=False),
    sa.Column('treatment_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('worth_it', sa.Enum('yes', 'not_sure', 'no', name='worthit', native_enum=False, length=20), nullable=False),
    sa.Column('treated_on', sa.Date(), nullable=False),
    sa.Column('cost_amount', sa.Integer(), nullable=True),
    sa.Column('cost_currency', sa.String(length=3), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('photo_consent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'published', 'hidden', name='reviewstatus', native_enum=False, length=20), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('reply_body', sa.Text(), nullable=True),
    sa.Column('reply_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_reviews_ck_reviews_rating')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_reviews_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['doctor_id'], ['users.id'], name=op.f('fk_reviews_doctor_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['treatment_id'], ['treatments.id'], name=op.f('fk_reviews_treatment_id_treatments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('author_id', 'doctor_id', 'treatment_id', name='uq_reviews_author_doctor_treatment')
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_reviews_doctor_status', ['doctor_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_reviews_treatment_status', ['treatment_id', 'status'], unique=False)

    op.create_table('question_photos',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_photos_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_question_photos_stored_name'))
    )
    with op.batch_alter_table('question_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_photos_question_id'), ['question_id'], unique=False)

    op.create_table('review_photos',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_photos_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_review_photos_stored_name'))
    )
    with op.batch_alter_table('review_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_photos_review_id'), ['review_id'], unique=False)

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaiting_approval', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('awaiting_approval')

    with op.batch_alter_table('review_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_photos_review_id'))

    op.drop_table('review_photos')
    with op.batch_alter_table('question_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_photos_question_id'))

    op.drop_table('question_photos')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_treatment_status')
        batch_op.drop_index('ix_reviews_doctor_status')
        batch_op.drop_index(batch_op.f('ix_reviews_author_id'))

    op.drop_table('reviews')
