"""(4) Answer -> feedback shown: from the Enter key press to the frame that shows the
feedback, median over 200 answers of a practice quiz (every quiz card type, in turn).

Runs the real app headless in this process (Textual's Pilot). A frame counts as shown
when the quiz screen's compositor has rendered the update (headless skips only writing
the escape codes to a terminal). The answer is chosen first (a number key, t, a typed
letter); only the submitting Enter is timed. Answers are recorded by the store's writer
thread as in normal use.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from tests.benchmarks.bench_startup import prepare_data_dir
from tests.benchmarks.common import Result, median
from tests.benchmarks.generate import write_library


async def _answer_latencies(workdir: Path, answers: int) -> list[float]:
    from quizapp.core.quiz import QuizSession, QuizSettings
    from quizapp.ui.app import make_app
    from quizapp.ui.screens.quiz import QuizScreen

    (deck_path,) = write_library(workdir / "answer-deck", cards=answers * 6 // 5 + 6)
    data = prepare_data_dir(workdir / "answer-data")
    app = make_app(data_dir=data, extra_decks=[deck_path], bundled=False)
    latencies: list[float] = []
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

        shown_at: list[float] = []
        armed = False
        refresh = screen._compositor_refresh

        def timed_refresh() -> None:
            nonlocal armed
            refresh()
            if armed and screen.showing_feedback:
                shown_at.append(time.perf_counter())
                armed = False

        screen._compositor_refresh = timed_refresh  # type: ignore[method-assign]
        for _ in range(answers):
            card = session.current
            if card.type == "true_false":
                await pilot.press("t")
            elif card.type in ("single", "multi"):
                await pilot.press("1")
            elif card.type == "typed":
                await pilot.press("x")
            await pilot.pause()
            shown_at.clear()
            armed = True
            start = time.perf_counter()
            await pilot.press("enter")
            for _ in range(1000):
                if shown_at:
                    break
                await asyncio.sleep(0.0005)
            if not shown_at:
                raise RuntimeError("the feedback frame never came")
            latencies.append(shown_at[0] - start)
            await pilot.press("enter")  # next question
            await pilot.pause()
        await app.workers.wait_for_complete()
    return latencies


def bench_answer(workdir: Path, *, answers: int = 200) -> list[Result]:
    latencies = asyncio.run(_answer_latencies(workdir, answers))
    ms = sorted(x * 1000 for x in latencies)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    return [
        Result(
            f"(4) answer -> feedback shown, median of {len(ms)}",
            median(ms),
            "ms",
            target_value=16,
            note=f"p90 {p90:.1f} ms, max {ms[-1]:.1f} ms",
        ),
    ]


if __name__ == "__main__":  # pragma: no cover
    with tempfile.TemporaryDirectory() as tmp:
        for result in bench_answer(Path(tmp)):
            print(result.line())
