"""Decks as Anki packages: real .apkg files imported into a real Anki collection.

`anki` is Anki's own Python package (the test extra installs it): each test opens a
fresh collection, imports what `quizapp export-deck` wrote, and reads the notes back.
"""

from __future__ import annotations

import html
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions

from quizapp.core.anki_export import build_anki_deck, jumbled_steps, stable_id, write_apkg
from quizapp.core.decks.loading import load_deck
from quizapp.core.decks.model import Deck
from quizapp.core.notice import NOTICE
from quizapp.core.paths import bundled_decks_dir
from tests.conftest import run_quizapp

REPO = Path(__file__).resolve().parents[2]
ALL_TYPES = REPO / "tests" / "data" / "decks" / "ui" / "all-types.yaml"


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh, empty Anki collection."""
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_package(col: Collection, path: Path) -> int:
    """Import an .apkg as Anki's File > Import does; return how many notes were new."""
    request = ImportAnkiPackageRequest(
        package_path=str(path), options=ImportAnkiPackageOptions(with_scheduling=False)
    )
    return len(col.import_anki_package(request).log.new)


def notes_by_card_id(col: Collection) -> dict[str, dict[str, object]]:
    """Every note in the collection, keyed by its "Card ID" field."""
    found = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        found[html.unescape(note["Card ID"])] = {
            "fields": {name: note[name] for name in note.keys()},
            "tags": sorted(note.tags),
            "guid": note.guid,
            "deck": col.decks.name(col.get_card(note.card_ids()[0]).did),
        }
    return found


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def test_every_card_of_every_type_becomes_the_right_note(
    collection: Collection, tmp_path: Path
) -> None:
    deck = load_deck(ALL_TYPES)
    package = tmp_path / "all.apkg"
    assert write_apkg(deck, package) == len(deck.cards) == 6
    assert import_package(collection, package) == 6
    notes = notes_by_card_id(collection)
    assert set(notes) == {card.id for card in deck.cards}

    single = notes["q-single"]["fields"]
    assert single["Front"] == (
        "What does diazepam do to GABA, the brain's calming messenger?"
        "<ol><li>It takes the place of GABA.</li><li>It makes GABA work better.</li>"
        "<li>It blocks GABA.</li></ol>"
    )
    assert single["Back"] == "It makes GABA work better."
    assert single["Explanation"] == (
        "Diazepam helps GABA calm nerve cells. It does not act in place of GABA."
    )
    assert single["Source"] == (
        "VALIUM (diazepam) tablets, prescribing information, Roche; US National Library of"
        " Medicine DailyMed (2024), section: Clinical Pharmacology."
        ' <a href="https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=554baee5-b171-4452'
        '-a50a-41a0946f956c">https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid='
        "554baee5-b171-4452-a50a-41a0946f956c</a>"
    )
    assert single["Topic"] == "How it works"
    assert notes["q-single"]["tags"] == ["quizapp::topic::mechanism", "quizapp::type::single"]

    multi = notes["q-multi"]
    assert "Choose all that apply." in multi["fields"]["Front"]
    assert multi["fields"]["Back"] == "<ul><li>Alcohol</li><li>Opioid pain medicine</li></ul>"
    assert multi["tags"] == [
        "quizapp::must-know",
        "quizapp::topic::adverse-effects",
        "quizapp::type::multi",
    ]

    assert notes["q-tf"]["fields"]["Back"] == "False"
    assert "True or false?" in notes["q-tf"]["fields"]["Front"]
    assert "quizapp::must-know" in notes["q-tf"]["tags"]

    typed = notes["q-typed"]["fields"]
    assert typed["Front"] == "Name the brain's calming messenger that diazepam helps."
    assert typed["Back"] == "GABA<p><i>Also right:</i> gamma-aminobutyric acid</p>"

    order = notes["q-order"]["fields"]
    steps = [
        "Talk to your prescriber about a plan.",
        "Lower the dose a little at a time.",
        "Tell the prescriber about any withdrawal signs.",
    ]
    assert order["Back"] == "<ol>" + "".join(f"<li>{step}</li>" for step in steps) + "</ol>"
    front_steps = [
        part.split("</li>")[0] for part in order["Front"].split("<li>")[1:]
    ]  # the steps as shown on the front
    assert sorted(front_steps) == sorted(steps) and front_steps != steps

    flash = notes["f-gaba"]["fields"]
    assert (flash["Front"], flash["Back"]) == (
        "What is GABA?",
        "The brain's own calming messenger.",
    )
    assert flash["Explanation"] == "Diazepam makes GABA work better."

    for card in deck.cards:
        assert notes[card.id]["guid"] == genanki.guid_for(deck.id, card.id)
        assert notes[card.id]["deck"] == deck.title


BUNDLED = sorted(bundled_decks_dir().glob("*.yaml"))


@pytest.mark.parametrize("deck_file", BUNDLED, ids=[path.stem for path in BUNDLED])
def test_a_bundled_deck_imports_one_note_per_card_and_again_adds_none(
    collection: Collection, tmp_path: Path, deck_file: Path
) -> None:
    deck = load_deck(deck_file)
    package = tmp_path / f"{deck.id}.apkg"
    result = run_quizapp("export-deck", deck.id, "--format", "apkg", "--output", package)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {len(deck.cards)} note(s)" in result.stderr
    assert stat.S_IMODE(package.stat().st_mode) == 0o600

    assert import_package(collection, package) == len(deck.cards)
    assert import_package(collection, package) == 0
    # A later export (new timestamps) updates the same notes instead of adding copies.
    again = tmp_path / "again.apkg"
    write_apkg(deck, again)
    assert import_package(collection, again) == 0
    assert collection.note_count() == len(deck.cards)

    notes = notes_by_card_id(collection)
    assert set(notes) == {card.id for card in deck.cards}
    for card in deck.cards:
        note = notes[card.id]
        fields = note["fields"]
        shown = card.front if card.type == "flashcard" else card.prompt
        assert fields["Front"].startswith(esc(shown).replace("\n", "<br>"))
        assert fields["Explanation"] == esc(card.explanation).replace("\n", "<br>")
        for ref in card.sources:
            assert esc(deck.source(ref.id).title) in fields["Source"]
        assert f"quizapp::topic::{card.topic}" in note["tags"]
        assert ("quizapp::must-know" in note["tags"]) == card.critical

    anki_deck = collection.decks.by_name(deck.title)
    assert anki_deck is not None
    description = html.unescape(anki_deck["desc"])
    for paragraph in NOTICE.split("\n\n"):
        assert paragraph in description


def test_deck_text_is_escaped_never_live_html(collection: Collection, tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> & {{Back}}"
    deck_file = tmp_path / "hostile.yaml"
    text = ALL_TYPES.read_text(encoding="utf-8")
    text = text.replace('title: "Test deck: every card type"', 'title: "A::B <b>deck</b>"')
    text = text.replace("front: What is GABA?", f"front: {hostile!r}".replace("'", '"'))
    text = text.replace("It blocks GABA.", "It blocks <i>GABA</i>.")
    deck_file.write_text(text, encoding="utf-8")
    deck = load_deck(deck_file)
    package = tmp_path / "hostile.apkg"
    write_apkg(deck, package)
    import_package(collection, package)
    notes = notes_by_card_id(collection)

    front = notes["f-gaba"]["fields"]["Front"]
    assert "<script" not in front and "<img" not in front
    assert html.unescape(front) == hostile
    assert "<li>It blocks &lt;i&gt;GABA&lt;/i&gt;.</li>" in notes["q-single"]["fields"]["Front"]
    # "::" would make Anki nest the deck under "A"; the name keeps the title's words.
    assert notes["f-gaba"]["deck"] == "A: B <b>deck</b>"
    card = collection.get_card(collection.find_cards("")[0])
    rendered = card.question() + card.answer()
    assert "<script>" not in rendered


def test_ids_are_stable_across_exports_and_differ_between_decks(tmp_path: Path) -> None:
    deck = load_deck(ALL_TYPES)
    first, second = build_anki_deck(deck), build_anki_deck(deck)
    assert first.deck_id == second.deck_id == stable_id("deck", deck.id)
    assert first.notes[0].model.model_id == second.notes[0].model.model_id
    assert [note.guid for note in first.notes] == [note.guid for note in second.notes]
    other = Deck.model_validate(deck.model_dump() | {"id": "another-deck"})
    assert build_anki_deck(other).deck_id != first.deck_id
    assert all(1 << 30 <= stable_id(kind, deck.id) < 1 << 31 for kind in ("deck", "model"))
    order = deck.card("q-order")
    assert jumbled_steps(order) == jumbled_steps(order) != list(order.steps)


def test_unknown_deck_and_unwritable_output_are_clear_errors(tmp_path: Path) -> None:
    result = run_quizapp("export-deck", "no-such-deck", "--output", tmp_path / "x.apkg")
    assert result.returncode == 2
    assert "no deck with the id 'no-such-deck'" in result.stderr and "diazepam" in result.stderr
    assert "Traceback" not in result.stderr

    missing = tmp_path / "no-folder" / "x.apkg"
    result = run_quizapp("export-deck", "diazepam", "--output", missing)
    assert result.returncode == 2
    assert f"cannot write {missing}" in result.stderr and "Traceback" not in result.stderr
    assert not missing.parent.exists()


def test_default_output_is_the_deck_id_in_the_current_folder(tmp_path: Path) -> None:
    result = run_quizapp("export-deck", "clonazepam", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "clonazepam.apkg"
    assert written.is_file() and stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["clonazepam.apkg"]  # no temp files left
    assert os.access(written, os.R_OK)


def test_the_package_carries_the_notice_the_app_shows() -> None:
    from quizapp.ui.dialogs.notice import NOTICE as SHOWN_IN_APP

    assert NOTICE == SHOWN_IN_APP
