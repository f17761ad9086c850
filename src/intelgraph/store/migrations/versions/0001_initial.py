"""Initial schema: labels, sources, runs, records, statements, projection, judgements.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id(name: str, length: int = 64) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=False)


def _us(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "labelsets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("classification", sa.Integer, nullable=False),
        sa.Column("compartments", sa.Text, nullable=False),
        sa.Column("purposes", sa.Text, nullable=False),
        sa.Column("residency", sa.String(64)),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("licence", sa.String(32), nullable=False),
        sa.Column("retention", sa.String(32), nullable=False),
        sa.Column("purposes", sa.Text, nullable=False),
        sa.Column("residency", sa.String(64)),
        sa.Column("labelset_id", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        _us("created_us"),
        sa.UniqueConstraint("tenant", "name", name="uq_sources_tenant_name"),
    )
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.String(64), primary_key=True),
        _id("source_id"),
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("mapping_hash", sa.String(64)),
        sa.Column("code_version", sa.String(64), nullable=False),
        _us("started_us"),
        _us("finished_us", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stats", sa.Text, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(64), primary_key=True),
        _id("source_id"),
        sa.Column("run_id", sa.String(64)),
        sa.Column("uri", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("labelset_id", sa.Integer, nullable=False),
        _us("created_us"),
    )
    # Clustered by the entity's integer node id (WITHOUT ROWID on SQLite): one B-tree
    # serves the uniqueness check and "all statements of this entity" reads, and new
    # entities (increasing node ids) append at its end instead of landing at random.
    op.create_table(
        "statements",
        sa.Column("nid", sa.Integer, nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        _id("entity_id"),
        _id("schema"),
        _id("prop"),
        sa.Column("value", sa.Text, nullable=False),
        _id("source_id"),
        _id("record_id"),
        sa.Column("run_id", sa.String(64)),
        sa.Column("labelset_id", sa.Integer, nullable=False),
        _us("first_seen_us"),
        _us("last_seen_us"),
        sa.PrimaryKeyConstraint("nid", "id", name="pk_statements"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "nodes",
        sa.Column("nid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "entities",
        sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nid", sa.Integer, nullable=False),
        sa.Column("labelset_id", sa.Integer, nullable=False),
        _id("schema"),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("properties", sa.Text, nullable=False),
        sa.Column("is_edge", sa.Boolean, nullable=False),
        _us("first_seen_us"),
        _us("last_seen_us"),
        sa.UniqueConstraint("nid", "labelset_id", name="uq_entities_nid_labelset"),
    )
    op.create_index("ix_entities_schema", "entities", ["schema"])
    op.create_table(
        "edges",
        sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nid", sa.Integer, nullable=False),
        sa.Column("labelset_id", sa.Integer, nullable=False),
        _id("schema"),
        sa.Column("src", sa.Integer, nullable=False),
        sa.Column("dst", sa.Integer, nullable=False),
        sa.UniqueConstraint("nid", "labelset_id", name="uq_edges_nid_labelset"),
    )
    op.create_index("ix_edges_src", "edges", ["src", "nid"])
    op.create_index("ix_edges_dst", "edges", ["dst", "nid"])
    op.create_table(
        "judgements",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        _id("left_id"),
        _id("right_id"),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("author", sa.String(256), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _us("created_us"),
    )
    op.create_index("ix_judgements_left", "judgements", ["left_id"])
    op.create_index("ix_judgements_right", "judgements", ["right_id"])
    _create_search_index()


def _create_search_index() -> None:
    """Full-text search: an FTS5 table on SQLite, a GIN-indexed tsvector on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE entity_fts USING fts5("
            "text, tokenize='unicode61 remove_diacritics 2')"
        )
    else:
        op.add_column("entities", sa.Column("search", sa.dialects.postgresql.TSVECTOR()))
        op.create_index("ix_entities_search", "entities", ["search"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE entity_fts")
    for table in (
        "judgements",
        "edges",
        "entities",
        "nodes",
        "statements",
        "records",
        "ingest_runs",
        "sources",
        "labelsets",
        "meta",
    ):
        op.drop_table(table)
