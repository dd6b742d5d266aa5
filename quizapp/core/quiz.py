"""The quiz engine: choosing questions, grading answers and scoring an attempt.

Pure logic with no I/O, so the UI, the tests and the benchmarks all drive the same rules.

Responses, by card type (this is also what the store records, as JSON):
    single: the chosen choice's text.
    multi: the chosen choices' texts, in deck order.
    true_false: True or False.
    typed: the text as typed.
    order: the steps in the order the learner put them.

Every question is worth one point and is all-or-nothing: a `multi` card is right only
when exactly the right choices are picked, because "mostly right" about a safety fact
(say, which drugs add to breathing problems) is not knowing it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from quizapp.core.decks.model import (
    Deck,
    MultiCard,
    OrderCard,
    QuizCard,
    SingleCard,
    TrueFalseCard,
    TypedCard,
)
from quizapp.core.modes import Mode
from quizapp.core.spelling import close_spelling, deck_terms

Response = str | bool | list[str]


@dataclass(frozen=True, slots=True)
class QuizSettings:
    """What the learner chose on the set-up screen."""

    mode: Mode = "practice"
    topics: tuple[str, ...] = ()
    """Topics to draw from; empty means every topic in the deck."""
    count: int | None = None
    """How many questions; None means all that match."""
    shuffle: bool = True
    seed: int = 0
    """Seed for shuffling, stored with the attempt so a resumed attempt asks the same cards."""

    def to_plan(self, card_ids: Sequence[str]) -> dict[str, Any]:
        """The JSON-friendly plan stored with an attempt (enough to resume it)."""
        return {
            "mode": self.mode,
            "topics": list(self.topics),
            "count": self.count,
            "shuffle": self.shuffle,
            "seed": self.seed,
            "card_ids": list(card_ids),
        }


def plan_quiz(deck: Deck, settings: QuizSettings) -> list[str]:
    """Choose and order the cards for an attempt.

    An exam always includes every critical card of the chosen topics (they are must-know
    items that decide a pass) and at least one card of every chosen topic, then fills up
    to `count` with the others; so it can ask more than `count` questions (the set-up
    dialog says how many, from this same plan).

    Args:
        deck: The deck to draw from.
        settings: The learner's choices.

    Returns:
        Card ids in the order they will be asked.
    """
    wanted = set(settings.topics) if settings.topics else None
    pool = [card for card in deck.quiz_cards if wanted is None or card.topic in wanted]
    rng = random.Random(settings.seed)
    if settings.shuffle:
        rng.shuffle(pool)
    count = len(pool) if settings.count is None else max(1, min(settings.count, len(pool)))
    if settings.mode == "exam":
        critical = [card for card in pool if card.critical]
        others = [card for card in pool if not card.critical]
        # One card of each topic the must-know cards leave out comes first among the
        # others, so that no chosen topic goes unasked.
        covered = {card.topic for card in critical}
        first_of_topic = []
        for card in others:
            if card.topic not in covered:
                covered.add(card.topic)
                first_of_topic.append(card)
        rest = [card for card in others if card not in first_of_topic]
        required = critical + first_of_topic
        chosen = required + rest[: max(0, count - len(required))]
        chosen_ids = {card.id for card in chosen}
        pool = [card for card in pool if card.id in chosen_ids]
    else:
        pool = pool[:count]
    return [card.id for card in pool]


def shuffled_steps(card: OrderCard, seed: int = 0) -> list[str]:
    """The steps of an `order` card in a shuffled order that is never already right.

    The shuffle is seeded by the card id, so a card looks the same each time it is shown.
    """
    steps = list(card.steps)
    rng = random.Random(f"{card.id}:{seed}")
    while steps == list(card.steps):
        rng.shuffle(steps)
    return steps


def is_correct(card: QuizCard, response: Response) -> bool:
    """Whether a response answers the card correctly.

    Args:
        card: A quiz card.
        response: The learner's response, in the form the module docstring describes.

    Returns:
        True when the response is fully right.
    """
    if isinstance(card, SingleCard):
        return response == card.answer
    if isinstance(card, MultiCard):
        return isinstance(response, list) and set(response) == set(card.answers)
    if isinstance(card, TrueFalseCard):
        return response is card.answer
    if isinstance(card, TypedCard):
        return isinstance(response, str) and card.matches(response)
    if isinstance(card, OrderCard):
        return isinstance(response, list) and list(response) == list(card.steps)
    raise TypeError(f"not a quiz card: {card.type}")


def right_answer(card: QuizCard) -> str:
    """The right answer written out for a learner to read."""
    if isinstance(card, SingleCard):
        return card.answer
    if isinstance(card, MultiCard):
        return "; ".join(text for text in card.choice_texts() if text in card.answers)
    if isinstance(card, TrueFalseCard):
        return "True" if card.answer else "False"
    if isinstance(card, TypedCard):
        return card.accepted[0]
    return " → ".join(card.steps)


def describe_response(response: Response | None) -> str:
    """A learner's response written out for reading (in history and results)."""
    if response is None:
        return "(no answer)"
    if isinstance(response, bool):
        return "True" if response else "False"
    if isinstance(response, list):
        return "; ".join(response) if response else "(nothing chosen)"
    return response or "(empty)"


@dataclass(frozen=True, slots=True)
class GradedAnswer:
    """One answered question."""

    card_id: str
    response: Response
    correct: bool
    points: float
    elapsed_ms: int


@dataclass(frozen=True, slots=True)
class TopicScore:
    """Right answers out of questions asked, for one topic."""

    topic: str
    correct: int
    total: int

    @property
    def fraction(self) -> float:
        """Share right, 0.0 to 1.0 (0.0 when nothing was asked)."""
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class QuizResult:
    """The outcome of an attempt."""

    mode: Mode
    score: float
    max_score: float
    pass_mark: float
    per_topic: list[TopicScore]
    missed: list[GradedAnswer]
    missed_critical: list[str]
    """Ids of critical cards answered wrongly (or skipped)."""

    @property
    def fraction(self) -> float:
        """Score as a share of the maximum, 0.0 to 1.0."""
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def score_ok(self) -> bool:
        """The score reached the pass mark."""
        # A tiny epsilon keeps 8/10 >= 0.8 true despite binary floating point.
        return self.fraction + 1e-9 >= self.pass_mark

    @property
    def critical_ok(self) -> bool:
        """Every critical card was answered correctly."""
        return not self.missed_critical

    @property
    def passed(self) -> bool | None:
        """Exams pass on both rules; practice and review rounds have no pass/fail (None)."""
        if self.mode != "exam":
            return None
        return self.score_ok and self.critical_ok

    def verdict(self) -> str:
        """One plain sentence: passed or not, and which rule failed."""
        if self.passed is None:
            return f"You got {self.score:g} of {self.max_score:g} right."
        if self.passed:
            return "Passed: you reached the pass mark and got every must-know question right."
        reasons = []
        if not self.score_ok:
            reasons.append(
                f"the score {self.fraction:.0%} is below the pass mark {self.pass_mark:.0%}"
            )
        if not self.critical_ok:
            n = len(self.missed_critical)
            reasons.append(f"{n} must-know question{'s were' if n != 1 else ' was'} missed")
        return "Not passed: " + " and ".join(reasons) + "."


@dataclass
class QuizSession:
    """An attempt in progress: which card is asked, and what was answered.

    Attributes:
        deck: The deck being asked.
        card_ids: The planned cards, in order.
        settings: The learner's choices.
        answers: Graded answers by card id.
        index: Position of the current question in `card_ids`.
    """

    deck: Deck
    card_ids: list[str]
    settings: QuizSettings
    answers: dict[str, GradedAnswer] = field(default_factory=dict)
    index: int = 0

    @classmethod
    def start(cls, deck: Deck, settings: QuizSettings) -> QuizSession:
        """Plan a new attempt."""
        return cls(deck=deck, card_ids=plan_quiz(deck, settings), settings=settings)

    @classmethod
    def resume(
        cls, deck: Deck, plan: dict[str, Any], answered: Sequence[GradedAnswer]
    ) -> QuizSession:
        """Rebuild an interrupted attempt from its stored plan and answers.

        Cards that no longer exist in the deck (removed since) are dropped from the plan.
        """
        settings = QuizSettings(
            mode=plan.get("mode", "practice"),
            topics=tuple(plan.get("topics", ())),
            count=plan.get("count"),
            shuffle=bool(plan.get("shuffle", True)),
            seed=int(plan.get("seed", 0)),
        )
        known = {card.id for card in deck.quiz_cards}
        card_ids = [card_id for card_id in plan.get("card_ids", []) if card_id in known]
        session = cls(deck=deck, card_ids=card_ids, settings=settings)
        for answer in answered:
            if answer.card_id in known:
                session.answers[answer.card_id] = answer
        session.index = next(
            (i for i, card_id in enumerate(card_ids) if card_id not in session.answers),
            len(card_ids),
        )
        return session

    @property
    def mode(self) -> Mode:
        """The attempt's mode."""
        return self.settings.mode

    @property
    def total(self) -> int:
        """Number of questions in the attempt."""
        return len(self.card_ids)

    @property
    def finished(self) -> bool:
        """Every question has been asked."""
        return self.index >= len(self.card_ids)

    @property
    def current(self) -> QuizCard:
        """The card being asked."""
        card = self.deck.card(self.card_ids[self.index])
        assert card.type != "flashcard"
        return card

    def answer(self, response: Response, elapsed_ms: int = 0) -> GradedAnswer:
        """Grade a response to the current card and remember it."""
        card = self.current
        correct = is_correct(card, response)
        if not correct and isinstance(card, TypedCard) and isinstance(response, str):
            # A small typo of an accepted answer counts, when it cannot be another word.
            correct = close_spelling(card, response, deck_terms(self.deck)) is not None
        graded = GradedAnswer(card.id, response, correct, 1.0 if correct else 0.0, elapsed_ms)
        self.answers[card.id] = graded
        return graded

    def advance(self) -> None:
        """Move to the next question."""
        self.index += 1

    def result(self) -> QuizResult:
        """Score the attempt (unanswered questions count as missed)."""
        per_topic: dict[str, list[int]] = {}
        missed: list[GradedAnswer] = []
        missed_critical: list[str] = []
        score = 0.0
        for card_id in self.card_ids:
            card = self.deck.card(card_id)
            answer = self.answers.get(card_id)
            right = answer is not None and answer.correct
            tally = per_topic.setdefault(card.topic, [0, 0])
            tally[1] += 1
            if right:
                tally[0] += 1
                score += answer.points  # type: ignore[union-attr]
            else:
                missed.append(answer or GradedAnswer(card_id, "", False, 0.0, 0))
                if card.critical:
                    missed_critical.append(card_id)
        topic_order: dict[str, int] = {topic: i for i, topic in enumerate(self.deck.topics)}
        return QuizResult(
            mode=self.mode,
            score=score,
            max_score=float(len(self.card_ids)),
            pass_mark=self.deck.pass_mark,
            per_topic=[
                TopicScore(topic, right, total)
                for topic, (right, total) in sorted(
                    per_topic.items(), key=lambda item: topic_order.get(item[0], 99)
                )
            ],
            missed=missed,
            missed_critical=missed_critical,
        )


def review_session(session: QuizSession, result: QuizResult) -> QuizSession:
    """A practice round over the cards missed in a finished attempt, in the order asked.

    Args:
        session: The finished attempt.
        result: Its result (the missed cards come from it).
    """
    missed = [answer.card_id for answer in result.missed]
    settings = QuizSettings(mode="review", shuffle=False, seed=session.settings.seed)
    return QuizSession(deck=session.deck, card_ids=missed, settings=settings)
