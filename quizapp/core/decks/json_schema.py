"""The deck file's JSON Schema, for deck authors' editors and checkers (`quizapp schema`).

Generated from the pydantic models in `model`, whose field docstrings become the fields'
descriptions (hover help in yaml-language-server), and adjusted so that it is standard JSON
Schema draft 2020-12, used alike by ajv in strict mode, check-jsonschema and
yaml-language-server: card types are told apart by an if/then pair on their `type`
constant, not pydantic's OpenAPI `discriminator`, and dates are a pattern, not a `format`
some validators skip.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from quizapp.core.decks.model import Deck

DECK_SCHEMA_ID = "urn:quizapp:deck:schema-version-1"
"""The schema's `$id`: a name, not an address (editors use the schema file next to a deck or
the one `quizapp schema` prints; nothing is fetched)."""

DECK_SCHEMA_FILENAME = "quizapp-deck.schema.json"
"""What the schema file beside a deck is called (`quizapp new-deck` writes it)."""

DATE_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
"""A date as the schema checks it: YYYY-MM-DD with a possible month and day."""

_CARD_TYPE_DESCRIPTION = (
    "The card type, which decides the card's other fields: single, multi, true_false,"
    " typed, order or flashcard, e.g. single."
)


class _StandardJsonSchema(GenerateJsonSchema):
    """Pydantic's schema generator, with card types told apart in standard JSON Schema.

    Pydantic writes a tagged union as `oneOf` plus an OpenAPI `discriminator` keyword,
    which JSON Schema does not have: ajv refuses it in strict mode, and other validators
    ignore it and report every branch's errors for one misspelt field. Instead each card
    type is an `if` (its `type` constant) / `then` (its definition) pair, which every
    draft 2020-12 validator applies alike, and which reports only the named type's errors.
    """

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        # `format: date` is an annotation many validators skip and ajv refuses in strict
        # mode without a plugin; a pattern is checked everywhere alike.
        return {"type": "string", "pattern": DATE_PATTERN}

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        generated = super().tagged_union_schema(schema)
        discriminator = generated.get("discriminator")
        if not isinstance(discriminator, dict) or "mapping" not in discriminator:
            return generated  # pragma: no cover - every deck union has a string tag
        tag: str = discriminator["propertyName"]
        mapping: dict[str, str] = discriminator["mapping"]
        return {
            "type": "object",
            "required": [tag],
            "properties": {tag: {"enum": list(mapping), "description": _CARD_TYPE_DESCRIPTION}},
            "allOf": [
                {
                    "if": {"type": "object", "properties": {tag: {"const": value}}},
                    "then": {"$ref": ref},
                }
                for value, ref in mapping.items()
            ],
        }


def deck_json_schema() -> dict[str, Any]:
    """The JSON Schema of a deck file, for editors (yaml-language-server) and checks.

    Standard draft 2020-12 (ajv accepts it in strict mode); every field carries its
    model docstring as `description`, which editors show as hover help.

    Returns:
        A JSON Schema (draft 2020-12) dictionary.
    """
    generated = Deck.model_json_schema(schema_generator=_StandardJsonSchema)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": DECK_SCHEMA_ID,
        "title": "quizapp deck",
        **{key: value for key, value in generated.items() if key != "title"},
    }
    _join_description_lines(schema)
    # A choice may be written as a plain string (shorthand for {text: ...}).
    choice = schema["$defs"]["Choice"]
    schema["$defs"]["Choice"] = {
        "description": choice.get("description", ""),
        "anyOf": [
            {
                "type": "string",
                "minLength": 1,
                "maxLength": 300,
                "description": "The choice's text, e.g. 'It calms the brain down.'",
            },
            choice,
        ],
    }
    return schema


def _join_description_lines(node: Any) -> None:
    # Docstrings wrap at 100 columns; hover help reflows text itself.
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = " ".join(value.split())
            else:
                _join_description_lines(value)
    elif isinstance(node, list):
        for item in node:
            _join_description_lines(item)
