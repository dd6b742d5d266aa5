"""Command palette entries for the decks: "Quiz: <deck>"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

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
    """Start a quiz on any loaded deck from the command palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, Callable[[], None]]]:
        from quizapp.ui.screens.home import HomeScreen

        home = next((s for s in self.app.screen_stack if isinstance(s, HomeScreen)), None)
        if home is None:
            return []
        return [(f"Quiz: {deck.title}", partial(home.start_deck, deck.id)) for deck in home.decks]

    async def discover(self) -> Hits:
        for name, callback in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name), callback, text=name, help=HELP)
