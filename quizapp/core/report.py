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

Two renderings: Markdown (default) and HTML, a single self-contained printable page
(inline CSS only, no scripts, no links to anything outside the file; every piece of text
escaped).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal

from quizapp.core.decks.model import Deck
from quizapp.core.files import write_private_atomic
from quizapp.core.stats import CriticalItem, learner_stats
from quizapp.core.store import Attempt, ScoreStore

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
    """

    attempt_id: int
    score: float
    max_score: float
    passed: bool | None
    finished_at: datetime
    deck_version: str

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

    @property
    def critical_mastered(self) -> int:
        """How many must-know items are mastered."""
        return sum(1 for item in self.critical if item.status == "mastered")

    @property
    def critical_open(self) -> tuple[CriticalItem, ...]:
        """Must-know items not mastered yet (never answered included)."""
        return tuple(item for item in self.critical if item.status != "mastered")


@dataclass(frozen=True)
class CompletionReport:
    """A learner's completion report.

    Attributes:
        learner: The learner's name.
        generated_at: When the report was made.
        decks: One entry per deck attempted, by title.
        time_spent_ms: Total time spent answering.
    """

    learner: str
    generated_at: datetime
    decks: tuple[DeckReport, ...]
    time_spent_ms: int


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
) -> CompletionReport:
    """Gather a learner's completion report.

    Args:
        store: The score store.
        learner_id: Whose report.
        decks: The loaded decks by id (for must-know items and current versions).
        now: The time to print as "generated".
        tz: The zone for calendar days in the underlying statistics (local when None).

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
            )
        )
    return CompletionReport(stats.learner.name, now, tuple(entries), stats.time_spent_ms)


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
    """A date and time with its zone, e.g. "2025-03-01 09:30 UTC"."""
    local = moment.astimezone(tz)
    zone = local.tzname() or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {zone}".rstrip()


def format_date(moment: datetime, tz: tzinfo | None = None) -> str:
    """A calendar date, e.g. "2025-03-01"."""
    return f"{moment.astimezone(tz):%Y-%m-%d}"


def _score(exam: ExamResult) -> str:
    return f"{exam.score:g}/{exam.max_score:g} ({exam.fraction:.0%})"


def _critical_summary(deck: DeckReport) -> str:
    total = len(deck.critical)
    if total == 0:
        return "none in this deck"
    if deck.critical_mastered == total:
        return f"all {total} mastered"
    return f"{deck.critical_mastered} of {total} mastered; {total - deck.critical_mastered} not yet"


def _versions(deck: DeckReport) -> str:
    used = ", ".join(deck.versions)
    if deck.current_version is not None and deck.current_version not in deck.versions:
        return f"{used} (current: {deck.current_version})"
    return used


def _item_text(item: CriticalItem) -> str:
    text = item.prompt if item.prompt is not None else f"card {item.card_id}"
    status = "never answered" if item.status == "never-answered" else "last answer wrong"
    changed = "; the card has changed since" if item.changed else ""
    return f"{text} ({status}{changed})"


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


def render_markdown(report: CompletionReport, tz: tzinfo | None = None) -> str:
    """The report as Markdown.

    Args:
        report: The report.
        tz: The zone for times shown; local when None.

    Returns:
        Markdown text ending in a newline.
    """
    lines = [
        f"# Training record: {_md(report.learner)}",
        "",
        f"- **Learner:** {_md(report.learner)}",
        f"- **Generated:** {_md(format_time(report.generated_at, tz))}",
        f"- **Total time spent:** {_md(format_duration(report.time_spent_ms))}",
        "",
        "## Decks",
        "",
    ]
    if not report.decks:
        lines += ["No decks attempted yet.", ""]
    else:
        lines += [
            "| Deck | Best exam | Date | Result | Must-know items | Deck versions | Time spent |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for deck in report.decks:
            exam = deck.best_exam
            lines.append(
                "| "
                + " | ".join(
                    _md(cell)
                    for cell in (
                        deck.title,
                        _score(exam) if exam else "none",
                        format_date(exam.finished_at, tz) if exam else "",
                        RESULT_LABELS[deck.result],
                        _critical_summary(deck),
                        _versions(deck),
                        format_duration(deck.time_spent_ms),
                    )
                )
                + " |"
            )
        lines.append("")
        open_decks = [deck for deck in report.decks if deck.critical_open]
        lines += ["## Must-know items not yet mastered", ""]
        if not open_decks:
            lines += ["Every must-know item is mastered.", ""]
        for deck in open_decks:
            lines += [f"### {_md(deck.title)}", ""]
            lines += [f"- {_md(_item_text(item), block_start=True)}" for item in deck.critical_open]
            lines.append("")
    lines += ["---", "", f"{DISCLAIMER}."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- HTML

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #111; background: #fff; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.5rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #999; }
h3 { font-size: 1.05rem; margin-bottom: 0.3rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { border: 1px solid #888; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #eee; }
.passed { color: #05620f; font-weight: bold; }
.not-passed { color: #8a1010; font-weight: bold; }
.no-exam { color: #444; }
footer { margin-top: 3rem; border-top: 1px solid #999; padding-top: 0.5rem;
         font-size: 0.9rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  th { background: none; }
}
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_html(report: CompletionReport, tz: tzinfo | None = None) -> str:
    """The report as one self-contained, printable HTML page.

    Args:
        report: The report.
        tz: The zone for times shown; local when None.

    Returns:
        An HTML5 document: inline CSS, no scripts, no external references.
    """
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Training record: {_h(report.learner)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>Training record: {_h(report.learner)}</h1>",
        '<dl class="meta">',
        f"<dt>Learner</dt><dd>{_h(report.learner)}</dd>",
        f"<dt>Generated</dt><dd>{_h(format_time(report.generated_at, tz))}</dd>",
        f"<dt>Total time spent</dt><dd>{_h(format_duration(report.time_spent_ms))}</dd>",
        "</dl>",
        "<h2>Decks</h2>",
    ]
    if not report.decks:
        out.append("<p>No decks attempted yet.</p>")
    else:
        out += [
            "<table>",
            "<thead><tr><th>Deck</th><th>Best exam</th><th>Date</th><th>Result</th>"
            "<th>Must-know items</th><th>Deck versions</th><th>Time spent</th></tr></thead>",
            "<tbody>",
        ]
        for deck in report.decks:
            exam = deck.best_exam
            out.append(
                "<tr>"
                f"<td>{_h(deck.title)}</td>"
                f"<td>{_h(_score(exam) if exam else 'none')}</td>"
                f"<td>{_h(format_date(exam.finished_at, tz) if exam else '')}</td>"
                f'<td class="{_h(deck.result)}">{_h(RESULT_LABELS[deck.result])}</td>'
                f"<td>{_h(_critical_summary(deck))}</td>"
                f"<td>{_h(_versions(deck))}</td>"
                f"<td>{_h(format_duration(deck.time_spent_ms))}</td>"
                "</tr>"
            )
        out += ["</tbody>", "</table>", "<h2>Must-know items not yet mastered</h2>"]
        open_decks = [deck for deck in report.decks if deck.critical_open]
        if not open_decks:
            out.append("<p>Every must-know item is mastered.</p>")
        for deck in open_decks:
            out.append(f"<h3>{_h(deck.title)}</h3>")
            out.append("<ul>")
            out += [f"<li>{_h(_item_text(item))}</li>" for item in deck.critical_open]
            out.append("</ul>")
    out += [
        "</main>",
        f"<footer>{_h(DISCLAIMER)}.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def render(report: CompletionReport, fmt: ReportFormat, tz: tzinfo | None = None) -> str:
    """The report in `fmt` ("md" or "html").

    Raises:
        ValueError: Unknown format.
    """
    if fmt == "md":
        return render_markdown(report, tz)
    if fmt == "html":
        return render_html(report, tz)
    raise ValueError(f"format must be one of {', '.join(REPORT_FORMATS)}, not {fmt!r}")


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (0600), atomically.

    A report names a person and their medicine training, so it is private like the
    exports. Written to a temporary file next to `path`, then renamed over it.

    Raises:
        OSError: The file cannot be written.
    """
    write_private_atomic(Path(path), lambda handle: handle.write(text))
