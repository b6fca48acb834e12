"""section_opens: when a learner first opened each section, for a module's minimum reading time

A module may ask for a least time on each section (editions.min_read_seconds, 0023). The server keeps when
the learner first opened a section of an assignment, so that "mark read" can be refused before that time
has passed by the server's clock, not the browser's. One row per assignment and section position (the
primary key): the first opening stands.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 16:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'section_opens',
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('opened_at', learning.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['assignment_id'], ['assignments.id'], name=op.f('fk_section_opens_assignment_id_assignments')
        ),
        sa.PrimaryKeyConstraint('assignment_id', 'position', name=op.f('pk_section_opens')),
    )


def downgrade() -> None:
    op.drop_table('section_opens')
