"""Export attempts, answers and flashcard ratings from the score store as CSV or JSON.

Both formats carry the same fields under the same names.

CSV: one row per answer, the attempt's columns repeated on each row; an attempt with no
answers yet still gets one row, with the answer columns empty. Columns, in this order
(`CSV_COLUMNS`, stable: new columns are only ever added at the end):

    learner, learner_id, attempt_id, deck_id, deck_version, deck_title, mode, status,
    started_at, finished_at, score, max_score, passed, pass_mark,
    answer_id, card_id, card_hash, topic, critical, response, correct, points,
    elapsed_ms, answered_at, record, review_id, rating, rating_label, reviewed_at,
    first_review, state, interval_days, due

Flashcard ratings are rows too, after the learner's attempts: `record` says what a row
is (`answer`, `attempt` for an attempt with no answers yet, or `review`). A review row
fills `learner`, `learner_id`, `deck_id`, `card_id`, `card_hash` and the review columns:
the rating (1-4) and its label (Again, Hard, Good, Easy), when, whether it was the card's
first review, and the scheduling it led to: the card's `state` after it (`learning`,
`review` or `relearning`), the `interval_days` until it was due again and that `due`
time. Answer and attempt rows leave the review columns empty.

Empty cell = no value; booleans are `true`/`false`; times are UTC ISO-8601 ending in `Z`;
`response` is the learner's response as JSON text. A cell that begins with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a `'` in front (`spreadsheet_safe`), so a
spreadsheet never runs it as a formula; so does a cell that begins with `'`, so taking
one leading `'` off always gives the stored text back.

JSON: `{"format": "quizapp-export", "format_version": 1, "exported_at": ...,
"attempts": [...], "reviews": [...]}` where each attempt has the attempt fields above
plus `plan` and `answers` (a list of objects with the answer fields above, `response` as
a JSON value), and each review has `learner`, `learner_id`, `deck_id`, `card_id`,
`card_hash` and the review fields above. (`reviews` came later without a new format
version: it only adds a key.)

Rows come ordered by learner name, then attempt start, then answer order; a learner's
reviews in the order they were given.

xAPI: a JSON array of xAPI statements for a Learning Record Store; see
`quizapp.core.xapi_export`, which covers flashcard ratings too (it needs the loaded decks
and the configured account home page).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from quizapp.core.files import write_private_atomic
from quizapp.core.store import (
    AnswerRecord,
    Attempt,
    Learner,
    ReviewExport,
    ScoreStore,
    to_db_time,
)

if TYPE_CHECKING:
    from quizapp.core.decks.model import Deck

Format = Literal["csv", "json", "xapi"]
FORMATS: tuple[str, ...] = ("csv", "json", "xapi")

EXPORT_FORMAT_VERSION = 1
"""Version of the JSON export layout."""

ATTEMPT_COLUMNS: tuple[str, ...] = (
    "learner",
    "learner_id",
    "attempt_id",
    "deck_id",
    "deck_version",
    "deck_title",
    "mode",
    "status",
    "started_at",
    "finished_at",
    "score",
    "max_score",
    "passed",
    "pass_mark",
)
"""Attempt fields, in CSV column order."""

ANSWER_COLUMNS: tuple[str, ...] = (
    "answer_id",
    "card_id",
    "card_hash",
    "topic",
    "critical",
    "response",
    "correct",
    "points",
    "elapsed_ms",
    "answered_at",
)
"""Answer fields, in CSV column order."""

REVIEW_COLUMNS: tuple[str, ...] = (
    "review_id",
    "rating",
    "rating_label",
    "reviewed_at",
    "first_review",
    "state",
    "interval_days",
    "due",
)
"""Flashcard rating fields, in CSV column order."""

RATING_LABELS: tuple[str, ...] = ("Again", "Hard", "Good", "Easy")

CSV_COLUMNS: tuple[str, ...] = ATTEMPT_COLUMNS + ANSWER_COLUMNS + ("record",) + REVIEW_COLUMNS
"""Every CSV column, in order (the columns after `answered_at` came with flashcards)."""


def _attempt_fields(learner: Learner, attempt: Attempt) -> dict[str, Any]:
    return {
        "learner": learner.name,
        "learner_id": learner.id,
        "attempt_id": attempt.id,
        "deck_id": attempt.deck_id,
        "deck_version": attempt.deck_version,
        "deck_title": attempt.deck_title,
        "mode": attempt.mode,
        "status": attempt.status,
        "started_at": to_db_time(attempt.started_at),
        "finished_at": None if attempt.finished_at is None else to_db_time(attempt.finished_at),
        "score": attempt.score,
        "max_score": attempt.max_score,
        "passed": attempt.passed,
        "pass_mark": attempt.pass_mark,
    }


def _answer_fields(answer: AnswerRecord) -> dict[str, Any]:
    return {
        "answer_id": answer.id,
        "card_id": answer.card_id,
        "card_hash": answer.card_hash,
        "topic": answer.topic,
        "critical": answer.critical,
        "response": answer.response,
        "correct": answer.correct,
        "points": answer.points,
        "elapsed_ms": answer.elapsed_ms,
        "answered_at": to_db_time(answer.answered_at),
    }


def _review_fields(review: ReviewExport) -> dict[str, Any]:
    due = review.due_after
    return {
        "review_id": review.id,
        "rating": review.rating,
        "rating_label": RATING_LABELS[review.rating - 1],
        "reviewed_at": to_db_time(review.reviewed_at),
        "first_review": review.first_review,
        "state": review.state_name,
        "interval_days": review.interval_days,
        "due": None if due is None else to_db_time(due),
    }


def _review_owner(learner: Learner, review: ReviewExport) -> dict[str, Any]:
    return {
        "learner": learner.name,
        "learner_id": learner.id,
        "deck_id": review.deck_id,
        "card_id": review.card_id,
        "card_hash": review.card_hash,
    }


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet read a cell as a formula (the OWASP list)."""


def spreadsheet_safe(text: str) -> str:
    """`text`, with a single quote in front if a spreadsheet would run it as a formula.

    A learner named `=1+2` (or `=HYPERLINK(...)`) would otherwise be evaluated when the
    CSV is opened in a spreadsheet. The quote is the OWASP rule for CSV injection; it
    shows in the cell, which is the price of never running what a cell holds.
    """
    # A text that already begins with a quote gets one too, so that a reader can always
    # take exactly one leading quote off and get the stored text back.
    return f"'{text}" if text.startswith((*FORMULA_TRIGGERS, "'")) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(str(value))


def _write_csv(
    pairs: list[tuple[Learner, Attempt]],
    reviews: list[tuple[Learner, ReviewExport]],
    out: TextIO,
) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    # Each learner's attempts, then their reviews; learners in the store's order.
    people: dict[int, Learner] = {}
    attempts: dict[int, list[Attempt]] = {}
    ratings: dict[int, list[ReviewExport]] = {}
    for learner, attempt in pairs:
        people[learner.id] = learner
        attempts.setdefault(learner.id, []).append(attempt)
    for learner, review in reviews:
        people[learner.id] = learner
        ratings.setdefault(learner.id, []).append(review)
    no_review = [""] * len(REVIEW_COLUMNS)
    for learner in sorted(people.values(), key=lambda p: (p.name.casefold(), p.id)):
        for attempt in attempts.get(learner.id, ()):
            head = [_cell(value) for value in _attempt_fields(learner, attempt).values()]
            if not attempt.answers:
                writer.writerow(head + [""] * len(ANSWER_COLUMNS) + ["attempt"] + no_review)
            for answer in attempt.answers:
                fields = _answer_fields(answer)
                fields["response"] = json.dumps(fields["response"], ensure_ascii=False)
                row = [_cell(value) for value in fields.values()]
                writer.writerow(head + row + ["answer"] + no_review)
        for review in ratings.get(learner.id, ()):
            cells: dict[str, Any] = dict.fromkeys(CSV_COLUMNS)
            cells.update(_review_owner(learner, review))
            cells["record"] = "review"
            cells.update(_review_fields(review))
            writer.writerow([_cell(value) for value in cells.values()])


def _write_json(
    pairs: list[tuple[Learner, Attempt]],
    reviews: list[tuple[Learner, ReviewExport]],
    out: TextIO,
) -> None:
    document = {
        "format": "quizapp-export",
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": to_db_time(datetime.now(UTC)),
        "attempts": [
            {
                **_attempt_fields(learner, attempt),
                "plan": attempt.plan,
                "answers": [_answer_fields(answer) for answer in attempt.answers],
            }
            for learner, attempt in pairs
        ],
        "reviews": [
            {**_review_owner(learner, review), **_review_fields(review)}
            for learner, review in reviews
        ],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def export_attempts(
    store: ScoreStore,
    fmt: Format,
    out: TextIO,
    learner: str | None = None,
    *,
    decks: Mapping[str, Deck] | None = None,
    home_page: str | None = None,
    display_names: bool = False,
) -> int:
    """Write attempts and their answers, and flashcard ratings, to a text stream.

    Args:
        store: The score store.
        fmt: "csv" (one row per answer), "json" (attempts with nested answers) or
            "xapi" (xAPI statements, see `quizapp.core.xapi_export`).
        out: Where to write; open CSV files with `newline=""`.
        learner: Only this learner's attempts (name, ignoring case); everyone's when None.
        decks: xapi only: the loaded decks by id, for the cards' interaction definitions.
        home_page: xapi only: the account homePage identifying learners
            (`Settings.xapi_home_page`; the settings' default when None).
        display_names: xapi only: send learners' display names too (the organisation
            opted in: `Settings.xapi_send_display_name`).

    Returns:
        The number of attempts written.

    Raises:
        ValueError: Unknown format.
        NotFoundError: No learner has this name.
        StoreError: The database cannot be read.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "xapi":
        from quizapp.core.settings import Settings
        from quizapp.core.xapi_export import write_statements

        return write_statements(
            store,
            out,
            decks=decks or {},
            home_page=home_page or Settings().xapi_home_page,
            learner=learner,
            display_names=display_names,
        )
    pairs = store.export_rows(learner)
    reviews = store.export_reviews(learner)
    if fmt == "csv":
        _write_csv(pairs, reviews, out)
    else:
        _write_json(pairs, reviews, out)
    return len(pairs)


def export_to_file(
    store: ScoreStore,
    fmt: Format,
    path: Path,
    learner: str | None = None,
    *,
    decks: Mapping[str, Deck] | None = None,
    home_page: str | None = None,
    display_names: bool = False,
) -> int:
    """Write an export to a file, readable by its owner only (0600).

    The export is written to a temporary file next to `path` and renamed over it at the
    end, so a failed export never leaves a half-written file or clobbers an earlier one.

    Args:
        store: The score store.
        fmt: "csv", "json" or "xapi".
        path: The file to write (replaced if it exists).
        learner: Only this learner's attempts; everyone's when None.
        decks: xapi only, as for `export_attempts`.
        home_page: xapi only, as for `export_attempts`.
        display_names: xapi only, as for `export_attempts`.

    Returns:
        The number of attempts written.

    Raises:
        OSError: The file cannot be written.
        ValueError, NotFoundError, StoreError: As for `export_attempts`.
    """
    return write_private_atomic(
        Path(path),
        lambda handle: export_attempts(
            store,
            fmt,
            handle,
            learner,
            decks=decks,
            home_page=home_page,
            display_names=display_names,
        ),
    )


def learner_export_path(data_folder: Path, learner_name: str, now: datetime) -> Path:
    """Where a learner's export from the app goes: `exports/<name>-<UTC time>.json`.

    The name keeps only letters and digits (anything else becomes "-"), so a learner
    called "../x" cannot write outside the exports folder.

    Args:
        data_folder: The folder holding the score database.
        learner_name: The learner exported.
        now: The current time (from the app's clock, so tests get a fixed name).
    """
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    slug = "".join(ch if ch.isalnum() else "-" for ch in learner_name.lower()).strip("-")
    return data_folder / "exports" / f"{slug or 'learner'}-{stamp}.json"


def export_learner(store: ScoreStore, learner_name: str, now: datetime) -> Path:
    """Export one learner's attempts to a new JSON file in the exports folder (0700).

    Returns:
        The file written.

    Raises:
        OSError, StoreError, LookupError: The export could not be written.
    """
    target = learner_export_path(store.path.parent, learner_name, now)
    target.parent.mkdir(mode=0o700, exist_ok=True)
    export_to_file(store, "json", target, learner=learner_name)
    return target
