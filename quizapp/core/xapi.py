"""xAPI (Experience API 1.0.3) statements from the score store: `quizapp export --format xapi`.

Training organisations feed these to a Learning Record Store (LRS). The output is a JSON
array of statements, ready to POST to an LRS's `statements` resource.

What is sent:

* **One `answered` statement per answer** (verb `http://adlnet.gov/expapi/verbs/answered`).
  The object is the card as an Activity of type
  `http://adlnet.gov/expapi/activities/cmi.interaction` with its `interactionType`:
  single and multi cards are `choice`, true/false `true-false`, typed `fill-in`, order
  `sequencing`. When the deck is loaded the definition also carries the prompt (`name`),
  the `choices` (choice and sequencing cards) and `correctResponsesPattern`; when it is
  not, those are left out and the statement is still valid. `result` has the `response`
  in the spec's response format (choice ids joined with `[,]`; `true`/`false`; the typed
  text; the step ids in the learner's order joined with `[,]`), `success` and `duration`
  (ISO 8601, e.g. `PT4.2S`, at most 0.01 s precision as the spec advises).
* **One statement per finished attempt**: `passed` or `failed` for an exam (an exam
  without a pass mark is `completed`), `completed` for practice and review. Its object is
  the deck's exam / practice / review activity, with `result.score` `{raw, min, max,
  scaled}`, `success` (exams), `completion` and the total answering time as `duration`.
  Unfinished attempts get no such statement (their answers are still sent).
* Discarded attempts are left out entirely, as in the statistics.
* **Context**: every statement of an attempt shares `context.registration`, a UUID
  derived from the attempt (uuid5), so an LRS can group an attempt's statements.
  `contextActivities.parent` of an attempt statement is the deck activity; of an answer
  statement, the attempt's exam/practice/review activity (a question's parent is its
  quiz, as the spec's own example has it), with the deck under `grouping`.
  `context.revision` carries the deck version and `context.platform` is "quizapp".

Identity and privacy: the actor is an Agent identified by an **account**
`{"homePage": settings.xapi_home_page, "name": <learner name>}`, which the trainer
configures; no email address (`mbox`) is ever sent.

Activity ids: `<base>/decks/<deck id>` for a deck, `<base>/decks/<deck id>/<mode>` for
its exam/practice/review and `<base>/decks/<deck id>/cards/<card id>` for a card, where
`<base>` is the origin (scheme and host) of `xapi_home_page`, or `DEFAULT_ACTIVITY_BASE`
(`https://quizapp.invalid`, a reserved name that never resolves) when that has none.
Choice and step component ids are derived from their text (lower case, runs of anything
but letters and digits turned into `-`), so they do not depend on the order on screen and
the learner's stored response maps to the same ids without the deck.

Statement ids are uuid5s of the learner's creation time and id, the attempt or answer id
and its time, so exporting again gives the same ids (an LRS then recognises statements it
already has) while two machines' stores do not collide. Timestamps are UTC ISO 8601 with
milliseconds and `Z`. `version` is "1.0.0": the spec (1.0.3, Data 2.4.10) says a
Learning Record Provider that sets the version MUST set it to 1.0.0, whichever 1.0.x patch
it follows.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

from quizapp.core.decks.model import (
    Deck,
    MultiCard,
    OrderCard,
    SingleCard,
    TrueFalseCard,
    TypedCard,
)
from quizapp.core.store import AnswerRecord, Attempt, Learner, ScoreStore

XAPI_VERSION = "1.0.0"
"""The statement `version` a Learning Record Provider must set (xAPI 1.0.3, 2.4.10)."""

DEFAULT_ACTIVITY_BASE = "https://quizapp.invalid"
"""Activity id base when `xapi_home_page` has no usable origin (`.invalid` never resolves)."""

NAMESPACE = uuid.UUID("5b0c3f0e-8a51-5a4e-9d55-2f6e1f3a7c21")
"""Namespace of quizapp's uuid5 statement ids and registrations. Never change it."""

VERB_BASE = "http://adlnet.gov/expapi/verbs/"
VERBS: dict[str, str] = {
    name: VERB_BASE + name for name in ("answered", "passed", "failed", "completed")
}
"""ADL verbs used, by name."""

INTERACTION_TYPE_IRI = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT_TYPE_IRI = "http://adlnet.gov/expapi/activities/assessment"
COURSE_TYPE_IRI = "http://adlnet.gov/expapi/activities/course"

INTERACTION_TYPES: dict[str, str] = {
    "single": "choice",
    "multi": "choice",
    "true_false": "true-false",
    "typed": "fill-in",
    "order": "sequencing",
}
"""Card type to xAPI interactionType."""

MODE_NAMES = {"exam": "Exam", "practice": "Practice", "review": "Review"}

PLATFORM = "quizapp"

_DELIMITER = "[,]"


# --------------------------------------------------------------------------- small parts


def activity_base(home_page: str | None) -> str:
    """The base of quizapp's activity ids: the origin of the configured home page.

    Args:
        home_page: `Settings.xapi_home_page`.

    Returns:
        `scheme://host[:port]` of `home_page` when it is an http(s) URL with a host,
        else `DEFAULT_ACTIVITY_BASE`.
    """
    if home_page:
        parts = urlsplit(home_page.strip())
        if parts.scheme in ("http", "https") and parts.hostname:
            return f"{parts.scheme}://{parts.netloc}"
    return DEFAULT_ACTIVITY_BASE


def check_home_page(home_page: str) -> None:
    """Refuse an account homePage that is not an IRL (an http(s) URL with a host).

    Raises:
        ValueError: With a message for the user naming the setting.
    """
    parts = urlsplit(home_page or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in home_page:
        raise ValueError(
            f"the xAPI account home page {home_page!r} is not an http(s) URL; set"
            " xapi_home_page in the settings file, e.g. https://lms.example.org"
        )


def _segment(text: str) -> str:
    return quote(text, safe="")


def deck_activity_id(base: str, deck_id: str) -> str:
    """The IRI of a deck."""
    return f"{base}/decks/{_segment(deck_id)}"


def mode_activity_id(base: str, deck_id: str, mode: str) -> str:
    """The IRI of a deck's exam, practice or review."""
    return f"{deck_activity_id(base, deck_id)}/{_segment(mode)}"


def card_activity_id(base: str, deck_id: str, card_id: str) -> str:
    """The IRI of a card."""
    return f"{deck_activity_id(base, deck_id)}/cards/{_segment(card_id)}"


def component_id(text: str) -> str:
    """The interaction component id of a choice or step, derived from its text.

    Lower case, with every run of characters other than letters and digits turned into
    one `-` (so no whitespace and never the `[,]` delimiter). Two choices of a card cannot
    collide: the deck format already rejects choices that differ only in case, spaces or
    punctuation.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    slug = re.sub(r"[\W_]+", "-", folded).strip("-")
    return slug or "empty"


def duration(ms: int) -> str:
    """An ISO 8601 duration (`PnDTnHnMnS` form) to 0.01 s, e.g. 4200 -> "PT4.2S".

    Args:
        ms: Milliseconds (negative counts as 0).
    """
    hundredths = max(0, int(ms)) // 10
    seconds_total, fraction = divmod(hundredths, 100)
    minutes_total, seconds = divmod(seconds_total, 60)
    hours, minutes = divmod(minutes_total, 60)
    parts = "PT"
    if hours:
        parts += f"{hours}H"
    if minutes:
        parts += f"{minutes}M"
    if seconds or fraction or parts == "PT":
        parts += f"{seconds}.{fraction:02d}".rstrip("0").rstrip(".") + "S"
    return parts


def timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds and `Z`, e.g. "2025-03-01T09:30:00.000Z"."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def actor(learner: Learner, home_page: str) -> dict[str, Any]:
    """The learner as an xAPI Agent identified by an account (never an email)."""
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": learner.name}}


def _verb(name: str) -> dict[str, Any]:
    return {"id": VERBS[name], "display": {"en-US": name}}


def _learner_key(learner: Learner) -> str:
    # The creation time makes the key unique across machines; the name is left out so
    # renaming a learner keeps their statement ids.
    return f"learner:{learner.id}:{timestamp(learner.created_at)}"


def registration(learner: Learner, attempt: Attempt) -> str:
    """The stable registration UUID of an attempt."""
    name = f"{_learner_key(learner)}:attempt:{attempt.id}:{timestamp(attempt.started_at)}"
    return str(uuid.uuid5(NAMESPACE, name))


def _statement_id(learner: Learner, kind: str, record_id: int, moment: datetime) -> str:
    name = f"{_learner_key(learner)}:{kind}:{record_id}:{timestamp(moment)}"
    return str(uuid.uuid5(NAMESPACE, name))


def _lang(deck: Deck | None) -> str:
    return deck.language if deck is not None else "en"


# --------------------------------------------------------------------------- responses


def response_string(card_type: str | None, response: Any) -> str:
    """A stored response in the xAPI response format of its interaction type.

    Args:
        card_type: The card's type ("single", "multi", ...), or None when unknown (the
            deck is not loaded): then the format is inferred from the JSON value, which
            has the same shape for each type (see `quizapp.core.quiz`).
        response: The response as stored.

    Returns:
        choice: component ids joined with `[,]`; true-false: "true"/"false"; fill-in:
        the typed text; sequencing: step ids in the learner's order joined with `[,]`.
    """
    if isinstance(response, bool):
        return "true" if response else "false"
    if isinstance(response, list):
        return _DELIMITER.join(component_id(str(item)) for item in response)
    if isinstance(response, str):
        if card_type == "single":
            return component_id(response)
        return response
    return "" if response is None else json.dumps(response, ensure_ascii=False)


def _interaction_type(card_type: str | None, response: Any) -> str | None:
    if card_type is not None:
        return INTERACTION_TYPES.get(card_type)
    if isinstance(response, bool):
        return "true-false"
    return None  # a list or a string could be several types; leave it unsaid


def _components(texts: Iterable[str], lang: str) -> list[dict[str, Any]]:
    return [{"id": component_id(text), "description": {lang: text}} for text in texts]


def card_definition(deck: Deck | None, card_id: str, card_type: str | None) -> dict[str, Any]:
    """The Activity definition of a card (`cmi.interaction`).

    Args:
        deck: The loaded deck, or None.
        card_id: The card.
        card_type: The card's type when known.

    Returns:
        `type`, plus `interactionType` when known, plus `name`, components and
        `correctResponsesPattern` when the card is loaded.
    """
    definition: dict[str, Any] = {"type": INTERACTION_TYPE_IRI}
    card = None
    if deck is not None:
        try:
            card = deck.card(card_id)
        except KeyError:
            card = None
    if card is None or card.type == "flashcard":
        if card_type in INTERACTION_TYPES:
            definition["interactionType"] = INTERACTION_TYPES[card_type]
        return definition
    lang = _lang(deck)
    definition["name"] = {lang: card.prompt}
    definition["interactionType"] = INTERACTION_TYPES[card.type]
    if isinstance(card, SingleCard):
        definition["choices"] = _components(card.choice_texts(), lang)
        definition["correctResponsesPattern"] = [component_id(card.answer)]
    elif isinstance(card, MultiCard):
        definition["choices"] = _components(card.choice_texts(), lang)
        # The order of the ids does not matter for a choice interaction; deck order.
        right = [c.text for c in card.choices if c.text in set(card.answers)]
        definition["correctResponsesPattern"] = [_DELIMITER.join(map(component_id, right))]
    elif isinstance(card, TrueFalseCard):
        definition["correctResponsesPattern"] = ["true" if card.answer else "false"]
    elif isinstance(card, TypedCard):
        # Each accepted answer is one alternative; case never matters (the default,
        # stated anyway). Matching in quizapp also ignores spaces and punctuation,
        # which no characterstring parameter can say.
        definition["correctResponsesPattern"] = [
            "{case_matters=false}" + text.replace(_DELIMITER, " ") for text in card.accepted
        ]
    elif isinstance(card, OrderCard):
        definition["choices"] = _components(card.steps, lang)
        definition["correctResponsesPattern"] = [_DELIMITER.join(map(component_id, card.steps))]
    return definition


def _card_type(deck: Deck | None, card_id: str) -> str | None:
    if deck is None:
        return None
    try:
        return deck.card(card_id).type
    except KeyError:
        return None


# --------------------------------------------------------------------------- statements


def _mode_activity(base: str, attempt: Attempt, deck: Deck | None) -> dict[str, Any]:
    title = deck.title if deck is not None else attempt.deck_title
    return {
        "objectType": "Activity",
        "id": mode_activity_id(base, attempt.deck_id, attempt.mode),
        "definition": {
            "name": {_lang(deck): f"{MODE_NAMES.get(attempt.mode, attempt.mode)}: {title}"},
            "type": ASSESSMENT_TYPE_IRI,
        },
    }


def _deck_activity(base: str, attempt: Attempt, deck: Deck | None) -> dict[str, Any]:
    title = deck.title if deck is not None else attempt.deck_title
    return {
        "objectType": "Activity",
        "id": deck_activity_id(base, attempt.deck_id),
        "definition": {"name": {_lang(deck): title}, "type": COURSE_TYPE_IRI},
    }


def answer_statement(
    learner: Learner,
    attempt: Attempt,
    answer: AnswerRecord,
    deck: Deck | None,
    home_page: str,
) -> dict[str, Any]:
    """The `answered` statement of one answer.

    Args:
        learner: Who answered.
        attempt: The attempt the answer belongs to.
        answer: The answer.
        deck: The loaded deck (None when it is not available).
        home_page: `Settings.xapi_home_page`.
    """
    base = activity_base(home_page)
    card_type = _card_type(deck, answer.card_id)
    definition = card_definition(deck, answer.card_id, card_type)
    if "interactionType" not in definition:
        inferred = _interaction_type(card_type, answer.response)
        if inferred is not None:
            definition["interactionType"] = inferred
    return {
        "id": _statement_id(learner, "answer", answer.id, answer.answered_at),
        "actor": actor(learner, home_page),
        "verb": _verb("answered"),
        "object": {
            "objectType": "Activity",
            "id": card_activity_id(base, answer.deck_id, answer.card_id),
            "definition": definition,
        },
        "result": {
            "response": response_string(card_type, answer.response),
            "success": answer.correct,
            "duration": duration(answer.elapsed_ms),
        },
        "context": {
            "registration": registration(learner, attempt),
            "contextActivities": {
                "parent": [_mode_activity(base, attempt, deck)],
                "grouping": [_deck_activity(base, attempt, deck)],
            },
            "revision": attempt.deck_version,
            "platform": PLATFORM,
        },
        "timestamp": timestamp(answer.answered_at),
        "version": XAPI_VERSION,
    }


def attempt_statement(
    learner: Learner, attempt: Attempt, deck: Deck | None, home_page: str
) -> dict[str, Any] | None:
    """The `passed`/`failed`/`completed` statement of a finished attempt.

    Args:
        learner: Who took it.
        attempt: The attempt.
        deck: The loaded deck (None when it is not available).
        home_page: `Settings.xapi_home_page`.

    Returns:
        The statement, or None when the attempt is not finished.
    """
    if attempt.status != "finished" or attempt.finished_at is None:
        return None
    if attempt.score is None or not attempt.max_score:
        return None
    base = activity_base(home_page)
    if attempt.mode == "exam" and attempt.passed is not None:
        verb = "passed" if attempt.passed else "failed"
    else:
        verb = "completed"
    result: dict[str, Any] = {
        "score": {
            "raw": attempt.score,
            "min": 0,
            "max": attempt.max_score,
            "scaled": round(attempt.score / attempt.max_score, 4),
        },
    }
    if verb != "completed":
        result["success"] = verb == "passed"
    result["completion"] = True
    result["duration"] = duration(sum(answer.elapsed_ms for answer in attempt.answers))
    return {
        "id": _statement_id(learner, "attempt", attempt.id, attempt.finished_at),
        "actor": actor(learner, home_page),
        "verb": _verb(verb),
        "object": _mode_activity(base, attempt, deck),
        "result": result,
        "context": {
            "registration": registration(learner, attempt),
            "contextActivities": {"parent": [_deck_activity(base, attempt, deck)]},
            "revision": attempt.deck_version,
            "platform": PLATFORM,
        },
        "timestamp": timestamp(attempt.finished_at),
        "version": XAPI_VERSION,
    }


def statements(
    pairs: Iterable[tuple[Learner, Attempt]],
    decks: Mapping[str, Deck],
    home_page: str,
) -> list[dict[str, Any]]:
    """Every statement for these attempts: each answer, then the attempt's own.

    Args:
        pairs: (learner, attempt) pairs, e.g. from `ScoreStore.export_rows`.
        decks: Loaded decks by id; a missing deck only shortens the definitions.
        home_page: `Settings.xapi_home_page` (the account homePage).

    Returns:
        Statements in the pairs' order; discarded attempts are skipped.
    """
    result: list[dict[str, Any]] = []
    for learner, attempt in pairs:
        if attempt.status == "discarded":
            continue
        deck = decks.get(attempt.deck_id)
        result += [
            answer_statement(learner, attempt, answer, deck, home_page)
            for answer in attempt.answers
        ]
        closing = attempt_statement(learner, attempt, deck, home_page)
        if closing is not None:
            result.append(closing)
    return result


def write_statements(
    store: ScoreStore,
    out: TextIO,
    *,
    decks: Mapping[str, Deck],
    home_page: str,
    learner: str | None = None,
) -> int:
    """Write the statements as a JSON array.

    Args:
        store: The score store.
        out: Where to write.
        decks: Loaded decks by id.
        home_page: `Settings.xapi_home_page`.
        learner: Only this learner (name, ignoring case); everyone when None.

    Returns:
        The number of attempts exported (discarded attempts are not).

    Raises:
        NotFoundError: No learner has this name.
        ValueError: `home_page` is not an http(s) URL (xAPI needs an IRL there).
    """
    check_home_page(home_page)
    pairs = [pair for pair in store.export_rows(learner) if pair[1].status != "discarded"]
    json.dump(statements(pairs, decks, home_page), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(pairs)
