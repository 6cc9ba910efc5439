"""search: plain-text documents with filter tags for five kinds, stemming, prefixes and accents on
both engines, and the "Did you mean" vocabulary

Revision ID: 0007_search
Revises: 0006_performance
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


revision = '0007_search'
down_revision = '0006_performance'
branch_labels = None
depends_on = None

REFERENCE = "kind IN ('article', 'treatment', 'topic')"


def upgrade():
    from forum.models.qa import (  # the DDL as it was then (0021 adds languages), kept beside today's
        POSTGRES_SEARCH_DDL_0007 as POSTGRES_SEARCH_DDL, POSTGRES_SEARCH_PREPARE, POSTGRES_TERMS_DDL,
        SQLITE_SEARCH_DDL_0007 as SQLITE_SEARCH_DDL,
    )
    from forum.services.search_index import rebuild_in

    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv")
        for statement in POSTGRES_SEARCH_PREPARE:
            op.execute(statement)
    else:
        for name in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DELETE FROM search_documents")  # rebuilt below in the new shape
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('topics')
        batch_op.add_column(sa.Column('tags', sa.String(length=1000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('slug', sa.String(length=120), server_default='', nullable=False))
    op.create_index('ix_search_documents_reference', 'search_documents', ['id'], unique=False,
                    sqlite_where=sa.text(REFERENCE), postgresql_where=sa.text(REFERENCE))
    op.create_table('search_terms',
    sa.Column('term', sa.String(length=60), nullable=False),
    sa.Column('docs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_search_terms'))
    )
    for statement in (POSTGRES_SEARCH_DDL + POSTGRES_TERMS_DDL) if postgres else SQLITE_SEARCH_DDL:
        op.execute(statement)
    rebuild_in(Session(bind=op.get_bind()))
    op.execute("ANALYZE")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_table('search_terms')
    op.drop_index('ix_search_documents_reference', table_name='search_documents')
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv")
    else:
        for name in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DELETE FROM search_documents")  # the old index starts empty and fills as content is written
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_column('slug')
        batch_op.drop_column('tags')
        batch_op.add_column(sa.Column('topics', sa.String(length=1000), nullable=False, server_default=''))
    if postgres:
        op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
                   "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
                   "setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED")
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
                   "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")
        op.execute("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, title, body) "
                   "VALUES ('delete', old.id, old.title, old.body); END")
        op.execute("CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, title, body) "
                   "VALUES ('delete', old.id, old.title, old.body); "
                   "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")
