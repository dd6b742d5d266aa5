"""A real Learning Record Store for the tests: Ralph (`ralph-malph`) on 127.0.0.1.

Ralph runs as its own process (uvicorn serving `ralph.api:app`), with its file-system
("fs") backend, so no database server is needed, and HTTP Basic credentials made by
Ralph's own `ralph auth` command. Everything it keeps (credentials, statements, its
history file) lives in a folder the test owns.

Ralph's file backend writes a POST's new statements by *creating* its statements file;
a second write finds the file there and fails (HTTP 500). So one running LRS takes one
write batch. Ralph reads its statements with a glob of the same setting, though, and
these tests use that without changing Ralph: the statements file is named
`statements*.jsonl` (a `*` is a valid file-name character), so

* each run of the LRS writes its one batch to the file literally called
  `statements*.jsonl`, and
* `RalphLrs.restart()` stops the server, renames that file to `statements-<n>.jsonl`
  (which the same glob still reads) and starts it again with a free slot.

Reads (GET) see every batch ever written, across restarts. A POST whose statements the
LRS already holds, all identical, writes nothing (Ralph drops them before writing), so
re-sending acknowledged statements never uses up the slot; a conflicting one is refused
with 409 before any write, too. The tests plan their writes around this: at most one
batch of *new* statements per run of the server.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

STATEMENTS_GLOB = "statements*.jsonl"
USER = "trainer"
AUTHORITY_HOME = "https://lrs.test.invalid"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ralph_env(home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RALPH_", "QUIZAPP_LRS_"))
    }
    env.update(
        {
            "RALPH_APP_DIR": str(home / "app"),
            "RALPH_AUTH_FILE": str(home / "app" / "auth.json"),
            "RALPH_HISTORY_FILE": str(home / "app" / "history.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "statements"),
            "RALPH_BACKENDS__LRS__FS__DEFAULT_LRS_FILE": STATEMENTS_GLOB,
        }
    )
    return env


def make_credentials(home: Path, password: str) -> Path:
    """Create Ralph's credentials file with `ralph auth` (bcrypt; a second or so).

    The password goes in on standard input, as at Ralph's own prompt, not as an argument.

    Returns:
        The auth file.
    """
    (home / "app").mkdir(parents=True, exist_ok=True)
    ralph = Path(sys.executable).parent / "ralph"
    command = [str(ralph)] if ralph.is_file() else [sys.executable, "-m", "ralph"]
    done = subprocess.run(
        [
            *command,
            "auth",
            "--username",
            USER,
            "--scope",
            "all",
            "--agent-ifi-account",
            USER,
            AUTHORITY_HOME,
            "--write-to-disk",
        ],
        input=f"{password}\n{password}\n",
        capture_output=True,
        text=True,
        env=_ralph_env(home),
        timeout=120,
    )
    auth_file = home / "app" / "auth.json"
    assert done.returncode == 0 and auth_file.is_file(), done.stderr
    return auth_file


class RalphLrs:
    """One Ralph LRS on 127.0.0.1, started and stopped by the test."""

    def __init__(self, home: Path, auth_file: Path, password: str) -> None:
        self.home = home
        self.password = password
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.rotations = 0
        (home / "app").mkdir(parents=True, exist_ok=True)
        (home / "statements").mkdir(parents=True, exist_ok=True)
        shutil.copy(auth_file, home / "app" / "auth.json")
        self.log_path = home / "ralph.log"

    @property
    def url(self) -> str:
        """The xAPI base URL."""
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def statements_dir(self) -> Path:
        """The folder with Ralph's statements files."""
        return self.home / "statements"

    def start(self) -> None:
        """Start the server and wait until it answers its heartbeat."""
        assert self.process is None
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "ralph.api:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                env=_ralph_env(self.home),
                cwd=self.home,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited at start:\n{self.log()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).is_success:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {START_TIMEOUT_S} s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL), if it runs. Safe to call twice."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        """Stop, free the one write slot (see the module docstring), start again."""
        self.stop()
        written = self.statements_dir / STATEMENTS_GLOB
        if written.exists():
            self.rotations += 1
            written.rename(self.statements_dir / f"statements-{self.rotations:03d}.jsonl")
        self.start()

    def log(self) -> str:
        """What the server printed (for failure messages)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
        except OSError:
            return ""

    # ------------------------------------------------------------------- reading back

    def client(self, password: str | None = None) -> httpx.Client:
        """An xAPI client with the test credentials (or another password)."""
        return httpx.Client(
            auth=(USER, self.password if password is None else password),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=30,
        )

    def get_statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement matching the query, through `GET /xAPI/statements` (paged)."""
        found: list[dict[str, Any]] = []
        url = f"http://127.0.0.1:{self.port}/xAPI/statements?" + urlencode(params)
        with self.client() as http:
            while url:
                response = http.get(url)
                assert response.status_code == 200, response.text
                body = response.json()
                found += body["statements"]
                more = body.get("more")
                url = f"http://127.0.0.1:{self.port}{more}" if more else ""
        return found

    def statements_by_agent(self, agent: dict[str, Any]) -> list[dict[str, Any]]:
        """The statements whose actor is `agent`."""
        return self.get_statements(agent=json.dumps(agent))

    def statements_by_registration(self, registration: str) -> list[dict[str, Any]]:
        """The statements with this `context.registration`."""
        return self.get_statements(registration=registration)
