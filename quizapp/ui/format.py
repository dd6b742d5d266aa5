"""Small formatting helpers shared by screens."""

from __future__ import annotations

from datetime import datetime

TYPE_NAMES = {
    "single": "one answer",
    "multi": "several answers",
    "true_false": "true or false",
    "typed": "typed answer",
    "order": "put in order",
    "flashcard": "flashcard",
}
"""Card types in plain words, as the card browser and a card's page show them."""


def local_time(moment: datetime | str | None) -> str:
    """A stored UTC time shown in the learner's local time zone, to the minute."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def percent(score: float | None, max_score: float | None) -> str:
    """A score as a whole percentage, or a dash when there is none."""
    if score is None or not max_score:
        return "—"
    return f"{score / max_score:.0%}"


def counted(count: int, word: str, plural: str | None = None) -> str:
    """`count` and `word`, made plural unless the count is one ("1 flashcard", "2 cards")."""
    return f"{count} {word if count == 1 else (plural or word + 's')}"
