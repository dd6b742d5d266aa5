"""Shared support for the UI tests (Pilot and SVG snapshots): a fixed clock, the app
factory, a pre-seeded data folder, and helpers that answer questions by real key presses.

Everything goes through `quizapp.ui.app.make_app` and the real `ScoreStore`; nothing
is mocked. Tests give each app its own data folder (from `tmp_path`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, RadioButton

from quizapp.core import paths, recording
from quizapp.core.decks.loading import load_decks
from quizapp.core.decks.model import Deck, MultiCard, OrderCard, QuizCard, SingleCard, TrueFalseCard
from quizapp.core.quiz import QuizSession, QuizSettings
from quizapp.core.settings import Settings, save_settings
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.app import QuizApp, make_app
from quizapp.ui.screens.quiz import QuizScreen

TESTS = Path(__file__).resolve().parent
UI_DECKS = TESTS / "data" / "decks" / "ui"
ALL_TYPES = UI_DECKS / "all-types.yaml"
MARKUP_DECK = UI_DECKS / "markup-injection.yaml"

FIXED_NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
SEED = 7
"""Shuffle seed used where a test needs the order card to look the same every run."""


def fixed_clock() -> datetime:
    """The time every test app believes it is."""
    return FIXED_NOW


def stepping_clock(start: datetime, step: timedelta) -> Callable[[], datetime]:
    """A clock that moves on by `step` each time it is read (for seeding distinct times)."""
    ticks: Iterator[int] = iter(range(10**9))

    def now() -> datetime:
        return start + step * next(ticks)

    return now


def load_deck(path: Path) -> Deck:
    """Load one deck file, failing loudly if it has errors."""
    result = load_decks([path])
    assert not result.errors, [str(e) for e in result.errors]
    (deck,) = result.decks
    return deck


def new_app(data_dir: Path, decks: Sequence[Path] = (ALL_TYPES,)) -> QuizApp:
    """The real app on `data_dir`, with only the test decks and the fixed clock."""
    return make_app(data_dir=data_dir, extra_decks=list(decks), bundled=False, clock=fixed_clock)


def seed_learner(data_dir: Path, name: str = "Ada") -> Learner:
    """A learner who has acknowledged the notice and is remembered in the settings, so the
    app opens straight on Home with no modal."""
    store = ScoreStore.open(paths.db_path(data_dir), now=fixed_clock)
    learner = store.acknowledge_notice(store.get_or_create_learner(name).id)
    save_settings(Settings(learner=name), paths.settings_path(data_dir))
    return learner


def _record(store: ScoreStore, attempt: int, session: QuizSession, response: object) -> None:
    """Grade `response` to the session's current card, store it, and move on."""
    card = session.current
    graded = session.answer(response, 1000)  # type: ignore[arg-type]
    recording.record_answer(store, attempt, session.deck, card, graded)
    session.advance()


def _start(store: ScoreStore, learner: Learner, session: QuizSession) -> int:
    return recording.start_attempt(store, learner.id, session)


def seed_history(data_dir: Path, learner: Learner, deck: Deck) -> list[int]:
    """Two finished attempts on `deck` (an exam passed, then a practice with one miss),
    recorded through the store with distinct fixed times. Returns the attempt ids."""
    store = ScoreStore.open(
        paths.db_path(data_dir),
        now=stepping_clock(FIXED_NOW - timedelta(days=2), timedelta(minutes=1)),
    )
    ids = []
    for mode, wrong in (("exam", set()), ("practice", {"q-typed"})):
        session = QuizSession.start(deck, QuizSettings(mode=mode, shuffle=False))
        attempt = _start(store, learner, session)
        while not session.finished:
            card = session.current
            _record(
                store,
                attempt,
                session,
                (wrong_response if card.id in wrong else right_response)(card),
            )
        result = session.result()
        store.finish_attempt(attempt, result.score, result.max_score, result.passed)
        ids.append(attempt)
    return ids


def seed_unfinished(
    data_dir: Path, learner: Learner, deck: Deck, up_to: str, *, wrong: frozenset[str] = frozenset()
) -> int:
    """An unfinished practice attempt in deck order (seed `SEED`), answered up to, not
    including, card `up_to` (the cards in `wrong` wrongly): resuming it from Home shows
    that card. Returns the attempt id."""
    store = ScoreStore.open(paths.db_path(data_dir), now=fixed_clock)
    session = QuizSession.start(deck, QuizSettings(mode="practice", shuffle=False, seed=SEED))
    attempt = _start(store, learner, session)
    while session.current.id != up_to:
        card = session.current
        _record(
            store, attempt, session, (wrong_response if card.id in wrong else right_response)(card)
        )
    return attempt


def right_response(card: QuizCard) -> str | bool | list[str]:
    """The stored form of a right answer to `card`."""
    if isinstance(card, SingleCard):
        return card.answer
    if isinstance(card, MultiCard):
        return [text for text in card.choice_texts() if text in card.answers]
    if isinstance(card, TrueFalseCard):
        return card.answer
    if isinstance(card, OrderCard):
        return list(card.steps)
    return card.accepted[0]


def wrong_response(card: QuizCard) -> str | bool | list[str]:
    """The stored form of a wrong answer to `card`."""
    if isinstance(card, SingleCard):
        return next(text for text in card.choice_texts() if text != card.answer)
    if isinstance(card, MultiCard):
        return card.answers[:1] if len(card.answers) > 1 else [card.choice_texts()[-1]]
    if isinstance(card, TrueFalseCard):
        return not card.answer
    if isinstance(card, OrderCard):
        return list(reversed(card.steps))
    return "GABBA"


# --- driving the app -----------------------------------------------------------------


async def settle(pilot: Pilot[object], rounds: int = 2) -> None:
    """Let thread workers (deck loading, store I/O) finish and their results land."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # A table filled by the last result sizes its columns on its own next idle pass; on
    # a busy machine a snapshot could catch the frame before it (a "Deck" column header
    # still at its title's width: seen in the statistics snapshot under `-n auto`). So
    # wait until no table on screen still has that pass to make (a bounded wait).
    for _ in range(50):
        await pilot.pause()
        tables = pilot.app.screen.query(DataTable)
        if not any(table._require_update_dimensions for table in tables):
            break
    await pilot.pause()  # and the frame drawn after it


def screen_text(app: QuizApp) -> str:
    """The text of the top screen as drawn (what a user would read)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def run_palette_command(pilot: Pilot[object], words: str) -> None:
    """Open the command palette, type `words` and press Enter on the first match."""
    from textual.command import CommandPalette

    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette), pilot.app.screen_stack
    await pilot.press(*words)
    await pilot.pause(0.3)  # the palette searches its providers in the background
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def resume_unfinished(pilot: Pilot[Any]) -> QuizScreen:
    """From Home (deck table focused), resume the highlighted deck's unfinished attempt
    (`seed_unfinished`): Enter, then "r" in the resume dialog."""
    from quizapp.ui.dialogs.setup import ResumeModal

    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ResumeModal), pilot.app.screen_stack
    await pilot.press("r")
    await settle(pilot)
    quiz = pilot.app.screen
    assert isinstance(quiz, QuizScreen), pilot.app.screen_stack
    return quiz


async def open_setup(pilot: Pilot[object]) -> None:
    """From Home (deck table focused), open the set-up dialog of the highlighted deck."""
    from quizapp.ui.dialogs.setup import QuizSetupModal

    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QuizSetupModal), pilot.app.screen_stack


async def start_quiz(
    pilot: Pilot[object], *, exam: bool = False, shuffle: bool = True, seed: int | None = SEED
) -> None:
    """Open the set-up dialog from Home and start a quiz, choosing with the keyboard.

    The dialog's shuffle seed is random when pushed from Home; `seed` pins it (it also
    decides the starting order of `order` cards) so screens are reproducible.
    """
    from quizapp.ui.screens.quiz import QuizScreen

    await open_setup(pilot)
    modal = pilot.app.screen
    if seed is not None:
        modal.seed = seed  # type: ignore[attr-defined]
    if exam:
        # The radio set has focus with Practice highlighted: move down to Exam, pick it.
        await pilot.press("down", "space")
        assert modal.query_one("#exam", RadioButton).value
    if not shuffle:
        for _ in range(10):
            if isinstance(pilot.app.focused, Checkbox):
                break
            await pilot.press("tab")
        await pilot.press("space")
        assert not modal.query_one("#shuffle", Checkbox).value
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QuizScreen), pilot.app.screen_stack


async def move_cursor(pilot: Pilot[object], widget: object, index: int) -> None:
    """Move a list's cursor to row `index` with the arrow keys (failing if they don't)."""
    for _ in range(10):
        cursor = widget.cursor  # type: ignore[attr-defined]
        if cursor == index:
            return
        await pilot.press("down" if cursor < index else "up")
    raise AssertionError(f"the arrow keys did not move the cursor to row {index}")


async def _order_by_keys(pilot: Pilot[object], steps: list[str], *, use_down: bool) -> None:
    widget = pilot.app.screen.answer_widget  # type: ignore[attr-defined]

    async def cursor_to(index: int) -> None:
        await move_cursor(pilot, widget, index)

    if use_down:
        # Bubble sort with "d": carry a step down while it belongs after its neighbour.
        rank = {step: i for i, step in enumerate(steps)}
        for _ in steps:
            for j in range(len(steps) - 1):
                if rank[widget.items[j]] > rank[widget.items[j + 1]]:
                    await cursor_to(j)
                    await pilot.press("d")
    else:
        # Selection sort with "u": lift each step up to its place.
        for target, step in enumerate(steps):
            await cursor_to(widget.items.index(step))
            for _ in range(widget.cursor - target):
                await pilot.press("u")
    assert widget.items == steps, widget.items


async def answer(
    pilot: Pilot[object],
    card: QuizCard,
    *,
    right: bool = True,
    typed: str | None = None,
    order_key: str = "u",
) -> str | bool | list[str]:
    """Answer the current card with key presses and submit it with Enter.

    Args:
        pilot: The running app's pilot.
        card: The card being asked (`session.current`).
        right: Answer it rightly, or wrongly.
        typed: For a `typed` card, the text to type (default: the model answer, or a
            wrong one).
        order_key: For an `order` card, reorder with "u" (move up) or "d" (move down).

    Returns:
        The response as the store should record it.
    """
    if isinstance(card, TrueFalseCard):
        value = card.answer if right else not card.answer
        await pilot.press("t" if value else "f")
        response: str | bool | list[str] = value
    elif isinstance(card, SingleCard):
        texts = card.choice_texts()
        index = texts.index(card.answer)
        if not right:
            index = (index + 1) % len(texts)
        await pilot.press(str(index + 1))
        response = texts[index]
    elif isinstance(card, MultiCard):
        texts = card.choice_texts()
        wanted = [i for i, text in enumerate(texts) if text in card.answers]
        if not right:
            wanted = wanted[:-1] or [i for i in range(len(texts)) if i not in wanted][:1]
        # The first by its number key, the rest by moving the cursor and pressing space.
        await pilot.press(str(wanted[0] + 1))
        widget = pilot.app.screen.answer_widget  # type: ignore[attr-defined]
        for index in wanted[1:]:
            await move_cursor(pilot, widget, index)
            await pilot.press("space")
        response = [texts[i] for i in wanted]
    elif isinstance(card, OrderCard):
        if right:
            await _order_by_keys(pilot, list(card.steps), use_down=order_key == "d")
        response = list(pilot.app.screen.answer_widget.items)  # type: ignore[attr-defined]
    else:
        text = typed if typed is not None else (card.accepted[0] if right else "dopamine")
        assert isinstance(pilot.app.focused, Input)
        await pilot.press(*text)
        response = text
    await pilot.press("enter")
    await settle(pilot)
    return response


# --------------------------------------------------------------------------- issue 15 seeds


def answer_wrong(data_dir: Path, learner: Learner, deck_path: Path, card_ids: list[str]) -> None:
    """Record wrong answers to some cards, in an attempt left unfinished."""
    deck = load_deck(deck_path)
    store = ScoreStore.open(paths.db_path(data_dir), now=fixed_clock)
    attempt = store.start_attempt(learner.id, deck.id, deck.version, deck.title, "practice", {})
    for card_id in card_ids:
        card = deck.card(card_id)
        store.record_answer(
            attempt,
            deck_id=deck.id,
            card_id=card.id,
            card_hash=card.content_hash(),
            topic=card.topic,
            critical=card.critical,
            response="nope",
            correct=False,
            points=0.0,
            elapsed_ms=2000,
        )


def seed_weeks(data_dir: Path, learner: Learner) -> None:
    """Three weeks of quiz answers and flashcard reviews before FIXED_NOW."""
    deck = load_deck(ALL_TYPES)
    quiz = [card for card in deck.cards if card.type != "flashcard"]
    clock = [FIXED_NOW]
    store = ScoreStore.open(paths.db_path(data_dir), now=lambda: clock[0])
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    for days_ago in (20, 19, 18, 15, 12, 11, 8, 5, 3, 2, 1, 0):
        clock[0] = FIXED_NOW - timedelta(days=days_ago, hours=1)
        attempt = store.start_attempt(learner.id, deck.id, "1", deck.title, "practice", {})
        for n, card in enumerate(quiz):
            store.record_answer(
                attempt,
                deck_id=deck.id,
                card_id=card.id,
                card_hash=card.content_hash(),
                topic=card.topic,
                critical=card.critical,
                response="x",
                correct=(n + days_ago) % 3 != 0,
                points=1.0,
                elapsed_ms=1500,
            )
        store.finish_attempt(attempt, 1.0, float(len(quiz)), None)
        card_state, log = scheduler.review_card(
            fsrs.Card(card_id=0, due=clock[0]), fsrs.Rating.Good, clock[0]
        )
        store.record_review(
            learner.id,
            deck.id,
            f"f-{days_ago}",
            card_hash="h",
            state=card_state.to_dict(),
            due=FIXED_NOW + timedelta(days=days_ago % 9, hours=1),
            rating=3,
            reviewed_at=clock[0],
            review=log.to_dict(),
            previous_state=None,
        )
