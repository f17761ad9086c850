"""Retractions: an analyst withdraws a statement without deleting it.

The statement stays in ``statements`` and in the ledger; a retraction row (and
its ledger leaf) records who withdrew it, when and why, and reads leave it out.
Like the ledger, the table is append-only: both databases refuse UPDATE and
DELETE on it (and PostgreSQL TRUNCATE), so a retraction cannot be quietly undone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retractions",
        sa.Column("statement_id", sa.String(40), primary_key=True),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("nid", sa.Integer, nullable=False),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("author", sa.String(256), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    # Reads exclude retracted statements by the primary key; this one lists an entity's.
    op.create_index("ix_retractions_entity", "retractions", ["entity_id", "created_us"])
    if op.get_bind().dialect.name == "postgresql":
        # ledger_append_only() comes with migration 0003.
        op.execute(
            "CREATE TRIGGER retractions_append_only BEFORE UPDATE OR DELETE ON retractions "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        )
        op.execute(
            "CREATE TRIGGER retractions_no_truncate BEFORE TRUNCATE ON retractions "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER retractions_no_{action.lower()} BEFORE {action} ON retractions "
                "BEGIN SELECT RAISE(ABORT, 'retractions are append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS retractions_append_only ON retractions")
        op.execute("DROP TRIGGER IF EXISTS retractions_no_truncate ON retractions")
    op.drop_index("ix_retractions_entity", "retractions")
    op.drop_table("retractions")
