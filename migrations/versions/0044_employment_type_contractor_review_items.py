"""employment type on the roster; contractor accounts in access reviews

- `users.employment_type` (issue 19 item 3): regular, contract, part_time, temporary, secondee or officer, from
  the roster's optional column; null where the roster has not said (and for contractors). A plain add_column
  with its CHECK (SQLite adds a column with a CHECK in place: users is not rebuilt).
- `access_review_items.kind` takes 'contractor' (issue 19 item 6): a contractor's account, put to its contract's
  internal owner; one per review and person (a partial unique index). On SQLite the CHECK is changed by
  rebuilding access_review_items, which no other table refers to; its partial indexes are made again after.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-03 15:20:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None

EMPLOYMENT_TYPES = "('regular', 'contract', 'part_time', 'temporary', 'secondee', 'officer')"
KINDS = "('grant', 'dormant', 'contractor')"
OLD_KINDS = "('grant', 'dormant')"


def _kinds(kinds: str) -> None:
    partial = {"dormant": "uq_access_review_items_dormant", "contractor": "uq_access_review_items_contractor"}
    existing = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("access_review_items")}
    for name in partial.values():
        if name in existing:
            op.drop_index(name, table_name="access_review_items")
    with op.batch_alter_table('access_review_items', schema=None, recreate="auto") as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_access_review_items_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_access_review_items_kind'), f"kind in {kinds}")
    for kind, name in partial.items():
        if kind in kinds:
            where = sa.text(f"kind = '{kind}'")
            op.create_index(
                name, 'access_review_items', ['review_id', 'user_id'], unique=True,
                postgresql_where=where, sqlite_where=where,
            )


def upgrade() -> None:
    op.add_column(
        'users',
        sa.Column(
            'employment_type',
            sa.String(length=12),
            sa.CheckConstraint(
                f"employment_type is null or employment_type in {EMPLOYMENT_TYPES}",
                name=op.f('ck_users_employment_type'),
            ),
            nullable=True,
        ),
    )
    _kinds(KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM access_review_items WHERE kind = 'contractor'")
    _kinds(OLD_KINDS)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f('ck_users_employment_type'), 'users', type_='check')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('employment_type')
