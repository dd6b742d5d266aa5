"""`quizapp new-deck FILE --drug NAME`: a starter deck that validates and lints without errors.

The command runs as a real process; its output is checked with `quizapp validate` and
`quizapp lint` (also real processes) and read back with the app's loader.
"""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest

from quizapp.core.decks.json_schema import DECK_SCHEMA_FILENAME, deck_json_schema
from quizapp.core.decks.loading import load_deck
from quizapp.core.decks.starter import (
    StarterDeckError,
    deck_id_for,
    starter_deck_text,
    write_starter_deck,
)
from quizapp.core.lint import lint_deck
from quizapp.core.notice import NOTICE
from tests.conftest import run_quizapp

CARD_TYPES = {"single", "multi", "true_false", "typed", "order", "flashcard"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_deck_validates_and_lints_without_errors(tmp_path: Path) -> None:
    deck = tmp_path / "valproate.yaml"
    made = run_quizapp("new-deck", deck, "--drug", "valproic acid")
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0] == f"Wrote the starter deck {deck}"

    validated = run_quizapp("validate", deck)
    assert validated.returncode == 0, validated.stdout
    assert validated.stdout.splitlines()[-1] == "1 deck(s) valid, 0 file(s) with 0 error(s)"

    linted = run_quizapp("lint", deck)
    assert linted.returncode == 0, linted.stdout
    summary = linted.stdout.splitlines()[-1]
    assert summary.startswith("1 deck(s) checked, 0 error(s), ")
    # A draft's coverage is reported, as warnings: the author sees what is still to do.
    assert "[missing-topic] warning:" in linted.stdout


def test_the_starter_has_one_card_of_each_type_and_what_the_issue_lists(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    write_starter_deck(path, "diazepam", today=date(2026, 11, 29))
    text = path.read_text(encoding="utf-8")
    deck = load_deck(path)

    assert text.startswith(f"# yaml-language-server: $schema=./{DECK_SCHEMA_FILENAME}\n")
    assert sorted(card.type for card in deck.cards) == sorted(CARD_TYPES)
    assert (deck.id, deck.drug.generic, deck.version) == ("diazepam", "diazepam", "0.1.0")
    assert deck.reviewed == date(2026, 11, 29)
    assert [source.id for source in deck.sources] == ["label"]
    assert "sources:\n" in text and "#   url        its web address" in text
    # The notice, word for word, as comments.
    comment_words = " ".join(
        line.lstrip("# ") for line in text.splitlines() if line.startswith("#")
    ).split()
    assert " ".join(NOTICE.split()) in " ".join(comment_words)
    assert "This is education, not medical advice." in (deck.description or "")
    # Each card type's block is introduced by a comment on what to fill in.
    for card_type in CARD_TYPES:
        assert f"  # {card_type}: " in text
    # Every learner-visible text is a placeholder, never a fact.
    for card in deck.cards:
        shown = card.front if card.type == "flashcard" else card.prompt
        assert shown.startswith("Write ")
        assert card.explanation.startswith("Write ")
    # Lint: no errors on the draft.
    assert [f for f in lint_deck(deck, path) if f.severity == "error"] == []


def test_the_schema_file_is_written_beside_it(tmp_path: Path) -> None:
    written = write_starter_deck(tmp_path / "deck.yaml", "diazepam")
    schema = tmp_path / DECK_SCHEMA_FILENAME
    assert (written.schema, written.schema_written, written.schema_current) == (
        schema,
        True,
        True,
    )
    assert json.loads(schema.read_text(encoding="utf-8")) == deck_json_schema()
    printed = run_quizapp("schema")
    assert schema.read_text(encoding="utf-8") == printed.stdout  # same as `quizapp schema`
    assert _mode(schema) == 0o600 and _mode(written.deck) == 0o600


def test_an_existing_deck_file_is_never_overwritten(tmp_path: Path) -> None:
    deck = tmp_path / "mine.yaml"
    deck.write_text("my work\n", encoding="utf-8")
    proc = run_quizapp("new-deck", deck, "--drug", "diazepam")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"quizapp: {deck} exists: new-deck never replaces a file; choose another name\n"
    )
    assert deck.read_text(encoding="utf-8") == "my work\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


def test_an_existing_schema_file_is_left_alone(tmp_path: Path) -> None:
    first = write_starter_deck(tmp_path / "one.yaml", "diazepam")
    second = write_starter_deck(tmp_path / "two.yaml", "clonazepam")
    assert (first.schema_written, second.schema_written, second.schema_current) == (
        True,
        False,
        True,
    )
    old_schema = tmp_path / DECK_SCHEMA_FILENAME
    old_schema.write_text('{"old": true}\n', encoding="utf-8")
    proc = run_quizapp("new-deck", tmp_path / "three.yaml", "--drug", "lorazepam")
    assert proc.returncode == 0, proc.stderr
    assert f"Left {old_schema} as it was; it differs" in proc.stdout
    assert old_schema.read_text(encoding="utf-8") == '{"old": true}\n'
    assert load_deck(tmp_path / "three.yaml").id == "lorazepam"


@pytest.mark.parametrize(
    ("name", "deck_id"),
    [
        ("Valproic acid", "valproic-acid"),
        ('odd "name": # with [yaml] {characters}', "odd-name-with-yaml-characters"),
        ("café-au-lait 2", "cafe-au-lait-2"),
        ("  lithium  ", "lithium"),
    ],
)
def test_any_printable_drug_name_gives_a_valid_deck(
    tmp_path: Path, name: str, deck_id: str
) -> None:
    path = tmp_path / "deck.yaml"
    write_starter_deck(path, name)
    deck = load_deck(path)
    assert (deck.id, deck.drug.generic) == (deck_id, name.strip())
    assert deck.title == f"{name.strip()}: how it works and how to use it safely"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "the drug name is empty"),
        ("two\nlines", "line break or a control character"),
        ("ロラゼパム", "no letters a-z or digits"),
        ("x" * 201, "longer than 200 characters"),
    ],
)
def test_an_unusable_drug_name_is_refused_and_nothing_written(
    tmp_path: Path, name: str, message: str
) -> None:
    with pytest.raises(StarterDeckError, match=message):
        starter_deck_text(name, date(2026, 1, 1))
    proc = run_quizapp("new-deck", tmp_path / "deck.yaml", "--drug", name)
    assert proc.returncode == 2
    assert proc.stderr.startswith("quizapp: ") and message in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    proc = run_quizapp("new-deck", tmp_path / "nowhere" / "deck.yaml", "--drug", "diazepam")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"quizapp: cannot write {tmp_path / 'nowhere' / 'deck.yaml'}")
    assert "Traceback" not in proc.stderr


def test_deck_ids_are_slugs() -> None:
    assert deck_id_for("Diazepam (Valium)") == "diazepam-valium"
    assert deck_id_for("x" * 80) == "x" * 64
