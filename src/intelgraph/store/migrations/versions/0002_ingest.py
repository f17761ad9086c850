"""Ingest state: run details, per-input checkpoints, dead letters, push tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        # Which unfinished run a repeated command resumes: hash of source, connector,
        # inputs, mapping and options.
        batch.add_column(sa.Column("resume_key", sa.String(64)))
        batch.add_column(sa.Column("inputs", sa.Text, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("options", sa.Text, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("profile", sa.Text, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("drift", sa.Text, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("error", sa.Text))
        # Which process holds a running run (host:pid) and when it last committed, so a
        # second process does not join a live run.
        batch.add_column(sa.Column("owner", sa.String(300)))
        batch.add_column(sa.Column("heartbeat_us", sa.BigInteger))
    op.create_index("ix_ingest_runs_resume", "ingest_runs", ["resume_key", "status"])
    op.create_index("ix_ingest_runs_source", "ingest_runs", ["source_id", "started_us"])
    op.create_table(
        "ingest_checkpoints",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("input_uri", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("records", sa.BigInteger, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "input_uri", name="pk_ingest_checkpoints"),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("input_uri", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("labelset_id", sa.Integer, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("replayed_us", sa.BigInteger),
        sa.Column("replay_run_id", sa.String(64)),
        sa.Column("replay_outcome", sa.Text),
    )
    op.create_index("ix_dead_letters_source", "dead_letters", ["source_id", "id"])
    op.create_index("ix_dead_letters_run", "dead_letters", ["run_id", "id"])
    # A record redelivered to the same run (a stream after a crash) is listed once.
    op.create_index(
        "ux_dead_letters_once",
        "dead_letters",
        ["run_id", "input_uri", "location", "content_hash"],
        unique=True,
    )
    op.create_table(
        "ingest_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("revoked_us", sa.BigInteger),
    )


def downgrade() -> None:
    op.drop_table("ingest_tokens")
    op.drop_table("dead_letters")
    op.drop_table("ingest_checkpoints")
    op.drop_index("ix_ingest_runs_source", "ingest_runs")
    op.drop_index("ix_ingest_runs_resume", "ingest_runs")
    with op.batch_alter_table("ingest_runs") as batch:
        for column in (
            "heartbeat_us", "owner", "error", "drift", "profile", "options", "inputs",
            "resume_key",
        ):  # fmt: skip
            batch.drop_column(column)
