"""Command palette entries for the decks: "Quiz: <deck>"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from quizapp.ui.context import app_context
from quizapp.ui.messages import QuizRequested

HELP = "Practice or take an exam on this deck"
"""Fixed text: the palette parses help text as markup, so no deck text goes in it."""


def highlighted(matcher: Matcher, text: str) -> Content:
    """`text` with the query's matched letters styled, never parsed as markup.

    `Matcher.highlight` runs its candidate through `Content.from_markup`, which would
    turn deck text like "[@click=app.quit]x[/]" into markup (or fail on "[/]").
    """
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class DeckCommands(Provider):
    """Start a quiz on any listed deck from the command palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, Callable[[], object]]]:
        # The app starts the quiz (through Home): the palette only says which deck.
        return [
            (f"Quiz: {deck.title}", partial(self.app.post_message, QuizRequested(deck.id)))
            for deck in app_context(self.app).library.summaries.values()
        ]

    async def discover(self) -> Hits:
        for name, callback in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name), callback, text=name, help=HELP)
