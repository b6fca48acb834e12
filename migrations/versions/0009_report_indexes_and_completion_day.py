"""report indexes and the day of completion

The department report reads a campaign's assignments from one covering index (an index-only scan on
PostgreSQL), and the completion curve counts completions per Japanese day from a stored day instead of
converting every row's time. Measured by bench/reports_scale.py (see the README).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
    # Japan keeps no summer time: the day in Tokyo is the UTC time plus nine hours.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE assignments SET completed_on = date(completed_at + interval '9 hours') "
                   "WHERE completed_at IS NOT NULL")
    else:
        op.execute("UPDATE assignments SET completed_on = date(completed_at, '+9 hours') WHERE completed_at IS NOT NULL")
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_campaign_id')
        batch_op.create_index('ix_assignments_campaign_report',
                              ['campaign_id', 'user_id', 'status', 'due_at', 'completed_at'], unique=False)
        batch_op.create_index('ix_assignments_campaign_curve', ['campaign_id', 'status', 'completed_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_campaign_curve')
        batch_op.drop_index('ix_assignments_campaign_report')
        batch_op.create_index('ix_assignments_campaign_id', ['campaign_id'], unique=False)
        batch_op.drop_column('completed_on')
