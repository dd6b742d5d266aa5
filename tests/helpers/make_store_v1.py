"""Build tests/data/store-v1.db: a score database at schema version 1.

Run from the repository root: `python tests/helpers/make_store_v1.py [OUT]`.

It goes through the real migration code, stopped at version 1, and the store's own
methods (which at version 1 touch only version-1 tables), so the fixture is exactly what
a version-1 quizapp wrote. The committed file must not be regenerated once a later
schema changes those methods; it stands for files already on users' disks.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizapp.core.store import ScoreStore

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "store-v1.db"


class SteppingClock:
    """Starts at 2025-01-15 09:00:00 UTC and moves on one second per reading."""

    def __init__(self) -> None:
        self._moment = datetime(2025, 1, 15, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        moment = self._moment
        self._moment += timedelta(seconds=1)
        return moment


def build(out: Path) -> None:
    """Write the version-1 fixture to `out` (which must not exist)."""
    if out.exists():
        raise SystemExit(f"{out} exists; remove it first")
    store = ScoreStore._open(out, now=SteppingClock(), target_version=1)
    assert store.schema_version() == 1
    ann = store.add_learner("Ann Example")
    store.acknowledge_notice(ann.id)
    exam = store.start_attempt(
        ann.id,
        "diazepam",
        "1.0.0",
        "Diazepam (Valium)",
        "exam",
        {"cards": ["how-it-works", "stop-taper", "drowsy-driving"], "shuffle": False},
        pass_mark=0.8,
    )
    answers = [
        (
            "how-it-works",
            "a1b2c3d4e5f60718",
            "mechanism",
            False,
            {"choice": "It calms the brain"},
            True,
            1.0,
            5200,
        ),
        (
            "stop-taper",
            "0011223344556677",
            "stopping-safely",
            True,
            {"choice": "Stop at once"},
            False,
            0.0,
            8100,
        ),
        ("drowsy-driving", "8899aabbccddeeff", "adverse-effects", True, True, True, 1.0, 3900),
    ]
    for card_id, card_hash, topic, critical, response, correct, points, elapsed in answers:
        store.record_answer(
            exam,
            deck_id="diazepam",
            card_id=card_id,
            card_hash=card_hash,
            topic=topic,
            critical=critical,
            response=response,
            correct=correct,
            points=points,
            elapsed_ms=elapsed,
        )
    store.finish_attempt(exam, 2.0, 3.0, False)
    practice = store.start_attempt(
        ann.id, "diazepam", "1.0.0", "Diazepam (Valium)", "practice", {"cards": ["stop-taper"]}
    )
    store.record_answer(
        practice,
        deck_id="diazepam",
        card_id="stop-taper",
        card_hash="0011223344556677",
        topic="stopping-safely",
        critical=True,
        response={"choice": "Ask the prescriber about a taper"},
        correct=True,
        points=1.0,
        elapsed_ms=4400,
    )


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
