"""reminders per due date; campaigns for the heads of departments only

- `reminder_log.due_at`: the assignment's due date a reminder step was reached for. The unique key becomes
  (assignment_id, due_at, step): once a due date is extended, the steps of the new date go out once each,
  and still never twice for one due date. Existing rows are backfilled with the due date the assignment had
  when the row was written: the previous due date of the first extension made after it, or else the
  assignment's due date now.
- `campaigns.managers_only`: the audience is only the people who hold a manager grant (heads of departments)
  in the campaign's departments.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

BACKFILL = (
    "UPDATE reminder_log SET due_at = COALESCE("
    " (SELECT i.previous_due_at FROM due_extension_items i JOIN due_extensions e ON e.id = i.extension_id"
    "  WHERE i.assignment_id = reminder_log.assignment_id AND e.extended_at > reminder_log.at"
    "  ORDER BY e.extended_at, e.id LIMIT 1),"
    " (SELECT a.due_at FROM assignments a WHERE a.id = reminder_log.assignment_id))"
)


def upgrade() -> None:
    # A plain ADD COLUMN: rebuilding campaigns (batch mode on SQLite) would drop its frozen-period triggers.
    op.add_column('campaigns', sa.Column('managers_only', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('reminder_log') as batch_op:
        batch_op.add_column(sa.Column('due_at', learning.db.UTCDateTime(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table('reminder_log') as batch_op:
        batch_op.alter_column('due_at', existing_type=learning.db.UTCDateTime(), nullable=False)
        batch_op.drop_constraint('uq_reminder_log_assignment_id_step', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_reminder_log_assignment_id_due_at_step'), ['assignment_id', 'due_at', 'step']
        )


def downgrade() -> None:
    # One row per (assignment, step) again: the latest due date's row is kept.
    op.execute(
        "DELETE FROM reminder_log WHERE EXISTS (SELECT 1 FROM reminder_log later"
        " WHERE later.assignment_id = reminder_log.assignment_id AND later.step = reminder_log.step"
        " AND (later.due_at > reminder_log.due_at OR (later.due_at = reminder_log.due_at AND later.id > reminder_log.id)))"
    )
    with op.batch_alter_table('reminder_log') as batch_op:
        batch_op.drop_constraint('uq_reminder_log_assignment_id_due_at_step', type_='unique')
        batch_op.create_unique_constraint('uq_reminder_log_assignment_id_step', ['assignment_id', 'step'])
        batch_op.drop_column('due_at')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE campaigns DROP COLUMN managers_only')  # SQLite 3.35+, triggers kept
    else:
        op.drop_column('campaigns', 'managers_only')
