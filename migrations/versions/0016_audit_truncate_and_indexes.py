"""audit truncate and indexes: TRUNCATE refused like UPDATE and DELETE; indexes for the trail's filters

PostgreSQL's row triggers do not fire on TRUNCATE, so the trail could be emptied with one statement; a
statement trigger now refuses it with the same function. (SQLite has no TRUNCATE: its DELETE without WHERE
fires the DELETE trigger.) The trail page filters by actor, target, action and time and pages by id; each
index below serves one filter and holds the id, so the matches are found and ordered from the index alone
(measured by bench/audit_trail_scale.py over a million events).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 01:40:00
"""

from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_action')
        batch_op.create_index('ix_audit_events_action_id', ['action', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_actor_id', ['actor_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_target', ['target_type', 'target_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_at', ['at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_at')
        batch_op.drop_index('ix_audit_events_target')
        batch_op.drop_index('ix_audit_events_actor_id')
        batch_op.drop_index('ix_audit_events_action_id')
        batch_op.create_index('ix_audit_events_action', ['action'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
