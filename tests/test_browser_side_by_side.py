"""The app and the command line on one database at the same time (issue 11): while `streamlit run app.py`
serves the file, `python -m analytics status`, `import` and `metrics` on it succeed, and the page shows the
imported data on its next run. Reads share the file; a write queues at the turnstile, waits for the page
runs under way, goes before the ones that start after it, and a wait that runs out is a message."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analytics import faults
from analytics.db import Database, DatabaseBusy
from analytics.i18n import t
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from tests.browser_support import TIMEOUT_MS, App, run_app, wait_for_app_idle
from tests.conftest import SAMPLES
from tests.page_support import add_test_accounts

ORGANISATION = ("branches_utf8bom.csv", "departments_gbk.csv")


def cli(path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "analytics", *args, "--db", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def served_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding only the registers (and the test accounts): the page says there are no records yet."""
    path = tmp_path_factory.mktemp("side-by-side") / "served.duckdb"
    with Database(path) as db:
        assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION]).ok
        add_test_accounts(db)
    return path


@pytest.fixture(scope="module")
def app(served_db: Path) -> Iterator[App]:
    with run_app(served_db) as running:
        yield running


def test_the_command_line_works_while_the_app_serves_and_the_page_shows_what_it_imported(app, page, served_db):
    from playwright.sync_api import expect

    page.goto(app.url)
    wait_for_app_idle(page)
    expect(page.get_by_text(t("sidebar.no_data", "zh"))).to_be_visible(timeout=TIMEOUT_MS)
    status = cli(served_db, "status")
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    done = cli(served_db, "import", str(SAMPLES / "activities_2024_utf8bom.csv"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert cli(served_db, "metrics", "--json").returncode == 0
    page.reload()
    wait_for_app_idle(page)
    expect(page.get_by_text("数据范围：2024-")).to_be_visible(timeout=TIMEOUT_MS)
    assert "Traceback" not in app.log_text()


def activities(db: Database) -> int:
    with db.session():
        return db.reader().execute("SELECT count(*) FROM activities").fetchone()[0]


def turnstile_held(db: Database) -> bool:
    """Whether a writer (of any process) holds the turnstile now."""
    handle = os.open(db.turnstile.path, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(handle)


@contextmanager
def page_run(db: Database) -> Iterator[threading.Event]:
    """A page run in another thread that holds its session until the event yielded is set."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.session():
            db.reader().execute("SELECT 1").fetchone()
            holding.set()
            release.wait(60)

    worker = threading.Thread(target=hold)
    worker.start()
    assert holding.wait(10)
    try:
        yield release
    finally:
        release.set()
        worker.join()


def test_reads_share_the_file_and_a_write_waits_its_turn_then_goes_before_new_reads(tmp_path):
    path = tmp_path / "x.duckdb"
    with Database(path) as db:
        assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION]).ok
    db = Database(path)
    assert activities(db) == 0
    # Reads never wait on each other: with a page run under way, the command line reads at once.
    with page_run(db) as release:
        status = cli(path, "status", "--json")
        assert status.returncode == 0, status.stderr
        assert not release.is_set()  # it finished while the page run still held the file
        # A write waits its turn: it queues at the turnstile and waits for the page run under way …
        ledger = str(SAMPLES / "activities_2024_utf8bom.csv")
        importing = subprocess.Popen(
            [sys.executable, "-m", "analytics", "import", ledger, "--db", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not (db.turnstile.path.exists() and turnstile_held(db)):
            assert importing.poll() is None and time.monotonic() < deadline, importing.communicate()
            time.sleep(0.05)
        # … and a page run that starts now waits behind the queued write, then sees what it stored.
        seen: list[int] = []
        later = threading.Thread(target=lambda: seen.append(activities(db)))
        later.start()
        time.sleep(0.5)
        assert importing.poll() is None and not seen  # both still waiting while the first page run holds on
    out, err = importing.communicate(timeout=120)
    later.join(60)
    assert importing.returncode == 0 and "Traceback" not in err, out + err
    stored = activities(db)
    assert stored > 0 and seen == [stored]
    db.close()


def test_a_write_that_holds_the_file_too_long_is_a_busy_message_not_a_traceback(tmp_path):
    path = tmp_path / "x.duckdb"
    Database(path).close()
    reading = Database(path, wait=0.5)
    reading.close()
    with reading.turnstile.exclusive(wait=5):  # another program's write, under way for longer than the waits
        with pytest.raises(DatabaseBusy) as busy, reading.session():
            pass
        assert faults.storage_fault(busy.value) == "locked"
        env = {**os.environ, "PBI_DB_WAIT": "0.5"}
        status = subprocess.run(
            [sys.executable, "-m", "analytics", "status", "--db", str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert status.returncode == 1 and "Traceback" not in status.stdout + status.stderr
    assert status.stderr.strip() == t("cli.db_locked", "zh", path=path)
    # Once the write has ended, the same session opens.
    with reading.session():
        assert reading.reader().execute("SELECT count(*) FROM activities").fetchone() == (0,)
    reading.close()
