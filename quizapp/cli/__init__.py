"""The `quizapp` command: launch the app, or check, list, export and sync from the shell.

Exit codes: 0 success, 1 the checked content has errors (or, for `export` and `report`,
the database was damaged and restarted empty, so there is nothing to give), 2 usage or
environment errors (a bad option, an unwritable data folder, a full disk). `quizapp sync`
adds: 1 the LRS refused some statements (the rest were sent), 3 the LRS could not be
reached or kept failing, 4 the LRS refused the credentials (see `quizapp.core.lrs_sync`).
"""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from quizapp import __version__
from quizapp.cli.common import load_decks_for
from quizapp.cli.sync import add_sync_parser, cmd_sync
from quizapp.core import paths
from quizapp.core.store import StoreError

if TYPE_CHECKING:
    # argparse is imported where the parser is built: a plain launch does without it
    # (`launch_options`), and importing it costs more than drawing a frame.
    import argparse

    from quizapp.core.pending import PendingWrites
    from quizapp.core.store import ScoreStore

# The loader and the deck models (pydantic, YAML) are imported by the subcommands that
# use them: the app itself loads decks in a worker once its first frame is on screen.


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    import argparse

    # Subcommands repeat the options so they may come after the subcommand too; their
    # copies must not reset a value given before it, hence SUPPRESS as their default.
    parser.add_argument(
        "--decks",
        metavar="PATH",
        type=Path,
        action="append",
        default=argparse.SUPPRESS if suppress else [],
        help="also load decks from this file or folder (repeatable)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS if suppress else None,
        help=f"where scores are kept (default: ${paths.DATA_DIR_ENV} or the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `quizapp` and its subcommands."""
    import argparse

    top = argparse.ArgumentParser(add_help=False)
    _add_common(top)
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, suppress=True)
    parser = argparse.ArgumentParser(
        prog="quizapp",
        description="Learn how a medicine works, and check that you know it. "
        "Education only, not medical advice.",
        parents=[top],
    )
    parser.add_argument("--version", action="version", version=f"quizapp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser(
        "validate", parents=[common], help="check deck files and report every error"
    )
    validate.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="deck files or folders"
    )

    sub.add_parser("decks", parents=[common], help="list the decks found, with cards per topic")
    sub.add_parser("schema", parents=[common], help="print the deck JSON Schema")
    new_deck = sub.add_parser(
        "new-deck",
        parents=[common],
        help="write a starter deck to fill in, with the schema file beside it for editors",
    )
    new_deck.add_argument("file", type=Path, metavar="FILE", help="the deck file to create")
    new_deck.add_argument(
        "--drug", required=True, metavar="NAME", help="the drug's generic name, e.g. diazepam"
    )

    lint = sub.add_parser(
        "lint", parents=[common], help="content checks: reading level, sources, wording"
    )
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="deck files or folders")

    export = sub.add_parser(
        "export",
        parents=[common],
        help="write attempts and answers as CSV (one row per answer), JSON or xAPI statements",
    )
    export.add_argument(
        "--format",
        choices=("csv", "json", "xapi"),
        default="csv",
        help="output format (default: csv); xapi: xAPI statements for a Learning Record Store",
    )
    export.add_argument("--learner", metavar="NAME", help="only this learner's attempts")
    export.add_argument(
        "--output", metavar="FILE", type=Path, help="write to FILE (mode 0600) instead of stdout"
    )

    report = sub.add_parser(
        "report",
        parents=[common],
        help="a learner's completion report: best exams, must-know items, time spent",
    )
    report.add_argument("--learner", metavar="NAME", required=True, help="whose report")
    report.add_argument(
        "--format", choices=("md", "html"), default="md", help="output format (default: md)"
    )
    report.add_argument(
        "--output", metavar="FILE", type=Path, help="write to FILE (mode 0600) instead of stdout"
    )
    report.add_argument(
        "--paper",
        choices=("a4", "letter"),
        help="html: print on this paper size (default: the printer's own)",
    )
    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="put a backup of the score database back (close quizapp first)",
    )
    restore.add_argument(
        "backup",
        metavar="BACKUP",
        type=Path,
        help="a quizapp.db.bak-v... file next to the database",
    )
    _add_export_deck_parser(sub, common)
    _add_serve_parser(sub, common)
    add_sync_parser(sub, common)
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    """`quizapp validate`: one line per error, then a summary."""
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    if missing:
        return 2
    result = load_decks_for(args, args.paths)
    for error in result.errors:
        print(error)
    bad_files = len({error.path for error in result.errors})
    print(
        f"{len(result.decks)} deck(s) valid, {bad_files} file(s) with {len(result.errors)} error(s)"
    )
    return 1 if result.errors else 0


def cmd_decks(args: argparse.Namespace) -> int:
    """`quizapp decks`: id, title, audience and quiz cards per topic."""
    result = load_decks_for(args)
    for deck in result.decks:
        topics = ", ".join(f"{topic} {count}" for topic, count in deck.cards_per_topic().items())
        flashcards = len(deck.flashcards)
        label = "flashcard" if flashcards == 1 else "flashcards"
        print(f"{deck.id}\t{deck.title}\t{deck.audience}\t{topics}\t{flashcards} {label}")
    for error in result.errors:
        print(error, file=sys.stderr)
    return 1 if result.errors else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """`quizapp schema`: the deck JSON Schema, for editors."""
    from quizapp.core.decks.json_schema import deck_json_schema

    print(json.dumps(deck_json_schema(), indent=2))
    return 0


def cmd_new_deck(args: argparse.Namespace) -> int:
    """`quizapp new-deck FILE --drug NAME`: a starter deck (never over an existing file)."""
    from quizapp.core.decks.starter import StarterDeckError, write_starter_deck

    try:
        written = write_starter_deck(args.file, args.drug)
    except StarterDeckError as error:
        print(f"quizapp: {error}", file=sys.stderr)
        return 2
    except FileExistsError:
        print(
            f"quizapp: {args.file} exists: new-deck never replaces a file; choose another name",
            file=sys.stderr,
        )
        return 2
    except OSError as error:
        print(f"quizapp: cannot write {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"Wrote the starter deck {written.deck}")
    if written.schema_written:
        print(f"Wrote the deck schema beside it: {written.schema}")
    elif not written.schema_current:
        print(
            f"Left {written.schema} as it was; it differs from this version's schema"
            f" (`quizapp schema > {written.schema}` updates it)"
        )
    deck = written.deck
    print(f"Next: fill it in, then `quizapp validate {deck}` and `quizapp lint {deck}`")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    """`quizapp lint`: content checks beyond the schema."""
    from quizapp.core.lint import lint_result

    result = load_decks_for(args, args.paths)
    findings = lint_result(result)
    for finding in findings:
        print(finding)
    errors = sum(1 for finding in findings if finding.severity == "error")
    print(
        f"{len(result.decks)} deck(s) checked, {errors} error(s),"
        f" {len(findings) - errors} warning(s)"
    )
    return 1 if errors or result.errors else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Launch the terminal app."""
    import gc

    # What is made from here to the first frame (Textual's modules and classes, the
    # widgets, the store) lives as long as the app: collecting garbage among it is wasted
    # work, about 13 ms of the start-up. The app turns collections back on, with these
    # objects frozen out of them, once its first frame is on screen (`QuizApp.on_ready`).
    gc.disable()
    try:
        from quizapp.ui.app import make_app

        app = make_app(data_dir=paths.data_dir(args.data_dir), extra_decks=args.decks)
        app.run()
    finally:
        gc.enable()  # the app never got to its first frame (an error), or has ended
    _keep_unsaved_writes(app.context.pending)
    return app.return_code or 0


def _keep_unsaved_writes(pending: PendingWrites) -> None:
    """After the app closes: wait for its background writes, then keep any answers or
    ratings still unsaved in the private pending file, for the next start."""
    import threading

    for thread in threading.enumerate():
        if thread.name == "quizapp-store-writer":
            thread.join()
    if not pending.unsaved:
        return
    count = pending.unsaved
    try:
        kept = pending.keep_for_later()
    except OSError as error:
        print(
            f"quizapp: {count} answer(s) or rating(s) could not be saved, nor kept for later:"
            f" {error.strerror or error}",
            file=sys.stderr,
        )
        return
    print(
        f"quizapp: {count} answer(s) or rating(s) could not be saved yet; they are kept in"
        f" {kept} and saved when quizapp next starts.",
        file=sys.stderr,
    )


def cmd_export(args: argparse.Namespace) -> int:
    """`quizapp export`: attempts and answers, to stdout or `--output`."""
    from quizapp.core.export import export_attempts, export_to_file
    from quizapp.core.store import NotFoundError

    store = _open_store(args)
    if store.recovered_from is not None:
        # The new store is empty: an "export" now would be an empty file that looks like
        # a learner's whole record, so refuse and point at the kept original instead.
        print(
            "quizapp: nothing was exported: the score database was damaged and a new, empty"
            f" one was started. Your records are in {store.recovered_from}.",
            file=sys.stderr,
        )
        return 1
    extra = _xapi_options(args) if args.format == "xapi" else {}
    try:
        if args.output is None:
            export_attempts(store, args.format, sys.stdout, args.learner, **extra)
        else:
            count = export_to_file(store, args.format, args.output, args.learner, **extra)
            print(f"Exported {count} attempt(s) to {args.output}", file=sys.stderr)
    except NotFoundError:
        names = ", ".join(learner.name for learner in store.learners()) or "none yet"
        print(f"quizapp: no learner called {args.learner!r} (learners: {names})", file=sys.stderr)
        return 2
    except ValueError as error:  # xapi: the configured account home page is unusable
        print(f"quizapp: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        if isinstance(error, BrokenPipeError):
            raise
        print(
            f"quizapp: {_write_failure(args.output or 'standard output', error)}", file=sys.stderr
        )
        return 2
    return 0


def _open_store(args: argparse.Namespace) -> ScoreStore:
    """The score store for `export` and `report`, its notices and recovery printed."""
    from quizapp.core.store import ScoreStore

    store = ScoreStore.open(paths.db_path(paths.data_dir(args.data_dir)))
    for notice in store.notices:
        print(f"quizapp: {notice}", file=sys.stderr)
    if store.recovery_message:
        print(f"quizapp: {store.recovery_message}", file=sys.stderr)
    return store


def _write_failure(target: object, error: OSError) -> str:
    """Why a file could not be written, in words that say what to do; never empty."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"cannot write {target}: the disk is full. Free some space on that disk, or"
            " write to another disk with --output, then try again."
        )
    why = error.strerror or str(error) or type(error).__name__
    return f"cannot write {target}: {why}"


def _xapi_options(args: argparse.Namespace) -> dict[str, Any]:
    """The loaded decks and the configured account home page, for `export --format xapi`."""
    from quizapp.core.settings import load_settings

    settings, warning = load_settings(paths.settings_path(paths.data_dir(args.data_dir)))
    if warning:
        print(f"quizapp: {warning}", file=sys.stderr)
    decks = {deck.id: deck for deck in load_decks_for(args).decks}
    return {
        "decks": decks,
        "home_page": settings.xapi_home_page,
        "display_names": settings.xapi_send_display_name,
    }


def cmd_report(args: argparse.Namespace) -> int:
    """`quizapp report`: a learner's completion report, to stdout or `--output`."""
    from datetime import UTC, datetime

    from quizapp.core.report import build_report, render_markdown, write_private
    from quizapp.core.report_html import render_html
    from quizapp.core.settings import load_settings

    store = _open_store(args)
    if store.recovered_from is not None:
        print(
            f"quizapp: no report: the score database was damaged and a new, empty one was"
            f" started. Your records are in {store.recovered_from}.",
            file=sys.stderr,
        )
        return 1
    learner = store.find_learner(args.learner)
    if learner is None:
        names = ", ".join(known.name for known in store.learners()) or "none yet"
        print(f"quizapp: no learner called {args.learner!r} (learners: {names})", file=sys.stderr)
        return 2
    loaded = load_decks_for(args)
    if loaded.errors:
        print(
            f"quizapp: {len(loaded.errors)} deck problem(s) found; the report uses the decks"
            " that loaded (see `quizapp validate`)",
            file=sys.stderr,
        )
    decks = {deck.id: deck for deck in loaded.decks}
    settings, warning = load_settings(paths.settings_path(paths.data_dir(args.data_dir)))
    if warning:
        print(f"quizapp: {warning}", file=sys.stderr)
    report = build_report(
        store, learner.id, decks, datetime.now(UTC), organisation=settings.organisation_name
    )
    if args.format == "html":
        text = render_html(report, paper=args.paper)
    else:
        text = render_markdown(report)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_private(args.output, text)
    except OSError as error:
        print(f"quizapp: {_write_failure(args.output, error)}", file=sys.stderr)
        return 2
    print(f"Wrote the report for {learner.name} to {args.output}", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """`quizapp restore BACKUP`: the backup becomes the score database; the current one is kept."""
    from quizapp.core.store import ScoreStore
    from quizapp.core.store.restore import restore_backup

    database = paths.db_path(paths.data_dir(args.data_dir))
    moved = restore_backup(database, args.backup)
    store = ScoreStore.open(database)
    kept = f"; the database that was in place is kept as {moved}" if moved else ""
    print(
        f"Restored {args.backup} as {database} ({len(store.learners())} learner(s)){kept}.",
        file=sys.stderr,
    )
    return 0


def _add_export_deck_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    export_deck = sub.add_parser(
        "export-deck",
        parents=[common],
        help="write a deck for another app: an Anki package (.apkg) for phones",
    )
    export_deck.add_argument("deck", metavar="DECK", help="the deck's id (see `quizapp decks`)")
    export_deck.add_argument(
        "--format", choices=("apkg",), default="apkg", help="output format (default: apkg)"
    )
    export_deck.add_argument(
        "--output", metavar="FILE", type=Path, help="write to FILE (default: DECK.apkg, mode 0600)"
    )


def cmd_export_deck(args: argparse.Namespace) -> int:
    """`quizapp export-deck DECK --format apkg`: one Anki note per card."""
    from quizapp.core.anki_export import write_apkg

    loaded = load_decks_for(args)
    decks = {deck.id: deck for deck in loaded.decks}
    deck = decks.get(args.deck)
    if deck is None:
        for error in loaded.errors:
            print(error, file=sys.stderr)
        known = ", ".join(decks) or "none loaded"
        print(f"quizapp: no deck with the id {args.deck!r} (decks: {known})", file=sys.stderr)
        return 2
    output = args.output if args.output is not None else Path(f"{deck.id}.apkg")
    try:
        count = write_apkg(deck, output)
    except OSError as error:
        print(f"quizapp: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"Wrote {count} note(s) from {deck.id!r} to {output}", file=sys.stderr)
    return 0


def _add_serve_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the app in web browsers (needs the web extra: pip install 'quizapp[web]')",
        description="Serve the app in web browsers; each browser tab runs its own copy of"
        " the app, all sharing one data folder. Only this computer can connect unless"
        " --host says otherwise, and then an access code is required: put it in the"
        " environment variable QUIZAPP_ACCESS_CODE or in a file (--access-code-file).",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only;"
        " 0.0.0.0 for every network address, which needs an access code)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument(
        "--access-code-file",
        metavar="FILE",
        type=Path,
        help="read the access code from the first line of FILE (instead of $QUIZAPP_ACCESS_CODE)",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """`quizapp serve`: the app in the browser, local only unless an access code is set."""
    from quizapp.web.access import (
        ServeError,
        check_access,
        is_loopback_host,
        open_listening_socket,
        read_access_code,
    )

    try:
        code = read_access_code(args.access_code_file)
        check_access(args.host, code)
    except ServeError as error:
        print(f"quizapp: {error}", file=sys.stderr)
        return 2
    try:
        from quizapp.web.gate import AccessGate
        from quizapp.web.server import QuizServer, app_command
    except ImportError as error:
        print(
            f"quizapp: serving in a browser needs the web extra ({error.name} is missing):"
            " pip install 'quizapp[web]'",
            file=sys.stderr,
        )
        return 2
    data_folder = paths.data_dir(args.data_dir)
    try:
        sock = open_listening_socket(args.host, args.port)
    except ServeError as error:
        print(f"quizapp: {error}", file=sys.stderr)
        return 2
    gate = AccessGate(code, local_only=is_loopback_host(args.host))
    server = QuizServer(
        app_command(data_folder, args.decks), gate, host=args.host, port=sock.getsockname()[1]
    )
    server.serve_on(sock)
    return 0


COMMANDS = {
    None: cmd_run,
    "validate": cmd_validate,
    "decks": cmd_decks,
    "schema": cmd_schema,
    "new-deck": cmd_new_deck,
    "lint": cmd_lint,
    "export": cmd_export,
    "report": cmd_report,
    "export-deck": cmd_export_deck,
    "restore": cmd_restore,
    "serve": cmd_serve,
    "sync": cmd_sync,
}


LAUNCH_OPTIONS = {"--data-dir": "data_dir", "--decks": "decks"}
"""The options a plain launch may have, and their attribute names (see `_add_common`)."""


def launch_options(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options of a plain launch, `quizapp [--data-dir PATH] [--decks PATH]...`, read
    without argparse; None for anything else (then argparse reads it, with its help,
    abbreviations and error messages).

    Launching is what people do most, and importing argparse and building the parser
    with every subcommand took about 10 ms of the app's start-up. The result is exactly
    what `build_parser().parse_args(argv)` gives (a test compares the two).
    """
    from types import SimpleNamespace

    found: dict[str, Any] = {"command": None, "data_dir": None, "decks": []}
    rest = list(argv)
    while rest:
        option, equals, value = rest.pop(0).partition("=")
        name = LAUNCH_OPTIONS.get(option)
        if name is None:
            return None  # a subcommand, --help, an abbreviation, a typo: argparse's job
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None  # no value: argparse says so
            value = rest.pop(0)
        if name == "decks":
            found["decks"].append(Path(value))
        else:
            found[name] = Path(value)
    return cast("argparse.Namespace", SimpleNamespace(**found))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `quizapp` console script and `python -m quizapp`."""
    if argv is None:
        argv = sys.argv[1:]
    args = launch_options(argv) or build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except StoreError as error:  # unusable data folder or database: say so, no traceback
        print(f"quizapp: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `quizapp schema | head` closed the pipe early
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
