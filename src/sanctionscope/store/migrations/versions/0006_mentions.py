"""What text screening searches for, analysed with the names of each record version.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # analyses stored before this carry no mentions; the analysing code changed with it, so they are redone
    op.add_column("record_analysis", sa.Column("mentions", sa.Text, nullable=False, server_default="[[], []]"))


def downgrade() -> None:
    with op.batch_alter_table("record_analysis") as batch:
        batch.drop_column("mentions")
