"""assignment index by person and edition

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 23:31:23.396680
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_user_status'))
        batch_op.create_index('ix_assignments_user_edition', ['user_id', 'edition_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_user_edition')
        batch_op.create_index(batch_op.f('ix_assignments_user_status'), ['user_id', 'status'], unique=False)

