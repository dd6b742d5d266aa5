"""(3) Loading the 10,000-card deck, against a bare `yaml.load` (same C loader) of the same file.

Both sides include reading the file. The loader's figures: no cache (parse, check and
validate), cold cache (the same, plus hashing and writing the cache entry: the app's
first run) and warm cache (hash, read the entry, validate its JSON).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from quizapp.core.decks.cache import DeckCache
from quizapp.core.decks.loading import load_deck
from quizapp.core.decks.safe_yaml import BaseSafeLoader
from tests.benchmarks.common import Result, interleaved, median, timed
from tests.benchmarks.generate import write_library


def bench_load(workdir: Path, *, cards: int = 10_000, reps: int = 5) -> list[Result]:
    (path,) = write_library(workdir / f"load-{cards}", cards=cards)
    cache_folder = workdir / "load-cache"
    warm = DeckCache(workdir / "load-cache-warm")
    load_deck(path, warm)

    def raw() -> float:
        return timed(lambda: yaml.load(path.read_bytes().decode("utf-8"), Loader=BaseSafeLoader))

    def no_cache() -> float:
        return timed(lambda: load_deck(path))

    def cold_cache() -> float:
        shutil.rmtree(cache_folder, ignore_errors=True)
        cache = DeckCache(cache_folder)
        return timed(lambda: load_deck(path, cache))

    def warm_cache() -> float:
        return timed(lambda: load_deck(path, warm))

    samples = interleaved(
        {"raw": raw, "none": no_cache, "cold": cold_cache, "warm": warm_cache}, reps, warmup=1
    )
    ms = {name: median(values) * 1000 for name, values in samples.items()}
    size = path.stat().st_size / 1e6
    baseline = f"yaml.load(BaseSafeLoader) of the file ({size:.1f} MB)"
    return [
        Result(
            f"(3) load_deck, {cards:,} cards, no cache",
            ms["none"],
            "ms",
            baseline,
            ms["raw"],
            target_ratio=1.15,
        ),
        Result(
            f"(3) load_deck, {cards:,} cards, cold cache (parse + write entry)",
            ms["cold"],
            "ms",
            baseline,
            ms["raw"],
            target_ratio=1.15,
        ),
        Result(
            f"(3) load_deck, {cards:,} cards, warm cache", ms["warm"], "ms", baseline, ms["raw"]
        ),
    ]


if __name__ == "__main__":  # pragma: no cover
    with tempfile.TemporaryDirectory() as tmp:
        for result in bench_load(Path(tmp)):
            print(result.line())
