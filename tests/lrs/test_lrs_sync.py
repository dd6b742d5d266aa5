"""`quizapp sync` against a real Learning Record Store: Ralph on 127.0.0.1 (file backend,
credentials made by `ralph auth`; see ralph_lrs.py).

The store is the seeded one of the statistics tests (Alice: five attempts, one discarded,
and seven flashcard ratings; Bob: one attempt and one rating), plus real FSRS ratings.
Every check reads the LRS back through its own `GET /xAPI/statements` (by agent, by
registration) and compares with the statements the store's records make.

Ralph's file backend takes one write batch per statements file (ralph_lrs.py explains
the limit and how `RalphLrs.restart()` frees the slot without changing Ralph). Each test
below therefore sends at most one batch of *new* statements per run of the server, and
says where it restarts the server and why. Re-sending statements the LRS holds, and
refusals, write nothing, so they need no restart.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ralph_lrs import RalphLrs, free_port

from quizapp.core import lrs_sync
from quizapp.core.flashcards import FlashcardScheduler
from quizapp.core.store import ScoreStore
from quizapp.core.xapi_export import store_statements
from tests.unit.stats_seed import Seeded, seed

REPO = Path(__file__).resolve().parents[2]
HOME = "https://care.example.org/learners"
# Fields the LRS must keep as sent (it adds `stored` and `authority`).
KEPT = ("id", "actor", "verb", "object", "result", "context", "timestamp", "version")


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    found = seed(tmp_path / "data" / "quizapp.db", tmp_path / "decks")
    (found.store.path.parent / "settings.json").write_text(
        json.dumps({"xapi_home_page": HOME}), encoding="utf-8"
    )
    scheduler = FlashcardScheduler()
    when = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)
    state = None
    for rating in (3, 3):  # two real ratings of Bob's: state, interval and due are real
        card, log = scheduler.review(state, rating, when, duration_ms=2400)
        found.store.record_review(
            found.bob, "seed-deck", "f-two", card_hash="1111222233334444",
            state=card.to_dict(), due=card.due, rating=rating, reviewed_at=when,
            review=log.to_dict(), previous_state=None if state is None else state.to_dict(),
        )  # fmt: skip
        state, when = card, card.due
    return found


class Nowhere:
    """An LRS address where nothing listens (a free port on 127.0.0.1)."""

    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{free_port()}/xAPI/"
        self.password = "unused-password"


def local_statements(seeded: Seeded) -> list[dict[str, Any]]:
    return store_statements(seeded.store, decks=seeded.decks, home_page=HOME)[0]


def kept(statement: dict[str, Any]) -> dict[str, Any]:
    return {key: statement[key] for key in KEPT if key in statement}


def sync(
    seeded: Seeded, lrs: RalphLrs | Nowhere, *args: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m quizapp sync` as a real process; the password only in its environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZAPP_")}
    env.update(
        QUIZAPP_DATA_DIR=str(seeded.store.path.parent),
        QUIZAPP_LRS_URL=lrs.url,
        QUIZAPP_LRS_USER="trainer",
        QUIZAPP_LRS_PASSWORD=lrs.password if password is None else password,
    )
    return subprocess.run(
        [sys.executable, "-m", "quizapp", "sync", "--decks", str(seeded.deck_path), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=180,
    )


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every learner record in the file, read with plain SQL (the ledger left out)."""
    tables = ("learners", "attempts", "answers", "card_states", "review_log", "topic_counts")
    with closing(sqlite3.connect(db)) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in tables}


def ledger(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        return {row[0] for row in conn.execute("SELECT statement_id FROM lrs_acknowledged")}


def assert_lrs_holds(lrs: RalphLrs, statements: list[dict[str, Any]]) -> None:
    """The LRS returns exactly these statements, field for field, by agent and registration."""
    agents = {json.dumps(s["actor"], sort_keys=True): s["actor"] for s in statements}
    assert len(agents) == 2  # Alice and Bob
    from_lrs: dict[str, dict[str, Any]] = {}
    for agent in agents.values():
        mine = [s for s in statements if s["actor"] == agent]
        theirs = lrs.statements_by_agent(agent)
        assert sorted(s["id"] for s in theirs) == sorted(s["id"] for s in mine)
        from_lrs.update({s["id"]: s for s in theirs})
    assert {s["id"]: kept(s) for s in statements} == {i: kept(s) for i, s in from_lrs.items()}
    registrations = Counter(
        s["context"]["registration"] for s in statements if "registration" in s["context"]
    )
    assert len(registrations) == 6  # A1, A2, B1, A3, A5 and Bob's attempt (A4 discarded)
    for registration, count in registrations.items():
        found = lrs.statements_by_registration(registration)
        assert len(found) == count
        expected = [kept(s) for s in statements if s["context"].get("registration") == registration]
        assert sorted(map(kept, found), key=lambda s: s["id"]) == sorted(
            expected, key=lambda s: s["id"]
        )


# --------------------------------------------------------------------------- the whole path


def test_first_sync_second_sync_rename_and_new_records(seeded: Seeded, ralph_lrs: RalphLrs) -> None:
    statements = local_statements(seeded)
    assert len(statements) == 35  # 25 quiz statements, 8 seeded ratings, Bob's 2 real ones
    before = snapshot(seeded.store.path)

    # First sync: everything, in one request (this run's one write).
    first = sync(seeded, ralph_lrs, "--batch-size", "100")
    assert first.returncode == 0, first.stderr + ralph_lrs.log()
    assert "Sent 35 statement(s)" in first.stdout and "0 refused; 0 not sent yet" in first.stdout
    assert "quizapp: 35/35 statement(s) done" in first.stderr  # progress, not on a terminal
    assert_lrs_holds(ralph_lrs, statements)
    assert ledger(seeded.store.path) == {s["id"] for s in statements}
    assert snapshot(seeded.store.path) == before  # a sync changes no learner record
    assert ralph_lrs.password not in first.stdout + first.stderr

    # Second sync: nothing new, nothing sent.
    second = sync(seeded, ralph_lrs)
    assert second.returncode == 0, second.stderr
    assert "Sent 0 statement(s)" in second.stdout and "35 were already there" in second.stdout

    # A rename changes no statement: sending everything again (--resend) gets no 409.
    # (Before the pseudonymous actor, account.name was the display name and Ralph
    # refused these with "Differing statements already exist with the same ID".) Every
    # statement is already stored and identical, so Ralph writes nothing.
    seeded.store.rename_learner(seeded.alice, "Alice Jones")
    assert local_statements(seeded) == statements
    resent = sync(seeded, ralph_lrs, "--resend", "--batch-size", "7")
    assert resent.returncode == 0, resent.stderr + ralph_lrs.log()
    assert "409" not in resent.stderr and "Sent 35 statement(s)" in resent.stdout
    assert_lrs_holds(ralph_lrs, statements)

    # A new rating after the rename: the next sync sends that one alone. Restart first:
    # this run's write slot was used by the first sync.
    ralph_lrs.restart()
    when = datetime(2025, 3, 15, 9, 0, tzinfo=UTC)
    card, log = FlashcardScheduler().review(None, 4, when)
    seeded.store.record_review(
        seeded.alice, "seed-deck", "f-gaba", card_hash="abcdefabcdefabcd", state=card.to_dict(),
        due=card.due, rating=4, reviewed_at=when, review=log.to_dict(), previous_state=None,
    )  # fmt: skip
    now = local_statements(seeded)
    third = sync(seeded, ralph_lrs)
    assert third.returncode == 0, third.stderr + ralph_lrs.log()
    assert "Sent 1 statement(s)" in third.stdout and "35 were already there" in third.stdout
    assert_lrs_holds(ralph_lrs, now)
    newest = next(s for s in now if s["id"] not in {x["id"] for x in statements})
    assert newest["result"]["response"] == "easy"
    alice_before = next(s for s in statements if s["object"]["id"].endswith("/q-single"))
    assert newest["actor"] == alice_before["actor"]  # the same account after the rename


def test_the_lrs_stopped_mid_sync_loses_nothing_and_the_next_sync_completes(
    seeded: Seeded, ralph_lrs: RalphLrs
) -> None:
    statements = local_statements(seeded)
    before = snapshot(seeded.store.path)
    endpoint = lrs_sync.LrsEndpoint(lrs_sync.normalise_url(ralph_lrs.url), "trainer",
                                    ralph_lrs.password)  # fmt: skip
    seen: list[int] = []

    def stop_after_first_batch(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 1:
            ralph_lrs.stop()  # the LRS goes away between the first and second batch

    store = ScoreStore.open(seeded.store.path)
    options = lrs_sync.SyncOptions(batch_size=10, retries=2, backoff_s=0.05)
    report = lrs_sync.sync(statements, store, endpoint, options, progress=stop_after_first_batch)
    assert report.exit_code == lrs_sync.EXIT_UNREACHABLE != 0
    assert report.sent == 10 and report.left == 25 and seen == [10]
    assert "cannot reach the LRS" in (report.failure or "")
    assert "gave up after 3 tries" in (report.failure or "")
    assert ledger(seeded.store.path) == {s["id"] for s in statements[:10]}
    assert snapshot(seeded.store.path) == before  # nothing recorded locally changed

    # The LRS is back (restarted: its one write slot went to the first batch). The next
    # sync sends the 25 others, in one request, and the LRS holds all 35.
    ralph_lrs.restart()
    done = sync(seeded, ralph_lrs)
    assert done.returncode == 0, done.stderr + ralph_lrs.log()
    assert "Sent 25 statement(s)" in done.stdout and "10 were already there" in done.stdout
    assert_lrs_holds(ralph_lrs, statements)
    assert snapshot(seeded.store.path) == before


def test_wrong_credentials_give_a_clear_message_and_exit_code(
    seeded: Seeded, ralph_lrs: RalphLrs
) -> None:
    wrong = "not-the-" + ralph_lrs.password
    done = sync(seeded, ralph_lrs, password=wrong)
    assert done.returncode == lrs_sync.EXIT_AUTH == 4
    assert "refused the user name or password (HTTP 401" in done.stderr
    assert "QUIZAPP_LRS_PASSWORD" in done.stderr and "Traceback" not in done.stderr
    assert wrong not in done.stdout + done.stderr
    assert ledger(seeded.store.path) == set()
    assert ralph_lrs.get_statements() == []


def test_a_url_without_the_xapi_part_stops_at_once_with_a_hint(
    seeded: Seeded, ralph_lrs: RalphLrs
) -> None:
    done = sync(seeded, ralph_lrs, "--url", ralph_lrs.url.replace("/xAPI/", "/"))
    assert done.returncode == lrs_sync.EXIT_USAGE == 2
    assert "is not an xAPI statements resource (HTTP 404)" in done.stderr
    assert "ends in /xAPI/" in done.stderr
    assert "Sent 0 statement(s)" in done.stdout and "35 not sent yet" in done.stdout
    assert ledger(seeded.store.path) == set()


def test_a_statement_the_lrs_refuses_is_reported_and_does_not_block_the_rest(
    seeded: Seeded, ralph_lrs: RalphLrs
) -> None:
    # Everything there is now goes to the LRS (this run's write).
    assert sync(seeded, ralph_lrs).returncode == 0
    # Two new records: an answer in Alice's unfinished review attempt, and a rating.
    store = seeded.store
    a5 = seeded.attempts["A5"]
    store.record_answer(
        a5, deck_id="seed-deck", card_id="q-tf", card_hash=seeded.deck.card("q-tf").content_hash(),
        topic="stopping-safely", critical=True, response=False, correct=True, points=1.0,
        elapsed_ms=1800,
    )  # fmt: skip
    when = datetime(2025, 3, 16, 10, 0, tzinfo=UTC)
    card, log = FlashcardScheduler().review(None, 2, when)
    store.record_review(
        seeded.alice, "seed-deck", "f-two", card_hash="abcdefabcdefabcd", state=card.to_dict(),
        due=card.due, rating=2, reviewed_at=when, review=log.to_dict(), previous_state=None,
    )  # fmt: skip
    old_ids = ledger(store.path)
    new = [s for s in local_statements(seeded) if s["id"] not in old_ids]
    assert [s["verb"]["display"]["en-US"] for s in new] == ["answered", "answered"]
    answer, rating = new
    # Some other machine (or an old version) already sent different content under the
    # answer's id: the LRS must refuse ours (409). Sent through the LRS itself, after a
    # restart that frees the write slot.
    ralph_lrs.restart()
    other = dict(answer, result=dict(answer["result"], success=False))
    with ralph_lrs.client() as http:
        assert http.post(ralph_lrs.url + "statements", json=[other]).status_code == 200
    # The sync's batch of two is refused whole; sent one by one, the rating goes through
    # (after a restart: that is a write) and the answer is reported with Ralph's reason.
    ralph_lrs.restart()
    done = sync(seeded, ralph_lrs)
    assert done.returncode == lrs_sync.EXIT_REJECTED == 1, done.stderr + ralph_lrs.log()
    assert f"the LRS refused statement {answer['id']} (answered" in done.stderr
    assert "HTTP 409: Differing statements already exist with the same ID" in done.stderr
    assert "Sent 1 statement(s)" in done.stdout and "1 refused" in done.stdout
    assert rating["id"] in ledger(store.path) and answer["id"] not in ledger(store.path)
    by_id = {s["id"]: s for s in ralph_lrs.get_statements()}
    assert kept(by_id[rating["id"]]) == kept(rating)
    assert by_id[answer["id"]]["result"]["success"] is False  # the LRS's copy, untouched
    # It stays unacknowledged: the next sync tries it again, and says so again.
    again = sync(seeded, ralph_lrs)
    assert again.returncode == 1 and answer["id"] in again.stderr
    assert "Sent 0 statement(s)" in again.stdout


def test_a_5xx_is_retried_then_reported_and_nothing_is_lost(
    seeded: Seeded, ralph_lrs: RalphLrs
) -> None:
    # Ralph answers 500 to a second write in one run (its file backend's limit): a real
    # server error, which the sync retries with back-off and then reports.
    statements = local_statements(seeded)
    with ralph_lrs.client() as http:  # this run's one write, by someone else
        assert http.post(ralph_lrs.url + "statements", json=[statements[0]]).status_code == 200
    done = sync(seeded, ralph_lrs, "--retries", "2", "--backoff", "0.05")
    assert done.returncode == lrs_sync.EXIT_UNREACHABLE == 3
    assert "answered HTTP 500" in done.stderr and "gave up after 3 tries" in done.stderr
    assert ledger(seeded.store.path) == set()
    ralph_lrs.restart()
    assert sync(seeded, ralph_lrs).returncode == 0
    assert_lrs_holds(ralph_lrs, statements)


def test_exported_statements_pass_ralphs_own_xapi_models(seeded: Seeded) -> None:
    """A validator the project did not write: Ralph's pydantic models of xAPI statements.

    (The LRS tests above also had every statement accepted by Ralph's POST, which checks
    them with its own, laxer model.)
    """
    from pydantic import ValidationError
    from ralph.models.xapi.base.statements import BaseXapiStatement

    exported = subprocess.run(
        [sys.executable, "-m", "quizapp", "export", "--format", "xapi",
         "--data-dir", str(seeded.store.path.parent), "--decks", str(seeded.deck_path)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    statements = json.loads(exported.stdout)
    assert statements == local_statements(seeded)  # what `quizapp sync` sends, too
    kinds = Counter()
    for statement in statements:
        BaseXapiStatement.model_validate(statement)  # raises on anything invalid
        kinds[statement["object"]["definition"].get("interactionType", "attempt")] += 1
    assert kinds["likert"] == 10  # the flashcard ratings
    broken = json.loads(json.dumps(statements[0]))
    broken["actor"] = {"objectType": "Agent", "account": {"name": "x"}}  # no homePage
    with pytest.raises(ValidationError):
        BaseXapiStatement.model_validate(broken)


def test_dry_run_sends_nothing_and_touches_nothing(seeded: Seeded, tmp_path: Path) -> None:
    before = snapshot(seeded.store.path)
    nobody = Nowhere()
    done = sync(seeded, nobody, "--dry-run", "--batch-size", "10")
    assert done.returncode == 0, done.stderr
    assert "Dry run: 35 of 35 statement(s) would be sent" in done.stdout
    assert "in 4 batch(es)" in done.stdout and "Nothing was sent." in done.stdout
    assert ledger(seeded.store.path) == set()
    assert snapshot(seeded.store.path) == before


def test_nothing_listening_is_offline_not_an_error_of_the_records(seeded: Seeded) -> None:
    nobody = Nowhere()
    done = sync(seeded, nobody, "--retries", "1", "--backoff", "0.05")
    assert done.returncode == 3
    assert "cannot reach the LRS at http://127.0.0.1:" in done.stderr
    assert "Nothing recorded on this machine was changed" in done.stdout
    assert ledger(seeded.store.path) == set()
