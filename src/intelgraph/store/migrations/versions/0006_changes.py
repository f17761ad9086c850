"""The change feed: one row per committed write that changed the graph.

Subscriptions (``graphChanged``) tail this table, so a change made by any
process (the CLI, a push-ingest worker, another server) reaches subscribers;
the server wakes its reader at once for its own writes. Rows are short-lived:
the server prunes those older than an hour.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created", sa.Text, nullable=False),  # JSON list of entity ids
        sa.Column("updated", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_changes_created_us", "changes", ["created_us"])


def downgrade() -> None:
    op.drop_index("ix_changes_created_us", table_name="changes")
    op.drop_table("changes")
