"""Subjects (records resolved across sources), redirects of merged ids, analysts' decisions, state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "subject_members",
        sa.Column("referent", sa.String(300), primary_key=True),
        sa.Column("subject_id", sa.String(32), sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("evidence", sa.String(32), nullable=False),
    )
    op.create_index("ix_subject_members_subject", "subject_members", ["subject_id"])
    op.create_table(
        "subject_redirects",
        sa.Column("old_id", sa.String(32), primary_key=True),
        sa.Column("subject_id", sa.String(32), nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("left", sa.String(300), nullable=False),
        sa.Column("right", sa.String(300), nullable=False),
        sa.Column("judgement", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("author", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("state", "decisions", "subject_redirects", "subject_members", "subjects"):
        op.drop_table(table)
