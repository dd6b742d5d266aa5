"""Shared helpers: results with their baseline and target, medians, child processes."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    """One measured figure, with the baseline it is compared to and its target.

    `target_ratio` is a most-allowed ratio to the baseline; `target_value` a most-allowed
    absolute value (for figures without a baseline).
    """

    name: str
    value: float
    unit: str
    baseline_name: str | None = None
    baseline: float | None = None
    target_ratio: float | None = None
    target_value: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        if self.target_ratio is not None and self.ratio is not None:
            return self.ratio <= self.target_ratio
        if self.target_value is not None:
            return self.value <= self.target_value
        return None

    def target_text(self) -> str:
        if self.target_ratio is not None:
            return f"<= {self.target_ratio:g}x"
        if self.target_value is not None:
            return f"<= {self.target_value:g} {self.unit}"
        return ""

    def line(self) -> str:
        text = f"{self.name}: {self.value:.1f} {self.unit}"
        if self.baseline is not None:
            text += f" | {self.baseline_name}: {self.baseline:.1f} {self.unit}"
            text += f" | ratio {self.ratio:.2f}x"
        if self.target_text():
            verdict = {True: "met", False: "MISSED", None: ""}[self.met]
            text += f" | target {self.target_text()}: {verdict}"
        if self.note:
            text += f" ({self.note})"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline_name": self.baseline_name,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "target": self.target_text(),
            "met": self.met,
            "note": self.note,
        }


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(function: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(
    functions: dict[str, Callable[[], float]], reps: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run each measurement `reps` times, taking turns so drift hits all alike.

    Each function returns its own figure (seconds, bytes, ...). Warm-up runs are dropped.
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(reps):
        for name, function in functions.items():
            samples[name].append(function())
    return samples


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: this one, minus Textual dev settings.

    PYTHONDONTWRITEBYTECODE is dropped too: with it, quizapp's own modules would be
    compiled from source at every start, while Textual's were compiled at install. An
    installed app has its .pyc files, so that is what start-up is measured with.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def run_child(args: Sequence[str], env: dict[str, str], timeout: float = 300) -> dict[str, float]:
    """Start `python -m tests.benchmarks.child ARGS` and read its report.

    Returns:
        The child's JSON report, with each `time.monotonic()` mark turned into seconds
        since just before the process was started (clock shared by both processes).
    """
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.child", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"benchmark child {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    report = json.loads(lines[-1])
    return {
        key: (value - start if key.startswith("at_") else value) for key, value in report.items()
    }
