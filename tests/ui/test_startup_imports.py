"""What Home's first frame does without (issue 18: start-up time).

Each module named here cost the start-up milliseconds for nothing Home's first frame
shows: OpenSSL (`_hashlib`, loaded by `hashlib`, `hmac` and `secrets`) where BLAKE2b and
random bytes are all that is needed, and Rich's emoji table (`rich._emoji_codes`, loaded
by the first Rich markup parse: the deck table's column labels were parsed as markup).
The app runs in a fresh interpreter, the way the `quizapp` command starts it, on the
bundled decks with a warm deck cache, so Home lists them in its first frame.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from quizapp.core import paths
from quizapp.core.decks.cache import DeckCache
from quizapp.core.decks.cache_key import SUBFOLDER
from quizapp.core.decks.library import scan, validate_pending
from quizapp.core.settings import Settings, save_settings
from quizapp.core.store import ScoreStore

REPO = Path(__file__).resolve().parents[2]

NOT_AT_FIRST_FRAME = ("_hashlib", "hmac", "secrets", "rich._emoji_codes", "pydantic", "yaml")

FIRST_FRAME = """
import os
import sys
from pathlib import Path

from quizapp.ui import app as ui_app

shown = ui_app.QuizApp.on_ready


def on_ready(self):
    shown(self)  # Textual's Ready: the first frame is on screen
    print(self.home.query_one("#decks").row_count)
    print(" ".join(sorted(m for m in sys.argv[2:] if m in sys.modules)) or "-", flush=True)
    os._exit(0)  # what was loaded is known; tearing the app down adds nothing


ui_app.QuizApp.on_ready = on_ready
ui_app.make_app(data_dir=Path(sys.argv[1])).run(headless=True, size=(80, 24))
"""


def test_home_first_frame_loads_neither_openssl_nor_the_emoji_table(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cache = tmp_path / "cache"
    store = ScoreStore.open(paths.db_path(data))
    store.acknowledge_notice(store.get_or_create_learner("Ada").id)
    save_settings(Settings(learner="Ada"), paths.settings_path(data))
    # Warm the deck cache, so the bundled decks are listed from their summaries.
    deck_files = paths.deck_search_paths([], data)
    library = validate_pending(scan(deck_files, cache / SUBFOLDER), DeckCache(cache / SUBFOLDER))
    assert library.summaries and not library.errors

    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env["QUIZAPP_CACHE_DIR"] = str(cache)
    out = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(data), *NOT_AT_FIRST_FRAME],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    listed, loaded = out.stdout.split("\n")[-3:-1]
    assert int(listed) == len(library.summaries)  # the first frame lists every deck
    assert loaded == "-"
