"""production path: the outbox as a durable job record (leases, retries with backoff, failure),
multipart bodies, the notification kind and recipient for List-Unsubscribe, and mail opt-outs

Revision ID: 0008_production
Revises: 0007_search
Create Date: 2026-12-01 08:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_production'
down_revision = '0007_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_opt_outs',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_opt_outs_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_opt_outs')),
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_mail_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_mail_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_mail_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_mail_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_mail_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_mail_user_id'))
        for column in ('failed_at', 'claimed_until', 'next_attempt_at', 'message_id', 'user_id', 'kind',
                       'body_html'):
            batch_op.drop_column(column)
    op.drop_table('mail_opt_outs')
