"""Signing in with the hospital's directory: LDAP or Active Directory (单位目录登录).

**What it does.** When the hospital puts a `data/ldap.toml` (or points `$PBI_LDAP_CONFIG` at one), a user name
with no local account is checked against the directory (`accounts.sign_in` calls the `authenticator`): the app
binds *as that user* with the password typed, so the directory alone judges the password (and its own rules:
a disabled or expired directory account cannot bind), then reads the user's display name and groups. The
groups give the role through the file's `[groups]` table; a user in several mapped groups gets the strongest
role (admin > discipline_office > party_office > viewer), a user in none gets no access. `accounts` keeps an
account for each directory user (source `ldap`, no password) so that an administrator can see it, disable it
and read its sign-ins in the audit trail; its role follows the groups at every sign-in. No service account
and no password is stored anywhere.

**Why ldap3.** It is pure Python (no OpenLDAP client libraries to build on the hospital's server, unlike
python-ldap), maintained, speaks LDAPS, and has a mock strategy (`MOCK_SYNC`) that answers binds and searches
from entries held in memory, so `tests/test_ldap.py` checks everything offline, with no directory server.

**Safety.**

- The typed name goes into a bind name (a DN, `DOMAIN\\name` or `name@domain`) and into a search filter.
  A name holding a character that could change a DN (``, = + < > # ; \\ "`` or a control character such as
  NUL) is refused before anything is sent, and the name is escaped in the filter
  (`ldap3.utils.conv.escape_filter_chars`), so `*)(uid=*` matches nobody rather than everybody.
- An empty password is refused: to an LDAP server a simple bind with a name and no password is an
  "unauthenticated bind", which many servers answer with success.
- Every failure (wrong password, unknown name, server unreachable, timeout, a malformed answer) is `None`,
  never an exception: `sign_in` then says "wrong user name or password" as for any other failure and counts it
  towards the lockout. Faults of the connection (unreachable, timeout, TLS) go to the fault log
  (`pbi-faults.log`, see `faults.py`), so an operator can see why nobody from the directory can sign in.
- `ldaps://` checks the server's certificate and host name (ldap3 alone would not), against the system's
  certificate authorities or the file `ca_file` (the hospital's own CA, PEM); without that check anyone on the
  network who answers in the server's place would collect passwords. Plain `ldap://` sends passwords in
  clear: use it only on a network you trust, or for tests.
- Each sign-in opens its own connection (with `timeout` seconds to connect and to wait for each answer) and
  closes it; referrals are not followed.

Nested groups are not expanded (Active Directory's `memberOf` lists direct memberships): map the groups users
are direct members of.

An example `data/ldap.toml` (also in the README)::

    # The directory (LDAP/AD) that signs in users with no local account.
    server = "ldaps://ad.hospital.local"            # or "ldap://10.0.0.5:389"; ports 636/389 by default
    # use_ssl = true                                # defaults to the scheme: ldaps:// true, ldap:// false
    # ca_file = "/etc/ssl/certs/hospital-ca.pem"    # the hospital's CA (PEM), when the system does not trust it
    bind = "{user}@hospital.local"                  # the bind name; or 'HOSPITAL\\{user}' (AD), or
                                                    # "uid={user},ou=people,dc=hospital,dc=local" (OpenLDAP)
    base_dn = "dc=hospital,dc=local"
    user_filter = "(sAMAccountName={user})"         # OpenLDAP: "(uid={user})"
    display_attribute = "displayName"               # OpenLDAP: "cn"
    group_attribute = "memberOf"
    timeout = 5                                     # seconds to connect, and to wait for each answer

    [groups]                                        # group DN (any letter case) = role
    "CN=PBI-Leaders,OU=Groups,DC=hospital,DC=local" = "viewer"
    "CN=PBI-PartyOffice,OU=Groups,DC=hospital,DC=local" = "party_office"
    "CN=PBI-Discipline,OU=Groups,DC=hospital,DC=local" = "discipline_office"
    "CN=PBI-Admins,OU=Groups,DC=hospital,DC=local" = "admin"
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ldap3
import pydantic
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analytics import faults
from analytics.accounts import Role
from analytics.db import PROJECT_ROOT, default_db_path
from analytics.i18n import t

CONFIG_ENV_VAR = "PBI_LDAP_CONFIG"
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "data" / "ldap.toml"

# Weakest first: a user in several mapped groups gets the last of these that any of them maps to.
STRENGTH: tuple[Role, ...] = (Role.VIEWER, Role.PARTY_OFFICE, Role.DISCIPLINE_OFFICE, Role.ADMIN)

# Characters that could change the meaning of a DN (RFC 4514), refused in a user name; control characters too.
DN_SPECIAL = frozenset(',=+<>#;\\"')
MAX_NAME = 128  # sign_in keeps at most this many characters of a typed name
MAX_PASSWORD = 1024  # a longer "password" is not sent to the directory


class LdapConfigError(ValueError):
    """The directory settings file cannot be used; `message(lang)` says why, `str()` says it in both languages."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code, self.values = code, values
        super().__init__(f"{self.message('zh')} / {self.message('en')}")

    def message(self, lang: str = "zh") -> str:
        return t(f"ldap.error.{self.code}", lang, **self.values)


def normalise_dn(dn: str) -> str:
    """`dn` for comparison: letter case and the spaces around its separators do not count."""
    try:
        return ",".join(f"{kind.casefold()}={value.casefold()}" for kind, value, _ in parse_dn(dn, strip=True))
    except LDAPException:
        return dn.strip().casefold()


class LdapConfig(BaseModel):
    """The directory settings (`data/ldap.toml`); see the module docstring for an example."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server: str  # ldaps://host[:port] or ldap://host[:port]
    use_ssl: bool = False  # when not given: true for ldaps://, false for ldap:// (see _ssl_from_scheme)
    bind: str  # the bind name, with {user} for the typed name
    base_dn: str = Field(min_length=1)
    user_filter: str = "(sAMAccountName={user})"
    display_attribute: str = Field("displayName", min_length=1)
    group_attribute: str = Field("memberOf", min_length=1)
    groups: dict[str, Role] = Field(min_length=1)  # group DN (any letter case) → role
    timeout: float = Field(5, gt=0, le=120)  # seconds, to connect and for each answer
    ca_file: Path | None = None  # the CA certificates (PEM) that ldaps:// checks the server's certificate against

    @field_validator("server")
    @classmethod
    def _server(cls, value: str) -> str:
        value = value.strip()
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises ValueError when the port is not a number in 0..65535)
        except ValueError as error:
            raise ValueError(f"not a valid address: {error}") from None
        if parts.scheme.lower() not in ("ldap", "ldaps") or not parts.hostname:
            raise ValueError("must look like ldaps://host[:port] or ldap://host[:port]")
        if parts.path.strip("/") or parts.query or parts.fragment or parts.username is not None:
            raise ValueError("must be ldaps://host[:port] or ldap://host[:port], with nothing after the port")
        return value

    @field_validator("bind", "user_filter")
    @classmethod
    def _has_user(cls, value: str) -> str:
        if "{user}" not in value:
            raise ValueError("must contain {user}, where the typed user name goes")
        return value.strip()

    @field_validator("user_filter")
    @classmethod
    def _filter(cls, value: str) -> str:
        if not (value.startswith("(") and value.endswith(")")):
            raise ValueError("must be an LDAP filter in parentheses, such as (sAMAccountName={user})")
        return value

    @field_validator("ca_file")
    @classmethod
    def _ca_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _ssl_from_scheme(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("use_ssl") is None and isinstance(data.get("server"), str):
            data = {**data, "use_ssl": data["server"].strip().lower().startswith("ldaps:")}
        return data

    @property
    def host(self) -> str:
        return urlsplit(self.server).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.server).port or (636 if self.use_ssl else 389)

    def role_of(self, group_dns: list[str]) -> Role | None:
        """The strongest role that any of `group_dns` maps to, or None."""
        mapped = {normalise_dn(dn): role for dn, role in self.groups.items()}
        roles = {mapped[key] for key in map(normalise_dn, group_dns) if key in mapped}
        return max(roles, key=STRENGTH.index) if roles else None


def config_path() -> Path:
    """`$PBI_LDAP_CONFIG`, else `data/ldap.toml` under the project."""
    return Path(os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_PATH)


def load_config(path: Path | str | None = None) -> LdapConfig | None:
    """The directory settings in `path` (default: `config_path()`), or None when that file does not exist (no
    directory: local accounts only). A file that cannot be read or is not valid raises LdapConfigError. A
    relative `ca_file` is taken from the settings file's folder."""
    path = Path(path) if path is not None else config_path()
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LdapConfigError("unreadable", path=path, detail=error) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LdapConfigError("toml", path=path, detail=error) from error
    if isinstance(data.get("ca_file"), str) and not Path(data["ca_file"]).is_absolute():
        data["ca_file"] = str(path.parent / data["ca_file"])
    try:
        return LdapConfig.model_validate(data)
    except pydantic.ValidationError as error:
        detail = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in error.errors(include_url=False)
        )
        raise LdapConfigError("invalid", path=path, detail=detail) from error


# --- Checking a user ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryUser:
    """A user the directory signed in: the name as typed (trimmed), the directory's display name, and the role
    code the groups give ("viewer", "party_office", "discipline_office", "admin"), or None."""

    name: str
    display: str
    role: str | None


Connect = Callable[[str, str], ldap3.Connection]  # (bind name, password) -> a connection, not yet bound
Authenticator = Callable[[str, str], DirectoryUser | None]


def connector(config: LdapConfig) -> Connect:
    """The real connection factory: one server, a connection per sign-in (bound by the caller)."""
    tls = None
    if config.use_ssl:
        import ssl

        ca_file = str(config.ca_file) if config.ca_file is not None else None
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=ca_file)

    def connect(user: str, password: str) -> ldap3.Connection:
        # The host and port without the scheme, since ldap3 lets a URI's scheme override use_ssl.
        server = ldap3.Server(
            config.host,
            port=config.port,
            use_ssl=config.use_ssl,
            tls=tls,
            connect_timeout=config.timeout,
            get_info=ldap3.NONE,
        )
        return ldap3.Connection(
            server,
            user=user,
            password=password,
            receive_timeout=config.timeout,
            auto_bind=False,
            raise_exceptions=False,
            auto_referrals=False,
            read_only=True,
        )

    return connect


def usable_name(name: str) -> bool:
    """Whether `name` (trimmed) may be sent to the directory: not empty, not too long, and with nothing that
    could change the meaning of a DN."""
    return (
        0 < len(name) <= MAX_NAME
        and not any(c in DN_SPECIAL or ord(c) < 32 or ord(c) == 127 for c in name)
        and name == name.strip()
    )


def authenticator(config: LdapConfig, connect: Connect | None = None) -> Authenticator:
    """A check `(name, password) -> DirectoryUser | None` against the directory of `config` (`accounts.sign_in`'s
    `directory`). `connect` makes the connection; tests pass one that makes an ldap3 MOCK_SYNC connection."""
    connect = connect or connector(config)

    def check(name: str, password: str) -> DirectoryUser | None:
        name = name.strip()
        if not usable_name(name) or not password or len(password) > MAX_PASSWORD:
            return None
        try:
            return _check(config, connect, name, password)
        except Exception as error:  # unreachable, timeout, TLS refused, a malformed answer: a failed sign-in
            faults.log(error, default_db_path())  # the details for the operator, beside the database
            return None

    return check


def _check(config: LdapConfig, connect: Connect, name: str, password: str) -> DirectoryUser | None:
    connection = connect(config.bind.replace("{user}", name), password)
    try:
        if not connection.bind():
            return None  # wrong password, unknown or disabled user (invalidCredentials)
        found = connection.search(
            search_base=config.base_dn,
            search_filter=config.user_filter.replace("{user}", escape_filter_chars(name)),
            search_scope=ldap3.SUBTREE,
            attributes=[config.display_attribute, config.group_attribute],
            size_limit=2,
        )
        entries = [r for r in connection.response or [] if r.get("type") == "searchResEntry"]
        if not found or len(entries) != 1:
            return None  # bound, but not found under base_dn by the filter (or ambiguous): no access
        attributes = entries[0].get("attributes") or {}
        display = next(iter(_texts(attributes.get(config.display_attribute))), "") or name
        role = config.role_of(_texts(attributes.get(config.group_attribute)))
        return DirectoryUser(name=name, display=display, role=role.value if role is not None else None)
    finally:
        with contextlib.suppress(LDAPException, OSError):
            connection.unbind()


def _texts(value: Any) -> list[str]:
    """An attribute's values as text (ldap3 gives a list, a single value, or bytes without a schema)."""
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    texts = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values]
    return [text.strip() for text in texts if text.strip()]
