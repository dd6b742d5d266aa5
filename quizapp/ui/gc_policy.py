"""Keeping Python's garbage collector from pausing the UI.

A full (oldest-generation) collection walks every object the collector tracks: Textual's
widgets and styles, every deck's models, the store's rows. With those it took 50-300 ms,
a frozen frame at a random moment; the slowest answer -> feedback frames of the
benchmark were such pauses. Objects moved to the permanent generation (`gc.freeze`) are
never walked again, so freezing what is meant to last as long as the app (the app and
Home once the first frame is up, the decks' models when a quiz or flashcard screen
opens) keeps those passes short.

What is left (the garbage of each question: its answer widget, the footer's keys) is
collected as usual, but not while an answer or a rating is on its way to the screen:
`hold_collections_until_drawn` postpones any collection from the key press to just after
the frame that shows the result, as Textual itself does during smooth scrolling.

Freezing is not free of cost: a frozen object that later becomes cyclic garbage stays
until `gc.unfreeze`, so freeze only at moments when what exists is meant to stay (not
while a screen that will close holds its widgets), and unfreeze when the app ends, so
that apps run one after another in one process (the tests) do not pile frozen objects up.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterable

from textual.dom import DOMNode

HOLD_AT_MOST_S = 0.5
"""Collections come back after this long even if the awaited frame never comes."""

_holding = False
"""Whether collections are off because of `hold_collections_until_drawn`."""

_frozen_decks: weakref.WeakValueDictionary[int, object] = weakref.WeakValueDictionary()
"""The decks frozen by `freeze_decks`, by `id` (decks are not hashable)."""


def freeze_long_lived_objects() -> None:
    """Leave every object that exists now out of future garbage collections.

    Call when what exists is meant to live as long as the app: the first frame (the app,
    Home). Cheap (no collection runs): the tracked objects are only moved to the
    permanent generation.
    """
    gc.freeze()


def freeze_decks(decks: Iterable[object]) -> None:
    """Freeze the objects that exist now if one of `decks` was not frozen before.

    Called when a quiz or flashcard screen opens, before it makes objects of its own:
    the decks' models live as long as the app. Only once per deck: every freeze also
    keeps whatever else is alive at that moment and dies later (the previous screen's
    caches, say), about 2 MB at each quiz when done at every one. A collection runs
    first, so no garbage is frozen (a few milliseconds: frozen objects are not walked).

    Args:
        decks: The decks the screen shows.
    """
    new = [deck for deck in decks if _frozen_decks.get(id(deck)) is not deck]
    if not new:
        return
    gc.collect()
    gc.freeze()
    _frozen_decks.update((id(deck), deck) for deck in new)


def unfreeze_long_lived_objects() -> None:
    """Give the frozen objects back to the collector (when the app ends)."""
    gc.unfreeze()
    _frozen_decks.clear()
    _resume_collections()


def hold_collections_until_drawn(node: DOMNode) -> None:
    """No garbage collection until `node`'s screen has drawn its next frame.

    Called where a key press changes what is shown (the answer's feedback, the next
    flashcard): a full collection that happened to start there delayed that frame by
    tens of milliseconds. The collection runs just after the frame instead, while the
    person reads it. Collections come back after `HOLD_AT_MOST_S` at the latest (the
    screen might close before drawing), and when the app ends.

    Args:
        node: A widget or screen whose next frame shows the result.
    """
    global _holding
    if _holding or not gc.isenabled():  # already held, or off for Textual's scrolling
        return
    gc.disable()
    _holding = True
    node.call_after_refresh(_resume_collections)
    node.app.set_timer(HOLD_AT_MOST_S, _resume_collections)


def _resume_collections() -> None:
    global _holding
    if _holding:
        _holding = False
        gc.enable()
