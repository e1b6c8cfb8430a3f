"""The database layer: migrations, readers per thread, one transactional writer."""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import pytest

from analytics.db import LATEST_VERSION, MIGRATIONS, Database, migrate, schema_version
from analytics.periods import quarter_label
from analytics.queries import RECORD_TABLES


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_a_fresh_database_gets_the_latest_schema(tmp_path):
    with Database(tmp_path / "new.duckdb") as db:
        assert schema_version(db.reader()) == LATEST_VERSION == len(MIGRATIONS)
        assert set(RECORD_TABLES) | {"schema_version", "meta", "settings"} <= tables(db.reader())
        assert db.meta("data_version") == "0"
        assert len(db.meta("pseudonym_secret")) == 64


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


def test_reopening_a_current_database_changes_nothing(tmp_path):
    path = tmp_path / "same.duckdb"
    with Database(path) as db:
        before = db.reader().execute("SELECT * FROM schema_version ORDER BY version").fetchall()
        secret = db.meta("pseudonym_secret")
    with Database(path) as db:
        assert db.reader().execute("SELECT * FROM schema_version ORDER BY version").fetchall() == before
        assert db.meta("pseudonym_secret") == secret


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
