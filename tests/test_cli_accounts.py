"""`python -m analytics init --admin / user … / audit`: the operator's account commands and the audit trail.

The command line needs no sign-in; every write it makes is recorded as the operating-system user at `cli@host`,
and a password comes from a prompt or standard input, never an argument.
"""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import subprocess
import sys

import pytest

from analytics import accounts, audit, queries
from analytics.accounts import AccountError
from analytics.cli import PasswordError, main, read_password
from analytics.db import Database
from analytics.i18n import t
from tests.conftest import SAMPLES

ADMIN_PASSWORD = "党建-Admin-pw-2024"  # non-ASCII, so a clear copy would show in the bytes either way
OS_USER = getpass.getuser()


@pytest.fixture
def run(monkeypatch, capsys):
    """`main(args)` in-process with `password` (one line) on standard input: (exit code, stdout, stderr)."""

    def run(*args: object, password: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO("" if password is None else password + "\n"))
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def db_path(tmp_path, run):
    """A new database whose only account is the administrator `boss`."""
    path = tmp_path / "pbi.duckdb"
    code, _, err = run("init", "--db", path, "--admin", "boss", "--display", "王院长", password=ADMIN_PASSWORD)
    assert code == 0, err
    return path


def trail(path, **filters) -> list[dict]:
    with Database(path) as db:
        return audit.as_records(audit.rows(db, **filters))


def signs_in(path, name: str, password: str) -> bool:
    with Database(path) as db:
        return accounts.sign_in(db, name, password, "test").ok


def accounts_of(path) -> list[dict]:
    with Database(path) as db:
        return accounts.as_records(accounts.users(db))


def run_process(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """`python -m analytics ARGS` as the operator runs it, `stdin` piped in."""
    command = [sys.executable, "-m", "analytics", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, encoding="utf-8", check=False)


def assert_operator(row: dict) -> None:
    assert row["user"] == OS_USER
    assert row["client"].startswith("cli@")


def test_init_admin_makes_one_admin_whose_password_is_stored_nowhere_in_clear(db_path):
    assert accounts_of(db_path) == [
        {"name": "boss", "display": "王院长", "role": "admin", "active": True, "last_sign_in": None}
    ]
    (added,) = trail(db_path)
    assert added["action"] == "user_added" and added["detail"] == {"name": "boss", "role": "admin"}
    assert_operator(added)

    assert signs_in(db_path, "boss", ADMIN_PASSWORD)
    assert not signs_in(db_path, "boss", ADMIN_PASSWORD + "x")

    secret = ADMIN_PASSWORD.encode()
    files = [f for f in db_path.parent.iterdir() if f.is_file()]
    assert db_path in files
    assert not [f.name for f in files if secret in f.read_bytes()]
    assert ADMIN_PASSWORD not in json.dumps(trail(db_path), ensure_ascii=False)


def test_init_admin_refuses_a_weak_password_before_making_the_database(tmp_path, run):
    path = tmp_path / "pbi.duckdb"
    code, _, err = run("init", "--db", path, "--admin", "boss", password="short")
    assert code == 1 and err.strip() == AccountError("password_short", n=accounts.MIN_PASSWORD).message("zh")
    assert not path.exists()
    code, _, err = run("init", "--db", path, "--admin", "boss", password="")
    assert code == 1 and err.strip() == t("cli.password.empty", "zh")
    assert not path.exists()


def test_init_admin_refuses_a_database_that_has_an_administrator(db_path, run):
    code, _, err = run("init", "--db", db_path, "--admin", "other", password="another-password")
    assert code == 1 and err.strip() == t("cli.init.has_admin", "zh", path=db_path)
    assert [a["name"] for a in accounts_of(db_path)] == ["boss"]


def test_init_without_admin_makes_no_account(tmp_path, run):
    path = tmp_path / "pbi.duckdb"
    assert run("init", "--db", path)[0] == 0
    assert accounts_of(path) == [] and trail(path) == []


def test_user_list_json_and_text(db_path, run):
    assert run("user", "add", "--db", db_path, "li", "--role", "party_office", password="li-password")[0] == 0
    assert (
        run("user", "add", "--db", db_path, "zhao", "--role", "viewer", "--display", "赵", password="zhao-pw-1")[0] == 0
    )
    assert signs_in(db_path, "li", "li-password")

    code, out, _ = run("user", "list", "--db", db_path, "--json")
    assert code == 0
    listed = {a["name"]: a for a in json.loads(out)}
    assert set(listed) == {"boss", "li", "zhao"}
    assert all(set(a) == {"name", "display", "role", "active", "last_sign_in"} for a in listed.values())
    assert listed["zhao"] == {"name": "zhao", "display": "赵", "role": "viewer", "active": True, "last_sign_in": None}
    assert listed["li"]["role"] == "party_office" and listed["li"]["display"] == "li"
    assert dt.datetime.fromisoformat(listed["li"]["last_sign_in"]).date() == dt.date.today()

    code, out, _ = run("user", "list", "--db", db_path, "--lang", "en")
    assert code == 0
    assert "boss" in out and "Party office" in out and "Leadership (viewer)" in out and "王院长" in out


def test_disable_stops_sign_in_and_enable_restores_it(db_path, run):
    run("user", "add", "--db", db_path, "li", "--role", "viewer", password="li-password")
    code, out, _ = run("user", "disable", "--db", db_path, "li")
    assert code == 0 and out.strip() == t("cli.user.disabled", "zh", name="li")
    assert not signs_in(db_path, "li", "li-password")
    assert {a["name"]: a["active"] for a in accounts_of(db_path)} == {"boss": True, "li": False}

    code, out, _ = run("user", "enable", "--db", db_path, "li")
    assert code == 0 and out.strip() == t("cli.user.enabled", "zh", name="li")
    assert signs_in(db_path, "li", "li-password")
    assert [r["action"] for r in trail(db_path, user=OS_USER)][:2] == ["user_enabled", "user_disabled"]


def test_enable_ends_a_lockout_of_an_active_account(db_path, run):
    run("user", "add", "--db", db_path, "li", "--role", "viewer", password="li-password")
    for _ in range(5):  # the default: 5 failures in 15 minutes lock the name
        assert not signs_in(db_path, "li", "wrong-password")
    assert not signs_in(db_path, "li", "li-password")  # locked
    assert run("user", "enable", "--db", db_path, "li")[0] == 0
    assert signs_in(db_path, "li", "li-password")


def test_role_change_is_audited_with_old_and_new_role(db_path, run):
    run("user", "add", "--db", db_path, "li", "--role", "viewer", password="li-password")
    code, out, _ = run("user", "role", "--db", db_path, "li", "discipline_office", "--lang", "en")
    assert code == 0 and out.strip() == t("cli.user.role", "en", name="li", role="Discipline office")
    (changed,) = trail(db_path, action="user_role")
    assert changed["detail"] == {"name": "li", "old_role": "viewer", "role": "discipline_office"}
    assert_operator(changed)
    assert {a["name"]: a["role"] for a in accounts_of(db_path)} == {"boss": "admin", "li": "discipline_office"}

    code, out, _ = run("user", "role", "--db", db_path, "li", "discipline_office")  # no change, no row
    assert code == 0 and out.strip() == t("cli.user.unchanged", "zh", name="li")
    assert len(trail(db_path, action="user_role")) == 1


def test_the_last_administrator_cannot_be_disabled_or_demoted(db_path, run):
    before = trail(db_path)
    last_admin = AccountError("last_admin", name="boss").message("zh")
    code, out, err = run("user", "disable", "--db", db_path, "boss")
    assert code == 1 and out == "" and err.strip() == last_admin
    assert "唯一的有效管理员" in err and "Traceback" not in err
    code, _, err = run("user", "role", "--db", db_path, "boss", "viewer")
    assert code == 1 and err.strip() == last_admin
    assert trail(db_path) == before
    assert signs_in(db_path, "boss", ADMIN_PASSWORD)


def test_user_add_refuses_a_short_password_and_reports_errors_in_the_chosen_language(db_path, run):
    code, _, err = run("user", "add", "--db", db_path, "li", "--role", "viewer", password="1234567")
    assert code == 1 and err.strip() == t("account.error.password_short", "zh", n=accounts.MIN_PASSWORD)
    code, _, err = run("user", "add", "--db", db_path, "li", "--role", "viewer", "--lang", "en", password="li")
    assert code == 1 and err.strip() == t("account.error.password_short", "en", n=accounts.MIN_PASSWORD)
    code, _, err = run("user", "add", "--db", db_path, "boss", "--role", "viewer", password="long-enough-pw")
    assert code == 1 and err.strip() == t("account.error.exists", "zh", name="boss")
    code, _, err = run("user", "disable", "--db", db_path, "nobody")
    assert code == 1 and err.strip() == t("account.error.unknown", "zh", name="nobody")
    assert [a["name"] for a in accounts_of(db_path)] == ["boss"]
    assert len(trail(db_path)) == 1


def test_user_commands_make_no_database_where_there_is_none(tmp_path, run):
    path = tmp_path / "typo.duckdb"
    code, _, err = run("user", "add", "--db", path, "li", "--role", "viewer", password="li-password")
    assert code == 1 and err.strip() == t("cli.no_database", "zh", path=path)
    assert run("audit", "--db", path)[0] == 1
    assert not path.exists()


def test_every_cli_write_leaves_one_audit_row_as_the_operator(db_path, run):
    steps = [
        (("user", "add", "li", "--role", "viewer"), "li-password", "user_added"),
        (("user", "passwd", "li"), "new-li-password", "password_reset"),
        (("user", "role", "li", "party_office"), None, "user_role"),
        (("user", "disable", "li"), None, "user_disabled"),
        (("user", "enable", "li"), None, "user_enabled"),
        (("user", "enable", "li"), None, "unlocked"),  # already active: only its lockout ends
        (("user", "unlock", "li"), None, "unlocked"),
        (("import", SAMPLES / "branches_utf8bom.csv"), None, "import"),
    ]
    for args, password, action in steps:
        before = len(trail(db_path))
        code, _, err = run(*args, "--db", db_path, password=password)
        assert code == 0, (args, err)
        rows = trail(db_path)
        assert len(rows) == before + 1, args
        assert rows[0]["action"] == action and rows[0]["detail"].get("name", "li") == "li"
        assert_operator(rows[0])
    assert not signs_in(db_path, "li", "li-password")
    assert signs_in(db_path, "li", "new-li-password")


def test_import_and_undo_by_cli_are_audited_with_batch_and_file(db_path, run):
    code, out, err = run("import", "--db", db_path, SAMPLES / "branches_utf8bom.csv", "--json")
    assert code == 0, err
    batch = json.loads(out)["files"][0]["batch_id"]
    (imported,) = trail(db_path, action="import")
    assert imported["detail"]["batch"] == batch and imported["detail"]["file"] == "branches_utf8bom.csv"
    assert_operator(imported)

    assert run("undo", "--db", db_path, batch)[0] == 0
    (undone,) = trail(db_path, action="undo")
    assert undone["detail"]["batch"] == batch
    assert_operator(undone)
    assert run("undo", "--db", db_path, batch)[0] == 1  # already undone: no second row
    assert len(trail(db_path, action="undo")) == 1


def test_audit_filters_by_day_user_and_action_newest_first(db_path, run):
    with Database(db_path) as db, db.writer(bump=False) as cur:
        cur.execute(queries.AUDIT_ADD, [dt.datetime(2024, 1, 5, 9, 30), "li", "10.0.0.7", "sign_in_failed", None])
        cur.execute(queries.AUDIT_ADD, [dt.datetime(2024, 3, 1, 8, 0), "li", "10.0.0.7", "sign_in", None])
    run("user", "unlock", "--db", db_path, "li")

    code, out, _ = run("audit", "--db", db_path, "--json")
    assert code == 0
    everything = json.loads(out)
    assert [r["action"] for r in everything] == ["unlocked", "sign_in", "sign_in_failed", "user_added"]  # last first
    assert all(set(r) == {"at", "user", "client", "action", "detail"} for r in everything)

    def audit_json(*filters: str) -> list[dict]:
        code, out, err = run("audit", "--db", db_path, "--json", *filters)
        assert code == 0, err
        return json.loads(out)

    since = audit_json("--since", "2024-02-01")
    assert {r["action"] for r in since} == {"unlocked", "sign_in", "user_added"}
    assert [r["action"] for r in audit_json("--until", "2024-01-05")] == ["sign_in_failed"]
    assert audit_json("--since", "2024-01-05", "--until", "2024-01-05")[0] == {
        "at": "2024-01-05T09:30:00",
        "user": "li",
        "client": "10.0.0.7",
        "action": "sign_in_failed",
        "detail": {},
    }
    assert [r["action"] for r in audit_json("--user", "LI")] == ["sign_in", "sign_in_failed"]
    assert [r["detail"] for r in audit_json("--action", "unlocked")] == [{"name": "li"}]

    code, out, _ = run("audit", "--db", db_path, "--action", "user_role")
    assert code == 0 and out.strip() == t("cli.audit.none", "zh")
    code, out, _ = run("audit", "--db", db_path, "--lang", "en", "--since", "2024-02-01")
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith("Lockout ended  account: li") and OS_USER in lines[0] and "cli@" in lines[0]
    assert lines[1] == "2024-03-01 08:00:00  li  10.0.0.7  Signed in"


def test_a_password_from_the_terminal_is_asked_twice(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    answers: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))

    answers[:] = ["typed-password", "typed-password"]
    assert read_password() == "typed-password"
    answers[:] = ["typed-password", "typo-password"]
    with pytest.raises(PasswordError) as refused:
        read_password("en")
    assert refused.value.message("en") == t("cli.password.mismatch", "en")
    answers[:] = [""]
    with pytest.raises(PasswordError, match="empty"):
        read_password()


def test_a_password_from_stdin_loses_only_its_line_ending(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("  spaced pass \nsecond line\n"))
    assert read_password() == "  spaced pass "
    monkeypatch.setattr(sys, "stdin", io.StringIO("windows-pass\r\n"))
    assert read_password() == "windows-pass"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(PasswordError, match="empty"):
        read_password()


def test_user_add_as_a_separate_process_reads_the_password_from_stdin(db_path):
    command = ("user", "add", "--db", str(db_path), "carol", "--role", "discipline_office", "--display", "纪委 Carol")
    done = run_process(*command, stdin="carol-password-9\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == t("accounts.add.done", "zh", name="carol", role="纪委办公室")
    assert signs_in(db_path, "carol", "carol-password-9")
    added = trail(db_path, action="user_added", user=OS_USER)[0]
    assert added["detail"] == {"name": "carol", "role": "discipline_office"}
    assert_operator(added)

    refused = run_process("user", "passwd", "--db", str(db_path), "carol")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip() == t("cli.password.empty", "zh")
    as_argument = run_process(
        "user", "add", "--db", str(db_path), "dave", "--role", "viewer", "--password", "dave-pw-1"
    )
    assert as_argument.returncode == 2  # no such option: a password is never an argument


def test_demo_accounts_for_make_run_one_per_role_owner_only_and_shown_again(run, tmp_path):
    """`make run`'s `demo --if-missing --accounts FILE`: a database without accounts gets one per role, each
    password (in FILE, readable by its owner only, and printed) signs in with that role; the next run shows the
    same file and makes nothing; a database with accounts of its own is left alone."""
    path, file = tmp_path / "pbi.duckdb", tmp_path / "data" / "demo_accounts.txt"
    assert run("init", "--db", path)[0] == 0
    # A database that is not the demo (a hospital's own, here an empty one) never gets demo accounts.
    code, out, _ = run("demo", "--db", path, "--if-missing", "--accounts", file)
    assert code == 0 and not file.exists() and "user add" in out
    with Database(path) as db:
        assert accounts.users(db) == []
        with db.writer() as cur:
            cur.execute(queries.SET_META, ["demo_seed", "1"])
    code, out, _ = run("demo", "--db", path, "--if-missing", "--accounts", file)
    assert code == 0 and "demo only" in out and str(file) in out
    assert file.stat().st_mode & 0o777 == 0o600
    rows = [line.split("\t") for line in file.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert sorted(role for _, role, _ in rows) == sorted(r.value for r in accounts.Role)
    with Database(path) as db:
        for name, role, password in rows:
            assert password in out  # shown to the operator
            outcome = accounts.sign_in(db, name, password, "test")
            assert outcome.ok and outcome.account.role == role
        before = len(accounts.users(db))
    code, again, _ = run("demo", "--db", path, "--if-missing", "--accounts", file)
    assert code == 0 and all(password in again for _, _, password in rows)
    with Database(path) as db:
        assert len(accounts.users(db)) == before == 4

    own = tmp_path / "own.duckdb"
    assert run("init", "--db", own, "--admin", "chief", password=ADMIN_PASSWORD)[0] == 0
    code, out, _ = run("demo", "--db", own, "--if-missing", "--accounts", tmp_path / "other.txt")
    assert code == 0 and not (tmp_path / "other.txt").exists()
    with Database(own) as db:
        assert [a.name for a in accounts.users(db)] == ["chief"]


def test_make_run_passes_the_demo_accounts_file():
    makefile = (SAMPLES.parent.parent / "Makefile").read_text(encoding="utf-8")
    assert "--if-missing --accounts data/demo_accounts.txt" in makefile
