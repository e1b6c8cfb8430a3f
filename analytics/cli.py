"""`python -m analytics …`: thin wrappers over the library functions the pages call.

Exit codes: 0 done, 1 the command failed on the data, 2 usage error (argparse's own).

The command line is the server operator's tool (as psql is the database owner's): it needs no sign-in, and every
write it makes is recorded in the audit trail as the operating-system user at `cli@<host>` (`Actor.operator`).
A password (`init --admin`, `user add`, `user passwd`) is read from a prompt, or from standard input when that is
not a terminal, never from an argument.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from analytics import accounts, audit, backup, demo, faults, metrics, party, relations, report, risk, settings, summary
from analytics.accounts import AccountError
from analytics.audit import Actor
from analytics.db import Database, DatabaseBusy, default_db_path
from analytics.i18n import t
from analytics.imports import importer, parse, reader, templates
from analytics.imports.model import ImportOptions, Resolution, SourceFile
from analytics.schema import RecordKind, StatusReport


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, default=None, help="database file (default: $PBI_DB or data/party_building.duckdb)"
    )


def _backup_args(parser: argparse.ArgumentParser, wait_help: str) -> None:
    """`--wait`, `--lang` and `--json` of backup and restore."""
    parser.add_argument(
        "--wait",
        type=float,
        default=backup.DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help=wait_help + " (default: %(default)g)",
    )
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    parser.add_argument("--json", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="Party Building Insight (党建洞察)")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create an empty database with the latest schema")
    _db_arg(init)
    init.add_argument("--admin", metavar="NAME", help="also create the first administrator (password: prompt or stdin)")
    init.add_argument("--display", metavar="TEXT", help="the administrator's display name (default: NAME)")
    init.add_argument("--lang", choices=["zh", "en"], default="zh")

    make_demo = commands.add_parser("demo", help="fill a database with the deterministic demo hospital")
    _db_arg(make_demo)
    make_demo.add_argument("--seed", type=int, default=1)
    make_demo.add_argument("--scale", type=float, default=1.0, help="multiply satisfaction responses (300 ≈ 8.6M)")
    make_demo.add_argument("--force", action="store_true", help="wipe a database that already holds records")
    make_demo.add_argument("--if-missing", action="store_true", help="do nothing if the database file exists")
    make_demo.add_argument(
        "--accounts",
        type=Path,
        metavar="FILE",
        help="demo only: give a database without accounts one per role, random passwords written to FILE and shown",
    )

    show = commands.add_parser("status", help="schema version and record counts")
    _db_arg(show)
    show.add_argument("--json", action="store_true")

    load = commands.add_parser("import", help="validate and store CSV/XLSX files (all or nothing)")
    _db_arg(load)
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--kind", choices=[k.value for k in RecordKind], help="default: detected from the headers")
    load.add_argument("--sheet", help="XLSX sheet name (default: every sheet holding a table)")
    load.add_argument("--encoding", choices=sorted(reader.ENCODINGS), help="default: detected")
    load.add_argument(
        "--scale",
        choices=list(parse.SCALES),
        help="satisfaction scores: likert 1–5, ten 0–10, ten1 1–10, proportion 0–1, percent 0–100 (default: detected)",
    )
    load.add_argument("--force", action="store_true", help="import a file even if the same file was imported")
    load.add_argument(
        "--replace",
        action="store_true",
        help="replace stored records that differ from the file (and the answers an overlapping export covers)",
    )
    load.add_argument(
        "--keep-repeats",
        action="store_true",
        help="store activity rows identical to another row, and answers overlapping an earlier export, all of them",
    )
    load.add_argument(
        "--replaces",
        type=int,
        metavar="BATCH_ID",
        help="the file is a corrected version of this batch: its records are set aside (undo restores them)",
    )
    load.add_argument(
        "--valid-from",
        type=_day,
        metavar="YYYY-MM-DD",
        help="a branch or department register holds from this day (default: today; with --replaces, that batch's)",
    )
    load.add_argument("--include-hidden", action="store_true", help="import a workbook's hidden (filtered) rows too")
    load.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of messages")
    load.add_argument("--json", action="store_true")

    past = commands.add_parser("history", help="import batches, newest first")
    _db_arg(past)
    past.add_argument("--json", action="store_true")

    back = commands.add_parser("undo", help="remove exactly one import batch's rows")
    _db_arg(back)
    back.add_argument("batch_id", type=int, metavar="BATCH_ID")
    back.add_argument("--lang", choices=["zh", "en"], default="zh")

    figures = commands.add_parser("metrics", help="party index, satisfaction and discipline per unit × period")
    _db_arg(figures)
    figures.add_argument("--level", choices=metrics.LEVELS, default="department")
    figures.add_argument("--grain", choices=metrics.GRAINS, default="quarter")
    figures.add_argument("--as-of", type=dt.date.fromisoformat, help="judge rectifications as of (default: today)")
    figures.add_argument("--lang", choices=["zh", "en"], default="zh")
    figures.add_argument("--json", action="store_true")

    alerts = commands.add_parser("warnings", help="risk warnings for a period (default: the latest)")
    _db_arg(alerts)
    alerts.add_argument("--period", help="e.g. 2025Q4, 2025-12 or 2025 (its form sets the grain)")
    alerts.add_argument("--grain", choices=metrics.GRAINS, help="default: from --period, else quarter")
    alerts.add_argument("--as-of", type=dt.date.fromisoformat, help="judge rectifications as of (default: today)")
    alerts.add_argument("--lang", choices=["zh", "en"], default="zh")
    alerts.add_argument("--json", action="store_true")

    links = commands.add_parser("relations", help="how a party-building metric relates to satisfaction")
    _db_arg(links)
    links.add_argument("--metric", choices=relations.METRICS)
    links.add_argument("--outcome", choices=relations.OUTCOMES)
    links.add_argument("--lag", type=int, choices=relations.LAGS, default=0)
    links.add_argument("--grain", choices=metrics.GRAINS, default="quarter")
    links.add_argument("--weighted", action="store_true", help="weight department-periods by respondents")
    links.add_argument("--all", action="store_true", help="every metric × outcome × lag, with q-values")
    links.add_argument("--lang", choices=["zh", "en"], default="zh")
    links.add_argument("--json", action="store_true")

    material = commands.add_parser("report", help="meeting material (会议材料) for a period: PPTX and/or PDF")
    _db_arg(material)
    material.add_argument("--period", required=True, help="e.g. 2025Q4, 2025-12 or 2025 (its form sets the grain)")
    material.add_argument("--scope", default="hospital", help="hospital (default) or a party branch's code")
    material.add_argument("--lang", choices=["zh", "en"], default="zh")
    material.add_argument("--format", choices=["pptx", "pdf", "both"], default="both")
    material.add_argument("--as-of", type=dt.date.fromisoformat, help="judge rectifications as of (default: today)")
    material.add_argument(
        "-o",
        "--out",
        required=True,
        metavar="OUT",
        help="the file (its suffix is set per format), or a folder",
    )

    blank = commands.add_parser("template", help="write the XLSX template for a kind of file")
    blank.add_argument("kind", choices=[k.value for k in RecordKind], metavar="KIND")
    blank.add_argument("out", type=Path, metavar="OUT.xlsx")
    blank.add_argument("--lang", choices=["zh", "en"], default="zh")
    blank.add_argument(
        "--db",
        type=Path,
        default=None,
        help="database whose branches and departments fill the drop-down lists "
        "(default: $PBI_DB or data/party_building.duckdb; none if the file does not exist)",
    )

    save = commands.add_parser("backup", help="write a consistent copy of the whole database")
    _db_arg(save)
    save.add_argument(  # a str, not a Path: a trailing '/' says OUT is a folder
        "out", metavar="OUT", help="the backup file, or a folder (existing, or ending in /) for a dated file in it"
    )
    _backup_args(save, "how long to wait while another program writes the database")

    put_back = commands.add_parser("restore", help="replace the database with a backup (page runs wait meanwhile)")
    _db_arg(put_back)
    put_back.add_argument("backup", type=Path, metavar="BACKUP")
    _backup_args(put_back, "how long to wait for the page runs and commands under way to let go")

    _user_parsers(commands)

    trail = commands.add_parser("audit", help="the audit trail, newest first")
    _db_arg(trail)
    trail.add_argument("--since", type=_day, metavar="YYYY-MM-DD")
    trail.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="inclusive")
    trail.add_argument("--user", metavar="NAME")
    trail.add_argument("--action", choices=audit.ACTIONS, metavar="ACTION", help=", ".join(audit.ACTIONS))
    trail.add_argument("--lang", choices=["zh", "en"], default="zh")
    trail.add_argument("--json", action="store_true")
    return parser


ROLES = [r.value for r in accounts.Role]


def _user_parsers(commands: argparse._SubParsersAction) -> None:
    """`user add|list|disable|enable|passwd|role|unlock`: accounts, as the operator (no sign-in)."""
    people = commands.add_parser("user", help="accounts: add, list, disable, enable, passwd, role, unlock")
    verbs = people.add_subparsers(dest="user_command", required=True)

    def verb(name: str, help: str, named: bool = True) -> argparse.ArgumentParser:
        parser = verbs.add_parser(name, help=help)
        _db_arg(parser)
        if named:
            parser.add_argument("name", metavar="NAME")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh")
        return parser

    add = verb("add", "add a local account (password: prompt or stdin)")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--display", metavar="TEXT", help="display name (default: NAME)")
    verb("list", "the accounts", named=False).add_argument("--json", action="store_true")
    verb("disable", "the account can no longer sign in")
    verb("enable", "the account can sign in again (also ends a lockout)")
    verb("passwd", "set a new password (prompt or stdin; also ends a lockout)")
    verb("role", "give the account another role").add_argument(
        "role", choices=ROLES, metavar="ROLE", help=", ".join(ROLES)
    )
    verb("unlock", "end a sign-in lockout of the name")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "template":
        return _template(args)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args)
    if args.command == "relations" and not args.all and not (args.metric and args.outcome):
        parser.error("relations needs --metric and --outcome, or --all")
    if args.command == "import":
        missing = [str(f) for f in args.files if not f.is_file()]
        if missing:
            parser.error(f"no such file: {', '.join(missing)}")
    path = args.db or default_db_path()
    args.existed = path.exists()
    if args.command == "demo" and args.if_missing and args.existed:
        print(f"{path} exists; demo data not regenerated")
        if args.accounts is None:
            return 0
    if args.command in ("user", "audit") and not path.is_file():  # a mistyped path makes no new database
        print(t("cli.no_database", args.lang, path=path), file=sys.stderr)
        return 1
    password = None
    if (args.command == "init" and args.admin is not None) or getattr(args, "user_command", "") in ("add", "passwd"):
        try:  # before the database is opened: no lock held while the operator types
            password = read_password(args.lang)
            if args.command == "init":  # refuse a bad name or password before the database is made
                _check_name(args.admin)
                accounts.check_password(args.admin, password)
        except (AccountError, PasswordError) as error:
            print(error.message(args.lang), file=sys.stderr)
            return 1
    try:
        db = Database(path)
    except (duckdb.Error, OSError) as error:  # the app holds the file's lock, a read-only disk, …
        print(unavailable(path, error, getattr(args, "lang", "zh")), file=sys.stderr)
        return 1
    with db:
        try:
            return _run(db, args, path, password)
        except Exception as error:  # a full disk, an internal fault …: a sentence, the details in the log
            print(faults.describe(error, path, getattr(args, "lang", "zh")), file=sys.stderr)
            return 1


def _run(db: Database, args: argparse.Namespace, path: Path, password: str | None = None) -> int:
    """Run one command on the open database; its exit code."""
    if args.command == "init":
        print(f"{path}: schema version {summary.status(db).schema_version}")
        if args.admin is not None:
            return _init_admin(db, args, path, password or "")
    elif args.command == "user":
        return _user(db, args, password or "")
    elif args.command == "audit":
        _print_audit(db, args)
    elif args.command == "demo":
        if not (args.if_missing and args.existed):
            try:
                demo.build(db, seed=args.seed, scale=args.scale, replace=args.force)
            except ValueError as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            _print_status(summary.status(db), as_json=False, path=path)
        if args.accounts is not None:
            _demo_accounts(db, args.accounts)
    elif args.command == "status":
        _print_status(summary.status(db), as_json=args.json, path=path)
    elif args.command == "import":
        return _import(db, args)
    elif args.command == "history":
        _print_history(importer.history(db), as_json=args.json)
    elif args.command == "metrics":
        _print_metrics(db, args)
    elif args.command == "warnings":
        return _print_warnings(db, args)
    elif args.command == "relations":
        _print_relations(db, args)
    elif args.command == "report":
        return _report(db, args)
    elif args.command == "undo":
        result = importer.undo(db, args.batch_id, lang=args.lang, actor=Actor.operator())
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
        return 0 if result.ok else 1
    return 0


class PasswordError(ValueError):
    """No usable password was read (`code`: empty, mismatch, cancelled), said in the user's language."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def message(self, lang: str = "zh") -> str:
        return t(f"cli.password.{self.code}", lang)


def read_password(lang: str = "zh") -> str:
    """A password, never from an argument: typed twice at a hidden prompt when standard input is a terminal,
    else the first line of standard input (only its line ending removed). PasswordError if empty, if the two
    typed differ, or if the operator cancels."""
    stream = sys.stdin
    try:
        if stream is not None and stream.isatty():
            password = getpass.getpass(t("cli.password.prompt", lang))
            if password and getpass.getpass(t("cli.password.again", lang)) != password:
                raise PasswordError("mismatch")
        else:
            line = stream.readline() if stream is not None else ""
            password = line.removesuffix("\n").removesuffix("\r")
    except EOFError:
        password = ""
    except KeyboardInterrupt:
        print(file=sys.stderr)
        raise PasswordError("cancelled") from None
    if not password:
        raise PasswordError("empty")
    return password


def _check_name(name: str) -> None:
    if not accounts.NAME.match(name.strip()):
        raise AccountError("bad_name", name=name.strip())


def _init_admin(db: Database, args: argparse.Namespace, path: Path, password: str) -> int:
    """`init --admin NAME`: the database's first administrator (refused if it has an active one)."""
    if accounts.has_admin(db):
        print(t("cli.init.has_admin", args.lang, path=path), file=sys.stderr)
        return 1
    try:
        account = accounts.add_user(
            db, args.admin, accounts.Role.ADMIN, password, display=args.display, actor=Actor.operator()
        )
    except AccountError as error:
        print(error.message(args.lang), file=sys.stderr)
        return 1
    print(t("accounts.add.done", args.lang, name=account.name, role=account.role.label(args.lang)))
    return 0


def _user(db: Database, args: argparse.Namespace, password: str) -> int:
    """`user …`: one account change as the operator (one audit row), or the list of accounts."""
    lang, verb, actor = args.lang, args.user_command, Actor.operator()
    if verb == "list":
        found = accounts.users(db)
        if args.json:
            print(json.dumps(accounts.as_records(found), ensure_ascii=False))
        elif not found:
            print(t("cli.user.none", lang))
        else:
            with pd.option_context("display.unicode.east_asian_width", True):  # Chinese characters are 2 wide
                print(accounts.table(found, lang).to_string(index=False))
        return 0
    try:
        if verb == "add":
            account = accounts.add_user(db, args.name, args.role, password, display=args.display, actor=actor)
            print(t("accounts.add.done", lang, name=account.name, role=account.role.label(lang)))
            return 0
        if verb == "passwd":
            accounts.reset_password(db, args.name, password, actor=actor)
            print(t("cli.user.password", lang, name=args.name.strip()))
            return 0
        if verb == "unlock":
            accounts.unlock(db, args.name, actor=actor)
            print(t("cli.user.unlocked", lang, name=args.name.strip()))
            return 0
        account = accounts.get(db, args.name)
        if account is None:
            raise AccountError("unknown", name=args.name.strip())
        name = account.name
        if verb == "role":
            if account.role == args.role:
                print(t("cli.user.unchanged", lang, name=name))
                return 0
            accounts.set_role(db, name, args.role, actor=actor)
            print(t("cli.user.role", lang, name=name, role=accounts.Role(args.role).label(lang)))
        elif verb == "disable":
            if not account.active:
                print(t("cli.user.unchanged", lang, name=name))
                return 0
            accounts.set_active(db, name, False, actor=actor)
            print(t("cli.user.disabled", lang, name=name))
        else:  # enable: enabling ends a lockout; an account already active has its lockout ended alone
            if account.active:
                accounts.unlock(db, name, actor=actor)
            else:
                accounts.set_active(db, name, True, actor=actor)
            print(t("cli.user.enabled", lang, name=name))
    except AccountError as error:
        print(error.message(lang), file=sys.stderr)
        return 1
    return 0


def _print_audit(db: Database, args: argparse.Namespace) -> None:
    frame = audit.rows(db, since=args.since, until=args.until, user=args.user, action=args.action)
    if args.json:
        print(json.dumps(audit.as_records(frame), ensure_ascii=False))
        return
    if frame.empty:
        print(t("cli.audit.none", args.lang))
        return
    for row in audit.table(frame, args.lang).itertuples(index=False):
        print("  ".join(str(value) for value in row).rstrip())


def _demo_accounts(db: Database, file: Path) -> None:
    """`make run`: a demo database without accounts gets one per role (passwords in `file`); say where they are
    and show them, marked demo only. A database with accounts of its own is left as it is."""
    made = demo.add_demo_accounts(db, file)
    if made or file.is_file():
        lines = [line.split("\t") for line in file.read_text(encoding="utf-8").splitlines() if "\t" in line]
        print(f"演示账号（仅供演示 demo only）: {file}")
        for name, role, password in lines:
            print(f"  {name:<12} {password:<16} {accounts.Role(role).label('zh')} / {accounts.Role(role).label('en')}")
    elif accounts.users(db):
        print(f"{db.path}: 已有账号，请用已有账号登录 (accounts exist: sign in with one of them)")
    else:  # a hospital's own database: no demo accounts; its administrator is made on purpose
        print(
            f"{db.path}: 不是演示数据库，未创建演示账号；请创建管理员 (not the demo database; create its "
            f"administrator): python -m analytics user add --db {db.path} NAME --role admin"
        )


def _template(args: argparse.Namespace) -> int:
    """Write the template; its drop-downs list the database's branches and departments if it exists."""
    kind = RecordKind(args.kind)
    path = args.db or default_db_path()
    lists: dict[str, list[tuple[str, str]]] = {}
    if path.is_file():
        try:
            with Database(path) as db:
                lists = templates.reference_lists(db)
        except (duckdb.IOException, DatabaseBusy) as error:  # e.g. a long import holds the file
            print(f"warning: {path}: {error}; no branch or department lists", file=sys.stderr)
    elif args.db is not None:
        print(f"warning: {path} does not exist; no branch or department lists", file=sys.stderr)
    args.out.write_bytes(templates.template(kind, args.lang, **lists))
    counts = f" ({len(lists['branches'])} branches, {len(lists['departments'])} departments)" if lists else ""
    print(f"{args.out}: {kind.label(args.lang)}{counts}")
    return 0


def _backup_or_restore(args: argparse.Namespace) -> int:
    """Neither opens the database as the other commands do: backup reads it as it stands, restore replaces it."""
    path = args.db or default_db_path()
    try:
        if args.command == "backup":
            result = backup.create(path, args.out, wait=args.wait)
        else:
            result = backup.restore(args.backup, path, wait=args.wait)
            with Database(path) as db:  # the restored trail says it was restored, by whom, from what
                audit.add(db, Actor.operator(), "restore", file=str(args.backup))
    except backup.BackupError as error:
        print(error.message(args.lang), file=sys.stderr)
        return 1
    print(result.model_dump_json() if args.json else backup.describe(result, args.lang))
    return 0


def _import(db: Database, args: argparse.Namespace) -> int:
    operator = Actor.operator()
    options = ImportOptions(
        user=operator.user,
        client=operator.client,
        kind=args.kind,
        sheet=args.sheet,
        encoding=args.encoding,
        scale=args.scale,
        force=args.force,
        replace=args.replace,
        keep_repeats=args.keep_repeats,
        replaces=args.replaces,
        valid_from=args.valid_from,
        include_hidden=args.include_hidden,
        lang=args.lang,
        limits=settings.import_limits(db),  # the database's own (设置 → 导入限制)
    )
    result = importer.import_files(db, [SourceFile.from_path(f) for f in args.files], options)
    if args.json:
        print(result.model_dump_json(exclude={"files": {"__all__": {"error_count"}}}))
        return 0 if result.ok else 1
    lang = args.lang
    for found in result.files:
        kind = found.kind.label(lang) if found.kind else "?"
        if found.skipped:
            status = found.skipped
        elif found.error_count:
            status = t("cli.errors", lang, n=found.error_count)
        elif result.ok:
            status = t("cli.stored", lang, rows=found.rows, batch=found.batch_id)
        else:
            status = t("cli.not_stored", lang)
        read_as = f"{t('cli.sheet', lang, sheet=found.sheet)}" if found.sheet else found.encoding or "-"
        print(f"{found.file} [{kind}, {read_as}]: {status}")
        for line in found.info:
            print(f"  · {line}")
        for warning in found.warnings:
            print(f"  ! {warning}")
        for note in found.row_warnings[:ROW_WARNINGS_SHOWN]:
            print(f"  ! {t('cli.row', lang, row=note.row)}: {note.message}  [{note.code}]")
        if len(found.row_warnings) > ROW_WARNINGS_SHOWN:
            print(f"  ! {t('cli.more_notes', lang, n=len(found.row_warnings) - ROW_WARNINGS_SHOWN)}")
        for error in found.errors:
            where = t("cli.row", lang, row=error.row) if error.row is not None else t("cli.file", lang)
            print(f"  {where}, {error.column or '-'}: {error.message}  [{error.code}]")
        if found.resolution is not None:
            print(f"  → {t('cli.resolve.' + found.resolution.code, lang, action=_action(found.resolution, lang))}")
    storage = any(e.code == "storage" for f in result.files for e in f.errors)  # says itself nothing was stored
    if not result.ok and not storage:
        print(t("cli.nothing_stored", lang), file=sys.stderr)
    return 0 if result.ok else 1


ROW_WARNINGS_SHOWN = 50


def _day(text: str) -> dt.date:
    """A day given on the command line (argparse turns the ValueError into a usage message)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def unavailable(path: Path, error: Exception, lang: str) -> str:
    """Why the database cannot be opened, and what to do, in the user's language (never a traceback)."""
    fault = faults.storage_fault(error)
    if fault == "locked":
        return t("cli.db_locked", lang, path=path)
    if fault == "read-only":
        return t("cli.db_read_only", lang, path=path)
    text = str(error)
    return t("cli.db_unopened", lang, path=path, detail=text.splitlines()[0] if text else type(error).__name__)


def _action(resolution: Resolution, lang: str) -> str:
    values = {"n": resolution.rows, "start": resolution.start, "end": resolution.end, "batch": resolution.batch}
    return t(f"resolve.{resolution.code}", lang, **values)


def _print_metrics(db: Database, args: argparse.Namespace) -> None:
    """The records (JSON: each with `not_reported`, the branches no activities ledger reports), or a table and
    the data-completeness note: the branch × periods not reported (未上报), whose party figures are null."""
    panel = metrics.build_panel(db, args.grain, as_of=args.as_of)
    if args.json:
        print(json.dumps(metrics.records(panel, args.level), ensure_ascii=False))
        return
    rows = metrics.records(panel, args.level, text=True)
    columns = ["unit", *(["branch"] if args.level == "department" else []), "period", *metrics.CLI_FIELDS]
    print(pd.DataFrame(rows, columns=columns).to_string(index=False))
    lines = party.completeness_lines(party.completeness(panel, metrics.Filters(grain=panel.grain)), panel, args.lang)
    if lines:
        print()
        print(t("reported.cli", args.lang))
        for line in lines:
            print(f"  {line}")


def _print_relations(db: Database, args: argparse.Namespace) -> None:
    panel = metrics.build_panel(db, args.grain)
    if args.all:
        found = relations.analyse_all(panel, weighted=args.weighted)
    else:
        found = [relations.analyse_in_family(panel, args.metric, args.outcome, args.lag, weighted=args.weighted)]
    if args.json:
        records = [r.as_dict() for r in found]
        print(json.dumps(records if args.all else records[0], ensure_ascii=False))
        return
    for r in found:
        print(f"{r.metric} → {r.outcome}, lag {r.lag}: {r.finding[args.lang]}")


def _report(db: Database, args: argparse.Namespace) -> int:
    """`report`: build the meeting material, write each format (complete or not at all), record it in the audit
    trail (when the database is writable), print the files written."""
    formats = ("pptx", "pdf") if args.format == "both" else (args.format,)
    try:
        material = report.build(db, args.period, args.scope, args.lang, as_of=args.as_of, generated_by=_operator())
        written = report.write(material, formats, args.out)
    except report.ReportError as error:
        print(error.message(args.lang), file=sys.stderr)
        return 1
    # In the trail, except on a read-only archive: the material is made from it all the same.
    done = {"period": args.period, "scope": args.scope, "format": "+".join(formats)}
    accounts.record_event(db, Actor.operator(), "report", **done)
    for path in written:
        print(path)
    return 0


def _operator() -> str:
    actor = Actor.operator()
    return f"{actor.user} ({actor.client})"


def _print_warnings(db: Database, args: argparse.Namespace) -> int:
    grain = args.grain or (report.grain_of(args.period) if args.period else "quarter")
    panel = metrics.build_panel(db, grain, as_of=args.as_of)
    try:
        found = risk.warnings(panel, risk.overdue_ledger(db, panel.as_of), period=args.period)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    rows = [
        {
            "unit": row.unit,
            "unit_name": row.unit_name,
            "unit_level": row.unit_level,
            "period": row.period,
            "rule": row.rule,
            "severity": row.severity,
            "explanation": getattr(row, f"explanation_{args.lang}"),
            # The SD a satisfaction test assumed (no individual responses to estimate it from), else null.
            "assumed_sd": None if row.assumed_sd is None or pd.isna(row.assumed_sd) else float(row.assumed_sd),
        }
        for row in found.itertuples()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print(t("cli.no_warnings", args.lang))
    for row in rows:
        severity = t(f"risk.severity.{row['severity']}", args.lang)
        print(f"[{severity}] {row['unit']} {t('risk.rule.' + row['rule'], args.lang)}: {row['explanation']}")
    return 0


def _print_history(batches: pd.DataFrame, as_json: bool) -> None:
    if as_json:
        print(batches.to_json(orient="records", date_format="iso", force_ascii=False))
        return
    for row in batches.itertuples():
        undone = "" if pd.isna(row.undone_at) else f"  undone {row.undone_at:%Y-%m-%d %H:%M}"
        when = f"{row.imported_at:%Y-%m-%d %H:%M}"
        print(f"{row.batch_id:>5}  {when}  {row.kind:<24} {row.rows:>9,}  {row.file_name}{undone}")


def _print_status(report: StatusReport, as_json: bool, path: Path) -> None:
    if as_json:
        print(report.model_dump_json())
        return
    print(f"{path}: schema version {report.schema_version}, {report.batches} import batches")
    for kind, n in report.counts.items():
        print(f"  {kind:<12} {n:>10,}")
