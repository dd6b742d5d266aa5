"""Command palette entries for the decks: "Quiz: <deck>"."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content


class DeckCommands(Provider):
    """Start a quiz on any loaded deck from the command palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, str, object]]:
        from quizapp.ui.screens.home import HomeScreen

        home = next((s for s in self.app.screen_stack if isinstance(s, HomeScreen)), None)
        if home is None:
            return []
        return [
            (f"Quiz: {deck.title}", f"Practice or exam on {deck.drug.generic}", partial(home.start_deck, deck.id))
            for deck in home.decks
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Content(name), callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
