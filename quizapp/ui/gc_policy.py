"""Keeping Python's garbage collector from pausing the UI.

A full (oldest-generation) collection walks every object the collector tracks: Textual's
widgets and styles, every deck's models, the store's rows. With those it took 50-300 ms,
a frozen frame at a random moment; the slowest answer -> feedback frames of the
benchmark were such pauses. Objects moved to the permanent generation (`gc.freeze`) are
never walked again, so freezing what is meant to last as long as the app (the app and
Home once the first frame is up, the decks once loaded) keeps those passes short.

Freezing is not free of cost: a frozen object that later becomes cyclic garbage stays
until `gc.unfreeze`, so freeze only at moments when what exists is meant to stay (not
while a screen that will close holds its widgets), and unfreeze when the app ends, so
that apps run one after another in one process (the tests) do not pile frozen objects up.
"""

from __future__ import annotations

import gc


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


def frozen_count() -> int:
    """How many objects are frozen now (for tests and measurements)."""
    return gc.get_freeze_count()
