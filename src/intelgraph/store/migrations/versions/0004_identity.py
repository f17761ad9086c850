"""Identity and access: users, groups, login sessions, refresh and API tokens, authorities.

Secrets are never stored: passwords as argon2id hashes, refresh and API tokens
as SHA-256 of their random bytes. Authority bindings (warrants, court orders,
consents) are kept here for lookup; each grant and revocation is also a ledger
leaf.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("clearance", sa.Integer, nullable=False),
        sa.Column("compartments", sa.Text, nullable=False),
        sa.Column("purposes", sa.Text, nullable=False),
        sa.Column("admin", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("display_name", sa.String(400)),
        sa.Column("email", sa.String(400)),
        sa.Column("external_id", sa.String(400)),
        sa.Column("password_hash", sa.Text),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_users_tenant", "users", ["tenant", "name"])
    op.create_index("ix_users_external_id", "users", ["external_id"])
    op.create_table(
        "groups",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("external_id", sa.String(400)),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant", "name", name="uq_groups_tenant_name"),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "user_id", name="pk_group_members"),
    )
    op.create_index("ix_group_members_user", "group_members", ["user_id"])
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("auth_time", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.BigInteger),
        sa.Column("revoked_reason", sa.String(64)),
    )
    op.create_index("ix_auth_sessions_user", "auth_sessions", ["user_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("used", sa.BigInteger),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.BigInteger),
        sa.Column("last_used", sa.BigInteger),
    )
    op.create_table(
        "authorities",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("issuer", sa.String(400), nullable=False),
        sa.Column("reference", sa.String(400), nullable=False),
        sa.Column("purposes", sa.Text, nullable=False),
        sa.Column("entities", sa.Text, nullable=False),
        sa.Column("licences", sa.Text, nullable=False),
        sa.Column("holders", sa.Text, nullable=False),
        sa.Column("not_before", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.BigInteger),
        sa.Column("revoked_by", sa.String(200)),
    )
    op.create_index("ix_authorities_tenant", "authorities", ["tenant", "expires"])


def downgrade() -> None:
    op.drop_index("ix_authorities_tenant", "authorities")
    op.drop_table("authorities")
    op.drop_table("api_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index("ix_auth_sessions_user", "auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_index("ix_group_members_user", "group_members")
    op.drop_table("group_members")
    op.drop_table("groups")
    op.drop_index("ix_users_external_id", "users")
    op.drop_index("ix_users_tenant", "users")
    op.drop_table("users")
