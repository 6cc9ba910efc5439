"""doctor profile photos (stored through the photo pipeline; the name is random)

Revision ID: 0014_doctor_photos
Revises: 0011_moderation_trust
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_doctor_photos'
down_revision = '0013_time_zones'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('doctor_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('photo_type', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('doctor_profiles', schema=None) as batch_op:
        batch_op.drop_column('photo_type')
        batch_op.drop_column('photo_name')
