"""Load YAML decks safely and report every problem as `file:line:column: field: message`.

The happy path is libyaml (when installed) plus pydantic validation. Line numbers for
validation errors are found only when there is an error, by composing the YAML node tree
again and walking the error's location through it.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from quizapp.core.model import SCHEMA_VERSION, Deck

if TYPE_CHECKING:
    from quizapp.core.deck_cache import DeckCache

try:  # libyaml is several times faster; fall back to pure Python where it is missing.
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

MAX_DECK_BYTES = 8 * 1024 * 1024
"""Largest deck file accepted. A 10,000-card deck is about 3 MB; anything far past that is a
mistake (or an attack), and reading it would stall the app."""

MAX_ALIASES = 100
"""Most alias uses (`*name`) a deck may contain."""

MAX_EXPANDED_NODES = 500_000
"""Most YAML nodes a deck may expand to once aliases are followed (stops 'billion laughs')."""

DECK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class DeckError:
    """One problem in a deck file, positioned for an editor's 'go to line'."""

    path: Path
    line: int
    """1-based line number (0 when the problem is the file as a whole)."""
    column: int
    """1-based column number (0 when the problem is the file as a whole)."""
    message: str
    field: str | None = None
    """Dotted path of the offending field, e.g. 'cards.3.answer'."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class DeckLoadError(Exception):
    """A deck file could not be loaded; `errors` says where and why."""

    def __init__(self, errors: Sequence[DeckError]) -> None:
        self.errors: list[DeckError] = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(slots=True)
class LoadResult:
    """The decks that loaded, and the problems with the ones that did not."""

    decks: list[Deck] = field(default_factory=list)
    errors: list[DeckError] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    """Deck id -> the file it came from."""


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _AliasLimit(yaml.MarkedYAMLError):
    pass


class _BadValue(yaml.MarkedYAMLError):
    pass


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _DeckYamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that refuses duplicate mapping keys.

    PyYAML silently keeps the last of two equal keys, so a card with two `answer:` lines
    would quietly lose one. Authors must hear about it.
    """

    # First characters for which an implicit resolver (int, bool, date, null, ...) exists;
    # any other plain scalar, and every quoted one, is a string.
    _RESOLVED_FIRST = frozenset(_BaseLoader.yaml_implicit_resolvers)
    _FAST_RESOLVE = None not in _RESOLVED_FIRST and not _BaseLoader.yaml_path_resolvers

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
        return super().construct_mapping(node, deep=deep)

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
        anything else (numbers, dates, merge keys, explicit tags) goes through the normal
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
            self.constructed_objects = {}
            self.recursive_objects = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A value the resolver accepted but Python refuses (a date like 2026-13-45, an
        # integer of 5,000 digits) raises a plain ValueError without a position.
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


def _decode(path: Path, data: bytes) -> str:
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
        raise DeckLoadError([DeckError(path, line, column, message)]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position_of_reader_error(text, exc.position)
        raise DeckLoadError(
            [
                DeckError(
                    path,
                    line,
                    column,
                    f"character #x{exc.character:04x} is not allowed in YAML"
                    f" ({exc.reason}): delete it, or save the file as plain UTF-8 text",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise DeckLoadError([DeckError(path, 0, 0, f"YAML error: {exc}")]) from None
    except RecursionError:
        raise DeckLoadError([DeckError(path, 0, 0, "the YAML is nested too deeply")]) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # e.g. a timestamp like 2024-13-45 that libyaml accepts but datetime refuses
        raise DeckLoadError([DeckError(path, 0, 0, f"a value cannot be read: {exc}")]) from None
    finally:
        loader.dispose()


def _position_of_reader_error(text: str, position: int) -> tuple[int, int]:
    # libyaml counts bytes of the UTF-8 encoding, the pure-Python reader characters.
    if _BaseLoader is yaml.SafeLoader:  # pragma: no cover - depends on how PyYAML was built
        before = text[:position]
    else:
        before = text.encode("utf-8")[:position].decode("utf-8", errors="ignore")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def load_deck(path: Path, cache: DeckCache | None = None) -> Deck:
    """Read, parse and validate one deck file.

    Args:
        path: A `.yaml`/`.yml` deck file.
        cache: Validated decks from earlier runs; a fresh entry skips YAML parsing, and a
            deck parsed here is stored in it.

    Returns:
        The validated deck.

    Raises:
        DeckLoadError: Anything wrong with the file, each error positioned.
    """
    path = Path(path)
    stat, data = _read_deck_file(path)
    if cache is None:
        return deck_from_text(path, _decode(path, data))
    deck = cache.get(path, stat, data)
    if deck is None:
        deck = deck_from_text(path, _decode(path, data))
        cache.put(path, stat, data, deck)
    return deck


def _read_deck_file(path: Path) -> tuple[os.stat_result, bytes]:
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


def deck_from_text(path: Path, text: str) -> Deck:
    """Parse and validate deck text that came from `path`.

    Args:
        path: Where the text came from, used in error messages.
        text: The YAML document.

    Returns:
        The validated deck.

    Raises:
        DeckLoadError: Anything wrong with the text, each error positioned.
    """
    raw = parse_yaml(path, text)
    if not isinstance(raw, dict):
        kind = "a list" if isinstance(raw, list) else f"a single value ({type(raw).__name__})"
        raise DeckLoadError(
            [
                DeckError(
                    path,
                    *_root_position(text),
                    f"the file holds {kind}; a deck is a mapping with schema_version, id,"
                    " title, sources, topics and cards",
                )
            ]
        )
    try:
        return Deck.model_validate(raw)
    except ValidationError as exc:
        raise DeckLoadError(_positioned(path, text, exc)) from None
    except RecursionError:
        raise DeckLoadError([DeckError(path, 0, 0, "the YAML is nested too deeply")]) from None


# --- error positions (error path only) ---------------------------------------------------


def _root_position(text: str) -> tuple[int, int]:
    try:
        root = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:  # pragma: no cover - the text parsed a moment ago
        return 1, 1
    mark = root.start_mark if root is not None else None
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


_CARD_TAGS = {"single", "multi", "true_false", "typed", "order", "flashcard"}


def _positioned(path: Path, text: str, exc: ValidationError) -> list[DeckError]:
    try:
        root = yaml.compose(text, Loader=_BaseLoader)
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
    import difflib  # error path only: keep it out of start-up

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
        if isinstance(node, yaml.MappingNode):
            pair = next(
                (
                    kv
                    for kv in node.value
                    if isinstance(kv[0], yaml.ScalarNode) and kv[0].value == part
                ),
                None,
            )
            value = None if pair is None else pair[1 if not (key and index == len(loc) - 1) else 0]
            if value is None:
                if part in _CARD_TAGS or part in ("str", "Choice"):
                    continue  # union branch name, not a key the author wrote
                shown.append(part)
                break  # a missing field: point at the mapping that should hold it
            node = value
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                shown.append(part)
                break
            node = node.value[part]
        elif part in _CARD_TAGS:
            continue
        else:
            shown.append(part)
            break
        shown.append(part)
    return node, shown


_FIELD_HINTS = {
    "missing": "required field is missing: add it",
    "extra_forbidden": "unknown field: check the spelling (see `quizapp schema` for the fields)",
    "string_type": "must be text: put it in quotes if it looks like a number, date or yes/no",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "list_type": "must be a list (lines starting with '- ')",
    "model_type": "must be a mapping of fields (key: value lines)",
    "dict_type": "must be a mapping of fields (key: value lines)",
    "model_attributes_type": "must be a mapping of fields (key: value lines)",
    "date_type": "must be a date written as YYYY-MM-DD",
    "union_tag_not_found": "card has no 'type': use one of single, multi, true_false, typed,"
    " order, flashcard",
}


def _friendly(err: Any) -> str:
    kind = err["type"]
    if kind == "model_type" and (err.get("ctx") or {}).get("class_name") == "Choice":
        return (
            "a choice must be text (quote numbers and yes/no) or a mapping with text: and feedback:"
        )
    if kind in _FIELD_HINTS:
        hint = _FIELD_HINTS[kind]
        if kind == "extra_forbidden":
            return f"unknown field {err['loc'][-1]!r}: check the spelling (see `quizapp schema`)"
        if kind == "missing":
            return f"required field {err['loc'][-1]!r} is missing: add it"
        return hint
    if kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        return (
            f"unknown card type {ctx.get('tag')!r}: use one of single, multi, true_false,"
            " typed, order, flashcard"
        )
    if kind == "literal_error" and tuple(err["loc"]) == ("schema_version",):
        return (
            f"schema_version {err.get('input')!r} is not supported: this version of quizapp"
            f" reads schema_version {SCHEMA_VERSION} decks"
        )
    if kind == "literal_error":
        ctx = err.get("ctx") or {}
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch" and err["loc"] and err["loc"][-1] == "url":
        return "must be a web address starting with http:// or https://"
    if kind == "string_pattern_mismatch" and err["loc"] and err["loc"][-1] == "language":
        return "must be a language code such as 'en' or 'pt-BR'"
    if kind == "string_pattern_mismatch":
        return "must use lower-case letters, digits and single hyphens (like 'taper-pace-2')"
    if kind in ("too_short", "too_long"):
        ctx = err.get("ctx") or {}
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        have = ctx.get("actual_length")
        if bound is not None and have is not None:
            return (
                f"has {have} item{'s' if have != 1 else ''}; needs at"
                f" {'least' if kind == 'too_short' else 'most'} {bound}"
            )
        return err["msg"].replace("List", "list").replace(" after validation", "")
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        ctx = err.get("ctx") or {}
        return f"is too long: at most {ctx.get('max_length')} characters"
    return str(err["msg"])


# --- folders and discovery ----------------------------------------------------------------


def deck_files(folder: Path) -> list[Path]:
    """The deck files directly inside a folder, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in DECK_SUFFIXES and p.is_file())


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Turn a mix of deck files and folders into deck files, keeping order, without repeats."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        candidates = deck_files(path) if path.is_dir() else [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                files.append(candidate)
    return files


def load_decks(
    paths: Iterable[Path],
    *,
    cache: DeckCache | None = None,
    progress: Callable[[LoadResult], None] | None = None,
) -> LoadResult:
    """Load every deck, keeping the good ones when others are broken.

    Args:
        paths: Deck files and folders of deck files.
        cache: Validated decks from earlier runs (see `quizapp.core.deck_cache`); None
            parses every file.
        progress: Called with the result so far after each file (the same object every
            time, still growing: copy what you keep).

    Returns:
        The decks that loaded and every error found; a deck id used by two files is an
        error naming both, and only the first file's deck is kept.
    """
    result = LoadResult()
    for path in expand_paths(paths):
        _load_into(result, path, cache)
        if progress is not None:
            progress(result)
    return result


def _load_into(result: LoadResult, path: Path, cache: DeckCache | None) -> None:
    try:
        deck = load_deck(path, cache)
    except DeckLoadError as exc:
        result.errors.extend(exc.errors)
        return
    if deck.id in result.paths:
        line, column = _id_position(path)
        result.errors.append(
            DeckError(
                path,
                line,
                column,
                f"deck id {deck.id!r} is already used by {result.paths[deck.id]}:"
                " give one of the decks another id",
                "id",
            )
        )
        return
    result.paths[deck.id] = path
    result.decks.append(deck)


_ID_LINE = re.compile(r"^id\s*:", re.MULTILINE)


def _id_position(path: Path) -> tuple[int, int]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0, 0
    match = _ID_LINE.search(text)
    return (text.count("\n", 0, match.start()) + 1, 1) if match else (0, 0)
