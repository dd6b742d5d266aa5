"""Schema 4: each learner's pseudonymous xAPI id and the per-LRS acknowledgement ledger,
on a new file, on a file migrated from schema 1, and for rows written by plain SQL."""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from quizapp.core.store import SCHEMA_VERSION, ScoreStore

REPO = Path(__file__).resolve().parents[2]
V1_FIXTURE = REPO / "tests" / "data" / "store-v1.db"
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_every_learner_has_a_random_stable_xapi_id(tmp_path: Path) -> None:
    store = ScoreStore.open(tmp_path / "quizapp.db")
    assert store.schema_version() == SCHEMA_VERSION >= 4  # the xapi ids came with version 4
    ann = store.add_learner("Ann")
    bob = store.get_or_create_learner("Bob")
    ids = store.xapi_ids()
    assert set(ids) == {ann.id, bob.id}
    assert all(HEX32.match(value) for value in ids.values())
    assert ids[ann.id] != ids[bob.id]
    store.rename_learner(ann.id, "Ann Smith")
    assert store.xapi_ids() == ids  # a rename keeps the id
    # A row written by other code (a tool, an older helper) still gets one: a trigger.
    with closing(sqlite3.connect(store.path)) as conn, conn:
        conn.execute(
            "INSERT INTO learners (name, created_at) VALUES ('Cleo', '2025-01-01T00:00:00.000000Z')"
        )
    assert len(set(store.xapi_ids().values())) == 3


def test_a_migrated_file_gives_its_learners_xapi_ids(tmp_path: Path) -> None:
    db = tmp_path / "quizapp.db"
    shutil.copyfile(V1_FIXTURE, db)
    store = ScoreStore.open(db)
    assert store.schema_version() == SCHEMA_VERSION
    ((learner_id, xapi_id),) = store.xapi_ids().items()
    assert store.learner(learner_id).name == "Ann Example"
    assert HEX32.match(xapi_id)
    assert ScoreStore.open(db).xapi_ids() == {learner_id: xapi_id}  # kept across opens


def test_acknowledgements_are_kept_per_endpoint(tmp_path: Path) -> None:
    moment = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    store = ScoreStore.open(tmp_path / "quizapp.db", now=lambda: moment)
    one, two = "https://one.example/xAPI/", "https://two.example/xAPI/"
    assert store.lrs_acknowledged(one) == set()
    store.record_lrs_acknowledged(one, ["a", "b"])
    store.record_lrs_acknowledged(one, ["b", "c"])  # repeats are fine
    store.record_lrs_acknowledged(two, ["z"])
    assert store.lrs_acknowledged(one) == {"a", "b", "c"}
    assert store.lrs_acknowledged(two) == {"z"}
    with closing(sqlite3.connect(store.path)) as conn:
        times = {row[0] for row in conn.execute("SELECT acknowledged_at FROM lrs_acknowledged")}
    assert times == {"2025-03-01T09:00:00.000000Z"}
