"""A database in a folder its user cannot write (issue 11), without mounting anything: the app or the command
line run as another user than the one who owns the archive (`nobody`), or as root with its capabilities
dropped (without CAP_DAC_OVERRIDE, root obeys a 0555 folder and a 0444 file like anyone else). Read commands
and pages work and show the figures, a write is refused with a sentence, no traceback reaches anyone, and
nothing is written: the file is unchanged, and no `.wal`, `.lock` or key file appears beside it.

tests/test_faults.py covers the same on a file system mounted read-only. Both variants need root (to become
another user, or to drop capabilities); each is skipped, with the reason, where it cannot run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics import faults
from tests.browser_support import PROJECT_ROOT
from tests.conftest import SAMPLES

NOBODY = 65534
AS_NOBODY = {
    "setpriv": ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"],
    "runuser": ["runuser", "-u", "nobody", "--"],
}
WITHOUT_CAPABILITIES = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
# The overview through AppTest, in the user's process, signed in as the test administrator: what it shows, as JSON.
RENDER = f"""
import json
from streamlit.testing.v1 import AppTest
from tests.page_support import signed_in
at = signed_in(AppTest.from_file({str(PROJECT_ROOT / "app.py")!r}, default_timeout=60))
at.run()
print(json.dumps({{
    "exceptions": [str(e.value) for e in at.exception],
    "errors": [e.value for e in at.error],
    "metrics": {{m.label: m.value for m in at.metric}},
}}))
"""


@dataclass
class Unwritable:
    """A copy of the demo database in a folder that `run` (a command as the restricted user) cannot write."""

    db: Path
    logs: Path
    run: Callable[..., subprocess.CompletedProcess]

    def files(self) -> dict[str, tuple[int, int, str]]:
        """Every file of the folder: size, modification time and SHA-256."""
        return {
            p.name: (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in self.db.parent.iterdir()
        }


def runner(prefix: list[str], logs: Path) -> Callable[..., subprocess.CompletedProcess]:
    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        environment = {**os.environ, faults.LOG_ENV_VAR: str(logs), **(env or {})}
        environment.pop("PBI_KEY_FILE", None)
        command = [*prefix, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT, env=environment)

    return run


def can_write(run: Callable[..., subprocess.CompletedProcess], folder: Path) -> bool:
    return run("sh", "-c", f"touch '{folder}/probe' && rm '{folder}/probe'").returncode == 0


@pytest.fixture(params=["nobody", "root without capabilities"])
def unwritable(request, demo_db_copy: Path) -> Iterator[Unwritable]:
    if os.geteuid() != 0:
        pytest.skip("becoming another user or dropping capabilities needs root")
    outer = Path(tempfile.mkdtemp(prefix="pbi-unwritable-", dir="/tmp"))  # not under pytest's 0700 folders
    try:
        folder, logs = outer / "archive", outer / "logs"
        folder.mkdir()
        logs.mkdir(mode=0o777)
        logs.chmod(0o777)  # the fault log of a refused write, whoever runs it
        outer.chmod(0o755)
        shutil.copy(demo_db_copy, folder / "archive.duckdb")  # without its key file: none may be created
        if request.param == "nobody":
            prefix = next((p for name, p in AS_NOBODY.items() if shutil.which(name)), None)
            if prefix is None:
                pytest.skip("neither setpriv nor runuser is installed")
            (folder / "archive.duckdb").chmod(0o644)  # root's, readable by all
            folder.chmod(0o755)
            run = runner(prefix, logs)
            python = run(sys.executable, "-c", "import os, duckdb, streamlit; print(os.geteuid())")
            if python.returncode != 0 or python.stdout.strip() != str(NOBODY):
                pytest.skip(
                    f"cannot run {sys.executable} as nobody (the virtual environment must be readable by all): "
                    f"{python.stderr.strip()[-300:]}; the capabilities-dropped variant covers this"
                )
        else:
            if not shutil.which("setpriv"):
                pytest.skip("setpriv is not installed")
            (folder / "archive.duckdb").chmod(0o444)
            folder.chmod(0o555)
            run = runner(WITHOUT_CAPABILITIES, logs)
        if can_write(run, folder):
            pytest.skip(f"{request.param} can still write {folder} here")
        yield Unwritable(folder / "archive.duckdb", logs, run)
    finally:
        shutil.rmtree(outer, ignore_errors=True)  # as root, whatever the modes


def cli(unwritable: Unwritable, *args: str) -> subprocess.CompletedProcess:
    done = unwritable.run(sys.executable, "-m", "analytics", *args)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def test_read_commands_show_the_figures_and_write_nothing(unwritable: Unwritable, demo_db_copy: Path) -> None:
    def as_owner(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True, timeout=300)

    before = unwritable.files()
    status = cli(unwritable, "status", "--db", str(unwritable.db), "--json")
    assert status.returncode == 0, status.stderr  # README, Command line: 0 done
    assert json.loads(status.stdout) == json.loads(as_owner("status", "--db", str(demo_db_copy), "--json").stdout)
    assert json.loads(status.stdout)["counts"]["activities"] > 0
    text = cli(unwritable, "status", "--db", str(unwritable.db))
    assert text.returncode == 0 and "schema version 6" in text.stdout

    figures = ("metrics", "--level", "hospital", "--grain", "year", "--json")
    metrics = cli(unwritable, *figures, "--db", str(unwritable.db))
    assert metrics.returncode == 0, metrics.stderr
    years = json.loads(metrics.stdout)
    assert years == json.loads(as_owner(*figures, "--db", str(demo_db_copy)).stdout)
    assert [y["period"] for y in years] == ["2023", "2024", "2025"] and all(y["party_index"] for y in years)

    # The meeting material is made from an archive too (into a folder that can be written); no audit row.
    out = Path(tempfile.mkdtemp(prefix="material-"))
    out.chmod(0o777)
    try:
        material = cli(unwritable, "report", "--db", str(unwritable.db), "--period", "2025", "-o", f"{out}/")
        assert material.returncode == 0, material.stdout + material.stderr
        assert sorted(p.name for p in out.iterdir()) == ["会议材料_2025_全院.pdf", "会议材料_2025_全院.pptx"]
    finally:
        shutil.rmtree(out, ignore_errors=True)

    # A write is refused with a sentence (exit 1), and stores nothing.
    done = cli(unwritable, "import", "--db", str(unwritable.db), str(SAMPLES / "activities_2024_utf8bom.csv"))
    assert done.returncode == 1 and "只读" in done.stdout, done.stdout + done.stderr

    assert unwritable.files() == before  # the file unchanged, and no .wal, .lock or key file beside it
    assert sorted(before) == ["archive.duckdb"]


def test_a_page_shows_the_figures_and_writes_nothing(unwritable: Unwritable) -> None:
    before = unwritable.files()
    done = unwritable.run(sys.executable, "-c", RENDER, env={"PBI_DB": str(unwritable.db)})
    assert done.returncode == 0 and "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    page = json.loads(done.stdout.strip().splitlines()[-1])
    assert page["exceptions"] == [] and page["errors"] == [], page
    assert page["metrics"]["党建指数"].endswith(" 分"), page  # the overview's figures, with their unit
    assert float(page["metrics"]["党建指数"].removesuffix(" 分")) > 0, page
    assert unwritable.files() == before
