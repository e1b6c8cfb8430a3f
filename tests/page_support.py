"""What the AppTest page tests share: test accounts, a signed-in session, opening a page through app.py on a
given database."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from analytics import accounts
from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import t
from pages._auth import SESSION_KEY, Identity

# One account per role in every test database that pages open (`add_test_accounts`), all with this password.
TEST_PASSWORD = "test-password-1"
TEST_ACCOUNTS = {role: f"test-{role.value}" for role in Role}


def add_test_accounts(db: Database | str | Path) -> None:
    """One account per role (TEST_ACCOUNTS, TEST_PASSWORD) in `db` (an open database or a closed file),
    unless it has them."""
    if not isinstance(db, Database):
        with Database(db) as opened:
            add_test_accounts(opened)
        return
    for role, name in TEST_ACCOUNTS.items():
        if accounts.get(db, name) is None:
            accounts.add_user(db, name, role, TEST_PASSWORD)


def signed_in(at: AppTest, role: Role | str = Role.ADMIN) -> AppTest:
    """`at` with its session signed in as the test account of `role` (as the sign-in form leaves it; the
    database must hold the test accounts, see `add_test_accounts`)."""
    role = Role(role)
    at.session_state[SESSION_KEY] = Identity(
        name=TEST_ACCOUNTS[role], display=TEST_ACCOUNTS[role], role=role, client="apptest", last_seen=time.monotonic()
    )
    return at


def open_app_page(
    page: str,
    db_path,
    monkeypatch,
    lang: str = "zh",
    timeout: float = 60,
    role: Role | str = Role.ADMIN,
    params: dict[str, str] | None = None,
    **state: str,
) -> AppTest:
    """`page` (e.g. "pages/party.py") after the app's first run on `db_path`, in `lang`, signed in as the test
    account of `role`, with session state preset (shared filters f_grain, f_from …) and `params` added to the
    URL the page opens with (a shared link's view choices); fails on any exception."""
    monkeypatch.setenv("PBI_DB", str(db_path))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=timeout), role)
    at.query_params["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    # Later runs are the page file alone, which trusts the session: check app.py served and kept it signed in.
    refused = t("auth.no_admin", lang) in [e.value for e in at.error]
    assert not refused and SESSION_KEY in at.session_state, f"not signed in: add_test_accounts({db_path})?"
    at.query_params.update(params or {})
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def plotly_specs(at: AppTest) -> list[dict]:
    """Every chart's Plotly JSON on the page, numeric arrays decoded (Plotly sends them as base64 typed arrays)."""
    return [json.loads(c.proto.spec, object_hook=_decode_array) for c in at.get("plotly_chart")]


def chart(at: AppTest, key: str) -> dict:
    """The Plotly JSON of the chart with widget key `key`, numeric arrays decoded."""
    return next(
        json.loads(c.proto.spec, object_hook=_decode_array)
        for c in at.get("plotly_chart")
        if c.proto.id.endswith(f"-{key}")
    )


def _decode_array(value: dict):
    if set(value) >= {"dtype", "bdata"}:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(n) for n in str(value.get("shape", len(array))).split(",")]
        return array.reshape(shape).tolist()
    return value
