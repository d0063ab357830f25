"""FollowTheMoney entities as published (things and relationship entities) and the links between them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Snapshots loaded before this have no rows here: load their files again (a new snapshot is made
only if the records differ, so reload into a fresh database to get the related entities).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ftm_entities",
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entity_id", sa.Text, primary_key=True),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_ftm_entities_entity", "ftm_entities", ["entity_id"])
    op.create_table(
        "ftm_links",
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entity_id", sa.Text, primary_key=True),
        sa.Column("prop", sa.String(64), primary_key=True),
        sa.Column("target", sa.Text, primary_key=True),
    )
    op.create_index("ix_ftm_links_target", "ftm_links", ["target"])


def downgrade() -> None:
    op.drop_index("ix_ftm_links_target", "ftm_links")
    op.drop_table("ftm_links")
    op.drop_index("ix_ftm_entities_entity", "ftm_entities")
    op.drop_table("ftm_entities")
