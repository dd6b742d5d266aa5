"""Decks are read as YAML 1.2 (core schema), as deck authors' editors read them.

Before issue 19 the loader read YAML 1.1, where `answer: no` is false while editors and
check-jsonschema read the text "no". These tests pin the YAML 1.2 reading, the message a
boolean field given yes/no/on/off gets, that the hardening still holds with the core-schema
C loader, and that every bundled card means exactly what it meant under the old reader.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
import yamlcore

from quizapp.core.decks import safe_yaml
from quizapp.core.decks.errors import DeckLoadError
from quizapp.core.decks.loading import deck_from_text, load_deck
from quizapp.core.decks.model import Deck

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted((REPO / "decks").glob("*.yaml"))
SAMPLE = REPO / "tests" / "data" / "decks" / "valid" / "sample.yaml"
WHERE = Path("deck.yaml")


def parse(text: str) -> Any:
    return safe_yaml.parse_yaml(WHERE, text)


# --- YAML 1.2 core-schema scalars -------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # YAML 1.1 booleans are text in YAML 1.2
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("No", "No"),
        ("OFF", "OFF"),
        # the core schema's booleans
        ("true", True),
        ("True", True),
        ("FALSE", False),
        # numbers: no underscores, no sexagesimal; a leading zero is decimal, 0o is octal
        ("1_000", "1_000"),
        ("0777", 777),
        ("0o17", 15),
        ("0x1F", 31),
        ("1:30", "1:30"),
        ("0.8", 0.8),
        ("1e3", 1000.0),
        # dates are text (the model reads YYYY-MM-DD text as a date)
        ("2026-11-29", "2026-11-29"),
        # null
        ("~", None),
        ("null", None),
        ("", None),
    ],
)
def test_plain_scalars_are_read_as_yaml_1_2(written: str, read: Any) -> None:
    value = parse(f"value: {written}\n")["value"]
    assert value == read and type(value) is type(read)


def test_the_loader_is_yamlcore_on_libyaml() -> None:
    # The fast C parser with the YAML 1.2 resolvers, where PyYAML has libyaml.
    if yaml.__with_libyaml__:
        assert safe_yaml.BaseSafeLoader is yamlcore.CCoreLoader
    assert issubclass(safe_yaml._DeckYamlLoader, safe_yaml.BaseSafeLoader)


def test_anchored_documents_read_the_same_way() -> None:
    # Documents with anchors take PyYAML's own construction path, not the plain fast path.
    data = parse("a: &x no\nb: *x\nc: 0777\nd: 2026-01-02\n")
    assert data == {"a": "no", "b": "no", "c": 777, "d": "2026-01-02"}


# --- the hardening still holds ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!timestamp 2026-01-02\n",
        "a: !!set {x, y}\n",
    ],
)
def test_tags_outside_the_core_schema_are_refused(text: str) -> None:
    with pytest.raises(DeckLoadError) as caught:
        parse(text)
    (error,) = caught.value.errors
    assert (error.line, error.column) == (1, 4)
    assert "could not determine a constructor" in error.message


def test_a_duplicate_key_is_named_with_the_first_ones_line() -> None:
    with pytest.raises(DeckLoadError) as caught:
        parse("answer: true\nprompt: x\nanswer: no\n")
    (error,) = caught.value.errors
    assert (error.line, error.column) == (3, 1)
    assert "duplicate key 'answer' (first at line 1)" in error.message


def test_alias_expansion_is_still_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(DeckLoadError) as caught:
        parse("\n".join(lines) + "\n")
    assert "aliases" in caught.value.errors[0].message


# --- booleans written yes/no: a clear file:line:column error --------------------------------


@pytest.mark.parametrize(
    ("field_line", "written", "write"),
    [
        ("    answer: false", "no", "false"),
        ("    answer: false", "yes", "true"),
        ("    answer: false", "Off", "false"),
        ("    critical: true", "on", "true"),
        ("    critical: true", "n", "false"),
    ],
)
def test_a_boolean_written_yes_or_no_says_what_to_write(
    field_line: str, written: str, write: str
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    lines = text.split("\n")
    index = lines.index(field_line)
    name = field_line.split(":")[0]
    lines[index] = f"{name}: {written}"
    with pytest.raises(DeckLoadError) as caught:
        deck_from_text(WHERE, "\n".join(lines))
    (error,) = caught.value.errors
    assert (error.line, error.column) == (index + 1, len(name) + 3)
    assert error.message == (
        f"must be true or false: {written!r} is text, not a boolean, in YAML 1.2 (as quizapp"
        f" and editors read it): write {write}"
    )
    assert str(error).startswith(f"deck.yaml:{index + 1}:{len(name) + 3}: cards.")


def test_a_quoted_true_says_to_drop_the_quotes() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("    answer: false", '    answer: "false"')
    with pytest.raises(DeckLoadError) as caught:
        deck_from_text(WHERE, text)
    assert caught.value.errors[0].message == (
        "must be true or false: 'false' in quotes is text: write false without quotes"
    )


def test_deck_flag_written_yes_is_an_error_at_its_line() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "schema_version: 1\n", "schema_version: 1\nflashcards_include_quiz: yes\n"
    )
    with pytest.raises(DeckLoadError) as caught:
        deck_from_text(WHERE, text)
    (error,) = caught.value.errors
    assert error.field == "flashcards_include_quiz"
    assert error.line == text.split("\n").index("flashcards_include_quiz: yes") + 1
    assert error.message.endswith("write true")


# --- dates: YYYY-MM-DD text ---------------------------------------------------------------------


def test_reviewed_date_is_read_from_text() -> None:
    deck = load_deck(SAMPLE)
    assert deck.reviewed == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2026-13-45", "2026-13-45 is not a real date (month must be in 1..12)"),
        ("2026-02-30", "2026-02-30 is not a real date (day is out of range for month)"),
        ('"29/11/2026"', "must be a date written as YYYY-MM-DD, e.g. 2026-11-29"),
        ("20261129", "must be a date written as YYYY-MM-DD"),
        ('"\u0662\u0660\u0662\u0666-11-29"', "must be a date written as YYYY-MM-DD"),
    ],
)
def test_a_date_not_written_yyyy_mm_dd_says_how(written: str, message: str) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "reviewed: 2026-11-21", f"reviewed: {written}"
    )
    with pytest.raises(DeckLoadError) as caught:
        deck_from_text(WHERE, text)
    (error,) = caught.value.errors
    assert error.field == "reviewed"
    assert message in error.message


# --- bundled decks: the same meaning as under the YAML 1.1 reader ------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_every_bundled_card_means_what_it_meant_under_yaml_1_1(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # The old way: PyYAML's YAML 1.1 safe loader (what decks were read with before).
    old_raw = yaml.load(text, Loader=yaml.CSafeLoader)
    old_deck = Deck.model_validate(old_raw)
    # The new way: the app's loader.
    new_raw = safe_yaml.parse_yaml(path, text)
    new_deck = load_deck(path)

    assert len(new_raw["cards"]) == len(old_raw["cards"]) > 0
    for old_card, new_card in zip(old_raw["cards"], new_raw["cards"], strict=True):
        assert new_card == old_card  # every card's YAML reads to the same data, value for value
    for old_card, new_card in zip(old_deck.cards, new_deck.cards, strict=True):
        assert new_card.model_dump() == old_card.model_dump()
        assert new_card.content_hash() == old_card.content_hash()
    assert new_deck == old_deck  # and the whole deck, `reviewed` date included
    # Outside the cards only the date differs in the raw data (YAML 1.2: text).
    changed = {key for key in old_raw if old_raw[key] != new_raw[key]}
    assert changed <= {"reviewed"}
    assert new_raw["reviewed"] == old_raw["reviewed"].isoformat()
