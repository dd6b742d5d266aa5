"""Exports: CSV and JSON parse back to exactly what the database holds, and the
`quizapp export` command (stdout, --output, --learner, exit codes)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.core.export import CSV_COLUMNS, export_attempts, export_to_file
from quizapp.core.flashcards import FlashcardScheduler
from quizapp.core.store import NotFoundError, ScoreStore
from tests.conftest import run_quizapp

REPO = Path(__file__).resolve().parents[2]

# The documented column order. Changing it breaks people's spreadsheets: append only.
DOCUMENTED_COLUMNS = [
    "learner", "learner_id", "attempt_id", "deck_id", "deck_version", "deck_title", "mode",
    "status", "started_at", "finished_at", "score", "max_score", "passed", "pass_mark",
    "answer_id", "card_id", "card_hash", "topic", "critical", "response", "correct", "points",
    "elapsed_ms", "answered_at",
    # Added with flashcard ratings (issue 16), at the end as promised.
    "record", "review_id", "rating", "rating_label", "reviewed_at", "first_review", "state",
    "interval_days", "due",
]  # fmt: skip
ANSWER_PART = DOCUMENTED_COLUMNS[: DOCUMENTED_COLUMNS.index("record")]
REVIEW_PART = DOCUMENTED_COLUMNS[DOCUMENTED_COLUMNS.index("review_id") :]
STATES = {1: "learning", 2: "review", 3: "relearning"}


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


# --------------------------------------------------------------------------- truth from SQL


def database_rows(db: Path, learner: str | None = None) -> list[dict[str, Any]]:
    """One dict per answer (or per attempt without answers), read with plain SQL.

    Independent of the store's own read code, so the round trip checks the export
    against the file itself.
    """
    sql = """
        SELECT l.name, l.id, a.id, a.deck_id, a.deck_version, a.deck_title, a.mode, a.status,
               a.started_at, a.finished_at, a.score, a.max_score, a.passed, a.pass_mark,
               n.id, n.card_id, n.card_hash, n.topic, n.critical, n.response_json, n.correct,
               n.points, n.elapsed_ms, n.answered_at
        FROM attempts a JOIN learners l ON l.id = a.learner_id
        LEFT JOIN answers n ON n.attempt_id = a.id
        WHERE :learner IS NULL OR l.name = :learner
    """
    # A rating's state after it: what the card's next rating started from, else the
    # card's saved state (LEAD over the card's ratings, by id).
    reviews_sql = """
        SELECT l.name, l.id, r.deck_id, r.card_id, r.card_hash, r.id, r.rating,
               r.reviewed_at, r.previous_state_json IS NULL,
               coalesce(lead(r.previous_state_json) OVER (
                   PARTITION BY r.learner_id, r.deck_id, r.card_id ORDER BY r.id),
                   s.state_json)
        FROM review_log r JOIN learners l ON l.id = r.learner_id
        LEFT JOIN card_states s ON s.learner_id = r.learner_id AND s.deck_id = r.deck_id
             AND s.card_id = r.card_id
        WHERE :learner IS NULL OR l.name = :learner
    """
    with closing(sqlite3.connect(db)) as conn:
        found = conn.execute(sql, {"learner": learner}).fetchall()
        ratings = conn.execute(reviews_sql, {"learner": learner}).fetchall()
    rows = []
    for values in found:
        row: dict[str, Any] = dict.fromkeys(DOCUMENTED_COLUMNS)
        row.update(zip(ANSWER_PART, values, strict=True))
        for key in ("passed", "critical", "correct"):
            row[key] = None if row[key] is None else bool(row[key])
        row["response"] = None if row["response"] is None else json.loads(row["response"])
        row["record"] = "attempt" if row["answer_id"] is None else "answer"
        rows.append(row)
    labels = ["Again", "Hard", "Good", "Easy"]
    for name, owner, deck, card, card_hash, review_id, rating, at, first, after in ratings:
        row = dict.fromkeys(DOCUMENTED_COLUMNS)
        state = json.loads(after) if after else {}
        due = datetime.fromisoformat(state["due"]) if "due" in state else None
        reviewed = datetime.fromisoformat(at.replace("Z", "+00:00"))
        row.update(
            learner=name, learner_id=owner, deck_id=deck, card_id=card, card_hash=card_hash,
            record="review", review_id=review_id, rating=rating, rating_label=labels[rating - 1],
            reviewed_at=at, first_review=bool(first), state=STATES.get(state.get("state")),
            interval_days=None if due is None else round(
                (due - reviewed).total_seconds() / 86400, 4),
            due=None if due is None else due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )  # fmt: skip
        rows.append(row)
    return rows


def sort_key(row: dict[str, Any]) -> tuple[bool, int, int, int]:
    return (
        row["record"] == "review",
        row["attempt_id"] or 0,
        row["answer_id"] or 0,
        row["review_id"] or 0,
    )


def parse_csv(text: str) -> list[dict[str, Any]]:
    """CSV text back to typed values, following the documented conventions."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == DOCUMENTED_COLUMNS
    ints = {"learner_id", "attempt_id", "answer_id", "elapsed_ms", "review_id", "rating"}
    floats = {"score", "max_score", "pass_mark", "points", "interval_days"}
    bools = {"passed", "critical", "correct", "first_review"}
    rows = []
    for raw in reader:
        row: dict[str, Any] = {}
        for key, cell in raw.items():
            if cell.startswith("'"):  # the documented spreadsheet guard: one quote added
                cell = cell[1:]
            if cell == "" and key not in ("learner", "deck_title", "deck_version"):
                row[key] = None
            elif key in ints:
                row[key] = int(cell)
            elif key in floats:
                row[key] = float(cell)
            elif key in bools:
                assert cell in ("true", "false"), (key, cell)
                row[key] = cell == "true"
            elif key == "response":
                row[key] = json.loads(cell)
            else:
                row[key] = cell
        if row["record"] == "review":  # a rating has no attempt: its empty cells are None
            for key in ("deck_title", "deck_version"):
                row[key] = row[key] or None
        rows.append(row)
    return rows


def flatten_json(document: dict[str, Any]) -> list[dict[str, Any]]:
    assert document["format"] == "quizapp-export"
    assert document["format_version"] == 1
    rows = []
    for attempt in document["attempts"]:
        head = {key: attempt[key] for key in ANSWER_PART if key in attempt}
        answers = attempt["answers"] or [None]
        for answer in answers:
            row = dict.fromkeys(DOCUMENTED_COLUMNS)
            row.update(head)
            for key in ANSWER_PART[len(head) :]:
                row[key] = None if answer is None else answer[key]
            row["record"] = "attempt" if answer is None else "answer"
            rows.append(row)
    for review in document["reviews"]:
        row = dict.fromkeys(DOCUMENTED_COLUMNS)
        row.update(review)
        row["record"] = "review"
        assert set(row) == set(DOCUMENTED_COLUMNS), set(row) ^ set(DOCUMENTED_COLUMNS)
        rows.append(row)
    return rows


def plans(db: Path) -> dict[int, Any]:
    with closing(sqlite3.connect(db)) as conn:
        return {i: json.loads(p) for i, p in conn.execute("SELECT id, plan_json FROM attempts")}


# --------------------------------------------------------------------------- sample data


def fill(store: ScoreStore) -> None:
    """Two learners; finished, unfinished, discarded and empty attempts; awkward text."""
    ann = store.add_learner("Ann O'Neil, RN")
    bob = store.add_learner('Bob "the caregiver"')
    exam = store.start_attempt(
        ann.id, "diazepam", "1.2.0", "Diazepam, \"Valium\"\nfor anxiety", "exam",
        {"cards": ["a", "b"], "seed": 7}, pass_mark=0.8,
    )  # fmt: skip
    store.record_answer(
        exam, deck_id="diazepam", card_id="a", card_hash="0123456789abcdef", topic="uses",
        critical=False, response={"choice": "It calms, \"fast\""}, correct=True, points=1.0,
        elapsed_ms=2500,
    )  # fmt: skip
    store.record_answer(
        exam, deck_id="diazepam", card_id="b", card_hash="fedcba9876543210",
        topic="stopping-safely", critical=True, response=["taper", "ask", "é\r\nü"],
        correct=False, points=0.5, elapsed_ms=0,
    )  # fmt: skip
    store.finish_attempt(exam, 1.5, 2.0, False)
    store.start_attempt(ann.id, "sertraline", "0.9", "Sertraline", "practice", {"cards": []})
    dropped = store.start_attempt(bob.id, "diazepam", "1.2.0", "Diazepam", "review", {})
    store.record_answer(
        dropped, deck_id="diazepam", card_id="a", card_hash="0123456789abcdef", topic="uses",
        critical=False, response="GABA-A", correct=True, points=1.0, elapsed_ms=900,
    )  # fmt: skip
    store.discard_attempt(dropped)
    # Flashcard ratings through the real scheduler, one of them taken back (undo).
    scheduler = FlashcardScheduler()
    clock_times = [datetime(2025, 3, 2, 8, 0, tzinfo=UTC) + timedelta(days=d) for d in range(4)]
    state = None
    for when, rating in zip(clock_times[:3], (3, 1, 4), strict=True):
        card, log = scheduler.review(state, rating, when, duration_ms=1500)
        store.record_review(
            ann.id, "diazepam", "f-gaba", card_hash="00ff00ff00ff00ff", state=card.to_dict(),
            due=card.due, rating=rating, reviewed_at=when, review=log.to_dict(),
            previous_state=None if state is None else state.to_dict(),
        )  # fmt: skip
        state = card
    card, log = scheduler.review(None, 2, clock_times[3])
    undone = store.record_review(
        bob.id, "diazepam", "f-two", card_hash="1111222233334444", state=card.to_dict(),
        due=card.due, rating=2, reviewed_at=clock_times[3], review=log.to_dict(),
        previous_state=None,
    )  # fmt: skip
    store.undo_review(undone)
    card, log = scheduler.review(None, 3, clock_times[3])
    store.record_review(
        bob.id, "diazepam", "f-two", card_hash="1111222233334444", state=card.to_dict(),
        due=card.due, rating=3, reviewed_at=clock_times[3], review=log.to_dict(),
        previous_state=None,
    )  # fmt: skip


@pytest.fixture
def filled(tmp_path: Path) -> tuple[ScoreStore, Path]:
    db = tmp_path / "data" / "quizapp.db"
    store = ScoreStore.open(db, now=Clock())
    fill(store)
    return store, db


# --------------------------------------------------------------------------- round trips


def test_csv_round_trips_to_the_database_rows(filled: tuple[ScoreStore, Path]) -> None:
    store, db = filled
    out = io.StringIO(newline="")
    assert export_attempts(store, "csv", out) == 3
    parsed = parse_csv(out.getvalue())
    expected = database_rows(db)
    # 2 + 1 answers, one row for the empty attempt, Ann's 3 ratings and Bob's 1 (his
    # undone one is gone).
    assert len(parsed) == 8
    assert [r["rating"] for r in parsed if r["record"] == "review"] == [3, 1, 4, 3]
    assert sorted(parsed, key=sort_key) == sorted(expected, key=sort_key)


def test_json_round_trips_to_the_database_rows(filled: tuple[ScoreStore, Path]) -> None:
    store, db = filled
    out = io.StringIO()
    export_attempts(store, "json", out)
    document = json.loads(out.getvalue())
    assert sorted(flatten_json(document), key=sort_key) == sorted(database_rows(db), key=sort_key)
    assert {a["attempt_id"]: a["plan"] for a in document["attempts"]} == plans(db)
    empty = [a for a in document["attempts"] if a["deck_id"] == "sertraline"]
    assert empty[0]["answers"] == []


def test_rows_are_ordered_by_learner_then_attempt_then_answer(
    filled: tuple[ScoreStore, Path],
) -> None:
    store, _ = filled
    out = io.StringIO(newline="")
    export_attempts(store, "csv", out)
    rows = parse_csv(out.getvalue())
    assert [(r["learner"], r["deck_id"], r["card_id"], r["record"]) for r in rows] == [
        ("Ann O'Neil, RN", "diazepam", "a", "answer"),
        ("Ann O'Neil, RN", "diazepam", "b", "answer"),
        ("Ann O'Neil, RN", "sertraline", None, "attempt"),
        ("Ann O'Neil, RN", "diazepam", "f-gaba", "review"),
        ("Ann O'Neil, RN", "diazepam", "f-gaba", "review"),
        ("Ann O'Neil, RN", "diazepam", "f-gaba", "review"),
        ('Bob "the caregiver"', "diazepam", "a", "answer"),
        ('Bob "the caregiver"', "diazepam", "f-two", "review"),
    ]


def test_csv_header_is_the_documented_stable_order() -> None:
    assert list(CSV_COLUMNS) == DOCUMENTED_COLUMNS


def test_learner_filter_ignores_case_and_unknown_learner_is_not_found(
    filled: tuple[ScoreStore, Path],
) -> None:
    store, db = filled
    out = io.StringIO(newline="")
    assert export_attempts(store, "csv", out, learner='bob "THE caregiver"') == 1
    rows = parse_csv(out.getvalue())
    assert rows == database_rows(db, learner='Bob "the caregiver"')
    with pytest.raises(NotFoundError):
        export_attempts(store, "json", io.StringIO(), learner="Zoe")


def test_unknown_format_is_refused(filled: tuple[ScoreStore, Path]) -> None:
    with pytest.raises(ValueError, match="format"):
        export_attempts(filled[0], "xml", io.StringIO())  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=3),
    responses=st.lists(json_values, min_size=0, max_size=4),
    name=st.text(st.characters(exclude_categories=("C", "Z")), min_size=1, max_size=20),
)
def test_any_text_and_any_response_round_trip_through_both_formats(
    titles: list[str], responses: list[Any], name: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "quizapp.db"
        store = ScoreStore.open(db, now=Clock())
        learner = store.add_learner(name)
        for title in titles:
            attempt = store.start_attempt(
                learner.id, "deck", title, title, "practice", {"title": title}
            )
            for n, response in enumerate(responses):
                store.record_answer(
                    attempt, deck_id="deck", card_id=f"c{n}", card_hash=title, topic=title,
                    critical=bool(n % 2), response=response, correct=not n % 3,
                    points=n / 3, elapsed_ms=n,
                )  # fmt: skip
        expected = sorted(database_rows(db), key=sort_key)

        csv_out = io.StringIO(newline="")
        export_attempts(store, "csv", csv_out)
        assert sorted(parse_csv(csv_out.getvalue()), key=sort_key) == expected

        json_out = io.StringIO()
        export_attempts(store, "json", json_out)
        assert sorted(flatten_json(json.loads(json_out.getvalue())), key=sort_key) == expected


def test_export_to_file_is_private_and_atomic(
    filled: tuple[ScoreStore, Path], tmp_path: Path
) -> None:
    store, db = filled
    target = tmp_path / "out" / "scores.csv"
    target.parent.mkdir()
    target.write_text("an earlier export")
    with pytest.raises(NotFoundError):
        export_to_file(store, "csv", target, learner="Zoe")
    # A failed export leaves the earlier file as it was and no temporary files behind.
    assert target.read_text() == "an earlier export"
    assert [p.name for p in target.parent.iterdir()] == ["scores.csv"]

    assert export_to_file(store, "csv", target) == 3
    assert target.stat().st_mode & 0o777 == 0o600
    with open(target, newline="", encoding="utf-8") as handle:
        assert sorted(parse_csv(handle.read()), key=sort_key) == sorted(
            database_rows(db), key=sort_key
        )
    assert [p.name for p in target.parent.iterdir()] == ["scores.csv"]


# --------------------------------------------------------------------------- the command


def run_cli(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUIZAPP_DATA_DIR=str(data_dir))
    return run_quizapp("export", *args, env=env)


def test_cli_exports_csv_to_stdout(filled: tuple[ScoreStore, Path]) -> None:
    _, db = filled
    result = run_cli(data_dir=db.parent)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(parse_csv(result.stdout), key=sort_key) == sorted(database_rows(db), key=sort_key)


def test_cli_exports_json_to_a_private_file_for_one_learner(
    filled: tuple[ScoreStore, Path], tmp_path: Path
) -> None:
    _, db = filled
    out = tmp_path / "ann.json"
    # --data-dir wins over the environment variable.
    result = run_cli(
        "--format", "json", "--learner", "ann o'neil, rn", "--output", out,
        "--data-dir", db.parent, data_dir=tmp_path / "elsewhere",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "Exported 2 attempt(s)" in result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    document = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(flatten_json(document), key=sort_key) == sorted(
        database_rows(db, learner="Ann O'Neil, RN"), key=sort_key
    )
    assert not (tmp_path / "elsewhere").exists()


def test_cli_unknown_learner_exits_2_naming_the_learners(
    filled: tuple[ScoreStore, Path],
) -> None:
    _, db = filled
    result = run_cli("--learner", "Zoe", data_dir=db.parent)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no learner called 'Zoe'" in result.stderr
    assert "Ann O'Neil, RN" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_unwritable_data_folder_exits_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("a file where a folder should be")
    data_dir = tmp_path / "afile" / "sub"
    result = run_cli(data_dir=data_dir)
    assert result.returncode == 2
    assert result.stdout == ""
    assert str(data_dir) in result.stderr
    assert result.stderr.startswith("quizapp: ")
    assert "Traceback" not in result.stderr


def test_cli_output_to_a_missing_folder_exits_2(
    filled: tuple[ScoreStore, Path], tmp_path: Path
) -> None:
    _, db = filled
    out = tmp_path / "missing" / "x.csv"
    result = run_cli("--output", out, data_dir=db.parent)
    assert result.returncode == 2
    assert "cannot write" in result.stderr and str(out) in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reports_a_damaged_database_it_moved_aside(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "quizapp.db").write_bytes(b"garbage, not SQLite" * 50)
    result = run_cli(data_dir=data_dir)
    # Issue 12: this used to exit 0 with an empty export that looked like a record.
    assert result.returncode == 1, result.stderr
    (moved,) = data_dir.glob("quizapp.db.corrupt-*")
    assert str(moved) in result.stderr
    assert "nothing was exported" in result.stderr
    assert moved.read_bytes() == b"garbage, not SQLite" * 50
    assert result.stdout == ""


def test_cli_export_on_a_new_machine_prints_only_the_header(tmp_path: Path) -> None:
    result = run_cli("--format", "csv", data_dir=tmp_path / "new")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [",".join(DOCUMENTED_COLUMNS)]
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
