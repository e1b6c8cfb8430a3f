"""The audit trail (审计日志): who did what, when, from which client. Rows are only ever added.

Every write the product makes on a person's behalf leaves exactly one row, written in the same transaction as
the write itself (so a write without its row, or a row without its write, cannot happen): an import (one row
per stored batch, with its file), an undo, a settings change (old → new values) or restore, an account
change. Sign-ins, failed sign-ins, lockouts, sign-outs, password changes and downloads of record-level
discipline data leave one row each too. No statement in `queries.py` changes or removes a row of it.

`Actor` says who: a signed-in user and the client address the app saw, or, on the command line (the server
operator's tool, which needs no sign-in), the operating-system user and `cli@<host>`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import socket
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from analytics import queries
from analytics.db import Database
from analytics.i18n import STRINGS, t

# Every action the trail records, in the order the audit page lists them.
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_locked",
    "lockout",
    "client_lockout",
    "unlocked",
    "sign_out",
    "timeout",
    "password_changed",
    "password_reset",
    "import",
    "undo",
    "settings_changed",
    "settings_reset",
    "user_added",
    "user_role",
    "user_disabled",
    "user_enabled",
    "download",
    "report",
    "denied",
    "restore",
)


@dataclass(frozen=True)
class Actor:
    """Who acts: a user name and the client they act from."""

    user: str
    client: str

    @classmethod
    def operator(cls) -> Actor:
        """The command line's actor: the operating-system user on this host."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # a uid with no passwd entry (a container)
            user = "unknown"
        return cls(user=user, client=f"cli@{socket.gethostname()}")


def record(cur: duckdb.DuckDBPyConnection, actor: Actor | None, action: str, **detail: Any) -> None:
    """Add one row to the trail inside the caller's transaction `cur`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor = actor or Actor.operator()
    text = json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True) if detail else None
    cur.execute(queries.AUDIT_ADD, [dt.datetime.now(), actor.user, actor.client, action, text])


def add(db: Database, actor: Actor | None, action: str, **detail: Any) -> None:
    """One row in its own short write that leaves the data version (and so every page's cache) alone."""
    with db.writer(bump=False) as cur:
        record(cur, actor, action, **detail)


def rows(
    db: Database,
    since: dt.date | None = None,
    until: dt.date | None = None,
    user: str | None = None,
    action: str | None = None,
    limit: int = 100_000,
) -> pd.DataFrame:
    """The trail, newest first: id, at, user, client, action, detail (a dict); `until` is inclusive."""
    start = dt.datetime.combine(since or dt.date(1900, 1, 1), dt.time())
    end = dt.datetime.combine((until or dt.date(9998, 12, 31)) + dt.timedelta(days=1), dt.time())
    frame = (
        db.reader()
        .execute(queries.AUDIT_ROWS, [start, end, user or None, user or None, action or None, action or None, limit])
        .df()
    )
    frame = frame.rename(columns={"user_name": "user"})
    frame["detail"] = [json.loads(d) if isinstance(d, str) else {} for d in frame["detail"]]
    return frame


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """`python -m analytics audit --json`: [{"at", "user", "client", "action", "detail"}], newest first."""
    return [
        {
            "at": at.isoformat(timespec="seconds"),
            "user": user,
            "client": client,
            "action": action,
            "detail": detail,
        }
        for at, user, client, action, detail in frame[["at", "user", "client", "action", "detail"]].itertuples(
            index=False
        )
    ]


def action_label(action: str, lang: str = "zh") -> str:
    return t(f"audit.action.{action}", lang)


def detail_text(action: str, detail: dict[str, Any], lang: str = "zh") -> str:
    """A row's detail as one line: the setting changed first, then `key: value` pairs in the user's words
    (roles, kinds and pages as labels), settings changes as `old → new`."""
    if not detail:
        return ""
    from analytics.settings import change_text  # settings records through this module

    parts = []
    setting = detail.get("setting")
    if setting is not None:
        key = f"audit.setting.{setting}"
        parts.append(t(key, lang) if key in STRINGS else str(setting))
    for key, value in detail.items():
        if key == "setting":
            continue
        if key == "changes" and isinstance(value, list):
            parts.extend(change_text(change, lang) for change in value if isinstance(change, dict))
            continue
        label = t(f"audit.detail.{key}", lang) if f"audit.detail.{key}" in STRINGS else key
        parts.append(f"{label}: {_value_text(key, value, lang)}")
    return "; ".join(parts)


def _value_text(key: str, value: Any, lang: str) -> str:
    """A detail's value as a label where it is a code: a role, a kind of record, a page, an account source."""
    from analytics.accounts import Role  # accounts records through this module
    from analytics.schema import LabelledEnum, RecordKind

    labels = {
        "page": f"nav.{value}",
        "source": f"accounts.source.{value}",
        "reason": f"audit.reason.{value}",
    }
    if key in labels and labels[key] in STRINGS:
        return t(labels[key], lang)
    enum = {"kind": RecordKind, "role": Role, "old_role": Role}.get(key)
    if enum is not None:
        try:
            member: LabelledEnum = enum(value)
        except ValueError:
            return str(value)
        return member.label(lang)
    return str(value)


def table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The trail as the audit page shows and downloads it."""
    return pd.DataFrame(
        {
            t("audit.col.at", lang): frame["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            t("audit.col.user", lang): frame["user"],
            t("audit.col.client", lang): frame["client"],
            t("audit.col.action", lang): [action_label(a, lang) for a in frame["action"]],
            t("audit.col.detail", lang): [
                detail_text(a, d, lang) for a, d in zip(frame["action"], frame["detail"], strict=True)
            ],
        }
    )
