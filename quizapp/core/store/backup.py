"""Copies of the score database kept before anything is lost: before a schema
migration, and before a learner is deleted.

Both land next to the database with a UTC time stamp in their names, are private
(0600) and never replace an existing file.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from quizapp.core import files
from quizapp.core.store.errors import StoreError
from quizapp.core.store.private_files import (
    create_private_file,
    file_stamp,
    reason,
    unused_name,
)


def backup_before_migration(
    database: Path, version: int, now: datetime, *, busy_timeout_s: float
) -> Path:
    """Copy the database with the online backup API before migrating it.

    Runs while the caller holds the write lock, through a second connection: the
    backup API refuses a source connection that is itself in a write transaction, and
    under WAL a reader still sees the last committed state.

    Args:
        database: The database file.
        version: Its schema version now, for the backup's name.
        now: The time for the backup's name.
        busy_timeout_s: How long to wait for another process's lock.

    Returns:
        The backup, `quizapp.db.bak-v<version>-<UTC timestamp>`.

    Raises:
        StoreError: The copy cannot be made.
    """
    target = unused_name(database.with_name(f"{database.name}.bak-v{version}-{file_stamp(now)}"))
    try:
        create_private_file(target)
        source = sqlite3.connect(database, timeout=busy_timeout_s, isolation_level=None)
        try:
            copy = sqlite3.connect(target, isolation_level=None)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except (OSError, sqlite3.Error) as error:
        why = reason(error) if isinstance(error, OSError) else str(error)
        raise StoreError(
            f"Cannot back up the score database {database} to {target} before upgrading it: {why}.",
            target,
        ) from error
    return target


def write_deletion_backup(
    database: Path, learner_id: int, document: dict[str, Any], now: datetime
) -> Path:
    """Write a deleted learner's rows as JSON next to the database, before deleting them.

    Args:
        database: The database file.
        learner_id: Whose rows, for the backup's name.
        document: The rows (see `ScoreStore.delete_learner` for the layout).
        now: The time for the backup's name.

    Returns:
        The backup, `quizapp.db.deleted-learner-<id>-<UTC timestamp>.json`.

    Raises:
        StoreError: The backup cannot be written; the message says nothing was deleted,
            which the caller makes true by deleting only after this returns.
    """
    target = unused_name(
        database.with_name(f"{database.name}.deleted-learner-{learner_id}-{file_stamp(now)}.json")
    )

    def dump(handle: TextIO) -> None:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")

    try:
        # replace=False: a backup never overwrites another, even one made in the same
        # second by another process.
        files.write_private_atomic(target, dump, replace=False)
    except OSError as error:
        raise StoreError(
            f"Cannot write the backup {target} before deleting the learner: "
            f"{reason(error)}. Nothing was deleted.",
            target,
        ) from error
    return target
