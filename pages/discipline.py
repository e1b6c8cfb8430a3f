"""Being written."""

import streamlit as st

from pages._ui import ensure_navigation

ensure_navigation()
st.write("…")
