"""respond hardening: no insertion order in response and answer; submitted drafts

SQLite numbers every row of an ordinary table in insertion order (rowid); whoever
reads the file could then line responses up with the order of submission. Both
tables are rebuilt WITHOUT ROWID, so they are ordered by their random keys only.
PostgreSQL has no such option (xmin and ctid follow insertion order; see README).

``submitted_draft`` remembers, for a few days, a hash of each submitted draft id,
so that a retried final submit lands on the thank-you page.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 03:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _response_table(with_rowid: bool) -> None:
    op.create_table('response',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=40), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_response_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_response_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sqlite_with_rowid=with_rowid,
    )
    op.create_index(op.f('ix_response_school_id'), 'response', ['school_id'], unique=False)


def _answer_table(with_rowid: bool) -> None:
    op.create_table('answer',
    sa.Column('response_id', sa.Uuid(), nullable=False),
    sa.Column('variable', sa.String(length=82), nullable=False),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False),
    sa.Column('code', sa.Integer(), nullable=True),
    sa.Column('number', sa.Double(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'variable', 'ordinal', name=op.f('pk_answer')),
    sqlite_with_rowid=with_rowid,
    )


_RESPONSE_COLUMNS = (
    "id, campaign_id, school_id, audience, questionnaire_id, questionnaire_version, "
    "language, submitted_on, complete"
)
_ANSWER_COLUMNS = "response_id, variable, ordinal, code, number, text"


def _rebuild(with_rowid: bool) -> None:
    """Rebuild response and answer on SQLite, keeping every row.

    Renaming first (SQLite >= 3.26 rewrites the foreign key of answer to follow)
    and dropping the old answer table before the old response table means no
    ON DELETE CASCADE can fire on the copied rows.
    """
    op.drop_index('ix_response_school_id', table_name='response')
    op.rename_table('answer', '_answer_old')
    op.rename_table('response', '_response_old')
    _response_table(with_rowid)
    _answer_table(with_rowid)
    op.execute(f"INSERT INTO response ({_RESPONSE_COLUMNS}) SELECT {_RESPONSE_COLUMNS} FROM _response_old")
    op.execute(f"INSERT INTO answer ({_ANSWER_COLUMNS}) SELECT {_ANSWER_COLUMNS} FROM _answer_old")
    op.drop_table('_answer_old')
    op.drop_table('_response_old')


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(with_rowid=False)
    op.create_table('submitted_draft',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_submitted_draft')),
    sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_submitted_draft_expires_on'), 'submitted_draft', ['expires_on'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_submitted_draft_expires_on'), table_name='submitted_draft')
    op.drop_table('submitted_draft')
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(with_rowid=True)
