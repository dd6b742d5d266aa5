"""Phone numbers on emergency cards, for `quizapp lint` (check 'emergency-numbers').

An emergency card shows only 911, 988 and Poison Help written as 1-800-222-1222, so a
learner recognises the number when it matters. Split out of `quizapp.core.lint`, which
re-exports these names. Part of the core: it must not import textual.
"""

from __future__ import annotations

import re

ALLOWED_NUMBERS: frozenset[str] = frozenset({"911", "988", "1-800-222-1222"})
"""The only phone numbers a card about an emergency may show, written exactly like this:
911, the 988 Suicide & Crisis Lifeline, and Poison Help (HRSA) as it publishes it. One
spelling everywhere means a learner recognises the number when it matters."""

_EMERGENCY_RE = re.compile(r"\b(?:overdos\w*|emergenc\w*|911|poison\w*)\b", re.IGNORECASE)
"""What makes a card an emergency item. "poison" is included so that a Poison Help card is
checked even when it does not say "overdose"."""

_PHONE_RE = re.compile(
    r"(?<![\w-])(?:"
    # North American numbers in any punctuation: 1-800-222-1222, (800) 222-1222, 8002221222
    r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}"
    # short codes spelled with hyphens: 9-1-1, 9-8-8
    r"|\d-\d-\d"
    r")(?![\w-])"
)
_SHORT_CODE_RE = re.compile(
    # a bare three-digit number after "call"/"dial"/"text" (112, 999, 000 ...); doses such
    # as "take 100 mg" are not preceded by these verbs, so they are left alone
    r"\b(?:call|dial|text|phone|ring)(?:\s+or\s+(?:call|text))?\s+(\d{3})(?![\w-])",
    re.IGNORECASE,
)


def mentions_emergency(text: str) -> bool:
    """Whether a text is about an emergency (overdose, emergency, 911 or poison)."""
    return _EMERGENCY_RE.search(text) is not None


def unexpected_numbers(text: str) -> list[str]:
    """Phone-like numbers in a text other than 911, 988 and 1-800-222-1222 as written.

    Args:
        text: Any learner-visible text.

    Returns:
        The offending numbers as written, e.g. ['800-222-1222', '9-1-1']; empty when every
        number is one of `ALLOWED_NUMBERS`.
    """
    found: list[str] = []
    for match in _PHONE_RE.finditer(text):
        if match.group(0) not in ALLOWED_NUMBERS:
            found.append(match.group(0))
    for match in _SHORT_CODE_RE.finditer(text):
        if match.group(1) not in ALLOWED_NUMBERS:
            found.append(match.group(1))
    return found
