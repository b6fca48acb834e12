"""notices for the heads of departments only; search entries for heads within a subtree

- `notices.heads_only`: the notice reaches only the holders of a manager grant among its audience (as a
  heads-only campaign counts them); the acknowledgement report and reminders count them alone.
- `search_audience.kind` may be `manager_in`: a head whose department is within the subtree named by `value`
  (such a notice is found by them, not by their staff).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

OLD_KINDS = "kind in ('department', 'role', 'permission')"
NEW_KINDS = "kind in ('department', 'role', 'permission', 'manager_in')"


def upgrade():
    # A plain ADD COLUMN: a batch would recreate `notices` on SQLite, which its receipts refer to.
    op.add_column("notices", sa.Column("heads_only", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("search_audience", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_search_audience_kind"), type_="check")
        batch_op.create_check_constraint("kind", NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM search_audience WHERE kind = 'manager_in'")
    with op.batch_alter_table("search_audience", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_search_audience_kind"), type_="check")
        batch_op.create_check_constraint("kind", OLD_KINDS)
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("heads_only")
