"""Benchmark: the relations analysis (关联分析) on the demo hospital, against the libraries it stands on.

    python bench/relations_bench.py [--db PATH] [--repeat 3]

Ratios measured in the same run, not seconds, are what to compare between machines.

* **family**: `relations.analyse_all` on the quarter panel, every metric × outcome × lag (27 distributed-lag
  models, wild cluster bootstrap p and CI where clusters < 30), as the page computes it after a data change.
* **(a) cluster-t only**: the same 27 models with statsmodels' cluster-robust t alone (`BOOTSTRAP_BELOW` set to
  0): what the bootstrap adds. Ratio = family ÷ this.
* **(b) one bootstrap p**: one wild cluster bootstrap p (1,999 draws, 18–24 branches) by the product
  (`relations.wild_p` on the partialled model) against the `wildboottest` package's own `wildboottest()` on
  the full statsmodels model, which compiles a numba function on every call. Both give the same p (checked
  here, and in tests/test_relations.py). Ratio = library ÷ product.

The demo database: `--db PATH` reuses PATH if it exists, else builds it there; without `--db` it is built in
a temporary directory and deleted afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from wildboottest.wildboottest import wildboottest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import metrics, relations
from analytics.db import Database


def timed(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(path: Path, repeat: int) -> None:
    with Database(path) as db:
        panel = metrics.build_panel(db, "quarter")
    t_family = timed(lambda: relations.analyse_all(panel), repeat)
    below = relations.BOOTSTRAP_BELOW
    relations.BOOTSTRAP_BELOW = 0
    try:
        t_plain = timed(lambda: relations.analyse_all(panel), repeat)
    finally:
        relations.BOOTSTRAP_BELOW = below

    data = relations.lagged(panel, "meeting_compliance", "inpatient")
    branches = np.unique(data["branch_code"], return_inverse=True)[1]
    departments, periods = relations.effects(data)
    regressors = [f"x{lag}" for lag in range(5)]
    values = relations._partialled(pd.concat([data[regressors], periods, data["y"]], axis=1), departments, data, False)
    boot = dict(X=values[:, :-1], y=values[:, -1], groups=branches, j=1, draws=1999, weights="rademacher", seed=1)
    ours = relations.wild_p(**boot)
    t_ours = timed(lambda: relations.wild_p(**boot), repeat * 20)
    model = smf.ols("y ~ x0 + x1 + x2 + x3 + x4 + C(department_code) + C(period)", data)

    def library() -> float:
        return float(wildboottest(model, B=1999, cluster=branches, param="x1", seed=1, show=False)["p-value"].iloc[0])

    theirs = library()
    t_theirs = timed(library, repeat)
    assert abs(ours - theirs) < 1e-12, (ours, theirs)

    print(f"demo quarter panel: {len(panel.frame):,} department-quarters, {data['branch_code'].nunique()} branches")
    print(f"family (135 pairs, bootstrap)  {t_family:8.2f} s")
    print(f"(a) cluster-t only             {t_plain:8.2f} s   family ÷ (a) {t_family / t_plain:6.1f}×")
    print(f"one bootstrap p: product       {t_ours * 1000:8.2f} ms")
    print(f"(b) wildboottest() on the model {t_theirs * 1000:7.1f} ms   (b) ÷ product {t_theirs / t_ours:6.0f}×")
    print(f"p: product {ours:.4f}, library {theirs:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "demo.duckdb"
        if not path.exists():
            command = [sys.executable, "-m", "analytics", "demo", "--db", str(path)]
            subprocess.run(command, check=True, capture_output=True)
        run(path, args.repeat)


if __name__ == "__main__":
    main()
