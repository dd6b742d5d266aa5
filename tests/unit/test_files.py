"""The private atomic-write helper every personal-data file goes through (settings,
exports, reports, the store's deletion backups)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TextIO

import pytest

from quizapp.core.files import write_private_atomic, write_private_text


def test_new_file_is_private_and_complete(tmp_path: Path) -> None:
    target = tmp_path / "scores.json"
    write_private_text(target, '{"a": 1}\n')
    assert target.read_text(encoding="utf-8") == '{"a": 1}\n'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.json"]


def test_replace_swaps_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text("old, and longer than the new text", encoding="utf-8")
    write_private_text(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_no_replace_keeps_an_existing_file_byte_for_byte(tmp_path: Path) -> None:
    target = tmp_path / "backup.json"
    target.write_bytes(b"earlier backup\x00\xff")
    with pytest.raises(FileExistsError):
        write_private_text(target, "later backup", replace=False)
    assert target.read_bytes() == b"earlier backup\x00\xff"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.json"]


def test_no_replace_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "backup.json"
    assert write_private_atomic(target, lambda handle: handle.write("abc"), replace=False) == 3
    assert target.read_text(encoding="utf-8") == "abc"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.json"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("kept", encoding="utf-8")

    def fail_half_way(handle: TextIO) -> None:
        handle.write("half")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError, match="disk gone"):
        write_private_atomic(target, fail_half_way)
    assert target.read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]
