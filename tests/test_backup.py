"""Backup and restore: a restored backup is the database it was taken of, table by table; files that are not
backups, databases in use and places that cannot be written get a message, never a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import duckdb
import pytest

from analytics import backup, privacy
from analytics.backup import BackupError
from analytics.cli import main
from analytics.db import LATEST_VERSION, Database, migrate, schema_version
from analytics.i18n import t
from analytics.queries import RECORD_TABLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], capture_output=True, text=True, check=False, cwd=PROJECT_ROOT
    )


@contextmanager
def held_by_another_process(path: Path, seconds: float = 120) -> Iterator[subprocess.Popen]:
    """Another process opens the database read-write, as a writer (an import, the app saving a setting) does,
    and keeps it `seconds`."""
    code = (
        "import sys, time\n"
        "from analytics.db import Database\n"
        "db = Database(sys.argv[1])\n"
        "with db.writer():\n"
        "    print('open', flush=True)\n"
        "    time.sleep(float(sys.argv[2]))\n"
        "db.close()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        yield holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def with_every_kind_of_row(path: Path) -> Path:
    """The demo database plus what the demo leaves empty: a setting, replaced rows of every register and
    record table, an undone batch."""
    with Database(path) as db, db.writer() as cur:
        cur.execute("INSERT INTO settings VALUES ('metric_settings', '{\"weights\": [1, 2]}', now(), 'test-admin')")
        for table in RECORD_TABLES[1:]:  # every record table, not the batches
            cur.execute(f"INSERT INTO {table}_replaced BY NAME SELECT *, 2 AS replaced_by FROM {table} LIMIT 3")
        cur.execute("UPDATE import_batches SET undone_at = TIMESTAMP '2025-01-02 03:04:05' WHERE batch_id = 1")
    return path


def assert_same_database(original: Path, copy: Path) -> None:
    """Every table holds the same rows (EXCEPT ALL both ways, and counts), with the same columns, types,
    defaults and constraints; the same views and macros. Except the data version: a restored copy's is
    higher (so no cache of the database it replaced is served), a backup's the same."""
    with closing(duckdb.connect()) as con:
        con.execute(f"ATTACH '{original}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{copy}' AS b (READ_ONLY)")

        def catalog(query: str, name: str) -> list[tuple]:
            return con.execute(query.format(db=name)).fetchall()

        for query in (
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '{db}' ORDER BY ALL",
            "SELECT table_name, column_index, column_name, data_type, column_default, is_nullable "
            "FROM duckdb_columns() WHERE database_name = '{db}' ORDER BY ALL",
            "SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() "
            "WHERE database_name = '{db}' ORDER BY ALL",
            "SELECT view_name, sql FROM duckdb_views() WHERE database_name = '{db}' AND NOT internal ORDER BY ALL",
            "SELECT function_name, macro_definition FROM duckdb_functions() WHERE database_name = '{db}' "
            "AND NOT internal ORDER BY ALL",
        ):
            assert catalog(query, "a") == catalog(query, "b"), query
        tables = [
            name
            for (_, name) in catalog(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '{db}' ORDER BY ALL", "a"
            )
        ]
        version = "SELECT value::BIGINT FROM {db}.main.meta WHERE key = 'data_version'"
        assert catalog(version, "b")[0] >= catalog(version, "a")[0]
        for table in tables:
            # The audit trail's "restore" rows are the command line's own (it says who restored what).
            rows = {"meta": "WHERE key <> 'data_version'", "audit_log": "WHERE action <> 'restore'"}.get(table, "")
            count = "SELECT count(*) FROM {db}.main." + f'"{table}" {rows}'
            assert catalog(count, "a") == catalog(count, "b"), table
            for first, second in (("a", "b"), ("b", "a")):
                missing = con.execute(
                    f'SELECT count(*) FROM (FROM {first}.main."{table}" {rows} '
                    f'EXCEPT ALL FROM {second}.main."{table}" {rows})'
                ).fetchone()[0]
                assert missing == 0, f"{table}: {missing} rows of {first} not in {second}"


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in a folder with a hash of its bytes: what 'untouched' means."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# --- A backup restored is the database it was taken of -----------------------------------------------------


def test_a_restored_backup_holds_every_table_as_it_was(demo_db_copy, tmp_path):
    original = with_every_kind_of_row(demo_db_copy)
    saved = backup.create(original, tmp_path / "backups" / "nightly.duckdb", wait=0)
    restored = backup.restore(saved.backup, tmp_path / "restored" / "party_building.duckdb")

    assert restored.previous is None and restored.backup_version == restored.schema_version == LATEST_VERSION
    assert_same_database(original, saved.backup)
    assert_same_database(original, restored.database)
    # Every kind of table is in the comparison, and holds rows.
    for table in (
        "meta",
        "settings",
        "import_batches",
        "schema_version",
        "branches",
        "branches_replaced",
        "departments_replaced",
        "discipline_records_replaced",
        "users",
        "audit_log",
    ):
        assert saved.tables[table] > 0, table
    # Nothing is left beside the files: no write-ahead log, no partial copy.
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["nightly.duckdb"]
    assert sorted(p.name for p in (tmp_path / "restored").iterdir()) == ["party_building.duckdb"]
    # The backup holds the pseudonym secret: only its owner may read it.
    assert saved.backup.stat().st_mode & 0o777 == 0o600


def test_a_backup_is_itself_a_database_the_app_can_open(demo_db_copy, tmp_path):
    saved = backup.create(demo_db_copy, tmp_path / "b.duckdb", wait=0)
    with Database(saved.backup) as db:
        assert schema_version(db.reader()) == LATEST_VERSION
        assert db.reader().execute("SELECT count(*) FROM branches_now").fetchone()[0] == saved.tables["branches"]


def test_restore_replaces_a_database_and_keeps_the_one_it_replaced(demo_db_copy, tmp_path):
    saved = backup.create(demo_db_copy, tmp_path / "b.duckdb", wait=0)
    target = tmp_path / "live.duckdb"
    Database(target).close()  # an empty database, as `init` leaves it
    target.chmod(0o640)
    before = fingerprint(tmp_path)["live.duckdb"]

    restored = backup.restore(saved.backup, target)
    assert restored.previous == tmp_path / "live.duckdb.before-restore"
    assert hashlib.sha256(restored.previous.read_bytes()).hexdigest() == before
    assert_same_database(demo_db_copy, target)
    assert not (tmp_path / "live.duckdb.wal").exists()
    assert target.stat().st_mode & 0o777 == 0o640  # the replaced database's permissions


def test_an_older_backup_is_brought_to_the_latest_schema_by_restore(tmp_path):
    old = tmp_path / "v4.duckdb"
    with closing(duckdb.connect(str(old))) as con:
        assert migrate(con, target=4) == 4
        con.execute("INSERT INTO branches (branch_code, name, member_count) VALUES ('B1', '内科党支部', 23)")
    saved = backup.create(old, tmp_path / "v4-backup.duckdb", wait=0)
    assert saved.schema_version == 4  # a backup is the database as it stands: not migrated

    restored = backup.restore(saved.backup, tmp_path / "restored.duckdb")
    assert (restored.backup_version, restored.schema_version) == (4, LATEST_VERSION)
    with Database(restored.database) as db:
        assert db.reader().execute("SELECT branch_code, member_count FROM branches_now").fetchall() == [("B1", 23)]


# --- The pseudonym key ---------------------------------------------------------------------------------


def test_a_database_that_keeps_its_key_inside_is_backed_up_and_restored_with_it(tmp_path, capsys):
    """A database made before the key file keeps the key in `meta`: the backup holds it (and says so), the
    restored database holds the same key, and nothing else is written beside it."""
    old = tmp_path / "old" / "party_building.duckdb"
    old.parent.mkdir()
    with closing(duckdb.connect(str(old))) as con:
        migrate(con)
        key = con.execute("SELECT value FROM meta WHERE key = 'pseudonym_secret'").fetchone()[0]

    saved = backup.create(old, tmp_path / "b.duckdb", wait=0)
    assert saved.holds_key
    assert backup.describe(saved, "en").endswith(t("backup.holds_key", "en"))
    restored = backup.restore(saved.backup, tmp_path / "new" / "party_building.duckdb")
    assert restored.holds_key
    assert sorted(p.name for p in restored.database.parent.iterdir()) == ["party_building.duckdb"]
    with closing(duckdb.connect(str(restored.database), read_only=True)) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'pseudonym_secret'").fetchone() == (key,)


def test_a_database_whose_key_is_in_its_key_file_is_backed_up_without_it_and_restore_says_where_it_goes(
    tmp_path,
):
    path = tmp_path / "party_building.duckdb"
    with closing(duckdb.connect(str(path))) as con:
        migrate(con)
        con.execute("DELETE FROM meta WHERE key = 'pseudonym_secret'")  # as a key file keeps it

    saved = backup.create(path, tmp_path / "b.duckdb", wait=0)
    assert not saved.holds_key and saved.key_file == privacy.key_path(path)
    assert t("backup.key_apart", "zh", key_file=saved.key_file) in backup.describe(saved, "zh")

    elsewhere = tmp_path / "new-server" / "party_building.duckdb"
    restored = backup.restore(saved.backup, elsewhere)
    assert not restored.holds_key and not restored.key_file_exists
    assert restored.key_file == privacy.key_path(elsewhere)
    assert backup.describe(restored, "en").endswith(t("backup.key_missing", "en", key_file=restored.key_file))


def test_a_crashed_apps_write_ahead_log_is_in_the_backup(tmp_path):
    """A process that ended without closing leaves its last writes in `<db>.wal`: backup takes them."""
    path = tmp_path / "crashed.duckdb"
    Database(path).close()
    code = (
        "import os, sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute(\"SET checkpoint_threshold = '1GB'\")\n"
        "con.execute(\"INSERT INTO meta VALUES ('last_write', 'kept')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert (tmp_path / "crashed.duckdb.wal").exists()

    restored = backup.restore(backup.create(path, tmp_path / "b.duckdb", wait=0).backup, tmp_path / "r.duckdb")
    with closing(duckdb.connect(str(restored.database), read_only=True)) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'last_write'").fetchone() == ("kept",)


def test_the_process_holding_the_database_can_back_it_up_itself(demo_db_copy, tmp_path):
    """The app's own connection can take the snapshot (the CLI cannot get in while the app holds the file)."""
    with Database(demo_db_copy) as db:
        tables = backup.snapshot(db.reader(), tmp_path / "from-the-app.duckdb")
        assert tables["activities"] == db.reader().execute("SELECT count(*) FROM activities").fetchone()[0]
    assert_same_database(demo_db_copy, tmp_path / "from-the-app.duckdb")


def test_a_folder_as_out_gets_a_dated_backup(demo_db_copy, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    saved = backup.create(demo_db_copy, folder, wait=0)
    assert saved.backup.parent == folder and saved.backup.name.startswith("demo-")
    assert saved.backup.suffix == ".duckdb"
    # A path ending in '/' is a folder, made if missing (as a cron line names it).
    made = backup.create(demo_db_copy, f"{tmp_path}/new/backups/", wait=0)
    assert made.backup.parent == tmp_path / "new" / "backups" and made.backup.name.startswith("demo-")


# --- What restore refuses: the target stays as it was -----------------------------------------------------


def a_file(content: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return make


def newer_backup(path: Path) -> Path:
    with Database(path):
        pass
    with closing(duckdb.connect(str(path))) as con:
        con.execute("INSERT INTO schema_version VALUES (?, 'from the future', now())", [LATEST_VERSION + 1])
    return path


def other_programs_database(path: Path) -> Path:
    with closing(duckdb.connect(str(path))) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER, description VARCHAR)")
        con.execute("INSERT INTO schema_version VALUES (1, 'initial')")
    return path


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (a_file(os.urandom(20_000)), "not_a_database"),
        (a_file("日期,支部\n2024-01-01,内科\n".encode()), "not_a_database"),
        (a_file(b""), "not_a_database"),
        (other_programs_database, "not_ours"),
        (newer_backup, "newer"),
    ],
    ids=["random-bytes", "a-csv", "empty", "another-programs-database", "newer-schema"],
)
def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(demo_db_copy, tmp_path, make, code, capsys):
    (tmp_path / "offered").mkdir()
    offered = make(tmp_path / "offered" / "backup.duckdb")
    before = fingerprint(demo_db_copy.parent)

    with pytest.raises(BackupError) as refused:
        backup.restore(offered, demo_db_copy)
    assert refused.value.code == code
    assert main(["restore", "--db", str(demo_db_copy), str(offered), "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == refused.value.message("en")
    assert fingerprint(demo_db_copy.parent) == before


def test_the_newer_schema_message_says_which_versions(tmp_path):
    offered = newer_backup(tmp_path / "future.duckdb")
    with pytest.raises(BackupError) as refused:
        backup.restore(offered, tmp_path / "target.duckdb")
    assert refused.value.message("zh") == t(
        "backup.newer", "zh", path=offered, version=LATEST_VERSION + 1, latest=LATEST_VERSION
    )
    assert not (tmp_path / "target.duckdb").exists()


def test_restore_will_not_overwrite_a_file_that_is_not_a_database_of_this_product(demo_db_copy, tmp_path):
    saved = backup.create(demo_db_copy, tmp_path / "b.duckdb", wait=0)
    for name, make in (("notes.txt", a_file(b"keep me")), ("other.duckdb", other_programs_database)):
        target = tmp_path / name
        make(target)
        before = fingerprint(tmp_path)
        with pytest.raises(BackupError) as refused:
            backup.restore(saved.backup, target)
        assert refused.value.code == "target_foreign"
        assert fingerprint(tmp_path) == before


def test_restore_refuses_a_database_another_process_has_open(demo_db_copy, tmp_path):
    saved = backup.create(demo_db_copy, tmp_path / "b.duckdb", wait=0)
    with held_by_another_process(demo_db_copy):
        before = fingerprint(demo_db_copy.parent)
        result = run_cli("restore", "--db", str(demo_db_copy), str(saved.backup), "--wait", "1")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip() == t("backup.target_in_use", "zh", path=demo_db_copy, wait="1")
        assert fingerprint(demo_db_copy.parent) == before


def test_backup_and_restore_refuse_the_same_file(demo_db_copy):
    with pytest.raises(BackupError, match="same_file"):
        backup.create(demo_db_copy, demo_db_copy, wait=0)
    with pytest.raises(BackupError, match="same_file"):
        backup.restore(demo_db_copy, demo_db_copy)


def test_backup_refuses_a_database_of_another_program(tmp_path):
    with pytest.raises(BackupError, match="not_ours"):
        backup.create(other_programs_database(tmp_path / "other.duckdb"), tmp_path / "b.duckdb", wait=0)
    assert not (tmp_path / "b.duckdb").exists()


# --- A database another process holds; places that cannot be written --------------------------------------


def test_backup_waits_for_a_process_that_lets_the_database_go(demo_db_copy, tmp_path):
    with held_by_another_process(demo_db_copy, seconds=1.5) as holder:
        started = time.monotonic()
        saved = backup.create(demo_db_copy, tmp_path / "b.duckdb", wait=60)
        assert holder.poll() is not None  # it got in only after the holder let go
    assert time.monotonic() - started >= 0.5
    assert_same_database(demo_db_copy, saved.backup)


def test_backup_of_a_database_held_throughout_says_it_is_busy(demo_db_copy, tmp_path):
    out = tmp_path / "backups" / "b.duckdb"
    with held_by_another_process(demo_db_copy):
        result = run_cli("backup", "--db", str(demo_db_copy), str(out), "--wait", "1")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip() == t("backup.busy", "zh", path=demo_db_copy, wait="1")
        assert "正忙" in result.stderr
    assert not out.exists() and not out.parent.exists()


def test_backup_to_a_place_that_cannot_be_written_gets_a_message(demo_db_copy, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = run_cli("backup", "--db", str(demo_db_copy), str(blocked / "b.duckdb"), "--lang", "en")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Cannot write the backup {blocked / 'b.duckdb'} (")
    assert blocked.read_text(encoding="utf-8") == "not a folder"


def test_a_full_disk_leaves_no_half_backup_and_an_existing_backup_as_it_was(
    demo_db_copy, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "b.duckdb"
    out.write_bytes(b"yesterday's backup")

    def disk_fills(con, path, shown):
        path.write_bytes(b"half a database")
        raise duckdb.IOException(f'Could not write file "{path}": No space left on device')

    monkeypatch.setattr(backup, "_copy", disk_fills)
    assert main(["backup", "--db", str(demo_db_copy), str(out)]) == 1
    message = capsys.readouterr().err
    assert "No space left on device" in message and message.startswith(f"无法写入备份 {out}")
    assert out.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.duckdb", "demo.duckdb", "demo.duckdb.key"]


# --- The command line ------------------------------------------------------------------------------------


def test_cli_round_trip(demo_db_copy, tmp_path):
    out = tmp_path / "nightly.duckdb"
    saved = run_cli("backup", "--db", str(demo_db_copy), str(out), "--json")
    assert saved.returncode == 0, saved.stderr
    report = json.loads(saved.stdout)
    assert report["backup"] == str(out) and report["schema_version"] == LATEST_VERSION
    assert report["tables"]["activities"] > 0 and report["bytes"] == out.stat().st_size

    target = tmp_path / "restored.duckdb"
    restored = run_cli("restore", "--db", str(target), str(out))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(
        t("backup.restored", "zh", backup=out, database=target, from_version=LATEST_VERSION, version=LATEST_VERSION)
    )
    status = [run_cli("status", "--db", str(p), "--json").stdout for p in (demo_db_copy, target)]
    assert status[0] == status[1] and json.loads(status[0])["counts"]["activities"] > 0
    assert_same_database(demo_db_copy, target)
    trail = json.loads(run_cli("audit", "--db", str(target), "--json").stdout)
    assert trail[0]["action"] == "restore" and trail[0]["detail"] == {"file": str(out)}
    assert trail[0]["client"].startswith("cli@")


def test_restore_waits_for_a_page_run_and_its_data_version_is_above_both(demo_db_copy, tmp_path):
    """A restore while the app serves: it waits for the page run under way, then replaces the file; the app's
    next page run reads the restored data under a data version it has never cached."""
    saved = backup.create(demo_db_copy, tmp_path / "b.duckdb", wait=0)
    app = Database(demo_db_copy)
    with app.writer() as cur:  # the served database moves on after the backup (two more writes)
        cur.execute("DELETE FROM activities WHERE activity_id IN (SELECT min(activity_id) FROM activities)")
    with app.writer():
        pass
    with app.session():
        served_version, served_activities = (
            app.data_version(),
            app.reader().execute("SELECT count(*) FROM activities").fetchone()[0],
        )
    released = threading.Event()

    def page_run() -> None:
        with app.session():
            app.reader().execute("SELECT count(*) FROM activities").fetchone()
            time.sleep(1.5)
        released.set()

    worker = threading.Thread(target=page_run)
    worker.start()
    time.sleep(0.3)
    result = run_cli("restore", "--db", str(demo_db_copy), str(saved.backup), "--wait", "60")
    worker.join()
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert released.is_set()  # it got the file only after the page run let go
    with app.session():
        assert app.reader().execute("SELECT count(*) FROM activities").fetchone()[0] == served_activities + 1
        assert app.data_version() > served_version
    app.close()
