"""BLAKE2b for the start-up path, without importing `hashlib`.

`hashlib` loads OpenSSL's `_hashlib` when it is imported (about 3 ms, with `hmac` and
`secrets`), and nothing that runs before Home's first frame needs OpenSSL: the deck cache
key and the kept store schema only hash with BLAKE2b. `_blake2` is the module `hashlib`
itself takes BLAKE2b from on CPython; elsewhere `hashlib` provides it.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # not CPython: hashlib has it another way
    from hashlib import blake2b

__all__ = ["blake2b"]
