"""Pilot tests of studying like Anki (issue 15): the card browser, suspending, practising
found cards and mistakes, interval previews on the rating keys, the settings screen and
the progress charts.

Every test runs the real app (`make_app`) on its own data folder and SQLite file and
checks what the store (or settings.json) holds, not only what the screen says.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import fsrs
from snapshot_app import (
    ALL_TYPES,
    FIXED_NOW,
    MARKUP_DECK,
    answer_wrong,
    fixed_clock,
    load_deck,
    new_app,
    screen_text,
    seed_weeks,
    settle,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from quizapp.core import paths
from quizapp.core.flashcards import format_interval
from quizapp.core.settings import load_settings
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.app import make_app
from quizapp.ui.screens.browser import CardBrowserScreen
from quizapp.ui.screens.card_detail import CardDetailScreen
from quizapp.ui.screens.flashcards import FlashcardScreen
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.quiz import QuizScreen
from quizapp.ui.screens.settings import SettingsScreen
from quizapp.ui.screens.stats import StatisticsScreen
from quizapp.ui.widgets.progress_charts import ProgressCharts
from tests.helpers.deck_text import cards_containing

SIZE = (120, 40)


def store_of(data_dir: Path) -> ScoreStore:
    return ScoreStore.open(paths.db_path(data_dir), now=fixed_clock)


def found(screen: CardBrowserScreen) -> set[tuple[str, str]]:
    return {(row.deck_id, row.card_id) for row in screen.rows}


async def open_browser(pilot: Pilot[Any]) -> CardBrowserScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)
    await pilot.press("b")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CardBrowserScreen), pilot.app.screen_stack
    return screen


# --------------------------------------------------------------------------- the browser


async def test_typing_naloxone_lists_exactly_the_cards_containing_it_across_decks(
    data_dir: Path, learner: Learner
) -> None:
    expected = cards_containing("naloxone")
    assert len({deck for deck, _ in expected}) >= 2  # the search must span decks
    app = make_app(data_dir=data_dir, bundled=True, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        # One key from Home, and the search box has the focus.
        assert isinstance(app.focused, Input) and app.focused.id == "browser-query"
        total = len(screen.rows)
        assert total == sum(len(deck.cards) for deck in app.decks.values())
        for key in "naloxone":
            await pilot.press(key)
            await settle(pilot, rounds=1)  # search as you type: each key searches
        await settle(pilot)
        assert found(screen) == expected
        table = screen.query_one("#browser-table", DataTable)
        assert table.row_count == len(expected)
        assert f"{len(expected)} cards of {total}" in str(
            screen.query_one("#browser-count", Static).render()
        )


async def test_slash_focuses_search_enter_opens_a_card_escape_goes_back(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(ALL_TYPES)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one("#browser-table", DataTable)
        table.focus()
        await pilot.pause()
        await pilot.press("slash")
        assert isinstance(app.focused, Input) and app.focused.id == "browser-query"
        # Enter on the table opens the highlighted card (the first, in deck order).
        table.focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, CardDetailScreen)
        assert detail.card.id == deck.cards[0].id
        text = screen_text(app)
        assert "Your answers" in text and "Flashcard schedule" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_filters_wrong_last_time_and_practise_the_found_cards(
    data_dir: Path, learner: Learner
) -> None:
    answer_wrong(data_dir, learner, ALL_TYPES, ["q-typed", "q-single"])
    deck = load_deck(ALL_TYPES)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        app.screen.query_one("#browser-table", DataTable).focus()
        await pilot.press("w")
        await settle(pilot)
        assert found(screen) == {(deck.id, "q-single"), (deck.id, "q-typed")}
        await pilot.press("p")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen), app.screen_stack
        # Deck order, just the found cards, feedback after each answer.
        assert quiz.session.card_ids == [
            c.id for c in deck.cards if c.id in {"q-single", "q-typed"}
        ]
        assert quiz.session.settings.mode == "review"


async def test_deck_text_in_the_browser_is_never_markup(data_dir: Path, learner: Learner) -> None:
    deck = load_deck(MARKUP_DECK)
    app = new_app(data_dir, decks=[MARKUP_DECK])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        assert len(screen.rows) == len(deck.cards)
        table = screen.query_one("#browser-table", DataTable)
        first = deck.cards[0]
        prompt = " ".join(getattr(first, "prompt", getattr(first, "front", "")).split())
        cell = table.get_row_at(0)[0]
        # Shown letter for letter: no bold, no link, no crash on the lone [/].
        assert cell.plain == prompt
        assert cell.spans == []
        assert "[@click=app.quit]x[/]" in screen_text(app)
        app.screen.query_one("#browser-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CardDetailScreen)
        card_text = str(app.screen.query_one("#card-detail-card", Static).render())
        assert prompt in " ".join(card_text.split())
        assert "[bold]b[/bold]" in screen_text(app)


# --------------------------------------------------------------------------- suspending


async def test_suspend_and_unsuspend_a_flashcard_from_the_browser(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(ALL_TYPES)
    flashcard = next(card for card in deck.cards if card.type == "flashcard")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(pilot)
        app.screen.query_one("#filter-type").value = "flashcard"  # type: ignore[attr-defined]
        await settle(pilot)
        assert found(screen) == {(deck.id, flashcard.id)}
        app.screen.query_one("#browser-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CardDetailScreen)
        await pilot.press("s")
        await settle(pilot)
        assert store_of(data_dir).suspended_cards(learner.id, deck.id) == {flashcard.id}
        assert "Suspended: left out of your reviews" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert [row.suspended for row in screen.rows] == [True]
        await pilot.press("escape")
        await settle(pilot)
        # Suspended: not in the review queue.
        await pilot.press("f")
        await settle(pilot)
        cards = app.screen
        assert isinstance(cards, FlashcardScreen)
        assert flashcard.id not in [card.card_id for card in cards.queue]
        await pilot.press("escape")
        await settle(pilot)
        # Un-suspend: back in the queue.
        await pilot.press("b")
        await settle(pilot)
        app.screen.query_one("#browser-table", DataTable).focus()
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert store_of(data_dir).suspended_cards(learner.id, deck.id) == set()


# --------------------------------------------------------------------------- mistakes


async def test_practise_my_mistakes_asks_the_latest_wrong_answers_most_recent_first(
    data_dir: Path, learner: Learner
) -> None:
    answer_wrong(data_dir, learner, ALL_TYPES, ["q-typed", "q-single"])
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen), app.screen_stack
        expected = [m.card_id for m in store_of(data_dir).mistakes(learner.id)]
        assert quiz.session.card_ids == expected == ["q-single", "q-typed"]


# --------------------------------------------------------------------------- interval previews


async def test_rating_keys_show_the_intervals_fsrs_gives(data_dir: Path, learner: Learner) -> None:
    app = new_app(data_dir)
    scheduler = fsrs.Scheduler(enable_fuzzing=False, desired_retention=0.9)
    new_card = fsrs.Card(card_id=0, due=FIXED_NOW)
    labels = []
    for rating, name in ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")):
        card, _ = scheduler.review_card(new_card, fsrs.Rating(rating), FIXED_NOW)
        labels.append(f"{rating} {name} {format_interval(card.due - FIXED_NOW)}")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FlashcardScreen)
        await pilot.press("space")
        await settle(pilot)
        back = str(app.screen.query_one("#card-back", Static).render())
        assert "  ".join(labels) in back, back
        assert labels[0] == "1 Again <1m"


# --------------------------------------------------------------------------- settings


async def test_settings_are_checked_saved_at_once_and_used_at_once(
    data_dir: Path, learner: Learner
) -> None:
    app = new_app(data_dir)
    settings_file = paths.settings_path(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        box = app.screen.query_one("#new_cards_per_day", Input)
        assert app.focused is box and box.value == "20"
        # Out of range: refused, said why, nothing written.
        box.value = ""
        await pilot.press(*"5000", "enter")
        await settle(pilot)
        assert "from 0 to 1000" in screen_text(app)
        assert load_settings(settings_file)[0].new_cards_per_day == 20
        # In range: saved to the file at once.
        box.value = ""
        await pilot.press(*"1", "enter")
        await settle(pilot)
        assert json.loads(settings_file.read_text())["new_cards_per_day"] == 1
        assert "Saved" in screen_text(app)
        retention = app.screen.query_one("#desired_retention", Input)
        retention.focus()
        retention.value = ""
        await pilot.press(*"0.95", "tab")
        await settle(pilot)
        assert load_settings(settings_file)[0].desired_retention == 0.95
        await pilot.press("escape")
        await settle(pilot)
        # Used at once: one new card a day now.
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FlashcardScreen)
        assert len(app.screen.queue) == 1


async def test_settings_are_in_the_command_palette(data_dir: Path, learner: Learner) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Settings" in titles


# --------------------------------------------------------------------------- charts


async def test_statistics_screen_shows_the_progress_charts(
    data_dir: Path, learner: Learner
) -> None:
    seed_weeks(data_dir, learner)
    app = new_app(data_dir)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatisticsScreen)
        charts = app.screen.query_one(ProgressCharts)
        progress = charts.progress
        assert progress is not None
        expected = store_of(data_dir).daily_activity(learner.id, FIXED_NOW - timedelta(days=40))
        assert sum(d.answered for d in progress.history) == sum(d.answered for d in expected)
        assert progress.streak == 4
        text = screen_text(app)
        assert "Quiz answers per day" in text and "% right" in text
        assert "Studied on 12 of the last 365 days. Current streak: 4 days." in text
        assert "Date" in text
