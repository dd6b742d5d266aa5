"""Shared fixtures for the unit tests: the sample deck and the broken-deck corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DECK_DATA = REPO / "tests" / "data" / "decks"
VALID_DIR = DECK_DATA / "valid"
INVALID_DIR = DECK_DATA / "invalid"
SAMPLE = VALID_DIR / "sample.yaml"

_EXPECT = re.compile(rb"^# expect: (\d+):(\d+) (.+)$")

# Fixtures that cannot carry a first-line `# expect:` comment.
_EXPECT_ELSEWHERE: dict[str, tuple[int, int, str]] = {
    "empty.yaml": (1, 1, "the file is empty"),
}


@dataclass(frozen=True)
class InvalidCase:
    """A broken deck and the error it must produce."""

    path: Path
    line: int
    column: int
    message: str

    @property
    def kind(self) -> str:
        return self.path.stem


def invalid_cases() -> list[InvalidCase]:
    """Every deck in tests/data/decks/invalid with its expected `line:column message`."""
    cases = []
    for path in sorted(INVALID_DIR.glob("*.yaml")):
        if path.name in _EXPECT_ELSEWHERE:
            line, column, message = _EXPECT_ELSEWHERE[path.name]
        else:
            first = path.read_bytes().split(b"\n", 1)[0]
            match = _EXPECT.match(first)
            assert match, f"{path} must start with '# expect: LINE:COLUMN message'"
            line, column = int(match[1]), int(match[2])
            message = match[3].decode("utf-8")
        cases.append(InvalidCase(path, line, column, message))
    return cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "invalid_case" in metafunc.fixturenames:
        cases = invalid_cases()
        metafunc.parametrize("invalid_case", cases, ids=[case.kind for case in cases])
    if "subprocess_case" in metafunc.fixturenames:
        # The test module names the few kinds worth a real process in SUBPROCESS_KINDS.
        kinds = metafunc.module.SUBPROCESS_KINDS
        cases = [case for case in invalid_cases() if case.kind in kinds]
        assert {case.kind for case in cases} == set(kinds), "SUBPROCESS_KINDS names a missing deck"
        metafunc.parametrize("subprocess_case", cases, ids=[case.kind for case in cases])


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def sample_raw() -> dict:
    """The sample deck as plain YAML data (a fresh copy each time)."""
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def isolated_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty bundled-deck folder and data folder, so only decks a test adds are found.

    Returns:
        The bundled-deck folder (empty); the data folder is `tmp_path / "data"`.
    """
    from quizapp.core import paths

    bundled = tmp_path / "bundled"
    bundled.mkdir()
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: bundled)
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "data"))
    return bundled
