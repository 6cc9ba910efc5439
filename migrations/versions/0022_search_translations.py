"""search translations: a reference page (post, treatment, topic) is indexed once per language it
is written in, so search_documents is unique per (kind, ref_id, language); the index is rebuilt

Revision ID: 0022_search_translations
Revises: 0021_search_languages
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
from sqlalchemy.orm import Session


revision = '0022_search_translations'
down_revision = '0021_search_languages'
branch_labels = None
depends_on = None


def _change_unique(drop: str, create: str, columns: list[str]) -> None:
    """The table's unique key changed, its engine structures made again and the index rebuilt."""
    from forum.models.qa import (
        POSTGRES_SEARCH_DDL, POSTGRES_SEARCH_DROP, SQLITE_SEARCH_DDL, SQLITE_SEARCH_DROP,
    )
    from forum.services.search_index import rebuild_in

    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_SEARCH_DROP if postgres else SQLITE_SEARCH_DROP:
        op.execute(statement)
    # Emptied before SQLite's table is copied and the FTS5 table comes back (see 0021); refilled below.
    op.execute("DELETE FROM search_documents")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_constraint(drop, type_='unique')
        batch_op.create_unique_constraint(create, columns)
    for statement in POSTGRES_SEARCH_DDL if postgres else SQLITE_SEARCH_DDL:
        op.execute(statement)
    rebuild_in(Session(bind=op.get_bind()))  # translations only when the key has the language


def upgrade():
    _change_unique("uq_search_documents_kind_ref", "uq_search_documents_kind_ref_language",
                   ["kind", "ref_id", "language"])


def downgrade():
    _change_unique("uq_search_documents_kind_ref_language", "uq_search_documents_kind_ref", ["kind", "ref_id"])
