"""languages: a user's locale, a question's language, doctors' languages, translated reference content

Revision ID: 0020_languages
Revises: 0019_medical_signoff
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa

from forum.models.moderation import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL


# revision identifiers, used by Alembic.
revision = '0020_languages'
down_revision = '0019_medical_signoff'
branch_labels = None
depends_on = None


def _alter_users(change):
    """SQLite rebuilds the users table: the moderation log's append-only triggers name it, so they
    are dropped around the rebuild (as in 0013)."""
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in DROP_APPEND_ONLY_DDL.get(dialect, ()):
            op.execute(statement)
    with op.batch_alter_table('users', schema=None) as batch_op:
        change(batch_op)
    if dialect == 'sqlite':
        for statement in APPEND_ONLY_DDL.get(dialect, ()):
            op.execute(statement)


def upgrade():
    _alter_users(lambda batch_op: batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True)))
    with op.batch_alter_table('questions') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.create_index(batch_op.f('ix_questions_language'), ['language'], unique=False)
    op.create_table(
        'doctor_languages',
        sa.Column('doctor_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['doctor_id'], ['doctor_profiles.id'],
                                name=op.f('fk_doctor_languages_doctor_id_doctor_profiles'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('doctor_id', 'language', name=op.f('pk_doctor_languages')),
    )
    with op.batch_alter_table('doctor_languages') as batch_op:
        batch_op.create_index(batch_op.f('ix_doctor_languages_language'), ['language'], unique=False)
    # every doctor so far wrote in English
    op.execute("INSERT INTO doctor_languages (doctor_id, language) SELECT id, 'en' FROM doctor_profiles")
    op.create_table(
        'content_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('seed_checksum', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translations')),
        sa.UniqueConstraint('kind', 'object_id', 'locale', name=op.f('uq_content_translations_kind')),
    )
    with op.batch_alter_table('content_translations') as batch_op:
        batch_op.create_index(batch_op.f('ix_content_translations_object_id'), ['object_id'], unique=False)


def downgrade():
    op.drop_table('content_translations')
    op.drop_table('doctor_languages')
    with op.batch_alter_table('questions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_language'))
        batch_op.drop_column('language')
    _alter_users(lambda batch_op: batch_op.drop_column('locale'))
