"""The deck format: pydantic models for a YAML question deck.

A deck is one YAML file about one medicine (or one caregiver subject). The models are
strict (`extra="forbid"`, no type coercion) because deck authors are people typing YAML:
a misspelt field or an unquoted number should be an error that says what to fix, not a
silently ignored value.

Answer convention: `single` and `multi` cards name their right answer(s) by the **exact
text** of the choice, not by position. Text survives re-ordering choices while editing,
and a reviewer can read the answer without counting.

Each field's docstring is its description in the JSON Schema (`json_schema.py`), which
editors show as hover help: one source of truth, so every field's docstring says what it is
and gives an example.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# Re-exported: the titles live in `topics` so the UI can use them without pydantic.
# Re-exported too: the summaries Home lists from key on it without importing pydantic.
from quizapp.core.decks.schema_version import SCHEMA_VERSION as SCHEMA_VERSION
from quizapp.core.decks.topics import TOPIC_TITLES as TOPIC_TITLES

MISSION_TOPICS: tuple[str, ...] = ("mechanism", "uses", "adverse-effects", "stopping-safely")
"""The four topics every drug deck must cover."""

Topic = Literal[
    "mechanism", "uses", "adverse-effects", "stopping-safely", "daily-use", "emergencies"
]
"""Every topic a card may belong to."""

Audience = Literal["patient", "caregiver", "clinician"]
CardType = Literal["single", "multi", "true_false", "typed", "order", "flashcard"]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=64)]
"""An id: lower-case letters, digits and single hyphens, e.g. 'stop-taper-1'. (Each field's
docstring gives its description: a description here would hide theirs.)"""
Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_from_text(value: Any) -> Any:
    # YAML 1.2 (the loader, like editors) reads `2026-11-29` as text, and the schema says a
    # date is text in that form; the model keeps a `date`. Anything else is left to the
    # strict date check, whose error says how to write one.
    if not isinstance(value, str):
        return value
    if not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError(
            "date_format", "must be a date written as YYYY-MM-DD, e.g. 2026-11-29", {}
        )
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "date_format",
            "{value} is not a real date ({reason}): write it as YYYY-MM-DD",
            {"value": value, "reason": str(exc)},
        ) from None


IsoDate = Annotated[date, BeforeValidator(_date_from_text)]
"""A calendar date written YYYY-MM-DD (text in YAML 1.2 and JSON), kept as a `date`."""


def normalize_answer(text: str) -> str:
    """Reduce a typed answer to letters and digits, for lenient matching.

    Case, spaces and punctuation are ignored, so "GABA-A", "gaba a" and "GabaA" match.

    Args:
        text: What the learner typed, or an accepted answer from the deck.

    Returns:
        The case-folded text with everything but letters and digits removed.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


class _Strict(BaseModel):
    """Base for all deck models: unknown fields and type coercion are errors."""

    # Attribute docstrings become the fields' descriptions (the schema's hover help).
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )


class Drug(_Strict):
    """The medicine a deck teaches about."""

    generic: ShortText
    """Generic (non-brand) name of the medicine, e.g. 'diazepam'."""
    brands: list[ShortText] = Field(default_factory=list)
    """Brand names, named for recognition only and never promoted, e.g. ['Valium']."""


class Source(_Strict):
    """A canonical source that the deck's cards may cite."""

    id: Slug
    """Short id that cards cite this source by (lower-case letters, digits and single
    hyphens), e.g. 'dailymed-valium'."""
    title: Text
    """The source's full title, e.g. 'VALIUM (diazepam) tablets, prescribing information'."""
    publisher: ShortText
    """Who publishes the source, e.g. 'NLM DailyMed'."""
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=500)]
    """Web address of the source, starting with http:// or https://, e.g.
    'https://medlineplus.gov/druginfo/meds/a682047.html'."""
    year: ShortText | None = None
    """Optional: year or version as published, e.g. '2024' or 'version 19'."""
    section: ShortText | None = None
    """Optional: the section every card citing this source uses unless it names its own,
    e.g. 'Medication Guide'."""
    drugs: list[ShortText] | None = None
    """Optional: the medicines the source is about (generic or brand names), e.g.
    ['diazepam']. `quizapp lint` checks that a card cites a source about its own drug.
    Without this field it reads the drug from the source's id and title; list the drugs
    when that reading is wrong, e.g. ['naloxone'] for a naloxone label, or [] for a source
    about no one medicine (a class-wide warning)."""


class SourceRef(_Strict):
    """A card's citation: a source id from the deck's list and the section used."""

    id: Slug
    """The id of a source in the deck's `sources` list, e.g. 'dailymed-valium'."""
    section: ShortText | None = None
    """The part of the source that holds the card's fact, e.g. 'Warnings and Precautions'
    (needed unless the source gives a default section)."""


class Choice(_Strict):
    """One option of a `single` or `multi` card."""

    text: ShortText
    """What the learner reads as this option, e.g. 'It calms the brain down.'"""
    feedback: Text | None = None
    """Optional: shown when the learner picks this choice, saying why it is right or wrong,
    e.g. 'Yes. It helps a calming signal in the brain.'"""


def _coerce_choice(value: Any) -> Any:
    # Authors usually write a choice as a plain string; allow that shorthand.
    return {"text": value} if isinstance(value, str) else value


class _CardBase(_Strict):
    """Fields every card has."""

    id: Slug
    """Stable id, unique in the deck (lower-case letters, digits and single hyphens), e.g.
    'stop-taper-1'. Scores are keyed on deck id + card id, so keep it once published."""
    topic: Topic
    """The topic the card belongs to (listed in the deck's `topics`), e.g. 'stopping-safely'."""
    explanation: Text
    """Shown after answering: why the right answer is right (for choice cards, why the
    tempting wrong one is wrong), e.g. 'The body gets used to it, so stopping fast can
    cause withdrawal.'"""
    sources: Annotated[list[SourceRef], Field(min_length=1)]
    """Where the card's fact comes from: at least one of the deck's sources, with the
    section, e.g. [{id: dailymed-valium, section: Warnings}]."""
    critical: bool = False
    """A must-know safety item: an exam cannot be passed with a critical card missed.
    Write true or false (not yes/no), e.g. true. Default false."""
    reviewed: IsoDate | None = None
    """Optional: when this card was last checked against its sources, as YYYY-MM-DD, if not
    on the deck's `reviewed` date, e.g. 2026-11-29; the app shows it next to the card's
    sources."""

    def content_hash(self) -> str:
        """A short hash of everything a learner sees on this card.

        Stored with each answer, so statistics can tell when a card changed after it
        was answered.

        Returns:
            16 hex digits of the SHA-256 of the card's canonical JSON.
        """
        # A new review date alone does not change what the card teaches; leaving it out
        # also keeps the hashes of cards stored before the field existed.
        content = self.model_dump(mode="json", exclude={"reviewed"})
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


class _ChoiceCard(_CardBase):
    prompt: Text
    """The question, e.g. 'What does this medicine do to the brain?'"""
    choices: Annotated[list[Choice], Field(min_length=2, max_length=6)]
    """2 to 6 options, each plain text or a mapping with text and feedback, e.g.
    ['It speeds the brain up.', 'It calms the brain down.']."""

    @field_validator("choices", mode="before")
    @classmethod
    def _choices_shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_coerce_choice(item) for item in value]
        return value

    @field_validator("choices")
    @classmethod
    def _no_duplicate_choices(cls, choices: list[Choice]) -> list[Choice]:
        seen: set[str] = set()
        for choice in choices:
            key = normalize_answer(choice.text)
            if key in seen:
                raise PydanticCustomError(
                    "duplicate_choice",
                    "choice '{text}' appears twice: make every choice different",
                    {"text": choice.text},
                )
            seen.add(key)
        return choices

    def choice_texts(self) -> list[str]:
        """The choices' texts, in deck order."""
        return [choice.text for choice in self.choices]


def _require_choice(value: str, info: ValidationInfo) -> None:
    choices: list[Choice] | None = info.data.get("choices")
    if choices is None:  # choices were invalid themselves; that error is reported already
        return
    if value not in {choice.text for choice in choices}:
        raise PydanticCustomError(
            "answer_not_in_choices",
            "answer '{answer}' is not one of the choices: copy the right choice's text exactly",
            {"answer": value},
        )


class SingleCard(_ChoiceCard):
    """One right answer among 2–6 choices. `answer` is the right choice's exact text."""

    type: Literal["single"]
    """The card type: 'single' asks for one right answer among the choices, e.g. single."""
    answer: ShortText
    """The right choice's text, copied exactly from `choices`, e.g. 'It calms the brain
    down.'"""

    @field_validator("answer")
    @classmethod
    def _answer_is_a_choice(cls, value: str, info: ValidationInfo) -> str:
        _require_choice(value, info)
        return value


class MultiCard(_ChoiceCard):
    """Select all that apply. `answers` lists the right choices' exact texts (at least one)."""

    type: Literal["multi"]
    """The card type: 'multi' asks for every right choice ("select all that apply"), e.g.
    multi."""
    answers: Annotated[list[ShortText], Field(min_length=1)]
    """Every right choice's text, copied exactly from `choices` (at least one), e.g.
    ['Sleepiness', 'Falls']."""

    @field_validator("answers")
    @classmethod
    def _answers_are_choices(cls, values: list[str], info: ValidationInfo) -> list[str]:
        if len(set(values)) != len(values):
            raise PydanticCustomError("duplicate_answer", "an answer is listed twice", {})
        for value in values:
            _require_choice(value, info)
        return values


class TrueFalseCard(_CardBase):
    """A statement the learner marks true or false."""

    type: Literal["true_false"]
    """The card type: 'true_false' is a statement to mark true or false, e.g. true_false."""
    prompt: Text
    """The statement, e.g. 'It can help with muscle spasms.'"""
    answer: bool
    """Whether the statement is true: write true or false (yes/no are text in YAML 1.2),
    e.g. false."""


class TypedCard(_CardBase):
    """A short typed answer, matched ignoring case, spaces and punctuation."""

    type: Literal["typed"]
    """The card type: 'typed' asks for a short typed answer, e.g. typed."""
    prompt: Text
    """The question, e.g. 'Name one thing it is used for.'"""
    accepted: Annotated[list[ShortText], Field(min_length=1, max_length=20)]
    """Every answer that counts as right (case, spaces and punctuation are ignored); the
    first is shown as the model answer, e.g. ['muscle spasms', 'spasms']."""

    @field_validator("accepted")
    @classmethod
    def _accepted_are_matchable(cls, values: list[str]) -> list[str]:
        seen: set[str] = set()
        for value in values:
            key = normalize_answer(value)
            if not key:
                raise PydanticCustomError(
                    "unmatchable_answer",
                    "accepted answer '{text}' has no letters or digits, so nothing could match it",
                    {"text": value},
                )
            if key in seen:
                raise PydanticCustomError(
                    "duplicate_answer",
                    "accepted answer '{text}' matches an earlier one (case, spaces and "
                    "punctuation are ignored): remove it",
                    {"text": value},
                )
            seen.add(key)
        return values

    def matches(self, response: str) -> bool:
        """Whether a typed response matches one of the accepted answers."""
        key = normalize_answer(response)
        return bool(key) and key in {normalize_answer(value) for value in self.accepted}


class OrderCard(_CardBase):
    """Put 3–6 steps in the right order. `steps` are written in the right order."""

    type: Literal["order"]
    """The card type: 'order' asks to put steps in sequence, e.g. order."""
    prompt: Text
    """The task, e.g. 'Put the steps for stopping in sequence.'"""
    steps: Annotated[list[ShortText], Field(min_length=3, max_length=6)]
    """3 to 6 steps, written here in the right sequence, e.g. ['Talk to the prescriber.',
    'Agree on a slow plan.', 'Lower the dose bit by bit.']."""

    @field_validator("steps")
    @classmethod
    def _steps_unique(cls, values: list[str]) -> list[str]:
        if len({normalize_answer(value) for value in values}) != len(values):
            raise PydanticCustomError(
                "duplicate_step", "two steps are the same: make every step different", {}
            )
        return values


class FlashCard(_CardBase):
    """A front/back card for spaced repetition. `explanation` is shown under the back."""

    type: Literal["flashcard"]
    """The card type: 'flashcard' is a front/back card for spaced repetition, e.g.
    flashcard."""
    front: Text
    """The front: a cue or question, e.g. 'Which group of medicines is it in?'"""
    back: Text
    """The back: what the learner should recall, e.g. 'The benzodiazepines.'"""


Card = Annotated[
    SingleCard | MultiCard | TrueFalseCard | TypedCard | OrderCard | FlashCard,
    Field(discriminator="type"),
]
"""Any card; the `type` field decides which fields it has."""

QuizCard = SingleCard | MultiCard | TrueFalseCard | TypedCard | OrderCard
ChoiceCard = SingleCard | MultiCard


class Deck(_Strict):
    """A deck of cards about one medicine, with the sources they cite."""

    schema_version: Literal[1]
    """Deck format version; this app reads version 1, e.g. 1."""
    id: Slug
    """The deck's id, unique across all decks (lower-case letters, digits and single
    hyphens), e.g. 'diazepam'. Scores are keyed on it, so keep it once published."""
    title: ShortText
    """The deck's title as learners see it, e.g. 'Diazepam (Valium): how it works and how
    to use it safely'."""
    drug: Drug
    """The medicine the deck teaches about, e.g. {generic: diazepam, brands: [Valium]}."""
    audience: Audience
    """Who the deck is written for, e.g. patient. Lint's reading-level and coverage checks
    depend on it."""
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en"
    """Language code of the deck's text, e.g. 'en' or 'pt-BR'. Default 'en'."""
    version: Annotated[str, Field(min_length=1, max_length=40)]
    """The deck's own version, stored with every attempt, e.g. '1.0.0' (in quotes)."""
    reviewed: IsoDate
    """When the content was last reviewed against its sources, as YYYY-MM-DD, e.g.
    2026-11-29."""
    description: Text | None = None
    """Optional: a few sentences on what the deck teaches, e.g. 'Learn how diazepam calms
    the brain. This is education, not medical advice.'"""
    pass_mark: Annotated[float, Field(gt=0, le=1)] = 0.8
    """Fraction of points an exam needs to pass (every critical card must be right as
    well), e.g. 0.8. Default 0.8."""
    flashcards_include_quiz: bool = False
    """Also study the quiz cards as flashcards (prompt on the front, answer on the back):
    true or false, e.g. false. Default false."""
    sources: Annotated[list[Source], Field(min_length=1)]
    """The sources the cards cite, each with an id, e.g. [{id: dailymed-valium, title: ...,
    publisher: NLM DailyMed, url: https://dailymed.nlm.nih.gov/}]."""
    topics: Annotated[list[Topic], Field(min_length=1)]
    """The topics the deck covers, in the order they are shown, e.g. [mechanism, uses,
    adverse-effects, stopping-safely]."""
    together: list[Annotated[list[ShortText], Field(min_length=2)]] = Field(default_factory=list)
    """Optional: groups of actions that happen at the same time, e.g. [['note the time',
    'watch their breathing']]; no `order` card may put two of one group in sequence
    (checked by `quizapp lint`: a step containing an action's words, in any case, is that
    action)."""
    cards: Annotated[list[Card], Field(min_length=1)]
    """The cards; each card's `type` decides which fields it has, e.g. [{id: mech-calm,
    type: single, ...}]."""

    @model_validator(mode="after")
    def _cross_check(self) -> Deck:
        problems = consistency_problems(self)
        if problems:
            # The loader expands `problems` into one positioned error each.
            raise PydanticCustomError(
                "deck_consistency",
                "{summary}",
                {
                    "summary": "; ".join(
                        f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems
                    ),
                    "problems": [[list(loc), msg] for loc, msg in problems],
                },
            )
        return self

    def card(self, card_id: str) -> Card:
        """Return the card with this id.

        Raises:
            KeyError: No card has that id.
        """
        return self._cards_by_id[card_id]

    @cached_property
    def _cards_by_id(self) -> dict[str, Card]:
        # Callers look cards up in loops (every answer of an export, every row of the card
        # browser): a scan per lookup made resolving 10,000 rows of a 10,000-card deck
        # take 4.8 s. Ids are unique (validated), and the deck is frozen.
        return {card.id: card for card in self.cards}

    @property
    def quiz_cards(self) -> list[QuizCard]:
        """The cards asked in quizzes, in deck order."""
        return [card for card in self.cards if card.type != "flashcard"]

    @property
    def flashcards(self) -> list[FlashCard]:
        """The `flashcard` cards, in deck order."""
        return [card for card in self.cards if card.type == "flashcard"]

    def source(self, source_id: str) -> Source:
        """Return the listed source with this id.

        Raises:
            KeyError: The deck lists no such source.
        """
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def cards_per_topic(self) -> dict[str, int]:
        """How many quiz cards each of the deck's topics has, in the deck's topic order."""
        counts: dict[str, int] = dict.fromkeys(self.topics, 0)
        for card in self.quiz_cards:
            counts[card.topic] = counts.get(card.topic, 0) + 1
        return counts


def consistency_problems(deck: Deck) -> list[tuple[tuple[str | int, ...], str]]:
    """Rules that span fields: unique ids, known topics and sources.

    Args:
        deck: A deck whose fields are each valid on their own.

    Returns:
        (location, message) pairs; empty when the deck is consistent.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    seen_sources: set[str] = set()
    for i, source in enumerate(deck.sources):
        if source.id in seen_sources:
            problems.append((("sources", i, "id"), f"source id {source.id!r} is listed twice"))
        seen_sources.add(source.id)
    if len(set(deck.topics)) != len(deck.topics):
        problems.append((("topics",), "a topic is listed twice"))
    first_seen: dict[str, int] = {}
    for i, card in enumerate(deck.cards):
        if card.id in first_seen:
            problems.append(
                (
                    ("cards", i, "id"),
                    f"card id {card.id!r} is already used by card {first_seen[card.id] + 1}:"
                    " card ids must be unique in a deck",
                )
            )
        else:
            first_seen[card.id] = i
        if card.topic not in deck.topics:
            problems.append(
                (
                    ("cards", i, "topic"),
                    f"topic {card.topic!r} is not in the deck's topics"
                    f" ({', '.join(deck.topics)}): add it there or pick one of them",
                )
            )
        for j, ref in enumerate(card.sources):
            if ref.id not in seen_sources:
                problems.append(
                    (
                        ("cards", i, "sources", j, "id"),
                        f"source {ref.id!r} is not in the deck's sources list: add it there"
                        " or cite a listed one",
                    )
                )
    return problems
