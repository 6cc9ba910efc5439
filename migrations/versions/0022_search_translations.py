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

SQLITE_TRIGGERS = ("search_documents_ai", "search_documents_ad", "search_documents_au")


def _drop_engine_structures(postgres: bool) -> None:
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")


def _swap_unique(drop: str, create: str, columns: list[str]) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _drop_engine_structures(postgres)
    # Emptied before SQLite's table is copied and the FTS5 table comes back (see 0021); refilled below.
    op.execute("DELETE FROM search_documents")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_constraint(drop, type_='unique')
        batch_op.create_unique_constraint(create, columns)


def upgrade():
    from forum.models.qa import POSTGRES_SEARCH_DDL, SQLITE_SEARCH_DDL
    from forum.services.search_index import rebuild_in

    _swap_unique("uq_search_documents_kind_ref", "uq_search_documents_kind_ref_language", ["kind", "ref_id", "language"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_SEARCH_DDL if postgres else SQLITE_SEARCH_DDL:
        op.execute(statement)
    rebuild_in(Session(bind=op.get_bind()))  # with the translations of reference pages


def downgrade():
    from forum.models.qa import POSTGRES_SEARCH_DDL, SQLITE_SEARCH_DDL
    from forum.services.search_index import rebuild_in

    _swap_unique("uq_search_documents_kind_ref_language", "uq_search_documents_kind_ref", ["kind", "ref_id"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_SEARCH_DDL if postgres else SQLITE_SEARCH_DDL:
        op.execute(statement)
    rebuild_in(Session(bind=op.get_bind()))  # English pages only: one document per thing again
