"""The score store: every learner, attempt, answer and flashcard review, kept in one
local SQLite file.

Scores reveal which medicine a person takes, so the file is private (0600, in a 0700
folder) and never leaves the machine except through an explicit `quizapp export`.

Callers use one class, `ScoreStore` (open it with `ScoreStore.open(path)`), and import
every name from here. Inside, each topic has its own room:

* `database`: the file itself: private creation, health check, moving a damaged file
  aside, WAL, running migrations, connections (why each is done so is written there);
* `schema`: tables, indexes and triggers, as forward-only migrations;
* `schema_check`: the file's tables, indexes, triggers and columns compared with the
  schema on open (anything missing is damage);
* `claims`: one window at a time per unfinished attempt;
* `backup`: the copies made before a migration and before deleting a learner;
* `records`: the record types handed back, and how rows become them (by column name);
* `learners`, `attempts`, `reviews`, `statistics`, `export`: the queries, by topic;
* `lrs`: learners' pseudonymous xAPI ids and what each Learning Record Store acknowledged;
* `browser` (card search index, suspended cards, mistakes) and `progress` (per-day
  activity and the due forecast): the studying features of schema version 5.
"""

from __future__ import annotations

from quizapp.core.store.attempts import ATTEMPT_ANSWERS_SQL as _ATTEMPT_ANSWERS_SQL
from quizapp.core.store.attempts import HISTORY_AFTER_SQL as _HISTORY_AFTER_SQL
from quizapp.core.store.attempts import HISTORY_COUNT_SQL as _HISTORY_COUNT_SQL
from quizapp.core.store.attempts import HISTORY_PAGE_SIZE, AttemptQueries
from quizapp.core.store.attempts import HISTORY_SQL as _HISTORY_SQL
from quizapp.core.store.attempts import UNFINISHED_SQL as _UNFINISHED_SQL
from quizapp.core.store.browser import CARD_ANSWERS_SQL as _CARD_ANSWERS_SQL
from quizapp.core.store.browser import MISTAKES_SQL as _MISTAKES_SQL
from quizapp.core.store.browser import SEARCH_SQL as _SEARCH_SQL
from quizapp.core.store.browser import BrowserQueries, CardFilters
from quizapp.core.store.claims import CLAIM_TTL, ClaimQueries, new_owner_token
from quizapp.core.store.database import BUSY_TIMEOUT_S
from quizapp.core.store.errors import (
    AnswerRefusedError,
    AttemptClaimedError,
    AttemptClosedError,
    DiskFullError,
    InvalidNameError,
    NameTakenError,
    NotFoundError,
    StoreDamagedError,
    StoreError,
)
from quizapp.core.store.export import ExportQueries
from quizapp.core.store.learners import MAX_NAME_LENGTH, LearnerQueries
from quizapp.core.store.lrs import LrsQueries
from quizapp.core.store.progress import DAILY_ACTIVITY_SQL as _DAILY_ACTIVITY_SQL
from quizapp.core.store.progress import DUE_FORECAST_SQL as _DUE_FORECAST_SQL
from quizapp.core.store.progress import ProgressQueries
from quizapp.core.store.records import (
    MODES,
    AnswerRecord,
    Attempt,
    AttemptSummary,
    BrowserRow,
    CardAnswer,
    DayActivity,
    DeckScore,
    IndexedCard,
    Learner,
    Mistake,
    Mode,
    ReviewExport,
    ReviewRecord,
    Status,
    StoredCardState,
    TopicAccuracy,
    from_db_time,
    to_db_time,
)
from quizapp.core.store.reviews import ReviewQueries
from quizapp.core.store.schema import MIGRATIONS, SCHEMA_VERSION
from quizapp.core.store.statistics import ANSWERED_HASHES_SQL as _ANSWERED_HASHES_SQL
from quizapp.core.store.statistics import DECK_SCORES_SQL as _DECK_SCORES_SQL
from quizapp.core.store.statistics import TOPIC_ACCURACY_SQL as _TOPIC_ACCURACY_SQL
from quizapp.core.store.statistics import StatisticsQueries

__all__ = [
    "BUSY_TIMEOUT_S",
    "CLAIM_TTL",
    "HISTORY_PAGE_SIZE",
    "AnswerRefusedError",
    "AttemptClaimedError",
    "DiskFullError",
    "InvalidNameError",
    "new_owner_token",
    "MAX_NAME_LENGTH",
    "MIGRATIONS",
    "MODES",
    "SCHEMA_VERSION",
    "AnswerRecord",
    "Attempt",
    "AttemptClosedError",
    "AttemptSummary",
    "BrowserRow",
    "CardAnswer",
    "CardFilters",
    "DayActivity",
    "DeckScore",
    "IndexedCard",
    "Learner",
    "Mistake",
    "Mode",
    "NameTakenError",
    "NotFoundError",
    "ReviewExport",
    "ReviewRecord",
    "ScoreStore",
    "Status",
    "StoreDamagedError",
    "StoreError",
    "StoredCardState",
    "TopicAccuracy",
    "from_db_time",
    "to_db_time",
]


class ScoreStore(
    LearnerQueries,
    AttemptQueries,
    ReviewQueries,
    StatisticsQueries,
    ExportQueries,
    LrsQueries,
    BrowserQueries,
    ProgressQueries,
    ClaimQueries,
):
    """Learners, attempts, answers and flashcard reviews in a local SQLite file.

    Create it with `ScoreStore.open(path)`. Every method opens its own short connection,
    so one store object may be shared by threads and the same file by processes.

    The methods come from one class per topic, each a `Database` (the file, its
    connections and its clock): `LearnerQueries`, `AttemptQueries`, `ReviewQueries`,
    `StatisticsQueries`, `ExportQueries`, `LrsQueries`, `BrowserQueries` and
    `ProgressQueries`. Look there for a method's code; this class only puts them together.

    Attributes:
        path: The database file.
        recovered_from: When `open` found the file damaged, where it was moved to
            (`quizapp.db.corrupt-<UTC timestamp>`); otherwise None.
        backed_up_to: When `open` migrated an older schema, the backup made first
            (`quizapp.db.bak-v<old>-<UTC timestamp>`); otherwise None.
    """


_READ_QUERIES: dict[str, str] = {
    "history": _HISTORY_SQL,
    "history_page": _HISTORY_AFTER_SQL,  # a page after the first
    "history_count": _HISTORY_COUNT_SQL,
    "unfinished_attempts": _UNFINISHED_SQL,
    "deck_scores": _DECK_SCORES_SQL,
    "topic_accuracy": _TOPIC_ACCURACY_SQL,
    "answered_hashes": _ANSWERED_HASHES_SQL,
    "attempt_answers": _ATTEMPT_ANSWERS_SQL,
    "search_cards": _SEARCH_SQL,
    "card_answers": _CARD_ANSWERS_SQL,
    "mistakes": _MISTAKES_SQL,
    "daily_activity": _DAILY_ACTIVITY_SQL,
    "due_counts": _DUE_FORECAST_SQL,
}
"""The queries behind the UI's screens, by method; tests check each one uses an index."""
