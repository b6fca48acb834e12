"""transfer_rule_outcomes: what each campaign's transfer rule did with each move, module by module

One row per (campaign, personnel event, edition): assigned (the assignment made) or skipped (completed after
the move, held open elsewhere, already held in the campaign, no longer active), with the assignment found.
The unique key makes a re-run or two overlapping job runs record a move once. A new table: nothing rebuilt.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 16:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_rule_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("previous_due_at", learning.db.UTCDateTime(), nullable=True),
        sa.Column("at", learning.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(outcome = 'assigned' and reason in ('moved', 'completed_before_move')) or (outcome = 'skipped' and reason in ('completed_after_move', 'open_elsewhere', 'open_elsewhere_due_brought_forward', 'already_in_campaign', 'not_active'))",
            name=op.f("ck_transfer_rule_outcomes_reason"),
        ),
        sa.CheckConstraint(
            "outcome = 'skipped' or assignment_id is not null",
            name=op.f("ck_transfer_rule_outcomes_assigned_names_assignment"),
        ),
        sa.CheckConstraint("outcome in ('assigned', 'skipped')", name=op.f("ck_transfer_rule_outcomes_outcome")),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_transfer_rule_outcomes_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_transfer_rule_outcomes_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_transfer_rule_outcomes_edition_id_editions")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["personnel_events.id"], name=op.f("fk_transfer_rule_outcomes_event_id_personnel_events")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_transfer_rule_outcomes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_rule_outcomes")),
        sa.UniqueConstraint(
            "campaign_id",
            "event_id",
            "edition_id",
            name=op.f("uq_transfer_rule_outcomes_campaign_id_event_id_edition_id"),
        ),
    )
    with op.batch_alter_table("transfer_rule_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_rule_outcomes_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_rule_outcomes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("transfer_rule_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_rule_outcomes_user_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_rule_outcomes_assignment_id"))

    op.drop_table("transfer_rule_outcomes")
