"""xAPI export: every statement from a seeded store passes the xAPI 1.0.3 rules in
`xapi_rules` (written from the specification), the statements say what happened, and the
rule checker itself rejects what the specification forbids.
"""

from __future__ import annotations

import copy
import io
import json
import os
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest
from stats_seed import Seeded, seed
from xapi_rules import problems

from quizapp.core.export import export_attempts, export_to_file
from quizapp.core.xapi import (
    DEFAULT_ACTIVITY_BASE,
    activity_base,
    component_id,
    duration,
)
from quizapp.core.xapi_export import statements, store_statements
from tests.conftest import run_quizapp as run

REPO = Path(__file__).resolve().parents[2]
HOME = "https://lms.example.org/learners"
CARD = "https://lms.example.org/decks/seed-deck/cards/"


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "data" / "quizapp.db", tmp_path / "decks")


@pytest.fixture
def exported(seeded: Seeded) -> list[dict[str, Any]]:
    return statements(
        seeded.store.export_rows(), seeded.decks, HOME, account_names=seeded.store.xapi_ids()
    )


def by_object(found: list[dict[str, Any]], object_id: str, registration: str | None = None):
    return [
        s
        for s in found
        if s["object"]["id"] == object_id
        and (registration is None or s["context"]["registration"] == registration)
    ]


# --------------------------------------------------------------------------- validity


def test_every_statement_passes_the_spec_rules(exported: list[dict[str, Any]]) -> None:
    assert exported
    for statement in exported:
        assert problems(statement) == [], json.dumps(statement, indent=1)


def test_every_statement_passes_without_decks_loaded(seeded: Seeded) -> None:
    found = statements(seeded.store.export_rows(), {}, HOME, account_names=seeded.store.xapi_ids())
    assert len(found) == 25
    for statement in found:
        assert problems(statement) == [], json.dumps(statement, indent=1)
    single = by_object(found, CARD + "q-single")[0]
    # Without the deck: no prompt, no choices, no pattern; the type is still there.
    assert single["object"]["definition"] == {
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction"
    }
    tf = by_object(found, CARD + "q-tf")[0]
    assert tf["object"]["definition"]["interactionType"] == "true-false"  # from the value


def test_statement_count_and_verbs(exported: list[dict[str, Any]]) -> None:
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in exported]
    # Alice: A1 5 + A2 5 + B1 3 + A3 5 + A5 1 = 19 answers (A4 discarded), Bob 2;
    # attempt statements for the finished A1, A2, B1, A3 only.
    assert verbs.count("answered") == 21
    attempt_verbs = [v for v in verbs if v != "answered"]
    assert attempt_verbs == ["completed", "failed", "failed", "passed"]
    assert len(exported) == 25
    for statement in exported:
        assert statement["verb"]["display"] == {"en-US": statement["verb"]["id"].rsplit("/")[-1]}


def test_actor_is_a_pseudonymous_account_never_a_name_or_email(
    seeded: Seeded, exported: list[dict[str, Any]]
) -> None:
    ids = seeded.store.xapi_ids()
    assert len(set(ids.values())) == len(ids) == 2
    for value in ids.values():
        assert len(value) == 32 and int(value, 16) >= 0  # 128 random bits, as hex
    names = set()
    for statement in exported:
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": HOME, "name": statement["actor"]["account"]["name"]},
        }
        names.add(statement["actor"]["account"]["name"])
    assert names == {ids[seeded.alice], ids[seeded.bob]}
    text = json.dumps(exported)
    assert "mbox" not in text and "mailto:" not in text
    assert "Alice" not in text and "Bob" not in text


def test_display_name_only_when_the_organisation_opts_in(seeded: Seeded) -> None:
    ids = seeded.store.xapi_ids()
    found = statements(
        seeded.store.export_rows(), seeded.decks, HOME, account_names=ids, display_names=True
    )
    alice = [s for s in found if s["actor"]["account"]["name"] == ids[seeded.alice]]
    assert alice and all(s["actor"]["name"] == "Alice" for s in alice)
    assert all(problems(statement) == [] for statement in found)


def test_a_rename_changes_no_statement(seeded: Seeded) -> None:
    before = store_statements(seeded.store, decks=seeded.decks, home_page=HOME)[0]
    seeded.store.rename_learner(seeded.alice, "Alice Smith-Jones")
    after = store_statements(seeded.store, decks=seeded.decks, home_page=HOME)[0]
    assert after == before
    assert "Alice" not in json.dumps(after)


def test_ids_are_stable_unique_uuid5(seeded: Seeded, exported: list[dict[str, Any]]) -> None:
    again = statements(
        seeded.store.export_rows(), seeded.decks, HOME, account_names=seeded.store.xapi_ids()
    )
    assert [s["id"] for s in again] == [s["id"] for s in exported]
    assert len({s["id"] for s in exported}) == len(exported)
    for statement in exported:
        assert uuid.UUID(statement["id"]).version == 5
        assert uuid.UUID(statement["context"]["registration"]).version == 5
        assert statement["version"] == "1.0.0"  # xAPI 1.0.3, 2.4.10.s4.b1


# --------------------------------------------------------------------------- answers


def test_choice_multi_answer(exported: list[dict[str, Any]]) -> None:
    # A1's q-multi: Alcohol + Water (wrong), 6000 ms, the 2nd answer at 09:00:01.
    first = by_object(exported, CARD + "q-multi")[0]
    definition = first["object"]["definition"]
    assert first["object"]["objectType"] == "Activity"
    assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert definition["interactionType"] == "choice"
    assert definition["name"] == {
        "en": "Which of these add to diazepam's sleepiness and slowed breathing?"
    }
    assert definition["choices"] == [
        {"id": "alcohol", "description": {"en": "Alcohol"}},
        {"id": "opioid-pain-medicine", "description": {"en": "Opioid pain medicine"}},
        {"id": "water", "description": {"en": "Water"}},
    ]
    assert definition["correctResponsesPattern"] == ["alcohol[,]opioid-pain-medicine"]
    assert first["result"] == {"response": "alcohol[,]water", "success": False, "duration": "PT6S"}
    assert first["timestamp"] == "2025-03-01T09:00:01.000Z"
    assert first["context"]["revision"] == "2.0.0"


def test_choice_single_true_false_typed_and_sequencing(exported: list[dict[str, Any]]) -> None:
    single = by_object(exported, CARD + "q-single")[0]
    assert single["object"]["definition"]["interactionType"] == "choice"
    assert single["object"]["definition"]["correctResponsesPattern"] == [
        "it-makes-gaba-work-better"
    ]
    assert single["result"] == {
        "response": "it-makes-gaba-work-better",
        "success": True,
        "duration": "PT4S",
    }

    tf = by_object(exported, CARD + "q-tf")[0]
    assert tf["object"]["definition"]["interactionType"] == "true-false"
    assert tf["object"]["definition"]["correctResponsesPattern"] == ["false"]
    assert "choices" not in tf["object"]["definition"]
    assert tf["result"] == {"response": "true", "success": False, "duration": "PT3S"}

    typed = by_object(exported, CARD + "q-typed")[1]  # A2, 3500 ms
    assert typed["object"]["definition"]["interactionType"] == "fill-in"
    assert typed["object"]["definition"]["correctResponsesPattern"] == [
        "{case_matters=false}GABA",
        "{case_matters=false}gamma-aminobutyric acid",
    ]
    assert typed["result"] == {"response": "gaba", "success": True, "duration": "PT3.5S"}

    order = by_object(exported, CARD + "q-order")[0]  # A1: first two steps swapped
    definition = order["object"]["definition"]
    assert definition["interactionType"] == "sequencing"
    ids = [
        "talk-to-the-prescriber-about-a-plan",
        "lower-the-dose-a-little-at-a-time",
        "report-any-withdrawal-signs",
    ]
    assert [c["id"] for c in definition["choices"]] == ids
    assert definition["correctResponsesPattern"] == ["[,]".join(ids)]
    assert order["result"]["response"] == "[,]".join([ids[1], ids[0], ids[2]])
    assert order["result"]["duration"] == "PT8S"


def test_answer_context(seeded: Seeded, exported: list[dict[str, Any]]) -> None:
    first = by_object(exported, CARD + "q-single")[0]
    activities = first["context"]["contextActivities"]
    assert [a["id"] for a in activities["parent"]] == [
        "https://lms.example.org/decks/seed-deck/practice"
    ]
    assert [a["id"] for a in activities["grouping"]] == ["https://lms.example.org/decks/seed-deck"]
    assert first["context"]["platform"] == "quizapp"


# --------------------------------------------------------------------------- attempts


def test_attempt_statements(exported: list[dict[str, Any]]) -> None:
    closing = [s for s in exported if not s["verb"]["id"].endswith("/answered")]
    completed, failed, failed_old, passed = closing
    assert completed["object"]["id"] == "https://lms.example.org/decks/seed-deck/practice"
    # A1 2/5, no pass mark -> completed, no success; 26 s of answers.
    assert completed["result"] == {
        "score": {"raw": 2, "min": 0, "max": 5, "scaled": 0.4},
        "completion": True,
        "duration": "PT26S",
    }
    assert completed["timestamp"] == "2025-03-01T09:10:00.000Z"
    # A2 4/5 failed on a critical card.
    assert failed["object"]["id"] == "https://lms.example.org/decks/seed-deck/exam"
    assert failed["result"]["score"] == {"raw": 4, "min": 0, "max": 5, "scaled": 0.8}
    assert failed["result"]["success"] is False
    assert failed["result"]["duration"] == "PT15S"
    # B1 on the deck that is not loaded: 1/3.
    assert failed_old["object"]["id"] == "https://lms.example.org/decks/old-deck/exam"
    assert failed_old["result"]["score"]["scaled"] == 0.3333
    assert failed_old["object"]["definition"]["name"] == {"en": "Exam: Warfarin basics"}
    # A3 passed, 7.5 s.
    assert passed["result"]["success"] is True and passed["result"]["completion"] is True
    assert passed["result"]["duration"] == "PT7.5S"
    assert passed["timestamp"] == "2025-03-03T11:05:00.000Z"
    assert passed["context"]["contextActivities"]["parent"][0]["id"] == (
        "https://lms.example.org/decks/seed-deck"
    )


def test_one_registration_per_attempt(exported: list[dict[str, Any]]) -> None:
    groups: dict[str, list[str]] = {}
    for statement in exported:
        groups.setdefault(statement["context"]["registration"], []).append(
            statement["verb"]["id"].rsplit("/", 1)[1]
        )
    # A1, A2, B1, A3 (5, 5, 3, 5 answers + their closing statement), A5 (1), Bob (2).
    assert sorted(map(len, groups.values())) == [1, 2, 4, 6, 6, 6]
    passed = next(v for v in groups.values() if "passed" in v)
    assert passed == ["answered"] * 5 + ["passed"]


# --------------------------------------------------------------------------- parts


def test_activity_base_from_home_page() -> None:
    assert activity_base("https://lms.example.org/learners") == "https://lms.example.org"
    assert activity_base("http://lrs.local:8080/x?y") == "http://lrs.local:8080"
    assert activity_base("not a url") == DEFAULT_ACTIVITY_BASE
    assert activity_base("") == DEFAULT_ACTIVITY_BASE
    assert DEFAULT_ACTIVITY_BASE == "https://quizapp.invalid"


def test_default_home_page(seeded: Seeded) -> None:
    out = io.StringIO()
    export_attempts(seeded.store, "xapi", out, "Alice", decks=seeded.decks)
    found = json.loads(out.getvalue())
    assert len(found) == 30  # Alice's 19 answers + 4 attempts + 7 flashcard ratings
    assert found[0]["actor"]["account"]["homePage"] == "https://quizapp.invalid/learners"
    assert found[0]["object"]["id"] == "https://quizapp.invalid/decks/seed-deck/cards/q-single"
    assert all(problems(s) == [] for s in found)


def test_home_page_must_be_a_url(seeded: Seeded) -> None:
    with pytest.raises(ValueError, match="xapi_home_page"):
        export_attempts(seeded.store, "xapi", io.StringIO(), home_page="learners")


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "PT0S"), (9, "PT0S"), (10, "PT0.01S"), (4200, "PT4.2S"), (4235, "PT4.23S"),
     (60_000, "PT1M"), (61_500, "PT1M1.5S"), (3_723_400, "PT1H2M3.4S")],
)  # fmt: skip
def test_duration(ms: int, text: str) -> None:
    assert duration(ms) == text


def test_component_ids_have_no_whitespace_or_delimiters() -> None:
    assert component_id("Opioid pain medicine") == "opioid-pain-medicine"
    assert component_id("A [,] B") == "a-b"
    assert component_id("Ärger über") == "ärger-über"
    assert component_id("???") == "empty"


# --------------------------------------------------------------------------- the rule checker


GOOD: dict[str, Any] = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "7"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
    "object": {
        "objectType": "Activity",
        "id": "https://x.example/q1",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "interactionType": "choice",
            "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b"}],
            "correctResponsesPattern": ["a"],
        },
    },
    "result": {
        "score": {"raw": 1, "min": 0, "max": 1, "scaled": 1},
        "success": True,
        "response": "a",
        "duration": "PT4.2S",
    },
    "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
    "timestamp": "2025-03-01T09:30:00.000Z",
    "version": "1.0.0",
}


def mutated(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one property (dotted path) set to `value`, or removed when value is DROP."""
    statement = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target = statement
    for key in parents:
        target = target[key]
    if value is DROP:
        del target[last]
    else:
        target[last] = value
    return statement


DROP = object()


def test_checker_accepts_the_reference_statement() -> None:
    assert problems(GOOD) == []


def test_checker_accepts_examples_from_the_spec() -> None:
    # xAPI 1.0.3 Data, 2.4 s2 and Appendix A (timestamp added where the example has none).
    simplest = {
        "id": "12345678-1234-5678-1234-567812345678",
        "actor": {"mbox": "mailto:xapi@adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}},
        "object": {"id": "http://example.adlnet.gov/xapi/example/activity"},
    }
    assert problems(simplest) == []
    attempted = {
        "id": "7ccd3322-e1a5-411a-a67d-6a735c76f119",
        "timestamp": "2015-12-18T12:17:00+00:00",
        "actor": {
            "objectType": "Agent",
            "name": "Example Learner",
            "mbox": "mailto:example.learner@adlnet.gov",
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attempted",
            "display": {"en-US": "attempted"},
        },
        "object": {
            "id": "http://example.adlnet.gov/xapi/example/simpleCBT",
            "definition": {
                "name": {"en-US": "simple CBT course"},
                "description": {"en-US": "A fictitious example CBT course."},
            },
        },
        "result": {"score": {"scaled": 0.95}, "success": True, "completion": True,
                   "duration": "PT1234S"},
    }  # fmt: skip
    assert problems(attempted) == []


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("result.score.scaled", 1.5, "outside [-1, 1]"),
        ("result.score.scaled", -1.01, "outside [-1, 1]"),
        ("result.score.raw", 2, "above max"),
        ("result.score.min", 1, "less than max"),
        ("result.score.raw", "1", "decimal number"),
        ("timestamp", "2025-03-01T09:30:00.000", "no timezone"),
        ("timestamp", "2025-03-01 09:30:00Z", "not an ISO 8601"),
        ("timestamp", "2025-02-30T09:30:00Z", "not a real date"),
        ("verb.id", "answered", "absolute IRI"),
        ("verb.id", "/expapi/verbs/answered", "absolute IRI"),
        ("verb.display", DROP, "display is missing"),
        ("verb.display", {"en_US": "answered"}, "RFC 5646"),
        ("actor", {"objectType": "Agent", "name": "Alice"}, "Inverse Functional Identifier"),
        (
            "actor",
            {
                "mbox": "mailto:a@b.example",
                "account": {"homePage": "https://x.example", "name": "a"},
            },
            "more than one",
        ),
        ("actor", {"mbox": "a@b.example"}, "mailto"),
        ("actor.account", {"name": "Alice"}, "homePage is required"),
        ("actor.account", {"homePage": "x.example", "name": "Alice"}, "homePage is required"),
        ("actor.account", {"homePage": "https://x.example"}, "name is required"),
        ("actor", DROP, "actor is required"),
        ("verb", DROP, "verb is required"),
        ("object", DROP, "object is required"),
        ("object.id", "q1", "absolute IRI"),
        ("object.objectType", "Thing", "unknown objectType"),
        ("object.definition.interactionType", "multiple-choice", "not one of the spec's"),
        ("object.definition.interactionType", "true-false", "not a component list"),
        ("object.definition.correctResponsesPattern", ["z"], "not a listed choice id"),
        ("object.definition.choices", [{"id": "a"}, {"id": "a"}], "distinct"),
        ("result.duration", "4.2 seconds", "not ISO 8601"),
        ("result.duration", "PT4.2", "not ISO 8601"),
        ("result.duration", "P4W1D", "not ISO 8601"),
        ("result.duration", "PT", "no components"),
        ("result.duration", "P0000-00-00T00:00:04", "not ISO 8601"),
        ("result.success", "yes", "boolean"),
        ("id", "not-a-uuid", "not a UUID"),
        ("id", "fd41c918b88b4b20a0a5a4c32391aaa0", "not a UUID"),  # not the standard form
        ("id", "{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}", "not a UUID"),
        ("context.registration", "123", "UUID"),
        ("context.contextActivities", {"parents": []}, "unknown properties"),
        ("version", "2.0.0", "1.0."),
        ("colour", "blue", "unknown properties"),
    ],
)
def test_checker_rejects(path: str, value: Any, expected: str) -> None:
    found = problems(mutated(path, value))
    assert any(expected in problem for problem in found), found


def test_checker_rejects_revision_on_a_non_activity() -> None:
    statement = mutated("object", {"objectType": "Agent", "mbox": "mailto:b@x.example"})
    statement["context"]["revision"] = "1"
    assert any("only for Activity" in p for p in problems(statement))


# --------------------------------------------------------------------------- CLI


def test_cli_export_xapi(seeded: Seeded) -> None:
    data = seeded.store.path.parent
    (data / "settings.json").write_text(json.dumps({"xapi_home_page": HOME}), encoding="utf-8")
    proc = run("export", "--format", "xapi", "--data-dir", data, "--decks", seeded.deck_path)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert isinstance(found, list) and len(found) == 33  # 25 quiz + 8 flashcard statements
    for statement in found:
        assert problems(statement) == [], statement
    assert {s["actor"]["account"]["homePage"] for s in found} == {HOME}
    multi = by_object(found, CARD + "q-multi")[0]
    assert multi["object"]["definition"]["correctResponsesPattern"] == [
        "alcohol[,]opioid-pain-medicine"
    ]


def test_cli_export_xapi_one_learner_to_file(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "alice.json"
    data = seeded.store.path.parent
    proc = run(
        "export", "--format", "xapi", "--learner", "alice", "--output", out,
        "--data-dir", data, "--decks", seeded.deck_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Exported 5 attempt(s)" in proc.stderr  # A1, A2, B1, A3, A5 (A4 discarded)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    found = json.loads(out.read_text(encoding="utf-8"))
    assert len(found) == 30  # 19 answers, 4 attempts, 7 flashcard ratings
    assert {s["actor"]["account"]["name"] for s in found} == {seeded.store.xapi_ids()[seeded.alice]}


def test_cli_export_xapi_bad_home_page(seeded: Seeded) -> None:
    data = seeded.store.path.parent
    (data / "settings.json").write_text(json.dumps({"xapi_home_page": "lms"}), encoding="utf-8")
    proc = run("export", "--format", "xapi", "--data-dir", data)
    assert proc.returncode == 2
    assert "xapi_home_page" in proc.stderr and "Traceback" not in proc.stderr


def test_export_to_file_xapi(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    count = export_to_file(seeded.store, "xapi", out, decks=seeded.decks, home_page=HOME)
    assert count == 6  # every non-discarded attempt, Bob's included
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 33
