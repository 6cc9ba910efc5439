"""the moderation log is append-only (triggers on both engines); bans that remove posts

Revision ID: 0011_moderation_trust
Revises: 0010_idempotency
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa

# The triggers the model installs on create_all, so both paths agree (forum/models/moderation.py).
from forum.models.moderation import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL


revision = '0011_moderation_trust'
down_revision = '0010_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.Float(), server_default='1', nullable=False))

    op.create_table('ban_removals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('was_hidden', sa.Boolean(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=False),
    sa.Column('restored_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['log_id'], ['moderation_log.id'], name=op.f('fk_ban_removals_log_id_moderation_log')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ban_removals_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ban_removals'))
    )
    with op.batch_alter_table('ban_removals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ban_removals_log_id'), ['log_id'], unique=False)
        batch_op.create_index('ix_ban_removals_user_open', ['user_id', 'restored_at'], unique=False)

    for statement in APPEND_ONLY_DDL.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade():
    for statement in DROP_APPEND_ONLY_DDL.get(op.get_bind().dialect.name, ()):
        op.execute(statement)

    with op.batch_alter_table('ban_removals', schema=None) as batch_op:
        batch_op.drop_index('ix_ban_removals_user_open')
        batch_op.drop_index(batch_op.f('ix_ban_removals_log_id'))

    op.drop_table('ban_removals')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_column('weight')
