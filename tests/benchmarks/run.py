"""Run every benchmark and print each figure with its baseline, ratio and target.

    .venv/bin/python -m tests.benchmarks            # everything (a few minutes)
    .venv/bin/python -m tests.benchmarks --only load stats
    .venv/bin/python -m tests.benchmarks --quick    # tiny sizes, one repetition: a smoke run
    .venv/bin/python -m tests.benchmarks --json results.json

Exit code 0 even when a target is missed: these are measurements, not tests. Missed
targets are marked MISSED in the output.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.benchmarks.bench_answer import bench_answer
from tests.benchmarks.bench_flashcards import bench_flashcards
from tests.benchmarks.bench_load import bench_load
from tests.benchmarks.bench_startup import (
    bench_memory,
    bench_startup_bundled,
    bench_startup_library,
)
from tests.benchmarks.bench_stats import bench_stats
from tests.benchmarks.common import Result

BENCHMARKS: dict[str, tuple[Callable[..., list[Result]], dict[str, int], dict[str, int]]] = {
    # name: (function, full-size arguments, --quick arguments)
    "startup": (bench_startup_bundled, {"reps": 21}, {"reps": 1}),
    "library": (bench_startup_library, {"cards": 10_000, "reps": 9}, {"cards": 60, "reps": 1}),
    "load": (bench_load, {"cards": 10_000, "reps": 5}, {"cards": 60, "reps": 1}),
    "answer": (bench_answer, {"answers": 200}, {"answers": 6}),
    "flashcards": (bench_flashcards, {"ratings": 200}, {"ratings": 6}),
    "stats": (bench_stats, {"answers": 100_000, "reps": 15}, {"answers": 500, "reps": 1}),
    "memory": (bench_memory, {"cards": 10_000, "reps": 3}, {"cards": 60, "reps": 1}),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)

    print(f"python {platform.python_version()} on {platform.platform()}", flush=True)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="quizapp-bench-") as tmp:
        for name in args.only or list(BENCHMARKS):
            function, full, quick = BENCHMARKS[name]
            workdir = Path(tmp) / name
            workdir.mkdir()
            started = time.perf_counter()
            found = function(workdir, **(quick if args.quick else full))
            for result in found:
                print(result.line(), flush=True)
            print(f"  [{name}: {time.perf_counter() - started:.0f} s]", flush=True)
            results.extend(found)

    missed = [r for r in results if r.met is False]
    print(
        f"\n{len(results)} figures, {len(missed)} target(s) missed"
        + "".join(f"\n  MISSED: {r.name}" for r in missed)
    )
    if args.json:
        args.json.write_text(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
