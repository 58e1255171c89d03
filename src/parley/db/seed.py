"""Load an SQL file (the demo fixtures) statement by statement, in one transaction."""

import sqlparse

from parley.db.database import create_engine


def split_statements(sql: str) -> list[str]:
    return [
        s.strip().rstrip(";")
        for s in sqlparse.split(sql)
        if sqlparse.format(s, strip_comments=True).strip()
    ]


async def load_sql(database_url: str, sql: str) -> int:
    statements = split_statements(sql)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()
    return len(statements)
