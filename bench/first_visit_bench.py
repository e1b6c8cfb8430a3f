"""Benchmark: each page's first visit after a server start, and a warm visit, in headless Chromium, against a bare
Streamlit page with one Plotly chart measured in the same run.

    python bench/first_visit_bench.py [--scale 300] [--db PATH] [--repeat 3] [--pages overview,party,...]

* **bare page** (the baseline): `bench/bare_page.py`, a Streamlit script that draws one Plotly line chart of 12
  points and nothing else, served by `streamlit run` like the app.
* **cold**: a fresh `streamlit run serve.py` (what `make run` serves) on the database, once it has started and
  its log says the warm-up is done (`Warmed the pages' caches`: the first reader of the day comes after the
  server has started, not within its first seconds); a browser signs in, then a new browser session (the
  sign-in cookie, no Streamlit session yet) opens the page's address: the page's first visit since the start.
  Timed from `goto` until Streamlit's script run is over, nothing stale is left on the page and every visible
  chart is drawn. For the bare page: a fresh server, the page's first visit.
* **warm**: after the cold visit, the same page again in another new browser session (the app's caches warm, the
  session new, as the second reader of the day sees it).
* **at once** (reported, no goal): another fresh server, signed in and the page opened the moment the server
  answers, while its warm-up is still computing beside the visit: the worst case of a first visit.
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


WARMED = "Warmed the pages' caches"  # the app's log line when its warm-up is done (pages/_ui.py)


@contextlib.contextmanager
def server(script: str, db: Path | None, warmed: bool = False) -> Iterator[str]:
    """`streamlit run script` on a free loopback port (against `db`), until healthy (and, with `warmed`, until
    its log says the warm-up is done); stopped afterwards."""
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    if db is not None:
        env["PBI_DB"] = str(db)
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
            deadline = time.monotonic() + 300
            while warmed:
                log.seek(0)
                if WARMED in log.read():
                    break
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{script} did not warm its caches in 300 s")
                time.sleep(0.2)
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


STATE = """() => ({
  script: document.querySelector('[data-test-script-state]')?.getAttribute('data-test-script-state'),
  stale: [...document.querySelectorAll("[data-stale='true']")].map(e => e.getAttribute('data-testid')),
  charts: [...document.querySelectorAll('[data-testid=stPlotlyChart]')].map(e => [e.checkVisibility(),
    !!e.querySelector('.main-svg')]),
})"""


def visit(browser, url: str, path: str, state: dict | None, charts: bool) -> float:
    """Seconds from opening `url/path` in a new browser session (with the sign-in cookie `state`) until settled."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", storage_state=state)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{url}/{path}")
    page.wait_for_timeout(200)  # the connection's first run has begun (script state leaves notRunning)
    try:
        settled(page, charts)
    except Exception:  # say what never settled, and keep a picture of it
        print("did not settle:", page.evaluate(STATE), file=sys.stderr)
        page.screenshot(path=str(ROOT / "build" / f"unsettled_{path or 'bare'}.png"), full_page=True)
        raise
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
    # The session cookie is set by a component that mounts after the run: without it the visits would open the
    # sign-in form (and wait for charts that never come).
    page.wait_for_function("() => document.cookie.split('; ').some(c => c.startsWith('pbi_session='))")
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
        kinds = ("cold", "warm", "at once")
        times: dict[str, dict[str, list[float]]] = {p: {k: [] for k in kinds} for p in ["bare", *pages]}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for round_ in range(args.repeat):
                order = pages if round_ % 2 == 0 else pages[::-1]
                for path in order:
                    with server("bench/bare_page.py", None) as url:
                        times["bare"]["cold"].append(visit(browser, url, "", None, charts=True))
                        times["bare"]["warm"].append(visit(browser, url, "", None, charts=True))
                    charts = path != "report"
                    with server(args.app, db, warmed=args.app == "serve.py") as url:
                        state = sign_in(browser, url, name, password)
                        times[path]["cold"].append(visit(browser, url, path, state, charts))
                        times[path]["warm"].append(visit(browser, url, path, state, charts))
                    with server(args.app, db) as url:
                        state = sign_in(browser, url, name, password)
                        times[path]["at once"].append(visit(browser, url, path, state, charts))
                    print(
                        f"round {round_ + 1} {path}: cold {times[path]['cold'][-1]:.2f} s, warm "
                        f"{times[path]['warm'][-1]:.2f} s, at once {times[path]['at once'][-1]:.2f} s; bare "
                        f"{times['bare']['cold'][-1]:.2f} / {times['bare']['warm'][-1]:.2f} s",
                        flush=True,
                    )
            browser.close()
    bare = {kind: statistics.median(times["bare"][kind]) for kind in ("cold", "warm")}
    print(
        f"\nscale {args.scale}, median of {args.repeat} rounds; bare page: cold {bare['cold']:.2f} s, warm "
        f"{bare['warm']:.2f} s\n"
    )
    print("| page | cold | × bare (goal ≤ 1.5) | warm | × bare (goal ≤ 1.2) | at once | × bare cold |")
    print("|---|---|---|---|---|---|---|")
    for path in pages:
        cold, warm, at_once = (statistics.median(times[path][kind]) for kind in kinds)
        print(
            f"| {path} | {cold:.2f} s | {cold / bare['cold']:.2f}× | {warm:.2f} s | {warm / bare['warm']:.2f}× "
            f"| {at_once:.2f} s | {at_once / bare['cold']:.2f}× |"
        )


if __name__ == "__main__":
    main()
