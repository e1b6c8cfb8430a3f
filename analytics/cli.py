"""`python -m analytics …`: thin wrappers over the library functions the pages call.

Exit codes: 0 done, 1 the command failed on the data, 2 usage error (argparse's own).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from analytics import demo, summary
from analytics.db import Database, default_db_path


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, default=None, help="database file (default: $PBI_DB or data/party_building.duckdb)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics", description="Party Building Insight (党建洞察)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create an empty database with the latest schema")
    _db_arg(init)

    make_demo = commands.add_parser("demo", help="fill a database with the deterministic demo hospital")
    _db_arg(make_demo)
    make_demo.add_argument("--seed", type=int, default=1)
    make_demo.add_argument(
        "--scale", type=float, default=1.0, help="multiply satisfaction responses (300 ≈ 8.6M)"
    )
    make_demo.add_argument("--force", action="store_true", help="wipe a database that already holds records")
    make_demo.add_argument("--if-missing", action="store_true", help="do nothing if the database file exists")

    show = commands.add_parser("status", help="schema version and record counts")
    _db_arg(show)
    show.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    path = args.db or default_db_path()
    if args.command == "demo" and args.if_missing and path.exists():
        print(f"{path} exists; demo data not regenerated")
        return 0
    with Database(path) as db:
        if args.command == "init":
            print(f"{path}: schema version {summary.status(db).schema_version}")
        elif args.command == "demo":
            try:
                demo.build(db, seed=args.seed, scale=args.scale, replace=args.force)
            except ValueError as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            _print_status(summary.status(db), as_json=False, path=path)
        elif args.command == "status":
            _print_status(summary.status(db), as_json=args.json, path=path)
    return 0


def _print_status(report, as_json: bool, path: Path) -> None:
    if as_json:
        print(json.dumps(report.model_dump(), ensure_ascii=False))
        return
    print(f"{path}: schema version {report.schema_version}, {report.batches} import batches")
    for kind, n in report.counts.items():
        print(f"  {kind:<12} {n:>10,}")
