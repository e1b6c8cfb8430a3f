"""Benchmark: importing a large satisfaction-responses CSV, against raw DuckDB in the same run.

    python bench/import_bench.py [--rows 1000000] [--repeat 3]

Ratios, not seconds, are what to compare between machines:
* (a) raw DuckDB `CREATE TABLE t AS SELECT * FROM read_csv(path)` of the UTF-8 file into a fresh database;
* (b) the product's validated import, `import_files(db, [SourceFile.from_path(path)])`, of the same file
  into a copy of a database that already holds the sample branches and departments (so D01..D06 resolve);
* (c) the same import of a GBK-encoded copy of the file;
* (d) the same import of a UTF-8 copy with errors planted at known rows (bad, out-of-range and future cells,
  unknown departments; on both sides of DuckDB's 2,048-row vectors and 122,880-row row groups and on the
  last row): the import refuses the file, and the run checks that exactly the planted (row, column, value)
  were reported. This is the path that parses the file a second time to list every error.
Each run happens in its own freshly spawned process, which reports its time and its own peak RSS
(`VmHWM`, see `_peak_rss_mib`), so the memory numbers of (a), (b) and (c) are comparable; the
"idle" line is such a process that only imported the modules. Runs are interleaved (a, b, c, a, b, c, …)
and each time is the median of `--repeat` runs, each peak RSS the highest. Everything is written to a
temporary directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "tests" / "samples"  # the copy of ../shared/samples kept with the tests
HEADERS = ["提交时间", "科室编码", "调查对象", "总体满意度", "就医环境", "医生沟通", "护士沟通", "等候时间"]
DEPARTMENTS = [f"D{i:02d}" for i in range(1, 7)]
POPULATIONS = ["门诊患者", "住院患者", "医务人员"]


def generate(rows: int, seed: int = 1) -> str:
    """`rows` responses as CSV text with a header row, shaped like a hospital survey export."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00")
    minutes = rng.integers(0, 366 * 24 * 60, rows)
    frame = pd.DataFrame(
        {
            HEADERS[0]: pd.Series(start + minutes.astype("timedelta64[m]")).dt.strftime("%Y/%m/%d %H:%M"),
            HEADERS[1]: np.array(DEPARTMENTS)[rng.integers(0, len(DEPARTMENTS), rows)],
            HEADERS[2]: np.array(POPULATIONS)[rng.choice(len(POPULATIONS), rows, p=[0.6, 0.3, 0.1])],
        }
    )
    # Likert 1–5, skewed towards satisfied as real surveys are.
    likert = [0.03, 0.05, 0.17, 0.40, 0.35]
    for header in HEADERS[3:]:
        frame[header] = rng.choice(5, rows, p=likert) + 1
    return frame.to_csv(index=False, lineterminator="\n")


# --- What each child process runs ----------------------------------------------------------------------


def _peak_rss_mib() -> float:
    """This process's own peak RSS. Linux's `getrusage(RUSAGE_SELF).ru_maxrss` starts a spawned child at its
    parent's RSS at fork time (the high-water mark survives fork and exec), so read the peak of this
    process's own memory map (`VmHWM`), which starts afresh at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _idle(_: object) -> tuple[float, float, int]:
    import duckdb  # noqa: F401

    from analytics.imports import importer  # noqa: F401

    return 0.0, _peak_rss_mib(), 0


def _raw(args: tuple[str, str]) -> tuple[float, float, int]:
    import duckdb

    csv_path, db_path = args
    con = duckdb.connect(db_path)
    start = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [csv_path])
    seconds = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    return seconds, _peak_rss_mib(), rows


# Errors planted at most: fewer than the importer lists (`model.MAX_ERRORS_PER_FILE`, 5,000), or the check of
# every planted error could not pass on files of millions of rows.
PLANTED_AT_MOST = 4000


def planted_errors(text: str, rows: int) -> tuple[str, set[tuple[int, str, str]]]:
    """`text` with bad cells at rows on both sides of the vector and row-group boundaries and on the last row,
    and the (row, column, value) each should be reported as. Spreadsheet row r is line r of the file."""
    lines = text.split("\n")
    targets = {2, 3, rows + 1}
    for size in (2048, 122_880):
        for multiple in range(size, rows, size):
            targets.update(multiple + 1 + d for d in (-1, 0, 1))
    if len(targets) > PLANTED_AT_MOST:  # an import lists at most MAX_ERRORS_PER_FILE errors: keep a spread
        ordered = sorted(targets)
        step = len(ordered) / PLANTED_AT_MOST
        targets = {ordered[int(i * step)] for i in range(PLANTED_AT_MOST)} | {2, 3, rows + 1}
    cells = [(3, "x{row}"), (3, "9"), (1, "D99"), (0, "2099/01/01 10:00"), (4, "0")]
    expected = set()
    for i, row in enumerate(sorted(r for r in targets if 2 <= r <= rows + 1)):
        column, template = cells[i % len(cells)]
        fields = lines[row - 1].split(",")
        fields[column] = template.format(row=row)
        lines[row - 1] = ",".join(fields)
        expected.add((row, HEADERS[column], fields[column]))
    return "\n".join(lines), expected


def _product_with_errors(args: tuple[str, str, set]) -> tuple[float, float, int]:
    from analytics.db import Database
    from analytics.imports.importer import import_files
    from analytics.imports.model import SourceFile

    csv_path, db_path, expected = args
    with Database(db_path) as db:
        start = time.perf_counter()
        result = import_files(db, [SourceFile.from_path(csv_path)])
        seconds = time.perf_counter() - start
    found = {(e.row, e.column, e.value) for e in result.files[0].errors}
    if result.ok or found != expected:
        raise RuntimeError(f"planted {len(expected)} errors, found {len(found)}: {sorted(found ^ expected)[:5]}")
    return seconds, _peak_rss_mib(), len(found)


def _product(args: tuple[str, str]) -> tuple[float, float, int]:
    from analytics.db import Database
    from analytics.imports.importer import import_files
    from analytics.imports.model import SourceFile

    csv_path, db_path = args
    with Database(db_path) as db:
        start = time.perf_counter()
        result = import_files(db, [SourceFile.from_path(csv_path)])
        seconds = time.perf_counter() - start
    if not result.ok:
        report = result.files[0]
        raise RuntimeError(f"import failed: {report.error_count} errors, first {report.errors[:3]}")
    return seconds, _peak_rss_mib(), result.files[0].rows


def in_child(fn, *args) -> tuple:
    """Run `fn(args)` in a freshly spawned process (nothing inherited from this one's memory)."""
    with mp.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(fn, args)


# --- The benchmark -------------------------------------------------------------------------------------


def prepare_database(path: Path) -> None:
    """A database holding the sample branches and departments (D01..D06)."""
    from analytics.db import Database
    from analytics.imports.importer import import_files
    from analytics.imports.model import SourceFile

    with Database(path) as db:
        files = [SourceFile.from_path(SAMPLES / name) for name in ("branches_utf8bom.csv", "departments_gbk.csv")]
        result = import_files(db, files)
        if not result.ok:
            raise RuntimeError(f"preparing the database failed: {result}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pbi-import-bench-") as tmp_name:
        tmp = Path(tmp_name)
        start = time.perf_counter()
        text = generate(args.rows)
        utf8, gbk = tmp / "responses_utf8.csv", tmp / "responses_gbk.csv"
        utf8.write_bytes(text.encode("utf-8"))
        gbk.write_bytes(text.encode("gbk"))
        bad_text, planted = planted_errors(text, args.rows)
        bad = tmp / "responses_bad.csv"
        bad.write_bytes(bad_text.encode("utf-8"))
        del text, bad_text
        template = tmp / "prepared.duckdb"
        prepare_database(template)
        t_generate = time.perf_counter() - start
        size_mib = utf8.stat().st_size / 2**20

        results: dict[str, list[tuple]] = {"a": [], "b": [], "c": [], "d": []}
        idle = in_child(_idle, None)[1]
        for i in range(args.repeat):
            raw_db = tmp / f"raw{i}.duckdb"
            results["a"].append(in_child(_raw, (str(utf8), str(raw_db))))
            raw_db.unlink()
            for key, source in (("b", utf8), ("c", gbk)):
                db_path = tmp / f"{key}{i}.duckdb"
                shutil.copyfile(template, db_path)
                results[key].append(in_child(_product, (str(source), str(db_path))))
                db_path.unlink()
            db_path = tmp / f"d{i}.duckdb"
            shutil.copyfile(template, db_path)
            results["d"].append(in_child(_product_with_errors, (str(bad), str(db_path), planted)))
            db_path.unlink()
            print(f"run {i + 1}: " + "  ".join(f"{k} {v[-1][0]:.2f} s" for k, v in results.items()), flush=True)

    for key, runs in results.items():
        if any(run[2] != (len(planted) if key == "d" else args.rows) for run in runs):
            raise RuntimeError(f"({key}) stored {[run[2] for run in runs]} rows, expected {args.rows}")
    seconds = {k: statistics.median(run[0] for run in v) for k, v in results.items()}
    rss = {k: max(run[1] for run in v) for k, v in results.items()}
    print(f"{args.rows:,} responses ({size_mib:.0f} MiB); generate + prepare {t_generate:.2f} s; {dt.date.today()}")
    print(f"(a) raw read_csv CTAS      {seconds['a']:8.2f} s   peak RSS {rss['a']:7.0f} MiB")
    labels = (("b", "(b) import, UTF-8"), ("c", "(c) import, GBK"), ("d", f"(d) {len(planted)} planted errors"))
    for key, label in labels:
        print(
            f"{label:26} {seconds[key]:8.2f} s   peak RSS {rss[key]:7.0f} MiB   "
            f"ratio {seconds[key] / seconds['a']:5.1f}x (goal <= 1.5x)"
        )
    print(f"idle child (python + duckdb + analytics imported)   peak RSS {idle:7.0f} MiB")


if __name__ == "__main__":
    main()
