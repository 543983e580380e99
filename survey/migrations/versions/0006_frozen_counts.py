"""frozen counts: a closed campaign's answers, counted once for all its reports

``frozen_count`` and ``frozen_respondents`` hold what a closed campaign's answers add
up to per school, audience, questionnaire, answer language and variable
(``survey.distribution.frozen``). Campaigns already closed are counted here, in the
database, with the same ``INSERT … SELECT … GROUP BY`` that closing a campaign runs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 06:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
# assigned as 0006 on 0004 for issue 16's speed work; on 0005 since main brought 0005 (access codes)
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frozen_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("variable", sa.String(length=82), nullable=False),
        sa.Column("code", sa.Integer(), nullable=True),
        sa.Column("number", sa.Double(), nullable=True),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"],
            name=op.f("fk_frozen_count_campaign_id_campaign"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_frozen_count_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_count")),
    )
    with op.batch_alter_table("frozen_count") as batch:
        batch.create_index(batch.f("ix_frozen_count_campaign_id"), ["campaign_id"], unique=False)
    op.create_table(
        "frozen_respondents",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"],
            name=op.f("fk_frozen_respondents_campaign_id_campaign"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_frozen_respondents_school_id_school")
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "school_id", "audience", "language", name=op.f("pk_frozen_respondents")
        ),
    )
    # campaigns closed before this revision: counted as closing one would count them
    op.execute(
        "INSERT INTO frozen_count (campaign_id, school_id, audience, questionnaire_id, "
        "language, variable, code, number, answered, n) "
        "SELECT r.campaign_id, r.school_id, r.audience, r.questionnaire_id, r.language, "
        "a.variable, a.code, a.number, SUM(CASE WHEN a.ordinal = 0 THEN 1 ELSE 0 END), "
        "COUNT(*) FROM answer a JOIN response r ON a.response_id = r.id "
        "JOIN campaign c ON r.campaign_id = c.id "
        "WHERE c.state = 'closed' AND a.text IS NULL "
        "GROUP BY r.campaign_id, r.school_id, r.audience, r.questionnaire_id, r.language, "
        "a.variable, a.code, a.number"
    )
    op.execute(
        "INSERT INTO frozen_respondents (campaign_id, school_id, audience, language, n) "
        "SELECT r.campaign_id, r.school_id, r.audience, r.language, COUNT(*) "
        "FROM response r JOIN campaign c ON r.campaign_id = c.id WHERE c.state = 'closed' "
        "GROUP BY r.campaign_id, r.school_id, r.audience, r.language"
    )


def downgrade() -> None:
    op.drop_table("frozen_respondents")
    with op.batch_alter_table("frozen_count") as batch:
        batch.drop_index(batch.f("ix_frozen_count_campaign_id"))
    op.drop_table("frozen_count")
