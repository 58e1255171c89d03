"""notifications: per-chat notify/mute, quiet hours and push previews, Web Push subscriptions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from parley.db.types import BigId, UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade() -> None:
    # Columns added in place, not in batch mode: on SQLite a batch copy of users (or
    # chat_users) drops the old table, and that would cascade-delete every row that
    # references it (messages, memberships). Constant defaults only, which SQLite's
    # ALTER TABLE ADD COLUMN accepts.
    op.add_column(
        "chat_users", sa.Column("notify", sa.String(length=8), nullable=False, server_default="all")
    )
    op.add_column("chat_users", sa.Column("muted_until", UTCDateTime(), nullable=True))
    op.add_column("users", sa.Column("quiet_start", sa.SmallInteger(), nullable=True))
    op.add_column("users", sa.Column("quiet_end", sa.SmallInteger(), nullable=True))
    op.add_column("users", sa.Column("quiet_zone", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("quiet_allowed", sa.JSON(), nullable=True))
    op.add_column(
        "users",
        sa.Column("push_previews", sa.Boolean(), nullable=False, server_default=sa.text("0")),
    )
    op.create_table(
        "push_subscriptions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("session_id", BigId, nullable=True),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("endpoint_key", sa.String(length=64), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_push_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["auth_sessions.id"],
            name=op.f("fk_push_subscriptions_session_id_auth_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint_key", name=op.f("uq_push_subscriptions_endpoint_key")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_push_subscriptions_user_id"), "push_subscriptions", ["user_id"], unique=False
    )
    op.create_index(
        op.f("ix_push_subscriptions_session_id"), "push_subscriptions", ["session_id"], unique=False
    )
    op.create_table(
        "push_deliveries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("subscription_id", BigId, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["push_subscriptions.id"],
            name=op.f("fk_push_deliveries_subscription_id_push_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_deliveries")),
        **MYSQL,
    )
    op.create_index(
        op.f("ix_push_deliveries_subscription_id"),
        "push_deliveries",
        ["subscription_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("push_deliveries")
    op.drop_table("push_subscriptions")
    # In place, not batch mode (see 0006): a batch copy of users would cascade deletes.
    for column in ("push_previews", "quiet_allowed", "quiet_zone", "quiet_end", "quiet_start"):
        op.execute(f"ALTER TABLE users DROP COLUMN {column}")
    for column in ("muted_until", "notify"):
        op.execute(f"ALTER TABLE chat_users DROP COLUMN {column}")
