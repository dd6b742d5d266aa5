"""Settings: defaults, the JSON file format, checks on every field, and damaged files."""

from __future__ import annotations

import json
import math
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from quizapp.core.settings import Settings, load_settings, save_settings

REPO = Path(__file__).resolve().parents[2]

DEFAULT_FILE = """{
  "theme": "textual-dark",
  "learner": null,
  "new_cards_per_day": 20,
  "max_reviews_per_day": 200,
  "desired_retention": 0.9,
  "xapi_home_page": "https://quizapp.invalid/learners",
  "organisation_name": null,
  "xapi_send_display_name": false,
  "lrs_url": null,
  "lrs_user": null
}"""
"""The settings file as quizapp writes it for the defaults: the first keys as it always
has (`max_reviews_per_day` came with issue 15), then those that came with LRS sync and the
printable report (issue 16), appended so older versions, which ignore unknown keys, still
read the file."""


class FormerSettings(BaseModel):
    """The pydantic model `Settings` replaced, to check that files stay the same."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    theme: str = "textual-dark"
    learner: str | None = None
    new_cards_per_day: int = Field(default=20, ge=0, le=1000)
    max_reviews_per_day: int = Field(default=200, ge=0, le=10000)
    desired_retention: float = Field(default=0.9, ge=0.7, le=0.99)
    xapi_home_page: str = "https://quizapp.invalid/learners"
    # Added with issue 16:
    organisation_name: str | None = None
    xapi_send_display_name: bool = False
    lrs_url: str | None = None
    lrs_user: str | None = None


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "settings.json"


def test_defaults_are_written_exactly_as_before(path: Path) -> None:
    save_settings(Settings(), path)
    assert path.read_text(encoding="utf-8") == DEFAULT_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"learner": 'Zoë "Z" O\'Neil / \u2028 \x1f 李'},
        {"learner": ""},
        {"theme": "nord", "new_cards_per_day": 0, "desired_retention": 0.7},
        {"new_cards_per_day": 1000, "desired_retention": 0.99},
        {"max_reviews_per_day": 0},
        {"max_reviews_per_day": 10000, "new_cards_per_day": 5},
        {"desired_retention": 0.85, "xapi_home_page": "https://lms.example/people"},
    ],
)
def test_values_and_file_match_the_former_pydantic_model(
    path: Path, values: dict[str, Any]
) -> None:
    settings = Settings(**values)
    former = FormerSettings(**values)
    assert settings.to_json() == former.model_dump_json(indent=2)
    save_settings(settings, path)
    assert path.read_text(encoding="utf-8") == former.model_dump_json(indent=2)
    assert load_settings(path) == (settings, None)


def test_a_missing_file_gives_the_defaults_without_a_warning(path: Path) -> None:
    assert load_settings(path) == (Settings(), None)


def test_unknown_keys_are_ignored_and_missing_ones_get_defaults(path: Path) -> None:
    path.write_text(json.dumps({"learner": "Ann", "colour": "blue", "old_option": [1]}))
    assert load_settings(path) == (Settings(learner="Ann"), None)


def test_a_whole_number_written_with_a_fraction_is_accepted(path: Path) -> None:
    path.write_text(json.dumps({"new_cards_per_day": 15.0}))
    settings, warning = load_settings(path)
    assert warning is None
    assert settings.new_cards_per_day == 15 and isinstance(settings.new_cards_per_day, int)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "Expecting property name"),
        ("", "Expecting value"),
        ("[]", "expected a JSON object, not list"),
        ("null", "expected a JSON object, not NoneType"),
        ('{"new_cards_per_day": -1}', "new_cards_per_day must be from 0 to 1000, not -1"),
        ('{"new_cards_per_day": 1001}', "new_cards_per_day must be from 0 to 1000"),
        ('{"new_cards_per_day": 2.5}', "new_cards_per_day must be a whole number"),
        ('{"new_cards_per_day": null}', "new_cards_per_day must be a number"),
        ('{"new_cards_per_day": true}', "new_cards_per_day must be a number, not bool"),
        ('{"new_cards_per_day": NaN}', "new_cards_per_day must be a finite number"),
        ('{"max_reviews_per_day": -5}', "max_reviews_per_day must be from 0 to 10000"),
        ('{"max_reviews_per_day": 10001}', "max_reviews_per_day must be from 0 to 10000"),
        ('{"max_reviews_per_day": 9.5}', "max_reviews_per_day must be a whole number"),
        ('{"max_reviews_per_day": "9"}', "max_reviews_per_day must be a number, not str"),
        ('{"desired_retention": 0.5}', "desired_retention must be from 0.7 to 0.99"),
        ('{"desired_retention": 1}', "desired_retention must be from 0.7 to 0.99"),
        ('{"desired_retention": Infinity}', "desired_retention must be a finite number"),
        ('{"desired_retention": [0.9]}', "desired_retention must be a number, not list"),
        ('{"theme": 5}', "theme must be text, not int"),
        ('{"theme": null}', "theme must be text, not NoneType"),
        ('{"learner": 7}', "learner must be text, not int"),
        ('{"xapi_home_page": {}}', "xapi_home_page must be text, not dict"),
    ],
)
def test_an_invalid_file_gives_the_defaults_and_a_warning_and_is_left_alone(
    path: Path, text: str, reason: str
) -> None:
    path.write_text(text, encoding="utf-8")
    settings, warning = load_settings(path)
    assert settings == Settings()
    assert warning is not None
    assert warning.startswith(f"Settings file {path} is not valid (")
    assert reason in warning
    assert warning.endswith("). Using defaults.")
    assert path.read_text(encoding="utf-8") == text


def test_an_unreadable_file_gives_the_defaults_and_a_warning(path: Path) -> None:
    path.mkdir()  # reading a folder fails with an OSError
    settings, warning = load_settings(path)
    assert settings == Settings()
    assert warning is not None and warning.startswith(f"Could not read settings {path}: ")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("theme", None),
        ("learner", 3),
        ("new_cards_per_day", 5000),
        ("new_cards_per_day", "20"),
        ("max_reviews_per_day", 20000),
        ("desired_retention", 0.995),
        ("desired_retention", math.nan),
        ("xapi_home_page", b"https://lms.example"),
        ("organisation_name", 7),
        ("xapi_send_display_name", "yes"),
        ("xapi_send_display_name", 1),
        ("lrs_url", ["https://lrs.example"]),
        ("lrs_user", 0),
    ],
)
def test_construction_and_assignment_are_checked(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**{field: value})
    settings = Settings()
    with pytest.raises(ValueError, match=field):
        setattr(settings, field, value)
    assert settings == Settings()


def test_assignment_keeps_good_values() -> None:
    settings = Settings()
    settings.theme = "gruvbox"
    settings.learner = "Bob"
    settings.learner = None
    settings.new_cards_per_day = 7.0  # type: ignore[assignment]
    assert settings == Settings(theme="gruvbox", new_cards_per_day=7)
    assert isinstance(settings.new_cards_per_day, int)


def test_there_are_no_other_attributes() -> None:
    with pytest.raises(AttributeError):
        Settings().colour = "blue"  # type: ignore[attr-defined]


def test_reading_settings_does_not_import_pydantic() -> None:
    # Settings are read before the first frame; pydantic would slow that frame down.
    code = "import quizapp.core.settings, sys; print('pydantic' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
