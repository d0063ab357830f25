"""The database tables. Alembic migrations (store/migrations) create and evolve them.

Records are stored once per distinct version (`record_versions`, keyed by content
hash) and linked to every snapshot that contains that version (`snapshot_records`),
so nine yearly OFAC files cost little more than one.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("scope", sa.String(64), nullable=False, server_default=""),
    sa.Column("format", sa.String(64), nullable=False),
    sa.Column("published_on", sa.Date, nullable=False),
    sa.Column("date_basis", sa.String(16), nullable=False),
    # sha256 over the raw bytes of every file of the bundle: identical bytes load once
    sa.Column("content_hash", sa.String(64), nullable=False),
    # hash over the records' content hashes: equal for re-serialised copies of the same list
    sa.Column("records_hash", sa.String(64), nullable=False),
    sa.Column("record_count", sa.Integer, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("files", sa.Text, nullable=False),  # JSON: [{name, size, sha256}]
    sa.Column("notes", sa.Text, nullable=False, server_default="[]"),  # JSON list of strings
    # JSON list of record fields the snapshot's files state only in part (not diffed)
    sa.Column("partial_fields", sa.Text, nullable=False, server_default="[]"),
    sa.UniqueConstraint("source", "scope", "content_hash", name="uq_snapshot_content"),
)
sa.Index("ix_snapshots_source_date", snapshots.c.source, snapshots.c.scope, snapshots.c.published_on)

snapshot_files = sa.Table(
    "snapshot_files",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),  # zstandard-compressed raw bytes
)

record_versions = sa.Table(
    "record_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(255), nullable=False),
    sa.Column("hash", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("caption", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # JSON of Record.to_dict()
    sa.UniqueConstraint("source", "record_id", "hash", name="uq_record_version"),
)

snapshot_records = sa.Table(
    "snapshot_records",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("record_versions.id"), primary_key=True),
)
sa.Index("ix_snapshot_records_version", snapshot_records.c.version_id)

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("scope", sa.String(64), nullable=False, server_default=""),
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), nullable=False),
    sa.Column("previous_snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("change", sa.String(16), nullable=False),  # added / removed / amended
    sa.Column("record_id", sa.String(255), nullable=False),
    sa.Column("caption", sa.Text, nullable=False),
    sa.Column("fields", sa.Text, nullable=True),  # JSON {field: {"old": ..., "new": ...}} for amended
)
sa.Index("ix_changes_source_date", changes.c.source, changes.c.date)
sa.Index("ix_changes_snapshot", changes.c.snapshot_id)

# --- subjects: records of all sources that stand for one person or organization ------------

subjects = sa.Table(
    "subjects",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("caption", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

subject_members = sa.Table(
    "subject_members",
    metadata,
    sa.Column("referent", sa.String(300), primary_key=True),  # "source:record_id"
    sa.Column("subject_id", sa.String(32), sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    # why the record joined its subject: "self", "same_designation", "cross_reference", "identifier",
    # "name_birth_date", "name", "decision"
    sa.Column("evidence", sa.String(32), nullable=False),
)
sa.Index("ix_subject_members_subject", subject_members.c.subject_id)

#: ids of subjects merged into another one: old links keep working
subject_redirects = sa.Table(
    "subject_redirects",
    metadata,
    sa.Column("old_id", sa.String(32), primary_key=True),
    sa.Column("subject_id", sa.String(32), nullable=False),
)

#: an analyst's judgement on two records: the same person, or not; wins over the machine
decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("left", sa.String(300), nullable=False),
    sa.Column("right", sa.String(300), nullable=False),
    sa.Column("judgement", sa.String(16), nullable=False),  # "same" / "different"
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("author", sa.String(100), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: small facts about derived data, e.g. which data version the subjects were resolved from
state = sa.Table(
    "state",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# --- proposals: lists of proposed targets (campaigners' lists), resolved against subjects ---------

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("source_file", sa.Text, nullable=True),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)

proposal_targets = sa.Table(
    "proposal_targets",
    metadata,
    sa.Column("proposal", sa.String(200), sa.ForeignKey("proposals.name", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("birth_date", sa.String(32), nullable=True),
    sa.Column("role", sa.Text, nullable=True),
    sa.Column("wikidata", sa.String(32), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)

# --- the HTTP API: keys and the audit trail of screenings ------------------------------------

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),  # sha256 of the key: never the key
    sa.Column("scopes", sa.String(100), nullable=False),  # comma-separated: read, screen, admin
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("key_name", sa.String(100), nullable=True),  # None in --no-auth mode
    sa.Column("endpoint", sa.String(100), nullable=False),
    sa.Column("data_version", sa.String(64), nullable=False),
    sa.Column("query", sa.Text, nullable=False),  # JSON
    sa.Column("results", sa.Text, nullable=False),  # JSON: what was returned, with scores
)
sa.Index("ix_audit_log_at", audit_log.c.at)

# --- derived data kept so that an update redoes only what it changed ----------------------------

#: each record version's names analysed once (by the code version `code`), for every index and resolve
record_analysis = sa.Table(
    "record_analysis",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("record_versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("code", sa.String(16), nullable=False),
    sa.Column("keys", sa.Text, nullable=False),  # the index keys of all its names, space-separated
    sa.Column("data", sa.LargeBinary, nullable=False),  # orjson: names, birth dates, countries, identifiers, gender
    sa.Column("facts", sa.Text, nullable=False),  # JSON [strong identifier keys, cross-references]: for resolving
    # JSON [family-name keys, organization patterns]: what text screening searches for (names.text_forms)
    sa.Column("mentions", sa.Text, nullable=False, server_default="[[], []]"),
)

#: the version of each record the subjects were last resolved from (what an update compares against)
resolved_records = sa.Table(
    "resolved_records",
    metadata,
    sa.Column("referent", sa.String(300), primary_key=True),
    sa.Column("version_id", sa.Integer, nullable=False),
)

#: evidence between two records found by resolving; `left` is the record whose search found it
record_links = sa.Table(
    "record_links",
    metadata,
    sa.Column("left", sa.String(300), primary_key=True),
    sa.Column("right", sa.String(300), primary_key=True),
    sa.Column("evidence", sa.String(32), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
)
sa.Index("ix_record_links_right", record_links.c.right)

# --- FollowTheMoney sources: every entity as published, and the links between them -------------

#: each entity of an FtM snapshot as its publisher wrote it (things and the Sanction, Address,
#: Ownership, Family... entities around them), for serving them and their neighbours
ftm_entities = sa.Table(
    "ftm_entities",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Column("schema", sa.String(64), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # JSON: the entity dict (datasets as imported)
)
sa.Index("ix_ftm_entities_entity", ftm_entities.c.entity_id)

#: what an entity points at: an entity-typed property value (`prop` its name), or a `referents` value
ftm_links = sa.Table(
    "ftm_links",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Column("prop", sa.String(64), primary_key=True),
    sa.Column("target", sa.Text, primary_key=True),
)
sa.Index("ix_ftm_links_target", ftm_links.c.target)
