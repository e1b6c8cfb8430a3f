"""The embedded DuckDB database: the only module that opens it.

* `Database(path)` opens (creating if needed) and migrates the file to the latest schema version.
* `db.reader()` gives the calling thread its own cursor (DuckDB cursors are cheap connections to the same
  database instance), so Streamlit sessions can read concurrently.
* `with db.writer() as cur:` is one transaction, one writer at a time; it bumps the data version that
  caches key on, and rolls back everything if the block raises.
* `with db.session():` holds the file for a block (the app's page runs); when the process's last session
  ends the file is let go, so the command line can open it between two clicks (see `Database`).

Migrations are numbered functions; `schema_version` records which have been applied, so opening an
older database upgrades it and reopening a current one does nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analytics import privacy, queries

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "party_building.duckdb"
DB_ENV_VAR = "PBI_DB"

DEFAULT_HOSPITAL_NAME = "本院"

# How long opening waits while another process holds the file (`$PBI_DB_WAIT` seconds, else this).
WAIT_ENV_VAR = "PBI_DB_WAIT"
DEFAULT_WAIT_SECONDS = 30.0
# How long a write waits for the reads under way (`$PBI_DB_WRITE_WAIT` seconds, else this or the wait above if
# longer): a page's read may compute for a while (a relations analysis under load), and a write given up is
# work the user must redo, where a page given up is a refresh.
WRITE_WAIT_ENV_VAR = "PBI_DB_WRITE_WAIT"
DEFAULT_WRITE_WAIT_SECONDS = 120.0


def default_db_path() -> Path:
    """The database the app and CLI use when none is given: `$PBI_DB`, else `data/party_building.duckdb`."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


# --- Migrations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _v1_records(con: duckdb.DuckDBPyConnection) -> None:
    """Organisation, the five kinds of record, and import batches."""
    con.execute("""
        -- Ids are assigned by the (single) writer as max + 1, so a rebuilt database numbers alike.
        CREATE TABLE import_batches (
            batch_id     INTEGER PRIMARY KEY,
            file_name    VARCHAR NOT NULL,
            sha256       VARCHAR,
            kind         VARCHAR NOT NULL,
            rows         INTEGER NOT NULL CHECK (rows >= 0),
            imported_by  VARCHAR,
            imported_at  TIMESTAMP NOT NULL
        );
        CREATE TABLE branches (
            branch_code              VARCHAR PRIMARY KEY,
            name                     VARCHAR NOT NULL UNIQUE,
            is_joint                 BOOLEAN NOT NULL DEFAULT false,
            member_count             INTEGER NOT NULL CHECK (member_count >= 0),
            secretary_double_leader  BOOLEAN,
            batch_id                 INTEGER
        );
        CREATE TABLE departments (
            department_code  VARCHAR PRIMARY KEY,
            name             VARCHAR NOT NULL UNIQUE,
            category         VARCHAR NOT NULL,
            staff_count      INTEGER NOT NULL CHECK (staff_count >= 0),
            branch_code      VARCHAR NOT NULL,
            batch_id         INTEGER
        );
        CREATE TABLE activities (
            activity_id    BIGINT PRIMARY KEY,
            activity_date  DATE NOT NULL,
            branch_code    VARCHAR NOT NULL,
            activity_type  VARCHAR NOT NULL,
            topic          VARCHAR NOT NULL DEFAULT '',
            attended       INTEGER NOT NULL CHECK (attended >= 0),
            expected       INTEGER CHECK (expected >= 0),
            hours          DOUBLE CHECK (hours >= 0),
            dimension      VARCHAR,
            batch_id       INTEGER
        );
        CREATE TABLE satisfaction_responses (
            submitted_at               TIMESTAMP NOT NULL,
            department_code            VARCHAR NOT NULL,
            population                 VARCHAR NOT NULL,
            score                      DOUBLE NOT NULL CHECK (score BETWEEN 0 AND 100),
            item_environment           DOUBLE,
            item_doctor_communication  DOUBLE,
            item_nurse_communication   DOUBLE,
            item_waiting_time          DOUBLE,
            item_privacy               DOUBLE,
            item_cost                  DOUBLE,
            item_pay_benefits          DOUBLE,
            item_development           DOUBLE,
            item_work_environment      DOUBLE,
            item_superior_relations    DOUBLE,
            item_peer_relations        DOUBLE,
            batch_id                   INTEGER
        );
        CREATE TABLE satisfaction_aggregates (
            department_code  VARCHAR NOT NULL,
            period_grain     VARCHAR NOT NULL,
            period_start     DATE NOT NULL,
            population       VARCHAR NOT NULL,
            score            DOUBLE NOT NULL CHECK (score BETWEEN 0 AND 100),
            respondents      INTEGER NOT NULL CHECK (respondents > 0),
            batch_id         INTEGER
        );
        CREATE TABLE discipline_records (
            record_id                BIGINT PRIMARY KEY,
            record_date              DATE NOT NULL,
            department_code          VARCHAR NOT NULL,
            category                 VARCHAR NOT NULL,
            summary                  VARCHAR NOT NULL DEFAULT '',
            persons_pseudonymised    VARCHAR[] NOT NULL DEFAULT [],
            status                   VARCHAR NOT NULL DEFAULT 'not_required',
            rectification_deadline   DATE,
            rectification_completed  DATE,
            batch_id                 INTEGER
        );
        -- '2024Q1', '2024-03' or '2024': the one definition of a period label.
        CREATE MACRO period_label(d, grain) AS CASE grain
            WHEN 'month' THEN strftime(d, '%Y-%m')
            WHEN 'quarter' THEN strftime(d, '%Y') || 'Q' || quarter(d)::VARCHAR
            ELSE strftime(d, '%Y') END;
    """)


def _v2_meta_and_settings(con: duckdb.DuckDBPyConnection) -> None:
    """Database facts (hospital name, pseudonymisation secret, data version) and user settings."""
    con.execute("""
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
        CREATE TABLE settings (key VARCHAR PRIMARY KEY, value JSON NOT NULL, updated_at TIMESTAMP NOT NULL);
    """)
    # The secret keys the pseudonyms of persons in discipline records; it never leaves this database.
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ["hospital_name", DEFAULT_HOSPITAL_NAME],
            ["pseudonym_secret", secrets.token_hex(32)],
            ["data_version", "0"],
        ],
    )


# The record tables as they stood at version 3 (a migration is frozen in time, so not queries.RECORD_TABLES).
_SHADOWED = (
    "branches",
    "departments",
    "activities",
    "satisfaction_responses",
    "satisfaction_aggregates",
    "discipline_records",
)


def _v3_undo_and_replace(con: duckdb.DuckDBPyConnection) -> None:
    """Undo marks a batch instead of forgetting it; rows an import replaced wait in `<table>_replaced`
    (with the batch that replaced them) so undoing that import can put them back."""
    con.execute("""
        ALTER TABLE import_batches ADD COLUMN encoding VARCHAR;
        ALTER TABLE import_batches ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE import_batches ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE import_batches ADD COLUMN undone_at TIMESTAMP;
    """)
    for table in _SHADOWED:
        con.execute(f"CREATE TABLE {table}_replaced AS SELECT *, NULL::INTEGER AS replaced_by FROM {table} LIMIT 0")


def _v4_response_ids_and_source_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Survey responses keep the survey platform's own response id (答卷编号), when the file has one: a
    re-exported answer is recognised by it, not by comparing its cells. Every imported record keeps the
    row of its file it came from (`source_row`, the row number a spreadsheet shows), beside its batch."""
    for table in ("satisfaction_responses", "satisfaction_responses_replaced"):
        con.execute(f"ALTER TABLE {table} ADD COLUMN response_id VARCHAR")
    for table in _SHADOWED:
        for name in (table, f"{table}_replaced"):
            con.execute(f"ALTER TABLE {name} ADD COLUMN source_row BIGINT")


def _v5_history_ids_and_status(con: duckdb.DuckDBPyConnection) -> None:
    """The organisation has history: each version of a branch or department is valid from a day
    (`valid_from`; the earliest version also stands for every period before it), so the registers are keyed
    by code and day; what was stored before stands for all time. Activities and discipline records keep the
    source's own id (活动编号, 案件编号) when the file has one, and activities whether they took place
    (`status`: held, not held, cancelled). A batch records the batch it corrects (`replaces`) and, for a
    register, the day it is valid from."""
    con.execute("ALTER TABLE import_batches ADD COLUMN replaces INTEGER")
    con.execute("ALTER TABLE import_batches ADD COLUMN valid_from DATE")
    for table, key in (("branches", "branch_code"), ("departments", "department_code")):
        con.execute(f"ALTER TABLE {table}_replaced ADD COLUMN valid_from DATE")
        con.execute(f"CREATE TEMP TABLE pbi_old AS SELECT *, {ALWAYS} AS valid_from FROM {table}")
        con.execute(f"DROP TABLE {table}")
        columns = _REGISTER_COLUMNS[table]
        con.execute(
            f"CREATE TABLE {table} ({columns}, valid_from DATE NOT NULL DEFAULT {ALWAYS}, batch_id INTEGER, "
            "source_row BIGINT, "
            f"PRIMARY KEY ({key}, valid_from))"
        )
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM pbi_old")
        con.execute("DROP TABLE pbi_old")
        con.execute(f"UPDATE {table}_replaced SET valid_from = {ALWAYS}")
    for table in ("activities", "discipline_records"):
        for name in (table, f"{table}_replaced"):
            con.execute(f"ALTER TABLE {name} ADD COLUMN source_id VARCHAR")
    for name in ("activities", "activities_replaced"):
        con.execute(f"ALTER TABLE {name} ADD COLUMN status VARCHAR DEFAULT 'held'")
        con.execute(f"UPDATE {name} SET status = 'held'")
    # The register as it stands today: each code's latest version valid by today (else its earliest).
    for table, key in (("branches", "branch_code"), ("departments", "department_code")):
        con.execute(f"""
            CREATE VIEW {table}_now AS SELECT * FROM {table}
            QUALIFY row_number() OVER (PARTITION BY {key}
                ORDER BY CASE WHEN valid_from <= current_date THEN valid_from END DESC NULLS LAST, valid_from) = 1
        """)


# `valid_from` of a register row stored without one (a version that stands for all time).
ALWAYS = "DATE '1900-01-01'"

# The registers' columns as they stood at version 4 (before the key and `valid_from`).
_REGISTER_COLUMNS = {
    "branches": "branch_code VARCHAR NOT NULL, name VARCHAR NOT NULL, is_joint BOOLEAN NOT NULL DEFAULT false, "
    "member_count INTEGER NOT NULL CHECK (member_count >= 0), secretary_double_leader BOOLEAN",
    "departments": "department_code VARCHAR NOT NULL, name VARCHAR NOT NULL, category VARCHAR NOT NULL, "
    "staff_count INTEGER NOT NULL CHECK (staff_count >= 0), branch_code VARCHAR NOT NULL",
}


def _v6_accounts_and_audit(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts (who may sign in, with which role; `accounts.py`) and the audit trail (who did what, when,
    from where; `audit.py`: rows are only ever added). A setting records who changed it last."""
    con.execute("""
        CREATE TABLE users (
            name VARCHAR PRIMARY KEY,
            display VARCHAR NOT NULL,
            role VARCHAR NOT NULL,
            active BOOLEAN NOT NULL DEFAULT true,
            source VARCHAR NOT NULL DEFAULT 'local',
            password_hash VARCHAR,
            created_at TIMESTAMP NOT NULL,
            last_sign_in TIMESTAMP
        );
        CREATE SEQUENCE audit_ids START 1;
        CREATE TABLE audit_log (
            id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
            happened_at TIMESTAMP NOT NULL,
            user_name VARCHAR,
            client VARCHAR,
            action VARCHAR NOT NULL,
            detail JSON
        );
        CREATE INDEX audit_when ON audit_log (happened_at);
        ALTER TABLE settings ADD COLUMN updated_by VARCHAR;
    """)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "records and import batches", _v1_records),
    Migration(2, "meta and settings", _v2_meta_and_settings),
    Migration(3, "undo and replace", _v3_undo_and_replace),
    Migration(4, "survey response ids and source rows", _v4_response_ids_and_source_rows),
    Migration(5, "organisation history, source ids, meeting status", _v5_history_ids_and_status),
    Migration(6, "accounts and audit trail", _v6_accounts_and_audit),
)
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration, 0 for an empty database."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, target: int = LATEST_VERSION) -> int:
    """Apply the pending migrations up to `target`, each in its own transaction; returns the new version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            con.begin()
            try:
                migration.apply(con)
                con.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    [migration.version, migration.description, dt.datetime.now()],
                )
                con.commit()
            except Exception:
                con.rollback()
                raise
            current = migration.version
    return current


# --- Connections ---------------------------------------------------------------------------------------


class Database:
    """One database file, shared with the other processes that use it: readers side by side, one writer at a
    time, and nobody holding the file between two page runs.

    DuckDB lets many processes open a file read-only at once, or one process read-write, never both. So:

    * **Reads share the file.** A page run (`session()`) and a command that only reads open it read-only:
      the app's sessions, `status`, `metrics` and a backup read side by side, none waits for another.
    * **A write takes it alone, briefly.** `writer()` queues at the turnstile (`<db>.lock`, see `Turnstile`):
      from then on new readers of every process wait at the turnstile, the reads under way finish, and the
      writer reopens the file read-write, writes in one transaction and lets go. So a steady stream of page
      runs cannot keep a writer out, and a write keeps readers out only while it stores (an import reads and
      decodes its files before it queues).
    * **The app holds the file only while it reads.** Its database is `scoped`: every read is inside a
      session (`pages._ui.load` makes each cached read one), a write outside a session lets go after it, and
      when the process's last session ends its connections close. So a page that draws its charts holds
      nothing, and a queued writer waits for queries, never for drawing. Outside the app (the command line,
      tests) the file stays open from first use until `close()`.
    * **Every wait is bounded**: a read waits `wait` seconds (`$PBI_DB_WAIT`, default 30), a write
      `write_wait` (`$PBI_DB_WRITE_WAIT`, default 120), then `DatabaseBusy` (a page says the database is busy;
      the command line says so and exits 1).

    A database on a read-only disk or folder (an archive) opens read-only and stays so: pages and read
    commands work, a write raises `ReadOnlyDatabase`. Opening writes nothing unless the file is new, needs a
    migration, or still holds its pseudonym key (see `_key_outside`).
    """

    def __init__(self, path: str | Path | None = None, wait: float | None = None, *, scoped: bool = False) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        # Scoped (the app): every read happens inside a session, and a write outside one lets go after it.
        self.scoped = scoped
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.wait = wait if wait is not None else float(os.environ.get(WAIT_ENV_VAR) or DEFAULT_WAIT_SECONDS)
        self.write_wait = float(os.environ.get(WRITE_WAIT_ENV_VAR) or max(self.wait, DEFAULT_WRITE_WAIT_SECONDS))
        self.turnstile = Turnstile(self.path)
        self._state = threading.Condition()  # guards the counts below; notified whenever one changes
        self._active = 0  # sessions running (a session waiting to write does not count)
        self._writers = 0  # threads waiting to write or writing: new sessions wait for them
        self._writing = False
        self._open_lock = threading.RLock()  # guards the connection, its mode and its cursors
        self._con: duckdb.DuckDBPyConnection | None = None
        self._mode: str | None = None  # "read" or "write"
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._generation = 0  # bumped at each opening: a thread's cursor of an earlier one is stale
        self._local = threading.local()
        self._known: tuple[tuple, int] | None = None  # (the files' stamp, the data version read with it)
        self.read_only = self.path.is_file() and not _writable(self.path)
        if self.read_only or (self.path.is_file() and self._current(self._open("read"))):
            if scoped:
                self._let_go()
            return
        self._let_go()
        try:
            with self.turnstile.exclusive(self.write_wait):
                con = self._open("write")
                migrate(con)
                self._key_outside()
        except duckdb.IOException as error:
            if not self.path.is_file() or not _cannot_write(error):
                raise
            self.read_only = True  # a place the checks above took for writable (a read-only mount seen as root)
            self._open("read")
        if scoped:
            self._let_go()

    def _current(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Whether the open file needs no writing: migrated to the latest version, its key already outside."""
        if schema_version(con) != LATEST_VERSION:
            return False
        stored = con.execute(queries.META_VALUE, ["pseudonym_secret"]).fetchone()
        return stored is None or not _key_movable(self.path, stored[0])

    def _open(self, mode: str) -> duckdb.DuckDBPyConnection:
        """The open connection if it can do `mode` ("read" or "write"), else the file (re)opened so, waiting
        for other processes to let go of it."""
        with self._open_lock:
            if self._con is not None and (self._mode == mode or self._mode == "write"):
                return self._con
            self._let_go()
            if mode == "read":
                self.turnstile.pass_through(self.wait)
            wait = self.wait if mode == "read" else self.write_wait
            self._con = connect_waiting(self.path, read_only=mode == "read", wait=wait)
            self._mode = mode
            self._generation += 1
            return self._con

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._open_lock:
            cursor = (self._con if self._con is not None else self._open("read")).cursor()
            self._cursors.append(cursor)
            return cursor

    @contextmanager
    def session(self) -> Iterator[Database]:
        """Hold the file for the block (a page run): wait while a write is under way or queued (in this process
        or another), then open it read-only unless it is open already; when the process's last session ends,
        let go of it."""
        depth = getattr(self._local, "depth", 0)
        if depth:  # a session inside a session: the outer one holds the file
            yield self
            return
        # Behind a write queued in another process (not counted as running meanwhile: the file may be let go).
        self.turnstile.pass_through(self.wait)
        with self._state:
            self._await(lambda: not self._writers)
            self._active += 1
        self._local.depth = 1
        try:
            self._open("read")
            yield self
        finally:
            self._local.depth = 0
            with self._state:
                self._active -= 1
                if not self._active and not self._writers:
                    self._let_go()
                self._state.notify_all()

    def _await(self, ready: Callable[[], bool], wait: float | None = None) -> None:
        """Wait (holding `_state`) until `ready()`, at most `wait` seconds (the read wait by default); else
        DatabaseBusy."""
        wait = self.wait if wait is None else wait
        if not self._state.wait_for(ready, timeout=wait):
            raise DatabaseBusy(errno.EBUSY, f"{self.path}: this program's other sessions did not end in {wait:g} s")

    def _let_go(self) -> None:
        """Close every connection of this process to the file, so that other processes can open it."""
        with self._open_lock:
            for cursor in self._cursors:
                with contextlib.suppress(duckdb.Error):
                    cursor.close()
            self._cursors.clear()
            if self._con is not None:
                self._con.close()
                self._con, self._mode = None, None

    def reader(self) -> duckdb.DuckDBPyConnection:
        """This thread's read cursor (created on first use, and again after the file was let go or reopened)."""
        if self.scoped and not getattr(self._local, "depth", 0):
            raise RuntimeError("a scoped database is read only inside a session (pages._ui.load does that)")
        cursor, generation = getattr(self._local, "cursor", (None, 0))
        if cursor is None or generation != self._generation or self._con is None:
            cursor = self._cursor()
            self._local.cursor = (cursor, self._generation)
        return cursor

    @contextmanager
    def writer(self, *, bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor in one transaction; commits (bumping the data version, unless `bump` is false: a sign-in's
        audit row changes no figure, so it keeps every cache) only if the block succeeds. Waits
        for this process's other sessions and other writers, then queues at the turnstile for other processes'
        readers and writers (each wait bounded, see the class)."""
        if self.read_only:
            raise ReadOnlyDatabase(errno.EROFS, f"{self.path} is on a read-only disk or folder (read-only file)")
        in_session = bool(getattr(self._local, "depth", 0))
        with self._state:
            self._writers += 1
            if in_session:  # this page run waits to write: it no longer keeps the write out
                self._active -= 1
                self._state.notify_all()
            try:
                self._await(lambda: not self._writing and not self._active, self.write_wait)
            except BaseException:
                self._writers -= 1
                self._active += in_session
                self._state.notify_all()
                raise
            self._writing = True
        try:
            with self.turnstile.exclusive(self.write_wait):
                try:
                    self._open("write")
                except duckdb.IOException as error:
                    if _cannot_write(error):
                        raise ReadOnlyDatabase(errno.EROFS, f"{self.path}: {error}") from error
                    raise
                cursor = self._cursor()
                try:
                    yield from _transaction(cursor, bump)
                finally:
                    with self._open_lock, contextlib.suppress(ValueError):
                        self._cursors.remove(cursor)
        finally:
            with self._state:
                self._writing = False
                self._writers -= 1
                self._active += in_session
                if self.scoped and not self._active and not self._writers:
                    self._let_go()
                self._state.notify_all()

    def _key_outside(self) -> None:
        """Move the pseudonym key out of the database into its key file (`privacy.key_path`), once: databases
        made before the key file kept it in `meta`. Where the key file cannot be written (a read-only place)
        the key stays where it is until it can."""
        con = self._open("write")
        row = con.execute(queries.META_VALUE, ["pseudonym_secret"]).fetchone()
        if row is None or not _key_movable(self.path, row[0]):
            return
        try:
            privacy.write_key(self.path, row[0])
        except FileExistsError:
            pass  # the same key (`_key_movable`)
        except OSError:
            return
        con.execute("DELETE FROM meta WHERE key = 'pseudonym_secret'")

    def pseudonym_secret(self) -> str:
        """The key persons are pseudonymised with (`privacy`); raises privacy.KeyMissing without its key file."""
        stored = self.meta("pseudonym_secret")
        return stored if stored is not None else privacy.read_key(self.path)

    def data_version(self) -> int:
        """Grows with every committed write: a cache key that changes when the data does."""
        return int(self.meta("data_version"))

    def known_version(self) -> int:
        """`data_version()` without opening the file while it is unchanged: read (in a session) once, then again
        only when the file or its write-ahead log has changed since (any process's commit writes one of them),
        as their stamps say. A page whose figures are all cached so opens no connection to draw them.

        A stamp taken within RACY_SECONDS of the files' last change is not relied on (as git does with its
        index): on a file system with coarse timestamps a second write in the same tick, of the same size,
        would leave the stamp as it was; until the files have been still that long, the version is read."""
        known = self._known
        if known is not None and known[0] == self._stamp():
            return known[1]
        with self.session():  # no commit can happen while it is held: the stamp and the version agree
            stamp, version = self._stamp(), self.data_version()
        changed = max((max(s[2], s[3]) for s in stamp if s is not None), default=0)
        self._known = (stamp, version) if time.time_ns() - changed > RACY_SECONDS * 1e9 else None
        return version

    def _stamp(self) -> tuple:
        """What changes whenever the database file or its write-ahead log (`<db>.wal`) is written: for each,
        (inode, size, modified, changed) in nanoseconds, or None where there is no such file."""
        stamps = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                info = path.stat()
            except OSError:
                stamps.append(None)
            else:
                stamps.append((info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
        return tuple(stamps)

    def meta(self, key: str) -> str | None:
        row = self.reader().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self._let_go()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _transaction(cursor: duckdb.DuckDBPyConnection, bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield `cursor` inside one transaction: committed (the data version bumped if `bump`) if the caller's
    block succeeds, else rolled back; the cursor is closed either way."""
    # The importer's parsing macros, temporary: they match this code, and opening writes nothing.
    cursor.execute(queries.PARSE_MACROS)
    cursor.begin()
    try:
        yield cursor
        if bump:
            cursor.execute("UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::VARCHAR WHERE key = 'data_version'")
        cursor.commit()
    except BaseException:
        with contextlib.suppress(duckdb.TransactionException):  # a failed commit has ended it already
            cursor.rollback()
        raise
    finally:
        cursor.close()


def _key_movable(path: Path, stored: str) -> bool:
    """Whether a key still kept in the database can move to its key file: none there yet, or the same key
    (another database's key file stays, and so does this database's key: its pseudonyms were made with it)."""
    try:
        return privacy.read_key(path) == stored
    except privacy.KeyMissing:
        return True
    except OSError:
        return False


def _writable(path: Path) -> bool:
    """Whether the database file and its folder can be written (DuckDB writes a `.wal` beside the file)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


class Turnstile:
    """Where writers of every process queue: an empty lock file beside the database (`<db>.lock`).

    A writer holds it exclusively (`exclusive`) from before it opens the file read-write until it has let go;
    a reader passes through it (`pass_through`: a shared lock taken and dropped at once) before each page run
    or read command. So once a writer waits, new readers wait behind it, the reads under way end, and the
    writer gets the file; DuckDB's own locks, which no one queues for, would let a steady stream of overlapping
    page runs keep a writer out for ever. Where the lock file cannot be made (a read-only place) nobody can
    write, and the turnstile lets everyone through.
    """

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")

    @contextmanager
    def exclusive(self, wait: float) -> Iterator[None]:
        try:
            handle = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            yield
            return
        try:
            _flock(handle, fcntl.LOCK_EX if fcntl else 0, wait, self.path)
            yield
        finally:
            os.close(handle)  # and with it the lock

    def pass_through(self, wait: float) -> None:
        try:
            handle = os.open(self.path, os.O_RDONLY)
        except OSError:  # no writer has queued here yet, or a read-only place
            return
        try:
            _flock(handle, fcntl.LOCK_SH if fcntl else 0, wait, self.path)
        finally:
            os.close(handle)


def _flock(handle: int, operation: int, wait: float, path: Path) -> None:
    """Take the lock `operation` on `handle`, trying again for up to `wait` seconds; else DatabaseBusy."""
    if fcntl is None:  # no file locks here (Windows): DuckDB's own locks still keep writers apart
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DatabaseBusy(errno.EBUSY, f"{path}: another program's write did not end in {wait:g} s") from None
        time.sleep(min(TURNSTILE_RETRY_SECONDS, left))


# How long after the database's last change its stamp is relied on (`Database.known_version`): longer than the
# timestamp granularity of any file system it may sit on (FAT and some network shares: 2 s).
RACY_SECONDS = 3.0

# How often a wait at the turnstile tries again.
TURNSTILE_RETRY_SECONDS = 0.05


class DatabaseBusy(TimeoutError):
    """The database stayed held by a write (of this program or another) for longer than the wait."""


class ReadOnlyDatabase(OSError):
    """A write asked of a database opened read-only (its disk or folder cannot be written)."""


def _cannot_write(error: BaseException) -> bool:
    """Whether opening failed because the file or its folder cannot be written (then it can be read)."""
    text = str(error).lower()
    return "read-only file system" in text or "permission denied" in text


# --- The file as it stands (backup and restore) --------------------------------------------------------

# How often to try again while another process holds the file.
LOCK_RETRY_SECONDS = 0.25


def is_locked(error: BaseException) -> bool:
    """Whether opening failed because another process holds the file (DuckDB locks a database per process:
    one that has it open read-write keeps every other process out), or a wait for a write ran out."""
    return isinstance(error, DatabaseBusy) or (isinstance(error, duckdb.IOException) and "lock" in str(error).lower())


def open_file(path: Path, *, read_only: bool, wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """An existing database file as it stands: not migrated, never created (backup reads a database so;
    restore holds its target so, to know no other process has it and keep them out). While another process
    holds the file, tries again for up to `wait` seconds, then raises the lock error."""
    if not path.is_file():
        raise FileNotFoundError(path)
    if read_only:
        Turnstile(path).pass_through(wait)  # a reader: behind a write queued there
    return connect_waiting(path, read_only=read_only, wait=wait)


def connect_waiting(path: Path, *, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect(path)`, trying again for up to `wait` seconds while another process holds the file."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            left = deadline - time.monotonic()
            if not is_locked(error) or left <= 0:
                raise
        time.sleep(min(LOCK_RETRY_SECONDS, left))
