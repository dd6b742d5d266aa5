"""`quizapp sync`: send the learner records to a Learning Record Store (xAPI).

The sending itself (batches, retries, what the LRS acknowledged) is
`quizapp.core.lrs_sync`; this module reads the options and credentials and prints the
progress and the summary. Exit codes: 0 all sent, 1 the LRS refused some statements (the
rest were sent), 2 something missing or unusable, 3 the LRS could not be reached or kept
failing, 4 the LRS refused the credentials.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizapp.cli.common import load_decks_for
from quizapp.core import paths

if TYPE_CHECKING:
    # Annotations only: argparse is imported where a parser is built.
    import argparse


def add_sync_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the `sync` subcommand and its options to `sub` (the subparsers of `quizapp`)."""
    sync = sub.add_parser(
        "sync",
        parents=[common],
        help="send the records (xAPI statements) to a Learning Record Store",
        description="Send every answer, attempt and flashcard rating the LRS has not"
        " acknowledged yet. The password comes from $QUIZAPP_LRS_PASSWORD or"
        " --password-file, never from the command line.",
        # No abbreviations: `--password SECRET` must be refused, not taken as a short
        # `--password-file` (which would put the secret in the process list and errors).
        allow_abbrev=False,
    )
    sync.add_argument(
        "--url", help="the LRS's xAPI base URL (default: $QUIZAPP_LRS_URL, then settings)"
    )
    sync.add_argument(
        "--user", help="the LRS user name or key (default: $QUIZAPP_LRS_USER, then settings)"
    )
    sync.add_argument(
        "--password-file",
        metavar="FILE",
        type=Path,
        help="read the password from FILE, which only you may read (chmod 600)",
    )
    sync.add_argument(
        "--batch-size", type=int, default=100, metavar="N", help="statements per request"
    )
    sync.add_argument(
        "--retries", type=int, default=4, metavar="N", help="tries again on network errors"
    )
    sync.add_argument(
        "--backoff",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="first wait before trying again; doubles each time (default: 1)",
    )
    sync.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing")
    sync.add_argument(
        "--resend",
        action="store_true",
        help="send every statement again, acknowledged or not (the LRS keeps one copy)",
    )


def cmd_sync(args: argparse.Namespace) -> int:
    """`quizapp sync`: send what the LRS has not acknowledged; a summary; `EXIT_*` codes."""
    from quizapp.core import lrs_sync
    from quizapp.core.settings import load_settings
    from quizapp.core.store import ScoreStore
    from quizapp.core.xapi_export import store_statements

    folder = paths.data_dir(args.data_dir)
    settings, warning = load_settings(paths.settings_path(folder))
    if warning:
        print(f"quizapp: {warning}", file=sys.stderr)
    try:
        endpoint = lrs_sync.resolve_endpoint(
            url=args.url,
            user=args.user,
            password_file=args.password_file,
            settings_url=settings.lrs_url,
            settings_user=settings.lrs_user,
        )
        options = lrs_sync.SyncOptions(
            batch_size=args.batch_size,
            retries=args.retries,
            backoff_s=args.backoff,
            dry_run=args.dry_run,
            resend=args.resend,
        )
    except lrs_sync.SyncConfigError as error:
        print(f"quizapp: {error}", file=sys.stderr)
        return lrs_sync.EXIT_USAGE
    if endpoint.url.startswith("http://") and not _loopback(endpoint.url):
        print(
            f"quizapp: warning: {endpoint.url} is plain http: the records and the password"
            " travel unencrypted; use https",
            file=sys.stderr,
        )
    store = ScoreStore.open(paths.db_path(folder))
    if store.recovery_message:
        print(f"quizapp: {store.recovery_message}", file=sys.stderr)
    loaded = load_decks_for(args)
    if loaded.errors:
        print(
            f"quizapp: {len(loaded.errors)} deck problem(s) found; statements use the decks"
            " that loaded (see `quizapp validate`)",
            file=sys.stderr,
        )
    try:
        found, _ = store_statements(
            store,
            decks={deck.id: deck for deck in loaded.decks},
            home_page=settings.xapi_home_page,
            display_names=settings.xapi_send_display_name,
        )
    except ValueError as error:  # the configured account home page is unusable
        print(f"quizapp: {error}", file=sys.stderr)
        return lrs_sync.EXIT_USAGE
    report = lrs_sync.sync(found, store, endpoint, options, progress=_progress_printer())
    if report.batches and sys.stderr.isatty():
        print(file=sys.stderr)  # end the progress bar's line
    for rejection in report.rejected:
        print(f"quizapp: the LRS refused {rejection.describe()}", file=sys.stderr)
    if report.failure is not None:
        print(f"quizapp: {report.failure}", file=sys.stderr)
    print(report.summary())
    return report.exit_code


def _loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def _progress_printer() -> Callable[[int, int], None]:
    """A progress callback: a bar on a terminal, a line per batch otherwise."""
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        if tty:
            filled = round(30 * done / total) if total else 30
            bar = "#" * filled + "." * (30 - filled)
            print(f"\rSending [{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)
        else:
            print(f"quizapp: {done}/{total} statement(s) done", file=sys.stderr, flush=True)

    return show
