"""Faults of the machine (issue 11): a full disk, a truncated workbook, a database that opening must not
write to. Each gets a sentence in the user's language, the details go to a log, nothing is stored, and no
traceback reaches the page or the command line."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import cli, faults, settings
from analytics.db import Database
from analytics.imports import reader
from analytics.imports.importer import import_files
from analytics.imports.limits import ImportLimits
from analytics.imports.model import SourceFile
from analytics.privacy import pseudonymise
from tests.conftest import SAMPLES
from tests.page_support import add_test_accounts, signed_in

ORGANISATION = ("branches_utf8bom.csv", "departments_gbk.csv")


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "analytics", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def counts(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM satisfaction_responses), (SELECT count(*) FROM import_batches)"
        ).fetchone()
    finally:
        con.close()


def answers(rows: int) -> bytes:
    lines = ["提交时间,科室编码,调查对象,总体满意度"]
    lines += [f"2024-0{1 + i % 9}-1{i % 9} 10:{i % 60:02d},D0{1 + i % 6},门诊患者,{1 + i % 5}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB file system (tmpfs, when this machine lets the tests mount one)."""
    mount = Path(f"/tmp/pbi-small-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip("cannot mount a small file system here (not root?); the simulated full disk below still runs")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)
    shutil.rmtree(mount, ignore_errors=True)


def test_a_full_disk_is_said_in_chinese_nothing_is_stored_and_the_details_are_logged(small_disk, tmp_path):
    path = small_disk / "x.duckdb"
    logs = tmp_path / "logs"
    assert run_cli("import", "--db", str(path), *(str(SAMPLES / n) for n in ORGANISATION)).returncode == 0
    before = counts(path)
    big = tmp_path / "answers.csv"
    big.write_bytes(answers(200_000))
    done = run_cli("import", "--db", str(path), str(big), env={faults.LOG_ENV_VAR: str(logs)})
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "磁盘空间已满" in done.stdout and str(logs / faults.LOG_NAME) in done.stdout
    assert "No space left on device" in (logs / faults.LOG_NAME).read_text(encoding="utf-8")
    assert counts(path) == before
    assert run_cli("status", "--db", str(path)).returncode == 0  # the database still opens and reads


def test_a_storage_error_at_commit_is_not_blamed_on_the_file(tmp_path, monkeypatch):
    """The simulated full disk: DuckDB's error at commit, raised from the writer."""
    db = Database(tmp_path / "x.duckdb")
    assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION]).ok
    monkeypatch.setenv(faults.LOG_ENV_VAR, str(tmp_path / "logs"))

    def full(*_args, **_kwargs):
        raise duckdb.IOException('Could not write file "x.duckdb.wal": No space left on device')

    monkeypatch.setattr("analytics.imports.importer._insert", full)
    result = import_files(db, [SourceFile.from_path(SAMPLES / "activities_2024_utf8bom.csv")])
    (error,) = result.files[0].errors
    assert not result.ok and error.code == "storage" and error.message.startswith("磁盘空间已满")
    assert "列数多于表头" not in error.message
    assert db.reader().execute("SELECT count(*) FROM activities").fetchone() == (0,)
    db.close()


def test_storage_faults_are_told_apart():
    assert faults.storage_fault(OSError(28, "No space left on device")) == "disk-full"
    assert faults.storage_fault(duckdb.IOException('Could not set lock on file "x.duckdb"')) == "locked"
    assert faults.storage_fault(PermissionError(13, "Permission denied")) == "read-only"
    try:
        try:
            raise duckdb.IOException("Failed to commit: No space left on device")
        except duckdb.IOException:
            raise duckdb.TransactionException("cannot rollback - no transaction is active") from None
    except duckdb.TransactionException as chained:
        assert faults.storage_fault(chained) is None  # `from None`: no cause to look at
    assert faults.storage_fault(ValueError("x")) is None


def test_opening_a_current_database_writes_nothing(tmp_path):
    path = tmp_path / "x.duckdb"
    Database(path).close()
    before = (path.stat().st_size, path.stat().st_mtime_ns)
    with Database(path) as db:
        db.reader().execute("SELECT count(*) FROM branches").fetchone()
    assert (path.stat().st_size, path.stat().st_mtime_ns) == before
    assert not Path(f"{path}.wal").exists()


def truncated_workbook() -> bytes:
    """An activities workbook whose sheet XML ends half way (a copy cut short)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["活动日期", "支部名称", "活动类型", "活动主题", "参加人数"])
    for i in range(300):
        sheet.append(["2024-03-05", "内科第一党支部", "主题党日", f"学习{i}", 20])
    whole = io.BytesIO()
    book.save(whole)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def test_a_truncated_workbook_is_a_message_on_the_command_line(tmp_path):
    broken = tmp_path / "活动.xlsx"
    broken.write_bytes(truncated_workbook())
    done = run_cli("import", "--db", str(tmp_path / "x.duckdb"), str(broken))
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "不是可读取的 Excel" in done.stdout


def test_a_truncated_workbook_beside_good_files_on_the_page(tmp_path, monkeypatch):
    add_test_accounts(tmp_path / "page.duckdb")
    monkeypatch.setenv("PBI_DB", str(tmp_path / "page.duckdb"))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=60))
    at.run()
    at.switch_page("pages/import.py").run()
    for name in ORGANISATION:
        at.file_uploader[0].upload(name, (SAMPLES / name).read_bytes(), "text/csv")
    at.file_uploader[0].upload("活动.xlsx", truncated_workbook(), "application/octet-stream")
    at.run()
    assert not at.exception, at.exception
    assert any("不是可读取的 Excel" in e.value for e in at.error)
    assert any("branches" in m.value and "utf8bom" in m.value for m in at.markdown)  # the others still previewed


# --- Bomb files: refused before they are parsed -----------------------------------------------------------


def rezipped(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is `sheet_xml`."""
    book = openpyxl.Workbook()
    book.active.append(["活动日期", "支部名称", "活动类型", "活动主题", "参加人数"])
    whole = io.BytesIO()
    book.save(whole)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole.getvalue())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item.filename)
            zout.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHEET = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def test_a_workbook_of_whitespace_is_refused_unread():
    bomb = rezipped(SHEET + b" " * (64 << 20) + b"</sheetData></worksheet>")
    assert len(bomb) < 1 << 20  # 64 MiB of whitespace packs to well under a megabyte
    with pytest.raises(reader.NotATable) as refused:
        reader.read_all(bomb, "bomb.xlsx")
    assert (refused.value.reason, refused.value.limit) == ("too-tight", "max_packing_ratio")
    assert refused.value.found > 1000 and refused.value.context == "xl/worksheets/sheet1.xml"


def test_a_small_workbook_of_a_million_rows_is_refused_unread():
    limit = ImportLimits().max_sheet_rows
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, limit + 2))
    bomb = rezipped(SHEET + rows + b"</sheetData></worksheet>")
    with pytest.raises(reader.NotATable) as refused:
        reader.read_all(bomb, "rows.xlsx")
    assert (refused.value.reason, refused.value.found, refused.value.allowed) == ("too-many-rows", limit + 1, limit)


def test_ten_thousand_columns_over_the_databases_limit_are_refused_with_a_message(tmp_path):
    wide = ",".join(["活动日期", "支部名称", *(f"列{i}" for i in range(10_000))]) + "\n2024-03-05,内科第一党支部\n"
    path = tmp_path / "wide.csv"
    path.write_text(wide, encoding="utf-8")
    with Database(tmp_path / "x.duckdb") as db:
        settings.save_import_limits(db, ImportLimits(max_columns=500))
    done = run_cli("import", "--db", str(tmp_path / "x.duckdb"), str(path))
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "有 10,002 列，超过导入限制“最多列数”（500）" in done.stdout
    assert "此限制可在“设置 → 导入限制”中调整。" in done.stdout


# --- Names never reach disk in clear ----------------------------------------------------------------------


def test_names_in_a_records_summary_are_masked_and_stored_nowhere_in_clear(tmp_path):
    path = tmp_path / "x.duckdb"
    with Database(path) as db:
        assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION]).ok
        ledger = (
            "日期,科室编码,类别,摘要,涉及人员,状态,整改期限\n"
            "2025-01-10,D01,第一种形态,欧阳明收受患者礼品，王 伟知情未报,欧阳明、王 伟,整改中,2025-04-05\n"
        )
        assert import_files(db, [SourceFile("ledger.csv", ledger.encode())]).ok
        secret = db.pseudonym_secret()
        summary = db.reader().execute("SELECT summary FROM discipline_records").fetchone()[0]
    assert summary == f"{pseudonymise('欧阳明', secret)}收受患者礼品，{pseudonymise('王伟', secret)}知情未报"
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for name in ("欧阳明", "王 伟", "王伟"):
        assert name.encode() not in stored and name.encode("gbk") not in stored


def test_a_killed_import_leaves_the_database_as_it_was_and_no_names_behind(tmp_path):
    """kill -9 of a CLI import while it works: nothing half stored, the database opens, and no copy of the
    file (with the persons' names in clear) is left in the temp directory or beside the database."""
    path = tmp_path / "x.duckdb"
    assert run_cli("import", "--db", str(path), *(str(SAMPLES / n) for n in ORGANISATION)).returncode == 0
    before = counts(path)
    name = "司马相如"
    lines = ["日期,科室编码,类别,摘要,涉及人员"] + [
        f"2024-0{1 + i % 9}-1{i % 9},D0{1 + i % 6},第一种形态,事项{i},{name}{i % 50}" for i in range(200_000)
    ]
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    for delay in (0.5, 1.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "analytics", "import", "--db", str(path), str(ledger)], env=env
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.returncode == 0:  # finished before the kill: nothing to prove with this delay
            continue
        assert counts(path) == before
    left = [p for folder in (temp, tmp_path) for p in folder.rglob("*") if p.is_file() and p != ledger]
    for file in left:
        assert name.encode() not in file.read_bytes(), file
    assert run_cli("status", "--db", str(path)).returncode == 0


def test_an_internal_fault_in_a_command_is_a_sentence_and_a_log_entry(tmp_path, monkeypatch, capsys):
    def broken(*_args, **_kwargs):
        raise RuntimeError("something inside went wrong")

    monkeypatch.setattr(cli.metrics, "build_panel", broken)
    monkeypatch.setenv(faults.LOG_ENV_VAR, str(tmp_path / "logs"))
    assert cli.main(["metrics", "--db", str(tmp_path / "x.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "内部错误（RuntimeError）" in err and "Traceback" not in err
    assert "something inside went wrong" in (tmp_path / "logs" / faults.LOG_NAME).read_text(encoding="utf-8")


def test_an_internal_fault_on_a_page_is_a_sentence_not_a_traceback(demo_db_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("PBI_DB", str(demo_db_copy))
    monkeypatch.setenv(faults.LOG_ENV_VAR, str(tmp_path / "logs"))

    def broken(*_args, **_kwargs):
        raise RuntimeError("the panel broke")

    monkeypatch.setattr("analytics.metrics.build_panel", broken)
    at = signed_in(AppTest.from_file("../app.py", default_timeout=60))
    at.run()
    assert not at.exception, at.exception
    assert any("本页出现内部错误（RuntimeError）" in e.value for e in at.error)
    assert "the panel broke" in (tmp_path / "logs" / faults.LOG_NAME).read_text(encoding="utf-8")


@pytest.fixture
def archived(demo_db_copy):
    """The demo database (and its key) on a file system mounted read-only, as an archive would be."""
    mount = Path(f"/tmp/pbi-archive-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True).returncode:
        mount.rmdir()
        pytest.skip("cannot mount a file system here (not root?)")
    try:
        shutil.copy(demo_db_copy, mount / "archive.duckdb")
        shutil.copy(f"{demo_db_copy}.key", mount / "archive.duckdb.key")
        assert subprocess.run(["mount", "-o", "remount,ro", str(mount)], capture_output=True).returncode == 0
        yield mount / "archive.duckdb"
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
        shutil.rmtree(mount, ignore_errors=True)


def test_an_archived_read_only_database_is_viewed_and_writes_are_refused_with_a_message(archived, monkeypatch):
    status = run_cli("status", "--db", str(archived))
    assert status.returncode == 0 and "schema version 6" in status.stdout, status.stderr
    done = run_cli("import", "--db", str(archived), str(SAMPLES / "activities_2024_utf8bom.csv"))
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "只读" in done.stdout
    monkeypatch.setenv("PBI_DB", str(archived))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=60))
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.metric, "the overview shows its figures"
    # A download of discipline data, audited where it can be: on the archive it downloads, unrecorded.
    at.switch_page("pages/discipline.py").run()
    at.download_button(key="discipline_ledger_csv").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
