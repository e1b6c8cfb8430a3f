"""The app and the command line on one database at the same time (issue 11): while `streamlit run app.py`
serves the file, `python -m analytics status`, `import` and `metrics` on it succeed, and the page shows the
imported data on its next run. In-process: a page run (a session) holds the file only while it runs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.db import Database
from analytics.i18n import t
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from tests.browser_support import TIMEOUT_MS, App, run_app, wait_for_app_idle
from tests.conftest import SAMPLES

ORGANISATION = ("branches_utf8bom.csv", "departments_gbk.csv")


def cli(path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "analytics", *args, "--db", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def served_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding only the registers: the page says there are no records yet."""
    path = tmp_path_factory.mktemp("side-by-side") / "served.duckdb"
    with Database(path) as db:
        assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION]).ok
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


def test_a_session_holds_the_file_only_while_it_runs(tmp_path):
    path = tmp_path / "x.duckdb"
    db = Database(path)
    with db.session():
        db.reader().execute("SELECT count(*) FROM branches").fetchone()
    # Let go: another process opens the file at once.
    started = time.monotonic()
    assert cli(path, "status").returncode == 0
    quick = time.monotonic() - started
    # While a session runs, the other process waits its turn (the session ends after 2 s), then succeeds.
    holding = threading.Event()

    def hold() -> None:
        with db.session():
            db.reader().execute("SELECT 1").fetchone()
            holding.set()
            time.sleep(2)

    worker = threading.Thread(target=hold)
    worker.start()
    holding.wait(10)
    started = time.monotonic()
    waited = cli(path, "status")
    took = time.monotonic() - started
    worker.join()
    assert waited.returncode == 0, waited.stderr
    assert took > quick + 0.5  # it did wait for the session
    # And the app's own reads work again after the file was let go and taken back.
    with db.session():
        assert db.reader().execute("SELECT count(*) FROM branches").fetchone() == (0,)
    db.close()
