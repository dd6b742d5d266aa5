"""Content checks for decks, beyond what the schema can say (`quizapp lint`).

The schema (`quizapp.core.decks.model`) decides whether a deck *can* be read. Lint decides
whether it *should* be shipped to patients and caregivers: plain enough to read, free of
sales language, sourced, balanced and complete. Every check has a name, and every finding
is printed as `file:line: [check-name] message` so an editor can jump to it.

The thresholds come from issue 3 ("Content: diazepam, clonazepam and caregiver decks that
a pharmacist would sign"); each constant below says which part of it.

This module is part of the core: it must not import textual.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from quizapp.core.decks.loading import LoadResult
from quizapp.core.decks.model import MISSION_TOPICS, Card, Deck
from quizapp.core.lint_numbers import ALLOWED_NUMBERS as ALLOWED_NUMBERS
from quizapp.core.lint_numbers import mentions_emergency as mentions_emergency
from quizapp.core.lint_numbers import unexpected_numbers as unexpected_numbers
from quizapp.core.lint_rules import (
    ACCEPTED_VARIANT,
    SIMULTANEOUS_STEPS,
    SOURCE_DRUG,
    RuleFinding,
    accepted_variant_findings,
    simultaneous_step_findings,
    source_drug_findings,
)
from quizapp.core.readability import card_grade, deck_grade

Severity = Literal["error", "warning"]

# --- check names --------------------------------------------------------------------------

READING_LEVEL = "reading-level"
COMMERCIAL = "commercial"
NO_SOURCE = "no-source"
DUPLICATE_PROMPT = "duplicate-prompt"
ANSWER_POSITION = "answer-position"
MISSING_TOPIC = "missing-topic"
TOO_FEW_CRITICAL = "too-few-critical"
EMERGENCY_NUMBERS = "emergency-numbers"
INVALID_DECK = "invalid-deck"

CHECKS: tuple[str, ...] = (
    READING_LEVEL,
    COMMERCIAL,
    NO_SOURCE,
    DUPLICATE_PROMPT,
    ANSWER_POSITION,
    MISSING_TOPIC,
    TOO_FEW_CRITICAL,
    EMERGENCY_NUMBERS,
    SOURCE_DRUG,
    SIMULTANEOUS_STEPS,
    ACCEPTED_VARIANT,
)
"""The content checks `lint_deck` runs. (`invalid-deck` only relays load errors.)"""

# --- thresholds (issue 3) -----------------------------------------------------------------

CARD_GRADE_LIMITS: dict[str, float] = {"patient": 10.0, "caregiver": 12.0}
"""Highest Flesch-Kincaid grade of one card's prompt + explanation, per audience.

Issue 3, "What it must show": "no card above grade 10 (caregiver deck: ... <= 12)".
Clinician decks have no limit: their readers are trained in the vocabulary.
"""

DECK_GRADE_LIMITS: dict[str, float] = {"patient": 7.5, "caregiver": 9.0}
"""Highest Flesch-Kincaid grade of a whole deck, per audience.

Issue 3: "patient decks have a deck-level Flesch-Kincaid grade <= 7.5 (caregiver deck: <= 9)".
"""

MIN_QUIZ_CARDS_PER_MISSION_TOPIC = 10
"""Issue 3: each drug deck covers the four mission topics "with at least 10 quiz cards per
topic"."""

MIN_CRITICAL_CARDS: dict[str, int] = {"patient": 6, "caregiver": 8}
"""Issue 3: "Each drug deck marks at least 6 cards `critical: true` ... The caregiver deck at
least 8"."""

MAX_ANSWER_POSITION_SHARE = 0.40
"""Issue 3: "no single choice position holds more than 40% of the right answers of `single`
cards". Learners who notice that the answer is usually the first choice stop reading."""

MIN_SINGLE_CARDS_FOR_POSITION_CHECK = 5
"""With fewer `single` cards one position always holds a large share (2 cards: at least
50%), so the share says nothing about the author's habits; the check is skipped."""

NEAR_DUPLICATE_RATIO = 0.9
"""difflib similarity at or above which two prompts count as near-duplicates. At 0.9 two
prompts differ by about one word in ten: a rephrasing, not a new question."""

# --- commercial wording (issue 3: "no commercial words (buy, order, cheap, discount,
# online pharmacy, price ...)") ------------------------------------------------------------

COMMERCIAL_TERMS: tuple[str, ...] = (
    r"buy(?:s|ing)?",
    # "order" alone is not sales language: "in order to", "the right order" and "a dose
    # that was not ordered" teach (issue 13). Only the ways of selling with it are banned.
    r"order(?:s|ed|ing)?\s+(?:(?:it|them|yours?)\s+)?(?:now|online|today|here)",
    r"place\s+(?:an|your)\s+order",
    r"cheap(?:er|est|ly)?",
    r"discounts?",
    r"coupons?",
    r"prices?",
    r"sales?",
    r"deals?",
    r"shop(?:s|ping)?",
    r"shipping",
    r"online\s+pharmac(?:y|ies)",
    r"no\s+prescription\s+needed",
    r"promos?",
    r"best[\s-]?sellers?",
    r"free\s+trials?",
)
"""Regular expressions (matched whole-word, ignoring case) for sales language.

A medicine-education deck that sounds like an advert undermines trust, and "buy online,
no prescription needed" is exactly how counterfeit benzodiazepines are sold.
"""

_COMMERCIAL_RE = re.compile(r"\b(?:" + "|".join(COMMERCIAL_TERMS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One content problem, positioned for an editor's 'go to line'."""

    path: Path
    line: int
    """1-based line in the deck file (0 when the file could not be read again)."""
    check: str
    """The check's name, e.g. 'reading-level'."""
    message: str
    severity: Severity = "error"
    """'error' fails `quizapp lint` (exit 1); 'warning' is reported but passes."""
    card_id: str | None = None
    """The card the finding is about, or None for deck-level findings."""

    def __str__(self) -> str:
        # Warnings say so in the text, so a reader of the log can tell them apart from
        # errors without knowing every check's severity.
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: [{self.check}] {prefix}{self.message}"


# --- positions ------------------------------------------------------------------------------

Loc = tuple[str | int, ...]


class _Lines:
    """Line numbers of fields in a deck file, from its YAML node tree.

    The validated `Deck` has no positions, so the file is composed once more (nodes only,
    nothing constructed) and locations such as ('cards', 3, 'prompt') are walked through it.
    Lint is not a hot path; one extra parse per deck is cheap.
    """

    def __init__(self, path: Path | None) -> None:
        self._root: yaml.Node | None = None
        if path is None:
            return
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            self._root = yaml.compose(text, Loader=loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            # The deck loaded a moment ago; if the file changed or vanished since, findings
            # are still worth reporting, just without a line (0).
            self._root = None

    def line(self, loc: Loc) -> int:
        """1-based line of the deepest node `loc` reaches (0 when unknown).

        A location ending in a mapping key gives the key's line (for `topics:` or
        `choices:` that is the line the author looks for, not the first list item's).
        """
        node = self._root
        if node is None:
            return 0
        mark = node.start_mark
        for step in loc:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == step:
                        mark, node = key_node.start_mark, value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if not 0 <= step < len(node.value):
                    break
                node = node.value[step]
                mark = node.start_mark
            else:
                break
        return mark.line + 1


# --- learner-visible text -------------------------------------------------------------------


def visible_texts(deck: Deck) -> Iterator[tuple[Loc, str]]:
    """Every piece of text a learner can see, with its location in the deck.

    Args:
        deck: A validated deck.

    Yields:
        (location, text) pairs: the deck title and description; each card's prompt or
        front/back, choices and their feedback, accepted answers, steps and explanation.
    """
    yield ("title",), deck.title
    if deck.description:
        yield ("description",), deck.description
    for i, card in enumerate(deck.cards):
        yield from _card_texts(i, card)


def _card_texts(i: int, card: Card) -> Iterator[tuple[Loc, str]]:
    base: Loc = ("cards", i)
    if card.type == "flashcard":
        yield (*base, "front"), card.front
        yield (*base, "back"), card.back
    else:
        yield (*base, "prompt"), card.prompt
    if card.type in ("single", "multi"):
        for j, choice in enumerate(card.choices):
            yield (*base, "choices", j, "text"), choice.text
            if choice.feedback:
                yield (*base, "choices", j, "feedback"), choice.feedback
    elif card.type == "typed":
        for j, text in enumerate(card.accepted):
            yield (*base, "accepted", j), text
    elif card.type == "order":
        for j, text in enumerate(card.steps):
            yield (*base, "steps", j), text
    yield (*base, "explanation"), card.explanation


def commercial_words(text: str) -> list[str]:
    """The commercial words and phrases in a text, as written there.

    Args:
        text: Any learner-visible text.

    Returns:
        The matches in order of appearance; empty when the text is clean.
    """
    return [match.group(0) for match in _COMMERCIAL_RE.finditer(text)]


def _normalized(text: str) -> str:
    # Case, punctuation and spacing do not make two prompts different questions.
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _question(card: Card) -> str:
    return card.front if card.type == "flashcard" else card.prompt


# --- the checks -----------------------------------------------------------------------------


class _Linter:
    """Runs every check over one deck and collects the findings."""

    def __init__(self, deck: Deck, path: Path | None) -> None:
        self.deck = deck
        self.path = Path(path) if path is not None else Path(f"<{deck.id}>")
        self.lines = _Lines(path)
        self.findings: list[LintFinding] = []

    def add(
        self,
        check: str,
        loc: Loc,
        message: str,
        severity: Severity = "error",
        card_id: str | None = None,
    ) -> None:
        self.findings.append(
            LintFinding(self.path, self.lines.line(loc), check, message, severity, card_id)
        )

    def run(self) -> list[LintFinding]:
        self.reading_level()
        self.commercial()
        self.no_source()
        self.duplicate_prompt()
        self.answer_position()
        self.missing_topic()
        self.too_few_critical()
        self.emergency_numbers()
        self.card_rules()
        return self.findings

    def card_rules(self) -> None:
        # The rules of issue 13 live in `lint_rules`; they give locations, this adds lines.
        texts = {
            card.id: [t for _, t in _card_texts(i, card)] for i, card in enumerate(self.deck.cards)
        }
        found: list[RuleFinding] = [
            *source_drug_findings(self.deck, texts),
            *simultaneous_step_findings(self.deck),
            *accepted_variant_findings(self.deck),
        ]
        for finding in found:
            self.add(finding.check, finding.loc, finding.message, card_id=finding.card_id)

    def reading_level(self) -> None:
        audience = self.deck.audience
        card_limit = CARD_GRADE_LIMITS.get(audience)
        deck_limit = DECK_GRADE_LIMITS.get(audience)
        if card_limit is None and deck_limit is None:
            return
        if deck_limit is not None:
            measured = deck_grade(self.deck)
            if measured > deck_limit:
                self.add(
                    READING_LEVEL,
                    ("cards",),
                    f"the deck reads at Flesch-Kincaid grade {measured:.1f}, above the"
                    f" {audience} limit of {deck_limit:g}: use shorter sentences and"
                    " everyday words throughout",
                )
        if card_limit is not None:
            for i, card in enumerate(self.deck.cards):
                measured = card_grade(card)
                if measured > card_limit:
                    self.add(
                        READING_LEVEL,
                        ("cards", i),
                        f"card {card.id!r} reads at Flesch-Kincaid grade {measured:.1f},"
                        f" above the {audience} limit of {card_limit:g}: split long"
                        " sentences and prefer short words",
                        card_id=card.id,
                    )

    def commercial(self) -> None:
        for loc, text in visible_texts(self.deck):
            words = commercial_words(text)
            if words:
                index = loc[1] if loc[0] == "cards" else None
                card_id = self.deck.cards[index].id if isinstance(index, int) else None
                quoted = ", ".join(f"'{word}'" for word in dict.fromkeys(words))
                self.add(
                    COMMERCIAL,
                    loc,
                    f"commercial wording {quoted} in {_field_name(loc)}: decks teach,"
                    " they never sell; reword it",
                    card_id=card_id,
                )

    def no_source(self) -> None:
        defaults = {source.id: source.section for source in self.deck.sources}
        for i, card in enumerate(self.deck.cards):
            if not card.sources:
                self.add(
                    NO_SOURCE,
                    ("cards", i),
                    f"card {card.id!r} cites no source: cite one of the deck's sources"
                    " with its section",
                    card_id=card.id,
                )
                continue
            for j, ref in enumerate(card.sources):
                if ref.id not in defaults:
                    self.add(
                        NO_SOURCE,
                        ("cards", i, "sources", j),
                        f"card {card.id!r} cites {ref.id!r}, which the deck does not list",
                        card_id=card.id,
                    )
                elif not ref.section and not defaults[ref.id]:
                    # Issue 3: "every card cites at least one of them with its section" -
                    # a reviewer must be able to find the sentence the card rests on.
                    self.add(
                        NO_SOURCE,
                        ("cards", i, "sources", j),
                        f"card {card.id!r} cites {ref.id!r} without a section: add"
                        " 'section: ...' naming the part of the source used",
                        card_id=card.id,
                    )

    def duplicate_prompt(self) -> None:
        seen: list[tuple[int, str]] = []  # (card index, normalized prompt)
        for i, card in enumerate(self.deck.cards):
            text = _normalized(_question(card))
            field = "front" if card.type == "flashcard" else "prompt"
            for k, other in seen:
                other_card = self.deck.cards[k]
                where = f"card {other_card.id!r} (line {self.lines.line(('cards', k))})"
                if text == other:
                    self.add(
                        DUPLICATE_PROMPT,
                        ("cards", i, field),
                        f"card {card.id!r} asks the same as {where}: remove one or ask"
                        " something else",
                        card_id=card.id,
                    )
                    break
                matcher = difflib.SequenceMatcher(None, other, text, autojunk=False)
                # The quick upper bounds skip the full comparison for clearly different pairs.
                if (
                    matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
                    and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
                    and matcher.ratio() >= NEAR_DUPLICATE_RATIO
                ):
                    self.add(
                        DUPLICATE_PROMPT,
                        ("cards", i, field),
                        f"card {card.id!r} is nearly the same question"
                        f" ({matcher.ratio():.0%} alike) as {where}: make the difference"
                        " clear or remove one",
                        severity="warning",
                        card_id=card.id,
                    )
                    break
            seen.append((i, text))

    def answer_position(self) -> None:
        positions = [
            card.choice_texts().index(card.answer)
            for card in self.deck.cards
            if card.type == "single"
        ]
        if len(positions) < MIN_SINGLE_CARDS_FOR_POSITION_CHECK:
            return
        position, count = Counter(positions).most_common(1)[0]
        share = count / len(positions)
        if share > MAX_ANSWER_POSITION_SHARE:
            self.add(
                ANSWER_POSITION,
                ("cards",),
                f"the right answer is choice {position + 1} in {count} of {len(positions)}"
                f" single cards ({share:.0%}, more than {MAX_ANSWER_POSITION_SHARE:.0%}):"
                " move the right choice to other positions in some cards",
            )

    def missing_topic(self) -> None:
        audience = self.deck.audience
        if audience == "patient":
            counts = Counter[str](card.topic for card in self.deck.quiz_cards)
            for topic in MISSION_TOPICS:
                if counts[topic] == 0:
                    self.add(
                        MISSING_TOPIC,
                        ("topics",),
                        f"mission topic {topic!r} has no quiz cards: a drug deck covers"
                        f" {', '.join(MISSION_TOPICS)}",
                    )
                elif counts[topic] < MIN_QUIZ_CARDS_PER_MISSION_TOPIC:
                    self.add(
                        MISSING_TOPIC,
                        ("topics",),
                        f"mission topic {topic!r} has {counts[topic]} quiz card(s); a drug"
                        f" deck needs at least {MIN_QUIZ_CARDS_PER_MISSION_TOPIC} per topic",
                    )
        elif audience == "caregiver":
            # A caregiver deck is organised around situations (emergencies, daily use), so
            # a missing mission topic may be deliberate: worth a look, not a failure.
            present = {card.topic for card in self.deck.cards}
            for topic in MISSION_TOPICS:
                if topic not in present:
                    self.add(
                        MISSING_TOPIC,
                        ("topics",),
                        f"mission topic {topic!r} has no cards in this caregiver deck",
                        severity="warning",
                    )

    def too_few_critical(self) -> None:
        minimum = MIN_CRITICAL_CARDS.get(self.deck.audience)
        if minimum is None:
            return
        critical = sum(1 for card in self.deck.cards if card.critical)
        if critical < minimum:
            self.add(
                TOO_FEW_CRITICAL,
                ("cards",),
                f"{critical} card(s) are marked 'critical: true'; a {self.deck.audience}"
                f" deck needs at least {minimum} (must-know safety items)",
            )

    def emergency_numbers(self) -> None:
        for i, card in enumerate(self.deck.cards):
            texts = list(_card_texts(i, card))
            if not any(mentions_emergency(text) for _, text in texts):
                continue
            for loc, text in texts:
                if loc[2] == "accepted" and loc[3] != 0:
                    # Further accepted answers are match variants ("800-222-1222" for a
                    # learner who leaves out the 1), never shown; the first is the model
                    # answer learners see, and it must use the one spelling.
                    continue
                for number in unexpected_numbers(text):
                    self.add(
                        EMERGENCY_NUMBERS,
                        loc,
                        f"card {card.id!r} shows the number {number!r} in"
                        f" {_field_name(loc)}: emergency cards use only 911, 988 and"
                        " Poison Help written as 1-800-222-1222",
                        card_id=card.id,
                    )


def _field_name(loc: Loc) -> str:
    # ('cards', 3, 'choices', 1, 'text') -> "cards.3.choices.1.text", as the loader names fields
    return ".".join(map(str, loc))


# --- public entry points --------------------------------------------------------------------


def lint_deck(deck: Deck, path: Path | None) -> list[LintFinding]:
    """Run every content check on one deck.

    Args:
        deck: A deck that passed validation.
        path: The file it came from, for line numbers; None gives line 0 everywhere.

    Returns:
        The findings, sorted by line.
    """
    findings = _Linter(deck, path).run()
    return sorted(findings, key=lambda f: (f.line, CHECKS.index(f.check)))


def lint_result(result: LoadResult) -> list[LintFinding]:
    """Lint every deck that loaded, and relay the load errors of those that did not.

    A file that fails to load cannot be linted, but the reason must still be printed:
    otherwise `quizapp lint` would exit 1 without saying why.

    Args:
        result: What `load_decks` returned.

    Returns:
        Load errors (check 'invalid-deck') and content findings, sorted by file and line.
    """
    findings = [
        LintFinding(error.path, error.line, INVALID_DECK, _load_message(error))
        for error in result.errors
    ]
    for deck in result.decks:
        findings.extend(lint_deck(deck, result.paths.get(deck.id)))
    return sorted(findings, key=lambda f: (str(f.path), f.line))


def _load_message(error: Any) -> str:
    return f"{error.field}: {error.message}" if error.field else str(error.message)
