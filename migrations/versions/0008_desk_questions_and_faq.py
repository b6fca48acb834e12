"""desk questions and faq

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 23:44:50.990470
"""

import sqlalchemy as sa
from alembic import op

import learning.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('desk_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=True),
    sa.Column('claim_hash', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('section_position', sa.Integer(), nullable=True),
    sa.Column('bank_question_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('asked_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('answered_at', learning.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status in ('new', 'in_progress', 'waiting', 'answered', 'closed')", name=op.f('ck_desk_questions_status')),
    sa.CheckConstraint('(asker_id IS NULL) <> (claim_hash IS NULL)', name=op.f('ck_desk_questions_named_or_anonymous')),
    sa.ForeignKeyConstraint(['asker_id'], ['users.id'], name=op.f('fk_desk_questions_asker_id_users')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_desk_questions_assignee_id_users')),
    sa.ForeignKeyConstraint(['bank_question_id'], ['questions.id'], name=op.f('fk_desk_questions_bank_question_id_questions')),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_desk_questions_edition_id_editions')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_desk_questions_module_id_modules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_questions')),
    sa.UniqueConstraint('claim_hash', name=op.f('uq_desk_questions_claim_hash'))
    )
    with op.batch_alter_table('desk_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_questions_asker_id'), ['asker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_questions_module_id'), ['module_id'], unique=False)
        batch_op.create_index('ix_desk_questions_status_asked_at', ['status', 'asked_at'], unique=False)

    op.create_table('desk_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('author_kind', sa.String(length=6), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', learning.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("author_kind in ('asker', 'desk', 'note')", name=op.f('ck_desk_messages_author_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_desk_messages_author_id_users')),
    sa.ForeignKeyConstraint(['question_id'], ['desk_questions.id'], name=op.f('fk_desk_messages_question_id_desk_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_messages'))
    )
    with op.batch_alter_table('desk_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_messages_question_id'), ['question_id'], unique=False)

    op.create_table('faq_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_ja', sa.Text(), nullable=False),
    sa.Column('question_en', sa.Text(), nullable=False),
    sa.Column('answer_ja', sa.Text(), nullable=False),
    sa.Column('answer_en', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('section_position', sa.Integer(), nullable=True),
    sa.Column('source_question_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', learning.db.UTCDateTime(), nullable=False),
    sa.Column('published_at', learning.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status in ('draft', 'published', 'retired')", name=op.f('ck_faq_entries_status')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_faq_entries_module_id_modules')),
    sa.ForeignKeyConstraint(['source_question_id'], ['desk_questions.id'], name=op.f('fk_faq_entries_source_question_id_desk_questions')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_faq_entries_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_entries'))
    )
    with op.batch_alter_table('faq_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_entries_module_id'), ['module_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('faq_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_entries_module_id'))

    op.drop_table('faq_entries')
    with op.batch_alter_table('desk_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_messages_question_id'))

    op.drop_table('desk_messages')
    with op.batch_alter_table('desk_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_desk_questions_status_asked_at')
        batch_op.drop_index(batch_op.f('ix_desk_questions_module_id'))
        batch_op.drop_index(batch_op.f('ix_desk_questions_asker_id'))

    op.drop_table('desk_questions')
