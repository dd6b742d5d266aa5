"""Safe YAML reading for deck files: the bytes a deck may be, and the YAML it may hold.

Deck files are untrusted text. This room reads one file (refusing files past a size
bound), decodes it (naming the line and column of a byte that is not UTF-8) and parses it
with a hardened PyYAML loader: libyaml when installed (several times faster), safe
constructors only, duplicate keys refused, alias use and alias expansion bounded ("billion
laughs"), one document per file. Every failure becomes a positioned `DeckLoadError`.

Plain scalars are read by the YAML 1.2 core schema (`yamlcore`), as deck authors' editors
(yaml-language-server) and checkers (check-jsonschema) read them, not by PyYAML's YAML 1.1
rules: `no`, `yes`, `on`, `off` are text, not booleans; `1_000` is text; `0777` is 777; a
date such as `2026-11-29` is text (the deck model reads it as a date). Only `true`/`false`
(any of `true`, `True`, `TRUE`) are booleans. A deck therefore means the same in the app
as in the editor that checked it.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Any

import yaml
import yamlcore

from quizapp.core.decks.errors import DeckError, DeckLoadError

# Defined with the file finding, which the deck summaries use without YAML.
from quizapp.core.decks.finding import MAX_DECK_BYTES as MAX_DECK_BYTES

# yamlcore's loaders are PyYAML's BaseLoader (no Python-object tags: only str, seq, map and
# the core schema's null, bool, int and float can be built; any other tag is an error) with
# the YAML 1.2 core schema's resolvers. libyaml's is several times faster; fall back to pure
# Python where PyYAML was built without it.
if yaml.__with_libyaml__:
    BaseSafeLoader: type[yaml.BaseLoader] = yamlcore.CCoreLoader
else:  # pragma: no cover - depends on how PyYAML was built
    BaseSafeLoader = yamlcore.CoreLoader
"""The safe YAML 1.2 core-schema loader decks are parsed with (libyaml's when available)."""

MAX_ALIASES = 100
"""Most alias uses (`*name`) a deck may contain."""

MAX_EXPANDED_NODES = 500_000
"""Most YAML nodes a deck may expand to once aliases are followed (stops 'billion laughs')."""


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _AliasLimit(yaml.MarkedYAMLError):
    pass


class _BadValue(yaml.MarkedYAMLError):
    pass


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _DeckYamlLoader(BaseSafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML 1.2 core-schema loader that names the line of a duplicate mapping key.

    YAML forbids two equal keys in one mapping (a card with two `answer:` lines would
    quietly lose one); this loader says where the first one is.
    """

    # First characters for which an implicit resolver (null, bool, int, float) exists;
    # any other plain scalar, and every quoted one, is a string.
    _RESOLVED_FIRST = frozenset(BaseSafeLoader.yaml_implicit_resolvers)
    _FAST_RESOLVE = None not in _RESOLVED_FIRST and not BaseSafeLoader.yaml_path_resolvers

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        # Same answer as BaseResolver.resolve, without its list building for the common
        # case; libyaml calls this once per scalar.
        if (
            kind is yaml.ScalarNode
            and self._FAST_RESOLVE
            and (not implicit[0] or value[:1] not in self._RESOLVED_FIRST)
        ):
            return self.DEFAULT_SCALAR_TAG  # type: ignore[no-any-return]
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self._check_duplicate_keys(node)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    @staticmethod
    def _check_duplicate_keys(node: yaml.MappingNode) -> None:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    first = seen[key].start_mark
                    raise _DuplicateKey(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {first.line + 1}):"
                        " remove one of them",
                        key_node.start_mark,
                    )
                seen[key] = key_node

    def construct_plain_document(self, root: yaml.Node) -> Any:
        """`construct_document` for a document without anchors, several times faster.

        Strings, lists and string-keyed mappings are built directly, breadth first in the
        same order as PyYAML's generators (so the first error found is the same one);
        anything else (numbers, booleans, null, explicit tags) goes through the normal
        constructors. Only valid without anchors: nodes are never shared, so aliases and
        recursion cannot occur.
        """
        queue: deque[tuple[yaml.Node, Any]] = deque()
        scalar, sequence, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
        construct_object = self.construct_object

        def start(node: yaml.Node) -> Any:
            kind = node.__class__
            if kind is scalar:
                if node.tag == _STR_TAG:
                    return node.value
                return construct_object(node)
            if kind is sequence and node.tag == _SEQ_TAG:
                items: list[Any] = []
                queue.append((node, items))
                return items
            if kind is mapping and node.tag == _MAP_TAG:
                fields: dict[Any, Any] = {}
                queue.append((node, fields))
                return fields
            return construct_object(node, deep=True)

        try:
            data = start(root)
            while queue:
                node, target = queue.popleft()
                if target.__class__ is list:
                    target.extend([start(child) for child in node.value])
                    continue
                pairs = node.value
                keys = [key.value for key, _ in pairs if key.tag == _STR_TAG]
                try:
                    plain = len(keys) == len(pairs) and len(set(keys)) == len(keys)
                except TypeError:  # an explicit !!str on a non-scalar key
                    plain = False
                if plain:
                    for key, (_, value_node) in zip(keys, pairs, strict=True):
                        target[key] = start(value_node)
                else:  # duplicate, merge or non-string keys: the careful path
                    target.update(construct_object(node, deep=True))
            return data
        finally:
            self.constructed_objects: dict[yaml.Node, Any] = {}
            self.recursive_objects: dict[yaml.Node, None] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A value the resolver accepted but Python refuses (an integer of 5,000 digits)
        # raises a plain ValueError without a position.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise _BadValue(
                None,
                None,
                f"{node.value!r} cannot be read: {exc}"
                if isinstance(node, yaml.ScalarNode)
                else f"a value cannot be read: {exc}",
                node.start_mark,
            ) from None


def _check_aliases(root: yaml.Node) -> None:
    """Refuse alias-heavy documents before anything expands them."""
    aliases = 0
    expanded: dict[int, int] = {}
    # Iterative post-order walk; the graph is a DAG (PyYAML refuses recursive aliases).
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in expanded and not children_done:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _AliasLimit(
                    None,
                    None,
                    f"more than {MAX_ALIASES} aliases: write the values out instead of using"
                    " '*alias' references",
                    node.start_mark,
                )
            continue
        children: list[yaml.Node]
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        if children_done:
            total = 1 + sum(expanded[id(child)] for child in children)
            if total > MAX_EXPANDED_NODES:
                raise _AliasLimit(
                    None,
                    None,
                    f"aliases expand this document past {MAX_EXPANDED_NODES:,} values:"
                    " remove the nested '*alias' references",
                    node.start_mark,
                )
            expanded[key] = total
            continue
        expanded[key] = 0  # marks "being visited" so a second reference counts as an alias
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children))


def _position_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def decode_deck_bytes(path: Path, data: bytes) -> str:
    """Decode a deck file's bytes as UTF-8 (a leading byte-order mark is dropped).

    Args:
        path: The file the bytes came from (for messages).
        data: Its bytes.

    Returns:
        The text.

    Raises:
        DeckLoadError: A byte is not UTF-8; the error names its line and column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position_of_offset(data, exc.start)
        raise DeckLoadError(
            [
                DeckError(
                    path,
                    line,
                    column,
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as UTF-8",
                )
            ]
        ) from None
    return text


def parse_yaml(path: Path, text: str) -> Any:
    """Parse one YAML document safely.

    Args:
        path: The file the text came from (for messages).
        text: The document.

    Returns:
        The plain Python data (dicts, lists, scalars).

    Raises:
        DeckLoadError: Syntax errors, duplicate keys, alias bombs, or more than one document.
    """
    loader = _DeckYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise DeckLoadError([DeckError(path, 1, 1, "the file is empty: a deck is a mapping")])
        # An alias needs an anchor ('&name') and a '*name'; most decks have neither, so
        # skip the walk, and without anchors no node is shared: build the data directly.
        if "&" not in text:
            return loader.construct_plain_document(node)
        if "*" in text:
            _check_aliases(node)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise DeckLoadError([_syntax_error(path, text, exc)]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position_of_reader_error(text, exc.position)
        message = (
            f"character #x{exc.character:04x} is not allowed in YAML"
            f" ({exc.reason}): delete it, or save the file as plain UTF-8 text"
        )
        raise DeckLoadError([DeckError(path, line, column, message)]) from None
    except yaml.YAMLError as exc:
        raise DeckLoadError([DeckError(path, 0, 0, f"YAML error: {exc}")]) from None
    except RecursionError:
        raise DeckLoadError([DeckError(path, 0, 0, "the YAML is nested too deeply")]) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a value the resolver accepted that Python refuses, outside construct_object
        raise DeckLoadError([DeckError(path, 0, 0, f"a value cannot be read: {exc}")]) from None
    finally:
        loader.dispose()


def _syntax_error(path: Path, text: str, exc: yaml.MarkedYAMLError) -> DeckError:
    # PyYAML's wording, positioned, plus a hint for the mistakes authors make most.
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    start = exc.context_mark
    if exc.problem == "but found another document":
        message = "a second YAML document starts here ('---'): keep one deck per file"
    elif exc.context and start is not None and mark is not None and start.line != mark.line:
        message += f" (it starts at line {start.line + 1}, column {start.column + 1})"
    if (exc.problem or "").startswith("mapping values are not allowed"):
        message += " (a value containing ': ' must be put in quotes)"
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        message += " (a tab: YAML indentation must use spaces, not tabs)"
    return DeckError(path, line, column, message)


def _position_of_reader_error(text: str, position: int) -> tuple[int, int]:
    # libyaml counts bytes of the UTF-8 encoding, the pure-Python reader characters.
    if BaseSafeLoader is yamlcore.CoreLoader:  # pragma: no cover - depends on how PyYAML was built
        before = text[:position]
    else:
        before = text.encode("utf-8")[:position].decode("utf-8", errors="ignore")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def read_deck_file(path: Path) -> tuple[os.stat_result, bytes]:
    """Read a deck file's bytes, refusing one past `MAX_DECK_BYTES` before reading it.

    Args:
        path: The deck file.

    Returns:
        Its `os.stat` result (taken before reading) and its bytes.

    Raises:
        DeckLoadError: The file is too big or cannot be read.
    """
    try:
        stat = path.stat()
        size = stat.st_size
        if size > MAX_DECK_BYTES:
            raise DeckLoadError(
                [
                    DeckError(
                        path,
                        0,
                        0,
                        f"file is {size / 1048576:.1f} MB; decks may be at most"
                        f" {MAX_DECK_BYTES // 1048576} MB: split it into several decks",
                    )
                ]
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DeckLoadError(
            [DeckError(path, 0, 0, f"cannot read the file: {exc.strerror}")]
        ) from None
    return stat, data
