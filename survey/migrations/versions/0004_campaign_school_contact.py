"""campaign.school_contact: where children find help at their school

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 03:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
# 0002 (issue 9) and 0003 (issue 11) are planned before this one; the lead re-chains at merge.
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("school_contact", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("school_contact")
