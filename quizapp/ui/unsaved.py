"""Writes not saved yet, as the quiz and flashcard screens show and settle them.

Both screens send every answer or rating through the core's `PendingWrites` (saved, or
kept in order and retried). What a person sees of that is the same on both: a banner
counting what is not saved yet, quiet retries, and — when leaving with something unsaved —
a choice between trying again, keeping it for the next start, or leaving without it. This
base class holds that once; a screen names what it counts and how it closes.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.screen import Screen
from textual.widgets import Static

from quizapp.core.pending import PendingWrites, WriteKind
from quizapp.ui.dialogs.records import UnsavedModal
from quizapp.ui.format import counted
from quizapp.ui.writer import SerialWriter

ResultType = TypeVar("ResultType")


class UnsavedWritesScreen(Screen[ResultType]):
    """A screen whose writes go through `pending` on its ordered `writer`."""

    UNSAVED_KINDS: ClassVar[tuple[WriteKind, ...]]
    """The pending kinds this screen counts as its own (e.g. ("answer", "finish"))."""
    UNSAVED_NOUN: ClassVar[str]
    """What the person calls one of them ("answer", "rating")."""
    UNSAVED_BANNER: ClassVar[str]
    """The id of the `Static` that shows the count."""

    pending: PendingWrites
    """The app's pending writes (set by the screen when it mounts)."""
    writer: SerialWriter
    """The screen's ordered background writer."""

    def on_unmount(self) -> None:
        # The writes queued so far still run; then the writer's thread ends.
        self.writer.close()

    def action_leave(self) -> None:
        """Leave the screen, asking first when writes are not saved yet."""
        raise NotImplementedError

    def close_after_leaving(self) -> None:
        """Close the screen once its writes are settled (saved, kept or dropped)."""
        raise NotImplementedError

    def unsaved_count(self) -> int:
        """How many of this screen's writes are not saved yet."""
        return sum(self.pending.unsaved_of(kind) for kind in self.UNSAVED_KINDS)

    def _show_unsaved(self) -> None:
        """Show how many writes are not saved yet (hidden when all are)."""
        unsaved = self.unsaved_count()
        banner = self.query_one(f"#{self.UNSAVED_BANNER}", Static)
        banner.display = unsaved > 0
        if unsaved:
            why = f" ({self.pending.last_error})" if self.pending.last_error else ""
            banner.update(
                f"{counted(unsaved, self.UNSAVED_NOUN)} not saved yet{why}. Trying again…"
            )

    def _retry_if_due(self) -> None:
        if self.pending.retry_due():
            self.writer.submit(self._retry)

    def _retry(self) -> None:
        self.pending.retry()
        self.app.call_from_thread(self._show_unsaved)

    def _retry_now(self) -> None:
        self.pending.retry(force=True)
        self.app.call_from_thread(self._show_unsaved)

    def ask_about_unsaved(self, unsaved: int, saved: int | None) -> None:
        """Leaving with unsaved writes: try again, keep them for later, or leave without them.

        Args:
            unsaved: How many are not saved yet.
            saved: How many of this session the store holds (None: not known).
        """

        def chosen(choice: str | None) -> None:
            if choice == "retry":
                self.writer.submit(self._retry_now)
                self.action_leave()
            elif choice == "keep":
                self.writer.submit(self._keep_for_later)
            elif choice == "drop":
                dropped = len(self.pending.drop_all())
                self.notify(
                    f"Left without {counted(dropped, self.UNSAVED_NOUN)} that could not be saved.",
                    severity="warning",
                    timeout=6,
                    markup=False,
                )
                self.close_after_leaving()

        self.app.push_screen(
            UnsavedModal(unsaved, saved, self.pending.last_error, self.UNSAVED_NOUN),
            callback=chosen,
        )

    def _keep_for_later(self) -> None:
        """On the writer thread: keep what is unsaved in the pending file, then close."""
        unsaved = self.pending.unsaved
        try:
            kept = self.pending.keep_for_later()
        except OSError as error:
            why = error.strerror or str(error) or type(error).__name__
            self.app.call_from_thread(
                self.notify,
                f"Could not keep them either ({why}). They are still here: try again, or"
                " free some space.",
                severity="error",
                markup=False,
            )
            return
        self.app.call_from_thread(
            self.notify,
            f"Kept {counted(unsaved, self.UNSAVED_NOUN)} in {kept};"
            " they are saved when quizapp next starts.",
            timeout=8,
            markup=False,
        )
        self.app.call_from_thread(self.close_after_leaving)
