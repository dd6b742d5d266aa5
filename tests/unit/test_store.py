"""The score store: privacy of the files, damage recovery, migrations, durability under
SIGKILL, two writing processes, the learner/attempt API and indexed read queries."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from quizapp.core import store as store_module
from quizapp.core.store import (
    SCHEMA_VERSION,
    AttemptClosedError,
    NameTakenError,
    NotFoundError,
    ScoreStore,
    StoreDamagedError,
    StoreError,
    from_db_time,
    to_db_time,
)
from tests.helpers.clock import Clock

REPO = Path(__file__).resolve().parents[2]
WRITER = REPO / "tests" / "helpers" / "store_writer.py"
V1_FIXTURE = REPO / "tests" / "data" / "store-v1.db"

START = datetime(2025, 3, 1, 9, 30, 0, tzinfo=UTC)
START_STAMP = "20250301T093000Z"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "quizapp.db"


@pytest.fixture
def store(db: Path, clock: Clock) -> ScoreStore:
    return ScoreStore.open(db, now=clock)


def answer(store: ScoreStore, attempt_id: int, card_id: str = "card-1", **overrides: Any) -> int:
    """Record an answer with sensible defaults."""
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
    return store.record_answer(attempt_id, **fields)


def start(store: ScoreStore, learner_id: int, deck_id: str = "diazepam", **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "deck_version": "1.0.0",
        "deck_title": deck_id.title(),
        "mode": "exam",
        "plan": {"cards": ["card-1", "card-2"]},
    }
    fields.update(overrides)
    return store.start_attempt(learner_id, deck_id, **fields)


@contextmanager
def raw(db: Path) -> Iterator[sqlite3.Connection]:
    """A plain autocommit connection, as another program would open, closed on exit."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def writer_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


# --------------------------------------------------------------------------- files


def test_new_database_is_0600_and_new_folder_0700_whatever_the_umask(db: Path) -> None:
    old_umask = os.umask(0)  # the most permissive umask: modes must not depend on it
    try:
        store = ScoreStore.open(db)
        # Keep a reader open so SQLite leaves the WAL and shared-memory files in place.
        with raw(db) as reader:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM learners").fetchone()
            store.add_learner("Ann")
            wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
            assert wal.exists() and shm.exists()
            assert mode_of(wal) == 0o600
            assert mode_of(shm) == 0o600
    finally:
        os.umask(old_umask)
    assert mode_of(db) == 0o600
    assert mode_of(db.parent) == 0o700


def test_existing_loose_data_folder_is_tightened_with_a_notice(db: Path) -> None:
    # Issue 12: scores reveal which medicine a person takes; a 0755 data folder used to
    # be kept as it was.
    db.parent.mkdir(mode=0o755)
    os.chmod(db.parent, 0o755)
    store = ScoreStore.open(db)
    assert mode_of(db.parent) == 0o700
    assert mode_of(db) == 0o600
    assert [notice for notice in store.notices if str(db.parent) in notice and "0755" in notice]


def test_data_folder_under_a_regular_file_is_a_store_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    folder = tmp_path / "afile" / "sub"
    with pytest.raises(StoreError) as caught:
        ScoreStore.open(folder / "quizapp.db")
    assert str(folder) in str(caught.value)
    assert caught.value.path == folder


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_data_folder_is_a_store_error_naming_it(db: Path) -> None:
    db.parent.mkdir()
    os.chmod(db.parent, 0o500)
    try:
        with pytest.raises(StoreError) as caught:
            ScoreStore.open(db)
    finally:
        os.chmod(db.parent, 0o700)
    assert str(db) in str(caught.value)


def test_database_path_that_is_a_folder_is_a_store_error(db: Path) -> None:
    db.mkdir(parents=True)
    with pytest.raises(StoreError, match=re.escape(str(db))):
        ScoreStore.open(db)


def test_empty_file_is_a_fresh_store_not_damage(db: Path) -> None:
    db.parent.mkdir()
    db.write_bytes(b"")
    store = ScoreStore.open(db)
    assert store.recovered_from is None
    assert store.schema_version() == SCHEMA_VERSION


# --------------------------------------------------------------------------- damage


def test_garbage_file_is_moved_aside_with_its_bytes_and_a_fresh_store_opens(
    db: Path, clock: Clock
) -> None:
    db.parent.mkdir()
    garbage = b"this is not a database\n" * 300 + bytes(range(256))
    db.write_bytes(garbage)
    # A leftover WAL must follow the damaged file, or SQLite would replay it into the new one.
    Path(f"{db}-wal").write_bytes(b"stale wal")

    store = ScoreStore.open(db, now=clock)

    moved = db.parent / f"quizapp.db.corrupt-{START_STAMP}"
    assert store.recovered_from == moved
    assert moved.read_bytes() == garbage
    assert Path(f"{moved}-wal").read_bytes() == b"stale wal"
    assert str(moved) in (store.recovery_message or "")
    assert store.learners() == []
    assert store.add_learner("Ann").name == "Ann"
    assert store.schema_version() == SCHEMA_VERSION
    assert mode_of(db) == 0o600


def test_truncated_database_is_moved_aside_with_its_bytes(db: Path, clock: Clock) -> None:
    store = ScoreStore.open(db, now=clock)
    learner = store.add_learner("Ann")
    attempt = start(store, learner.id)
    for n in range(400):
        answer(store, attempt, f"card-{n}", response={"text": "x" * 200})
    assert not Path(f"{db}-wal").exists()  # last connection closed: all in the main file
    whole = db.read_bytes()
    assert len(whole) > 16 * 4096
    half = whole[: len(whole) // 2]
    db.write_bytes(half)

    reopened = ScoreStore.open(db, now=clock)

    assert reopened.recovered_from == db.parent / f"quizapp.db.corrupt-{START_STAMP}"
    assert reopened.recovered_from.read_bytes() == half
    assert reopened.learners() == []
    reopened.add_learner("Ann")


def test_damaged_database_with_a_wal_keeps_both_files_byte_for_byte(
    db: Path, clock: Clock, tmp_path: Path
) -> None:
    store = ScoreStore.open(db, now=clock)
    learner = store.add_learner("Ann")
    attempt = start(store, learner.id)
    for n in range(300):
        answer(store, attempt, f"card-{n}", response={"text": "x" * 200})
    # Snapshot the files while a reader holds the WAL open, as after a crash.
    with raw(db) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM answers").fetchone()
        answer(store, attempt, "late")
        main_bytes, wal_bytes = db.read_bytes(), Path(f"{db}-wal").read_bytes()
    assert wal_bytes
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    damaged = main_bytes[: len(main_bytes) // 2]
    db.write_bytes(damaged)
    Path(f"{db}-wal").write_bytes(wal_bytes)

    reopened = ScoreStore.open(db, now=clock)

    assert reopened.recovered_from is not None
    assert reopened.recovered_from.read_bytes() == damaged
    assert Path(f"{reopened.recovered_from}-wal").read_bytes() == wal_bytes
    assert reopened.learners() == []


def test_moving_aside_never_overwrites_an_earlier_corrupt_file(db: Path, clock: Clock) -> None:
    db.parent.mkdir()
    earlier = db.parent / f"quizapp.db.corrupt-{START_STAMP}"
    earlier.write_bytes(b"the first damaged file")
    db.write_bytes(b"the second damaged file, same second")

    store = ScoreStore.open(db, now=clock)

    assert earlier.read_bytes() == b"the first damaged file"
    assert store.recovered_from is not None and store.recovered_from != earlier
    assert store.recovered_from.read_bytes() == b"the second damaged file, same second"


def test_damage_while_open_is_a_store_damaged_error(store: ScoreStore, db: Path) -> None:
    store.add_learner("Ann")
    db.write_bytes(b"overwritten by something else" * 200)
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    with pytest.raises(StoreDamagedError, match=re.escape(str(db))):
        store.learners()


# --------------------------------------------------------------------------- migrations


def test_v1_fixture_opens_under_the_current_version_with_data_intact_and_a_backup(
    db: Path, clock: Clock
) -> None:
    db.parent.mkdir()
    shutil.copyfile(V1_FIXTURE, db)
    original = db.read_bytes()

    store = ScoreStore.open(db, now=clock)

    assert SCHEMA_VERSION >= 2
    assert store.schema_version() == SCHEMA_VERSION
    backup = db.parent / f"quizapp.db.bak-v1-{START_STAMP}"
    assert store.backed_up_to == backup
    assert mode_of(backup) == 0o600
    with raw(backup) as copy:
        assert copy.execute("PRAGMA user_version").fetchone() == (1,)
        assert copy.execute("SELECT count(*) FROM answers").fetchone() == (4,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(original) == V1_FIXTURE.stat().st_size

    (ann,) = store.learners()
    assert ann.name == "Ann Example"
    assert ann.created_at == datetime(2025, 1, 15, 9, 0, 0, tzinfo=UTC)
    assert ann.acknowledged_notice_at == datetime(2025, 1, 15, 9, 0, 1, tzinfo=UTC)

    finished, unfinished = sorted(store.history(ann.id), key=lambda a: a.id)
    assert (finished.status, finished.mode, finished.score, finished.max_score) == (
        "finished",
        "exam",
        2.0,
        3.0,
    )
    assert finished.passed is False and finished.pass_mark == 0.8
    assert finished.deck_title == "Diazepam (Valium)" and finished.deck_version == "1.0.0"
    exam = store.attempt(finished.id)
    assert exam.plan == {
        "cards": ["how-it-works", "stop-taper", "drowsy-driving"],
        "shuffle": False,
    }
    got = [(a.card_id, a.card_hash, a.correct, a.critical, a.elapsed_ms) for a in exam.answers]
    assert got == [
        ("how-it-works", "a1b2c3d4e5f60718", True, False, 5200),
        ("stop-taper", "0011223344556677", False, True, 8100),
        ("drowsy-driving", "8899aabbccddeeff", True, True, 3900),
    ]
    assert exam.answers[0].response == {"choice": "It calms the brain"}
    assert exam.answers[2].response is True
    assert [a.id for a in store.unfinished_attempts(ann.id)] == [unfinished.id]
    assert store.answered_hashes(ann.id, "diazepam")["stop-taper"] == "0011223344556677"

    # The version-2 tables exist and work.
    with raw(db) as conn:
        conn.execute(
            "INSERT INTO card_states VALUES (?, 'diazepam', 'stop-taper', 'h', '{}', ?, ?)",
            (ann.id, to_db_time(START), to_db_time(START)),
        )
        conn.execute(
            "INSERT INTO review_log (learner_id, deck_id, card_id, card_hash, rating,"
            " reviewed_at, review_json) VALUES (?, 'diazepam', 'stop-taper', 'h', 3, ?, '{}')",
            (ann.id, to_db_time(START)),
        )

    # Still works after the upgrade.
    answer(store, unfinished.id, "drowsy-driving")
    assert store.attempt(unfinished.id).answered == 2


def test_the_v1_fixture_file_itself_is_version_1() -> None:
    # Guards against regenerating the committed fixture at a later schema.
    # immutable=1: read without creating -wal/-shm files next to the committed fixture.
    with closing(sqlite3.connect(f"file:{V1_FIXTURE}?mode=ro&immutable=1", uri=True)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)


def test_current_version_is_not_backed_up_again(db: Path) -> None:
    ScoreStore.open(db)
    store = ScoreStore.open(db)
    assert store.backed_up_to is None
    # Only SQLite's own WAL files may be beside it (the health check's read-only
    # connection can leave them until the next connection that writes closes).
    assert sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "quizapp.db"
    ]


def test_a_file_switched_out_of_wal_mode_is_switched_back_on_open(db: Path) -> None:
    # An up-to-date file in WAL mode is opened without the migration step; one that
    # another program (or a copy) put back in rollback-journal mode still gets it.
    ScoreStore.open(db).add_learner("Ann")
    with raw(db) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    assert db.read_bytes()[18:20] == b"\x01\x01"
    store = ScoreStore.open(db)
    assert db.read_bytes()[18:20] == b"\x02\x02"
    with raw(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [learner.name for learner in store.learners()] == ["Ann"]


def test_a_newer_schema_is_refused_and_left_untouched(db: Path) -> None:
    ScoreStore.open(db).add_learner("Ann")
    with raw(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer quizapp") as caught:
        ScoreStore.open(db)
    assert str(db) in str(caught.value)
    assert db.read_bytes() == before


def test_another_programs_database_is_refused_not_migrated(db: Path) -> None:
    db.parent.mkdir()
    with raw(db) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match="another program"):
        ScoreStore.open(db)
    with raw(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert tables == {"recipes"}


# --------------------------------------------------------------------------- durability


def test_sigkill_loses_no_reported_answer_and_leaves_a_sound_file(db: Path) -> None:
    ScoreStore.open(db)
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), "--count", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=writer_env(),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n", proc.stderr.read() if proc.stderr else ""
        reported = []
        for _ in range(200):
            line = proc.stdout.readline()
            assert line, f"writer stopped early: {proc.stderr.read() if proc.stderr else ''}"
            reported.append(int(line))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # Lines still in the pipe were printed before the kill: promises too.
    reported += [int(line) for line in rest.split()]

    with raw(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {row[0] for row in conn.execute("SELECT id FROM answers")}
    assert set(reported) <= stored
    assert len(reported) >= 200

    # The interrupted attempt is kept, unfinished, ready to resume or discard.
    store = ScoreStore.open(db)
    assert store.recovered_from is None
    (writer,) = store.learners()
    (attempt,) = store.unfinished_attempts(writer.id)
    assert attempt.answered == len(stored)


def test_two_processes_write_500_answers_each_without_error(db: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(db), "--count", "500", "--learner", name]
            + ["--go", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=writer_env(),
        )
        for name in ("Ann", "Bob")
    ]
    try:
        # Both open the (new) file at the same time; once both are ready, both write.
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n", proc.communicate()[1]
        go.touch()
        results = [proc.communicate(timeout=300) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
        assert len(out.split()) == 500
    store = ScoreStore.open(db)
    with raw(db) as conn:
        assert conn.execute("SELECT count(*) FROM answers").fetchone() == (1000,)
    per_learner = {each.name: store.history(each.id)[0].answered for each in store.learners()}
    assert per_learner == {
        "Ann": 500,
        "Bob": 500,
    }


def test_one_store_shared_by_threads_loses_no_write(store: ScoreStore, db: Path) -> None:
    learner = store.add_learner("Ann")
    attempt = start(store, learner.id)

    def write(worker: int) -> list[int]:
        return [answer(store, attempt, f"w{worker}-{n}") for n in range(40)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = [i for batch in pool.map(write, range(8)) for i in batch]
    assert len(set(ids)) == 320
    assert store.attempt(attempt).answered == 320


def test_record_answer_is_visible_to_a_new_store_at_once(store: ScoreStore, db: Path) -> None:
    learner = store.add_learner("Ann")
    attempt = start(store, learner.id)
    answer_id = answer(store, attempt)
    # A separate connection (as another process would) sees it without any close/flush.
    with raw(db) as conn:
        found = conn.execute("SELECT card_id FROM answers WHERE id = ?", (answer_id,)).fetchone()
    assert found == ("card-1",)


# --------------------------------------------------------------------------- learners


def test_learners_are_unique_ignoring_case(store: ScoreStore) -> None:
    ann = store.add_learner("  Ann   Lee ")
    assert ann.name == "Ann Lee"
    assert ann.created_at == START
    with pytest.raises(NameTakenError):
        store.add_learner("ann lee")
    assert store.get_or_create_learner("ANN LEE") == ann
    bob = store.get_or_create_learner("Bob")
    assert [learner.name for learner in store.learners()] == ["Ann Lee", "Bob"]
    assert store.find_learner("bob") == bob
    assert store.find_learner("Carol") is None
    assert store.learner(bob.id) == bob


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "Ann\x00", "Ann\u200b"])
def test_bad_learner_names_are_refused(store: ScoreStore, name: str) -> None:
    with pytest.raises(ValueError):
        store.add_learner(name)
    assert store.learners() == []


def test_rename_and_acknowledge_notice(store: ScoreStore, clock: Clock) -> None:
    ann = store.add_learner("Ann")
    store.add_learner("Bob")
    assert ann.acknowledged_notice_at is None
    assert store.rename_learner(ann.id, "ANN").name == "ANN"
    with pytest.raises(NameTakenError):
        store.rename_learner(ann.id, "bob")
    with pytest.raises(NotFoundError):
        store.rename_learner(999, "Zoe")
    later = clock.advance(minutes=5)
    assert store.acknowledge_notice(ann.id).acknowledged_notice_at == later
    assert store.learner(ann.id).acknowledged_notice_at == later
    with pytest.raises(NotFoundError):
        store.acknowledge_notice(999)


# --------------------------------------------------------------------------- attempts


def test_attempt_lifecycle_and_resume(store: ScoreStore, clock: Clock) -> None:
    ann = store.add_learner("Ann")
    plan = {"cards": ["card-1", "card-2", "card-3"], "shuffle": True, "seed": 42}
    attempt_id = start(store, ann.id, mode="practice", plan=plan, pass_mark=0.75)
    clock.advance(seconds=3)
    first = answer(store, attempt_id, "card-1", response=["b", "a"], elapsed_ms=3000)
    clock.advance(seconds=4)
    second = answer(store, attempt_id, "card-2", correct=False, points=0.0, critical=True)

    resumed = store.attempt(attempt_id)
    assert resumed.status == "unfinished" and resumed.finished_at is None
    assert resumed.plan == plan
    assert resumed.pass_mark == 0.75
    assert [a.id for a in resumed.answers] == [first, second]
    assert resumed.answers[0].response == ["b", "a"]
    assert resumed.answers[0].answered_at == START + timedelta(seconds=3)
    assert resumed.answers[1].critical is True and resumed.answers[1].correct is False
    assert (resumed.answered, resumed.correct) == (2, 1)
    assert [a.id for a in store.unfinished_attempts(ann.id)] == [attempt_id]

    clock.advance(seconds=1)
    store.finish_attempt(attempt_id, 1.0, 3.0, False)
    done = store.attempt(attempt_id)
    assert (done.status, done.score, done.max_score, done.passed) == ("finished", 1.0, 3.0, False)
    assert done.finished_at == START + timedelta(seconds=8)
    assert done.fraction == pytest.approx(1 / 3)
    assert store.unfinished_attempts(ann.id) == []
    with pytest.raises(AttemptClosedError):
        answer(store, attempt_id, "card-3")
    with pytest.raises(AttemptClosedError):
        store.finish_attempt(attempt_id, 1.0, 3.0, False)
    with pytest.raises(AttemptClosedError):
        store.discard_attempt(attempt_id)
    assert store.attempt(attempt_id).answered == 2


def test_discarded_attempts_leave_history_and_statistics_but_keep_answers(
    store: ScoreStore,
) -> None:
    ann = store.add_learner("Ann")
    kept = start(store, ann.id)
    answer(store, kept, "card-1", correct=True)
    dropped = start(store, ann.id)
    answer(store, dropped, "card-1", correct=False, card_hash="ffffffffffffffff")
    store.discard_attempt(dropped)
    store.discard_attempt(dropped)  # twice is harmless

    assert [a.id for a in store.history(ann.id)] == [kept]
    assert {a.id for a in store.history(ann.id, include_discarded=True)} == {kept, dropped}
    assert store.unfinished_attempts(ann.id) == [store.history(ann.id)[0]]
    (accuracy,) = store.topic_accuracy(ann.id)
    assert (accuracy.answered, accuracy.correct) == (1, 1)
    assert store.answered_hashes(ann.id, "diazepam") == {"card-1": "0123456789abcdef"}
    assert store.attempt(dropped).status == "discarded"
    assert store.attempt(dropped).answered == 1
    with pytest.raises(AttemptClosedError):
        answer(store, dropped, "card-2")


def test_unknown_ids_raise_not_found(store: ScoreStore) -> None:
    with pytest.raises(NotFoundError):
        store.attempt(12345)
    with pytest.raises(NotFoundError):
        answer(store, 12345)
    with pytest.raises(NotFoundError):
        store.discard_attempt(12345)
    with pytest.raises(NotFoundError):
        start(store, 12345)
    with pytest.raises(NotFoundError):
        store.learner(12345)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"elapsed_ms": -1}, ValueError),
        ({"points": float("nan")}, ValueError),
        ({"response": {"when": datetime(2025, 1, 1)}}, TypeError),
        ({"response": float("inf")}, ValueError),
    ],
)
def test_invalid_answers_are_refused_and_not_stored(
    store: ScoreStore, overrides: dict[str, Any], error: type[Exception]
) -> None:
    ann = store.add_learner("Ann")
    attempt_id = start(store, ann.id)
    with pytest.raises(error):
        answer(store, attempt_id, **overrides)
    assert store.attempt(attempt_id).answers == ()


def test_invalid_attempt_arguments_are_refused(store: ScoreStore) -> None:
    ann = store.add_learner("Ann")
    with pytest.raises(ValueError, match="mode"):
        start(store, ann.id, mode="quiz")
    with pytest.raises(ValueError, match="pass_mark"):
        start(store, ann.id, pass_mark=80)
    attempt_id = start(store, ann.id)
    for score, max_score in [(4.0, 3.0), (-1.0, 3.0), (0.0, 0.0)]:
        with pytest.raises(ValueError):
            store.finish_attempt(attempt_id, score, max_score, None)
    assert store.attempt(attempt_id).status == "unfinished"
    assert store.history(ann.id)[0].id == attempt_id


def test_history_is_newest_first_with_a_limit(store: ScoreStore, clock: Clock) -> None:
    ann = store.add_learner("Ann")
    bob = store.add_learner("Bob")
    ids = []
    for n in range(5):
        clock.advance(minutes=1)
        ids.append(start(store, ann.id, deck_id=f"deck-{n}"))
    start(store, bob.id)
    assert [a.id for a in store.history(ann.id)] == ids[::-1]
    assert [a.id for a in store.history(ann.id, limit=2)] == ids[:-3:-1]
    assert [a.id for a in store.unfinished_attempts(ann.id, deck_id="deck-3")] == [ids[3]]


# --------------------------------------------------------------------------- statistics


def test_deck_scores_last_and_best_over_finished_attempts(store: ScoreStore, clock: Clock) -> None:
    ann = store.add_learner("Ann")
    results = [(6.0, 10.0, False), (9.0, 10.0, True), (4.0, 5.0, True), (18.0, 20.0, True)]
    for score, max_score, passed in results:
        clock.advance(hours=1)
        attempt_id = start(store, ann.id, pass_mark=0.8)
        store.finish_attempt(attempt_id, score, max_score, passed)
    start(store, ann.id)  # unfinished: not counted
    finished_elsewhere = start(store, ann.id, deck_id="sertraline", deck_title="Sertraline")
    clock.advance(hours=1)
    store.finish_attempt(finished_elsewhere, 1.0, 4.0, None)

    scores = store.deck_scores(ann.id)
    assert set(scores) == {"diazepam", "sertraline"}
    diazepam = scores["diazepam"]
    assert diazepam.attempts == 4
    last = (diazepam.last_score, diazepam.last_max_score, diazepam.last_passed)
    assert last == (18.0, 20.0, True)
    assert diazepam.last_at == START + timedelta(hours=4)
    # 9/10 and 18/20 tie at 90%: the latest wins.
    assert (diazepam.best_score, diazepam.best_max_score) == (18.0, 20.0)
    assert diazepam.best_fraction == pytest.approx(0.9)
    assert scores["sertraline"].last_passed is None
    assert scores["sertraline"].last_fraction == pytest.approx(0.25)
    assert store.deck_scores(store.add_learner("Bob").id) == {}


def test_topic_accuracy_per_deck_and_topic(store: ScoreStore) -> None:
    ann = store.add_learner("Ann")
    bob = store.add_learner("Bob")
    attempt_id = start(store, ann.id)
    for n, (topic, correct) in enumerate(
        [("uses", True), ("uses", False), ("uses", True), ("mechanism", False)]
    ):
        answer(store, attempt_id, f"c{n}", topic=topic, correct=correct)
    other = start(store, ann.id, deck_id="sertraline")
    answer(store, other, "s1", deck_id="sertraline", topic="uses", correct=True)
    answer(store, start(store, bob.id), "c1", topic="uses", correct=False)

    rows = {(t.deck_id, t.topic): (t.answered, t.correct) for t in store.topic_accuracy(ann.id)}
    assert rows == {
        ("diazepam", "mechanism"): (1, 0),
        ("diazepam", "uses"): (3, 2),
        ("sertraline", "uses"): (1, 1),
    }
    only = store.topic_accuracy(ann.id, deck_id="sertraline")
    assert [(t.topic, t.accuracy) for t in only] == [("uses", 1.0)]


def test_answered_hashes_give_the_hash_at_the_latest_answer(store: ScoreStore) -> None:
    ann = store.add_learner("Ann")
    first = start(store, ann.id)
    answer(store, first, "card-1", card_hash="aaaaaaaaaaaaaaaa")
    answer(store, first, "card-2", card_hash="bbbbbbbbbbbbbbbb")
    store.finish_attempt(first, 2, 2, None)
    second = start(store, ann.id)
    answer(store, second, "card-1", card_hash="cccccccccccccccc")  # the card was edited
    answer(store, start(store, ann.id, deck_id="other"), "card-1", deck_id="other")
    assert store.answered_hashes(ann.id, "diazepam") == {
        "card-1": "cccccccccccccccc",
        "card-2": "bbbbbbbbbbbbbbbb",
    }


# --------------------------------------------------------------------------- time


def test_times_are_stored_as_utc_with_z_whatever_the_clock_zone(db: Path) -> None:
    paris = timezone(timedelta(hours=1))
    store = ScoreStore.open(db, now=lambda: datetime(2025, 3, 1, 10, 30, tzinfo=paris))
    ann = store.add_learner("Ann")
    with raw(db) as conn:
        assert conn.execute("SELECT created_at FROM learners").fetchone() == (
            "2025-03-01T09:30:00.000000Z",
        )
    assert ann.created_at == START
    assert ann.created_at.tzinfo == UTC
    assert from_db_time(to_db_time(START)) == START


def test_a_naive_clock_is_refused(db: Path) -> None:
    store = ScoreStore.open(db, now=lambda: datetime(2025, 3, 1, 9, 30))
    with pytest.raises(ValueError, match="naive"):
        store.add_learner("Ann")


# --------------------------------------------------------------------------- read queries


def _query_params(sql: str) -> dict[str, Any]:
    values = {
        "learner": 1,
        "deck": "deck-1",
        "all": 0,
        "limit": 20,
        "attempt": 1,
        "before": 500,  # a later History page
        "card": "card-1",
        # The card browser's search: text through the FTS index, every filter on.
        "match": '"nalox"',
        "like": None,
        "topic": "topic-1",
        "card_type": "single",
        "critical": 1,
        "due_only": 1,
        "wrong_only": 1,
        "suspended_only": 0,
        "now": to_db_time(START),
        "since_slot": "2025-01-01T00:00",
        "until": to_db_time(START),
    }
    return {name: values[name] for name in set(re.findall(r":(\w+)", sql))}


def test_ui_read_queries_use_indexes_on_100000_answers(db: Path, clock: Clock) -> None:
    store = ScoreStore.open(db, now=clock)
    learners = [store.add_learner(f"Learner {n}").id for n in range(4)]
    stamp = to_db_time(START)
    attempts = []
    with raw(db) as conn:
        conn.execute("BEGIN")
        for n in range(1000):
            cursor = conn.execute(
                "INSERT INTO attempts (learner_id, deck_id, deck_version, deck_title, mode,"
                " plan_json, started_at, finished_at, score, max_score, passed, status)"
                " VALUES (?, ?, '1', 'Deck', 'exam', '{}', ?, ?, ?, 100, 1, 'finished')",
                (learners[n % 4], f"deck-{n % 10}", stamp, stamp, n % 100),
            )
            attempts.append((cursor.lastrowid, f"deck-{n % 10}"))
        conn.executemany(
            "INSERT INTO answers (attempt_id, deck_id, card_id, card_hash, topic, critical,"
            " response_json, correct, points, elapsed_ms, answered_at)"
            " VALUES (?, ?, ?, ?, ?, 0, '\"A\"', ?, 1, 1000, ?)",
            (
                (
                    *attempts[n % 1000],
                    f"card-{n // 1000}",  # one answer per card and attempt
                    f"{n:016x}",
                    f"topic-{n % 6}",
                    n % 2,
                    stamp,
                )
                for n in range(100_000)
            ),
        )
        conn.execute("COMMIT")

        for name, sql in store_module._READ_QUERIES.items():
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, _query_params(sql))]
            for detail in plan:
                assert not re.match(r"SCAN (answers|n)\b", detail), (name, plan)
                if detail.startswith("SCAN"):
                    assert "INDEX" in detail, (name, plan)
            # A WITHOUT ROWID table's own key reads "USING PRIMARY KEY".
            assert any(
                "USING" in detail and ("INDEX" in detail or "PRIMARY KEY" in detail)
                for detail in plan
            ), (name, plan)

    # And the answers are what the queries count.
    total = sum(t.answered for lid in learners for t in store.topic_accuracy(lid))
    assert total == 100_000
    assert sum(a.answered for a in store.history(learners[0])) == 25_000
    assert len(store.history(learners[0], limit=10)) == 10
    deck_1 = store.deck_scores(learners[1])["deck-1"]  # attempts n = 1, 21, 41, ... 981
    assert (deck_1.attempts, deck_1.best_score) == (50, 81.0)
    hashes = store.answered_hashes(learners[0], "deck-0")
    assert len(hashes) == 100
    # card-0 is answered by n = 0..999 only; of deck-0 for learner 0, last by n = 980.
    assert hashes["card-0"] == f"{980:016x}"


def test_read_queries_cover_every_ui_read() -> None:
    assert set(store_module._READ_QUERIES) == {
        "history",
        "history_page",
        "history_count",
        "unfinished_attempts",
        "deck_scores",
        "topic_accuracy",
        "answered_hashes",
        "attempt_answers",
        "search_cards",
        "card_answers",
        "mistakes",
        "daily_activity",
        "due_counts",
    }


def test_store_module_does_not_import_textual() -> None:
    code = "import quizapp.core.store, quizapp.core.export, sys; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_plan_and_response_round_trip_as_json(store: ScoreStore) -> None:
    ann = store.add_learner("Ann")
    plan = {"cards": ["a"], "nested": {"n": [1, 2.5, None, "é"]}}
    attempt_id = start(store, ann.id, plan=plan)
    answer(store, attempt_id, response={"typed": 'GABA-A "quoted"\nline'})
    loaded = store.attempt(attempt_id)
    assert loaded.plan == plan
    assert loaded.answers[0].response == {"typed": 'GABA-A "quoted"\nline'}
    assert json.loads(json.dumps(loaded.plan)) == plan


# --------------------------------------------------------------------------- topic counts

# What `topic_accuracy` computed before schema version 3 kept counts: the reference the
# counts must always equal.
_GROUP_BY_TOPIC_SQL = """
    SELECT n.deck_id, n.topic, count(*), sum(n.correct)
    FROM attempts a JOIN answers n ON n.attempt_id = a.id
    WHERE a.learner_id = :learner AND a.status IN ('unfinished', 'finished')
      AND (:deck IS NULL OR n.deck_id = :deck)
    GROUP BY n.deck_id, n.topic
    ORDER BY n.deck_id, n.topic
"""

_DECKS = ("diazepam", "lithium", "warfarin")
_TOPICS = ("mechanism", "uses", "adverse-effects", "stopping-safely")


def assert_counts_match_group_by(store: ScoreStore, db: Path) -> int:
    """Check `topic_accuracy` against the GROUP BY for every learner id and deck.

    Returns:
        How many (learner, deck, topic) groups there were, so callers can check that the
        comparison was not vacuous.
    """
    groups = 0
    with raw(db) as conn:
        learner_ids = [row[0] for row in conn.execute("SELECT id FROM learners")]
        # Learners deleted behind the store's back may still own attempts.
        learner_ids += [
            row[0]
            for row in conn.execute("SELECT DISTINCT learner_id FROM attempts")
            if row[0] not in learner_ids
        ]
        for learner_id in learner_ids:
            for deck in (None, *_DECKS):
                expected = [
                    (d, t, n, c)
                    for d, t, n, c in conn.execute(
                        _GROUP_BY_TOPIC_SQL, {"learner": learner_id, "deck": deck}
                    )
                ]
                got = [
                    (a.deck_id, a.topic, a.answered, a.correct)
                    for a in store.topic_accuracy(learner_id, deck)
                ]
                assert got == expected, (learner_id, deck)
                if deck is None:
                    groups += len(expected)
        # No empty groups left behind (the GROUP BY has none).
        empty = conn.execute("SELECT count(*) FROM topic_counts WHERE answered <= 0").fetchone()
        assert empty == (0,)
    return groups


@pytest.mark.parametrize("seed", range(6))
def test_topic_counts_equal_a_group_by_over_answers_after_random_writes(
    db: Path, clock: Clock, seed: int
) -> None:
    rng = random.Random(seed)
    store = ScoreStore.open(db, now=clock)
    learners = [store.add_learner(name).id for name in ("Ann", "Bob", "Cy")]
    unfinished: dict[int, tuple[int, str]] = {}  # attempt id -> (learner id, deck id)
    for step in range(160):
        clock.advance(seconds=1)
        roll = rng.random()
        if roll < 0.12 or not unfinished:
            learner, deck = rng.choice(learners), rng.choice(_DECKS)
            unfinished[start(store, learner, deck)] = (learner, deck)
        elif roll < 0.75:
            attempt_id = rng.choice(list(unfinished))
            answer(
                store,
                attempt_id,
                f"card-{step}",  # one answer per card and attempt (schema v4)
                deck_id=unfinished[attempt_id][1],
                topic=rng.choice(_TOPICS),
                correct=rng.random() < 0.6,
            )
        elif roll < 0.85:
            store.finish_attempt(unfinished.popitem()[0], 1, 2, None)
        elif roll < 0.95:
            attempt_id = rng.choice(list(unfinished))
            del unfinished[attempt_id]
            store.discard_attempt(attempt_id)
            store.discard_attempt(attempt_id)  # a second discard changes nothing
        elif roll < 0.97 and len(learners) > 1:
            gone = learners.pop(rng.randrange(len(learners)))
            store.delete_learner(gone)
            unfinished = {a: ld for a, ld in unfinished.items() if ld[0] != gone}
        else:
            # Writes that bypass the store's methods: the counts follow those too.
            with raw(db) as conn:
                conn.execute("PRAGMA foreign_keys = ON")
                kind = rng.randrange(3)
                if kind == 0:
                    conn.execute(
                        "DELETE FROM answers WHERE id ="
                        " (SELECT id FROM answers ORDER BY random() LIMIT 1)"
                    )
                elif kind == 1:
                    conn.execute(
                        "UPDATE answers SET correct = 1 - correct, topic = ? WHERE id ="
                        " (SELECT id FROM answers ORDER BY random() LIMIT 1)",
                        (rng.choice(_TOPICS),),
                    )
                else:  # deleting an attempt cascades to its answers
                    victim = rng.choice(list(unfinished))
                    conn.execute("DELETE FROM attempts WHERE id = ?", (victim,))
                    del unfinished[victim]
        if step % 20 == 19:
            assert_counts_match_group_by(store, db)
    assert assert_counts_match_group_by(store, db) > 0


def test_topic_counts_follow_rows_inserted_directly_and_status_changes(
    store: ScoreStore, db: Path
) -> None:
    ann = store.add_learner("Ann").id
    bob = store.add_learner("Bob").id
    attempt_id = start(store, ann)
    with raw(db) as conn:
        conn.executemany(
            "INSERT INTO answers (attempt_id, deck_id, card_id, card_hash, topic, critical,"
            " response_json, correct, points, elapsed_ms, answered_at)"
            " VALUES (?, 'diazepam', ?, 'h', ?, 0, '1', ?, 1, 1000, '2025-01-01T00:00:00.000000Z')",
            [(attempt_id, f"c{n}", _TOPICS[n % 2], n % 3 == 0) for n in range(10)],
        )
        assert_counts_match_group_by(store, db)
        # Moving an attempt to another learner moves its answers' counts with it.
        conn.execute("UPDATE attempts SET learner_id = ? WHERE id = ?", (bob, attempt_id))
        assert_counts_match_group_by(store, db)
        assert store.topic_accuracy(ann) == []
        # Discarded, then (by hand) back to unfinished: out of the counts, then in again.
        conn.execute("UPDATE attempts SET status = 'discarded' WHERE id = ?", (attempt_id,))
        assert store.topic_accuracy(bob) == []
        conn.execute("UPDATE attempts SET status = 'unfinished' WHERE id = ?", (attempt_id,))
        assert sum(t.answered for t in store.topic_accuracy(bob)) == 10
        assert_counts_match_group_by(store, db)
        # An attempt deleted without cascading (foreign keys off) leaves its answers
        # orphaned: neither the GROUP BY nor the counts see them.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
        assert store.topic_accuracy(bob) == []
        assert_counts_match_group_by(store, db)


def test_topic_accuracy_reads_the_counts_not_the_answers(store: ScoreStore) -> None:
    with closing(sqlite3.connect(store.path)) as conn:
        plan = " ".join(
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN " + store_module._TOPIC_ACCURACY_SQL,
                {"learner": 1, "deck": None},
            )
        )
    assert "topic_counts" in plan and "answers" not in plan
    assert "TEMP B-TREE" not in plan  # rows come in order from the index


def test_upgrading_to_version_3_backfills_the_counts_from_existing_answers(
    db: Path, clock: Clock
) -> None:
    old = ScoreStore._open(db, now=clock, target_version=2)
    ann = old.add_learner("Ann").id
    bob = old.add_learner("Bob").id
    for n, (learner, deck) in enumerate(
        [(ann, "diazepam"), (ann, "lithium"), (bob, "diazepam"), (ann, "diazepam")]
    ):
        attempt_id = start(old, learner, deck)
        for k in range(5):
            answer(old, attempt_id, f"c{k}", deck_id=deck, topic=_TOPICS[k % 3], correct=k % 2 == 0)
        if n == 1:
            old.discard_attempt(attempt_id)
        elif n != 3:
            old.finish_attempt(attempt_id, 3, 5, None)
    assert old.schema_version() == 2

    store = ScoreStore.open(db, now=clock)

    assert store.schema_version() == SCHEMA_VERSION
    assert store.backed_up_to is not None
    assert assert_counts_match_group_by(store, db) == 3 + 3  # Ann's diazepam, Bob's diazepam
    assert [(t.deck_id, t.topic, t.answered, t.correct) for t in store.topic_accuracy(ann)] == [
        ("diazepam", "adverse-effects", 2, 2),
        ("diazepam", "mechanism", 4, 2),
        ("diazepam", "uses", 4, 2),
    ]  # two attempts (finished, unfinished); the discarded lithium one is left out


def test_the_v1_fixture_gets_counts_for_its_answers(db: Path, clock: Clock) -> None:
    db.parent.mkdir()
    shutil.copyfile(V1_FIXTURE, db)
    store = ScoreStore.open(db, now=clock)
    (ann,) = store.learners()
    assert [(t.topic, t.answered, t.correct) for t in store.topic_accuracy(ann.id)] == [
        ("adverse-effects", 1, 1),
        ("mechanism", 1, 1),
        ("stopping-safely", 2, 1),
    ]
    assert_counts_match_group_by(store, db)
