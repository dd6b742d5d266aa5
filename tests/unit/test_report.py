"""The completion report: the seeded learner's decks, best exams, results and must-know
items in Markdown and HTML; the HTML parses, is balanced and self-contained; and the
`quizapp report` command (stdout, --output, unknown learner)."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from stats_seed import NOW, Seeded, seed

from quizapp.cli import main
from quizapp.core.decks.loading import load_deck
from quizapp.core.decks.model import Deck
from quizapp.core.quiz import QuizSession, QuizSettings
from quizapp.core.recording import record_answer, start_attempt
from quizapp.core.report import (
    CompletionReport,
    ExamResult,
    best_exam,
    build_report,
    format_duration,
    render_html,
    render_markdown,
)
from quizapp.core.store import ScoreStore
from tests.conftest import run_quizapp as run
from tests.unit.test_quiz import right_response

REPO = Path(__file__).resolve().parents[2]

HOSTILE = "<script>alert('x')</script>|*Al*&[me](http://e.example)"  # 60 max


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "data" / "quizapp.db", tmp_path / "decks")


@pytest.fixture
def report(seeded: Seeded) -> CompletionReport:
    return build_report(seeded.store, seeded.alice, seeded.decks, NOW, tz=UTC)


# --------------------------------------------------------------------------- the data


def test_report_lists_each_deck_attempted(report: CompletionReport, seeded: Seeded) -> None:
    assert report.learner == "Alice"
    assert report.generated_at == NOW
    assert report.time_spent_ms == 69700
    seed_deck, old = report.decks
    assert (seed_deck.deck_id, seed_deck.title) == ("seed-deck", "Seed deck: diazepam")
    # A2 (4/5, failed on a critical card) and A3 (4/5, passed) tie on score: the passed
    # one is the best exam.
    assert seed_deck.best_exam is not None
    assert seed_deck.best_exam.attempt_id == seeded.attempts["A3"]
    assert (seed_deck.best_exam.score, seed_deck.best_exam.max_score) == (4, 5)
    assert seed_deck.best_exam.finished_at == datetime(2025, 3, 3, 11, 5, tzinfo=UTC)
    assert seed_deck.exams == 2
    assert seed_deck.result == "passed"
    assert seed_deck.versions == ("2.0.0", "2.1.0")  # A1 was on 2.0.0
    assert seed_deck.current_version == "2.1.0"
    assert seed_deck.time_spent_ms == 50700
    assert seed_deck.critical_mastered == 1
    assert [i.card_id for i in seed_deck.critical_open] == ["q-multi", "q-never"]

    assert old.result == "not-passed"
    assert old.best_exam is not None and (old.best_exam.score, old.best_exam.max_score) == (1, 3)
    assert old.versions == ("0.9",) and old.current_version is None
    assert [i.card_id for i in old.critical_open] == ["w-bleed"]


def test_best_exam_prefers_passed_then_score_then_latest() -> None:
    def exam(n: int, score: float, passed: bool | None, day: int) -> ExamResult:
        return ExamResult(n, score, 10, passed, datetime(2025, 1, day, tzinfo=UTC), "1")

    failed_high = exam(1, 9, False, 1)
    passed_low = exam(2, 8, True, 2)
    passed_high_old = exam(3, 9, True, 3)
    passed_high_new = exam(4, 9, True, 4)
    assert best_exam([]) is None
    assert best_exam([failed_high, passed_low]) is passed_low
    assert best_exam([failed_high, passed_low, passed_high_old]) is passed_high_old
    assert best_exam([passed_high_new, passed_high_old]) is passed_high_new
    assert best_exam([exam(5, 3, False, 1), exam(6, 5, False, 2)]).attempt_id == 6


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "0 s"), (999, "0 s"), (42_000, "42 s"), (69_700, "1 min 09 s"),
     (3_600_000, "1 h 00 min"), (3_723_000, "1 h 02 min")],
)  # fmt: skip
def test_format_duration(ms: int, text: str) -> None:
    assert format_duration(ms) == text


def test_learner_without_attempts(seeded: Seeded) -> None:
    carol = seeded.store.add_learner("Carol")
    report = build_report(seeded.store, carol.id, seeded.decks, NOW, tz=UTC)
    assert report.decks == ()
    assert "No decks attempted yet." in render_markdown(report, UTC)
    assert "<p>No decks attempted yet.</p>" in render_html(report, UTC)


# --------------------------------------------------------------------------- Markdown


def test_markdown(report: CompletionReport) -> None:
    text = render_markdown(report, UTC)
    assert text.startswith("# Training record: Alice\n")
    assert "- **Generated:** 2025-03-14 12:00 UTC" in text
    assert "- **Total time spent:** 1 min 09 s" in text
    assert (
        "| Seed deck: diazepam | 4/5 (80%) | 2025-03-03 | Passed | 1 of 3 mastered; 2 not yet"
        " | 2.0.0, 2.1.0 | 50 s |"
    ) in text
    assert (
        "| Warfarin basics | 1/3 (33%) | 2025-03-02 | Not passed yet | 0 of 1 mastered;"
        " 1 not yet | 0.9 | 19 s |"
    ) in text
    assert (
        "### Seed deck: diazepam\n\n"
        "- Which of these add to diazepam's sleepiness and slowed breathing?"
        " (last answer wrong)\n"
        "- Who should you call if breathing becomes very slow? (never answered)\n"
    ) in text
    assert "- card w\\-bleed (last answer wrong)" not in text  # not at a block start
    assert "- card w-bleed (last answer wrong)" in text
    assert text.rstrip().endswith("Education, not medical advice.")


def test_markdown_escapes_markup(tmp_path: Path) -> None:
    seeded = seed(tmp_path / "db" / "quizapp.db", tmp_path / "decks", alice_name=HOSTILE)
    text = render_markdown(build_report(seeded.store, seeded.alice, seeded.decks, NOW), UTC)
    title = text.splitlines()[0]
    assert title == (
        "# Training record: \\<script\\>alert('x')\\</script\\>\\|\\*Al\\*\\&"
        "\\[me\\](http://e.example)"
    )


# --------------------------------------------------------------------------- HTML


class _Checker(HTMLParser):
    """Collects tags; records unbalanced or mismatched ones as errors."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            self.errors.append(f"end tag for void element <{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(document: str) -> _Checker:
    checker = _Checker()
    checker.feed(document)
    checker.close()
    return checker


EXTERNAL = [
    re.compile(r"""\b(?:src|href|action|poster|data|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"url\(", re.I),
    re.compile(r"<(?:script|link|iframe|object|embed|img)\b", re.I),
]


def assert_self_contained(document: str) -> None:
    for pattern in EXTERNAL:
        assert not pattern.search(document), f"external reference: {pattern.pattern}"


def test_html_parses_balanced_and_self_contained(report: CompletionReport) -> None:
    document = render_html(report, UTC)
    checker = parse(document)
    assert checker.errors == []
    assert checker.stack == []
    assert checker.doctype.lower() == "doctype html"
    names = [tag for tag, _ in checker.tags]
    assert names[:3] == ["html", "head", "meta"]
    assert ("meta", {"charset": "utf-8"}) in checker.tags
    assert names.count("style") == 1 and "@media print" in document
    assert_self_contained(document)
    assert not any(tag in names for tag in ("script", "link", "img", "iframe"))


def test_html_content(report: CompletionReport) -> None:
    checker = parse(render_html(report, UTC))
    text = " ".join(" ".join(checker.text).split())
    for expected in (
        "Training record: Alice",
        "Seed deck: diazepam 4/5 (80%) 2025-03-03 Passed 1 of 3 mastered; 2 not yet"
        " 2.0.0, 2.1.0 50 s",
        "Warfarin basics 1/3 (33%) 2025-03-02 Not passed yet 0 of 1 mastered; 1 not yet 0.9 19 s",
        "Which of these add to diazepam's sleepiness and slowed breathing? (last answer wrong)",
        "Who should you call if breathing becomes very slow? (never answered)",
        "card w-bleed (last answer wrong)",
        "Total time spent 1 min 09 s",
    ):
        assert expected in text
    assert text.endswith("Education, not medical advice.")
    assert checker.tags[-1][0] == "footer"


def test_html_escapes_every_text(tmp_path: Path) -> None:
    seeded = seed(tmp_path / "db" / "quizapp.db", tmp_path / "decks", alice_name=HOSTILE)
    document = render_html(build_report(seeded.store, seeded.alice, seeded.decks, NOW), UTC)
    checker = parse(document)
    assert checker.errors == [] and checker.stack == []
    assert "<script" not in document
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in document
    assert_self_contained(document)
    assert f"Training record: {HOSTILE}" in "".join(checker.text)


def test_the_checks_catch_external_references() -> None:
    for bad in (
        '<link rel="stylesheet" href="https://cdn.example/x.css">',
        "<style>@import 'x.css';</style>",
        "<style>body { background: url(x.png) }</style>",
        '<img src="//cdn.example/x.png">',
    ):
        with pytest.raises(AssertionError):
            assert_self_contained(bad)
    assert parse("<div><p>x</div>").errors


# --------------------------------------------------------------------------- CLI


def test_cli_report_markdown_to_stdout(seeded: Seeded) -> None:
    data = seeded.store.path.parent
    proc = run("report", "--learner", "alice", "--data-dir", data, "--decks", seeded.deck_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Training record: Alice\n")
    assert "| Seed deck: diazepam | 4/5 (80%) | 2025-03-03 | Passed |" in proc.stdout
    assert "| Warfarin basics | 1/3 (33%) | 2025-03-02 | Not passed yet |" in proc.stdout
    assert "Who should you call if breathing becomes very slow? (never answered)" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_cli_report_html_to_file(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "alice.html"
    code = main(
        [
            "report", "--learner", "Alice", "--format", "html", "--output", str(out),
            "--data-dir", str(seeded.store.path.parent), "--decks", str(seeded.deck_path),
        ]
    )  # fmt: skip
    assert code == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    document = out.read_text(encoding="utf-8")
    checker = parse(document)
    assert checker.errors == [] and checker.stack == []
    assert_self_contained(document)
    assert "Seed deck: diazepam" in document and "Passed" in document


def test_cli_report_unknown_learner_names_the_known_ones(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "--learner", "Zed", "--data-dir", str(seeded.store.path.parent)])
    assert code == 2
    err = capsys.readouterr().err
    assert "no learner called 'Zed'" in err
    assert "Alice, Bob" in err


def test_cli_report_needs_a_learner(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report"])
    assert exit_info.value.code == 2
    assert "--learner" in capsys.readouterr().err


def _take_exam(store: ScoreStore, learner_id: int, deck: Deck, wrong: set[str]) -> int:
    """One exam through the same recording code the quiz screen uses."""
    session = QuizSession.start(deck, QuizSettings(mode="exam", shuffle=False))
    attempt = start_attempt(store, learner_id, session)
    while not session.finished:
        card = session.current
        response = "not the answer" if card.id in wrong else right_response(card)
        record_answer(store, attempt, deck, card, session.answer(response, 100))
        session.advance()
    result = session.result()
    store.finish_attempt(attempt, result.score, result.max_score, result.passed)
    return attempt


def test_scores_keep_the_deck_version_they_were_taken_on(tmp_path: Path) -> None:
    # Issue 13: a deck's version bumps when its content is revised; an exam passed on the
    # old version stays recorded (and reported) as taken on that version.
    deck_file = tmp_path / "decks" / "all-types.yaml"
    deck_file.parent.mkdir()
    original = (REPO / "tests" / "data" / "decks" / "ui" / "all-types.yaml").read_text("utf-8")
    assert original.count('version: "2.1.0"') == 1
    deck_file.write_text(original, encoding="utf-8")
    store = ScoreStore.open(tmp_path / "data" / "quizapp.db")
    learner = store.add_learner("Dana").id

    old_deck = load_deck(deck_file)
    first = _take_exam(store, learner, old_deck, wrong=set())
    deck_file.write_text(original.replace('version: "2.1.0"', 'version: "3.0.0"'), "utf-8")
    new_deck = load_deck(deck_file)
    assert (old_deck.version, new_deck.version) == ("2.1.0", "3.0.0")
    typed = next(card.id for card in new_deck.quiz_cards if card.type == "typed")
    second = _take_exam(store, learner, new_deck, wrong={typed})

    attempts = {a.id: a for a in store.learner_attempts(learner)}
    assert (attempts[first].deck_version, attempts[second].deck_version) == ("2.1.0", "3.0.0")
    report = build_report(store, learner, {new_deck.id: new_deck}, NOW, tz=UTC)
    (entry,) = report.decks
    assert entry.versions == ("2.1.0", "3.0.0")
    assert entry.current_version == "3.0.0"
    assert entry.best_exam is not None and entry.best_exam.attempt_id == first
    assert entry.best_exam.deck_version == "2.1.0"  # not the deck's version now
    assert "2.1.0, 3.0.0" in render_markdown(report, UTC)
