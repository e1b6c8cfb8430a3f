"""`python -m analytics`: init, demo, status — as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb

from analytics.cli import main
from analytics.db import LATEST_VERSION
from tests.conftest import DEMO_SEED


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "analytics", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})})


def test_status_json_reports_what_the_demo_stored(demo_db_copy):
    result = run_cli("status", "--db", str(demo_db_copy), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)

    con = duckdb.connect(str(demo_db_copy), read_only=True)
    count = lambda table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
    assert report == {
        "schema_version": LATEST_VERSION,
        "counts": {
            "branches": count("branches"),
            "departments": count("departments"),
            "activities": count("activities"),
            "satisfaction": count("satisfaction_responses") + count("satisfaction_aggregates"),
            "discipline": count("discipline_records"),
        },
        "batches": 6,
    }
    assert all(n > 0 for n in report["counts"].values())


def test_init_creates_an_empty_database(tmp_path, capsys):
    path = tmp_path / "empty.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    assert main(["status", "--db", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["counts"] == dict.fromkeys(["branches", "departments", "activities", "satisfaction", "discipline"], 0)
    assert report["batches"] == 0


def test_demo_refuses_a_database_with_records_unless_forced(demo_db_copy, capsys):
    before = main(["status", "--db", str(demo_db_copy), "--json"]), capsys.readouterr().out
    assert main(["demo", "--db", str(demo_db_copy), "--seed", "5"]) == 1
    assert "already holds records" in capsys.readouterr().err
    assert main(["status", "--db", str(demo_db_copy), "--json"]) == 0
    assert capsys.readouterr().out == before[1]

    assert main(["demo", "--db", str(demo_db_copy), "--seed", str(DEMO_SEED), "--force"]) == 0


def test_demo_if_missing_leaves_an_existing_file_alone(demo_db_copy, capsys):
    stamp = demo_db_copy.stat().st_mtime_ns
    assert main(["demo", "--db", str(demo_db_copy), "--if-missing"]) == 0
    assert "not regenerated" in capsys.readouterr().out
    assert demo_db_copy.stat().st_mtime_ns == stamp


def test_usage_errors_exit_2():
    assert run_cli("status", "--no-such-flag").returncode == 2
    assert run_cli().returncode == 2


def test_a_database_another_program_holds_or_that_cannot_be_opened_gets_a_message_not_a_traceback(
    demo_db_copy, tmp_path
):
    from analytics.db import Database
    from analytics.i18n import t

    with Database(demo_db_copy) as db, db.writer():  # as a long write (an import) holds it
        for args in (("status",), ("import", str(tmp_path / "x.csv"))):
            (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
            held = run_cli(*args[:1], "--db", str(demo_db_copy), *args[1:], env={"PBI_DB_WAIT": "1"})
            assert held.returncode == 1 and "Traceback" not in held.stderr
            assert held.stderr.strip() == t("cli.db_locked", "zh", path=demo_db_copy)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    nowhere = run_cli("status", "--db", str(blocked / "x.duckdb"))  # its folder cannot be made
    assert nowhere.returncode == 1 and "Traceback" not in nowhere.stderr
    assert nowhere.stderr.startswith(t("cli.db_unopened", "zh", path=blocked / "x.duckdb", detail="")[:8])
