"""我的账号 My account: who is signed in, and changing one's own password (a directory account changes it in
the directory)."""

import streamlit as st

from analytics import accounts
from analytics.i18n import t
from pages._auth import require
from pages._ui import database, ensure_navigation, lang, load, md_escape

ensure_navigation()
who = require("account")

L = lang()
st.title(t("account.title", L))
account = load(accounts.get, who.name)
last = account.last_sign_in.strftime("%Y-%m-%d %H:%M") if account and account.last_sign_in else "—"
facts = t("account.facts", L, name=who.name, display=who.display, role=who.role.label(L), last=last)
st.markdown(md_escape(facts))

st.subheader(t("account.change.title", L))
if account is not None and account.source != "local":
    st.info(t("account.change.directory", L), icon=":material/info:")
    st.stop()
with st.form("change_password", clear_on_submit=True, enter_to_submit=False):
    old = st.text_input(t("account.change.old", L), type="password", autocomplete="current-password")
    new = st.text_input(t("account.change.new", L), type="password", autocomplete="new-password")
    again = st.text_input(t("account.change.again", L), type="password", autocomplete="new-password")
    submitted = st.form_submit_button(t("account.change.submit", L), type="primary")
if submitted:
    if new != again:
        st.error(t("account.change.mismatch", L), icon=":material/error:")
    else:
        try:
            accounts.change_own_password(database(), who.name, old, new, who.actor)
        except accounts.AccountError as error:
            st.error(error.message(L), icon=":material/error:")
        else:
            st.success(t("account.change.done", L), icon=":material/check_circle:")
