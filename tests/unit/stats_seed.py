"""A seeded score store for the statistics, report and xAPI tests (and the screen snapshot).

Everything is written through the public `ScoreStore` API with an injected clock, so
every time is known. The expected values in the tests are worked out by hand from the
table below, not recomputed with the code under test.

Deck `seed-deck` (loaded; written by `write_deck`), version 2.1.0, topics mechanism,
adverse-effects, stopping-safely. Quiz cards: q-single (mechanism), q-multi
(adverse-effects, critical), q-tf (stopping-safely, critical), q-typed (mechanism),
q-order (stopping-safely), q-never (adverse-effects, critical, never answered);
flashcards f-gaba and f-two.

Deck `old-deck` "Warfarin basics" v0.9 is NOT loaded: only the store knows it.

Alice's attempts (times UTC; c = correct, w = wrong; ms = elapsed):

    A1 practice v2.0.0 start 03-01 09:00, finished 09:10 score 2/5
         q-single c 4000 | q-multi w 6000 | q-tf w 3000 |
         q-typed c 5000 (old hash 0000000000000000) | q-order w 8000
    A2 exam v2.1.0 start 03-02 10:00, finished 10:05 score 4/5, NOT passed (critical)
         q-single c 2000 | q-multi c 3000 | q-tf w 2500 | q-typed c 3500 | q-order c 4000
    B1 exam old-deck v0.9 start 03-02 15:00, finished 15:05 score 1/3, NOT passed
         w-bleed w 10000 (adverse-effects, critical) | w-inr c 5000 (uses) |
         w-diet w 4000 (uses)
    A3 exam v2.1.0 start 03-03 11:00, finished 11:05 score 4/5, passed
         q-single w 1000 | q-multi c 1500 | q-tf c 1200 | q-typed c 1800 |
         q-order c 2000 (stale hash ffffffffffffffff: the card changed since)
    A4 practice v2.1.0 start 03-04 09:00, DISCARDED
         q-single w 9999 | q-tf w 9999          (must count nowhere)
    A5 review v2.1.0 start 03-05 08:00, unfinished
         q-multi w 2200

Alice's flashcard reviews (rating; first = the card's first review):

    f-old 02-20 09:00 r3 first (outside the 14-day window)
    f-gaba 03-01 09:00 r3 first | f-gaba 03-02 09:00 r1 | f-gaba 03-05 09:00 r3
    f-two 03-05 09:30 r2 first | f-two 03-10 23:30 r4 | f-old 03-14 08:00 r2

Bob (must not leak into Alice's numbers): one unfinished practice attempt on seed-deck
with q-single c 1000 and q-tf w 1000, and one review of f-gaba.

`NOW` = 2025-03-14 12:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quizapp.core.decks.loading import load_deck
from quizapp.core.decks.model import Deck
from quizapp.core.store import ScoreStore

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)

DECK_YAML = """\
schema_version: 1
id: seed-deck
title: "Seed deck: diazepam"
drug:
  generic: diazepam
audience: caregiver
version: "2.1.0"
reviewed: 2025-01-15
pass_mark: 0.8
sources:
  - id: dailymed-valium
    title: VALIUM (diazepam) tablets, prescribing information
    publisher: DailyMed
    url: https://dailymed.nlm.nih.gov/dailymed/
topics: [mechanism, adverse-effects, stopping-safely]
cards:
  - id: q-single
    type: single
    topic: mechanism
    prompt: What does diazepam do to GABA?
    choices: [It takes the place of GABA., It makes GABA work better., It blocks GABA.]
    answer: It makes GABA work better.
    explanation: Diazepam helps GABA calm nerve cells.
    sources: [{id: dailymed-valium}]
  - id: q-multi
    type: multi
    topic: adverse-effects
    critical: true
    prompt: Which of these add to diazepam's sleepiness and slowed breathing?
    choices: [Alcohol, Opioid pain medicine, Water]
    answers: [Alcohol, Opioid pain medicine]
    explanation: Alcohol and opioids slow the brain too.
    sources: [{id: dailymed-valium}]
  - id: q-tf
    type: true_false
    topic: stopping-safely
    critical: true
    prompt: You can stop diazepam on your own all at once.
    answer: false
    explanation: Stopping suddenly can cause dangerous withdrawal.
    sources: [{id: dailymed-valium}]
  - id: q-typed
    type: typed
    topic: mechanism
    prompt: Name the calming messenger that diazepam helps.
    accepted: [GABA, gamma-aminobutyric acid]
    explanation: Diazepam makes GABA work better.
    sources: [{id: dailymed-valium}]
  - id: q-order
    type: order
    topic: stopping-safely
    prompt: Put the steps of a safe taper in order.
    steps:
      - Talk to the prescriber about a plan.
      - Lower the dose a little at a time.
      - Report any withdrawal signs.
    explanation: A taper is planned with the prescriber.
    sources: [{id: dailymed-valium}]
  - id: q-never
    type: single
    topic: adverse-effects
    critical: true
    prompt: Who should you call if breathing becomes very slow?
    choices: [Emergency services, Nobody]
    answer: Emergency services
    explanation: Very slow breathing is an emergency.
    sources: [{id: dailymed-valium}]
  - id: f-gaba
    type: flashcard
    topic: mechanism
    front: What is GABA?
    back: The brain's own calming messenger.
    explanation: Diazepam makes GABA work better.
    sources: [{id: dailymed-valium}]
  - id: f-two
    type: flashcard
    topic: stopping-safely
    front: Why taper slowly?
    back: To avoid withdrawal.
    explanation: Withdrawal can be dangerous.
    sources: [{id: dailymed-valium}]
"""


class Clock:
    """A clock the test sets by hand."""

    def __init__(self) -> None:
        self.moment = datetime(2025, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def at(self, month: int, day: int, hour: int, minute: int = 0) -> None:
        self.moment = datetime(2025, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Seeded:
    """What `seed` made."""

    store: ScoreStore
    deck: Deck
    deck_path: Path
    alice: int
    bob: int
    attempts: dict[str, int]

    @property
    def decks(self) -> dict[str, Deck]:
        return {self.deck.id: self.deck}


def write_deck(folder: Path) -> Path:
    """Write the seed deck YAML into `folder`; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "seed-deck.yaml"
    path.write_text(DECK_YAML, encoding="utf-8")
    return path


RESPONSES: dict[str, tuple[Any, Any]] = {
    # card id: (a correct response, a wrong response), as the quiz engine stores them
    "q-single": ("It makes GABA work better.", "It blocks GABA."),
    "q-multi": (["Alcohol", "Opioid pain medicine"], ["Alcohol", "Water"]),
    "q-tf": (False, True),
    "q-typed": ("gaba", "dopamine"),
    "q-order": (
        [
            "Talk to the prescriber about a plan.",
            "Lower the dose a little at a time.",
            "Report any withdrawal signs.",
        ],
        [
            "Lower the dose a little at a time.",
            "Talk to the prescriber about a plan.",
            "Report any withdrawal signs.",
        ],
    ),
    "w-bleed": ("Bleeding gums", "Headache"),
    "w-inr": ("A blood test", "A urine test"),
    "w-diet": ("Keep it steady", "Avoid all greens"),
}


def seed(db: Path, deck_folder: Path, *, alice_name: str = "Alice") -> Seeded:
    """Create the store described in the module docstring."""
    clock = Clock()
    store = ScoreStore.open(db, now=clock)
    deck_path = write_deck(deck_folder)
    deck = load_deck(deck_path)
    clock.at(2, 1, 8)
    alice = store.add_learner(alice_name).id
    bob = store.add_learner("Bob").id

    def answer(
        attempt: int,
        card_id: str,
        correct: bool,
        ms: int,
        *,
        deck_id: str = "seed-deck",
        topic: str | None = None,
        critical: bool | None = None,
        card_hash: str | None = None,
    ) -> None:
        if deck_id == "seed-deck":
            card = deck.card(card_id)
            topic = topic or card.topic
            critical = card.critical if critical is None else critical
            card_hash = card_hash or card.content_hash()
        good, bad = RESPONSES[card_id]
        store.record_answer(
            attempt,
            deck_id=deck_id,
            card_id=card_id,
            card_hash=card_hash or "1234567890abcdef",
            topic=topic or "uses",
            critical=bool(critical),
            response=good if correct else bad,
            correct=correct,
            points=1.0 if correct else 0.0,
            elapsed_ms=ms,
        )
        clock.moment = clock.moment.replace(second=clock.moment.second + 1)

    def start(
        learner: int,
        mode: Any,
        version: str,
        *,
        deck_id: str = "seed-deck",
        title: str = "Seed deck: diazepam",
    ) -> int:
        pass_mark = 0.8 if mode == "exam" else None
        # The cards the seed answers below (schema v4 refuses answers beyond the plan).
        plan = {"card_ids": ["q-single", "q-multi", "q-tf", "q-typed", "q-order"]}
        return store.start_attempt(learner, deck_id, version, title, mode, plan, pass_mark)

    attempts: dict[str, int] = {}

    clock.at(3, 1, 9)
    a1 = attempts["A1"] = start(alice, "practice", "2.0.0")
    answer(a1, "q-single", True, 4000)
    answer(a1, "q-multi", False, 6000)
    answer(a1, "q-tf", False, 3000)
    answer(a1, "q-typed", True, 5000, card_hash="0000000000000000")
    answer(a1, "q-order", False, 8000)
    clock.at(3, 1, 9, 10)
    store.finish_attempt(a1, 2, 5, None)

    clock.at(3, 2, 10)
    a2 = attempts["A2"] = start(alice, "exam", "2.1.0")
    answer(a2, "q-single", True, 2000)
    answer(a2, "q-multi", True, 3000)
    answer(a2, "q-tf", False, 2500)
    answer(a2, "q-typed", True, 3500)
    answer(a2, "q-order", True, 4000)
    clock.at(3, 2, 10, 5)
    store.finish_attempt(a2, 4, 5, False)

    clock.at(3, 2, 15)
    b1 = attempts["B1"] = start(alice, "exam", "0.9", deck_id="old-deck", title="Warfarin basics")
    old = {"deck_id": "old-deck"}
    answer(b1, "w-bleed", False, 10000, topic="adverse-effects", critical=True, **old)
    answer(b1, "w-inr", True, 5000, topic="uses", critical=False, **old)
    answer(b1, "w-diet", False, 4000, topic="uses", critical=False, **old)
    clock.at(3, 2, 15, 5)
    store.finish_attempt(b1, 1, 3, False)

    clock.at(3, 3, 11)
    a3 = attempts["A3"] = start(alice, "exam", "2.1.0")
    answer(a3, "q-single", False, 1000)
    answer(a3, "q-multi", True, 1500)
    answer(a3, "q-tf", True, 1200)
    answer(a3, "q-typed", True, 1800)
    answer(a3, "q-order", True, 2000, card_hash="ffffffffffffffff")
    clock.at(3, 3, 11, 5)
    store.finish_attempt(a3, 4, 5, True)

    clock.at(3, 4, 9)
    a4 = attempts["A4"] = start(alice, "practice", "2.1.0")
    answer(a4, "q-single", False, 9999)
    answer(a4, "q-tf", False, 9999)
    store.discard_attempt(a4)

    clock.at(3, 5, 8)
    a5 = attempts["A5"] = start(alice, "review", "2.1.0")
    answer(a5, "q-multi", False, 2200)

    clock.at(3, 6, 8)
    bob_attempt = attempts["BOB"] = start(bob, "practice", "2.1.0")
    answer(bob_attempt, "q-single", True, 1000)
    answer(bob_attempt, "q-tf", False, 1000)

    def review(learner: int, card_id: str, rating: int, when: datetime, first: bool) -> None:
        store.record_review(
            learner,
            "seed-deck",
            card_id,
            card_hash="abcdefabcdefabcd",
            state={"step": rating},
            due=when,
            rating=rating,
            reviewed_at=when,
            review={"rating": rating},
            previous_state=None if first else {"step": 0},
        )

    def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2025, month, day, hour, minute, tzinfo=UTC)

    review(alice, "f-old", 3, utc(2, 20, 9), True)
    review(alice, "f-gaba", 3, utc(3, 1, 9), True)
    review(alice, "f-gaba", 1, utc(3, 2, 9), False)
    review(alice, "f-gaba", 3, utc(3, 5, 9), False)
    review(alice, "f-two", 2, utc(3, 5, 9, 30), True)
    review(alice, "f-two", 4, utc(3, 10, 23, 30), False)
    review(alice, "f-old", 2, utc(3, 14, 8), False)
    review(bob, "f-gaba", 1, utc(3, 13, 9), True)

    clock.moment = NOW
    return Seeded(store, deck, deck_path, alice, bob, attempts)
