"""审计日志 Audit trail (administrators): filter by date, user and action; download what is shown. Read
fresh on every visit (sign-ins do not change the data version the page caches key on)."""

import datetime as dt

import streamlit as st

from analytics import audit
from analytics.i18n import t
from pages._auth import require
from pages._ui import Title, database, downloads, ensure_navigation, lang, today

ensure_navigation()
who = require("audit")

L = lang()
db = database()
st.title(t("audit.title", L))
st.caption(t("audit.caption", L))

columns = st.columns(4)
since = columns[0].date_input(t("audit.since", L), value=today() - dt.timedelta(days=30), key="audit_since")
until = columns[1].date_input(t("audit.until", L), value=today(), key="audit_until")
user = columns[2].text_input(t("audit.user", L), key="audit_user", max_chars=128)
action = columns[3].selectbox(
    t("audit.action", L),
    [None, *audit.ACTIONS],
    format_func=lambda a: t("audit.any", L) if a is None else audit.action_label(a, L),
    key="audit_action",
)
with db.session():
    frame = audit.rows(db, since=since, until=until, user=user.strip() or None, action=action)
shown = audit.table(frame, L)
st.caption(t("audit.count", L, n=f"{len(shown):,}"))
st.dataframe(shown, hide_index=True, width="stretch", key="audit_table")
everyone = t("audit.any", L)
downloads(
    shown,
    t("audit.file", L),
    key="audit",
    title=Title(
        t("audit.title", L),
        period=t("export.range", L, start=since.isoformat(), end=until.isoformat()),
        extra=(
            (t("audit.user", L), user.strip() or everyone),
            (t("audit.action", L), everyone if action is None else audit.action_label(action, L)),
        ),
    ),
)
