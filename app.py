"""Party Building Insight (党建洞察): navigation, language switch and the shared sidebar."""

import streamlit as st

from analytics import summary
from analytics.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from pages._ui import database, lang, load, md_escape, shell

st.set_page_config(page_title="党建洞察 Party Building Insight", page_icon="🏛️", layout="wide")

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
page = st.navigation(
    [
        st.Page(
            "pages/overview.py",
            title=t("nav.overview", lang()),
            url_path="overview",
            default=True,
            icon=":material/dashboard:",
        ),
        st.Page(
            "pages/import.py",
            title=t("nav.import", lang()),
            url_path="import",
            icon=":material/upload_file:",
        ),
        st.Page("pages/about.py", title=t("nav.about", lang()), url_path="about", icon=":material/info:"),
    ]
)

# After st.navigation, which starts each page with the URL's query parameters cleared.
st.query_params["lang"] = lang()

with st.sidebar:
    st.markdown(f"### {md_escape(load(summary.hospital_name))}")
    st.caption(t("app.tagline", lang()))
    span = load(summary.date_range)
    if span:
        st.caption(t("sidebar.range", lang(), start=span[0].isoformat(), end=span[1].isoformat()))
    else:
        st.caption(t("sidebar.no_data", lang()))
    st.caption(t("sidebar.database", lang(), path=md_escape(database().path.name)))

with shell():
    page.run()
