"""Run `quizapp serve` as a real process on 127.0.0.1 for the web tests.

The server is started on port 0 (the system picks a free port, so parallel test runs
never collide) and its own start-up line says which port it got.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
_SERVED_ON = re.compile(r"served on http://127\.0\.0\.1:(\d+)/")


class Served:
    """A running `quizapp serve` process."""

    def __init__(self, process: subprocess.Popen[str], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(
    folder: Path, *args: str | Path, env: Mapping[str, str] | None = None
) -> Iterator[Served]:
    """Start `python -m quizapp serve --port 0 ARGS`, yield it, then stop it (SIGTERM).

    Args:
        folder: A private folder for the server's output log.
        args: More arguments for `serve` (e.g. --decks).
        env: Extra environment variables (on top of this process's).
    """
    log = folder / f"serve-{time.monotonic_ns()}.log"
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "TERM": "dumb", **(env or {})}
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "quizapp", "serve", "--port", "0", *map(str, args)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=environment,
            cwd=REPO,
            text=True,
        )
    failed = False
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        port = None
        while port is None:
            found = _SERVED_ON.search(log.read_text(encoding="utf-8", errors="replace"))
            if found:
                port = int(found.group(1))
            elif process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"quizapp serve did not start:\n{log.read_text()}")
            else:
                time.sleep(0.05)
        yield Served(process, port, log)
    except BaseException:
        failed = True
        raise
    finally:
        stopped = process.poll() is not None
        if not stopped:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
                stopped = True
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if not failed:  # a clean stop on SIGTERM: exit status 0, no traceback
            output = log.read_text(encoding="utf-8", errors="replace")
            assert stopped and process.returncode == 0, output
            assert "Traceback" not in output, output


def app_processes(marker: str) -> list[int]:
    """The `python -m quizapp` processes (one per browser tab) whose arguments hold `marker`.

    Read from /proc, so only on Linux (where CI runs).
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:  # the process ended meanwhile
            continue
        if argv[1:3] == ["-m", "quizapp"] and any(marker in arg for arg in argv):
            found.append(int(entry.name))
    return found


def process_environment(pid: int) -> dict[str, str]:
    """A process's environment variables, from /proc."""
    raw = (Path("/proc") / str(pid) / "environ").read_bytes().decode(errors="replace")
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)
