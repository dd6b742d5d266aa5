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
