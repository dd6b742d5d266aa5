"""Which bundled cards contain a word, read straight from the YAML files.

An independent reference for the card browser's search: plain `yaml.safe_load` and
string matching, no quizapp code.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's safe loader, as the app uses when PyYAML has it: the pure-Python one refuses
# a `?` inside a flow mapping (`{id: x, section: Does naloxone reverse any overdose?}`),
# which the bundled caregiver deck has and libyaml reads as plain text.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "decks"

TEXT_KEYS = (
    "prompt",
    "front",
    "back",
    "explanation",
    "choices",
    "answer",
    "answers",
    "accepted",
    "steps",
)
"""Keys of a card that hold text a learner reads (everything but ids, topic and sources)."""


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for key in ("text", "feedback") for text in _strings(value.get(key))]
    return []


def cards_containing(word: str, folder: Path = BUNDLED) -> set[tuple[str, str]]:
    """(deck id, card id) of every card in `folder` whose text contains `word`, any case."""
    found = set()
    for path in sorted(folder.glob("*.yaml")):
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        for card in raw["cards"]:
            text = " ".join(t for key in TEXT_KEYS for t in _strings(card.get(key)))
            if word.lower() in text.lower():
                found.add((raw["id"], card["id"]))
    return found
