"""Turning pydantic's validation errors into `file:line:column: field: message` lines.

Pydantic says *what* is wrong and where in the data (`('cards', 3, 'single', 'answer')`);
deck authors need where in the *file*, and plain words that say how to fix it. This room
runs only when a deck is broken: it composes the YAML node tree again (cheap next to the
parse that failed validation) and follows each error's location through it.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from quizapp.core.decks.errors import DeckError
from quizapp.core.decks.model import SCHEMA_VERSION
from quizapp.core.decks.safe_yaml import BaseSafeLoader


def root_position(text: str) -> tuple[int, int]:
    """Where the document's top-level value starts (1-based line and column).

    Args:
        text: YAML text that parsed.

    Returns:
        The position, (1, 1) when there is nothing to point at.
    """
    try:
        root = yaml.compose(text, Loader=BaseSafeLoader)
    except yaml.YAMLError:  # pragma: no cover - the text parsed a moment ago
        return 1, 1
    mark = root.start_mark if root is not None else None
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


_CARD_TAGS = {"single", "multi", "true_false", "typed", "order", "flashcard"}


def positioned_errors(path: Path, text: str, exc: ValidationError) -> list[DeckError]:
    """One positioned, plainly worded error per problem pydantic found, in line order.

    A misspelt key is reported once, as "did you mean", instead of as an unknown key plus
    a missing field; a cross-field problem (`deck_consistency`) becomes one error each.

    Args:
        path: The deck file (for messages).
        text: Its YAML text, which parsed but did not validate.
        exc: The validation error.

    Returns:
        The errors, sorted by line and column.
    """
    try:
        root = yaml.compose(text, Loader=BaseSafeLoader)
    except yaml.YAMLError:  # pragma: no cover - the text parsed a moment ago
        root = None
    errors: list[DeckError] = []
    raw_errors = exc.errors(include_url=False)
    typos = _typos(raw_errors)
    for err in raw_errors:
        if err["type"] == "deck_consistency":
            ctx = err.get("ctx") or {}
            for loc, message in ctx.get("problems", []):
                errors.append(_at(path, root, tuple(loc), message))
            continue
        loc = tuple(err["loc"])
        if err["type"] == "missing" and loc in typos.values():
            continue  # explained by the misspelt key, reported there
        message = _friendly(err)
        if loc in typos:
            message = (
                f"unknown field {loc[-1]!r}: did you mean {typos[loc][-1]!r}? fix the spelling"
            )
        if err["type"] == "union_tag_invalid":
            loc = (*loc, "type")  # point at the card's `type:` value, not the whole card
        errors.append(_at(path, root, loc, message, key=err["type"] == "extra_forbidden"))
    errors.sort(key=lambda e: (e.line, e.column))
    return errors


def _typos(raw_errors: list[Any]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Pair each unknown key with a missing field of the same mapping it is a misspelling of.

    Returns:
        Location of the unknown key -> location of the missing field.
    """
    missing: dict[tuple[Any, ...], list[str]] = {}
    for err in raw_errors:
        if err["type"] == "missing" and err["loc"]:
            missing.setdefault(tuple(err["loc"][:-1]), []).append(str(err["loc"][-1]))
    pairs: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for err in raw_errors:
        if err["type"] != "extra_forbidden" or not err["loc"]:
            continue
        parent = tuple(err["loc"][:-1])
        taken = set(pairs.values())
        candidates = [name for name in missing.get(parent, []) if (*parent, name) not in taken]
        close = difflib.get_close_matches(str(err["loc"][-1]), candidates, n=1, cutoff=0.7)
        if close:
            pairs[tuple(err["loc"])] = (*parent, close[0])
    return pairs


def _at(
    path: Path, root: yaml.Node | None, loc: tuple[Any, ...], message: str, key: bool = False
) -> DeckError:
    node, shown = _node_at(root, loc, key=key)
    mark = node.start_mark if node is not None else None
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return DeckError(path, line, column, message, ".".join(map(str, shown)) or "(deck)")


def _node_at(
    root: yaml.Node | None, loc: tuple[Any, ...], key: bool = False
) -> tuple[yaml.Node | None, list[Any]]:
    """Follow a pydantic error location through the YAML node tree.

    Returns the deepest node reached (the parent, when the field itself is missing; the
    key rather than its value when `key` is set) and the location as the author would
    write it (without union tags).
    """
    node = root
    shown: list[Any] = []
    for index, part in enumerate(loc):
        child = _child(node, part, as_key=key and index == len(loc) - 1)
        if child is None:
            if _is_union_branch(node, part):
                continue  # pydantic's name for the branch it tried, not something written
            shown.append(part)
            break  # a missing field: point at the mapping that should hold it
        node = child
        shown.append(part)
    return node, shown


def _child(node: yaml.Node | None, part: Any, as_key: bool) -> yaml.Node | None:
    """The node at `part` inside a mapping (its key node if `as_key`) or a sequence."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return key_node if as_key else value_node
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item: yaml.Node = node.value[part]
        return item
    return None


def _is_union_branch(node: yaml.Node | None, part: Any) -> bool:
    # A sequence index is always real; in a mapping, the choice union's branches ('str',
    # 'Choice') show up as well as the card types.
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return False
    if isinstance(node, yaml.MappingNode):
        return part in _CARD_TAGS or part in ("str", "Choice")
    return part in _CARD_TAGS


_FIXED_MESSAGES = {
    "string_type": "must be text: put it in quotes if it looks like a number, true/false or null",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "list_type": "must be a list (lines starting with '- ')",
    "model_type": "must be a mapping of fields (key: value lines)",
    "dict_type": "must be a mapping of fields (key: value lines)",
    "model_attributes_type": "must be a mapping of fields (key: value lines)",
    "date_type": "must be a date written as YYYY-MM-DD",
    "union_tag_not_found": "card has no 'type': use one of single, multi, true_false, typed,"
    " order, flashcard",
    "string_too_short": "must not be empty",
}
"""Error types whose message does not depend on the value or the field."""

_PATTERN_MESSAGES = {
    "url": "must be a web address starting with http:// or https://",
    "language": "must be a language code such as 'en' or 'pt-BR'",
}
"""Which pattern a field must match, for the fields that are not slugs (ids)."""

_SLUG_MESSAGE = "must use lower-case letters, digits and single hyphens (like 'taper-pace-2')"
_CHOICE_MESSAGE = (
    "a choice must be text (quote numbers and true/false) or a mapping with text: and feedback:"
)

_YAML11_BOOLEANS = {
    "y": "true",
    "yes": "true",
    "on": "true",
    "n": "false",
    "no": "false",
    "off": "false",
}
"""Words YAML 1.1 read as booleans and YAML 1.2 (quizapp, editors) reads as text."""


def _bool_message(value: Any) -> str:
    """Say what to write instead of a yes/no word (or a quoted true/false) in a boolean field."""
    if isinstance(value, str):
        word = _YAML11_BOOLEANS.get(value.strip().casefold())
        if word is not None:
            return (
                f"must be true or false: {value!r} is text, not a boolean, in YAML 1.2 (as"
                f" quizapp and editors read it): write {word}"
            )
        if value.strip().casefold() in ("true", "false"):
            return (
                f"must be true or false: {value!r} in quotes is text: write"
                f" {value.strip().casefold()} without quotes"
            )
    return "must be true or false"


def _friendly(err: Any) -> str:
    """Plain words (with the fix) for one pydantic error; pydantic's own text otherwise."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "model_type" and ctx.get("class_name") == "Choice":
        return _CHOICE_MESSAGE
    if kind in _FIXED_MESSAGES:
        return _FIXED_MESSAGES[kind]
    if kind == "bool_type":
        return _bool_message(err.get("input"))
    if kind == "extra_forbidden":
        return f"unknown field {err['loc'][-1]!r}: check the spelling (see `quizapp schema`)"
    if kind == "missing":
        return f"required field {err['loc'][-1]!r} is missing: add it"
    if kind == "union_tag_invalid":
        return (
            f"unknown card type {ctx.get('tag')!r}: use one of single, multi, true_false,"
            " typed, order, flashcard"
        )
    if kind == "literal_error":
        return _literal_message(err, ctx)
    if kind == "string_pattern_mismatch":
        field = str(err["loc"][-1]) if err["loc"] else ""
        return _PATTERN_MESSAGES.get(field, _SLUG_MESSAGE)
    if kind in ("too_short", "too_long"):
        return _length_message(err, ctx)
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    return str(err["msg"])


def _literal_message(err: Any, ctx: dict[str, Any]) -> str:
    if tuple(err["loc"]) == ("schema_version",):
        return (
            f"schema_version {err.get('input')!r} is not supported: this version of quizapp"
            f" reads schema_version {SCHEMA_VERSION} decks"
        )
    return f"must be one of {ctx.get('expected', '')}"


def _length_message(err: Any, ctx: dict[str, Any]) -> str:
    # A list with too few or too many items: say how many it has and how many it may have.
    too_short = err["type"] == "too_short"
    bound = ctx.get("min_length") if too_short else ctx.get("max_length")
    have = ctx.get("actual_length")
    if bound is None or have is None:
        return str(err["msg"]).replace("List", "list").replace(" after validation", "")
    return (
        f"has {have} item{'s' if have != 1 else ''}; needs at"
        f" {'least' if too_short else 'most'} {bound}"
    )
