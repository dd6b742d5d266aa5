"""Ordered background writes to the store."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from textual.dom import DOMNode

THREAD_NAME = "quizapp-store-writer"
"""The name of a writer thread while it has writes to run (the command line waits for
these after the app ends, the tests before they read the store)."""

IDLE_THREAD_NAME = "quizapp-store-writer (idle)"
"""The name of a writer thread waiting for the next write (nothing of it to wait for)."""

IDLE_EXIT_S = 60.0
"""How long a writer thread waits for the next write before it ends by itself (a safety
net: the screen's `close` ends it when the screen closes)."""


class SerialWriter:
    """Runs blocking writes on a background thread, one at a time and in the order submitted.

    Order matters (an answer must not be written before its attempt exists, an undo not
    before the review it undoes), and the UI must never wait on SQLite. One thread runs
    the writes and then waits for the next one, so a later write only queues the job and
    wakes it: starting a thread per write made the UI thread wait for the new thread to
    be scheduled (`Thread.start` blocks until it runs), between the Enter key and the
    feedback. The thread ends as soon as its queue is empty after `close` (the screen
    closed; Textual closes every screen when the app exits), or after `IDLE_EXIT_S` idle,
    so quitting never hangs on an idle writer. While it waits it is named
    `IDLE_THREAD_NAME`, so a thread named `THREAD_NAME` always has writes to finish.

    A plain non-daemon thread, not a Textual worker, on purpose: Textual cancels a
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
        self._jobs: deque[Callable[[], object]] = deque()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        """The thread running the queue, if any (set and cleared under `_changed`)."""
        self._closed = False

    def submit(self, job: Callable[[], object], *, wake: bool = True) -> None:
        """Queue a write; it runs after every write submitted before it (its result is
        ignored: a write that must hand something back stores it where it is needed).

        Args:
            job: The write.
            wake: Start it now. False leaves it queued until `wake` (or the next write,
                or `close`): a screen about to draw the answer's frame wakes the writer
                after that frame, so the write's Python work does not compete with the
                frame for the GIL. The write is queued either way, so it is run even if
                the app quits before then.
        """
        with self._changed:
            self._jobs.append(job)
            if wake:
                self._wake()

    def wake(self) -> None:
        """Run the writes queued with `wake=False` (and any others) now."""
        with self._changed:
            if self._jobs:
                self._wake()

    def _wake(self) -> None:
        # Called holding `_changed`.
        if self._thread is not None:
            self._thread.name = THREAD_NAME
            self._changed.notify()
            return
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=False)
        self._thread.start()

    def close(self) -> None:
        """No more writes expected: the writes queued so far run (held ones included),
        then the thread ends (a write submitted later still runs, on a new thread)."""
        with self._changed:
            self._closed = True
            if self._jobs:
                self._wake()
            else:
                self._changed.notify()

    def _run(self) -> None:
        thread = threading.current_thread()
        while True:
            with self._changed:
                if not self._jobs and not self._closed:
                    thread.name = IDLE_THREAD_NAME
                    self._changed.wait(IDLE_EXIT_S)
                if not self._jobs:
                    self._thread = None
                    return
                thread.name = THREAD_NAME
                job = self._jobs.popleft()
            try:
                job()
            except Exception as exc:  # report, and keep later writes going
                self._report(exc)

    def _report(self, error: Exception) -> None:
        try:
            self._owner.app.call_from_thread(self._on_error, error)
        except Exception:  # the app has already closed; nothing is left to tell
            pass
