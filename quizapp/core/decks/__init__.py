"""Everything about decks: the format, reading files safely, error messages, the cache.

The rooms, from the bottom up:

- `topics`: topic headings (no pydantic, so Home's first frame can show them cheaply).
- `schema_version`: the deck format version (no pydantic).
- `model`: the pydantic deck and card models.
- `json_schema`: the deck JSON Schema made from them (`quizapp schema`), for editors.
- `errors`: `DeckError` (one positioned problem) and `DeckLoadError`.
- `safe_yaml`: reading a file (size bound, UTF-8) and parsing it with a hardened loader.
- `error_messages`: pydantic errors -> `file:line:column: field: message`.
- `finding`: deck files in folders (no YAML), and the largest file accepted.
- `loading`: loading one deck file or many (`load_deck`, `load_decks`).
- `cache_key`: what a cache entry and its summary are keyed on (no pydantic).
- `cache`: validated decks kept as JSON so a big library starts without parsing YAML.
- `summary`: what Home lists about a deck, kept beside its cache entry (no pydantic).
- `library`: every deck file as listed (summaries, errors, files still to check); full
  decks loaded when opened.
- `starter`: the starter deck `quizapp new-deck` writes.

This package file imports nothing on purpose: importing `topics`, `finding`, `cache_key`,
`summary` or `library` must not pull in pydantic or YAML (Home's first frame uses them).
Import names from the room that defines them.
"""
