"""saved_answers: a quiz attempt's choices saved as the learner picks them

One row per (attempt, attempt question), replaced on every pick; written only while the attempt is open and
deleted when it is submitted, so a session ending mid-quiz keeps the answers. A new table: nothing rebuilt.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_answers",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("attempt_question_id", sa.Integer(), nullable=False),
        sa.Column("choice_ids", sa.String(length=200), nullable=False),
        sa.Column("saved_at", learning.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_saved_answers_attempt_id_attempts")),
        sa.ForeignKeyConstraint(
            ["attempt_question_id"],
            ["attempt_questions.id"],
            name=op.f("fk_saved_answers_attempt_question_id_attempt_questions"),
        ),
        sa.PrimaryKeyConstraint("attempt_id", "attempt_question_id", name=op.f("pk_saved_answers")),
    )


def downgrade() -> None:
    op.drop_table("saved_answers")
