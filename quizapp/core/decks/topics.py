"""Topic headings, in a module of their own so the UI can show them without pydantic.

Home's first frame needs these titles but not the deck models; importing
`quizapp.core.decks.model` (pydantic, schema building) would delay that frame.
`quizapp.core.decks.model` re-exports `TOPIC_TITLES`, so either import works.
"""

from __future__ import annotations

TOPIC_TITLES: dict[str, str] = {
    "mechanism": "How it works",
    "uses": "What it is used for",
    "adverse-effects": "Side effects and warnings",
    "stopping-safely": "Stopping safely",
    "daily-use": "Everyday use",
    "emergencies": "Emergencies",
}
"""Plain-language headings for the topics, as learners see them."""
