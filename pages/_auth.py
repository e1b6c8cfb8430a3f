"""Who is signed in, on the server: the sign-in form, sign-out, the idle timeout and the role checks.

The signed-in identity lives in the session's state on the server (a browser cannot set it). app.py signs a
session in before it builds the navigation, and builds it from the role: a page the role may not open is
replaced, at its own address, by a "无权限" page, so typing /settings opens the refusal, never the page
with its buttons hidden. Each page checks again (`require`) before it reads anything, and each control that
writes checks the role once more in `analytics` (the importer takes the kinds a role may import, undo the
kinds it may undo), so no path around the navigation reaches data or a write.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from dataclasses import dataclass

import streamlit as st

from analytics import accounts, faults, ldap_auth, settings
from analytics.accounts import Permission, Role
from analytics.audit import Actor
from analytics.i18n import t
from pages._ui import database, lang, load, md_escape

SESSION_KEY = "auth"
NOTICE_KEY = "auth_notice"
COOKIE = "pbi_session"


@dataclass
class Identity:
    """A signed-in browser: the account's name, display name and role, the client address it signed in from,
    the monotonic time of its last page run (for the idle timeout), and the token its cookie holds (None for
    an identity made on the server alone, as tests do)."""

    name: str
    display: str
    role: Role
    client: str
    last_seen: float
    token: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.client)


# Signed-in browsers by the token of their session cookie, in this server process only (a restart signs
# everyone out). A reload, a typed address or a second tab opens a new Streamlit session; the cookie brings it
# back to its identity (the same object: one idle clock for all the browser's tabs), as long as it comes from
# the same client address and has not been idle too long. Signing out in one tab signs out them all.
_SIGNED_IN: dict[str, Identity] = {}
_SIGNED_IN_LOCK = threading.Lock()

# Sets (or, with no token, clears) the session cookie in the browser: a session cookie (gone when the browser
# closes), for this site's pages only (SameSite=Strict), Secure over HTTPS. The token is URL-safe base64 from
# `secrets`, passed as data, never written into the code.
_COOKIE_JS = f"""
export default function(component) {{
    const token = component.data && component.data.token;
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = token
        ? "{COOKIE}=" + token + "; path=/; SameSite=Strict" + secure
        : "{COOKIE}=; path=/; max-age=0; SameSite=Strict" + secure;
}}
"""
_cookie_setter = None


def _cookie(token: str | None) -> None:
    global _cookie_setter
    if _cookie_setter is None:
        _cookie_setter = st.components.v2.component("pbi_session_cookie", js=_COOKIE_JS)
    _cookie_setter(data={"token": token}, key="pbi_session_cookie", height=0)


def _resume() -> Identity | None:
    """The identity a new session's cookie names, if it is signed in from this client address."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # no browser (AppTest)
        return None
    if not token:
        return None
    with _SIGNED_IN_LOCK:
        identity = _SIGNED_IN.get(token)
    if identity is None or identity.client != client_address():
        return None
    st.session_state[SESSION_KEY] = identity
    return identity


def client_address() -> str:
    """The address the browser connects from (behind a reverse proxy: the proxy's, unless it is configured to
    pass the client's on; see the README's deployment notes)."""
    try:
        address = st.context.ip_address
    except Exception:  # outside a browser session (AppTest)
        address = None
    return address if isinstance(address, str) and address else "localhost"


def _idle_limit() -> float:
    return load(settings.security).idle_minutes * 60.0


def signed_in_name() -> str | None:
    """The account name of the session's identity (or of the one its cookie brings back), before `current`
    checks it."""
    who = identity() or _resume()
    return who.name if who is not None else None


def current(standing: accounts.Standing) -> Identity | None:
    """The session's identity (after `signed_in_name`, which brings back a cookie's), if it has been active
    within the idle limit and its account is still active with the same role (`standing`, as app.py read it for
    that name: an administrator's change takes effect at the next click)."""
    who = identity()
    if who is None:
        return None
    if who.token is not None and who.token not in _SIGNED_IN:  # signed out in another tab
        st.session_state.pop(SESSION_KEY, None)
        return None
    if time.monotonic() - who.last_seen > standing.idle_minutes * 60.0:
        _drop(who, "timed_out", timed_out=True)
        return None
    account = standing.account
    if account is None or account.name != who.name or not account.active or account.role != who.role:
        _drop(who, "account_gone")
        return None
    who.last_seen = time.monotonic()
    return who


def _drop(identity: Identity, notice: str, timed_out: bool = False) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[NOTICE_KEY] = notice
    if identity.token is not None:
        with _SIGNED_IN_LOCK:
            _SIGNED_IN.pop(identity.token, None)
        st.session_state["clear_cookie"] = True
    if notice != "account_gone":
        accounts.sign_out(database(), identity.actor, timed_out=timed_out)


def sign_out() -> None:
    who = identity()
    if who is not None:
        _drop(who, "signed_out")


def role() -> Role | None:
    who = identity()
    return who.role if who is not None else None


def identity() -> Identity | None:
    value = st.session_state.get(SESSION_KEY)
    return value if isinstance(value, Identity) else None


def may(permission: Permission) -> bool:
    return accounts.may(role(), permission)


def require(page: str) -> Identity:
    """Call at the top of every page (after ensure_navigation): stop with a refusal unless the session is
    signed in with a role that may open `page` (app.py has checked already; this holds when a page runs on
    its own)."""
    who = identity()
    if who is None:
        st.warning(t("auth.title", lang()), icon=":material/lock:")
        st.stop()
    if not accounts.may_open(who.role, page):
        denied(page)
        st.stop()
    return who


def denied(page: str) -> None:
    """The "无权限" page shown at the address of a page the role may not open (recorded in the audit trail)."""
    L = lang()
    who = identity()
    st.title(t("auth.denied.title", L))
    name = t(f"nav.{page}", L)
    st.error(t("auth.denied.body", L, role=who.role.label(L) if who else "—", page=name), icon=":material/block:")
    if who is not None:
        accounts.record_event(database(), who.actor, "denied", page=page)


def sign_in_form() -> None:
    """The sign-in page, shown at every address while the session is not signed in; after signing in, the
    page at the address opens (a typed /party opens the party page)."""
    L = lang()
    notice = st.session_state.pop(NOTICE_KEY, None)
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title(t("app.title", L))
        st.subheader(t("auth.title", L))
        st.caption(t("auth.caption", L))
        if notice == "timed_out":
            st.info(t("auth.timed_out", L, minutes=load(settings.security).idle_minutes), icon=":material/timer:")
        elif notice:
            st.info(t(f"auth.{notice}", L), icon=":material/logout:")
        with st.form("sign_in", enter_to_submit=True):
            name = st.text_input(t("auth.name", L), key="sign_in_name", autocomplete="username")
            password = st.text_input(
                t("auth.password", L), type="password", key="sign_in_password", autocomplete="current-password"
            )
            submitted = st.form_submit_button(t("auth.submit", L), type="primary")
        if submitted:
            client = client_address()
            outcome = accounts.sign_in(database(), name, password, client, directory=_directory())
            if outcome.ok:
                account = outcome.account
                identity = Identity(
                    name=account.name,
                    display=account.display,
                    role=account.role,
                    client=client,
                    last_seen=time.monotonic(),
                    token=secrets.token_urlsafe(32),
                )
                with _SIGNED_IN_LOCK:
                    limit = _idle_limit()  # forget browsers idle past the limit (closed without signing out)
                    for token in [k for k, v in _SIGNED_IN.items() if time.monotonic() - v.last_seen > limit]:
                        del _SIGNED_IN[token]
                    _SIGNED_IN[identity.token] = identity
                st.session_state[SESSION_KEY] = identity
                st.session_state.pop("sign_in_password", None)
                st.rerun()
            st.error(outcome.message(L), icon=":material/error:")


def _directory():
    """The LDAP/AD check when the hospital configured one (`data/ldap.toml`), else None. A settings file that
    cannot be used is said on the form (in the user's language) and in the fault log; local accounts still
    sign in."""
    try:
        config = ldap_auth.load_config()
    except ldap_auth.LdapConfigError as error:
        faults.log(error, database().path)
        st.warning(error.message(lang()), icon=":material/warning:")
        return None
    return ldap_auth.authenticator(config) if config is not None else None


def session_cookie() -> None:
    """Keep the browser's session cookie in step with the session: set while signed in, cleared after."""
    who = identity()
    if who is not None and who.token is not None:
        _cookie(who.token)
    elif st.session_state.pop("clear_cookie", False):
        _cookie(None)


def sidebar_account() -> None:
    """Who is signed in, and the sign-out button (in the sidebar)."""
    who = identity()
    if who is None:
        return
    L = lang()
    st.caption(md_escape(t("auth.who", L, display=who.display, role=who.role.label(L))))
    st.button(t("auth.sign_out", L), icon=":material/logout:", on_click=sign_out, key="sign_out")


@st.fragment(run_every=dt.timedelta(seconds=60))
def idle_watch() -> None:
    """Every minute, without counting as activity: once the idle limit has passed, rerun the app, which signs
    the session out and shows the sign-in form instead of the data."""
    who = identity()
    if who is not None and time.monotonic() - who.last_seen > _idle_limit():
        st.rerun(scope="app")


def audited_download(what: str) -> None:
    """on_click of a download button of discipline data: one audit row (who, what)."""
    who = identity()
    if who is not None:
        accounts.record_event(database(), who.actor, "download", what=what)  # none on a read-only archive
