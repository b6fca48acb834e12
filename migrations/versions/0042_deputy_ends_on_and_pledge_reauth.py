"""deputies named until a day; pledges signed after re-authenticating at the company directory

- `inspection_deputies.ends_on`: the last day (Tokyo) a deputy answers for the department; the head's page
  (inspections/deputies) always sets it. Nullable: rows from before keep no end until removed.
- `sso_states.reauth_user_id` / `reauthenticated_at`: a round trip to the OpenID provider that re-authenticates
  someone already signed in (the signature of a pledge), and when the provider's answer proved it.
- `pledge_pending`: a signature's answers kept on the server across that round trip, spent once.

Plain ADD COLUMNs and a new table: no table is recreated on SQLite.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-03 15:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('inspection_deputies', sa.Column('ends_on', sa.Date(), nullable=True))
    op.add_column('sso_states', sa.Column('reauth_user_id', sa.Integer(), nullable=True))
    op.add_column('sso_states', sa.Column('reauthenticated_at', learning.db.UTCDateTime(), nullable=True))
    op.create_table('pledge_pending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('state_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', learning.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pledge_pending_user_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['pledge_versions.id'], name=op.f('fk_pledge_pending_version_id_pledge_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_pending')),
    sa.UniqueConstraint('state_hash', name=op.f('uq_pledge_pending_state_hash'))
    )
    with op.batch_alter_table('pledge_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_pending_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pledge_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledge_pending_user_id'))
    op.drop_table('pledge_pending')
    with op.batch_alter_table('sso_states', schema=None) as batch_op:
        batch_op.drop_column('reauthenticated_at')
        batch_op.drop_column('reauth_user_id')
    with op.batch_alter_table('inspection_deputies', schema=None) as batch_op:
        batch_op.drop_column('ends_on')
