"""The files and folders around the score database: created private, named without clashes.

Scores reveal which medicine a person takes, so the database, its backups and the
damaged files moved aside are all 0600 in a 0700 folder. Files placed next to the
database (backups, moved-aside copies) get a UTC time stamp and never replace an
existing file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from quizapp.core import paths
from quizapp.core.store.errors import StoreError

DIR_MODE = 0o700
FILE_MODE = 0o600


def reason(error: OSError) -> str:
    """The operating system's words for `error` ("Permission denied"), for messages."""
    return error.strerror or str(error)


def file_stamp(moment: datetime) -> str:
    """A compact UTC stamp for file names, e.g. `20250301T093000Z`."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ensure_folder(folder: Path) -> None:
    """Create the data folder (0700) when missing.

    Raises:
        StoreError: It cannot be created, or exists and is not a folder.
    """
    hint = f"choose another folder with --data-dir or ${paths.DATA_DIR_ENV}"
    try:
        created = not folder.exists()
        if created:
            folder.mkdir(parents=True, exist_ok=True)
            # Only our own new folder is tightened; an existing one is the user's choice.
            os.chmod(folder, DIR_MODE)
        elif not folder.is_dir():
            raise StoreError(f"The data folder {folder} is not a folder ({hint}).", folder)
    except OSError as error:
        raise StoreError(
            f"Cannot create the data folder {folder}: {reason(error)} ({hint}).", folder
        ) from error


def create_private_file(path: Path) -> bool:
    """Create `path` empty with mode 0600 unless it exists; True if this call created it.

    Raises:
        OSError: The file cannot be created.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        # The mode given to os.open is filtered by the umask; make it exact.
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def unused_name(base: Path) -> Path:
    """`base`, or `base-2`, `base-3`... whichever does not exist yet."""
    candidate, n = base, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate
