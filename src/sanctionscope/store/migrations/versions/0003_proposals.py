"""Proposal lists and their targets.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("source_file", sa.Text, nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "proposal_targets",
        sa.Column("proposal", sa.String(200), sa.ForeignKey("proposals.name", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("birth_date", sa.String(32), nullable=True),
        sa.Column("role", sa.Text, nullable=True),
        sa.Column("wikidata", sa.String(32), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("proposal_targets")
    op.drop_table("proposals")
