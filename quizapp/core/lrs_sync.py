"""Send learner records to a Learning Record Store (xAPI 1.0.3): the core of `quizapp sync`.

A care organisation that trains many caregivers on many machines keeps their records in
one Learning Record Store (LRS). This module sends the statements the store's records
make (`quizapp.core.xapi_export`) to an LRS's `statements` resource, and remembers per
endpoint which statements the LRS has acknowledged, so a second sync sends nothing new.

How, and why:

* **Only what the LRS has not acknowledged.** The store keeps, per endpoint, the ids of
  the statements the LRS acknowledged (a 2xx answer to the POST that carried them). A
  statement id is a stable uuid5 of the record (see `quizapp.core.xapi`), so "not yet
  acknowledged" is a set difference. A list of ids rather than a high-water mark because
  the statements come from several tables and an attempt finished today may have started
  before answers already sent.
* **Batches** of `SyncOptions.batch_size` statements, one POST each; the LRS stores a
  batch whole or not at all (xAPI 1.0.3, Communication 2.1.2), so a batch is
  acknowledged whole.
* **Retries with back-off** on network errors, 5xx and 429: the same batch is sent again
  after 1, 2, 4 ... seconds (`SyncOptions`). A batch whose answer was lost may have been
  stored; sending it again is safe, because an LRS drops a statement it already holds
  with the same content (statements never change once made).
* **A statement the LRS refuses (4xx) does not block the rest.** A refused batch is sent
  again one statement at a time; each one still refused is reported with its id, what it
  says and the LRS's reason, and stays unacknowledged (a later sync tries it again).
* **401/403 stop the sync** with a clear message: every other batch would fail the same way.
* **Offline is normal.** Nothing recorded locally is changed by a sync; the only write is
  the acknowledgement ledger, and only for statements the LRS acknowledged. A sync that
  stops half-way leaves the rest for the next one.
* **Credentials** come from `QUIZAPP_LRS_URL`, `QUIZAPP_LRS_USER`, `QUIZAPP_LRS_PASSWORD`
  or the command's flags; a password only ever from the environment or a file readable
  by its owner alone, never a flag (a flag is visible to every user in the process list).
  They are sent with HTTP Basic auth and never printed: `LrsEndpoint` keeps the password
  out of its `repr`, and URLs with a user or password in them are refused.

HTTP goes through httpx: a well-kept client with timeouts per phase, connection reuse
across batches and a clear split between transport errors (retry) and answers (decide).
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import httpx

# httpx is imported where it is used, not here: `import httpx` also loads its optional
# command-line client when click and rich are installed (they are, with textual), and
# the core must not pull rich in just by being imported (tests/unit/test_architecture).

URL_ENV = "QUIZAPP_LRS_URL"
USER_ENV = "QUIZAPP_LRS_USER"
PASSWORD_ENV = "QUIZAPP_LRS_PASSWORD"

XAPI_VERSION_HEADER = "X-Experience-API-Version"
XAPI_PROTOCOL_VERSION = "1.0.3"
"""The version of the xAPI communication protocol quizapp speaks (sent with every request)."""

EXIT_OK = 0
"""Every statement is in the LRS (or there was nothing to send, or a dry run)."""
EXIT_REJECTED = 1
"""The LRS refused some statements (each one reported); the others were sent."""
EXIT_USAGE = 2
"""No endpoint or credentials, or an unusable setting; nothing was sent."""
EXIT_UNREACHABLE = 3
"""The LRS could not be reached or kept failing (5xx); what was acknowledged is kept."""
EXIT_AUTH = 4
"""The LRS refused the user name or password (401/403); nothing more was sent."""


class SyncConfigError(ValueError):
    """The endpoint or credentials are missing or unusable; the message says which."""


class Ledger(Protocol):
    """Where the acknowledged statement ids are kept, per endpoint (the score store)."""

    def lrs_acknowledged(self, endpoint: str) -> set[str]:
        """The ids of the statements `endpoint` has acknowledged."""
        ...

    def record_lrs_acknowledged(self, endpoint: str, statement_ids: Sequence[str]) -> None:
        """Remember that `endpoint` acknowledged these statements (in one transaction)."""
        ...


# --------------------------------------------------------------------------- endpoint


@dataclass(frozen=True)
class LrsEndpoint:
    """An LRS to send to, with the credentials to use.

    Attributes:
        url: The xAPI base URL, ending in "/" (statements go to `url + "statements"`).
        user: The HTTP Basic user name (an LRS "key").
        password: The HTTP Basic password (an LRS "secret"); left out of `repr`.
    """

    url: str
    user: str
    password: str = field(repr=False)

    @property
    def statements_url(self) -> str:
        """The LRS's statements resource."""
        return self.url + "statements"

    @property
    def key(self) -> str:
        """What the acknowledgement ledger is keyed on: the URL (never the credentials)."""
        return self.url


def normalise_url(url: str) -> str:
    """The xAPI base URL in one canonical spelling, so one LRS has one ledger.

    Lower-case scheme and host, no default port, a path ending in "/", and a trailing
    `statements` resource taken off (people often paste the resource's URL).

    Raises:
        SyncConfigError: Not an http(s) URL with a host, or it carries a user name or
            password (those would be shown in the process list and in logs).
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SyncConfigError(
            f"the LRS URL {url!r} is not an http(s) URL with a host,"
            " e.g. https://lrs.example.org/xAPI/"
        )
    if parts.username is not None or parts.password is not None:
        raise SyncConfigError(
            "the LRS URL must not contain a user name or password; use"
            f" {USER_ENV} and {PASSWORD_ENV} (or --user and --password-file)"
        )
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if scheme == "https" else 80
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    if path.endswith("/statements"):
        path = path[: -len("/statements")]
    return urlunsplit((scheme, netloc, path + "/", "", ""))


def read_password_file(path: Path) -> str:
    """The password in a file that only its owner can read (first line, newline removed).

    Raises:
        SyncConfigError: The file is missing, unreadable, empty, or readable or writable
            by anyone but its owner.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise SyncConfigError(
                    f"the password file {path} can be read or changed by other users"
                    f" (mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
                )
            first = handle.readline().rstrip("\r\n")
    except OSError as error:
        raise SyncConfigError(
            f"cannot read the password file {path}: {error.strerror or error}"
        ) from error
    if not first:
        raise SyncConfigError(f"the password file {path} is empty")
    return first


def resolve_endpoint(
    *,
    url: str | None,
    user: str | None,
    password_file: Path | None,
    environ: Mapping[str, str] | None = None,
    settings_url: str | None = None,
    settings_user: str | None = None,
) -> LrsEndpoint:
    """The endpoint from the flags, else the environment, else the settings file.

    Args:
        url: `--url`, or None for `$QUIZAPP_LRS_URL`.
        user: `--user`, or None for `$QUIZAPP_LRS_USER`.
        password_file: `--password-file`, or None for `$QUIZAPP_LRS_PASSWORD`.
        environ: The environment (`os.environ` when None).
        settings_url: `Settings.lrs_url`, used when neither flag nor variable gives one.
        settings_user: `Settings.lrs_user`, likewise.

    Returns:
        The endpoint with its normalised URL.

    Raises:
        SyncConfigError: Something is missing or unusable; the message names the flag and
            the variable that would give it, and never contains the password.
    """
    env = os.environ if environ is None else environ
    url = url or env.get(URL_ENV) or settings_url
    if not url:
        raise SyncConfigError(f"no LRS URL: give --url or set {URL_ENV}")
    user = user or env.get(USER_ENV) or settings_user
    if not user:
        raise SyncConfigError(f"no LRS user: give --user or set {USER_ENV}")
    if password_file is not None:
        password = read_password_file(password_file)
    else:
        password = env.get(PASSWORD_ENV, "")
        if not password:
            raise SyncConfigError(
                f"no LRS password: set {PASSWORD_ENV} or give --password-file"
                " (a file only you can read)"
            )
    return LrsEndpoint(normalise_url(url), user, password)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SyncOptions:
    """How to send.

    Attributes:
        batch_size: Statements per POST.
        retries: How many times a batch is sent again after a network error, 5xx or 429.
        backoff_s: The first wait before a retry; each later wait doubles, up to
            `max_backoff_s`.
        max_backoff_s: The longest wait between two tries.
        timeout_s: Seconds to wait for the LRS to connect, or to answer a request.
        dry_run: Work out what would be sent, send nothing, touch nothing.
        resend: Send every statement, acknowledged or not (after the LRS lost data, say);
            the LRS drops those it holds already.
    """

    batch_size: int = 100
    retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    timeout_s: float = 30.0
    dry_run: bool = False
    resend: bool = False

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise SyncConfigError(f"the batch size must be at least 1, not {self.batch_size}")
        if self.retries < 0:
            raise SyncConfigError(f"retries must be 0 or more, not {self.retries}")


@dataclass(frozen=True)
class Rejection:
    """A statement the LRS refused.

    Attributes:
        statement: The statement as sent.
        status: The HTTP status of the refusal.
        reason: What the LRS said (its error message, shortened), or the status text.
    """

    statement: dict[str, Any]
    status: int
    reason: str

    def describe(self) -> str:
        """One line for people: the statement's id, what it says, and the LRS's reason."""
        statement = self.statement
        verb = statement.get("verb", {}).get("display", {}).get("en-US", "?")
        target = statement.get("object", {}).get("id", "?")
        return (
            f"statement {statement.get('id', '?')} ({verb} {target}"
            f" at {statement.get('timestamp', '?')}): HTTP {self.status}: {self.reason}"
        )


@dataclass
class SyncReport:
    """What a sync did.

    Attributes:
        endpoint: The LRS's URL (no credentials).
        total: Statements the store's records make now.
        already: Of those, how many the LRS had acknowledged before this sync.
        pending: How many were to be sent.
        sent: How many the LRS acknowledged in this sync.
        batches: POST requests that the LRS answered with success.
        rejected: Statements the LRS refused.
        failure: Why the sync stopped early (network, server, credentials, a URL with
            no statements resource there), or None.
        failure_code: The exit code that goes with `failure`.
        dry_run: Whether nothing was sent on purpose.
        batch_size: Statements per request (for the dry run's batch count).
    """

    endpoint: str
    total: int
    already: int
    pending: int
    sent: int = 0
    batches: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    failure: str | None = None
    failure_code: int = EXIT_UNREACHABLE
    dry_run: bool = False
    batch_size: int = 100

    @property
    def left(self) -> int:
        """Statements still not acknowledged (rejected ones included)."""
        return self.pending - self.sent

    @property
    def exit_code(self) -> int:
        """The command's exit code (`EXIT_*`)."""
        if self.failure is not None:
            return self.failure_code
        if self.rejected:
            return EXIT_REJECTED
        return EXIT_OK

    def summary(self) -> str:
        """The closing line(s) for people."""
        if self.dry_run:
            batches = -(-self.pending // max(1, self.batch_size))
            return (
                f"Dry run: {self.pending} of {self.total} statement(s) would be sent to"
                f" {self.endpoint} in {batches} batch(es); {self.already} already"
                " acknowledged. Nothing was sent."
            )
        lines = [
            f"Sent {self.sent} statement(s) to {self.endpoint} in {self.batches} request(s);"
            f" {self.already} were already there; {len(self.rejected)} refused;"
            f" {self.left} not sent yet."
        ]
        if self.failure is not None:
            lines.append(
                f"Stopped: {self.failure}. Nothing recorded on this machine was changed;"
                " run `quizapp sync` again to send the rest."
            )
        elif self.rejected:
            lines.append(
                "The refused statements stay on this machine and are tried again at the next sync."
            )
        return "\n".join(lines)


class _Stop(Exception):
    """The sync cannot go on (network, server, credentials, wrong URL)."""

    def __init__(self, message: str, code: int = EXIT_UNREACHABLE) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------- sending


def _reason(response: httpx.Response) -> str:
    """The LRS's own words for a refusal, on one line and short."""
    text = response.text.strip()
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("detail", "message", "error", "errors"):
            if key in body:
                value = body[key]
                text = value if isinstance(value, str) else json.dumps(value)
                break
    text = " ".join(text.split()) or response.reason_phrase or "no reason given"
    return text if len(text) <= 300 else text[:297] + "..."


class _Sender:
    """POSTs batches with retries; raises `_Stop` when the sync cannot go on."""

    def __init__(
        self,
        endpoint: LrsEndpoint,
        options: SyncOptions,
        client: httpx.Client,
        sleep: Callable[[float], None],
    ) -> None:
        self.endpoint = endpoint
        self.options = options
        self.client = client
        self.sleep = sleep

    def post(self, batch: Sequence[dict[str, Any]]) -> httpx.Response:
        """POST a batch; the LRS's answer once it is not a network error, 5xx or 429.

        Raises:
            _Stop: Still failing after the retries, or the credentials were refused.
        """
        import httpx

        wait = self.options.backoff_s
        for attempt in range(self.options.retries + 1):
            problem: str
            try:
                response = self.client.post(self.endpoint.statements_url, json=list(batch))
            except httpx.TransportError as error:
                problem = f"cannot reach the LRS at {self.endpoint.url} ({_transport(error)})"
            else:
                if response.status_code in (401, 403):
                    raise _Stop(
                        f"the LRS at {self.endpoint.url} refused the user name or password"
                        f" (HTTP {response.status_code}: {_reason(response)}); check"
                        f" {USER_ENV} and {PASSWORD_ENV} (or --user and --password-file)",
                        EXIT_AUTH,
                    )
                if response.status_code in (404, 405):
                    # Every batch would get the same answer: the URL is not an xAPI
                    # endpoint (often the /xAPI/ part is missing). Stop, don't send all.
                    raise _Stop(
                        f"{self.endpoint.statements_url} is not an xAPI statements resource"
                        f" (HTTP {response.status_code}); check the LRS URL (it often"
                        " ends in /xAPI/)",
                        EXIT_USAGE,
                    )
                if response.status_code < 500 and response.status_code != 429:
                    return response
                problem = (
                    f"the LRS at {self.endpoint.url} answered HTTP {response.status_code}"
                    f" ({_reason(response)})"
                )
            if attempt == self.options.retries:
                raise _Stop(f"{problem}; gave up after {attempt + 1} tries")
            self.sleep(wait)
            wait = min(wait * 2, self.options.max_backoff_s)
        raise AssertionError("unreachable")  # pragma: no cover


def _transport(error: httpx.TransportError) -> str:
    import httpx

    names = {
        httpx.ConnectError: "connection refused or no route",
        httpx.ConnectTimeout: "timed out connecting",
        httpx.ReadTimeout: "timed out waiting for an answer",
        httpx.WriteTimeout: "timed out sending",
        httpx.RemoteProtocolError: "the connection was closed",
        httpx.ReadError: "the connection broke",
    }
    for kind, text in names.items():
        if isinstance(error, kind):
            return text
    return type(error).__name__


def _batches(items: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def make_client(endpoint: LrsEndpoint, options: SyncOptions) -> httpx.Client:
    """An httpx client for the LRS: Basic auth, the xAPI version header, timeouts."""
    import httpx

    return httpx.Client(
        auth=httpx.BasicAuth(endpoint.user, endpoint.password),
        headers={XAPI_VERSION_HEADER: XAPI_PROTOCOL_VERSION},
        timeout=httpx.Timeout(options.timeout_s),
        follow_redirects=False,
    )


def sync(
    statements: Sequence[dict[str, Any]],
    ledger: Ledger,
    endpoint: LrsEndpoint,
    options: SyncOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncReport:
    """Send the statements the LRS has not acknowledged yet.

    Args:
        statements: Every statement the store's records make (each with an `id`).
        ledger: Where acknowledgements are kept (the score store).
        endpoint: The LRS.
        options: Batch size, retries, dry run.
        progress: Called with (statements done, statements to send) after each batch.
        client: An httpx client to use (one is made, and closed, when None).
        sleep: How to wait between retries.

    Returns:
        The report; its `exit_code` is the command's.
    """
    options = options or SyncOptions()
    acknowledged = set() if options.resend else ledger.lrs_acknowledged(endpoint.key)
    pending = [s for s in statements if s["id"] not in acknowledged]
    report = SyncReport(
        endpoint=endpoint.url,
        total=len(statements),
        already=len(statements) - len(pending),
        pending=len(pending),
        dry_run=options.dry_run,
        batch_size=options.batch_size,
    )
    if options.dry_run or not pending:
        return report
    own_client = client is None
    http = client if client is not None else make_client(endpoint, options)
    sender = _Sender(endpoint, options, http, sleep)
    done = 0
    try:
        for batch in _batches(pending, options.batch_size):
            _send_batch(sender, ledger, endpoint, batch, report)
            done += len(batch)
            if progress is not None:
                progress(done, len(pending))
    except _Stop as stop:
        report.failure = str(stop)
        report.failure_code = stop.code
    finally:
        if own_client:
            http.close()
    return report


def _send_batch(
    sender: _Sender,
    ledger: Ledger,
    endpoint: LrsEndpoint,
    batch: Sequence[dict[str, Any]],
    report: SyncReport,
) -> None:
    response = sender.post(batch)
    if response.is_success:
        _acknowledge(ledger, endpoint, batch, report)
        return
    if len(batch) == 1:
        report.rejected.append(Rejection(batch[0], response.status_code, _reason(response)))
        return
    # The LRS refused the batch as a whole (one bad statement is enough): find which by
    # sending them one by one, so the good ones are not held back.
    for statement in batch:
        _send_batch(sender, ledger, endpoint, [statement], report)


def _acknowledge(
    ledger: Ledger, endpoint: LrsEndpoint, batch: Sequence[dict[str, Any]], report: SyncReport
) -> None:
    ledger.record_lrs_acknowledged(endpoint.key, [s["id"] for s in batch])
    report.sent += len(batch)
    report.batches += 1
