"""contractors in campaign audiences (issue 19 items 4 and 5)

- `campaign_contractors`: a campaign's contractor rules, one a row: all staff of a contractor company, the
  staff on one contract, or those on contracts sponsored within a department subtree (exactly one: a CHECK).
- `assignments.contract_id`, `assignments.contractor_company_id`: the contract a contractor's staff worked
  under when assigned, and its company, for the reports' contractors section. Plain integers added in place
  (no table rebuild: `assignments` carries the frozen-period triggers and other tables refer to it).

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-03 15:30:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaign_contractors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('sponsor_department_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(case when company_id is null then 0 else 1 end) + (case when contract_id is null then 0 else 1 end) + (case when sponsor_department_id is null then 0 else 1 end) = 1', name=op.f('ck_campaign_contractors_one_rule')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_contractors_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['company_id'], ['contractor_companies.id'], name=op.f('fk_campaign_contractors_company_id_contractor_companies')),
    sa.ForeignKeyConstraint(['contract_id'], ['contractor_contracts.id'], name=op.f('fk_campaign_contractors_contract_id_contractor_contracts')),
    sa.ForeignKeyConstraint(['sponsor_department_id'], ['departments.id'], name=op.f('fk_campaign_contractors_sponsor_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_contractors'))
    )
    op.create_index(op.f('ix_campaign_contractors_campaign_id'), 'campaign_contractors', ['campaign_id'], unique=False)
    op.add_column('assignments', sa.Column('contract_id', sa.Integer(), nullable=True))
    op.add_column('assignments', sa.Column('contractor_company_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_assignments_contract_id'), 'assignments', ['contract_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_assignments_contract_id'), table_name='assignments')
    op.drop_column('assignments', 'contractor_company_id')
    op.drop_column('assignments', 'contract_id')
    op.drop_index(op.f('ix_campaign_contractors_campaign_id'), table_name='campaign_contractors')
    op.drop_table('campaign_contractors')
