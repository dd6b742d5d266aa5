"""The `quizapp` command line: validate, decks, schema, --version, exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from quizapp import __version__
from quizapp.cli import main
from quizapp.core.decks import safe_yaml
from tests.conftest import run_quizapp as run

REPO = Path(__file__).resolve().parents[2]
DECK_DATA = REPO / "tests" / "data" / "decks"
VALID_DIR = DECK_DATA / "valid"
INVALID_DIR = DECK_DATA / "invalid"
SAMPLE = VALID_DIR / "sample.yaml"

SUMMARY = re.compile(r"^(\d+) deck\(s\) valid, (\d+) file\(s\) with (\d+) error\(s\)$")

# Broken decks also checked through a real `python -m quizapp` process.
SUBPROCESS_KINDS = [
    "syntax-error",
    "tab-indentation",
    "duplicate-key",
    "unknown-field",
    "alias-bomb",
    "not-utf8-latin1",
    "nul-bytes",
    "empty",
    "top-level-list",
    "impossible-date",
]


def assert_reports(output: str, case: Any) -> None:
    """`output` has `FILE:LINE:COLUMN: ...message...` for the case, a summary, no traceback."""
    assert "Traceback" not in output
    lines = output.splitlines()
    prefix = f"{case.path}:{case.line}:{case.column}: "
    assert any(line.startswith(prefix) and case.message in line for line in lines), (
        f"expected {prefix}...{case.message}... in:\n{output}"
    )
    for line in lines[:-1]:
        assert line.startswith(f"{case.path}:"), line
    summary = SUMMARY.match(lines[-1])
    assert summary, lines[-1]
    assert summary[1] == "0" and summary[2] == "1" and int(summary[3]) >= 1


# --- validate --------------------------------------------------------------------------


def test_validate_valid_decks_exits_0() -> None:
    files = sorted(VALID_DIR.glob("*.yaml"))
    proc = run("validate", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == f"{len(files)} deck(s) valid, 0 file(s) with 0 error(s)"
    assert proc.stderr == ""


def test_validate_invalid_deck_in_process(
    invalid_case: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(invalid_case.path)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert_reports(out, invalid_case)


def test_validate_invalid_deck_in_a_subprocess(subprocess_case: Any) -> None:
    proc = run("validate", subprocess_case.path)
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert_reports(proc.stdout, subprocess_case)


def test_validate_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(SAMPLE.read_bytes())
        handle.write(b"# " + b"x" * 1000 + b"\n")
        handle.truncate(safe_yaml.MAX_DECK_BYTES + 1)
    proc = run("validate", path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    first, summary = proc.stdout.splitlines()
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: file is .* MB; decks may be at most", first)
    assert SUMMARY.match(summary)


def test_validate_folder_with_good_and_broken_deck(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SAMPLE, tmp_path / "good.yaml")
    shutil.copy(INVALID_DIR / "duplicate-key.yaml", tmp_path / "broken.yaml")
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path / 'broken.yaml'}:28:5: duplicate key 'answer' (first at line 27):"
        " remove one of them",
        "1 deck(s) valid, 1 file(s) with 1 error(s)",
    ]


def test_validate_every_broken_deck_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(INVALID_DIR), str(VALID_DIR)]) == 1
    lines = capsys.readouterr().out.splitlines()
    files = len(list(INVALID_DIR.glob("*.yaml")))
    summary = SUMMARY.match(lines[-1])
    assert summary and summary[1] == str(len(list(VALID_DIR.glob("*.yaml"))))
    assert summary[2] == str(files) and int(summary[3]) == len(lines) - 1 >= files


def test_validate_duplicate_deck_ids_names_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    shutil.copy(SAMPLE, first)
    shutil.copy(SAMPLE, second)
    assert main(["validate", str(first), str(second)]) == 1
    error, summary = capsys.readouterr().out.splitlines()
    assert error.startswith(
        f"{second}:3:1: id: deck id 'sample-diazepam' is already used by {first}"
    )
    assert summary == "1 deck(s) valid, 1 file(s) with 1 error(s)"


def test_validate_without_paths_checks_discovered_decks(
    isolated_decks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SAMPLE, isolated_decks / "sample.yaml")
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1 deck(s) valid, 0 file(s) with 0 error(s)"]
    user_decks = tmp_path / "data" / "decks"
    user_decks.mkdir(parents=True)
    shutil.copy(INVALID_DIR / "bad-url.yaml", user_decks / "mine.yaml")
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert f"{user_decks / 'mine.yaml'}:15:10: sources.0.url:" in out
    assert main(["validate", "--decks", str(INVALID_DIR / "empty.yaml")]) == 1
    assert "2 file(s) with 2 error(s)" in capsys.readouterr().out


def test_validate_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", "--no-such-option"])
    assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err
    proc = run("no-such-command")
    assert proc.returncode == 2 and "usage:" in proc.stderr and "Traceback" not in proc.stderr


# --- version, decks ----------------------------------------------------------------------


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"quizapp {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


def test_decks_lists_id_title_audience_and_counts(
    isolated_decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decks", "--decks", str(SAMPLE)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    deck_id, title, audience, topics, flashcards = line.split("\t")
    assert (deck_id, title, audience) == (
        "sample-diazepam",
        "Sample deck: diazepam basics",
        "patient",
    )
    assert topics == "mechanism 2, stopping-safely 3"
    assert flashcards == "1 flashcard"  # singular for one (issue 14)


def test_decks_reports_broken_decks_on_stderr(
    isolated_decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SAMPLE, isolated_decks / "sample.yaml")
    shutil.copy(INVALID_DIR / "unknown-topic.yaml", isolated_decks / "broken.yaml")
    assert main(["decks"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("sample-diazepam\t")
    assert f"{isolated_decks / 'broken.yaml'}:21:12:" in err


# --- schema ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    proc = run("schema")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _as_json(path: Path) -> Any:
    """A deck as the JSON an editor's schema check sees (YAML 1.2: dates and yes/no are text)."""
    return safe_yaml.parse_yaml(path, path.read_text(encoding="utf-8"))


def test_schema_is_valid_json_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", sorted(VALID_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_deck_validates_against_the_schema(schema: dict[str, Any], path: Path) -> None:
    jsonschema.Draft202012Validator(schema).validate(_as_json(path))


@pytest.mark.parametrize(
    "kind",
    [
        "unknown-field",
        "unknown-top-level-field",
        "missing-field",
        "wrong-type-critical",
        "wrong-type-version",
        "unknown-card-type",
        "missing-card-type",
        "too-many-choices",
        "empty-choices",
        "bad-slug-id",
        "bad-url",
        "wrong-schema-version",
        "invalid-topic-name",
        "answer-no",
        "boolean-off",
    ],
)
def test_invalid_deck_fails_the_schema(schema: dict[str, Any], kind: str) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid(_as_json(INVALID_DIR / f"{kind}.yaml"))


def test_schema_in_process_matches_subprocess(
    schema: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema
