"""(4) Answer -> feedback shown: from the Enter key press to the frame that shows the
feedback, over 200 answers of a practice quiz (every quiz card type, in turn). Issue 18's
targets: median <= 12 ms, p99 <= 25 ms, slowest <= 100 ms (the p90 is printed too).

Runs the real app headless in this process (Textual's Pilot). The feedback counts as
shown at the end of the first compositor refresh of the quiz screen (headless skips only
writing the escape codes to a terminal) after which the feedback panel is laid out and on
screen: a frame drawn before the panel's layout (the answer widget repainted, the panel
still hidden) does not count. The answer is chosen first (a number key, t, a typed
letter); only the submitting Enter is timed. Answers are recorded by the store's writer
thread as in normal use.
"""

from __future__ import annotations

import asyncio
import gc
import math
import tempfile
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_startup import prepare_data_dir
from tests.benchmarks.common import Result, median
from tests.benchmarks.generate import write_library

Windows = list[tuple[float, float]]
"""(key pressed, frame shown) of each timed action, on `time.perf_counter()`."""

MEDIAN_MS = 12
P99_MS = 25
SLOWEST_MS = 100


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with `fraction` of all at or below it."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_results(
    name: str, latencies: Sequence[float], *, p99_ms: float | None, slowest_ms: float | None
) -> list[Result]:
    """Median (target `MEDIAN_MS`), p90, p99 and slowest of latencies given in seconds.

    Args:
        name: What was timed, e.g. "(4) answer -> feedback shown".
        latencies: One figure per action, in seconds.
        p99_ms: The p99's target (None: printed without one).
        slowest_ms: The slowest's target (None: printed without one).
    """
    ms = sorted(x * 1000 for x in latencies)
    n = len(ms)
    return [
        Result(f"{name}, median of {n}", median(ms), "ms", target_value=MEDIAN_MS),
        Result(f"{name}, p90 of {n}", percentile(ms, 0.90), "ms"),
        Result(f"{name}, p99 of {n}", percentile(ms, 0.99), "ms", target_value=p99_ms),
        Result(f"{name}, slowest of {n}", ms[-1], "ms", target_value=slowest_ms),
    ]


class GcPauses:
    """Times the garbage collector's passes while installed (`gc.callbacks`): a slow frame
    can be a collection that happened to run between the key press and the frame."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float, float]] = []
        """(generation, start, end) of each collection, on `time.perf_counter()`."""
        self._started = 0.0

    def start(self) -> None:
        """Start timing collections."""
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        """Stop timing collections."""
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], self._started, time.perf_counter()))

    def note(self, windows: Sequence[tuple[float, float]]) -> str:
        """How many collections ran inside the timed `windows` (start, end), and the longest."""
        inside = [
            (generation, end - start)
            for generation, start, end in self.pauses
            if any(a <= start and end <= b for a, b in windows)
        ]
        full = sum(1 for generation, _ in inside if generation == 2)
        longest = max((seconds for _, seconds in inside), default=0.0)
        return (
            f"garbage collections inside the timed windows: {len(inside)}, {full} full,"
            f" longest {longest * 1000:.1f} ms"
        )


class FrameTimer:
    """Times a key press to the end of the first compositor refresh of `screen` after
    which `shown()` holds (a frame drawn before the change is laid out does not count).

    Installed by wrapping the screen's `_compositor_refresh`, the method that writes a
    frame to the terminal.
    """

    def __init__(self, screen: Any, shown: Callable[[], bool]) -> None:
        self._shown = shown
        self._armed = False
        self._shown_at: list[float] = []
        refresh = screen._compositor_refresh

        def timed_refresh() -> None:
            refresh()
            done = time.perf_counter()
            if self._armed and self._shown():
                self._shown_at.append(done)
                self._armed = False

        screen._compositor_refresh = timed_refresh

    async def press(self, pilot: Any, key: str, what: str) -> tuple[float, float]:
        """Press `key`; the press time and the time the frame showing `what` ended.

        Raises:
            RuntimeError: No such frame within about half a second.
        """
        self._shown_at.clear()
        self._armed = True
        start = time.perf_counter()
        await pilot.press(key)
        for _ in range(1000):
            if self._shown_at:
                return start, self._shown_at[0]
            await asyncio.sleep(0.0005)
        raise RuntimeError(f"{what} never came")


async def _answer_latencies(workdir: Path, answers: int, gc_pauses: GcPauses) -> Windows:
    from quizapp.core.quiz import QuizSession, QuizSettings
    from quizapp.ui.app import make_app
    from quizapp.ui.screens.quiz import QuizScreen
    from quizapp.ui.widgets.feedback import Feedback

    (deck_path,) = write_library(workdir / "answer-deck", cards=answers * 6 // 5 + 6)
    data = prepare_data_dir(workdir / "answer-data")
    app = make_app(data_dir=data, extra_decks=[deck_path], bundled=False)
    windows: Windows = []
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3000):
            await pilot.pause(0.01)
            if app.library.summaries:
                break
        ((deck,), _) = app.context.load_full_decks()  # as opening it from Home does
        learner = app.store.get_or_create_learner("Bench")
        session = QuizSession.start(
            deck, QuizSettings(mode="practice", count=answers, shuffle=False)
        )
        app.context.learner = learner  # the quiz records for the app's current learner
        screen = QuizScreen(session)
        await app.push_screen(screen)
        await pilot.pause()

        feedback = screen.query_one(Feedback)

        def feedback_on_screen() -> bool:
            # Its region in the frame just drawn: at least its top border and first line.
            placed = screen._compositor.visible_widgets.get(feedback)
            if placed is None or not screen.showing_feedback:
                return False
            region, clip = placed
            return region.intersection(clip).height >= 2

        timer = FrameTimer(screen, feedback_on_screen)
        gc_pauses.start()
        for _ in range(answers):
            card = session.current
            if card.type == "true_false":
                await pilot.press("t")
            elif card.type in ("single", "multi"):
                await pilot.press("1")
            elif card.type == "typed":
                await pilot.press("x")
            await pilot.pause()
            windows.append(await timer.press(pilot, "enter", "the feedback frame"))
            await pilot.press("enter")  # next question
            await pilot.pause()
        gc_pauses.stop()
        await app.workers.wait_for_complete()
    return windows


def timed_latencies(
    title: str,
    measure: Callable[[GcPauses], Coroutine[Any, Any, Windows]],
    *,
    p99_ms: float | None,
    slowest_ms: float | None,
) -> list[Result]:
    """Run `measure` (which times its windows with `FrameTimer`) and report the latencies,
    the last line saying how many garbage collections fell inside the windows."""
    gc_pauses = GcPauses()
    windows = asyncio.run(measure(gc_pauses))
    results = latency_results(
        title, [end - start for start, end in windows], p99_ms=p99_ms, slowest_ms=slowest_ms
    )
    results[-1].note = gc_pauses.note(windows)
    return results


def bench_answer(workdir: Path, *, answers: int = 200) -> list[Result]:
    return timed_latencies(
        "(4) answer -> feedback shown",
        lambda gc_pauses: _answer_latencies(workdir, answers, gc_pauses),
        p99_ms=P99_MS,
        slowest_ms=SLOWEST_MS,
    )


if __name__ == "__main__":  # pragma: no cover
    with tempfile.TemporaryDirectory() as tmp:
        for result in bench_answer(Path(tmp)):
            print(result.line())
