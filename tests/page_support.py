"""What the AppTest page tests share: opening a page through app.py on a given database."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def open_app_page(page: str, db_path, monkeypatch, lang: str = "zh", timeout: float = 60, **state: str) -> AppTest:
    """`page` (e.g. "pages/party.py") after the app's first run on `db_path`, in `lang`, with session state
    preset (shared filters f_grain, f_from …); fails on any exception."""
    monkeypatch.setenv("PBI_DB", str(db_path))
    at = AppTest.from_file("../app.py", default_timeout=timeout)
    at.query_params["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
