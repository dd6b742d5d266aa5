"""The deck format's version, on its own so that code which must not import pydantic
(the deck summaries Home lists from) can key on it."""

SCHEMA_VERSION = 1
"""The `schema_version` this quizapp reads; bump when the deck format changes."""
