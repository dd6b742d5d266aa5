"""A footer that rebuilds its keys only when the keys it shows change.

Textual's `Footer` removes and mounts all its keys again after every `refresh_bindings`
of its screen, one rebuild per call: submitting an answer asked for two (the answer
widget locked, the screen's Submit turning into Next), showing the next question for
more (a new answer widget, focus moving), each a layout of the screen and a batch of new
widgets for the garbage collector. On Home it was rebuilt three times between the first
frame and the scores being shown, each time restyling every key (those of earlier
rebuilds too, still watched) on the event loop while the scores loaded in a thread. This
one rebuilds at most once per screen refresh, and not at all when the keys it would show
are the ones it shows. Every screen and dialog uses it.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """The footer of every screen and dialog (looks and works as `Footer`)."""

    def __init__(self) -> None:
        super().__init__()
        self._rebuild_queued = False
        self._shown_keys: Hashable = None
        """What the last compose showed (None: nothing yet)."""

    def keys_to_show(self) -> Hashable:
        """What `compose` would show now: every shown binding's key, label and state."""
        if not self._bindings_ready:
            return None
        app = self.app
        active = self.screen.active_bindings
        return tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.action,
                binding.description,
                binding.group,
                enabled,
                tooltip,
            )
            for key, (_, binding, enabled, tooltip) in active.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        ), (self.show_command_palette and app.ENABLE_COMMAND_PALETTE, self.compact)

    def compose(self) -> ComposeResult:
        self._shown_keys = self.keys_to_show()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_queued:
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._rebuild_queued = False
        if not self.is_attached:  # the screen closed meanwhile
            return
        if self.keys_to_show() != self._shown_keys:
            await self.recompose()
            self._forget_removed_keys()

    def _forget_removed_keys(self) -> None:
        # Footer binds each key's `compact` to its own (`data_bind`): the footer keeps a
        # (key, setter) watcher per key, and Textual drops those of removed keys only
        # when `compact` next changes, which here is never. Each rebuild kept the old
        # keys alive (with their styles and caches) until the screen closed.
        watchers: dict[str, list[tuple[DOMNode, object]]] = getattr(self, "__watchers", {})
        for watching in watchers.values():
            watching[:] = [(node, callback) for node, callback in watching if not node._closing]
