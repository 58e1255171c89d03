"""replies, reactions and mentions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 04:40:00.000000

`messages.reply_to_id` names the message a reply answers; `messages.reacted` is a hint set
by a message's first reaction so pages without any skip the reactions query;
`message_reactions` holds one row per person and emoji; `message_mentions` the members a
message mentions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parley.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_to_id", _ID, nullable=True))
        batch_op.add_column(
            sa.Column("reacted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_messages_reply_to_id"), ["reply_to_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_reply_to_id_messages"),
            "messages",
            ["reply_to_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "message_reactions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("message_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("emoji", sa.String(length=32), nullable=False),
        sa.Column("created_at", parley.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_reactions_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_message_reactions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_reactions")),
        sa.UniqueConstraint(
            "message_id",
            "user_id",
            "emoji",
            name=op.f("uq_message_reactions_message_id_user_id_emoji"),
        ),
        **_MYSQL,
    )
    with op.batch_alter_table("message_reactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_reactions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "message_mentions",
        sa.Column("message_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_mentions_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_message_mentions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "user_id", name=op.f("pk_message_mentions")),
        **_MYSQL,
    )
    with op.batch_alter_table("message_mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_mentions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes (which MySQL keeps while a foreign key needs them).
    op.drop_table("message_mentions")
    op.drop_table("message_reactions")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_messages_reply_to_id_messages"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_messages_reply_to_id"))
        batch_op.drop_column("reacted")
        batch_op.drop_column("reply_to_id")
