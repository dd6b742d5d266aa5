"""Run the app in the browser: textual-serve, with the access gate in front.

Each browser tab gets its own `quizapp` process on this computer (textual-serve starts
one per websocket); they all use the same data folder, which is safe because the score
store uses SQLite in WAL mode with a busy timeout.
"""

from __future__ import annotations

import asyncio
import logging
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
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from quizapp.web.gate import AccessGate

log = logging.getLogger("quizapp.web")

SHUTDOWN_WAIT_S = 15.0
"""How long a stopping server waits for the tabs' app processes to quit."""


def app_command(data_dir: Path, decks: Sequence[Path]) -> str:
    """The shell command textual-serve runs for each browser tab.

    Args:
        data_dir: The data folder every tab shares (made absolute).
        decks: Extra deck files or folders (`--decks`).

    Returns:
        A shell-quoted `exec python -m quizapp --data-dir ... [--decks ...]` command
        (textual-serve runs it through a shell; `exec` leaves one process per tab).
    """
    words = [sys.executable, "-m", "quizapp", "--data-dir", str(Path(data_dir).resolve())]
    for deck in decks:
        words += ["--decks", str(Path(deck).resolve())]
    return "exec " + shlex.join(words)


class QuizServer(Server):
    """textual-serve's server with the access gate and page links that follow the request.

    textual-serve writes its own host into the page's links, which breaks for a server
    bound to 0.0.0.0; here they are built from the address the browser used.
    """

    def __init__(self, command: str, gate: AccessGate, *, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port, title="quizapp")
        self.gate = gate
        self._app_services: set[AppService] = set()
        """The app processes running now, one per open browser tab."""

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

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Run one browser tab's app process for as long as its websocket is open.

        textual-serve's own handler, except that the running apps are noted, so that a
        stopping server can end them (see `on_shutdown`).
        """
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)

            async def close_websocket() -> None:
                # AppService expects a close that returns nothing; aiohttp's returns a bool.
                await websocket.close()

            app_service = AppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close_websocket,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self._app_services.add(app_service)
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one tab's failure must not stop the server
            log.exception(error)
        finally:
            if app_service is not None:
                try:
                    # Until its process has exited: a server stopping right after a tab
                    # closed must not leave that tab's app running (`on_shutdown` no
                    # longer sees a service once it is discarded here).
                    await _end(app_service)
                finally:
                    self._app_services.discard(app_service)
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        """End every tab's app process before the server stops, so none is left running.

        Each app is asked to quit; one still running after `SHUTDOWN_WAIT_S` is killed.
        """
        await asyncio.gather(*(_end(service) for service in list(self._app_services)))

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


async def _end(service: AppService) -> None:
    """Ask one tab's app to quit and return once its process has exited (killed if need be)."""
    try:
        await asyncio.wait_for(service.stop(), SHUTDOWN_WAIT_S)
    except Exception as error:  # whatever happened, the process must end
        log.warning("an app did not quit cleanly: %s", error)
    process = getattr(service, "_process", None)  # textual-serve keeps it private
    if process is None or process.returncode is not None:
        return
    try:
        # `stop` asks the app to quit; the process may still be saving and closing.
        await asyncio.wait_for(process.wait(), SHUTDOWN_WAIT_S)
    except TimeoutError:
        process.kill()
        await process.wait()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
