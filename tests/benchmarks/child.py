"""A child process for the start-up and memory benchmarks.

    python -m tests.benchmarks.child bare [--until painted]
    python -m tests.benchmarks.child widgets --rows N
    python -m tests.benchmarks.child quizapp --data-dir D [--decks P] --until painted|listed
        [--expect N]

`bare` is a plain Textual app (Header, Static, Footer); `quizapp` starts the real app the
way the `quizapp` command does (through `quizapp.cli.main`), headless at 80x24. The child
prints one JSON line of `time.monotonic()` marks: `at_painted` (first frame shown:
Textual's Ready event) and, for `--until listed`, `at_listed` (the frame after Home's deck
table holds all `--expect N` decks, however they got there: summaries or full loading)
and `at_settled` (the frame after Home shows the learner's scores and due counts with
every deck file checked: Home as the learner uses it), plus `rss_kb` (peak resident
memory so far, see `peak_rss_kb`; with `--until listed` it covers everything up to
settled) and the decks listed and deck errors found. It exits at once (`os._exit`, so
tear-down is not counted). Other `at_` marks (imports done: for quizapp only the
command's module, which imports the UI as it runs; app made; mounted) help to see where
start-up time goes.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.binding import BindingType
    from textual.widget import Widget

_marks: dict[str, float] = {}


def _mark(name: str) -> None:
    _marks.setdefault(f"at_{name}", time.monotonic())


def peak_rss_kb() -> int:
    """Peak resident memory of this process so far, in KiB.

    `ru_maxrss` is the figure asked for, but Linux carries the parent's resident size over
    `fork`+`exec` into it, so a child of a big benchmark process would report the parent's
    size. `VmHWM` (the high-water mark of this process's own memory) has no such carry-over;
    it is used where /proc has it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _finish() -> None:
    _marks["rss_kb"] = peak_rss_kb()
    _marks["ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps(_marks) + "\n")
    sys.stdout.flush()
    os._exit(0)


def _run_until_painted(
    compose: Callable[[], Iterator[Widget]], bindings: Sequence[BindingType] = ()
) -> None:
    """Run a plain Textual app composed by `compose`, marking its milestones up to its
    first frame (then report and exit)."""
    from textual.app import App, ComposeResult

    class Plain(App[None]):
        BINDINGS = list(bindings)

        def compose(self) -> ComposeResult:
            yield from compose()

        def on_mount(self) -> None:
            _mark("mounted")

        def on_ready(self) -> None:
            _mark("painted")
            _finish()

    _mark("imported")
    Plain().run(headless=True, size=(80, 24))


def run_bare() -> None:
    import textual.app  # noqa: F401  (imported before the mark, as by any app)
    from textual.widgets import Footer, Header, Static

    def compose() -> Iterator[Widget]:
        yield Header()
        yield Static("Hello from a bare Textual app.")
        yield Footer()

    _run_until_painted(compose)


def run_widgets(rows: int) -> None:
    """A plain Textual app drawing what Home's first frame draws, with no quizapp code.

    Header; a status line, a six-column DataTable with `rows` rows of Text and a detail
    line; a Footer with nine keys: a reference for how much of Home's start-up is
    Textual drawing Home, whatever the app reads or computes.
    """
    import textual.app  # noqa: F401  (imported before the mark, as by any app)
    from rich.text import Text
    from textual.binding import Binding
    from textual.containers import Vertical
    from textual.widgets import DataTable, Footer, Header, Static

    def compose() -> Iterator[Widget]:
        yield Header()
        with Vertical():
            yield Static(f"{rows} decks. Choose one and press Enter. ? lists the keys.")
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
            for label in ("Deck", "For", "Cards", "Last", "Best", "Due"):
                table.add_column(Text(label))
            for _ in range(rows):
                cells = ("Diazepam (Valium): how it works", "patient", "40", "—", "—", "3")
                table.add_row(*(Text(cell) for cell in cells))
            yield table
            yield Static("")
        yield Footer()

    keys = ("enter", "f", "s", "h", "b", "l", "f1")
    _run_until_painted(compose, [Binding(key, "bell", key.upper()) for key in keys])


def when_imported(name: str, then: Callable[[ModuleType], None]) -> None:
    """Call `then(module)` as soon as module `name` has been imported (once).

    The child must not import the UI itself: the `quizapp` command imports it when it
    runs, after setting itself up for the start-up (`quizapp.cli.cmd_run`), and that is
    what is measured.
    """
    import importlib.util

    # Not derived from `importlib.abc.MetaPathFinder`: importing `importlib.abc` imports
    # `importlib.resources` too (about 1.5 ms), which the app never loads, so it would
    # count against the app. The import system only calls `find_spec`.
    class Finder:
        def find_spec(self, fullname: str, path: object, target: object = None) -> Any:
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            assert spec is not None and spec.loader is not None
            execute = spec.loader.exec_module

            def exec_module(module: ModuleType) -> None:
                execute(module)
                then(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, Finder())


def run_quizapp(argv: list[str], until: str, expect: int | None) -> None:
    import quizapp.cli

    _mark("imported")  # the command's module; it imports the UI as it runs
    when_imported("quizapp.ui.app", lambda ui_app: _instrument(ui_app, until, expect))
    quizapp.cli.main(argv)
    raise SystemExit("the app exited before the milestone")


def _instrument(ui_app: ModuleType, until: str, expect: int | None) -> None:
    """Make `ui_app.make_app` build a QuizApp that marks the milestones."""
    from quizapp.ui.screens.home import HomeScreen

    base = ui_app.QuizApp

    class Timed(base):  # type: ignore[misc, valid-type]
        # Textual reads CSS_PATH relative to the subclass's module: point at the real one.
        CSS_PATH = str(Path(ui_app.__file__).with_name(str(base.CSS_PATH)))

        def __init__(self, *args: object, **kwargs: object) -> None:
            _mark("made")  # make_app has opened the store, read the settings, scanned decks
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

        def on_mount(self) -> None:
            _mark("mounted")

        def on_ready(self) -> None:
            _mark("painted")
            if until == "painted":
                _finish()
            for name in ("listed", "settled"):
                if name in reached_before_first_frame:
                    _milestone(name, self)

        def run(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
            return super().run(headless=True, size=(80, 24))

    reached_before_first_frame: set[str] = set()

    def _milestone(name: str, app: object) -> None:
        _mark(name)
        if "at_listed" in _marks and "at_settled" in _marks:
            library = app.context.library  # type: ignore[attr-defined]
            _marks["decks"] = len(library.summaries)
            _marks["deck_errors"] = len(library.errors)
            _finish()

    def _reached(name: str, home: HomeScreen) -> None:
        if f"at_{name}" in _marks or name in reached_before_first_frame:
            return
        if "at_painted" not in _marks:
            reached_before_first_frame.add(name)  # marked with the first frame (Ready)
        else:
            home.call_after_refresh(lambda: _milestone(name, home.app))

    def _all_listed(home: HomeScreen) -> bool:
        return expect is not None and home.query_one("#decks").row_count == expect  # type: ignore[attr-defined]

    fill_table = HomeScreen._fill_table

    def fill_and_check(self: HomeScreen) -> None:
        fill_table(self)
        if _all_listed(self):
            _reached("listed", self)

    scores_loaded = HomeScreen._scores_loaded

    def scores_and_check(self: HomeScreen, *args: Any) -> None:
        scores_loaded(self, *args)
        generation = args[-1]
        checked = not self.context.library.pending
        if generation == self._scores_generation and checked and _all_listed(self):
            _reached("settled", self)

    if until == "listed":
        HomeScreen._fill_table = fill_and_check  # type: ignore[method-assign]
        HomeScreen._scores_loaded = scores_and_check  # type: ignore[method-assign]
    ui_app.QuizApp = Timed  # type: ignore[attr-defined]


def main() -> None:
    _mark("main")
    kind, *rest = sys.argv[1:]
    until = "painted"
    if "--until" in rest:
        at = rest.index("--until")
        until = rest[at + 1]
        del rest[at : at + 2]
    expect = None
    if "--expect" in rest:
        at = rest.index("--expect")
        expect = int(rest[at + 1])
        del rest[at : at + 2]
    if kind == "bare":
        run_bare()
    elif kind == "widgets":
        run_widgets(int(rest[rest.index("--rows") + 1]))
    elif kind == "quizapp":
        run_quizapp(rest, until, expect)
    else:
        raise SystemExit(f"unknown child kind {kind!r}")


if __name__ == "__main__":
    main()
