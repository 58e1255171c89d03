"""accounts: admins, deactivation, optional e-mail, invites, reset links, "my devices"

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from parley.db.types import BigId, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade() -> None:
    # New columns in place (see 0008): a batch copy of users or auth_sessions would
    # cascade-delete what references them.
    op.add_column(
        "users", sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.text("0"))
    )
    op.add_column(
        "users", sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.text("1"))
    )
    op.add_column("auth_sessions", sa.Column("device", sa.String(length=100), nullable=True))
    op.add_column("auth_sessions", sa.Column("address", sa.String(length=64), nullable=True))
    op.add_column("auth_sessions", sa.Column("last_active_at", UTCDateTime(), nullable=True))
    _email_nullable(True)
    # The oldest account of an existing server becomes its admin, as if it had been first.
    op.execute(
        "UPDATE users SET is_admin = 1 WHERE id = (SELECT m FROM (SELECT MIN(id) AS m FROM users) t)"
    )

    settings = op.create_table(
        "server_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("email_required", sa.Boolean(), nullable=False, server_default=sa.text("1")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_settings")),
        **MYSQL,
    )
    op.bulk_insert(settings, [{"id": 1, "email_required": True}])
    op.create_table(
        "invites",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_invites_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token", name=op.f("uq_invites_token")),
        **MYSQL,
    )
    op.create_index(op.f("ix_invites_created_by"), "invites", ["created_by"], unique=False)
    op.create_table(
        "invite_uses",
        sa.Column("invite_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["invites.id"],
            name=op.f("fk_invite_uses_invite_id_invites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_invite_uses_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("invite_id", "user_id", name=op.f("pk_invite_uses")),
        **MYSQL,
    )
    op.create_index(op.f("ix_invite_uses_user_id"), "invite_uses", ["user_id"], unique=False)
    op.create_table(
        "reset_tokens",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reset_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reset_tokens_token_hash")),
        **MYSQL,
    )
    op.create_index(op.f("ix_reset_tokens_user_id"), "reset_tokens", ["user_id"], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    without = bind.execute(sa.text("SELECT COUNT(*) FROM users WHERE email IS NULL")).scalar()
    if without:
        raise RuntimeError(
            f"cannot go below revision 0009: {without} account(s) have no e-mail address, "
            "which earlier versions require; give them one first"
        )
    op.drop_table("reset_tokens")
    op.drop_table("invite_uses")
    op.drop_table("invites")
    op.drop_table("server_settings")
    _email_nullable(False)
    # In place, not batch mode (see 0006): a batch copy would cascade deletes.
    for column in ("last_active_at", "address", "device"):
        op.execute(f"ALTER TABLE auth_sessions DROP COLUMN {column}")
    for column in ("is_active", "is_admin"):
        op.execute(f"ALTER TABLE users DROP COLUMN {column}")


def _email_nullable(nullable: bool) -> None:
    """users.email and email_key: NULL allowed (accounts without e-mail) or not.

    MariaDB changes a column in place. SQLite cannot: batch mode copies users into a new
    table and drops the old one, which with foreign keys on would cascade-delete every
    message, membership and session. Parley's migration environment (migrations/env.py)
    turns foreign keys off on SQLite for the whole run and checks them before committing,
    which is what makes this copy safe.
    """
    if op.get_bind().dialect.name != "sqlite":
        for column in ("email", "email_key"):
            op.alter_column("users", column, existing_type=sa.String(length=254), nullable=nullable)
        return
    foreign_keys = op.get_bind().execute(sa.text("PRAGMA foreign_keys")).scalar()
    if foreign_keys:
        raise RuntimeError("refusing to copy users with SQLite foreign keys on (see env.py)")
    with op.batch_alter_table("users", recreate="always") as batch:
        for column in ("email", "email_key"):
            batch.alter_column(column, existing_type=sa.String(length=254), nullable=nullable)
