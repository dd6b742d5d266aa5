"""Every property (hypothesis) test in the suite is deterministic, so none can flake."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parents[1]


def _module(path: Path) -> Any:
    # The copy pytest imported (under whatever name), else an import of our own.
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) and Path(module.__file__).resolve() == path:
            return module
    return importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))


def _property_tests() -> Iterator[tuple[str, Any]]:
    for path in sorted(TESTS.rglob("test_*.py")):
        if "given(" not in path.read_text(encoding="utf-8"):
            continue
        name = path.relative_to(TESTS).as_posix()
        module = _module(path.resolve())
        for attr, value in vars(module).items():
            if getattr(value, "is_hypothesis_test", False):
                yield f"{name}::{attr}", value


PROPERTY_TESTS = list(_property_tests())


def test_the_suite_has_property_tests() -> None:
    assert len(PROPERTY_TESTS) >= 5, PROPERTY_TESTS


def test_the_default_profile_is_deterministic() -> None:
    assert settings.default.derandomize
    assert settings.default.database is None
    assert settings.default.deadline is None


@pytest.mark.parametrize(("name", "test"), PROPERTY_TESTS, ids=[n for n, _ in PROPERTY_TESTS])
def test_every_property_test_is_derandomized(name: str, test: Any) -> None:
    # A module-level @settings(...) made before the profile was loaded would not inherit it.
    used = test._hypothesis_internal_use_settings
    assert used.derandomize, f"{name} draws random examples: it could flake"
    assert used.database is None, f"{name} replays examples saved by earlier runs"
