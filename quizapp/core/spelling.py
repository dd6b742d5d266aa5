"""Close spellings of typed answers: "protacted" for "protracted", never another word.

A typed answer that is not an accepted answer is still accepted when it is a small typo
of one, and only then: the closest accepted answer must be unambiguous (no other term the
deck knows, from its other typed answers and its choices, is as close), and the typo
small for the word's length, and neither holds a digit (a phone number or a dose one
digit off is wrong). Medicine names that differ by a letter or two are different
medicines, so a short word gets no leeway at all and ties are never guessed.

The edit distance comes from rapidfuzz (a maintained C++ implementation of Levenshtein
and friends) rather than a hand-written loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from quizapp.core.decks.model import ChoiceCard, Deck, OrderCard, TypedCard, normalize_answer


def allowed_typos(length: int) -> int:
    """Edits allowed for an answer of `length` letters: none up to 5, one up to 9, then two."""
    if length <= 5:
        return 0
    return 1 if length <= 9 else 2


def deck_terms(deck: Deck) -> set[str]:
    """Every short answer the deck knows (typed answers, choices, steps), normalized."""
    texts: list[str] = []
    for card in deck.quiz_cards:
        if isinstance(card, TypedCard):
            texts += card.accepted
        elif isinstance(card, ChoiceCard):
            texts += card.choice_texts()
        elif isinstance(card, OrderCard):
            texts += card.steps
    return {key for key in map(normalize_answer, texts) if key}


@dataclass(frozen=True, slots=True)
class SpellingMatch:
    """A typed answer accepted as a close spelling of `accepted`."""

    accepted: str
    """The accepted answer as the deck writes it."""
    edits: int
    """Letters added, removed or changed."""


def close_spelling(
    card: TypedCard, response: str, other_terms: Iterable[str] = ()
) -> SpellingMatch | None:
    """The accepted answer that `response` misspells, when that is beyond doubt.

    Args:
        card: The typed card asked.
        response: What the learner typed (not itself an accepted answer).
        other_terms: The deck's other known terms, normalized (`deck_terms`); a typo as
            close to one of them as to the accepted answer is not accepted.

    Returns:
        The match, or None when the response is not a small, unambiguous typo.
    """
    typed = normalize_answer(response)
    if not typed:
        return None
    accepted = {normalize_answer(text): text for text in card.accepted}
    if typed in accepted:
        return None  # right as typed: nothing to say about the spelling
    best = min(accepted, key=lambda key: Levenshtein.distance(typed, key))
    if any(ch.isdigit() for ch in typed + best):
        return None  # a phone number or a dose one digit off is a different number
    edits = Levenshtein.distance(typed, best)
    if edits == 0 or edits > allowed_typos(len(best)):
        return None
    for key in accepted:
        if key != best and Levenshtein.distance(typed, key) <= edits:
            return None  # two accepted answers equally close: do not guess
    for term in other_terms:
        if term not in accepted and Levenshtein.distance(typed, term) <= edits:
            return None  # as close to another word the deck uses: it may mean that one
    return SpellingMatch(accepted=accepted[best], edits=edits)
