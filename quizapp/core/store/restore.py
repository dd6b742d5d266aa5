"""Going back to a backup of the score database (`quizapp restore BACKUP`).

When `ScoreStore.open` finds the file damaged it moves it aside and starts an empty
one, and names the latest backup (made before a migration) in its message. This puts
that backup back: the backup is checked first (a damaged backup is refused), the
current file is moved aside, never deleted, and the backup is copied in with SQLite's
online backup API into a new private file, which is then opened (and upgraded) as usual.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from quizapp.core.store.errors import StoreError
from quizapp.core.store.private_files import create_private_file, file_stamp, reason, unused_name
from quizapp.core.store.records import utc_now
from quizapp.core.store.schema import SCHEMA_VERSION
from quizapp.core.store.schema_check import schema_problems

_SIDE_FILES = ("-wal", "-shm", "-journal")


def check_backup(backup: Path) -> int:
    """Check that `backup` is a sound quizapp database; return its schema version.

    Raises:
        StoreError: It is missing, unreadable, damaged, incomplete or not quizapp's.
    """
    if not backup.is_file():
        raise StoreError(f"There is no backup file {backup}.", backup)
    try:
        conn = sqlite3.connect(f"file:{quote(str(backup))}?mode=ro", uri=True)
        try:
            checks = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            problems = [check for check in checks if check != "ok"]
            if not problems and 0 < version <= SCHEMA_VERSION:
                problems = schema_problems(conn, version)
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(f"The backup {backup} cannot be read: {error}.", backup) from error
    if not 0 < version <= SCHEMA_VERSION:
        raise StoreError(f"{backup} is not a quizapp score database this version can read.", backup)
    if problems:
        raise StoreError(
            f"The backup {backup} is damaged too ({'; '.join(problems)}); nothing was changed.",
            backup,
        )
    return version


def restore_backup(
    database: Path, backup: Path, now: Callable[[], datetime] | None = None
) -> Path | None:
    """Put `backup` in place of `database`, keeping the current file aside.

    Args:
        database: The score database file.
        backup: A backup of it (`quizapp.db.bak-v<version>-<UTC timestamp>`).
        now: The clock, for the moved-aside file's name.

    Returns:
        Where the current database was moved (`quizapp.db.replaced-<UTC timestamp>`),
        or None when there was none.

    Raises:
        StoreError: The backup is unsound, or a file cannot be moved or written.
    """
    database, backup = Path(database), Path(backup)
    check_backup(backup)
    moment = (now or utc_now)()
    moved: Path | None = None
    try:
        if database.exists():
            moved = unused_name(
                database.with_name(f"{database.name}.replaced-{file_stamp(moment)}")
            )
            os.rename(database, moved)
            for suffix in _SIDE_FILES:
                side = Path(f"{database}{suffix}")
                if side.exists():
                    os.rename(side, Path(f"{moved}{suffix}"))
        create_private_file(database)
        source = sqlite3.connect(f"file:{quote(str(backup))}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(database)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except (OSError, sqlite3.Error) as error:
        why = reason(error) if isinstance(error, OSError) else str(error)
        kept = f" The file that was in place is kept as {moved}." if moved else ""
        raise StoreError(
            f"Cannot restore {backup} to {database}: {why}.{kept}", database
        ) from error
    return moved
