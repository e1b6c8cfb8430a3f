"""Accounts, roles and sign-in (账号与权限).

**Roles.** Each account has one role; what a role may see and do is `PERMISSIONS` (the README's and the
About page's table are written from it, and `tests/test_roles.py` checks every page and control against it):

| role | sees | may do |
|---|---|---|
| 院领导 viewer | every dashboard, relations, profiles, discipline figures (no persons) | download tables |
| 党委办公室 party office | the same | import/undo branches, departments, activities, satisfaction; templates |
| 纪委办公室 discipline office | the same, plus discipline record details | import/undo discipline records |
| 管理员 admin | everything | accounts, settings, the audit trail (and every import) |

**Passwords** are hashed with Argon2id (argon2-cffi: the algorithm that won the Password Hashing Competition,
salted, memory-hard; its parameters are stored in each hash, so a hash made with older ones is re-made at the
next sign-in). No password is stored, logged or audited in clear; the command line reads it from a prompt or
standard input, never from an argument.

**Sign-in** (`sign_in`) answers only "signed in", "wrong user name or password" or "locked": the same words
and about the same time for an unknown name, a wrong password and a disabled account, so no one learns which
names exist. After `failures` failed sign-ins under one typed name within `lockout_minutes` (5 in 15 by
default, `settings.SecuritySettings`) that name is locked for `lockout_minutes`, whether or not it exists;
after `client_failures` from one client address, that client is. A lock ends when its time is up, or when an
administrator unlocks the name or resets its password. Every attempt, lockout and unlock is in the audit trail.

**LDAP / Active Directory** (optional, `ldap_auth.py`): a name with no local account is checked against the
directory when one is configured; its groups give its role, and an account (source `ldap`, no password) is
kept for it, so an administrator can see, disable or re-role it. Local accounts keep working beside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import argon2
import duckdb
import pandas as pd
from pydantic import BaseModel

from analytics import audit, queries, settings
from analytics.audit import Actor
from analytics.db import Database, ReadOnlyDatabase
from analytics.i18n import t
from analytics.schema import LabelledEnum, RecordKind


class Role(LabelledEnum):
    VIEWER = "viewer", "院领导", "Leadership (viewer)"
    PARTY_OFFICE = "party_office", "党委办公室", "Party office"
    DISCIPLINE_OFFICE = "discipline_office", "纪委办公室", "Discipline office"
    ADMIN = "admin", "管理员", "Administrator"


class Permission(StrEnum):
    VIEW = "view"  # dashboards, relations, profiles, discipline figures; download tables and meeting material
    IMPORT = "import"  # the import page, for the kinds in IMPORT_KINDS (import, undo, templates)
    DISCIPLINE_DETAILS = "discipline_details"  # record-level discipline rows (pseudonymised persons)
    SETTINGS = "settings"
    ACCOUNTS = "accounts"
    AUDIT = "audit"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.PARTY_OFFICE: frozenset({Permission.VIEW, Permission.IMPORT}),
    Role.DISCIPLINE_OFFICE: frozenset({Permission.VIEW, Permission.IMPORT, Permission.DISCIPLINE_DETAILS}),
    Role.ADMIN: frozenset(Permission),
}

# The kinds of file a role may import, undo and download templates for.
IMPORT_KINDS: dict[Role, frozenset[RecordKind]] = {
    Role.VIEWER: frozenset(),
    Role.PARTY_OFFICE: frozenset(RecordKind) - {RecordKind.DISCIPLINE},
    Role.DISCIPLINE_OFFICE: frozenset({RecordKind.DISCIPLINE}),
    Role.ADMIN: frozenset(RecordKind),
}

# Each page of the app (its url path) and the permission that opens it.
PAGES: dict[str, Permission] = {
    "overview": Permission.VIEW,
    "party": Permission.VIEW,
    "satisfaction": Permission.VIEW,
    "discipline": Permission.VIEW,
    "relations": Permission.VIEW,
    "profile": Permission.VIEW,
    "report": Permission.VIEW,
    "present": Permission.VIEW,
    "import": Permission.IMPORT,
    "settings": Permission.SETTINGS,
    "accounts": Permission.ACCOUNTS,
    "audit": Permission.AUDIT,
    "account": Permission.VIEW,
    "about": Permission.VIEW,
}


def may(role: Role | str | None, permission: Permission) -> bool:
    if role is None:
        return False
    return Permission(permission) in PERMISSIONS[Role(role)]


def may_open(role: Role | str | None, page: str) -> bool:
    return may(role, PAGES[page])


def import_kinds(role: Role | str | None) -> frozenset[RecordKind]:
    return IMPORT_KINDS[Role(role)] if role is not None else frozenset()


class Account(BaseModel):
    name: str
    display: str
    role: Role
    active: bool
    source: str = "local"  # "local" (a password here) or "ldap" (the directory checks it)
    created_at: dt.datetime
    last_sign_in: dt.datetime | None = None


class AccountError(ValueError):
    """A refused account change, said in the user's language by `message`."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code, self.values = code, values

    def message(self, lang: str = "zh") -> str:
        return t(f"account.error.{self.code}", lang, **self.values)


# --- Passwords ------------------------------------------------------------------------------------------------

_HASHER = argon2.PasswordHasher()  # Argon2id, RFC 9106's second recommended parameters (64 MiB, t=3, p=4)
MIN_PASSWORD = 8
MAX_PASSWORD = 256
NAME = re.compile(r"^[\w.@-]{1,64}$")  # letters (any script), digits, _ . @ -


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches the hash `stored`; with no hash, a check of a dummy hash (so an unknown name
    takes as long as a wrong password) and False."""
    try:
        return _HASHER.verify(stored or _dummy(), password) and bool(stored)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


_DUMMY: list[str] = []


def _dummy() -> str:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash(secrets.token_hex(16)))
    return _DUMMY[0]


def check_password(name: str, password: str) -> None:
    """Refuse a password too short, too long or equal to the user name (AccountError)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_short", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError("password_long", n=MAX_PASSWORD)
    if password.strip().casefold() == name.strip().casefold():
        raise AccountError("password_is_name")


# Letters and digits a reader cannot mistake for one another (no 0/O, 1/l/I).
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_password() -> str:
    """A password for a demo account: 14 characters from 56 unambiguous letters and digits (81 bits)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(14))


# --- Accounts -------------------------------------------------------------------------------------------------


def _account(row: tuple) -> Account:
    name, display, role, active, source, _hash, created_at, last_sign_in = row
    return Account(
        name=name,
        display=display,
        role=Role(role),
        active=active,
        source=source,
        created_at=created_at,
        last_sign_in=last_sign_in,
    )


def get(db: Database, name: str) -> Account | None:
    """The account `name` (matched case-insensitively), or None."""
    row = db.reader().execute(queries.USER, [name.strip()]).fetchone()
    return _account(row) if row else None


def users(db: Database) -> list[Account]:
    """Every account, by name."""
    return [_account(row) for row in db.reader().execute(queries.USERS).fetchall()]


def has_admin(db: Database) -> bool:
    """Whether the database has an active administrator (the app serves only such a database). An archive
    from before accounts existed, opened read-only and so not migrated, has none."""
    try:
        return bool(db.reader().execute(queries.ADMINS).fetchone()[0])
    except duckdb.CatalogException:
        return False


@dataclass(frozen=True)
class Standing:
    """What every page run checks first, read at once (the app caches it until the data changes): whether
    the database has an active administrator, the signed-in account as it now stands, the idle limit."""

    has_admin: bool
    account: Account | None
    idle_minutes: int


def standing(db: Database, name: str | None) -> Standing:
    return Standing(has_admin(db), get(db, name) if name else None, settings.security(db).idle_minutes)


def as_records(accounts: list[Account]) -> list[dict[str, Any]]:
    """`user list --json`: [{"name", "display", "role", "active", "last_sign_in"}]."""
    return [
        {
            "name": a.name,
            "display": a.display,
            "role": a.role.value,
            "active": a.active,
            "last_sign_in": a.last_sign_in.isoformat(timespec="seconds") if a.last_sign_in else None,
        }
        for a in accounts
    ]


def roles_table(lang: str = "zh") -> pd.DataFrame:
    """What each role sees and may do, as the About page shows it (the README has the same table)."""
    return pd.DataFrame(
        {
            t("roles.col.role", lang): [role.label(lang) for role in Role],
            t("roles.col.sees", lang): [t(f"roles.{role.value}.sees", lang) for role in Role],
            t("roles.col.does", lang): [t(f"roles.{role.value}.does", lang) for role in Role],
        }
    )


def table(accounts: list[Account], lang: str = "zh") -> pd.DataFrame:
    """The accounts as the accounts page shows them."""
    return pd.DataFrame(
        {
            t("accounts.col.name", lang): [a.name for a in accounts],
            t("accounts.col.display", lang): [a.display for a in accounts],
            t("accounts.col.role", lang): [a.role.label(lang) for a in accounts],
            t("accounts.col.active", lang): [
                t("accounts.active" if a.active else "accounts.inactive", lang) for a in accounts
            ],
            t("accounts.col.source", lang): [t(f"accounts.source.{a.source}", lang) for a in accounts],
            t("accounts.col.last", lang): [
                a.last_sign_in.strftime("%Y-%m-%d %H:%M") if a.last_sign_in else "—" for a in accounts
            ],
        }
    )


def add_user(
    db: Database, name: str, role: Role | str, password: str, display: str | None = None, actor: Actor | None = None
) -> Account:
    """A new local account (AccountError if the name is taken or malformed, or the password too weak)."""
    name = name.strip()
    if not NAME.match(name):
        raise AccountError("bad_name", name=name)
    role = _role(role)
    check_password(name, password)
    hashed = hash_password(password)
    with db.writer() as cur:
        if cur.execute(queries.USER, [name]).fetchone():
            raise AccountError("exists", name=name)
        cur.execute(queries.ADD_USER, [name, (display or name).strip() or name, role.value, "local", hashed, _now()])
        audit.record(cur, actor, "user_added", name=name, role=role.value)
    return Account(name=name, display=display or name, role=role, active=True, created_at=_now())


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError("bad_role", role=role, roles=", ".join(r.value for r in Role)) from None


def _existing(cur, name: str) -> tuple:
    row = cur.execute(queries.USER, [name.strip()]).fetchone()
    if row is None:
        raise AccountError("unknown", name=name)
    return row


def _last_admin(cur, name: str) -> bool:
    """Whether `name` is the only active administrator."""
    row = cur.execute(queries.USER, [name]).fetchone()
    is_admin = row is not None and row[2] == Role.ADMIN and row[3]
    return is_admin and cur.execute(queries.ADMINS).fetchone()[0] <= 1


def set_role(db: Database, name: str, role: Role | str, actor: Actor | None = None) -> None:
    role = _role(role)
    with db.writer() as cur:
        row = _existing(cur, name)
        if row[2] == role:
            return
        if role != Role.ADMIN and _last_admin(cur, row[0]):
            raise AccountError("last_admin", name=row[0])
        cur.execute(queries.SET_ROLE, [role.value, row[0]])
        audit.record(cur, actor, "user_role", name=row[0], old_role=row[2], role=role.value)


def set_active(db: Database, name: str, active: bool, actor: Actor | None = None) -> None:
    """Disable (the account can no longer sign in; a page it has open asks it to sign in again) or enable
    (which also ends a lockout)."""
    with db.writer() as cur:
        row = _existing(cur, name)
        if not active and _last_admin(cur, row[0]):
            raise AccountError("last_admin", name=row[0])
        if row[3] == active:
            return
        cur.execute(queries.SET_ACTIVE, [active, row[0]])
        audit.record(cur, actor, "user_enabled" if active else "user_disabled", name=row[0])


def reset_password(db: Database, name: str, password: str, actor: Actor | None = None) -> None:
    """An administrator's (or the operator's) new password for `name`; it also ends a lockout."""
    with db.writer() as cur:
        row = _existing(cur, name)
        if row[4] != "local":
            raise AccountError("directory_account", name=row[0])
        check_password(row[0], password)
        cur.execute(queries.SET_PASSWORD, [hash_password(password), row[0]])
        audit.record(cur, actor, "password_reset", name=row[0])


def change_own_password(db: Database, name: str, old: str, new: str, actor: Actor | None = None) -> None:
    """The signed-in user's new password, after checking the old one (AccountError `wrong_password`)."""
    with db.session():
        row = db.reader().execute(queries.USER, [name]).fetchone()
    if row is None or row[4] != "local":
        raise AccountError("directory_account", name=name)
    if not _verify(row[5], old):
        raise AccountError("wrong_password")
    if new == old:
        raise AccountError("password_same")
    check_password(row[0], new)
    with db.writer(bump=False) as cur:
        cur.execute(queries.SET_PASSWORD, [hash_password(new), row[0]])
        audit.record(cur, actor, "password_changed", name=row[0])


def unlock(db: Database, name: str, actor: Actor | None = None) -> None:
    """End a lockout of the typed name `name` (an account or not)."""
    with db.writer(bump=False) as cur:
        audit.record(cur, actor, "unlocked", name=name.strip())


# --- Signing in -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: `account` when it succeeded; else `message` to show (the same for
    every kind of failure, and for every locked name)."""

    account: Account | None
    code: str  # "ok", "failed" or "locked"
    until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.account is not None

    def message(self, lang: str = "zh") -> str:
        if self.code == "locked":
            return t("auth.locked", lang, until=self.until.strftime("%H:%M") if self.until else "")
        return t("auth.failed", lang)


def _now() -> dt.datetime:
    return dt.datetime.now()


def _locked_until(cur, key: str, client: str, rules: settings.SecuritySettings, now: dt.datetime) -> dt.datetime | None:
    window = dt.timedelta(minutes=rules.lockout_minutes)
    last = cur.execute(queries.NAME_LAST_RESET, [key, key]).fetchone()
    if last and last[0] == "lockout" and last[1] + window > now:
        return last[1] + window
    locked = cur.execute(queries.CLIENT_LAST_LOCKOUT, [client]).fetchone()[0]
    if locked and locked + window > now:
        return locked + window
    return None


def _lock_if_due(cur, key: str, typed: str, client: str, rules: settings.SecuritySettings, now: dt.datetime) -> bool:
    """After a failure: lock the name (and the client) when their failures reached the limit. Whether the name
    or the client is now locked."""
    window = dt.timedelta(minutes=rules.lockout_minutes)
    last = cur.execute(queries.NAME_LAST_RESET, [key, key]).fetchone()
    since = max(now - window, last[1]) if last else now - window
    actor = Actor(typed, client)
    locked = False
    if cur.execute(queries.NAME_FAILURES_SINCE, [key, since]).fetchone()[0] >= rules.failures:
        audit.record(cur, actor, "lockout", minutes=rules.lockout_minutes)
        locked = True
    client_locked = cur.execute(queries.CLIENT_LAST_LOCKOUT, [client]).fetchone()[0]
    since = max(now - window, client_locked) if client_locked else now - window
    if cur.execute(queries.CLIENT_FAILURES_SINCE, [client, since]).fetchone()[0] >= rules.client_failures:
        audit.record(cur, actor, "client_lockout", minutes=rules.lockout_minutes)
        locked = True
    return locked


# The directory check, when one is configured (ldap_auth.authenticator); tests put a fake one here.
Directory = Any  # a callable (name, password) -> ldap_auth.DirectoryUser | None


def sign_in(db: Database, name: str, password: str, client: str, directory: Directory | None = None) -> SignIn:
    """Check `name` and `password` from `client`, record the attempt, and lock out repeated failures (see the
    module docstring). On a read-only database (an archive) nothing can be recorded: sign-in still works."""
    typed = name.strip()[:128]
    key = typed.casefold()
    now = _now()
    with db.session():
        cur = db.reader()
        rules = settings.security(db)
        until = _locked_until(cur, key, client, rules, now)
        row = cur.execute(queries.USER, [typed]).fetchone() if typed else None
    actor = Actor(row[0] if row else typed, client)
    if until is not None:
        record_event(db, actor, "sign_in_locked")
        return SignIn(None, "locked", until)
    account, reason = None, "unknown"
    if row is not None and row[4] == "local":
        account, reason = (_account(row), "ok") if _verify(row[5], password) else (None, "password")
    elif directory is not None and password:
        found = directory(typed, password)
        if found is None:
            reason = "directory"
        else:
            account = _directory_account(db, found, row, actor)  # None: no group of the user maps to a role
            reason = "ok" if account is not None else "directory"
    else:
        _verify(None, password)  # the time a real check takes
    if account is not None and not account.active:
        account, reason = None, "disabled"
    if account is None:
        try:
            with db.writer(bump=False) as cur:
                audit.record(cur, actor, "sign_in_failed", reason=reason)
                locked = _lock_if_due(cur, key, typed, client, rules, now)
        except ReadOnlyDatabase:
            locked = False
        if locked:
            return SignIn(None, "locked", now + dt.timedelta(minutes=rules.lockout_minutes))
        return SignIn(None, "failed")
    try:
        with db.writer(bump=False) as cur:
            cur.execute(queries.SIGNED_IN, [now, account.name])
            if row is not None and row[5] and _HASHER.check_needs_rehash(row[5]):
                cur.execute(queries.SET_PASSWORD, [hash_password(password), account.name])
            audit.record(cur, actor, "sign_in", role=account.role.value, source=account.source)
    except ReadOnlyDatabase:
        pass
    return SignIn(account.model_copy(update={"last_sign_in": now}), "ok")


def _directory_account(db: Database, found: Any, row: tuple | None, actor: Actor) -> Account | None:
    """The account kept for a directory user: made at the first sign-in, its role and display name following
    the directory's groups at each. A directory user none of whose groups maps to a role gets no account."""
    if found.role is None:
        return None
    if row is not None and row[4] != "ldap":
        return None  # a local account of that name: the directory does not sign it in
    role = Role(found.role)
    with db.writer() as cur:
        if row is None:
            cur.execute(queries.ADD_USER, [found.name, found.display or found.name, role.value, "ldap", None, _now()])
            audit.record(cur, actor, "user_added", name=found.name, role=role.value, source="ldap")
        elif row[2] != role.value:
            cur.execute(queries.SET_ROLE, [role.value, row[0]])
            audit.record(cur, actor, "user_role", name=row[0], old_role=row[2], role=role.value, source="ldap")
        if row is not None and found.display and row[1] != found.display:
            cur.execute(queries.SET_DISPLAY, [found.display, row[0]])
        fresh = cur.execute(queries.USER, [found.name]).fetchone()
    return _account(fresh)


def record_event(db: Database, actor: Actor, action: str, **detail: Any) -> None:
    """One audit row in its own write (a refused page, a download, a sign-in); none on a read-only archive."""
    with contextlib.suppress(ReadOnlyDatabase):
        audit.add(db, actor, action, **detail)


def sign_out(db: Database, actor: Actor, timed_out: bool = False) -> None:
    record_event(db, actor, "timeout" if timed_out else "sign_out")
