"""Pseudonyms for persons named in discipline records (纪检记录涉及人员).

A name is never stored: only a keyed hash (HMAC-SHA256 with the database's own secret key), so the same
person gets the same pseudonym within one database and cannot be looked up without the key. The key is kept
**outside the database**, in a key file readable by its owner only (`<database>.key` beside it, or the path
in `$PBI_KEY_FILE`): whoever holds a copy of the database alone cannot test candidate names against the
pseudonyms. Back the key file up separately from the database; without it, later imports could not give a
person the pseudonym stored before, so they are refused (`KeyMissing`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

KEY_FILE_ENV_VAR = "PBI_KEY_FILE"


class KeyMissing(Exception):
    """The database's pseudonym key file cannot be found or read."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def key_path(database: Path) -> Path:
    """Where the pseudonym key of the database at `database` lives: `$PBI_KEY_FILE`, else `<database>.key`."""
    return Path(os.environ.get(KEY_FILE_ENV_VAR) or f"{database}.key")


def read_key(database: Path) -> str:
    """The database's pseudonym key; raises KeyMissing when its key file is absent or unreadable."""
    path = key_path(database)
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise KeyMissing(path) from error
    if len(key) < 32:
        raise KeyMissing(path)
    return key


def write_key(database: Path, key: str | None = None) -> Path:
    """Write the key file (a new random key unless `key`), readable and writable by its owner only; an existing
    key file is never overwritten (FileExistsError)."""
    path = key_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write((key or secrets.token_hex(32)) + "\n")
    return path


def normalise_name(name: str) -> str:
    """Full-width to half-width, no spaces, case-folded: `张 三`, `张三 ` and `张三` are one person."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def pseudonymise(name: str, secret: str) -> str:
    """A stable, non-reversible pseudonym such as `P-3f9a0c12d4e5`."""
    digest = hmac.new(secret.encode(), normalise_name(name).encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:12]}"
