"""Writing files that hold personal data: private (0600) and atomic."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, TypeVar, cast

T = TypeVar("T")


def write_private_atomic(path: Path, write: Callable[[TextIO], T]) -> T:
    """Write a text file readable by its owner only, so that it is never half-written.

    Scores, exports, reports and settings reveal which medicine a person takes, so they
    are 0600 (mkstemp creates the file so, and the rename keeps it). The text goes to a
    temporary file next to `path`, is flushed to disk, and is renamed over `path` only
    when complete: a crash leaves the old file or the new one, never a mix.

    Args:
        path: The file to write (replaced if it exists); its folder must exist.
        write: Writes the content to the open file; its return value is passed back.

    Returns:
        What `write` returned.

    Raises:
        OSError: The file cannot be written.
    """
    return _write_atomic(path, binary=False, write=cast(Callable[[IO[Any]], T], write))


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
    return _write_atomic(path, binary=True, write=cast(Callable[[IO[Any]], T], write))


def _write_atomic(path: Path, *, binary: bool, write: Callable[[IO[Any]], T]) -> T:
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
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return result
