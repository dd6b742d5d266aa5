"""Ordered background writes to the store."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from textual.dom import DOMNode


class SerialWriter:
    """Runs blocking writes in thread workers, one at a time and in the order submitted.

    Order matters (an answer must not be written before its attempt exists, an undo not
    before the review it undoes), and the UI must never wait on SQLite. Each submission
    starts a short worker that drains the queue under a lock, so no thread outlives its
    jobs and quitting never hangs on an idle writer.
    """

    def __init__(self, owner: DOMNode, on_error: Callable[[Exception], None]) -> None:
        """Create a writer.

        Args:
            owner: The widget or screen whose workers run the writes.
            on_error: Called on the UI thread when a write fails.
        """
        self._owner = owner
        self._on_error = on_error
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        """Queue a write; it runs after every write submitted before it."""
        self._jobs.put(job)
        self._owner.run_worker(self._drain, thread=True, group="store-writes", exit_on_error=False)

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
                    self._owner.app.call_from_thread(self._on_error, exc)
