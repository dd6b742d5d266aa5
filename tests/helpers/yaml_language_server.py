"""A minimal Language Server Protocol client for yaml-language-server, for tests.

It does what an editor does with a deck file: starts the server over stdio, opens the
file (the server reads the `# yaml-language-server: $schema=...` modeline), and collects
the diagnostics the server publishes; it can also ask for the hover text at a position.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


class YamlLanguageServer:
    """One yaml-language-server process, used as a context manager."""

    def __init__(self, command: Path) -> None:
        """Start the server.

        Args:
            command: The `yaml-language-server` executable.
        """
        self._proc = subprocess.Popen(
            [str(command), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def __enter__(self) -> YamlLanguageServer:
        self._request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        self._notify("initialized", {})
        settings = {"yaml": {"validate": True, "hover": True, "schemaStore": {"enable": False}}}
        self._notify("workspace/didChangeConfiguration", {"settings": settings})
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._proc.kill()
        self._proc.wait(timeout=10)

    def diagnostics(self, path: Path, settle: float = 5.0) -> list[tuple[int, int, str]]:
        """Open `path` and return the server's diagnostics once they stop changing.

        Returns:
            (line, column, message) triples, 1-based like `quizapp validate`.
        """
        self._notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": path.resolve().as_uri(),
                    "languageId": "yaml",
                    "version": 1,
                    "text": path.read_text(encoding="utf-8"),
                }
            },
        )
        latest: dict[str, Any] | None = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = self._wait(
                lambda m: m.get("method") == "textDocument/publishDiagnostics",
                timeout=settle if latest else 60,
            )
            if message is None:
                break
            if message["params"]["uri"] == path.resolve().as_uri():
                latest = message
        assert latest is not None, "yaml-language-server published no diagnostics"
        return [
            (
                item["range"]["start"]["line"] + 1,
                item["range"]["start"]["character"] + 1,
                item["message"],
            )
            for item in latest["params"]["diagnostics"]
        ]

    def hover(self, path: Path, line: int, column: int) -> str:
        """The hover text at a 1-based position of an opened file ('' when none)."""
        result = self._request(
            "textDocument/hover",
            {
                "textDocument": {"uri": path.resolve().as_uri()},
                "position": {"line": line - 1, "character": column - 1},
            },
        )
        if not result:
            return ""
        contents = result["contents"]
        return contents["value"] if isinstance(contents, dict) else str(contents)

    # --- the protocol ------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        assert self._proc.stdin is not None
        body = json.dumps(message).encode("utf-8")
        self._proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._proc.stdin.flush()

    def _notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def _request(self, method: str, params: dict[str, Any]) -> Any:
        self._next_id += 1
        request_id = self._next_id
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        reply = self._wait(lambda m: m.get("id") == request_id and "method" not in m, 60)
        assert reply is not None, f"yaml-language-server did not answer {method}"
        return reply.get("result")

    def _wait(self, wanted: Any, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self._messages.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if "method" in message and "id" in message:  # the server asks the editor
                self._answer(message)
            elif wanted(message):
                return message
        return None

    def _answer(self, request: dict[str, Any]) -> None:
        result: Any = None
        if request["method"] == "workspace/configuration":
            result = [{"validate": True, "hover": True}] * len(request["params"]["items"])
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def _read(self) -> None:
        stream = self._proc.stdout
        assert stream is not None
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = stream.read(1)
                if not byte:
                    return
                header += byte
            length = next(
                int(line.split(b":")[1])
                for line in header.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            self._messages.put(json.loads(stream.read(length)))
