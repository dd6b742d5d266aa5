"""The bundled decks meet issue 3's "What it must show".

Parametrized over every `*.yaml` in the bundled deck folder, so a new deck is checked the
moment it is added. These tests measure the decks with their own simple code (and the
canonical readability module) rather than through `quizapp lint`, so a bug in lint cannot
hide a content problem; the last tests also run `quizapp validate` and `quizapp lint`.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizapp.core.decks.loading import LoadResult, load_decks
from quizapp.core.decks.model import MISSION_TOPICS, Card, Deck
from quizapp.core.lint import commercial_words, unexpected_numbers
from quizapp.core.paths import bundled_decks_dir
from quizapp.core.readability import card_grade, deck_grade

DECKS_DIR = bundled_decks_dir()
DECK_FILES = sorted(DECKS_DIR.glob("*.yaml"))
EXPECTED_DECKS = ("diazepam.yaml", "clonazepam.yaml", "benzodiazepines-caregivers.yaml")

QUIZ_TYPES = {"single", "multi", "true_false", "typed", "order"}
CARD_GRADE_MAX = {"patient": 10.0, "caregiver": 12.0}
DECK_GRADE_MAX = {"patient": 7.5, "caregiver": 9.0}

EMERGENCY = re.compile(r"\b(?:overdos\w*|emergenc\w*|911)\b", re.IGNORECASE)


@functools.cache
def _loaded(path: Path) -> LoadResult:
    return load_decks([path])


def _deck(path: Path) -> Deck:
    result = _loaded(path)
    if result.errors or len(result.decks) != 1:
        pytest.fail(f"{path.name} does not load: " + "; ".join(map(str, result.errors)))
    return result.decks[0]


def _deck_for(path: Path, *audiences: str) -> Deck:
    deck = _deck(path)
    if deck.audience not in audiences:
        pytest.skip(f"{deck.audience} deck: check applies to {', '.join(audiences)} decks")
    return deck


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            # ids, topics, types and citations are not shown to learners
            if key not in {"id", "type", "topic", "sources"}:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _card_text(card: Card) -> str:
    return "\n".join(_strings(card.model_dump(mode="json")))


def _shown_text(card: Card) -> str:
    # A typed card shows only its first accepted answer; the others are match variants
    # (e.g. "800-222-1222" for a learner who leaves out the leading 1).
    data = card.model_dump(mode="json")
    if "accepted" in data:
        data["accepted"] = data["accepted"][:1]
    return "\n".join(_strings(data))


def _deck_text(deck: Deck) -> str:
    parts = [deck.title, deck.description or ""]
    return "\n".join(parts + [_card_text(card) for card in deck.cards])


deck_files = pytest.mark.parametrize("path", DECK_FILES, ids=lambda path: path.name)


def test_expected_decks_exist() -> None:
    missing = [name for name in EXPECTED_DECKS if not (DECKS_DIR / name).is_file()]
    assert not missing, f"missing from {DECKS_DIR}: {missing}"


@deck_files
def test_loads_without_errors(path: Path) -> None:
    result = _loaded(path)
    assert [str(error) for error in result.errors] == []
    assert len(result.decks) == 1


@deck_files
def test_drug_deck_covers_mission_topics(path: Path) -> None:
    deck = _deck_for(path, "patient")
    counts = Counter(card.topic for card in deck.quiz_cards)
    short = {topic: counts[topic] for topic in MISSION_TOPICS if counts[topic] < 10}
    assert not short, f"mission topics with fewer than 10 quiz cards: {short}"


@deck_files
def test_drug_deck_mixes_card_types(path: Path) -> None:
    deck = _deck_for(path, "patient")
    types = Counter(card.type for card in deck.cards)
    assert QUIZ_TYPES <= set(types), f"quiz types missing: {QUIZ_TYPES - set(types)}"
    assert types["flashcard"] >= 15, f"{types['flashcard']} flashcards, need 15"


@deck_files
def test_caregiver_deck_size(path: Path) -> None:
    deck = _deck_for(path, "caregiver")
    assert len(deck.cards) >= 30


@deck_files
def test_enough_critical_cards(path: Path) -> None:
    deck = _deck_for(path, "patient", "caregiver")
    minimum = {"patient": 6, "caregiver": 8}[deck.audience]
    critical = sum(card.critical for card in deck.cards)
    assert critical >= minimum, f"{critical} critical cards, need {minimum}"


@deck_files
def test_every_card_cites_a_listed_source_with_section(path: Path) -> None:
    deck = _deck(path)
    listed = {source.id: source for source in deck.sources}
    problems = []
    for card in deck.cards:
        if not card.sources:
            problems.append(f"{card.id}: no source")
        for ref in card.sources:
            if ref.id not in listed:
                problems.append(f"{card.id}: cites unlisted {ref.id!r}")
            elif not (ref.section or listed[ref.id].section):
                problems.append(f"{card.id}: cites {ref.id!r} without a section")
    assert not problems, problems


@deck_files
def test_reading_level(path: Path) -> None:
    deck = _deck_for(path, "patient", "caregiver")
    limit = CARD_GRADE_MAX[deck.audience]
    too_hard = {card.id: card_grade(card) for card in deck.cards if card_grade(card) > limit}
    assert not too_hard, f"cards above grade {limit}: {too_hard}"
    assert deck_grade(deck) <= DECK_GRADE_MAX[deck.audience]


@deck_files
def test_no_commercial_words(path: Path) -> None:
    deck = _deck(path)
    heading = f"{deck.title}\n{deck.description or ''}"
    # One word list for lint and this test (quizapp.core.lint.COMMERCIAL_TERMS), so the
    # two cannot disagree about a word such as "order" (issue 13).
    hits = [f"deck: {word!r}" for word in commercial_words(heading)]
    for card in deck.cards:
        hits += [f"{card.id}: {word!r}" for word in commercial_words(_card_text(card))]
    assert not hits, hits


@deck_files
def test_right_answers_spread_over_positions(path: Path) -> None:
    deck = _deck(path)
    positions = Counter(
        card.choice_texts().index(card.answer) for card in deck.cards if card.type == "single"
    )
    total = sum(positions.values())
    if total == 0:
        pytest.skip("no single cards")
    shares = {pos + 1: round(count / total, 2) for pos, count in sorted(positions.items())}
    assert max(positions.values()) / total <= 0.40, f"share per position: {shares}"


@deck_files
def test_emergency_items_name_911_and_poison_help(path: Path) -> None:
    deck = _deck(path)
    emergency = [card for card in deck.cards if EMERGENCY.search(_card_text(card))]
    assert emergency, "no card about overdose or emergencies (911)"
    text = _deck_text(deck)
    assert "911" in text
    assert "1-800-222-1222" in text
    wrong = {
        card.id: unexpected_numbers(_shown_text(card))
        for card in emergency
        if unexpected_numbers(_shown_text(card))
    }
    assert not wrong, f"numbers other than 911, 988, 1-800-222-1222: {wrong}"


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_cli_passes_on_bundled_decks(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "quizapp", command, str(DECKS_DIR)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
