"""desk: answered_at is the time of the first answer (each reply used to move it to the latest)

The service level (an answer within 3 business days of the day asked) is measured to the first answer.
Until now every desk reply set answered_at again; the desk's first reply of each thread is still in
desk_messages, so the answered questions take its time. No schema change.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 07:00:00
"""

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE desk_questions SET answered_at = ("
        "SELECT min(m.created_at) FROM desk_messages m "
        "WHERE m.question_id = desk_questions.id AND m.author_kind = 'desk') "
        "WHERE answered_at IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM desk_messages m WHERE m.question_id = desk_questions.id AND m.author_kind = 'desk')"
    )


def downgrade() -> None:
    # The later replies' times are still in desk_messages; nothing to undo that anything reads.
    pass
