"""`streamlit run serve.py`: the app (app.py) as served by `make run`, its pages' caches warmed from the moment the
server starts (pages/_ui.py, `warm_up`), not only from the first visit."""

from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def warm_from_the_start(_app):
    from pages._ui import warm_up

    warm_up()
    yield


app = st.App("app.py", lifespan=warm_from_the_start)
