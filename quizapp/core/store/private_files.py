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

from quizapp.core import files, paths
from quizapp.core.store.errors import StoreError

DIR_MODE = 0o700
FILE_MODE = 0o600


def reason(error: OSError) -> str:
    """The operating system's words for `error` ("Permission denied"), for messages."""
    return error.strerror or str(error)


def file_stamp(moment: datetime) -> str:
    """A compact UTC stamp for file names, e.g. `20250301T093000Z`."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ensure_folder(folder: Path) -> list[str]:
    """Create the data folder, and any folder above it, 0700 when missing; tighten it
    when it exists but others may read it.

    Returns:
        One-line notices for the user about permissions tightened (may be empty).

    Raises:
        StoreError: It cannot be created, or exists and is not a folder.
    """
    hint = f"choose another folder with --data-dir or ${paths.DATA_DIR_ENV}"
    try:
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"The data folder {folder} is not a folder ({hint}).", folder)
        files.make_private_folders(folder)
    except OSError as error:
        raise StoreError(
            f"Cannot create the data folder {folder}: {reason(error)} ({hint}).", folder
        ) from error
    if folder.resolve() == Path.home().resolve():
        return []  # the home folder is the user's, whatever they keep in it
    try:
        notice = files.tighten(folder, DIR_MODE)
    except OSError:
        return []  # not ours to change (another owner); the file itself is still checked
    return [] if notice is None else [notice]


def tighten_private_file(path: Path) -> str | None:
    """Make an existing data file 0600 if others may read it; a notice when changed.

    A mode that cannot be changed (another user owns the file, say) is reported in the
    notice rather than refused: the scores are no less exposed for not being opened.
    """
    try:
        return files.tighten(path, FILE_MODE)
    except FileNotFoundError:
        return None
    except OSError as error:
        return (
            f"{path} can be read by other users and could not be made private:"
            f" {reason(error)}. Ask its owner to run: chmod 600 {path}"
        )


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
