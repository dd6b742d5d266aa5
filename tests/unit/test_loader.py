"""The deck loader: positioned errors for every broken deck, folders, duplicates, fuzzing."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.core.decks import safe_yaml
from quizapp.core.decks.errors import DeckError, DeckLoadError
from quizapp.core.decks.loading import deck_from_text, load_deck, load_decks
from quizapp.core.decks.model import Deck

DECK_DATA = Path(__file__).resolve().parents[1] / "data" / "decks"
VALID_DIR = DECK_DATA / "valid"
INVALID_DIR = DECK_DATA / "invalid"
SAMPLE = VALID_DIR / "sample.yaml"


def _load_errors(path: Path) -> list[DeckError]:
    with pytest.raises(DeckLoadError) as caught:
        load_deck(path)
    assert caught.value.errors, "a DeckLoadError must carry at least one error"
    return caught.value.errors


# --- the valid decks -----------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(VALID_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_decks_load(path: Path) -> None:
    deck = load_deck(path)
    assert isinstance(deck, Deck)
    assert deck.cards


def test_sample_covers_every_card_type() -> None:
    deck = load_deck(SAMPLE)
    assert {card.type for card in deck.cards} == {
        "single",
        "multi",
        "true_false",
        "typed",
        "order",
        "flashcard",
    }


# --- the broken decks ----------------------------------------------------------------------


def test_there_are_at_least_25_kinds_of_broken_deck() -> None:
    assert len(list(INVALID_DIR.glob("*.yaml"))) >= 25


def test_invalid_fixtures_are_small() -> None:
    for path in INVALID_DIR.iterdir():
        assert path.stat().st_size < 20_000, f"{path} is big: generate big files in the test"


def test_invalid_deck_error_is_positioned(invalid_case: Any) -> None:
    errors = _load_errors(invalid_case.path)
    at = [(e.line, e.column) for e in errors]
    matching = [e for e in errors if invalid_case.message in e.message]
    assert matching, f"no error says {invalid_case.message!r}: {[str(e) for e in errors]}"
    assert (matching[0].line, matching[0].column) == (invalid_case.line, invalid_case.column), at
    for error in errors:
        assert error.path == invalid_case.path
        assert "Input should" not in error.message, f"raw pydantic text: {error}"
        assert "after validation" not in error.message, f"raw pydantic text: {error}"


def test_error_str_is_editor_friendly(tmp_path: Path) -> None:
    error = DeckError(tmp_path / "d.yaml", 3, 7, "must be text", "cards.0.prompt")
    assert str(error) == f"{tmp_path / 'd.yaml'}:3:7: cards.0.prompt: must be text"
    assert str(DeckError(Path("d.yaml"), 1, 1, "empty")) == "d.yaml:1:1: empty"


def test_several_errors_are_all_reported_in_line_order(tmp_path: Path, sample_text: str) -> None:
    text = sample_text.replace("audience: patient", "audience: patients").replace(
        "    critical: true\n    prompt: Which are true?", '    critical: "yes"\n    prompt: Which?'
    )
    path = tmp_path / "two-problems.yaml"
    path.write_text(text, encoding="utf-8")
    errors = _load_errors(path)
    assert [(e.line, e.field) for e in errors] == [(8, "audience"), (33, "cards.1.critical")]


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(SAMPLE.read_bytes())
        handle.truncate(safe_yaml.MAX_DECK_BYTES + 1)  # sparse: no multi-MB write
    (error,) = _load_errors(path)
    assert "MB" in error.message and "split it" in error.message
    assert error.path == path


def test_file_just_under_the_size_bound_loads(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    padding = safe_yaml.MAX_DECK_BYTES - len(text.encode("utf-8")) - 10
    path = tmp_path / "big.yaml"
    path.write_text(text + "#" * padding + "\n", encoding="utf-8")
    assert load_deck(path).id == "sample-diazepam"


def test_missing_file_and_folder_are_load_errors(tmp_path: Path) -> None:
    (missing,) = _load_errors(tmp_path / "nope.yaml")
    assert "cannot read" in missing.message
    (folder,) = _load_errors(tmp_path)
    assert "cannot read" in folder.message


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert load_deck(path).id == "sample-diazepam"


def test_nul_after_non_ascii_text_has_the_right_column(tmp_path: Path) -> None:
    # libyaml reports byte offsets; the column must count characters.
    path = tmp_path / "nul.yaml"
    path.write_bytes("a: b\ntitle: diazépam \x00\n".encode())
    (error,) = _load_errors(path)
    assert (error.line, error.column) == (2, 17)


def test_moderate_anchor_use_is_allowed(tmp_path: Path, sample_text: str) -> None:
    text = sample_text.replace(
        "    sources: [{id: dailymed-valium}]\n  - id: stop-abrupt",
        "    sources: &src [{id: dailymed-valium}]\n  - id: stop-abrupt",
    ).replace("    sources: [{id: dailymed-valium}]", "    sources: *src")
    assert "*src" in text
    path = tmp_path / "anchors.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_deck(path).id == "sample-diazepam"


def test_errors_say_which_card_and_field(tmp_path: Path, sample_text: str) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(sample_text.replace("answer: Makes GABA work better", "answer: Nope"), "utf-8")
    (error,) = _load_errors(path)
    assert error.field == "cards.0.answer"
    assert str(error).startswith(f"{path}:27:13: cards.0.answer: answer 'Nope'")


def test_choice_that_is_a_number_is_explained(tmp_path: Path, sample_text: str) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(sample_text.replace("choices: [a, b, c]", "choices: [1, b, c]"), "utf-8")
    errors = _load_errors(path)
    assert any(e.line == 35 and "a choice must be text" in e.message for e in errors), errors


# --- folders ---------------------------------------------------------------------------


def test_folder_with_a_broken_deck_still_loads_the_good_one(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "a-good.yaml")
    shutil.copy(INVALID_DIR / "unknown-field.yaml", tmp_path / "b-broken.yaml")
    (tmp_path / "notes.txt").write_text("not a deck", encoding="utf-8")
    result = load_decks([tmp_path])
    assert [deck.id for deck in result.decks] == ["sample-diazepam"]
    assert result.paths == {"sample-diazepam": tmp_path / "a-good.yaml"}
    assert result.errors and {e.path for e in result.errors} == {tmp_path / "b-broken.yaml"}
    assert result.errors[0].line == 22


def test_every_broken_deck_in_one_folder(tmp_path: Path) -> None:
    result = load_decks([INVALID_DIR, VALID_DIR])
    assert [deck.id for deck in result.decks] == ["sample-diazepam"]
    assert {e.path.name for e in result.errors} == {p.name for p in INVALID_DIR.glob("*.yaml")}


def test_same_deck_id_in_two_files_names_both(tmp_path: Path) -> None:
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    shutil.copy(SAMPLE, first)
    shutil.copy(SAMPLE, second)
    result = load_decks([first, second])
    assert [deck.id for deck in result.decks] == ["sample-diazepam"]
    (error,) = result.errors
    assert error.path == second and (error.line, error.column) == (3, 1)
    assert str(first) in str(error) and str(second) in str(error)
    assert "sample-diazepam" in error.message


def test_the_same_file_twice_is_loaded_once(tmp_path: Path) -> None:
    result = load_decks([VALID_DIR, SAMPLE])
    assert len(result.decks) == len(list(VALID_DIR.glob("*.yaml")))
    assert not result.errors


# --- fuzzing: nothing but DeckLoadError escapes --------------------------------------------

FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WHERE = Path("fuzz.yaml")

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["single", "multi", "typed", "order", "flashcard", "true_false", "a", "1"])
    | st.dates(min_value=dt.date(1, 1, 1))
)
yaml_data = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(
            st.text(max_size=12) | st.integers() | st.booleans(), children, max_size=6
        )
    ),
    max_leaves=30,
)


def _only_deck_load_error(text: str) -> None:
    try:
        deck_from_text(WHERE, text)
    except DeckLoadError as exc:
        assert exc.errors
        for error in exc.errors:
            assert isinstance(error.line, int) and isinstance(error.column, int)
            assert error.message
            str(error)


@FUZZ
@given(st.text())
def test_fuzz_arbitrary_text(text: str) -> None:
    _only_deck_load_error(text)


@FUZZ
@given(st.text(alphabet="abc:-[]{},&*!? \n\t'\"#|>%@`01.", max_size=80))
def test_fuzz_yaml_punctuation(text: str) -> None:
    _only_deck_load_error(text)


@FUZZ
@given(yaml_data)
def test_fuzz_yaml_shaped_data(data: Any) -> None:
    _only_deck_load_error(yaml.safe_dump(data, allow_unicode=True))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


_SAMPLE_RAW = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
_SAMPLE_PATHS = [p for p in _paths(_SAMPLE_RAW) if p]


def _container_at(node: Any, where: tuple[Any, ...]) -> dict[Any, Any] | list[Any] | None:
    """The dict or list at `where`, or None once an earlier mutation changed the path."""
    for part in where:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node if isinstance(node, dict | list) else None


@st.composite
def mutated_decks(draw: st.DrawFn) -> Any:
    """The sample deck with 1-4 fields replaced, deleted or added.

    A path drawn from the original sample may no longer lead anywhere (an earlier mutation
    replaced a list with None, or deleted an item): only a path that still ends in a dict or
    a list is mutated; the others are left alone.
    """
    deck = copy.deepcopy(_SAMPLE_RAW)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(_SAMPLE_PATHS))
        parent = _container_at(deck, where[:-1])
        last = where[-1]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if parent is None:
            continue
        if action == "add":
            if isinstance(parent, dict):
                parent[draw(st.text(max_size=10))] = draw(yaml_data)
            else:
                parent.append(draw(yaml_data))
            continue
        if isinstance(parent, dict):
            present = last in parent
        else:
            present = isinstance(last, int) and last < len(parent)
        if not present:
            continue
        if action == "replace":
            parent[last] = draw(yaml_data)
        else:
            del parent[last]
    return deck


@FUZZ
@given(mutated_decks())
def test_fuzz_mutated_sample_deck(deck: Any) -> None:
    _only_deck_load_error(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False))


@FUZZ
@given(st.binary(max_size=300) | st.text().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_fuzz_arbitrary_bytes_through_load_deck(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(data)
        try:
            load_deck(path)
        except DeckLoadError as exc:
            assert exc.errors and all(e.path == path for e in exc.errors)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000,
        "a: " + "[" * 5000 + "]" * 5000,
        "- " * 3000 + "x",
        "a: 2026-02-30",
        "a: 1" + "0" * 6000,
        "&a [*a]",
        "? [a, b]\n: c",
        "!!python/object:os.system {}",
        "a: !!binary '@@@'",
        "{1: a, 1: b}",
        "<<: 5",
        "%YAML 1.1\n%YAML 1.1\n---\na: b",
    ],
)
def test_nasty_yaml_only_raises_deck_load_error(text: str) -> None:
    _only_deck_load_error(text)
