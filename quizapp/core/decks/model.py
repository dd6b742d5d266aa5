"""The deck format: pydantic models for a YAML question deck.

A deck is one YAML file about one medicine (or one caregiver subject). The models are
strict (`extra="forbid"`, no type coercion) because deck authors are people typing YAML:
a misspelt field or an unquoted number should be an error that says what to fix, not a
silently ignored value.

Answer convention: `single` and `multi` cards name their right answer(s) by the **exact
text** of the choice, not by position. Text survives re-ordering choices while editing,
and a reviewer can read the answer without counting.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# Re-exported: the titles live in `topics` so the UI can use them without pydantic.
from quizapp.core.decks.topics import TOPIC_TITLES as TOPIC_TITLES

SCHEMA_VERSION = 1
"""The deck format version this app reads. Bump it (and the cache key) on breaking changes."""

MISSION_TOPICS: tuple[str, ...] = ("mechanism", "uses", "adverse-effects", "stopping-safely")
"""The four topics every drug deck must cover."""

Topic = Literal[
    "mechanism", "uses", "adverse-effects", "stopping-safely", "daily-use", "emergencies"
]
"""Every topic a card may belong to."""

Audience = Literal["patient", "caregiver", "clinician"]
CardType = Literal["single", "multi", "true_false", "typed", "order", "flashcard"]

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        min_length=1,
        max_length=64,
        description="Lower-case letters, digits and single hyphens, e.g. 'stop-taper-1'.",
    ),
]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]


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

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Drug(_Strict):
    """The medicine a deck teaches about."""

    generic: ShortText
    """Generic (non-brand) name, e.g. 'diazepam'."""
    brands: list[ShortText] = Field(default_factory=list)
    """Brand names, e.g. ['Valium']. Named for recognition only, never promoted."""


class Source(_Strict):
    """A canonical source that the deck's cards may cite."""

    id: Slug
    """Short id cards use to cite it, e.g. 'dailymed-valium'."""
    title: Text
    publisher: ShortText
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=500)]
    year: ShortText | None = None
    """Year or version as published, e.g. '2024' or 'version 19'."""
    section: ShortText | None = None
    """Default section, when the whole deck draws on one part of the source."""
    drugs: list[ShortText] | None = None
    """The medicines the source is about (generic or brand names), e.g. ['diazepam'].

    `quizapp lint` checks that a card cites a source about its own drug. Without this
    field it reads the drug from the source's id and title; list the drugs when that
    reading is wrong, e.g. ['naloxone'] for a naloxone label, or [] for a source about
    no one medicine (a class-wide warning).
    """


class SourceRef(_Strict):
    """A card's citation: a source id from the deck's list and the section used."""

    id: Slug
    section: ShortText | None = None


class Choice(_Strict):
    """One option of a `single` or `multi` card."""

    text: ShortText
    feedback: Text | None = None
    """Shown when the learner picks this choice: why it is right or wrong."""


def _coerce_choice(value: Any) -> Any:
    # Authors usually write a choice as a plain string; allow that shorthand.
    return {"text": value} if isinstance(value, str) else value


class _CardBase(_Strict):
    """Fields every card has."""

    id: Slug
    """Stable id, unique in the deck; scores are keyed on deck id + card id, so keep it."""
    topic: Topic
    explanation: Text
    """Why the right answer is right (for choice cards: why the tempting wrong one is wrong)."""
    sources: Annotated[list[SourceRef], Field(min_length=1)]
    critical: bool = False
    """A must-know safety item: an exam cannot be passed with a critical card missed."""
    reviewed: date | None = None
    """When this card was last checked against its sources (YYYY-MM-DD), if not on the
    deck's `reviewed` date; the app shows it next to the card's sources."""

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
    choices: Annotated[list[Choice], Field(min_length=2, max_length=6)]

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
    answer: ShortText

    @field_validator("answer")
    @classmethod
    def _answer_is_a_choice(cls, value: str, info: ValidationInfo) -> str:
        _require_choice(value, info)
        return value


class MultiCard(_ChoiceCard):
    """Select all that apply. `answers` lists the right choices' exact texts (at least one)."""

    type: Literal["multi"]
    answers: Annotated[list[ShortText], Field(min_length=1)]

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
    prompt: Text
    answer: bool


class TypedCard(_CardBase):
    """A short typed answer, matched ignoring case, spaces and punctuation."""

    type: Literal["typed"]
    prompt: Text
    accepted: Annotated[list[ShortText], Field(min_length=1, max_length=20)]
    """Every answer that counts as right; the first is shown as the model answer."""

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
    prompt: Text
    steps: Annotated[list[ShortText], Field(min_length=3, max_length=6)]

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
    front: Text
    back: Text


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
    """Deck format version; this app reads version 1."""
    id: Slug
    """Unique across all decks; scores are keyed on it."""
    title: ShortText
    drug: Drug
    audience: Audience
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en"
    version: Annotated[str, Field(min_length=1, max_length=40)]
    """The deck's own version, e.g. '1.0.0'; stored with every attempt."""
    reviewed: date
    """When the content was last reviewed against its sources (YYYY-MM-DD)."""
    description: Text | None = None
    pass_mark: Annotated[float, Field(gt=0, le=1)] = 0.8
    """Fraction of points an exam needs to pass (every critical card must be right as well)."""
    flashcards_include_quiz: bool = False
    """Also study the quiz cards as flashcards (prompt on the front, answer on the back)."""
    sources: Annotated[list[Source], Field(min_length=1)]
    topics: Annotated[list[Topic], Field(min_length=1)]
    together: list[Annotated[list[ShortText], Field(min_length=2)]] = Field(default_factory=list)
    """Groups of actions that happen at the same time, e.g. [['note the time', 'watch
    their breathing']]; no `order` card may put two of one group in sequence (checked by
    `quizapp lint`: a step containing an action's words, in any case, is that action)."""
    cards: Annotated[list[Card], Field(min_length=1)]

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
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)

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


def deck_json_schema() -> dict[str, Any]:
    """The JSON Schema of a deck file, for editors (yaml-language-server) and checks.

    Returns:
        A JSON Schema (draft 2020-12) dictionary.
    """
    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "quizapp deck"
    # A choice may be written as a plain string (shorthand for {text: ...}).
    choice = schema["$defs"]["Choice"]
    schema["$defs"]["Choice"] = {"anyOf": [{"type": "string", "minLength": 1}, choice]}
    return schema
