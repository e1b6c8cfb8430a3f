"""投屏模式 Presentation mode: the meeting material's headline figures, branch ranking, warnings and surviving
relations findings (`analytics.presentation.steps` of `report.build`) one step at a time, full screen and in
large type, for the shared filters' last period and branch. The step is in the URL (`step=3`), so a reload keeps
the place; the buttons, or the keyboard (→ PageDown Space, ← PageUp, Esc), move through the steps."""

import streamlit as st

from analytics import charts, metrics, presentation, report
from analytics.i18n import rag_tag, t
from analytics.report_model import Report
from pages._auth import require
from pages._ui import (
    FILTER_KEYS,
    chart_config,
    current_params,
    ensure_navigation,
    figure_card,
    lang,
    load,
    md_escape,
    no_data,
    panel,
    today,
)

ensure_navigation()
require("present")

L = lang()
STEP = "step"  # the URL parameter: the step shown, from 1
RAG_COLOURS = {"green": "green", "amber": "orange", "red": "red"}  # Streamlit's text colours; a tag has words too

# Full screen: no sidebar, header, toolbars or chart modebars; large type. Constant CSS, nothing of the data in it.
STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"], .modebar-container {
  display: none !important;
}
[data-testid="stMainBlockContainer"] { max-width: none !important; padding: 1.25rem 3rem 4rem !important; }
.st-key-present_step h1 { font-size: 2.5rem !important; line-height: 1.25 !important; padding: 0.2rem 0 0.6rem; }
.st-key-present_step [data-testid="stCaptionContainer"] p { font-size: 1.25rem !important; }
.st-key-present_step [data-testid="stMetricLabel"] p { font-size: 1.6rem !important; line-height: 1.3 !important; }
.st-key-present_step [data-testid="stMetricValue"] { font-size: 4.5rem !important; line-height: 1.15 !important; }
.st-key-present_step [data-testid="stMetricValue"] > div { white-space: normal !important; overflow: visible; }
.st-key-present_step [data-testid="stMetricDelta"] div { font-size: 1.4rem !important; white-space: normal !important; }
.st-key-present_step [data-testid="stMetric"] { padding: 1.5rem 1.75rem !important; }
.st-key-present_subtitle p { font-size: 2rem !important; }
.st-key-present_items [data-testid="stMarkdownContainer"] p,
.st-key-present_items [data-testid="stMarkdownContainer"] li { font-size: 1.55rem !important; line-height: 1.5; }
.st-key-present_more p { font-size: 1.4rem !important; }
.st-key-present_controls {
  position: fixed; bottom: 0.75rem; right: 1.5rem; z-index: 100; width: auto !important; flex-wrap: nowrap !important;
  background: rgba(255, 255, 255, 0.92); border-radius: 0.5rem; padding: 0.25rem 0.5rem;
}
.st-key-present_controls > div { width: auto !important; flex: 0 0 auto !important; }
.st-key-present_counter p { font-size: 1.25rem !important; margin: 0; white-space: nowrap; }
</style>"""

# The keyboard: a key clicks the page's own button (found by its Streamlit key class), so a key press and a
# click are one path. Added once per browser tab; inert on other pages (no such buttons) and in text fields.
KEYS = """<script>
(() => {
  if (window.pbiPresentKeys) return;
  window.pbiPresentKeys = true;
  const targets = {
    ArrowRight: ".st-key-present_next button", PageDown: ".st-key-present_next button",
    " ": ".st-key-present_next button", ArrowLeft: ".st-key-present_previous button",
    PageUp: ".st-key-present_previous button", Escape: ".st-key-present_exit a",
  };
  document.addEventListener("keydown", (event) => {
    const selector = targets[event.key];
    if (!selector || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!document.querySelector(".st-key-present_next")) return;
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable='true']")) return;
    event.preventDefault();
    event.stopPropagation();
    const control = document.querySelector(selector);
    if (control && !control.disabled) control.click();
  }, true);
})();
</script>"""


def requested_step(value: object, total: int) -> int:
    """The step a URL asks for, from 1; a number outside 1…total is brought into it, anything else is step 1."""
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(number, 1), total)


def move(by: int, total: int) -> None:
    """A button's (or key's) move, from the step the URL holds now: two quick presses are two steps."""
    st.query_params[STEP] = str(requested_step(requested_step(st.query_params.get(STEP, "1"), total) + by, total))


def exit_link() -> None:
    with st.container(key="present_exit"):
        st.page_link(
            "pages/report.py", label=t("present.exit", L), icon=":material/close:", query_params=current_params()
        )


st.html(STYLE)
st.html(KEYS, unsafe_allow_javascript=True)

# The shared filters' grain, last period and branch (the category has no meeting material of its own).
state = st.session_state
grain = state.get(FILTER_KEYS["grain"]) if state.get(FILTER_KEYS["grain"]) in metrics.GRAINS else "quarter"
data = panel(grain)
if data.empty():
    st.title(t("present.title", L), anchor=False)
    no_data("present.no_data")
    exit_link()
    st.stop()
period = state.get(FILTER_KEYS["to"]) if state.get(FILTER_KEYS["to"]) in data.periods else data.periods[-1]
branch = state.get(FILTER_KEYS["branch"])
scope = branch if branch in report.party_branches(data) else "hospital"
try:
    material: Report = load(report.build_for_page, period, scope, L, today(), presentation.SECTIONS)
except report.ReportError as error:
    st.title(t("present.title", L), anchor=False)
    st.warning(error.message(L), icon=":material/info:")
    exit_link()
    st.stop()

steps = presentation.steps(material)
total = len(steps)
number = requested_step(st.query_params.get(STEP, "1"), total)
st.query_params[STEP] = str(number)  # the place, kept in the URL (a reload, a shared link)
step = steps[number - 1]

with st.container(key="present_step"):
    st.caption(md_escape(step.heading))
    st.title(md_escape(step.title), anchor=False)
    if step.subtitle:
        with st.container(key="present_subtitle"):
            st.markdown(md_escape(step.subtitle))
    if step.figures:
        columns = st.columns(len(step.figures))
        for column, figure in zip(columns, step.figures, strict=True):
            tag = f" :{RAG_COLOURS[figure.rag]}[{md_escape(rag_tag(figure.rag, L))}]" if figure.rag else ""
            figure_card(column, figure, tag)
    if step.chart is not None:
        rows = len(step.chart.categories)
        height = min(560, 120 + 38 * rows) if step.chart.kind == "bar" else 520
        st.plotly_chart(
            charts.report_chart(step.chart, height=height, font_size=18),
            config=chart_config(),
            key=f"present_chart_{number}",
        )
        for category, note in step.chart.notes.items():
            st.caption(md_escape(f"{category}：{note}" if L == "zh" else f"{category}: {note}"))
    if step.items:
        with st.container(key="present_items"):
            lines = []
            for item in step.items:
                parts = []
                if item.tag:
                    tag = md_escape(item.tag)
                    parts.append(f":{RAG_COLOURS[item.rag]}[**{tag}**]" if item.rag else f"**{tag}**")
                if item.label:
                    parts.append(f"**{md_escape(item.label)}**")
                parts.append(md_escape(item.text))
                lines.append(" ".join(parts))
            # Findings are numbered sentences, one paragraph each; the rest is a list.
            st.markdown("\n\n".join(lines) if step.key == "relations" else "\n".join(f"- {x}" for x in lines))
    if step.more:
        with st.container(key="present_more"):
            st.markdown(f"**{md_escape(step.more)}**")
    for note in step.notes:
        st.caption(md_escape(note))
    if step.key == "title":
        st.caption(md_escape(t("present.source", L)))
        st.caption(md_escape(t("present.keys", L)))

with st.container(key="present_controls", horizontal=True, vertical_alignment="center"):
    st.button(
        t("present.previous", L),
        key="present_previous",
        icon=":material/chevron_left:",
        disabled=number <= 1,
        on_click=move,
        args=(-1, total),
    )
    with st.container(key="present_counter", width="content"):
        st.markdown(md_escape(t("present.counter", L, step=number, total=total)))
    st.button(
        t("present.next", L),
        key="present_next",
        icon=":material/chevron_right:",
        type="primary",
        disabled=number >= total,
        on_click=move,
        args=(1, total),
    )
    exit_link()
