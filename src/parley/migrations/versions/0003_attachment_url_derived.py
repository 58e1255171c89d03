"""messages.attachment_url is derived from attachment_id, not stored

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 03:20:00.000000

A message's `attachment_url` is `/attachments/{attachment_id}`, so the column only
repeated the id. Rows that carry an upload's path but no id get the id; rows from before
uploads existed, whose attachment_url was any link, keep the link at the end of their
text so nothing a person wrote is lost.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPLOAD = re.compile(r"^/attachments/([1-9][0-9]{0,18})$")


def upgrade() -> None:
    conn = op.get_bind()
    messages = sa.table(
        "messages",
        sa.column("id", sa.BigInteger()),
        sa.column("content", sa.Text()),
        sa.column("attachment_url", sa.String(2048)),
        sa.column("attachment_id", sa.BigInteger()),
    )
    attachments = sa.table("attachments", sa.column("id", sa.BigInteger()))
    stranded = conn.execute(
        sa.select(messages.c.id, messages.c.content, messages.c.attachment_url).where(
            messages.c.attachment_url.is_not(None), messages.c.attachment_id.is_(None)
        )
    ).all()
    known = set(conn.execute(sa.select(attachments.c.id)).scalars()) if stranded else set()
    for message_id, content, url in stranded:
        match = _UPLOAD.match(url)
        if match and int(match.group(1)) in known:
            values = {"attachment_id": int(match.group(1))}
        else:
            values = {"content": f"{content}\n{url}" if content else url}
        conn.execute(sa.update(messages).where(messages.c.id == message_id).values(**values))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("attachment_url")


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_url", sa.String(length=2048), nullable=True))
    messages = sa.table(
        "messages",
        sa.column("attachment_url", sa.String(2048)),
        sa.column("attachment_id", sa.BigInteger()),
    )
    path = sa.literal("/attachments/") + sa.cast(messages.c.attachment_id, sa.String(20))
    op.execute(
        sa.update(messages).where(messages.c.attachment_id.is_not(None)).values(attachment_url=path)
    )
