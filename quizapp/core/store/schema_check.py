"""Checking a score database's tables, indexes, triggers and columns against the schema.

`PRAGMA quick_check` finds damaged pages, but a file whose table was dropped is a
perfectly healthy database: it passes, keeps its `user_version`, and then fails on the
first query that needs the missing table (`no such table: answers`), or, with a
trigger gone, quietly lets the counts drift. So on open the store also compares the
file with what its schema version should hold.

The expectation is never written out by hand, so it cannot drift from the code: it is
built by running the real migrations (`schema.MIGRATIONS`) in an in-memory database and
reading back `sqlite_master`, `PRAGMA table_info` and `PRAGMA index_info`.

Building it takes longer than every other step of opening the store together (about
7 ms, at every start), so the result is kept in the user cache folder, in a file named
after a hash of everything it depends on: the migrations' SQL, the schema version, the
SQLite library's version and this module's format. Any change makes a new name, and a
missing or unreadable file is simply built again. A kept expectation is only trusted to
say a file is **healthy**: when it finds problems, the expectation is built afresh and
the file judged against that, so a bad cache file can never get a good database moved
aside as damaged.
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from quizapp.core.digest import blake2b
from quizapp.core.store.schema import MIGRATIONS

KEPT_FORMAT = 1
"""Bump when what `read_schema` reports, or how it is kept, changes."""

_KINDS = ("table", "index", "trigger")


class SchemaObject(NamedTuple):
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
    # Three queries, whatever the number of tables: the table-valued forms of
    # `PRAGMA table_info` and `PRAGMA index_info` read every table's columns (and every
    # index's) at once. One PRAGMA per object was most of the time `open` took.
    objects = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    details: dict[tuple[str, str], list[object]] = {}
    for name, column, declared, not_null, key in conn.execute(
        'SELECT m.name, c.name, c.type, c."notnull", c.pk'
        " FROM sqlite_master AS m, pragma_table_info(m.name) AS c"
        " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid"
    ):
        details.setdefault(("table", name), []).append(
            (column, str(declared).upper(), int(not_null), int(key))
        )
    for name, column in conn.execute(
        "SELECT m.name, c.name FROM sqlite_master AS m, pragma_index_info(m.name) AS c"
        " WHERE m.type = 'index' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.seqno"
    ):
        details.setdefault(("index", name), []).append(column)
    found: dict[tuple[str, str], SchemaObject] = {}
    for kind, name, table, sql in (tuple(row) for row in objects):
        detail: tuple[object, ...]
        if kind == "trigger":
            detail = (" ".join(str(sql or "").split()),)
        else:
            detail = tuple(details.get((kind, name), ()))
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


def kept_expectation_path(version: int) -> Path:
    """The file the expectation for `version` is kept in (whether or not it exists)."""
    from quizapp.core import paths

    source = json.dumps(
        [KEPT_FORMAT, version, sqlite3.sqlite_version, [list(step) for step in MIGRATIONS]]
    )
    digest = blake2b(source.encode("utf-8"), digest_size=16).hexdigest()
    return paths.cache_dir() / "store-schema" / f"{digest}.json"


@lru_cache(maxsize=8)
def kept_schema(version: int) -> dict[tuple[str, str], SchemaObject]:
    """`expected_schema(version)`, read from the cache folder when kept there (and kept
    there when not). Only for judging a file healthy: see the module notes."""
    path = kept_expectation_path(version)
    try:
        rows = json.loads(path.read_bytes())
        return {
            (kind, name): SchemaObject(kind, name, table, _tuples(detail))
            for kind, name, table, detail in rows
        }
    except (OSError, ValueError, TypeError, RecursionError):
        pass  # not kept yet, or unreadable: build it (and keep it)
    built = expected_schema(version)
    rows = [[o.kind, o.name, o.table, o.detail] for o in built.values()]
    try:
        from quizapp.core import files

        files.make_private_folders(path.parent)
        files.write_private_text(path, json.dumps(rows))
    except OSError:
        pass  # a read-only cache only makes the next start build it again
    return built


def _tuples(value: object) -> tuple[object, ...]:
    # JSON has lists where `read_schema` has tuples (which the comparison needs).
    if not isinstance(value, list):
        raise TypeError("a schema detail is a list")
    return tuple(_tuples(item) if isinstance(item, list) else item for item in value)


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
    problems = _differences(found, kept_schema(version))
    if problems:
        # Judged against what was kept: confirm against the migrations themselves before
        # calling the file damaged (which moves it aside).
        problems = _differences(found, expected_schema(version))
    return problems


def _differences(
    found: dict[tuple[str, str], SchemaObject], expectation: dict[tuple[str, str], SchemaObject]
) -> list[str]:
    problems: list[str] = []
    for key, expected in sorted(expectation.items()):
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
