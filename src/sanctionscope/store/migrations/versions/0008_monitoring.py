"""Ongoing monitoring: portfolios, screening runs and results, alerts, decisions, webhooks, deliveries.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from sanctionscope.monitor import tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: in the order of their foreign keys. The tables are created as monitor/tables.py defines them: a later
#: change to them is a new migration, and this one must then spell out the columns it created.
TABLES = (tables.portfolios, tables.members, tables.runs, tables.screened_records, tables.results, tables.screenings,
          tables.alerts, tables.decisions, tables.webhooks, tables.deliveries, tables.delivery_log)  # fmt: skip


def upgrade() -> None:
    copy = sa.MetaData()
    created = [table.to_metadata(copy) for table in TABLES]
    copy.create_all(op.get_bind(), tables=created)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table.name)
