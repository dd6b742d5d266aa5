"""The schema expectation kept in the cache folder (issue 18: start-up time).

Building the expectation from the migrations took longer than the rest of opening the
store; it is now kept. These tests show the kept copy is used, is private, is rebuilt
when unreadable, and can never get a healthy database moved aside as damaged.
Real SQLite files in a per-test cache folder.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizapp.core.store import SCHEMA_VERSION, ScoreStore
from quizapp.core.store.schema_check import (
    expected_schema,
    kept_expectation_path,
    kept_schema,
)


@pytest.fixture(autouse=True)
def fresh_kept_schema() -> Iterator[None]:
    """Each test reads the kept expectation from its own cache folder."""
    kept_schema.cache_clear()
    yield
    kept_schema.cache_clear()


def test_opening_a_store_keeps_the_expectation_privately(tmp_path: Path) -> None:
    path = kept_expectation_path(SCHEMA_VERSION)
    assert not path.exists()
    ScoreStore.open(tmp_path / "a.db").get_or_create_learner("Ann")
    ScoreStore.open(tmp_path / "a.db")  # a second open judges the file against it
    assert path.is_file()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    kept_schema.cache_clear()
    assert kept_schema(SCHEMA_VERSION) == expected_schema(SCHEMA_VERSION)


@pytest.mark.parametrize("damage", [b"", b"not json", b"[[1, 2]]", b'{"a": 1}'])
def test_an_unreadable_kept_expectation_is_built_again(tmp_path: Path, damage: bytes) -> None:
    path = kept_expectation_path(SCHEMA_VERSION)
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    assert kept_schema(SCHEMA_VERSION) == expected_schema(SCHEMA_VERSION)
    assert json.loads(path.read_bytes())  # rewritten


def test_a_wrong_kept_expectation_never_moves_a_healthy_database_aside(tmp_path: Path) -> None:
    db = tmp_path / "scores.db"
    ScoreStore.open(db).get_or_create_learner("Ann")
    path = kept_expectation_path(SCHEMA_VERSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [[o.kind, o.name, o.table, list(o.detail)] for o in expected_schema(6).values()]
    rows.append(["table", "not_in_quizapp", "not_in_quizapp", [["id", "INTEGER", 0, 1]]])
    path.write_text(json.dumps(rows))
    kept_schema.cache_clear()
    reopened = ScoreStore.open(db)
    assert reopened.recovered_from is None
    assert [learner.name for learner in reopened.learners()] == ["Ann"]


def test_damage_is_still_found_with_the_expectation_kept(tmp_path: Path) -> None:
    db = tmp_path / "scores.db"
    ScoreStore.open(db).get_or_create_learner("Ann")
    ScoreStore.open(db)
    assert kept_expectation_path(SCHEMA_VERSION).is_file()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP INDEX answers_by_card")
    conn.close()
    reopened = ScoreStore.open(db)
    assert reopened.recovered_from is not None
    assert "index answers_by_card is missing" in (reopened.recovery_message or "")


def test_the_kept_file_is_named_after_the_migrations() -> None:
    """Another schema version (or other migrations) never reads this one's file."""
    assert kept_expectation_path(SCHEMA_VERSION) != kept_expectation_path(SCHEMA_VERSION - 1)
