"""Pseudonyms for persons named in discipline records (纪检记录涉及人员).

A name is never stored: only a keyed hash (HMAC-SHA256 with the database's own secret, kept in `meta`),
so the same person gets the same pseudonym within one database and cannot be looked up without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata


def normalise_name(name: str) -> str:
    """Full-width to half-width, no spaces, case-folded: `张 三`, `张三 ` and `张三` are one person."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def pseudonymise(name: str, secret: str) -> str:
    """A stable, non-reversible pseudonym such as `P-3f9a0c12d4e5`."""
    digest = hmac.new(secret.encode(), normalise_name(name).encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:12]}"
