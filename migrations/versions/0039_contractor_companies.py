"""contractor companies (委託先), their branches and contracts; contractors' staff as accounts

- `contractor_companies`: a code (unique), names in both languages.
- `contractor_branches`: optional branches, one name per company.
- `contractor_contracts`: a reference (unique), the sponsoring department, the internal owner, start and end
  days; CHECK ends_on >= starts_on.
- `users.kind` (employee or contractor), `contractor_company_id`, `contract_id`, `contractor_staff_no` (unique
  per company) and `ends_on` (the last Tokyo day with access); `pending_imports.company_id` for a contractor's
  staff file waiting for its dry run to be confirmed.
- Triggers on both databases (the same rules, in each one's dialect):
  * users: a contractor has a contract of their own company, a staff number and an end day never after the
    contract's (on PostgreSQL the contract's row is read FOR SHARE, so that a contract shortened at the same
    moment waits); an employee has none of these; the kind is set once.
  * contractor_contracts: an end day moved before one of its staff's end days is refused (the service moves
    the staff's first); a contract with staff is not deleted (users.contract_id is held by triggers rather
    than a foreign key: SQLite adds a column only without a named constraint, and rebuilding users would
    drop the table every other one refers to).
  * role_grants: a contractor holds no role but contractor_head, the contractor supervisor (learner is implicit). Since the kind
    never changes, there is no race between a grant and the holder's kind.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03 11:20:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

# The roles a contractor may hold (learner is everyone's and never granted).
CONTRACTOR_ROLES = "('learner', 'contractor_head')"

POSTGRESQL = (
    """CREATE FUNCTION users_contractor_rules() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE contract_end date; contract_company integer;
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.kind <> OLD.kind THEN
        RAISE EXCEPTION 'user_kind_fixed' USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.kind = 'employee' THEN
        IF NEW.contract_id IS NOT NULL OR NEW.contractor_company_id IS NOT NULL
           OR NEW.contractor_staff_no IS NOT NULL OR NEW.ends_on IS NOT NULL THEN
          RAISE EXCEPTION 'employee_has_no_contract' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END IF;
      IF NEW.kind <> 'contractor' THEN
        RAISE EXCEPTION 'user_kind' USING ERRCODE = 'check_violation';
      END IF;
      SELECT ends_on, company_id INTO contract_end, contract_company
        FROM contractor_contracts WHERE id = NEW.contract_id FOR SHARE;
      IF contract_end IS NULL OR contract_company IS DISTINCT FROM NEW.contractor_company_id
         OR NEW.contractor_staff_no IS NULL OR NEW.ends_on IS NULL OR NEW.ends_on > contract_end THEN
        RAISE EXCEPTION 'contractor_within_contract' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER users_contractor_rules BEFORE INSERT OR UPDATE OF kind, contract_id, contractor_company_id,"
    " contractor_staff_no, ends_on ON users FOR EACH ROW EXECUTE FUNCTION users_contractor_rules()",
    """CREATE FUNCTION contract_end_covers_staff() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM users WHERE contract_id = NEW.id AND ends_on > NEW.ends_on) THEN
        RAISE EXCEPTION 'contract_end_before_staff' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER contract_end_covers_staff BEFORE UPDATE OF ends_on ON contractor_contracts"
    " FOR EACH ROW EXECUTE FUNCTION contract_end_covers_staff()",
    """CREATE FUNCTION contract_keeps_its_staff() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM users WHERE contract_id = OLD.id) THEN
        RAISE EXCEPTION 'contract_has_staff' USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN OLD;
    END $$""",
    "CREATE TRIGGER contract_keeps_its_staff BEFORE DELETE ON contractor_contracts"
    " FOR EACH ROW EXECUTE FUNCTION contract_keeps_its_staff()",
    f"""CREATE FUNCTION role_grants_no_privileged_contractor() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.role NOT IN {CONTRACTOR_ROLES}
         AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND kind = 'contractor') THEN
        RAISE EXCEPTION 'contractor_privileged' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER role_grants_no_privileged_contractor BEFORE INSERT OR UPDATE OF role, user_id ON role_grants"
    " FOR EACH ROW EXECUTE FUNCTION role_grants_no_privileged_contractor()",
)

_SQLITE_USER_RULE = """WHEN (NEW.kind NOT IN ('employee', 'contractor'))
  OR (NEW.kind = 'employee' AND (NEW.contract_id IS NOT NULL OR NEW.contractor_company_id IS NOT NULL
      OR NEW.contractor_staff_no IS NOT NULL OR NEW.ends_on IS NOT NULL))
  OR (NEW.kind = 'contractor' AND (NEW.contractor_staff_no IS NULL OR NEW.ends_on IS NULL
      OR NOT EXISTS (SELECT 1 FROM contractor_contracts c WHERE c.id = NEW.contract_id
                     AND c.company_id = NEW.contractor_company_id AND NEW.ends_on <= c.ends_on)))
BEGIN SELECT RAISE(ABORT, 'contractor_within_contract'); END"""

SQLITE = (
    f"CREATE TRIGGER users_contractor_rules_insert BEFORE INSERT ON users FOR EACH ROW {_SQLITE_USER_RULE}",
    "CREATE TRIGGER users_contractor_rules_update BEFORE UPDATE OF kind, contract_id, contractor_company_id,"
    f" contractor_staff_no, ends_on ON users FOR EACH ROW {_SQLITE_USER_RULE}",
    "CREATE TRIGGER users_kind_fixed BEFORE UPDATE OF kind ON users FOR EACH ROW WHEN NEW.kind <> OLD.kind"
    " BEGIN SELECT RAISE(ABORT, 'user_kind_fixed'); END",
    "CREATE TRIGGER contract_end_covers_staff BEFORE UPDATE OF ends_on ON contractor_contracts FOR EACH ROW"
    " WHEN EXISTS (SELECT 1 FROM users WHERE contract_id = NEW.id AND ends_on > NEW.ends_on)"
    " BEGIN SELECT RAISE(ABORT, 'contract_end_before_staff'); END",
    "CREATE TRIGGER contract_keeps_its_staff BEFORE DELETE ON contractor_contracts FOR EACH ROW"
    " WHEN EXISTS (SELECT 1 FROM users WHERE contract_id = OLD.id)"
    " BEGIN SELECT RAISE(ABORT, 'contract_has_staff'); END",
    *(
        f"CREATE TRIGGER role_grants_no_privileged_contractor_{name} BEFORE {verb} ON role_grants"
        f" FOR EACH ROW WHEN NEW.role NOT IN {CONTRACTOR_ROLES}"
        " AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND kind = 'contractor')"
        " BEGIN SELECT RAISE(ABORT, 'contractor_privileged'); END"
        for name, verb in (("insert", "INSERT"), ("update", "UPDATE OF role, user_id"))
    ),
)

DROP = {
    "postgresql": (
        "DROP TRIGGER IF EXISTS role_grants_no_privileged_contractor ON role_grants",
        "DROP FUNCTION IF EXISTS role_grants_no_privileged_contractor()",
        "DROP TRIGGER IF EXISTS contract_keeps_its_staff ON contractor_contracts",
        "DROP FUNCTION IF EXISTS contract_keeps_its_staff()",
        "DROP TRIGGER IF EXISTS contract_end_covers_staff ON contractor_contracts",
        "DROP FUNCTION IF EXISTS contract_end_covers_staff()",
        "DROP TRIGGER IF EXISTS users_contractor_rules ON users",
        "DROP FUNCTION IF EXISTS users_contractor_rules()",
    ),
    "sqlite": (
        "DROP TRIGGER IF EXISTS role_grants_no_privileged_contractor_insert",
        "DROP TRIGGER IF EXISTS role_grants_no_privileged_contractor_update",
        "DROP TRIGGER IF EXISTS contract_keeps_its_staff",
        "DROP TRIGGER IF EXISTS contract_end_covers_staff",
        "DROP TRIGGER IF EXISTS users_kind_fixed",
        "DROP TRIGGER IF EXISTS users_contractor_rules_update",
        "DROP TRIGGER IF EXISTS users_contractor_rules_insert",
    ),
}


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
    # Plain columns (ALTER TABLE ... ADD COLUMN on both databases): the triggers hold contract_id and
    # contractor_company_id to a contract of that company, and refuse deleting a contract that has staff.
    op.add_column('users', sa.Column('kind', sa.String(length=12), server_default='employee', nullable=False))
    op.add_column('users', sa.Column('contractor_company_id', sa.Integer(), nullable=True))
    op.add_column('users', sa.Column('contract_id', sa.Integer(), nullable=True))
    op.add_column('users', sa.Column('contractor_staff_no', sa.String(length=20), nullable=True))
    op.add_column('users', sa.Column('ends_on', sa.Date(), nullable=True))
    op.create_index(op.f('ix_users_contract_id'), 'users', ['contract_id'], unique=False)
    op.create_index('uq_users_contractor_staff_no', 'users', ['contractor_company_id', 'contractor_staff_no'], unique=True)
    op.add_column('pending_imports', sa.Column('company_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRESQL:
            op.execute(statement)
    else:
        for statement in SQLITE:
            op.execute(statement)


def downgrade() -> None:
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.drop_column('company_id')
    op.drop_index('uq_users_contractor_staff_no', table_name='users')
    op.drop_index(op.f('ix_users_contract_id'), table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('ends_on')
        batch_op.drop_column('contractor_staff_no')
        batch_op.drop_column('contract_id')
        batch_op.drop_column('contractor_company_id')
        batch_op.drop_column('kind')
    op.drop_table('contractor_contracts')
    op.drop_table('contractor_branches')
    op.drop_table('contractor_companies')
