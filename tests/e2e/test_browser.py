"""The app in a real browser: `quizapp serve` on 127.0.0.1, driven in headless Chromium.

The learner logs in with the access code, names themself, acknowledges the notice,
reaches Home, opens a deck and answers one question, all with keys typed into the page
(DevTools `Input.dispatchKeyEvent`, as a keyboard would). The screen is read from the
page's terminal (xterm.js) buffer, and the answer is then read back from the SQLite file
the server's app process wrote.

xterm.js draws on a canvas, so the screen text is not in the DOM; a script added before
the page loads notes the page's terminal object when textual-serve creates it (the first
assignment of its `fitAddon`), and `translateToString` reads each row as shown.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from quizapp.web.access import ACCESS_CODE_ENV
from tests.e2e.cdp import Browser, chromium_required, find_chromium
from tests.e2e.serving import Served, app_processes, serve

pytestmark = [pytest.mark.web, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
ALL_TYPES = REPO / "tests" / "data" / "decks" / "ui" / "all-types.yaml"
CODE = "ward-4-training"
WAIT_S = 45.0

TERMINAL_HOOK = """
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    window.__quizappTerminal = this;
    Object.defineProperty(this, "fitAddon", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""

SCREEN_TEXT = """
(() => {
  const holder = window.__quizappTerminal;
  if (!holder || !holder.terminal) return "";
  const terminal = holder.terminal;
  const buffer = terminal.buffer.active;
  const rows = [];
  for (let i = 0; i < terminal.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""


class Page:
    """The quizapp page in the browser: keys in, screen text out."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser

    async def screen(self) -> str:
        return await self.browser.evaluate(SCREEN_TEXT) or ""

    async def wait_for(self, *texts: str, timeout: float = WAIT_S) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = await self.screen()
            if all(text in screen for text in texts):
                return screen
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out waiting for {texts!r}; the screen was:\n{screen}")

    async def wait_for_script(self, expression: str, timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self.browser.evaluate(expression):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    async def type_into_box(self, text: str) -> None:
        """Type into a text box that takes focus a moment after it is drawn.

        Keys typed before then are lost, so clear the box (ctrl+u) and type again until
        a line of the screen is the box holding exactly `text`.
        """

        def in_a_box(screen: str) -> bool:
            return any(line.strip(" █▊▎") == text for line in screen.splitlines())

        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            await self.browser.key("u", ctrl=True)
            await self.browser.type(text)
            settle = time.monotonic() + 1.0
            while time.monotonic() < settle:
                if in_a_box(await self.screen()):
                    return
                await asyncio.sleep(0.1)
        raise AssertionError(f"{text!r} never arrived; the screen was:\n{await self.screen()}")


def one_question_deck(folder: Path) -> Path:
    """The test deck cut down to its single-choice question (so no shuffle can vary it)."""
    deck = yaml.safe_load(ALL_TYPES.read_text(encoding="utf-8"))
    deck["id"] = "browser-test"
    deck["title"] = "Browser test deck"
    deck["cards"] = [card for card in deck["cards"] if card["id"] == "q-single"]
    path = folder / "browser-test.yaml"
    path.write_text(yaml.safe_dump(deck, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = find_chromium()
    if executable is None:
        if chromium_required():
            pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    started = Browser(executable)
    try:
        await started.start()
        yield started
    finally:
        await started.close()


async def open_app(browser: Browser, served: Served) -> Page:
    """Load the start page, log in with the access code by typing it, wait for the app."""
    page = Page(browser)
    await browser.send("Page.enable")
    await browser.send("Page.addScriptToEvaluateOnNewDocument", source=TERMINAL_HOOK)
    await browser.send("Page.navigate", url=f"{served.url}/")
    # The gate sends the browser to its log-in form first; its box has the focus.
    await page.wait_for_script(
        "location.pathname === '/login' && document.activeElement"
        " && document.activeElement.id === 'code'"
    )
    await browser.type(CODE)
    await browser.key("Enter")
    await page.wait_for_script("location.pathname === '/' && !!window.__quizappTerminal")
    # Put the keyboard focus in the terminal, as a click on it would.
    await browser.evaluate("window.__quizappTerminal.terminal.focus()")
    await page.wait_for_script(
        "document.activeElement"
        " && document.activeElement.classList.contains('xterm-helper-textarea')"
    )
    return page


async def test_a_learner_reaches_home_and_answers_a_question_in_the_browser(
    browser: Browser, tmp_path: Path
) -> None:
    data_dir = tmp_path / "web-data"
    deck = one_question_deck(tmp_path)
    env = {ACCESS_CODE_ENV: CODE, "QUIZAPP_DATA_DIR": str(data_dir)}
    with serve(tmp_path, "--decks", deck, env=env) as served:
        page = await open_app(browser, served)

        await page.wait_for("Who is learning?")
        await page.type_into_box("Eve")
        await browser.key("Enter")
        await page.wait_for("Education, not medical advice", "I understand")
        await browser.key("Enter")

        await page.wait_for("Browser test deck", "Choose one and press Enter.")  # Home
        await browser.key("p", ctrl=True)
        await page.wait_for("Search for commands")
        await browser.type("Quiz: Browser test deck")

        async def only_our_deck_listed() -> bool:
            screen = await page.screen()
            return screen.count("Quiz: ") == 2 and "Quiz: Browser test deck" in screen

        deadline = time.monotonic() + WAIT_S
        while not await only_our_deck_listed():
            assert time.monotonic() < deadline, await page.screen()
            await asyncio.sleep(0.1)
        await browser.key("Enter")
        await page.wait_for("Shuffle questions", "⏎ Start")
        await browser.key("Enter")

        await page.wait_for("Question 1 of 1", "What does diazepam do to GABA")
        await browser.key("2")  # It makes GABA work better.
        await page.wait_for("(•) 2.")
        await browser.key("Enter")
        await page.wait_for("✓ Correct")
        assert len(app_processes(str(data_dir))) == 1
    # The tab was still open: stopping the server ended its app process too.
    assert app_processes(str(data_dir)) == []

    conn = sqlite3.connect(data_dir / "quizapp.db")
    try:
        learners = conn.execute("SELECT name FROM learners").fetchall()
        answers = conn.execute(
            "SELECT a.deck_id, n.card_id, n.response_json, n.correct"
            " FROM answers n JOIN attempts a ON a.id = n.attempt_id"
        ).fetchall()
    finally:
        conn.close()
    assert learners == [("Eve",)]
    assert answers == [("browser-test", "q-single", '"It makes GABA work better."', 1)]
