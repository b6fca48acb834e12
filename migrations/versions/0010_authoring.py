"""authoring: draft editions with revisions and review, question tags, reopened assignments' note

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 02:10:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('edited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('edited_at', learning.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('change_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('substantive', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_editions_edited_by_id_users'), 'users', ['edited_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_editions_submitted_by_id_users'), 'users', ['submitted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_editions_reviewed_by_id_users'), 'users', ['reviewed_by_id'], ['id'])
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tags', sa.String(length=300), server_default='', nullable=False))
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('note')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('tags')
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_editions_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_editions_submitted_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_editions_edited_by_id_users'), type_='foreignkey')
        for column in ('substantive', 'review_note', 'change_note', 'reviewed_by_id', 'submitted_by_id',
                       'edited_at', 'edited_by_id', 'revision'):
            batch_op.drop_column(column)
