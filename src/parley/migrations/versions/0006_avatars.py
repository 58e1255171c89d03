"""users.avatar_key: the stored avatar's random name, NULL when the user has none

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("avatar_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite that copies users to a new table and drops the old one,
    # and dropping it would cascade-delete every row that references a user. SQLite
    # (3.35+) and MariaDB both drop a column in place.
    op.execute("ALTER TABLE users DROP COLUMN avatar_key")
