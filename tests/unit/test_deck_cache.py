"""The validated-deck cache: used when fresh, rebuilt when anything changes, never an error.

Every test works on real files in its own folders (the root conftest points
QUIZAPP_CACHE_DIR at a fresh one). Whether a load came from the cache is proved without
timing: the YAML parser is made to fail, or the cache's hit/miss counters are read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.core import paths
from quizapp.core.decks import cache as deck_cache
from quizapp.core.decks import cache_key, loading, safe_yaml
from quizapp.core.decks.cache import DeckCache
from quizapp.core.decks.errors import DeckLoadError
from quizapp.core.decks.loading import load_deck, load_decks
from quizapp.core.decks.model import Deck

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "data" / "decks" / "valid" / "sample.yaml"
INVALID = REPO / "tests" / "data" / "decks" / "invalid"
BUNDLED = sorted((REPO / "decks").glob("*.yaml"))


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    """A copy of the sample deck that a test may edit."""
    folder = tmp_path / "decks"
    folder.mkdir()
    target = folder / "sample.yaml"
    shutil.copyfile(SAMPLE, target)
    return target


@pytest.fixture
def no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make YAML parsing impossible: a deck can then only come from the cache."""

    def refuse(path: Path, text: str) -> object:
        raise AssertionError(f"{path} was parsed, not read from the cache")

    monkeypatch.setattr(loading, "parse_yaml", refuse)


def _fresh() -> DeckCache:
    """A new cache object on the default folder, like the next run of the app."""
    return DeckCache()


def _bump_mtime(path: Path, seconds: int = 10) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


# --- hits and misses -----------------------------------------------------------------------


def test_default_folder_is_in_the_cache_dir(tmp_path: Path) -> None:
    assert DeckCache().folder == paths.cache_dir() / "decks"
    assert str(DeckCache().folder).startswith(str(tmp_path))  # QUIZAPP_CACHE_DIR is honoured


def test_cold_load_writes_the_entry(deck_file: Path) -> None:
    cache = _fresh()
    entry = cache.entry_path(deck_file)
    assert not entry.exists()
    deck = load_deck(deck_file, cache)
    assert (cache.hits, cache.misses) == (0, 1)
    assert entry.is_file()
    header, _, body = entry.read_bytes().partition(b"\n")
    key = json.loads(header)
    assert key["path"] == str(deck_file.resolve())
    assert key["size"] == deck_file.stat().st_size
    assert key["mtime_ns"] == deck_file.stat().st_mtime_ns
    assert key["blake2b"] == deck_cache.content_hash(deck_file.read_bytes())
    assert Deck.model_validate_json(body) == deck
    # The entry and the deck's summary beside it; no temporary files left.
    summary = entry.with_name(entry.stem + ".summary.json")
    assert sorted(p.name for p in cache.folder.iterdir()) == sorted([entry.name, summary.name])


def test_warm_load_uses_the_entry_without_parsing(deck_file: Path, no_yaml: None) -> None:
    with pytest.raises(AssertionError, match="was parsed"):
        load_deck(deck_file)  # the parser really is unusable
    # Written by an earlier run (the parser is off now, so write it the way a run would).
    stat, data = safe_yaml.read_deck_file(deck_file)
    deck = Deck.model_validate(yaml.safe_load(data))
    assert DeckCache().put(deck_file, stat, data, deck)

    cache = _fresh()
    assert load_deck(deck_file, cache) == deck
    assert (cache.hits, cache.misses) == (1, 0)


def test_cached_deck_is_the_same_as_a_parsed_one() -> None:
    for path in [SAMPLE, *BUNDLED]:
        parsed = load_deck(path)
        load_deck(path, _fresh())  # cold: writes
        cache = _fresh()
        cached = load_deck(path, cache)
        assert cache.hits == 1
        assert cached == parsed
        assert cached.model_dump() == parsed.model_dump()
        assert cached.model_fields_set == parsed.model_fields_set
        assert [c.content_hash() for c in cached.cards] == [c.content_hash() for c in parsed.cards]


def test_load_decks_with_a_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    cold = load_decks(BUNDLED, cache=_fresh())
    assert not cold.errors and len(cold.decks) == len(BUNDLED)
    monkeypatch.setattr(loading, "parse_yaml", lambda *a: pytest.fail("parsed on a warm run"))
    cache = _fresh()
    seen: list[int] = []
    warm = load_decks(BUNDLED, cache=cache, progress=lambda result: seen.append(len(result.decks)))
    assert cache.hits == len(BUNDLED)
    assert [d.id for d in warm.decks] == [d.id for d in cold.decks]
    assert warm.paths == cold.paths
    assert seen == list(range(1, len(BUNDLED) + 1))  # one progress call per file


def test_same_content_in_two_files_has_two_entries(deck_file: Path) -> None:
    other = deck_file.with_name("copy.yaml")
    shutil.copyfile(deck_file, other)
    cache = _fresh()
    assert cache.entry_path(deck_file) != cache.entry_path(other)
    load_deck(deck_file, cache)
    load_deck(other, cache)
    assert cache.misses == 2


# --- invalidation --------------------------------------------------------------------------


def test_content_edit_invalidates(deck_file: Path) -> None:
    load_deck(deck_file, _fresh())
    text = deck_file.read_text(encoding="utf-8")
    edited = text.replace("Sample deck: diazepam basics", "Edited title")
    deck_file.write_text(edited, encoding="utf-8")
    cache = _fresh()
    assert load_deck(deck_file, cache).title == "Edited title"
    assert (cache.hits, cache.misses) == (0, 1)
    again = _fresh()
    assert load_deck(deck_file, again).title == "Edited title"
    assert again.hits == 1  # rebuilt for the new content


@pytest.mark.parametrize("restore_mtime", [False, True], ids=["mtime-bumped", "mtime-restored"])
def test_same_size_edit_invalidates(deck_file: Path, restore_mtime: bool) -> None:
    load_deck(deck_file, _fresh())
    before = deck_file.stat()
    data = deck_file.read_bytes()
    edited = data.replace(b'version: "1.0.0"', b'version: "1.0.9"')
    assert len(edited) == len(data) and edited != data
    deck_file.write_bytes(edited)
    if restore_mtime:  # a tool that keeps the timestamp: only the content hash can tell
        os.utime(deck_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        _bump_mtime(deck_file)
    cache = _fresh()
    assert load_deck(deck_file, cache).version == "1.0.9"
    assert cache.misses == 1


def test_touch_invalidates_then_hits_again(deck_file: Path) -> None:
    load_deck(deck_file, _fresh())
    _bump_mtime(deck_file)
    first, second = _fresh(), _fresh()
    load_deck(deck_file, first)
    load_deck(deck_file, second)
    assert (first.misses, second.hits) == (1, 1)


@pytest.mark.parametrize(
    ("name", "value"),
    [("SCHEMA_VERSION", 999), ("CACHE_FORMAT", 999), ("__version__", "999.0"), ("pydantic", None)],
)
def test_version_change_invalidates(
    deck_file: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: object
) -> None:
    load_deck(deck_file, _fresh())
    if name == "pydantic":
        import pydantic.version

        monkeypatch.setattr(pydantic.version, "VERSION", "0.0.0")
    else:
        monkeypatch.setattr(cache_key, name, value)
    cache = _fresh()
    load_deck(deck_file, cache)
    assert (cache.hits, cache.misses) == (0, 1)
    again = _fresh()
    load_deck(deck_file, again)
    assert again.hits == 1  # the entry was rewritten for the new version


# --- damaged entries -----------------------------------------------------------------------


def _header(deck_file: Path) -> bytes:
    stat, data = safe_yaml.read_deck_file(deck_file)
    return json.dumps(DeckCache.key(deck_file, stat, data)).encode()


CORRUPTIONS = {
    "garbage-bytes": lambda entry, deck_file: b"\x00\xff\xfe garbage \x80" * 50,
    "empty": lambda entry, deck_file: b"",
    "truncated": lambda entry, deck_file: entry[: len(entry) // 2],
    "truncated-header": lambda entry, deck_file: entry[:20],
    "header-only": lambda entry, deck_file: entry.partition(b"\n")[0],
    "header-not-a-mapping": lambda entry, deck_file: b"[1, 2]\n" + entry.partition(b"\n")[2],
    "wrong-shape-json": lambda entry, deck_file: _header(deck_file) + b'\n{"cards": 42}',
    "json-list": lambda entry, deck_file: _header(deck_file) + b"\n[]",
    "invalid-deck": lambda entry, deck_file: entry.replace(
        b'"schema_version":1', b'"schema_version":7'
    ),
    "not-utf8": lambda entry, deck_file: _header(deck_file) + b"\n\xff\xfe{",
    "deeply-nested": lambda entry, deck_file: _header(deck_file) + b"\n" + b"[" * 100_000,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_corrupt_entry_is_ignored_and_rebuilt(deck_file: Path, corrupt) -> None:  # type: ignore[no-untyped-def]
    expected = load_deck(deck_file, _fresh())
    entry = _fresh().entry_path(deck_file)
    entry.write_bytes(corrupt(entry.read_bytes(), deck_file))

    cache = _fresh()
    assert load_deck(deck_file, cache) == expected
    assert (cache.hits, cache.misses) == (0, 1)
    again = _fresh()
    assert load_deck(deck_file, again) == expected
    assert again.hits == 1  # rebuilt


def test_unreadable_entry_is_a_miss(deck_file: Path) -> None:
    load_deck(deck_file, _fresh())
    entry = _fresh().entry_path(deck_file)
    entry.unlink()
    entry.mkdir()  # reading it fails with IsADirectoryError; writing over it fails too
    cache = _fresh()
    assert load_deck(deck_file, cache).id == "sample-diazepam"
    assert cache.misses == 1 and cache.write_errors == 1
    assert [p for p in cache.folder.iterdir() if p.name.startswith(".tmp")] == []


def test_broken_decks_are_not_cached(tmp_path: Path) -> None:
    cache = _fresh()
    broken = sorted(INVALID.glob("*.yaml"))
    result = load_decks(broken, cache=cache)
    assert result.errors and not result.decks
    assert not cache.folder.exists() or not any(cache.folder.iterdir())


# --- an unwritable cache folder ------------------------------------------------------------


def test_cache_folder_that_cannot_be_created(deck_file: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = DeckCache(blocker / "decks")
    assert load_deck(deck_file, cache).id == "sample-diazepam"
    assert cache.write_errors == 1


def test_read_only_cache_folder(
    deck_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ro-cache"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        cache = DeckCache(folder)
        if os.access(folder, os.W_OK):  # root ignores the mode: refuse the write instead

            def refuse(*args: object, **kwargs: object) -> None:
                raise PermissionError(13, "Permission denied")

            monkeypatch.setattr(deck_cache.tempfile, "mkstemp", refuse)
        deck = load_deck(deck_file, cache)
        assert deck.id == "sample-diazepam"
        assert cache.write_errors == 1
        assert list(folder.iterdir()) == []
        assert load_decks([deck_file], cache=cache).decks == [deck]
    finally:
        folder.chmod(0o755)


def test_failed_rename_leaves_no_temporary_file(
    deck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(deck_cache.os, "replace", refuse)
    cache = _fresh()
    assert load_deck(deck_file, cache).id == "sample-diazepam"
    assert cache.write_errors == 1
    assert list(cache.folder.iterdir()) == []


def test_entry_replaced_atomically(deck_file: Path) -> None:
    """A reader that opened the old entry keeps reading a whole old entry."""
    load_deck(deck_file, _fresh())
    entry = _fresh().entry_path(deck_file)
    with entry.open("rb") as old:
        deck_file.write_text(deck_file.read_text().replace("1.0.0", "2.0.0"))
        load_deck(deck_file, _fresh())  # rewrites the entry
        stale = old.read()
    assert json.loads(stale.partition(b"\n")[0])["size"] > 0
    Deck.model_validate_json(stale.partition(b"\n")[2])  # complete, not torn


# --- the loader's fast path ----------------------------------------------------------------

_scalars = (
    st.text(max_size=12)
    | st.integers(-(10**6), 10**6)
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))
)
_documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.dictionaries(st.text(max_size=8), _documents, max_size=5), flow=st.booleans())
def test_plain_construction_matches_pyyaml(document: dict, flow: bool) -> None:
    """Without anchors the loader builds the data itself; it must equal PyYAML's."""
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    if "&" in text:  # anchors take the normal path, not the one under test
        return
    assert safe_yaml.parse_yaml(Path("x.yaml"), text) == yaml.load(
        text, Loader=safe_yaml.BaseSafeLoader
    )


def test_plain_construction_handles_merge_and_tagged_keys() -> None:
    text = "a: {<<: {x: 1, y: 2}, y: 3}\n1: one\n? [k]\n: v\n"
    with pytest.raises(DeckLoadError):  # a list key cannot be a dict key: a clean error
        safe_yaml.parse_yaml(Path("x.yaml"), text)
    text = "a: {<<: {x: 1, y: 2}, y: 3}\n1: one\nz: !!str 5\nd: 2026-01-02\n"
    assert safe_yaml.parse_yaml(Path("x.yaml"), text) == yaml.load(
        text, Loader=safe_yaml.BaseSafeLoader
    )


# --- Home fills in as decks arrive ---------------------------------------------------------


async def test_home_shows_before_decks_load_and_fills_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quizapp.core.settings import Settings, save_settings
    from quizapp.core.store import ScoreStore
    from quizapp.ui.app import make_app
    from quizapp.ui.screens.home import HomeScreen

    data_dir = tmp_path / "data"
    store = ScoreStore.open(paths.db_path(data_dir))
    store.acknowledge_notice(store.get_or_create_learner("Ada").id)
    save_settings(Settings(learner="Ada"), paths.settings_path(data_dir))

    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copyfile(SAMPLE, folder / "a-fast.yaml")
    slow_text = SAMPLE.read_text().replace("id: sample-diazepam", "id: slow-deck", 1)
    (folder / "b-slow.yaml").write_text(slow_text)

    release = threading.Event()
    real_load_deck = loading.load_deck

    def gated(path: Path, cache: DeckCache | None = None) -> Deck:
        if path.name == "b-slow.yaml":
            assert release.wait(30), "test never released the slow deck"
        return real_load_deck(path, cache)

    monkeypatch.setattr(loading, "load_deck", gated)
    app = make_app(data_dir=data_dir, extra_decks=[folder], bundled=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            home = app.screen
            assert isinstance(home, HomeScreen)
            for _ in range(200):  # the fast deck arrives while the slow one is still loading
                await pilot.pause(0.01)
                if home.decks:
                    break
            assert [deck.id for deck in home.decks] == ["sample-diazepam"]
            release.set()
            await app.workers.wait_for_complete()
            for _ in range(50):
                await pilot.pause(0.01)
                if len(home.decks) == 2:
                    break
            assert [deck.id for deck in home.decks] == ["sample-diazepam", "slow-deck"]
            # Checked and listed from their summaries; the cards load when a deck opens.
            assert set(app.library.summaries) == {"sample-diazepam", "slow-deck"}
            assert app.decks == {}
    finally:
        release.set()


def test_an_entry_made_by_the_yaml_1_1_reader_is_not_used(
    deck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: `answer: no` was false under YAML 1.1 and is an error now; a cache entry
    written by the old reader (cache format 1) must not turn the error back into false."""
    text = deck_file.read_text(encoding="utf-8").replace("    answer: false", "    answer: no")
    deck_file.write_text(text, encoding="utf-8")
    old_reading = Deck.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))
    assert old_reading.card("stop-abrupt").answer is False  # what YAML 1.1 made of it
    # The entry as the previous release wrote it: the same key, with cache format 1.
    data = deck_file.read_bytes()
    with monkeypatch.context() as patched:
        patched.setattr(cache_key, "CACHE_FORMAT", 1)
        assert _fresh().put(deck_file, deck_file.stat(), data, old_reading)

    with pytest.raises(DeckLoadError) as caught:
        load_deck(deck_file, _fresh())
    assert "write false" in caught.value.errors[0].message
