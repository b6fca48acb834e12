"""report index covers the lists: withdrawn_at, department_id, on_leave_at_close and edition_id ride along
(INCLUDE, PostgreSQL), so that the department report and the people lists stay index-only scans

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 04:20:00
"""

from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

COLUMNS = ['campaign_id', 'user_id', 'status', 'due_at', 'completed_at']
INCLUDED = ['withdrawn_at', 'department_id', 'on_leave_at_close', 'edition_id']


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite has no INCLUDE; its index stays as it was
    op.drop_index('ix_assignments_campaign_report', table_name='assignments')
    op.create_index('ix_assignments_campaign_report', 'assignments', COLUMNS, postgresql_include=INCLUDED)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_assignments_campaign_report', table_name='assignments')
    op.create_index('ix_assignments_campaign_report', 'assignments', COLUMNS)
