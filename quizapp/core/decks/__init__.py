"""Everything about decks: the format, reading files safely, error messages, the cache.

The rooms, from the bottom up:

- `topics`: topic headings (no pydantic, so Home's first frame can show them cheaply).
- `model`: the pydantic deck and card models.
- `json_schema`: the deck JSON Schema made from them (`quizapp schema`), for editors.
- `errors`: `DeckError` (one positioned problem) and `DeckLoadError`.
- `safe_yaml`: reading a file (size bound, UTF-8) and parsing it with a hardened loader.
- `error_messages`: pydantic errors -> `file:line:column: field: message`.
- `loading`: finding deck files, loading one or many (`load_deck`, `load_decks`).
- `cache`: validated decks kept as JSON so a big library starts without parsing YAML.
- `starter`: the starter deck `quizapp new-deck` writes.

This package file imports nothing on purpose: importing `quizapp.core.decks.topics` must
not pull in pydantic or YAML. Import names from the room that defines them.
"""
