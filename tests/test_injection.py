"""User text is never markup, and no table leaves the app holding a live formula (issue 11: injection).

The database is fresh: copies of tests/samples in which every branch and department is renamed to something
hostile (HTML, a markdown link, Streamlit shortcodes and colour directives, spreadsheet formulas), imported
with the library, so that every page has data naming them. Then:

- every page through AppTest: no markdown that Streamlit renders (bodies, labels, help texts, metric values,
  radio options) holds a hostile fragment as typed; the names are there, escaped, where a page writes them in
  markdown, and as typed in plain-text widgets (select boxes); no Plotly figure carries a tag in its data;
- every table handed to the app's own CSV and Excel buttons comes out with no cell starting = + - @;
- headless Chromium (overview, party, profile with a hostile `?dept=`, import): no link to the hostile host,
  no element restyled by a name, chart labels and hover boxes show the names literally, and tables have no
  built-in CSV download (`client.disableDataExport` in .streamlit/config.toml), only the app's own;
- headless Chromium on tests/markdown_probe.py: text escaped by `md_escape` in every kind of place Streamlit
  renders markdown reads exactly as typed, and a reader who copies it gets exactly the typed text (no
  invisible character in it), with no link, colour, badge, icon or emphasis made of it.
"""

from __future__ import annotations

import ast
import csv
import html
import inspect
import io
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import charts, exports
from analytics.db import Database
from analytics.i18n import LANGUAGES, t
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from pages._ui import CUT, chrome_script, md_escape
from tests import markdown_probe
from tests.browser_support import PROJECT_ROOT, VIEWPORT, App, run_app, save_screenshot, wait_for_app_idle
from tests.conftest import SAMPLES
from tests.page_support import add_test_accounts, signed_in

TIMEOUT = 60
# sample name -> hostile name
BRANCHES = {
    "内科第一党支部": '<a href="http://evil.example/b">支部链接</a>',
    "外科党支部": '<span style="font-size:60px;color:red">大字支部</span>',
    "医技联合党支部": ":red[红色]支部 **粗体**",
    "机关党支部": '=HYPERLINK("http://evil.example","点我")',
}
DEPARTMENTS = {
    "心血管内科": "[点此登录](http://evil.example/login)",
    "呼吸与危重症医学科": ":material/warning: 警告科 :streamlit:",
    "普通外科": "+cmd|' /C calc'!A0",
    "检验科": "@SUM(1+1) 检验",
    "影像科": "-2+3 影像",
    "党委办公室": '<span style="font-size:60px;color:red">大字科</span>',
}
HOSTILE_DEPT = "[点此登录](http://evil.example/login)"  # a link someone sends: /profile?dept=…
# Each of these, rendered as markdown, would be a link, a style, bold text, a colour, an icon or a logo.
LIVE = ("](http", "<a href", "<span style", ":red[", "**粗体**", ":material/warning:", ":streamlit:", "http://evil")
UNESCAPED = re.compile("|".join(r"(?<!\\)" + re.escape(fragment) for fragment in LIVE))
FORMULA_STARTS = ("=", "+", "-", "@")
# A file with bad rows whose name and cells are hostile: the import page quotes them, in markdown and in its error list.
UPLOAD_NAME = ":red[名单]**粗体**<b>x</b>.csv"
UPLOAD_ROWS = [
    ["活动日期", "支部名称", "活动类型", "活动主题", "参加人数", "应到人数", "时长(小时)"],
    ["2024-03-05", '<a href="http://evil.example/u">未知支部</a>', "支部党员大会", "=HYPERLINK(1)", "10", "12", "1"],
    ["@SUM(1+1)", BRANCHES["医技联合党支部"], "支部委员会", "+cmd|' /C calc'!A0", "8", "9", "1"],
    ["2024-03-07", BRANCHES["医技联合党支部"], HOSTILE_DEPT, ":material/warning: 主题", "-2+3", "9", "1"],
]


def upload_bytes() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(UPLOAD_ROWS)
    return out.getvalue().encode()


def hostile_files() -> list[SourceFile]:
    """The samples with the branches and departments renamed, wherever a file names them (the activities
    name their branch, the responses their department; the workbooks use codes)."""

    def renamed(name: str, encoding: str, column: str, names: dict[str, str]) -> SourceFile:
        frame = pd.read_csv(SAMPLES / name, encoding=encoding, dtype=str, keep_default_na=False)
        frame[column] = frame[column].map(lambda n: names.get(n, n))
        return SourceFile(name, frame.to_csv(index=False).encode("utf-8"))

    return [
        renamed("branches_utf8bom.csv", "utf-8-sig", "支部名称", BRANCHES),
        renamed("departments_gbk.csv", "gbk", "科室名称", DEPARTMENTS),
        renamed("activities_2024_utf8bom.csv", "utf-8-sig", "支部名称", BRANCHES),
        renamed("satisfaction_responses_gbk.csv", "gbk", "科室", DEPARTMENTS),
        SourceFile.from_path(SAMPLES / "satisfaction_quarterly_2024.xlsx"),
        SourceFile.from_path(SAMPLES / "discipline_2024.xlsx"),
    ]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database with the hostile names and every kind of record. Copy it to open it elsewhere."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    with Database(path) as db:
        result = import_files(db, hostile_files())
        assert result.ok, result
        con = db.reader()
        assert {n for (n,) in con.execute("SELECT name FROM branches").fetchall()} == set(BRANCHES.values())
        assert {n for (n,) in con.execute("SELECT name FROM departments").fetchall()} == set(DEPARTMENTS.values())
        add_test_accounts(db)
    return path


@pytest.fixture
def db_copy(hostile_db: Path, tmp_path: Path) -> Path:
    """A private copy (the app caches one Database per path; the import page writes)."""
    path = tmp_path / "hostile.duckdb"
    shutil.copy(hostile_db, path)
    return path


# --- What a page hands to markdown, to Plotly and to its download buttons ----------------------------------

# Proto fields that Streamlit renders as markdown: bodies, labels, help tooltips, metric values and deltas.
MARKDOWN_FIELDS = {"body", "label", "help", "delta", "delta_description", "text", "captions"}
PLAIN_TEXT = {"text", "code", "json"}  # st.text, st.code, st.json show their body as is
# st.html bodies are HTML, not markdown (`html_bodies`): the print-only tables (`pages._ui.print_table`).
HTML = "html"
# The only tags a page's HTML may hold: a printed table's, with our classes and a width or colour.
OUR_TAGS = re.compile(r'</?(?:table|thead|tbody|tr|th|div|td|p)(?: class="[\w -]*")?(?: style="[\w:#.-]*")?>')


def markdown_texts(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as markdown. Select box and multiselect options are
    plain text, so they are not among them."""
    texts: list[str] = []
    for node in (*at.main, *at.sidebar):
        kind, proto = getattr(node, "type", ""), getattr(node, "proto", None)
        if kind in PLAIN_TEXT or kind == HTML or not hasattr(proto, "ListFields"):
            continue
        for field, value in proto.ListFields():
            if field.name in MARKDOWN_FIELDS:
                texts += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
        if kind == "radio":
            texts += list(proto.options)
        elif kind == "button_group":
            texts += [option.content for option in proto.options]
    return texts


def page_constant(page: str, name: str) -> str:
    """The string constant `name` of pages/<page>.py, read from its source (a page cannot be imported)."""
    tree = ast.parse((PROJECT_ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8"))
    return next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and [getattr(x, "id", None) for x in node.targets] == [name]
    )


# Constant HTML of our own, the same on every run whatever the data: the presentation's keyboard script, and
# the chrome script that says Streamlit's own English in Chinese (pages/_ui.py), in each language.
CONSTANT_HTML = frozenset({page_constant("present", "KEYS"), *(chrome_script(lang) for lang in LANGUAGES)})


def html_bodies(at: AppTest) -> list[str]:
    """The HTML the page inserts in its body (style-only HTML goes elsewhere and holds no data), but for
    CONSTANT_HTML."""
    bodies = [node.proto.body for node in (*at.main, *at.sidebar) if getattr(node, "type", "") == HTML]
    return [body for body in bodies if body not in CONSTANT_HTML]


def figure_strings(at: AppTest) -> Iterator[tuple[str, str]]:
    """(key, text) for every string in every Plotly figure on the page."""

    def walk(value: object, key: str = "") -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v, key)

    for node in at.main:
        if getattr(node, "type", "") == "plotly_chart":
            yield from walk(json.loads(node.proto.spec))


@pytest.fixture
def downloaded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """The bytes of every file the app's own download buttons offer, as ("csv" | "xlsx", data)."""
    files: list[tuple[str, bytes]] = []
    to_csv, to_excel = exports.to_csv_bytes, exports.to_excel_bytes

    def csv_bytes(frame, *args, **kwargs):
        files.append(("csv", data := to_csv(frame, *args, **kwargs)))
        return data

    def excel_bytes(frame, *args, **kwargs):
        files.append(("xlsx", data := to_excel(frame, *args, **kwargs)))
        return data

    monkeypatch.setattr(exports, "to_csv_bytes", csv_bytes)
    monkeypatch.setattr(exports, "to_excel_bytes", excel_bytes)
    return files


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cells(kind: str, data: bytes) -> list[object]:
    if kind == "csv":
        return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    book = openpyxl.load_workbook(io.BytesIO(data))
    found: list[object] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in {sheet.title}!{cell.coordinate}: {cell.value}"
                found.append(cell.value)
    return found


def live_formulas(kind: str, data: bytes) -> list[str]:
    """Text cells a spreadsheet would run as a formula (a negative number is a number, not a formula)."""
    return [c for c in cells(kind, data) if isinstance(c, str) and c.startswith(FORMULA_STARTS) and not is_number(c)]


def open_page(db_path: Path, monkeypatch, page: str, params: dict[str, str] | None = None, **state) -> AppTest:
    """`page` after app.py's first run (so with its sidebar), signed in, in Chinese, with URL parameters and
    session state."""
    monkeypatch.setenv("PBI_DB", str(db_path))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT))
    at.query_params["lang"] = "zh"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    for key, value in (params or {}).items():  # after app.py's navigation, which starts a page without them
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def assert_nothing_live(at: AppTest, downloads: list[tuple[str, bytes]]) -> list[str]:
    """No hostile fragment in any markdown, no tag in any figure's data or HTML but a printed table's, no formula
    in any download; returns the page's markdown texts."""
    texts = markdown_texts(at)
    assert texts
    for text in texts:
        assert not UNESCAPED.search(text), text
    for body in html_bodies(at):
        assert "<" not in OUR_TAGS.sub("", body), body  # every `<` of a name arrives as `&lt;`
    for key, text in figure_strings(at):
        if key in ("hovertemplate", "texttemplate"):  # ours: data only through %{…}, never a name pasted in
            assert "evil" not in text and not UNESCAPED.search(text), text
        else:
            assert not re.search(r"<(?!br>)", text), (key, text)  # `<` only as the line breaks we write
    for kind, data in downloads:
        assert live_formulas(kind, data) == [], kind
    return texts


def neutralised_names(downloads: list[tuple[str, bytes]]) -> set[str]:
    """The hostile names that the downloads hold, neutralised (a leading apostrophe)."""
    shown = {c for kind, data in downloads for c in cells(kind, data) if isinstance(c, str)}
    hostile = [*BRANCHES.values(), *DEPARTMENTS.values()]
    return {
        name for name in hostile if name.startswith(FORMULA_STARTS) and any(c.startswith("'" + name) for c in shown)
    }


# --- AppTest: every page ---------------------------------------------------------------------------------


def test_md_escape_leaves_no_markdown_no_shortcode_and_no_bare_link() -> None:
    # `|` marks where the text is cut by an empty `:small[]` (what Streamlit rewrites after parsing: bare
    # links, shortcodes, arrows); a backslash escapes everything markdown parses.
    cases = {
        HOSTILE_DEPT: r"\[点此登录\]\(http\:|\/\/evil\.example\/login\)",
        ":red[x] :material/warning:": r"\:red\[x\] \:material\/warning\:",
        ":streamlit: :smile: :material_home:": r"\:|streamlit\: \:|smile\: \:|material\_home\:",
        "www.evil.example boss@evil.example": r"www|\.evil\.example boss@|evil\.example",
        "a -> b <= c <-> d": r"a \-|\> b \<|\= c \<|\-|\> d",
        "-- x@": r"\-|\- x@",  # a cut never ends the text
        "&lt;b&gt; $x$": r"\&lt;b\&gt; \$x\$",
        "心血管内科 10:30": r"心血管内科 10\:30",
    }
    for text, escaped in cases.items():
        assert md_escape(text) == escaped.replace("|", CUT)
        # What the reader sees once markdown has taken its backslashes and the empty cuts: the text as typed.
        assert re.sub(r"\\(.)", r"\1", md_escape(text).replace(CUT, "")) == text


def test_every_figure_builder_escapes_what_it_draws() -> None:
    assert charts.plain('<a href="x">R&D</a>\n2') == '&lt;a href="x"&gt;R&amp;D&lt;/a&gt;<br>2'
    builders = [
        fn
        for name, fn in vars(charts).items()
        if inspect.isfunction(fn) and fn.__module__ == charts.__name__ and not name.startswith("_")
        if fn.__annotations__.get("return") == "go.Figure" and fn is not charts.literal
    ]
    assert len(builders) > 10
    assert [fn.__name__ for fn in builders if not getattr(fn, "shows_data_as_typed", False)] == []
    figure = charts.stacked_bars(
        pd.DataFrame({"x": [BRANCHES["外科党支部"]], "series": [DEPARTMENTS["党委办公室"]], "y": [1]}), "x", "y", "s"
    )
    assert figure.data[0].name == charts.plain(DEPARTMENTS["党委办公室"])
    assert list(figure.data[0].x) == [charts.plain(BRANCHES["外科党支部"])]
    assert "党委" not in figure.data[0].hovertemplate  # the name comes in through %{fullData.name}


PAGES = {
    # page: (URL parameters, session state)
    "overview": ({}, {"f_branch": "DZB02"}),
    "party": ({}, {}),
    "satisfaction": ({}, {}),
    "discipline": ({}, {}),
    "relations": ({}, {}),
    "about": ({}, {}),
    "settings": ({}, {}),
    "profile": ({"dept": "D01"}, {}),
    "report": ({}, {}),
    "present": ({"step": "8"}, {}),  # the warnings, naming branches and departments
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_renders_a_name_as_markup_or_downloads_it_as_a_formula(db_copy, monkeypatch, downloaded, name):
    params, state = PAGES[name]
    at = open_page(db_copy, monkeypatch, f"pages/{name}.py", params, **state)
    texts = assert_nothing_live(at, downloaded)
    # Plain-text widgets show the names as typed (escaping them would show backslashes).
    branch_filter = [s for s in at.selectbox if s.key == "w_branch"]
    if branch_filter:
        assert set(BRANCHES.values()) <= set(branch_filter[0].options)
    if name == "overview":  # the caption names the chosen branch
        assert any(md_escape(BRANCHES["外科党支部"]) in text for text in texts)
    if name == "profile":  # the department's name as its heading, its branch on a card
        assert at.header[0].value == md_escape(DEPARTMENTS["心血管内科"])
        assert md_escape(BRANCHES["内科第一党支部"]) in [m.value for m in at.metric]
    if name in ("party", "satisfaction", "discipline"):  # tables of names: the formulas arrive as text
        assert neutralised_names(downloaded), name
        # and the printed tables show the names as typed: escaped, so `<span style…>` is text on paper.
        printed = "".join(html_bodies(at))
        assert html.escape(DEPARTMENTS["党委办公室"]) in printed or html.escape(BRANCHES["外科党支部"]) in printed


def test_a_link_in_the_profile_url_is_shown_as_typed(db_copy, monkeypatch) -> None:
    at = open_page(db_copy, monkeypatch, "pages/profile.py", {"dept": HOSTILE_DEPT})
    assert_nothing_live(at, [])
    assert [w.value for w in at.warning] == [t("profile.unknown", "zh", code=md_escape(HOSTILE_DEPT))]


def test_the_import_page_quotes_hostile_cells_and_file_names_as_typed(db_copy, monkeypatch, downloaded) -> None:
    at = open_page(db_copy, monkeypatch, "pages/import.py")
    at.file_uploader[0].upload(UPLOAD_NAME, upload_bytes(), "text/csv")
    at.run()
    at.button(key="import_run").click().run()
    assert not at.exception, at.exception
    texts = assert_nothing_live(at, downloaded)
    assert any(md_escape(UPLOAD_NAME) in text for text in texts)
    # The error table quotes the cells as typed (a table is plain text) ...
    quoted = {str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()}
    assert {HOSTILE_DEPT, "@SUM(1+1)", "-2+3"} <= quoted
    # ... and its downloads have them as text.
    assert {"'@SUM(1+1)", "'-2+3"} <= {c for kind, data in downloaded for c in cells(kind, data)}


# --- Headless Chromium --------------------------------------------------------------------------------------


def test_the_tables_have_no_built_in_download() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


@pytest.fixture(scope="module")
def app(hostile_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("hostile-browser") / "hostile.duckdb"
    shutil.copy(hostile_db, path)
    with run_app(path) as running:
        yield running


def assert_no_live_markup(page) -> None:
    """No link to the hostile host, no element a name restyled, anywhere in the page (charts included)."""
    assert page.locator('a[href*="evil.example"]').count() == 0
    big = page.locator('[style*="font-size:60px"], [style*="font-size: 60px"]')
    assert big.count() == 0
    made_bold = page.locator('[data-testid="stMarkdownContainer"] strong').filter(has_text=re.compile("^粗体$"))
    assert made_bold.count() == 0  # `**粗体**` in a name (the page bolds whole file names itself)


def chart_texts(page) -> list[str]:
    return page.locator(".js-plotly-plot text").evaluate_all("els => els.map(e => e.textContent)")


def visible_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def open_url(page, app: App, path: str) -> None:
    page.goto(f"{app.url}/{path}")
    wait_for_app_idle(page)


@pytest.mark.browser
def test_in_the_browser_names_stay_text_and_tables_leave_only_through_the_neutralising_buttons(page, app) -> None:
    from playwright.sync_api import expect

    # Overview, filtered to a hostile branch: the caption names it, as typed.
    open_url(page, app, "?branch=DZB02")
    expect(page.locator(".js-plotly-plot").first).to_be_attached()
    assert_no_live_markup(page)
    assert BRANCHES["外科党支部"] in visible_text(page)

    # Party: the names are tick labels and hover texts, drawn literally; no <a> or <span style> in the SVG.
    open_url(page, app, "party")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached()
    page.wait_for_timeout(500)
    assert_no_live_markup(page)
    assert page.locator(".js-plotly-plot svg a").count() == 0  # (the modebar's own buttons are outside the SVG)
    drawn = chart_texts(page)
    for name in BRANCHES.values():
        assert name in drawn, name
    bars = page.locator(".st-key-party_bars .js-plotly-plot")
    bars.scroll_into_view_if_needed()
    bar = bars.locator("g.point path").first.bounding_box()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    hover = bars.locator(".hoverlayer text")
    expect(hover.first).to_be_attached()
    assert any(name in hover.first.text_content() for name in BRANCHES.values())
    assert bars.locator(".hoverlayer a").count() == 0
    save_screenshot(page, "injection-party.png")

    # The tables: no built-in CSV download in their toolbars; the app's own CSV has the formulas as text.
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    grid.hover()
    toolbar = page.get_by_test_id("stElementToolbarButton")
    expect(toolbar.first).to_be_visible()
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    button = page.get_by_test_id("stDownloadButton").filter(has_text=t("download.csv", "zh")).last
    with page.expect_download() as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    assert live_formulas("csv", data) == []
    assert "'" + BRANCHES["机关党支部"] in data.decode("utf-8-sig").replace('""', '"')

    # Profile by a link with a markdown link in it: the warning quotes it as text.
    open_url(page, app, f"profile?dept={HOSTILE_DEPT}")
    expect(page.get_by_test_id("stAlert")).to_be_visible()
    assert_no_live_markup(page)
    assert HOSTILE_DEPT in visible_text(page)
    # ... and a department's own profile: its name as the heading.
    open_url(page, app, "profile?dept=D02")
    expect(page.locator("h2")).to_contain_text("警告科")
    assert_no_live_markup(page)
    assert DEPARTMENTS["呼吸与危重症医学科"] in visible_text(page)
    assert page.locator("h2 [data-testid='stIconMaterial'], h2 img").count() == 0  # no icon, no logo

    # Import: a hostile file name and cells, quoted in messages and in the error table.
    open_url(page, app, "import")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": UPLOAD_NAME, "mimeType": "text/csv", "buffer": upload_bytes()}]
    )
    expect(page.get_by_text(t("import.preview.ready", "zh"))).to_be_visible()
    wait_for_app_idle(page)
    page.get_by_role("button", name=t("import.run", "zh"), exact=True).click()
    table = page.locator(".st-key-import_errors_table")
    expect(table).to_be_visible()
    wait_for_app_idle(page)
    assert_no_live_markup(page)
    assert UPLOAD_NAME in visible_text(page)
    table.hover()
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    button = page.get_by_test_id("stDownloadButton").filter(has_text=t("import.errors.csv", "zh"))
    with page.expect_download() as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    assert live_formulas("csv", data) == []
    assert "'@SUM(1+1)" in data.decode("utf-8-sig")
    save_screenshot(page, "injection-import.png")


# What each place of tests/markdown_probe.py shows (innerText of each markdown text in it), what a reader
# copies of each (the selection's text, as the clipboard gets it), and what markup it holds.
READ_PLACE = """place => {
    const texts = [...place.querySelectorAll('[data-testid=stMarkdownContainer], [data-testid=stCaptionContainer]')]
        .filter(m => m.innerText.trim() !== '');
    const copied = texts.map(m => {
        const range = document.createRange();
        range.selectNodeContents(m);
        const selection = getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        const text = selection.toString();
        selection.removeAllRanges();
        return text;
    });
    const inside = selector => texts.flatMap(m => [...m.querySelectorAll(selector)]);
    return {
        shown: texts.map(m => m.innerText),
        copied,
        links: place.querySelectorAll('a').length,
        markup: inside('strong, em, b, code, del, .katex, .stMarkdownBadge, .stMarkdownColoredText, '
            + '.stMarkdownColoredBackground, [data-testid=stIconMaterial], span[role=img], img').length,
        filled_spans: inside('span[style]').filter(s => s.textContent !== '').length,
    };
}"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("markdown-probe") / "unused.duckdb"
    with run_app(path, script="tests/markdown_probe.py") as running:
        yield running


@pytest.mark.browser
def test_in_the_browser_escaped_text_reads_and_copies_as_typed_in_every_place(browser, probe: App) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(probe.url)
        wait_for_app_idle(page)
        for index, typed in enumerate(markdown_probe.TYPED):
            for place in markdown_probe.PLACES:
                found = page.locator(f".st-key-probe_{place}_{index}").evaluate(READ_PLACE)
                shown = [text.strip() for text in found["shown"] if text.strip() not in markdown_probe.OWN]
                where = (place, typed, found)
                assert shown == [typed.strip()] * (2 if place == "metric" else 1), where
                if place != "button":  # a button's label cannot be selected
                    copied = [text.strip() for text in found["copied"] if text.strip() not in markdown_probe.OWN]
                    assert copied == shown, where
                assert found["links"] == found["markup"] == found["filled_spans"] == 0, where
        save_screenshot(page, "injection-markdown-probe.png")
    finally:
        context.close()
    assert "Traceback" not in probe.log_text(), probe.log_text()
