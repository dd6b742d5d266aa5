"""The completion report for caregiver training: `quizapp report --learner NAME`.

One learner's record, for a trainer or for the learner's own files: every deck they
attempted, with the best exam result and its date, whether they passed, the status of the
must-know (critical) items, the time spent and the deck versions used.

Rules (stated in the report's own words where a reader needs them):

* Attempts that were discarded are left out, as in the statistics.
* **Best exam**: among *finished exams* of the deck, a passed one before one that was
  not passed (an exam with a higher score can still fail on a missed must-know item),
  then the higher score fraction, then the later one.
* **Result**: "Passed" when some exam was passed, "Not passed yet" when exams were taken
  but none passed, "No exam yet" otherwise.
* **Must-know items**: the deck's critical cards (`quizapp.core.stats`); one is mastered
  when its latest answer was right. Those not mastered, including those never answered,
  are listed by their prompt.
* **Time spent**: the sum of the time spent on each answer.
* **Deck version and review date**: the version the best exam was taken on, and the date
  that version's content was last reviewed against its sources when the loaded deck is
  that version (an older version's review date is not kept, and the report says so).
* **Flashcards**: every rating the learner gave, per deck: cards studied, reviews, how
  often each rating was given (Again, Hard, Good, Easy) and the first and last review.

Two renderings: Markdown (default) and HTML (`quizapp.core.report_html`), a single
self-contained page to print and sign (inline CSS only, no scripts, no links to anything
outside the file; every piece of text escaped). Times are shown in the local zone, with
the zone's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Literal

from quizapp.core.decks.model import Deck
from quizapp.core.files import write_private_atomic
from quizapp.core.stats import CriticalItem, learner_stats
from quizapp.core.store import Attempt, ReviewRecord, ScoreStore

ReportFormat = Literal["md", "html"]
REPORT_FORMATS: tuple[str, ...] = ("md", "html")

DISCLAIMER = "Education, not medical advice"
"""The footer every report carries."""

DeckResult = Literal["passed", "not-passed", "no-exam"]

RESULT_LABELS: dict[str, str] = {
    "passed": "Passed",
    "not-passed": "Not passed yet",
    "no-exam": "No exam yet",
}


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ExamResult:
    """One finished exam.

    Attributes:
        attempt_id: The attempt.
        score: Points scored.
        max_score: Points available.
        passed: Whether it passed (None when it had no pass mark).
        finished_at: When it was finished (UTC).
        deck_version: The deck version it was taken on.
        pass_mark: The pass mark it was held to (a fraction, 0-1), if any.
    """

    attempt_id: int
    score: float
    max_score: float
    passed: bool | None
    finished_at: datetime
    deck_version: str
    pass_mark: float | None = None

    @property
    def fraction(self) -> float:
        """`score / max_score` (0-1)."""
        return self.score / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class DeckReport:
    """One deck's line in the report.

    Attributes:
        deck_id: Deck id.
        title: Deck title (as loaded, else as stored with the latest attempt).
        current_version: The loaded deck's version, or None when it is not loaded.
        versions: Deck versions of the learner's attempts, in order of first use.
        exams: Finished exams taken.
        best_exam: The best of them (see the module docstring), or None.
        result: "passed", "not-passed" or "no-exam".
        critical: The deck's must-know items with their status.
        time_spent_ms: Time spent answering this deck's cards.
        current_reviewed: When the loaded deck's content was last reviewed against its
            sources, or None when the deck is not loaded.
    """

    deck_id: str
    title: str
    current_version: str | None
    versions: tuple[str, ...]
    exams: int
    best_exam: ExamResult | None
    result: DeckResult
    critical: tuple[CriticalItem, ...]
    time_spent_ms: int
    current_reviewed: date | None = None

    @property
    def best_exam_reviewed(self) -> date | None:
        """The review date of the deck version the best exam was taken on, when known."""
        exam = self.best_exam
        if exam is None or exam.deck_version != self.current_version:
            return None
        return self.current_reviewed

    @property
    def critical_mastered(self) -> int:
        """How many must-know items are mastered."""
        return sum(1 for item in self.critical if item.status == "mastered")

    @property
    def critical_open(self) -> tuple[CriticalItem, ...]:
        """Must-know items not mastered yet (never answered included)."""
        return tuple(item for item in self.critical if item.status != "mastered")


RATING_LABELS: tuple[str, ...] = ("Again", "Hard", "Good", "Easy")
"""Flashcard ratings 1-4, as the learner saw them."""


@dataclass(frozen=True)
class FlashcardReport:
    """A learner's flashcard reviews of one deck.

    Attributes:
        deck_id: Deck id.
        title: Deck title (as loaded, else the deck id).
        cards: Different cards reviewed.
        reviews: Ratings given.
        ratings: How many times each rating was given: (Again, Hard, Good, Easy).
        first_at: The first review (UTC).
        last_at: The latest review (UTC).
    """

    deck_id: str
    title: str
    cards: int
    reviews: int
    ratings: tuple[int, int, int, int]
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class CompletionReport:
    """A learner's completion report.

    Attributes:
        learner: The learner's name.
        generated_at: When the report was made.
        decks: One entry per deck attempted, by title.
        time_spent_ms: Total time spent answering.
        flashcards: One entry per deck with flashcard reviews, by title.
        organisation: The training organisation's name (settings), if set.
    """

    learner: str
    generated_at: datetime
    decks: tuple[DeckReport, ...]
    time_spent_ms: int
    flashcards: tuple[FlashcardReport, ...] = ()
    organisation: str | None = None


# --------------------------------------------------------------------------- building


def _exam(attempt: Attempt) -> ExamResult:
    assert attempt.score is not None and attempt.max_score is not None
    assert attempt.finished_at is not None
    return ExamResult(
        attempt.id,
        attempt.score,
        attempt.max_score,
        attempt.passed,
        attempt.finished_at,
        attempt.deck_version,
        attempt.pass_mark,
    )


def best_exam(exams: list[ExamResult]) -> ExamResult | None:
    """The exam to show: passed first, then the higher fraction, then the later one.

    Args:
        exams: Finished exams of one deck.

    Returns:
        The best, or None when there are none.
    """
    if not exams:
        return None
    return max(exams, key=lambda e: (e.passed is True, e.fraction, e.finished_at, e.attempt_id))


def build_report(
    store: ScoreStore,
    learner_id: int,
    decks: Mapping[str, Deck],
    now: datetime,
    *,
    tz: tzinfo | None = None,
    organisation: str | None = None,
) -> CompletionReport:
    """Gather a learner's completion report.

    Args:
        store: The score store.
        learner_id: Whose report.
        decks: The loaded decks by id (for must-know items and current versions).
        now: The time to print as "generated".
        tz: The zone for calendar days in the underlying statistics (local when None).
        organisation: The training organisation's name, printed on the report.

    Returns:
        The report.

    Raises:
        NotFoundError: No such learner.
    """
    stats = learner_stats(store, learner_id, decks, now, tz=tz)
    attempts = store.learner_attempts(learner_id)
    entries = []
    for deck_stats in stats.decks:
        own = [a for a in attempts if a.deck_id == deck_stats.deck_id]
        versions: list[str] = []
        for attempt in own:
            if attempt.deck_version not in versions:
                versions.append(attempt.deck_version)
        exams = [
            _exam(a) for a in own if a.mode == "exam" and a.status == "finished" and a.max_score
        ]
        best = best_exam(exams)
        if best is None:
            result: DeckResult = "no-exam"
        elif best.passed:
            result = "passed"
        else:
            result = "not-passed"
        deck = decks.get(deck_stats.deck_id)
        entries.append(
            DeckReport(
                deck_id=deck_stats.deck_id,
                title=deck_stats.title,
                current_version=deck.version if deck is not None else None,
                versions=tuple(versions),
                exams=len(exams),
                best_exam=best,
                result=result,
                critical=tuple(i for i in stats.critical if i.deck_id == deck_stats.deck_id),
                time_spent_ms=deck_stats.time_spent_ms,
                current_reviewed=deck.reviewed if deck is not None else None,
            )
        )
    return CompletionReport(
        stats.learner.name,
        now,
        tuple(entries),
        stats.time_spent_ms,
        flashcards=_flashcards(store, learner_id, decks),
        organisation=organisation or None,
    )


def _flashcards(
    store: ScoreStore, learner_id: int, decks: Mapping[str, Deck]
) -> tuple[FlashcardReport, ...]:
    by_deck: dict[str, list[ReviewRecord]] = {}
    for review in store.reviews(learner_id):
        by_deck.setdefault(review.deck_id, []).append(review)
    entries = []
    for deck_id, reviews in by_deck.items():
        deck = decks.get(deck_id)
        counts = [0, 0, 0, 0]
        for review in reviews:
            counts[review.rating - 1] += 1
        entries.append(
            FlashcardReport(
                deck_id=deck_id,
                title=deck.title if deck is not None else deck_id,
                cards=len({review.card_id for review in reviews}),
                reviews=len(reviews),
                ratings=(counts[0], counts[1], counts[2], counts[3]),
                first_at=min(review.reviewed_at for review in reviews),
                last_at=max(review.reviewed_at for review in reviews),
            )
        )
    return tuple(sorted(entries, key=lambda entry: (entry.title.casefold(), entry.deck_id)))


# --------------------------------------------------------------------------- formatting


def format_duration(ms: int) -> str:
    """A time span for people: "42 s", "4 min 12 s", "1 h 02 min"."""
    seconds = max(0, int(ms)) // 1000
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_time(moment: datetime, tz: tzinfo | None = None) -> str:
    """A date and time in the local zone with the zone's name, e.g. "2025-03-01 10:30 CET"."""
    local = moment.astimezone(tz)
    zone = local.tzname() or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {zone}".rstrip()


def format_offset(moment: datetime, tz: tzinfo | None = None) -> str:
    """The local zone's offset from UTC at `moment`, e.g. "UTC+01:00"."""
    offset = moment.astimezone(tz).strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:5]}"


def format_date(moment: datetime, tz: tzinfo | None = None) -> str:
    """A calendar date, e.g. "2025-03-01"."""
    return f"{moment.astimezone(tz):%Y-%m-%d}"


def score_text(exam: ExamResult) -> str:
    """ "4/5 (80%)"."""
    return f"{exam.score:g}/{exam.max_score:g} ({exam.fraction:.0%})"


def pass_mark_text(exam: ExamResult | None) -> str:
    """The pass mark the best exam was held to, e.g. "80%", or "" when none."""
    if exam is None or exam.pass_mark is None:
        return ""
    return f"{exam.pass_mark:.0%}"


def critical_summary(deck: DeckReport) -> str:
    """ "all 3 mastered", "1 of 3 mastered; 2 not yet" or "none in this deck"."""
    total = len(deck.critical)
    if total == 0:
        return "none in this deck"
    if deck.critical_mastered == total:
        return f"all {total} mastered"
    return f"{deck.critical_mastered} of {total} mastered; {total - deck.critical_mastered} not yet"


def version_text(deck: DeckReport) -> str:
    """The deck version the score was taken on, with its review date, and others used.

    E.g. "2.1.0, reviewed 2025-01-15; also used: 2.0.0", or "0.9, review date not
    known" when that version is no longer loaded, or "2.0.0" (the versions used) when
    there is no exam.
    """
    exam = deck.best_exam
    if exam is None:
        return ", ".join(deck.versions)
    reviewed = deck.best_exam_reviewed
    text = exam.deck_version + (
        f", reviewed {reviewed:%Y-%m-%d}" if reviewed else ", review date not known"
    )
    others = [version for version in deck.versions if version != exam.deck_version]
    if others:
        text += "; also used: " + ", ".join(others)
    return text


def ratings_text(entry: FlashcardReport) -> str:
    """ "Again 1, Hard 0, Good 2, Easy 1"."""
    return ", ".join(
        f"{label} {count}" for label, count in zip(RATING_LABELS, entry.ratings, strict=True)
    )


def item_text(item: CriticalItem) -> str:
    """A must-know item not mastered: its prompt and why it is listed."""
    text = item.prompt if item.prompt is not None else f"card {item.card_id}"
    status = "never answered" if item.status == "never-answered" else "last answer wrong"
    changed = "; the card has changed since" if item.changed else ""
    return f"{text} ({status}{changed})"


SIGN_OFF_FIELDS: tuple[str, ...] = ("Trainer name", "Trainer signature", "Date")
"""The lines a trainer fills in by hand."""

SIGN_OFF_TEXT = "I have reviewed this training record with the learner."
"""The sentence above the trainer's sign-off lines."""


# --------------------------------------------------------------------------- Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^([#+\-=]|\d+[.)])")


def _md(text: str, *, block_start: bool = False) -> str:
    """Text safe to put in Markdown (CommonMark, GFM tables): one line, markup escaped.

    Inline markup characters are escaped everywhere; block markers (`#`, `-`, `1.` ...)
    only when `block_start` says the text begins a block (a list item's content), where
    they would act. Other text stays readable as plain text.
    """
    one_line = " ".join(text.split())
    escaped = _MD_INLINE.sub(r"\\\1", one_line)
    match = _MD_LINE_START.match(escaped) if block_start else None
    if match:  # "1." -> "1\.", "#" -> "\#"
        marker = match.group(1)
        escaped = marker[:-1] + "\\" + marker[-1] + escaped[len(marker) :]
    return escaped


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_md(cell) for cell in cells) + " |"


def exam_cells(deck: DeckReport, tz: tzinfo | None) -> tuple[str, ...]:
    """One deck's row of the exams table, as text."""
    exam = deck.best_exam
    return (
        deck.title,
        score_text(exam) if exam else "none",
        format_time(exam.finished_at, tz) if exam else "",
        pass_mark_text(exam),
        RESULT_LABELS[deck.result],
        critical_summary(deck),
        version_text(deck),
        format_duration(deck.time_spent_ms),
    )


EXAM_HEADINGS: tuple[str, ...] = (
    "Deck",
    "Best exam",
    "Taken",
    "Pass mark",
    "Result",
    "Must-know items",
    "Deck version",
    "Time spent",
)

FLASHCARD_HEADINGS: tuple[str, ...] = (
    "Deck",
    "Cards studied",
    "Reviews",
    "Ratings",
    "First review",
    "Latest review",
)


def flashcard_cells(entry: FlashcardReport, tz: tzinfo | None) -> tuple[str, ...]:
    """One deck's row of the flashcards table, as text."""
    return (
        entry.title,
        str(entry.cards),
        str(entry.reviews),
        ratings_text(entry),
        format_time(entry.first_at, tz),
        format_time(entry.last_at, tz),
    )


def render_markdown(report: CompletionReport, tz: tzinfo | None = None) -> str:
    """The report as Markdown.

    Args:
        report: The report.
        tz: The zone for times shown; local when None.

    Returns:
        Markdown text ending in a newline.
    """
    generated = report.generated_at
    lines = [f"# Training record: {_md(report.learner)}", ""]
    if report.organisation:
        lines.append(f"- **Organisation:** {_md(report.organisation)}")
    lines += [
        f"- **Learner:** {_md(report.learner)}",
        f"- **Generated:** {_md(format_time(generated, tz))} ({format_offset(generated, tz)})",
        f"- **Total time spent:** {_md(format_duration(report.time_spent_ms))}",
        "",
        "## Decks",
        "",
    ]
    if not report.decks:
        lines += ["No decks attempted yet.", ""]
    else:
        lines += [_md_row(EXAM_HEADINGS), "| " + " | ".join("---" for _ in EXAM_HEADINGS) + " |"]
        lines += [_md_row(exam_cells(deck, tz)) for deck in report.decks]
        lines.append("")
        open_decks = [deck for deck in report.decks if deck.critical_open]
        lines += ["## Must-know items not yet mastered", ""]
        if not open_decks:
            lines += ["Every must-know item is mastered.", ""]
        for deck in open_decks:
            lines += [f"### {_md(deck.title)}", ""]
            lines += [f"- {_md(item_text(item), block_start=True)}" for item in deck.critical_open]
            lines.append("")
    lines += ["## Flashcards", ""]
    if not report.flashcards:
        lines += ["No flashcard reviews yet.", ""]
    else:
        lines += [
            _md_row(FLASHCARD_HEADINGS),
            "| " + " | ".join("---" for _ in FLASHCARD_HEADINGS) + " |",
        ]
        lines += [_md_row(flashcard_cells(entry, tz)) for entry in report.flashcards]
        lines.append("")
    lines += ["## Sign-off", "", SIGN_OFF_TEXT, ""]
    lines += [f"- {name}: ______________________________" for name in SIGN_OFF_FIELDS]
    lines += ["", "---", "", f"{DISCLAIMER}."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- output


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (0600), atomically.

    A report names a person and their medicine training, so it is private like the
    exports. Written to a temporary file next to `path`, then renamed over it.

    Raises:
        OSError: The file cannot be written.
    """
    write_private_atomic(Path(path), lambda handle: handle.write(text))
