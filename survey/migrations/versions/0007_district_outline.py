"""district_outline: district outlines (GeoJSON) for the maps of the reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 06:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "district_outline",
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_district_outline_district_id_district"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("district_id", name=op.f("pk_district_outline")),
    )


def downgrade() -> None:
    op.drop_table("district_outline")
