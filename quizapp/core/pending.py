"""Writes the store could not take yet: kept in order, retried with back-off, never lost
silently.

A learner's answer that cannot be saved (read-only file, full disk, a lock held by
another program) used to be reported once and then forgotten, while the screen went on
to say "Saved N answers". `PendingWrites` keeps every failed answer, flashcard rating,
undo and finish in the order given, retries them (oldest first, waiting longer after
each failure), and says how many are still unsaved, so the UI can show it and ask
before the learner leaves. What is still unsaved when the app closes can be kept in a
private file next to the database (`keep_for_later`) and is written on the next start
(`replay_kept`).

Outcomes, per write:

* **saved**: the store committed it (and returned its id);
* **pending**: the store could not take it now (a `StoreError` about the file, disk or
  lock, or an `OSError`); it stays queued, and later writes queue behind it so order is
  kept;
* **refused**: the store will never take it (the attempt was finished or discarded, is
  held by another window, the card already has its answer): it is dropped from the
  queue and its reason kept in `refused`, so the UI can say so.

Duplicates: an answer is at most once per card and attempt (the schema's guard), so a
replayed answer that was in fact saved is refused as "already answered", not stored
twice. The file is rewritten after every write it replays, so a crash during replay
repeats at most one rating.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from quizapp.core.files import write_private_atomic
from quizapp.core.paths import pending_path as pending_path
from quizapp.core.store import (
    AnswerRefusedError,
    AttemptClaimedError,
    AttemptClosedError,
    InvalidNameError,
    NameTakenError,
    NotFoundError,
    ScoreStore,
    StoreError,
    from_db_time,
    to_db_time,
)

WriteKind = Literal["start", "answer", "review", "undo", "finish"]

RETRY_DELAYS_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
"""Waits between retries after 1, 2, 3... failures in a row; the last one repeats."""

PENDING_FORMAT = "quizapp-pending-writes"
"""The `format` of a kept-for-later file."""

_TIME_FIELDS = ("due", "reviewed_at")
_REFUSALS = (
    AnswerRefusedError,
    AttemptClaimedError,
    AttemptClosedError,
    NotFoundError,
    InvalidNameError,
    NameTakenError,
    ValueError,
    TypeError,
)


@dataclass
class PendingWrite:
    """One write waiting for the store.

    Attributes:
        key: This queue's number for it, in submission order.
        kind: "answer", "review", "undo" or "finish".
        fields: The store method's arguments, JSON-serialisable (times as text).
    """

    key: int
    kind: WriteKind
    fields: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What became of one submitted write.

    Attributes:
        key: The write's number (pass a review's to `undo`).
        saved: The store committed it.
        row_id: The id the store gave it (answers, reviews), when saved.
        error: Why it is not saved, in the user's words; None when saved.
        refused: The store will never take it (see the module docstring).
    """

    key: int
    saved: bool
    row_id: int | None = None
    error: str | None = None
    refused: bool = False


@dataclass
class Refusal:
    """A write the store refused for good, and why."""

    write: PendingWrite
    reason: str


@dataclass
class PendingWrites:
    """Every write the UI triggers, through one ordered queue with retries.

    Thread-safe: the UI calls it from worker threads; writes run one at a time.

    Attributes:
        store: The score store.
        delays: Waits before the next retry after 1, 2, 3... failures in a row.
        clock: Monotonic seconds, for the back-off.
        refused: Writes dropped because the store refused them, with the reason.
        last_error: The most recent reason a write could not be saved, for the UI.
    """

    store: ScoreStore
    delays: Sequence[float] = RETRY_DELAYS_S
    clock: Callable[[], float] = time.monotonic
    refused: list[Refusal] = field(default_factory=list)
    last_error: str | None = None
    _queue: list[PendingWrite] = field(default_factory=list)
    _ids: dict[int, int] = field(default_factory=dict)
    _refs: dict[str, int] = field(default_factory=dict)
    _next_key: int = 0
    _failures: int = 0
    _next_try: float = 0.0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------------ submitting

    def start(self, ref: str, learner_id: int, **fields: Any) -> Outcome:
        """Start an attempt (`ScoreStore.start_attempt` arguments), or queue it.

        Args:
            ref: A unique name for the attempt until the store gives it an id; answers
                and the finish given before then name their attempt by it.
            learner_id: Who takes it.
            **fields: The rest of `start_attempt`'s arguments, plus `owner`: the window
                that claims it once started.
        """
        return self._submit("start", {"ref": ref, "learner_id": learner_id, **fields})

    def attempt_id_for(self, ref: str) -> int | None:
        """The id of an attempt started through `start`, once the store has it."""
        with self._lock:
            return self._refs.get(ref)

    def answer(self, attempt: int | str, **fields: Any) -> Outcome:
        """Record a quiz answer (`ScoreStore.record_answer` arguments), or queue it.

        Args:
            attempt: The attempt's id, or its `start` ref while its start is unsaved.
            **fields: `record_answer`'s keyword arguments.
        """
        return self._submit("answer", {**_attempt_field(attempt), **fields})

    def review(self, learner_id: int, deck_id: str, card_id: str, **fields: Any) -> Outcome:
        """Record a flashcard rating (`ScoreStore.record_review` arguments), or queue it."""
        for name in _TIME_FIELDS:
            if name in fields and not isinstance(fields[name], str):
                fields[name] = to_db_time(fields[name])
        return self._submit(
            "review", {"learner_id": learner_id, "deck_id": deck_id, "card_id": card_id, **fields}
        )

    def undo(self, review_key: int) -> Outcome:
        """Take back a rating given through `review` (by its outcome's key).

        A rating still queued is simply taken out of the queue: it was never saved, so
        there is nothing to undo in the store.
        """
        with self._lock:
            for index, write in enumerate(self._queue):
                if write.kind == "review" and write.key == review_key:
                    del self._queue[index]
                    return Outcome(key=self._take_key(), saved=True)
            review_id = self._ids.get(review_key)
        if review_id is None:
            return Outcome(
                key=-1, saved=False, refused=True, error="That rating is not known here."
            )
        return self._submit("undo", {"review_id": review_id})

    def finish(
        self, attempt: int | str, score: float, max_score: float, passed: bool | None, **fields: Any
    ) -> Outcome:
        """Mark an attempt finished (`ScoreStore.finish_attempt`), or queue it.

        Args:
            attempt: The attempt's id, or its `start` ref while its start is unsaved.
            score: Points scored.
            max_score: Points available.
            passed: Whether the pass mark was reached (None without one).
            **fields: Further keyword arguments (`owner`).
        """
        return self._submit(
            "finish",
            {
                **_attempt_field(attempt),
                "score": score,
                "max_score": max_score,
                "passed": passed,
                **fields,
            },
        )

    # ------------------------------------------------------------------ state

    @property
    def unsaved(self) -> int:
        """How many writes are still waiting."""
        with self._lock:
            return len(self._queue)

    def unsaved_of(self, kind: WriteKind) -> int:
        """How many writes of one kind ("answer", "review"...) are still waiting."""
        with self._lock:
            return sum(1 for write in self._queue if write.kind == kind)

    def writes(self) -> list[PendingWrite]:
        """A copy of the waiting writes, oldest first."""
        with self._lock:
            return list(self._queue)

    def retry_due(self) -> bool:
        """Whether the back-off since the last failure has passed."""
        with self._lock:
            return bool(self._queue) and self.clock() >= self._next_try

    # ------------------------------------------------------------------ writing

    def retry(self, *, force: bool = False) -> int:
        """Write the waiting writes in order, until one fails again.

        Args:
            force: Try now even if the back-off has not passed (the learner asked).

        Returns:
            How many were saved.
        """
        with self._lock:
            if not self._queue or (not force and self.clock() < self._next_try):
                return 0
            return self._flush()

    def drop_all(self) -> list[PendingWrite]:
        """Forget every waiting write (the learner chose to leave without them)."""
        with self._lock:
            dropped, self._queue = self._queue, []
            return dropped

    def _take_key(self) -> int:
        self._next_key += 1
        return self._next_key

    def _submit(self, kind: WriteKind, fields: dict[str, Any]) -> Outcome:
        with self._lock:
            write = PendingWrite(self._take_key(), kind, fields)
            self._queue.append(write)
            self._flush()
            return self._outcome(write)

    def _outcome(self, write: PendingWrite) -> Outcome:
        if write.key in self._ids:
            return Outcome(key=write.key, saved=True, row_id=self._ids[write.key])
        refusal = next((r for r in self.refused if r.write is write), None)
        if refusal is not None:
            return Outcome(key=write.key, saved=False, error=refusal.reason, refused=True)
        if any(queued is write for queued in self._queue):
            return Outcome(key=write.key, saved=False, error=self.last_error)
        return Outcome(key=write.key, saved=True)  # a "finish" or "undo": no id

    def _flush(self) -> int:
        saved = 0
        while self._queue:
            write = self._queue[0]
            try:
                row_id = self._apply(write)
            except _REFUSALS as error:
                self._queue.pop(0)
                self.refused.append(Refusal(write, str(error) or type(error).__name__))
                continue
            except (StoreError, OSError) as error:
                self._failures += 1
                self.last_error = _words(error)
                delay = self.delays[min(self._failures, len(self.delays)) - 1]
                self._next_try = self.clock() + delay
                return saved
            self._queue.pop(0)
            if row_id is not None:
                self._ids[write.key] = row_id
            saved += 1
            self._failures = 0
            self.last_error = None
        return saved

    def _apply(self, write: PendingWrite) -> int | None:
        fields = dict(write.fields)
        if "attempt_ref" in fields:
            ref = fields.pop("attempt_ref")
            if ref not in self._refs:
                raise NotFoundError("Its quiz was never started in the score database.")
            fields["attempt_id"] = self._refs[ref]
        if write.kind == "start":
            return self._start(fields)
        if write.kind == "answer":
            return self.store.record_answer(fields.pop("attempt_id"), **fields)
        if write.kind == "review":
            for name in _TIME_FIELDS:
                fields[name] = from_db_time(fields[name])
            return self.store.record_review(
                fields.pop("learner_id"), fields.pop("deck_id"), fields.pop("card_id"), **fields
            )
        if write.kind == "undo":
            self.store.undo_review(fields["review_id"])
            return None
        self.store.finish_attempt(
            fields.pop("attempt_id"),
            fields.pop("score"),
            fields.pop("max_score"),
            fields.pop("passed"),
            **fields,
        )
        return None

    def _start(self, fields: dict[str, Any]) -> int:
        ref, owner = fields.pop("ref"), fields.pop("owner", None)
        attempt_id = self.store.start_attempt(
            fields.pop("learner_id"),
            fields.pop("deck_id"),
            fields.pop("deck_version"),
            fields.pop("deck_title"),
            fields.pop("mode"),
            fields.pop("plan"),
            **fields,
        )
        self._refs[ref] = attempt_id
        if owner is not None:
            try:
                self.store.claim_attempt(attempt_id, owner)
            except StoreError:
                pass  # the attempt is started (never start it twice); answers claim it too
        return attempt_id

    # ------------------------------------------------------------------ keeping for later

    def keep_for_later(self) -> Path | None:
        """Write the waiting writes to a private file next to the database (0600).

        Writes already kept there (from an earlier run, still unsaved) stay ahead of
        these, so the order is kept. The queue is emptied only once the file is on disk.

        Returns:
            The file, or None when nothing is waiting.

        Raises:
            OSError: The file cannot be written (the queue is left as it was).
        """
        with self._lock:
            if not self._queue:
                return None
            target = pending_path(self.store.path)
            earlier = _read_file(target)
            _write_file(target, earlier + [_as_json(write) for write in self._queue])
            self._queue = []
            return target


@dataclass(frozen=True)
class ReplayResult:
    """What `replay_kept` did.

    Attributes:
        saved: Writes now in the store.
        waiting: Writes still unsaved (kept in the file for next time).
        refused: Writes the store refused for good, with reasons.
    """

    saved: int
    waiting: int
    refused: list[Refusal]

    @property
    def message(self) -> str | None:
        """One sentence for the user, or None when there was nothing to replay."""
        if not (self.saved or self.waiting or self.refused):
            return None
        parts = [f"{self.saved} answer(s) or rating(s) kept from last time were saved"]
        if self.waiting:
            parts.append(f"{self.waiting} still could not be saved and are kept for next time")
        if self.refused:
            parts.append(f"{len(self.refused)} could not be saved ({self.refused[0].reason})")
        return "; ".join(parts) + "."


def _attempt_field(attempt: int | str) -> dict[str, Any]:
    return {"attempt_ref": attempt} if isinstance(attempt, str) else {"attempt_id": attempt}


def replay_kept(store: ScoreStore) -> ReplayResult:
    """Write what an earlier run kept for later, in order; keep what still fails.

    The file is rewritten after each write, so a crash part-way repeats nothing that
    was saved (answers are also guarded by the schema). It is removed once empty.

    Raises:
        StoreError: The file is unreadable (it is left as it is).
    """
    target = pending_path(store.path)
    if not target.exists():
        return ReplayResult(0, 0, [])
    rows = _read_file(target)
    queue = PendingWrites(store)
    saved = 0
    refused: list[Refusal] = []
    while rows:
        write = PendingWrite(0, rows[0]["kind"], dict(rows[0]["fields"]))
        queue._queue = [write]
        done = queue._flush()
        if queue._queue:  # still failing: keep it and everything after it
            break
        rows.pop(0)
        saved += done
        refused.extend(queue.refused)
        queue.refused = []
        _write_file(target, rows)
    if not rows:
        target.unlink(missing_ok=True)
    return ReplayResult(saved, len(rows), refused)


def _as_json(write: PendingWrite) -> dict[str, Any]:
    return {"kind": write.kind, "fields": write.fields}


def _read_file(target: Path) -> list[dict[str, Any]]:
    if not target.exists():
        return []
    try:
        document = json.loads(target.read_text(encoding="utf-8"))
        rows = document["writes"]
        if document.get("format") != PENDING_FORMAT or not isinstance(rows, list):
            raise ValueError("not a quizapp pending-writes file")
        return [
            dict(row)
            for row in rows
            if row["kind"] in ("start", "answer", "review", "undo", "finish")
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StoreError(
            f"The unsaved answers kept in {target} cannot be read ({error}); the file is"
            " left as it is.",
            target,
        ) from error


def _write_file(target: Path, rows: list[dict[str, Any]]) -> None:
    document = {"format": PENDING_FORMAT, "format_version": 1, "writes": rows}

    def dump(handle: TextIO) -> None:
        json.dump(document, handle, ensure_ascii=False, indent=1)
        handle.write("\n")

    write_private_atomic(target, dump)


def _words(error: Exception) -> str:
    """The reason for a failed write, never empty."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
