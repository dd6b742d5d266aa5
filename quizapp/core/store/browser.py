"""The card browser's reads and writes: the search index of card text, searching it with
filters, one card's answers for a learner, suspending flashcards, and the mistakes list.

Card text lives in the decks' YAML files, not here; the index is a copy the app
refreshes whenever a deck's cards change (`sync_card_index` compares a hash per deck), so
a search is one indexed SQLite query instead of a pass over every card in Python. The
text is in an FTS5 table with trigram tokens: any run of three or more characters is
found through the index, whatever the case. Shorter searches fall back to LIKE over the
few hundred indexed cards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from quizapp.core.store.database import Database
from quizapp.core.store.learners import learner_in
from quizapp.core.store.records import (
    BrowserRow,
    CardAnswer,
    IndexedCard,
    Mistake,
    from_db_time,
    optional_time,
    to_db_time,
)

SEARCH_SQL = """
    SELECT c.deck_id, d.deck_title, c.card_id, c.card_type, c.topic, c.critical,
           t.prompt, s.due, la.correct AS last_correct,
           sp.card_id IS NOT NULL AS suspended
    FROM card_index c
    JOIN card_index_decks d ON d.deck_id = c.deck_id
    JOIN card_text t ON t.rowid = c.id
    LEFT JOIN card_states s
        ON s.learner_id = :learner AND s.deck_id = c.deck_id AND s.card_id = c.card_id
    LEFT JOIN latest_answers la
        ON la.learner_id = :learner AND la.deck_id = c.deck_id AND la.card_id = c.card_id
    LEFT JOIN suspended_cards sp
        ON sp.learner_id = :learner AND sp.deck_id = c.deck_id AND sp.card_id = c.card_id
    WHERE (:match IS NULL OR c.id IN (SELECT rowid FROM card_text WHERE card_text MATCH :match))
      AND (:like IS NULL OR t.prompt LIKE :like ESCAPE '\\' OR t.answers LIKE :like ESCAPE '\\'
           OR t.explanation LIKE :like ESCAPE '\\')
      AND (:deck IS NULL OR c.deck_id = :deck)
      AND (:topic IS NULL OR c.topic = :topic)
      AND (:card_type IS NULL OR c.card_type = :card_type)
      AND (:critical IS NULL OR c.critical = :critical)
      AND (NOT :due_only OR s.due <= :now)
      AND (NOT :wrong_only OR la.correct = 0)
      AND (NOT :suspended_only OR sp.card_id IS NOT NULL)
    ORDER BY c.deck_id, c.position
"""

CARD_ANSWERS_SQL = """
    SELECT n.answered_at, n.correct, n.elapsed_ms, a.mode
    FROM answers n JOIN attempts a ON a.id = n.attempt_id
    WHERE n.deck_id = :deck AND n.card_id = :card AND a.learner_id = :learner
      AND a.status IN ('unfinished', 'finished')
    ORDER BY n.id DESC
"""

MISTAKES_SQL = """
    SELECT deck_id, card_id, answered_at FROM latest_answers
    WHERE learner_id = :learner AND correct = 0
    ORDER BY answered_at DESC, answer_id DESC
"""

# Trigram tokens need three characters; a shorter search is matched with LIKE instead.
_TRIGRAM = 3


class CardFilters(NamedTuple):
    """What a browser search asks for; every filter left None (or False) matches all.

    Attributes:
        text: Text the card's prompt, answers or explanation must contain (any case).
        deck_id: Only this deck.
        topic: Only this topic.
        card_type: Only this type of card.
        critical: Only must-know cards (True) or only the others (False).
        due_only: Only cards whose flashcard schedule has them due now.
        wrong_only: Only cards whose latest answer was wrong.
        suspended_only: Only suspended cards.
    """

    text: str = ""
    deck_id: str | None = None
    topic: str | None = None
    card_type: str | None = None
    critical: bool | None = None
    due_only: bool = False
    wrong_only: bool = False
    suspended_only: bool = False


def search_parameters(
    filters: CardFilters, learner_id: int | None, now: datetime
) -> dict[str, Any]:
    """The named parameters of `SEARCH_SQL` for a search."""
    text = filters.text.strip()
    match = like = None
    if len(text) >= _TRIGRAM:
        # One quoted phrase: FTS5 query syntax (AND, NEAR, *, quotes) in the text is
        # searched for literally.
        match = '"' + text.replace('"', '""') + '"'
    elif text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
    return {
        "learner": learner_id,
        "match": match,
        "like": like,
        "deck": filters.deck_id,
        "topic": filters.topic,
        "card_type": filters.card_type,
        "critical": None if filters.critical is None else int(filters.critical),
        "due_only": int(filters.due_only),
        "wrong_only": int(filters.wrong_only),
        "suspended_only": int(filters.suspended_only),
        "now": to_db_time(now),
    }


class BrowserQueries(Database):
    """The card-browser part of `ScoreStore`."""

    def card_index_hashes(self) -> dict[str, str]:
        """The hash each indexed deck had when its cards were indexed, by deck id."""
        with self._connect() as conn:
            rows = conn.execute("SELECT deck_id, deck_hash FROM card_index_decks").fetchall()
        return {row["deck_id"]: row["deck_hash"] for row in rows}

    def sync_card_index(
        self,
        decks: Mapping[str, tuple[str, str, Sequence[IndexedCard]]],
    ) -> list[str]:
        """Make the search index hold exactly these decks' cards.

        A deck whose hash is unchanged is left alone; a changed or new deck has its cards
        replaced; an indexed deck not given is removed. One transaction.

        Args:
            decks: Deck id to (title, hash of the deck's cards, its cards in deck order).

        Returns:
            The ids of the decks (re)indexed or removed.
        """
        changed: list[str] = []
        with self._connect(write=True) as conn:
            stored = {
                row["deck_id"]: (row["deck_title"], row["deck_hash"])
                for row in conn.execute(
                    "SELECT deck_id, deck_title, deck_hash FROM card_index_decks"
                )
            }
            for deck_id in sorted(set(stored) - set(decks)):
                _drop_deck(conn, deck_id)
                changed.append(deck_id)
            for deck_id, (title, deck_hash, cards) in decks.items():
                if stored.get(deck_id) == (title, deck_hash):
                    continue
                _drop_deck(conn, deck_id)
                conn.execute(
                    "INSERT INTO card_index_decks (deck_id, deck_title, deck_hash)"
                    " VALUES (?, ?, ?)",
                    (deck_id, title, deck_hash),
                )
                for position, card in enumerate(cards):
                    cursor = conn.execute(
                        "INSERT INTO card_index (deck_id, card_id, position, card_hash,"
                        " card_type, topic, critical) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            deck_id,
                            card.card_id,
                            position,
                            card.card_hash,
                            card.card_type,
                            card.topic,
                            int(card.critical),
                        ),
                    )
                    conn.execute(
                        "INSERT INTO card_text (rowid, prompt, answers, explanation)"
                        " VALUES (?, ?, ?, ?)",
                        (cursor.lastrowid, card.prompt, card.answers, card.explanation),
                    )
                changed.append(deck_id)
        return changed

    def search_cards(
        self, filters: CardFilters, learner_id: int | None, now: datetime
    ) -> list[BrowserRow]:
        """Indexed cards matching `filters`, in deck order, with the learner's record.

        Args:
            filters: What to look for.
            learner_id: Whose schedule, answers and suspensions to show and filter by
                (None: nobody's; the learner filters then match nothing).
            now: The current time, for "due".

        Returns:
            The matching cards, by deck id then position in the deck.
        """
        with self._connect() as conn:
            rows = conn.execute(SEARCH_SQL, search_parameters(filters, learner_id, now)).fetchall()
        return [
            BrowserRow(
                deck_id=row["deck_id"],
                deck_title=row["deck_title"],
                card_id=row["card_id"],
                card_type=row["card_type"],
                topic=row["topic"],
                critical=bool(row["critical"]),
                prompt=row["prompt"],
                due=optional_time(row["due"]),
                last_correct=None if row["last_correct"] is None else bool(row["last_correct"]),
                suspended=bool(row["suspended"]),
            )
            for row in rows
        ]

    def card_answers(self, learner_id: int, deck_id: str, card_id: str) -> list[CardAnswer]:
        """Every counted answer a learner gave to one card, newest first.

        Answers of discarded attempts are left out, as in every other count.
        """
        with self._connect() as conn:
            rows = conn.execute(
                CARD_ANSWERS_SQL, {"learner": learner_id, "deck": deck_id, "card": card_id}
            ).fetchall()
        return [
            CardAnswer(
                answered_at=from_db_time(row["answered_at"]),
                correct=bool(row["correct"]),
                elapsed_ms=row["elapsed_ms"],
                mode=row["mode"],
            )
            for row in rows
        ]

    def mistakes(self, learner_id: int, deck_id: str | None = None) -> list[Mistake]:
        """Cards whose latest answer (over every session) was wrong, most recent first.

        Args:
            learner_id: Whose answers.
            deck_id: Only this deck, when given.
        """
        with self._connect() as conn:
            rows = conn.execute(MISTAKES_SQL, {"learner": learner_id}).fetchall()
        return [
            Mistake(row["deck_id"], row["card_id"], from_db_time(row["answered_at"]))
            for row in rows
            if deck_id is None or row["deck_id"] == deck_id
        ]

    def suspend_card(self, learner_id: int, deck_id: str, card_id: str, suspended: bool) -> bool:
        """Suspend a flashcard for a learner (it leaves the review queue) or un-suspend it.

        Args:
            learner_id: Whose schedule.
            deck_id: The card's deck.
            card_id: The card's id.
            suspended: True to suspend, False to un-suspend.

        Returns:
            Whether the card is suspended now, as stored.

        Raises:
            NotFoundError: No such learner.
        """
        key = (learner_id, deck_id, card_id)
        with self._connect(write=True) as conn:
            learner_in(conn, learner_id)
            if suspended:
                conn.execute(
                    "INSERT INTO suspended_cards (learner_id, deck_id, card_id, suspended_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (*key, to_db_time(self._now())),
                )
            else:
                conn.execute(
                    "DELETE FROM suspended_cards WHERE learner_id = ? AND deck_id = ?"
                    " AND card_id = ?",
                    key,
                )
            row = conn.execute(
                "SELECT 1 FROM suspended_cards WHERE learner_id = ? AND deck_id = ?"
                " AND card_id = ?",
                key,
            ).fetchone()
        return row is not None

    def suspended_cards(self, learner_id: int, deck_id: str) -> set[str]:
        """The ids of a deck's cards a learner suspended."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT card_id FROM suspended_cards WHERE learner_id = ? AND deck_id = ?",
                (learner_id, deck_id),
            ).fetchall()
        return {row["card_id"] for row in rows}


def _drop_deck(conn: Any, deck_id: str) -> None:
    """Remove one deck's cards from the search index (inside the caller's transaction)."""
    conn.execute(
        "DELETE FROM card_text WHERE rowid IN (SELECT id FROM card_index WHERE deck_id = ?)",
        (deck_id,),
    )
    conn.execute("DELETE FROM card_index WHERE deck_id = ?", (deck_id,))
    conn.execute("DELETE FROM card_index_decks WHERE deck_id = ?", (deck_id,))
