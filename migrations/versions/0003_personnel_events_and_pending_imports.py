"""personnel events and pending imports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:01:04.439839
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', learning.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_pending_imports_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_imports'))
    )
    op.create_table('personnel_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=True),
    sa.Column('to_department_id', sa.Integer(), nullable=True),
    sa.Column('processed_at', learning.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("kind in ('hire', 'transfer', 'leave')", name=op.f('ck_personnel_events_kind')),
    sa.ForeignKeyConstraint(['from_department_id'], ['departments.id'], name=op.f('fk_personnel_events_from_department_id_departments')),
    sa.ForeignKeyConstraint(['to_department_id'], ['departments.id'], name=op.f('fk_personnel_events_to_department_id_departments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_personnel_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personnel_events'))
    )
    with op.batch_alter_table('personnel_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personnel_events_processed_at'), ['processed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_personnel_events_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('personnel_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personnel_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_personnel_events_processed_at'))

    op.drop_table('personnel_events')
    op.drop_table('pending_imports')
