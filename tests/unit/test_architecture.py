"""Layering rules: the core (deck model, loader, scoring) never imports the UI toolkit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

FORBIDDEN_IN_CORE = ("textual", "rich")

_PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import quizapp.core

    names = [m.name for m in pkgutil.walk_packages(quizapp.core.__path__, "quizapp.core.")]
    for name in names:
        importlib.import_module(name)
    loaded = sorted({m.split(".")[0] for m in sys.modules})
    print(json.dumps({"modules": names, "loaded": loaded}))
    """
)


@pytest.fixture(scope="module")
def probe() -> dict[str, list[str]]:
    """Import every module under quizapp/core in a fresh interpreter; report what loaded."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_core_never_imports_textual_or_rich(probe: dict[str, list[str]]) -> None:
    assert "quizapp.core.decks.model" in probe["modules"]
    assert "quizapp.core.decks.loading" in probe["modules"]
    for name in FORBIDDEN_IN_CORE:
        assert name not in probe["loaded"], (
            f"importing quizapp.core pulls in {name!r}; keep UI code in quizapp.ui"
        )


def test_every_core_module_is_imported(probe: dict[str, list[str]]) -> None:
    core = REPO / "quizapp" / "core"
    on_disk = {
        ".".join(("quizapp", *p.relative_to(REPO / "quizapp").with_suffix("").parts))
        for p in core.rglob("*.py")
        if p.stem != "__init__"
    }
    assert on_disk <= set(probe["modules"])


def _tool(name: str) -> str:
    """The path of a console script installed beside this interpreter (the test extra)."""
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is missing: install the test extra (pip install -e '.[test]')"
    return str(path)


def test_import_contracts_hold() -> None:
    """cli above ui/web above core; the core never imports textual; the UI never sqlite3/yaml/fsrs.

    The contracts live in pyproject.toml ([tool.importlinter]); lint-imports prints which
    import chain breaks one.
    """
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", ""), result.stdout


def test_mypy_strict_passes() -> None:
    """The whole package type-checks under mypy --strict (configured in pyproject.toml)."""
    result = subprocess.run(
        [_tool("mypy"), "--no-incremental", "--cache-dir", "/dev/null"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
