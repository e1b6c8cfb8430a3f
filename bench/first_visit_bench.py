"""Benchmark: each page's first visit after a server start, and a warm visit, in headless Chromium, against a bare
Streamlit page with one Plotly chart measured in the same run.

    python bench/first_visit_bench.py [--scale 300] [--db PATH] [--repeat 3] [--pages overview,party,...]

* **bare page** (the baseline): `bench/bare_page.py`, a Streamlit script that draws one Plotly line chart of 12
  points and nothing else, served by `streamlit run` like the app.
* **cold**: a fresh `streamlit run app.py` on the database; a browser signs in (the sign-in form's run is the
  server's first, and starts the app's warm-up), then a new browser session (the sign-in cookie, no Streamlit
  session yet) opens the page's address; timed from `goto` until Streamlit's script run is over, nothing stale
  is left on the page and every chart is drawn. For the bare page: a fresh server, the page's first visit.
* **warm**: after the cold visit, the same page again in another new browser session (the app's caches warm, the
  session new, as the second reader of the day sees it).
Ratios against the bare page's cold and warm visits in the same round; the goal is ≤ 1.5× cold and ≤ 1.2× warm.
Each round starts every server afresh, pages and bare page alternating; the figures are medians over `--repeat`
rounds. Needs Debian's /usr/bin/chromium and Playwright (the test dependencies).

`--db PATH` reuses PATH if it exists, else builds it there with `python -m analytics demo --scale S` (and its demo
accounts next to it); without `--db` a temporary one is built and deleted afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PAGES = ("overview", "party", "satisfaction", "discipline", "relations", "profile", "report")
VIEWPORT = {"width": 1440, "height": 1000}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(script: str, db: Path | None) -> Iterator[str]:
    """`streamlit run script` on a free loopback port (against `db`), until healthy; stopped afterwards."""
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    if db is not None:
        env["PBI_DB"] = str(db)
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), opener.open(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{script} did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def settled(page, charts: bool) -> None:
    """Streamlit's run is over, nothing stale is left, and (with `charts`) every chart on the page is drawn."""
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=300_000)
    page.wait_for_function("() => !document.querySelector(\"[data-stale='true']\")", timeout=300_000)
    if charts:
        page.wait_for_function(
            "() => { const c = [...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
            ".filter(e => e.checkVisibility());"
            " return c.length > 0 && c.every(e => e.querySelector('.main-svg')); }",
            timeout=300_000,
        )


def visit(browser, url: str, path: str, state: dict | None, charts: bool) -> float:
    """Seconds from opening `url/path` in a new browser session (with the sign-in cookie `state`) until settled."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", storage_state=state)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{url}/{path}")
    page.wait_for_timeout(200)  # the connection's first run has begun (script state leaves notRunning)
    settled(page, charts)
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def sign_in(browser, url: str, name: str, password: str) -> dict:
    """Sign in through the app's form (the server's first session) and return the browser's cookie state."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/account")
    settled(page, charts=False)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    page.wait_for_timeout(500)
    settled(page, charts=False)
    state = context.storage_state()
    context.close()
    return state


def account(db: Path) -> tuple[str, str]:
    """The demo's leadership account (viewer) from the accounts file next to the database."""
    for line in db.with_name(db.stem + "_accounts.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[1] == "viewer":
            return fields[0], fields[2].strip()
    raise RuntimeError("no viewer in the demo accounts file")


def ensure_db(path: Path, scale: int) -> None:
    if path.exists():
        return
    accounts = path.with_name(path.stem + "_accounts.txt")
    command = [sys.executable, "-m", "analytics", "demo", "--db", str(path), "--accounts", str(accounts)]
    if scale != 1:
        command += ["--scale", str(scale)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--app", default="serve.py", help="the app's script (serve.py, as `make run`; app.py)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        db = (args.db or Path(scratch) / "demo.duckdb").resolve()
        ensure_db(db, args.scale)
        name, password = account(db)
        pages = args.pages.split(",")
        times: dict[str, dict[str, list[float]]] = {p: {"cold": [], "warm": []} for p in ["bare", *pages]}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for round_ in range(args.repeat):
                order = pages if round_ % 2 == 0 else pages[::-1]
                for path in order:
                    with server("bench/bare_page.py", None) as url:
                        times["bare"]["cold"].append(visit(browser, url, "", None, charts=True))
                        times["bare"]["warm"].append(visit(browser, url, "", None, charts=True))
                    with server(args.app, db) as url:
                        state = sign_in(browser, url, name, password)
                        charts = path != "report"
                        times[path]["cold"].append(visit(browser, url, path, state, charts))
                        times[path]["warm"].append(visit(browser, url, path, state, charts))
                    print(
                        f"round {round_ + 1} {path}: cold {times[path]['cold'][-1]:.2f} s, warm "
                        f"{times[path]['warm'][-1]:.2f} s; bare {times['bare']['cold'][-1]:.2f} / "
                        f"{times['bare']['warm'][-1]:.2f} s",
                        flush=True,
                    )
            browser.close()
    bare = {kind: statistics.median(times["bare"][kind]) for kind in ("cold", "warm")}
    print(
        f"\nscale {args.scale}, median of {args.repeat} rounds; bare page: cold {bare['cold']:.2f} s, warm "
        f"{bare['warm']:.2f} s\n"
    )
    print("| page | cold | × bare (goal ≤ 1.5) | warm | × bare (goal ≤ 1.2) |")
    print("|---|---|---|---|---|")
    for path in pages:
        cold, warm = (statistics.median(times[path][kind]) for kind in ("cold", "warm"))
        print(f"| {path} | {cold:.2f} s | {cold / bare['cold']:.2f}× | {warm:.2f} s | {warm / bare['warm']:.2f}× |")


if __name__ == "__main__":
    main()
