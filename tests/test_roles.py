"""Roles and what they may do, checked against `analytics.accounts.PERMISSIONS`, `PAGES` and `IMPORT_KINDS`:
every page for every role (the page, or the 无权限 refusal at its address), the import page's kinds and undo
list, discipline record details; the same rules held by the library without any page (import and undo of a
kind the role may not touch); one audit row per write, naming its user; sign-in lockout per name and per
client, with no way to tell a known name from an unknown one; no password in clear anywhere; the idle
timeout and a disabled account's open session.

Pages run through AppTest on copies of the demo database (which holds one test account per role,
`tests/page_support.py`); the rest calls the library directly on fresh databases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import runpy
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from analytics import accounts, audit
from analytics import settings as store
from analytics.accounts import IMPORT_KINDS, PAGES, Role
from analytics.audit import Actor
from analytics.db import Database
from analytics.i18n import t
from analytics.imports import importer
from analytics.imports.model import ImportOptions, SourceFile
from analytics.schema import RecordKind
from analytics.settings import SecuritySettings
from pages import _auth
from pages._auth import SESSION_KEY
from tests.conftest import SAMPLES, copy_database
from tests.page_support import TEST_ACCOUNTS, TEST_PASSWORD, add_test_accounts, open_app_page, signed_in

TIMEOUT = 60
ROLES = list(Role)
# Each page's title (its <h1>), by its url path (accounts.PAGES).
TITLES = {
    "overview": "overview.title",
    "party": "party.title",
    "satisfaction": "sat.title",
    "discipline": "discipline.title",
    "relations": "relations.title",
    "profile": "profile.title",
    "report": "report.page.title",
    "present": "report.cover.title",  # its first step: the material's title
    "import": "import.title",
    "settings": "settings.title",
    "accounts": "accounts.title",
    "audit": "audit.title",
    "account": "account.title",
    "about": "about.title",
}
ADMIN = TEST_ACCOUNTS[Role.ADMIN]


@pytest.fixture(autouse=True)
def every_run_through_app(monkeypatch) -> None:
    """Every AppTest run goes through app.py, as every run of the real server does.

    AppTest sees the pages/ folder and so starts each run in Streamlit's legacy pages-folder mode, which runs
    the main script (app.py) for the first run only and later runs the selected page file directly, without
    app.py's sign-in check, idle timeout and role-built navigation (the app leaves that mode at its first run,
    `pages._ui.ensure_navigation`; AppTest re-enters it at each). Running app.py instead, which selects the
    requested page through its own st.navigation, makes a second run (a click, a switch) what it is in the
    browser.

    And the client address: under AppTest `st.context.ip_address` is a MagicMock, not an address or None."""
    monkeypatch.setattr(script_runner, "_mpa_v1", lambda main: runpy.run_path(main, run_name="__main__"))
    monkeypatch.setattr(_auth, "client_address", lambda: "apptest")


@pytest.fixture(scope="module")
def roles_db(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo database for the page matrix: only the audit trail changes (refusals are recorded)."""
    return copy_database(demo_db_path, tmp_path_factory.mktemp("roles"))


def trail(path: Path, action: str | None = None) -> list[dict]:
    """The audit rows of the (closed) database at `path`, oldest first, optionally of one action."""
    with Database(path) as db:
        frame = audit.rows(db, action=action)
    return audit.as_records(frame)[::-1]


def app_at(db_path: Path, monkeypatch, role: Role | str = Role.ADMIN) -> AppTest:
    monkeypatch.setenv("PBI_DB", str(db_path))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT), role)
    at.query_params["lang"] = "zh"
    return at


def open_address(page: str, db_path: Path, monkeypatch, role: Role) -> AppTest:
    """What the app serves `role` at the address `/<page>`, as a typed URL opens it (one run of app.py): the
    page itself when the role may open it, else the refusal app.py registers at that address (`_stand_in`)."""
    at = app_at(db_path, monkeypatch, role)
    # AppTest.switch_page takes page files only, after a first run; a URL requests the page whose hash is
    # st.Page's hash of its url path, a file or (the refusal) a function alike (the default page, at "/",
    # serves an unknown hash).
    at._page_hash = calc_hash(page)
    at.run()
    assert not at.exception, at.exception
    return at


def page_links(at: AppTest) -> list[str]:
    """The addresses (url paths) the page's st.page_link buttons lead to."""
    return [link.proto.page for link in at.get("page_link")]


def titles(at: AppTest) -> list[str]:
    return [title.value for title in at.title]


def dataframe_keys(at: AppTest) -> list[str | None]:
    return [frame.key for frame in at.dataframe]


def assert_refused(at: AppTest, page: str, role: Role) -> None:
    assert titles(at) == [t("auth.denied.title", "zh")]
    body = t("auth.denied.body", "zh", role=role.label("zh"), page=t(f"nav.{page}", "zh"))
    assert [error.value for error in at.error] == [body]
    # Nothing of the page itself: no data, no controls.
    assert not at.dataframe and not at.get("file_uploader") and not at.form_submit_button and not at.metric


# --- Which pages each role sees --------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_each_role_sees_exactly_the_pages_it_may_open(role: Role, page: str, roles_db: Path, monkeypatch) -> None:
    denied_before = len(trail(roles_db, "denied"))
    at = open_address(page, roles_db, monkeypatch, role)
    if accounts.may_open(role, page):
        assert titles(at)[:1] == [t(TITLES[page], "zh")], titles(at)
        assert t("auth.denied.title", "zh") not in titles(at)
        assert not at.error, [e.value for e in at.error]
        assert bool(at.get("file_uploader")) == (page == "import")
        assert bool(at.form_submit_button) == (page in ("settings", "accounts", "account"))
        links = page_links(at)  # every link leads to a page the role may open
        assert all(accounts.may_open(role, link) for link in links), links
        if page in ("party", "satisfaction"):  # their link to the settings that shape them
            assert ("settings" in links) == accounts.may_open(role, "settings")
        assert len(trail(roles_db, "denied")) == denied_before
    else:
        assert_refused(at, page, role)
        denied = trail(roles_db, "denied")
        assert len(denied) == denied_before + 1  # the refusal is in the audit trail, naming who and what
        assert (denied[-1]["user"], denied[-1]["detail"]) == (TEST_ACCOUNTS[role], {"page": page})


EMPTY_PAGES = ["overview", "party", "satisfaction", "discipline", "relations", "profile"]


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the test accounts and no data."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    add_test_accounts(path)
    return path


@pytest.mark.parametrize("page", EMPTY_PAGES)
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_an_empty_database_links_to_the_import_page_only_for_roles_that_may_import(
    role: Role, page: str, empty_db: Path, monkeypatch
) -> None:
    at = open_address(page, empty_db, monkeypatch, role)
    assert titles(at)[:1] == [t(TITLES[page], "zh")]
    assert not at.error, [e.value for e in at.error]
    assert at.info  # what is missing
    links = page_links(at)
    assert all(accounts.may_open(role, link) for link in links), links
    assert ("import" in links) == accounts.may_open(role, "import"), links


FORBIDDEN = [(role, page) for role in ROLES for page in PAGES if not accounts.may_open(role, page)]


@pytest.mark.parametrize(("role", "page"), FORBIDDEN, ids=[f"{r.value}-{p}" for r, p in FORBIDDEN])
def test_a_forbidden_page_run_on_its_own_refuses_too(role: Role, page: str, roles_db: Path, monkeypatch) -> None:
    """The page's own check (`require`), for a run that bypasses app.py's navigation."""
    monkeypatch.setenv("PBI_DB", str(roles_db))
    at = signed_in(AppTest.from_file(f"../pages/{page}.py", default_timeout=TIMEOUT), role)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    assert_refused(at, page, role)


def test_every_role_and_page_is_in_the_matrix() -> None:
    files = {path.stem for path in (Path(__file__).resolve().parent.parent / "pages").glob("*.py")}
    assert set(TITLES) == set(PAGES) == files - {"__init__", "_auth", "_ui"}
    assert [role for role in ROLES if accounts.may_open(role, "import")] == [
        role for role in ROLES if IMPORT_KINDS[role]
    ]


# --- The import page offers only the role's kinds ------------------------------------------------------------

IMPORTERS = [role for role in ROLES if IMPORT_KINDS[role]]


@pytest.mark.parametrize("role", IMPORTERS, ids=[r.value for r in IMPORTERS])
def test_the_import_page_offers_only_the_kinds_of_the_role(role: Role, roles_db: Path, monkeypatch) -> None:
    with Database(roles_db) as db:
        history = importer.history(db)
    assert set(history["kind"]) == {k.value for k in RecordKind}  # the demo has a batch of every kind
    at = open_app_page("pages/import.py", roles_db, monkeypatch, role=role)
    allowed = [kind.label("zh") for kind in RecordKind if kind in IMPORT_KINDS[role]]
    assert at.selectbox(key="import_option_kind").options == [t("import.options.auto", "zh"), *allowed]
    assert at.selectbox(key="import_template_kind").options == allowed
    offered = [int(re.match(r"批次 (\d+) ", o).group(1)) for o in at.selectbox(key="import_undo_batch").options]
    permitted = history[history["kind"].isin([k.value for k in IMPORT_KINDS[role]]) & history["undone_at"].isna()]
    assert sorted(offered) == sorted(int(b) for b in permitted["batch_id"])
    replaces = at.selectbox(key="import_option_replaces").options[1:]  # a correction replaces one of them too
    assert sorted(int(re.match(r"批次 (\d+) ", o).group(1)) for o in replaces) == sorted(offered)


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_discipline_details_only_for_the_discipline_office_and_admin(role: Role, roles_db: Path, monkeypatch) -> None:
    at = open_app_page("pages/discipline.py", roles_db, monkeypatch, role=role)
    allowed = role in (Role.DISCIPLINE_OFFICE, Role.ADMIN)
    assert allowed == accounts.may(role, accounts.Permission.DISCIPLINE_DETAILS)
    assert "discipline_departments" in dataframe_keys(at)  # the figures without persons: every role
    assert ("discipline_details" in dataframe_keys(at)) == allowed
    assert (t("discipline.details.title", "zh") in [h.value for h in at.subheader]) == allowed


# --- The library holds the rules without the pages ---------------------------------------------------------


def discipline_rows(db: Database) -> int:
    return db.reader().execute("SELECT count(*) FROM discipline_records").fetchone()[0]


def test_undo_of_a_kind_the_role_may_not_undo_is_refused_and_removes_nothing(demo_db_copy: Path) -> None:
    party_office = Actor(TEST_ACCOUNTS[Role.PARTY_OFFICE], "10.0.0.7")
    with Database(demo_db_copy) as db:
        history = importer.history(db)
        batch = int(history.loc[history["kind"] == RecordKind.DISCIPLINE.value, "batch_id"].iloc[0])
        rows, version = discipline_rows(db), db.data_version()
        outcome = importer.undo(db, batch, "zh", actor=party_office, kinds=IMPORT_KINDS[Role.PARTY_OFFICE])
        assert not outcome.ok and outcome.removed == 0
        assert db.data_version() == version  # nothing committed: every page's cache still holds
        assert outcome.message == t("undo.not-permitted", "zh", batch=batch, kind=RecordKind.DISCIPLINE.label("zh"))
        assert discipline_rows(db) == rows > 0
        assert importer.history(db).equals(history)
        assert audit.rows(db, action="undo").empty


def test_import_of_a_kind_the_role_may_not_import_stores_nothing(tmp_path: Path) -> None:
    with Database(tmp_path / "import.duckdb") as db:
        setup = importer.import_files(db, [SourceFile.from_path(SAMPLES / "branches_utf8bom.csv")])
        assert setup.ok
        history, trail_before = importer.history(db), len(audit.rows(db))
        options = ImportOptions(
            user=TEST_ACCOUNTS[Role.PARTY_OFFICE], client="10.0.0.7", kinds=IMPORT_KINDS[Role.PARTY_OFFICE]
        )
        result = importer.import_files(db, [SourceFile.from_path(SAMPLES / "discipline_2024.xlsx")], options)
        assert not result.ok
        (report,) = result.files
        assert [e.code for e in report.errors] == ["not-permitted"]
        assert report.batch_id is None and report.rows == 0
        assert discipline_rows(db) == 0
        assert importer.history(db).equals(history)
        assert len(audit.rows(db)) == trail_before  # nothing was written, so nothing was audited

        # The same file is stored for the discipline office (the refusal was the role's, not the file's).
        options = options.model_copy(
            update={"user": TEST_ACCOUNTS[Role.DISCIPLINE_OFFICE], "kinds": IMPORT_KINDS[Role.DISCIPLINE_OFFICE]}
        )
        departments = SourceFile.from_path(SAMPLES / "departments_gbk.csv")
        assert importer.import_files(db, [departments]).ok
        assert importer.import_files(db, [SourceFile.from_path(SAMPLES / "discipline_2024.xlsx")], options).ok
        assert discipline_rows(db) > 0


# --- One audit row per write, naming its user ------------------------------------------------------------------


def test_an_import_and_its_undo_leave_one_audit_row_each(tmp_path: Path) -> None:
    actor = Actor(TEST_ACCOUNTS[Role.PARTY_OFFICE], "10.0.0.8")
    options = ImportOptions(user=actor.user, client=actor.client, kinds=IMPORT_KINDS[Role.PARTY_OFFICE])
    with Database(tmp_path / "audit.duckdb") as db:
        result = importer.import_files(db, [SourceFile.from_path(SAMPLES / "branches_utf8bom.csv")], options)
        assert result.ok
        (report,) = result.files
        rows = audit.as_records(audit.rows(db))
        assert [(r["action"], r["user"], r["client"]) for r in rows] == [("import", actor.user, actor.client)]
        assert rows[0]["detail"] == {
            "batch": report.batch_id,
            "file": "branches_utf8bom.csv",
            "kind": RecordKind.BRANCHES.value,
            "rows": report.rows,
        }
        assert importer.history(db)["imported_by"].tolist() == [actor.user]

        outcome = importer.undo(db, report.batch_id, "zh", actor=actor, kinds=IMPORT_KINDS[Role.PARTY_OFFICE])
        assert outcome.ok
        rows = audit.as_records(audit.rows(db))
        assert [(r["action"], r["user"]) for r in rows] == [("undo", actor.user), ("import", actor.user)]
        assert rows[0]["detail"] == {"batch": report.batch_id, "kind": "branches", "removed": report.rows}


def metric_form_submit(at: AppTest):
    return next(button for button in at.form_submit_button if button.form_id == "metric_settings")


def has_settings_note(at: AppTest, user: str) -> bool:
    """Whether a caption says the metric settings were changed by `user` ("指标设置于 … 由 … 修改")."""
    text = re.escape(t("settings.note", "zh", when="WHEN", user=user))
    note = re.compile(text.replace("WHEN", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    return any(note.search(re.sub(r"\\(.)", r"\1", caption.value)) for caption in at.caption)  # markdown-unescaped


def test_a_settings_save_and_a_restore_leave_one_audit_row_each(demo_db_copy: Path, monkeypatch) -> None:
    at = open_app_page("pages/settings.py", demo_db_copy, monkeypatch, role=Role.ADMIN)
    weight = at.number_input(key="set_weight_service")
    assert weight.value == 15
    weight.set_value(30.0)
    metric_form_submit(at).click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    changed = trail(demo_db_copy, "settings_changed")
    assert len(changed) == 1
    assert (changed[0]["user"], changed[0]["client"]) == (ADMIN, "apptest")
    assert changed[0]["detail"] == {
        "setting": store.METRICS_KEY,
        "changes": [{"path": ["weights", "service"], "old": 15.0, "new": 30.0}],
    }

    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert has_settings_note(at, ADMIN), [c.value for c in at.caption]

    # Restoring the defaults asks first: the first click changes nothing.
    at.switch_page("pages/settings.py").run()
    at.button(key="settings_reset").click()
    at.run()
    assert not at.exception
    assert trail(demo_db_copy, "settings_reset") == []
    assert at.warning and at.warning[-1].value == t("settings.reset.confirm_text", "zh")
    at.button(key="settings_reset_yes").click()
    at.run()
    assert not at.exception
    reset = trail(demo_db_copy, "settings_reset")
    assert [(r["user"], r["detail"]["setting"]) for r in reset] == [(ADMIN, store.METRICS_KEY)]
    assert reset[0]["detail"]["changes"] == [{"path": ["weights", "service"], "old": 30.0, "new": 15.0}]
    assert len(trail(demo_db_copy, "settings_changed")) == 1
    with Database(demo_db_copy) as db:
        assert store.get(db, store.METRICS_KEY) is None

    at.switch_page("pages/overview.py").run()
    assert not has_settings_note(at, ADMIN)  # the defaults again: no note


def test_account_changes_leave_one_audit_row_each(tmp_path: Path) -> None:
    admin = Actor("head-admin", "10.0.0.9")
    with Database(tmp_path / "accounts.duckdb") as db:
        accounts.add_user(db, "head-admin", Role.ADMIN, "admin-password-1")
        start = len(audit.rows(db))
        accounts.add_user(db, "clerk", Role.VIEWER, "clerk-password-1", actor=admin)
        accounts.set_role(db, "clerk", Role.PARTY_OFFICE, actor=admin)
        accounts.set_role(db, "clerk", Role.PARTY_OFFICE, actor=admin)  # unchanged: no write, no row
        accounts.set_active(db, "clerk", False, actor=admin)
        accounts.set_active(db, "clerk", False, actor=admin)
        accounts.set_active(db, "clerk", True, actor=admin)
        with pytest.raises(accounts.AccountError):  # refused: nothing written, nothing audited
            accounts.set_role(db, "head-admin", Role.VIEWER, actor=admin)
        rows = audit.as_records(audit.rows(db))[::-1][start:]
    assert [(r["action"], r["user"], r["client"]) for r in rows] == [
        ("user_added", admin.user, admin.client),
        ("user_role", admin.user, admin.client),
        ("user_disabled", admin.user, admin.client),
        ("user_enabled", admin.user, admin.client),
    ]
    assert rows[0]["detail"] == {"name": "clerk", "role": "viewer"}
    assert rows[1]["detail"] == {"name": "clerk", "old_role": "viewer", "role": "party_office"}
    assert rows[2]["detail"] == {"name": "clerk"}


def test_account_changes_on_the_accounts_page_are_audited_as_the_admin(demo_db_copy: Path, monkeypatch) -> None:
    viewer = TEST_ACCOUNTS[Role.VIEWER]
    at = open_app_page("pages/accounts.py", demo_db_copy, monkeypatch, role=Role.ADMIN)
    at.selectbox(key="accounts_chosen").set_value(viewer)
    at.run()
    at.selectbox(key="accounts_role").set_value(Role.PARTY_OFFICE)
    at.button(key="accounts_set_role").click()
    at.run()
    assert not at.exception and not at.error
    at.selectbox(key="accounts_chosen").set_value(viewer)
    at.run()
    at.button(key="accounts_disable").click()
    at.run()
    assert not at.exception and not at.error
    rows = [r for r in trail(demo_db_copy) if r["action"] in ("user_role", "user_disabled")]
    assert [(r["action"], r["user"], r["detail"]["name"]) for r in rows] == [
        ("user_role", ADMIN, viewer),
        ("user_disabled", ADMIN, viewer),
    ]
    with Database(demo_db_copy) as db:
        account = accounts.get(db, viewer)
    assert (account.role, account.active) == (Role.PARTY_OFFICE, False)


# --- Sign-in: lockout, no enumeration ------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database(tmp_path / "signin.duckdb") as database:
        accounts.add_user(database, "alice", Role.VIEWER, "alice-password-1")
        yield database


def actions(db: Database, **where) -> list[str]:
    return audit.rows(db, **where)["action"].tolist()[::-1]


def without_time(message: str) -> str:
    return re.sub(r"\d{2}:\d{2}", "HH:MM", message)


def test_five_wrong_passwords_lock_the_name_until_the_window_passes(db: Database, monkeypatch) -> None:
    rules = store.security(db)
    assert (rules.failures, rules.lockout_minutes) == (5, 15)
    codes = [accounts.sign_in(db, "alice", f"wrong-{i}", "10.0.0.1").code for i in range(rules.failures)]
    assert codes == ["failed"] * (rules.failures - 1) + ["locked"]
    locked = accounts.sign_in(db, "alice", "alice-password-1", "10.0.0.1")
    assert (locked.ok, locked.code) == (False, "locked")
    assert locked.message("zh") == t("auth.locked", "zh", until=locked.until.strftime("%H:%M"))
    assert locked.until - dt.datetime.now() <= dt.timedelta(minutes=15)
    # Another name from the same client is not locked by it.
    accounts.add_user(db, "bob", Role.VIEWER, "bob-password-1")
    assert accounts.sign_in(db, "bob", "bob-password-1", "10.0.0.1").ok
    trail_of_alice = actions(db, user="alice")
    assert trail_of_alice.count("sign_in_failed") == 5 and trail_of_alice.count("lockout") == 1
    assert trail_of_alice == ["sign_in_failed"] * 5 + ["lockout", "sign_in_locked"]

    later = dt.datetime.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert accounts.sign_in(db, "alice", "alice-password-1", "10.0.0.1").ok
    # A success starts the count afresh: one failure now does not lock again.
    assert accounts.sign_in(db, "alice", "wrong-again", "10.0.0.1").code == "failed"


def test_a_wrong_name_gets_the_same_answers_as_a_wrong_password(db: Database) -> None:
    accounts.add_user(db, "carol", Role.VIEWER, "carol-password-1")
    accounts.set_active(db, "carol", False)
    answers = {}
    for name in ("alice", "no-such-user", "carol"):  # a known name, an unknown one, a disabled account
        password = "carol-password-1" if name == "carol" else "a-wrong-password"
        outcomes = [accounts.sign_in(db, name, password, f"10.0.1.{len(answers)}") for _ in range(6)]
        answers[name] = [(o.ok, o.code, without_time(o.message("zh")), without_time(o.message("en"))) for o in outcomes]
    assert answers["alice"] == answers["no-such-user"] == answers["carol"]
    assert [code for _, code, _, _ in answers["alice"]] == ["failed"] * 4 + ["locked"] * 2
    assert answers["alice"][0][2] == t("auth.failed", "zh") == "用户名或密码不正确。"
    assert actions(db, user="no-such-user") == ["sign_in_failed"] * 5 + ["lockout", "sign_in_locked"]


def test_failures_from_one_client_across_names_lock_the_client(db: Database) -> None:
    store.save_security(db, SecuritySettings(client_failures=6))
    limit = store.security(db).client_failures
    codes = [accounts.sign_in(db, f"guess-{i}", "a-wrong-password", "10.0.2.1").code for i in range(limit)]
    assert codes == ["failed"] * (limit - 1) + ["locked"]  # no name had more than one failure
    assert actions(db, action="client_lockout") == ["client_lockout"]
    # The client is locked, even for the right password of an account that never failed …
    assert accounts.sign_in(db, "alice", "alice-password-1", "10.0.2.1").code == "locked"
    # … and other clients are not.
    assert accounts.sign_in(db, "alice", "alice-password-1", "10.0.2.2").ok


def test_unlock_ends_a_lockout(db: Database) -> None:
    for i in range(5):
        accounts.sign_in(db, "ALICE", f"wrong-{i}", "10.0.3.1")  # names match case-insensitively
    assert accounts.sign_in(db, "alice", "alice-password-1", "10.0.3.1").code == "locked"
    accounts.unlock(db, "alice", actor=Actor("head-admin", "10.0.3.9"))
    assert accounts.sign_in(db, "alice", "alice-password-1", "10.0.3.1").ok
    unlocked = audit.as_records(audit.rows(db, action="unlocked"))
    assert [(r["user"], r["detail"]) for r in unlocked] == [("head-admin", {"name": "alice"})]


def test_passwords_are_never_stored_or_logged_in_clear(tmp_path: Path, monkeypatch) -> None:
    logs = tmp_path / "logs"
    monkeypatch.setenv("PBI_LOG_DIR", str(logs))
    path = tmp_path / "secrets.duckdb"
    first, wrong, second, third = "Erste-Kennung-4711", "Falsche-Kennung-0815", "Zweite-Kennung-1234", "Dritte-K-5678"
    with Database(path) as db:
        accounts.add_user(db, "dora", Role.VIEWER, first, actor=Actor("head-admin", "10.0.4.1"))
        assert accounts.sign_in(db, "dora", first, "10.0.4.2").ok
        assert not accounts.sign_in(db, "dora", wrong, "10.0.4.2").ok
        with pytest.raises(accounts.AccountError):
            accounts.change_own_password(db, "dora", wrong, second)
        accounts.change_own_password(db, "dora", first, second, actor=Actor("dora", "10.0.4.2"))
        accounts.reset_password(db, "dora", third, actor=Actor("head-admin", "10.0.4.1"))
        assert accounts.sign_in(db, "dora", third, "10.0.4.2").ok
        assert not accounts.sign_in(db, "dora", second, "10.0.4.2").ok
        rows = db.reader().execute("SELECT * FROM audit_log ORDER BY id").fetchall()
        hashes = [h for (h,) in db.reader().execute("SELECT password_hash FROM users").fetchall()]
    assert [row[4] for row in rows] == [
        "user_added",
        "sign_in",
        "sign_in_failed",
        "password_changed",
        "password_reset",
        "sign_in",
        "sign_in_failed",
    ]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    passwords = (first, wrong, second, third)
    for row in rows:
        assert not any(p in str(value) for p in passwords for value in row), row
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("secrets.duckdb*") if p.is_file())
    assert hashes[0].encode() in stored  # the scan sees what the file stores …
    for password in passwords:  # … and no password is among it
        assert password.encode() not in stored and password.encode("utf-16-le") not in stored
    for folder in (logs, tmp_path / "logs"):
        for file in folder.rglob("*") if folder.exists() else ():
            content = file.read_bytes()
            assert not any(p.encode() in content for p in passwords), file


# --- The idle timeout and a disabled account's open session ---------------------------------------------------


def signed_out_by(at: AppTest, notice: str) -> bool:
    """Whether `at` shows the sign-in form with `notice`, and nothing else of the app."""
    return (
        SESSION_KEY not in at.session_state
        and [h.value for h in at.subheader] == [t("auth.title", "zh")]
        and [i.value for i in at.info] == [notice]
        and at.text_input(key="sign_in_name") is not None
        and not at.metric
        and not at.dataframe
    )


def idle(at: AppTest, minutes: float) -> None:
    identity = at.session_state[SESSION_KEY]
    at.session_state[SESSION_KEY] = dataclasses.replace(identity, last_seen=time.monotonic() - minutes * 60)


def test_a_session_idle_past_the_limit_is_signed_out(demo_db_copy: Path, monkeypatch) -> None:
    at = app_at(demo_db_copy, monkeypatch, Role.VIEWER).run()
    assert titles(at) == [t("overview.title", "zh")]
    idle(at, 31)
    at.run()
    assert not at.exception
    assert signed_out_by(at, t("auth.timed_out", "zh", minutes=30))
    timeouts = trail(demo_db_copy, "timeout")
    assert [(r["user"], r["client"]) for r in timeouts] == [(TEST_ACCOUNTS[Role.VIEWER], "apptest")]


def test_a_longer_idle_limit_keeps_the_session(demo_db_copy: Path, monkeypatch) -> None:
    with Database(demo_db_copy) as db:
        store.save_security(db, SecuritySettings(idle_minutes=60), Actor(ADMIN, "apptest"))
    at = app_at(demo_db_copy, monkeypatch, Role.VIEWER).run()
    idle(at, 31)
    at.run()
    assert not at.exception
    assert titles(at) == [t("overview.title", "zh")] and SESSION_KEY in at.session_state
    idle(at, 61)
    at.run()
    assert signed_out_by(at, t("auth.timed_out", "zh", minutes=60))
    assert len(trail(demo_db_copy, "timeout")) == 1


def test_a_disabled_account_is_signed_out_at_its_next_run(demo_db_copy: Path, monkeypatch) -> None:
    office = TEST_ACCOUNTS[Role.PARTY_OFFICE]
    at = open_app_page("pages/import.py", demo_db_copy, monkeypatch, role=Role.PARTY_OFFICE)
    assert at.get("file_uploader")
    with Database(demo_db_copy) as db:
        accounts.set_active(db, office, False, actor=Actor(ADMIN, "10.0.5.1"))
    at.run()
    assert not at.exception
    assert signed_out_by(at, t("auth.account_gone", "zh"))
    assert not at.get("file_uploader")
    # Signing in again is refused like any wrong password.
    at.text_input(key="sign_in_name").input(office)
    at.text_input(key="sign_in_password").input(TEST_PASSWORD)
    at.form_submit_button[0].click()
    at.run()
    assert [e.value for e in at.error] == [t("auth.failed", "zh")]
    assert SESSION_KEY not in at.session_state


def test_a_changed_role_takes_effect_at_the_next_run(demo_db_copy: Path, monkeypatch) -> None:
    office = TEST_ACCOUNTS[Role.DISCIPLINE_OFFICE]
    at = open_app_page("pages/discipline.py", demo_db_copy, monkeypatch, role=Role.DISCIPLINE_OFFICE)
    assert "discipline_details" in dataframe_keys(at)
    with Database(demo_db_copy) as db:
        accounts.set_role(db, office, Role.VIEWER, actor=Actor(ADMIN, "10.0.5.1"))
    at.run()
    assert signed_out_by(at, t("auth.account_gone", "zh"))
    assert "discipline_details" not in dataframe_keys(at)


def test_signing_out_shows_the_sign_in_form_and_is_audited(demo_db_copy: Path, monkeypatch) -> None:
    at = app_at(demo_db_copy, monkeypatch, Role.VIEWER).run()
    assert titles(at) == [t("overview.title", "zh")]
    at.button(key="sign_out").click()
    at.run()
    assert not at.exception
    assert signed_out_by(at, t("auth.signed_out", "zh"))
    assert [r["user"] for r in trail(demo_db_copy, "sign_out")] == [TEST_ACCOUNTS[Role.VIEWER]]
