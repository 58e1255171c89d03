"""message search: the message_search index, filled from the messages already there

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 04:50:00.000000

SQLite: an FTS5 table whose rowid is the message id. MySQL/MariaDB: a table with a
FULLTEXT index, created with stop words off so that words like "about" are found too.
Both hold each live message's text folded by `parley.messages.search_index.fold`; a row
whose message row goes away goes with it (a trigger on SQLite, a foreign key elsewhere).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from parley.messages.search_index import INDEX, fold

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {INDEX} USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"CREATE TRIGGER {INDEX}_gone AFTER DELETE ON messages "
            f"BEGIN DELETE FROM {INDEX} WHERE rowid = old.id; END"
        )
        key = "rowid"
    else:
        op.create_table(
            INDEX,
            sa.Column("message_id", sa.BigInteger(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("message_id"),
            mysql_engine="InnoDB",
            mysql_charset="utf8mb4",
            mysql_collate="utf8mb4_bin",
        )
        # Stop words are off for Parley's connections (parley.db.database), so every word
        # is indexed, "the" and "about" too.
        op.execute(f"CREATE FULLTEXT INDEX ix_{INDEX}_body ON {INDEX} (body)")
        key = "message_id"
    _fill(conn, key)


def _fill(conn: sa.Connection, key: str) -> None:
    messages = sa.table("messages", sa.column("id"), sa.column("content"), sa.column("deleted_at"))
    rows = sa.table(INDEX, sa.column(key), sa.column("body"))
    after = 0
    while True:
        page = conn.execute(
            sa.select(messages.c.id, messages.c.content)
            .where(messages.c.id > after, messages.c.deleted_at.is_(None), messages.c.content != "")
            .order_by(messages.c.id)
            .limit(2000)
        ).all()
        if not page:
            return
        conn.execute(sa.insert(rows), [{key: mid, "body": fold(content)} for mid, content in page])
        after = page[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {INDEX}_gone")
        op.execute(f"DROP TABLE IF EXISTS {INDEX}")
    else:
        op.drop_table(INDEX)
