"""invariants in the database: one open attempt per assignment, one edition in the works and one published
per module, an HR import applied once

Until now these were checked in Python and then inserted, so concurrent requests could break them. The
database now holds them:

- attempts gain `abandoned_at`, and the partial unique index uq_attempts_open allows one attempt per
  assignment that is neither submitted nor abandoned. Existing extra open attempts are set aside: of an
  assignment's open attempts the newest (highest number, the one "Continue the quiz" offers) stays open,
  the older ones get `abandoned_at` (now). They had no answers and no score, and nothing reads them:
  reports count submitted attempts only; a learner who opens one is sent back to the quiz's page.
- editions: uq_editions_in_the_works (one draft or review per module) and uq_editions_published (one
  published per module). Existing duplicates are retired (status 'retired', published_at as it was): of
  the editions in the works the one in review is kept, else the highest version; of the published ones the
  highest version is kept, as publishing it would have retired the others. Retired editions keep their
  content, assignments and certificates.
- pending_imports gain `status` ('pending' or 'applied') and `applied_at`, with CHECKs that they agree:
  an Apply claims the upload with one conditional UPDATE before applying it, and the applied row stays
  (its file emptied) so that a second Apply is told so. Existing rows are all pending (applied uploads
  were deleted until now) and stay so.

Plain CREATE INDEX and ADD COLUMN on attempts and editions (no table rebuilt on SQLite); pending_imports,
which has no triggers, is rebuilt by batch mode on SQLite for its CHECKs.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 02:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OPEN_ATTEMPT = "submitted_at is null and abandoned_at is null"
IN_THE_WORKS = "status in ('draft', 'review')"
PUBLISHED = "status = 'published'"


def upgrade() -> None:
    op.add_column('attempts', sa.Column('abandoned_at', learning.db.UTCDateTime(), nullable=True))
    now = sa.bindparam('now', datetime.now(UTC), type_=learning.db.UTCDateTime())
    op.get_bind().execute(
        sa.text(
            "UPDATE attempts SET abandoned_at = :now WHERE submitted_at IS NULL AND EXISTS ("
            "SELECT 1 FROM attempts newer WHERE newer.assignment_id = attempts.assignment_id "
            "AND newer.submitted_at IS NULL AND newer.number > attempts.number)"
        ).bindparams(now)
    )
    op.create_index(
        'uq_attempts_open', 'attempts', ['assignment_id'], unique=True,
        postgresql_where=sa.text(OPEN_ATTEMPT), sqlite_where=sa.text(OPEN_ATTEMPT),
    )

    # An edition in the works is outranked by another of its module in review (if it is a draft) or by one
    # of the same status with a higher version.
    op.execute(
        "UPDATE editions SET status = 'retired' WHERE status IN ('draft', 'review') AND EXISTS ("
        "SELECT 1 FROM editions other WHERE other.module_id = editions.module_id AND other.id <> editions.id "
        "AND other.status IN ('draft', 'review') AND ("
        "(other.status = 'review' AND editions.status = 'draft') "
        "OR (other.status = editions.status AND other.version > editions.version)))"
    )
    op.execute(
        "UPDATE editions SET status = 'retired' WHERE status = 'published' AND EXISTS ("
        "SELECT 1 FROM editions newer WHERE newer.module_id = editions.module_id AND newer.status = 'published' "
        "AND newer.version > editions.version)"
    )
    op.create_index(
        'uq_editions_in_the_works', 'editions', ['module_id'], unique=True,
        postgresql_where=sa.text(IN_THE_WORKS), sqlite_where=sa.text(IN_THE_WORKS),
    )
    op.create_index(
        'uq_editions_published', 'editions', ['module_id'], unique=True,
        postgresql_where=sa.text(PUBLISHED), sqlite_where=sa.text(PUBLISHED),
    )

    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('applied_at', learning.db.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_pending_imports_status'), "status in ('pending', 'applied')")
        batch_op.create_check_constraint(
            op.f('ck_pending_imports_applied_when'), "(status = 'applied') = (applied_at is not null)"
        )


def downgrade() -> None:
    # Applied uploads were deleted before this revision; set-aside attempts become open again, as they were.
    op.execute("DELETE FROM pending_imports WHERE status = 'applied'")
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pending_imports_applied_when'), type_='check')
        batch_op.drop_constraint(op.f('ck_pending_imports_status'), type_='check')
        batch_op.drop_column('applied_at')
        batch_op.drop_column('status')
    op.drop_index('uq_editions_published', table_name='editions')
    op.drop_index('uq_editions_in_the_works', table_name='editions')
    op.drop_index('uq_attempts_open', table_name='attempts')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('abandoned_at')
