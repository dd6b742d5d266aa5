"""(1) and (2): start-up to Home painted and listing the decks, in fresh processes,
against a bare Textual app; (6): peak memory with the 10,000-card library listed, against
the bare app.

Every figure is the median of several runs, each in a new interpreter, measured from just
before the process is started (imports included) to the milestone:

- painted: the first frame (Textual's Ready event); Home is the first screen, because the
  data folder has a learner who has seen the notice.
- listed: the frame after Home's table holds every deck (the number of deck files, all
  valid: the run fails if the app listed fewer or found errors).
- settled: the frame after Home shows the learner's scores and due counts with every deck
  file checked (no target). The child runs until both listed and settled, so the memory
  figure covers Home as the learner uses it, including any checking in the background.

Runs of the app and of the bare app take turns, so machine noise hits both alike.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.benchmarks.common import Result, child_env, median, run_child
from tests.benchmarks.generate import write_library


def prepare_data_dir(folder: Path) -> Path:
    """A data folder whose remembered learner has acknowledged the notice (Home opens)."""
    from quizapp.core import paths
    from quizapp.core.settings import Settings, save_settings
    from quizapp.core.store import ScoreStore

    store = ScoreStore.open(paths.db_path(folder))
    store.acknowledge_notice(store.get_or_create_learner("Bench").id)
    save_settings(Settings(learner="Bench"), paths.settings_path(folder))
    return folder


def _bare(env: dict[str, str]) -> dict[str, float]:
    return run_child(["bare"], env)


def expected_decks(data: Path, decks: Path | None) -> int:
    """How many decks Home must list: every deck file the app is given (all valid)."""
    from quizapp.core import paths
    from quizapp.core.decks.finding import expand_paths

    return len(expand_paths(paths.deck_search_paths([decks] if decks else [], data)))


def _app(env: dict[str, str], data: Path, decks: Path | None) -> dict[str, float]:
    expect = expected_decks(data, decks)
    args = ["quizapp", "--data-dir", str(data), "--until", "listed", "--expect", str(expect)]
    if decks is not None:
        args += ["--decks", str(decks)]
    report = run_child(args, env)
    if report.get("deck_errors") or report.get("decks") != expect:
        raise RuntimeError(f"the app listed {report.get('decks')} of {expect} decks: {report}")
    return report


def _runs(
    workdir: Path, reps: int, decks: Path | None, cold: bool, tag: str, widgets: bool = False
) -> tuple[list[dict[str, float]], list[dict[str, float]], list[dict[str, float]]]:
    """`reps` runs of the bare app and of quizapp, taking turns (after one warm-up each),
    and with `widgets` of the app drawing Home's widgets alone (`child.run_widgets`)."""
    data = prepare_data_dir(workdir / f"data-{tag}")
    cache = workdir / f"cache-{tag}"
    bare_env = child_env()
    rows = expected_decks(data, decks)
    bare_runs: list[dict[str, float]] = []
    app_runs: list[dict[str, float]] = []
    widget_runs: list[dict[str, float]] = []
    for index in range(reps + 1):
        if cold or index == 0:
            shutil.rmtree(cache, ignore_errors=True)
        env = child_env(QUIZAPP_CACHE_DIR=str(cache), QUIZAPP_DATA_DIR=str(data))
        bare = _bare(bare_env)
        app = _app(env, data, decks)
        drawn = run_child(["widgets", "--rows", str(rows)], bare_env) if widgets else None
        if index:  # the first round warms the page cache, .pyc files and the deck cache
            bare_runs.append(bare)
            app_runs.append(app)
            if drawn is not None:
                widget_runs.append(drawn)
    return bare_runs, app_runs, widget_runs


def _ms(runs: list[dict[str, float]], key: str) -> float:
    return median([run[key] for run in runs]) * 1000


def bench_startup_bundled(workdir: Path, *, reps: int = 21) -> list[Result]:
    """(1) The bundled decks: Home painted (target <= 1.15x bare), and listing them with a
    warm cache (target <= 1.3x)."""
    bare, app, widgets = _runs(workdir, reps, None, cold=False, tag="bundled", widgets=True)
    base = _ms(bare, "at_painted")
    return [
        Result(
            "(1) reference: a plain Textual app drawing Home's widgets, no quizapp code",
            _ms(widgets, "at_painted"),
            "ms",
            "bare Textual app painted",
            base,
        ),
        Result(
            "(1) start-up to Home painted, bundled decks",
            _ms(app, "at_painted"),
            "ms",
            "bare Textual app painted",
            base,
            target_ratio=1.15,
        ),
        Result(
            "(1) start-up to Home listing the bundled decks (warm cache)",
            _ms(app, "at_listed"),
            "ms",
            "bare Textual app painted",
            base,
            target_ratio=1.3,
        ),
        Result(
            "(1) start-up to Home settled: scores and due counts shown (warm cache)",
            _ms(app, "at_settled"),
            "ms",
            "bare Textual app painted",
            base,
        ),
    ]


def library_folder(workdir: Path, cards: int) -> Path:
    folder = workdir / f"library-{cards}"
    if not folder.is_dir():
        write_library(folder, cards=cards)
    return folder


def bench_startup_library(workdir: Path, *, cards: int = 10_000, reps: int = 9) -> list[Result]:
    """(2) Bundled decks plus a generated library: cold and warm deck cache."""
    library = library_folder(workdir, cards)
    results = []
    for cold in (False, True):
        state = "cold" if cold else "warm"
        bare, app, _ = _runs(workdir, reps, library, cold=cold, tag=f"library-{state}")
        base = _ms(bare, "at_painted")
        results.append(
            Result(
                f"(2) start-up to Home painted, {cards:,}-card library, {state} cache",
                _ms(app, "at_painted"),
                "ms",
                "bare Textual app painted",
                base,
            )
        )
        results.append(
            Result(
                f"(2) start-up to Home listing the {cards:,}-card library, {state} cache",
                _ms(app, "at_listed"),
                "ms",
                "bare Textual app painted",
                base,
                target_ratio=1.5 if not cold else None,
            )
        )
        results.append(
            Result(
                f"(2) start-up to Home settled, {cards:,}-card library, {state} cache",
                _ms(app, "at_settled"),
                "ms",
                "bare Textual app painted",
                base,
            )
        )
    return results


def bench_memory(workdir: Path, *, cards: int = 10_000, reps: int = 3) -> list[Result]:
    """(6) Peak RSS up to Home settled with the library listed (warm and cold cache), vs
    the bare app."""
    library = library_folder(workdir, cards)
    results = []
    for cold in (False, True):
        state = "cold" if cold else "warm"
        bare, app, _ = _runs(workdir, reps, library, cold=cold, tag=f"memory-{state}")
        base = median([run["rss_kb"] for run in bare]) / 1024
        results.append(
            Result(
                f"(6) peak RSS, {cards:,}-card library listed and Home settled, {state} cache",
                median([run["rss_kb"] for run in app]) / 1024,
                "MiB",
                "bare Textual app",
                base,
                target_ratio=2.0 if not cold else None,
            )
        )
    return results


def main() -> None:  # pragma: no cover - manual use
    with tempfile.TemporaryDirectory() as tmp:
        for result in bench_startup_bundled(Path(tmp)):
            print(result.line())


if __name__ == "__main__":  # pragma: no cover
    main()
