"""`quizapp serve`: refusals at start, and the access-code gate over real HTTP.

A real server process on 127.0.0.1; requests and websockets come from aiohttp's client
(textual-serve depends on aiohttp, so it is installed with the web extra).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import aiohttp
import pytest

from quizapp.web.access import ACCESS_CODE_ENV, read_access_code
from tests.conftest import run_quizapp
from tests.e2e.serving import app_processes, process_environment, serve

pytestmark = pytest.mark.web

CODE = "classroom-7"


def client() -> aiohttp.ClientSession:
    """An HTTP client that keeps cookies from an IP address (aiohttp's default does not)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def refused(result: object) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_a_non_local_host_without_an_access_code_refuses_to_start(host: str) -> None:
    error = refused(run_quizapp("serve", "--host", host))
    assert f"--host {host} lets other computers reach the app" in error
    assert ACCESS_CODE_ENV in error and "--access-code-file" in error


def test_bad_hosts_ports_and_codes_are_clear_errors(tmp_path: Path) -> None:
    error = refused(run_quizapp("serve", "--host", "no-such-host.invalid"))
    assert "unknown host 'no-such-host.invalid'" in error

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        error = refused(run_quizapp("serve", "--port", str(port)))
    assert f"port {port} on 127.0.0.1 is already in use" in error

    error = refused(run_quizapp("serve", "--port", "70000"))
    assert "--port 70000 is not a port number" in error

    short = tmp_path / "code.txt"
    short.write_text("abc\n", encoding="utf-8")
    error = refused(run_quizapp("serve", "--access-code-file", short))
    assert "the access code is too short" in error
    error = refused(run_quizapp("serve", "--access-code-file", tmp_path / "missing.txt"))
    assert "cannot read the access code file" in error

    # A code on a non-local host gets past the refusal: this address is not ours.
    short.write_text(CODE + "\n", encoding="utf-8")
    error = refused(run_quizapp("serve", "--host", "192.0.2.10", "--access-code-file", short))
    assert "192.0.2.10 is not an address of this computer" in error


def test_the_code_is_taken_from_the_environment_and_not_passed_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ACCESS_CODE_ENV, f"  {CODE} ")
    assert read_access_code(None) == CODE
    assert ACCESS_CODE_ENV not in os.environ  # app processes won't see it
    assert read_access_code(None) is None


async def test_without_the_code_no_page_no_assets_no_app(tmp_path: Path) -> None:
    with serve(tmp_path, env={ACCESS_CODE_ENV: CODE}) as served:
        async with client() as http:
            async with http.get(f"{served.url}/", allow_redirects=False) as page:
                assert page.status == 303
                assert page.headers["Location"] == "/login"
            for path in ("/static/js/textual.js", "/static/css/xterm.css", "/download/x"):
                async with http.get(f"{served.url}{path}") as response:
                    assert response.status == 401, path
            with pytest.raises(aiohttp.WSServerHandshakeError) as handshake:
                await http.ws_connect(f"{served.url}/ws")
            assert handshake.value.status == 401

            async with http.get(f"{served.url}/login") as form:
                assert form.status == 200
                assert 'name="code"' in await form.text()
            forged = {"quizapp_access": "token.0123456789abcdef"}
            async with http.get(f"{served.url}/", cookies=forged, allow_redirects=False) as r:
                assert r.status == 303
            async with http.post(f"{served.url}/login", data={"code": "wrong-code"}) as wrong:
                assert wrong.status == 401
                assert "That code is not right" in await wrong.text()
            assert not http.cookie_jar.filter_cookies(served.url)


async def test_with_the_code_the_app_runs(tmp_path: Path, isolated_dirs: Path) -> None:
    data_dir = isolated_dirs
    with serve(tmp_path, env={ACCESS_CODE_ENV: CODE}) as served:
        async with client() as http:
            async with http.post(
                f"{served.url}/login", data={"code": CODE}, allow_redirects=False
            ) as login:
                assert login.status == 303 and login.headers["Location"] == "/"
                cookie = login.headers["Set-Cookie"]
                assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            async with http.get(f"{served.url}/") as page:
                assert page.status == 200
                assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in (
                    await page.text()
                )
            async with http.get(f"{served.url}/static/js/textual.js") as script:
                assert script.status == 200
            # Another site's page cannot open the app, even with the visitor's cookie.
            with pytest.raises(aiohttp.WSServerHandshakeError) as handshake:
                await http.ws_connect(f"{served.url}/ws", origin="http://evil.example")
            assert handshake.value.status == 403
            # Two tabs: two app processes, sharing the data folder, neither given the code.
            url = f"{served.url}/ws?width=80&height=24"
            async with http.ws_connect(url) as tab, http.ws_connect(url) as other_tab:
                for websocket in (tab, other_tab):
                    message = await websocket.receive(timeout=60)
                    assert message.type == aiohttp.WSMsgType.BINARY  # the app is drawing
                apps = app_processes(str(data_dir))
                assert len(apps) == 2
                for pid in apps:
                    environment = process_environment(pid)
                    assert ACCESS_CODE_ENV not in environment
                    assert CODE not in "\0".join(environment.values())
    assert app_processes(str(data_dir)) == []


async def test_wrong_codes_are_rate_limited(tmp_path: Path) -> None:
    with serve(tmp_path, env={ACCESS_CODE_ENV: CODE}) as served:
        async with client() as http:
            for _ in range(5):
                async with http.post(f"{served.url}/login", data={"code": "nope-nope"}) as r:
                    assert r.status == 401
            async with http.post(f"{served.url}/login", data={"code": CODE}) as r:
                assert r.status == 429
            assert not http.cookie_jar.filter_cookies(served.url)


async def test_a_local_server_without_a_code_answers_this_computer_only(
    tmp_path: Path,
) -> None:
    with serve(tmp_path) as served:
        assert "no access code" in served.output()
        async with client() as http:
            async with http.get(f"{served.url}/", allow_redirects=False) as page:
                assert page.status == 200
                assert page.headers["X-Frame-Options"] == "DENY"
            # A page from elsewhere that resolves its own name to 127.0.0.1 (DNS
            # rebinding) sends its own Host: refused.
            headers = {"Host": f"attacker.example:{served.port}"}
            async with http.get(f"{served.url}/", headers=headers) as rebound:
                assert rebound.status == 403
            with pytest.raises(aiohttp.WSServerHandshakeError) as handshake:
                await http.ws_connect(f"{served.url}/ws", origin="http://attacker.example")
            assert handshake.value.status == 403


def test_serve_is_listed_in_help() -> None:
    result = run_quizapp("serve", "--help")
    assert result.returncode == 0
    assert "--access-code-file" in result.stdout
