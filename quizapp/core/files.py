"""Writing files that hold personal data: private (0600) and atomic.

The one place that writes such files, so that settings, exports, reports and the
score store's backups all get the same guarantees: readable by the owner only, never
half-written, and on disk (file and folder entry) before the caller says "saved".
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, TypeVar, cast

T = TypeVar("T")

# Folders on some file systems cannot be opened for fsync; there the rename is as
# durable as that file system makes it, and refusing to save would help nobody.
_FOLDER_SYNC_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EISDIR})


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, so a rename into it survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as error:
        if error.errno in _FOLDER_SYNC_UNSUPPORTED or error.errno == errno.EACCES:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in _FOLDER_SYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def write_private_atomic(path: Path, write: Callable[[TextIO], T], *, replace: bool = True) -> T:
    """Write a text file readable by its owner only, so that it is never half-written.

    Scores, exports, reports and settings reveal which medicine a person takes, so they
    are 0600 (mkstemp creates the file so, and the rename keeps it). The text goes to a
    temporary file next to `path`, is flushed to disk, and is renamed over `path` only
    when complete: a crash leaves the old file or the new one, never a mix. The folder
    is then flushed too, so the new name is on disk when this returns.

    Args:
        path: The file to write; its folder must exist.
        write: Writes the content to the open file; its return value is passed back.
        replace: Replace `path` if it exists. When False, an existing `path` is left
            untouched and FileExistsError is raised (for backups, which must never
            overwrite another backup).

    Returns:
        What `write` returned.

    Raises:
        FileExistsError: `replace` is False and `path` exists.
        OSError: The file cannot be written.
    """
    return _write_atomic(
        path, binary=False, replace=replace, write=cast(Callable[[IO[Any]], T], write)
    )


def write_private_atomic_bytes(path: Path, write: Callable[[BinaryIO], T]) -> T:
    """Like `write_private_atomic`, for a binary file (an Anki package, a zip).

    Args:
        path: The file to write (replaced if it exists); its folder must exist.
        write: Writes the content to the open binary file; its return value is passed back.

    Returns:
        What `write` returned.

    Raises:
        OSError: The file cannot be written.
    """
    return _write_atomic(path, binary=True, replace=True, write=cast(Callable[[IO[Any]], T], write))


def _write_atomic(path: Path, *, binary: bool, replace: bool, write: Callable[[IO[Any]], T]) -> T:
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if binary:
            handle: IO[Any] = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temp_name, path)
        else:
            # A hard link fails if `path` exists, where a rename would replace it; the
            # temporary name is removed below either way.
            os.link(temp_name, path)
    finally:
        Path(temp_name).unlink(missing_ok=True)
    _sync_folder(path.parent)
    return result


def write_private_text(path: Path, text: str, *, replace: bool = True) -> None:
    """Write `text` to `path` with `write_private_atomic` (private, atomic, synced).

    Args:
        path: The file to write; its folder must exist.
        text: The whole content.
        replace: Replace `path` if it exists; when False raise FileExistsError instead.

    Raises:
        FileExistsError: `replace` is False and `path` exists.
        OSError: The file cannot be written.
    """
    write_private_atomic(path, lambda handle: handle.write(text), replace=replace)


PRIVATE_FOLDER_MODE = 0o700
"""Folders that hold personal data: the owner only."""

PRIVATE_FILE_MODE = 0o600
"""Files that hold personal data: the owner only."""


def make_private_folders(folder: Path) -> None:
    """Create `folder` and any missing folder above it, each exactly 0700.

    `mkdir(parents=True)` gives the folders it adds above the last one the default
    mode filtered by the umask (0777 under umask 000), so each is made and set here.
    Folders that already exist are left as they are (see `tighten_private_folder`).

    Raises:
        OSError: A folder cannot be created, or a file is in the way.
    """
    folder = Path(folder)
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_FOLDER_MODE)
        except FileExistsError:
            continue  # made by another process meanwhile; it decides its mode
        # The mode given to mkdir is filtered by the umask; make it exact.
        os.chmod(path, PRIVATE_FOLDER_MODE)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(folder))


def tighten(path: Path, mode: int) -> str | None:
    """Take group and other permissions off `path` if it has any, and say so.

    Args:
        path: A file or folder quizapp keeps personal data in.
        mode: The mode it should have (0600 for files, 0700 for folders).

    Returns:
        A one-line notice for the user when the mode was changed, else None.

    Raises:
        OSError: The mode cannot be read or changed.
    """
    current = os.stat(path).st_mode & 0o777
    if not current & 0o077:
        return None
    os.chmod(path, mode)
    return (
        f"{path} could be read by other users (mode {current:04o}); it is now private ({mode:04o})."
    )
