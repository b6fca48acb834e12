"""campaign lifecycle: draft revisions, early close and cancellation, due-date extensions

- `campaigns.revision`: raised by every edit of a draft, so that an edit made from an older page is refused
  (a conditional UPDATE) instead of overwriting another person's.
- `campaigns.ended_how` and `ended_reason`: a campaign closed early or cancelled, and why (both or neither).
- `assignments.withdrawn_reason` may be 'cancelled': a cancelled campaign's open assignments are withdrawn.
- `due_extensions` and `due_extension_items`: who moved whose due date, why, and the date each had before.

On SQLite the CHECK of `assignments` can only change by rebuilding the table, which drops its triggers
(migration 0018): they are created again here. `campaigns` gains its columns with a plain ADD COLUMN, so its
triggers stay.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

FROZEN = "the records of a closed period are frozen: correct them with an amendment"
ENDED_HOW = "ended_how is null or ended_how in ('closed_early', 'cancelled')"
ENDED_REASON = (
    "(ended_how is null) = (ended_reason is null) and (ended_reason is null or length(trim(ended_reason)) > 0)"
)
WITHDRAWN_NEW = "withdrawn_reason is null or withdrawn_reason in ('left', 'cancelled')"
WITHDRAWN_OLD = "withdrawn_reason is null or withdrawn_reason in ('left')"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('campaigns', sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
    if sqlite:
        op.execute(
            "ALTER TABLE campaigns ADD COLUMN ended_how VARCHAR(12) "
            f"CONSTRAINT ck_campaigns_ended_how CHECK ({ENDED_HOW})"
        )
        op.execute(
            "ALTER TABLE campaigns ADD COLUMN ended_reason VARCHAR(1000) "
            f"CONSTRAINT ck_campaigns_ended_reason CHECK ({ENDED_REASON})"
        )
    else:
        op.add_column('campaigns', sa.Column('ended_how', sa.String(length=12), nullable=True))
        op.add_column('campaigns', sa.Column('ended_reason', sa.String(length=1000), nullable=True))
        op.create_check_constraint(op.f('ck_campaigns_ended_how'), 'campaigns', ENDED_HOW)
        op.create_check_constraint(op.f('ck_campaigns_ended_reason'), 'campaigns', ENDED_REASON)
    _withdrawn_reason(WITHDRAWN_NEW)

    op.create_table('due_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('extended_by_id', sa.Integer(), nullable=False),
    sa.Column('extended_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('assignments', sa.Integer(), nullable=False),
    sa.CheckConstraint("scope in ('person', 'department', 'campaign')", name=op.f('ck_due_extensions_scope')),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_due_extensions_reason_given')),
    sa.CheckConstraint("(scope = 'person') = (user_id is not null) and (scope = 'department') = (department_id is not null)", name=op.f('ck_due_extensions_scope_target')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_due_extensions_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_due_extensions_department_id_departments')),
    sa.ForeignKeyConstraint(['extended_by_id'], ['users.id'], name=op.f('fk_due_extensions_extended_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_due_extensions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_extensions'))
    )
    op.create_index(op.f('ix_due_extensions_campaign_id'), 'due_extensions', ['campaign_id'], unique=False)
    op.create_table('due_extension_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('extension_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('previous_due_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('new_due_at', learning.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('new_due_at > previous_due_at', name=op.f('ck_due_extension_items_later')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_due_extension_items_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['extension_id'], ['due_extensions.id'], name=op.f('fk_due_extension_items_extension_id_due_extensions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_extension_items')),
    sa.UniqueConstraint('extension_id', 'assignment_id', name=op.f('uq_due_extension_items_extension_id_assignment_id'))
    )
    op.create_index(op.f('ix_due_extension_items_assignment_id'), 'due_extension_items', ['assignment_id'], unique=False)


def _withdrawn_reason(check: str) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_assignments_withdrawn_reason'), 'assignments', type_='check')
        op.create_check_constraint(op.f('ck_assignments_withdrawn_reason'), 'assignments', check)
        return
    # SQLite changes a CHECK only by rebuilding the table, which would drop 0018's triggers and check every
    # foreign key of every row again. A CHECK does not change what is stored, so its text is rewritten in
    # the schema instead, the procedure SQLite documents for such changes ("ALTER TABLE", section 7).
    bind = op.get_bind()
    old = WITHDRAWN_NEW if check == WITHDRAWN_OLD else WITHDRAWN_OLD
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = replace(sql, :old, :new) WHERE type = 'table' AND name = 'assignments'"),
        {"old": old, "new": check},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    found = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'assignments'")).scalar()
    if check not in found:  # the CHECK was written differently: stop rather than run without it
        raise RuntimeError("assignments: the withdrawn_reason CHECK was not found to change")


def downgrade() -> None:
    op.drop_index(op.f('ix_due_extension_items_assignment_id'), table_name='due_extension_items')
    op.drop_table('due_extension_items')
    op.drop_index(op.f('ix_due_extensions_campaign_id'), table_name='due_extensions')
    op.drop_table('due_extensions')
    _withdrawn_reason(WITHDRAWN_OLD)
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_campaigns_ended_reason'), 'campaigns', type_='check')
        op.drop_constraint(op.f('ck_campaigns_ended_how'), 'campaigns', type_='check')
    op.drop_column('campaigns', 'ended_reason')
    op.drop_column('campaigns', 'ended_how')
    op.drop_column('campaigns', 'revision')
