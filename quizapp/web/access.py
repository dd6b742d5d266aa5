"""Who may reach `quizapp serve`: local binds, the access code, the listening socket.

Kept free of the web libraries so `quizapp serve --host 0.0.0.0` without an access code
is refused with a clear message even where the `web` extra is not installed.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from pathlib import Path

ACCESS_CODE_ENV = "QUIZAPP_ACCESS_CODE"
"""The environment variable that holds the access code (never a command-line value,
which anyone on the computer could read in the process list)."""

MIN_CODE_LENGTH = 6


class ServeError(Exception):
    """`quizapp serve` cannot start; the message says why and what to do."""


def is_loopback_host(host: str) -> bool:
    """Whether `host` reaches this computer only (127.0.0.1, ::1, localhost).

    A name counts as local only when every address it resolves to is a loopback one.

    Args:
        host: The --host value.

    Returns:
        True for a loopback address or a name that resolves only to loopback addresses.
    """
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {str(info[4][0]) for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses
    )


def read_access_code(code_file: Path | None) -> str | None:
    """The access code, from `--access-code-file` or the environment, if any.

    The environment variable is removed once read, so the app processes started for
    each browser tab do not inherit it.

    Args:
        code_file: A file whose first line is the code, or None.

    Returns:
        The code, or None when none was given.

    Raises:
        ServeError: The file cannot be read, or the code is too short.
    """
    from_env = os.environ.pop(ACCESS_CODE_ENV, None)
    if code_file is not None:
        try:
            lines = code_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise ServeError(f"cannot read the access code file {code_file}: {reason}") from None
        code = lines[0].strip() if lines else ""
    else:
        code = (from_env or "").strip()
        if not code:
            return None
    if len(code) < MIN_CODE_LENGTH:
        raise ServeError(f"the access code is too short: use at least {MIN_CODE_LENGTH} characters")
    return code


def check_access(host: str, code: str | None) -> None:
    """Refuse to serve beyond this computer without an access code.

    Raises:
        ServeError: `host` is unknown, or it is not a loopback address and no access
            code was given.
    """
    try:
        socket.getaddrinfo(host.strip("[]"), None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ServeError(_unknown_host(host)) from None
    if code is None and not is_loopback_host(host):
        raise ServeError(
            f"--host {host} lets other computers reach the app and everyone's scores, so"
            f" it needs an access code. Set one in the environment variable {ACCESS_CODE_ENV}"
            " or put it in a file and pass --access-code-file FILE, then tell it to your"
            " learners. (The default, 127.0.0.1, serves this computer only.)"
        )


def open_listening_socket(host: str, port: int) -> socket.socket:
    """Bind and listen on host:port, turning the usual failures into plain messages.

    Args:
        host: An address or name of this computer.
        port: A TCP port (0 picks a free one).

    Returns:
        A listening, non-blocking socket.

    Raises:
        ServeError: The host is unknown or not this computer's, or the port is in use
            or not allowed.
    """
    if not 0 <= port <= 65535:
        raise ServeError(f"--port {port} is not a port number: use 1024 to 65535")
    try:
        infos = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError):
        raise ServeError(_unknown_host(host)) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # Lets a restarted server take its port back at once; a port another program
        # listens on still fails below (Linux refuses that even with SO_REUSEADDR).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise ServeError(_bind_message(host, port, error)) from None
    sock.setblocking(False)
    return sock


def _unknown_host(host: str) -> str:
    return (
        f"unknown host {host!r}: give an address of this computer, such as 127.0.0.1,"
        " or 0.0.0.0 for all of its network addresses"
    )


def _bind_message(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use: stop the program using it,"
            " or pick another port with --port"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this computer: give one of its own addresses"
    if error.errno == errno.EACCES:
        return f"port {port} needs special permission: pick a port from 1024 up with --port"
    return f"cannot listen on {host} port {port}: {error.strerror or error}"
