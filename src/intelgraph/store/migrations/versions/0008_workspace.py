"""Each user's workspace: saved searches and saved investigations (graph layouts).

Rows belong to one owner (a principal id in a tenant) and are only ever read or
changed by that owner. They are personal working state, not intelligence data:
they carry no labels and are not logged in the ledger; the entities an
investigation names are read through the owner's rights whenever it is opened.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(300), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("filter", sa.Text, nullable=False),  # JSON object
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("tenant", "owner", "name", name="uq_saved_searches_owner_name"),
    )
    op.create_table(
        "investigations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(300), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("state", sa.Text, nullable=False),  # JSON object, at most 2 MiB
        sa.Column("node_count", sa.Integer, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_investigations_owner", "investigations", ["tenant", "owner", "updated_us"])


def downgrade() -> None:
    op.drop_index("ix_investigations_owner", table_name="investigations")
    op.drop_table("investigations")
    op.drop_table("saved_searches")
