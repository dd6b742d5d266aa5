"""The HTML completion report printed to PDF by a real browser: headless Chromium (Debian's
`chromium`, installed by .ci/run), read back with poppler's `pdftotext` and `pdfinfo`.

Checks what a trainer holding the paper would see: the page count, no heading left alone
at the bottom of a page (its content on the next), the sign-off block whole on one page,
date-and-time values on one line, the report's own footer ("Page N of M") on every page
and no browser header or footer (no file path printed), on A4 and on US Letter.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.core.report import (
    CompletionReport,
    DeckReport,
    ExamResult,
    FlashcardReport,
)
from quizapp.core.report_html import render_html
from quizapp.core.stats import CriticalItem

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
TOOLS = ("chromium", "pdftotext", "pdfinfo")


def _require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, (
        f"{', '.join(missing)} not found: apt-get install chromium poppler-utils"
        " (.ci/run installs them)"
    )


def print_pdf(html_path: Path, pdf_path: Path, profile: Path) -> None:
    """Print a local HTML file to PDF with headless Chromium, no network, no profile left."""
    done = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",  # tests run as root, where Chromium's sandbox cannot start
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            "--no-pdf-header-footer",
            html_path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pdf_path.is_file() and pdf_path.stat().st_size > 0, done.stderr[-2000:]


def pdf_pages(pdf_path: Path) -> list[str]:
    """The text of each page (pdftotext keeps the layout; pages end with a form feed)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def page_count(pdf_path: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def long_report(decks: int) -> CompletionReport:
    """A learner with many decks, each with must-know items still open, and flashcards."""
    entries = []
    for n in range(decks):
        exam = ExamResult(
            attempt_id=n,
            score=7 + n % 3,
            max_score=10,
            passed=n % 3 == 2,
            finished_at=NOW - timedelta(days=n, hours=n),
            deck_version=f"1.{n}.0",
            pass_mark=0.8,
        )
        critical = tuple(
            CriticalItem(
                deck_id=f"deck-{n}",
                card_id=f"c{k}",
                prompt=f"Deck {n} must-know question {k}: what do you do if breathing gets"
                " very slow or shallow after a dose?",
                topic="adverse-effects",
                answered=1,
                correct=0,
                latest_correct=False,
                changed=False,
            )
            for k in range(2 + n % 4)
        )
        entries.append(
            DeckReport(
                deck_id=f"deck-{n}",
                title=f"Training deck number {n}: caregivers and seizure medicine",
                current_version=f"1.{n}.0",
                versions=(f"1.{n}.0",),
                exams=2,
                best_exam=exam,
                result="passed" if exam.passed else "not-passed",
                critical=critical,
                time_spent_ms=60_000 * (n + 1),
                current_reviewed=(NOW - timedelta(days=40)).date(),
            )
        )
    cards = tuple(
        FlashcardReport(
            deck_id=f"deck-{n}",
            title=f"Training deck number {n}: caregivers and seizure medicine",
            cards=8,
            reviews=20 + n,
            ratings=(2, 3, 12, 3 + n),
            first_at=NOW - timedelta(days=30),
            last_at=NOW - timedelta(hours=n),
        )
        for n in range(decks // 2)
    )
    return CompletionReport(
        learner="Alice Example",
        generated_at=NOW,
        decks=tuple(entries),
        time_spent_ms=3_600_000,
        flashcards=cards,
        organisation="Sunrise Home Care Training",
    )


def short_report() -> CompletionReport:
    full = long_report(2)
    return CompletionReport(
        full.learner, NOW, full.decks[:1], 60_000, full.flashcards[:1], full.organisation
    )


def headings(report: CompletionReport) -> list[str]:
    """The heading texts of the report as rendered (h2 and h3)."""
    fixed = ["Decks", "Must-know items not yet mastered", "Flashcards", "Sign-off"]
    return fixed + [deck.title for deck in report.decks if deck.critical_open]


def render_and_print(report: CompletionReport, paper: str, tmp_path: Path) -> Path:
    _require_tools()
    html_path = tmp_path / f"report-{paper}.html"
    html_path.write_text(render_html(report, UTC, paper=paper), encoding="utf-8")
    pdf_path = tmp_path / f"report-{paper}.pdf"
    print_pdf(html_path, pdf_path, tmp_path / f"chromium-profile-{paper}")
    return pdf_path


def last_text_line(page: str) -> str:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    # The last line is the report's own page footer (margin boxes); look above it.
    body = [line for line in lines if not line.startswith("Training record: Alice Example")]
    return body[-1] if body else ""


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_short_report_is_one_page_with_its_footer(paper: str, tmp_path: Path) -> None:
    pdf = render_and_print(short_report(), paper, tmp_path)
    assert page_count(pdf) == 1
    (page,) = pdf_pages(pdf)
    assert "Page 1 of 1" in page
    assert "file://" not in page and str(tmp_path) not in page
    assert "Sunrise Home Care Training" in page
    assert "2025-03-14 12:00 UTC" in page  # generated, on one line
    for field in ("Trainer name", "Trainer signature", "Date"):
        assert field in page


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("decks", [9, 13])
def test_a_long_report_keeps_headings_with_their_content(
    paper: str, decks: int, tmp_path: Path
) -> None:
    report = long_report(decks)
    pdf = render_and_print(report, paper, tmp_path)
    pages = pdf_pages(pdf)
    count = page_count(pdf)
    assert count == len(pages) and 2 <= count <= 8
    names = set(headings(report))
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page
        assert "file://" not in page
        # No page ends with a heading whose content went to the next page.
        assert last_text_line(page) not in names, f"page {number} ends with a heading"
    # Each deck's must-know heading (a line of its own; in the tables a title shares its
    # lines with other cells) shares its page with the deck's first item.
    for deck in report.decks:
        first_item = deck.critical_open[0].prompt
        assert first_item is not None
        heading_pages = [
            n
            for n, page in enumerate(pages)
            if any(line.strip() == deck.title for line in page.splitlines())
        ]
        assert len(heading_pages) == 1, deck.title
        page = pages[heading_pages[0]]
        assert first_item[:30] in page.split(deck.title, 1)[1], (
            f"{deck.title!r} and its first must-know item are on different pages"
        )
    # The sign-off block is whole on one page.
    assert any(
        "Sign-off" in page and "Trainer signature" in page and "Date" in page for page in pages
    )
    # Date-and-time cells never wrap inside the value.
    text = "\n".join(pages)
    for deck in report.decks:
        assert deck.best_exam is not None
        stamp = deck.best_exam.finished_at.strftime("%Y-%m-%d %H:%M UTC")
        assert stamp in text, f"{stamp} is broken over two lines"
