"""会议材料 Meeting material: pick a period, a scope and the sections; see them as the material will say them;
download the editable PPTX and the printable PDF (`analytics.report` builds, `report_pptx`/`report_pdf` render).
Each generation is recorded in the audit trail."""

import streamlit as st

from analytics import accounts, charts, report
from analytics.i18n import t
from analytics.periods import spoken
from analytics.report_model import Report
from analytics.schema import PeriodGrain
from pages._auth import require
from pages._ui import (
    chart_config,
    database,
    ensure_navigation,
    figure_card,
    lang,
    load,
    md_escape,
    no_data,
    panel,
    settings_note,
    today,
    view_param,
)

ensure_navigation()
who = require("report")

L = lang()
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
st.title(t("report.page.title", L))
settings_note()
st.caption(t("report.page.caption", L))

controls = st.columns([2, 2, 3, 2], vertical_alignment="bottom")
grains = ["quarter", "year", "month"]
grain = view_param("rgrain", "report_grain", grains, "quarter")  # clicked off: by quarter again
controls[0].segmented_control(
    t("report.page.grain", L), grains, format_func=lambda g: PeriodGrain(g).label(L), key="report_grain"
)
data = panel(grain)
if data.empty():
    no_data("report.page.no_data")
    st.stop()
periods = list(reversed(data.periods))
period = view_param("period", f"report_period_{grain}", periods, periods[0])
controls[1].selectbox(
    t("report.page.period", L), periods, format_func=lambda p: spoken(p, L), key=f"report_period_{grain}"
)
branches = report.party_branches(data)
scopes = ["hospital", *branches]
scope = view_param("scope", "report_scope", scopes, "hospital")
controls[2].selectbox(
    t("report.page.scope", L),
    scopes,
    format_func=lambda code: t("report.scope.hospital", L) if code == "hospital" else branches.get(code, code),
    key="report_scope",
)
language = view_param("rlang", "report_language", ["zh", "en"], L)
controls[3].selectbox(
    t("report.page.language", L), ["zh", "en"], format_func=lambda c: t(f"report.lang.{c}", L), key="report_language"
)
available = list(report.sections_for(grain))
chosen = view_param("sections", f"report_sections_{grain}", available, available, many=True)
st.multiselect(
    t("report.page.sections", L),
    available,
    format_func=lambda key: t(f"report.section.{key}", L),
    key=f"report_sections_{grain}",
)
if not chosen:
    st.info(t("report.page.none_chosen", L), icon=":material/info:")
    st.stop()

try:
    with st.spinner(t("report.page.building", L)):
        material: Report = load(report.build_for_page, period, scope, language, today(), tuple(chosen))
except report.ReportError as error:
    st.warning(error.message(L), icon=":material/info:")
    st.stop()

# --- Downloads: one click makes both files, then each downloads --------------------------------------------
files_key = hash(material.model_dump_json())  # the files made from exactly this material
made = st.session_state.get("report_files")
if made is None or made[0] != files_key:
    made = None
if st.button(t("report.page.make", L), type="primary", icon=":material/co_present:", key="report_make"):
    stamped = report.stamped(material, f"{who.display} ({who.role.label(language)})")
    try:
        with st.spinner(t("report.page.rendering", L)):
            made = (files_key, {fmt: report.render(stamped, fmt) for fmt in ("pptx", "pdf")})
    except report.ReportError as error:
        st.error(error.message(L), icon=":material/error:")
    else:
        st.session_state["report_files"] = made
        accounts.record_event(database(), who.actor, "report", period=period, scope=scope, format="pptx+pdf")
if made is not None:
    row = st.container(horizontal=True)
    files = made[1]
    row.download_button(
        t("report.page.pptx", L),
        data=files["pptx"],
        file_name=report.file_name(material, "pptx"),
        mime=PPTX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="report_pptx",
    )
    row.download_button(
        t("report.page.pdf", L),
        data=files["pdf"],
        file_name=report.file_name(material, "pdf"),
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key="report_pdf",
    )
    st.caption(
        t("report.page.made", L, pptx=f"{len(files['pptx']) / 1024:,.0f}", pdf=f"{len(files['pdf']) / 1024:,.0f}")
    )

# --- Preview: what the material will say, section by section ----------------------------------------------
st.divider()
st.subheader(t("report.page.preview", L))
cover = material.cover
st.markdown(
    f"**{md_escape(cover.title)}** · {md_escape(cover.hospital)} · {md_escape(cover.period)} · {md_escape(cover.scope)}"
)
st.caption(" · ".join(md_escape(text) for text in [cover.marking, *cover.lines]))
for section in material.sections:
    with st.container(border=True):
        st.caption(md_escape(section.heading))
        st.markdown(f"#### {md_escape(section.title)}")
        if section.figures:
            for start in range(0, len(section.figures), 4):
                columns = st.columns(4)
                for column, figure in zip(columns, section.figures[start : start + 4], strict=False):
                    figure_card(column, figure)
        if section.chart is not None:
            st.plotly_chart(
                charts.report_chart(section.chart), config=chart_config(), key=f"report_chart_{section.key}"
            )
            for category, note in section.chart.notes.items():
                st.caption(md_escape(f"{category}：{note}" if language == "zh" else f"{category}: {note}"))
        for i, table in enumerate(section.tables):
            if table.title:
                st.markdown(f"**{md_escape(table.title)}**")
            st.dataframe(
                {column: [row[j] for row in table.rows] for j, column in enumerate(table.columns)},
                hide_index=True,
                key=f"report_table_{section.key}_{i}",
            )
            if table.note:
                st.caption(md_escape(table.note))
        for sentence in section.sentences:
            st.markdown(md_escape(sentence))
