"""Pilot tests of flashcard review (FSRS): a whole session by key presses, undo, the
"updated" mark, and the schedule surviving a restart.

Each test runs the real app (`make_app`) on its own data folder and SQLite file, with a
clock the test controls (TZ=UTC, so local times read as UTC), then checks what the
store holds against `fsrs` called directly.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
from snapshot_app import run_palette_command
from textual.pilot import Pilot
from textual.widgets import Static

from quizapp.core import paths
from quizapp.core.decks.loading import load_decks
from quizapp.core.decks.model import Deck
from quizapp.core.flashcards import deck_queue
from quizapp.core.settings import Settings, save_settings
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.app import QuizApp, make_app
from quizapp.ui.screens.flashcards import FlashcardScreen
from quizapp.ui.screens.home import HomeScreen
from tests.helpers.clock import Clock

TESTS = Path(__file__).resolve().parents[1]
FIVE = TESTS / "data" / "decks" / "flashcards" / "five-cards.yaml"
WITH_QUIZ = TESTS / "data" / "decks" / "flashcards" / "include-quiz.yaml"
FIVE_IDS = ["f-one", "f-two", "f-three", "f-four", "f-five"]
START = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
SIZE = (80, 24)


def seed(data_dir: Path, *, new_cards_per_day: int = 20) -> Learner:
    """Ana, notice acknowledged and remembered in the settings: the app opens on Home."""
    store = ScoreStore.open(paths.db_path(data_dir), now=lambda: START)
    learner = store.acknowledge_notice(store.add_learner("Ana").id)
    save_settings(
        Settings(learner="Ana", new_cards_per_day=new_cards_per_day),
        paths.settings_path(data_dir),
    )
    return learner


def new_app(data_dir: Path, clock: Clock, decks: Sequence[Path] = (FIVE,)) -> QuizApp:
    return make_app(data_dir=data_dir, extra_decks=list(decks), bundled=False, clock=clock)


def store_of(data_dir: Path) -> ScoreStore:
    return ScoreStore.open(paths.db_path(data_dir))


def load(path: Path) -> Deck:
    result = load_decks([path])
    assert not result.errors, [str(error) for error in result.errors]
    (deck,) = result.decks
    return deck


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let thread workers (deck loading, store reads and writes) finish and land."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text_of(app: QuizApp, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def screen_text(app: QuizApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def home_ready(pilot: Pilot[Any]) -> HomeScreen:
    await settle(pilot)
    home = pilot.app.screen
    assert isinstance(home, HomeScreen), pilot.app.screen_stack
    assert home.learner is not None and home.learner.name == "Ana"
    return home


async def open_cards(pilot: Pilot[Any]) -> FlashcardScreen:
    """From Home, `f` opens flashcards for the highlighted deck."""
    await pilot.press("f")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FlashcardScreen), pilot.app.screen_stack
    assert screen.loaded
    return screen


def queue_ids(screen: FlashcardScreen) -> list[str]:
    return [card.card_id for card in screen.queue]


def fsrs_states(
    plan: Sequence[tuple[str, int, datetime]], previous: dict[str, fsrs.Card] | None = None
) -> dict[str, fsrs.Card]:
    """What `fsrs` itself makes of (card, rating, time) reviews, in order."""
    scheduler = fsrs.Scheduler(enable_fuzzing=False, desired_retention=0.9)
    cards = dict(previous or {})
    for card_id, rating, when in plan:
        card = cards.get(card_id) or fsrs.Card(card_id=0, due=when)
        cards[card_id], _ = scheduler.review_card(card, fsrs.Rating(rating), when)
    return cards


def db_rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(paths.db_path(data_dir))) as conn:
        return conn.execute(sql).fetchall()


def local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------- a whole session


async def test_full_review_session(data_dir: Path) -> None:
    learner = seed(data_dir)
    deck = load(FIVE)
    app = new_app(data_dir, Clock(START))
    # Key presses after each flip: f-two lapses, f-three is Good (space), f-four Hard;
    # those three come back within minutes (learning steps) and are then rated Easy.
    keys = {"f-one": "4", "f-two": "1", "f-three": "space", "f-four": "2", "f-five": "4"}
    plan = [
        ("f-one", 4),
        ("f-two", 1),
        ("f-three", 3),
        ("f-four", 2),
        ("f-five", 4),
        ("f-two", 4),
        ("f-three", 4),
        ("f-four", 4),
    ]
    async with app.run_test(size=SIZE) as pilot:
        home = await home_ready(pilot)
        assert home.due == {deck.id: 5}
        screen = await open_cards(pilot)
        assert queue_ids(screen) == FIVE_IDS
        assert "Flashcards: sertraline basics" in app.sub_title + screen.sub_title

        # The front only; rating keys do nothing until the card is flipped.
        assert text_of(app, "#card-front") == "What kind of medicine is sertraline?"
        assert text_of(app, "#card-meta") == "new card"
        assert "5 cards due now" in text_of(app, "#card-progress")
        assert text_of(app, "#card-back") == ""
        await pilot.press("3")
        await settle(pilot)
        assert queue_ids(screen) == FIVE_IDS and not screen.flipped
        assert store_of(data_dir).reviews(learner.id) == []

        for step, (card_id, _) in enumerate(plan):
            assert queue_ids(screen)[0] == card_id, step
            card = deck.card(card_id)
            assert text_of(app, "#card-front") == card.front  # type: ignore[union-attr]
            await pilot.press("space")
            await settle(pilot)
            assert screen.flipped
            back = text_of(app, "#card-back")
            assert back.startswith(card.back)  # type: ignore[union-attr]
            assert card.explanation in back
            # Each key with its interval (checked against fsrs in test_study_ui.py).
            assert re.search(r"1 Again \S+  2 Hard \S+  3 Good \S+  4 Easy \S+", back), back
            await pilot.press(keys.get(card_id, "4") if step < 5 else "4")
            await settle(pilot)
            if step == 0:
                # f-one is Easy: days away, not asked again today.
                assert queue_ids(screen) == FIVE_IDS[1:]
            if step == 1:
                # f-two lapsed: back at the end of today's queue.
                assert queue_ids(screen) == ["f-three", "f-four", "f-five", "f-two"]

        assert screen.queue == []
        expected = fsrs_states([(card_id, rating, START) for card_id, rating in plan])
        next_due = min(card.due for card in expected.values())
        summary = text_of(app, "#card-summary")
        assert "Session complete." in summary
        assert "Reviewed: 8" in summary
        assert "Again: 1" in summary
        assert f"Next card due: {local(next_due)}" in summary
        assert local(next_due) == "2026-11-22 09:30"  # TZ=UTC: local time reads as UTC
        assert "Reviewed: 8" in screen_text(app)
        assert text_of(app, "#card-progress") == "Done"

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home
        assert home.due == {deck.id: 0}

    store = store_of(data_dir)
    logged = store.reviews(learner.id)
    assert [(r.card_id, r.rating) for r in logged] == plan
    assert all(r.reviewed_at == START and r.deck_id == deck.id for r in logged)
    assert [r.first_review for r in logged] == [True] * 5 + [False] * 3
    assert [r.review["rating"] for r in logged] == [rating for _, rating in plan]
    states = store.card_states(learner.id, deck.id)
    assert set(states) == set(FIVE_IDS)
    for card_id, want in expected.items():
        assert states[card_id].state == want.to_dict(), card_id
        assert states[card_id].due == want.due
        assert states[card_id].card_hash == deck.card(card_id).content_hash()
        assert states[card_id].updated_at == START
    # Stored as UTC text.
    for due, updated in db_rows(data_dir, "SELECT due, updated_at FROM card_states"):
        assert due.endswith("Z") and updated.endswith("Z")
    for (reviewed_at,) in db_rows(data_dir, "SELECT reviewed_at FROM review_log"):
        assert reviewed_at == "2026-11-21T09:30:00.000000Z"


async def test_undo_brings_the_card_back_and_removes_the_log_entry(data_dir: Path) -> None:
    learner = seed(data_dir)
    deck = load(FIVE)
    app = new_app(data_dir, Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        screen = await open_cards(pilot)
        assert not screen.check_action("undo", ())

        await pilot.press("space", "1")  # f-one: Again (requeued for later today)
        await settle(pilot)
        await pilot.press("space", "3")  # f-two: Good (requeued for later today)
        await settle(pilot)
        assert queue_ids(screen) == ["f-three", "f-four", "f-five", "f-one", "f-two"]
        assert [r.card_id for r in store_of(data_dir).reviews(learner.id)] == ["f-one", "f-two"]
        assert screen.reviewed == 2 and screen.again == 1

        await pilot.press("u")
        await settle(pilot)
        # f-two is shown again (front first), and only once in the queue.
        assert queue_ids(screen) == ["f-two", "f-three", "f-four", "f-five", "f-one"]
        assert not screen.flipped
        assert text_of(app, "#card-front") == deck.card("f-two").front  # type: ignore[union-attr]
        assert text_of(app, "#card-meta") == "new card"
        store = store_of(data_dir)
        assert [r.card_id for r in store.reviews(learner.id)] == ["f-one"]
        assert set(store.card_states(learner.id, deck.id)) == {"f-one"}
        assert screen.reviewed == 1 and screen.again == 1

        await pilot.press("u")
        await settle(pilot)
        assert queue_ids(screen) == FIVE_IDS
        assert store.reviews(learner.id) == []
        assert store.card_states(learner.id, deck.id) == {}
        assert screen.reviewed == 0 and screen.again == 0
        assert not screen.check_action("undo", ())
        await pilot.press("u")  # nothing left to undo: no effect
        await settle(pilot)
        assert queue_ids(screen) == FIVE_IDS

        # Rate again after the undo: the store matches fsrs with the new rating alone.
        await pilot.press("space", "4")
        await settle(pilot)
    (record,) = store_of(data_dir).reviews(learner.id)
    assert (record.card_id, record.rating, record.first_review) == ("f-one", 4, True)
    want = fsrs_states([("f-one", 4, START)])["f-one"]
    assert store_of(data_dir).card_states(learner.id, deck.id)["f-one"].state == want.to_dict()


async def test_undo_of_a_later_review_restores_the_stored_row_exactly(data_dir: Path) -> None:
    learner = seed(data_dir)
    deck = load(FIVE)
    clock = Clock(START)
    async with new_app(data_dir, clock).run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        await open_cards(pilot)
        await pilot.press("space", "4")  # f-one Easy
        await settle(pilot)
    row_sql = "SELECT * FROM card_states WHERE card_id = 'f-one'"
    before = db_rows(data_dir, row_sql)
    log_before = db_rows(data_dir, "SELECT * FROM review_log")

    clock.moment = store_of(data_dir).card_states(learner.id, deck.id)["f-one"].due
    app = new_app(data_dir, clock)
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        screen = await open_cards(pilot)
        assert queue_ids(screen)[0] == "f-one"
        assert text_of(app, "#card-meta").startswith("due ")
        await pilot.press("space", "1")  # a lapse
        await settle(pilot)
        assert db_rows(data_dir, row_sql) != before
        await pilot.press("u")
        await settle(pilot)
        assert queue_ids(screen)[0] == "f-one"
    assert db_rows(data_dir, row_sql) == before
    assert db_rows(data_dir, "SELECT * FROM review_log") == log_before


# --------------------------------------------------------------------- edited cards


async def test_card_edited_since_review_is_marked_and_keeps_its_schedule(
    data_dir: Path, tmp_path: Path
) -> None:
    learner = seed(data_dir)
    deck_file = tmp_path / "decks" / "five.yaml"
    deck_file.parent.mkdir()
    shutil.copy(FIVE, deck_file)
    old_hash = load(deck_file).card("f-one").content_hash()
    clock = Clock(START)
    async with new_app(data_dir, clock, [deck_file]).run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        await open_cards(pilot)
        await pilot.press("space", "1")  # f-one: Again, due in a minute
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    stored = store_of(data_dir).card_states(learner.id, "test-flash-five")["f-one"]
    assert stored.card_hash == old_hash

    # The author rewrites the back of f-one.
    text = deck_file.read_text(encoding="utf-8")
    deck_file.write_text(
        text.replace("back: An SSRI antidepressant.", "back: An SSRI, a kind of antidepressant."),
        encoding="utf-8",
    )
    new_hash = load(deck_file).card("f-one").content_hash()
    assert new_hash != old_hash

    clock.moment = START + timedelta(hours=1)
    app = new_app(data_dir, clock, [deck_file])
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        screen = await open_cards(pilot)
        assert queue_ids(screen) == FIVE_IDS  # the schedule is kept: f-one is due first
        meta = text_of(app, "#card-meta")
        assert meta == f"due {local(stored.due)} · updated since your last review"
        assert "updated since your last review" in screen_text(app)
        await pilot.press("space")
        await settle(pilot)
        assert text_of(app, "#card-back").startswith("An SSRI, a kind of antidepressant.")
        await pilot.press("3")
        await settle(pilot)
        # Unchanged (new) cards carry no mark.
        assert text_of(app, "#card-meta") == "new card"
    after = store_of(data_dir).card_states(learner.id, "test-flash-five")["f-one"]
    assert after.card_hash == new_hash
    # Scheduled from the kept state, as fsrs would.
    want, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card.from_dict(stored.state),
        fsrs.Rating.Good,
        clock.moment,  # type: ignore[arg-type]
    )
    assert after.state == want.to_dict()
    last = store_of(data_dir).reviews(learner.id)[-1]
    assert (last.card_id, last.card_hash, last.first_review) == ("f-one", new_hash, False)


# --------------------------------------------------------------------- restart


async def test_schedule_survives_restart(data_dir: Path) -> None:
    learner = seed(data_dir, new_cards_per_day=3)
    deck = load(FIVE)
    clock = Clock(START)

    app = new_app(data_dir, clock)
    async with app.run_test(size=SIZE) as pilot:
        home = await home_ready(pilot)
        assert home.due == {deck.id: 3}  # five new cards, three a day
        screen = await open_cards(pilot)
        assert queue_ids(screen) == ["f-one", "f-two", "f-three"]
        for key in ("4", "1", "3"):  # Easy; Again and Good come back within minutes
            await pilot.press("space", key)
            await settle(pilot)
        assert queue_ids(screen) == ["f-two", "f-three"]
        in_memory = {
            card_id: state.fsrs_card.to_dict() for (_, card_id), state in screen.states.items()
        }
        await pilot.press("escape")
        await settle(pilot)
        # Nothing due now: the relearning cards are minutes away, and today's three new
        # cards are used up.
        assert home.due == {deck.id: 0}

    store = store_of(data_dir)
    states = store.card_states(learner.id, deck.id)
    assert {card_id: row.state for card_id, row in states.items()} == in_memory
    assert in_memory == {
        card_id: card.to_dict()
        for card_id, card in fsrs_states(
            [("f-one", 4, START), ("f-two", 1, START), ("f-three", 3, START)]
        ).items()
    }
    for due, updated in db_rows(data_dir, "SELECT due, updated_at FROM card_states"):
        assert due.endswith("Z") and updated.endswith("Z")

    async def check(at: datetime, expected: list[str]) -> None:
        """A new app instance at `at`: Home and the card screen show the stored queue."""
        clock.moment = at
        implied, _ = deck_queue(store_of(data_dir), learner.id, deck, at, new_limit=3)
        assert [card.card_id for card in implied] == expected
        app = new_app(data_dir, clock)
        async with app.run_test(size=SIZE) as pilot:
            home = await home_ready(pilot)
            assert home.due == {deck.id: len(expected)}
            screen = await open_cards(pilot)
            assert queue_ids(screen) == expected
            assert {
                card_id: state.fsrs_card.to_dict() for (_, card_id), state in screen.states.items()
            } == in_memory
            if not expected:
                summary = text_of(app, "#card-summary")
                assert "Nothing is due right now." in summary
                assert "Next card due: 2026-11-21 09:31" in summary  # f-two, Again + 1 min

    await check(START, [])
    await check(START + timedelta(minutes=15), ["f-two", "f-three"])  # most overdue first
    # Next day: the two relearning cards, then two new cards (f-one is Easy: days away).
    await check(START + timedelta(days=1), ["f-two", "f-three", "f-four", "f-five"])
    f_one_due = datetime.fromisoformat(in_memory["f-one"]["due"])
    await check(f_one_due, ["f-two", "f-three", "f-one", "f-four", "f-five"])


# --------------------------------------------------------------------- every deck


async def test_review_everything_due_from_the_command_palette(data_dir: Path) -> None:
    learner = seed(data_dir)
    five, with_quiz = load(FIVE), load(WITH_QUIZ)
    app = new_app(data_dir, Clock(START), [FIVE, WITH_QUIZ])
    async with app.run_test(size=(100, 30)) as pilot:
        home = await home_ready(pilot)
        assert home.due == {five.id: 5, with_quiz.id: 4}
        await run_palette_command(pilot, "Review everything due")
        screen = app.screen
        assert isinstance(screen, FlashcardScreen), app.screen_stack
        ids = [(card.deck_id, card.card_id) for card in screen.queue]
        assert ids == [(five.id, card_id) for card_id in FIVE_IDS] + [
            (with_quiz.id, card_id) for card_id in ("q-single", "q-tf", "q-multi", "f-sugar")
        ]
        for _ in FIVE_IDS:
            await pilot.press("space", "4")
            await settle(pilot)
        # A quiz card studied as a flashcard: the prompt, then the right answer.
        assert text_of(app, "#card-meta") == f"{with_quiz.title} · new card"
        assert text_of(app, "#card-front") == "What is metformin mainly used for?"
        await pilot.press("space")
        await settle(pilot)
        assert text_of(app, "#card-back").startswith("Type 2 diabetes")
        await pilot.press("4")
        await settle(pilot)
    logged = store_of(data_dir).reviews(learner.id)
    assert [(r.deck_id, r.card_id) for r in logged][-1] == (with_quiz.id, "q-single")
    assert set(store_of(data_dir).card_states(learner.id, with_quiz.id)) == {"q-single"}


async def test_back_shows_a_card_review_date_other_than_the_decks(
    data_dir: Path, tmp_path: Path
) -> None:
    # Issue 13: the back of a flashcard re-checked on its own day says so under its source.
    seed(data_dir)
    text = FIVE.read_text(encoding="utf-8")
    assert text.count("  - id: f-one\n") == 1 and "reviewed: 2026-11-21\n" in text
    deck_file = tmp_path / "five-reviewed.yaml"
    deck_file.write_text(
        text.replace("  - id: f-one\n", "  - id: f-one\n    reviewed: 2026-09-30\n"), "utf-8"
    )
    app = new_app(data_dir, Clock(START), [deck_file])
    async with app.run_test(size=SIZE) as pilot:
        await home_ready(pilot)
        screen = await open_cards(pilot)
        assert queue_ids(screen)[:2] == ["f-one", "f-two"]
        await pilot.press("space")
        await settle(pilot)
        back = text_of(app, "#card-back")
        assert "Source: " in back
        assert "This card was reviewed on 2026-09-30 (the deck on 2026-11-21)." in back
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert queue_ids(screen)[0] == "f-two"
        assert "reviewed on" not in text_of(app, "#card-back")
