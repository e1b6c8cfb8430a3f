"""Signing in with the hospital's directory (analytics/ldap_auth.py), offline: ldap3's MOCK_SYNC strategy
answers binds (against each entry's userPassword) and searches from entries held in memory."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import ldap3
import pytest
from ldap3.core.exceptions import LDAPSocketOpenError, LDAPSocketReceiveError

from analytics import accounts, audit, ldap_auth
from analytics.db import Database
from analytics.ldap_auth import DirectoryUser, LdapConfig, LdapConfigError, authenticator, load_config

PEOPLE = "ou=people,dc=h,dc=local"
LEADERS = "CN=PBI-Leaders,OU=Groups,DC=h,DC=local"
PARTY = "CN=PBI-PartyOffice,OU=Groups,DC=h,DC=local"
DISCIPLINE = "CN=PBI-Discipline,OU=Groups,DC=h,DC=local"
ADMINS = "CN=PBI-Admins,OU=Groups,DC=h,DC=local"
UNMAPPED = "CN=Nurses,OU=Groups,DC=h,DC=local"

CONFIG = LdapConfig(
    server="ldap://fake_ad",
    bind="cn={user}," + PEOPLE,
    base_dn="dc=h,dc=local",
    groups={LEADERS: "viewer", PARTY: "party_office", DISCIPLINE: "discipline_office", ADMINS: "admin"},
)


class Directory:
    """A directory in memory: people under ou=people with a password, a display name and groups."""

    def __init__(self) -> None:
        self.server = ldap3.Server("fake_ad")
        self._admin = ldap3.Connection(
            self.server, user="cn=root,dc=h,dc=local", password="root", client_strategy=ldap3.MOCK_SYNC
        )
        self.binds: list[str] = []
        self._people: dict[str, dict] = {}

    def add(self, name: str, password: str, groups: list[str], display: str | None = None) -> None:
        attributes = {"userPassword": password, "sAMAccountName": name, "objectClass": "person"}
        if display is not None:
            attributes["displayName"] = display
        if groups:
            attributes["memberOf"] = groups
        self._people[name] = attributes
        assert self._admin.strategy.add_entry(f"cn={name},{PEOPLE}", attributes)

    def set_groups(self, name: str, groups: list[str]) -> None:
        """The directory's administrator moves `name` to other groups."""
        attributes = {**self._people[name], "memberOf": groups}
        self._admin.strategy.remove_entry(f"cn={name},{PEOPLE}")
        self.add(name, attributes.pop("userPassword"), groups, attributes.get("displayName"))

    def connect(self, user: str, password: str) -> ldap3.Connection:
        """The `connect` the authenticator is given: a mock connection, not yet bound."""
        self.binds.append(user)
        return ldap3.Connection(self.server, user=user, password=password, client_strategy=ldap3.MOCK_SYNC)


@pytest.fixture(autouse=True)
def _fault_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBI_LOG_DIR", str(tmp_path / "logs"))  # connection faults are logged: not into data/


@pytest.fixture
def directory() -> Directory:
    d = Directory()
    d.add("zhang", "pw", [DISCIPLINE, UNMAPPED], display="张三")
    d.add("li", "pw-li", [LEADERS, ADMINS, PARTY], display="李四")
    d.add("wang", "pw-wang", [UNMAPPED], display="王五")
    d.add("zhao", "pw-zhao", [])
    return d


@pytest.fixture
def check(directory: Directory) -> ldap_auth.Authenticator:
    return authenticator(CONFIG, connect=directory.connect)


# --- The check ------------------------------------------------------------------------------------------------


def test_right_password_and_mapped_group_gives_that_role(check):
    assert check("zhang", "pw") == DirectoryUser(name="zhang", display="张三", role="discipline_office")


def test_several_mapped_groups_give_the_strongest_role(check):
    assert check("li", "pw-li") == DirectoryUser(name="li", display="李四", role="admin")


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ([LEADERS], "viewer"),
        ([PARTY, LEADERS], "party_office"),
        ([LEADERS, DISCIPLINE, PARTY], "discipline_office"),
        ([PARTY, ADMINS, DISCIPLINE], "admin"),
    ],
)
def test_strength_order(directory, check, groups, role):
    directory.set_groups("zhang", groups)
    assert check("zhang", "pw").role == role


def test_group_dns_match_whatever_their_letter_case_and_spacing(directory, check):
    directory.set_groups("zhang", ["cn=pbi-discipline, ou=groups, dc=h, dc=local"])
    assert check("zhang", "pw").role == "discipline_office"


def test_no_mapped_group_gives_no_role(check):
    assert check("wang", "pw-wang") == DirectoryUser(name="wang", display="王五", role=None)
    assert check("zhao", "pw-zhao") == DirectoryUser(name="zhao", display="zhao", role=None)  # no display either


def test_typed_name_is_trimmed(check):
    assert check("  zhang ", "pw").name == "zhang"


@pytest.mark.parametrize(
    ("name", "password"), [("zhang", "wrong"), ("zhang", "pwx"), ("zhang", "p"), ("nobody", "pw"), ("li", "pw")]
)
def test_wrong_password_or_unknown_name_is_none(check, name, password):
    assert check(name, password) is None


def test_empty_password_is_refused_before_the_directory_is_asked(directory, check):
    # To a real server, a name with an empty password is an "unauthenticated bind", which often succeeds.
    assert check("zhang", "") is None
    assert directory.binds == []


@pytest.mark.parametrize(
    "name",
    ["*)(uid=*", "a,dc=x", "zhang,ou=people", "cn=zhang", "a+b", "<zhang>", "#zhang", "zhang;", 'zh"ang', "zh\\ang",
     "zhang\x00", "zh\nang", "zh\tang", "zh\x7fang", "", "   ", "x" * 129],
)  # fmt: skip
def test_names_that_could_alter_a_dn_are_refused_before_the_directory_is_asked(directory, check, name):
    assert check(name, "pw") is None
    assert directory.binds == []


@pytest.mark.parametrize("name", ["*", "zha*", "z*g", "zhang)(", "*)", "(*"])
def test_name_is_escaped_in_the_search_filter(directory, name):
    """Even when a bind succeeds (here: every bind is zhang's), a wildcard or parenthesis in the name must not
    make the search find zhang: it is escaped (\\2a, \\28, \\29) and matches no one."""

    def bind_as_zhang(user: str, password: str) -> ldap3.Connection:
        return directory.connect(f"cn=zhang,{PEOPLE}", "pw")

    check = authenticator(CONFIG, connect=bind_as_zhang)
    assert check("zhang", "anything") is not None  # the setup works
    assert check(name, "anything") is None


def test_bound_but_not_found_under_the_base_is_none(directory):
    config = CONFIG.model_copy(update={"base_dn": "ou=elsewhere,dc=h,dc=local"})
    assert authenticator(config, connect=directory.connect)("zhang", "pw") is None


def test_a_filter_that_finds_several_entries_is_none(directory):
    config = CONFIG.model_copy(update={"user_filter": "(|(sAMAccountName={user})(objectClass=person))"})
    assert authenticator(config, connect=directory.connect)("zhang", "pw") is None


@pytest.mark.parametrize(
    "error",
    [
        LDAPSocketOpenError("socket connection error while opening: [Errno 113] No route to host"),
        LDAPSocketReceiveError("error receiving data: timed out"),
        TimeoutError("timed out"),
        RuntimeError("a malformed answer"),
    ],
)
def test_connection_faults_are_none_and_logged(tmp_path, error):
    def failing(user: str, password: str) -> ldap3.Connection:
        raise error

    assert authenticator(CONFIG, connect=failing)("zhang", "pw") is None
    assert type(error).__name__ in (tmp_path / "logs" / "pbi-faults.log").read_text(encoding="utf-8")


def test_a_bind_that_raises_is_none(directory, monkeypatch):
    def bind_fails(self, *args, **kwargs):
        raise LDAPSocketReceiveError("error receiving data: timed out")

    monkeypatch.setattr(ldap3.Connection, "bind", bind_fails)
    assert authenticator(CONFIG, connect=directory.connect)("zhang", "pw") is None


def test_unreachable_server_with_the_real_connector_is_none(tmp_path):
    # Port 1 on this machine: nothing listens, so the connection is refused at once (no network involved).
    config = CONFIG.model_copy(update={"server": "ldap://127.0.0.1:1", "timeout": 2.0})
    assert authenticator(config)("zhang", "pw") is None
    assert "LDAPSocketOpenError" in (tmp_path / "logs" / "pbi-faults.log").read_text(encoding="utf-8")


# --- The real connection (built, never opened) ----------------------------------------------------------------


def _config(server: str, **fields) -> LdapConfig:
    return LdapConfig(server=server, bind="{user}@h.local", base_dn="dc=h,dc=local", groups={ADMINS: "admin"}, **fields)


def test_ldaps_checks_the_server_certificate():
    conn = ldap_auth.connector(_config("ldaps://ad.hospital.local", timeout=3))("u@h.local", "pw")
    assert (conn.server.host, conn.server.port, conn.server.ssl) == ("ad.hospital.local", 636, True)
    assert conn.server.tls.validate == ssl.CERT_REQUIRED
    assert conn.server.connect_timeout == 3
    assert conn.receive_timeout == 3
    assert not conn.bound and not conn.auto_referrals and conn.read_only
    assert (conn.user, conn.password) == ("u@h.local", "pw")


def test_plain_ldap_and_an_explicit_use_ssl():
    plain = _config("ldap://10.0.0.5:389")
    assert plain.use_ssl is False
    conn = ldap_auth.connector(plain)("u", "pw")
    assert (conn.server.host, conn.server.port, conn.server.ssl) == ("10.0.0.5", 389, False)
    forced = _config("ldap://10.0.0.5:636", use_ssl=True)  # ldap3 alone would let the scheme win
    conn = ldap_auth.connector(forced)("u", "pw")
    assert (conn.server.port, conn.server.ssl) == (636, True)
    assert _config("LDAPS://ad.h.local/").use_ssl is True


def test_ca_file_is_used(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    conn = ldap_auth.connector(_config("ldaps://ad.h.local", ca_file=ca))("u", "pw")
    assert conn.server.tls.ca_certs_file == str(ca)


# --- Signing in through accounts.sign_in ----------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database(tmp_path / "x.duckdb") as database:
        accounts.add_user(database, "admin", "admin", "admin-password-1")
        yield database


def _audit(db: Database, action: str) -> list[dict]:
    return [r for r in audit.as_records(audit.rows(db)) if r["action"] == action]


def test_first_sign_in_keeps_an_ldap_account_with_the_groups_role(db, check):
    outcome = accounts.sign_in(db, "zhang", "pw", "10.0.0.1", directory=check)
    assert outcome.ok
    assert (outcome.account.name, outcome.account.role, outcome.account.source) == (
        "zhang",
        accounts.Role.DISCIPLINE_OFFICE,
        "ldap",
    )
    kept = accounts.get(db, "zhang")
    assert (kept.display, kept.role, kept.source, kept.active) == ("张三", "discipline_office", "ldap", True)
    assert kept.last_sign_in is not None
    signed = _audit(db, "sign_in")
    assert [(r["user"], r["client"], r["detail"]) for r in signed] == [
        ("zhang", "10.0.0.1", {"role": "discipline_office", "source": "ldap"})
    ]
    assert _audit(db, "user_added")[0]["detail"] == {"name": "zhang", "role": "discipline_office", "source": "ldap"}


def test_a_group_change_in_the_directory_changes_the_role_at_the_next_sign_in(db, directory, check):
    assert accounts.sign_in(db, "zhang", "pw", "10.0.0.1", directory=check).account.role == "discipline_office"
    directory.set_groups("zhang", [LEADERS])
    outcome = accounts.sign_in(db, "zhang", "pw", "10.0.0.1", directory=check)
    assert outcome.ok and outcome.account.role == "viewer"
    assert accounts.get(db, "zhang").role == "viewer"
    changes = _audit(db, "user_role")
    assert [r["detail"] for r in changes] == [
        {"name": "zhang", "old_role": "discipline_office", "role": "viewer", "source": "ldap"}
    ]


def test_directory_user_with_no_mapped_group_cannot_sign_in(db, check):
    outcome = accounts.sign_in(db, "wang", "pw-wang", "10.0.0.1", directory=check)
    assert not outcome.ok and outcome.code == "failed"
    assert accounts.get(db, "wang") is None
    assert [r["detail"] for r in _audit(db, "sign_in_failed")] == [{"reason": "directory"}]


def test_wrong_directory_password_fails_and_counts_towards_the_lockout(db, check):
    outcome = accounts.sign_in(db, "zhang", "wrong", "10.0.0.1", directory=check)
    assert not outcome.ok and outcome.code == "failed"
    assert accounts.get(db, "zhang") is None
    assert [r["detail"] for r in _audit(db, "sign_in_failed")] == [{"reason": "directory"}]


def test_a_local_account_of_the_same_name_is_not_signed_in_by_the_directory(db, directory, check):
    accounts.add_user(db, "zhang", "viewer", "local-password-1")
    refused = accounts.sign_in(db, "zhang", "pw", "10.0.0.1", directory=check)
    assert not refused.ok
    assert directory.binds == []  # the local password decides; the directory is not asked
    local = accounts.sign_in(db, "zhang", "local-password-1", "10.0.0.1", directory=check)
    assert local.ok and local.account.source == "local" and local.account.role == "viewer"


def test_a_disabled_ldap_account_cannot_sign_in(db, check):
    assert accounts.sign_in(db, "zhang", "pw", "10.0.0.1", directory=check).ok
    accounts.set_active(db, "zhang", False)
    outcome = accounts.sign_in(db, "zhang", "pw", "10.0.0.1", directory=check)
    assert not outcome.ok
    assert accounts.get(db, "zhang").active is False
    assert _audit(db, "sign_in_failed")[0]["detail"] == {"reason": "disabled"}


def test_local_admin_still_signs_in_beside_the_directory(db, check):
    outcome = accounts.sign_in(db, "admin", "admin-password-1", "10.0.0.1", directory=check)
    assert outcome.ok and outcome.account.source == "local"


# --- The settings file ----------------------------------------------------------------------------------------

EXAMPLE = """
server = "ldaps://ad.hospital.local"
bind = 'HOSPITAL\\{user}'
base_dn = "dc=hospital,dc=local"
timeout = 3

[groups]
"CN=PBI-Admins,OU=Groups,DC=hospital,DC=local" = "admin"
"CN=PBI-Leaders,OU=Groups,DC=hospital,DC=local" = "viewer"
"""


def test_load_config_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "ldap.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    monkeypatch.setenv("PBI_LDAP_CONFIG", str(path))
    config = load_config()
    assert config.server == "ldaps://ad.hospital.local" and config.use_ssl is True
    assert config.bind == "HOSPITAL\\{user}"
    assert (config.user_filter, config.display_attribute, config.group_attribute) == (
        "(sAMAccountName={user})",
        "displayName",
        "memberOf",
    )
    assert config.timeout == 3
    assert config.groups["CN=PBI-Admins,OU=Groups,DC=hospital,DC=local"] == "admin"
    assert config.role_of(["cn=pbi-leaders,ou=groups,dc=hospital,dc=local"]) == "viewer"


def test_no_file_means_no_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("PBI_LDAP_CONFIG", str(tmp_path / "missing.toml"))
    assert load_config() is None
    monkeypatch.delenv("PBI_LDAP_CONFIG")
    assert ldap_auth.config_path() == ldap_auth.DEFAULT_CONFIG_PATH
    assert ldap_auth.DEFAULT_CONFIG_PATH.parts[-2:] == ("data", "ldap.toml")


def test_the_readme_example_is_a_valid_config(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "ldap.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config is not None and config.use_ssl is True and len(config.groups) == 4


def test_a_relative_ca_file_is_beside_the_settings_file(tmp_path):
    (tmp_path / "ca.pem").write_text("-", encoding="ascii")
    path = tmp_path / "ldap.toml"
    path.write_text('ca_file = "ca.pem"\n' + EXAMPLE, encoding="utf-8")
    assert load_config(path).ca_file == tmp_path / "ca.pem"


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("server = ", "toml", "TOML"),
        (EXAMPLE.replace("ldaps://", "https://"), "invalid", "server"),
        (EXAMPLE.replace("'HOSPITAL\\{user}'", '"HOSPITAL"'), "invalid", "bind"),
        (EXAMPLE.replace('= "admin"', '= "superuser"'), "invalid", "groups"),
        ("port = 636\n" + EXAMPLE, "invalid", "Extra inputs"),
        ('server = "ldaps://ad"\nbind = "{user}@h"\nbase_dn = "dc=h"\n', "invalid", "groups"),
        (EXAMPLE.replace("timeout = 3", "timeout = 0"), "invalid", "timeout"),
        (EXAMPLE.replace("timeout = 3", 'ca_file = "/nonexistent/ca.pem"'), "invalid", "ca_file"),
        (EXAMPLE.replace("timeout = 3", 'user_filter = "sAMAccountName={user}"'), "invalid", "user_filter"),
    ],
)
def test_an_invalid_file_raises_a_clear_error(tmp_path, text, code, says):
    path = tmp_path / "ldap.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LdapConfigError) as raised:
        load_config(path)
    error = raised.value
    assert error.code == code
    assert says in error.message("en") and str(path) in error.message("en")
    assert "单位目录" in error.message("zh") and says in error.message("zh")
    assert error.message("zh") in str(error) and error.message("en") in str(error)


def test_an_unreadable_file_raises_a_clear_error(tmp_path):
    path = tmp_path / "ldap.toml"
    path.write_bytes(b'server = "\xff\xfe"\n')
    with pytest.raises(LdapConfigError) as raised:
        load_config(path)
    assert raised.value.code == "unreadable"
