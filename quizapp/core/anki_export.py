"""A deck as an Anki package (.apkg), for learners who review on their phone.

`quizapp export-deck DECK --format apkg` writes one Anki note per card, built with
`genanki`:

* flashcards: the front, and the back with the explanation under it;
* quiz cards: the question (with its choices, or its steps in a jumbled order) on the
  front; the right answer, the explanation and the source on the back;
* every note has fields for the quizapp card id and the source, and tags for its topic
  (`quizapp::topic::<topic>`), its type and, for a must-know item, `quizapp::must-know`.

Ids are derived from the deck id and card id, never drawn at random, so a package
exported again (after a deck update) updates the notes already in Anki instead of adding
copies: the note GUID is `genanki.guid_for(deck id, card id)`, and the note type and
Anki deck ids are hashes of the deck id.

Deck text is untrusted and Anki shows fields as HTML, so every piece of deck text is
HTML-escaped here; only the markup this module writes itself reaches Anki unescaped.
The education-not-advice notice is the Anki deck's description, and a one-line reminder
sits under every answer.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import random
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import genanki

from quizapp.core.decks.model import Card, Deck, OrderCard
from quizapp.core.decks.topics import TOPIC_TITLES
from quizapp.core.files import write_private_atomic_bytes
from quizapp.core.notice import NOTICE, NOTICE_TITLE

FIELD_NAMES: tuple[str, ...] = ("Front", "Back", "Explanation", "Source", "Card ID", "Topic")
"""The note type's fields, in order (Anki sorts and checks duplicates on the first)."""

TAG_PREFIX = "quizapp::"
"""Tags are namespaced so they never mix with a learner's own Anki tags."""

MUST_KNOW_TAG = f"{TAG_PREFIX}must-know"

_CSS = """\
.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black;
        background-color: white; line-height: 1.4; }
.nightMode.card { color: white; background-color: #1e1e1e; }
.kind { font-size: 14px; opacity: 0.7; }
.explanation { margin-top: 1em; }
.source, .notice { margin-top: 1em; font-size: 14px; opacity: 0.8; }
"""

_ANSWER_FOOTER = (
    '<div class="source">Source: {{Source}}</div>'
    f'<div class="notice">{html.escape(NOTICE_TITLE)}. Talk to your prescriber or pharmacist;'
    " never stop or change a dose on your own.</div>"
)

_TEMPLATE = {
    "name": "Card",
    "qfmt": '<div class="kind">{{Topic}}</div>{{Front}}',
    "afmt": (
        '{{FrontSide}}<hr id="answer"><div class="back">{{Back}}</div>'
        '{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}'
        + _ANSWER_FOOTER
    ),
}


def stable_id(kind: str, deck_id: str) -> int:
    """An Anki id that is the same on every export of a deck.

    Anki identifies note types and decks by integer ids; genanki suggests ids between
    2**30 and 2**31. A hash of the deck id (with `kind` so the two differ) lands there.

    Args:
        kind: What the id is for, e.g. "model" or "deck".
        deck_id: The quizapp deck id.

    Returns:
        An integer in [2**30, 2**31).
    """
    digest = hashlib.sha256(f"quizapp:{kind}:{deck_id}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def note_guid(deck_id: str, card_id: str) -> str:
    """The Anki note GUID of a card: stable, so a re-import updates the note."""
    return str(genanki.guid_for(deck_id, card_id))


def _text(value: str) -> str:
    """Deck text as safe HTML: escaped, with its line breaks kept."""
    return html.escape(value, quote=False).replace("\n", "<br>")


def _list(items: Iterable[str], *, ordered: bool) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{_text(item)}</li>" for item in items) + f"</{tag}>"


def jumbled_steps(card: OrderCard) -> list[str]:
    """An order card's steps in a mixed-up order that is the same on every export.

    The deck writes steps in the right order, so showing them as written would give the
    answer away; a shuffle seeded by the card id keeps re-exports identical.
    """
    steps = list(card.steps)
    random.Random(f"quizapp:{card.id}").shuffle(steps)
    if steps == list(card.steps):  # never show the answer itself as the puzzle
        steps = steps[1:] + steps[:1]
    return steps


def _front_and_back(card: Card) -> tuple[str, str]:
    """The HTML of a card's question side and of its answer."""
    match card.type:
        case "flashcard":
            return _text(card.front), _text(card.back)
        case "single":
            front = _text(card.prompt) + _list(card.choice_texts(), ordered=True)
            return front, _text(card.answer)
        case "multi":
            front = (
                _text(card.prompt)
                + "<p><i>Choose all that apply.</i></p>"
                + _list(card.choice_texts(), ordered=True)
            )
            return front, _list(card.answers, ordered=False)
        case "true_false":
            front = _text(card.prompt) + "<p><i>True or false?</i></p>"
            return front, "True" if card.answer else "False"
        case "typed":
            back = _text(card.accepted[0])
            if len(card.accepted) > 1:
                back += "<p><i>Also right:</i> " + _text(", ".join(card.accepted[1:])) + "</p>"
            return _text(card.prompt), back
        case "order":
            front = (
                _text(card.prompt)
                + "<p><i>Put these steps in the right order.</i></p>"
                + _list(jumbled_steps(card), ordered=False)
            )
            return front, _list(card.steps, ordered=True)
    raise AssertionError(f"unknown card type {card.type!r}")  # pragma: no cover


def _sources(deck: Deck, card: Card) -> str:
    """The card's citations as HTML: title, publisher, year, section and a link."""
    parts = []
    for ref in card.sources:
        source = deck.source(ref.id)
        section = ref.section or source.section
        words = f"{source.title}, {source.publisher}"
        if source.year:
            words += f" ({source.year})"
        if section:
            words += f", section: {section}"
        url = html.escape(source.url, quote=True)
        parts.append(f'{_text(words)}. <a href="{url}">{url}</a>')
    return "<br>".join(parts)


def card_tags(card: Card) -> list[str]:
    """The Anki tags of a card: topic, type and, for a must-know item, must-know."""
    tags = [f"{TAG_PREFIX}topic::{card.topic}", f"{TAG_PREFIX}type::{card.type}"]
    if card.critical:
        tags.append(MUST_KNOW_TAG)
    return tags


def deck_description(deck: Deck) -> str:
    """The Anki deck's description (HTML): the notice, then the deck's version."""
    paragraphs = [f"<b>{html.escape(NOTICE_TITLE)}</b>"]
    paragraphs += [_text(paragraph) for paragraph in NOTICE.split("\n\n")]
    if deck.description:
        paragraphs.append(_text(deck.description))
    paragraphs.append(
        _text(
            f"Made with quizapp from the deck {deck.id!r}, version {deck.version},"
            f" checked against its sources on {deck.reviewed.isoformat()}."
            " Each card names its source."
        )
    )
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def anki_deck_name(deck: Deck) -> str:
    """The deck's name in Anki: its title, with "::" broken up (Anki would nest it)."""
    return deck.title.replace("::", ": ")


def build_anki_deck(deck: Deck) -> genanki.Deck:
    """The genanki deck for a quizapp deck: one note per card, in deck order.

    Args:
        deck: A validated deck.

    Returns:
        A genanki deck with its notes, description and stable ids.
    """
    model = genanki.Model(
        stable_id("model", deck.id),
        f"quizapp card ({deck.id})",
        fields=[{"name": name} for name in FIELD_NAMES],
        templates=[_TEMPLATE],
        css=_CSS,
    )
    anki_deck = genanki.Deck(
        stable_id("deck", deck.id), anki_deck_name(deck), description=deck_description(deck)
    )
    for card in deck.cards:
        front, back = _front_and_back(card)
        fields = [
            front,
            back,
            _text(card.explanation),
            _sources(deck, card),
            _text(card.id),
            _text(TOPIC_TITLES.get(card.topic, card.topic)),
        ]
        anki_deck.add_note(
            genanki.Note(
                model=model, fields=fields, tags=card_tags(card), guid=note_guid(deck.id, card.id)
            )
        )
    return anki_deck


def write_apkg(deck: Deck, path: Path) -> int:
    """Write a deck as an Anki package, readable by its owner only (0600), atomically.

    Args:
        deck: A validated deck.
        path: The .apkg file to write (replaced if it exists); its folder must exist.

    Returns:
        How many notes the package holds (one per card).

    Raises:
        OSError: The file cannot be written.
    """
    anki_deck = build_anki_deck(deck)
    write_private_atomic_bytes(Path(path), lambda handle: _write_package(anki_deck, handle))
    return len(anki_deck.notes)


def _write_package(anki_deck: genanki.Deck, handle: BinaryIO) -> None:
    # genanki's own Package.write_to_file builds the collection in a temporary file that
    # it never removes; build it in a private temporary folder that is removed instead.
    package = genanki.Package(anki_deck)
    timestamp = time.time()
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as folder:
        collection = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(collection)
        try:
            package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(handle, "w") as archive:
            archive.write(collection, "collection.anki2")
            archive.writestr("media", "{}")
