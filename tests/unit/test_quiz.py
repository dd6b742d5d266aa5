"""The quiz engine: planning, grading and the exam's two pass rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.core.decks.loading import load_deck
from quizapp.core.decks.model import Deck
from quizapp.core.quiz import (
    GradedAnswer,
    QuizSession,
    QuizSettings,
    describe_response,
    is_correct,
    plan_quiz,
    right_answer,
    shuffled_steps,
)

DECKS = Path(__file__).resolve().parents[1] / "data" / "decks"


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(DECKS / "ui" / "all-types.yaml")


def right_response(card):  # type: ignore[no-untyped-def]
    return {
        "single": lambda: card.answer,
        "multi": lambda: [t for t in card.choice_texts() if t in card.answers],
        "true_false": lambda: card.answer,
        "typed": lambda: card.accepted[0],
        "order": lambda: list(card.steps),
    }[card.type]()


def test_every_card_type_grades_right_and_wrong(deck: Deck) -> None:
    for card in deck.quiz_cards:
        assert is_correct(card, right_response(card)), card.id
    single, multi, tf, typed, order = (
        deck.card(i) for i in ("q-single", "q-multi", "q-tf", "q-typed", "q-order")
    )
    assert not is_correct(
        single,
        single.choice_texts()[0]
        if single.answer != single.choice_texts()[0]
        else single.choice_texts()[1],
    )
    assert not is_correct(multi, multi.answers[:1])  # all-or-nothing: a partial pick is wrong
    assert not is_correct(multi, multi.choice_texts())
    assert not is_correct(tf, not tf.answer)
    assert is_correct(typed, "  " + typed.accepted[0].upper() + "!! ")
    assert not is_correct(typed, "something else")
    assert not is_correct(order, list(reversed(order.steps)))


def test_shuffled_steps_are_never_already_in_order_and_are_stable(deck: Deck) -> None:
    order = deck.card("q-order")
    for seed in range(50):
        steps = shuffled_steps(order, seed)
        assert steps != list(order.steps)
        assert sorted(steps) == sorted(order.steps)
        assert steps == shuffled_steps(order, seed)


def test_plan_filters_topics_and_limits_count(deck: Deck) -> None:
    ids = plan_quiz(deck, QuizSettings(topics=("mechanism",), shuffle=False))
    assert ids and all(deck.card(i).topic == "mechanism" for i in ids)
    assert len(plan_quiz(deck, QuizSettings(count=2, seed=3))) == 2
    assert plan_quiz(deck, QuizSettings(seed=7)) == plan_quiz(deck, QuizSettings(seed=7))


def test_exam_always_includes_every_critical_card(deck: Deck) -> None:
    critical = {card.id for card in deck.quiz_cards if card.critical}
    for seed in range(20):
        ids = plan_quiz(deck, QuizSettings(mode="exam", count=1, seed=seed))
        assert critical <= set(ids)


def play(deck: Deck, settings: QuizSettings, wrong: set[str]) -> QuizSession:
    session = QuizSession.start(deck, settings)
    while not session.finished:
        card = session.current
        response = right_response(card)
        if card.id in wrong:
            response = (
                "definitely wrong"
                if card.type in ("single", "typed")
                else ([] if card.type in ("multi", "order") else not card.answer)
            )
        session.answer(response, 100)
        session.advance()
    return session


def test_exam_passes_with_everything_right(deck: Deck) -> None:
    result = play(deck, QuizSettings(mode="exam", shuffle=False), wrong=set()).result()
    assert result.passed is True and result.score == result.max_score


def test_exam_fails_on_one_missed_critical_card_even_above_the_pass_mark(deck: Deck) -> None:
    critical = next(card.id for card in deck.quiz_cards if card.critical)
    result = play(deck, QuizSettings(mode="exam", shuffle=False), wrong={critical}).result()
    assert result.score_ok and not result.critical_ok and result.passed is False
    assert result.missed_critical == [critical]
    assert "must-know" in result.verdict() and "pass mark" not in result.verdict()


def test_exam_fails_below_the_pass_mark(deck: Deck) -> None:
    plain = [card.id for card in deck.quiz_cards if not card.critical]
    result = play(deck, QuizSettings(mode="exam", shuffle=False), wrong=set(plain)).result()
    assert not result.score_ok and result.critical_ok and result.passed is False
    assert "below the pass mark" in result.verdict()


def test_practice_has_no_pass_or_fail(deck: Deck) -> None:
    result = play(deck, QuizSettings(mode="practice"), wrong=set()).result()
    assert result.passed is None


def test_per_topic_scores_add_up(deck: Deck) -> None:
    session = play(deck, QuizSettings(shuffle=False), wrong={"q-single"})
    result = session.result()
    assert sum(t.total for t in result.per_topic) == session.total
    assert sum(t.correct for t in result.per_topic) == session.total - 1
    assert [a.card_id for a in result.missed] == ["q-single"]


def test_resume_continues_at_the_first_unanswered_card(deck: Deck) -> None:
    settings = QuizSettings(seed=5)
    first = QuizSession.start(deck, settings)
    done = [GradedAnswer(first.card_ids[0], "x", False, 0.0, 10)]
    resumed = QuizSession.resume(deck, settings.to_plan(first.card_ids), done)
    assert resumed.card_ids == first.card_ids
    assert resumed.index == 1 and resumed.answers[first.card_ids[0]].response == "x"


def test_resume_drops_cards_removed_from_the_deck(deck: Deck) -> None:
    plan = QuizSettings().to_plan(["gone", "q-tf"])
    assert QuizSession.resume(deck, plan, []).card_ids == ["q-tf"]


def test_answers_are_written_out_for_people(deck: Deck) -> None:
    assert right_answer(deck.card("q-tf")) in ("True", "False")
    assert " → " in right_answer(deck.card("q-order"))
    assert describe_response(None) == "(no answer)"
    assert describe_response(["a", "b"]) == "a; b"
    assert describe_response(False) == "False"
