"""A plain launch's options are read without argparse (issue 18: start-up time); what they
read must be exactly what argparse reads, and anything else must go to argparse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from quizapp.cli import build_parser, launch_options

REPO = Path(__file__).resolve().parents[2]

TOKENS = st.sampled_from(
    [
        "--data-dir",
        "--decks",
        "--data-dir=/tmp/d",
        "--decks=x.yaml",
        "--decks=",
        "--deck",  # an abbreviation: argparse accepts it
        "--dat",
        "--help",
        "-h",
        "--version",
        "decks",
        "validate",
        "folder",
        "-",
        "-1",
        "--",
        "a b",
        "",
    ]
)


@given(st.lists(TOKENS, max_size=6))
def test_a_plain_launch_reads_as_argparse_does(argv: list[str]) -> None:
    fast = launch_options(argv)
    if fast is None:
        return  # argparse reads it (and says what is wrong)
    assert vars(fast) == vars(build_parser().parse_args(argv))


def test_the_plain_launches_people_type_take_the_fast_path() -> None:
    for argv in (
        [],
        ["--data-dir", "/tmp/d"],
        ["--decks", "a.yaml", "--decks=b", "--data-dir=/x"],
    ):
        fast = launch_options(argv)
        assert fast is not None, argv
        assert vars(fast) == vars(build_parser().parse_args(argv))


def test_everything_else_goes_to_argparse() -> None:
    for argv in (
        ["validate"],
        ["--help"],
        ["--deck", "a.yaml"],  # abbreviation
        ["--decks"],  # missing value
        ["--decks", "--data-dir", "x"],
        ["--version"],
        ["decks", "--data-dir", "x"],
    ):
        assert launch_options(argv) is None, argv


def test_launching_does_not_import_argparse(tmp_path: Path) -> None:
    code = (
        "import sys, quizapp.cli\n"
        "args = quizapp.cli.launch_options(['--data-dir', 'x'])\n"
        "print(args.data_dir, 'argparse' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["x", "False"]
