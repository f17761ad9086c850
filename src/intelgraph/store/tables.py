"""Table definitions (SQLAlchemy Core), shared by both backends.

Times are stored as integer microseconds since the Unix epoch (UTC): portable,
compact and cheap to compare. Labels are interned into ``labelsets`` and every
labelled row carries a ``labelset_id``, so a viewer's scope becomes one
``labelset_id IN (...)`` predicate that both databases index well.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

labelsets = Table(
    "labelsets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),
    Column("tenant", String(128), nullable=False),
    Column("classification", Integer, nullable=False),
    Column("compartments", Text, nullable=False),
    Column("purposes", Text, nullable=False),
    Column("residency", String(64)),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(128), nullable=False),
    Column("name", String(256), nullable=False),
    Column("licence", String(32), nullable=False),
    Column("retention", String(32), nullable=False),
    Column("purposes", Text, nullable=False),
    Column("residency", String(64)),
    Column("labelset_id", Integer, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created_us", BigInteger, nullable=False),
    UniqueConstraint("tenant", "name", name="uq_sources_tenant_name"),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("source_id", String(64), nullable=False),
    Column("connector", String(64), nullable=False),
    Column("mapping_hash", String(64)),
    Column("code_version", String(64), nullable=False),
    Column("started_us", BigInteger, nullable=False),
    Column("finished_us", BigInteger),
    Column("status", String(16), nullable=False),
    Column("stats", Text, nullable=False, default="{}"),
    Column("resume_key", String(64)),
    Column("inputs", Text, nullable=False, server_default="[]"),
    Column("options", Text, nullable=False, server_default="{}"),
    Column("profile", Text, nullable=False, server_default="{}"),
    Column("drift", Text, nullable=False, server_default="[]"),
    Column("error", Text),
    Column("owner", String(300)),
    Column("heartbeat_us", BigInteger),
    Index("ix_ingest_runs_resume", "resume_key", "status"),
    Index("ix_ingest_runs_source", "source_id", "started_us"),
)

ingest_checkpoints = Table(
    "ingest_checkpoints",
    metadata,
    Column("run_id", String(64), nullable=False),
    Column("input_uri", Text, nullable=False),
    Column("fingerprint", String(128), nullable=False),
    Column("cursor", Text, nullable=False),
    Column("records", BigInteger, nullable=False),
    Column("done", Boolean, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    PrimaryKeyConstraint("run_id", "input_uri", name="pk_ingest_checkpoints"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("input_uri", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("labelset_id", Integer, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("replayed_us", BigInteger),
    Column("replay_run_id", String(64)),
    Column("replay_outcome", Text),
    Index("ix_dead_letters_source", "source_id", "id"),
    Index("ix_dead_letters_run", "run_id", "id"),
    Index("ux_dead_letters_once", "run_id", "input_uri", "location", "content_hash", unique=True),
)

ingest_tokens = Table(
    "ingest_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source_id", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_us", BigInteger, nullable=False),
    Column("revoked_us", BigInteger),
)

records = Table(
    "records",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("source_id", String(64), nullable=False),
    Column("run_id", String(64)),
    Column("uri", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("labelset_id", Integer, nullable=False),
    Column("created_us", BigInteger, nullable=False),
)

statements = Table(
    "statements",
    metadata,
    Column("nid", Integer, nullable=False),
    Column("id", String(40), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("run_id", String(64)),
    Column("labelset_id", Integer, nullable=False),
    Column("first_seen_us", BigInteger, nullable=False),
    Column("last_seen_us", BigInteger, nullable=False),
    PrimaryKeyConstraint("nid", "id", name="pk_statements"),
    sqlite_with_rowid=False,
)

nodes = Table(
    "nodes",
    metadata,
    Column("nid", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
)

entities = Table(
    "entities",
    metadata,
    Column("row_id", Integer, primary_key=True, autoincrement=True),
    Column("nid", Integer, nullable=False),
    Column("labelset_id", Integer, nullable=False),
    Column("schema", String(64), nullable=False),
    Column("caption", Text, nullable=False),
    Column("properties", Text, nullable=False),
    Column("is_edge", Boolean, nullable=False),
    Column("first_seen_us", BigInteger, nullable=False),
    Column("last_seen_us", BigInteger, nullable=False),
    UniqueConstraint("nid", "labelset_id", name="uq_entities_nid_labelset"),
    Index("ix_entities_schema", "schema"),
)

edges = Table(
    "edges",
    metadata,
    Column("row_id", Integer, primary_key=True, autoincrement=True),
    Column("nid", Integer, nullable=False),
    Column("labelset_id", Integer, nullable=False),
    Column("schema", String(64), nullable=False),
    Column("src", Integer, nullable=False),
    Column("dst", Integer, nullable=False),
    UniqueConstraint("nid", "labelset_id", name="uq_edges_nid_labelset"),
    Index("ix_edges_src", "src", "nid"),
    Index("ix_edges_dst", "dst", "nid"),
)

judgements = Table(
    "judgements",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(128), nullable=False),
    Column("left_id", String(64), nullable=False),
    Column("right_id", String(64), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("author", String(256), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Index("ix_judgements_left", "left_id"),
    Index("ix_judgements_right", "right_id"),
)

# -- provenance ledger (RFC 9162 Merkle log; append-only) ---------------------

ledger_leaves = Table(
    "ledger_leaves",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("body", LargeBinary, nullable=False),  # the leaf's time is inside its body
    Index("ix_ledger_leaves_kind", "kind", "idx"),
)

# Hashes of complete subtrees: (level, idx) covers leaves [idx·2^level, (idx+1)·2^level).
ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", Integer, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    PrimaryKeyConstraint("level", "idx", name="pk_ledger_nodes"),
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary, nullable=False),
    Column("key_id", String(8), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
)

# The sorted members a batch or claim leaf commits to, for proofs of one statement.
ledger_members = Table(
    "ledger_members",
    metadata,
    Column("leaf_idx", BigInteger, primary_key=True, autoincrement=False),
    Column("records", LargeBinary, nullable=False),
    Column("statements", LargeBinary, nullable=False),
)

ledger_refs = Table(
    "ledger_refs",
    metadata,
    Column("record_id", String(64), nullable=False),
    Column("leaf_idx", BigInteger, nullable=False),
    PrimaryKeyConstraint("record_id", "leaf_idx", name="pk_ledger_refs"),
)

Index("ix_statements_id", statements.c.id)

# -- identity and access (migration 0004) -------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("tenant", String(200), nullable=False),
    Column("clearance", Integer, nullable=False),
    Column("compartments", Text, nullable=False),
    Column("purposes", Text, nullable=False),
    Column("admin", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("display_name", String(400)),
    Column("email", String(400)),
    Column("external_id", String(400)),
    Column("password_hash", Text),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
)
Index("ix_users_tenant", users.c.tenant, users.c.name)
Index("ix_users_external_id", users.c.external_id)

groups = Table(
    "groups",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("external_id", String(400)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant", "name", name="uq_groups_tenant_name"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    PrimaryKeyConstraint("group_id", "user_id", name="pk_group_members"),
)
Index("ix_group_members_user", group_members.c.user_id)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("auth_time", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("revoked", BigInteger),
    Column("revoked_reason", String(64)),
)
Index("ix_auth_sessions_user", auth_sessions.c.user_id)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("used", BigInteger),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Column("scopes", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("revoked", BigInteger),
    Column("last_used", BigInteger),
)

authorities = Table(
    "authorities",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(200), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("issuer", String(400), nullable=False),
    Column("reference", String(400), nullable=False),
    Column("purposes", Text, nullable=False),
    Column("entities", Text, nullable=False),
    Column("licences", Text, nullable=False),
    Column("holders", Text, nullable=False),
    Column("not_before", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("revoked", BigInteger),
    Column("revoked_by", String(200)),
)
Index("ix_authorities_tenant", authorities.c.tenant, authorities.c.expires)

# -- change feed (migration 0006) ------------------------------------------------------

changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Index("ix_changes_created_us", "created_us"),
)

# -- retractions (migration 0005; append-only) ---------------------------------------

retractions = Table(
    "retractions",
    metadata,
    Column("statement_id", String(40), primary_key=True),
    Column("entity_id", String(64), nullable=False),
    Column("nid", Integer, nullable=False),
    Column("tenant", String(128), nullable=False),
    Column("author", String(256), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
)
Index("ix_retractions_entity", retractions.c.entity_id, retractions.c.created_us)

# -- workspace (migration 0008): each user's own saved searches and investigations --------

saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(200), nullable=False),
    Column("owner", String(300), nullable=False),
    Column("name", String(200), nullable=False),
    Column("query", Text, nullable=False),
    Column("filter", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    UniqueConstraint("tenant", "owner", "name", name="uq_saved_searches_owner_name"),
)

investigations = Table(
    "investigations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(200), nullable=False),
    Column("owner", String(300), nullable=False),
    Column("name", String(200), nullable=False),
    Column("state", Text, nullable=False),
    Column("node_count", Integer, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_investigations_owner", "tenant", "owner", "updated_us"),
)
