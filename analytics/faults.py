"""Faults of the machine, not of the user's file: a full disk, a read-only place, a database another program
holds. Each gets a sentence in the user's language saying what happened and what to do; the details (the
traceback) go to a log file, never to a page or the command line's output.

The log is `pbi-faults.log` in `$PBI_LOG_DIR`, else in a `logs` folder beside the database, else in the
system's temporary directory (a read-only or full disk must not stop the message from being shown).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import tempfile
import traceback
from pathlib import Path

import duckdb

from analytics.i18n import t

LOG_ENV_VAR = "PBI_LOG_DIR"
LOG_NAME = "pbi-faults.log"


def storage_fault(error: BaseException) -> str | None:
    """'disk-full', 'read-only' or 'locked' when `error` (or the error it arose from) is that fault of the
    machine, else None."""
    found = _fault_of(error)
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return found if found is not None or cause is None else storage_fault(cause)


def _fault_of(error: BaseException) -> str | None:
    text = str(error).lower()
    number = getattr(error, "errno", None)
    if number == errno.ENOSPC or "no space left" in text or "disk is full" in text or "disk full" in text:
        return "disk-full"
    if number == errno.EBUSY or "could not set lock" in text or "conflicting lock" in text:
        return "locked"
    if (
        number in (errno.EROFS, errno.EACCES, errno.EPERM)
        or isinstance(error, PermissionError)
        or "read-only" in text
        or "permission denied" in text
    ):
        return "read-only"
    return None


def is_storage_error(error: BaseException) -> bool:
    """A database or file-system error that is the machine's fault (see `storage_fault`)."""
    return isinstance(error, duckdb.Error | OSError) and storage_fault(error) is not None


def describe(error: BaseException, path: Path | str, lang: str) -> str:
    """What happened to the database at `path` and what to do, in the user's language; the details are
    logged (see `log`)."""
    fault = storage_fault(error)
    logged = log(error, Path(path))
    where = t("fault.logged", lang, log=logged) if logged else ""
    if fault is not None:
        return t(f"fault.{fault}", lang, path=path) + where
    return t("fault.other", lang, path=path, kind=type(error).__name__) + where


def page_message(error: BaseException, path: Path | str, lang: str) -> str:
    """What a page says when something failed while it ran (the details logged)."""
    if storage_fault(error) is not None:
        return describe(error, path, lang)
    logged = log(error, Path(path))
    return t("fault.page", lang, kind=type(error).__name__) + (t("fault.logged", lang, log=logged) if logged else "")


def log(error: BaseException, database: Path | None = None) -> Path | None:
    """Append `error` with its traceback to the fault log; returns the log's path (None if no place to write)."""
    entry = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {''.join(traceback.format_exception(error))}\n"
    for folder in _log_folders(database):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / LOG_NAME
            with target.open("a", encoding="utf-8") as handle:
                handle.write(entry)
            return target
        except OSError:
            continue
    return None


def _log_folders(database: Path | None) -> list[Path]:
    folders = []
    if os.environ.get(LOG_ENV_VAR):
        folders.append(Path(os.environ[LOG_ENV_VAR]))
    if database is not None:
        folders.append(database.resolve().parent / "logs")
    folders.append(Path(tempfile.gettempdir()) / "pbi-logs")
    return folders
