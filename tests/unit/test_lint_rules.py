"""Tests for the lint checks of issue 13 (`quizapp.core.lint_rules`) and the reading limits.

The fixtures in tests/data/decks/lint/ (source-drug, simultaneous-steps, accepted-variant)
cover the command and the line numbers, in test_lint.py; these tests pin down what each
rule counts as a problem and what it lets pass, on decks built here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from quizapp.core.decks.loading import load_deck, load_decks
from quizapp.core.decks.model import Deck, TypedCard
from quizapp.core.lint import lint_deck
from quizapp.core.lint_rules import (
    KNOWN_DRUGS,
    deck_drugs,
    drugs_named,
    missing_variants,
)
from quizapp.core.paths import bundled_decks_dir
from quizapp.core.readability import deck_grade, grade

LINT_DIR = Path(__file__).resolve().parent.parent / "data" / "decks" / "lint"
ALL_NAMES = {name: generic for generic, names in KNOWN_DRUGS.items() for name in names}
CAREGIVER_DRUG = {
    "generic": "benzodiazepines (diazepam, clonazepam)",
    "brands": ["Valium", "Klonopin", "Diastat", "Valtoco"],
}
SOURCES = [
    {"id": "valium-label", "title": "VALIUM (diazepam) tablets", "publisher": "P", "url": "https://x.org/"},
    {"id": "klonopin-label", "title": "KLONOPIN tablets", "publisher": "P", "url": "https://x.org/"},
    {"id": "class-warning", "title": "Benzodiazepine class warning", "publisher": "P", "url": "https://x.org/"},
]  # fmt: skip


def _deck(
    cards: list[dict[str, Any]],
    *,
    drug: dict[str, Any] | None = None,
    audience: str = "clinician",
    sources: list[dict[str, Any]] | None = None,
    together: list[list[str]] | None = None,
) -> Deck:
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": "built",
        "title": "Built in a test",
        "drug": drug or {"generic": "diazepam", "brands": ["Valium"]},
        "audience": audience,
        "version": "1",
        "reviewed": date(2026, 1, 1),
        "sources": sources or SOURCES,
        "topics": ["mechanism", "emergencies"],
        "cards": cards,
    }
    if together is not None:
        data["together"] = together
    return Deck.model_validate(data)


def _card(n: int, prompt: str, explanation: str, *source_ids: str) -> dict[str, Any]:
    return {
        "id": f"c{n}",
        "type": "true_false",
        "topic": "mechanism",
        "prompt": prompt,
        "answer": True,
        "explanation": explanation,
        "sources": [{"id": source_id, "section": "S"} for source_id in source_ids],
    }


def _checks(deck: Deck, check: str) -> list[tuple[str | None, str]]:
    return [(f.card_id, f.message) for f in lint_deck(deck, None) if f.check == check]


# --- source-drug ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VALIUM (diazepam) tablets", {"diazepam"}),
        ("Klonopin wafers", {"clonazepam"}),
        ("Diastat and Valtoco", {"diazepam"}),
        ("Epilepsy Foundation pages: Diazepam nasal, Clonazepam", {"diazepam", "clonazepam"}),
        ("steps for a generalized tonic-clonic seizure", set()),
        ("desmethyldiazepam, the active breakdown product", set()),
        ("naloxone-label Naloxone prescribing information", set()),
    ],
)
def test_drugs_named_as_whole_words(text: str, expected: set[str]) -> None:
    assert drugs_named(text, ALL_NAMES) == expected


def test_patient_deck_cards_are_about_the_deck_drug() -> None:
    card = _card(0, "It calms.", "Clonazepam does the same.", "valium-label", "klonopin-label")
    ((card_id, message),) = _checks(_deck([card]), "source-drug")
    assert card_id == "c0"
    assert "about diazepam but cites 'klonopin-label'" in message
    # a class-wide source names no one drug: fine for any card
    card["sources"] = [{"id": "class-warning", "section": "S"}]
    assert _checks(_deck([card]), "source-drug") == []


def test_deck_drug_outside_the_known_set_counts_with_its_brands() -> None:
    drug = {"generic": "examplazepam", "brands": ["Exampra"]}
    sources = [
        {"id": "exampra-label", "title": "EXAMPRA tablets", "publisher": "P", "url": "https://x.org/"},
        *SOURCES,
    ]  # fmt: skip
    ok = _card(0, "It calms.", "Yes.", "exampra-label")
    wrong = _card(1, "It can make you sleepy.", "Yes.", "valium-label")
    deck = _deck([ok, wrong], drug=drug, sources=sources)
    assert deck_drugs(deck) == {"examplazepam"}
    assert [card_id for card_id, _ in _checks(deck, "source-drug")] == ["c1"]


def test_declared_drugs_override_the_title() -> None:
    sources = [dict(source) for source in SOURCES]
    card = _card(0, "It calms.", "Yes.", "klonopin-label")
    assert len(_checks(_deck([card], sources=sources), "source-drug")) == 1
    # A source that really covers both says so (brand names count as their drug) ...
    sources[1]["drugs"] = ["Klonopin", "Valium"]
    assert _checks(_deck([card], sources=sources), "source-drug") == []
    sources[1]["drugs"] = ["Klonopin tablets", "diazepam rectal gel"]
    assert _checks(_deck([card], sources=sources), "source-drug") == []
    sources[1]["drugs"] = ["Klonopin tablets"]
    assert len(_checks(_deck([card], sources=sources), "source-drug")) == 1
    # ... and one about another medicine altogether opts out by naming it.
    sources[1]["drugs"] = ["naloxone"]
    assert _checks(_deck([card], sources=sources), "source-drug") == []
    sources[1]["drugs"] = []
    assert _checks(_deck([card], sources=sources), "source-drug") == []


def test_fixture_naloxone_label_needs_its_drugs_field() -> None:
    deck = load_deck(LINT_DIR / "source-drug.yaml")
    flagged = {f.message.split("cites ")[1].split(",")[0] for f in lint_deck(deck, None)}
    assert not any("naloxone" in cited for cited in flagged)
    naloxone = deck.source("naloxone-label").model_copy(update={"drugs": None})
    sources = [naloxone if s.id == "naloxone-label" else s for s in deck.sources]
    bare = deck.model_copy(update={"sources": sources})
    # Its title names clonazepam; without `drugs: [naloxone]` lint would take it for a
    # clonazepam source.
    assert any("'naloxone-label'" in f.message for f in lint_deck(bare, None))


def test_section_narrows_a_source_about_several_drugs() -> None:
    sources = [
        *SOURCES,
        {"id": "foundation", "title": "Pages: Diazepam, Clonazepam", "publisher": "P", "url": "https://x.org/"},
    ]  # fmt: skip
    card = _card(0, "It calms.", "Yes.", "foundation")
    card["sources"] = [{"id": "foundation", "section": "Diazepam nasal"}]
    assert _checks(_deck([card], sources=sources), "source-drug") == []
    card["sources"] = [{"id": "foundation", "section": "Side effects"}]  # names no drug
    assert _checks(_deck([card], sources=sources), "source-drug") == []
    card["sources"] = [{"id": "foundation", "section": "Clonazepam"}]
    ((_, message),) = _checks(_deck([card], sources=sources), "source-drug")
    assert "(section 'Clonazepam')" in message


@pytest.mark.parametrize(
    ("prompt", "explanation", "sources", "flagged"),
    [
        # the question names clonazepam, the card rests on the Valium label
        ("Your mother takes clonazepam. It can make her sleepy.", "Yes.", ["valium-label"], True),
        # a brand name decides as well as the generic one
        ("Valtoco is sprayed into the nose.", "Yes.", ["klonopin-label"], True),
        # the explanation compares with diazepam: the Valium label backs that part
        (
            "Someone who just started clonazepam should not drive yet.",
            "With diazepam, the sleepy effect can last days.",
            ["klonopin-label", "valium-label"],
            False,
        ),
        # a question about benzos in general may rest on either label
        ("A benzo can make a person restless.", "With diazepam, more so in children.",
         ["valium-label", "klonopin-label"], False),
    ],
)  # fmt: skip
def test_caregiver_card_text_decides_its_drug(
    prompt: str, explanation: str, sources: list[str], flagged: bool
) -> None:
    deck = _deck([_card(0, prompt, explanation, *sources)], drug=CAREGIVER_DRUG)
    assert deck_drugs(deck) == {"diazepam", "clonazepam"}
    assert bool(_checks(deck, "source-drug")) is flagged


# --- simultaneous-steps -------------------------------------------------------------------


def _order(steps: list[str]) -> dict[str, Any]:
    return {
        "id": "steps",
        "type": "order",
        "topic": "emergencies",
        "prompt": "Put the steps in sequence.",
        "steps": steps,
        "explanation": "Because.",
        "sources": [{"id": "class-warning", "section": "S"}],
    }


TOGETHER = [["note the time", "watch their breathing"]]


@pytest.mark.parametrize(
    ("steps", "flagged_step"),
    [
        (["Stay calm.", "Note the TIME it started.", "Watch their breathing!"], 3),
        (["Note the time.", "Stay with them.", "Watch their breathing."], 3),  # not adjacent
        (["Stay calm.", "Note the time and watch their breathing.", "Call 911."], None),
        (["Stay calm.", "Note the timer.", "Watch their breathing."], None),  # whole words
    ],
)
def test_order_card_with_steps_marked_together(steps: list[str], flagged_step: int | None) -> None:
    deck = _deck([_order(steps)], together=TOGETHER)
    findings = [f for f in lint_deck(deck, None) if f.check == "simultaneous-steps"]
    if flagged_step is None:
        assert findings == []
    else:
        (finding,) = findings
        assert f"before step {flagged_step} " in finding.message
        assert finding.card_id == "steps"
    # Without the deck's `together` groups nothing is flagged.
    assert [
        f for f in lint_deck(_deck([_order(steps)]), None) if f.check != "answer-position"
    ] == []


def test_together_group_needs_two_actions() -> None:
    with pytest.raises(ValidationError):
        _deck([_order(["A.", "B.", "C."])], together=[["only one"]])


# --- accepted-variant ---------------------------------------------------------------------


def _typed(accepted: list[str], explanation: str) -> TypedCard:
    return TypedCard.model_validate(
        {
            "id": "t",
            "type": "typed",
            "topic": "mechanism",
            "prompt": "What is it called?",
            "accepted": accepted,
            "explanation": explanation,
            "sources": [{"id": "class-warning", "section": "S"}],
        }
    )


@pytest.mark.parametrize(
    ("accepted", "explanation", "missing"),
    [
        (["rebound"], "This is called rebound, or a rebound effect.", ["rebound effect"]),
        (["rebound", "rebound effect"], "This is called rebound, or a rebound effect.", []),
        (["rebound"], "Rebound symptoms can come back.", ["Rebound symptoms"]),
        (["myoclonic"], "Myoclonic seizures cause jerks.", ["Myoclonic seizures"]),
        (["benzodiazepine"], "All benzodiazepines calm the brain.", ["benzodiazepines"]),
        (["taper"], "Tapering slowly is safer.", ["Tapering"]),
        (["5-7 days"], "It takes 5 to 7 days.", ["5 to 7 days"]),
        (["5 to 7 days"], "It takes 5–7 days.", ["5–7 days"]),
        (["5 to 7 days", "5-7 days"], "It takes 5 to 7 days, or 5-7 days.", []),
        (["7 days"], "It takes about seven days.", ["seven days"]),
        (["desmethyldiazepam"], "It is desmethyldiazepam, also called nordiazepam.",
         ["nordiazepam"]),
        (["Schedule IV"], "It is Schedule IV, also written C-IV. The law controls it.", ["C-IV"]),
        # what must not be flagged
        (["alcohol"], "Sudden alcohol withdrawal is one of the uses.", []),
        (["GABA"], "GABA receptors sit on nerve cells.", []),
        (["benzodiazepine"], "It is a benzodiazepine, or 'benzo' for short.", []),
        (["protracted withdrawal"], "Protracted means drawn out.", []),
        (["ataxia"], "The word is ataxia. It means poor balance.", []),
        (["7"], "Levels settle in up to 7 hours.", []),
        (["1-800-222-1222"], "Poison Help is 1-800-222-1222.", []),
        (["rebound"], "The reboundable effect is not this.", []),
    ],
)  # fmt: skip
def test_missing_variants(accepted: list[str], explanation: str, missing: list[str]) -> None:
    assert missing_variants(_typed(accepted, explanation)) == missing


def test_accepted_variant_finding_names_the_variant() -> None:
    card = _typed(["rebound"], "This is called a rebound effect.").model_dump(mode="json")
    ((card_id, message),) = _checks(_deck([card]), "accepted-variant")
    assert card_id == "t"
    assert "'rebound effect'" in message


def test_bundled_typed_cards_accept_what_their_explanations_say() -> None:
    # Zero noise on the shipped decks: every form the explanations use is accepted.
    result = load_decks(sorted(bundled_decks_dir().glob("*.yaml")))
    assert result.errors == []
    typed = [card for deck in result.decks for card in deck.cards if card.type == "typed"]
    assert len(typed) >= 10
    assert {card.id: missing_variants(card) for card in typed if missing_variants(card)} == {}


# --- reading level (issue 13: patient decks <= 7.5 for the deck, <= 10 for any card) ------

EASY = (
    "Which medicine helps the brain stay calm? Diazepam helps a natural calming messenger"
    " in the brain work better, so nerve cells fire less often."
)
GRADE_8 = (
    "Which medicine helps the brain stay calm? Diazepam strengthens a natural calming"
    " messenger in the nervous system, so overactive nerve cells settle down considerably."
)
GRADE_10_PLUS = (
    "Which medicine helps the brain stay calm? Diazepam strengthens a natural inhibitory"
    " messenger throughout the central nervous system, so overactive nerve cells settle"
    " considerably."
)


def _reading_findings(text: str, audience: str) -> list[str]:
    question, explanation = text.split("? ")
    card = _card(0, question + "?", explanation, "valium-label")
    deck = _deck([card], audience=audience)
    assert deck_grade(deck) == pytest.approx(grade(text), abs=0.01)
    return [
        "card" if f.card_id else "deck" for f in lint_deck(deck, None) if f.check == "reading-level"
    ]


def test_reading_limits_for_patient_decks() -> None:
    assert grade(EASY) <= 7.5 < grade(GRADE_8) <= 9 < 10 < grade(GRADE_10_PLUS) <= 12
    assert _reading_findings(EASY, "patient") == []
    assert _reading_findings(GRADE_8, "patient") == ["deck"]  # deck limit 7.5
    assert sorted(_reading_findings(GRADE_10_PLUS, "patient")) == ["card", "deck"]  # card 10


def test_reading_limits_for_caregiver_decks() -> None:
    assert _reading_findings(GRADE_8, "caregiver") == []  # deck limit 9
    assert _reading_findings(GRADE_10_PLUS, "caregiver") == ["deck"]  # card limit 12
    assert _reading_findings(GRADE_10_PLUS, "clinician") == []
