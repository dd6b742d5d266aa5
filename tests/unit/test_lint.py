"""Tests for `quizapp.core.lint` and the `quizapp lint` command.

Each fixture in tests/data/decks/lint/ breaks exactly one check (clean.yaml breaks none).
The tests assert the check's name, the line it points at and the exit code, so removing or
breaking any check makes at least one test fail (`test_every_check_has_a_fixture` guards
that every check stays covered).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from quizapp.cli import main
from quizapp.core import lint
from quizapp.core.decks.loading import load_deck, load_decks
from quizapp.core.decks.model import Deck
from quizapp.core.lint import (
    CHECKS,
    LintFinding,
    commercial_words,
    lint_deck,
    lint_result,
    mentions_emergency,
    unexpected_numbers,
)

LINT_DIR = Path(__file__).resolve().parent.parent / "data" / "decks" / "lint"
CLEAN = LINT_DIR / "clean.yaml"


def line_of(path: Path, line_text: str) -> int:
    """1-based number of the one line of `path` that reads exactly `line_text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [n for n, line in enumerate(lines, start=1) if line.rstrip() == line_text]
    assert len(hits) == 1, f"{line_text!r} is on lines {hits} of {path.name}, expected one"
    return hits[0]


@dataclass(frozen=True)
class Case:
    """A fixture, the check it breaks, the line the finding points at and its severity."""

    fixture: str
    check: str
    line_text: str
    severity: str = "error"

    @property
    def path(self) -> Path:
        return LINT_DIR / self.fixture

    @property
    def line(self) -> int:
        return line_of(self.path, self.line_text)


TOPICS_LINE = "topics: [mechanism, uses, adverse-effects, stopping-safely]"

CASES = [
    Case("reading-level.yaml", "reading-level", "  - id: uses-typed"),
    Case("reading-level-deck.yaml", "reading-level", "cards:"),
    Case(
        "commercial.yaml",
        "commercial",
        "        feedback: No, and you cannot buy a faster-acting version either.",
    ),
    Case("no-source.yaml", "no-source", "      - id: label"),
    Case("duplicate-prompt.yaml", "duplicate-prompt", '    prompt: "Diazepam  CALMS the brain!"'),
    Case(
        "duplicate-prompt.yaml",
        "duplicate-prompt",
        "    front: Which group of medicine is diazepam in?",
        "warning",
    ),
    Case("answer-position.yaml", "answer-position", "cards:"),
    Case("missing-topic.yaml", "missing-topic", TOPICS_LINE),
    Case("missing-topic-caregiver.yaml", "missing-topic", TOPICS_LINE, "warning"),
    Case("too-few-critical.yaml", "too-few-critical", "cards:"),
    Case("emergency-numbers.yaml", "emergency-numbers", "    back: Poison Help, 800-222-1222."),
    Case(
        "source-drug.yaml",
        "source-drug",
        "      - {id: klonopin-label, section: Adverse Reactions}",
    ),
    Case("source-drug.yaml", "source-drug", "      - {id: foundation-pages, section: Clonazepam}"),
    Case("simultaneous-steps.yaml", "simultaneous-steps", "      - Agree on a slow plan."),
    Case(
        "accepted-variant.yaml",
        "accepted-variant",
        "    accepted: [anxiety, seizure, muscle spasms]",
    ),
]

# fixture -> exit code of `quizapp lint FILE`: 1 when any finding is an error
FIXTURE_EXIT = {
    case.fixture: max(
        (1 if other.severity == "error" else 0) for other in CASES if other.fixture == case.fixture
    )
    for case in CASES
}


def _lint_file(path: Path) -> list[LintFinding]:
    result = load_decks([path])
    assert result.errors == [], [str(error) for error in result.errors]
    return lint_result(result)


# --- fixtures through the library --------------------------------------------------------


def test_clean_fixture_has_no_findings() -> None:
    assert _lint_file(CLEAN) == []


@pytest.mark.parametrize("fixture", sorted(FIXTURE_EXIT), ids=str)
def test_fixture_breaks_only_its_check(fixture: str) -> None:
    expected = {case.check for case in CASES if case.fixture == fixture}
    findings = _lint_file(LINT_DIR / fixture)
    assert {finding.check for finding in findings} == expected, [str(f) for f in findings]


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.fixture}:{case.severity}")
def test_finding_names_check_line_and_severity(case: Case) -> None:
    findings = _lint_file(case.path)
    at_line = [f for f in findings if f.check == case.check and f.line == case.line]
    assert at_line, f"no [{case.check}] at line {case.line}: {[str(f) for f in findings]}"
    assert {f.severity for f in at_line} == {case.severity}
    assert all(f.path == case.path for f in at_line)


def test_every_check_has_a_fixture() -> None:
    assert {case.check for case in CASES} == set(CHECKS)


def test_every_lint_fixture_is_used() -> None:
    # A fixture nobody asserts on would rot silently.
    on_disk = {path.name for path in LINT_DIR.glob("*.yaml")}
    assert on_disk == set(FIXTURE_EXIT) | {CLEAN.name}


def test_card_findings_carry_the_card_id() -> None:
    (finding,) = _lint_file(LINT_DIR / "reading-level.yaml")
    assert finding.card_id == "uses-typed"
    (deck_level,) = _lint_file(LINT_DIR / "too-few-critical.yaml")
    assert deck_level.card_id is None


def test_missing_topic_reports_each_topic() -> None:
    messages = [f.message for f in _lint_file(LINT_DIR / "missing-topic.yaml")]
    assert len(messages) == 4
    assert any("'stopping-safely' has no quiz cards" in m for m in messages)
    assert any("'mechanism' has 1 quiz card(s)" in m for m in messages)


# --- the command ---------------------------------------------------------------------------


def test_cli_clean_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(CLEAN)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "1 deck(s) checked, 0 error(s), 0 warning(s)"


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.fixture}:{case.severity}")
def test_cli_prints_file_line_check(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", str(case.path)])
    out = capsys.readouterr().out
    assert code == FIXTURE_EXIT[case.fixture]
    assert f"{case.path}:{case.line}: [{case.check}] " in out


def test_cli_reports_decks_that_do_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 1\nid: broken\n", encoding="utf-8")
    assert main(["lint", str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"{broken}:" in out and "[invalid-deck]" in out


def test_lint_subprocess() -> None:
    # One real run of the installed entry point, as CI and authors use it.
    path = LINT_DIR / "commercial.yaml"
    line = line_of(path, CASES[2].line_text)
    done = subprocess.run(
        [sys.executable, "-m", "quizapp", "lint", str(path), str(CLEAN)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert f"{path}:{line}: [commercial] commercial wording 'buy'" in done.stdout
    assert "2 deck(s) checked, 1 error(s), 0 warning(s)" in done.stdout
    assert "Traceback" not in done.stderr


# --- LintFinding -------------------------------------------------------------------------------


def test_finding_str() -> None:
    error = LintFinding(Path("decks/x.yaml"), 12, "commercial", "bad word")
    assert str(error) == "decks/x.yaml:12: [commercial] bad word"
    warning = LintFinding(Path("x.yaml"), 3, "duplicate-prompt", "alike", "warning", "c1")
    assert str(warning) == "x.yaml:3: [duplicate-prompt] warning: alike"
    with pytest.raises(AttributeError):
        error.line = 1  # type: ignore[misc]


# --- the checks on decks built in the test ----------------------------------------------------


def _deck(cards: list[dict[str, Any]], audience: str = "clinician") -> Deck:
    return Deck.model_validate(
        {
            "schema_version": 1,
            "id": "built",
            "title": "Built in a test",
            "drug": {"generic": "diazepam"},
            "audience": audience,
            "version": "1",
            "reviewed": date(2026, 1, 1),
            "sources": [
                {"id": "label", "title": "Label", "publisher": "P", "url": "https://x.org/"}
            ],
            "topics": ["mechanism", "emergencies"],
            "cards": cards,
        }
    )


_PROMPTS = [
    "What does diazepam do?",
    "Which messenger is helped?",
    "Who should plan a taper?",
    "When is 911 the right call?",
    "Why keep the bottle locked away?",
    "How is alcohol a risk here?",
]


def _single(n: int, right: int) -> dict[str, Any]:
    choices = [f"Choice {letter}" for letter in "abc"]
    return {
        "id": f"q{n}",
        "type": "single",
        "topic": "mechanism",
        "prompt": _PROMPTS[n],
        "choices": choices,
        "answer": choices[right],
        "explanation": "Because.",
        "sources": [{"id": "label", "section": "S"}],
    }


@pytest.mark.parametrize(
    ("positions", "flagged"),
    [
        ([0, 0, 1, 1, 2], False),  # 40% is allowed: the limit is "more than 40%"
        ([0, 0, 0, 1, 2], True),  # 60%
        ([0, 0, 0, 0], False),  # fewer than 5 single cards: too few to judge
        ([2, 2, 2, 0, 1, 1], True),  # 50%, on the last position
    ],
)
def test_answer_position_threshold(positions: list[int], flagged: bool) -> None:
    deck = _deck([_single(n, right) for n, right in enumerate(positions)])
    checks = [f.check for f in lint_deck(deck, None)]
    assert ("answer-position" in checks) is flagged


def test_card_without_sources_is_an_error() -> None:
    deck = load_deck(CLEAN)
    # The schema refuses an empty list; a deck built in code can still have one.
    bare = deck.cards[2].model_copy(update={"sources": []})
    deck = deck.model_copy(update={"cards": [*deck.cards[:2], bare, *deck.cards[3:]]})
    (finding,) = lint_deck(deck, CLEAN)
    assert (finding.check, finding.card_id, finding.severity) == ("no-source", "uses-tf", "error")
    assert finding.line == line_of(CLEAN, "  - id: uses-tf")


def test_default_section_of_a_source_counts() -> None:
    # clean.yaml cites poison-help without a section; the source gives one for the deck.
    deck = load_deck(CLEAN)
    assert any(ref.section is None for card in deck.cards for ref in card.sources)
    assert [f for f in lint_deck(deck, CLEAN) if f.check == "no-source"] == []


def test_numbers_are_checked_only_on_emergency_cards() -> None:
    card = {
        "id": "c1",
        "type": "true_false",
        "topic": "mechanism",
        "prompt": "The pharmacy line is 555-123-4567.",
        "answer": True,
        "explanation": "Made up.",
        "sources": [{"id": "label", "section": "S"}],
    }
    assert lint_deck(_deck([card]), None) == []
    card["explanation"] = "In an emergency, call 911."
    (finding,) = lint_deck(_deck([card]), None)
    assert finding.check == "emergency-numbers"
    assert "'555-123-4567'" in finding.message


def test_other_number_formats_may_be_accepted_but_not_shown() -> None:
    card = {
        "id": "poison",
        "type": "typed",
        "topic": "emergencies",
        "prompt": "After an overdose, which number gives advice?",
        "accepted": ["1-800-222-1222", "800-222-1222"],
        "explanation": "Poison Help is free.",
        "sources": [{"id": "label", "section": "S"}],
    }
    # A learner who types it without the leading 1 is right; that variant is never shown.
    assert lint_deck(_deck([card]), None) == []
    card["accepted"] = ["800-222-1222", "1-800-222-1222"]  # the first is the model answer
    (finding,) = lint_deck(_deck([card]), None)
    assert (finding.check, finding.message.count("'800-222-1222'")) == ("emergency-numbers", 1)


def test_lint_deck_without_a_path_uses_line_0() -> None:
    deck = _deck([_single(n, 0) for n in range(5)])
    (finding,) = lint_deck(deck, None)
    assert (finding.line, str(finding.path)) == (0, "<built>")


# --- the word and number matchers -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Buy it here",
        "buying",
        "Do not order it online",
        "Order now!",
        "ordering online",
        "order yours today",
        "Place your order here.",
        "a cheap copy",
        "a discount",
        "use this coupon",
        "the price",
        "low prices",
        "on sale",
        "a good deal",
        "deals",
        "shop now",
        "shopping",
        "free shipping",
        "an ONLINE   pharmacy",
        "No prescription needed!",
        "promo code",
        "a best seller",
        "start a free trial",
        "re-order it now",  # a hyphen is a word boundary
    ],
)
def test_commercial_words_found(text: str) -> None:
    assert commercial_words(text), text


@pytest.mark.parametrize(
    "text",
    [
        "A border line",
        "an ordinary day",
        "coordinate with the prescriber",
        "a shopkeeper",
        "the pharmacist",
        "salesperson",
        "dealt with it",
        "a prescription is needed",
        # issue 13: "order" alone teaches, it does not sell
        "in order to sleep",
        "Put the steps in order.",
        "Never give a dose that was not ordered.",
        "the order of the steps",
        "a new order from the prescriber",
    ],
)
def test_commercial_words_not_found(text: str) -> None:
    assert commercial_words(text) == [], text


def test_every_listed_term_is_matched() -> None:
    # Guards against a term being dropped from COMMERCIAL_TERMS by mistake.
    for word in [
        "buy", "buying", "order now", "cheap", "discount", "coupon", "price", "prices", "sale",
        "deal", "deals", "shop", "shopping", "shipping", "online pharmacy",
        "no prescription needed", "promo", "best seller", "free trial",
    ]:  # fmt: skip
        assert commercial_words(f"x {word} y") == [word], word
    assert len(lint.COMMERCIAL_TERMS) >= 15


@pytest.mark.parametrize(
    "text",
    [
        "Call 911 now.",
        "Call or text 988.",
        "Poison Help: 1-800-222-1222, any time.",
        "Take 10 mg, then 100 mg.",
        "Reviewed 2026-11-21.",
        "Call 911, then 1-800-222-1222.",
    ],
)
def test_allowed_numbers(text: str) -> None:
    assert unexpected_numbers(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Poison Help 800-222-1222", "800-222-1222"),
        ("Poison Help (800) 222-1222", "(800) 222-1222"),
        ("Poison Help 1 800 222 1222", "1 800 222 1222"),
        ("Poison Help 18002221222", "18002221222"),
        ("Poison Help 1.800.222.1222", "1.800.222.1222"),
        ("Poison Help +1-800-222-1222", "+1-800-222-1222"),
        ("Dial 9-1-1", "9-1-1"),
        ("In Europe call 112", "112"),
        ("Call 555-123-4567", "555-123-4567"),
    ],
)
def test_unexpected_numbers(text: str, number: str) -> None:
    assert unexpected_numbers(text) == [number]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Signs of an overdose", True),
        ("This is an emergency.", True),
        ("Call 911.", True),
        ("Poison Help", True),
        ("Take it with water.", False),
    ],
)
def test_mentions_emergency(text: str, expected: bool) -> None:
    assert mentions_emergency(text) is expected
