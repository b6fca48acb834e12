"""desk question codes: a random public code for every question; the anonymous daily count on the server

Questions are shown by a random code, never by their sequential id (an anonymous question's id between
two named ones told when it was asked). Existing questions get codes here. The daily limit on
anonymous questions moves from the asker's cookie (which could be replayed) to desk_ask_counts: a count
per HMAC(person, day), no question and no time of day (learning/desk/allowance.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 03:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# As in learning/desk/models.py at the time of writing (a migration does not follow later model changes).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def upgrade() -> None:
    op.create_table(
        'desk_ask_counts',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('asked', sa.Integer(), nullable=False),
        sa.CheckConstraint('asked > 0', name=op.f('ck_desk_ask_counts_asked_positive')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_desk_ask_counts')),
    )
    with op.batch_alter_table('desk_ask_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_ask_counts_day'), ['day'], unique=False)

    with op.batch_alter_table('desk_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=CODE_LENGTH), nullable=True))
    connection = op.get_bind()
    questions = sa.table('desk_questions', sa.column('id', sa.Integer()), sa.column('code', sa.String()))
    used: set[str] = set()
    for question_id in connection.execute(sa.select(questions.c.id)).scalars().all():
        code = _new_code()
        while code in used:
            code = _new_code()
        used.add(code)
        connection.execute(sa.update(questions).where(questions.c.id == question_id).values(code=code))
    with op.batch_alter_table('desk_questions', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=CODE_LENGTH), nullable=False)
        batch_op.create_index(batch_op.f('ix_desk_questions_code'), ['code'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('desk_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_questions_code'))
        batch_op.drop_column('code')
    with op.batch_alter_table('desk_ask_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_ask_counts_day'))
    op.drop_table('desk_ask_counts')


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
