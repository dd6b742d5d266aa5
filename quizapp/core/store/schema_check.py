"""Checking a score database's tables, indexes, triggers and columns against the schema.

`PRAGMA quick_check` finds damaged pages, but a file whose table was dropped is a
perfectly healthy database: it passes, keeps its `user_version`, and then fails on the
first query that needs the missing table (`no such table: answers`), or, with a
trigger gone, quietly lets the counts drift. So on open the store also compares the
file with what its schema version should hold.

The expectation is never written out by hand, so it cannot drift from the code: it is
built by running the real migrations (`schema.MIGRATIONS`) in an in-memory database and
reading back `sqlite_master`, `PRAGMA table_info` and `PRAGMA index_info`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache

from quizapp.core.store.schema import MIGRATIONS

_KINDS = ("table", "index", "trigger")


@dataclass(frozen=True)
class SchemaObject:
    """One table, index or trigger as the file holds it.

    Attributes:
        kind: "table", "index" or "trigger".
        name: Its name.
        table: The table it belongs to (its own name for a table).
        detail: What must match: a table's columns (name, type, not null, primary key
            position), an index's columns, a trigger's SQL with spaces normalised.
    """

    kind: str
    name: str
    table: str
    detail: tuple[object, ...]


def read_schema(conn: sqlite3.Connection) -> dict[tuple[str, str], SchemaObject]:
    """Every table, index and trigger quizapp could have made, keyed by (kind, name).

    SQLite's own objects (`sqlite_*`, automatic indexes) are left out.
    """
    found: dict[tuple[str, str], SchemaObject] = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name, table, sql in (tuple(row) for row in rows):
        detail: tuple[object, ...]
        if kind == "table":
            detail = tuple(
                (info[1], str(info[2]).upper(), int(info[3]), int(info[5]))
                for info in conn.execute(f"PRAGMA table_info({_quoted(name)})").fetchall()
            )
        elif kind == "index":
            detail = tuple(
                info[2] for info in conn.execute(f"PRAGMA index_info({_quoted(name)})").fetchall()
            )
        else:
            detail = (" ".join(str(sql or "").split()),)
        found[(kind, name)] = SchemaObject(kind, name, table, detail)
    return found


@lru_cache(maxsize=8)
def expected_schema(version: int) -> dict[tuple[str, str], SchemaObject]:
    """What a quizapp database at schema `version` holds, built by running the migrations.

    Args:
        version: A schema version, 0 to `len(MIGRATIONS)`.
    """
    conn = sqlite3.connect(":memory:")
    try:
        for step in MIGRATIONS[:version]:
            for statement in step:
                conn.execute(statement)
        return read_schema(conn)
    finally:
        conn.close()


def schema_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """What is missing or different in the file, compared with schema `version`.

    Objects the file has beyond the expected ones are not problems: a tool or a later
    quizapp may add its own.

    Args:
        conn: An open connection to the file (read-only is enough).
        version: The file's schema version (`PRAGMA user_version`).

    Returns:
        One phrase per problem ("table answers is missing"); empty when all is there.
    """
    found = read_schema(conn)
    problems: list[str] = []
    for key, expected in sorted(expected_schema(version).items()):
        actual = found.get(key)
        kind, name = key
        if actual is None:
            problems.append(f"{kind} {name} is missing")
        elif kind == "table":
            have = {column[0]: column for column in actual.detail}  # type: ignore[index]
            for column in expected.detail:
                column_name = column[0]  # type: ignore[index]
                if column_name not in have:
                    problems.append(f"column {name}.{column_name} is missing")
                elif have[column_name] != column:
                    problems.append(f"column {name}.{column_name} has changed")
        elif actual.detail != expected.detail or actual.table != expected.table:
            problems.append(f"{kind} {name} has changed")
    return problems


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
