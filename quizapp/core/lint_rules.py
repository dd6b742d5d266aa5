"""Card checks for `quizapp lint` that a blind content review had to do by hand (issue 13).

* **source-drug**: a card cites a source about another medicine than its own (a diazepam
  card resting on a clonazepam page).
* **simultaneous-steps**: an `order` card puts in sequence two actions that the deck's
  `together` groups say happen at the same time ("note the time" and "watch breathing").
* **accepted-variant**: a typed card's explanation uses a form of the answer that the
  card would mark wrong ("rebound effect" when only "rebound" is accepted).

Each check is a function from a deck to `RuleFinding`s; `quizapp.core.lint` turns them
into positioned findings. This module is part of the core: it must not import textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from quizapp.core.decks.model import Card, Deck, OrderCard, Source, TypedCard, normalize_answer

SOURCE_DRUG = "source-drug"
SIMULTANEOUS_STEPS = "simultaneous-steps"
ACCEPTED_VARIANT = "accepted-variant"

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class RuleFinding:
    """One problem found by a rule of this module, before it is given a line number."""

    check: str
    loc: Loc
    """Where in the deck, e.g. ('cards', 3, 'sources', 0)."""
    message: str
    card_id: str


# --- source-drug --------------------------------------------------------------------------

KNOWN_DRUGS: dict[str, tuple[str, ...]] = {
    "diazepam": ("diazepam", "valium", "diastat", "valtoco", "libervant"),
    "clonazepam": ("clonazepam", "klonopin", "rivotril"),
    "lorazepam": ("lorazepam", "ativan"),
    "midazolam": ("midazolam",),
    "temazepam": ("temazepam",),
    "oxazepam": ("oxazepam",),
}
"""Generic name -> every name (generic and brands, lower case) of the benzodiazepines the
fact sheet names. A source or card that uses one of the names is about that medicine.
A deck's own `drug` (generic and brands) is added to these when it is linted."""


def _drug_names(deck: Deck) -> dict[str, str]:
    """Every known name, lower case, to its generic name, the deck's own drug included."""
    names = {name: generic for generic, all_names in KNOWN_DRUGS.items() for name in all_names}
    own = deck.drug.generic.casefold()
    if " " not in own and "(" not in own:
        # A single drug (not "benzodiazepines (diazepam, clonazepam)"): its brands name it.
        generic = names.get(own, own)
        names.setdefault(own, generic)
        for brand in deck.drug.brands:
            names.setdefault(brand.casefold(), generic)
    return names


def drugs_named(text: str, names: dict[str, str]) -> set[str]:
    """The generic names of the medicines a text names, as whole words in any case.

    Args:
        text: Any text, e.g. a source title or a card's prompt.
        names: Every name (lower case) to its generic name.

    Returns:
        Generic names; "tonic-clonic" names no clonazepam, "desmethyldiazepam" no diazepam.
    """
    words = re.findall(r"[^\W_]+", text.casefold())
    return {names[word] for word in words if word in names}


def deck_drugs(deck: Deck) -> set[str]:
    """The medicines a deck teaches: those its `drug` names (two for the caregiver deck)."""
    names = _drug_names(deck)
    found = drugs_named(" ".join([deck.drug.generic, *deck.drug.brands]), names)
    return found or {deck.drug.generic.casefold()}


def source_drugs(source: Source, names: dict[str, str]) -> set[str]:
    """The medicines a source is about: its `drugs` list, else those its id and title name."""
    if source.drugs is not None:
        # "Diazepam rectal gel" is about diazepam; a name lint does not know stands for
        # a medicine of its own (naloxone).
        declared: set[str] = set()
        for name in source.drugs:
            declared |= drugs_named(name, names) or {name.casefold()}
        return declared
    return drugs_named(f"{source.id} {source.title}", names)


def card_drugs(deck: Deck, card: Card, texts: Iterable[str]) -> set[str]:
    """The medicines a card is about.

    A deck about one medicine decides for all its cards. In a deck about several (the
    caregiver deck) the card's own text decides: a card whose question (prompt or front)
    names one of them is about every one of them it names anywhere ("Someone who just
    started clonazepam ..." with "With diazepam, ..." in the explanation is about both).
    A question that names none of them ("A benzo can ...") is about them all, and may
    rest on any of their sources.

    Args:
        deck: The card's deck.
        card: The card.
        texts: Everything a learner sees on the card.

    Returns:
        Generic names; empty when the card is about all the deck's medicines.
    """
    covered = deck_drugs(deck)
    if len(covered) == 1:
        return covered
    names = _drug_names(deck)
    question = card.front if card.type == "flashcard" else card.prompt
    if not drugs_named(question, names) & covered:
        return set()
    return drugs_named(" ".join(texts), names) & covered


def source_drug_findings(deck: Deck, card_texts: dict[str, list[str]]) -> Iterator[RuleFinding]:
    """Citations of a source about a medicine other than the card's (check 'source-drug').

    A source about several medicines (e.g. a foundation's pages on diazepam and clonazepam)
    counts as being about those its cited section names, when it names any.

    Args:
        deck: The deck.
        card_texts: Card id to everything a learner sees on that card.
    """
    names = _drug_names(deck)
    known = set(names.values())
    sources = {source.id: source for source in deck.sources}
    for i, card in enumerate(deck.cards):
        wanted = card_drugs(deck, card, card_texts[card.id])
        if not wanted:
            continue
        for j, ref in enumerate(card.sources):
            source = sources.get(ref.id)
            if source is None:
                continue  # reported by 'no-source'
            about = source_drugs(source, names) & known
            section = ref.section or source.section or ""
            in_section = drugs_named(section, names) & about
            if len(about) > 1 and in_section:
                about = in_section
            if about and not about & wanted:
                where = f" (section {section!r})" if in_section else ""
                yield RuleFinding(
                    SOURCE_DRUG,
                    ("cards", i, "sources", j),
                    f"card {card.id!r} is about {_names(wanted)} but cites {ref.id!r}{where},"
                    f" a source about {_names(about)}: cite a source about"
                    f" {_names(wanted)} (if the source does cover it, list it in the"
                    " source's 'drugs')",
                    card.id,
                )


def _names(drugs: set[str]) -> str:
    return " and ".join(sorted(drugs))


# --- simultaneous-steps ---------------------------------------------------------------------


def _words(text: str) -> str:
    # Case, punctuation and spacing do not make two wordings different actions.
    return " " + " ".join(re.findall(r"[^\W_]+", text.casefold())) + " "


def _names_action(step: str, action: str) -> bool:
    """Whether a step contains an action's words, in order and as whole words."""
    return _words(action) in _words(step)


def simultaneous_step_findings(deck: Deck) -> Iterator[RuleFinding]:
    """Order cards that put actions of one `together` group in sequence.

    Args:
        deck: The deck, with its `together` groups.
    """
    for i, card in enumerate(deck.cards):
        if not isinstance(card, OrderCard):
            continue
        for g, group in enumerate(deck.together):
            # step index -> the group's actions it names
            hits = {
                s: [action for action in group if _names_action(step, action)]
                for s, step in enumerate(card.steps)
            }
            hits = {s: actions for s, actions in hits.items() if actions}
            if len(hits) < 2:
                continue  # one step may name several actions: then they are not ordered
            first, second = sorted(hits)[:2]
            yield RuleFinding(
                SIMULTANEOUS_STEPS,
                ("cards", i, "steps", second),
                f"card {card.id!r} puts step {first + 1} ({card.steps[first]!r}) before"
                f" step {second + 1} ({card.steps[second]!r}), but the deck's 'together'"
                f" group {g + 1} says {' and '.join(repr(a) for a in group)} happen at the"
                " same time: make them one step or leave one out",
                card.id,
            )


# --- accepted-variant ------------------------------------------------------------------------

EXTENSION_WORDS: tuple[str, ...] = (
    "effect",
    "effects",
    "symptom",
    "symptoms",
    "syndrome",
    "reaction",
    "reactions",
    "seizure",
    "seizures",
    "attack",
    "attacks",
)
"""Nouns that may follow an answer without changing what it names: "rebound" and "rebound
effect" are one answer. Words that change the meaning ("withdrawal" after "alcohol",
"receptor" after "GABA") are deliberately not here."""

WORD_ENDINGS: tuple[str, ...] = ("s", "es", "ing")
"""Endings a learner may add to an answer's last word ("benzodiazepines", "tapering")."""

_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()
_RANGE_SEPARATOR = r"(?:\s+to\s+|[\s\-\u2013\u2014/]+)"
_SEPARATOR = r"[\s\-\u2013\u2014/]+"
_SYNONYM_RE = re.compile(
    r"[\s,]*\(?(?:also\s+called|also\s+known\s+as|also\s+written)\s+"
    r"([^\W_][\w\s\-']{0,60}?)(?=\s*[.,;:)]|\s*$)",
    re.IGNORECASE,
)


def _token_pattern(token: str, *, last: bool) -> str:
    lower = token.casefold()
    if lower.isdigit() and int(lower) < len(_NUMBER_WORDS):
        return f"(?:{lower}|{_NUMBER_WORDS[int(lower)]})"
    if lower in _NUMBER_WORDS:
        return f"(?:{lower}|{_NUMBER_WORDS.index(lower)})"
    pattern = re.escape(lower)
    if last and lower.isalpha() and len(lower) >= 3:
        pattern += "(?:" + "|".join(WORD_ENDINGS) + ")?"
    return pattern


def _answer_pattern(answer: str) -> re.Pattern[str] | None:
    """A pattern for an accepted answer as an explanation may write it, with extensions."""
    words = re.findall(r"[^\W_]+", answer.casefold())
    if not words:
        return None
    pattern = ""
    n = 0
    while n < len(words):
        pattern += _token_pattern(words[n], last=n == len(words) - 1)
        # Between two numbers any separator or 'to' makes the same range: '5-7 days',
        # '5 to 7 days' and '5–7 days' are one answer.
        ranged = words[n].isdigit() and words[n + 1 : n + 2] != [] and words[n + 1].isdigit()
        if words[n].isdigit() and words[n + 1 : n + 2] == ["to"]:
            if words[n + 2 : n + 3] != [] and words[n + 2].isdigit():
                ranged = True
                n += 1  # the range separator stands for the 'to'
        if n < len(words) - 1:
            pattern += _RANGE_SEPARATOR if ranged else _SEPARATOR
        n += 1
    extension = "|".join(EXTENSION_WORDS)
    return re.compile(
        rf"(?<![^\W_])({pattern})((?:{_SEPARATOR}(?:{extension}))?)(?![^\W_])", re.IGNORECASE
    )


def missing_variants(card: TypedCard) -> list[str]:
    """Forms of the answer that a typed card's explanation uses but `accepted` lacks.

    A form is an accepted answer as whole words, written with other spacing, hyphens or
    a range spelt '5 to 7' for '5-7', a number in words or digits, an ending on its last
    word (s, es, ing) or a following noun such as 'effect' (see `EXTENSION_WORDS`); or a
    name the explanation gives it right after ('nordiazepam' in 'desmethyldiazepam, also
    called nordiazepam').

    Args:
        card: A typed card.

    Returns:
        The forms as the explanation writes them, in order of appearance, without repeats.
    """
    accepted = {normalize_answer(answer) for answer in card.accepted}
    found: dict[str, str] = {}  # normalized -> as written
    for answer in card.accepted:
        pattern = _answer_pattern(answer)
        if pattern is None:
            continue
        for match in pattern.finditer(card.explanation):
            candidates = [match.group(0)]
            synonym = _SYNONYM_RE.match(card.explanation, match.end())
            if synonym and len(synonym.group(1).split()) <= 4:
                candidates.append(synonym.group(1))
            for text in candidates:
                key = normalize_answer(text)
                if key not in accepted:
                    found.setdefault(key, text.strip())
    return list(found.values())


def accepted_variant_findings(deck: Deck) -> Iterator[RuleFinding]:
    """Typed cards whose explanation uses a form of the answer they would reject.

    Args:
        deck: The deck.
    """
    for i, card in enumerate(deck.cards):
        if not isinstance(card, TypedCard):
            continue
        for variant in missing_variants(card):
            yield RuleFinding(
                ACCEPTED_VARIANT,
                ("cards", i, "accepted"),
                f"card {card.id!r} explains the answer as {variant!r}, which 'accepted' does"
                " not list: a learner who types it would be marked wrong; add it",
                card.id,
            )
