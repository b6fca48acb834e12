"""contractor companies (委託先), their branches and contracts

- `contractor_companies`: a code (unique), names in both languages.
- `contractor_branches`: optional branches, one name per company.
- `contractor_contracts`: a reference (unique), the sponsoring department, the internal owner, start and end
  days; CHECK ends_on >= starts_on.

Revision ID: 0039
Revises: 0036
Create Date: 2026-12-03 11:20:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0039'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'contractor_companies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name_ja', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contractor_companies_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contractor_companies')),
        sa.UniqueConstraint('code', name=op.f('uq_contractor_companies_code')),
    )
    op.create_table(
        'contractor_branches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('name_ja', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['contractor_companies.id'], name=op.f('fk_contractor_branches_company_id_contractor_companies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contractor_branches')),
        sa.UniqueConstraint('company_id', 'name_ja', name='uq_contractor_branches_company_name'),
    )
    op.create_index(op.f('ix_contractor_branches_company_id'), 'contractor_branches', ['company_id'], unique=False)
    op.create_table(
        'contractor_contracts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=False),
        sa.Column('sponsor_department_id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_contractor_contracts_ends_after_start')),
        sa.ForeignKeyConstraint(['company_id'], ['contractor_companies.id'], name=op.f('fk_contractor_contracts_company_id_contractor_companies')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contractor_contracts_created_by_id_users')),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_contractor_contracts_owner_id_users')),
        sa.ForeignKeyConstraint(['sponsor_department_id'], ['departments.id'], name=op.f('fk_contractor_contracts_sponsor_department_id_departments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contractor_contracts')),
        sa.UniqueConstraint('reference', name=op.f('uq_contractor_contracts_reference')),
    )
    op.create_index(op.f('ix_contractor_contracts_company_id'), 'contractor_contracts', ['company_id'], unique=False)
    op.create_index(op.f('ix_contractor_contracts_owner_id'), 'contractor_contracts', ['owner_id'], unique=False)
    op.create_index(op.f('ix_contractor_contracts_sponsor_department_id'), 'contractor_contracts', ['sponsor_department_id'], unique=False)


def downgrade() -> None:
    op.drop_table('contractor_contracts')
    op.drop_table('contractor_branches')
    op.drop_table('contractor_companies')
