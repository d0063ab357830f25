"""The tables of ongoing monitoring: portfolios and members, screening runs and results, alerts and
decisions, webhooks and their deliveries (created by migration 0008, in the store's one metadata)."""

from __future__ import annotations

import sqlalchemy as sa

from sanctionscope.store.schema import metadata

portfolios = sa.Table(
    "monitor_portfolios",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("proposal", sa.String(200), nullable=True),  # the proposal list it follows, if any
    sa.Column("source_file", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

members = sa.Table(
    "monitor_members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("portfolio", sa.String(200), sa.ForeignKey("monitor_portfolios.name", ondelete="CASCADE"), nullable=False),
    sa.Column("external_id", sa.String(200), nullable=False),  # the customer's id in the user's own system
    sa.Column("query", sa.Text, nullable=False),  # JSON: names, kind, birth dates, countries, identifiers, gender
    sa.Column("keys", sa.Text, nullable=False),  # its names' index keys, space-separated: the reverse index
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),  # kept for the evidence of past screenings
    sa.UniqueConstraint("portfolio", "external_id", name="uq_monitor_member"),
)

#: one screening pass: of changed records against every portfolio (delta), or of members against everything
runs = sa.Table(
    "monitor_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # delta / members / full
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("data_version", sa.String(64), nullable=False),
    sa.Column("snapshots", sa.Text, nullable=False),  # JSON [{id, source, scope, published_on, content_hash}]
    sa.Column("changed_records", sa.Integer, nullable=False, server_default="0"),
    sa.Column("members_screened", sa.Integer, nullable=False, server_default="0"),
    sa.Column("alerts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text, nullable=True),
)

#: the version of each current record the portfolios were last screened against
screened_records = sa.Table(
    "monitor_records",
    metadata,
    sa.Column("referent", sa.String(300), primary_key=True),
    sa.Column("version_id", sa.Integer, nullable=False),
)

#: a member's match with a subject, from the run that found it until the run that ended it
results = sa.Table(
    "monitor_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("monitor_members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("subject_id", sa.String(32), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("referents", sa.Text, nullable=False),  # JSON list
    sa.Column("from_run", sa.Integer, nullable=False),
    sa.Column("until_run", sa.Integer, nullable=True),
)
sa.Index("ix_monitor_results_member", results.c.member_id)
sa.Index("ix_monitor_results_subject", results.c.subject_id)

#: the runs that screened a member against every list (on import, on an edit, on a full re-screen)
screenings = sa.Table(
    "monitor_screenings",
    metadata,
    sa.Column("member_id", sa.Integer, sa.ForeignKey("monitor_members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("run_id", sa.Integer, primary_key=True),
)

alerts = sa.Table(
    "monitor_alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("portfolio", sa.String(200), nullable=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("monitor_members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("subject_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # new_match / removed_match / amended_match
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("designations", sa.Text, nullable=False),  # JSON
    sa.Column("snapshot", sa.Text, nullable=False),  # JSON {id, source, scope, published_on, content_hash}
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # open / confirmed / false_positive / whitelisted
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)
sa.Index("ix_monitor_alerts_portfolio_state", alerts.c.portfolio, alerts.c.state)

#: the analyst's last word on a member and a subject, with what the subject's records said then
decisions = sa.Table(
    "monitor_decisions",
    metadata,
    sa.Column("member_id", sa.Integer, sa.ForeignKey("monitor_members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.String(32), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("facts", sa.Text, nullable=False),  # JSON {referent: [names, birth dates, identifiers]}
    sa.Column("alert_id", sa.Integer, nullable=False),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
)

webhooks = sa.Table(
    "monitor_webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("portfolio", sa.String(200), sa.ForeignKey("monitor_portfolios.name", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("secret", sa.Text, nullable=False),  # "whsec_" + base64: the Standard Webhooks form
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: one alert to one webhook: pending until delivered, dead after too many failures
deliveries = sa.Table(
    "monitor_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("webhook_id", sa.Integer, sa.ForeignKey("monitor_webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("monitor_alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("message_id", sa.String(64), nullable=False),  # the same on every retry: receivers deduplicate by it
    sa.Column("status", sa.String(16), nullable=False),  # pending / delivered / dead
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
)
sa.Index("ix_monitor_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)

#: every attempt of every delivery
delivery_log = sa.Table(
    "monitor_delivery_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("delivery_id", sa.Integer, sa.ForeignKey("monitor_deliveries.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
)
