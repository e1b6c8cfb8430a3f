"""kill -9 of an import during its commit (issue 11): the database opens afterwards and holds the whole import
or none of it, never part; an import in a full temp directory still works or says why, never a traceback.

The import runs in a child process whose transaction's commit first prints `committing` (a wrapper around
`analytics.db._transaction`'s cursor); the test kills the child at once, or a moment after, while DuckDB writes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.db import Database
from tests.conftest import SAMPLES

ORGANISATION = ("branches_utf8bom.csv", "departments_gbk.csv")
ROWS = 300_000

CHILD = """
import sys
import analytics.db as db
from analytics.cli import main

original = db._transaction


class Announcing:
    def __init__(self, cursor):
        self._cursor = cursor

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def commit(self):
        print("committing", flush=True)
        return self._cursor.commit()


def announcing(cursor, *args, **kwargs):
    return (yield from original(Announcing(cursor), *args, **kwargs))


db._transaction = announcing
sys.exit(main(sys.argv[1:]))
"""


def survey(rows: int) -> str:
    rng = np.random.default_rng(7)
    minutes = rng.integers(0, 180 * 24 * 60, rows)
    frame = pd.DataFrame(
        {
            "提交时间": pd.Series(np.datetime64("2025-01-01T00:00") + minutes.astype("timedelta64[m]")).dt.strftime(
                "%Y-%m-%d %H:%M"
            ),
            "科室编码": np.array([f"D0{i}" for i in range(1, 7)])[rng.integers(0, 6, rows)],
            "调查对象": "门诊患者",
            "总体满意度": rng.integers(1, 6, rows),
        }
    )
    return frame.to_csv(index=False, lineterminator="\n")


def count(path: Path) -> int:
    with Database(path) as db:
        return db.reader().execute("SELECT count(*) FROM satisfaction_responses").fetchone()[0]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("commit") / "survey.csv"
    path.write_text(survey(ROWS), encoding="utf-8")
    return path


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_a_kill_during_the_commit_leaves_all_of_the_import_or_none(tmp_path, export, delay):
    path = tmp_path / "x.duckdb"
    with Database(path) as db:
        from analytics.imports.importer import import_files
        from analytics.imports.model import SourceFile

        assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION]).ok
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "import", "--db", str(path), str(export)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "committing", child.stderr.read()
        if delay:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=delay)
        child.kill()
        child.wait()
    finally:
        child.stdout.close()
        child.stderr.close()
    assert count(path) in (0, ROWS)  # the database opens; all of the import or none of it
    assert not list(tmp_path.glob("*.tmp")) or all(not any(p.iterdir()) for p in tmp_path.glob("*.tmp"))


@pytest.fixture
def full_temp(tmp_path: Path):
    """A 1 MB tmpfs, filled up, as the system temp directory (needs root to mount; else skipped)."""
    mount = tmp_path / "temp"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        with (mount / "filler").open("wb") as filler, contextlib.suppress(OSError):
            filler.write(b"\0" * (2 << 20))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_an_import_with_the_temp_directory_full_stores_its_file_or_says_why(tmp_path, export, full_temp):
    path = tmp_path / "x.duckdb"
    env = {**os.environ, "TMPDIR": str(full_temp)}
    files = [str(SAMPLES / n) for n in ORGANISATION] + [str(export)]
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "import", "--db", str(path), *files],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr  # the import needs no system temp space
    assert count(path) == ROWS
