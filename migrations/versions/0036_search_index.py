"""the search index: one row per findable thing and language, with who may find it

- `search_entries`: kind, source key and language (unique together: a put replaces), title, place, body as
  plain text and `normalised` (NFKC, hiragana as katakana, lower case) for substring matching; on
  PostgreSQL a pg_trgm GIN index on `normalised` (pg_trgm was created by 0031).
- `search_audience`: the departments, roles or permissions a restricted entry is for.
- `grams` (PostgreSQL: a tsvector with a GIN index; SQLite: null): the bigrams of `normalised`, for the words
  of one or two characters that have no trigram (search.text.grams).
- SQLite: `search_fts`, an FTS5 table with the trigram tokenizer (SQLite 3.34 or later) over `normalised`,
  its content read from `search_entries` (content=, content_rowid=) and kept in step by three triggers.
  `search_grams`, a contentless FTS5 table of the bigrams, written by search.index. Neither is a model:
  `search.models.is_model_object` leaves them out of autogenerate's comparison.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03 10:05:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learning.db


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "normalised, content='search_entries', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts (rowid, normalised) VALUES (new.id, new.normalised); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts (search_fts, rowid, normalised) VALUES ('delete', old.id, old.normalised); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE OF normalised ON search_entries BEGIN "
    "INSERT INTO search_fts (search_fts, rowid, normalised) VALUES ('delete', old.id, old.normalised); "
    "INSERT INTO search_fts (rowid, normalised) VALUES (new.id, new.normalised); END",
    # The bigrams of each entry (words of one or two characters), written by search.index: contentless,
    # no positions (a bigram is there or not), ASCII tokens (12 hex digits each).
    "CREATE VIRTUAL TABLE search_grams USING fts5(grams, content='', detail=none, tokenize='ascii')",
)


def upgrade() -> None:
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_key', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('place', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('normalised', sa.Text(), nullable=False),
    sa.Column('grams', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', learning.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("language in ('ja', 'en')", name=op.f('ck_search_entries_language')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('kind', 'source_key', 'language', name='uq_search_entries_source')
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index('ix_search_entries_grams', ['grams'], unique=False, postgresql_using='gin')
        batch_op.create_index('ix_search_entries_normalised_trgm', ['normalised'], unique=False, postgresql_using='gin', postgresql_ops={'normalised': 'gin_trgm_ops'})

    op.create_table('search_audience',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.CheckConstraint("kind in ('department', 'role', 'permission')", name=op.f('ck_search_audience_kind')),
    sa.ForeignKeyConstraint(['entry_id'], ['search_entries.id'], name=op.f('fk_search_audience_entry_id_search_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'kind', 'value', name=op.f('pk_search_audience'))
    )
    if op.get_bind().dialect.name == 'sqlite':
        for statement in FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('search_entries_ai', 'search_entries_ad', 'search_entries_au'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS search_fts')
        op.execute('DROP TABLE IF EXISTS search_grams')
    op.drop_table('search_audience')
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entries_grams', postgresql_using='gin')
        batch_op.drop_index('ix_search_entries_normalised_trgm', postgresql_using='gin', postgresql_ops={'normalised': 'gin_trgm_ops'})

    op.drop_table('search_entries')
