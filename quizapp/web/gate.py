"""The access-code log-in in front of the web app (an aiohttp middleware and two routes).

textual-serve has no log-in of its own. With an access code, every request (the page,
its scripts and styles, downloads and the websocket that runs the app) must carry a
cookie that only this server can make, and it makes one only for someone who typed the
code on the log-in page. Without the cookie the page redirects to the log-in page and
everything else gets 401, so no app process starts and no scores are shown.

The cookie holds a random token and its HMAC under a key drawn when the server starts:
it is HttpOnly (no script can read it) and SameSite=Strict (other sites cannot use it),
and a restarted server no longer accepts it. Codes are compared in constant time, and
an address that gets the code wrong too often is made to wait.

Whatever the code, the websocket only accepts pages from this server (its Origin must
match the Host), and a server bound to this computer only answers requests addressed to
this computer by name, so a web page from elsewhere cannot drive the app.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

COOKIE_NAME = "quizapp_access"
LOGIN_PATH = "/login"
WEBSOCKET_PATH = "/ws"
MAX_FAILURES = 5
"""Wrong codes allowed from one address within `FAILURE_WINDOW_S`."""
FAILURE_WINDOW_S = 60.0
LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _digest(code: str) -> bytes:
    return hashlib.sha256(code.encode("utf-8")).digest()


class AccessGate:
    """Checks every request against the access code (when there is one).

    Args:
        access_code: The code learners type; None lets everyone in (local binds only).
        local_only: The server listens on a loopback address: requests must name this
            computer in their Host header.
    """

    def __init__(self, access_code: str | None, *, local_only: bool) -> None:
        self._code_digest = None if access_code is None else _digest(access_code)
        self._key = secrets.token_bytes(32)
        self._local_only = local_only
        self._failures: dict[str, deque[float]] = {}

    @property
    def requires_code(self) -> bool:
        """Whether visitors must type an access code."""
        return self._code_digest is not None

    def install(self, app: web.Application) -> None:
        """Put the gate in front of every route of `app` and add the log-in page.

        Args:
            app: The aiohttp application, before it starts.
        """
        app.middlewares.insert(0, self.middleware)
        if self.requires_code:
            app.router.add_get(LOGIN_PATH, self.show_login)
            app.router.add_post(LOGIN_PATH, self.check_login)

    # ------------------------------------------------------------------ cookie

    def _sign(self, token: str) -> str:
        return hmac.new(self._key, token.encode("ascii"), hashlib.sha256).hexdigest()

    def new_cookie_value(self) -> str:
        """A fresh cookie value this server will accept until it stops."""
        token = secrets.token_urlsafe(32)
        return f"{token}.{self._sign(token)}"

    def cookie_is_valid(self, value: str | None) -> bool:
        """Whether a cookie value was made by this server."""
        if not value or "." not in value:
            return False
        token, _, signature = value.partition(".")
        try:
            expected = self._sign(token)
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(expected, signature)

    # ------------------------------------------------------------------ middleware

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse what the gate does not let through; add protective headers."""
        refusal = self._refusal(request)
        if refusal is not None:
            response: web.StreamResponse = refusal
        else:
            response = await handler(request)
        if not response.prepared:
            response.headers.update(_SECURITY_HEADERS)
        return response

    def _refusal(self, request: web.Request) -> web.StreamResponse | None:
        host = (urlsplit(f"//{request.host}").hostname or "").lower()
        if self._local_only and host not in LOCAL_HOST_NAMES:
            return web.Response(status=403, text="This server answers this computer only.")
        if request.path == WEBSOCKET_PATH:
            origin = request.headers.get("Origin")
            if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
                return web.Response(status=403, text="Cross-site connections are refused.")
        if not self.requires_code or request.path == LOGIN_PATH:
            return None
        if self.cookie_is_valid(request.cookies.get(COOKIE_NAME)):
            return None
        if request.method == "GET" and request.path == "/":
            return _see_other(LOGIN_PATH)
        return web.Response(status=401, text="Access code required: open the start page.")

    # ------------------------------------------------------------------ log-in page

    async def show_login(self, request: web.Request) -> web.Response:
        """The log-in form."""
        return _login_page()

    async def check_login(self, request: web.Request) -> web.StreamResponse:
        """Check a typed code; on success set the cookie and go to the app."""
        address = request.remote or "unknown"
        if self._too_many_failures(address):
            return _login_page("Too many wrong codes. Wait a minute, then try again.", status=429)
        form = await request.post()
        typed = form.get("code")
        assert self._code_digest is not None  # the route exists only with a code
        if isinstance(typed, str) and hmac.compare_digest(
            _digest(typed.strip()), self._code_digest
        ):
            self._failures.pop(address, None)
            response = _see_other("/")
            response.set_cookie(
                COOKIE_NAME, self.new_cookie_value(), httponly=True, samesite="Strict", path="/"
            )
            return response
        self._failures.setdefault(address, deque()).append(time.monotonic())
        return _login_page("That code is not right. Ask your trainer for it.", status=401)

    def _too_many_failures(self, address: str) -> bool:
        recent = self._failures.get(address)
        if not recent:
            return False
        cutoff = time.monotonic() - FAILURE_WINDOW_S
        while recent and recent[0] < cutoff:
            recent.popleft()
        if not recent:  # forget addresses whose mistakes are old, so the table stays small
            del self._failures[address]
        return len(recent) >= MAX_FAILURES


_LOGIN_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>quizapp: access code</title>
<style>
body {{ font-family: sans-serif; max-width: 28em; margin: 4em auto; padding: 0 1em; }}
input, button {{ font-size: 1.2em; padding: 0.3em; }}
.problem {{ color: #a00000; }}
</style>
</head>
<body>
<h1>quizapp</h1>
<p>Type the access code your trainer gave you.</p>
{problem}
<form method="post" action="{action}">
<label for="code">Access code</label><br>
<input id="code" name="code" type="password" autocomplete="off" autofocus required>
<button type="submit">Go</button>
</form>
<p><small>Education, not medical advice.</small></p>
</body>
</html>
"""


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _login_page(problem: str | None = None, *, status: int = 200) -> web.Response:
    paragraph = f'<p class="problem" role="alert">{html.escape(problem)}</p>' if problem else ""
    response = web.Response(
        status=status,
        text=_LOGIN_HTML.format(problem=paragraph, action=LOGIN_PATH),
        content_type="text/html",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
    )
    return response
