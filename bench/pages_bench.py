"""Benchmark: the leadership pages' analytics calls on the demo hospital, against bare DuckDB and pandas.

    python bench/pages_bench.py [--scale 300] [--db PATH] [--repeat 3] [--pairs 5] [--as-of YYYY-MM-DD]

Ratios measured in the same run, not seconds, are what to compare between machines. Each measurement runs
in its own freshly spawned process, which reports its times and its own peak RSS (`VmHWM`, see
`bench/import_bench.py`), taken right after the first call. "cold" is that first call (what a page pays when
its cache is cold after a server start: `pages._ui.load` caches per data version). "warm" is `--pairs` more
runs of the call, each paired with a run of its bare SQL on the same DuckDB cursor, interleaved in that
process with the order alternating, so both halves of a pair see DuckDB's buffers and the machine alike (the
bare SQL's own cold time and RSS come from a process of its own). Processes are interleaved round by round;
each time is the median over `--repeat` rounds (and their pairs), each peak RSS the highest.

* **product**: `metrics.build_panel(db, grain, as_of)` per grain; given the quarter panel, `metrics.rollup`
  to the hospital, branches and departments, `risk.warnings` and `risk.scorecard` (the ledger fetched
  beforehand); `risk.overdue_ledger`; and each page's calls in sequence, panel included (`PAGES`).
* **(a) bare SQL**: the very queries those calls issue, recorded from the product at the start of the run by
  a cursor that logs its `execute` calls, run on a plain read-only DuckDB connection, each result fetched
  with `.df()` and nothing done with it. Ratio = product ÷ bare SQL; the goal is ≤ 1.2×.
* **(b) pandas**: the raw tables loaded into pandas (`SELECT <columns> FROM <table>` → `.df()`, timed as
  *load*), then the department × quarter figures of the panel computed with pandas groupby (timed as
  *compute*): responses per department × population × quarter (n, sum, sum of squares, item means) pooled
  with the department aggregates, the pooled SD of responses, activities per branch × quarter × type
  (held, attended, expected, person-hours) and per 六提升 dimension, discipline records and rectification
  states per department × quarter × category. After timing, the figures are checked against the bare
  SQL's. Ratio = pandas ÷ the product's quarter panel, for compute alone and for load + compute; the goal
  is ≥ 10×.

The demo database: `--db PATH` reuses PATH if it exists, else builds it there with
`python -m analytics demo --db PATH --scale S` and keeps it; without `--db` it is built in a temporary
directory and deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRAINS = ("month", "quarter", "year")
PAGE_GRAIN = "quarter"  # the pages' default grain
# Each page's analytics calls, in the order a page makes them (the panel first, at PAGE_GRAIN).
PAGES = {
    "Overview": ("ledger", "rollup hospital", "warnings", "scorecard"),
    "Satisfaction": ("rollup department", "rollup hospital"),
    "Party": ("rollup branch", "rollup hospital", "scorecard"),
    "Discipline": ("ledger", "rollup department", "rollup hospital"),
    "Profile": ("ledger", "rollup department", "warnings"),
}
CALLS = ("rollup hospital", "rollup branch", "rollup department", "warnings", "scorecard")
ITEMS = (
    "item_environment",
    "item_doctor_communication",
    "item_nurse_communication",
    "item_waiting_time",
    "item_privacy",
    "item_cost",
    "item_pay_benefits",
    "item_development",
    "item_work_environment",
    "item_superior_relations",
    "item_peer_relations",
)


def _peak_rss_mib() -> float:
    """This process's own peak RSS (`VmHWM`, which starts afresh at exec; see bench/import_bench.py)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- Recording the SQL the product issues ------------------------------------------------------------------


class _Recorder:
    """A cursor that logs every `execute(sql, params)` and passes it on."""

    def __init__(self, cursor) -> None:
        self._cursor = cursor
        self.calls: list[tuple[str, list | None]] = []

    def execute(self, sql, params=None):
        self.calls.append((sql, None if params is None else list(params)))
        return self._cursor.execute(sql) if params is None else self._cursor.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def record_queries(db_path: str, as_of: dt.date) -> dict[str, list[tuple[str, list | None]]]:
    """The queries each product call issues (run once here, on the benchmark's database)."""
    from analytics import metrics, risk
    from analytics.db import Database

    out: dict[str, list] = {}
    with Database(db_path) as db:
        recorder = _Recorder(db.reader())
        db.reader = lambda: recorder  # every reader() of this thread is the recording cursor
        for grain in GRAINS:
            recorder.calls = []
            metrics.build_panel(db, grain, as_of)
            out[f"panel {grain}"] = recorder.calls
        recorder.calls = []
        ledger = risk.overdue_ledger(db, as_of)
        out["ledger"] = recorder.calls
        recorder.calls = []
        panel = metrics.build_panel(db, PAGE_GRAIN, as_of)
        for call in CALLS:
            recorder.calls = []
            _product_call(call, db, panel, ledger, as_of)
            out[call] = recorder.calls  # none expected: they work on the panel
    return out


# --- What each child process runs ----------------------------------------------------------------------


def _product_call(call: str, db, panel, ledger, as_of: dt.date):
    from analytics import metrics, risk

    if call.startswith("rollup "):
        return metrics.rollup(panel, call.removeprefix("rollup "))
    if call == "warnings":
        return risk.warnings(panel, ledger)
    if call == "scorecard":
        return risk.scorecard(panel)
    if call == "ledger":
        return risk.overdue_ledger(db, as_of)
    raise ValueError(call)


def _idle(_: object) -> dict:
    import duckdb  # noqa: F401

    from analytics import metrics, risk  # noqa: F401

    return {"rss": _peak_rss_mib()}


def _run_queries(con, recorded: list) -> None:
    """(a) the recorded queries, each result fetched as a DataFrame and left alone."""
    for sql, params in recorded:
        (con.execute(sql) if params is None else con.execute(sql, params)).df()


def _bare_sql(args: tuple[str, list]) -> dict:
    """The recorded queries alone, on a plain read-only connection: first run and again."""
    import duckdb
    import pandas  # noqa: F401  (imported by the first `.df()` otherwise, and timed)

    db_path, recorded = args
    con = duckdb.connect(db_path, read_only=True)
    cold = _timed(lambda: _run_queries(con, recorded))
    warm = _timed(lambda: _run_queries(con, recorded))
    rss = _peak_rss_mib()
    con.close()
    return {"cold": cold, "warm": warm, "rss": rss}


def _product(args: tuple[str, str, dt.date, list, int]) -> dict:
    """One product measurement (`panel <grain>`, `ledger` or `page <name>`): the first call (cold) and this
    process's peak RSS after it; then `pairs` runs of the call and of its bare SQL (on this database's own
    DuckDB cursor) interleaved, the order alternating, so both see the machine alike (warm)."""
    from analytics import metrics
    from analytics.db import Database

    db_path, what, as_of, recorded, pairs = args

    def page(name: str) -> None:
        panel = metrics.build_panel(db, PAGE_GRAIN, as_of)
        ledger = None
        for call in PAGES[name]:
            result = _product_call(call, db, panel, ledger, as_of)
            if call == "ledger":
                ledger = result

    with Database(db_path) as db:
        if what.startswith("panel "):
            run = lambda: metrics.build_panel(db, what.removeprefix("panel "), as_of)  # noqa: E731
        elif what == "ledger":
            run = lambda: _product_call("ledger", db, None, None, as_of)  # noqa: E731
        else:
            run = lambda: page(what.removeprefix("page "))  # noqa: E731
        cold = _timed(run)
        rss = _peak_rss_mib()
        product, bare = [], []
        con = db.reader()
        for i in range(pairs):
            for kind in ("product", "bare") if i % 2 == 0 else ("bare", "product"):
                if kind == "product":
                    product.append(_timed(run))
                else:
                    bare.append(_timed(lambda: _run_queries(con, recorded)))
    return {"cold": cold, "rss": rss, "warm": product, "warm_sql": bare}


def _calls(args: tuple[str, dt.date, int]) -> dict:
    """Given the quarter panel and the ledger (not timed): each call on the panel, the first time (cold) and
    the median of `repeat` more (warm)."""
    from analytics import metrics, risk
    from analytics.db import Database

    db_path, as_of, repeat = args
    out = {}
    with Database(db_path) as db:
        panel = metrics.build_panel(db, PAGE_GRAIN, as_of)
        ledger = risk.overdue_ledger(db, as_of)
        for call in CALLS:
            cold = _timed(lambda call=call: _product_call(call, db, panel, ledger, as_of))
            warm = [_timed(lambda call=call: _product_call(call, db, panel, ledger, as_of)) for _ in range(repeat)]
            out[call] = {"cold": cold, "warm": warm}
    out["rss"] = _peak_rss_mib()
    return out


# --- (b) pandas ---------------------------------------------------------------------------------------------

PANDAS_TABLES = {
    "responses": f"SELECT submitted_at, department_code, population, score, {', '.join(ITEMS)} "
    "FROM satisfaction_responses",
    "aggregates": "SELECT department_code, period_grain, period_start, population, score, respondents "
    "FROM satisfaction_aggregates",
    "activities": "SELECT branch_code, activity_date, activity_type, attended, expected, hours, dimension "
    "FROM activities",
    "discipline": "SELECT department_code, record_date, category, status, rectification_deadline, "
    "rectification_completed FROM discipline_records",
}


def pandas_load(con) -> dict:
    return {name: con.execute(sql).df() for name, sql in PANDAS_TABLES.items()}


def pandas_compute(tables: dict, as_of: dt.date) -> dict:
    """The quarter panel's figures with pandas groupby, from the raw tables."""
    import numpy as np
    import pandas as pd

    out = {}
    # Responses per department × population × quarter: n, sum, sum of squares, item means.
    r = tables["responses"]
    keys = ["department_code", "population", "period"]
    r = r.assign(period=r["submitted_at"].dt.to_period("Q"), sq=r["score"] * r["score"])
    grouped = r.groupby(keys, sort=False)
    cells = grouped[["score", "sq"]].sum().rename(columns={"score": "s", "sq": "ss"})
    cells["n"] = grouped.size()
    cells = cells.join(grouped[list(ITEMS)].mean())
    out["responses"] = cells
    # Pooled with the aggregates of a grain no coarser than a quarter.
    a = tables["aggregates"]
    a = a[a["period_grain"].isin(["month", "quarter"])]
    a = a.assign(period=a["period_start"].dt.to_period("Q"), s=a["score"] * a["respondents"])
    aggregates = a.groupby(keys)[["respondents", "s"]].sum().rename(columns={"respondents": "nagg", "s": "sagg"})
    out["aggregates"] = aggregates
    pooled = cells[["n", "s"]].join(aggregates, how="outer").fillna(0)
    pooled = pooled.assign(n=pooled["n"] + pooled["nagg"], total=pooled["s"] + pooled["sagg"])
    pooled["satisfaction"] = pooled["total"] / pooled["n"]
    out["satisfaction"] = pooled[["n", "total", "satisfaction"]].unstack("population")
    # The pooled within-cell SD of responses per population.
    dev = (cells["ss"] - cells["s"] ** 2 / cells["n"]).groupby(level="population").sum()
    cells_n = cells["n"].groupby(level="population")
    out["sd"] = np.sqrt(dev / (cells_n.sum() - cells_n.size()))
    # Activities per branch × quarter × type, and per 六提升 dimension.
    act = tables["activities"]
    has_expected = act["expected"] > 0
    act = act.assign(
        period=act["activity_date"].dt.to_period("Q"),
        att=act["attended"].where(has_expected),
        exp=act["expected"].where(has_expected),
        person_hours=act["hours"] * act["attended"],
    )
    grouped = act.groupby(["branch_code", "period", "activity_type"])
    held = grouped[["att", "exp"]].sum(min_count=1).rename(columns={"att": "attended", "exp": "expected"})
    held["held"] = grouped.size()
    held["person_hours"] = grouped["person_hours"].sum()
    out["activities"] = held
    out["by_type"] = held["held"].unstack(fill_value=0)
    out["dimensions"] = act[act["dimension"].notna()].groupby(["branch_code", "period", "dimension"]).size()
    # Discipline records and rectification states per department × quarter × category.
    d = tables["discipline"]
    day = pd.Timestamp(as_of)
    status, deadline, done = d["status"], d["rectification_deadline"], d["rectification_completed"]
    completed, in_progress = status == "completed", status == "in_progress"
    flags = pd.DataFrame(
        {
            "department_code": d["department_code"],
            "period": d["record_date"].dt.to_period("Q"),
            "category": d["category"],
            "records": 1,
            "rectification_required": status != "not_required",
            "rectification_on_time": completed & (deadline.isna() | done.isna() | (done <= deadline)),
            "rectification_late": completed & (done > deadline),
            "rectification_open": in_progress & (deadline.isna() | (deadline >= day)),
            "rectification_overdue": in_progress & (deadline < day),
            "rectification_closed": completed & done.notna(),
            "days_to_close": (done - d["record_date"]).dt.days.where(completed).fillna(0),
        }
    )
    out["discipline"] = flags.groupby(["department_code", "period", "category"]).sum()
    return out


def _check_pandas(con, figures: dict, as_of: dt.date) -> None:
    """The pandas figures equal the product's SQL at the quarter grain (raises if not)."""
    import numpy as np
    import pandas as pd

    from analytics import queries

    def compare(sql_frame, pandas_frame, keys, columns, what):
        left = sql_frame.assign(period=pd.to_datetime(sql_frame["period_start"]).dt.to_period("Q"))
        merged = left.merge(pandas_frame.reset_index(), on=keys, how="outer", suffixes=("", "_pd"), indicator=True)
        if not (merged["_merge"] == "both").all():
            raise AssertionError(f"{what}: cells differ between SQL and pandas")
        for column in columns:
            a = merged[column].to_numpy(dtype="float64")
            b = merged[f"{column}_pd"].to_numpy(dtype="float64")
            if not np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True):
                raise AssertionError(f"{what}: {column} differs between SQL and pandas")

    keys = ["department_code", "population", "period"]
    responses = con.execute(queries.PANEL_RESPONSES, ["quarter"]).df()
    compare(responses, figures["responses"], keys, ["n", "s", "ss", *ITEMS], "responses")
    aggregates = con.execute(queries.PANEL_AGGREGATES, ["quarter", ["month", "quarter"]]).df()
    aggregates = aggregates.rename(columns={"n": "nagg", "s": "sagg"})
    compare(aggregates, figures["aggregates"], keys, ["nagg", "sagg"], "aggregates")
    activities = con.execute(queries.PANEL_ACTIVITIES, ["quarter"]).df()
    compare(
        activities,
        figures["activities"],
        ["branch_code", "period", "activity_type"],
        ["held", "attended", "expected", "person_hours"],
        "activities",
    )
    dims = con.execute(queries.PANEL_DIMENSIONS, ["quarter"]).df()
    compare(
        dims, figures["dimensions"].rename("activities"), ["branch_code", "period", "dimension"], ["activities"], "six"
    )
    discipline = con.execute(queries.PANEL_DISCIPLINE, ["quarter", as_of, as_of]).df()
    columns = list(figures["discipline"].columns)
    compare(discipline, figures["discipline"], ["department_code", "period", "category"], columns, "discipline")
    sd = con.execute(
        "SELECT population, sqrt(sum(ss - s * s / n) / (sum(n) - count(*))) AS sd FROM ("
        + queries.PANEL_RESPONSES.replace("?", "'quarter'")
        + ") GROUP BY population"
    ).df()
    for row in sd.itertuples():
        if not np.isclose(row.sd, figures["sd"][row.population], rtol=1e-9):
            raise AssertionError(f"pooled SD of {row.population} differs between SQL and pandas")


def _pandas(args: tuple[str, dt.date]) -> dict:
    import duckdb
    import pandas as pd  # noqa: F401

    db_path, as_of = args
    con = duckdb.connect(db_path, read_only=True)
    start = time.perf_counter()
    tables = pandas_load(con)
    load = time.perf_counter() - start
    start = time.perf_counter()
    figures = pandas_compute(tables, as_of)
    compute = time.perf_counter() - start
    rss = _peak_rss_mib()
    rows = len(tables["responses"])
    del tables
    _check_pandas(con, figures, as_of)
    con.close()
    return {"load": load, "compute": compute, "rss": rss, "rows": rows}


def in_child(fn, *args):
    """Run `fn(args)` in a freshly spawned process (nothing inherited from this one's memory)."""
    with mp.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(fn, args)


# --- The benchmark -------------------------------------------------------------------------------------


def build_database(path: Path, scale: float) -> float:
    start = time.perf_counter()
    command = [sys.executable, "-m", "analytics", "demo", "--db", str(path), "--scale", f"{scale:g}"]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def run(db_path: Path, args: argparse.Namespace) -> None:
    import duckdb

    as_of = args.as_of
    db = str(db_path)
    with duckdb.connect(db, read_only=True) as con:
        responses = con.execute("SELECT count(*) FROM satisfaction_responses").fetchone()[0]
    recorded = record_queries(db, as_of)
    extra = {call: recorded[call] for call in CALLS if recorded[call]}
    if extra:
        raise RuntimeError(f"calls on the panel issued SQL, which the baseline does not count: {list(extra)}")
    bare = {f"panel {g}": recorded[f"panel {g}"] for g in GRAINS}
    bare["ledger"] = recorded["ledger"]
    for page, calls in PAGES.items():
        queries = list(recorded[f"panel {PAGE_GRAIN}"])
        if "ledger" in calls:
            queries += recorded["ledger"]
        bare[f"page {page}"] = queries

    # Pages with the same queries share one bare-SQL process.
    bare_of: dict[str, str] = {}  # measurement → the bare-SQL job with its queries
    for name, queries in bare.items():
        bare_of[name] = next((key for key, q in bare.items() if q == queries and key in bare_of.values()), name)
    jobs = {name: (_product, (db, name, as_of, bare[name], args.pairs)) for name in bare}
    jobs["calls"] = (_calls, (db, as_of, args.pairs))
    jobs |= {f"sql {name}": (_bare_sql, (db, bare[name])) for name in dict.fromkeys(bare_of.values())}
    jobs["pandas"] = (_pandas, (db, as_of))

    results: dict[str, list[dict]] = {name: [] for name in jobs}
    idle = in_child(_idle, None)["rss"]
    for i in range(args.repeat):
        start = time.perf_counter()
        for name, (fn, job_args) in jobs.items():
            results[name].append(in_child(fn, job_args))
        print(f"round {i + 1} of {args.repeat}: {time.perf_counter() - start:.0f} s", flush=True)

    def med(runs: list[dict], key: str) -> float:
        """The median over rounds (and over the pairs within each, for the lists of warm runs)."""
        values = [v for r in runs for v in (r[key] if isinstance(r[key], list) else [r[key]])]
        return statistics.median(values)

    def rss(name: str) -> float:
        return max(r["rss"] for r in results[name])

    pandas_rows = results["pandas"][0]["rows"]
    if pandas_rows != responses:
        raise RuntimeError(f"pandas loaded {pandas_rows} responses, the database holds {responses}")
    print()
    print(
        f"{responses:,} responses; as of {as_of}; {args.repeat} rounds of fresh processes, "
        f"{args.pairs} warm pairs each; {dt.date.today()}"
    )
    print(
        f"{'':22} {'cold':>8} {'SQL cold':>8} {'ratio':>6}   {'warm':>7} {'SQL warm':>8} {'ratio':>6}   "
        f"{'RSS MiB':>7} {'SQL RSS':>7}"
    )

    def line(label: str, name: str) -> None:
        runs, sql = results[name], results[f"sql {bare_of[name]}"]
        cold, cold_sql = med(runs, "cold"), med(sql, "cold")
        warm, warm_sql = med(runs, "warm"), med(runs, "warm_sql")
        print(
            f"{label:22} {cold:7.3f}s {cold_sql:7.3f}s {cold / cold_sql:5.2f}x   "
            f"{warm:6.3f}s {warm_sql:7.3f}s {warm / warm_sql:5.2f}x   "
            f"{rss(name):7.0f} {rss(f'sql {bare_of[name]}'):7.0f}"
        )

    for g in GRAINS:
        line(f"build_panel({g})", f"panel {g}")
    line("overdue_ledger", "ledger")
    for call in CALLS:
        runs = [r[call] for r in results["calls"]]
        print(f"{call:22} {med(runs, 'cold'):7.3f}s {'no SQL':>8} {'':6}   {med(runs, 'warm'):6.3f}s")
    print(f"{'':22} (on the {PAGE_GRAIN} panel; peak RSS of that process {rss('calls'):.0f} MiB)")
    for page, page_calls in PAGES.items():
        line(f"page {page}", f"page {page}")
        print(f"{'':24}(panel {PAGE_GRAIN} + {' + '.join(page_calls)})")
    load, compute = med(results["pandas"], "load"), med(results["pandas"], "compute")
    cold, warm = med(results[f"panel {PAGE_GRAIN}"], "cold"), med(results[f"panel {PAGE_GRAIN}"], "warm")
    print(
        f"(b) pandas: load {load:.3f} s, compute {compute:.3f} s, peak RSS {rss('pandas'):.0f} MiB; "
        f"compute ÷ build_panel({PAGE_GRAIN}) warm {compute / warm:.1f}x, "
        f"load + compute ÷ build_panel({PAGE_GRAIN}) cold {(load + compute) / cold:.1f}x (goal >= 10x)"
    )
    print(f"idle child (python + duckdb + analytics imported): peak RSS {idle:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=300)
    parser.add_argument("--db", type=Path, help="reuse this demo database, or build it here (kept)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of fresh processes")
    parser.add_argument("--pairs", type=int, default=5, help="warm product/SQL pairs in each product process")
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="default: today, as the pages"
    )
    args = parser.parse_args()

    if args.db is not None:
        if not args.db.exists():
            print(f"building {args.db} (scale {args.scale:g}): {build_database(args.db, args.scale):.1f} s")
        run(args.db, args)
        return
    with tempfile.TemporaryDirectory(prefix="pbi-pages-bench-") as tmp:
        path = Path(tmp) / "demo.duckdb"
        print(f"building the demo database (scale {args.scale:g}): {build_database(path, args.scale):.1f} s")
        run(path, args)


if __name__ == "__main__":
    main()
