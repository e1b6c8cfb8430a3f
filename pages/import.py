"""数据导入 Import data: upload files, preview and map their columns, import them all or none; history, undo,
templates. File content reaches the screen only through st.dataframe or markdown-escaped text."""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field

import streamlit as st

from analytics import accounts, settings
from analytics.i18n import t
from analytics.imports import importer, report, templates
from analytics.imports.fields import detect_kind
from analytics.imports.importer import Preview
from analytics.imports.model import REGISTERS, ImportOptions, ImportResult, SourceFile
from analytics.schema import RecordKind
from pages._auth import require
from pages._ui import XLSX_MIME, Title, database, downloads, ensure_navigation, lang, load, md_escape

ensure_navigation()
who = require("import")

L = lang()
db = database()
# The kinds this role may import, undo and download templates for (the importer and undo check them again).
KINDS = accounts.import_kinds(who.role)
SAMPLE_ROWS = 10
FILE_TYPES = ["csv", "tsv", "txt", "xlsx"]
FILE_LEVEL_CODES = {"missing-column", "unknown-kind", "ambiguous-kind"}
# The largest file the page takes (上传上限), in MB of 1,048,576 bytes as Streamlit counts them: $PBI_UPLOAD_LIMIT_MB,
# default 200. Streamlit holds an upload in the server's memory, and refuses a file over `server.maxUploadSize` in
# the browser with its own English sentence. So .streamlit/config.toml lets the browser send up to 1,024 MB, and
# the page refuses a file over this limit itself, in the user's language, before reading it.
UPLOAD_LIMIT_ENV, DEFAULT_UPLOAD_LIMIT_MB, MB = "PBI_UPLOAD_LIMIT_MB", 200.0, 1 << 20

# Session state: the uploader's generation (bumped to empty it after a successful import), the last
# import's outcome, how many imports ran (keys the error filters), and the undo confirmation step.
GENERATION, OUTCOME, RUNS = "import_generation", "import_outcome", "import_runs"
UNDO_BATCH, UNDO_PENDING, UNDO_MESSAGE = "import_undo_batch", "import_undo_pending", "import_undo_message"
RESOLVE_PENDING = "import_resolve_pending"
state = st.session_state
state.setdefault(GENERATION, 0)
state.setdefault(RUNS, 0)


def upload_limit_mb() -> float:
    """$PBI_UPLOAD_LIMIT_MB (a positive number; else the default), never above what Streamlit lets through, so
    that every refusal up to there is the page's own."""
    try:
        limit = float(os.environ.get(UPLOAD_LIMIT_ENV, DEFAULT_UPLOAD_LIMIT_MB))
    except ValueError:
        limit = DEFAULT_UPLOAD_LIMIT_MB
    if not math.isfinite(limit) or limit <= 0:
        limit = DEFAULT_UPLOAD_LIMIT_MB
    return min(limit, float(st.get_option("server.maxUploadSize")))


def megabytes(mb: float, up: bool = False) -> str:
    """`200 MB`, `350.2 MB`; `up` rounds up to a tenth, so that a file just over the limit never reads as equal."""
    return f"{math.ceil(mb * 10) / 10 if up else mb:,g} MB"


@st.cache_data(show_spinner=False, max_entries=64)
def cached_preview(name: str, content: bytes, options_json: str) -> Preview:
    return importer.preview(SourceFile(name, content), ImportOptions.model_validate_json(options_json), SAMPLE_ROWS)


@dataclass
class Plan:
    """One uploaded file: its preview without any user mapping, and the mapping chosen for it.

    The mapping step asks, for each field of the kind that no column maps to, which unrecognised column holds
    it: one drop-down per field (a kind has a dozen or two), whose options are the columns, however many."""

    file_id: str
    source: SourceFile
    auto: Preview
    headers: list[str]
    ask: list[str] = field(default_factory=list)  # unrecognised headers: the options of each field
    fields: list[str] = field(default_factory=list)  # the kind's fields no column maps to: one drop-down each
    kind: RecordKind | None = None  # the kind whose fields the mapping step offers
    chosen: dict[str, str] = field(default_factory=dict)  # field → the header chosen for it ('' none)
    mapping: dict[str, str] = field(default_factory=dict)  # header → field, from `chosen`
    twice: list[str] = field(default_factory=list)  # headers chosen for more than one field
    saved: bool = False  # a remembered mapping was applied


def kind_key(plan: Plan) -> str:
    return f"import_map_kind_{plan.file_id}"


def field_key(plan: Plan, name: str) -> str:
    return f"import_map_{plan.file_id}_{plan.kind.value}_{name}"


def make_plan(file_id: str, source: SourceFile, base: ImportOptions) -> Plan:
    """Preview the file as the importer reads it by itself; if columns are unknown or missing, work out the
    mapping step from the widgets' values (kept in session state) or else from a remembered mapping."""
    auto = cached_preview(source.name, source.content, base.model_dump_json())
    plan = Plan(file_id, source, auto, [header for header, _ in auto.mapping])
    if not report.needs_mapping(auto):
        return plan
    with db.session():
        saved = settings.saved_mapping(db, plan.headers) or {"kind": None, "mapping": {}}
    if base.kind is not None:
        plan.kind = base.kind
    else:
        remembered = saved["kind"] if saved["kind"] in set(RecordKind) else None
        plan.kind = RecordKind(state.get(kind_key(plan)) or remembered or detect_kind(plan.headers)[0].kind)
    # Which columns a kind's fields already have depends on the kind chosen (from the headers alone).
    plan.ask, plan.fields = report.mapping_step(plan.headers, plan.kind)
    offered = set(plan.ask)
    remembered = {name: header for header, name in saved["mapping"].items() if name and header in offered}
    for name in plan.fields:
        value = state.get(field_key(plan, name), remembered.get(name, ""))
        plan.chosen[name] = value if value in offered else ""
    plan.mapping, plan.twice = report.mapping_from_choices(plan.chosen)
    plan.saved = any(remembered.get(name) == header for name, header in plan.chosen.items() if header)
    return plan


def show_facts(preview: Preview) -> None:
    facts = (
        ("import.preview.kind", report.kind_label(preview.kind, L)),
        ("import.preview.format", report.format_label(preview, L)),
        ("import.preview.encoding", report.encoding_label(preview.encoding, L)),
        ("import.preview.header_row", "—" if preview.header_row is None else str(preview.header_row)),
        ("import.preview.rows", f"{preview.rows:,}"),
    )
    shown = (t("import.preview.fact", L, label=t(label, L), value=md_escape(value)) for label, value in facts)
    st.caption(t("import.preview.separator", L).join(shown))


def show_mapping_step(plan: Plan, base: ImportOptions) -> None:
    with st.expander(t("import.mapping.title", L), expanded=True, icon=":material/table_edit:"):
        st.caption(t("import.mapping.intro", L))
        if plan.saved:
            st.info(t("import.mapping.saved", L), icon=":material/history:")
        if base.kind is not None:
            st.caption(t("import.mapping.kind_fixed", L, kind=base.kind.label(L)))
        else:
            kinds = list(RecordKind)
            st.selectbox(
                t("import.mapping.kind", L),
                kinds,
                index=kinds.index(plan.kind),
                format_func=lambda k: k.label(L),
                key=kind_key(plan),
            )
        if not plan.ask:
            st.caption(t("import.mapping.nothing", L))
            return
        if not plan.fields:
            st.caption(t("import.mapping.complete", L))
            return
        st.caption(t("import.mapping.columns", L, n=len(plan.ask)))
        options = ["", *plan.ask]
        columns = st.columns(3)
        for index, name in enumerate(plan.fields):
            # Options are shown as plain text (never markdown), so headers need no escaping there.
            columns[index % 3].selectbox(
                report.field_choice_label(plan.kind, name, L),
                options,
                index=options.index(plan.chosen[name]),
                format_func=lambda header: header or t("import.mapping.none", L),
                key=field_key(plan, name),
            )
        for header in plan.twice:
            label = report.field_choice_label(plan.kind, plan.mapping[header], L)
            st.warning(t("import.mapping.twice", L, header=md_escape(header), field=label), icon=":material/warning:")


def show_preview(plan: Plan, preview: Preview, base: ImportOptions) -> None:
    with st.container(border=True):
        st.markdown(f"##### :material/description: {md_escape(plan.source.name)}")
        show_facts(preview)
        if preview.sheets:
            st.caption(
                t("import.preview.sheets", L, n=len(preview.sheets), sheets=md_escape("、".join(preview.sheets)))
            )
        for warning in preview.warnings:
            st.warning(md_escape(warning), icon=":material/visibility_off:")
        for error in preview.errors:
            st.error(md_escape(error.message), icon=":material/error:")
        scales = report.scale_text(preview, L)
        if scales is not None:
            level, text = scales
            getattr(st, level)(md_escape(text), icon=":material/straighten:")
        if not preview.errors and preview.kind is not None and not preview.missing:
            # Neutral, not green: the rows are only checked on import.
            st.info(t("import.preview.ready", L), icon=":material/fact_check:")
        if preview.mapping:
            left, right = st.columns([1, 2])
            with left:
                st.caption(t("import.preview.mapping", L))
                st.dataframe(report.mapping_frame(preview, L), hide_index=True, width="stretch")
            with right:
                st.caption(t("import.preview.sample", L, n=min(SAMPLE_ROWS, preview.rows)))
                st.dataframe(preview.sample, hide_index=True, width="stretch", placeholder="")
        if report.needs_mapping(plan.auto):
            show_mapping_step(plan, base)


def run_import(plans: list[Plan], options: ImportOptions) -> None:
    bar = st.progress(0.0, text=t("import.progress.start", L))

    def progress(fraction: float, text: str) -> None:
        label = t("import.progress.file", L, file=md_escape(text)) if text else t("import.progress.done", L)
        bar.progress(min(max(fraction, 0.0), 1.0), text=label)

    with db.session():  # the import reads the database, then queues to write (see analytics/db.py)
        result = importer.import_files(db, [p.source for p in plans], options, progress=progress)
        for plan in plans:
            if plan.kind is None:  # no mapping step
                continue
            # A workbook gives a report per sheet (`file › sheet`): the mapping is remembered from the first.
            name = plan.source.name
            file_report = next(f for f in result.files if f.file == name or f.file.startswith(f"{name} › "))
            mapped = file_report.kind is not None and not any(e.code in FILE_LEVEL_CODES for e in file_report.errors)
            if mapped:
                settings.save_mapping(db, plan.headers, file_report.kind.value, plan.mapping, who.actor)
    state[RUNS] += 1
    stored = [f.batch_id for f in result.files if f.batch_id is not None]
    if stored:
        state[UNDO_BATCH] = max(stored)  # offer the batch just stored for undo
    else:
        state.pop(UNDO_BATCH, None)
    state[OUTCOME] = {"result": result, "files": [p.file_id for p in plans]}
    state.pop(UNDO_MESSAGE, None)
    state.pop(RESOLVE_PENDING, None)
    if result.ok:
        state[GENERATION] += 1  # a fresh, empty uploader
    st.rerun()  # so the sidebar and every cached figure show the new data


def show_result(result: ImportResult) -> None:
    st.subheader(t("import.result.title", L))
    level, text = report.summary(result, L)
    getattr(st, level)(text)
    for file_report in result.files:
        with st.container(border=True):
            kind = f"　·　{file_report.kind.label(L)}" if file_report.kind else ""
            st.markdown(f"**{md_escape(file_report.file)}**{kind}")
            level, text = report.file_status(file_report, result, L)
            getattr(st, level)(md_escape(text))
            rows = report.error_rows(file_report)
            if rows:
                st.caption(t("import.result.error_rows", L, rows=report.rows_text(rows)))
            for line in file_report.info:
                st.info(md_escape(line), icon=":material/straighten:")
            for warning in file_report.warnings:
                st.warning(md_escape(warning), icon=":material/warning:")
    show_resolutions(result)
    show_notes(result)
    errors = report.errors_frame(result.files, L)
    if errors.empty:
        return
    st.subheader(t("import.errors.title", L))
    left, right = st.columns(2)
    chosen_files = left.multiselect(
        t("import.errors.filter_file", L),
        list(dict.fromkeys(errors["file"])),
        key=f"import_errors_files_{state[RUNS]}",
        placeholder=t("import.errors.filter_all", L),
    )
    chosen_codes = right.multiselect(
        t("import.errors.filter_code", L),
        list(dict.fromkeys(errors["code"])),
        format_func=lambda code: f"{report.error_code_label(code, L)} ({code})",
        key=f"import_errors_codes_{state[RUNS]}",
        placeholder=t("import.errors.filter_all", L),
    )
    shown = report.filter_errors(errors, chosen_files, chosen_codes)
    st.caption(t("import.errors.shown", L, shown=len(shown), total=len(errors)))
    table = report.localised(shown, "import.errors", L)
    # Narrow fixed widths for the short columns; the message keeps its full length (the table scrolls sideways).
    widths = {
        "file": 170,
        "row": 60,
        "column": 100,
        "value": 110,
        "stored": 110,
        "stored_in": 150,
        "code": 120,
        "message": None,
    }
    if table[t("import.errors.stored", L)].isna().all():  # no conflict: no stored-value columns
        table = table.drop(columns=[t("import.errors.stored", L), t("import.errors.stored_in", L)])
        widths = {k: v for k, v in widths.items() if k not in ("stored", "stored_in")}
    st.container(key="import_errors_table").dataframe(
        table,
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={t(f"import.errors.{c}", L): st.column_config.Column(width=w) for c, w in widths.items()},
    )
    table_downloads(table, "import.errors")


def table_downloads(table, texts: str) -> None:
    """CSV and Excel buttons for a result table, named by the texts `<texts>.file_name`, `.csv`, `.xlsx`, `.title`;
    the Excel file's title block names the uploaded files the table lists (an import has no period or scope)."""
    files = list(dict.fromkeys(table[t(f"{texts}.file", L)].astype(str)))
    downloads(
        table,
        t(f"{texts}.file_name", L),
        key=texts.replace(".", "_"),
        labels=(t(f"{texts}.csv", L), t(f"{texts}.xlsx", L)),
        sheet=t(f"{texts}.title", L),
        title=Title(
            t(f"{texts}.title", L),
            extra=((t(f"{texts}.file", L), t("export.filter_separator", L).join(files)),),
        ),
    )


def show_resolutions(result: ImportResult) -> None:
    """Errors that replacing resolves (a revised file, an overlapping export) are resolved right here, in
    the words the error used, after a confirmation."""
    choices = report.resolutions(result, L)
    if not choices:
        return
    st.markdown(f"**{t('import.resolve.title', L)}**")
    buttons = st.container(horizontal=True)
    for choice, text in choices:
        # The text is ours (counts and times only), so it needs no markdown escaping.
        kind = "primary" if choice == "replace" else "secondary"
        if buttons.button(text, key=f"import_resolve_{choice}", type=kind):
            state[RESOLVE_PENDING] = choice
    pending = state.get(RESOLVE_PENDING)
    if pending not in dict(choices):
        return
    text = dict(choices)[pending]
    confirm = "import.resolve.confirm_text" if pending == "replace" else "import.resolve.keep_confirm_text"
    st.warning(md_escape(t(confirm, L, action=text)), icon=":material/warning:")
    row = st.container(horizontal=True)
    if row.button(t("import.resolve.confirm", L), type="primary", key="import_resolve_confirm"):
        update = {"replace": True} if pending == "replace" else {"keep_repeats": True}
        state.pop(RESOLVE_PENDING, None)
        run_import(plans, base.model_copy(update=update))
    if row.button(t("import.resolve.cancel", L), key="import_resolve_cancel"):
        state.pop(RESOLVE_PENDING, None)
        st.rerun()


def show_notes(result: ImportResult) -> None:
    """Rows stored (or stored once) with something to say: repeats and same-key activities, by row."""
    notes = report.notes_frame(result.files, L)
    if notes.empty:
        return
    st.subheader(t("import.notes.title", L))
    st.caption(t("import.notes.caption", L))
    table = report.localised(notes, "import.notes", L)
    st.dataframe(table, hide_index=True, width="stretch", placeholder="—")
    table_downloads(table, "import.notes")


def show_history() -> None:
    st.subheader(t("import.history.title", L))
    history = load(importer.history)
    message = state.pop(UNDO_MESSAGE, None)
    if message is not None:
        ok, text = message
        (st.success if ok else st.error)(md_escape(text))
    if history.empty:
        st.info(t("import.history.empty", L))
        return
    st.caption(t("import.history.caption", L))
    count = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        report.history_frame(history, L),
        hide_index=True,
        width="stretch",
        column_config={
            t("import.history.rows", L): count,
            t("import.history.unchanged", L): count,
            t("import.history.replaced", L): count,
        },
    )

    st.markdown(f"**{t('import.undo.title', L)}**")
    kinds = history["kind"].map(lambda k: RecordKind(k) in KINDS)
    batches = report.undoable(history.loc[kinds])
    if not batches:
        st.caption(t("import.undo.none", L))
        return
    choice_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    batch = choice_column.selectbox(
        t("import.undo.select", L),
        batches,
        format_func=lambda b: report.batch_label(history, b, L),
        key=UNDO_BATCH,
    )
    if button_column.button(t("import.undo.button", L), icon=":material/undo:", key="import_undo"):
        state[UNDO_PENDING] = batch
    if state.get(UNDO_PENDING) != batch:
        state.pop(UNDO_PENDING, None)
        return
    row = history.loc[history["batch_id"] == batch].iloc[0]
    confirm_text = t("import.undo.confirm_text", L, batch=batch, file=row["file_name"], rows=int(row["rows"]))
    st.warning(md_escape(confirm_text), icon=":material/warning:")
    buttons = st.container(horizontal=True)
    if buttons.button(t("import.undo.confirm", L), type="primary", key="import_undo_confirm"):
        with db.session():
            outcome = importer.undo(db, batch, L, actor=who.actor, kinds=KINDS)
        state.pop(UNDO_PENDING, None)
        state[UNDO_MESSAGE] = (outcome.ok, outcome.message)
        state.pop(UNDO_BATCH, None)
        if outcome.ok:
            state.pop(OUTCOME, None)
        st.rerun()
    if buttons.button(t("import.undo.cancel", L), key="import_undo_cancel"):
        state.pop(UNDO_PENDING, None)
        st.rerun()


# --- The page ------------------------------------------------------------------------------------------

st.title(t("import.title", L))
st.caption(t("import.caption", L))

upload_column, template_column = st.columns([3, 1], gap="large")
with upload_column:
    uploaded = st.file_uploader(
        t("import.upload.label", L),
        type=FILE_TYPES,
        accept_multiple_files=True,
        help=t("import.upload.help", L),
        key=f"import_upload_{state[GENERATION]}",
    )
    limit_mb = upload_limit_mb()
    limit_text = megabytes(limit_mb)
    st.caption(t("import.upload.limit", L, limit=limit_text, db=db.path))
    too_large = [f for f in uploaded or [] if f.size > limit_mb * MB]
    for f in too_large:  # refused unread: its bytes are never parsed
        size = megabytes(f.size / MB, up=True)
        text = t("import.upload.too_large", L, file=md_escape(f.name), size=size, limit=limit_text)
        st.error(text, icon=":material/block:")
    with st.expander(t("import.options.title", L), icon=":material/tune:"):
        kind_column, encoding_column, scale_column = st.columns(3)
        kind_choice = kind_column.selectbox(
            t("import.options.kind", L),
            [None, *(k for k in RecordKind if k in KINDS)],
            format_func=lambda k: t("import.options.auto", L) if k is None else k.label(L),
            help=t("import.options.kind_help", L),
            key="import_option_kind",
        )
        encoding_choice = encoding_column.selectbox(
            t("import.options.encoding", L),
            [None, *report.ENCODINGS],
            format_func=lambda e: t("import.options.auto", L) if e is None else report.encoding_label(e, L),
            help=t("import.options.encoding_help", L),
            key="import_option_encoding",
        )
        scale_choice = scale_column.selectbox(
            t("import.options.scale", L),
            [None, *report.SCALES],
            format_func=lambda s: t("import.options.auto", L) if s is None else t(f"import.options.scale.{s}", L),
            help=t("import.options.scale_help", L),
            key="import_option_scale",
        )
        sheet_choice = st.text_input(
            t("import.options.sheet", L), help=t("import.options.sheet_help", L), key="import_option_sheet"
        )
        replace = st.checkbox(
            t("import.options.replace", L), help=t("import.options.replace_help", L), key="import_option_replace"
        )
        keep_repeats = st.checkbox(
            t("import.options.keep_repeats", L),
            help=t("import.options.keep_repeats_help", L),
            key="import_option_keep_repeats",
        )
        force = st.checkbox(
            t("import.options.force", L), help=t("import.options.force_help", L), key="import_option_force"
        )
        include_hidden = st.checkbox(
            t("import.options.include_hidden", L),
            help=t("import.options.include_hidden_help", L),
            key="import_option_include_hidden",
        )
        past = load(importer.history)
        replaces = st.selectbox(
            t("import.options.replaces", L),
            [None, *report.undoable(past.loc[past["kind"].map(lambda k: RecordKind(k) in KINDS)])],
            format_func=lambda b: t("import.options.replaces_none", L) if b is None else report.batch_label(past, b, L),
            help=t("import.options.replaces_help", L),
            key="import_option_replaces",
        )
with template_column, st.container(border=True):
    st.markdown(f"**:material/download: {t('import.templates.title', L)}**")
    template_kind = st.selectbox(
        t("import.templates.kind", L),
        [k for k in RecordKind if k in KINDS],
        format_func=lambda k: k.label(L),
        key="import_template_kind",
        help=t("template.help", L),
    )
    st.download_button(
        t("import.templates.download", L),
        data=load(templates.template_for, template_kind, L),
        file_name=f"{t('import.templates.file', L, kind=template_kind.label(L))}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/table_view:",
        key="import_template_download",
        width="stretch",
    )

base = ImportOptions(
    kind=kind_choice,
    sheet=sheet_choice.strip() or None,
    encoding=encoding_choice,
    scale=scale_choice,
    replace=replace,
    keep_repeats=keep_repeats,
    force=force,
    include_hidden=include_hidden,
    replaces=replaces,
    lang=L,
    user=who.name,  # the history and the audit trail name the signed-in user (the CLI: the OS user)
    client=who.client,
    kinds=KINDS,
    limits=load(settings.load_import_limits)[0],  # 设置 → 导入限制
)
plans = [make_plan(f.file_id, SourceFile(f.name, f.getvalue()), base) for f in uploaded or [] if f not in too_large]
# Each file keeps its own mapping and the kind chosen for it in the mapping step.
for plan in plans:
    if plan.ask or plan.kind is not None:
        plan.source = SourceFile(plan.source.name, plan.source.content, kind=plan.kind, mapping=plan.mapping)

if any(plan.auto.kind in REGISTERS for plan in plans):
    # A register describes the organisation from a day on; earlier periods keep the organisation as it was.
    valid_from = st.date_input(
        t("import.valid_from", L),
        value=dt.date.today(),
        max_value=dt.date(2100, 12, 31),
        help=t("import.valid_from_help", L),
        key="import_valid_from",
    )
    base = base.model_copy(update={"valid_from": None if replaces is not None else valid_from})

if plans:
    st.subheader(t("import.preview.title", L))
    for plan in plans:
        own = base.model_copy(update={"kind": plan.source.kind or base.kind, "mapping": plan.source.mapping or {}})
        show_preview(plan, cached_preview(plan.source.name, plan.source.content, own.model_dump_json()), base)

run_help = t("import.run.help", L) if plans else t("import.run.none", L)
if too_large:  # all or none: not the other files without the one refused
    run_help = t("import.run.too_large", L, limit=limit_text)
clicked = st.button(
    t("import.run", L),
    type="primary",
    icon=":material/upload:",
    disabled=not plans or bool(too_large),
    help=run_help,
    key="import_run",
)
if clicked and not too_large:
    run_import(plans, base)

outcome = state.get(OUTCOME)
if outcome is not None and (outcome["result"].ok or outcome["files"] == [p.file_id for p in plans]):
    show_result(outcome["result"])

st.divider()
show_history()
