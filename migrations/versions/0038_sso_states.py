"""sign-in through the company's directory: OpenID Connect states spent once

- `sso_states`: the hash of each sign-in's state with its nonce and PKCE verifier; a callback spends its
  row with one conditional UPDATE, so a replayed state is refused.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sso_states',
        sa.Column('state_hash', sa.String(length=64), nullable=False),
        sa.Column('nonce', sa.String(length=100), nullable=False),
        sa.Column('code_verifier', sa.String(length=128), nullable=False),
        sa.Column('next_url', sa.String(length=2000), nullable=False),
        sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
        sa.Column('used_at', learning.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_sso_states')),
    )
    with op.batch_alter_table('sso_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_states_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sso_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_states_created_at'))
    op.drop_table('sso_states')
