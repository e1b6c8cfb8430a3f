"""A page for tests/test_injection.py (`streamlit run tests/markdown_probe.py`): each of TYPED, escaped by
`md_escape`, in every kind of place Streamlit renders markdown, each place in a container keyed
`probe_<place>_<i>`, so that a browser can read what it shows and what a reader would copy."""

from __future__ import annotations

import streamlit as st

from pages._ui import md_escape

TYPED = (
    ":red[x] :material/warning: [登录](http://evil.example) -> ",
    ":streamlit: :smile: :+1: :material_home: www.evil.example boss@evil.example https://evil.example/a",
    "a -> b <= c -- d <-> e >= f ~= g <- h a@-> x ---> y",
    "**粗体** <b>x</b> `code` $x$ &lt; 10:30 :blue-badge[b] \\:red[y] 科室",
)
# Texts of the page's own (not escaped); every other markdown text on the page is one of TYPED.
OWN = ("选项", "另一项", "另一页")
PLACES = ("markdown", "caption", "info", "warning", "checkbox", "expander", "metric", "button", "header", "radio")
PLACES += ("progress", "tabs")


def render(index: int, typed: str) -> None:
    text = md_escape(typed)
    places = {place: st.container(key=f"probe_{place}_{index}") for place in PLACES}
    places["markdown"].markdown(text)
    places["caption"].caption(text)
    places["info"].info(text)
    places["warning"].warning(text, icon=":material/warning:")
    places["checkbox"].checkbox(text, key=f"checkbox_{index}")
    places["expander"].expander(text).write(OWN[0])
    places["metric"].metric(text, text)
    places["button"].button(text, key=f"button_{index}")
    places["header"].header(text, anchor=False)
    places["radio"].radio(OWN[0], [text, OWN[1]], key=f"radio_{index}")
    places["progress"].progress(0.5, text=text)
    places["tabs"].tabs([text, OWN[2]])


if __name__ == "__main__":
    for index, typed in enumerate(TYPED):
        render(index, typed)
