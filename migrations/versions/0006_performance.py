"""performance: Markdown stored rendered, stored aggregates, bounded-scan indexes, ANALYZE

Revision ID: 0006_performance
Revises: 0005_consultations
Create Date: 2026-12-01 00:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_performance'
down_revision = '0005_consultations'
branch_labels = None
depends_on = None

RENDERED = (("questions", "body", "body_html"), ("answers", "body", "body_html"),
            ("follow_ups", "body", "body_html"), ("articles", "body", "body_html"),
            ("doctor_profiles", "bio", "bio_html"))


def _backfill(table: str, source: str, target: str) -> None:
    """Render what is already stored; later writes render as they save (and `forum rerender`
    rebuilds everything when the renderer changes)."""
    from forum.text import render_markdown  # the app's one renderer, so stored HTML matches writes

    bind = op.get_bind()
    select = sa.text(f"SELECT id, {source} FROM {table} WHERE id > :after ORDER BY id LIMIT 1000")  # nosec B608
    update = sa.text(f"UPDATE {table} SET {target} = :html WHERE id = :id")  # nosec B608 - fixed names
    after = 0
    while rows := bind.execute(select, {"after": after}).all():  # a page at a time: tables may be large
        bind.execute(update, [{"id": row_id, "html": str(render_markdown(text)) if text else ""}
                              for row_id, text in rows])
        after = rows[-1][0]


def upgrade():
    for table, source, target in RENDERED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(target, sa.Text(), server_default='', nullable=False))
        _backfill(table, source, target)

    op.create_table('aggregates',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_aggregates'))
    )
    with op.batch_alter_table('question_topics', schema=None) as batch_op:
        batch_op.drop_index('ix_question_topics_topic_id')
        batch_op.create_index('ix_question_topics_topic_question', ['topic_id', 'question_id'], unique=False)
    with op.batch_alter_table('question_treatments', schema=None) as batch_op:
        batch_op.drop_index('ix_question_treatments_treatment_id')
        batch_op.create_index('ix_question_treatments_treatment_question', ['treatment_id', 'question_id'],
                              unique=False)
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_author_id')
        batch_op.create_index('ix_answers_author_recent', ['author_id', 'id'], unique=False)
    # Planner statistics: without them SQLite picks full scans for some joins.
    op.execute("ANALYZE")


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_author_recent')
        batch_op.create_index('ix_answers_author_id', ['author_id'], unique=False)
    with op.batch_alter_table('question_treatments', schema=None) as batch_op:
        batch_op.drop_index('ix_question_treatments_treatment_question')
        batch_op.create_index('ix_question_treatments_treatment_id', ['treatment_id'], unique=False)
    with op.batch_alter_table('question_topics', schema=None) as batch_op:
        batch_op.drop_index('ix_question_topics_topic_question')
        batch_op.create_index('ix_question_topics_topic_id', ['topic_id'], unique=False)
    op.drop_table('aggregates')
    for table, _source, target in reversed(RENDERED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(target)
