"""User settings kept in the database's `settings` table (key → JSON value), and the one kind stored so far:
the column mapping a user chose for a file's headers, remembered per header signature so that next
month's export with the same headers is mapped the same way without asking again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from analytics import queries
from analytics.db import Database
from analytics.fields import normalise_header

MAPPING_PREFIX = "header_mapping:"


def get(db: Database, key: str, default: Any = None) -> Any:
    """The stored value of `key` (decoded from JSON), or `default` when there is none."""
    row = db.reader().execute(queries.GET_SETTING, [key]).fetchone()
    return default if row is None else json.loads(row[0])


def put(db: Database, key: str, value: Any) -> None:
    """Store `value` (anything JSON can hold) under `key`, replacing what was there."""
    with db.writer() as cur:
        cur.execute(queries.PUT_SETTING, [key, json.dumps(value, ensure_ascii=False), dt.datetime.now()])


def delete(db: Database, key: str) -> None:
    with db.writer() as cur:
        cur.execute(queries.DELETE_SETTING, [key])


def header_signature(headers: Sequence[str]) -> str:
    """SHA-256 of the normalised header list: the same for `时长（小时）` and `时长(小时)`, order matters."""
    normalised = [normalise_header(h) for h in headers]
    return hashlib.sha256(json.dumps(normalised, ensure_ascii=False).encode("utf-8")).hexdigest()


def mapping_key(headers: Sequence[str]) -> str:
    return MAPPING_PREFIX + header_signature(headers)


def saved_mapping(db: Database, headers: Sequence[str]) -> dict[str, Any] | None:
    """What was remembered for these headers: {"kind": kind or None, "mapping": {header: field or ''}}."""
    value = get(db, mapping_key(headers))
    if not isinstance(value, dict) or not isinstance(value.get("mapping"), dict):
        return None
    return {"kind": value.get("kind"), "mapping": {str(k): str(v) for k, v in value["mapping"].items()}}


def save_mapping(db: Database, headers: Sequence[str], kind: str | None, mapping: dict[str, str]) -> bool:
    """Remember `mapping` (raw header → field name, '' for ignore) for files with these headers.

    Returns whether anything was written (an unchanged mapping is not written again: every write bumps the
    data version and so empties the page caches)."""
    value = {"kind": kind, "mapping": {str(k): str(v) for k, v in mapping.items()}}
    if saved_mapping(db, headers) == value:
        return False
    put(db, mapping_key(headers), value)
    return True
