"""Benchmark: eight browser sessions moving through the pages while the command line imports 300,000 rows.

    python bench/load_bench.py [--sessions 8] [--rounds 3] [--rows 300000] [--db PATH]

It builds the demo database (seed 1) in a temporary folder (or uses `--db`, copied), serves it with
`streamlit run app.py` on a free loopback port, and drives headless Chromium (`/usr/bin/chromium`, through
Playwright's async API: one browser, a context per session) against localhost only. Two phases, each a
bounded loop that stops by itself:

* **idle**: every session visits the six analysis pages (总览, 党建, 满意度, 纪检, 科室画像, 关联分析)
  `--rounds` times, nothing else running;
* **loaded**: the same, while `python -m analytics import` stores survey exports of `--rows` responses each,
  one after another (each file a different quarter of 2026, so none overlaps another), for as long as the
  sessions browse (at least one import, at most `--max-imports`).

Each page visit is timed from navigation until Streamlit's script run has ended and nothing stale is left
(`data-test-script-state="notRunning"`, no `[data-stale='true']`). An error is a visit that timed out, shows
an exception or an error alert, or says the database is busy. Lost rows: the responses in the database at
the end minus those before, against the rows of every import that said it stored its file. At the end the
sidebar must show the last imported day (the app picked up the new data). Everything is written to a
temporary folder; the server and the browser are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PAGES = [("总览", ""), ("党建", "party"), ("满意度", "satisfaction"), ("纪检", "discipline"),
         ("科室画像", "profile"), ("关联分析", "relations")]  # fmt: skip
VISIT_TIMEOUT_S = 120
HEADERS = ["提交时间", "科室编码", "调查对象", "总体满意度", "就医环境", "医生沟通", "护士沟通", "等候时间"]
DEPARTMENTS = [f"D{i:02d}" for i in range(1, 7)]  # the sample departments, also the demo's first six
POPULATIONS = ["门诊患者", "住院患者", "医务人员"]
BUSY = ("数据库正被长时间写入", "数据库正忙", "正被另一个程序写入")
FAULTS = ("内部错误", "只读", "磁盘空间已满")


def survey_export(rows: int, quarter: int, seed: int) -> tuple[str, dt.date]:
    """`rows` responses dated inside 2026 quarter `quarter` (1–3), as CSV text; and the last day it holds."""
    rng = np.random.default_rng(seed)
    start = dt.date(2026, 3 * quarter - 2, 1)
    end = dt.date(2026, 3 * quarter + 1, 1) if quarter < 4 else dt.date(2027, 1, 1)
    minutes = rng.integers(0, (end - start).days * 24 * 60, rows)
    stamps = pd.Series(np.datetime64(start, "m") + minutes.astype("timedelta64[m]"))
    frame = pd.DataFrame(
        {
            HEADERS[0]: stamps.dt.strftime("%Y/%m/%d %H:%M"),
            HEADERS[1]: np.array(DEPARTMENTS)[rng.integers(0, len(DEPARTMENTS), rows)],
            HEADERS[2]: np.array(POPULATIONS)[rng.choice(len(POPULATIONS), rows, p=[0.6, 0.3, 0.1])],
        }
    )
    for header in HEADERS[3:]:
        frame[header] = rng.choice(5, rows, p=[0.03, 0.05, 0.17, 0.40, 0.35]) + 1
    return frame.to_csv(index=False, lineterminator="\n"), stamps.max().date()


def responses(db_path: Path) -> int:
    from analytics.db import Database

    with Database(db_path) as db:
        return db.reader().execute("SELECT count(*) FROM satisfaction_responses").fetchone()[0]


# --- The app ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(db_path: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PBI_DB": str(db_path), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with opener.open(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise RuntimeError(f"the app did not start:\n{log.read_text()}")


# --- Sessions ----------------------------------------------------------------------------------------------


@dataclass
class Visit:
    phase: str
    page: str
    seconds: float
    error: str | None = None


@dataclass
class Phase:
    name: str
    visits: list[Visit] = field(default_factory=list)
    browsing_done: bool = False


async def visit(page, url: str, phase: Phase, name: str) -> None:
    started = time.perf_counter()
    error = None
    try:
        await page.goto(url, timeout=VISIT_TIMEOUT_S * 1000)
        await page.wait_for_function(
            """() => {
                const app = document.querySelector('[data-testid="stApp"]');
                return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
                    && app.getAttribute('data-test-script-state') === 'notRunning'
                    && document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stHeading"]')
                    && !document.querySelector("[data-stale='true']");
            }""",
            timeout=VISIT_TIMEOUT_S * 1000,
            polling=50,
        )
        seconds = time.perf_counter() - started
        if await page.get_by_test_id("stException").count():
            error = "exception"
        else:
            text = await page.get_by_test_id("stMain").inner_text()
            if any(fault in text for fault in FAULTS):  # the app's fault sentences (risk warnings are not errors)
                error = "fault: " + next(line for line in text.splitlines() if any(f in line for f in FAULTS))[:80]
            elif any(busy in text for busy in BUSY):
                error = "busy"
    except Exception as failure:  # a timeout: the visit failed
        seconds = time.perf_counter() - started
        error = f"{type(failure).__name__}: {str(failure).splitlines()[0][:80]}"
    phase.visits.append(Visit(phase.name, name, seconds, error))


async def session(browser, url: str, phase: Phase, rounds: int, offset: int) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    for r in range(rounds):
        for i in range(len(PAGES)):
            name, path = PAGES[(i + offset + r) % len(PAGES)]  # sessions start on different pages
            await visit(page, f"{url}/{path}", phase, name)
    await context.close()


async def browse(url: str, phase: Phase, sessions: int, rounds: int) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*(session(browser, url, phase, rounds, k) for k in range(sessions)))
        await browser.close()
    phase.browsing_done = True


@dataclass
class Import:
    rows: int
    seconds: float
    exit_code: int
    output: str


async def import_loop(db_path: Path, files: list[Path], rows: int, phase: Phase, done: list[Import]) -> None:
    """Import the files one after another while the sessions browse (always the first)."""
    for path in files:
        if done and phase.browsing_done:
            return
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "analytics", "import", str(path), "--db", str(db_path),
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        output = (out + err).decode(errors="replace")
        done.append(Import(rows, time.perf_counter() - started, process.returncode, output))


async def sidebar_range(url: str) -> str:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        phase = Phase("check")
        await visit(page, url, phase, "总览")
        text = await page.get_by_test_id("stSidebar").inner_text()
        await browser.close()
    return text


# --- Report ------------------------------------------------------------------------------------------------


def summary(visits: list[Visit]) -> tuple[int, float, float, float]:
    times = sorted(v.seconds for v in visits)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return len(times), statistics.median(times), p95, times[-1]


def report(idle: Phase, loaded: Phase, imports: list[Import], lost: int, range_text: str, last_day: dt.date) -> None:
    print(f"\n{dt.date.today()}  load benchmark")
    print(f"{'page':10} {'idle: visits':>12} {'median':>7} {'p95':>6} {'max':>6} | "
          f"{'loaded: visits':>14} {'median':>7} {'p95':>6} {'max':>6}")  # fmt: skip
    for name, _ in [*PAGES, ("all", "")]:
        rows = []
        for phase in (idle, loaded):
            visits = [v for v in phase.visits if name in ("all", v.page)]
            rows.append(summary(visits))
        (n1, m1, p1, x1), (n2, m2, p2, x2) = rows
        print(f"{name:10} {n1:12d} {m1:7.2f} {p1:6.2f} {x1:6.2f} | {n2:14d} {m2:7.2f} {p2:6.2f} {x2:6.2f}")
    for phase in (idle, loaded):
        errors = [v for v in phase.visits if v.error]
        print(f"{phase.name}: {len(phase.visits)} visits, {len(errors)} errors")
        for v in errors[:20]:
            print(f"  {v.page}: {v.error} after {v.seconds:.1f} s")
    for k, item in enumerate(imports, 1):
        tail = "" if item.exit_code == 0 else f"  {item.output.strip()[-300:]}"
        print(f"import {k}: {item.rows:,} rows, exit {item.exit_code}, {item.seconds:.1f} s{tail}")
    print(f"lost rows: {lost}")
    shown = last_day.isoformat() in range_text
    line = next((part for part in range_text.splitlines() if "数据范围" in part), "")
    print(f"sidebar after the imports: {line!r} (last imported day {last_day} shown: {shown})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--max-imports", type=int, default=3)
    parser.add_argument("--db", type=Path, help="a database to copy and serve (default: the demo, seed 1)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pbi-load-bench-") as tmp_name:
        tmp = Path(tmp_name)
        db_path = tmp / "served.duckdb"
        if args.db:
            shutil.copyfile(args.db, db_path)
            key = args.db.with_name(args.db.name + ".key")
            if key.exists():
                shutil.copyfile(key, db_path.with_name(db_path.name + ".key"))
        else:
            subprocess.run([sys.executable, "-m", "analytics", "demo", "--db", str(db_path)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
        files, last_days = [], []
        for quarter in range(1, args.max_imports + 1):
            text, last = survey_export(args.rows, quarter, seed=quarter)
            path = tmp / f"survey_2026Q{quarter}.csv"
            path.write_text(text, encoding="utf-8")
            files.append(path)
            last_days.append(last)
        before = responses(db_path)
        process, url = start_app(db_path, tmp / "streamlit.log")
        try:
            idle = Phase("idle")
            asyncio.run(browse(url, idle, args.sessions, args.rounds))
            loaded, imports = Phase("loaded"), []

            async def loaded_phase() -> None:
                await asyncio.gather(
                    browse(url, loaded, args.sessions, args.rounds),
                    import_loop(db_path, files, args.rows, loaded, imports),
                )

            asyncio.run(loaded_phase())
            range_text = asyncio.run(sidebar_range(url))
        finally:
            process.terminate()
            process.wait(timeout=30)
        stored = sum(item.rows for item in imports if item.exit_code == 0)
        lost = before + stored - responses(db_path)
        last_day = last_days[len(imports) - 1] if imports else dt.date.min
        report(idle, loaded, imports, lost, range_text, last_day)
        log = (tmp / "streamlit.log").read_text(encoding="utf-8", errors="replace")
        print(f"'Traceback' in the server log: {'Traceback' in log}")


if __name__ == "__main__":
    main()
