"""Snapshots, their raw files, record versions and changes.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False, server_default=""),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("date_basis", sa.String(16), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("records_hash", sa.String(64), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False, server_default="[]"),
        sa.Column("partial_fields", sa.Text, nullable=False, server_default="[]"),
        sa.UniqueConstraint("source", "scope", "content_hash", name="uq_snapshot_content"),
    )
    op.create_index("ix_snapshots_source_date", "snapshots", ["source", "scope", "published_on"])
    op.create_table(
        "snapshot_files",
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "record_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("hash", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.UniqueConstraint("source", "record_id", "hash", name="uq_record_version"),
    )
    op.create_table(
        "snapshot_records",
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("record_versions.id"), primary_key=True),
    )
    op.create_index("ix_snapshot_records_version", "snapshot_records", ["version_id"])
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False, server_default=""),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "previous_snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("fields", sa.Text, nullable=True),
    )
    op.create_index("ix_changes_source_date", "changes", ["source", "date"])
    op.create_index("ix_changes_snapshot", "changes", ["snapshot_id"])


def downgrade() -> None:
    for table in ("changes", "snapshot_records", "record_versions", "snapshot_files", "snapshots"):
        op.drop_table(table)
