"""inspection deputies named until a day: inspection_deputies.ends_on

- `inspection_deputies.ends_on`: the last day (Tokyo) a deputy answers for the department; the head's page
  (inspections/deputies) always sets it. Nullable: rows from before keep no end until removed. A plain
  ADD COLUMN (no table recreated on SQLite).

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-03 15:30:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('inspection_deputies', sa.Column('ends_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inspection_deputies', schema=None) as batch_op:
        batch_op.drop_column('ends_on')
