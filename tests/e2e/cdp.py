"""A small Chrome DevTools Protocol client: headless Chromium driven over a websocket.

Debian's `chromium` is started with `--remote-debugging-port=0`; it prints the
DevTools address it picked, and this client talks to its first page over aiohttp's
websocket client (aiohttp comes with textual-serve). That is all the browser test
needs (navigate, type keys, evaluate a script), so no WebDriver is involved.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_NAMES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")

# Keys as Chromium's Input.dispatchKeyEvent wants them: (key, code, virtual key code, text).
_KEYS = {
    "Enter": ("Enter", "Enter", 13, "\r"),
    "Tab": ("Tab", "Tab", 9, ""),
    "Escape": ("Escape", "Escape", 27, ""),
    "Down": ("ArrowDown", "ArrowDown", 40, ""),
    "Up": ("ArrowUp", "ArrowUp", 38, ""),
}


def find_chromium() -> str | None:
    """The Chromium executable on PATH, if any."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One headless Chromium with a fresh profile, and a session on its first page."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.profile = Path(tempfile.mkdtemp(prefix="quizapp-chromium-"))
        self.process: subprocess.Popen[bytes] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 60.0) -> None:
        """Launch Chromium and attach to its page."""
        log = self.profile / "chromium.log"
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [
                    self.executable,
                    *FLAGS,
                    f"--user-data-dir={self.profile / 'profile'}",
                    "--remote-debugging-port=0",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        browser_url = None
        while browser_url is None:
            found = _LISTENING.search(log.read_text(errors="replace"))
            if found:
                browser_url = found.group(1)
            elif self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Chromium did not start:\n{log.read_text()}")
            else:
                await asyncio.sleep(0.05)
        http_base = "http://" + browser_url.removeprefix("ws://").split("/", 1)[0]
        self._http = aiohttp.ClientSession()
        page_url = None
        while page_url is None:
            async with self._http.get(f"{http_base}/json/list") as response:
                targets = await response.json()
            pages = [target for target in targets if target.get("type") == "page"]
            if pages:
                page_url = pages[0]["webSocketDebuggerUrl"]
            elif time.monotonic() > deadline:
                raise AssertionError(f"Chromium has no page: {targets}")
            else:
                await asyncio.sleep(0.1)
        self._socket = await self._http.ws_connect(page_url, max_msg_size=0)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._socket is not None
        async for message in self._socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the DevTools connection closed"))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method on the page and return its result."""
        assert self._socket is not None
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._socket.send_json({"id": message_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, timeout=60)
        if "error" in reply:
            raise AssertionError(f"{method} failed: {reply['error']}")
        return reply.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page and return its (JSON) value."""
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def key(self, name: str, *, ctrl: bool = False) -> None:
        """Press and release one key: a name from `_KEYS`, or one character."""
        if name in _KEYS:
            key, code, virtual, text = _KEYS[name]
        else:
            key, code, virtual, text = name, f"Key{name.upper()}", ord(name.upper()), name
        modifiers = 2 if ctrl else 0
        if ctrl:
            text = ""
        down = {"key": key, "code": code, "windowsVirtualKeyCode": virtual, "modifiers": modifiers}
        await self.send(
            "Input.dispatchKeyEvent",
            type="keyDown" if text else "rawKeyDown",
            text=text,
            unmodifiedText=text,
            **down,
        )
        await self.send("Input.dispatchKeyEvent", type="keyUp", **down)

    async def type(self, text: str) -> None:
        """Type text, one key at a time."""
        for character in text:
            await self.key(character)

    async def close(self) -> None:
        """Stop Chromium and remove its profile."""
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        shutil.rmtree(self.profile, ignore_errors=True)


def chromium_required() -> bool:
    """In CI a missing Chromium is a failure (`.ci/run` installs it), elsewhere a skip."""
    return os.environ.get("CI", "").lower() == "true"
