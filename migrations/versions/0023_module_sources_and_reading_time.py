"""editions gain their sources and an optional minimum reading time per section

- `sources`: the named public sources a module's figures and claims come from (module.yaml's `sources`),
  shown to learners at the module's end. Existing editions get an empty list; their content hash is
  unchanged, since an empty list is left out of it.
- `min_read_seconds`: when set, the least time a learner spends on each section before it can be marked
  read; NULL (every existing edition) means no minimum. A CHECK keeps it within 1 to 600 seconds.

Plain ADD COLUMN (editions keeps its triggers; no table rebuilt on SQLite, where the CHECK is written on
the column, which ALTER TABLE allows).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 15:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

READING = "min_read_seconds between 1 and 600"


def upgrade() -> None:
    op.add_column('editions', sa.Column('sources', sa.JSON(), nullable=False, server_default='[]'))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            "ALTER TABLE editions ADD COLUMN min_read_seconds INTEGER "
            f"CONSTRAINT ck_editions_min_read_seconds CHECK ({READING})"
        )
    else:
        op.add_column('editions', sa.Column('min_read_seconds', sa.Integer(), nullable=True))
        op.create_check_constraint(op.f('ck_editions_min_read_seconds'), 'editions', READING)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_editions_min_read_seconds'), 'editions', type_='check')
    op.drop_column('editions', 'min_read_seconds')
    op.drop_column('editions', 'sources')
