"""one-time access codes: scopes (codes on), batches, and codes known only by their keyed hash

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 06:32:03

access_code has no reference to a response and no time; on SQLite it is WITHOUT ROWID,
so its rows are ordered by the random hash alone, not by issue or use.
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_code_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_access_code_batch_size_positive')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_access_code_batch_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_access_code_batch_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_code_batch'))
    )
    with op.batch_alter_table('access_code_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_code_batch_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('access_code_scope',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_access_code_scope_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_access_code_scope_school_id_school')),
    sa.PrimaryKeyConstraint('campaign_id', 'school_id', 'audience', name=op.f('pk_access_code_scope'))
    )
    op.create_table('access_code',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.CheckConstraint("state IN ('open', 'used', 'revoked')", name=op.f('ck_access_code_state')),
    sa.ForeignKeyConstraint(['batch_id'], ['access_code_batch.id'], name=op.f('fk_access_code_batch_id_access_code_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_access_code')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('access_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_code_batch_id'), ['batch_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('access_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_code_batch_id'))

    op.drop_table('access_code')
    op.drop_table('access_code_scope')
    with op.batch_alter_table('access_code_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_code_batch_campaign_id'))

    op.drop_table('access_code_batch')
