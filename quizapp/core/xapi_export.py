"""All the xAPI statements a score store's records make, as `quizapp export --format xapi`
writes them and `quizapp sync` sends them: each answer and finished attempt
(`quizapp.core.xapi`), then each flashcard rating (`quizapp.core.xapi_flashcards`).

The output of `write_statements` is a JSON array of statements, ready to POST to an LRS's
`statements` resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from quizapp.core.decks.model import Deck
from quizapp.core.store import Attempt, Learner, ReviewExport, ScoreStore
from quizapp.core.xapi import actor, answer_statement, attempt_statement, check_home_page
from quizapp.core.xapi_flashcards import review_statement


def statements(
    pairs: Iterable[tuple[Learner, Attempt]],
    decks: Mapping[str, Deck],
    home_page: str,
    *,
    account_names: Mapping[int, str],
    reviews: Iterable[tuple[Learner, ReviewExport]] = (),
    display_names: bool = False,
) -> list[dict[str, Any]]:
    """Every statement for these attempts (each answer, then the attempt's own) and reviews.

    Args:
        pairs: (learner, attempt) pairs, e.g. from `ScoreStore.export_rows`.
        decks: Loaded decks by id; a missing deck only shortens the definitions.
        home_page: `Settings.xapi_home_page` (the account homePage).
        account_names: Each learner's pseudonymous id by learner id
            (`ScoreStore.xapi_ids`).
        reviews: (learner, flashcard rating) pairs, e.g. from `ScoreStore.export_reviews`.
        display_names: Send each learner's display name too (the organisation opted in).

    Returns:
        Statements in the pairs' order, then the reviews'; discarded attempts are skipped.

    Raises:
        KeyError: A learner has no pseudonymous id in `account_names`.
    """

    def agent_of(learner: Learner) -> dict[str, Any]:
        name = learner.name if display_names else None
        return actor(account_names[learner.id], home_page, name)

    result: list[dict[str, Any]] = []
    for learner, attempt in pairs:
        if attempt.status == "discarded":
            continue
        deck = decks.get(attempt.deck_id)
        agent = agent_of(learner)
        result += [
            answer_statement(learner, attempt, answer, deck, home_page, agent=agent)
            for answer in attempt.answers
        ]
        closing = attempt_statement(learner, attempt, deck, home_page, agent=agent)
        if closing is not None:
            result.append(closing)
    for learner, review in reviews:
        deck = decks.get(review.deck_id)
        result.append(review_statement(learner, review, deck, home_page, agent=agent_of(learner)))
    return result


def store_statements(
    store: ScoreStore,
    *,
    decks: Mapping[str, Deck],
    home_page: str,
    learner: str | None = None,
    display_names: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """Every statement the store's records make: answers, attempts and flashcard ratings.

    Args:
        store: The score store.
        decks: Loaded decks by id.
        home_page: `Settings.xapi_home_page`.
        learner: Only this learner (name, ignoring case); everyone when None.
        display_names: Send display names too (`Settings.xapi_send_display_name`).

    Returns:
        The statements, and the number of attempts they cover (discarded ones are not).

    Raises:
        NotFoundError: No learner has this name.
        ValueError: `home_page` is not an http(s) URL (xAPI needs an IRL there).
    """
    check_home_page(home_page)
    pairs = [pair for pair in store.export_rows(learner) if pair[1].status != "discarded"]
    found = statements(
        pairs,
        decks,
        home_page,
        account_names=store.xapi_ids(),
        reviews=store.export_reviews(learner),
        display_names=display_names,
    )
    return found, len(pairs)


def write_statements(
    store: ScoreStore,
    out: TextIO,
    *,
    decks: Mapping[str, Deck],
    home_page: str,
    learner: str | None = None,
    display_names: bool = False,
) -> int:
    """Write the statements as a JSON array.

    Args:
        store: The score store.
        out: Where to write.
        decks: Loaded decks by id.
        home_page: `Settings.xapi_home_page`.
        learner: Only this learner (name, ignoring case); everyone when None.
        display_names: Send display names too (`Settings.xapi_send_display_name`).

    Returns:
        The number of attempts exported (discarded attempts are not).

    Raises:
        NotFoundError: No learner has this name.
        ValueError: `home_page` is not an http(s) URL (xAPI needs an IRL there).
    """
    found, attempts = store_statements(
        store, decks=decks, home_page=home_page, learner=learner, display_names=display_names
    )
    json.dump(found, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return attempts
