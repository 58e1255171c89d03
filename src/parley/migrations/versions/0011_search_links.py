"""message search: on MySQL/MariaDB, which indexed messages have a link

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:40:00.000000

`has:link` with a common word made MariaDB gather the word's every FULLTEXT match (most
messages) before it could keep the ones with a link: seconds at a million messages. A
`has_link` flag on the index's rows, with an index of its own, lets a search walk my
messages with links instead, newest first (`parley.search.service._match_links`).
SQLite's FTS5 walks its matches newest first and stops at the page's end: it needs none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from parley.messages.search_index import INDEX

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.add_column(
        INDEX, sa.Column("has_link", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index(f"ix_{INDEX}_has_link", INDEX, ["has_link", "message_id"])
    # As parley.messages.search_index.has_link decides for new rows: an address in any
    # case (the collation is binary, so LIKE alone would be case-sensitive).
    op.execute(
        f"UPDATE {INDEX} s JOIN messages m ON m.id = s.message_id SET s.has_link = 1"
        " WHERE LOWER(m.content) LIKE '%http://%' OR LOWER(m.content) LIKE '%https://%'"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.drop_index(f"ix_{INDEX}_has_link", table_name=INDEX)
    op.drop_column(INDEX, "has_link")
