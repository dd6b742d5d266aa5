"""Fixtures for the tests against a real Learning Record Store (Ralph on 127.0.0.1)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from ralph_lrs import RalphLrs, make_credentials


@pytest.fixture(scope="session")
def ralph_credentials(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Ralph's credentials file, made once per session by `ralph auth` (bcrypt is slow)."""
    password = secrets.token_urlsafe(16)
    return make_credentials(tmp_path_factory.mktemp("ralph-auth"), password), password


@pytest.fixture
def ralph_lrs(tmp_path: Path, ralph_credentials: tuple[Path, str]) -> Iterator[RalphLrs]:
    """A running Ralph LRS with the file backend and an empty store, stopped afterwards."""
    auth_file, password = ralph_credentials
    lrs = RalphLrs(tmp_path / "ralph", auth_file, password)
    lrs.start()
    try:
        yield lrs
    finally:
        lrs.stop()
