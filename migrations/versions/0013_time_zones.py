"""a time zone per user for consultation times; photos kept with a pre-log-in consultation draft

Revision ID: 0013_time_zones
Revises: 0011_moderation_trust
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite rebuilds `users` in batch mode; the moderation log's triggers name it, so they are
# set aside meanwhile (forum/models/moderation.py).
from forum.models.moderation import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL


revision = '0013_time_zones'
down_revision = '0012_contact_messages'
branch_labels = None
depends_on = None


def _alter_users(change):
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
    _alter_users(lambda batch_op: batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True)))

    op.create_table('consultation_draft_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.String(length=64), nullable=False),
    sa.Column('data_enc', sa.LargeBinary(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['consultation_drafts.id'],
                            name=op.f('fk_consultation_draft_photos_draft_id_consultation_drafts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_draft_photos'))
    )
    with op.batch_alter_table('consultation_draft_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_draft_photos_draft_id'), ['draft_id'], unique=False)


def downgrade():
    with op.batch_alter_table('consultation_draft_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_draft_photos_draft_id'))

    op.drop_table('consultation_draft_photos')
    _alter_users(lambda batch_op: batch_op.drop_column('time_zone'))
