"""search languages: each search document records its language; PostgreSQL's tsvector uses that
language's text search configuration (english, spanish) over unaccented text, SQLite's FTS5 table
indexes Spanish documents' Snowball stems; the index is rebuilt

Revision ID: 0021_search_languages
Revises: 0020_languages
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


revision = '0021_search_languages'
down_revision = '0020_languages'
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


def upgrade():
    from forum.models.qa import POSTGRES_SEARCH_DDL, POSTGRES_SEARCH_PREPARE, SQLITE_SEARCH_DDL
    from forum.services.search_index import rebuild_in

    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # unaccent (and the immutable forum_unaccent wrapper) exist since 0007; made sure of here
        for statement in POSTGRES_SEARCH_PREPARE:
            op.execute(statement)
    _drop_engine_structures(postgres)
    # Emptied before the FTS5 table and its triggers come back: their 'delete' of rows the new
    # (empty) external-content index never held would corrupt it ("database disk image is
    # malformed"). rebuild_in below fills the table again.
    op.execute("DELETE FROM search_documents")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.add_column(sa.Column('stems', sa.Text(), server_default='', nullable=False))
    for statement in POSTGRES_SEARCH_DDL if postgres else SQLITE_SEARCH_DDL:
        op.execute(statement)
    rebuild_in(Session(bind=op.get_bind()))  # tags, languages and stems of every document


def downgrade():
    from forum.models.qa import POSTGRES_SEARCH_DDL_0007, SQLITE_SEARCH_DDL_0007

    postgres = op.get_bind().dialect.name == "postgresql"
    _drop_engine_structures(postgres)
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('stems')
        batch_op.drop_column('language')
    for statement in POSTGRES_SEARCH_DDL_0007 if postgres else SQLITE_SEARCH_DDL_0007:
        op.execute(statement)
    if not postgres:
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
