"""organisation terms: the installation's words for the terms content uses ({{grid_company}} …)

One row per term compliance has set (a term without a row reads as its default, courses/terms.py).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organisation_terms',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value_ja', sa.String(length=600), nullable=False),
        sa.Column('value_en', sa.String(length=600), nullable=False),
        sa.Column('updated_at', learning.db.UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'], name=op.f('fk_organisation_terms_updated_by_id_users')
        ),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_organisation_terms')),
    )


def downgrade() -> None:
    op.drop_table('organisation_terms')
