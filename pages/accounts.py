"""账号管理 Accounts (administrators): the accounts with their roles; add one, change a role, disable or
enable, reset a password, end a lockout. Every change goes through `analytics.accounts`, which refuses what
would leave the database without an active administrator and records each change in the audit trail."""

import streamlit as st

from analytics import accounts
from analytics.accounts import Role
from analytics.i18n import t
from pages._auth import require
from pages._ui import database, ensure_navigation, lang, load, md_escape

ensure_navigation()
who = require("accounts")

L = lang()
db = database()
NOTICE = "accounts_notice"

st.title(t("accounts.title", L))
st.caption(t("accounts.caption", L))
notice = st.session_state.pop(NOTICE, None)
if notice:
    st.success(md_escape(notice), icon=":material/check_circle:")

everyone = load(accounts.users)
st.dataframe(accounts.table(everyone, L), hide_index=True, width="stretch", key="accounts_table")


def done(text: str) -> None:
    st.session_state[NOTICE] = text
    st.rerun()


def attempt(action, *args) -> bool:
    """Run one account change as the signed-in administrator; say a refusal in the user's language."""
    try:
        action(db, *args, actor=who.actor)
    except accounts.AccountError as error:
        st.error(error.message(L), icon=":material/error:")
        return False
    return True


add_column, edit_column = st.columns(2, gap="large")
with add_column, st.form("add_account", clear_on_submit=True, enter_to_submit=False):
    st.subheader(t("accounts.add.title", L))
    name = st.text_input(t("accounts.col.name", L), max_chars=64)
    display = st.text_input(t("accounts.col.display", L), max_chars=64)
    role = st.selectbox(t("accounts.col.role", L), list(Role), format_func=lambda r: r.label(L))
    password = st.text_input(t("auth.password", L), type="password", autocomplete="new-password")
    if st.form_submit_button(t("accounts.add.submit", L), type="primary") and attempt(
        lambda db, actor: accounts.add_user(db, name, role, password, display or None, actor=actor)
    ):
        done(t("accounts.add.done", L, name=name.strip(), role=role.label(L)))

with edit_column:
    st.subheader(t("accounts.edit.title", L))
    names = [a.name for a in everyone]
    if names:
        chosen = st.selectbox(t("accounts.edit.who", L), names, key="accounts_chosen")
        account = next(a for a in everyone if a.name == chosen)
        row = st.container(horizontal=True, vertical_alignment="bottom")
        new_role = row.selectbox(
            t("accounts.edit.role", L),
            list(Role),
            index=list(Role).index(account.role),
            format_func=lambda r: r.label(L),
            key="accounts_role",
        )
        if row.button(t("accounts.edit.set_role", L), key="accounts_set_role") and attempt(
            accounts.set_role, chosen, new_role
        ):
            done(t("accounts.edit.done", L, what=f"{chosen} → {new_role.label(L)}"))
        buttons = st.container(horizontal=True)
        if account.active:
            if buttons.button(t("accounts.edit.disable", L), key="accounts_disable") and attempt(
                accounts.set_active, chosen, False
            ):
                done(t("accounts.edit.done", L, what=f"{t('accounts.edit.disable', L)} {chosen}"))
        elif buttons.button(t("accounts.edit.enable", L), key="accounts_enable") and attempt(
            accounts.set_active, chosen, True
        ):
            done(t("accounts.edit.done", L, what=f"{t('accounts.edit.enable', L)} {chosen}"))
        if buttons.button(t("accounts.edit.unlock", L), key="accounts_unlock") and attempt(accounts.unlock, chosen):
            done(t("accounts.edit.done", L, what=f"{t('accounts.edit.unlock', L)} {chosen}"))
        if account.source == "local":
            with st.form("reset_password", clear_on_submit=True, enter_to_submit=False):
                new_password = st.text_input(
                    t("accounts.edit.password", L), type="password", autocomplete="new-password"
                )
                if st.form_submit_button(t("accounts.edit.reset", L)) and attempt(
                    accounts.reset_password, chosen, new_password
                ):
                    done(t("accounts.edit.done", L, what=f"{t('accounts.edit.reset', L)} {chosen}"))
