"""(7) Rating -> next flashcard shown: from the rating key press (3, Good) to the frame
that shows the next card's front, over 200 ratings. Issue 18's target: median <= 12 ms
(the p90, p99 and slowest are printed too, without targets).

Runs the real app headless in this process (Textual's Pilot), on a generated deck's
flashcards, for a learner with no reviews yet (every card new, the daily limit of new
cards raised so the queue holds them all). The card is flipped first (space); only the
rating is timed, to the end of the first compositor refresh of the screen after which the
back of the rated card is off screen (laid out hidden) and the next card's front shown: a
frame drawn before that layout does not count.
Ratings are recorded by the store's writer thread as in normal use.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.benchmarks.bench_answer import FrameTimer, GcPauses, Windows, timed_latencies
from tests.benchmarks.bench_startup import prepare_data_dir
from tests.benchmarks.common import Result
from tests.benchmarks.generate import write_library


async def _rating_windows(workdir: Path, ratings: int, gc_pauses: GcPauses) -> Windows:
    from quizapp.ui.app import make_app
    from quizapp.ui.screens.flashcards import FlashcardScreen

    # A sixth of the generated cards are flashcards.
    (deck_path,) = write_library(workdir / "rating-deck", cards=ratings * 6 + 12)
    data = prepare_data_dir(workdir / "rating-data")
    app = make_app(data_dir=data, extra_decks=[deck_path], bundled=False)
    windows: Windows = []
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3000):
            await pilot.pause(0.01)
            if app.library.summaries:
                break
        decks, _ = app.context.load_full_decks()  # as opening them from Home does
        app.context.learner = app.store.get_or_create_learner("Bench")
        app.context.settings.new_cards_per_day = 1000  # the most allowed
        screen = FlashcardScreen(decks)
        await app.push_screen(screen)
        for _ in range(3000):
            await pilot.pause(0.01)
            if screen.loaded:
                break
        if len(screen.queue) < ratings:
            raise RuntimeError(f"only {len(screen.queue)} cards to study")

        back = screen.query_one("#card-back")

        def next_card_shown() -> bool:
            return not screen.flipped and back not in screen._compositor.visible_widgets

        timer = FrameTimer(screen, next_card_shown)
        gc_pauses.start()
        for _ in range(ratings):
            await pilot.press("space")  # flip
            await pilot.pause()
            if not screen.flipped or back not in screen._compositor.visible_widgets:
                raise RuntimeError("the card did not flip")
            windows.append(await timer.press(pilot, "3", "the next card's frame"))
            await pilot.pause()
        gc_pauses.stop()
        await app.workers.wait_for_complete()
    return windows


def bench_flashcards(workdir: Path, *, ratings: int = 200) -> list[Result]:
    return timed_latencies(
        "(7) rating -> next flashcard shown",
        lambda gc_pauses: _rating_windows(workdir, ratings, gc_pauses),
        p99_ms=None,
        slowest_ms=None,
    )


if __name__ == "__main__":  # pragma: no cover
    with tempfile.TemporaryDirectory() as tmp:
        for result in bench_flashcards(Path(tmp)):
            print(result.line())
