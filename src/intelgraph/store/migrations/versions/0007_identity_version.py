"""An identity version: bumped by the database on every change to users, groups,
memberships, sessions and API tokens.

Authentication caches what it looked up for a credential and trusts the cache
only while this version is unchanged, so one cheap read per request replaces
three lookups, and a logout, a disabled user or a revoked token (by any
process, even by hand in SQL) still takes effect on the very next request.
Triggers, not application code, bump it, so no write path can forget.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("users", "groups", "group_members", "auth_sessions", "api_tokens")
BUMP = (
    "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
    "WHERE key = 'identity_version'"
)


def upgrade() -> None:
    op.execute(
        "INSERT INTO meta (key, value) VALUES ('identity_version', '0') "
        "ON CONFLICT (key) DO NOTHING"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION identity_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_identity_version AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION identity_version_bump()"
            )
    else:
        for table in TABLES:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_identity_{action.lower()} AFTER {action} ON {table} "
                    f"BEGIN {BUMP}; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_identity_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS identity_version_bump()")
    else:
        for table in TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_identity_{action}")
    op.execute("DELETE FROM meta WHERE key = 'identity_version'")
