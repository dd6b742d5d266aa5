"""The score database file: creating it private, checking its health, moving a damaged
file aside, WAL, running migrations, and opening connections.

`Database` is the base of `ScoreStore`: it owns the path and the clock, and every topic
(learners, attempts, reviews, statistics, export) reads and writes through its
`_connect`. Design, and why:

* **One short connection per operation.** Each method opens its own `sqlite3` connection
  and closes it before returning. There is no shared connection to guard, so a store may
  be used from any thread (the UI calls it from thread workers) and from several
  processes at once (two terminals).
* **Every write is its own `BEGIN IMMEDIATE` transaction, committed before the method
  returns.** An answer is on disk when `record_answer` returns, so a crash, a closed
  terminal or `kill -9` loses nothing already answered. Taking the write lock up front
  means a second process waits (busy timeout) instead of failing with "database is
  locked" half-way through a transaction.
* **WAL journal, `synchronous=FULL`, foreign keys on.** SQLite gives the `-wal` and
  `-shm` files the database file's own permissions, so they are private too.
* **Damage is moved aside, never deleted.** A file that is not a database or fails
  `PRAGMA quick_check` is renamed `quizapp.db.corrupt-<UTC timestamp>` and a fresh store
  is started; `recovered_from` tells the caller so it can say where it went.
* **Forward-only migrations** keyed on `PRAGMA user_version`; an existing file is copied
  with SQLite's online backup API to `quizapp.db.bak-v<old>-<UTC timestamp>` first.
* **Rows by column name.** Connections return `sqlite3.Row`, read by name in
  `quizapp.core.store.records`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Self
from urllib.parse import quote

from quizapp.core.store.backup import backup_before_migration
from quizapp.core.store.errors import DiskFullError, StoreDamagedError, StoreError
from quizapp.core.store.private_files import (
    create_private_file,
    ensure_folder,
    file_stamp,
    reason,
    tighten_private_file,
    unused_name,
)
from quizapp.core.store.records import utc_now
from quizapp.core.store.schema import CLAIMS_VERSION, MIGRATIONS, SCHEMA_VERSION
from quizapp.core.store.schema_check import schema_problems

BUSY_TIMEOUT_S = 10.0
"""How long a write waits for another process's transaction before giving up."""

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_READ = 20  # the magic string, then up to the file format versions (bytes 18, 19)
_SIDE_FILES = ("-wal", "-shm", "-journal")
_SCHEMA_GONE = ("no such table", "no such column", "no such index", "no such trigger")

# Error codes that mean the bytes on disk are not a usable database.
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
# Error codes caused by the environment (permissions, disk, locks), not by the caller.
_ENVIRONMENT_CODES = frozenset(
    {
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_AUTH,
    }
)


class Database:
    """One local SQLite file, opened safely; the base every topic of the store builds on.

    Attributes:
        path: The database file.
        recovered_from: When `open` found the file damaged, where it was moved to
            (`quizapp.db.corrupt-<UTC timestamp>`); otherwise None.
        damage: What was wrong with the file moved aside ("table answers is missing").
        backed_up_to: When `open` migrated an older schema, the backup made first
            (`quizapp.db.bak-v<old>-<UTC timestamp>`); otherwise None.
        notices: One-line notices for the user from `open`, such as permissions that
            were tightened; the UI and the CLI show them.
    """

    def __init__(self, path: Path, now: Callable[[], datetime] | None = None) -> None:
        """Bind to a database file without checking it; use `ScoreStore.open` instead.

        Args:
            path: The database file.
            now: The clock; returns timezone-aware datetimes. Defaults to UTC now.
        """
        self.path = Path(path)
        self._now = now or utc_now
        self.recovered_from: Path | None = None
        self.damage: str | None = None
        self.backed_up_to: Path | None = None
        self.notices: list[str] = []
        # The schema version the methods may rely on: below the current one only for
        # old-schema test fixtures built through this code.
        self._version = SCHEMA_VERSION
        # What the health check on open saw: the file's schema version and whether its
        # header says WAL. Both as wanted: `_migrate` has nothing to do (see `_open`).
        self._checked_version: int | None = None
        self._checked_wal = False

    # ----------------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path, *, now: Callable[[], datetime] | None = None) -> Self:
        """Open the score database, creating, repairing and upgrading it as needed.

        Creates the parent folder (0700) and the file (0600) when missing, moves a damaged
        file aside and starts fresh (see `recovered_from`), and migrates an older schema
        after backing it up (see `backed_up_to`).

        Args:
            path: The database file, usually `paths.db_path(paths.data_dir())`.
            now: The clock, for tests; returns timezone-aware datetimes.

        Returns:
            A ready store.

        Raises:
            StoreError: The folder or file cannot be created, read or written, or the file
                was written by a newer quizapp or another program.
        """
        return cls._open(Path(path), now=now, target_version=SCHEMA_VERSION)

    @classmethod
    def _open(cls, path: Path, *, now: Callable[[], datetime] | None, target_version: int) -> Self:
        # `target_version` below the current one exists only to build old-schema fixtures
        # through the real migration code.
        store = cls(path, now)
        store._version = target_version
        store.notices.extend(ensure_folder(path.parent))
        if path.is_dir():
            raise StoreError(f"The score database {path} is a folder, not a file.", path)
        store._create_file()
        # Scores reveal which medicine a person takes: an existing file (and the WAL
        # files SQLite copies its mode to) made readable by others is made private.
        for file in (path, *(Path(f"{path}{suffix}") for suffix in _SIDE_FILES)):
            notice = tighten_private_file(file)
            if notice is not None:
                store.notices.append(notice)
        store._recover_if_damaged()
        if store._checked_version != target_version or not store._checked_wal:
            # A new, older or recovered file, or one not yet in WAL mode. Otherwise
            # `_migrate` would only open another connection to find nothing to do
            # (about 1 ms of every start).
            store._migrate(target_version)
        return store

    def _create_file(self) -> None:
        try:
            create_private_file(self.path)
        except OSError as error:
            raise StoreError(
                f"Cannot create the score database {self.path}: {reason(error)}.", self.path
            ) from error

    @property
    def recovery_message(self) -> str | None:
        """A sentence for the user when `open` moved a damaged file aside, else None."""
        if self.recovered_from is None:
            return None
        what = f" ({self.damage})" if self.damage else ""
        message = (
            f"The score database {self.path} was damaged{what} and could not be used. "
            f"It was moved to {self.recovered_from} (nothing was deleted) "
            "and a new, empty one was started."
        )
        backup = self.latest_backup()
        if backup is not None:
            message += (
                f" The latest backup is {backup}; to go back to it, close quizapp and run:"
                f" quizapp restore {backup}"
            )
        return message

    def latest_backup(self) -> Path | None:
        """The newest backup of the database kept next to it (made before a migration).

        Returns:
            `quizapp.db.bak-v<version>-<UTC timestamp>`, newest by time stamp, or None.
        """
        candidates = [
            found
            for found in self.path.parent.glob(f"{self.path.name}.bak-v*")
            if found.is_file() and not found.name.endswith(_SIDE_FILES)
        ]
        if not candidates:
            return None
        # The name's time stamp, not the file's time: copying a folder resets file times.
        return max(candidates, key=lambda found: (found.name.rsplit("-", 1)[-1], found.name))

    def _damage(self) -> str | None:
        """Why the file is unusable, or None when it is a healthy (or empty) database."""
        self._checked_version, self._checked_wal = None, False
        try:
            with open(self.path, "rb") as handle:
                header = handle.read(_HEADER_READ)
        except OSError as error:
            raise StoreError(
                f"Cannot read the score database {self.path}: {reason(error)}.", self.path
            ) from error
        if not header:
            return None
        # Judged from the raw bytes, not through SQLite, which would delete a WAL file next
        # to a non-database and so destroy part of what we promise to keep. A database's
        # first 16 bytes are written once, with its first page, and never change after.
        if header[: len(_SQLITE_MAGIC)] != _SQLITE_MAGIC:
            return "not a SQLite database"
        # Header bytes 18 and 19 (file format write and read versions) are 2 in WAL mode.
        self._checked_wal = header[18:20] == b"\x02\x02"
        try:
            # Read-only: a read-write connection checkpoints the WAL into the file when it
            # closes, which would alter a damaged file before it is moved aside.
            problems = self._check(readonly=True)
        except StoreDamagedError as error:
            return str(error.__cause__)
        except StoreError:
            # Some set-ups refuse read-only WAL access (no shared memory file yet, say);
            # a normal connection can still judge the file.
            try:
                problems = self._check(readonly=False)
            except StoreDamagedError as error:
                return str(error.__cause__)
        return "; ".join(problems) if problems else None

    def _check(self, *, readonly: bool) -> list[str]:
        """Damaged pages (`quick_check`), then missing tables, indexes, triggers, columns."""
        with self._connect(readonly=readonly) as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            problems = [row["quick_check"] for row in rows if row["quick_check"] != "ok"]
            if problems:
                return problems
            version = user_version(conn)
            # Version 0 is a new file (or another program's, refused by `_migrate`); a
            # newer version is refused by `_migrate` too, with its own message.
            if 0 < version <= SCHEMA_VERSION:
                try:
                    problems = schema_problems(conn, version)
                except sqlite3.DatabaseError as error:
                    # A table SQLite cannot even describe (a full-text index whose shadow
                    # table is gone: "vtable constructor failed") is damage as well.
                    return [f"its tables cannot be read ({error})"]
                if not problems:
                    self._checked_version = version
                return problems
            return []

    def _recover_if_damaged(self) -> None:
        # Bounded: another process may be recovering the same file at the same moment.
        for _ in range(3):
            try:
                before = os.stat(self.path)
            except FileNotFoundError:
                self._create_file()
                continue
            damage = self._damage()
            if damage is None:
                return
            self.damage = damage
            moved = self._move_aside(before)
            if moved is not None:
                self.recovered_from = moved
            self._create_file()

    def _move_aside(self, seen: os.stat_result) -> Path | None:
        target = unused_name(
            self.path.with_name(f"{self.path.name}.corrupt-{file_stamp(self._now())}")
        )
        try:
            current = os.stat(self.path)
            if (current.st_dev, current.st_ino) != (seen.st_dev, seen.st_ino):
                # Another process already moved the damaged file and started a new one.
                return None
            os.rename(self.path, target)
            # A leftover WAL would be replayed into the fresh database; it belongs with
            # the damaged file.
            for suffix in _SIDE_FILES:
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.rename(side, Path(f"{target}{suffix}"))
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(
                f"The score database {self.path} is damaged and could not be moved aside:"
                f" {reason(error)}.",
                self.path,
            ) from error
        return target

    def _migrate(self, target_version: int) -> None:
        with self._connect() as conn:
            self._use_wal(conn)
            if user_version(conn) == target_version:
                return
            conn.execute("BEGIN IMMEDIATE")
            # Read again under the write lock: another process may have just migrated.
            version = user_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The score database {self.path} was written by a newer quizapp "
                    f"(schema version {version}; this one reads up to {SCHEMA_VERSION}). "
                    "Update quizapp, or choose another folder with --data-dir.",
                    self.path,
                )
            if version == 0:
                tables = {
                    row["name"]
                    for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                if tables:  # version 0 with tables: not something quizapp ever wrote
                    raise StoreError(
                        f"{self.path} is a SQLite database from another program, not a "
                        "quizapp score database. Move it, or choose another folder with "
                        "--data-dir.",
                        self.path,
                    )
            elif version < target_version:
                self.backed_up_to = backup_before_migration(
                    self.path, version, self._now(), busy_timeout_s=BUSY_TIMEOUT_S
                )
            for step in range(version, target_version):
                for statement in MIGRATIONS[step]:
                    conn.execute(statement)
            if version < target_version:
                conn.execute(f"PRAGMA user_version = {int(target_version)}")
            conn.execute("COMMIT")

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL; persistent, so done once here, not per connection.

        Switching a new file needs an exclusive lock, and SQLite reports "locked" at once,
        without waiting, when another process opening the same new file holds a lock (it
        cannot wait there without risking a deadlock). So retry, within the busy timeout.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
                return
            except sqlite3.OperationalError as error:
                code = getattr(error, "sqlite_errorcode", 0) & 0xFF
                if code not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    # ----------------------------------------------------------------------- connections

    @contextmanager
    def _connect(
        self, *, write: bool = False, readonly: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """A fresh connection, closed on exit.

        Args:
            write: Run the body as one `BEGIN IMMEDIATE` transaction, committed on exit.
            readonly: Open the file read-only (for the health check).
        """
        target = f"file:{quote(str(self.path))}?mode=ro" if readonly else str(self.path)
        try:
            conn = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=readonly
            )
        except sqlite3.Error as error:
            translated = self._translate(error)
            if translated is None:
                raise
            raise translated from error
        # Rows are read by column name (see records.py), never by position.
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            # FULL: a commit survives power loss too, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")
            if write:
                conn.execute("BEGIN IMMEDIATE")
            yield conn
            if write:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            rollback(conn)
            translated = self._translate(error)
            if translated is None:
                raise
            raise translated from error
        except BaseException:
            rollback(conn)
            raise
        finally:
            conn.close()

    def _translate(self, error: sqlite3.Error) -> StoreError | None:
        code = getattr(error, "sqlite_errorcode", None)
        if code is None:
            return None
        primary = code & 0xFF
        if primary in _DAMAGE_CODES:
            return StoreDamagedError(
                f"The score database {self.path} is damaged ({error}). "
                "Restart quizapp to move it aside and start a new one.",
                self.path,
            )
        if primary in _ENVIRONMENT_CODES:
            return self._environment_error(primary, error)
        if primary == sqlite3.SQLITE_ERROR and str(error).startswith(_SCHEMA_GONE):
            # The open-time schema check passed, so something changed the file since.
            return StoreDamagedError(
                f"The score database {self.path} is damaged ({error}). "
                "Restart quizapp to move it aside and start a new one.",
                self.path,
            )
        return None

    def _environment_error(self, primary: int, error: sqlite3.Error) -> StoreError:
        """A message that names the cause and what to do, for a write refused by the system."""
        detail = str(error) or type(error).__name__
        if primary == sqlite3.SQLITE_FULL or (
            primary == sqlite3.SQLITE_IOERR and disk_nearly_full(self.path.parent)
        ):
            # SQLite reports a full disk as SQLITE_FULL, or, when the WAL index or the
            # journal could not grow, as a plain "disk I/O error".
            return DiskFullError(
                f"The disk is full, so the score database {self.path} could not be"
                " written. Free some space on that disk (empty the trash, remove files you"
                " no longer need), then try again. Everything saved before is still there.",
                self.path,
            )
        if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
            return StoreError(
                f"The score database {self.path} is read-only ({detail}), so nothing can be"
                " saved. Check that you may write to the file and its folder, or choose"
                " another folder with --data-dir.",
                self.path,
            )
        if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return StoreError(
                f"The score database {self.path} is busy: another program or window kept it"
                f" locked for more than {BUSY_TIMEOUT_S:g} seconds ({detail}). Try again in a"
                " moment.",
                self.path,
            )
        return StoreError(f"Cannot use the score database {self.path}: {detail}.", self.path)

    @property
    def has_claims(self) -> bool:
        """Whether the file has the claim columns (schema version 4 and later)."""
        return self._version >= CLAIMS_VERSION

    def schema_version(self) -> int:
        """The file's schema version (`PRAGMA user_version`)."""
        with self._connect() as conn:
            return user_version(conn)


DISK_NEARLY_FULL_BYTES = 1 << 20
"""Below this much free space, a write error is taken for a full disk."""


def disk_nearly_full(folder: Path) -> bool:
    """Whether the disk holding `folder` has (almost) no space left for this user."""
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    return stats.f_bavail * stats.f_frsize < DISK_NEARLY_FULL_BYTES


def user_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (`PRAGMA user_version`) through an open connection."""
    # fetchall, not fetchone: a statement left un-finished would keep holding its lock.
    return int(conn.execute("PRAGMA user_version").fetchall()[0]["user_version"])


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back an open transaction, if any, before the connection is closed."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is being closed anyway, which also rolls back
