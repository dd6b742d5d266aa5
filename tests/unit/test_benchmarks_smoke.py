"""The benchmarks (tests/benchmarks, not run by pytest) must keep working: run each one
once on a tiny input. No timing is checked here; `python -m tests.benchmarks` measures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import bench_answer, bench_load, bench_startup, bench_stats, run  # noqa: E402
from tests.benchmarks.common import Result  # noqa: E402
from tests.benchmarks.generate import deck_text, write_library  # noqa: E402


def _check(results: list[Result]) -> None:
    assert results
    for result in results:
        assert result.value > 0, result.line()
        assert result.line()
        if result.baseline is not None:
            assert result.baseline > 0 and result.ratio is not None


def test_generated_decks_are_valid(tmp_path: Path) -> None:
    from quizapp.core.decks.loading import load_decks

    files = write_library(tmp_path, cards=25, decks=2)
    result = load_decks(files)
    assert not result.errors, [str(e) for e in result.errors]
    assert sum(len(deck.cards) for deck in result.decks) == 25
    assert {card.type for deck in result.decks for card in deck.cards} == {
        "single",
        "multi",
        "true_false",
        "typed",
        "order",
        "flashcard",
    }
    assert deck_text(10) == deck_text(10)  # deterministic


def test_bench_load(tmp_path: Path) -> None:
    _check(bench_load.bench_load(tmp_path, cards=12, reps=1))


def test_bench_stats(tmp_path: Path) -> None:
    results = bench_stats.bench_stats(tmp_path, answers=120, reps=1)
    _check(results)
    # Issue 18: the History screen's reads carry its target; the whole history in one
    # call is still printed, for comparison, without one.
    history = [result for result in results if "History screen" in result.name]
    assert len(history) == 2
    assert all(result.target_text() == "<= 20 ms" for result in history)
    (whole,) = [result for result in results if "every attempt" in result.name]
    assert whole.target_text() == "" and whole.met is None


def test_bench_answer(tmp_path: Path) -> None:
    _check(bench_answer.bench_answer(tmp_path, answers=3))


@pytest.mark.parametrize(
    ("function", "kwargs"),
    [
        (bench_startup.bench_startup_bundled, {"reps": 1}),
        (bench_startup.bench_startup_library, {"cards": 12, "reps": 1}),
        (bench_startup.bench_memory, {"cards": 12, "reps": 1}),
    ],
    ids=["startup", "library", "memory"],
)
def test_bench_startup_children(tmp_path: Path, function, kwargs) -> None:  # type: ignore[no-untyped-def]
    _check(function(tmp_path, **kwargs))


def test_runner_lists_every_benchmark() -> None:
    assert set(run.BENCHMARKS) == {"startup", "library", "load", "answer", "stats", "memory"}
