"""campaigns and exemptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 23:04:44.245441
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('whole_organisation', sa.Boolean(), nullable=False),
    sa.Column('recurrence', sa.String(length=10), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('event_due_days', sa.Integer(), nullable=False),
    sa.Column('reminder_days', sa.String(length=40), nullable=False),
    sa.Column('escalate_after_days', sa.Integer(), nullable=False),
    sa.Column('transfer_from_id', sa.Integer(), nullable=True),
    sa.Column('transfer_to_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('launched_at', learning.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("recurrence in ('none', 'yearly', 'half', 'quarterly')", name=op.f('ck_campaigns_recurrence')),
    sa.CheckConstraint("status in ('draft', 'running', 'closed')", name=op.f('ck_campaigns_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users')),
    sa.ForeignKeyConstraint(['transfer_from_id'], ['departments.id'], name=op.f('fk_campaigns_transfer_from_id_departments')),
    sa.ForeignKeyConstraint(['transfer_to_id'], ['departments.id'], name=op.f('fk_campaigns_transfer_to_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('series_id', 'period_start', name=op.f('uq_campaigns_series_id_period_start'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_series_id'), ['series_id'], unique=False)

    op.create_table('campaign_departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('exclude', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_departments_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_campaign_departments_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_departments')),
    sa.UniqueConstraint('campaign_id', 'department_id', name=op.f('uq_campaign_departments_campaign_id_department_id'))
    )
    with op.batch_alter_table('campaign_departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_departments_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('campaign_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('on_transfer', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_modules_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_campaign_modules_edition_id_editions')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_campaign_modules_module_id_modules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_modules')),
    sa.UniqueConstraint('campaign_id', 'module_id', 'on_transfer', name=op.f('uq_campaign_modules_campaign_id_module_id_on_transfer'))
    )
    with op.batch_alter_table('campaign_modules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_modules_campaign_id'), ['campaign_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('exempt_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('exempt_until', learning.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('exempted_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignments_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_assignments_campaign_id_user_id_edition_id'), ['campaign_id', 'user_id', 'edition_id'])
        batch_op.create_foreign_key(batch_op.f('fk_assignments_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_assignments_exempted_by_id_users'), 'users', ['exempted_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_exempted_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_assignments_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_assignments_campaign_id_user_id_edition_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_assignments_campaign_id'))
        batch_op.drop_column('exempted_by_id')
        batch_op.drop_column('exempt_until')
        batch_op.drop_column('exempt_reason')
        batch_op.drop_column('campaign_id')

    with op.batch_alter_table('campaign_modules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_modules_campaign_id'))

    op.drop_table('campaign_modules')
    with op.batch_alter_table('campaign_departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_departments_campaign_id'))

    op.drop_table('campaign_departments')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_series_id'))

    op.drop_table('campaigns')
