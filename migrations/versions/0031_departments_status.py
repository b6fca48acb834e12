"""departments abolished or merged; people's kana reading; people search indexes

- `departments.status` (active, abolished, merged), `merged_into_id` (the department a merged one went into)
  and `closed_at`: an org CSV can close a department once nobody is left in it; the row stays, so that
  assignments and closed periods keep its id and name.
- `users.name_kana`: the reading from the roster's optional name_kana column, for search by kana.
- Trigram indexes (pg_trgm, GIN) on name, name_kana, employee_no and email, so that a partial search
  (`ILIKE '%…%'`) over 100,000 people reads the index; SQLite gets plain indexes.

pg_trgm is a trusted extension (PostgreSQL 13 and later): the database owner may create it.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

STATUS = "status in ('active', 'abolished', 'merged')"
MERGED_INTO = "(status = 'merged') = (merged_into_id is not null)"
CLOSED_WHEN = "(status = 'active') = (closed_at is null)"
SEARCHED = ('name', 'name_kana', 'employee_no', 'email')


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        # Plain ADD COLUMNs: rebuilding departments (batch mode) would mean rebuilding every table's keys to it.
        op.execute(
            "ALTER TABLE departments ADD COLUMN status VARCHAR(10) DEFAULT 'active' NOT NULL "
            f"CONSTRAINT ck_departments_status CHECK ({STATUS})"
        )
        op.execute(
            "ALTER TABLE departments ADD COLUMN merged_into_id INTEGER "
            "CONSTRAINT fk_departments_merged_into_id_departments REFERENCES departments (id) "
            f"CONSTRAINT ck_departments_merged_into CHECK ({MERGED_INTO})"
        )
        op.execute(
            "ALTER TABLE departments ADD COLUMN closed_at DATETIME "
            f"CONSTRAINT ck_departments_closed_when CHECK ({CLOSED_WHEN})"
        )
    else:
        op.add_column(
            'departments', sa.Column('status', sa.String(length=10), server_default='active', nullable=False)
        )
        op.add_column('departments', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.add_column('departments', sa.Column('closed_at', learning.db.UTCDateTime(), nullable=True))
        op.create_foreign_key(
            op.f('fk_departments_merged_into_id_departments'), 'departments', 'departments', ['merged_into_id'], ['id']
        )
        op.create_check_constraint(op.f('ck_departments_status'), 'departments', STATUS)
        op.create_check_constraint(op.f('ck_departments_merged_into'), 'departments', MERGED_INTO)
        op.create_check_constraint(op.f('ck_departments_closed_when'), 'departments', CLOSED_WHEN)
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.add_column('users', sa.Column('name_kana', sa.String(length=100), nullable=True))
    for column in SEARCHED:
        op.create_index(
            f'ix_users_{column}_trgm',
            'users',
            [column],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'},
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for column in SEARCHED:
        op.drop_index(f'ix_users_{column}_trgm', table_name='users')
    op.drop_column('users', 'name_kana')
    if sqlite:
        with op.batch_alter_table('departments') as batch_op:
            for column in ('closed_at', 'merged_into_id', 'status'):
                batch_op.drop_column(column)
    else:
        op.drop_constraint(op.f('ck_departments_closed_when'), 'departments', type_='check')
        op.drop_constraint(op.f('ck_departments_merged_into'), 'departments', type_='check')
        op.drop_constraint(op.f('ck_departments_status'), 'departments', type_='check')
        op.drop_constraint(op.f('fk_departments_merged_into_id_departments'), 'departments', type_='foreignkey')
        op.drop_column('departments', 'closed_at')
        op.drop_column('departments', 'merged_into_id')
        op.drop_column('departments', 'status')
