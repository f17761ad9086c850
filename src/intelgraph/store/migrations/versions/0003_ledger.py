"""Provenance ledger: leaves, interior nodes, signed checkpoints, batch members.

The ledger tables are append-only. Both databases refuse UPDATE and DELETE on
them with a trigger (and PostgreSQL refuses TRUNCATE): a second line behind
``intelgraph ledger verify``, which detects any change made by someone who can
drop the triggers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LEDGER_TABLES = (
    "ledger_leaves",
    "ledger_nodes",
    "ledger_checkpoints",
    "ledger_members",
    "ledger_refs",
)


def upgrade() -> None:
    op.create_table(
        "ledger_leaves",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_ledger_leaves_kind", "ledger_leaves", ["kind", "idx"])
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_ledger_nodes"),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary, nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ledger_members",
        sa.Column("leaf_idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("records", sa.LargeBinary, nullable=False),
        sa.Column("statements", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "ledger_refs",
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("leaf_idx", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("record_id", "leaf_idx", name="pk_ledger_refs"),
    )
    # `intelgraph ledger prove STATEMENT_ID` and evidence look statements up by id.
    op.create_index("ix_statements_id", "statements", ["id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the ledger is append-only: % on % refused', "
            "TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        for table in LEDGER_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
    else:
        for table in LEDGER_TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in LEDGER_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
    op.drop_index("ix_statements_id", "statements")
    for table in reversed(LEDGER_TABLES):
        op.drop_table(table)
