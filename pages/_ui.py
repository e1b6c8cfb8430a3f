"""What every page shares: the open database, the current language, cached analytics calls."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.logger import get_logger

from analytics import exports, formats, metrics, settings, suppression
from analytics.accounts import Permission
from analytics.db import Database, default_db_path
from analytics.i18n import DEFAULT_LANGUAGE, LANGUAGES, chrome_rules, t
from analytics.metrics import Filters, Panel
from analytics.periods import said, spoken
from analytics.schema import DepartmentCategory, PeriodGrain

# Data shown in markdown (names, file names, messages quoting cells, URL parameters) is escaped by `md_escape`.
# A backslash before every character markdown or Streamlit reads as syntax switches off emphasis, links,
# images, HTML, headings, lists, tables, maths, entities (`&lt;`), `:red[…]`-style directives and
# `:material/…:` icons (Streamlit turns `:material/` into a directive before parsing; `\/` stops that).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:/&=])")
# After parsing, Streamlit also rewrites the text of each text node, where no backslash reaches (it is gone by
# then): bare links (http://…, www.…, name@host), `:streamlit:`, `:material_…:` and emoji shortcodes, and arrows
# (`->`, `--`, `<=`). So the text is cut where such a sequence would start or continue, by an empty `:small[]`
# directive: an empty <span>, which ends one text node and starts the next, shows nothing, and is not in the
# text a reader copies (an invisible character, such as U+2060, would be, and the copy would then not match).
# A cut never starts or ends the text, and every `[` and `{` of the text is escaped, so nothing joins a cut.
CUT = ":small[]"
_CUTS = (
    re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)|(?<=:)(?=[\w+-]+:)"),
    re.compile(r"(?<=[-<])(?=[->])|(?<=[<>~])(?==)"),  # inside every pair an arrow is made of, spaced or not
)


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Database:
    return Database(path, scoped=True)


_shell = threading.local()


@contextmanager
def shell() -> Iterator[None]:
    """app.py runs the current page inside this, so a page knows it has the app's navigation and sidebar."""
    _shell.active = True
    try:
        yield
    finally:
        _shell.active = False


def ensure_navigation() -> None:
    """Call first on every page. A fresh server runs its very first session in Streamlit's legacy
    `pages/`-folder mode, which runs a page requested by URL (say /import) without app.py: no language
    switch, no sidebar. Then leave that mode and rerun, so that app.py's st.navigation serves the same page
    (each page's url_path equals its file name, so the page requested stays the same)."""
    if getattr(_shell, "active", False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    # Only on a session's first run: a rerun later would drop the click that started this one. (AppTest
    # starts every run in the legacy mode and so runs pages without app.py; its tests still hold.)
    if not st.session_state:
        st.rerun()


def database() -> Database:
    """The app's database (`$PBI_DB` or the default file), opened once per process."""
    return _open(str(default_db_path()))


def lang() -> str:
    code = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class _VersionMoved(Exception):
    """The data changed between reading its version and computing from it: not cached, asked again."""


@st.cache_data(show_spinner=False, max_entries=256)
def _call(_fn: Callable[..., Any], name: str, path: str, data_version: int, args: tuple) -> Any:
    db = _open(path)
    with db.session():
        if db.data_version() != data_version:
            raise _VersionMoved
        return _fn(db, *args)


def load(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(db, *args)`, cached until the data changes (the key includes the database's data version). The
    file is held (a read-only session, `Database.session`) only while this computes, not while the page
    draws: a write queued meanwhile waits for reads, never for charts being built. A cached answer opens
    nothing while the file is unchanged (`Database.known_version`)."""
    db = database()
    name = f"{fn.__module__}.{fn.__qualname__}"
    for _ in range(3):
        with contextlib.suppress(_VersionMoved):
            return _call(fn, name, str(db.path), db.known_version(), args)
    with db.session():  # written to three times in as many reads: this once, uncached
        return fn(db, *args)


# --- Warm caches: the first visitor finds the default views computed ---------------------------------------
# A server's first page run starts one thread (per process, `warm_up`) that computes what the default views ask
# `load` for (the same calls, so the same cache entries), and again whenever the data (or the day) changes: the
# overview's figures, the other pages' tables, the relations page's family (its slowest: seconds). A page that
# asks meanwhile waits for the same computation (st.cache_data computes each entry once), never repeats it.
# The thread reads like a page (read-only sessions, which give way to a queued write) and never writes.
WARM_ENV_VAR = "PBI_WARM_UP"  # "0": no warm-up thread (the tests set it: AppTest runs never start one)
WARM_THREAD = "pbi-warm-up"
WARM_CHECK_SECONDS = 15.0  # how often it looks at the data version
_LOGGER = get_logger(__name__)  # Streamlit's logger: a line per warm-up in the server's log


def default_filters(data: Panel) -> Filters:
    """The shared filters of a session that has chosen none: every period of `data`, the whole hospital (what
    `filter_bar` returns then)."""
    periods = data.periods
    return Filters(grain=data.grain, start=periods[0] if periods else None, end=periods[-1] if periods else None)


def warm_default_views() -> None:
    """Compute into the caches what a first visit to each page asks for with the default filters."""
    from analytics import discipline, party, profile, relations, report, risk, summary  # imported in the thread
    from analytics.overview import overview

    for fn in (summary.record_counts, summary.hospital_name, summary.date_range, settings.load_metric_settings):
        load(fn)
    load(settings.metric_settings_note)
    data = panel("quarter")
    if data.empty():
        return
    filters = default_filters(data)
    load(overview, filters.grain, today(), filters)
    load(summary.uncounted_aggregates)
    load(risk.overdue_ledger, today())
    load(discipline.record_details)
    load(profile.department_register)
    load(relations.all_results, filters.grain, relations.LEVELS[0], filters, False)
    # The party and satisfaction pages' rollups and the party page's scorecard (as those pages ask for them).
    for level in ("hospital", "department"):
        from_panel(metrics.rollup, data.grain, level, filters)
    branches = from_panel(metrics.rollup, data.grain, "branch", filters)
    if (latest := party.latest(branches)) is not None:
        from_panel(risk.scorecard, data.grain, latest, filters)
    # The meeting material's preview as the page first shows it: the latest period, the whole hospital, every section.
    sections = report.sections_for(data.grain)
    with contextlib.suppress(report.ReportError):
        load(report.build_for_page, data.periods[-1], "hospital", DEFAULT_LANGUAGE, today(), sections)


class _Quiet(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the warm-up thread: it runs no page, by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != WARM_THREAD


class Warmer:
    """The warm-up thread of one database file: warms at start, then each time its data version or the day
    changes. A failure is logged in the fault log (a busy database is skipped) and tried again later."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.warmed: tuple[int, dt.date] | None = None
        self.rounds = 0  # warm-ups done

    def run(self) -> None:
        """The thread: check, then again every WARM_CHECK_SECONDS, for the life of the process."""
        while True:
            self.check()
            time.sleep(WARM_CHECK_SECONDS)

    def check(self) -> None:
        from analytics import faults
        from analytics.db import is_locked

        db = _open(self.path)
        try:
            with db.session():
                seen = (db.data_version(), today())
            if seen != self.warmed:
                started = time.perf_counter()
                warm_default_views()
                self.warmed = seen
                self.rounds += 1
                _LOGGER.info(
                    "Warmed the pages' caches (data version %s) in %.1f s", seen[0], time.perf_counter() - started
                )
        except Exception as error:  # a thread of its own: nothing above it would catch this
            if not is_locked(error):
                faults.log(error, Path(self.path))


@st.cache_resource(show_spinner=False)
def _warmer(path: str) -> Warmer:
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_Quiet())
    warmer = Warmer(path)
    threading.Thread(target=warmer.run, name=WARM_THREAD, daemon=True).start()
    return warmer


def warm_up() -> None:
    """Start the warm-up thread of the app's database, once per process (app.py calls this on every run); not
    under AppTest, nor with $PBI_WARM_UP=0."""
    from streamlit import config

    if os.environ.get(WARM_ENV_VAR) == "0" or config.get_option("global.appTest"):
        return
    _warmer(str(default_db_path()))


def md_escape(text: str) -> str:
    """`text` for any markdown Streamlit renders (st.markdown, captions, alerts, headers, metric labels and
    values, widget labels and help, expander and tab labels), shown as typed: `**x**`, `<b>`, `:red[x]`,
    `:material/warning:` and `[登录](http://…)` make nothing bold, red, an icon or a link, and what a reader
    copies from the page is the text itself. Every such place is checked in Chromium (tests/test_injection.py)."""
    cuts = sorted({m.start() for pattern in _CUTS for m in pattern.finditer(text)} - {0, len(text)})
    pieces = [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return CUT.join(_MARKDOWN_SPECIAL.sub(r"\\\1", piece) for piece in pieces)


# --- Shared filters, kept in the URL -----------------------------------------------------------------------
# Each filter lives in session state under FILTER_KEYS (so it survives pages that do not show it) and in
# the URL (so a view can be shared by link); the widgets edit the state through their own keys.
FILTER_KEYS = {"grain": "f_grain", "from": "f_from", "to": "f_to", "cat": "f_cat", "branch": "f_branch"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def restore_filters() -> None:
    """On a session's first run, take the filters from the URL (a shared link); app.py calls this."""
    for param, key in FILTER_KEYS.items():
        if key not in st.session_state and param in st.query_params:
            st.session_state[key] = st.query_params[param]


def publish_filters() -> None:
    """Write the current filters to the URL (after st.navigation, which starts a page with it cleared)."""
    for param, key in FILTER_KEYS.items():
        value = st.session_state.get(key)
        if value:
            st.query_params[param] = value
        elif param in st.query_params:
            del st.query_params[param]


# --- A page's own view choices, kept in the URL --------------------------------------------------------------
# Each choice a page offers (which population, which metric, which lag …) is a widget keyed in session state
# and a URL parameter with a short readable name and value (`?metric=attendance_rate&lag=2`), the same in both
# languages, so that a link opens exactly the view it was copied from. Not Streamlit's own `bind="query-params"`:
# it puts the option's label in the URL (a Chinese link then means nothing in English) under the widget's key.
# st.navigation starts a page with an empty URL, so each run writes the page's choices back (as app.py does the
# shared filters); a parameter never read by a page is harmless.


_WRITTEN = "view_params_written"


def url_text(value: Any) -> str:
    """How a choice reads in the URL: a flag as 1/0, a list comma-separated, anything else as `str`."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(url_text(v) for v in value)
    return str(value)


def _from_url(text: str, by_text: dict[str, Any], many: bool) -> Any:
    """The choice `text` names, or None (unknown). For a list, the names it knows (None if it knows none)."""
    if not many:
        return by_text.get(text)
    chosen = [by_text[part] for part in text.split(",") if part in by_text]
    return chosen or None


def view_param(
    name: str, key: str, options: Sequence[Any], default: Any | Callable[[], Any], *, many: bool = False
) -> Any:
    """The current value of the page's widget keyed `key`, one of `options`, kept in the URL as `name`. Call it
    just before drawing the widget, which takes `key=key` and no default or index of its own (its value is in
    session state). On the session's first sight of the widget, the URL's value is taken if it names one of
    `options` and came with the link (not written by this session: the material's quarter does not choose
    its year); otherwise, or when the value is no longer among them (other data, a segmented control clicked
    off), `default` (a value, or a function giving it, called only then). Every run writes the value back to
    the URL; an empty one (the whole hospital, no sections) is left out, so it opens as the default. `many`: a
    list of options (a multiselect), comma-separated in the URL; names it does not know are dropped."""
    state = st.session_state
    by_text = {url_text(option): option for option in options}
    value = state.get(key)
    written = state.setdefault(_WRITTEN, set())  # parameters this session wrote: no longer a link's
    if key not in state and name in st.query_params and name not in written:
        value = _from_url(st.query_params[name], by_text, many)
    valid = isinstance(value, list) and all(v in options for v in value) if many else value in options
    if not valid:
        value = default() if callable(default) else default
    if key not in state or state[key] != value:
        state[key] = value
    text = url_text(value)
    written.add(name)
    if text:
        st.query_params[name] = text
    elif name in st.query_params:
        del st.query_params[name]
    return value


def today() -> dt.date:
    return dt.date.today()


def panel(grain: str) -> Panel:
    """The department × period panel at `grain`, cached until the data (or settings, or the day) changes."""
    return load(metrics.build_panel, grain, today())


@st.cache_data(show_spinner=False, max_entries=128)
def _from_panel(_fn: Callable[..., Any], name: str, grain: str, panel_key: tuple, args: tuple) -> Any:
    return _fn(panel(grain), *args)


def from_panel(fn: Callable[..., Any], grain: str, *args: Any) -> Any:
    """`fn(panel(grain), *args)` (a rollup, a scorecard: a figure the page computes from the panel), cached as
    long as the panel is: until the data (or settings, or the day) changes."""
    db = database()
    key = (str(db.path), db.known_version(), today())
    return _from_panel(fn, f"{fn.__module__}.{fn.__qualname__}", grain, key, args)


def _copy(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def filter_bar(units: bool = True) -> tuple[Filters, Panel]:
    """The shared filters in the sidebar (grain, period range, category, branch); returns them with the
    panel at the chosen grain. Unknown values from an edited link fall back to the defaults. With
    `units=False` (a page about one department) only grain and period range are shown and returned."""
    L = lang()
    state = st.session_state
    summary = st.empty()  # in the page, where it is called: the line saying which filters are in force
    if state.get(FILTER_KEYS["grain"]) not in metrics.GRAINS:
        state[FILTER_KEYS["grain"]] = "quarter"
    with st.sidebar:
        st.markdown(f"**{t('filters.title', L)}**")
        st.segmented_control(
            t("filters.grain", L),
            options=list(metrics.GRAINS),
            format_func=lambda g: PeriodGrain(g).label(L),
            default=state[FILTER_KEYS["grain"]],
            key="w_grain",
            on_change=_on_grain,
        )
        grain = state[FILTER_KEYS["grain"]]
        data = panel(grain)
        periods = list(data.periods)
        start, end = state.get(FILTER_KEYS["from"]), state.get(FILTER_KEYS["to"])
        if periods:
            start = start if start in periods else periods[0]
            end = end if end in periods and periods.index(end) >= periods.index(start) else periods[-1]
            state[FILTER_KEYS["from"]], state[FILTER_KEYS["to"]] = start, end
            if len(periods) > 1:
                chosen = st.select_slider(
                    t("filters.periods", L),
                    options=periods,
                    value=(start, end),
                    format_func=lambda p: spoken(p, L),  # the codes stay the values (and in the URL)
                    key=f"w_range_{grain}",
                )
                state[FILTER_KEYS["from"]], state[FILTER_KEYS["to"]] = chosen
                start, end = chosen
        categories = ["", *(c.value for c in DepartmentCategory)]
        if state.get(FILTER_KEYS["cat"]) not in categories:
            state[FILTER_KEYS["cat"]] = ""
        if not units:
            publish_filters()
            chosen = Filters(grain=grain, start=start or None, end=end or None)
            filters_summary(chosen, summary, units=False)
            return chosen, data
        st.selectbox(
            t("filters.category", L),
            options=categories,
            index=categories.index(state[FILTER_KEYS["cat"]]),
            format_func=lambda c: DepartmentCategory(c).label(L) if c else t("filters.all", L),
            key="w_cat",
            on_change=_copy,
            args=("w_cat", FILTER_KEYS["cat"]),
        )
        branches = branch_names(data)
        options = ["", *branches]
        if state.get(FILTER_KEYS["branch"]) not in options:
            state[FILTER_KEYS["branch"]] = ""
        st.selectbox(
            t("filters.branch", L),
            options=options,
            index=options.index(state[FILTER_KEYS["branch"]]),
            format_func=lambda b: branches.get(b, t("filters.all", L)) if b else t("filters.all", L),
            key="w_branch",
            on_change=_copy,
            args=("w_branch", FILTER_KEYS["branch"]),
        )
    publish_filters()
    chosen = Filters(
        grain=grain,
        start=state.get(FILTER_KEYS["from"]) or None,
        end=state.get(FILTER_KEYS["to"]) or None,
        category=state[FILTER_KEYS["cat"]] or None,
        branch=state[FILTER_KEYS["branch"]] or None,
    )
    filters_summary(chosen, summary)
    return chosen, data


def filters_summary(chosen: Filters, where: Any, units: bool = True) -> None:
    """One line in `where` (at the top of the page) saying which filters are in force (on a phone or tablet the
    sidebar that holds them is folded away): the period range by grain and (with `units`) the scope."""
    L = lang()
    grain = t("filters.by_grain", L, grain=PeriodGrain(chosen.grain).label(L).lower())
    parts = [f"{period_range(chosen)}{t('filters.joiner', L)}{grain}"]
    if units:
        parts.append(scope_text(chosen))
    text = t("filters.summary", L, filters=t("filters.joiner", L).join(parts))
    where.caption(f":material/filter_alt: {md_escape(text)}")


def _on_grain() -> None:
    chosen = st.session_state.get("w_grain")
    if chosen:  # a segmented control can be clicked off; keep the grain then
        st.session_state[FILTER_KEYS["grain"]] = chosen
        st.session_state.pop(FILTER_KEYS["from"], None)
        st.session_state.pop(FILTER_KEYS["to"], None)


def branch_names(data: Panel) -> dict[str, str]:
    frame = data.frame.drop_duplicates("branch_code").sort_values("branch_code")
    return dict(zip(frame["branch_code"], frame["branch_name"], strict=True))


# --- Tables: downloads and click-through to a department ---------------------------------------------------


@dataclass(frozen=True)
class Title:
    """What a table is and the view it was taken from: the title block above it in its Excel download
    (`exports.title_rows`). `filters`: the shared filters in force (the period range, and unless `scope` is
    given, the scope: hospital, category, branch); `period`: the period the table shows, when it is one, as its
    code (said as the reader says it in the block) or as text (say, "as of" a day; default: the filters' range);
    `scope`: in place of the filters' (a department's profile); `extra`: the
    page's own choices, as (label, value)."""

    what: str
    filters: Filters | None = None
    period: str | None = None
    scope: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


def now() -> dt.datetime:
    return dt.datetime.now()


def period_range(filters: Filters) -> str:
    """The filters' period range as written in a title: '2023年第一季度 至 2025年第四季度', or the one period."""
    L = lang()
    if not filters.start or not filters.end:
        return said(filters.start or filters.end or "—", L)
    if filters.start == filters.end:
        return said(filters.start, L)
    return t("export.range", L, start=said(filters.start, L), end=said(filters.end, L))


def scope_text(filters: Filters) -> str:
    """The filters' scope in words, as typed (for a file, not markdown): '全院', or the category and branch."""
    L = lang()
    parts = []
    if filters.category:
        parts.append(DepartmentCategory(filters.category).label(L))
    if filters.branch:
        parts.append(branch_names(panel(filters.grain)).get(filters.branch, filters.branch))
    return " · ".join(parts) if parts else t("overview.scope.hospital", L)


def title_rows(title: Title) -> list[tuple[str, str]]:
    """The title block of `title` (`exports.title_rows`) in the user's language, made now."""
    L = lang()
    period, scope, shown = said(title.period, L) if title.period else None, title.scope, []
    chosen = title.filters
    if chosen is not None:
        shown = [
            (t("filters.grain", L), PeriodGrain(chosen.grain).label(L)),
            (t("filters.periods", L), period_range(chosen)),
        ]
        if scope is None:
            everything = t("filters.all", L)
            category = DepartmentCategory(chosen.category).label(L) if chosen.category else everything
            branch = (
                branch_names(panel(chosen.grain)).get(chosen.branch, chosen.branch) if chosen.branch else everything
            )
            shown += [(t("filters.category", L), category), (t("filters.branch", L), branch)]
            scope = scope_text(chosen)
        period = period or period_range(chosen)
    return exports.title_rows(title.what, L, now(), period=period, scope=scope, filters=[*shown, *title.extra])


def downloads(
    table: pd.DataFrame,
    name: str,
    key: str,
    labels: tuple[str, str] | None = None,
    sheet: str | None = None,
    on_download: Callable[[str], None] | None = None,
    title: Title | None = None,
    fills: pd.DataFrame | None = None,
) -> None:
    """CSV and Excel download buttons for the table (as shown, or with the detail columns `table()` adds; formula
    cells neutralised); `labels` (CSV, Excel) replace the usual button texts, `sheet` names the worksheet
    (default: `name`). The Excel file has `title`'s title block above the table (at least the file's name and
    when it was made) and `fills`' colours (`exports.to_excel_bytes`); the CSV file is the table alone.
    `on_download(file name)` runs at each download (the audit trail of discipline data)."""
    row = st.container(horizontal=True, key=f"{SCREEN_ONLY}{key}_files")
    click = {"on_click": "ignore"}
    L = lang()
    csv_label, xlsx_label = labels or (t("download.csv", L), t("download.xlsx", L))
    row.download_button(
        csv_label,
        data=exports.to_csv_bytes(table),
        file_name=f"{name}.csv",
        mime="text/csv",
        **(click if on_download is None else {"on_click": on_download, "args": (f"{name}.csv",)}),
        icon=":material/download:",
        key=f"{key}_csv",
    )
    row.download_button(
        xlsx_label,
        data=exports.to_excel_bytes(
            table, sheet=sheet or name, title_rows=title_rows(title or Title(name)), fills=fills
        ),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        **(click if on_download is None else {"on_click": on_download, "args": (f"{name}.xlsx",)}),
        icon=":material/download:",
        key=f"{key}_xlsx",
    )


def table(
    frame: pd.DataFrame,
    name: str,
    key: str,
    department_codes: pd.Series | None = None,
    column_config: dict | None = None,
    on_download: Callable[[str], None] | None = None,
    download: pd.DataFrame | None = None,
    title: Title | None = None,
) -> None:
    """A table with its downloads (`on_download` and `title`, the Excel file's title block, as in `downloads`).
    With `department_codes` (aligned to the rows), clicking a row opens that department's profile. `download`
    (default: the table itself) is what the downloads hold, when they carry more columns than are shown (e.g.
    the names of the tests). On paper the grid gives way to the whole table (`print_table`)."""
    with st.container(key=f"{SCREEN_ONLY}{key}"):
        if department_codes is None:
            st.dataframe(frame, hide_index=True, column_config=column_config, placeholder="—", key=key)
        else:
            event = st.dataframe(
                frame,
                hide_index=True,
                column_config=column_config,
                placeholder="—",
                key=key,
                on_select="rerun",
                selection_mode="single-row",
            )
            rows = event.selection.rows if event is not None else []
            if rows:
                open_profile(str(department_codes.iloc[rows[0]]))
            st.caption(t("table.click_hint", lang()))
    print_table(frame, key, number_formats(column_config))
    downloads(frame if download is None else download, name, key, on_download=on_download, title=title)


def open_profile(department_code: str) -> None:
    """Go to the department profile page for `department_code` (kept in the URL as `dept`)."""
    st.session_state["profile_dept"] = department_code
    st.switch_page("pages/profile.py", query_params={"dept": department_code, **current_params()})


def current_params() -> dict[str, str]:
    params = {"lang": lang()}
    for param, key in FILTER_KEYS.items():
        if st.session_state.get(key):
            params[param] = st.session_state[key]
    return params


def settings_note() -> None:
    """Under a page's title, when the metric settings in force differ from the defaults: who changed them
    and when ("指标设置于 … 由 … 修改"), so a figure that moved is never a mystery."""
    note = load(settings.metric_settings_note)
    if note is None:
        return
    when, user = note
    text = t(
        "settings.note", lang(), when=when.strftime("%Y-%m-%d %H:%M"), user=user or t("settings.note.unknown", lang())
    )
    st.caption(f":material/tune: {md_escape(text)}")


def no_data(message_key: str, **values: object) -> None:
    """A helpful empty state: what is missing, and a link to the import page (for a role that may import: for
    the others its address holds the refusal, and st.page_link to a page not in the navigation raises)."""
    from pages._auth import may  # _auth imports this module

    st.info(t(message_key, lang(), **values), icon=":material/info:")
    if may(Permission.IMPORT):
        st.page_link("pages/import.py", label=t("nav.import", lang()), icon=":material/upload_file:")


def score_text(value: float | None, n: int | None = None, digits: int = 1, complementary: bool = False) -> str:
    """A score for a card or a sentence: '—' without data, the suppression note when n is too small (or the
    cell is withheld to protect a small group: `complementary`)."""
    if value is None or pd.isna(value):
        if n:
            return t("metric.withheld" if complementary else "metric.suppressed", lang())
        return "—"
    return formats.number(value, digits, lang())


def completeness_note(data: Panel, filters: Filters) -> None:
    """The data-completeness note (数据完整性) of the party figures in the filters: the rule, then the branch ×
    periods not reported (未上报), or one line saying every branch reported."""
    from analytics import party  # party imports risk; kept out of this module's import time

    groups = party.completeness(data, filters)
    if not groups:
        st.caption(f"{md_escape(t('reported.rule', lang()))} {md_escape(t('reported.all', lang()))}")
        return
    lines = party.completeness_lines(groups, data, lang(), escape=md_escape)
    text = "\n".join(
        [md_escape(t("reported.rule", lang())), "", md_escape(t("reported.list", lang())), *(f"- {x}" for x in lines)]
    )
    st.warning(text, icon=":material/playlist_remove:")


def n_text(n: object, withheld: bool, complementary: bool, min_n: int) -> str:
    """A count of respondents as shown: '1,234', or for a withheld cell '<10' (a small group) or '—' (withheld
    to protect one): never the exact n of a withheld cell (`suppression.n_label`)."""
    label = suppression.n_label(n, bool(withheld), bool(complementary), min_n)
    return label if isinstance(label, str) else formats.count(label, lang())


# --- Printing ------------------------------------------------------------------------------------------------
# A browser's print (Ctrl+P) of a page gives A4 pages of what the page says, without the app around it: no
# sidebar (navigation, filters), no header, toolbars or menus, no chart modebar, no buttons, downloads or
# other controls; cards at most three to a row, charts the page's width, and every table whole (`print_table`).
# Containers keyed SCREEN_ONLY… are left off paper, PRINT_ONLY… are shown only there. app.py adds PRINT_CSS
# once per run; constant CSS, nothing of the data in it.
SCREEN_ONLY, PRINT_ONLY = "pbi_screen_", "pbi_print_"
# A printed table shows this many rows at most, and says so under it (the rest are in the downloads): a table
# of thousands of rows would make every screen view of the page slower for a print few make.
PRINT_ROWS = 500
PRINT_CSS = f"""<style>
/* A keyed container is a block in a layout wrapper: hide the wrapper too, or it keeps a gap on the page. */
[class*="st-key-{PRINT_ONLY}"],
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-{PRINT_ONLY}"]) {{ display: none !important; }}
@page {{ size: A4; margin: 14mm 12mm; }}
@media print {{
  [class*="st-key-{SCREEN_ONLY}"],
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-{SCREEN_ONLY}"]),
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stMainMenu"], [data-testid="stAppDeployButton"], [data-testid="stSkipToContent"],
  [data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"], [data-testid="stTooltipIcon"],
  .modebar-container,
  [data-testid="stElementContainer"]:has(> [data-testid="stDownloadButton"]),
  [data-testid="stElementContainer"]:has(> [data-testid="stButton"]),
  [data-testid="stElementContainer"]:has(> [data-testid="stPageLink"]),
  [data-testid="stElementContainer"]:has(> [data-testid="stButtonGroup"]),
  [data-testid="stElementContainer"]:has(> [data-testid="stCheckbox"]),
  [data-testid="stElementContainer"]:has(> [data-testid="stFileUploader"]),
  [data-testid="stExpander"]:has(> details:not([open])) {{ display: none !important; }}
  [class*="st-key-{PRINT_ONLY}"],
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-{PRINT_ONLY}"]) {{ display: block !important; }}
  [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: none !important; }}
  /* A drop-down in the page (which branch, which metric) prints as its label and value. */
  [data-testid="stSelectbox"] [role="group"] {{ border: none !important; background: none !important; }}
  [data-testid="stSelectbox"] button {{ display: none !important; }}
  /* Cards three to a row at most; charts the page's width. */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {{
    flex-wrap: wrap !important;
  }}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] {{
    flex: 0 0 calc((100% - 2rem) / 3) !important; min-width: calc((100% - 2rem) / 3) !important;
  }}
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) {{ flex-wrap: wrap !important; }}
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) > [data-testid="stColumn"] {{
    flex: 1 1 100% !important; min-width: 100% !important;
  }}
  /* A chart keeps the pixels it was drawn with on screen (a print runs no script to redraw it): scale each
     layer of it to the page's width, by the width it was drawn at (its `width` attribute). This needs typed
     attr() and unit division (Chromium 2025 on; checked in Chromium 156); an older browser ignores the rule
     and cuts a chart wider than the page at the edge. */
  [data-testid="stPlotlyChart"] {{ container-type: inline-size; }}
  [data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"] > [data-testid="stPlotlyChart"]),
  [data-testid="stFullScreenFrame"]:has(> [data-testid="stPlotlyChart"]),
  [data-testid="stPlotlyChart"], [data-testid="stPlotlyChart"] .svg-container {{ height: auto !important; }}
  [data-testid="stPlotlyChart"] .main-svg {{ zoom: min(1.25, calc(100cqw / attr(width px))); }}
  [data-testid="stPlotlyChart"] .main-svg:first-of-type {{ position: relative !important; }}
  [data-testid="stMetric"], [data-testid="stPlotlyChart"], .pbi-print-table tr {{ break-inside: avoid; }}
  /* A heading, or a bold line naming a chart, stays with what follows it. */
  [data-testid="stElementContainer"]:has(h1, h2, h3, h4, [data-testid="stMarkdown"] p > strong:only-child) {{
    break-after: avoid;
  }}
  .pbi-print-table {{
    width: 100%; border-collapse: collapse; font-size: 8pt; line-height: 1.3; overflow-wrap: anywhere;
  }}
  .pbi-print-table th, .pbi-print-table td {{ border: 0.5pt solid #B0B0B0; padding: 1pt 3pt; vertical-align: top; }}
  .pbi-print-table th {{ background: #F6F2EE; text-align: left; font-weight: 600; }}
  .pbi-print-table.wide {{ font-size: 6.5pt; }}
  .pbi-print-table td.n {{ text-align: right; }}
  .pbi-print-note {{ font-size: 8pt; color: #555; margin: 2pt 0 0; }}
}}
</style>"""


def print_style() -> None:
    """The print stylesheet (PRINT_CSS); app.py adds it on every run, before the page."""
    st.html(PRINT_CSS)


def number_formats(column_config: dict | None) -> dict[str, str]:
    """The printf-style number format of each column a page's column_config gives one (NumberColumn)."""
    formats = {}
    for column, config in (column_config or {}).items():
        number_format = ((config or {}).get("type_config") or {}).get("format") if isinstance(config, dict) else None
        if isinstance(number_format, str) and number_format.startswith("%"):
            formats[column] = number_format
    return formats


def print_table(
    frame: pd.DataFrame, key: str, formats: dict[str, str] | None = None, fills: pd.DataFrame | None = None
) -> None:
    """`frame` as a static table shown only on paper (escaped text, `exports.to_print_html`), every row up to
    PRINT_ROWS; the page's grid, in a SCREEN_ONLY container, gives way to it there."""
    shown, note = frame, None
    if len(frame) > PRINT_ROWS:
        shown = frame.head(PRINT_ROWS)
        note = t("print.rows_left_out", lang(), shown=f"{PRINT_ROWS:,}", n=f"{len(frame):,}")
    with st.container(key=f"{PRINT_ONLY}{key}"):
        st.html(exports.to_print_html(shown, formats, fills, note))


# --- The screen: narrow windows, the libraries' English, charts ------------------------------------------------
# On a phone (390 px) or a tablet in portrait (768 px) a row of four cards leaves each too narrow for its figure
# and its change: cards, side-by-side charts and rows of drop-downs wrap to the next line instead (a card is at
# least 15rem, a chart 24rem, a drop-down 12rem), and a card's label, figure and change, a control's label, a
# page link and a button wrap rather than end in "…". Constant CSS, nothing of the data.
CHROME_KEY = "pbi_chrome"
SCREEN_CSS = f"""<style>
.st-key-{CHROME_KEY},
[data-testid="stLayoutWrapper"]:has(> .st-key-{CHROME_KEY}),
[data-testid="stElementContainer"]:has(.st-key-{CHROME_KEY}) {{ display: none !important; }}
@media screen {{
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]),
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stPlotlyChart"]) {{
    flex-wrap: wrap !important;
  }}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] {{
    flex: 1 1 15rem !important; min-width: min(15rem, 100%) !important;
  }}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stPlotlyChart"])
    > [data-testid="stColumn"] {{
    flex: 1 1 24rem !important; min-width: min(24rem, 100%) !important;
  }}
  /* A row of drop-downs (the relations page's metric, outcome, lag …): each wide enough for its choice. */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stSelectbox"]) {{
    flex-wrap: wrap !important;
  }}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stSelectbox"])
    > [data-testid="stColumn"] {{
    flex: 1 1 12rem !important; min-width: min(12rem, 100%) !important;
  }}
  [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *, [data-testid="stMetricValue"],
  [data-testid="stMetricValue"] *, [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] *,
  [data-testid="stMetricDeltaDescription"], [data-testid="stMetricDeltaDescription"] * {{
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
    overflow-wrap: anywhere;
  }}
  [data-testid="stMetric"] > div > div:last-child {{ flex-wrap: wrap; row-gap: 0.25rem; }}
  /* A control's label, a link to a page, a button: on two lines rather than cut with "…". */
  [data-testid="stWidgetLabel"] :is(p, span, div), [data-testid="stPageLink"] :is(p, span),
  [data-testid="stCheckbox"] label :is(p, span, div), [data-testid="stButton"] button :is(p, span) {{
    white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
  }}
}}
/* A phone: two cards to a row, in smaller type, rather than one screenful per card. */
@media screen and (max-width: 640px) {{
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {{
    flex-direction: row !important; gap: 0.5rem !important;
  }}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] {{
    flex: 1 1 9rem !important; min-width: min(9rem, 100%) !important; width: auto !important;
  }}
  [data-testid="stMetric"] {{ padding: 0.5rem 0.6rem !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.6rem !important; }}
  [data-testid="stMetricDelta"], [data-testid="stMetricDeltaDescription"] {{ font-size: 0.8rem !important; }}
}}
</style>"""

# The chrome script: in Chinese, Streamlit's own controls get CHROME_ZH's words (`analytics.i18n.chrome_rules`) as
# they appear (a MutationObserver), in their text and their title, aria-label and placeholder; switched back to
# English, what it changed goes back. It never touches the app's content: text inside markdown, captions, code,
# st.text, drop-down options or charts is skipped, and it sets text (nodeValue, attributes), never HTML. One
# observer per browser tab (kept on `window`); each run hands it the current language's rules. The script is
# constant; the rules are the app's own constants, as JSON.
CHROME_SCRIPT = """<script>
(() => {
  const rules = __RULES__;
  const state = window.__pbiChrome || (window.__pbiChrome = { touched: [], observer: null });
  state.exact = rules.exact;
  state.patterns = rules.patterns.map(([source, replacement]) => [new RegExp(source), replacement]);
  const SKIP = "[data-testid=stMarkdownContainer],[data-testid=stCaptionContainer],[data-testid=stCode]," +
    "[data-testid=stText],[data-testid=stIconMaterial],[role=option],code,pre,svg,script,style,textarea";
  const ATTRS = ["title", "aria-label", "placeholder"];
  const say = (text) => {
    const key = text.trim();
    if (!key) return null;
    if (Object.hasOwn(state.exact, key)) return text.replace(key, state.exact[key]);
    for (const [pattern, replacement] of state.patterns) {
      if (pattern.test(key)) return text.replace(key, key.replace(pattern, replacement));
    }
    return null;
  };
  const fixText = (node) => {
    const parent = node.parentElement;
    if (!parent || parent.closest(SKIP)) return;
    const after = say(node.nodeValue);
    if (after === null || after === node.nodeValue) return;
    state.touched.push([new WeakRef(node), null, node.nodeValue, after]);
    node.nodeValue = after;
  };
  const fixAttributes = (element) => {
    if (element.closest("svg")) return;
    for (const name of ATTRS) {
      const before = element.getAttribute(name);
      const after = before === null ? null : say(before);
      if (after === null || after === before) continue;
      state.touched.push([new WeakRef(element), name, before, after]);
      element.setAttribute(name, after);
    }
  };
  const fix = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return fixText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) fixText(node);
    fixAttributes(root);
    for (const element of root.querySelectorAll("[title],[aria-label],[placeholder]")) fixAttributes(element);
  };
  // What an earlier language put in place goes back to what the current one says of the original.
  const earlier = state.touched;
  state.touched = [];
  for (const [ref, name, before, after] of earlier) {
    const node = ref.deref();
    if (!node || !node.isConnected) continue;
    const now = say(before) ?? before;
    if (name === null && node.nodeValue === after) node.nodeValue = now;
    if (name !== null && node.getAttribute(name) === after) node.setAttribute(name, now);
    if (now !== before) state.touched.push([ref, name, before, now]);
  }
  if (!state.observer) {
    state.observer = new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "childList") record.addedNodes.forEach(fix);
        else if (record.type === "characterData") fixText(record.target);
        else fixAttributes(record.target);
      }
    });
    state.observer.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS,
    });
  }
  fix(document.body);
})();
</script>"""


def chrome_script(language: str) -> str:
    """CHROME_SCRIPT with `language`'s rules: the same text on every run in that language, whatever the data."""
    rules = json.dumps(chrome_rules(language), ensure_ascii=False).replace("</", "<\\/")
    return CHROME_SCRIPT.replace("__RULES__", rules)


def chrome() -> None:
    """The screen stylesheet (SCREEN_CSS) and the chrome script in the user's language; app.py adds them on every
    run, in a hidden container in the sidebar."""
    with st.container(key=CHROME_KEY):
        st.html(SCREEN_CSS)
        st.html(chrome_script(lang()), unsafe_allow_javascript=True)


_PLOTLY_ZH = json.loads((Path(__file__).resolve().parent.parent / "analytics/locale/plotly-zh-cn.json").read_text())


def chart_config() -> dict[str, Any]:
    """Every chart's Plotly config: no toolbar (its English buttons covered legends, and zooming by accident on a
    touch screen is easy: the page's numbers are in labels and tables, and its downloads carry the data), and
    Plotly's own Chinese locale in Chinese (`analytics/locale`)."""
    config: dict[str, Any] = {"displayModeBar": False, "displaylogo": False}
    if lang() == "zh":
        config |= {"locale": "zh-CN", "locales": {"zh-CN": _PLOTLY_ZH}}
    return config


def figure_card(where: Any, figure: Any, tag: str = "") -> None:
    """A headline figure of the meeting material (`report_model.Figure`) as a card in `where` (a column), as the
    material page and the presentation show it: its label (then `tag`, markdown of ours), value, and change and
    note as text. The change is text ("较上季度 -4.8 分"), so no arrow or colour: Streamlit would read its sign
    wrongly."""
    where.metric(
        md_escape(figure.label) + tag,
        md_escape(figure.value),
        delta=md_escape(" · ".join(x for x in (figure.change, figure.note) if x)) or None,
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
