"""the rules library: documents, dated versions (Markdown or a PDF per language), acknowledgements, views

- `rule_documents`: slug (the `rules:slug` of module links), kind, titles.
- `rule_versions`: numbered per document, effective day (Tokyo), summary of changes, Markdown bodies or PDFs
  (CHECK: one or the other, both languages).
- `rule_acknowledgements`: one per version and person (unique: a double click counts once).
- `rule_views`: one row per document and Tokyo day, counted up by an upsert (the most looked-up rules).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 10:03:19.035056
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rule_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title_ja', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind in ('regulation', 'guideline', 'manual', 'contacts')", name=op.f('ck_rule_documents_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rule_documents_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_documents')),
    sa.UniqueConstraint('slug', name=op.f('uq_rule_documents_slug'))
    )
    op.create_table('rule_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('changes_ja', sa.Text(), nullable=False),
    sa.Column('changes_en', sa.Text(), nullable=False),
    sa.Column('body_ja', sa.Text(), nullable=True),
    sa.Column('body_en', sa.Text(), nullable=True),
    sa.Column('pdf_ja', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_en', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_ja_size', sa.Integer(), nullable=True),
    sa.Column('pdf_en_size', sa.Integer(), nullable=True),
    sa.Column('needs_acknowledgement', sa.Boolean(), nullable=False),
    sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', learning.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("(format = 'markdown' AND body_ja IS NOT NULL AND body_en IS NOT NULL) OR (format = 'pdf' AND pdf_ja IS NOT NULL AND pdf_en IS NOT NULL)", name=op.f('ck_rule_versions_body_or_pdf')),
    sa.CheckConstraint("format in ('markdown', 'pdf')", name=op.f('ck_rule_versions_format')),
    sa.CheckConstraint('number > 0', name=op.f('ck_rule_versions_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rule_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['rule_documents.id'], name=op.f('fk_rule_versions_document_id_rule_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_rule_versions_document_id_number'))
    )
    with op.batch_alter_table('rule_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_versions_document_id'), ['document_id'], unique=False)

    op.create_table('rule_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['rule_documents.id'], name=op.f('fk_rule_views_document_id_rule_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_views')),
    sa.UniqueConstraint('document_id', 'day', name=op.f('uq_rule_views_document_id_day'))
    )
    op.create_table('rule_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', learning.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rule_acknowledgements_user_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['rule_versions.id'], name=op.f('fk_rule_acknowledgements_version_id_rule_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_acknowledgements')),
    sa.UniqueConstraint('version_id', 'user_id', name=op.f('uq_rule_acknowledgements_version_id_user_id'))
    )
    with op.batch_alter_table('rule_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_acknowledgements_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rule_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_acknowledgements_user_id'))

    op.drop_table('rule_acknowledgements')
    op.drop_table('rule_views')
    with op.batch_alter_table('rule_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_versions_document_id'))

    op.drop_table('rule_versions')
    op.drop_table('rule_documents')
