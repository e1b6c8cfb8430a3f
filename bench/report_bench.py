"""Benchmark: making the meeting material (会议材料) for a quarter, against computing the same pages' figures.

    python bench/report_bench.py [--scale 300] [--db PATH] [--period 2025Q4] [--repeat 3]

* **material**: `report.build` (every section, the relations family included) then `report.render` to PPTX and
  to PDF: what the page's button and the `report` command do, from a cold start (no cache).
* **pages' figures** (the baseline, measured in the same run): the very analytics the Overview, Party,
  Satisfaction, Discipline and Relations pages call for that quarter and scope (the panel, the Overview, the
  branch and hospital roll-ups, the 三会一课 counts, the overdue ledger, the relations family) and the Plotly
  figures those pages draw from them, serialised to JSON as Streamlit sends them.
Ratio = material ÷ pages' figures; the goal is ≤ 2×, and ≤ 10 s (demo) / ≤ 20 s (`--scale 300`) on the 2-core
machine. Each measurement runs in its own fresh process (nothing cached, numba compiled anew as after a
server start), alternating material and baseline, median of `--repeat` rounds.

`--db PATH` reuses PATH if it exists, else builds it there with `python -m analytics demo --scale S`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pages_figures(path: str, period: str) -> dict[str, float]:
    """The pages' analytics and figures for `period` (hospital scope), timed by step."""
    from analytics import charts, party, relations, risk
    from analytics.db import Database
    from analytics.metrics import Filters, build_panel, rollup
    from analytics.overview import overview

    times = {}
    start = time.perf_counter()
    with Database(path) as db:
        as_of = dt.date.today()
        panel = build_panel(db, "quarter", as_of)
        filters = Filters(grain="quarter", start=period, end=period)
        view = overview(db, "quarter", as_of, filters, panel=panel)
        hospital = rollup(panel, "hospital", Filters(grain="quarter"))
        branches = rollup(panel, "branch", Filters(grain="quarter"))
        meetings = party.meetings(branches, panel, period)
        trend = party.meetings_trend(hospital, panel)
        ledger = risk.overdue_ledger(db, as_of)
        times["analytics"] = time.perf_counter() - start
        family = relations.analyse_all(relations.scoped(panel))
        table = relations.relations_table(family)
        times["relations"] = time.perf_counter() - start - times["analytics"]
        card = view.scorecard
        bars = card.assign(
            name=card["branch_name"], value=card["party_index"], colour="#888888", hover=card["branch_name"]
        )
        figures = [
            charts.party_index_trend(hospital, "zh"),
            charts.satisfaction_lines(hospital, "zh"),
            charts.ranked_bars(bars, "党建指数", lines=(60, 80)),
            charts.relation_heatmap(table[table["lag"] == 0], relations.STEP, "zh"),
        ]
        _ = [figure.to_json() for figure in figures], meetings, trend, ledger
    times["total"] = time.perf_counter() - start
    return times


def material(path: str, period: str) -> dict[str, float]:
    """`report.build` and both renderings, timed by step."""
    from analytics import report
    from analytics.db import Database

    times = {}
    start = time.perf_counter()
    with Database(path) as db:
        built = report.build(db, period, "hospital", "zh")
    times["build"] = time.perf_counter() - start
    for fmt in ("pptx", "pdf"):
        begin = time.perf_counter()
        data = report.render(built, fmt)
        times[fmt] = time.perf_counter() - begin
        times[f"{fmt}_kb"] = len(data) / 1024
    times["total"] = time.perf_counter() - start
    return times


def responses(path: str) -> int:
    from analytics import summary
    from analytics.db import Database

    with Database(path) as db:
        return summary.respondents(db)


def _child(target, path: str, period: str, queue) -> None:
    queue.put(target(path, period))


def fresh(target, path: str, period: str) -> dict[str, float]:
    """`target(path, period)` in a freshly spawned process (cold: nothing imported, cached or compiled)."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, path, period, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--period", default="2025Q4")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "demo.duckdb"
        if not path.exists():
            command = [sys.executable, "-m", "analytics", "demo", "--db", str(path), "--scale", str(args.scale)]
            subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        runs: dict[str, list[dict[str, float]]] = {"material": [], "pages": []}
        for i in range(args.repeat):
            order = [("material", material), ("pages", pages_figures)]
            for name, target in order if i % 2 == 0 else reversed(order):
                runs[name].append(fresh(target, str(path), args.period))
        respondents = responses(str(path))
    median = {name: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for name, rows in runs.items()}
    made, base = median["material"], median["pages"]
    print(f"{respondents:,} satisfaction respondents, {args.period}, median of {args.repeat} cold runs each")
    print("| material (build + PPTX + PDF) | build | PPTX | PDF | pages' figures | of which relations | ratio |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {made['total']:.2f} s | {made['build']:.2f} s | {made['pptx']:.2f} s ({made['pptx_kb']:.0f} KB) | "
        f"{made['pdf']:.2f} s ({made['pdf_kb']:.0f} KB) | {base['total']:.2f} s | {base['relations']:.2f} s | "
        f"{made['total'] / base['total']:.2f}× |"
    )


if __name__ == "__main__":
    main()
