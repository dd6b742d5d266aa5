"""Run the app in the browser: textual-serve, with the access gate in front.

Each browser tab gets its own `quizapp` process on this computer (textual-serve starts
one per websocket); they all use the same data folder, which is safe because the score
store uses SQLite in WAL mode with a busy timeout.
"""

from __future__ import annotations

import asyncio
import shlex
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp.web_runner import GracefulExit
from textual_serve.server import Server, to_int

from quizapp.web.gate import AccessGate


def app_command(data_dir: Path, decks: Sequence[Path]) -> str:
    """The shell command textual-serve runs for each browser tab.

    Args:
        data_dir: The data folder every tab shares (made absolute).
        decks: Extra deck files or folders (`--decks`).

    Returns:
        A shell-quoted `python -m quizapp --data-dir ... [--decks ...]` command.
    """
    words = [sys.executable, "-m", "quizapp", "--data-dir", str(Path(data_dir).resolve())]
    for deck in decks:
        words += ["--decks", str(Path(deck).resolve())]
    return shlex.join(words)


class QuizServer(Server):
    """textual-serve's server with the access gate and page links that follow the request.

    textual-serve writes its own host into the page's links, which breaks for a server
    bound to 0.0.0.0; here they are built from the address the browser used.
    """

    def __init__(self, command: str, gate: AccessGate, *, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port, title="quizapp")
        self.gate = gate

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        self.gate.install(app)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Say where the app is served, instead of textual-serve's banner."""
        where = (
            f"every network address of this computer, port {self.port}"
            if self.host in ("0.0.0.0", "::")
            else f"http://{_url_host(self.host)}:{self.port}/"
        )
        code = "an access code is required" if self.gate.requires_code else "no access code"
        self.console.print(f"quizapp is served on {where} ({code}).", highlight=False)
        self.console.print("Press Ctrl+C to stop.", highlight=False)

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page that runs the terminal, with links to this server as the browser sees it."""
        base = f"{request.scheme}://{request.host}"
        websocket_base = ("wss" if request.scheme == "https" else "ws") + f"://{request.host}"
        websocket_path = request.app.router["websocket"].url_for()
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{websocket_base}{websocket_path}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    def serve_on(self, sock: socket.socket) -> None:
        """Serve on an already listening socket until Ctrl+C or SIGTERM.

        Args:
            sock: From `quizapp.web.access.open_listening_socket`.
        """
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signal_number, self.request_exit)
            except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
                pass
        try:
            web.run_app(
                self._make_app(),
                sock=sock,
                handle_signals=False,
                loop=loop,
                print=None,
            )
        except GracefulExit:
            pass


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
