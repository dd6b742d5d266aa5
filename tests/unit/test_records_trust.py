"""Issue 12, the core: records a trainer can trust.

Each test drives the real store, the real SQLite file and the real `quizapp` command:
a database with each expected table, index, trigger and column removed; a second
process holding `BEGIN IMMEDIATE`; a tiny full tmpfs; a read-only file opened by an
unprivileged user (root ignores file permissions); two processes answering one attempt.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from quizapp.core import paths
from quizapp.core.decks.cache import DeckCache
from quizapp.core.export import export_attempts
from quizapp.core.pending import PendingWrites, pending_path, replay_kept
from quizapp.core.store import (
    SCHEMA_VERSION,
    AnswerRefusedError,
    AttemptClaimedError,
    DiskFullError,
    InvalidNameError,
    ScoreStore,
    StoreError,
    new_owner_token,
)
from quizapp.core.store import database as database_module
from quizapp.core.store.schema_check import expected_schema
from tests.helpers.clock import Clock

START = datetime(2025, 3, 1, 9, 30, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "quizapp.db"


def answer_fields(card_id: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "deck_id": "diazepam",
        "card_id": card_id,
        "card_hash": "0123456789abcdef",
        "topic": "uses",
        "critical": False,
        "response": {"choice": "A"},
        "correct": True,
        "points": 1.0,
        "elapsed_ms": 1500,
    }
    fields.update(overrides)
    return fields


def seeded(db: Path, clock: Clock | None = None, cards: int = 10) -> tuple[ScoreStore, int]:
    """A store with one learner and one unfinished attempt of `cards` cards."""
    store = ScoreStore.open(db, now=clock)
    learner = store.get_or_create_learner("Ann")
    attempt = store.start_attempt(
        learner.id, "diazepam", "1.0.0", "Diazepam", "exam",
        {"card_ids": [f"card-{n}" for n in range(cards)]},
    )  # fmt: skip
    return store, attempt


def run_quizapp(
    *args: str, data_dir: Path, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [PYTHON, "-m", "quizapp", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
    env = dict(
        os.environ, QUIZAPP_DATA_DIR=str(data_dir), QUIZAPP_CACHE_DIR=str(data_dir / "cache")
    )
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )


# --------------------------------------------------------------------- schema on open

SCHEMA_OBJECTS = sorted(expected_schema(SCHEMA_VERSION))
TABLES = [name for kind, name in SCHEMA_OBJECTS if kind == "table"]
FTS5_SHADOW_TABLES = {
    f"card_text_{part}" for part in ("data", "idx", "content", "docsize", "config")
}
"""The tables SQLite keeps behind the card browser's full-text index (`card_text`)."""


def says_missing(message: str, kind: str, name: str) -> bool:
    """Whether a damage message names the missing object.

    SQLite's own check already fails on a full-text index with a shadow table gone
    ("vtable constructor failed"), before the schema comparison runs, so for those the
    message reports that damage instead of naming the table.
    """
    if kind == "table" and name in FTS5_SHADOW_TABLES:
        return "was damaged" in message
    return f"{kind} {name} is missing" in message


def drop(db: Path, kind: str, name: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(f"DROP {kind.upper()} {name}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


@pytest.mark.parametrize(("kind", "name"), SCHEMA_OBJECTS, ids=lambda value: str(value))
def test_a_database_missing_any_expected_object_is_moved_aside_byte_for_byte(
    db: Path, kind: str, name: str
) -> None:
    store, _ = seeded(db)
    drop(db, kind, name)
    original = db.read_bytes()
    assert sqlite3.connect(db).execute("PRAGMA quick_check").fetchone() == ("ok",)

    reopened = ScoreStore.open(db)

    assert reopened.recovered_from is not None
    assert reopened.recovered_from.read_bytes() == original
    assert says_missing(reopened.recovery_message or "", kind, name)
    assert reopened.learners() == []  # a fresh, complete store
    assert ScoreStore.open(db).recovered_from is None


def test_a_missing_column_is_damage_too(db: Path) -> None:
    seeded(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("ALTER TABLE attempts DROP COLUMN claim_expires_at")
    conn.close()
    reopened = ScoreStore.open(db)
    assert reopened.recovered_from is not None
    assert "column attempts.claim_expires_at is missing" in (reopened.recovery_message or "")


@pytest.mark.parametrize("table", TABLES)
def test_export_and_report_on_a_database_missing_a_table_say_so_without_a_traceback(
    db: Path, table: str
) -> None:
    seeded(db)
    drop(db, "table", table)
    original = db.read_bytes()
    export = run_quizapp("export", data_dir=db.parent)
    assert export.returncode == 1, export.stderr
    assert "Traceback" not in export.stderr
    assert says_missing(export.stderr, "table", table)
    assert "nothing was exported" in export.stderr
    assert export.stdout == ""
    (moved,) = [
        m for m in db.parent.glob("quizapp.db.corrupt-*") if m.name[-4:] not in ("-wal", "-shm")
    ]
    assert moved.read_bytes() == original

    drop(db, "table", "answers")
    report = run_quizapp("report", "--learner", "Ann", data_dir=db.parent)
    assert report.returncode == 1, report.stderr
    assert "Traceback" not in report.stderr
    assert "table answers is missing" in report.stderr


def test_recovery_offers_the_latest_backup_and_restore_puts_it_back(db: Path, clock: Clock) -> None:
    old = ScoreStore._open(db, now=clock, target_version=SCHEMA_VERSION - 1)
    old.add_learner("Ann")
    upgraded = ScoreStore.open(db, now=clock)
    assert upgraded.backed_up_to is not None
    drop(db, "table", "learners")

    damaged = ScoreStore.open(db, now=clock)
    assert str(upgraded.backed_up_to) in (damaged.recovery_message or "")

    result = run_quizapp("restore", str(upgraded.backed_up_to), data_dir=db.parent)
    assert result.returncode == 0, result.stderr
    assert [learner.name for learner in ScoreStore.open(db).learners()] == ["Ann"]
    assert list(db.parent.glob("quizapp.db.replaced-*"))  # what was in place is kept


# --------------------------------------------------------------------- claims, extra answers


def test_a_claimed_attempt_refuses_answers_from_another_window_until_taken_over(
    db: Path, clock: Clock
) -> None:
    store, attempt = seeded(db, clock)
    first, second = new_owner_token(), new_owner_token()
    store.claim_attempt(attempt, first)
    store.record_answer(attempt, **answer_fields("card-0"), owner=first)

    other_window = ScoreStore.open(db, now=clock)
    with pytest.raises(AttemptClaimedError, match="open in another window"):
        other_window.claim_attempt(attempt, second)
    with pytest.raises(AttemptClaimedError):
        other_window.record_answer(attempt, **answer_fields("card-1"), owner=second)
    with pytest.raises(AttemptClaimedError):
        other_window.record_answer(attempt, **answer_fields("card-1"))  # no token at all

    other_window.claim_attempt(attempt, second, take_over=True)
    with pytest.raises(AttemptClaimedError):
        store.record_answer(attempt, **answer_fields("card-1"), owner=first)
    other_window.record_answer(attempt, **answer_fields("card-1"), owner=second)
    assert store.attempt(attempt).answered == 2


def test_a_crashed_windows_claim_runs_out(db: Path, clock: Clock) -> None:
    store, attempt = seeded(db, clock)
    store.claim_attempt(attempt, "crashed-window")
    with pytest.raises(AttemptClaimedError):
        store.claim_attempt(attempt, "new-window")
    clock.advance(minutes=5)
    store.claim_attempt(attempt, "new-window")
    assert store.claim_holder(attempt) == "new-window"


def test_an_attempt_never_holds_more_answers_than_cards(db: Path) -> None:
    store, attempt = seeded(db, cards=2)
    store.record_answer(attempt, **answer_fields("card-0"))
    with pytest.raises(AnswerRefusedError, match="already has its answer"):
        store.record_answer(attempt, **answer_fields("card-0"))
    store.record_answer(attempt, **answer_fields("card-1"))
    with pytest.raises(AnswerRefusedError, match="every one of its cards"):
        store.record_answer(attempt, **answer_fields("card-9"))
    # Whatever writes the rows: another program inserting directly is refused too.
    conn = sqlite3.connect(db, isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO answers (attempt_id, deck_id, card_id, card_hash, topic, critical,"
            " response_json, correct, points, elapsed_ms, answered_at)"
            " VALUES (?, 'd', 'card-7', 'h', 't', 0, '1', 1, 1, 0, 'x')",
            (attempt,),
        )
    conn.close()
    assert store.attempt(attempt).answered == 2


_RACER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from quizapp.core.store import ScoreStore, StoreError
    store = ScoreStore.open(Path(sys.argv[1]))
    attempt, go = int(sys.argv[2]), Path(sys.argv[3])
    while not go.exists():
        pass
    saved = 0
    for n in range(10):
        try:
            store.record_answer(attempt, deck_id="diazepam", card_id=f"card-{n}",
                card_hash="h", topic="uses", critical=False, response={"w": sys.argv[4]},
                correct=True, points=1.0, elapsed_ms=1)
            saved += 1
        except (StoreError, ValueError):
            pass
    print(saved)
    """
)


def test_two_processes_answering_one_attempt_add_no_more_rows_than_cards(db: Path) -> None:
    store, attempt = seeded(db, cards=10)
    go = db.parent / "go"
    racers = [
        subprocess.Popen(
            [PYTHON, "-c", _RACER, str(db), str(attempt), str(go), name],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )  # fmt: skip
        for name in ("one", "two")
    ]
    go.touch()
    saved = sum(int(racer.communicate(timeout=120)[0]) for racer in racers)
    assert saved == 10
    assert store.attempt(attempt).answered == 10
    totals = store.topic_accuracy(store.learners()[0].id)
    assert sum(topic.answered for topic in totals) == 10


# --------------------------------------------------------------------- learner names


@pytest.mark.parametrize("name", ["Ann\u202eevil", "An\u200dn", "  ", "x" * 61])
def test_every_refused_learner_name_is_a_store_error_with_a_message(db: Path, name: str) -> None:
    store = ScoreStore.open(db)
    for create in (store.add_learner, store.get_or_create_learner):
        with pytest.raises(InvalidNameError) as caught:
            create(name)
        assert isinstance(caught.value, StoreError)
        assert str(caught.value).strip()
    ann = store.add_learner("Ann")
    with pytest.raises(StoreError, match=r"\S"):
        store.rename_learner(ann.id, name)


# --------------------------------------------------------------------- permissions


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def test_umask_000_folders_made_above_the_data_folder_and_the_cache_are_private(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a" / "b" / "data" / "quizapp.db"
    cache = tmp_path / "c" / "d" / "cache"
    with umask(0):
        ScoreStore.open(db)
        DeckCache(folder=cache / "decks").put(Path("x.yaml"), os.stat(__file__), b"", _a_deck())
    for folder in (tmp_path / "a", tmp_path / "a" / "b", db.parent):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    for folder in (tmp_path / "c", tmp_path / "c" / "d", cache, cache / "decks"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert db.stat().st_mode & 0o777 == 0o600


def _a_deck() -> Any:
    from quizapp.core.decks.loading import load_decks

    result = load_decks([paths.bundled_decks_dir()])
    return result.decks[0]


def test_an_existing_0644_database_is_tightened_with_a_one_line_notice(db: Path) -> None:
    ScoreStore.open(db)
    os.chmod(db, 0o644)
    store = ScoreStore.open(db)
    assert db.stat().st_mode & 0o777 == 0o600
    (notice,) = [n for n in store.notices if str(db) in n]
    assert "0644" in notice and "\n" not in notice


# --------------------------------------------------------------------- CSV injection


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(db: Path, lead: str) -> None:
    store = ScoreStore.open(db)
    # Names refuse tabs and returns (control characters); deck titles and topics do not.
    name = f"{lead}1+2" if lead not in "\t\r" else "Ann"
    learner = store.add_learner(name)
    attempt = store.start_attempt(
        learner.id, "diazepam", "1", f'{lead}HYPERLINK("x")', "practice", {"card_ids": ["c"]}
    )
    store.record_answer(attempt, **answer_fields("c", topic=f"{lead}cmd"))
    out = io.StringIO(newline="")
    export_attempts(store, "csv", out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert row["deck_title"] == f'\'{lead}HYPERLINK("x")'
    assert row["topic"] == f"'{lead}cmd"
    if lead not in "\t\r":
        assert row["learner"] == f"'{lead}1+2"


# --------------------------------------------------------------------- environment failures


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real timeout is 10 s; the behaviour past it is the same at 0.3 s.
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_S", 0.3)


_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    """
)


@contextmanager
def write_lock_held(db: Path) -> Iterator[None]:
    """Another process holding `BEGIN IMMEDIATE` until the block ends."""
    holder = subprocess.Popen(
        [PYTHON, "-c", _HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


def test_answers_given_while_another_process_holds_the_lock_are_kept_and_saved_in_order(
    db: Path, short_busy_timeout: None
) -> None:
    store, attempt = seeded(db, cards=5)
    writes = PendingWrites(store, delays=(0.0,))
    with write_lock_held(db):
        outcomes = [writes.answer(attempt, **answer_fields(f"card-{n}")) for n in range(3)]
        assert [outcome.saved for outcome in outcomes] == [False, False, False]
        assert all(outcome.error and "busy" in outcome.error for outcome in outcomes)
        assert writes.unsaved == 3
        assert store.attempt(attempt).answered == 0  # what the app may claim: 0
    assert writes.retry() == 3
    assert writes.unsaved == 0
    answers = store.attempt(attempt).answers
    assert [a.card_id for a in answers] == ["card-0", "card-1", "card-2"]


def test_unsaved_answers_kept_for_later_are_written_once_on_the_next_start(
    db: Path, short_busy_timeout: None
) -> None:
    store, attempt = seeded(db, cards=5)
    writes = PendingWrites(store)
    with write_lock_held(db):
        for n in range(4):
            writes.answer(attempt, **answer_fields(f"card-{n}"))
        kept = writes.keep_for_later()
    assert kept == pending_path(db)
    assert kept.stat().st_mode & 0o777 == 0o600
    assert store.attempt(attempt).answered == 0

    result = replay_kept(ScoreStore.open(db))
    assert (result.saved, result.waiting, result.refused) == (4, 0, [])
    assert not kept.exists()
    assert replay_kept(ScoreStore.open(db)).saved == 0  # nothing twice
    assert [a.card_id for a in store.attempt(attempt).answers] == [f"card-{n}" for n in range(4)]


def test_a_rating_still_unsaved_is_undone_by_taking_it_out_of_the_queue(
    db: Path, short_busy_timeout: None
) -> None:
    store, _ = seeded(db)
    learner = store.learners()[0].id
    writes = PendingWrites(store, delays=(0.0,))
    review = {
        "card_hash": "h", "state": {"s": 1}, "due": START, "rating": 3,
        "reviewed_at": START, "review": {"r": 1}, "previous_state": None,
    }  # fmt: skip
    with write_lock_held(db):
        first = writes.review(learner, "diazepam", "f1", **dict(review))
        writes.review(learner, "diazepam", "f2", **dict(review))
        assert writes.unsaved == 2
        assert writes.undo(first.key).saved
        assert writes.unsaved == 1
    writes.retry()
    assert [r.card_id for r in store.reviews(learner)] == ["f2"]
    saved = writes.review(learner, "diazepam", "f3", **dict(review))
    assert saved.saved
    writes.undo(saved.key)
    assert [r.card_id for r in store.reviews(learner)] == ["f2"]


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 512 KiB tmpfs: a real full disk (ENOSPC / SQLITE_FULL), not a simulation."""
    mount_point = Path(tempfile.mkdtemp(prefix="quizapp-full-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
        mount_point.rmdir()


def fill(folder: Path) -> None:
    """Write until the file system says ENOSPC."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as error:
        assert error.errno == 28  # ENOSPC
    finally:
        os.close(fd)


def test_a_full_disk_is_called_disk_full_with_what_to_do(tiny_disk: Path) -> None:
    db = tiny_disk / "data" / "quizapp.db"
    store, attempt = seeded(db, cards=400)
    writes = PendingWrites(store, delays=(0.0,))
    fill(tiny_disk)
    outcomes = [
        writes.answer(attempt, **answer_fields(f"card-{n}", response={"t": "x" * 2000}))
        for n in range(40)
    ]
    unsaved = [outcome for outcome in outcomes if not outcome.saved]
    assert unsaved, "the disk never filled"
    with pytest.raises(DiskFullError) as caught:
        store.record_answer(attempt, **answer_fields("card-399", response={"t": "x" * 8000}))
    message = str(caught.value)
    assert "disk is full" in message and "Free some space" in message
    assert "disk I/O error" not in message
    assert all(outcome.error and "disk is full" in outcome.error for outcome in unsaved)
    assert writes.unsaved == len(unsaved)

    (tiny_disk / "filler").unlink()
    # (Counting needs the disk too: SQLite recreates its shared-memory file on open.)
    assert store.attempt(attempt).answered == sum(outcome.saved for outcome in outcomes)
    writes.retry(force=True)
    assert writes.unsaved == 0
    assert store.attempt(attempt).answered == 40


def test_export_to_a_full_disk_says_disk_full_and_what_to_do(tiny_disk: Path, db: Path) -> None:
    seeded(db)
    fill(tiny_disk)
    result = run_quizapp("export", "--output", str(tiny_disk / "out.csv"), data_dir=db.parent)
    assert result.returncode == 2
    assert "disk is full" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def nobody_data_dir() -> Iterator[Path]:
    """A data folder the unprivileged user `nobody` owns, outside root's private tmp."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to the nobody user")
    folder = Path(tempfile.mkdtemp(prefix="quizapp-ro-"))
    os.chmod(folder, 0o755)
    data = folder / "data"
    try:
        yield data
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def test_a_read_only_database_as_an_unprivileged_user_saves_nothing_and_says_so(
    nobody_data_dir: Path,
) -> None:
    db = nobody_data_dir / "quizapp.db"
    store, attempt = seeded(db, cards=3)
    subprocess.run(["chown", "-R", "nobody:nogroup", str(nobody_data_dir)], check=True)
    os.chmod(db, 0o400)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from quizapp.core.pending import PendingWrites
        from quizapp.core.store import ScoreStore
        store = ScoreStore.open(Path({str(db)!r}))
        writes = PendingWrites(store)
        for n in range(3):
            outcome = writes.answer({attempt}, deck_id="diazepam", card_id=f"card-{{n}}",
                card_hash="h", topic="uses", critical=False, response=1, correct=True,
                points=1.0, elapsed_ms=1)
            print(outcome.saved, outcome.error)
        print("unsaved", writes.unsaved, "stored", store.attempt({attempt}).answered)
        print("kept", writes.keep_for_later())
        """
    )
    result = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", PYTHON, "-c", script],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("False ") and "read-only" in line for line in lines[:3]), lines
    assert lines[3] == "unsaved 3 stored 0"
    assert store.attempt(attempt).answered == 0

    os.chmod(db, 0o600)  # the trainer fixes the permissions; the next start saves them
    assert replay_kept(ScoreStore.open(db)).saved == 3
    assert store.attempt(attempt).answered == 3


def test_export_and_report_of_a_read_only_database_as_nobody(nobody_data_dir: Path) -> None:
    db = nobody_data_dir / "quizapp.db"
    store, attempt = seeded(db, cards=2)
    store.record_answer(attempt, **answer_fields("card-0"))
    subprocess.run(["chown", "-R", "nobody:nogroup", str(nobody_data_dir)], check=True)
    os.chmod(db, 0o400)
    export = run_quizapp("export", data_dir=nobody_data_dir, user="nobody")
    assert export.returncode == 0, export.stderr
    assert "Traceback" not in export.stderr
    assert len(export.stdout.splitlines()) == 2  # header and the one answer
    report = run_quizapp("report", "--learner", "Ann", data_dir=nobody_data_dir, user="nobody")
    assert report.returncode == 0, report.stderr
    assert "Ann" in report.stdout

    # A read-only folder too: SQLite cannot make the WAL index it needs even to read, so
    # the command says why in words, without a traceback (reading such a folder is not
    # done yet; see the report to the lead).
    for side in db.parent.glob("quizapp.db-*"):
        side.unlink()
    os.chmod(nobody_data_dir, 0o500)
    locked = run_quizapp("export", data_dir=nobody_data_dir, user="nobody")
    assert locked.returncode == 2
    assert "read-only" in locked.stderr and "Traceback" not in locked.stderr
