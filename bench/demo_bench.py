"""Benchmark: building the demo database and the Overview's queries, against raw DuckDB in the same run.

    python bench/demo_bench.py [--scale 100]

Ratios, not seconds, are what to compare between machines:
* demo load ÷ raw DuckDB `CREATE TABLE AS SELECT * FROM frame` of the same generated responses;
* Overview queries (counts, respondents, coverage, date range) ÷ one raw quarterly group-by of the
  responses (the least work the coverage view needs).
The database is written to a temporary directory and deleted afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import demo, summary
from analytics.db import Database


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=100)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        data = demo.generate(seed=1, scale=args.scale)
        t_generate = time.perf_counter() - start
        rows = len(data.responses)

        raw = duckdb.connect(str(Path(tmp) / "raw.duckdb"))
        raw.register("responses", data.responses)
        t_raw_load = timed(lambda: raw.execute("CREATE OR REPLACE TABLE r AS SELECT * FROM responses"))
        quarterly = "SELECT date_trunc('quarter', submitted_at) AS q, count(*) FROM r GROUP BY q"
        t_raw_scan = timed(lambda: raw.execute(quarterly).fetchall(), repeat=5)
        raw.close()

        with Database(Path(tmp) / "demo.duckdb") as db:
            t_load = timed(lambda: demo.load(db, data, seed=1))

            def overview() -> None:
                summary.record_counts(db)
                summary.respondents(db)
                summary.coverage(db)
                summary.date_range(db)

            t_overview = timed(overview, repeat=5)

    print(f"scale {args.scale:g}: {rows:,} responses")
    print(f"generate            {t_generate:8.2f} s")
    print(f"demo load           {t_load:8.2f} s   raw CTAS {t_raw_load:6.2f} s   ratio {t_load / t_raw_load:5.1f}x")
    print(
        f"overview queries    {t_overview:8.3f} s   raw scan {t_raw_scan:6.3f} s   "
        f"ratio {t_overview / t_raw_scan:5.1f}x"
    )


if __name__ == "__main__":
    main()
