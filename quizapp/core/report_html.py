"""The completion report as one HTML page to print and sign (`quizapp report --format html`).

A trainer prints it, signs it and files it, so the page is made for paper first:

* **`@page` rules** give margins that suit both A4 and US Letter (A4 is the narrower,
  Letter the shorter), a running footer with the learner's name and "page N of M" in
  the page's own margin boxes, so no browser header or footer is needed (a browser that
  prints its own prints the file path there). `paper="a4"` or `"letter"` fixes the size.
* **Headings stay with their content**: a heading is never the last thing on a page
  (`break-after: avoid`), and each short block (a deck's must-know list, the sign-off)
  is kept on one page with its heading (`break-inside: avoid`). Table header rows repeat
  on every page a table spans, and a row is never split.
* **Times don't wrap mid-value**: date and time cells are `white-space: nowrap`.
* **Self-contained and safe**: inline CSS only, no scripts, no links outside the file;
  every piece of text is HTML-escaped, and the one piece of text inside CSS (the
  learner's name in the footer) is CSS-escaped character by character.
"""

from __future__ import annotations

import html
import re
from datetime import tzinfo

from quizapp.core.report import (
    DISCLAIMER,
    EXAM_HEADINGS,
    FLASHCARD_HEADINGS,
    SIGN_OFF_FIELDS,
    SIGN_OFF_TEXT,
    CompletionReport,
    DeckReport,
    FlashcardReport,
    exam_cells,
    flashcard_cells,
    format_duration,
    format_offset,
    format_time,
    item_text,
)

PAPER_SIZES: dict[str, str] = {"a4": "A4", "letter": "letter"}
"""`paper` values and their CSS `@page size`."""

_CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #111; background: #fff; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 0.3rem; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid #999; }
h3 { font-size: 1.05rem; margin: 1rem 0 0.3rem; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
.organisation { font-size: 1.1rem; margin: 0 0 0.8rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
thead { display: table-header-group; }
th, td { border: 1px solid #888; padding: 0.3rem 0.4rem; text-align: left;
         vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; page-break-inside: avoid; }
.nowrap { white-space: nowrap; }
.passed { color: #05620f; font-weight: bold; }
.not-passed { color: #8a1010; font-weight: bold; }
.no-exam { color: #444; }
section.keep { break-inside: avoid; page-break-inside: avoid; }
.sign-off p { margin: 0.4rem 0 0.8rem; }
.sign-off .line { display: grid; grid-template-columns: 11rem 1fr; gap: 0 1rem;
                  align-items: end; margin: 1.2rem 0 0; }
.sign-off .line span:last-child { border-bottom: 1px solid #111; height: 1.4rem; }
footer { margin-top: 2rem; border-top: 1px solid #999; padding-top: 0.5rem;
         font-size: 0.9rem; }
@media print {
  html { font-size: 9.5pt; }
  body { margin: 0; max-width: none; padding: 0; }
  th { background: none; }
}
"""

_PAGE = """
@page {{ {size}margin: 16mm 15mm 18mm 15mm;
  @bottom-left {{ content: "Training record: {learner}"; {footer} }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {footer} }}
}}
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?: [A-Za-z0-9+-]+)?)?")


def _cell_text(text: str) -> str:
    """Escaped cell text whose dates and times cannot wrap inside the value."""
    out = []
    position = 0
    for match in _DATE_TIME.finditer(text):
        out.append(_h(text[position : match.start()]))
        out.append(f'<span class="nowrap">{_h(match.group())}</span>')
        position = match.end()
    out.append(_h(text[position:]))
    return "".join(out)


def css_string(text: str) -> str:
    """`text` for inside a double-quoted CSS string: anything but letters, digits and
    spaces becomes a CSS hex escape, so no text can end the string, the rule or the
    style element."""
    return "".join(
        char if (char.isascii() and char.isalnum()) or char == " " else f"\\{ord(char):06x}"
        for char in " ".join(text.split())
    )


def _page_css(learner: str, paper: str | None) -> str:
    if paper is not None and paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}")
    size = f"size: {PAPER_SIZES[paper]}; " if paper else ""
    footer = 'font: 8pt "DejaVu Sans", sans-serif; color: #444;'
    return _PAGE.format(size=size, learner=css_string(learner), footer=footer)


def _row(cells: tuple[str, ...], classes: dict[int, str]) -> str:
    parts = []
    for index, cell in enumerate(cells):
        css = classes.get(index)
        attribute = f' class="{css}"' if css else ""
        parts.append(f"<td{attribute}>{_cell_text(cell)}</td>")
    return "<tr>" + "".join(parts) + "</tr>"


def _table(headings: tuple[str, ...], rows: list[str]) -> list[str]:
    head = "".join(f"<th>{_h(text)}</th>" for text in headings)
    return ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *rows, "</tbody>", "</table>"]


def _deck_row(deck: DeckReport, tz: tzinfo | None) -> str:
    # Columns: deck, best exam, taken, pass mark, result, must-know, version, time spent.
    return _row(exam_cells(deck, tz), {1: "nowrap", 3: "nowrap", 4: deck.result})


def _flashcard_row(entry: FlashcardReport, tz: tzinfo | None) -> str:
    return _row(flashcard_cells(entry, tz), {})


def render_html(
    report: CompletionReport, tz: tzinfo | None = None, *, paper: str | None = None
) -> str:
    """The report as one self-contained, printable HTML page.

    Args:
        report: The report.
        tz: The zone for times shown; local when None.
        paper: "a4" or "letter" to fix the printed page size; the printer's paper when
            None.

    Returns:
        An HTML5 document: inline CSS, no scripts, no external references.

    Raises:
        ValueError: Unknown paper size.
    """
    generated = report.generated_at
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Training record: {_h(report.learner)}</title>",
        f"<style>{_CSS}{_page_css(report.learner, paper)}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>Training record: {_h(report.learner)}</h1>",
    ]
    if report.organisation:
        out.append(f'<p class="organisation">{_h(report.organisation)}</p>')
    out.append('<dl class="meta">')
    if report.organisation:
        out.append(f"<dt>Organisation</dt><dd>{_h(report.organisation)}</dd>")
    out += [
        f"<dt>Learner</dt><dd>{_h(report.learner)}</dd>",
        f'<dt>Generated</dt><dd><span class="nowrap">{_h(format_time(generated, tz))}</span>'
        f" ({_h(format_offset(generated, tz))})</dd>",
        f"<dt>Total time spent</dt><dd>{_h(format_duration(report.time_spent_ms))}</dd>",
        "</dl>",
        "<h2>Decks</h2>",
    ]
    if not report.decks:
        out.append("<p>No decks attempted yet.</p>")
    else:
        out += _table(EXAM_HEADINGS, [_deck_row(deck, tz) for deck in report.decks])
        out.append("<h2>Must-know items not yet mastered</h2>")
        open_decks = [deck for deck in report.decks if deck.critical_open]
        if not open_decks:
            out.append("<p>Every must-know item is mastered.</p>")
        for deck in open_decks:
            out += ['<section class="keep">', f"<h3>{_h(deck.title)}</h3>", "<ul>"]
            out += [f"<li>{_h(item_text(item))}</li>" for item in deck.critical_open]
            out += ["</ul>", "</section>"]
    out.append("<h2>Flashcards</h2>")
    if not report.flashcards:
        out.append("<p>No flashcard reviews yet.</p>")
    else:
        out += _table(FLASHCARD_HEADINGS, [_flashcard_row(e, tz) for e in report.flashcards])
    out += [
        '<section class="keep sign-off">',
        "<h2>Sign-off</h2>",
        f"<p>{_h(SIGN_OFF_TEXT)}</p>",
    ]
    out += [
        f'<div class="line"><span>{_h(name)}</span><span></span></div>' for name in SIGN_OFF_FIELDS
    ]
    out += [
        "</section>",
        "</main>",
        f"<footer>{_h(DISCLAIMER)}.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
