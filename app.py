"""Party Building Insight (党建洞察): navigation, language switch and the shared sidebar."""

import streamlit as st

from analytics import accounts, faults, settings, summary
from analytics.db import default_db_path, is_locked
from analytics.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from pages import _auth
from pages._ui import (
    chrome,
    database,
    lang,
    load,
    md_escape,
    print_style,
    publish_filters,
    restore_filters,
    shell,
    warm_up,
)

st.set_page_config(page_title="党建洞察 Party Building Insight", page_icon="🏛️", layout="wide")
print_style()  # A4 pages of what a page says, without the app around it (pages/_ui.py, PRINT_CSS)

# The language lives in session state (and in the URL, so a shared link keeps it); the radio edits it.
if "lang" not in st.session_state:
    requested = st.query_params.get("lang", DEFAULT_LANGUAGE)
    st.session_state["lang"] = requested if requested in LANGUAGES else DEFAULT_LANGUAGE


def _choose_language() -> None:
    st.session_state["lang"] = st.session_state["language_choice"]


with st.sidebar:
    st.radio(
        t("app.language", lang()),
        options=list(LANGUAGES),
        index=list(LANGUAGES).index(lang()),
        format_func=LANGUAGES.__getitem__,
        key="language_choice",
        on_change=_choose_language,
        horizontal=True,
    )
    chrome()  # narrow screens, and Streamlit's own English said in Chinese (pages/_ui.py)
PAGES = (
    # (file, url path = file name, title key, icon, default)
    ("pages/overview.py", "overview", "nav.overview", ":material/dashboard:", True),
    ("pages/party.py", "party", "nav.party", ":material/flag:", False),
    ("pages/satisfaction.py", "satisfaction", "nav.satisfaction", ":material/sentiment_satisfied:", False),
    ("pages/discipline.py", "discipline", "nav.discipline", ":material/gavel:", False),
    ("pages/relations.py", "relations", "nav.relations", ":material/insights:", False),
    ("pages/profile.py", "profile", "nav.profile", ":material/apartment:", False),
    ("pages/report.py", "report", "nav.report", ":material/co_present:", False),
    ("pages/present.py", "present", "nav.present", ":material/slideshow:", False),
    ("pages/import.py", "import", "nav.import", ":material/upload_file:", False),
    ("pages/settings.py", "settings", "nav.settings", ":material/tune:", False),
    ("pages/accounts.py", "accounts", "nav.accounts", ":material/manage_accounts:", False),
    ("pages/audit.py", "audit", "nav.audit", ":material/policy:", False),
    ("pages/account.py", "account", "nav.account", ":material/person:", False),
    ("pages/about.py", "about", "nav.about", ":material/info:", False),
)


def _stand_in(url: str, show) -> st.Page:
    """A page served at `url` in place of the real one (the sign-in form, or the refusal): the address a
    user typed keeps its meaning, and the real page's code never runs."""

    def page() -> None:
        show(url)

    page.__name__ = f"{url}_stand_in"
    return page


def _navigation(role: accounts.Role | None) -> st.Page:
    """Every page at its own address: the page itself if the role may open it, else (hidden from the menu)
    the refusal; while signed out, the sign-in form at every address."""
    pages = []
    for file, url, title, icon, default in PAGES:
        if role is None:
            target, visibility = _stand_in(url, lambda _url: _auth.sign_in_form()), "hidden"
        elif accounts.may_open(role, url):
            target, visibility = file, "visible"
        else:
            target, visibility = _stand_in(url, _auth.denied), "hidden"
        # The default page is served at "/" (its url_path must then be "", or its own address is taken).
        path = "" if default else url
        pages.append(
            st.Page(target, title=t(title, lang()), url_path=path, icon=icon, default=default, visibility=visibility)
        )
        if default:  # …and its own address too (/overview), hidden, opening it with the link's parameters
            pages.append(_address_of(pages[-1], url))
    # Expanded: every page the role may open is listed (collapsed, Streamlit shows ten and hides the rest).
    return st.navigation(pages, position="sidebar" if role is not None else "hidden", expanded=True)


def _address_of(default: st.Page, url: str) -> st.Page:
    """A hidden page at /`url` that opens `default` (served at "/"): without it, typing the default page's own
    address shows Streamlit's "Page not found" dialog."""

    def page() -> None:
        st.switch_page(default, query_params=st.query_params.to_dict())

    page.__name__ = f"{url}_address"
    return st.Page(page, title=default.title, url_path=url, visibility="hidden")


def _sidebar_and_page() -> None:
    standing = load(accounts.standing, _auth.signed_in_name())  # one cached read: admin, account, idle limit
    if not standing.has_admin:  # no one could manage it: refuse to serve it, saying how to fix that
        st.error(t("auth.no_admin", lang()), icon=":material/admin_panel_settings:")
        st.code(f"python -m analytics user add --db {database().path} NAME --role admin", language="bash")
        st.stop()
    who = _auth.current(standing)
    restore_filters()
    page = _navigation(who.role if who else None)
    # After st.navigation, which starts each page with the URL's query parameters cleared.
    st.query_params["lang"] = lang()
    publish_filters()
    with st.sidebar:
        _auth.session_cookie()
    if who is None:
        page.run()
        return
    with st.sidebar:
        _auth.sidebar_account()
        _auth.idle_watch()
        st.markdown(f"### {md_escape(load(summary.hospital_name))}")
        st.caption(t("app.tagline", lang()))
        span = load(summary.date_range)
        if span:
            st.caption(t("sidebar.range", lang(), start=span[0].isoformat(), end=span[1].isoformat()))
        else:
            st.caption(t("sidebar.no_data", lang()))
        st.caption(t("sidebar.database", lang(), path=md_escape(database().path.name)))
        if load(settings.load_metric_settings)[1]:  # stored settings out of range: the Settings page lists them
            st.warning(t("sidebar.settings_adjusted", lang()), icon=":material/warning:")

    with shell():
        page.run()


# A page holds the database file only while it reads (each `load` is a read-only session); a write queued by
# another program goes first. Wait for one under way (bounded), saying so, before drawing anything (the file
# is opened only if it changed since it was last read: `Database.known_version`).
try:
    with st.spinner(t("app.db_waiting", lang())):
        database().known_version()
except Exception as error:  # held by a write too long, a read-only disk …: a sentence, never a traceback
    if is_locked(error):
        st.warning(t("app.db_busy", lang()), icon=":material/hourglass_top:")
    else:
        st.error(faults.page_message(error, default_db_path(), lang()), icon=":material/error:")
    st.stop()
warm_up()  # the default views' figures, computed in the background once per process (pages/_ui.py)
try:
    _sidebar_and_page()
except Exception as error:  # never a traceback on a page: a sentence, the details in the fault log
    if is_locked(error):
        st.warning(t("app.db_busy", lang()), icon=":material/hourglass_top:")
    else:
        st.error(faults.page_message(error, database().path, lang()), icon=":material/error:")
