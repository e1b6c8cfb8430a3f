"""Backup and restore (备份与恢复): the whole database copied by DuckDB itself, and put back.

* `create(database, out)` opens the database read-only, as it stands (never creating or migrating it), and
  copies it with DuckDB's `COPY FROM DATABASE` into a new file beside OUT: every table (the records and
  their `_replaced` tables, import batches, settings, `meta`, `schema_version`), view and macro. The copy is
  one transaction, so it is consistent; it is checked (tables, views, macros and rows per table, read back
  from the file) and only then renamed onto OUT, so OUT is never half written. A backup is itself a
  database file of this product: the app and every command can open it.
* DuckDB locks a file per process: while another process has it open read-write (the running app), no
  other process can open it at all. `create` tries again for up to `wait` seconds and then says the
  database is busy. While it reads, it holds a shared lock that keeps writers out for those seconds.
  `snapshot(con, out)` is the copy itself from any open connection, so the process that holds the database
  (the app) can back it up too: one statement sees one consistent state while other sessions write.
* `restore(backup, target)` refuses a file that is not a database of this product, or is one of a newer
  schema version than this code knows, and a target that another process has open or that is not a
  database of this product. It copies the backup (again through DuckDB, so a live copy's write-ahead log
  comes along) into a new file beside the target, migrates the copy so that an older backup reaches the
  latest version, keeps the database it replaces as `<target>.before-restore`, and renames the copy onto the
  target. Whatever fails before that rename leaves the target as it was.

The pseudonym key (`privacy`): a backup holds what the database holds. A database made before the key file
keeps the key in `meta`, so its backups hold it and must be kept as carefully as the database; the first
opening of the restored database moves it to the key file, as for any database. A database whose key is in
its key file (`privacy.key_path`) has backups without it: the key file is backed up apart, and a database
restored to a new place needs it copied beside it, which `restore` says (`RestoreResult.key_file`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import duckdb
from pydantic import BaseModel

from analytics import db, privacy
from analytics.i18n import t

# How long `create` waits, by default, while another process holds the database.
DEFAULT_WAIT_SECONDS = 60.0

# The suffix of the database a restore replaced (kept beside it; the next restore replaces it).
PREVIOUS_SUFFIX = ".before-restore"


class BackupError(Exception):
    """A backup or restore that was not done; `code` names its message (`backup.<code>` in i18n)."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values

    def message(self, lang: str = "zh") -> str:
        return t(f"backup.{self.code}", lang, **self.values)


class BackupResult(BaseModel):
    database: Path
    backup: Path
    schema_version: int
    tables: dict[str, int]  # rows per table
    bytes: int
    holds_key: bool  # the pseudonym key is in the backup (in `meta`), not only in the key file
    key_file: Path  # the database's key file (never in the backup: it is backed up apart)


class RestoreResult(BaseModel):
    backup: Path
    database: Path
    backup_version: int  # the schema version the backup was made at
    schema_version: int  # the restored database's, after migrations
    previous: Path | None  # where the database it replaced was kept
    holds_key: bool  # the pseudonym key came with the backup (in `meta`)
    key_file: Path  # where the restored database's key file is looked for
    key_file_exists: bool


def create(database: Path, out: Path | str, *, wait: float = DEFAULT_WAIT_SECONDS) -> BackupResult:
    """Back up `database` into the file `out` (replaced if it exists), or into a dated file if `out` is a
    folder (an existing one, or a path ending in '/', made if missing). Raises `BackupError` when it cannot;
    the database is never changed."""
    folder = str(out).endswith(("/", os.sep))
    database, out = Path(database), Path(out)
    if folder or out.is_dir():
        out = out / f"{database.stem}-{dt.datetime.now():%Y%m%d-%H%M%S}.duckdb"
    if not database.is_file():
        raise BackupError("missing", path=database)
    if _same_file(database, out):
        raise BackupError("same_file", path=out)
    try:
        con = db.open_file(database, read_only=True, wait=wait)
    except (duckdb.Error, OSError) as error:
        if db.is_locked(error):
            raise BackupError("busy", path=database, wait=f"{wait:g}") from None
        raise _unreadable(error, database) from None
    with closing(con):
        version = product_version(con)
        if version is None:
            raise BackupError("not_ours", path=database)
        key_in_backup = holds_key(con)
        try:
            tables = snapshot(con, out)
        except (duckdb.Error, OSError) as error:
            raise BackupError("unwritable", path=out, detail=_first_line(error)) from None
    return BackupResult(
        database=database,
        backup=out,
        schema_version=version,
        tables=tables,
        bytes=out.stat().st_size,
        holds_key=key_in_backup,
        key_file=privacy.key_path(database),
    )


def snapshot(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    """Copy the database `con` is connected to into the file `out`, replacing it only once the copy is
    complete and checked; returns the rows per table. Raises DuckDB's or the file system's error (a full
    disk, a folder that cannot be written) with nothing left behind."""
    out = Path(out)
    partial = _partial(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tables = _copy(con, partial, shown=out)
        os.chmod(partial, 0o600)  # discipline records (and an older database's pseudonym key): owner only
        os.replace(partial, out)
    finally:
        _remove(partial)
    return tables


def restore(backup: Path, target: Path, *, wait: float = DEFAULT_WAIT_SECONDS) -> RestoreResult:
    """Replace the database `target` (or create it) with the backup `backup`, at the latest schema version.
    Raises `BackupError` when it cannot; the target is then as it was.

    A restore is a write: it queues at the target's turnstile (`db.Turnstile`) and waits up to `wait` seconds
    for the page runs and commands under way to let go, so it can run while the app serves; the restored
    file's data version is above both the replaced one's and the backup's, so no cache keyed on it (the
    app's) can serve figures of the database it replaced."""
    backup, target = Path(backup), Path(target)
    if not backup.is_file():
        raise BackupError("no_backup", path=backup)
    if _same_file(backup, target):
        raise BackupError("same_file", path=target)
    try:
        con = db.open_file(backup, read_only=True)
    except (duckdb.Error, OSError) as error:
        if db.is_locked(error):
            raise BackupError("backup_in_use", path=backup) from None
        if _not_a_database(error):
            raise BackupError("not_a_database", path=backup) from None
        raise _unreadable(error, backup) from None
    with closing(con):
        version = product_version(con)
        if version is None:
            raise BackupError("not_ours", path=backup)
        if version > db.LATEST_VERSION:
            raise BackupError("newer", path=backup, version=version, latest=db.LATEST_VERSION)
        key_in_backup = holds_key(con)
        _refuse_foreign(target, wait)  # before queuing: the queue leaves its lock file beside the target
        with _queued(target, wait):
            now, previous = _replace(con, target, wait)
    return RestoreResult(
        backup=backup,
        database=target,
        backup_version=version,
        schema_version=now,
        previous=previous,
        holds_key=key_in_backup,
        key_file=privacy.key_path(target),
        key_file_exists=privacy.key_path(target).is_file(),
    )


def _refuse_foreign(target: Path, wait: float) -> None:
    """Refuse a target that is not a database of this product (`_hold` checks again, holding it)."""
    if not target.exists():
        return
    if not target.is_file():
        raise BackupError("target_foreign", path=target)
    try:
        with closing(db.open_file(target, read_only=True, wait=wait)) as con:
            if _foreign(con):
                raise BackupError("target_foreign", path=target)
    except (duckdb.Error, OSError) as error:
        if _not_a_database(error):
            raise BackupError("target_foreign", path=target) from None
        # Held by a writer, unreadable …: `_hold` says which, holding the queue.


@contextmanager
def _queued(target: Path, wait: float) -> Iterator[None]:
    """Hold the target's turnstile as a writer does (new readers wait behind the restore)."""
    try:
        with db.Turnstile(target).exclusive(wait):
            yield
    except db.DatabaseBusy:
        raise BackupError("target_in_use", path=target, wait=f"{wait:g}") from None


def _replace(con: duckdb.DuckDBPyConnection, target: Path, wait: float) -> tuple[int, Path | None]:
    """Copy the backup `con` reads beside `target`, migrate it, and rename it onto `target` (the replaced
    file kept as `.before-restore`); returns the schema version and the kept file."""
    held = _hold(target, wait)
    partial = _partial(target)
    try:
        replaced_version = _data_version(held) if held is not None else 0
        _copy(con, partial, shown=target)
        # Migrated on a plain connection: `Database` would also move a key in `meta` to a key file beside
        # this temporary copy; the first opening of the restored database does that where it belongs.
        with closing(db.open_file(partial, read_only=False)) as copy:
            now = db.migrate(copy)
            copy.execute(
                "UPDATE meta SET value = ? WHERE key = 'data_version'",
                [str(max(replaced_version, _data_version(copy)) + 1)],
            )
        _check_closed(partial)
        if held is not None:
            _same_owner_and_mode(partial, target)
        previous = _keep_previous(target) if held is not None else None
        try:
            os.replace(partial, target)
        except OSError:
            if previous is not None:
                _remove(previous)
            raise
    except (duckdb.Error, OSError) as error:
        raise BackupError("restore_failed", path=target, detail=_first_line(error)) from None
    finally:
        _remove(partial)
        if held is not None:
            held.close()
    return now, previous


def _data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The database's data version (0 where there is none yet: a database older than `meta`)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0


def describe(result: BackupResult | RestoreResult, lang: str = "zh") -> str:
    """What was done, and what the user must know about the pseudonym key, in the user's language."""
    if isinstance(result, BackupResult):
        sentences = [
            t(
                "backup.done",
                lang,
                database=result.database,
                backup=result.backup,
                version=result.schema_version,
                tables=len(result.tables),
                rows=sum(result.tables.values()),
                size=f"{result.bytes / 1e6:.1f} MB",
            ),
            t("backup.holds_key", lang) if result.holds_key else t("backup.key_apart", lang, key_file=result.key_file),
        ]
    else:
        sentences = [
            t(
                "backup.restored",
                lang,
                backup=result.backup,
                database=result.database,
                from_version=result.backup_version,
                version=result.schema_version,
            )
        ]
        if result.previous is not None:
            sentences.append(t("backup.previous", lang, previous=result.previous))
        if not result.holds_key:
            found = "backup.key_found" if result.key_file_exists else "backup.key_missing"
            sentences.append(t(found, lang, key_file=result.key_file))
    return ("" if lang == "zh" else " ").join(sentences)


def product_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version of the database `con` is connected to if it is a database of this product, else
    None. The mark is the first migration in `schema_version`: migrations are frozen in time, so every
    database this product made has it, and other programs' `schema_version` tables do not."""
    try:
        rows = con.execute("SELECT version, description FROM schema_version ORDER BY version").fetchall()
    except duckdb.Error:
        return None
    if not rows or tuple(rows[0]) != (1, db.MIGRATIONS[0].description):
        return None
    return int(rows[-1][0])


def holds_key(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database keeps its pseudonym key in `meta` (made before the key file, not opened since)."""
    try:
        return con.execute("SELECT count(*) FROM meta WHERE key = 'pseudonym_secret'").fetchone()[0] > 0
    except duckdb.CatalogException:  # version 1: no meta yet
        return False


# --- The copy ------------------------------------------------------------------------------------------

_aliases = itertools.count()


def _copy(con: duckdb.DuckDBPyConnection, path: Path, shown: Path) -> dict[str, int]:
    """Copy the connection's database into a new file at `path` and check the file: the same tables with
    the same rows, views and macros. `shown` is the path a mismatch is reported under."""
    _remove(path)
    source = con.execute("SELECT current_database()").fetchone()[0]
    alias = f"pbi_backup_{os.getpid()}_{next(_aliases)}"
    con.execute(f"ATTACH {_literal(path)} AS {_name(alias)} (TYPE DUCKDB, READ_WRITE)")
    try:
        con.begin()  # the copy and the counts it is checked against see one state of the database
        try:
            con.execute(f"COPY FROM DATABASE {_name(source)} TO {_name(alias)}")
            expected = _contents(con, source)
            con.commit()
        except BaseException:
            with suppress(duckdb.Error):
                con.rollback()
            raise
    except BaseException:
        with suppress(duckdb.Error):
            con.execute(f"DETACH {_name(alias)}")
        raise
    con.execute(f"DETACH {_name(alias)}")
    _check_closed(path)
    # Read back what reached the disk.
    con.execute(f"ATTACH {_literal(path)} AS {_name(alias)} (TYPE DUCKDB, READ_ONLY)")
    try:
        copied = _contents(con, alias)
    finally:
        con.execute(f"DETACH {_name(alias)}")
    for key in sorted(set(expected) | set(copied)):
        if expected.get(key) != copied.get(key):
            raise BackupError("mismatch", path=shown, what=key)
    return {key.removeprefix("table "): rows for key, rows in expected.items() if key.startswith("table ")}


def _contents(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """'table <name>' → rows, 'view <name>' and 'macro <name>' → 0, for one attached database."""
    found: dict[str, int] = {}
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY ALL", [catalog]
    ).fetchall()
    for schema, table in tables:
        label = table if schema == "main" else f"{schema}.{table}"
        found[f"table {label}"] = con.execute(
            f"SELECT count(*) FROM {_name(catalog)}.{_name(schema)}.{_name(table)}"
        ).fetchone()[0]
    for kind, query in (
        ("view", "SELECT view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal"),
        (
            "macro",
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = ? AND NOT internal "
            "AND function_type IN ('macro', 'table_macro')",
        ),
    ):
        for (name,) in con.execute(query, [catalog]).fetchall():
            found[f"{kind} {name}"] = 0
    return found


def _hold(target: Path, wait: float) -> duckdb.DuckDBPyConnection | None:
    """The target opened read-write and checkpointed: no other process has it, and none can take it while
    it is held; None when there is no target yet."""
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BackupError("restore_failed", path=target, detail=_first_line(error)) from None
        return None
    if not target.is_file():
        raise BackupError("target_foreign", path=target)
    try:
        held = db.open_file(target, read_only=False, wait=wait)
    except (duckdb.Error, OSError) as error:
        if db.is_locked(error):
            raise BackupError("target_in_use", path=target, wait=f"{wait:g}") from None
        if _not_a_database(error):
            raise BackupError("target_foreign", path=target) from None
        raise BackupError("restore_failed", path=target, detail=_first_line(error)) from None
    try:
        if _foreign(held):
            raise BackupError("target_foreign", path=target)
        held.execute("CHECKPOINT")  # the file alone is the whole database, for the copy kept of it
    except BaseException:
        held.close()
        raise
    return held


def _foreign(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database `con` reads holds tables but is not a database of this product."""
    tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()").fetchone()
    return bool(tables[0]) and product_version(con) is None


def _keep_previous(target: Path) -> Path:
    """Keep the database a restore replaces as `<target>.before-restore` (a hard link where the file system
    allows, so no space is used twice)."""
    previous = target.with_name(target.name + PREVIOUS_SUFFIX)
    _remove(previous)
    try:
        os.link(target, previous)
    except OSError:  # a file system without hard links
        shutil.copy2(target, previous)
    return previous


def _same_owner_and_mode(path: Path, like: Path) -> None:
    """Give the restored file the replaced one's permissions, and its owner where allowed (a restore run as
    root must not leave the app's user a database it cannot write)."""
    shutil.copymode(like, path)
    status = like.stat()
    with suppress(PermissionError):
        os.chown(path, status.st_uid, status.st_gid)


# --- Small helpers -------------------------------------------------------------------------------------


def _partial(out: Path) -> Path:
    """Where a file is written before it is complete: hidden, beside `out` (so the rename is atomic)."""
    return out.with_name(f".{out.name}.{os.getpid()}.partial")


def _check_closed(path: Path) -> None:
    """A closed database file is whole only without a write-ahead log beside it."""
    if _wal(path).exists():
        raise OSError(f"{path} was not checkpointed")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    """Remove a file and its write-ahead log if they are there (a cleanup: it never raises)."""
    for name in (path, _wal(path)):
        with suppress(OSError):
            name.unlink()


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _not_a_database(error: BaseException) -> bool:
    return "not a valid duckdb database" in str(error).lower()


def _unreadable(error: BaseException, path: Path) -> BackupError:
    return BackupError("unreadable", path=path, detail=_first_line(error))


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
