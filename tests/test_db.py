"""The database layer: migrations, readers per thread, one transactional writer."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from analytics import db as db_module
from analytics import privacy
from analytics.db import LATEST_VERSION, MIGRATIONS, Database, DatabaseBusy, migrate, schema_version
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from analytics.periods import quarter_label
from analytics.queries import RECORD_TABLES
from tests.browser_support import PROJECT_ROOT


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_a_fresh_database_gets_the_latest_schema(tmp_path):
    with Database(tmp_path / "new.duckdb") as db:
        assert schema_version(db.reader()) == LATEST_VERSION == len(MIGRATIONS)
        assert set(RECORD_TABLES) | {"schema_version", "meta", "settings"} <= tables(db.reader())
        assert db.meta("data_version") == "0"
        # The pseudonym key lives outside the database, in a key file only its owner can read.
        assert db.meta("pseudonym_secret") is None
        key = tmp_path / "new.duckdb.key"
        assert len(db.pseudonym_secret()) == 64 and key.read_text().strip() == db.pseudonym_secret()
        assert key.stat().st_mode & 0o777 == 0o600


def test_a_version_1_database_is_upgraded_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, target=1) == 1
    con.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('DZB01', '内科第一党支部', 23)")
    assert "meta" not in tables(con)
    con.close()

    with Database(path) as db:
        assert schema_version(db.reader()) == LATEST_VERSION
        assert "meta" in tables(db.reader())
        assert db.reader().execute("SELECT name, member_count FROM branches").fetchall() == [("内科第一党支部", 23)]
        applied = db.reader().execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert [v for (v,) in applied] == [m.version for m in MIGRATIONS]


def test_a_key_kept_in_the_database_moves_to_its_key_file_and_a_missing_one_refuses_persons(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, target=4)
    stored = con.execute("SELECT value FROM meta WHERE key = 'pseudonym_secret'").fetchone()[0]
    con.close()
    with Database(path) as db:
        assert db.meta("pseudonym_secret") is None and db.pseudonym_secret() == stored
    (tmp_path / "old.duckdb.key").unlink()
    with Database(path) as db:
        with pytest.raises(privacy.KeyMissing):
            db.pseudonym_secret()
        header = "日期,科室,类别,摘要,涉及人员\n"
        ledger = SourceFile("ledger.csv", (header + "2025-01-10,D1,第一种形态,谈话提醒,张三\n").encode())
        result = import_files(db, [ledger])
        assert [e.code for e in result.files[0].errors] == ["key-missing"]
        assert "old.duckdb.key" in result.files[0].errors[0].message


def test_a_version_4_database_gets_the_organisation_history_and_keeps_its_records(tmp_path):
    path = tmp_path / "v4.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, target=4) == 4
    con.execute("INSERT INTO branches (branch_code, name, member_count, batch_id) VALUES ('B1', '内科党支部', 23, 1)")
    con.execute(
        "INSERT INTO departments (department_code, name, category, staff_count, branch_code, batch_id) "
        "VALUES ('D1', '心内科', 'clinical', 40, 'B1', 1)"
    )
    con.execute(
        "INSERT INTO branches_replaced (branch_code, name, member_count, batch_id, replaced_by) "
        "VALUES ('B1', '内科一支部', 20, 1, 2)"
    )
    con.execute(
        "INSERT INTO activities (activity_id, activity_date, branch_code, activity_type, attended) "
        "VALUES (1, DATE '2024-03-05', 'B1', 'party_lecture', 9)"
    )
    con.close()

    with Database(path) as db:
        read = db.reader().execute
        # What was stored before stands for all time; activities stored before were held.
        assert read("SELECT branch_code, valid_from, member_count FROM branches_now").fetchall() == [
            ("B1", dt.date(1900, 1, 1), 23)
        ]
        assert read("SELECT valid_from FROM branches_replaced").fetchall() == [(dt.date(1900, 1, 1),)]
        assert read("SELECT department_code, branch_code FROM departments_now").fetchall() == [("D1", "B1")]
        assert read("SELECT status, source_id FROM activities").fetchall() == [("held", None)]
        # Registers are keyed by code and day now: a second version of B1 from another day is allowed.
        with db.writer() as cur:
            cur.execute(
                "INSERT INTO branches (branch_code, name, member_count, valid_from) VALUES ('B1', '内科党支部', 30, ?)",
                [dt.date(2025, 1, 1)],
            )
        assert read("SELECT member_count FROM branches_now").fetchall() == [(30,)]
        with pytest.raises(duckdb.ConstraintException), db.writer() as cur:
            cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('B1', 'x', 1)")


def test_reopening_a_current_database_changes_nothing(tmp_path):
    path = tmp_path / "same.duckdb"
    with Database(path) as db:
        before = db.reader().execute("SELECT * FROM schema_version ORDER BY version").fetchall()
        secret = db.pseudonym_secret()
    with Database(path) as db:
        assert db.reader().execute("SELECT * FROM schema_version ORDER BY version").fetchall() == before
        assert db.pseudonym_secret() == secret


def test_a_failing_write_stores_nothing_and_keeps_the_data_version(tmp_path):
    with Database(tmp_path / "w.duckdb") as db:
        with pytest.raises(duckdb.ConstraintException), db.writer() as cur:
            cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('A', 'a', 1)")
            cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('B', 'b', -1)")
        assert db.reader().execute("SELECT count(*) FROM branches").fetchone() == (0,)
        assert db.data_version() == 0

        with db.writer() as cur:
            cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('A', 'a', 1)")
        assert db.data_version() == 1
        assert db.reader().execute("SELECT count(*) FROM branches").fetchone() == (1,)


def test_each_thread_reads_through_its_own_cursor(tmp_path):
    with Database(tmp_path / "r.duckdb") as db:
        cursors, results = [], []

        def read() -> None:
            cursors.append(db.reader())
            results.append(db.reader().execute("SELECT count(*) FROM departments").fetchone()[0])

        threads = [threading.Thread(target=read) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [0, 0, 0]
        assert len({id(c) for c in cursors}) == 3
        assert db.reader() is db.reader()


def test_period_label_macro_matches_the_python_definition(tmp_path):
    sql = (
        "SELECT period_label(DATE '2024-03-05', ?), period_label(DATE '2024-03-05', ?), "
        "period_label(DATE '2024-12-31', ?)"
    )
    with Database(tmp_path / "p.duckdb") as db:
        row = db.reader().execute(sql, ["quarter", "month", "year"]).fetchone()
    assert row == ("2024Q1", "2024-03", "2024")
    assert quarter_label(dt.date(2024, 3, 5)) == "2024Q1"
    assert quarter_label(dt.date(2024, 10, 1)) == "2024Q4"


def test_in_one_process_sessions_read_together_and_a_write_goes_before_sessions_that_start_after_it(tmp_path):
    path = tmp_path / "s.duckdb"
    Database(path).close()
    db = Database(path)
    events: list[str] = []
    first_in, release_first, second_in = threading.Event(), threading.Event(), threading.Event()

    def count() -> int:
        return db.reader().execute("SELECT count(*) FROM branches").fetchone()[0]

    def first() -> None:
        with db.session():
            count()
            first_in.set()
            assert second_in.wait(10)  # a second session runs beside this one: reads do not wait
            release_first.wait(10)
            events.append("first ends")

    def second() -> None:
        with db.session():
            second_in.set()
            count()

    def write() -> None:
        with db.session(), db.writer() as cur:  # an import from a page: it waits for the other page run
            events.append("write")
            cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('B1', '一支部', 5)")

    def later() -> None:
        with db.session():
            events.append(f"later sees {count()}")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_in.wait(10) and second_in.wait(10)
    writing = threading.Thread(target=write)
    writing.start()
    while not db._writers:  # the write has queued
        time.sleep(0.01)
    reading = threading.Thread(target=later)
    reading.start()
    time.sleep(0.3)
    assert events == []  # the write waits for the first session; the later one waits behind the write
    release_first.set()
    for thread in [*threads, writing, reading]:
        thread.join(10)
    assert events == ["first ends", "write", "later sees 1"]
    db.close()


def test_a_session_waiting_on_a_write_of_its_own_process_gives_up_with_database_busy(tmp_path):
    path = tmp_path / "b.duckdb"
    Database(path).close()
    db = Database(path, wait=0.3)
    inside, release = threading.Event(), threading.Event()

    def write() -> None:
        with db.writer():
            inside.set()
            release.wait(10)

    writing = threading.Thread(target=write)
    writing.start()
    assert inside.wait(10)
    with pytest.raises(DatabaseBusy), db.session():
        pass
    release.set()
    writing.join(10)
    with db.session():
        assert db.reader().execute("SELECT count(*) FROM branches").fetchone() == (0,)
    db.close()


def test_a_scoped_database_holds_the_file_only_inside_sessions_and_writes(tmp_path):
    """The app's database: reads only inside a session; a write outside one lets go after it; between
    sessions another process can write (here: open it read-write)."""
    path = tmp_path / "scoped.duckdb"
    Database(path).close()
    db = Database(path, scoped=True)
    duckdb.connect(str(path)).close()  # nothing held after opening
    with pytest.raises(RuntimeError):
        db.reader()
    with db.session():
        assert db.reader().execute("SELECT count(*) FROM branches").fetchone() == (0,)
    duckdb.connect(str(path)).close()  # nothing held after the session
    with db.writer() as cur:
        cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('B1', '一支部', 5)")
    other = duckdb.connect(str(path))  # nothing held after the write
    assert other.execute("SELECT count(*) FROM branches").fetchone() == (1,)
    other.close()
    db.close()


def test_the_known_version_opens_the_file_only_after_it_changed(tmp_path, monkeypatch):
    """`known_version`: the data version read once, then again only after a commit (of this process or another),
    which a page's cached figures rely on to open no connection while nothing changed."""
    path = tmp_path / "known.duckdb"
    Database(path).close()
    db = Database(path, scoped=True)
    opened = []
    connect = db_module.connect_waiting
    monkeypatch.setattr(db_module, "connect_waiting", lambda *a, **k: opened.append(1) or connect(*a, **k))
    # Just written, the file's stamp is not relied on yet (a coarse clock could hide a second write): read again.
    assert [db.known_version() for _ in range(3)] == [0] * 3 and len(opened) == 3
    monkeypatch.setattr(db_module, "RACY_SECONDS", 0.0)  # from here on, as if the writes were seconds ago
    opened.clear()
    assert db.known_version() == 0 and len(opened) == 1
    assert [db.known_version() for _ in range(5)] == [0] * 5 and len(opened) == 1  # unchanged: not opened
    with db.writer() as cur:  # this process's write
        cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('B1', '一支部', 5)")
    assert db.known_version() == 1
    assert db.known_version() == 1
    after_own = len(opened)
    # Another process's write, as an import from the command line would make it.
    script = (
        "import sys; from analytics.db import Database\n"
        "with Database(sys.argv[1]).writer() as cur:\n"
        "    cur.execute(\"INSERT INTO branches (branch_code, name, member_count) VALUES ('B2', '二支部', 3)\")\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, cwd=PROJECT_ROOT)
    assert db.known_version() == 2 and len(opened) == after_own + 1
    with db.writer(bump=False) as cur:  # written, the figures unchanged (a sign-in's audit row)
        cur.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('B3', '三支部', 4)")
    assert db.known_version() == 2
    db.close()
