"""Record answers into a score store from a separate process, for durability tests.

Usage: python store_writer.py DB --count N [--learner NAME] [--go FILE]

Prints `ready` once the store is open, then (after FILE exists, with `--go`) records
answers one by one and prints each answer id as soon as `record_answer` has returned,
flushing every line: a printed id is a promise that the answer is on disk. `--count 0`
records until killed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from quizapp.core.store import ScoreStore

GO_WAIT_LIMIT_S = 120.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--learner", default="Writer")
    parser.add_argument("--go", type=Path)
    args = parser.parse_args()

    store = ScoreStore.open(args.db)
    learner = store.get_or_create_learner(args.learner)
    attempt = store.start_attempt(
        learner.id, "diazepam", "1.0.0", "Diazepam", "practice", {"cards": []}
    )
    print("ready", flush=True)
    if args.go is not None:
        # A start line for several writers, so their writes really overlap. Polling a
        # file keeps the test free of sleeps and timing assumptions.
        waited = 0.0
        while not args.go.exists():
            if waited > GO_WAIT_LIMIT_S:
                print("gave up waiting for the go file", file=sys.stderr)
                return 3
            time.sleep(0.005)
            waited += 0.005
    n = 0
    while args.count == 0 or n < args.count:
        answer_id = store.record_answer(
            attempt,
            deck_id="diazepam",
            card_id=f"card-{n}",  # one answer per card and attempt
            card_hash=f"{n:016x}",
            topic="uses",
            critical=n % 7 == 0,
            response={"choice": f"option {n}", "writer": args.learner},
            correct=n % 3 != 0,
            points=1.0 if n % 3 else 0.0,
            elapsed_ms=n,
        )
        print(answer_id, flush=True)
        n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
