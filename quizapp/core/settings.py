"""User settings, kept as a small JSON file in the data folder."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Settings(BaseModel):
    """Everything the app remembers between runs (except scores, which live in the store)."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    theme: str = "textual-dark"
    """Textual theme name; an unknown name falls back to the default."""
    learner: str | None = None
    """The learner who used the app last, selected again at start-up."""
    new_cards_per_day: int = Field(default=20, ge=0, le=1000)
    """Most new flashcards introduced per learner, deck and day."""
    desired_retention: float = Field(default=0.9, ge=0.7, le=0.99)
    """Chance of remembering a card when it comes due (FSRS), as in Anki."""
    xapi_home_page: str = "https://quizapp.invalid/learners"
    """xAPI account homePage identifying learners to a Learning Record Store."""


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
        return Settings.model_validate(json.loads(text)), None
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        return Settings(), f"Settings file {path} is not valid ({first}). Using defaults."


def save_settings(settings: Settings, path: Path) -> None:
    """Write settings atomically (a crash never leaves half a file), readable by the user only.

    Args:
        settings: What to save.
        path: The settings file; its folder must exist.
    """
    data = settings.model_dump_json(indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
