"""Keeping Python's garbage collector from pausing the UI.

A full (oldest-generation) collection walks every object the collector tracks: Textual's
widgets and styles, every deck's models, the store's rows. With those it took 50-300 ms,
a frozen frame at a random moment; the slowest answer -> feedback frames of the
benchmark were such pauses. Objects moved to the permanent generation (`gc.freeze`) are
never walked again, so freezing what is meant to last as long as the app (the app and
Home once the first frame is up, the decks once loaded) keeps those passes short.

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

from textual.dom import DOMNode

HOLD_AT_MOST_S = 0.5
"""Collections come back after this long even if the awaited frame never comes."""

_holding = False
"""Whether collections are off because of `hold_collections_until_drawn`."""


def freeze_long_lived_objects() -> None:
    """Leave every object that exists now out of future garbage collections.

    Call after the first frame, and after decks are loaded: what exists then lives as
    long as the app. Cheap (no collection runs): the tracked objects are only moved to
    the permanent generation.
    """
    gc.freeze()


def unfreeze_long_lived_objects() -> None:
    """Give the frozen objects back to the collector (when the app ends)."""
    gc.unfreeze()
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


def frozen_count() -> int:
    """How many objects are frozen now (for tests and measurements)."""
    return gc.get_freeze_count()
