"""Ordered background writes to the store."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from textual.dom import DOMNode


class SerialWriter:
    """Runs blocking writes on background threads, one at a time and in the order submitted.

    Order matters (an answer must not be written before its attempt exists, an undo not
    before the review it undoes), and the UI must never wait on SQLite. Each submission
    starts a short thread that drains the queue under a lock, so no thread outlives its
    jobs and quitting never hangs on an idle writer.

    These are plain non-daemon threads, not Textual workers, on purpose: Textual cancels a
    screen's workers when the app exits, and a worker cancelled before its thread started
    never ran, so an answer given just before quitting was lost. Python waits for
    non-daemon threads at exit, so every submitted write is committed.
    """

    def __init__(self, owner: DOMNode, on_error: Callable[[Exception], None]) -> None:
        """Create a writer.

        Args:
            owner: The screen the writes belong to (errors are reported through its app).
            on_error: Called on the UI thread when a write fails.
        """
        self._owner = owner
        self._on_error = on_error
        self._jobs: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], object]) -> None:
        """Queue a write; it runs after every write submitted before it (its result is
        ignored: a write that must hand something back stores it where it is needed)."""
        self._jobs.put(job)
        threading.Thread(target=self._drain, name="quizapp-store-writer", daemon=False).start()

    def _drain(self) -> None:
        with self._lock:
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    job()
                except Exception as exc:  # report, and keep later writes going
                    self._report(exc)

    def _report(self, error: Exception) -> None:
        try:
            self._owner.app.call_from_thread(self._on_error, error)
        except Exception:  # the app has already closed; nothing is left to tell
            pass
