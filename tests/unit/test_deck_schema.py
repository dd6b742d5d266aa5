"""The deck schema as deck authors' tools use it: check-jsonschema, ajv, yaml-language-server.

Each check runs the real third-party tool on the schema that `quizapp schema` prints: the
bundled decks and the `new-deck` starter pass it, and the broken decks (a misspelt field,
a wrong type, `answer: no`) fail it with a message naming the field, as `quizapp validate`
fails them. ajv and yaml-language-server (Node.js) are installed by these tests with npm
into pytest's cache folder; without node and npm those tests skip, except in CI
(CI=true), where they fail.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from quizapp.core.decks import safe_yaml
from quizapp.core.decks.json_schema import DECK_SCHEMA_FILENAME
from tests.conftest import run_quizapp
from tests.helpers.yaml_language_server import YamlLanguageServer

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted((REPO / "decks").glob("*.yaml"))
INVALID = REPO / "tests" / "data" / "decks" / "invalid"

NODE_TOOLS = {"ajv-cli": "5.0.0", "yaml-language-server": "1.25.0"}
"""The npm packages the tests install, at the versions issue 19 was checked with."""

# The broken decks both checkers must reject: (check-jsonschema's line, quizapp's line).
# Each pair names the same field, and each message says what is wrong with it.
BROKEN: dict[str, tuple[str, str]] = {
    "unknown-field": (
        "::$.cards[0]: Additional properties are not allowed ('promt' was unexpected)",
        ":22:5: cards.0.promt: unknown field 'promt': did you mean 'prompt'? fix the spelling",
    ),
    "wrong-type-critical": (
        "::$.cards[1].critical: 'yes' is not of type 'boolean'",
        ":33:15: cards.1.critical: must be true or false: 'yes' is text, not a boolean,"
        " in YAML 1.2 (as quizapp and editors read it): write true",
    ),
    "wrong-type-topics": (
        "::$.topics: 'mechanism' is not of type 'array'",
        ":17:9: topics: must be a list (lines starting with '- ')",
    ),
    "answer-no": (
        "::$.cards[2].answer: 'no' is not of type 'boolean'",
        ":45:13: cards.2.answer: must be true or false: 'no' is text, not a boolean,"
        " in YAML 1.2 (as quizapp and editors read it): write false",
    ),
    "boolean-off": (
        "::$.cards[1].critical: 'off' is not of type 'boolean'",
        ":34:15: cards.1.critical: must be true or false: 'off' is text, not a boolean,"
        " in YAML 1.2 (as quizapp and editors read it): write false",
    ),
}


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema `quizapp schema` prints, saved as a file (as authors save it)."""
    proc = run_quizapp("schema")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path_factory.mktemp("schema") / DECK_SCHEMA_FILENAME
    path.write_text(proc.stdout, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deck written by `quizapp new-deck`."""
    path = tmp_path_factory.mktemp("starter") / "starter.yaml"
    proc = run_quizapp("new-deck", path, "--drug", "diazepam")
    assert proc.returncode == 0, proc.stderr
    return path


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the real check-jsonschema command (from the `test` extra)."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _properties(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema in a schema (fields, not `if` conditions), with its location."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{where}/properties/{name}", prop
        for key, value in node.items():
            if key != "if":  # `if: {properties: {type: {const: single}}}` tests a card's type
                yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _properties(item, f"{where}/{index}")


# --- the schema itself ------------------------------------------------------------------------


def test_schema_passes_the_draft_2020_12_metaschema(schema_file: Path) -> None:
    proc = check_jsonschema("--check-metaschema", schema_file)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_is_named_and_uses_only_standard_keywords(schema_file: Path) -> None:
    text = schema_file.read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["$id"].startswith("urn:quizapp:")
    assert schema["title"] == "quizapp deck"
    assert schema["description"]
    # pydantic's OpenAPI keyword, which ajv refuses and other validators ignore
    assert '"discriminator"' not in text
    # card types are told apart by their `type` constant, one if/then pair each
    cards = schema["properties"]["cards"]["items"]
    pairs = {rule["if"]["properties"]["type"]["const"]: rule["then"] for rule in cards["allOf"]}
    assert set(pairs) == {"single", "multi", "true_false", "typed", "order", "flashcard"}
    assert set(cards["properties"]["type"]["enum"]) == set(pairs)


def test_every_field_has_a_description_with_an_example(schema_file: Path) -> None:
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    properties = list(_properties(schema))
    assert len(properties) > 60
    missing = [where for where, prop in properties if not prop.get("description")]
    assert not missing, f"fields without a description: {missing}"
    no_example = [where for where, prop in properties if "e.g." not in prop["description"]]
    assert not no_example, f"descriptions without an example: {no_example}"


# --- check-jsonschema: the decks ------------------------------------------------------------


def test_bundled_decks_and_the_starter_pass_check_jsonschema(
    schema_file: Path, starter: Path
) -> None:
    assert len(BUNDLED) >= 3
    proc = check_jsonschema("--schemafile", schema_file, *BUNDLED, starter)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


def test_the_starter_passes_the_schema_file_written_beside_it(starter: Path) -> None:
    # The modeline points editors at this file: it must be the schema, and the deck must pass.
    assert starter.read_text(encoding="utf-8").startswith(
        f"# yaml-language-server: $schema=./{DECK_SCHEMA_FILENAME}\n"
    )
    proc = check_jsonschema("--schemafile", starter.parent / DECK_SCHEMA_FILENAME, starter)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_deck_is_rejected_by_check_jsonschema_and_quizapp(
    schema_file: Path, kind: str
) -> None:
    deck = INVALID / f"{kind}.yaml"
    schema_says, quizapp_says = BROKEN[kind]

    checked = check_jsonschema("--schemafile", schema_file, deck)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    lines = [line.strip() for line in checked.stdout.splitlines()]
    assert f"{deck}{schema_says}" in lines, checked.stdout

    validated = run_quizapp("validate", deck)
    assert validated.returncode == 1, validated.stdout + validated.stderr
    assert f"{deck}{quizapp_says}" in validated.stdout.splitlines(), validated.stdout


# --- ajv (Node.js), strict mode ---------------------------------------------------------------


@pytest.fixture(scope="session")
def node_tools(request: pytest.FixtureRequest) -> Path:
    """`NODE_TOOLS` installed with npm into pytest's cache folder (once; later runs reuse it).

    Returns:
        The folder of their executables (node_modules/.bin).
    """
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node and npm are missing: .ci/run installs them for these tests")
        pytest.skip("node and npm are not installed (CI installs them)")
    name = "-".join(f"{package}-{version}" for package, version in sorted(NODE_TOOLS.items()))
    folder = request.config.cache.mkdir(f"node-tools-{name}")
    binaries = folder / "node_modules" / ".bin"
    with open(folder / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers install once between them
        if not all((binaries / package).exists() for package in ("ajv", "yaml-language-server")):
            package = {"private": True, "dependencies": NODE_TOOLS}
            (folder / "package.json").write_text(json.dumps(package), encoding="utf-8")
            proc = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert proc.returncode == 0, f"npm install failed:\n{proc.stdout}{proc.stderr}"
    return binaries


@pytest.fixture(scope="session")
def ajv(node_tools: Path) -> Path:
    """ajv-cli 5."""
    return node_tools / "ajv"


def run_ajv(ajv: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ajv), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_ajv_compiles_the_schema_in_strict_mode(ajv: Path, schema_file: Path) -> None:
    folder = schema_file.parent
    # The command from issue 19, as it is: ajv's default strict mode.
    default = run_ajv(ajv, "compile", "--spec=draft2020", "-s", schema_file.name, cwd=folder)
    assert default.returncode == 0, default.stdout + default.stderr
    assert f"schema {schema_file.name} is valid" in default.stdout
    assert "strict mode" not in default.stderr, default.stderr  # not even a logged warning
    # Every strict option an error, types, tuples and required properties included.
    strict = run_ajv(
        ajv, "compile", "--spec=draft2020", "--strict=true", "-s", schema_file.name, cwd=folder
    )
    assert strict.returncode == 0, strict.stdout + strict.stderr


def test_ajv_accepts_good_decks_and_rejects_broken_ones(
    ajv: Path, schema_file: Path, starter: Path, tmp_path: Path
) -> None:
    # Decks as JSON data, read as YAML 1.2 like editors read them.
    good = [*BUNDLED, starter]
    bad = [INVALID / f"{kind}.yaml" for kind in sorted(BROKEN)]
    for deck in [*good, *bad]:
        data = safe_yaml.parse_yaml(deck, deck.read_text(encoding="utf-8"))
        folder = tmp_path / ("good" if deck in good else "bad")
        folder.mkdir(exist_ok=True)
        (folder / f"{deck.stem}.json").write_text(json.dumps(data), encoding="utf-8")
    args = ["validate", "--spec=draft2020", "--strict=true", "-s", schema_file]
    accepted = run_ajv(ajv, *args, "-d", "good/*.json", cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert accepted.stdout.count(".json valid\n") == len(good), accepted.stdout
    for deck in bad:
        rejected = run_ajv(ajv, *args, "-d", f"bad/{deck.stem}.json", cwd=tmp_path)
        assert rejected.returncode == 1, rejected.stdout + rejected.stderr
        assert f"bad/{deck.stem}.json invalid" in rejected.stdout + rejected.stderr


# --- yaml-language-server: what the editor shows --------------------------------------------


def test_the_editor_accepts_the_starter_and_shows_hover_help(
    node_tools: Path, starter: Path
) -> None:
    lines = starter.read_text(encoding="utf-8").splitlines()
    with YamlLanguageServer(node_tools / "yaml-language-server") as server:
        assert server.diagnostics(starter) == []
        # Hovering over a field name shows its description from the schema beside the deck.
        line = lines.index("    critical: true") + 1
        text = server.hover(starter, line, 6)
        assert "A must-know safety item" in text and "e.g. true" in text
        assert DECK_SCHEMA_FILENAME in text
        line = next(i for i, text in enumerate(lines) if text.startswith("    steps:")) + 1
        assert "3 to 6 steps, written here in the right sequence" in server.hover(starter, line, 6)


def test_the_editor_flags_what_quizapp_validate_flags_at_the_same_place(
    node_tools: Path, starter: Path, tmp_path: Path
) -> None:
    text = starter.read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    shutil.copyfile(starter.parent / DECK_SCHEMA_FILENAME, tmp_path / DECK_SCHEMA_FILENAME)
    broken.write_text(
        text.replace("    answer: true\n", "    answer: no\n").replace(
            '    prompt: "Write a question with one right answer."',
            '    promt: "Write a question with one right answer."',
        ),
        encoding="utf-8",
    )
    validated = run_quizapp("validate", broken)
    assert validated.returncode == 1
    app_places = {
        tuple(map(int, line.split(":")[1:3]))
        for line in validated.stdout.splitlines()
        if line.startswith(f"{broken}:")
    }
    with YamlLanguageServer(node_tools / "yaml-language-server") as server:
        editor = server.diagnostics(broken)
    editor_places = {(line, column) for line, column, _ in editor}
    assert len(app_places) == 2 and app_places <= editor_places, (validated.stdout, editor)
    messages = {message for _, _, message in editor}
    assert 'Incorrect type. Expected "boolean".' in messages
    assert "Property promt is not allowed." in messages
