"""Derived data kept between updates: names analysed per record version, resolved versions, links.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_analysis",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("record_versions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("keys", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("facts", sa.Text, nullable=False),
    )
    op.create_table(
        "resolved_records",
        sa.Column("referent", sa.String(300), primary_key=True),
        sa.Column("version_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "record_links",
        sa.Column("left", sa.String(300), primary_key=True),
        sa.Column("right", sa.String(300), primary_key=True),
        sa.Column("evidence", sa.String(32), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_index("ix_record_links_right", "record_links", ["right"])


def downgrade() -> None:
    op.drop_table("record_links")
    op.drop_table("resolved_records")
    op.drop_table("record_analysis")
