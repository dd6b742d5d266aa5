"""The Textual app: wires settings, the score store and the screens together."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from quizapp.core import paths
from quizapp.core.decks.cache_key import default_cache_folder
from quizapp.core.decks.library import DeckLibrary, scan
from quizapp.core.settings import Settings, load_settings, save_settings
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.context import AppContext, Clock
from quizapp.ui.gc_policy import freeze_long_lived_objects, unfreeze_long_lived_objects
from quizapp.ui.messages import DeckFilesChanged, DecksLoaded, LearnerChanged, QuizRequested
from quizapp.ui.screens.home import HomeScreen

if TYPE_CHECKING:
    # The loader and the deck models (pydantic, YAML) are imported when a deck file must
    # be checked in full or a deck is opened: Home's first frame lists from summaries.
    from quizapp.core.decks.model import Deck


def _utc_now() -> datetime:
    return datetime.now(UTC)


class QuizApp(App[None]):
    """quizapp's terminal user interface.

    The app owns the long-lived objects in one `AppContext` (store, settings, clock,
    loaded decks, current learner), which screens read with `app_context(self)`; screens
    report back with messages. Home, always at the bottom of the stack, opens the others.
    """

    TITLE = "quizapp"
    SUB_TITLE = "Medicine education. Not medical advice."
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="quit",
            show=False,
            tooltip="Leave quizapp (asks first during a quiz)",
        ),
        Binding("question_mark", "keys", "Keys", id="keys", show=False, tooltip="Keys here"),
    ]

    def __init__(
        self,
        *,
        store: ScoreStore,
        settings: Settings,
        settings_file: Path,
        library: DeckLibrary,
        cache_folder: Path,
        learner: Learner | None,
        startup_notes: Sequence[str] = (),
        clock: Clock = _utc_now,
    ) -> None:
        """Create the app; use `make_app` rather than calling this directly.

        Args:
            store: The opened score store.
            settings: Settings loaded at start-up.
            settings_file: Where settings are saved when they change.
            library: The deck files as scanned: what Home lists in its first frame; the
                files without a fresh summary are checked after it.
            cache_folder: The validated-deck cache.
            learner: The remembered learner, read before the UI starts so that Home's
                first frame shows them (None: Home asks who is learning).
            startup_notes: Messages to show once the app is up (recovered files, ...).
            clock: Source of the current time (tests pass a fixed one).
        """
        super().__init__()
        self.context = AppContext(
            store=store,
            settings=settings,
            clock=clock,
            settings_file=settings_file,
            library=library,
            cache_folder=cache_folder,
        )
        self.startup_notes = list(startup_notes)
        self.home = HomeScreen(learner)
        """The home screen: the bottom of the stack for the app's whole life."""
        # Here, not on mount: the stylesheet is first parsed with the theme's colours.
        # Set once the app runs, the theme made Textual parse every rule again before
        # the first frame (a light theme started about 15 ms later than the default).
        self._apply_theme(settings.theme)
        self._latest_library: DeckLibrary | None = None

    # Shortcuts to the context for tests and benchmarks, which open screens themselves.
    @property
    def store(self) -> ScoreStore:
        """The score store."""
        return self.context.store

    @property
    def decks(self) -> dict[str, Deck]:
        """The decks loaded in full so far (opened, studied, browsed), by id."""
        return self.context.decks

    @property
    def library(self) -> DeckLibrary:
        """The deck files: summaries of the valid decks, errors of the others."""
        return self.context.library

    def get_default_screen(self) -> Screen[None]:
        return self.home

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda theme: self._remember_theme(theme.name))
        for note in self.startup_notes:
            self.notify(note, severity="warning", timeout=10, markup=False)

    def on_ready(self) -> None:
        # The app and Home, out of full collections; and collections back on if the
        # command held them off for the start-up (`quizapp.cli.cmd_run`). No collection
        # first: it would take 20-30 ms to find about 1,500 objects of start-up garbage
        # (of some 48,000), which the freeze keeps instead, once.
        freeze_long_lived_objects()
        gc.enable()
        self.home.first_frame_shown()
        # Home lists the decks with a fresh summary in its first frame. Files without one
        # (new, edited, or never valid) are checked once that frame is on screen: the
        # worker imports pydantic and the deck models and parses files, and a thread
        # doing that competes with drawing the first frame for the GIL.
        if self.context.library.pending:
            self.load_decks()

    def on_unmount(self) -> None:
        unfreeze_long_lived_objects()

    def _apply_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name

    def _remember_theme(self, name: str) -> None:
        settings = self.context.settings
        if name != settings.theme:
            settings.theme = name
            self.save_settings()

    @work(thread=True, group="settings", exit_on_error=False)
    def save_settings(self) -> None:
        """Write the settings file in the background."""
        save_settings(self.context.settings, self.context.settings_file)

    @work(thread=True, group="decks", exit_on_error=False)
    def load_decks(self) -> None:
        """Check the deck files that had no fresh summary, in the background.

        Each is loaded in full (from the validated-deck cache when fresh) and only its
        summary, or its errors, kept: the cards are loaded again when the deck is opened,
        so checking a big library does not keep it in memory. Posts `DecksLoaded` after
        each file, and a last one with `done=True`, so Home fills in as files are checked.
        """
        from quizapp.core.decks.cache import DeckCache
        from quizapp.core.decks.library import validate_pending

        def progress(library: DeckLibrary) -> None:
            self.post_message(DecksLoaded(library, done=False))

        cache = DeckCache(self.context.cache_folder)
        library = validate_pending(self.context.library, cache, progress=progress)
        self.post_message(DecksLoaded(library, done=True))

    @on(DecksLoaded)
    def _decks_loaded(self, message: DecksLoaded) -> None:
        self.record_library(self.context.library.checked(message.library))

    @on(DeckFilesChanged)
    def _deck_files_changed(self, message: DeckFilesChanged) -> None:
        library = self.context.library
        for outcome in message.outcomes:
            library = library.with_outcome(outcome)
        self.record_library(library)

    def record_library(self, library: DeckLibrary) -> None:
        """Make `library` the app's deck library and show it on Home."""
        self.context.library = library
        self._latest_library = library

        def show() -> None:
            if library is self._latest_library:  # else a newer one is queued
                self.home.show_decks()

        # Through Home's own queue: the first message can arrive before Home has composed
        # its widgets, and a screen handles its queue only once it is mounted.
        self.home.call_later(show)

    @on(LearnerChanged)
    def _remember_learner(self, message: LearnerChanged) -> None:
        settings = self.context.settings
        if settings.learner != message.learner.name:
            settings.learner = message.learner.name
            self.save_settings()

    @on(QuizRequested)
    def _start_quiz(self, message: QuizRequested) -> None:
        # Only from Home: a quiz started over another screen (a quiz, say) would stack.
        if self.screen is self.home:
            self.home.start_deck(message.deck_id)

    def action_keys(self, screen: Screen[object] | None = None) -> None:
        """Show the keys that work on the current screen (`?`, or "Keys" in the palette)."""
        from quizapp.ui.dialogs.keys import KeysModal, screen_keys

        screen = screen or self.screen
        if isinstance(screen, KeysModal):
            return
        title = getattr(screen, "KEYS_TITLE", None) or type(screen).__name__.removesuffix("Screen")
        self.push_screen(KeysModal(title, screen_keys(screen)))

    async def action_quit(self) -> None:
        """Quit; during a quiz, ask first (a stray `q` must not end an attempt)."""
        question = getattr(self.screen, "quit_question", None)
        if not question:
            self.exit()
            return
        from quizapp.ui.dialogs.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmModal("Quit quizapp?", question, yes="Quit"), answered)

    def get_system_commands(self, screen: Screen[object]) -> Iterator[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Keys":
                # Textual's panel lists its generic keys; ours lists this screen's.
                yield SystemCommand(
                    "Keys", "The keys of this screen", lambda: self.action_keys(screen)
                )
            elif command.title == "Quit":
                yield SystemCommand("Quit", "Leave quizapp", self.action_quit)
            else:
                yield command
        if screen is not self.home:
            # These open screens over Home; from a quiz or a dialog they would stack
            # over it (or change the learner in the middle of an attempt).
            return
        home = self.home
        yield SystemCommand("Switch learner", "Choose or add a learner", home.action_learner)
        yield SystemCommand(
            "Education notice", "Read the education-not-advice notice", home.action_notice
        )
        yield SystemCommand("History", "Your past quizzes and exams", home.action_history)
        yield SystemCommand(
            "Statistics", "How you are doing, per deck and topic", home.action_statistics
        )
        yield SystemCommand(
            "Review everything due", "Flashcards due now in every deck", home.action_review_all
        )
        # Only Settings is added here (the issue asks for it in the palette): the card
        # browser (b) and mistakes (m) are Home keys, so the palette's list still fits
        # the deck entries ("Quiz: <deck>") in view before anything is typed.
        yield SystemCommand(
            "Settings",
            "New cards per day, maximum reviews per day, desired retention (, on Home)",
            home.action_settings,
        )


def _startup_records_notes(store: ScoreStore) -> list[str]:
    """Answers kept for later by an earlier run, written now; the cache folder made private."""
    from quizapp.core import files

    notes: list[str] = []
    if paths.pending_path(store.path).exists():  # else the module is not needed yet
        from quizapp.core.pending import replay_kept
        from quizapp.core.store import StoreError

        try:
            message = replay_kept(store).message
        except StoreError as error:
            message = str(error)
        if message:
            notes.append(message)
    cache = paths.cache_dir()
    try:
        notice = files.tighten(cache, files.PRIVATE_FOLDER_MODE) if cache.is_dir() else None
    except OSError:
        notice = None  # not ours to change; the cache holds deck text, not scores
    if notice:
        notes.append(notice)
    return notes


def make_app(
    *,
    data_dir: Path,
    extra_decks: Sequence[Path] = (),
    bundled: bool = True,
    clock: Clock = _utc_now,
) -> QuizApp:
    """Build the app from a data folder; the CLI and the tests both use this.

    Opening the store happens here, before the UI starts, so that an unusable data folder
    is reported on the command line (exit 2) rather than inside a half-drawn screen.

    Args:
        data_dir: Folder for the score database, settings and the user's decks.
        extra_decks: Deck files or folders given with `--decks`.
        bundled: Also load the decks that ship with the app (tests turn this off).
        clock: Source of the current time.

    Returns:
        The app, ready to `run()`.

    Raises:
        StoreError: The data folder or database cannot be used.
    """
    settings_file = paths.settings_path(data_dir)
    store = ScoreStore.open(paths.db_path(data_dir), now=clock)
    settings, warning = load_settings(settings_file)
    notes = [warning] if warning else []
    if store.recovery_message:
        notes.append(store.recovery_message)
    notes.extend(store.notices)
    notes.extend(_startup_records_notes(store))
    deck_paths = paths.deck_search_paths(extra_decks, data_dir)
    if not bundled:
        deck_paths = deck_paths[1:]
    # Before the UI starts, like opening the store, so Home's first frame lists the decks
    # whose files have a fresh summary (a stat, a read and a hash per file; no parsing)
    # under the remembered learner (one short query).
    cache_folder = default_cache_folder()
    library = scan(deck_paths, cache_folder)
    remembered = next((one for one in store.learners() if one.name == settings.learner), None)
    return QuizApp(
        store=store,
        settings=settings,
        settings_file=settings_file,
        startup_notes=notes,
        clock=clock,
        library=library,
        cache_folder=cache_folder,
        learner=remembered,
    )
