"""A child process for the start-up and memory benchmarks.

    python -m tests.benchmarks.child bare [--until painted]
    python -m tests.benchmarks.child quizapp --data-dir D [--decks P] --until painted|listed

`bare` is a plain Textual app (Header, Static, Footer); `quizapp` starts the real app the
way the `quizapp` command does (through `quizapp.cli.main`), headless at 80x24. The child
prints one JSON line, `at_painted` (first frame shown: Textual's Ready event) and, for
`--until listed`, `at_listed` (the frame after Home's deck table holds every deck), as
`time.monotonic()` values, plus `rss_kb` (peak resident memory so far, see `peak_rss_kb`),
then exits at once (`os._exit`, so tear-down is not counted). Other `at_` marks (imports
done, app made, mounted, first decks shown) help to see where start-up time goes.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

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


def run_bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("Hello from a bare Textual app.")
            yield Footer()

        def on_mount(self) -> None:
            _mark("mounted")

        def on_ready(self) -> None:
            _mark("painted")
            _finish()

    _mark("imported")
    Bare().run(headless=True, size=(80, 24))


def run_quizapp(argv: list[str], until: str) -> None:
    from textual import on

    import quizapp.cli
    from quizapp.ui import app as ui_app
    from quizapp.ui.messages import DecksLoaded
    from quizapp.ui.screens.home import HomeScreen

    _mark("imported")
    base = ui_app.QuizApp

    class Timed(base):  # type: ignore[misc, valid-type]
        # Textual reads CSS_PATH relative to the subclass's module: point at the real one.
        CSS_PATH = str(Path(ui_app.__file__).with_name(str(base.CSS_PATH)))
        expected: int | None = None

        def __init__(self, *args: object, **kwargs: object) -> None:
            _mark("made")  # make_app has opened the store and read the settings
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

        def on_mount(self) -> None:
            _mark("mounted")

        def on_ready(self) -> None:
            _mark("painted")
            if until == "painted":
                _finish()

        @on(DecksLoaded)
        def _bench_decks_loaded(self, message: DecksLoaded) -> None:
            if message.done:
                self.expected = len(message.decks)
                self.home.call_later(_check_listed, self.home)

        def run(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
            return super().run(headless=True, size=(80, 24))

    def _check_listed(home: HomeScreen) -> None:
        if home.decks:
            _mark("first_decks")
        app = home.app
        table = home.query_one("#decks")
        if app.expected is not None and table.row_count == app.expected:  # type: ignore[attr-defined]
            home.call_after_refresh(lambda: (_mark("listed"), _finish()))

    fill_table = HomeScreen._fill_table

    def fill_and_check(self: HomeScreen) -> None:
        fill_table(self)
        _check_listed(self)

    if until == "listed":
        HomeScreen._fill_table = fill_and_check  # type: ignore[method-assign]
    ui_app.QuizApp = Timed  # type: ignore[misc]
    quizapp.cli.main(argv)
    raise SystemExit("the app exited before the milestone")


def main() -> None:
    _mark("main")
    kind, *rest = sys.argv[1:]
    until = "painted"
    if "--until" in rest:
        at = rest.index("--until")
        until = rest[at + 1]
        del rest[at : at + 2]
    if kind == "bare":
        run_bare()
    elif kind == "quizapp":
        run_quizapp(rest, until)
    else:
        raise SystemExit(f"unknown child kind {kind!r}")


if __name__ == "__main__":
    main()
