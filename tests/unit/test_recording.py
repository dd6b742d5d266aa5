"""`quizapp.core.recording` and the export file policy, without a UI: an attempt started,
answered, resumed, finished or discarded through the functions the screens call.

Everything is real: the UI test deck and a SQLite file under `tmp_path`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizapp.core import recording
from quizapp.core.decks.loading import load_decks
from quizapp.core.decks.model import Deck, MultiCard, OrderCard, TrueFalseCard
from quizapp.core.export import export_learner, learner_export_path
from quizapp.core.quiz import QuizSession, QuizSettings, Response, right_answer
from quizapp.core.store import NotFoundError, ScoreStore

ALL_TYPES = Path(__file__).resolve().parents[1] / "data" / "decks" / "ui" / "all-types.yaml"
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def deck() -> Deck:
    result = load_decks([ALL_TYPES])
    assert not result.errors, [str(error) for error in result.errors]
    (loaded,) = result.decks
    return loaded


@pytest.fixture
def store(tmp_path: Path) -> ScoreStore:
    return ScoreStore.open(tmp_path / "quizapp.db", now=lambda: NOW)


def answer_wrong_then_right(store: ScoreStore, attempt_id: int, session: QuizSession) -> None:
    """Answer the current card wrongly (an empty answer), then the next one rightly."""
    for right in (False, True):
        card = session.current
        response: Response = ""
        if right:
            if isinstance(card, TrueFalseCard):
                response = card.answer
            elif isinstance(card, MultiCard):
                response = list(card.answers)
            elif isinstance(card, OrderCard):
                response = list(card.steps)
            else:
                response = right_answer(card)
        graded = session.answer(response, 1000)
        assert graded.correct is right, card.id
        recording.record_answer(store, attempt_id, session.deck, card, graded)
        session.advance()


def test_resume_rebuilds_the_session_where_it_stopped(store: ScoreStore, deck: Deck) -> None:
    learner = store.add_learner("Ana").id
    session = QuizSession.start(deck, QuizSettings(mode="exam", shuffle=True, seed=7))
    attempt_id = recording.start_attempt(store, learner, session)
    answer_wrong_then_right(store, attempt_id, session)

    resumed = recording.resume_attempt(store, deck, attempt_id)
    assert resumed.card_ids == session.card_ids
    assert resumed.mode == "exam" and resumed.index == session.index == 2
    assert resumed.answers == session.answers
    assert [a.correct for a in resumed.answers.values()] == [False, True]

    while not resumed.finished:
        resumed.answer("", 10)
        resumed.advance()
    result = resumed.result()
    recording.finish_attempt(store, attempt_id, result)
    stored = store.attempt(attempt_id)
    assert (stored.status, stored.score, stored.max_score, stored.passed) == (
        "finished",
        result.score,
        result.max_score,
        result.passed,
    )
    assert result.passed is False and store.unfinished_attempts(learner) == []


def test_discard_sets_the_attempt_aside_and_keeps_its_answers(
    store: ScoreStore, deck: Deck
) -> None:
    learner = store.add_learner("Ana").id
    session = QuizSession.start(deck, QuizSettings(shuffle=False))
    attempt_id = recording.start_attempt(store, learner, session)
    answer_wrong_then_right(store, attempt_id, session)
    assert [a.id for a in store.unfinished_attempts(learner)] == [attempt_id]

    recording.discard_attempt(store, attempt_id)
    assert store.unfinished_attempts(learner) == []
    kept = store.attempt(attempt_id)
    assert kept.status == "discarded" and len(kept.answers) == 2
    with pytest.raises(NotFoundError):
        recording.discard_attempt(store, attempt_id + 1)


def test_export_path_uses_the_given_clock_and_a_safe_name(tmp_path: Path) -> None:
    two_hours_ahead = timezone(timedelta(hours=2))
    local = datetime(2026, 11, 21, 11, 30, 5, tzinfo=two_hours_ahead)
    assert learner_export_path(tmp_path, "Ana María", local) == (
        tmp_path / "exports" / "ana-maría-20261121T093005Z.json"
    )
    # Nothing in a name can climb out of the exports folder.
    sneaky = learner_export_path(tmp_path, "../../etc/x", local)
    assert sneaky.parent == tmp_path / "exports"
    assert sneaky.name == "etc-x-20261121T093005Z.json"
    assert learner_export_path(tmp_path, "../", local).name == "learner-20261121T093005Z.json"


def test_export_learner_writes_a_private_file_named_by_the_clock(
    store: ScoreStore, deck: Deck
) -> None:
    learner = store.add_learner("Ana").id
    session = QuizSession.start(deck, QuizSettings(shuffle=False))
    answer_wrong_then_right(store, recording.start_attempt(store, learner, session), session)

    target = export_learner(store, "Ana", NOW)
    assert target == store.path.parent / "exports" / "ana-20261121T093000Z.json"
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.parent.stat().st_mode & 0o777 == 0o700
    assert '"learner": "Ana"' in target.read_text(encoding="utf-8")
