"""The starter deck `quizapp new-deck` writes, so a new author does not start from nothing.

The starter is a valid deck (it loads, and `quizapp lint` finds no error in it) whose every
text says what to write there: one card of each type, each with comments on its fields, the
sources table, and the app's education-not-advice notice. Its first line points
yaml-language-server (VS Code's YAML extension and other editors) at the deck schema,
written beside it, so the editor checks the deck and shows each field's description while
the author types.

The starter carries no medical fact: facts come from the author's sources. Its version is
0.1.0, a draft (see `quizapp.core.lint.is_draft`), until the author has filled it in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote_plus

from quizapp.core.decks.json_schema import DECK_SCHEMA_FILENAME, deck_json_schema
from quizapp.core.files import write_private_text
from quizapp.core.notice import NOTICE, NOTICE_TITLE

MAX_DRUG_NAME = 200
"""Longest drug name accepted (the deck title adds to it, and a title has at most 300)."""


class StarterDeckError(ValueError):
    """The starter deck cannot be written as asked (the message says why, for the user)."""


@dataclass(frozen=True, slots=True)
class NewDeck:
    """What `write_starter_deck` wrote.

    Attributes:
        deck: The starter deck file.
        schema: The schema file beside it.
        schema_written: False when a schema file was there already (it is never replaced).
        schema_current: Whether the schema file now holds this version's schema.
    """

    deck: Path
    schema: Path
    schema_written: bool
    schema_current: bool


def deck_id_for(drug: str) -> str:
    """A deck id made from a drug name: 'Valproic acid' -> 'valproic-acid'.

    Args:
        drug: The drug's generic name.

    Returns:
        Lower-case ASCII letters and digits joined by single hyphens (at most 64
        characters); empty when the name has no such letters or digits.
    """
    ascii_name = unicodedata.normalize("NFKD", drug).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))[:64].strip("-")


def _check_drug_name(drug: str) -> str:
    name = drug.strip()
    if not name:
        raise StarterDeckError(
            "the drug name is empty: give its generic name, e.g. --drug diazepam"
        )
    if len(name) > MAX_DRUG_NAME:
        raise StarterDeckError(f"the drug name is longer than {MAX_DRUG_NAME} characters")
    if not name.isprintable():
        raise StarterDeckError("the drug name holds a line break or a control character")
    if not deck_id_for(name):
        raise StarterDeckError(
            "the drug name has no letters a-z or digits to make the deck's id from:"
            " give its generic name in Latin letters, e.g. --drug diazepam"
        )
    return name


def _quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar; the name was checked to be printable.
    return json.dumps(text, ensure_ascii=False)


def _comment_block(text: str) -> str:
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        words = paragraph.split()
        line = "#  "
        for word in words:
            if len(line) + 1 + len(word) > 90:
                lines.append(line)
                line = "#  "
            line += " " + word
        lines.append(line)
        lines.append("#")
    return "\n".join(lines[:-1])


def starter_deck_text(drug: str, today: date) -> str:
    """The starter deck's YAML for one drug.

    Args:
        drug: The drug's generic name, e.g. 'diazepam'.
        today: The date written as `reviewed` (the author changes it on review).

    Returns:
        The deck file's text.

    Raises:
        StarterDeckError: The name is empty, too long, not printable, or has no letter or
            digit to make an id from.
    """
    name = _check_drug_name(drug)
    label_url = f"https://dailymed.nlm.nih.gov/dailymed/search.cfm?query={quote_plus(name)}"
    return _TEMPLATE.format(
        schema=DECK_SCHEMA_FILENAME,
        name=name,
        notice_title=NOTICE_TITLE,
        notice=_comment_block(NOTICE),
        deck_id=deck_id_for(name),
        title=_quoted(f"{name}: how it works and how to use it safely"),
        generic=_quoted(name),
        today=today.isoformat(),
        label_title=_quoted(f"{name}: prescribing information (the drug label)"),
        label_url=_quoted(label_url),
    )


def schema_text() -> str:
    """The deck schema as the file beside a deck holds it (what `quizapp schema` prints)."""
    return json.dumps(deck_json_schema(), indent=2) + "\n"


def write_starter_deck(path: Path, drug: str, today: date | None = None) -> NewDeck:
    """Write a starter deck, and the schema file beside it when there is none.

    Both files are written atomically and private (0600). Neither replaces a file: an
    existing deck file is an error, and an existing schema file is left as it is (other
    decks in the folder may use it).

    Args:
        path: The deck file to create; its folder must exist.
        drug: The drug's generic name.
        today: The `reviewed` date (default: today).

    Returns:
        What was written.

    Raises:
        StarterDeckError: The drug name cannot be used.
        FileExistsError: `path` exists.
        OSError: A file cannot be written (the folder is missing or read-only).
    """
    path = Path(path)
    text = starter_deck_text(drug, today or date.today())
    if path.exists() or path.is_symlink():
        raise FileExistsError(path)
    schema_path = path.parent / DECK_SCHEMA_FILENAME
    schema = schema_text()
    schema_written = False
    try:
        write_private_text(schema_path, schema, replace=False)
        schema_written = True
    except FileExistsError:
        pass
    write_private_text(path, text, replace=False)
    try:
        current = schema_written or schema_path.read_text(encoding="utf-8") == schema
    except (OSError, UnicodeDecodeError):
        current = False
    return NewDeck(path, schema_path, schema_written, current)


_TEMPLATE = """\
# yaml-language-server: $schema=./{schema}
#
# A new quizapp deck about {name}. Every text that starts with "Write" is yours to
# replace, with facts from your sources only, in plain words. The line above lets editors
# with a YAML language server (such as VS Code's YAML extension) check this file as you
# type and explain each field when you hover over it; the schema file is beside this one.
# Check the deck with:
#   quizapp validate THIS-FILE
#   quizapp lint THIS-FILE
#
# This file is YAML 1.2, as editors and quizapp read it: write true or false (never yes,
# no, on or off), and put text in quotes when it could be read as something else, such as
# a number ("1.0.0") or true/false.
#
# The app shows learners this notice; keep every card in line with it.
# {notice_title}
{notice}

schema_version: 1
# The deck's id: lower-case letters, digits and single hyphens. Scores are kept under it,
# so do not change it once learners use the deck.
id: {deck_id}
title: {title}
drug:
  generic: {generic}
  # Brand names, for recognition only, e.g. [Valium]. Leave the list empty if none.
  brands: []
# Who the deck is for: patient, caregiver or clinician. Lint's reading-level limits and
# coverage checks depend on it.
audience: patient
language: en
# 0.x marks a draft: lint reports missing coverage (cards per topic, must-know cards) as
# warnings. Make it "1.0.0" when the deck is complete; those become errors then.
version: "0.1.0"
# The day you last checked every card against its sources (YYYY-MM-DD).
reviewed: {today}
description: >-
  Write two or three short sentences on what this deck teaches.
  This is education, not medical advice. Talk to your prescriber or pharmacist before
  any change.

# The sources table: every source a card may cite. Use sources that hold the facts your
# cards teach, about this drug. Each entry has:
#   id         the short name cards cite it by (lower-case letters, digits, hyphens)
#   title      the source's full title
#   publisher  who publishes it
#   url        its web address (http:// or https://)
#   year       optional: the year or version you read
#   section    optional: a section for cards that cite the source without naming one
sources:
  - id: label
    title: {label_title}
    publisher: "US National Library of Medicine (NLM) DailyMed"
    url: {label_url}
    year: "Write the label's version or date"

# The topics the deck covers. A drug deck covers mechanism, uses, adverse-effects and
# stopping-safely; daily-use and emergencies may be added.
topics: [mechanism, uses, adverse-effects, stopping-safely]

# The cards: one of each type below. Copy a card to add another; give each an id of its
# own. Every card has: id, type, topic (one of the topics above), explanation (shown after
# the answer), sources (the source and the section that hold its fact) and, optionally,
# critical: true for a must-know safety item (an exam is failed when one is missed).
cards:
  # single: one right answer among 2 to 6 choices.
  - id: mechanism-single-1
    type: single
    topic: mechanism
    prompt: "Write a question with one right answer."
    # A choice is plain text, or text with feedback shown when the learner picks it.
    choices:
      - "Write a wrong choice."
      - text: "Write the right choice."
        feedback: "Write why this choice is right."
      - "Write another wrong choice."
    # The right choice's text, copied exactly from the choices.
    answer: "Write the right choice."
    explanation: "Write why the right answer is right and the others are wrong."
    sources:
      - id: label
        section: "Write the section you used"

  # multi: select all that apply; at least one right choice.
  - id: adverse-effects-multi-1
    type: multi
    topic: adverse-effects
    prompt: "Write a question with more than one right answer. Which of these can happen?"
    choices:
      - "Write a right choice."
      - "Write a second right choice."
      - "Write a wrong choice."
    # Every right choice's text, copied exactly from the choices.
    answers:
      - "Write a right choice."
      - "Write a second right choice."
    explanation: "Write why those choices are right."
    sources:
      - id: label
        section: "Write the section you used"

  # true_false: a statement the learner marks true or false.
  - id: uses-true-false-1
    type: true_false
    topic: uses
    # true: a must-know safety item. Mark each such card; leave the line out otherwise.
    critical: true
    prompt: "Write a statement that is either true or false."
    # Write true or false (not yes or no).
    answer: true
    explanation: "Write why the statement is true, or what is true instead."
    sources:
      - id: label
        section: "Write the section you used"

  # typed: the learner types a short answer; case, spaces and punctuation are ignored.
  - id: uses-typed-1
    type: typed
    topic: uses
    prompt: "Write a question the learner answers in a word or two."
    # The first answer is shown as the model answer; add others that also count as right.
    accepted:
      - "Write the model answer"
      - "Write another answer that counts"
    explanation: "Write what the answer means."
    sources:
      - id: label
        section: "Write the section you used"

  # order: 3 to 6 steps, written here in the right sequence; the learner arranges them.
  - id: stopping-safely-steps-1
    type: order
    topic: stopping-safely
    prompt: "Write the task, like: put these steps in sequence."
    steps:
      - "Write the first step."
      - "Write the second step."
      - "Write the third step."
    explanation: "Write why this sequence is the safe one."
    sources:
      - id: label
        section: "Write the section you used"

  # flashcard: front and back, for spaced repetition; the explanation shows under the back.
  - id: mechanism-flashcard-1
    type: flashcard
    topic: mechanism
    front: "Write a cue for the front of the card."
    back: "Write what the learner should recall."
    explanation: "Write a short note that helps it stick."
    sources:
      - id: label
        section: "Write the section you used"
"""
