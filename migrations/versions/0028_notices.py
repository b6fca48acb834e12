"""notices: when a draft was sent to review, when an asker last read their thread, department heads' reminders

- `editions.submitted_at`: when a draft was last sent to review, shown to the reviewers on their home page.
- `desk_questions.asker_seen_at`: a named asker's last look at their question; a desk reply after it is a
  notice on their home page.
- `staff_reminders`: a department head's reminder to the not-finished people of a department subtree, one per
  campaign, department and Tokyo day (the unique key decides which of two clicks at once sends).

Plain ADD COLUMN on both dialects: no table is rebuilt, so no trigger is dropped.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 16:10:39
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('editions', sa.Column('submitted_at', learning.db.UTCDateTime(), nullable=True))
    op.add_column('desk_questions', sa.Column('asker_seen_at', learning.db.UTCDateTime(), nullable=True))
    op.create_table('staff_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_staff_reminders_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_staff_reminders_department_id_departments')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_staff_reminders_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_reminders')),
    sa.UniqueConstraint('campaign_id', 'department_id', 'day', name=op.f('uq_staff_reminders_campaign_id_department_id_day'))
    )


def downgrade() -> None:
    op.drop_table('staff_reminders')
    with op.batch_alter_table('desk_questions', schema=None) as batch_op:
        batch_op.drop_column('asker_seen_at')
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_column('submitted_at')
