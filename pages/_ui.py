"""What every page shares: the open database, the current language, cached analytics calls."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from analytics.db import Database, default_db_path
from analytics.i18n import DEFAULT_LANGUAGE, LANGUAGES

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Database:
    return Database(path)


def database() -> Database:
    """The app's database (`$PBI_DB` or the default file), opened once per process."""
    return _open(str(default_db_path()))


def lang() -> str:
    code = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@st.cache_data(show_spinner=False, max_entries=256)
def _call(_fn: Callable[..., Any], name: str, path: str, data_version: int, args: tuple) -> Any:
    return _fn(_open(path), *args)


def load(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(db, *args)`, cached until the data changes (the key includes the database's data version)."""
    db = database()
    return _call(fn, f"{fn.__module__}.{fn.__qualname__}", str(db.path), db.data_version(), args)


def md_escape(text: str) -> str:
    """Data shown inside markdown is escaped, so a name like `**x**` or `<b>` shows as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
