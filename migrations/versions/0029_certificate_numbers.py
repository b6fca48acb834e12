"""certificate numbers: a random number per completed assignment, unique, never the assignment's id

- `certificates`: one per completed assignment (unique), its number 16 characters of Crockford's base32
  (80 random bits, unique), and when it was issued.
- Every assignment already completed gets one here, issued at its completion. A new table, so the triggers
  that freeze a closed period's assignments (migration 0018) are neither touched nor in the way.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 10:00:00
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as learning.training.certificates, copied: a migration stays as written
CHUNK = 5000


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('issued_at', learning.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(number) = 16', name=op.f('ck_certificates_number_length')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_certificates_assignment_id_assignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_certificates_assignment_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number'))
    )
    bind = op.get_bind()
    assignments = sa.table('assignments', sa.column('id'), sa.column('status'), sa.column('completed_at', learning.db.UTCDateTime()))
    certificates = sa.table(
        'certificates', sa.column('assignment_id'), sa.column('number'), sa.column('issued_at', learning.db.UTCDateTime())
    )
    completed = bind.execute(
        sa.select(assignments.c.id, assignments.c.completed_at)
        .where(assignments.c.status == 'completed')
        .order_by(assignments.c.id)
    ).all()
    drawn, now = set(), datetime.now(UTC)
    for start in range(0, len(completed), CHUNK):
        rows = []
        for assignment_id, completed_at in completed[start:start + CHUNK]:
            number = _number()
            while number in drawn:
                number = _number()
            drawn.add(number)
            rows.append({'assignment_id': assignment_id, 'number': number, 'issued_at': completed_at or now})
        bind.execute(sa.insert(certificates), rows)


def _number() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(16))


def downgrade() -> None:
    op.drop_table('certificates')
