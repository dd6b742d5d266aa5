"""The benchmarks (tests/benchmarks, not run by pytest) must keep working: run each one
once on a tiny input. No timing is checked here; `python -m tests.benchmarks` measures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import (  # noqa: E402
    bench_answer,
    bench_flashcards,
    bench_load,
    bench_startup,
    bench_stats,
    run,
)
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
    results = bench_answer.bench_answer(tmp_path, answers=3)
    _check(results)
    assert [r.name.split(", ")[-1] for r in results] == [
        "median of 3",
        "p90 of 3",
        "p99 of 3",
        "slowest of 3",
    ]
    # The targets, each printed with its verdict (the p90 has none).
    assert [r.target_value for r in results] == [12, None, 25, 100]
    assert all(("met" in r.line()) or ("MISSED" in r.line()) for r in results if r.target_value)


def test_bench_flashcards(tmp_path: Path) -> None:
    results = bench_flashcards.bench_flashcards(tmp_path, ratings=3)
    _check(results)
    assert [r.target_value for r in results] == [12, None, None, None]


def test_latency_percentiles() -> None:
    values = [float(v) for v in range(1, 201)]  # 1..200 ms
    assert bench_answer.percentile(values, 0.99) == 198.0  # nearest rank
    assert bench_answer.percentile(values, 0.90) == 180.0
    assert bench_answer.percentile([5.0], 0.99) == 5.0
    median, p90, p99, slowest = bench_answer.latency_results(
        "x", [v / 1000 for v in values], p99_ms=25, slowest_ms=100
    )
    assert (median.value, p90.value, p99.value, slowest.value) == (100.5, 180.0, 198.0, 200.0)
    assert median.met is False and slowest.met is False
    assert bench_answer.latency_results("x", [0.012], p99_ms=None, slowest_ms=None)[0].met


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
    assert set(run.BENCHMARKS) == {
        "startup",
        "library",
        "load",
        "answer",
        "flashcards",
        "stats",
        "memory",
    }
