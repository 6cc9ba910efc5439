"""member profiles and e-mail change: the address an e-mail-change token confirms

Revision ID: 0017_member_profiles
Revises: 0016_follows_settings
Create Date: 2026-12-03 07:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_member_profiles'
down_revision = '0016_follows_settings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.drop_column('new_email')
