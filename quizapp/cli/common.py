"""What several `quizapp` subcommands share: finding and loading the decks they work on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from quizapp.core import paths

if TYPE_CHECKING:
    import argparse

    from quizapp.core.decks.loading import LoadResult


def load_decks_for(args: argparse.Namespace, explicit: Sequence[Path] = ()) -> LoadResult:
    """The decks a subcommand works on: `explicit` paths, or every deck the app would load.

    The loader (pydantic, YAML) is imported here, when a subcommand needs decks, so that
    launching the app does not pay for it before its first frame.
    """
    from quizapp.core.decks.finding import expand_paths
    from quizapp.core.decks.loading import load_decks

    if explicit:
        return load_decks(expand_paths(explicit))
    data_folder = paths.data_dir(args.data_dir)
    return load_decks(paths.deck_search_paths(args.decks, data_folder))
