"""End to end: the installed `quizapp` command in a real terminal (tmux).

Keys go in with `tmux send-keys`, the screen comes back with `tmux capture-pane`, and
afterwards the SQLite file is read with the standard library alone, so this checks the
whole path from keystrokes to disk, including the console script and its arguments.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
DECK = REPO / "tests" / "data" / "decks" / "ui" / "all-types.yaml"
WAIT_S = 15.0


def quizapp_command() -> Path | None:
    """The installed console script (next to this Python first, then on PATH)."""
    beside = Path(sys.executable).parent / "quizapp"
    if beside.is_file():
        return beside
    found = shutil.which("quizapp")
    return Path(found) if found else None


class Terminal:
    """One tmux session on its own server, whose socket sits in a private temporary folder
    (removed afterwards), so no other tmux server or session is touched."""

    def __init__(self, socket: Path, session: str) -> None:
        self.socket = socket
        self.session = session

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, command: str, width: int = 100, height: int = 30) -> None:
        self.tmux(
            "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), command
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def styled_screen(self) -> str:
        """The screen with its colours (escape sequences), to see focus and ticks."""
        return self.tmux("capture-pane", "-p", "-e", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def key_and_redraw(self, key: str, timeout: float = WAIT_S) -> None:
        """Press one key and wait until the screen (colours included) changes.

        Textual routes a key to the widget focused when the key arrives, and moves focus
        a moment later, so keys sent in one burst across a focus change can land on the
        old widget. Waiting for the redraw after each key keeps them in step.
        """
        before = self.styled_screen()
        self.keys(key)
        if not self.wait_until(lambda _: self.styled_screen() != before, timeout):
            raise AssertionError(f"no redraw after {key!r}; the screen was:\n{self.screen()}")

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def type_into_input(self, text: str, shown: Callable[[str], bool]) -> None:
        """Type into a text box that takes focus a moment after it is drawn.

        Keys typed before then are lost, so clear the box (ctrl+u) and type again until
        `shown(screen)` confirms the text arrived whole.
        """
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            self.keys("C-u")
            self.type(text)
            if self.wait_until(shown, timeout=0.5):
                return
        raise AssertionError(f"{text!r} never arrived; the screen was:\n{self.screen()}")

    def wait_for(self, *texts: str, timeout: float = WAIT_S) -> str:
        """Poll the screen until every one of `texts` is on it."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {texts!r}; the screen was:\n{screen}")

    def wait_until(self, check: Callable[[str], bool], timeout: float = WAIT_S) -> bool:
        """Poll the screen until `check(screen)` holds; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check(self.screen()):
                return True
            time.sleep(0.05)
        return False

    def wait_for_exit(self, status_file: Path, timeout: float = WAIT_S) -> int:
        """Wait for the command to end; its exit status is written to `status_file`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = status_file.read_text() if status_file.exists() else ""
            if text.endswith("\n"):
                return int(text)
            time.sleep(0.05)
        raise AssertionError(f"quizapp did not exit; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (.ci/run installs it)")
    # A short folder name: a unix socket path must stay under about 100 characters.
    folder = Path(tempfile.mkdtemp(prefix="quizapp-e2e-"))
    term = Terminal(socket=folder / "tmux", session=f"quizapp-e2e-{uuid.uuid4().hex[:8]}")
    try:
        yield term
    finally:
        term.kill()
        shutil.rmtree(folder, ignore_errors=True)


def test_installed_command_answers_reach_the_database(terminal: Terminal, tmp_path: Path) -> None:
    command = quizapp_command()
    if command is None:
        pytest.skip("the quizapp console script is not installed")
    data_dir = tmp_path / "e2e-data"
    env = {
        "QUIZAPP_DATA_DIR": str(data_dir),
        "QUIZAPP_CACHE_DIR": str(tmp_path / "e2e-cache"),
        "TZ": "UTC",
        "TERM": "xterm-256color",
        "TEXTUAL_ANIMATIONS": "none",
        # Textual reads its size once at start (env first, then the tty); pin it so a
        # start racing tmux's own sizing of the new pane cannot leave it at 80x24.
        "COLUMNS": "100",
        "LINES": "30",
    }
    status_file = tmp_path / "exit-status"
    terminal.start(
        "env "
        + " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        + f" {shlex.quote(str(command))} --decks {shlex.quote(str(DECK))}"
        + f"; echo $? > {shlex.quote(str(status_file))}"
    )

    # First run: name a learner, then acknowledge the notice.
    terminal.wait_for("Who is learning?")

    def name_typed(screen: str) -> bool:  # a line that is just the box holding "Eve"
        return any(line.strip(" █▊▎") == "Eve" for line in screen.splitlines())

    terminal.type_into_input("Eve", name_typed)
    terminal.keys("Enter")
    terminal.wait_for("Education, not medical advice", "I understand")
    terminal.keys("Enter")

    # Home lists the bundled decks and the test deck; open the test deck's set-up dialog
    # from the command palette.
    terminal.wait_for("Test deck: every card type", "Choose one and press Enter.")
    terminal.keys("C-p")
    terminal.wait_for("Search for commands")

    def only_the_test_deck_found(screen: str) -> bool:
        # Before the search runs, the palette lists every deck; Enter would take the first.
        return (
            "🔎 Quiz: Test deck" in screen
            and "Quiz: Test deck: every card type" in screen
            and "Quiz: Caring" not in screen
        )

    terminal.type_into_input("Quiz: Test deck", only_the_test_deck_found)
    terminal.keys("Enter")
    terminal.wait_for("Shuffle questions", "⏎ Start")

    # A short quiz in deck order: shuffle off, and "Stopping safely" left out. The dialog
    # focuses its first field when mounted, which can be just after it is first drawn, so
    # tab until the length drop-down has focus, which its label shows ("space opens the
    # list" while it has focus; Enter still starts the quiz there).
    def length_focused(screen: str) -> bool:
        return "space opens the list" in screen

    for _ in range(8):
        terminal.keys("Tab")
        if terminal.wait_until(length_focused, timeout=1.0):
            break
    else:
        raise AssertionError(f"the length drop-down never took focus:\n{terminal.screen()}")
    terminal.keys("Tab")  # -> "Shuffle questions"
    terminal.wait_for("⏎ Start")
    terminal.key_and_redraw("Space")  # shuffle off
    terminal.key_and_redraw("Tab")  # -> topics, the first one highlighted
    terminal.key_and_redraw("Down")
    terminal.key_and_redraw("Down")  # -> "Stopping safely"
    terminal.key_and_redraw("Space")  # untick it
    terminal.keys("Enter")
    terminal.wait_for("Question 1 of 3", "What does diazepam do to GABA")

    terminal.keys("2")  # It makes GABA work better.
    terminal.wait_for("(•) 2.")
    terminal.keys("Enter")
    terminal.wait_for("✓ Correct")
    terminal.keys("Enter")

    terminal.wait_for("Question 2 of 3", "add to diazepam's sleepiness")
    terminal.keys("1")  # Alcohol by its number key...
    terminal.wait_for("[x] 1.")
    terminal.key_and_redraw("Down")  # ...and the opioid by cursor and space
    terminal.keys("Space")
    terminal.wait_for("[x] 1.", "[x] 2.", "[ ] 3.")
    terminal.keys("Enter")
    terminal.wait_for("✓ Correct")
    terminal.keys("Enter")

    terminal.wait_for("Question 3 of 3", "Name the brain's calming messenger")
    terminal.type("dopamine")
    terminal.wait_for("dopamine")
    terminal.keys("Enter")
    terminal.wait_for("✗ Not quite", "Right answer: GABA")

    # Leave mid-quiz (the feedback of the last question is still up), then quit.
    terminal.keys("Escape")
    terminal.wait_for("Choose one and press Enter.")
    terminal.keys("q")
    assert terminal.wait_for_exit(status_file) == 0

    db = data_dir / "quizapp.db"
    assert db.is_file()
    conn = sqlite3.connect(db)
    try:
        learners = conn.execute("SELECT id, name FROM learners").fetchall()
        attempts = conn.execute(
            "SELECT id, learner_id, deck_id, mode, status FROM attempts"
        ).fetchall()
        answers = conn.execute(
            "SELECT attempt_id, card_id, response_json, correct FROM answers ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    assert [name for _, name in learners] == ["Eve"]
    ((attempt_id, learner_id, deck_id, mode, status),) = attempts
    assert (learner_id, deck_id, mode, status) == (
        learners[0][0],
        "test-all-types",
        "practice",
        "unfinished",
    )
    assert [(a, c, json.loads(r), bool(ok)) for a, c, r, ok in answers] == [
        (attempt_id, "q-single", "It makes GABA work better.", True),
        (attempt_id, "q-multi", ["Alcohol", "Opioid pain medicine"], True),
        (attempt_id, "q-typed", "dopamine", False),
    ]
