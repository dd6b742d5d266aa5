"""The built wheel ships the LICENSE file (pyproject says MIT; the text must come with it).

Builds the wheel with pip as a user would (`pip wheel . --no-deps`, which fetches hatchling
into an isolated build environment) and reads the archive.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_license_is_in_the_repository_and_the_wheel(tmp_path: Path) -> None:
    license_text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n\nCopyright (c) 2026 quizapp developers\n")

    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = tmp_path.glob("quizapp-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (licence_name,) = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(licence_name).decode("utf-8") == license_text
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode("utf-8")
    assert "License-Expression: MIT" in metadata
    assert "License-File: LICENSE" in metadata
