"""User settings, kept as a small JSON file in the data folder.

`Settings` is a plain dataclass with hand-written checks rather than a pydantic model:
the settings are read before the first frame is drawn, and importing pydantic would
add a large share of the app's start-up time for five fields.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from quizapp.core.files import write_private_text


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    return value


def _optional_text(name: str, value: Any) -> str | None:
    return None if value is None else _text(name, value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, not {type(value).__name__}")
    return value


def _number(name: str, value: Any) -> float:
    # bool is an int subclass, but `true` is no sensible count or probability.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}")
    return value


def _new_cards_per_day(name: str, value: Any) -> int:
    number = _number(name, value)
    if number != int(number):  # 20.0 is fine (some JSON writers add the .0); 20.5 is not
        raise ValueError(f"{name} must be a whole number, not {value}")
    if not 0 <= number <= 1000:
        raise ValueError(f"{name} must be from 0 to 1000, not {value}")
    return int(number)


def _max_reviews_per_day(name: str, value: Any) -> int:
    number = _number(name, value)
    if number != int(number):
        raise ValueError(f"{name} must be a whole number, not {value}")
    if not 0 <= number <= 10000:
        raise ValueError(f"{name} must be from 0 to 10000, not {value}")
    return int(number)


def _desired_retention(name: str, value: Any) -> float:
    number = _number(name, value)
    if not 0.7 <= number <= 0.99:
        raise ValueError(f"{name} must be from 0.7 to 0.99, not {value}")
    return float(number)


_CHECKS = {
    "theme": _text,
    "learner": _optional_text,
    "new_cards_per_day": _new_cards_per_day,
    "max_reviews_per_day": _max_reviews_per_day,
    "desired_retention": _desired_retention,
    "xapi_home_page": _text,
    "organisation_name": _optional_text,
    "xapi_send_display_name": _flag,
    "lrs_url": _optional_text,
    "lrs_user": _optional_text,
}
"""Each field's check: returns the value to keep (e.g. 20.0 as 20) or raises ValueError."""


@dataclass(slots=True)
class Settings:
    """Everything the app remembers between runs (except scores, which live in the store).

    Every field is checked when set, at construction and on assignment alike, so a
    `Settings` never holds a value that would be refused when the file is read back.

    Raises:
        ValueError: A value of the wrong type or out of range (from the constructor or an
            assignment).
    """

    theme: str = "textual-dark"
    """Textual theme name; an unknown name falls back to the default."""
    learner: str | None = None
    """The learner who used the app last, selected again at start-up."""
    new_cards_per_day: int = 20
    """Most new flashcards introduced per learner, deck and day (0-1000)."""
    max_reviews_per_day: int = 200
    """Most reviews of already-learnt flashcards per learner, deck and day (0-10000), as
    Anki's "maximum reviews/day"; cards over the limit wait for the next day."""
    desired_retention: float = 0.9
    """Chance of remembering a card when it comes due (FSRS), as in Anki (0.7-0.99)."""
    xapi_home_page: str = "https://quizapp.invalid/learners"
    """xAPI account homePage identifying learners to a Learning Record Store: the
    organisation's own home page (the learner's pseudonymous id is the account name)."""
    organisation_name: str | None = None
    """The training organisation's name, printed on completion reports."""
    xapi_send_display_name: bool = False
    """Whether xAPI statements carry the learner's display name. Off by default: the
    organisation must opt in before real names leave the machine."""
    lrs_url: str | None = None
    """The Learning Record Store `quizapp sync` sends to (its xAPI base URL), unless
    `--url` or `$QUIZAPP_LRS_URL` says otherwise."""
    lrs_user: str | None = None
    """The LRS user name (key) for `quizapp sync`. The password is never kept here."""

    def __setattr__(self, name: str, value: Any) -> None:
        check = _CHECKS.get(name)
        object.__setattr__(self, name, value if check is None else check(name, value))

    @classmethod
    def from_dict(cls, data: Any) -> Settings:
        """Settings from parsed JSON; unknown keys are ignored, missing ones get defaults.

        Args:
            data: The parsed settings file.

        Returns:
            The settings.

        Raises:
            ValueError: `data` is not an object, or a known key has an unusable value.
        """
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, not {type(data).__name__}")
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    def to_json(self) -> str:
        """The settings file's text: a JSON object, two-space indents, fields in order."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


def load_settings(path: Path) -> tuple[Settings, str | None]:
    """Read settings, falling back to defaults when the file is missing or damaged.

    Args:
        path: The settings file.

    Returns:
        The settings, and a warning to show when the file existed but could not be used
        (the file is left as it is, so nothing the user wrote is lost).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), None
    except OSError as exc:
        return Settings(), f"Could not read settings {path}: {exc.strerror}. Using defaults."
    try:
        # ValueError covers both bad JSON (JSONDecodeError) and unusable values.
        return Settings.from_dict(json.loads(text)), None
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        return Settings(), f"Settings file {path} is not valid ({first}). Using defaults."


def save_settings(settings: Settings, path: Path) -> None:
    """Write settings atomically (a crash never leaves half a file), readable by the user only.

    Args:
        settings: What to save.
        path: The settings file; its folder must exist.

    Raises:
        OSError: The file cannot be written (the old one is left as it was).
    """
    write_private_text(path, settings.to_json())
