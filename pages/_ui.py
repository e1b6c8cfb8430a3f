"""What every page shares: the open database, the current language, cached analytics calls."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from analytics.db import Database, default_db_path
from analytics.i18n import DEFAULT_LANGUAGE, LANGUAGES

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Database:
    return Database(path)


_shell = threading.local()


@contextmanager
def shell() -> Iterator[None]:
    """app.py runs the current page inside this, so a page knows it has the app's navigation and sidebar."""
    _shell.active = True
    try:
        yield
    finally:
        _shell.active = False


def ensure_navigation() -> None:
    """Call first on every page. A fresh server runs its very first session in Streamlit's legacy
    `pages/`-folder mode, which runs a page requested by URL (say /import) without app.py: no language
    switch, no sidebar. Then leave that mode and rerun, so that app.py's st.navigation serves the same page
    (each page's url_path equals its file name, so the page requested stays the same)."""
    if getattr(_shell, "active", False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    # Only on a session's first run: a rerun later would drop the click that started this one. (AppTest
    # starts every run in the legacy mode and so runs pages without app.py; its tests still hold.)
    if not st.session_state:
        st.rerun()


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
