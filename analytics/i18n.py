"""Every user-visible string, in Chinese (the default) and English.

`t(key, lang, **values)` formats a string; `label(member, lang)` names an enum value (the labels live
with the enums in `schema.py`). A missing key raises, so a typo cannot reach the screen.
"""

from __future__ import annotations

from analytics.schema import LabelledEnum

LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    # App shell
    "app.title": ("党建洞察", "Party Building Insight"),
    "app.tagline": (
        "公立医院党建、纪检与满意度分析",
        "Party building, discipline and satisfaction analytics for public hospitals",
    ),
    "app.language": ("语言 / Language", "语言 / Language"),
    "nav.overview": ("总览", "Overview"),
    "nav.import": ("数据导入", "Import data"),
    "nav.party": ("党建", "Party building"),
    "nav.satisfaction": ("满意度", "Satisfaction"),
    "nav.discipline": ("纪检监察", "Discipline"),
    "nav.profile": ("科室画像", "Department profile"),
    "nav.report": ("会议材料", "Meeting material"),
    "nav.settings": ("设置", "Settings"),
    "nav.about": ("关于数据", "About the data"),
    # View choices in the URL
    "relations.finding.pending": (
        "正在与本页全部检验一起做多重比较校正（q 值），稍候即给出结论；下面的图先按本组估计画出。",
        "Correcting for the many tests on this page (q-values); the finding follows in a moment. The charts below "
        "already show this pair's estimates.",
    ),
    "relations.family.computing": (
        "正在计算全部指标 × 满意度 × 滞后期的模型……",
        "Fitting every metric × satisfaction × lag …",
    ),
    "sidebar.hospital": ("医院", "Hospital"),
    "sidebar.range": ("数据范围：{start} 至 {end}", "Data from {start} to {end}"),
    "sidebar.no_data": ("数据库中暂无数据", "The database holds no records yet"),
    "sidebar.database": ("数据库：{path}", "Database: {path}"),
    # Periods and numbers (`periods.spoken` says a period, `formats` a number; the units are `unit.*` below)
    "period.run": ("{first}至{last}", "{first} – {last}"),
    # Overview
    "overview.title": ("总览", "Overview"),
    "overview.empty": (
        "数据库中还没有任何记录。请在“数据导入”页面上传文件，或运行 `python -m analytics demo --db {path}` 生成演示数据。",
        "The database holds no records yet. Upload files on the *Import data* page, or run "
        "`python -m analytics demo --db {path}` to load the demo data.",
    ),
    "overview.kpi.branches": ("党支部", "Party branches"),
    "overview.kpi.departments": ("科室", "Departments"),
    "overview.kpi.activities": ("党建活动", "Activities"),
    "overview.kpi.responses": ("满意度答卷", "Survey responses"),
    "overview.kpi.aggregates": ("满意度科室汇总", "Satisfaction aggregates"),
    "overview.kpi.discipline": ("纪检监察记录", "Discipline records"),
    "overview.kpi.batches": ("导入批次", "Import batches"),
    "overview.kpi.respondents": ("满意度受访者", "Satisfaction respondents"),
    "overview.kpi.respondents_help": (
        "逐条答卷 {responses:,} 份，另有科室汇总 {aggregates:,} 行（其中 {uncounted:,} 行因同一科室、期间和对象已有更细的数据而未计入），"
        "共代表 {respondents:,} 名受访者。",
        "{responses:,} individual responses plus {aggregates:,} department aggregates ({uncounted:,} of them not "
        "counted: the same department, period and population has finer data), {respondents:,} respondents in all.",
    ),
    "overview.coverage.title": ("数据覆盖（按季度，记录数）", "Coverage by quarter (records)"),
    "overview.coverage.help": (
        "每格为该季度该类记录的条数，颜色按每一类自身的最大值着色；空白表示该季度没有这类数据。",
        "Each cell counts the records of that kind in that quarter, shaded against that kind's busiest "
        "quarter; a blank cell means no data.",
    ),
    "overview.coverage.kind": ("数据类别", "Kind"),
    "overview.coverage.period": ("季度", "Quarter"),
    "overview.coverage.records": ("记录数", "Records"),
    "overview.departments.title": ("科室构成", "Departments by category"),
    "overview.departments.category": ("科室类别", "Category"),
    "overview.departments.count": ("科室数", "Departments"),
    "overview.departments.staff": ("职工人数", "Staff"),
    # Presentation mode (投屏模式, pages/present.py, analytics/presentation.py)
    "nav.present": ("投屏模式", "Presentation"),
    "present.title": ("投屏模式", "Presentation mode"),
    "present.no_data": (
        "还没有可以投屏的数据：请先导入党支部、活动和满意度数据。",
        "Nothing to present yet: import branches, activities and satisfaction data first.",
    ),
    "present.previous": ("上一页", "Previous"),
    "present.next": ("下一页", "Next"),
    "present.exit": ("退出投屏", "Exit presentation"),
    "present.counter": ("{step} / {total}", "{step} / {total}"),
    "present.keys": (
        "键盘：→、PageDown 或空格 下一页；←、PageUp 上一页；Esc 退出。",
        "Keys: → PageDown or Space next; ← PageUp previous; Esc exits.",
    ),
    "present.source": (
        "期间和范围取自筛选条件（结束期间、党支部），数字与各页面和会议材料相同。",
        "The period and scope are the filters' (the last period, the branch); the figures are the pages' and "
        "the meeting material's.",
    ),
    "present.continued": ("{heading}（续）", "{heading} (continued)"),
    "present.ranking": (
        "{heading}：第 {first}–{last} 名（共 {n} 个党支部）",
        "{heading}: {first}–{last} of {n} branches",
    ),
    "present.more": ("还有 {n} 项，完整列表见{where}。", "{n} more: {where} lists them all."),
    "present.where.warnings": ("总览页和会议材料", "the Overview and the meeting material"),
    # About the data
    "about.title": ("关于数据", "About the data"),
    "about.intro": (
        "党建洞察使用五类记录。下面说明每类记录包含什么、来自哪里，以及本数据库中现有多少条。",
        "Party Building Insight works with five kinds of record. Below: what each holds, where it comes "
        "from, and how many this database has.",
    ),
    "about.stored": ("本数据库现有 {n:,} 条。", "This database holds {n:,}."),
    "about.fields": ("字段", "Fields"),
    "about.field": ("字段", "Field"),
    "about.meaning": ("含义", "Meaning"),
    "about.values": ("取值", "Values"),
    "about.code": ("代码", "Code"),
    "about.label_zh": ("中文", "Chinese"),
    "about.label_en": ("英文", "English"),
    "about.required": ("最低频次（次/年）", "Minimum per year"),
    "about.aliases": ("也接受的写法", "Also accepted"),
    "about.rules.title": ("导入与计数规则", "How files are imported and counted"),
    "about.rules.identity": (
        "编号与更正：台账带有来源自己的编号（活动编号、案件编号、答卷编号等）时按编号识别记录——编号相同而内容不同是冲突，"
        "确认后用新值替换；有编号列时每行都必须填写编号。修改了日期、主题或状态的更正台账请选择“本文件是以下批次的更正版本”"
        "（命令行 --replaces 批次号）：该批次的全部记录被搁置，存入本文件的记录，撤销本次导入即可恢复原记录。"
        "没有说明而看起来像更正版本的台账（包含某批次的大部分记录、少了其中几条、又有新行）会被拒绝并请用户选择：替换或都保留。",
        "Ids and corrections: a ledger carrying the source's own ids (活动编号, 案件编号, 答卷编号 …) is matched by "
        "them—the same id with other values is a conflict, replaced once confirmed; with an id column every row "
        "needs an id. For a corrected ledger whose dates, topics or statuses were edited, choose “This file is a "
        "corrected version of” (CLI: --replaces BATCH_ID): that batch's records are set aside and the file's stored; "
        "undoing this import restores them. A ledger that does not say so but looks like a corrected version (most "
        "of a batch's records, a few of them missing, and new rows) is refused until the clerk chooses: replace, or "
        "keep both.",
    ),
    "about.rules.organisation": (
        "组织沿革：支部和科室名册从某一天起生效（导入时选择，默认导入当天；命令行 --valid-from）。科室所属支部、职工人数、"
        "支部党员人数等按生效期分版本保存，每一期的数据按该期第一天有效的组织计算；名册第一天就有的支部和科室也用于之前的各期，"
        "之后才出现的支部或科室从其最早版本所在的那一期起才存在，日期更早的记录会被拒绝（如它当时已存在，请用更早的生效日期重新导入名册）。"
        "同一生效日期下内容不同是冲突；对过去名册的更正请选择被更正的批次（沿用其生效日期）。",
        "The organisation's history: a branch or department register holds from a day (chosen at import, by "
        "default the import day; CLI --valid-from). Departments' branches, staff counts and branches' party "
        "members are kept per version, and each period's figures use the organisation in force on its first day; "
        "codes of the register's first day also stand for earlier periods, while a branch or department that came "
        "later exists from the period of its first version, and records dated before it are refused (import the "
        "register again with an earlier day if it existed then). Other values for the same day are a conflict; "
        "a correction of a past register names the batch it corrects (and keeps its day).",
    ),
    "about.rules.meetings": (
        "会议是否召开：读取“召开情况/状态”列（已召开、未召开、取消）；参加人数为 0 而应到人数大于 0 的会议按未召开处理并提示行号。"
        "未召开和取消的活动保留在台账中，但不计入会议次数、出勤率和服务时长。Excel 中隐藏或被筛选掉的行默认不导入，并列出其行号"
        "（可选择一并导入）。",
        "Whether a meeting took place: a 召开情况/状态 column (held, not held, cancelled) is read; a meeting with 0 "
        "attendees of a positive expected number is taken as not held, with its row named. Activities not held or "
        "cancelled stay in the ledger but count for no meeting, attendance or hours. Rows hidden or filtered out "
        "in Excel are not imported by default, and their row numbers are listed (importing them is an option).",
    ),
    "about.rules.sheets": (
        "工作簿与文本文件：工作簿中每个含可识别表格的工作表都会导入，并分别报告工作表名称；没有表格、隐藏的工作表会被列出并跳过。"
        "没有计算结果的公式单元格、混用两种编码（如 UTF-8 中夹有 GBK）的文本文件会被拒绝并说明位置；1904 日期系统的工作簿按 1904 换算日期；"
        "数字按单元格的显示格式读取（如 2024.10），无法确定的期间（2024.1 可能是 1 月或 10 月）会被拒绝。",
        "Workbooks and text files: every sheet holding a recognised table is imported and reported by name; empty "
        "and hidden sheets are listed and skipped. Formula cells without a computed value and text files mixing two "
        "encodings (UTF-8 with GBK lines) are refused with their place; dates of a 1904-system workbook are read as "
        "such; numbers are read as the cell displays them (2024.10), and a period that cannot be told (2024.1: "
        "January or October?) is refused.",
    ),
    "about.rules.rows": (
        "行号：错误和提示中的行号就是 Excel 中看到的行号（标题行、表头和空行都计入），文件再大也一样。",
        "Row numbers: errors and notes quote the row number Excel shows (title rows, the header and blank rows "
        "count), however large the file.",
    ),
    "about.rules.scale": (
        "满意度分值：按大多数（98%）值所在的范围判断量表——1–5、0–10（有 0 分）、0–1 的比例或 0–100，其余的值作为超出范围的错误列出；"
        "判断不了（只有 0 和 1、1–10 没有 0 分、两种量表混在一起）时拒绝导入并请用户选择。全部换算为 0–100 分存储，带百分号的值按 0–100 读取。",
        "Satisfaction scores: the scale is where nearly all (98%) values lie—1–5, 0–10 (with some 0), 0–1 "
        "proportions or 0–100—and the other values are listed as out of range; when it cannot be told (only 0 and "
        "1, 1–10 without a 0, a mixture) the file is refused until a scale is chosen. All are stored on 0–100; "
        "values with a per cent sign are read on 0–100.",
    ),
    "about.rules.future": (
        "日期晚于今天的活动、答卷、纪检记录、整改完成日期和调查期间作为错误列出，不存储。",
        "Activities, answers, discipline records, completed rectifications and survey periods dated after today are "
        "listed as errors, not stored.",
    ),
    "about.rules.activities": (
        "党建活动：同一文件中日期、支部、类型、主题相同但其他列不同的行是不同的活动，都存储并提示两行的行号；"
        "各列完全相同的行只存储一次并提示两行的行号（可选择都保留）。重新导入的台账不会重复计数："
        "与已存储活动完全相同的行就是那次活动，只新增超出已存储数量的部分；"
        "与已存储活动日期、支部、类型、主题相同而内容不同、且文件中已没有原内容的行，作为冲突请用户确认是否更正。",
        "Activities: rows of one file with the same date, branch, type and topic but other differing cells are "
        "separate activities, all stored, with both rows named; rows identical in every cell are stored once, "
        "with both rows named (keeping both is an option). A re-imported ledger never counts twice: a row "
        "identical to a stored activity is that activity, and only the rows beyond the stored count are added; "
        "a row sharing date, branch, type and topic with a stored activity the file no longer holds is a "
        "conflict the clerk confirms as a correction.",
    ),
    "about.rules.responses": (
        "满意度答卷：答卷编号、调查对象和提交时间（精确到分钟）都相同的是同一份答卷（只凭编号不够：有的“序号”只是导出时的行号）。"
        "文件中某科室、某调查对象的答卷时间范围内，若已存有该科室、该对象的答卷而文件没有对应编号，视为重复导出并请用户选择："
        "用新文件替换这些答卷，或（另一来源时）两份都保留。没有编号的答卷不逐格比对。",
        "Survey answers: an answer with the same response id, population and minute of submission is the same "
        "answer (an id alone is not enough: some 序号 are only an export's row numbers). Stored answers of a "
        "department and population inside the time range the file covers for them, which no id of the file "
        "matches, mark an overlapping export, and the clerk chooses: replace them with the file, or (another "
        "source) keep both. Answers without ids are never matched cell by cell.",
    ),
    "about.rules.conflicts": (
        "冲突：汇总、纪检记录和同一生效日期的名册中与已存储记录键相同（如同一科室同一季度）而内容不同的行列为冲突，错误清单并列已存储的值和新值，"
        "以及旧值来自哪个批次和文件；确认后可用新文件中的值替换，撤销该批次可恢复原值。",
        "Conflicts: rows of aggregates, discipline records and registers of the same valid-from day with the key of "
        "a stored record (the same department and quarter) but other values are conflicts; the error list shows the "
        "stored and the new value "
        "side by side, with the batch and file of the old one. Replacing them is one confirmed click; undoing that "
        "batch puts the old values back.",
    ),
    "about.rules.sources": (
        "满意度数据来源：同一科室、期间和调查对象只计一种来源，取最细的——逐条答卷优先，其次月度、季度、年度汇总。"
        "一行汇总数据只有在同一科室、同一对象在其期间内没有更细的数据（逐条答卷，或更短期间的汇总）时才计入；"
        "例如已有 1、2 月的月度汇总时，一季度汇总不计入，一季度的数字为 1 月 + 2 月。未计入的行仍保存在数据库中，"
        "满意度页会说明有多少行。",
        "Satisfaction sources: each department, period and population counts one source, the finest—individual "
        "responses first, then monthly, quarterly and yearly aggregates. An aggregate row counts only if the same "
        "department and population has no finer data inside its period (individual responses, or aggregates of a "
        "shorter period): beside monthly rows for January and February a Q1 row does not count, and the quarter is "
        "January + February. Rows not counted stay stored; the satisfaction page says how many.",
    ),
    "about.rules.rectification": (
        "整改状态与日期不一致时：填写了整改完成日期的事项按已整改计算（即使状态写的是“整改中”），按完成日期判断按期或逾期完成，"
        "不会计为逾期未完成；“已整改”但没有完成日期的事项计为已整改、是否按期未知，既不算按期也不算逾期完成；"
        "“无需整改”却填写了整改期限或完成日期的事项仍按无需整改计算。导入时每种情况都会提示行号。"
        "每条记录恰好属于一类：无需整改、整改中未到期、逾期未完成、按期完成、逾期完成、已整改（无完成日期）。",
        "When a rectification's status and dates disagree: an item with a completion date is completed (even if its "
        "status says in progress), on time or late by that date, and never overdue; an item marked completed without "
        "a completion date is completed with its timeliness unknown, neither on time nor late; an item marked not "
        "required but given a deadline or completion date stays not required. The import names the rows of each "
        "case. Every record is exactly one of: not required, open, overdue, completed on time, completed late, "
        "completed with no date.",
    ),
    "about.demo.title": ("演示数据中预设的关系", "Relations planted in the demo data"),
    "about.demo.body": (
        "本数据库含演示数据（种子 {seed}）。演示数据按以下规则生成，供检验分析结果：",
        "This database holds demo data (seed {seed}), generated with these relations so the analyses can "
        "be checked against a known truth:",
    ),
    "about.demo.compliance": (
        "住院患者满意度随所属支部上一季度“三会一课”（支部党员大会、支委会、党小组会、党课，不含主题党日）完成率上升："
        "完成率每高 10 个百分点，满意度高 0.8 分（滞后 1 个季度）。",
        "Inpatient satisfaction rises with the branch's 三会一课 compliance (its four meetings, not the theme "
        "party day) of the previous quarter: +0.8 points per 10 percentage points (lag 1 quarter).",
    ),
    "about.demo.service": (
        "门诊患者满意度随所属支部当季人均志愿服务时长上升：每人均多 1 小时，满意度高 1.0 分（同季度）。",
        "Outpatient satisfaction rises with the branch's service hours per member in the same quarter: "
        "+1.0 point per hour per member (lag 0).",
    ),
    "about.demo.null": (
        "医务人员满意度与任何党建指标均无关联（预设的“无关联”对照）。",
        "Staff satisfaction has no relation to any party-building metric (the planted null).",
    ),
    "about.demo.sources": (
        "满意度的来源：医院自有满意度调查系统于 {period} 上线，此前各季度为国家满意度调查平台的科室季度汇总，"
        "此后为自有调查的逐条答卷（含各维度得分）；每个科室、季度和调查对象只有一种来源，全部计入。",
        "Where satisfaction comes from: the hospital's own survey system went live in {period}; the quarters "
        "before it are the national satisfaction platform's quarterly department aggregates, the quarters from "
        "it on the own survey's individual responses (with item scores). Each department, quarter and population "
        "has one source, and all of it counts.",
    ),
    "about.privacy.title": ("隐私", "Privacy"),
    "about.privacy.body": (
        "纪检记录中的涉及人员姓名在导入时即以本数据库专有密钥做不可逆的假名化处理，数据库中从不保存姓名原文。",
        "Names of persons in discipline records are pseudonymised on import with a keyed hash whose secret "
        "belongs to this database; names are never stored in clear.",
    ),
    # Import page (数据导入)
    "import.title": ("数据导入", "Import data"),
    "import.caption": (
        "上传党支部、科室名册和党建活动、满意度、纪检监察台账（CSV、TSV、TXT 或 Excel .xlsx，可一次选择多个文件）。"
        "系统逐行校验后再存储；只要有一个文件有错误，所有文件都不存储。",
        "Upload the branch and department registers and the activity, satisfaction and discipline ledgers (CSV, TSV, "
        "TXT or Excel .xlsx; several files at once). Every row is checked before anything is stored; if any file has "
        "an error, none of the files is stored.",
    ),
    "import.upload.label": ("选择要导入的文件", "Files to import"),
    "import.upload.help": (
        "可一次上传多个文件。党支部、科室名册总是先于引用它们的记录导入，因此可以和活动台账一起上传。",
        "Several files at once. Branch and department registers are always loaded before the records that refer "
        "to them, so they can be uploaded together with the ledgers.",
    ),
    "import.upload.limit": (
        "网页上传的文件每个不超过 {limit}。更大的文件请拆分为几个较小的文件，或在服务器上用命令行导入（命令行没有大小上限）："
        "`python -m analytics import --db {db} 文件`",
        "Each uploaded file at most {limit}. Split a larger file into smaller ones, or import it on the server from "
        "the command line, which has no size limit: `python -m analytics import --db {db} FILE`",
    ),
    "import.upload.too_large": (
        "文件“{file}”有 {size}，超过网页上传的上限 {limit}：没有读取，也不会导入。请点文件旁的 × 把它从上传框中移除，"
        "然后拆分为几个不超过 {limit} 的文件再上传，或在服务器上用命令行 `python -m analytics import` 导入"
        "（没有大小上限，命令见上方）。",
        "The file “{file}” is {size}, over the upload limit of {limit}: it was not read and will not be imported. "
        "Remove it from the uploader (the × beside it), then upload it split into files of at most {limit}, or "
        "import it on the server with `python -m analytics import` (no size limit; the command is above).",
    ),
    "import.run.too_large": (
        "请先从上传框中移除超过 {limit} 的文件。",
        "First remove the files over {limit} from the uploader.",
    ),
    "import.templates.title": ("下载模板", "Templates"),
    "import.templates.kind": ("模板类别", "Template for"),
    "import.templates.download": ("下载 Excel 模板", "Download the Excel template"),
    "import.templates.file": ("{kind}导入模板", "{kind} template"),
    "import.options.title": ("导入选项", "Import options"),
    "import.options.auto": ("自动识别", "Detect automatically"),
    "import.options.kind": ("数据类别", "Kind of data"),
    "import.options.kind_help": (
        "默认按表头自动判断每个文件的类别；在此指定后，本次上传的所有文件都按该类别导入。",
        "Detected from each file's headers by default; a choice here applies to every file of this upload.",
    ),
    "import.options.encoding": ("文件编码（CSV/TXT）", "Encoding (CSV/TXT)"),
    "import.options.encoding_help": (
        "默认依次尝试 UTF-8（含 BOM）、GBK、GB18030。Excel 文件不受此项影响。",
        "By default UTF-8 (with or without BOM), GBK and GB18030 are tried in turn. Excel files are not affected.",
    ),
    "import.options.scale": ("满意度分值", "Satisfaction scores"),
    "import.options.scale_help": (
        "默认按大多数值所在的范围判断：1–5、0–10、0–1 的比例或 0–100；判断不了时导入会提示选择。"
        "所有量表都换算为 0–100 分存储；带百分号的值总按 0–100 分读取。",
        "Detected by default from where nearly all values lie: 1–5, 0–10, 0–1 proportions or 0–100; when it "
        "cannot be told, the import asks for a choice. Every scale is stored on 0–100; values with a per cent sign "
        "are always read on 0–100.",
    ),
    "import.options.scale.likert": ("1–5 分（按 (x−1)×25 换算）", "1–5 Likert (mapped as (x−1)×25)"),
    "import.options.scale.ten": ("0–10 分（按 x×10 换算）", "0–10 points (mapped as x×10)"),
    "import.options.scale.ten1": ("1–10 分（按 (x−1)×100/9 换算）", "1–10 points (mapped as (x−1)×100/9)"),
    "import.options.scale.proportion": ("0–1 的比例（按 x×100 换算）", "0–1 proportions (mapped as x×100)"),
    "import.options.scale.percent": ("0–100 分（不换算）", "0–100 points (as they are)"),
    "import.options.keep_repeats": ("保留看似重复的行", "Keep rows that look repeated"),
    "import.options.keep_repeats_help": (
        "默认：活动台账中与另一行完全相同的行只存储一次；时间范围与已导入答卷重叠的满意度导出会被拒绝。"
        "勾选后两者都全部存储（例如确有两次完全相同的活动，或答卷来自另一来源）。",
        "By default an activity row identical to another row is stored once, and a survey export overlapping the "
        "time range of answers already imported is refused. Tick to store them all (two identical activities "
        "really held, answers from another source).",
    ),
    "import.options.sheet": (
        "只导入这个 Excel 工作表（留空：每个含表格的工作表）",
        "Import only this Excel sheet (blank: every sheet holding a table)",
    ),
    "import.options.sheet_help": (
        "默认导入工作簿中每个含可识别表格的工作表，并分别报告；填写名称则只导入该工作表",
        "By default every sheet of a workbook holding a recognised table is imported and reported by name; a "
        "name imports that sheet only",
    ),
    "import.options.replace": ("替换已存储但内容不同的记录", "Replace stored records that differ"),
    "import.options.replace_help": (
        "同一条记录（如同一支部编码、同一天同一支部的同一活动）已存储但内容不同时，以本文件为准。撤销本次导入可恢复被替换的记录。",
        "When a record with the same key (the same branch code; the same activity on the same day) is stored with "
        "other values, take this file's values. Undoing this import puts the replaced records back.",
    ),
    "import.options.force": ("即使同一文件已导入过，也再次导入", "Import again even if the same file was imported"),
    "import.options.include_hidden": ("同时导入隐藏（被筛选掉）的行", "Import hidden (filtered-out) rows too"),
    "import.options.include_hidden_help": (
        "默认：Excel 中隐藏或被筛选掉的行不导入，并在结果中列出行号。勾选后这些行也导入。",
        "By default rows hidden or filtered out in Excel are not imported, and their row numbers are listed. "
        "Tick to import them too.",
    ),
    "import.options.replaces": ("本文件是以下批次的更正版本", "This file is a corrected version of"),
    "import.options.replaces_none": ("（不是更正）", "(not a correction)"),
    "import.options.replaces_help": (
        "选择后，该批次的全部记录会被搁置（撤销本次导入可恢复），并存入本文件的记录。适用于修改了日期、主题、状态等内容的更正台账。",
        "The chosen batch's records are set aside (undoing this import restores them) and this file's are stored: "
        "for a corrected ledger whose dates, topics or statuses were edited.",
    ),
    "import.valid_from": ("名册自哪天起生效？", "From which day does the register hold?"),
    "import.valid_from_help": (
        "支部和科室名册描述某一天起的组织：所属支部、职工人数、党员人数等。此前各期的数据仍按当时的组织计算。"
        "如果本文件是对过去名册的更正，请在“导入选项”中选择被更正的批次。",
        "A branch or department register describes the organisation from a day on (branch of each department, "
        "staff and party members). Earlier periods keep the organisation as it was. If this file corrects a past "
        "register, choose the batch it corrects under “Import options”.",
    ),
    "import.options.force_help": (
        "默认跳过内容完全相同、已导入过（且未撤销）的文件。",
        "By default a file identical to one already imported (and not undone) is skipped.",
    ),
    "import.encoding.bom": ("UTF-8（带 BOM）", "UTF-8 (with BOM)"),
    "import.preview.title": ("文件预览", "Preview"),
    "import.preview.kind": ("数据类别", "Kind"),
    "import.preview.format": ("格式", "Format"),
    "import.preview.encoding": ("编码", "Encoding"),
    "import.preview.header_row": ("表头所在行", "Header row"),
    "import.preview.rows": ("数据行数", "Data rows"),
    "import.preview.fact": ("{label}：**{value}**", "{label}: **{value}**"),
    "import.preview.separator": ("　·　", " · "),
    "import.preview.xlsx": ("Excel（工作表：{sheet}）", "Excel (sheet: {sheet})"),
    "import.preview.unknown_kind": ("未能识别", "Not recognised"),
    "import.preview.mapping": ("表头对应", "Header mapping"),
    "import.preview.sample": ("前 {n} 行", "First {n} rows"),
    "import.preview.header": ("文件中的列", "Column in the file"),
    "import.preview.field": ("对应字段", "Field"),
    "import.preview.unused": ("（不导入）", "(not imported)"),
    "import.preview.missing": ("缺少必需的列：{fields}", "Missing required columns: {fields}"),
    "import.preview.ready": (
        "表头齐全。各行的内容将在导入时逐行检查，有错误的行会列出行号。",
        "All required columns found. The rows are checked one by one on import; any errors are listed by row.",
    ),
    "import.mapping.title": ("列对应", "Column mapping"),
    "import.mapping.intro": (
        "下列字段在文件中没有找到对应的列。请为每个字段选择文件中对应的列，没有的保持“文件中没有此列”；没有被选择的列不导入。"
        "所作选择会保存，下次上传表头相同的文件时自动套用。",
        "No column of the file was recognised for the fields below. Choose the column that holds each one, or leave "
        "“Not in the file”; columns not chosen are not imported. The choice is remembered and applied the next time "
        "a file with the same headers is uploaded.",
    ),
    "import.mapping.columns": (
        "文件中有 {n:,} 列未能识别，是下列各字段的选项（可输入列名查找）。",
        "{n:,} columns of the file were not recognised: they are the options of each field below (type to search).",
    ),
    "import.mapping.complete": (
        "这类数据的每个字段都已有对应的列；其余未能识别的列不导入。",
        "Every field of this kind has its column; the other, unrecognised columns are not imported.",
    ),
    "import.mapping.twice": (
        "列“{header}”被选给了多个字段，只对应其中第一个（{field}）。",
        "Column “{header}” is chosen for more than one field; it holds only the first ({field}).",
    ),
    "import.mapping.kind": ("这份文件的数据类别", "Kind of data in this file"),
    "import.mapping.kind_fixed": (
        "数据类别已在“导入选项”中指定为：{kind}",
        "The kind of data is set in the import options: {kind}",
    ),
    "import.mapping.none": ("文件中没有此列", "Not in the file"),
    "import.mapping.required": ("{label}（必填）", "{label} (required)"),
    "import.mapping.saved": (
        "已套用之前为相同表头保存的列对应。",
        "Applied the column mapping remembered for these headers.",
    ),
    "import.mapping.nothing": (
        "文件中没有未识别的列可供对应。请对照模板补上缺少的列后重新上传。",
        "The file has no unrecognised column to map. Add the missing columns (see the template) and upload it again.",
    ),
    "import.run": ("导入", "Import"),
    "import.run.help": (
        "校验并存储全部上传的文件；任一文件有错误则全部不存储。",
        "Check and store all uploaded files; if any file has an error, none is stored.",
    ),
    "import.run.none": ("请先选择要导入的文件。", "Choose the files to import first."),
    "import.progress.start": ("开始导入…", "Starting…"),
    "import.progress.file": ("正在处理：{file}", "Processing {file}"),
    "import.progress.done": ("处理完毕", "Done"),
    "import.result.title": ("导入结果", "Import result"),
    "import.result.ok": (
        "导入成功：{files} 个文件，共存入 {rows:,} 行。",
        "Import complete: {rows:,} rows stored from {files} file(s).",
    ),
    "import.result.nothing": (
        "没有存入新数据：{total} 个文件都已导入过或没有新记录。",
        "Nothing new was stored: the {total} file(s) were imported before or hold no new records.",
    ),
    "import.result.failed": (
        "未存储任何数据：{n} 个文件有错误（共上传 {total} 个文件，错误 {errors:,} 处）。请修改后重新导入全部文件。",
        "Nothing was stored: {n} of {total} file(s) have errors ({errors:,} in all). Fix them and import all the "
        "files again.",
    ),
    "import.result.resolvable": (
        "未存储任何数据：{n} 个文件与已存储的记录不一致（共上传 {total} 个文件，{errors:,} 处）。请核对下方的新旧值，"
        "在“如何处理”中选择。",
        "Nothing was stored: {n} of {total} file(s) differ from stored records ({errors:,} cells). Compare the old and "
        "new values below and choose under “What to do”.",
    ),
    "import.result.file_ok": ("已存入 {rows:,} 行（批次 {batch}）", "{rows:,} rows stored (batch {batch})"),
    "import.result.file_errors": ("{n:,} 个错误，未存储", "{n:,} error(s); not stored"),
    "import.result.file_not_stored": (
        "本文件没有错误，但因其他文件有错误，未存储",
        "No errors in this file, but it was not stored because other files have errors",
    ),
    "import.result.error_rows": ("有错误的行：{rows}", "Rows with errors: {rows}"),
    "import.errors.title": ("错误清单", "Errors"),
    "import.errors.filter_file": ("按文件筛选", "Filter by file"),
    "import.errors.filter_code": ("按错误类型筛选", "Filter by error type"),
    "import.errors.filter_all": ("全部", "All"),
    "import.errors.shown": ("显示 {shown:,} / {total:,} 条错误", "Showing {shown:,} of {total:,} errors"),
    "import.errors.csv": ("下载错误清单（CSV）", "Download errors (CSV)"),
    "import.errors.xlsx": ("下载错误清单（Excel）", "Download errors (Excel)"),
    "import.errors.file_name": ("导入错误清单", "import-errors"),
    "import.errors.file": ("文件", "File"),
    "import.errors.row": ("行号", "Row"),
    "import.errors.column": ("列", "Column"),
    "import.errors.value": ("值", "Value"),
    "import.errors.code": ("错误代码", "Code"),
    "import.errors.message": ("说明", "Message"),
    "import.errors.stored": ("已存储的值", "Stored value"),
    "import.errors.stored_in": ("已存储的值来自", "Stored from"),
    "import.errors.stored_in_value": ("批次 {batch} · {file}", "batch {batch} · {file}"),
    "import.notes.title": ("行提示（已导入，请留意）", "Row notes (imported; worth a look)"),
    "import.notes.caption": (
        "这些行没有错误，但与本文件中的另一行相同或相似；“说明”一栏写明了如何处理。",
        "These rows have no error but repeat or resemble another row of the file; the message says what was done.",
    ),
    "import.notes.file": ("文件", "File"),
    "import.notes.row": ("行号", "Row"),
    "import.notes.other_row": ("相同的行", "Same as row"),
    "import.notes.value": ("值", "Value"),
    "import.notes.code": ("类型", "Kind"),
    "import.notes.message": ("说明", "Message"),
    "import.notes.file_name": ("导入行提示", "import-row-notes"),
    "import.notes.csv": ("下载行提示（CSV）", "Download row notes (CSV)"),
    "import.notes.xlsx": ("下载行提示（Excel）", "Download row notes (Excel)"),
    "import.resolve.title": ("如何处理", "What to do"),
    "import.resolve.confirm_text": (
        "确定要“{action}”吗？被替换的记录会保留，撤销本次导入即可恢复。",
        "“{action}”: are you sure? The replaced records are kept aside; undoing this import puts them back.",
    ),
    "import.resolve.keep_confirm_text": (
        "确定两份答卷都保留吗？只有当本文件的答卷确实来自另一来源（不是同一批答卷的重新导出）时才应这样做。",
        "Keep both sets of answers? Only if this file's answers really come from another source (not the same "
        "answers exported again).",
    ),
    "import.resolve.confirm": ("确认", "Yes, do it"),
    "import.resolve.cancel": ("取消", "Cancel"),
    "import.preview.scale_unclear": (
        "无法从数值判断“{columns}”的评分量表：请在“导入选项 → 满意度分值”中选择。",
        "The scale of “{columns}” cannot be told from its values: choose it under “Import options → Satisfaction scores”.",
    ),
    "resolve.replace-all": (
        "用这些文件替换已存储的 {n:,} 行（条）记录",
        "Replace the {n:,} stored records with these files",
    ),
    "import.code.missing-column": ("缺少列", "Missing column"),
    "import.code.missing-value": ("必填项为空", "Missing value"),
    "import.code.type-error": ("格式或取值无效", "Invalid value"),
    "import.code.out-of-range": ("超出范围", "Out of range"),
    "import.code.unknown-reference": ("未登记的支部或科室", "Unknown branch or department"),
    "import.code.duplicate-row": ("文件内重复", "Duplicate row"),
    "import.code.conflict": ("与已存储记录冲突", "Conflicts with stored record"),
    "import.code.no-data": ("没有数据", "No data"),
    "import.code.not-a-table": ("不是表格", "Not a table"),
    "import.code.unknown-kind": ("无法判断类别", "Unknown kind"),
    "import.code.ambiguous-kind": ("类别不明确", "Ambiguous kind"),
    "import.code.unreadable": ("无法读取", "Unreadable"),
    "import.history.title": ("导入记录", "Import history"),
    "import.history.caption": (
        "每次导入的每个文件为一个批次。撤销后批次仍保留在记录中，并注明撤销时间。",
        "Each file of each import is one batch. Undone batches stay listed, with the time they were undone.",
    ),
    "import.history.empty": ("还没有导入记录。", "Nothing has been imported yet."),
    "import.history.batch_id": ("批次", "Batch"),
    "import.history.file_name": ("文件", "File"),
    "import.history.kind": ("数据类别", "Kind"),
    "import.history.rows": ("存入行数", "Rows stored"),
    "import.history.unchanged": ("未变行数", "Unchanged"),
    "import.history.replaced": ("替换行数", "Replaced"),
    "import.history.replaces": ("更正批次", "Corrects batch"),
    "import.history.valid_from": ("名册生效日期", "Register valid from"),
    "import.history.encoding": ("编码", "Encoding"),
    "import.history.imported_by": ("导入人", "Imported by"),
    "import.history.imported_at": ("导入时间", "Imported at"),
    "import.history.undone_at": ("撤销时间", "Undone at"),
    "import.undo.title": ("撤销导入", "Undo an import"),
    "import.undo.select": ("要撤销的批次", "Batch to undo"),
    "import.undo.option": (
        "批次 {batch} · {file} · {kind} · {rows:,} 行 · {time}",
        "Batch {batch} · {file} · {kind} · {rows:,} rows · {time}",
    ),
    "import.undo.button": ("撤销", "Undo"),
    "import.undo.confirm_text": (
        "确定撤销批次 {batch}（{file}）吗？将删除该批次存入的 {rows:,} 行记录，并恢复被它替换的记录。",
        "Undo batch {batch} ({file})? Its {rows:,} stored rows will be removed and any records it replaced put back.",
    ),
    "import.undo.confirm": ("确认撤销", "Yes, undo it"),
    "import.undo.cancel": ("取消", "Cancel"),
    "import.undo.none": ("没有可撤销的批次。", "No batch can be undone."),
    # Import: errors (one per code), expectations, warnings
    "err.missing-column": (
        "缺少必需的列“{column}”。可用的列名：{expected}",
        "Missing required column “{column}”. Accepted headers: {expected}",
    ),
    "err.missing-value": ("“{column}”为空，此列必填", "“{column}” is empty; it is required"),
    "err.type-error": ("“{value}”不是有效的{expected}", "“{value}” is not a valid {expected}"),
    "err.out-of-range": ("{value} 超出范围：应为{expected}", "{value} is out of range: expected {expected}"),
    "err.unknown-reference": ("“{value}”不是已登记的{expected}", "“{value}” is not a known {expected}"),
    "err.duplicate-row": (
        "与本文件第 {other} 行重复（{expected}相同）",
        "Duplicates row {other} of this file (same {expected})",
    ),
    "err.no-data": ("文件中没有数据：{detail}", "No data: {detail}"),
    "err.not-a-table": ("无法作为表格读取：{detail}", "Cannot be read as a table: {detail}"),
    "err.unknown-kind": (
        "无法从表头判断数据类别（表头：{value}）；请选择数据类别",
        "Cannot tell the kind of data from the headers ({value}); choose the kind",
    ),
    "err.ambiguous-kind": (
        "表头同时符合“{value}”，请选择数据类别",
        "The headers fit both {value}; choose the kind",
    ),
    "err.not-permitted": (
        "此文件是{kind}数据，您的角色无权导入此类数据。未存入任何数据。",
        "This file holds {kind}; your role may not import that kind. Nothing was stored.",
    ),
    "err.unreadable": (
        "文件读取出错（常见原因：某行的列数多于表头）：{detail}",
        "The file could not be read (often: a row has more columns than the header): {detail}",
    ),
    "reason.empty": ("文件是空的", "the file is empty"),
    "reason.header-only": ("只有表头，没有数据行", "only a header, no data rows"),
    "reason.binary": (
        "不是文本表格（可能是图片或其他二进制文件）",
        "not a text table (an image or other binary file?)",
    ),
    "reason.no-header": ("找不到至少两列的表头行", "no header row with two or more columns"),
    "reason.undecodable": ("无法按 UTF-8、GBK 或 GB18030 解码", "cannot be decoded as UTF-8, GBK or GB18030"),
    "reason.too-large": (
        "工作簿解压后 {found} MB，超过导入限制“{limit}”（{allowed} MB），为保护服务器未读取；请只保留需要导入的工作表和数据后另存再导入。",
        "the workbook unpacks to {found} MB, more than the import limit “{limit}” ({allowed} MB), so it was not read "
        "to protect the server; keep only the sheets and rows to import, save it again and import that.",
    ),
    "reason.too-tight": (
        "工作簿中的 {part} 解压后是压缩时的 {found} 倍，超过导入限制“{limit}”（{allowed} 倍）：Excel 保存的工作表通常只有 "
        "5–20 倍，这可能是“压缩炸弹”，为保护服务器未读取；请只保留需要导入的工作表和数据后另存再导入。",
        "its part {part} unpacks to {found} times its packed size, more than the import limit “{limit}” ({allowed}): "
        "sheets Excel saves pack 5–20 times, so this may be a “zip bomb”, and it was not read to protect the server; "
        "keep only the sheets and rows to import, save it again and import that.",
    ),
    "reason.too-many-rows": (
        "有 {found} 行，超过导入限制“{limit}”（{allowed}），为保护服务器未读取；请按时间拆分成几个文件分别导入。",
        "{found} rows, more than the import limit “{limit}” ({allowed}), so it was not read to protect the server; "
        "split it by period into several files.",
    ),
    "reason.too-many-cells": (
        "各工作表共有 {found} 个单元格，超过导入限制“{limit}”（{allowed}），为保护服务器未读取；请删去不需要的列和行，或拆分成几个文件。",
        "{found} cells in its sheets, more than the import limit “{limit}” ({allowed}), so it was not read to protect "
        "the server; delete the columns and rows not needed, or split it into several files.",
    ),
    "reason.too-many-strings": (
        "工作簿的共享文本表有 {found} 项，多于导入限制“{limit}”（{allowed}）允许的单元格数，为保护服务器未读取；"
        "请在 Excel 或 WPS 中打开并另存后再导入，或拆分成几个文件。",
        "its shared-text table holds {found} entries, more than the import limit “{limit}” ({allowed}) allows cells, "
        "so it was not read to protect the server; open and save it in Excel or WPS, or split it into several files.",
    ),
    "reason.too-large-grid": (
        "表格按行数 × 列数（空单元格也计入）共 {found} 个单元格，超过导入限制“{limit}”（{allowed}），为保护服务器未读取；"
        "请删去表格右侧和下方不需要的行列（包括看似空白、但有格式的单元格）后再导入。",
        "{found} cells counted as rows × columns (empty cells included), more than the import limit “{limit}” "
        "({allowed}), so it was not read to protect the server; delete the rows and columns right of and below the "
        "table that are not needed (also cells that look empty but are formatted), then import.",
    ),
    "reason.too-much-text": (
        "工作簿中的文字（共享文本表与各单元格合计，同一文字被多个单元格引用时每次都计入）已达 {found} MB，超过导入限制“{limit}”"
        "（{allowed} MB），为保护服务器未读取；请删去不需要的列（尤其是长文字的列），或拆分成几个文件。",
        "the workbook's text (its shared-text table and every cell's, a text counted in every cell that refers to it) "
        "reached {found} MB, more than the import limit “{limit}” ({allowed} MB), so it was not read to protect the "
        "server; delete the columns not needed (long text above all), or split it into several files.",
    ),
    "reason.markup-gap": (
        "工作簿中的部件有一段超过 1 MB、没有任何标记的连续空白或文字（括号内），不是 Excel 或 WPS 保存的工作表（可能是“压缩炸弹”），"
        "为保护服务器未读取；请在 Excel 或 WPS 中打开并另存后再导入",
        "a part of the workbook holds over 1 MB of whitespace or text without any markup (in brackets), which no "
        "sheet saved by Excel or WPS does (a possible “zip bomb”), so it was not read to protect the server; open and "
        "save it in Excel or WPS, then import",
    ),
    "reason.too-many-columns": (
        "有 {found} 列，超过导入限制“{limit}”（{allowed}），不像一张台账；请只保留需要导入的列。",
        "{found} columns, more than the import limit “{limit}” ({allowed}); a ledger has far fewer: keep only the "
        "columns to import.",
    ),
    "reason.change-limit": (
        "此限制可在“设置 → 导入限制”中调整。",
        " The limit can be changed under Settings → Import limits.",
    ),
    "reason.bad-xlsx": ("不是可读取的 Excel (.xlsx) 工作簿", "not a readable Excel (.xlsx) workbook"),
    "reason.no-sheet": ("工作簿中没有该工作表", "the workbook has no such sheet"),
    "reason.formula-no-value": (
        "括号内的单元格有公式而没有计算结果（文件由程序生成，未经计算），导入会成为空值：请在 Excel 或 WPS 中打开并保存后再导入，或将公式粘贴为数值",
        "the cells in brackets hold formulas without computed results (the file was written by a program and "
        "never calculated), which would import as empty: open and save it in Excel or WPS, or paste the formulas "
        "as values, then import",
    ),
    "reason.mixed-encoding": (
        "混用了 UTF-8 和其他编码（如 GBK），导入会成为乱码；请用一种编码重新保存（如在 Excel 中另存为“CSV UTF-8”）后再导入。"
        "不是 UTF-8 的行",
        "mixes UTF-8 with another encoding (such as GBK) and would import garbled; save it again in one encoding "
        "(e.g. as “CSV UTF-8” in Excel), then import. Lines not in UTF-8",
    ),
    "reason.hidden-sheet": ("工作表已隐藏", "the sheet is hidden"),
    "reason.empty-sheet": ("工作表是空的", "the sheet is empty"),
    "reason.no-known-header": (
        "前 15 行中没有包含至少两个已知列名的表头",
        "no header with two or more known column names in its first 15 rows",
    ),
    "reason.hidden-only": (
        "所有数据行都已隐藏或被筛选隐藏：请取消隐藏或筛选后再导入",
        "every data row is hidden (by hand or by a filter): show them, then import",
    ),
    "expect.int": ("整数", "whole number"),
    "expect.float": ("数字", "number"),
    "expect.score": ("分数（数字，如 85.3、4、0.853 或 85.3%）", "score (a number such as 85.3, 4, 0.853 or 85.3%)"),
    "expect.date": (
        "日期（如 2024-03-05、2024/3/5、2024年3月5日）",
        "date (e.g. 2024-03-05, 2024/3/5, 2024年3月5日)",
    ),
    "expect.datetime": ("时间（如 2024/3/5 14:30）", "date and time (e.g. 2024/3/5 14:30)"),
    "expect.period": (
        "期间（如 2024Q1、2024年第1季度、2024-03）",
        "period (e.g. 2024Q1, 2024年第1季度, 2024-03)",
    ),
    "expect.bool": ("是/否", "yes/no (是/否)"),
    "expect.enum": ("取值，可用：{values}", "value; one of: {values}"),
    "expect.ref.branch": (
        "党支部编码或名称（请先导入党支部名册）",
        "branch code or name (import the branch list first)",
    ),
    "expect.ref.department": (
        "科室编码或名称（请先导入科室名册）",
        "department code or name (import the department list first)",
    ),
    "expect.range": ("{low}–{high}", "{low}–{high}"),
    "expect.at_least": ("不小于 {low}", "at least {low}"),
    "expect.not_before": ("不早于“{column}”", "not before “{column}”"),
    "warn.unknown-columns": ("以下列未导入：{columns}", "These columns were not imported: {columns}"),
    "warn.unchanged": (
        "{n} 行与已存储的记录完全相同，未重复存储",
        "{n} rows are identical to stored records and were not stored again",
    ),
    "warn.replaced": ("{n} 条已存储的记录被本文件替换", "{n} stored records were replaced by this file"),
    "cli.sheet": ("工作表“{sheet}”", "sheet “{sheet}”"),
    "warn.new-versions": (
        "{n} 行与已存储的名册不同：记为自 {day} 起生效的新版本（支部、人数等）；每一期都按该期第一天有效的版本计算",
        "{n} rows differ from the stored register: stored as a new version valid from {day} (branch, counts…); "
        "every period uses the version in force on its first day",
    ),
    "err.replaces-several": (
        "更正批次 {batch} 时一次只能导入一个文件（一个工作表）",
        "A file correcting batch {batch} must be imported on its own (one file, one sheet)",
    ),
    "err.replaces-unknown": (
        "没有批次 {batch}：请在导入历史中查看要更正的批次号",
        "There is no batch {batch}: look up the batch to correct in the import history",
    ),
    "err.replaces-undone": (
        "批次 {batch}（{file}）已撤销，无需更正：请直接导入本文件",
        "Batch {batch} ({file}) was undone, so there is nothing to correct: import this file on its own",
    ),
    "err.replaces-replaced": (
        "批次 {batch}（{file}）的记录已被批次 {later} 更正或替换：现在有效的是批次 {later}，请更正批次 {later}",
        "The records of batch {batch} ({file}) were corrected or replaced by batch {later}: batch {later} is what "
        "stands now, so correct batch {later}",
    ),
    "err.replaces-orphans": (
        "更正后的名册不再包含 {codes}，而已存储的记录仍属于它们：请在更正文件中保留这些编码，或先撤销这些记录所在的批次",
        "The corrected register no longer holds {codes}, which stored records still belong to: keep these codes in "
        "the corrected file, or first undo the batches of those records",
    ),
    "err.replaces-kind": (
        "批次 {batch}（{file}）是“{kind}”，本文件是“{file_kind}”：更正文件必须与原批次是同一类数据",
        "Batch {batch} ({file}) holds “{kind}” and this file “{file_kind}”: a correction must be of the same kind",
    ),
    "warn.attended-over-expected": (
        "{n} 行的参加人数多于应到人数（第 {rows} 行）",
        "{n} rows have more attendees than expected (rows {rows})",
    ),
    "warn.rectification-in-progress-dated": (
        "{n} 行状态为整改中但填写了完成日期：按已整改（完成日期）计算（第 {rows} 行）",
        "{n} rows say in progress but give a completion date: counted as completed on that date (rows {rows})",
    ),
    "warn.rectification-completed-undated": (
        "{n} 行状态为已整改但没有完成日期：计为已整改，是否按期未知，不计入按期完成或逾期完成（第 {rows} 行）",
        "{n} rows say completed but give no completion date: counted as completed, neither on time nor late "
        "(rows {rows})",
    ),
    "warn.rectification-not-required-dated": (
        "{n} 行状态为无需整改但填写了整改期限或完成日期：按无需整改计算（第 {rows} 行）",
        "{n} rows say no rectification is required but give a deadline or completion date: counted as not "
        "required (rows {rows})",
    ),
    "import.preview.sheets": (
        "本工作簿有 {n} 个工作表含可识别的表格，将分别导入：{sheets}（下面预览第一个）",
        "{n} sheets of this workbook hold a recognised table and are imported one by one: {sheets} (the first is "
        "previewed below)",
    ),
    "warn.sheets-skipped": ("以下工作表没有导入：{sheets}", "These sheets were not imported: {sheets}"),
    "warn.hidden-rows": (
        "{n} 行在 Excel 中被隐藏或筛选掉，没有导入（第 {rows} 行）；如需导入，请在“导入选项”中勾选“同时导入隐藏（被筛选掉）的行”"
        "（命令行 --include-hidden）",
        "{n} rows are hidden or filtered out in Excel and were not imported (rows {rows}); to import them, tick "
        "“Import hidden (filtered-out) rows too” under “Import options” (CLI: --include-hidden)",
    ),
    "warn.hidden-rows-included": (
        "按选择导入了 {n} 行在 Excel 中被隐藏或筛选掉的行（第 {rows} 行）",
        "Imported as chosen: {n} rows hidden or filtered out in Excel (rows {rows})",
    ),
    "warn.nobody-attended": (
        "{n} 行的参加人数为 0 而应到人数大于 0（第 {rows} 行）：按未召开处理，保留在台账中但不计入会议次数、出勤率和时长",
        "{n} rows have 0 attendees of a positive expected number (rows {rows}): taken as not held, kept in the "
        "ledger but not counted in meetings held, attendance or hours",
    ),
    "warn.not-held": (
        "{n} 行标为未召开或取消（第 {rows} 行）：保留在台账中，不计入会议次数、出勤率和时长",
        "{n} rows are marked not held or cancelled (rows {rows}): kept in the ledger, not counted in meetings "
        "held, attendance or hours",
    ),
    "warn.more-errors": ("另有 {n} 个错误未列出", "{n} more errors not listed"),
    "reason.bad-csv": ("CSV 格式有误", "malformed CSV"),
    "expect.hours": (
        "时长（小时，如 1.5、3小时、3h、90分钟）",
        "duration in hours (e.g. 1.5, 3小时, 3h, 90分钟)",
    ),
    "err.future-date": (
        "日期 {value} 晚于今天（{expected}）：尚未发生的事不能导入，请核对年份",
        "The date {value} is after today ({expected}): only what has happened can be imported; check the year",
    ),
    "err.not-yet-registered": (
        "“{value}”在本行的日期还不在名册中（名册中它最早的生效日期晚于这一天），这条记录无法归属；"
        "如果它那时已经存在，请用更早的生效日期重新导入名册（导入页的生效日期，或命令行 --valid-from）",
        "“{value}” was not in the register yet on this row's date (its earliest version is valid from a later "
        "day), so the record cannot be attributed; if it existed then, import the register again with an earlier "
        "day (the import page's valid-from day, or --valid-from)",
    ),
    "import.code.not-yet-registered": ("当时还不在名册中", "Not in the register yet"),
    "err.ambiguous-period": (
        "“{value}”可能是 1 月，也可能是 10 月（Excel 会把 2024.10 存成 2024.1）：请写成 2024-01 或 2024-10 的形式",
        "“{value}” may be January or October (Excel stores 2024.10 as 2024.1); write 2024-01 or 2024-10",
    ),
    "err.hint": ("。是否指：{hint}？", ". Did you mean: {hint}?"),
    "err.extra-cells": (
        "此行在表头最后一列的右侧还有内容（“{value}”）：可能某个单元格中有未加引号的逗号，使各列错位",
        "This row has cells to the right of the last header (“{value}”): a cell may hold an unquoted comma that "
        "shifted the columns",
    ),
    "err.swallowed-rows": (
        "此行有一个单元格跨越多行，其中像是整行数据（“{value}”）：可能某个引号没有闭合，下面的行被并入了这个单元格。请检查此行的引号",
        "A cell of this row spans lines holding what look like whole rows (“{value}”): a quote may never have been "
        "closed, so the rows below were read into this cell. Check this row's quotes",
    ),
    "import.code.swallowed-rows": ("引号未闭合", "Quote never closed"),
    "warn.unnamed-column": ("第 {n} 列（无表头）", "column {n} (no header)"),
    "err.name-taken": (
        "名称“{value}”已属于已存储的编码 {stored}（批次 {batch}，文件 {file}）；同一名称不能有两个编码",
        "The name “{value}” already belongs to the stored code {stored} (batch {batch}, file {file}); one name "
        "cannot have two codes",
    ),
    "err.ambiguous-scale": (
        "无法确定“{column}”的评分量表（{detail}）。请在“导入选项 → 满意度分值”中选择量表后重新导入"
        "（命令行：--scale likert、ten、ten1、proportion 或 percent）",
        "Cannot tell the scale of “{column}” ({detail}). Choose the scale under “Import options → Satisfaction "
        "scores” and import again (command line: --scale likert, ten, ten1, proportion or percent)",
    ),
    "scale.figures": (
        "{n:,} 个数值，最小 {low}，最大 {high}，其中 0 有 {zeros:,} 个",
        "{n:,} numbers from {low} to {high}, {zeros:,} of them 0",
    ),
    "scale.detected": ("评分量表：{columns}为 {scale}", "Scale: {columns} on {scale}"),
    "scale.chosen": ("评分量表（按选择）：{columns}为 {scale}", "Scale (as chosen): {columns} on {scale}"),
    "scale.likert": (
        "1–5 分（Likert），按 (x−1)×25 换算为 0–100 分",
        "1–5 points (Likert), mapped to 0–100 as (x−1)×25",
    ),
    "scale.ten": ("0–10 分，按 x×10 换算为 0–100 分", "0–10 points, mapped to 0–100 as x×10"),
    "scale.ten1": ("1–10 分，按 (x−1)×100/9 换算为 0–100 分", "1–10 points, mapped to 0–100 as (x−1)×100/9"),
    "scale.proportion": ("0–1 的比例，按 x×100 换算为 0–100 分", "0–1 proportions, mapped to 0–100 as x×100"),
    "scale.percent": ("0–100 分（不换算）", "0–100 points (as they are)"),
    "resolve.conflict": (
        "用新文件中的值替换已存储的 {n:,} 行",
        "Replace the {n:,} stored rows with the new file's values",
    ),
    "resolve.overlapping-responses": (
        "用本文件替换 {start} 至 {end} 之间已存储的 {n:,} 条答卷",
        "Replace the {n:,} answers stored between {start} and {end} with this file",
    ),
    "resolve.looks-corrected": (
        "这是批次 {batch} 的更正版本：搁置该批次中本文件已没有的 {n:,} 条记录",
        "This is a corrected version of batch {batch}: set aside its {n:,} records this file no longer holds",
    ),
    "resolve.keep-ledger": (
        "都保留（本文件的新行确实是另外的记录）",
        "Keep both (the file's new rows really are other records)",
    ),
    "err.looks-corrected": (
        "本文件像是批次 {batch}（{file}）的更正版本：它包含该批次的大部分记录，但有 {n:,} 行新行（第 {rows} 行），"
        "而该批次中有 {absent:,} 条记录本文件已没有——很可能是修改过日期、主题或摘要的同一批记录。直接存入会重复计数。"
        "如果是更正版本，可以“{action}”（或选择“本文件是以下批次的更正版本”）；如果新行确实是另外的记录，请勾选“保留看似重复的行”。",
        "This file looks like a corrected version of batch {batch} ({file}): it holds most of that batch's records, "
        "but has {n:,} new rows (rows {rows}) while {absent:,} of the batch's records are no longer in it—probably "
        "the same records with an edited date, topic or summary. Storing it as it is would count them twice. If it "
        "is a corrected version, you can “{action}” (or choose “This file is a corrected version of”); if the new "
        "rows really are other records, tick “keep rows that look repeated”.",
    ),
    "warn.looks-corrected-kept": (
        "按选择保留：批次 {batch}（{file}）中有 {n:,} 条记录本文件已没有，仍保留",
        "Kept as chosen: {n:,} records of batch {batch} ({file}) that this file no longer holds stay stored",
    ),
    "resolve.keep": ("两份都保留（不同来源的答卷）", "Keep both (answers from different sources)"),
    "warn.conflicts": (
        "{n:,} 行与已存储的记录内容不同：错误清单列出了每个不同单元格的已存储值和新值，以及旧值来自哪个批次和文件。"
        "如果本文件是更正后的版本，可以“{action}”。",
        "{n:,} rows differ from stored records: the error list shows the stored and the new value of each "
        "differing cell, and the batch and file the old value came from. If this file is a corrected version, "
        "you can “{action}”.",
    ),
    "err.conflict": (
        "与已存储的记录不同：已存储的值为“{stored}”（批次 {batch}，文件 {file}），本文件为“{value}”",
        "Differs from the stored record: stored “{stored}” (batch {batch}, file {file}), this file “{value}”",
    ),
    "err.overlapping-responses": (
        "本文件的答卷时间为 {start} 至 {end}，这段时间内相同科室、相同调查对象已存储了 {n:,} 条答卷（{detail}）。"
        "可能是同一批答卷又导出了一次。如果本文件是覆盖这段时间的新导出，可以“{action}”；"
        "如果确实是另一来源的答卷，请勾选“保留看似重复的行”。",
        "This file's answers run from {start} to {end}, and {n:,} answers of the same departments and populations "
        "are already stored in that time ({detail}): probably the same answers exported again. If this file is a "
        "new export covering that time, you can “{action}”; if the answers really come from another source, tick "
        "“keep rows that look repeated”.",
    ),
    "batch.described": (
        "批次 {batch}（{file}）{n:,} 条，{lo} 至 {hi}",
        "batch {batch} ({file}): {n:,} answers, {lo} to {hi}",
    ),
    "warn.overlap-kept": (
        "按选择保留：{n:,} 条已存储的答卷与本文件的时间范围重叠（相同科室和调查对象）",
        "Kept as chosen: {n:,} stored answers of the same departments and populations fall in this file's time range",
    ),
    "note.repeated-row": (
        "与第 {other} 行完全相同：只存储一次",
        "Identical to row {other}: stored once",
    ),
    "note.repeated-row.kept": (
        "与第 {other} 行完全相同：按选择两行都存储",
        "Identical to row {other}: both stored, as chosen",
    ),
    "note.same-key": (
        "与第 {other} 行的{keys}相同，其他列不同：作为两次活动分别存储",
        "Same {keys} as row {other}, other columns differ: stored as two activities",
    ),
    "note.repeated-answer": (
        "与第 {other} 行是同一答卷（答卷编号相同、内容相同）：只存储一次",
        "The same answer as row {other} (same response id and content): stored once",
    ),
    "warn.repeated-row": (
        "{n:,} 行与本文件中更早的一行完全相同，只存储一次（行号=相同的行：{rows}）。如确为多次活动，请勾选“保留看似重复的行”"
        "（命令行 --keep-repeats）",
        "{n:,} rows are identical to an earlier row of this file and were stored once (row=same as: {rows}). If "
        "they really are separate activities, tick “keep rows that look repeated” (--keep-repeats)",
    ),
    "warn.repeated-row.kept": (
        "{n:,} 行与本文件中更早的一行完全相同，按选择都已存储（行号=相同的行：{rows}）",
        "{n:,} rows are identical to an earlier row of this file and were all stored, as chosen (row=same as: {rows})",
    ),
    "warn.same-key": (
        "{n:,} 行与本文件中更早的一行{keys}相同但其他列不同，作为不同的活动分别存储（行号=相同的行：{rows}）",
        "{n:,} rows share {keys} with an earlier row of this file but differ in other columns; stored as separate "
        "activities (row=same as: {rows})",
    ),
    "warn.repeated-answer": (
        "{n:,} 行与本文件中更早的一行是同一答卷（答卷编号相同、内容相同），只存储一次（行号=相同的行：{rows}）",
        "{n:,} rows are the same answer as an earlier row (same response id and content), stored once "
        "(row=same as: {rows})",
    ),
    "import.code.future-date": ("日期晚于今天", "Date after today"),
    "import.code.ambiguous-period": ("期间不明确（1 月或 10 月）", "Ambiguous period (January or October)"),
    "import.code.ambiguous-scale": ("评分量表不明确", "Ambiguous scale"),
    "import.code.extra-cells": ("表头外有内容", "Cells beyond the header"),
    "import.code.name-taken": ("名称已被占用", "Name already taken"),
    "import.code.overlapping-responses": ("与已存储的答卷时间重叠", "Overlaps stored answers"),
    "import.code.looks-corrected": ("像是已导入批次的更正版本", "Looks like a corrected version of a batch"),
    "import.code.repeated-row": ("完全相同的行", "Repeated row"),
    "import.code.same-key": ("同日同支部同类同主题", "Same date, branch, type and topic"),
    "field.response_id": ("答卷编号", "Response id"),
    "meaning.response_id": (
        "问卷平台给每份答卷的编号（可选）；有编号时，重新导出的同一答卷按编号识别",
        "The survey platform's id of each answer (optional); with it, an answer exported again is recognised",
    ),
    "skip.same-file": (
        "同一文件已于 {when} 导入（批次 {batch}），已跳过；如需重新导入请勾选“强制导入”（--force）",
        "The same file was imported on {when} (batch {batch}); skipped. Use force (--force) to import it again",
    ),
    "undo.done": (
        "已撤销批次 {batch}：删除 {rows} 行，恢复 {restored} 行",
        "Batch {batch} undone: {rows} rows removed, {restored} restored",
    ),
    "undo.blocked": (
        "不能撤销批次 {batch}：要恢复的记录与之后存储的记录冲突（{detail}）。请先撤销或更正之后的那次导入",
        "Cannot undo batch {batch}: a record it would put back collides with one stored since ({detail}). Undo or "
        "correct that later import first",
    ),
    "undo.unknown": ("没有批次 {batch}", "There is no batch {batch}"),
    "undo.not-permitted": (
        "批次 {batch} 是{kind}数据，您的角色无权撤销。",
        "Batch {batch} holds {kind}; your role may not undo it.",
    ),
    "undo.already": ("批次 {batch} 已于 {when} 撤销", "Batch {batch} was already undone on {when}"),
    "undo.replaced-later": (
        "不能撤销批次 {batch}：其中的记录已被批次 {later} 替换，请先撤销批次 {later}",
        "Cannot undo batch {batch}: its records were replaced by batch {later}; undo batch {later} first",
    ),
    "expect.years": ("{low}–{high} 年之间的日期", "a date between the years {low} and {high}"),
    "reason.xls": (
        "旧版 Excel (.xls) 文件：请在 Excel 中另存为 .xlsx 后再导入",
        "an old Excel (.xls) file: save it as .xlsx in Excel, then import",
    ),
    "undo.in-use": (
        "不能撤销批次 {batch}：仍有 {n} 条其他记录引用其中的{kind}，请先撤销那些批次",
        "Cannot undo batch {batch}: {n} other records still refer to its {kind}; undo those batches first",
    ),
    "template.notes": ("填写说明", "Notes"),
    "template.column": ("列名", "Column"),
    "template.required": ("必填", "Required"),
    "template.accepted": ("可用的列名", "Accepted headers"),
    "template.format": ("格式", "Format"),
    "template.yes": ("是", "yes"),
    "template.no": ("否", "no"),
    "template.text": ("文字", "text"),
    "template.persons": (
        "姓名，多人用顿号或逗号分隔；导入时假名化，不保存原文",
        "names, separated by commas; pseudonymised on import, never stored",
    ),
    "template.note": (
        "只导入第一个工作表“{sheet}”：第一行为表头，从第二行起每行填写一条记录。本页“示例”列仅供参考，不会被导入。"
        "文件也可为 CSV（UTF-8 或 GBK）。",
        "Only the first sheet, “{sheet}”, is imported: row 1 is the header, then one record per row. The examples "
        "on this sheet are for reference and are never imported. CSV files (UTF-8 or GBK) are accepted too.",
    ),
    "template.example": ("示例（不导入）", "Example (not imported)"),
    "template.lists": ("选项", "Lists"),
    "template.choices": (
        "带下拉箭头的列请从列表中选择。",
        "Columns with a drop-down arrow take a value from the list.",
    ),
    "template.unit.branch": ("党支部", "branches"),
    "template.unit.department": ("科室", "departments"),
    "template.ref.listed": (
        "“{column}”列的下拉列表为生成模板时数据库中已有的{unit}（{n} 个）。填写列表以外的{unit}时，须先（或同时）导入其名册。",
        "The drop-down of “{column}” lists the {unit} in the database when this template was made ({n}). "
        "Any other must be imported in its register first (or in the same upload).",
    ),
    "template.ref.unlisted": (
        "“{column}”列没有下拉列表（生成模板时数据库中没有{unit}名册）：请按已导入或同时导入的名册填写。",
        "“{column}” has no drop-down (the database held no {unit} when this template was made): "
        "fill it in as in the register imported before or with this file.",
    ),
    "template.invalid.title": ("无效的值", "Invalid value"),
    "template.invalid.choice": ("请从下拉列表中选择。", "Choose a value from the drop-down list."),
    "template.invalid.branch": (
        "不在已导入的党支部名册中。新的党支部须先（或同时）导入党支部名册。是否仍要填写？",
        "Not in the imported branch register. A new branch must be imported in the register too. Keep it?",
    ),
    "template.invalid.department": (
        "不在已导入的科室名册中。新的科室须先（或同时）导入科室名册。是否仍要填写？",
        "Not in the imported department register. A new department must be imported in the register too. Keep it?",
    ),
    "template.help": (
        "模板只有表头行，类别、是/否及支部、科室列带下拉列表；“填写说明”工作表说明各列并给出示例（示例不会被导入）。",
        "A header row with drop-down lists for categories, yes/no, branches and departments; the notes sheet "
        "explains each column with an example (never imported).",
    ),
    "cli.errors": ("{n} 个错误", "{n} error(s)"),
    "app.db_waiting": ("数据库正忙，等待中…", "The database is busy; waiting…"),
    "app.db_busy": (
        "数据库正被长时间写入（多为命令行导入或恢复备份），暂时无法显示。请稍后刷新本页。",
        "The database is being written for a long time (usually an import or a restore from the command line), "
        "so this page cannot be shown now. Refresh it in a little while.",
    ),
    "fault.disk-full": (
        "磁盘空间已满，数据库 {path} 无法写入：本次没有存储任何数据，已有数据不受影响。请腾出磁盘空间（或请信息科扩容）后重试。",
        "The disk is full, so the database {path} cannot be written: nothing was stored this time, and the data "
        "already there is unharmed. Free some disk space (or ask IT for more) and try again.",
    ),
    "fault.read-only": (
        "数据库 {path} 所在的位置只读，无法写入：本次没有存储任何数据。请把数据库放到可写的目录（--db 或环境变量 PBI_DB），"
        "或请管理员开放写权限。",
        "The database {path} is on a read-only disk or folder, so nothing was stored. Put it somewhere writable "
        "(--db or PBI_DB), or ask an administrator for write access.",
    ),
    "fault.locked": (
        "数据库 {path} 正被另一个程序写入（如导入、撤销、保存设置或恢复备份），等待超过了时限（读取等待 PBI_DB_WAIT 秒，默认 30；写入等待 PBI_DB_WRITE_WAIT 秒，默认 120）。"
        "本次没有改动任何数据；请稍后重试。",
        "The database {path} is being written by another program (an import, an undo, a setting saved or a "
        "restore) for longer than the wait (a read $PBI_DB_WAIT seconds, 30 by default; a write $PBI_DB_WRITE_WAIT, 120). Nothing was changed; try again "
        "in a little while.",
    ),
    "fault.other": (
        "处理数据库 {path} 时出现内部错误（{kind}），本次没有存储任何数据。请重试；如果再次出现，请把日志交给信息科。",
        "An internal error ({kind}) occurred with the database {path}; nothing was stored this time. Try again; if "
        "it happens again, give the log to IT.",
    ),
    "fault.page": (
        "本页出现内部错误（{kind}），没有显示完整。请刷新重试；如果再次出现，请把日志交给信息科。",
        "This page met an internal error ({kind}) and is not shown in full. Refresh to try again; if it happens "
        "again, give the log to IT.",
    ),
    "fault.logged": ("（详情已记入日志 {log}）", " (details are in the log {log})"),
    "err.storage": ("{detail}", "{detail}"),
    "err.key-missing": (
        "找不到假名化密钥文件 {path}：没有它，涉及人员无法得到与已存储记录一致的假名，本文件未导入。请从备份中恢复该密钥文件"
        "（它与数据库分开备份），或请管理员设置 PBI_KEY_FILE 指向它。",
        "The pseudonym key file {path} cannot be found: without it, persons cannot get the pseudonyms the stored "
        "records use, so this file was not imported. Restore the key file from its backup (it is backed up apart "
        "from the database), or ask an administrator to point PBI_KEY_FILE at it.",
    ),
    "cli.db_locked": (
        "数据库 {path} 正被另一个程序写入（如导入、撤销、保存设置或恢复备份），等待超过了时限（读取等待 PBI_DB_WAIT 秒，默认 30；写入等待 PBI_DB_WRITE_WAIT 秒，默认 120）。"
        "本次没有改动任何数据；请稍后重试。",
        "The database {path} is being written by another program (an import, an undo, a setting saved or a "
        "restore) for longer than the wait (a read $PBI_DB_WAIT seconds, 30 by default; a write $PBI_DB_WRITE_WAIT, 120). Nothing was changed; try again "
        "in a little while.",
    ),
    "cli.db_read_only": (
        "数据库 {path} 所在的位置只读，无法写入。请把数据库放到可写的目录（--db 或环境变量 PBI_DB），或请管理员开放写权限。",
        "The database {path} is on a read-only disk or folder. Put it somewhere writable (--db or PBI_DB), or ask "
        "an administrator for write access.",
    ),
    "cli.db_unopened": ("无法打开数据库 {path}：{detail}", "Cannot open the database {path}: {detail}"),
    # Backup and restore (analytics/backup.py)
    "backup.done": (
        "已备份 {database} → {backup}（结构版本 {version}，{tables} 张表，共 {rows:,} 行，{size}）。",
        "Backed up {database} → {backup} (schema version {version}, {tables} tables, {rows:,} rows, {size}).",
    ),
    "backup.holds_key": (
        "该数据库仍在内部保存假名化密钥，所以备份也含密钥：请像数据库本身一样妥善保管备份。",
        "This database still keeps its pseudonym key inside, so the backup holds it too: keep the backup as "
        "carefully as the database itself.",
    ),
    "backup.key_apart": (
        "假名化密钥不在备份中，而在密钥文件 {key_file}：请另行备份该文件（一次即可），并与数据库备份分开保存。",
        "The pseudonym key is not in the backup but in the key file {key_file}: back that file up separately (once is "
        "enough) and keep it apart from the database backups.",
    ),
    "backup.key_found": (
        "将使用密钥文件 {key_file}：它必须是被备份的那个数据库的密钥文件。",
        "It will use the key file {key_file}: that must be the key file of the database that was backed up.",
    ),
    "backup.key_missing": (
        "注意：找不到假名化密钥文件 {key_file}。导入纪检记录之前，请把原数据库的密钥文件（与备份分开保存的那份）复制为该文件。",
        "Note: there is no pseudonym key file {key_file}. Before importing discipline records, copy the original "
        "database's key file (kept apart from the backups) to that path.",
    ),
    "backup.restored": (
        "已用备份 {backup} 恢复数据库 {database}（备份时结构版本 {from_version}，现为 {version}）。",
        "Restored the database {database} from {backup} (schema version {from_version} when backed up, now {version}).",
    ),
    "backup.previous": (
        "被替换的数据库保留为 {previous}，确认无误后可删除。",
        "The database it replaced is kept as {previous}; delete it once you are sure.",
    ),
    "backup.busy": (
        "数据库 {path} 正忙：另一个程序正在写入它（如导入或恢复备份），等待 {wait} 秒后仍无法读取，未生成备份。请稍后重试（或用 --wait 等得更久）。",
        "The database {path} is busy: another program is writing it (an import or a restore, say), and it could "
        "not be read within {wait} seconds, so no backup was made. Try again later (or wait longer with --wait).",
    ),
    "backup.missing": (
        "数据库 {path} 不存在，没有可备份的内容。",
        "The database {path} does not exist; there is nothing to back up.",
    ),
    "backup.same_file": ("备份文件不能就是数据库本身：{path}", "The backup cannot be the database itself: {path}"),
    "backup.unreadable": (
        "无法读取 {path}：{detail}。未做任何更改。",
        "Cannot read {path}: {detail}. Nothing was changed.",
    ),
    "backup.unwritable": (
        "无法写入备份 {path}（{detail}）。请确认目录存在且可写、磁盘空间充足；数据库本身未受影响。",
        "Cannot write the backup {path} ({detail}). Check that the folder can be written and the disk has room; the "
        "database itself is unharmed.",
    ),
    "backup.mismatch": (
        "写入的备份 {path} 与数据库不一致（{what}），已作废。请重试；如果再次出现，请把此消息交给信息科。",
        "The backup written to {path} does not match the database ({what}) and was discarded. Try again; if it "
        "happens again, give this message to IT.",
    ),
    "backup.no_backup": ("备份文件 {path} 不存在。", "The backup file {path} does not exist."),
    "backup.backup_in_use": (
        "{path} 正被另一个程序使用，无法读取（它是正在使用的数据库，而不是备份吗？）。未做任何更改。",
        "{path} is in use by another program and cannot be read (is it a database in use rather than a backup?). "
        "Nothing was changed.",
    ),
    "backup.not_a_database": (
        "{path} 不是数据库文件，也就不是本系统的备份。未做任何更改。",
        "{path} is not a database file, so it is not a backup of this product. Nothing was changed.",
    ),
    "backup.not_ours": (
        "{path} 不是本系统（党建洞察）的数据库或备份。未做任何更改。",
        "{path} is not a database or backup of this product (Party Building Insight). Nothing was changed.",
    ),
    "backup.newer": (
        "备份 {path} 来自更新版本的本系统（结构版本 {version}，本程序最高支持 {latest}）。请先升级本程序再恢复。未做任何更改。",
        "The backup {path} comes from a newer version of this product (schema version {version}; this program "
        "knows up to {latest}). Upgrade the program first, then restore. Nothing was changed.",
    ),
    "backup.target_in_use": (
        "数据库 {path} 正被另一个程序使用，等待 {wait} 秒后仍未释放，不能覆盖。未做任何更改。请稍后重试（或用 --wait 等得更久）。",
        "The database {path} is in use by another program and was not let go within {wait} seconds, so it cannot "
        "be replaced. Nothing was changed. Try again later (or wait longer with --wait).",
    ),
    "backup.target_foreign": (
        "{path} 已存在，但不是本系统的数据库，恢复不会覆盖它。请换一个 --db 路径，或先移走该文件。",
        "{path} exists but is not a database of this product; restore will not overwrite it. Choose another --db "
        "path, or move that file away first.",
    ),
    "backup.restore_failed": (
        "无法恢复到 {path}（{detail}）。原数据库未改动；请确认目录可写、磁盘空间充足后重试。",
        "Could not restore to {path} ({detail}). The database there is unchanged; check that the folder can be "
        "written and the disk has room, then try again.",
    ),
    "cli.more_notes": ("另有 {n:,} 条行提示，用 --json 查看全部", "{n:,} more row notes; --json shows them all"),
    "cli.resolve.conflict": (
        "如果本文件是更正后的版本：加 --replace 重新导入，即可“{action}”（之后撤销该批次可恢复原值）。",
        "If this file is a corrected version: import it again with --replace to “{action}” (undoing that batch "
        "puts the old values back).",
    ),
    "cli.resolve.looks-corrected": (
        "如果本文件是更正版本：加 --replace（或 --replaces 批次号）重新导入，即可“{action}”；如果新行确实是另外的记录：加 --keep-repeats。",
        "If this file is a corrected version: import it again with --replace (or --replaces BATCH_ID) to “{action}”; "
        "if the new rows really are other records: use --keep-repeats.",
    ),
    "cli.resolve.overlapping-responses": (
        "如果本文件是覆盖这段时间的新导出：加 --replace 重新导入，即可“{action}”；如果是另一来源的答卷：加 --keep-repeats。",
        "If this file is a new export covering that time: import it again with --replace to “{action}”; if the "
        "answers come from another source: use --keep-repeats.",
    ),
    "cli.stored": ("已存入 {rows} 行，批次 {batch}", "{rows} rows stored, batch {batch}"),
    "cli.not_stored": ("未存储（其他文件有错误）", "not stored (another file has errors)"),
    "cli.row": ("第 {row} 行", "row {row}"),
    "cli.file": ("文件", "file"),
    "cli.nothing_stored": (
        "未存储任何数据：请修改上述错误后重新导入。",
        "Nothing was stored: fix the errors above and import again.",
    ),
    # The kinds of record
    "kind.branches.title": ("党支部", "Party branches"),
    "kind.branches.body": (
        "医院党委下设的党支部。支部可按科室设置，也可跨科室设置联合党支部。来源：党委办公室的支部名册。",
        "The party branches under the hospital's party committee, set up per department or as joint "
        "branches across departments. Source: the party office's branch register.",
    ),
    "kind.departments.title": ("科室", "Departments"),
    "kind.departments.body": (
        "医院科室及其所属党支部、类别（临床、医技、医辅、护理、职能、后勤、科研、教学）和职工人数。每个科室只属于一个党支部。",
        "The hospital's departments with their branch, category (clinical, medical-technical, medical support, "
        "nursing, administrative, logistics, research, teaching) and staff count. Each department belongs to one "
        "branch.",
    ),
    "kind.activities.title": ("党建活动", "Party-building activities"),
    "kind.activities.body": (
        "支部开展的“三会一课”、主题党日、志愿服务等活动，含日期、参加与应到人数、时长和“六提升”维度。来源：支部活动台账。",
        "Activities of each branch: 三会一课, theme party days, volunteer services and more, with date, "
        "attendance, expected attendance, hours and six-improvements dimension. Source: branch ledgers.",
    ),
    "kind.satisfaction.title": ("满意度", "Satisfaction"),
    "kind.satisfaction.body": (
        "门诊患者、住院患者和医务人员满意度（0–100 分）。两种粒度：逐条答卷（含各维度得分）和“科室×期间”汇总"
        "（含样本量，分析时按样本量加权）。来源：国家满意度调查平台及医院自有调查。",
        "Outpatient, inpatient and staff satisfaction on 0–100. Two grains: individual responses (with "
        "dimension items) and department × period aggregates with respondent counts (weighted by them in "
        "analysis). Source: the national survey platform and the hospital's own surveys.",
    ),
    "kind.discipline.title": ("纪检监察记录", "Discipline records"),
    "kind.discipline.body": (
        "“四种形态”处置、廉政谈话、信访举报、医德医风投诉、表扬信、拒收红包等记录，以及整改期限和完成情况。"
        "记录级数据敏感：记录明细仅纪委办公室和管理员可见，其他角色只看到件数、比率和不含人员的整改台账。",
        "Records of the four forms of supervision, integrity talks, petitions, ethics complaints, praise "
        "letters, refused red envelopes and more, with rectification deadline and completion. Record-level "
        "data is sensitive: record details are visible to the discipline office and administrators only; other "
        "roles see counts, rates and the overdue ledger without persons.",
    ),
    "enum.department_category": ("科室类别", "Department categories"),
    "enum.activity_type": ("活动类型", "Activity types"),
    "enum.six_improvement": ("“六提升”维度", "Six improvements (dimensions)"),
    "enum.activity_status": ("召开情况", "Held or not"),
    "enum.population": ("调查对象", "Survey populations"),
    "enum.satisfaction_item": ("满意度维度", "Satisfaction items"),
    "enum.discipline_category": ("纪检记录类别", "Discipline categories"),
    "enum.rectification_status": ("整改状态", "Rectification status"),
    # Fields, per kind
    "field.branch_code": ("支部编码", "Branch code"),
    "field.branch_name": ("支部名称", "Branch name"),
    "field.is_joint": ("是否联合党支部", "Joint branch"),
    "field.member_count": ("党员人数", "Party members"),
    "field.secretary_double_leader": ("书记是否“双带头人”", "Secretary is a double leader"),
    "field.department_code": ("科室编码", "Department code"),
    "field.department_name": ("科室名称", "Department name"),
    "field.category": ("科室类别", "Category"),
    "field.staff_count": ("职工人数", "Staff"),
    "field.activity_date": ("活动日期", "Date"),
    "field.activity_type": ("活动类型", "Activity type"),
    "field.topic": ("活动主题", "Topic"),
    "field.attended": ("参加人数", "Attended"),
    "field.expected": ("应到人数", "Expected"),
    "field.hours": ("时长（小时）", "Hours"),
    "field.dimension": ("“六提升”维度", "Six-improvements dimension"),
    "field.activity_status": ("召开情况", "Held?"),
    "field.source_id": ("编号（活动编号、案件编号）", "Source id (activity or case number)"),
    "field.submitted_at": ("提交时间", "Submitted at"),
    "field.population": ("调查对象", "Population"),
    "field.score": ("满意度得分（0–100）", "Score (0–100)"),
    "field.items": ("各维度得分", "Item scores"),
    "field.period": ("调查期间（月/季度/年）", "Period (month, quarter, year)"),
    "field.respondents": ("样本量", "Respondents"),
    "field.record_date": ("日期", "Date"),
    "field.discipline_category": ("类别", "Category"),
    "field.summary": ("摘要", "Summary"),
    "field.persons": ("涉及人员（假名化）", "Persons involved (pseudonymised)"),
    "field.status": ("整改状态", "Rectification status"),
    "field.deadline": ("整改期限", "Rectification deadline"),
    "field.completed": ("完成日期", "Completed on"),
    "field.name": ("名称", "Name"),
    # Field meanings
    "meaning.branch_code": ("支部唯一编码，如 DZB01", "Unique code, e.g. DZB01"),
    "meaning.branch_name": ("支部全称", "Full name"),
    "meaning.is_joint": ("跨多个科室设置的支部", "A branch spanning several departments"),
    "meaning.member_count": ("支部党员数，用于计算人均指标", "Members, the base of per-member metrics"),
    "meaning.secretary_double_leader": (
        "支部书记同时是业务或学术带头人",
        "The secretary is also a professional or academic leader",
    ),
    "meaning.department_code": ("科室唯一编码，如 D01", "Unique code, e.g. D01"),
    "meaning.department_name": ("科室全称", "Full name"),
    "meaning.category": (
        "见下方科室类别表（行政、管理等常见写法也接受）",
        "See the categories below (common spellings such as 行政 or 管理 are accepted too)",
    ),
    "meaning.staff_count": ("科室职工数，用于计算每百人比率", "Staff, the base of rates per 100 staff"),
    "meaning.dept_branch": ("科室所属党支部", "The branch the department belongs to"),
    "meaning.activity_date": ("活动举办日期", "Day the activity took place"),
    "meaning.act_branch": ("开展活动的支部", "The branch that held it"),
    "meaning.activity_type": ("见下方活动类型表", "See the activity types below"),
    "meaning.topic": ("活动主题", "Topic"),
    "meaning.attended": ("实际参加人数", "People who attended"),
    "meaning.expected": ("应参加人数，用于出勤率", "People expected, the base of the attendance rate"),
    "meaning.hours": ("活动时长，用于人均服务时长", "Duration, for service hours per member"),
    "meaning.dimension": ("活动主要提升的维度（可空）", "The dimension it mainly strengthens (optional)"),
    "meaning.activity_status": (
        "已召开、未召开或取消（可空：默认已召开；参加人数为 0 而应到人数大于 0 视为未召开）；只有已召开的活动计入",
        "Held, not held or cancelled (optional: held by default; 0 attendees of a positive expected number is not "
        "held); only held activities count",
    ),
    "meaning.activity_source_id": (
        "台账自己的活动编号（可空）；有编号时按编号识别，更正后重新导入不会重复计数",
        "The ledger's own activity number (optional); with one, a corrected ledger re-imported counts once",
    ),
    "meaning.submitted_at": ("答卷提交时间（逐条答卷）", "When the response was submitted (responses)"),
    "meaning.sat_department": ("被评价科室", "The department rated"),
    "meaning.population": ("门诊患者、住院患者或医务人员", "Outpatients, inpatients or medical staff"),
    "meaning.score": (
        "总体满意度，存为 0–100 分：1–5 分按 (x−1)×25、0–10 分按 x×10、1–10 分按 (x−1)×100/9、0–1 的比例按 x×100 换算",
        "Overall satisfaction, stored on 0–100: 1–5 as (x−1)×25, 0–10 as x×10, 1–10 as (x−1)×100/9, 0–1 "
        "proportions as x×100",
    ),
    "meaning.items": (
        "就医环境、医生沟通等维度（逐条答卷）",
        "Environment, doctor communication… (responses)",
    ),
    "meaning.period": ("汇总所属期间（科室汇总）", "The period an aggregate covers (aggregates)"),
    "meaning.respondents": ("汇总的受访人数，用作权重", "Respondents behind an aggregate, its weight"),
    "meaning.record_date": ("记录日期", "Date of the record"),
    "meaning.disc_department": ("涉及科室", "The department concerned"),
    "meaning.discipline_category": ("见下方纪检记录类别表", "See the discipline categories below"),
    "meaning.summary": ("事项摘要", "Short description"),
    "meaning.persons": ("姓名不落库，仅存不可逆假名", "Names are never stored, only keyed pseudonyms"),
    "meaning.status": ("无需整改、整改中或已整改", "No rectification, in progress or completed"),
    "meaning.deadline": ("整改应完成的日期；逾期为风险信号", "Due date; overdue is a risk signal"),
    "meaning.completed": ("整改实际完成日期", "Day the rectification was completed"),
    "meaning.case_source_id": (
        "台账自己的案件编号（可空）；有编号时按编号识别，更正后重新导入不会重复计数",
        "The ledger's own case number (optional); with one, a corrected ledger re-imported counts once",
    ),
    # Discipline page (纪检监察)
    "discipline.title": ("纪检监察", "Discipline inspection"),
    "discipline.caption": (
        "四种形态、信访投诉和整改情况，按所选期间、科室类别和党支部汇总。",
        "The four forms, petitions and complaints, and rectification, summed over the chosen periods, department "
        "category and party branch.",
    ),
    "discipline.empty": (
        "数据库中还没有纪检监察记录。导入纪检监察记录后，本页将显示四种形态、信访投诉和整改台账。",
        "The database holds no discipline records yet. Import the discipline ledger to see the four forms, "
        "complaints and the rectification ledger here.",
    ),
    "discipline.empty_scope": (
        "所选期间、科室类别和党支部内没有纪检监察数据，请调整左侧筛选。",
        "No discipline data in the chosen periods, category and branch; widen the filters on the left.",
    ),
    "discipline.privacy": (
        "本页只显示按科室汇总的数字和不含人员信息的整改台账。含人员（假名）的逐条记录目前不向任何用户显示，"
        "今后将仅向纪检监察室开放。",
        "This page shows counts per department and a rectification ledger without persons. Record-level rows "
        "with (pseudonymised) persons are not shown to anyone yet; later they will be open to the discipline "
        "office only.",
    ),
    "discipline.kpi.records": ("纪检监察记录", "Discipline records"),
    "discipline.kpi.forms": ("运用“四种形态”处理", "Handled by the four forms"),
    "discipline.kpi.form1": ("其中第一种形态", "Of which first form"),
    "discipline.kpi.filed": ("立案审查调查", "Cases placed on file (立案)"),
    "discipline.kpi.form2plus": ("第二至四种形态", "Forms 2–4"),
    "discipline.kpi.complaints": ("信访与投诉", "Complaints"),
    "discipline.kpi.overdue": ("逾期未整改", "Overdue now"),
    "discipline.kpi.overdue_help": (
        "截至 {as_of} 仍在整改中且已过期限的事项数，见下方整改台账。",
        "Rectifications still open past their deadline as of {as_of}; see the ledger below.",
    ),
    "discipline.form1_norm": (
        "**第一种形态成为常态。** 谈话提醒、批评教育、函询用得多，说明问题在萌芽时就得到处理，"
        "因此第一种形态在四种形态中占比高是预期的、健康的信号；第二至四种形态占比上升才需要关注。"
        "所选范围内第一种形态占四种形态的 **{share}**（{form1} / {forms} 人次）。",
        "**First form as the norm (第一种形态成为常态).** Frequent reminder talks, criticism and letters of "
        "inquiry mean problems are caught early, so a high share of the first form among the four forms is "
        "expected and healthy; a rising share of forms 2–4 is what needs attention. In the chosen scope the "
        "first form is **{share}** of the four forms ({form1} of {forms} person-times).",
    ),
    "discipline.form1_none": (
        "**第一种形态成为常态**：第一种形态在四种形态中占比高是预期的。所选范围内没有运用四种形态处理的记录。",
        "**First form as the norm**: a high share of the first form among the four forms is expected. Nobody "
        "was handled by the four forms in the chosen scope.",
    ),
    "discipline.by_category.title": ("各类记录（按期间）", "Records by category and period"),
    "discipline.by_category.help": (
        "点击图例可隐藏或显示某一类。",
        "Click a legend entry to hide or show a category.",
    ),
    "discipline.forms.title": ("运用“四种形态”处理人次（按期间）", "Four forms by period (person-times)"),
    "discipline.forms.help": (
        "第一种形态：批评教育、谈话函询；第二种：轻处分、组织调整；第三种：重处分、重大职务调整；第四种：严重违纪涉嫌违法、立案审查。",
        "First form: criticism, talks and letters of inquiry; second: light sanctions, organisational "
        "adjustment; third: heavy sanctions, major job changes; fourth: serious violations, case investigation.",
    ),
    "discipline.rect.title": ("整改情况", "Rectification status"),
    "discipline.rect.help": (
        "所选期间内产生的需整改事项，按记录日期归入期间；“逾期未完成”截至 {as_of}。填写了完成日期的按已整改计算；"
        "已整改但没有完成日期的单列，不计入按期或逾期完成。平均整改用时 {days} 天。",
        "Rectifications required by records of the chosen periods (by record date); overdue as of {as_of}. An item "
        "with a completion date counts as completed; one marked completed without a date is shown apart, neither "
        "on time nor late. Mean time to close: {days} days.",
    ),
    "discipline.rect.none": ("所选范围内没有需要整改的事项。", "No rectification was required in the chosen scope."),
    "discipline.departments.title": ("各科室情况", "By department"),
    "discipline.departments.help": (
        "所选期间合计；四种形态按人次计（每条记录所涉人员去重），立案审查调查按件计（第三、四种形态）；"
        "每百名职工记录数 = 四种形态及违反八项规定记录数 × 100 ÷ 职工数；平均整改用时 = 已完成整改的用时合计 ÷ 已完成项数。",
        "Totals over the chosen periods; the four forms in person-times (each record's distinct persons), cases "
        "placed on file (forms 3–4) in cases; records per 100 staff = four-forms and Eight-point records × 100 ÷ "
        "staff; mean days to close = days taken by the completed rectifications ÷ their number.",
    ),
    "discipline.ledger.title": ("整改台账：逾期未完成", "Rectification ledger: overdue items"),
    "discipline.ledger.caption": (
        "截至 {as_of} 仍在整改中且已过整改期限的事项，期限早的在前。按科室类别和党支部筛选，不受期间范围限制；不含人员信息。",
        "Items still being rectified past their deadline as of {as_of}, oldest deadline first. Filtered by "
        "department category and branch, not by the period range; no persons.",
    ),
    "discipline.ledger.none": ("截至 {as_of}，没有逾期未完成的整改。", "No rectification is overdue as of {as_of}."),
    "discipline.file.departments": ("纪检监察_各科室", "discipline_by_department"),
    "discipline.file.ledger": ("整改台账_逾期", "overdue_rectification_ledger"),
    "discipline.status.on_time": ("按期完成", "Completed on time"),
    "discipline.status.late": ("逾期完成", "Completed late"),
    "discipline.status.open": ("整改中（未到期）", "Open, not yet due"),
    "discipline.status.overdue": ("逾期未完成", "Overdue"),
    "discipline.status.undated": ("已整改（无完成日期）", "Completed, no date"),
    "chart.period": ("期间", "Period"),
    "chart.records": ("记录数（条）", "Records"),
    "chart.cases": ("人次", "Person-times"),
    "chart.category": ("类别", "Category"),
    "chart.items": ("事项数（项）", "Items"),
    "chart.score": ("得分（0–100）", "Score (0–100)"),
    "chart.respondents": ("受访人数", "Respondents"),
    "chart.series": ("指标", "Measure"),
    "col.department": ("科室", "Department"),
    "col.branch": ("党支部", "Party branch"),
    "col.category": ("科室类别", "Category"),
    "col.staff": ("职工数", "Staff"),
    "col.period": ("期间", "Period"),
    "col.records": ("记录数（条）", "Records"),
    "col.cases": ("四种形态及违反八项规定记录（条）", "Four-forms and Eight-point records"),
    "col.forms_persons": ("运用“四种形态”处理（人次）", "Four forms (person-times)"),
    "col.form1_persons": ("第一种形态（人次）", "First form (person-times)"),
    "col.filed": ("立案审查调查（件）", "Placed on file (cases)"),
    "col.form2plus": ("第二至四种形态记录（条）", "Forms 2–4 records"),
    "col.complaints": ("信访投诉（件）", "Complaints"),
    "col.cases_per_100": ("每百名职工记录数（条）", "Records per 100 staff"),
    "col.required": ("需整改", "Rectification required"),
    "col.on_time": ("按期完成", "On time"),
    "col.late": ("逾期完成", "Late"),
    "col.open": ("整改中未到期", "Open"),
    "col.overdue": ("逾期未完成", "Overdue"),
    "col.undated": ("已整改无完成日期", "Completed, no date"),
    "col.mean_days": ("平均整改天数", "Mean days to close"),
    "col.record_id": ("记录编号", "Record"),
    "col.source_id": ("案件编号", "Case id"),
    "col.persons": ("涉及人数", "Persons"),
    "col.pseudonyms": ("人员（化名）", "Persons (pseudonyms)"),
    "col.status": ("整改状态", "Rectification"),
    "col.completed": ("完成日期", "Completed"),
    "col.record_date": ("记录日期", "Date"),
    "col.discipline_category": ("记录类别", "Record category"),
    "col.summary": ("事项摘要", "Summary"),
    "col.deadline": ("整改期限", "Deadline"),
    "col.days_overdue": ("逾期天数", "Days overdue"),
    # Department profile (科室画像)
    "profile.title": ("科室画像", "Department profile"),
    "profile.caption": (
        "一个科室的全部数字：党建、满意度、纪检监察、风险预警和逾期整改。可把本页链接直接发给他人。",
        "Everything about one department: party building, satisfaction, discipline, warnings and overdue "
        "rectifications. The page's link opens the same department.",
    ),
    "profile.choose": ("科室", "Department"),
    "profile.placeholder": ("请选择科室", "Choose a department"),
    "profile.unknown": (
        "没有编号为“{code}”的科室，链接可能有误或该科室已从名册中删除。请在下方选择一个科室。",
        "There is no department with the code “{code}”: the link may be wrong or the department was removed "
        "from the register. Choose a department below.",
    ),
    "profile.empty": (
        "数据库中还没有科室名册。导入党支部和科室名册后即可查看科室画像。",
        "The database holds no department register yet. Import the branch and department registers to see "
        "department profiles.",
    ),
    "profile.no_panel": (
        "已有科室名册，但还没有党建活动、满意度或纪检监察数据。",
        "The department register is there, but no activities, satisfaction or discipline data yet.",
    ),
    "profile.fact.category": ("科室类别", "Category"),
    "profile.fact.staff": ("职工人数", "Staff"),
    "profile.fact.branch": ("所属党支部", "Party branch"),
    "profile.fact.members": ("支部党员", "Branch members"),
    "profile.joint": ("联合党支部（{n} 个科室）", "Joint branch ({n} departments)"),
    "profile.single": ("本科室单独设支部", "Branch of this department alone"),
    "profile.shared": ("党支部下设 {n} 个科室", "Branch of {n} departments"),
    "profile.party.components": (
        "各项得分（0–100）：低于 {amber} 分为红色，低于 {green} 分为黄色，其余为绿色；党建指数是这些得分的加权平均，权重见“设置”。",
        "Component scores (0–100): red below {amber}, amber below {green}, else green; the index is their "
        "weighted mean, with the weights set in Settings.",
    ),
    "profile.double_leader": ("支部书记为“双带头人”", "Branch secretary is a double leader (双带头人)"),
    "profile.not_double_leader": ("支部书记不是“双带头人”", "Branch secretary is not a double leader"),
    "profile.party.title": ("所在党支部的党建指数", "Party-building index of its branch"),
    "profile.party.caption": (
        "党建活动以党支部为单位开展，同一支部的科室共用这些数字。",
        "Party activities are a branch's work, so every department of a branch shares these figures.",
    ),
    "profile.party.card": ("党建指数（{period}）", "Party-building index ({period})"),
    "profile.party.none": ("所选期间没有党建活动数据。", "No party-building activity data in the chosen periods."),
    "profile.sat.title": ("满意度", "Satisfaction"),
    "profile.sat.caption": (
        "每期得分与受访人数；少于 {min_n} 人的期间不显示得分（折线在该处断开）。变化为与上一期相比，p 值来自显著性检验。",
        "Score and respondents per period; periods with fewer than {min_n} respondents show no score (the "
        "line breaks there). Changes are against the previous period, with the p-value of a significance test.",
    ),
    "profile.sat.none": (
        "所选期间没有该科室的满意度数据。",
        "No satisfaction data for this department in the chosen periods.",
    ),
    "profile.sat.card": ("{population}（{period}）", "{population} ({period})"),
    "profile.sat.n": ("{n} 人受访", "{n} respondents"),
    "profile.sat.change": ("较上期 {delta}（p {p}）", "{delta} vs previous period (p {p})"),
    "profile.sat.no_change": ("无上期可比数据", "No previous period to compare"),
    "profile.sat.file": ("满意度", "satisfaction"),
    "profile.dims.title": ("满意度分项得分（{period}）", "Satisfaction by dimension ({period})"),
    "profile.dims.none": (
        "所选期间没有分项数据（仅逐条答卷带分项）。",
        "No dimension scores in the chosen periods (only individual responses carry them).",
    ),
    "profile.dims.file": ("满意度分项", "satisfaction_dimensions"),
    "profile.disc.title": ("纪检监察", "Discipline"),
    "profile.disc.none": ("所选期间没有纪检监察数据。", "No discipline data in the chosen periods."),
    "profile.disc.file": ("纪检监察_按期间", "discipline_by_period"),
    "profile.warn.title": ("风险预警（{period}）", "Warnings ({period})"),
    "profile.warn.none": (
        "{period} 没有涉及本科室或其党支部的风险预警。",
        "No warning concerns this department or its branch in {period}.",
    ),
    "profile.warn.file": ("风险预警", "warnings"),
    "profile.ledger.title": ("逾期未完成的整改", "Overdue rectifications"),
    "profile.ledger.none": (
        "截至 {as_of}，本科室没有逾期未完成的整改。",
        "No rectification of this department is overdue as of {as_of}.",
    ),
    "profile.ledger.file": ("整改台账", "overdue_ledger"),
    "col.population": ("人群", "Population"),
    "col.score": ("得分", "Score"),
    "col.n": ("受访人数", "Respondents"),
    "col.delta": ("较上期", "Change"),
    "col.p": ("p 值", "p-value"),
    "col.item": ("分项", "Dimension"),
    "col.level": ("范围", "Level"),
    "col.rule": ("预警", "Warning"),
    "col.severity": ("等级", "Severity"),
    "col.explanation": ("说明", "Explanation"),
    "level.department": ("科室", "Department"),
    "level.branch": ("党支部", "Party branch"),
    # Overview page (总览): headline cards, trends, warnings, 党建体检
    "overview.now": (
        "卡片为 **{period}**（按{grain}统计）{scope}的数据，变化与上期 {previous} 相比。",
        "The cards show **{period}** (by {grain}) for {scope}; changes are against the previous period, {previous}.",
    ),
    "overview.now_first": (
        "卡片为 **{period}**（按{grain}统计）{scope}的数据；这是第一期，没有上期可比。",
        "The cards show **{period}** (by {grain}) for {scope}; it is the first period, with nothing to compare.",
    ),
    "overview.scope.hospital": ("全院", "the whole hospital"),
    "overview.scope.filtered": ("所选范围（{what}）", "the selection ({what})"),
    "overview.registers_only": (
        "数据库中只有党支部和科室名册，还没有党建活动、满意度或纪检监察记录。导入这些记录后，总览将显示党建指数、"
        "满意度、风险预警和党建体检。",
        "The database holds only the branch and department registers: no activities, satisfaction or discipline "
        "records yet. Import them to see the party-building index, satisfaction, warnings and the health check here.",
    ),
    "overview.no_departments": (
        "所选科室类别和党支部中没有科室，请调整左侧筛选。",
        "No department matches the chosen category and branch; change the filters on the left.",
    ),
    "overview.no_party": (
        "还没有党建活动数据：党建指数、三会一课完成率和党建体检需要支部活动台账。",
        "No party-building activities yet: the index, 三会一课 compliance and the health check need the branch "
        "activity ledgers.",
    ),
    "overview.card.compliance": ("三会一课完成率", "三会一课 compliance"),
    "overview.card.forms": ("运用“四种形态”处理", "Handled by the four forms"),
    "overview.card.form1": ("其中第一种形态", "Of which first form"),
    "overview.card.filed": ("立案审查调查", "Cases placed on file (立案)"),
    "overview.card.theme_day": ("主题党日完成率", "Theme party day compliance"),
    "overview.card.overdue": ("逾期整改", "Overdue rectifications"),
    "overview.card.vs": ("较 {previous}", "vs {previous}"),
    "overview.help.index": (
        "0–100 分：三会一课、主题党日、参会率、志愿服务、党建+、廉洁教育六项得分的加权平均（权重 {weights}，"
        "可在“设置”中修改），各党支部按党员人数加权；志愿服务、党建+、廉洁教育按年初至今对照按月折算的年度目标计分。"
        "上期 {previous}：{old} 分。",
        "0–100 points: the weighted mean of six scores (三会一课, theme party day, attendance, service hours, "
        "Party+, integrity education; weights {weights}, see Settings), branches weighted by their party "
        "members; service, Party+ and integrity are judged year to date against the pro-rated yearly target. "
        "{previous}: {old} points.",
    ),
    "overview.help.compliance": (
        "三会一课即支部党员大会、支委会、党小组会和党课（主题党日不在其内，单独统计）。本期要求召开的"
        "三会一课（{types}）实际次数 ÷ 要求次数（每类最高 100%）的平均值，各党支部按党员人数加权。"
        "上期 {previous}：{old}%。",
        "三会一课 is the branch general meeting, the committee meeting, the party group meeting and the party "
        "lecture (the theme party day is not one of them and is counted on its own). Meetings held ÷ required "
        "(capped at 100% per type), averaged over the 三会一课 types required this period ({types}), branches "
        "weighted by their party members. {previous}: {old}%.",
    ),
    "overview.help.satisfaction": (
        "本期 {n:,} 人受访（逐条答卷与科室汇总合计，按人数加权）。与上期 {previous}（{old}）相比 {delta} 分，"
        "{test} p {p}。",
        "{n:,} respondents this period (responses and department aggregates pooled, weighted by respondents). "
        "Change vs {previous} ({old}): {delta} points, {test} p {p}.",
    ),
    "overview.help.satisfaction_alone": (
        "本期 {n:,} 人受访（逐条答卷与科室汇总合计，按人数加权）。上期没有可比的数据。",
        "{n:,} respondents this period (responses and department aggregates pooled, weighted by respondents). "
        "No comparable figure for the previous period.",
    ),
    "overview.help.suppressed": (
        "本期受访人数少于 {min_n} 人：为保护受访者并避免不可靠的结论，不予显示（阈值可在“设置”中修改）。",
        "Fewer than {min_n} respondents this period: not shown, to protect respondents and avoid unreliable "
        "figures (the threshold is a setting).",
    ),
    "overview.help.no_data": ("本期没有这项数据。", "No data for this period."),
    "overview.help.forms": (
        "{start}–{end} 运用监督执纪“四种形态”处理的人次（每条记录按其所涉人员计，人员去重；未列人员的记录计 1 人次）："
        "第一种形态 {form1} 人次，第二种形态 {form2} 人次，第三种形态 {form3} 人次，第四种形态 {form4} 人次。"
        "第一种形态是日常监督（谈话提醒、批评教育、函询），不是案件。口径与“纪检监察”页相同。",
        "Person-times handled by the four forms of supervision (运用“四种形态”处理 人次), {start}–{end}: each record "
        "counts the distinct persons it names (one if it names none): first form {form1}, second {form2}, third "
        "{form3}, fourth {form4}. The first form is everyday supervision (talks, criticism, letters of inquiry), "
        "not a case. The same scope as the discipline page.",
    ),
    "overview.help.form1": (
        "{start}–{end} 第一种形态（批评教育、谈话函询）处理的人次，占四种形态的 {share}。",
        "Person-times handled by the first form (criticism, talks and letters of inquiry), {start}–{end}: {share} "
        "of the four forms.",
    ),
    "overview.help.filed": (
        "{start}–{end} 立案审查调查的案件数（件）：第三、四种形态的记录。记录中没有“立案”字段，"
        "因此立案的严重第二种形态问题无法区分，未计入。口径与“纪检监察”页相同。",
        "Cases placed on file for investigation (立案审查调查), {start}–{end}: records of forms 3 and 4. The "
        "records carry no 立案 flag, so a serious form-2 matter placed on file cannot be told apart and is not "
        "counted. The same scope as the discipline page.",
    ),
    "overview.discipline.caption": (
        "纪检监察：所选期间 {start}–{end} 合计（与“纪检监察”页口径相同）。",
        "Discipline: totals over the chosen periods {start}–{end} (the same scope as the discipline page).",
    ),
    "overview.help.theme_day": (
        "主题党日每月一次（可在“设置”中修改），单独计算，不计入三会一课：实际次数 ÷ 要求次数（最高 100%），"
        "各党支部按党员人数加权。上期 {previous}：{old}%。",
        "The theme party day (once a month by default, see Settings) is counted on its own, not inside 三会一课: "
        "held ÷ required (capped at 100%), branches weighted by their party members. {previous}: {old}%.",
    ),
    "overview.help.overdue": (
        "截至 {as_of} 已过整改期限仍未完成的事项（项），不论记录属于哪一期。",
        "Rectifications still open past their deadline as of {as_of}, whatever period their record is from.",
    ),
    "overview.test.welch": ("Welch t 检验", "Welch t-test"),
    "overview.test.z": ("z 检验", "z-test"),
    "overview.trend.title": ("趋势", "Trends"),
    "overview.trend.caption": (
        "{start} 至 {end}，{scope}。满意度曲线的缺口表示该期受访人数少于 {min_n} 人（不予显示）或没有数据；"
        "鼠标悬停可看到受访人数。",
        "{start} to {end}, {scope}. A gap in a satisfaction line is a period with fewer than {min_n} respondents "
        "(not shown) or no data; hover to see the respondents.",
    ),
    "overview.trend.party": ("党建指数与三会一课完成率", "Party-building index and 三会一课 compliance"),
    "overview.chart.party_index": ("党建指数", "Party-building index"),
    "overview.chart.meeting_compliance": ("三会一课完成率（%）", "三会一课 compliance (%)"),
    "overview.chart.members": ("党员", "Party members"),
    "overview.chart.period": ("期间", "Period"),
    "overview.chart.score": ("得分（0–100）", "Score (0–100)"),
    "overview.chart.branches": ("党支部", "Branches"),
    "overview.trend.satisfaction": ("满意度（按人群）", "Satisfaction by population"),
    "overview.trend.no_satisfaction": (
        "所选范围内没有可以显示的满意度得分：没有数据，或各期受访人数均少于 {min_n} 人。",
        "No satisfaction score to show in the chosen range: no data, or fewer than {min_n} respondents in every period.",
    ),
    "overview.warnings.title": ("风险预警（{period}）", "Warnings ({period})"),
    "overview.warnings.summary": (
        "共 {n} 条：高 {high} 条、中 {medium} 条。规则与阈值可在“设置”中修改。",
        "{n} in all: {high} high, {medium} medium. Rules and thresholds are settings.",
    ),
    "overview.warnings.none": (
        "{period} 没有触发任何风险预警。",
        "No warning was raised for {period}.",
    ),
    "overview.warnings.item": ("**{rule}**：{text}", "**{rule}**: {text}"),
    "overview.warnings.group": ("##### {icon} {severity}等级（{n} 条）", "##### {icon} {severity} ({n})"),
    "overview.warnings.open_department": ("科室画像", "Department"),
    "overview.warnings.open_branch": ("党支部详情", "Branch"),
    "overview.warnings.file": ("风险预警", "warnings"),
    "overview.scorecard.title": ("党建体检（{period}）", "Party-building health check ({period})"),
    "overview.scorecard.caption": (
        "各党支部每项得分（0–100 分）及其依据，按党建指数从低到高排列。志愿服务、党建+、廉洁教育是年度目标："
        "按年初至今的累计对照按月折算的目标评判（如年度 2 次，到二季度末应达 1 次），不按单季苛求。"
        "底色和符号：绿色 ● ≥ {green} 良好，黄色 ▲ {amber}–{green} 关注，红色 ■ < {amber} 预警（分界线可在“设置”中修改）。",
        "Each branch's score on each component (0–100 points) with the figure behind it, lowest index first. "
        "Service, Party+ and integrity education have yearly targets: they are judged on the year to date "
        "against the target pro-rated to the months elapsed (2 a year: 1 due by the end of Q2), not quarter by "
        "quarter. Green ● from {green}, amber ▲ from {amber}, red ■ below {amber} (the lines are settings).",
    ),
    "overview.scorecard.none": (
        "{period} 没有党建活动数据，无法体检。",
        "No party-building activities in {period}: nothing to check.",
    ),
    "overview.scorecard.file": ("党建体检", "health-check"),
    "overview.col.severity": ("等级", "Severity"),
    "overview.col.rule": ("预警", "Warning"),
    "overview.col.unit": ("单位", "Unit"),
    "overview.col.departments": ("涉及科室", "Departments"),
    "overview.col.explanation": ("说明", "Explanation"),
    "overview.col.branch": ("党支部", "Party branch"),
    "overview.col.members": ("党员", "Members"),
    "overview.col.index": ("党建指数", "Index"),
    "overview.col.rating": ("评级", "Rating"),
    "overview.col.score": ("{component}得分", "{component} score"),
    "overview.col.figure": (
        "{component}实际值（年度目标项为年初至今）",
        "{component} figure (year to date for yearly targets)",
    ),
    "overview.col.due": ("{component}年初至今应达", "{component} due year to date"),
    "overview.figure.percent": ("{value:.0f}%", "{value:.0f}%"),
    "overview.figure.hours": ("{value:.1f} 小时/人", "{value:.1f} h/member"),
    "overview.figure.count": ("{value:.0f} 次", "{value:.0f} held"),
    "overview.figure.ytd": ("年初至今 {figure} / 应达 {target}", "{figure} year to date / {target} due"),
    "overview.figure.ytd_hours": ("{value:.1f} 小时/人", "{value:.1f} h/member"),
    "overview.figure.ytd_count": ("{value:g} 次", "{value:g}"),
    "overview.figure.scored": ("{figure}（{score} 分）", "{figure} ({score})"),
    # About the data: what the database holds (moved from the Overview)
    "about.holdings.title": ("数据概况", "What the database holds"),
    "about.holdings.caption": (
        "数据库中现有的数据：各类记录的数量，以及每个季度有哪些数据。",
        "How many records of each kind, and which quarters each kind covers.",
    ),
    # Settings page (设置)
    "settings.title": ("设置", "Settings"),
    "settings.caption": (
        "党建指数、组织生活要求、满意度显示、党建体检和风险预警的计算规则。保存后所有页面按新设置重新计算。",
        "How the party-building index, meeting requirements, satisfaction display, health check and warnings are "
        "computed. After saving, every page recomputes with the new settings.",
    ),
    "settings.status.default": ("当前使用默认设置。", "The defaults are in use."),
    "settings.status.custom": ("与默认值不同的设置：{fields}", "Settings that differ from the defaults: {fields}"),
    "settings.default": ("（默认 {value}）", " (default {value})"),
    "settings.col.meeting": ("会议", "Meeting"),
    "settings.col.count": ("次数", "Times"),
    "settings.col.per": ("周期", "Per"),
    "settings.col.default": ("默认", "Default"),
    "settings.weights.title": ("党建指数权重", "Party-building index weights"),
    "settings.weights.caption": (
        "六项得分的相对权重（默认 35/10/20/15/10/10，合计 100），无需加总为 100：指数 = Σ(权重 × 得分) ÷ Σ权重；"
        "某项本期没有数据时不计入。权重为 0 的项不计入指数。每项 0–100，至少一项大于 0。",
        "Relative weights of the six scores (default 35/10/20/15/10/10, 100 in all); they need not add up to 100: "
        "index = Σ(weight × score) ÷ Σweights, "
        "leaving out a component without data. A weight of 0 leaves the component out. Each is 0 to 100, at "
        "least one above 0.",
    ),
    "settings.weight.help": (
        "“{component}”得分在党建指数中的相对权重。",
        "The relative weight of the “{component}” score in the index.",
    ),
    "settings.frequencies.title": ("组织生活最低频次", "Required meeting frequencies"),
    "settings.frequencies.caption": (
        "每类会议每月、每季度或每年至少召开的次数（依据《中国共产党支部工作条例（试行）》）；次数为 0 表示不作要求。"
        "三会一课完成率只计支部党员大会、支委会、党小组会、党课，且只考核要求周期不长于统计周期的会议，例如按月统计时不考核"
        "每季度、每年的会议；主题党日单独计算完成率。",
        "How many times each meeting must be held per month, quarter or year (Regulations on the Work of Party "
        "Branches); 0 means not required. 三会一课 compliance counts only its four meetings whose period fits in "
        "the chosen grain (by month, quarterly and yearly meetings are not assessed); the theme party day has "
        "its own compliance.",
    ),
    "settings.count": ("{meeting}：次数", "{meeting}: times"),
    "settings.per": ("每", "per"),
    "settings.frequency": ("每{per} {count} 次", "{count} per {per}"),
    "settings.count.help": (
        "每个周期至少召开的次数；0 表示不作要求。",
        "The minimum number held per period; 0 means not required.",
    ),
    "settings.per.month": ("月", "month"),
    "settings.every.month": ("每月", "per month"),
    "settings.every.quarter": ("每季度", "per quarter"),
    "settings.every.year": ("每年", "per year"),
    "settings.separator": ("；", "; "),
    "settings.per.quarter": ("季度", "quarter"),
    "settings.per.year": ("年", "year"),
    "settings.targets.title": ("年度目标", "Yearly targets"),
    "settings.targets.caption": (
        "达到目标得 100 分，未达到按比例得分；按月、季度统计时目标按比例折算。",
        "Reaching the target scores 100, less scores in proportion; the target is prorated by month or quarter.",
    ),
    "settings.satisfaction.title": ("满意度", "Satisfaction"),
    "settings.rag.title": ("党建体检分界线", "Health-check lines"),
    "settings.warnings.title": ("风险预警阈值", "Warning thresholds"),
    "settings.field.service_hours_per_member_year": ("人均志愿服务（小时/年）", "Service hours per member per year"),
    "settings.help.service_hours_per_member_year": (
        "志愿服务、义诊、健康科普的人均时长（小时 × 参加人数 ÷ 党员数）全年达到此值时“志愿服务”得 100 分；"
        "按年初至今对照按月折算的目标计分。",
        "The “service hours” score is 100 when hours × attendees of volunteer services, free clinics and health "
        "education per party member reach this in a year; judged year to date against the pro-rated target.",
    ),
    "settings.field.theme_plus_per_year": ("党建+（次/年）", "Party+ activities per year"),
    "settings.help.theme_plus_per_year": (
        "支部全年开展党建+项目和党员示范岗活动达到此次数时得 100 分（主题党日单独按频次计分，不计入此项）；"
        "按年初至今对照按月折算的目标计分。",
        "The score is 100 when a branch holds this many Party+ projects and demonstration-post activities a "
        "year (theme party days have their own component); judged year to date against the pro-rated target.",
    ),
    "settings.field.integrity_per_year": ("廉洁教育（次/年）", "Integrity education per year"),
    "settings.help.integrity_per_year": (
        "支部全年开展警示教育和廉政谈话达到此次数时得 100 分；按年初至今对照按月折算的目标计分（如 2 次/年，二季度末应达 1 次）。",
        "The score is 100 when a branch holds this many warning-education and integrity-talk activities a year; "
        "judged year to date against the pro-rated target (2 a year: 1 due by the end of Q2).",
    ),
    "settings.relations.title": ("关联分析", "Relations analysis"),
    "settings.relations.caption": (
        "样本少于下列数量时，关联分析不报告任何统计量，只说明数据不足。",
        "Below these sample sizes the relations analysis reports no statistic, only that data is insufficient.",
    ),
    "settings.field.relations_min_n": ("最少科室·期", "Minimum department-periods"),
    "settings.help.relations_min_n": (
        "可配对的科室·期（指标与满意度都有数据）少于此数时不计算关联。",
        "No association is computed on fewer department-periods with both the metric and satisfaction.",
    ),
    "settings.field.relations_min_departments": ("最少科室数", "Minimum departments"),
    "settings.help.relations_min_departments": (
        "参与的科室少于此数，或指标只在少于此数的科室内部有变化时，不计算关联。",
        "No association is computed with fewer departments, or when the metric varies within fewer departments.",
    ),
    "settings.field.suppression_min_n": ("最少受访人数", "Minimum respondents"),
    "settings.help.suppression_min_n": (
        "受访人数少于此值的科室或人群不显示满意度得分（只显示“人数不足，不予显示”），以保护受访者并避免不可靠的结论。"
        "默认 10，最低 5：少于 5 人的分组可能暴露个人的回答，因此不能再调低。",
        "A group with fewer respondents shows no satisfaction score (only “too few respondents”), protecting "
        "respondents and avoiding unreliable figures. Default 10, never below 5: a smaller group could reveal "
        "an individual's answers.",
    ),
    "settings.field.assumed_sd": ("假定标准差（分）", "Assumed SD (points)"),
    "settings.help.assumed_sd": (
        "只有科室汇总、没有逐条答卷时，满意度变化显著性检验所用的得分标准差。",
        "The score SD used to test a change in satisfaction when there are only aggregates and no individual "
        "responses.",
    ),
    "settings.field.green": ("“良好”分界线", "Green from"),
    "settings.help.green": ("得分不低于此值为绿色（良好）。", "A score at or above this is green."),
    "settings.field.amber": ("“关注”分界线", "Amber from"),
    "settings.help.amber": (
        "得分不低于此值（且低于“良好”线）为黄色（关注），低于此值为红色（预警）。",
        "A score at or above this (and below green) is amber; below it is red.",
    ),
    "settings.field.index_low": ("党建指数预警线", "Low index below"),
    "settings.help.index_low": (
        "党支部党建指数低于此值时预警；低 10 分以上为高等级。",
        "A branch's index below this raises a warning (high when 10+ points below).",
    ),
    "settings.field.index_drop": ("党建指数下降（分）", "Index drop (points)"),
    "settings.help.index_drop": (
        "党支部党建指数较上期下降不少于此值时预警。",
        "A branch's index falling by at least this vs the previous period raises a warning.",
    ),
    "settings.field.meetings_low": ("三会一课完成率预警线（%）", "三会一课 compliance below (%)"),
    "settings.help.meetings_low": (
        "三会一课完成率连续两期低于此值时预警。",
        "Compliance below this two periods running raises a warning.",
    ),
    "settings.field.satisfaction_drop": ("满意度下降（分）", "Satisfaction drop (points)"),
    "settings.help.satisfaction_drop": (
        "科室满意度较上期下降不少于此值且下降显著时预警；下降两倍于此值为高等级。",
        "A department's score falling by at least this, significantly, raises a warning (high at twice this).",
    ),
    "settings.field.alpha": ("显著性水平", "Significance level"),
    "settings.help.alpha": (
        "满意度下降经多重检验校正后的 q 值（本期全院所有科室×人群变化一并校正）小于此值才算显著。",
        "A fall in satisfaction counts as significant when its q-value, corrected for every department × "
        "population change tested in the period hospital-wide, is below this.",
    ),
    "settings.field.overdue_high_days": ("整改逾期高等级（天）", "Overdue is high after (days)"),
    "settings.help.overdue_high_days": (
        "整改逾期达到此天数时为高等级预警。",
        "An overdue rectification this many days late raises a high warning.",
    ),
    "settings.field.weight": ("{component}权重", "{component} weight"),
    "settings.limits.title": ("导入限制", "Import limits"),
    "settings.limits.caption": (
        "上传的文件超过下列任一限制时不读取、不存储，并说明超过了哪项限制，以免过大的文件（或“压缩炸弹”）耗尽服务器内存。"
        "每项都有上限：按本系统实测在约 1 GB 内存内能导入的文件确定（行数、列数为 Excel 工作表的最大值）。",
        "A file over any of these limits is neither read nor stored, and the message names the limit it is over, so "
        "that an oversized file (or a “zip bomb”) cannot exhaust the server's memory. Each has a maximum: what this "
        "system was measured to import within about 1 GB of memory (for rows and columns, an Excel sheet's own).",
    ),
    "settings.field.max_text_rows": ("CSV 文件最多行数", "Most lines in a CSV file"),
    "settings.help.max_text_rows": (
        "CSV 或文本文件的行数（含表头和空行）超过此数时不读取。880 万行（302 MB）的文件导入时约占 1.5 GB 内存。",
        "A CSV or text file with more lines (header and blank lines included) is not read. A file of 8.8 million "
        "lines (302 MB) takes about 1.5 GB of memory to import.",
    ),
    "settings.field.max_columns": ("最多列数", "Most columns"),
    "settings.help.max_columns": (
        "表头（或工作表中最宽的一行）的列数超过此数时不读取；最多 16,384，即 Excel 工作表的最大列数。",
        "A table whose header (or a sheet's widest row) has more columns is not read; at most 16,384, the most "
        "an Excel sheet has.",
    ),
    "settings.field.max_sheet_rows": ("工作表最多行数", "Most rows in a sheet"),
    "settings.help.max_sheet_rows": (
        "Excel 工作表的行数（含表头）超过此数时不读取；最多 1,048,576，即 Excel 工作表的最大行数。",
        "An Excel sheet with more rows (header included) is not read; at most 1,048,576, the most an Excel sheet has.",
    ),
    "settings.field.max_sheet_cells": ("工作簿最多单元格数", "Most cells in a workbook"),
    "settings.help.max_sheet_cells": (
        "Excel 工作簿各工作表的单元格合计超过此数时不读取；按行数 × 列数计（空单元格也计入）的表格大小也不得超过此数。",
        "An Excel workbook whose sheets hold more cells in all is not read; nor one whose tables span more cells "
        "counted as rows × columns (empty cells included).",
    ),
    "settings.field.max_unpacked_mb": ("工作簿解压后最大（MB）", "Largest workbook unpacked (MB)"),
    "settings.help.max_unpacked_mb": (
        "Excel 文件（.xlsx 是一个压缩包）解压后大于此数时不读取。",
        "An Excel file (an .xlsx is a zip archive) that unpacks to more is not read.",
    ),
    "settings.field.max_text_mb": ("工作簿文字最多（MB）", "Most text in a workbook (MB)"),
    "settings.help.max_text_mb": (
        "Excel 工作簿中的文字（共享文本表与各单元格合计，同一文字被多个单元格引用时每次都计入）多于此数时不读取："
        "这些文字在导入时都要放在内存中。一百万行、二十列的满意度答卷约 90 MB。",
        "An Excel workbook holding more text (its shared-text table and every cell's, a text counted in every cell "
        "that refers to it) is not read: all of it is held in memory while importing. A million satisfaction "
        "answers of twenty columns hold about 90 MB.",
    ),
    "settings.field.max_packing_ratio": ("最大压缩比（倍）", "Highest packing ratio (times)"),
    "settings.help.max_packing_ratio": (
        "工作簿中大于 16 MB 的部分，解压后与压缩时的大小之比超过此数时不读取：Excel 保存的工作表通常为 5–20 倍，"
        "“压缩炸弹”可达上千倍。",
        "A part of a workbook larger than 16 MB that unpacks to more than this many times its packed size is not "
        "read: sheets Excel saves pack 5–20 times, a “zip bomb” a thousand times or more.",
    ),
    "settings.save": ("保存设置", "Save settings"),
    "settings.reset": ("恢复默认设置", "Restore defaults"),
    "settings.reset.help": (
        "删除已保存的设置，所有页面按默认设置重新计算。",
        "Delete the saved settings; every page recomputes with the defaults.",
    ),
    "settings.saved_done": (
        "设置已保存，所有页面将按新设置重新计算。",
        "Settings saved; every page recomputes with them.",
    ),
    "settings.unchanged": ("设置没有变化，无需保存。", "Nothing changed; nothing to save."),
    "settings.reset_done": ("已恢复默认设置。", "The defaults are restored."),
    "settings.reset.confirm_text": (
        "确定将全部设置（指标、导入限制、登录与安全）恢复为默认值吗？各页面的指数与预警将按默认值重新计算，此操作记入审计日志。",
        "Restore every setting (metrics, import limits, sign-in rules) to its default? Every page's index and "
        "warnings will be recomputed with the defaults; the change is recorded in the audit trail.",
    ),
    "settings.reset.confirm": ("确定恢复默认", "Yes, restore the defaults"),
    "settings.reset.cancel": ("取消", "Cancel"),
    "settings.security.title": ("登录与安全", "Sign-in rules"),
    "settings.security.caption": (
        "无操作多久后自动退出；同一用户名或同一客户端连续登录失败多少次后暂停登录，以及暂停多久。",
        "How long without activity before a session is signed out; how many failed sign-ins under one user name "
        "or from one client pause signing in, and for how long.",
    ),
    "settings.field.idle_minutes": ("无操作自动退出（分钟）", "Idle sign-out (minutes)"),
    "settings.help.idle_minutes": (
        "已登录的页面在这段时间内无任何操作时自动退出，需重新登录。",
        "A signed-in session with no activity for this long is signed out and must sign in again.",
    ),
    "settings.field.failures": ("同一用户名失败次数上限", "Failures per user name"),
    "settings.help.failures": (
        "同一用户名在锁定时长内连续登录失败达到此次数后，该用户名暂停登录（无论该账号是否存在）。",
        "After this many failed sign-ins under one user name within the lockout time, that name is paused "
        "(whether or not the account exists).",
    ),
    "settings.field.lockout_minutes": ("锁定时长（分钟）", "Lockout (minutes)"),
    "settings.help.lockout_minutes": (
        "统计失败次数的时间窗口，也是暂停登录的时长；管理员可随时解除锁定。",
        "The window in which failures are counted, and how long signing in stays paused; an administrator can "
        "end a lockout at any time.",
    ),
    "settings.field.client_failures": ("同一客户端失败次数上限", "Failures per client"),
    "settings.help.client_failures": (
        "同一台电脑（客户端地址）在锁定时长内登录失败达到此次数后，该客户端暂停登录。",
        "After this many failed sign-ins from one client address within the lockout time, that client is paused.",
    ),
    "settings.invalid": ("设置未保存，请修改以下问题：", "The settings were not saved. Please fix:"),
    "settings.error.amber_above_green": (
        "“关注”分界线（{amber}）不能高于“良好”分界线（{green}）。",
        "The amber line ({amber}) must not be above the green line ({green}).",
    ),
    "settings.error.weights": (
        "权重不能为负数，且至少有一项大于 0。",
        "Weights must not be negative, and at least one must be above 0.",
    ),
    "settings.error.greater_than": ("{field}：须大于 {limit}。", "{field}: must be greater than {limit}."),
    "settings.error.greater_than_equal": ("{field}：须不小于 {limit}。", "{field}: must be at least {limit}."),
    "settings.error.less_than": ("{field}：须小于 {limit}。", "{field}: must be less than {limit}."),
    "settings.error.less_than_equal": ("{field}：须不大于 {limit}。", "{field}: must be at most {limit}."),
    "settings.error.other": ("{field}：{message}", "{field}: {message}"),
    "settings.error.finite_number": ("{field}：须为有限的数值。", "{field}: must be a finite number."),
    "settings.error.not_a_number": ("{field}：须为数值。", "{field}: must be a number."),
    "settings.error.not_an_integer": ("{field}：须为整数。", "{field}: must be a whole number."),
    "settings.error.unknown": ("{field}：不是可识别的设置项。", "{field}: not a known setting."),
    "settings.range": ("允许范围 {low}–{high}。", "Allowed: {low} to {high}."),
    "settings.adjusted": (
        "数据库中保存的设置有超出允许范围或无法识别的值（可能由旧版本保存），各页面改按以下值计算：{changes}。"
        "请检查后点击“保存设置”，此提示即消失。",
        "The settings stored in the database hold values outside the allowed ranges or not understood (perhaps "
        "saved by an older version); every page uses these values instead: {changes}. Check them and press "
        "“Save settings” to make this notice go away.",
    ),
    "settings.adjusted.item": ("{field} {stored} → {used}", "{field} {stored} → {used}"),
    "settings.adjusted.dropped": ("{field}（已忽略）", "{field} (ignored)"),
    "settings.adjusted.missing": ("（缺失）", "(missing)"),
    "settings.adjusted.all": (
        "保存的设置无法读取，已改用全部默认设置",
        "the stored settings could not be read: all defaults",
    ),
    "sidebar.settings_adjusted": (
        "保存的设置中有超出允许范围的值，已按调整后的值计算，详见设置页。",
        "Some stored settings were outside the allowed ranges; adjusted values are used (see Settings).",
    ),
    # Party page (党建)
    "party.title": ("党建", "Party building"),
    "party.index_caption": (
        "**党建指数（0–100 分）** 是六项得分的加权平均：{weights}（缺少数据的一项不计入）。三会一课得分 = 支部党员大会、"
        "支委会、党小组会、党课四类会议 min(实开 ÷ 应开, 1) 的平均；主题党日不属三会一课，单独按 min(实开 ÷ 应开, 1) 计分；"
        "参会率 = 组织生活会议（三会一课、主题党日、组织生活会）的实到 ÷ 应到；志愿服务（人均服务时长）、党建+、廉洁教育"
        "是年度目标（每名党员 {service} 小时、{theme} 次、{integrity} 次），按年初至今累计对照按月折算的目标计分"
        "（如年度 2 次，二季度末应达 1 次），封顶 100。"
        "{green} 分及以上为良好，{amber} 分及以上为关注，低于 {amber} 分为预警。全院和多支部的数字按党员人数加权。",
        "**The party-building index (0–100 points)** is the weighted mean of six component scores: {weights} (a "
        "component without data drops out). 三会一课 scores the mean of min(held ÷ required, 1) over its four "
        "meetings (branch general meeting, committee, party group, party lecture); the theme party day is not one "
        "of them and scores min(held ÷ required, 1) on its own; attendance = attended ÷ expected at "
        "organisational-life meetings (三会一课, theme party days, organisational life meetings); service hours "
        "per member, Party+ and integrity education have yearly targets ({service} hours per member, {theme} and "
        "{integrity} activities), judged year to date against the target pro-rated to the months elapsed (2 a "
        "year: 1 due by the end of Q2), capped at 100. Green from {green}, amber from {amber}, red below {amber}. "
        "Hospital and multi-branch figures weight branches by their party members.",
    ),
    "party.settings_link": (
        "调整权重、会议频次与目标（设置）",
        "Change weights, meeting frequencies and targets (Settings)",
    ),
    "party.no_register": (
        "还没有党支部和科室名册。请先导入党支部名册和科室名册，再导入党建活动台账。",
        "There is no branch and department register yet. Import the party branches and departments first, "
        "then the party-building activities.",
    ),
    "party.no_activities": (
        "已有 {branches} 个党支部、{departments} 个科室的名册，但还没有党建活动记录。导入党建活动台账后，"
        "本页将显示党建指数、三会一课完成情况和六提升分布。",
        "The register holds {branches} branches and {departments} departments, but there are no party-building "
        "activities yet. Import the activity ledger to see the index, 三会一课 compliance and the six "
        "improvements here.",
    ),
    "party.none_in_range": (
        "所选期间、科室类别和党支部内没有党建活动数据，请调整左侧筛选。",
        "No party-building activity data in the chosen periods, category and branch; widen the filters on the left.",
    ),
    "party.kpi.index": ("党建指数（{period}）", "Index ({period})"),
    "party.kpi.compliance": ("三会一课完成率", "三会一课 compliance"),
    "party.kpi.attendance": ("参会率", "Attendance rate"),
    "party.kpi.service": ("人均服务时长", "Service h/member"),
    "party.kpi.red": ("预警支部", "Branches in red"),
    "party.kpi.red_value": ("{red} / {total} 个", "{red} of {total} branches"),
    "party.kpi.compliance_help": (
        "三会一课：支部党员大会、支委会、党小组会、党课；主题党日不在其内，单独统计。",
        "三会一课: branch general meeting, committee meeting, party group meeting, party lecture; the theme party "
        "day is not one of them and is counted on its own.",
    ),
    "party.meetings.definition": (
        "三会一课完成率只计支部党员大会、支委会、党小组会和党课四类；主题党日（每月一次）单独计算完成率并作为党建指数的"
        "单独一项；组织生活会、民主评议党员按年评估。下图列出本期要求的全部会议。",
        "三会一课 compliance counts only the branch general meeting, committee meeting, party group meeting and "
        "party lecture; the theme party day (monthly) has its own compliance and its own index component; the "
        "organisational life meeting and democratic appraisal are assessed per year. The charts list every "
        "meeting required this period.",
    ),
    "party.six.help": (
        "“六提升”工作法（中日友好医院党委）：提升领导力（把方向、管大局，政治领导）、向心力（思想引领）、"
        "战斗力（组织建设）、凝聚力（作风：以患者为中心、医院文化、关爱职工）、执行力（纪律）、内驱力（制度建设）。",
        "The “six improvements” (六提升) working method of the China-Japan Friendship Hospital's party committee: "
        "leadership (political leadership), centripetal force (ideological leadership), combat effectiveness "
        "(organisation), cohesion (work style: patients first, hospital culture, care for staff), execution "
        "(discipline) and internal drive (institutions).",
    ),
    "party.six.explained": (
        "六提升：领导力（政治领导）· 向心力（思想引领）· 战斗力（组织建设）· 凝聚力（作风建设）· 执行力（纪律建设）· "
        "内驱力（制度建设）。每项活动可在台账中标注其中一项。",
        "Six improvements (六提升): leadership (political) · centripetal force (ideological) · combat effectiveness "
        "(organisation) · cohesion (work style) · execution (discipline) · internal drive (institutions). An "
        "activity may be tagged with one in the ledger.",
    ),
    "party.kpi.help": (
        "{scope}，按党员人数加权；箭头为与上期（{previous}）相比的变化。",
        "{scope}, weighted by party members; the arrow shows the change vs the previous period ({previous}).",
    ),
    "party.kpi.scope_all": ("全院", "The whole hospital"),
    "party.kpi.scope_filtered": ("所选党支部", "The chosen branches"),
    "party.kpi.hours": ("{value} 小时", "{value} h"),
    "party.bars.title": ("各党支部党建指数（{period}）", "Party-building index by branch ({period})"),
    "party.bars.caption": (
        "从高到低排列；绿色为良好（≥{green}），橙色为关注（≥{amber}），红色为预警。虚线为两条分界线。",
        "Highest first; green from {green}, amber from {amber}, red below. The dashed lines mark the bands.",
    ),
    "party.trend.title": ("党建指数及各项得分趋势", "The index and its components over time"),
    "party.trend.unit": ("查看", "Show"),
    "party.trend.hospital": ("全院（所选范围）", "Hospital (chosen scope)"),
    "party.trend.caption": (
        "粗线为党建指数，虚线为六项得分（0–100 分）。",
        "The thick line is the index, the dotted lines its six component scores (0–100 points).",
    ),
    "party.heatmap.title": ("各党支部党建指数（按期间）", "Index by branch and period"),
    "party.components.title": (
        "党建体检：各支部分项得分（{period}）",
        "Health check: component scores by branch ({period})",
    ),
    "party.components.caption": (
        "每项先给出 0–100 分的得分，后面一列是它的依据；志愿服务、党建+、廉洁教育的依据为年初至今的累计，"
        "对照按月折算的年度目标计分。评级按党建指数。",
        "Each component shows its 0–100 score, then the figure behind it; for service, Party+ and integrity "
        "education that is the year-to-date total, scored against the pro-rated yearly target. The rating is the "
        "index's.",
    ),
    "party.col.branch": ("党支部", "Party branch"),
    "party.col.department": ("科室", "Department"),
    "party.col.category": ("科室类别", "Category"),
    "party.col.members": ("党员数", "Members"),
    "party.col.index": ("党建指数", "Index"),
    "party.col.rating": ("评级", "Rating"),
    "party.col.delta": ("较上期", "Change"),
    "party.col.score": ("{component}得分", "{component} score"),
    "party.col.meeting_type": ("会议类型", "Meeting type"),
    "party.col.held": ("实开（次）", "Held"),
    "party.col.required": ("应开（次）", "Required"),
    "party.col.compliance": ("完成率（%）", "Compliance (%)"),
    "party.col.dimension": ("六提升维度", "Dimension"),
    "party.col.activities": ("活动数（次）", "Activities"),
    "party.meetings.title": ("三会一课：各类会议完成情况", "三会一课 by meeting type"),
    "party.meetings.assessed": (
        "按{grain}统计时考核：{assessed}。完成率 = min(实开 ÷ 应开, 1)，全院为各支部按党员人数加权的平均。",
        "Assessed per {grain}: {assessed}. Compliance = min(held ÷ required, 1); the hospital's is the "
        "member-weighted mean of its branches'.",
    ),
    "party.meetings.requirement": ("{type}（每期应开 {n} 次）", "{type} ({n} required per period)"),
    "party.meetings.not_assessed": (
        "{types}的要求周期长于一个{grain}（例如每季度一次的会议不按月考核），请选择更长的统计周期查看。",
        "{types}: required less often than once per {grain} (a quarterly meeting is not assessed per month); "
        "choose a longer period to see them.",
    ),
    "party.meetings.none": (
        "当前设置下没有需要考核的会议类型。",
        "No meeting type is assessed under the current settings.",
    ),
    "party.meetings.trend": ("全院各类会议完成率（按期间）", "Hospital compliance by meeting type and period"),
    "party.meetings.branches": (
        "各支部各类会议（{period}，格内为实开/应开）",
        "Branches by meeting type ({period}; held/required in each cell)",
    ),
    "party.meetings.detail": ("查看明细表", "Show the table"),
    "party.six.title": ("六提升：活动分布", "Six improvements (六提升): activities by dimension"),
    "party.six.by": ("查看方式", "View"),
    "party.six.by_branch": ("按党支部", "By branch"),
    "party.six.by_period": ("按期间", "Over time"),
    "party.six.caption": (
        "所选期间内标注了六提升维度的活动次数（领导力、向心力、战斗力、凝聚力、执行力、内驱力）；未标注维度的活动不计入。",
        "Activities in the chosen periods tagged with one of the six dimensions (leadership, centripetal force, "
        "combat effectiveness, cohesion, execution, internal drive); untagged activities are not counted.",
    ),
    "party.six.none": (
        "所选范围内没有标注六提升维度的活动。",
        "No activity in the chosen scope is tagged with a dimension.",
    ),
    "party.departments.title": (
        "各科室所在党支部的党建指数（{period}）",
        "Departments with their branch's index ({period})",
    ),
    "party.departments.caption": (
        "党建活动以党支部为单位开展，同一支部的科室指数相同。从低到高排列。",
        "Party activities are a branch's work, so the departments of one branch share its index. Lowest first.",
    ),
    "party.file.components": ("党建体检_各支部", "party_health_check_by_branch"),
    "party.file.meetings": ("三会一课_各支部", "meetings_by_branch"),
    "party.file.six": ("六提升_活动", "six_improvements"),
    "party.file.departments": ("党建指数_各科室", "party_index_by_department"),
    "party.chart.period": ("期间", "Period"),
    "party.chart.score": ("得分（0–100）", "Score (0–100)"),
    "party.chart.series": ("指标", "Measure"),
    "party.chart.compliance": ("完成率（%）", "Compliance (%)"),
    "party.chart.activities": ("活动数（次）", "Activities"),
    "party.chart.index": ("党建指数", "Index"),
    "party.chart.members": ("党员数", "Members"),
    # Satisfaction page (满意度)
    "sat.title": ("满意度", "Satisfaction"),
    "sat.caption": (
        "门诊患者、住院患者和医务人员满意度（0–100）。同一科室、期间和调查对象只计最细的一种数据（逐条答卷优先，"
        "其次月度、季度、年度汇总），**按受访人数加权**"
        "（一行汇总数据按其受访人数计）。受访人数少于 **{min_n}** 人的科室、支部或期间不显示得分"
        "（“人数不足，不予显示”），既避免人数太少时结论不可靠，也保护受访者；阈值可在“设置”页调整。"
        "变化的 p 值来自显著性检验（两期都是逐条答卷时用 Welch t 检验，有汇总数据时用 z 检验）："
        "**p < 0.05 表示这一变化不太可能仅由偶然因素造成**。",
        "Outpatient, inpatient and staff satisfaction (0–100). Each department, period and population counts its "
        "finest data only (individual responses, then monthly, quarterly and yearly aggregates), **weighted by "
        "respondents** (an aggregate row counts as its number of respondents). "
        "Departments, branches or periods with fewer than **{min_n}** respondents show no score (“Too few "
        "respondents to show”): such scores are unreliable and could identify people; the threshold is a "
        "setting. Changes carry the p-value of a significance test (Welch's t-test when both periods are "
        "individual responses, a z-test when aggregates are involved): **p < 0.05 means the change is "
        "unlikely to be chance alone**.",
    ),
    "sat.settings_link": ("调整人数阈值（设置）", "Change the threshold (Settings)"),
    "sat.uncounted": (
        "数据库中有 {n:,} 行科室汇总数据未计入（{by_responses:,} 行已有逐条答卷，{by_aggregates:,} 行已有更短期间的汇总）："
        "同一科室、期间和调查对象只计最细的一种数据，其余保留但不相加。规则见“关于数据”页。",
        "{n:,} department aggregate rows in the database are not counted ({by_responses:,} beside individual "
        "responses, {by_aggregates:,} beside aggregates of a shorter period): each department, period and population "
        "counts only its finest data; the others stay stored but are not added. The rule is on the About the data "
        "page.",
    ),
    "sat.no_register": (
        "还没有科室名册。请先导入党支部和科室名册，再导入满意度数据。",
        "There is no department register yet. Import the party branches and departments first, then the "
        "satisfaction data.",
    ),
    "sat.no_data": (
        "已有 {departments} 个科室的名册，但还没有满意度数据。请导入逐条答卷（如微信问卷导出）或科室汇总"
        "（如国家满意度调查平台的科室得分与受访人数）。",
        "The register holds {departments} departments, but there is no satisfaction data yet. Import individual "
        "responses (e.g. a survey export) or department aggregates (e.g. scores and respondents from the "
        "national survey platform).",
    ),
    "sat.none_in_range": (
        "所选期间、科室类别和党支部内没有满意度数据，请调整左侧筛选。",
        "No satisfaction data in the chosen periods, category and branch; widen the filters on the left.",
    ),
    "sat.kpi.label": ("{population}（{period}）", "{population} ({period})"),
    "sat.kpi.help": ("受访 {n} 人；{change}", "{n} respondents; {change}"),
    "sat.kpi.change": ("较上期 {delta}，p {p}（{test}）", "{delta} vs the previous period, p {p} ({test})"),
    "sat.kpi.no_change": ("无上期可比数据", "no previous period to compare"),
    "sat.trend.title": ("满意度趋势", "Satisfaction over time"),
    "sat.trend.caption": (
        "{scope}，按受访人数加权；鼠标悬停可见受访人数。人数不足或没有数据的期间不画点。",
        "{scope}, weighted by respondents; hover for the number of respondents. Periods with too few or no "
        "respondents have no point.",
    ),
    "sat.population": ("人群", "Population"),
    "sat.scope_all": ("全院", "The whole hospital"),
    "sat.scope_filtered": ("所选科室", "The chosen departments"),
    "sat.departments.title": ("各科室{population}满意度（{period}）", "{population}: departments ({period})"),
    "sat.departments.caption": (
        "较上期：与 {previous} 相比；较去年同期：与 {year_before} 相比。只列出本期有受访者的科室，得分从高到低。",
        "Change: vs {previous}; year on year: vs {year_before}. Only departments with respondents this period, "
        "highest score first.",
    ),
    "sat.col.department": ("科室", "Department"),
    "sat.col.branch": ("党支部", "Party branch"),
    "sat.col.category": ("科室类别", "Category"),
    "sat.col.item": ("分项", "Dimension"),
    "sat.col.score": ("得分", "Score"),
    "sat.col.n": ("受访人数", "Respondents"),
    "sat.col.delta": ("较上期", "Change"),
    "sat.col.p": ("p 值", "p-value"),
    "sat.col.test": ("检验方法", "Test"),
    "sat.tests.detail": ("检验方法明细", "Which test gave each p"),
    "sat.tests.caption": (
        "上表的 p 值来自以下检验：两期都是逐条答卷时用 Welch t 检验，涉及科室汇总时用 z 检验。下载的表格也含这两列。",
        "The p values above come from these tests: Welch's t-test when both periods are individual responses, a "
        "z-test when department aggregates are involved. The downloads carry these columns too.",
    ),
    "sat.col.yoy": ("较去年同期", "Change year on year"),
    "sat.col.p_yoy": ("p 值（同比）", "p-value (year on year)"),
    "sat.col.test_yoy": ("检验方法（同比）", "Test (year on year)"),
    "sat.test.welch": ("Welch t 检验", "Welch t-test"),
    "sat.test.z": ("z 检验", "z-test"),
    "sat.dims.title": ("{population}分项得分（{period}）", "{population}: scores by dimension ({period})"),
    "sat.dims.caption": (
        "分项来自逐条答卷（科室汇总数据没有分项）。{scope}的分项均值按各科室答卷数加权；答卷少于 {min_n} 份的科室不显示。",
        "Dimensions come from individual responses (aggregates have none). The {scope} means weight each "
        "department's by its responses; departments with fewer than {min_n} responses show no score.",
    ),
    "sat.dims.none": (
        "所选期间该人群没有分项数据（只有逐条答卷带分项）。",
        "No dimension scores for this population in the chosen period (only individual responses carry them).",
    ),
    "sat.dims.scope_all": ("全院", "hospital"),
    "sat.dims.scope_filtered": ("所选范围", "chosen scope"),
    "sat.dims.table": ("各科室分项得分", "Dimension scores by department"),
    "sat.branches.title": ("各党支部{population}满意度（{period}）", "{population}: party branches ({period})"),
    "sat.branches.caption": (
        "支部得分为其所属科室的受访者合并计算。人数不足的支部不画柱。",
        "A branch's score pools the respondents of its departments. Branches with too few respondents have no bar.",
    ),
    "sat.chart.period": ("期间", "Period"),
    "sat.chart.score": ("满意度得分（0–100）", "Satisfaction score (0–100)"),
    "sat.chart.respondents": ("受访人数", "Respondents"),
    "sat.chart.responses": ("答卷数", "Responses"),
    "sat.file.departments": ("满意度_各科室", "satisfaction_by_department"),
    "sat.file.dims": ("满意度分项_各科室", "satisfaction_dimensions_by_department"),
    "sat.file.branches": ("满意度_各支部", "satisfaction_by_branch"),
    # Relations analysis (关联分析)
    "relations.metric.party_index": ("党建指数", "party-building index"),
    "relations.metric.meeting_compliance": ("三会一课完成率", "三会一课 compliance"),
    "relations.metric.attendance_rate": ("参会率", "attendance"),
    "relations.metric.service_hours_per_member": ("人均服务时长", "service hours per member"),
    "relations.metric.theme_plus_activities": ("党建+活动", "Party+ activities"),
    "relations.metric.integrity_activities": ("廉洁教育活动", "integrity-education activities"),
    "relations.metric.discipline_cases": ("四种形态及违反八项规定记录", "four-forms and Eight-point records"),
    "relations.metric.discipline_form2plus": ("第二至四种形态记录", "form 2–4 records"),
    "relations.metric.rectification_overdue": ("逾期整改", "overdue rectifications"),
    "relations.outcome.outpatient": ("门诊患者满意度", "outpatient satisfaction"),
    "relations.outcome.inpatient": ("住院患者满意度", "inpatient satisfaction"),
    "relations.outcome.staff": ("医务人员满意度", "staff satisfaction"),
    "relations.grain.month": ("月", "month"),
    "relations.grain.quarter": ("季度", "quarter"),
    "relations.grain.year": ("年", "year"),
    "relations.lag.0": ("同期", "in the same {grain}"),
    "relations.lag.1": ("下一{grain}", "the next {grain}"),
    "relations.lag.2": ("{lag} 个{grain}之后", "{lag} {grain}s later"),
    "relations.branches": ("{n} 个党支部、", "{n} branches, "),
    "relations.q": ("，多重比较校正后 q {q}", "; q {q} after correcting for the many pairs tested"),
    "relations.finding.positive": (
        "同一科室{metric}每提高 {step}，{lag}的{outcome}平均高 {effect} 分（95% 置信区间 {lo} 至 {hi}；p {p}{q}；科室内比较；{branches}{departments} 个科室、{n} 个科室·期）。",
        "Departments whose {metric} rose by {step} saw {outcome} {effect} points higher {lag} (95% CI {lo} to "
        "{hi}; p {p}{q}; within-department; {branches}{departments} departments, {n} department-periods).",
    ),
    "relations.finding.negative": (
        "同一科室{metric}每提高 {step}，{lag}的{outcome}平均低 {effect} 分（95% 置信区间 {lo} 至 {hi}；p {p}{q}；科室内比较；{branches}{departments} 个科室、{n} 个科室·期）。",
        "Departments whose {metric} rose by {step} saw {outcome} {effect} points lower {lag} (95% CI {lo} to "
        "{hi}; p {p}{q}; within-department; {branches}{departments} departments, {n} department-periods).",
    ),
    "relations.finding.null": (
        "未发现{metric}与{lag}的{outcome}之间有可靠的科室内关联（每提高 {step}，估计 {lo} 至 {hi} 分；p {p}{q}；{branches}{departments} 个科室、{n} 个科室·期）。没有发现关联不等于证明没有关联。",
        "No reliable within-department association between {metric} and {outcome} {lag} (per {step}: {lo} "
        "to {hi} points; p {p}{q}; {branches}{departments} departments, {n} department-periods). Not finding an "
        "association does not prove there is none.",
    ),
    "relations.finding.not_enough_data": (
        "数据不足：{metric}与{outcome}只有 {n} 个科室·期、{departments} 个科室可配对，未达到最低样本要求，不报告统计量。",
        "Not enough data: {metric} and {outcome} pair up in only {n} department-periods across {departments} "
        "departments, below the minimum sample, so no statistic is reported.",
    ),
    "relations.finding.few_clusters": (
        "数据不足：{metric}是党支部的指标，这些科室只属于不到 {minimum} 个党支部，按党支部计的样本未达到最低要求，不报告统计量。",
        "Not enough data: {metric} is a branch figure, and these departments belong to fewer than {minimum} "
        "branches, below the minimum sample counted in branches, so no statistic is reported.",
    ),
    "relations.finding.no_variation": (
        "{metric}或{outcome}在这些科室·期中没有变化，无法计算关联。",
        "{metric} or {outcome} does not vary across these department-periods, so no association can be computed.",
    ),
    "relations.finding.lag_beyond_data": (
        "数据只覆盖较少的期数，模型最多同时纳入滞后 {maxlag} 期；{metric}与{outcome}在这一滞后期不报告统计量。",
        "The data span too few periods: the model holds at most {maxlag} lags together, so no statistic is "
        "reported for {metric} and {outcome} at this lag.",
    ),
    "relations.finding.no_within_variation": (
        "{metric}只在少于 {minimum} 个科室内部有变化，科室内比较不可靠，不报告统计量。",
        "{metric} varies within fewer than {minimum} departments, too few for a reliable within-department "
        "comparison, so no statistic is reported.",
    ),
    "nav.relations": ("关联分析", "Relations"),
    "relations.title": ("关联分析", "Relations"),
    "relations.caption": (
        "党建与纪检指标和门诊、住院、职工满意度有何关联、把握有多大：效应大小及其 95% 置信区间、滞后期、科室内比较（排除科室之间固有差异）、多重比较校正。统计关联不等于因果。",
        "How party-building and discipline metrics go with outpatient, inpatient and staff satisfaction, and how "
        "sure we are: effect sizes with 95% confidence intervals, lags, within-department comparisons (fixed "
        "differences between departments removed), correction for testing many pairs. An association is not "
        "proof of cause.",
    ),
    "relations.no_data": (
        "还没有可分析的满意度数据（科室 {departments} 个）。请导入满意度和党建活动数据。",
        "There is no satisfaction data to relate yet ({departments} departments registered). Import "
        "satisfaction and activity files.",
    ),
    "relations.pick.metric": ("指标", "Metric"),
    "relations.pick.outcome": ("满意度", "Outcome"),
    "relations.pick.lag": ("滞后期", "Lag"),
    "relations.pick.level": ("分析单位", "Unit"),
    "relations.pick.weighted": ("按受访人数加权", "Weight by respondents"),
    "relations.help.weighted": (
        "回归中受访人数多的科室·期权重更大（加权最小二乘）；相关系数不加权。",
        "Department-periods with more respondents count more in the regression (weighted least squares); the "
        "correlations are unweighted.",
    ),
    "relations.level.department": ("科室", "Department"),
    "relations.level.branch": ("党支部", "Party branch"),
    "relations.lag_option": ("滞后 {lag} 个{grain}", "{lag} {grain}(s) later"),
    "relations.help.metric": (
        "党建指数及其各组成部分，以及纪检指标。",
        "The party-building index and its components, and the discipline figures.",
    ),
    "relations.help.lag": (
        "指标在第 t−滞后期，满意度在第 t 期：例如滞后 1 个季度，即看本季度的党建工作与下季度满意度的关系。",
        "The metric in period t − lag, satisfaction in period t: lag 1 quarter relates this quarter's party "
        "work to next quarter's satisfaction.",
    ),
    "relations.help.level": (
        "以科室或党支部为单位；党支部的满意度按受访人数加权汇总。",
        "Departments or party branches as units; a branch's satisfaction is weighted by respondents.",
    ),
    "relations.finding.title": ("结论", "Finding"),
    "relations.finding.how": (
        "依据一个分布滞后模型：满意度同时对本期及前 {maxlag} 期的指标回归，控制科室和期间（科室内比较），各滞后期的效应是扣除其他滞后期之后的；党建指标是党支部的指标，按党支部聚类，纪检指标按科室聚类；聚类少于 30 个时，p 值和 95% 置信区间来自野聚类自助法（零假设下重抽，{draws} 次）。本页共检验 {tests} 组指标 × 满意度 × 滞后期，q 值为 Benjamini–Hochberg 多重比较校正后的结果，q < 0.05 才算可靠。",
        "One distributed-lag model: satisfaction on the metric in the same period and the {maxlag} before, all "
        "together, with department and period effects (a within-department comparison), so each lag's effect is "
        "net of the others. Party metrics are branch figures and are clustered by branch, discipline figures by "
        "department; with fewer than 30 clusters, p and the 95% CI come from the wild cluster bootstrap (null "
        "imposed, {draws} draws). This page tests {tests} metric × outcome × lag pairs, and q is the "
        "Benjamini–Hochberg corrected p: only q < 0.05 counts as reliable.",
    ),
    "relations.survivors.title": ("校正后仍成立的发现", "Findings that survive correction"),
    "relations.survivors.none": (
        "在检验的 {tests} 组中，没有一组在多重比较校正后仍成立（q < 0.05）。没有发现关联不等于证明没有关联。",
        "Of the {tests} pairs tested, none survives the correction for testing many (q < 0.05). Not finding an "
        "association does not prove there is none.",
    ),
    "relations.survivors.caption": (
        "{found} 项（共检验 {tests} 组），最强的在前；下方图表默认显示第一项。",
        "{found} of the {tests} pairs tested, strongest first; the charts below open on the first.",
    ),
    "relations.survivors.related": (
        "党建指数由三会一课、参会率、志愿服务等组成部分合成，这些指标来自同一批活动记录，彼此相关：对同一满意度、同一滞后期的多项发现不是相互独立的证据。",
        "The party-building index is made of 三会一课, attendance, service and other components built from the "
        "same activity records, so they move together: several findings for the same outcome and lag are not "
        "independent evidence.",
    ),
    "relations.scatter.title": ("科室内偏离散点与模型效应", "Within-department deviations with the model's effect"),
    "relations.scatter.caption": (
        "每点为一个科室·期（共 {n} 个）：横轴为该滞后期的指标、纵轴为满意度，均已扣除本科室平均、本期平均和其他滞后期的影响；红线的斜率就是上方结论中的效应，阴影为其 95% 置信区间。悬停可见指标的原始数值。",
        "Each point is one department-period ({n} in all): the metric at this lag across, satisfaction up, both "
        "with the department's mean, the period's mean and the other lags taken out; the red line's slope is the "
        "effect in the finding above, the shading its 95% CI. Hover for the metric as recorded.",
    ),
    "relations.scatter.no_line": (
        "这一组未报告统计量（见上方说明），不作图。",
        "No statistic is reported for this pair (see above), so nothing is drawn.",
    ),
    "relations.scatter.x": ("{metric}{earlier}（科室内偏离）", "{metric}{earlier} (within-department deviation)"),
    "relations.scatter.y": ("{outcome}（科室内偏离，分）", "{outcome} (within-department deviation, points)"),
    "relations.scatter.raw": ("指标原始值", "Metric as recorded"),
    "relations.scatter.empty": ("可配对的科室·期太少，无法作图。", "Too few department-periods pair up to draw."),
    "relations.lags.title": ("各滞后期的科室内效应", "Within-department effect by lag"),
    "relations.lags.caption": (
        "指标每提高 {step} 时满意度的变化（分），竖线为 95% 置信区间；各滞后期来自同一个分布滞后模型（同时纳入 0–{maxlag} 期），跨过 0 的区间表示无法排除没有关联。",
        "Change in satisfaction (points) per {step} of the metric, with 95% confidence intervals; every lag comes "
        "from one distributed-lag model (lags 0–{maxlag} together); an interval crossing 0 cannot rule out no "
        "association.",
    ),
    "relations.lags.empty": ("各滞后期的数据都不足。", "Not enough data at any lag."),
    "relations.heatmap.title": ("全部指标 × 满意度（滞后 {lag} 期）", "Every metric × outcome (lag {lag})"),
    "relations.heatmap.caption": (
        "颜色与数字为科室内效应：指标每提高一个步长（党建指数、完成率、参会率 10，其余 1）时满意度变化的分数，与上方结论、★ 出自同一估计；★ 表示多重比较校正后仍成立（q < 0.05）；“—”表示不报告统计量。",
        "Colour and number: the within-department effect, in satisfaction points per step of the metric (10 for "
        "the index, compliance and attendance, 1 for the others), the same estimate as the finding and the ★; ★ "
        "marks an effect that survives the correction (q < 0.05); “—” means no statistic is reported.",
    ),
    "relations.heatmap.colorbar": ("效应（分）", "Effect (points)"),
    "relations.table.title": ("回归结果（各滞后期）", "Regression results by lag"),
    "relations.table.file": ("关联分析_回归结果", "relations_regression"),
    "relations.all.title": ("全部结果", "All results"),
    "relations.all.caption": (
        "{n} 组（指标 × 满意度 × 滞后期）的全部统计量与结论，可下载。",
        "Every statistic and finding of the {n} pairs (metric × outcome × lag), for download.",
    ),
    "relations.all.file": ("关联分析_全部结果", "relations_all"),
    "relations.all.metric": ("指标", "Metric"),
    "relations.all.outcome": ("满意度", "Outcome"),
    "relations.all.lag": ("滞后期", "Lag"),
    "relations.all.n": ("科室·期", "Dept-periods"),
    "relations.all.n_departments": ("科室数", "Departments"),
    "relations.all.pearson_r": ("相关系数 r（描述性）", "Pearson r (descriptive)"),
    "relations.all.spearman_rho": ("Spearman ρ（描述性）", "Spearman rho (descriptive)"),
    "relations.all.n_clusters": ("聚类数", "Clusters"),
    "relations.all.cluster_level": ("聚类层级", "Clustered by"),
    "relations.all.inference": ("推断方法", "Inference"),
    "relations.all.significant": ("校正后成立", "Survives correction"),
    "relations.all.fe_coef": ("科室内效应", "Within effect"),
    "relations.all.fe_se": ("标准误", "SE"),
    "relations.all.fe_ci_low": ("效应置信下限", "Effect CI low"),
    "relations.all.fe_ci_high": ("效应置信上限", "Effect CI high"),
    "relations.all.fe_p": ("效应 p 值", "Effect p-value"),
    "relations.all.q": ("q 值", "q"),
    "relations.all.reason": ("说明", "Note"),
    "relations.all.finding": ("结论", "Finding"),
    "relations.col.lag": ("滞后期", "Lag"),
    "relations.col.n": ("科室·期", "Dept-periods"),
    "relations.col.departments": ("科室数", "Departments"),
    "relations.col.r": ("相关系数 r", "r"),
    "relations.col.clusters": ("聚类数", "Clusters"),
    "relations.col.effect": ("每步长效应（分）", "Effect per step (points)"),
    "relations.col.effect_ci": ("效应 95% 置信区间", "95% CI of the effect"),
    "relations.col.inference": ("推断方法", "Inference"),
    "relations.details": (
        "统计细节（方法、标准误、p 值、描述性相关）",
        "Statistical details (methods, SE, p, descriptive correlations)",
    ),
    "relations.inference.wild_bootstrap": ("野聚类自助法", "Wild cluster bootstrap"),
    "relations.inference.cluster_t": ("聚类稳健 t", "Cluster-robust t"),
    "relations.col.rho": ("Spearman ρ", "Spearman ρ"),
    "relations.col.coef": ("科室内效应", "Within effect"),
    "relations.col.coef_ci": ("效应 95% 置信区间", "95% CI of effect"),
    "relations.col.se": ("标准误", "SE"),
    "relations.col.p": ("p 值", "p"),
    "relations.col.q": ("q 值", "q"),
    "relations.col.note": ("说明", "Note"),
    "relations.reason.not_enough_data": ("数据不足", "Not enough data"),
    "relations.reason.no_variation": ("没有变化", "No variation"),
    "relations.reason.no_within_variation": ("科室内变化太少", "Too little within-department variation"),
    "relations.reason.few_clusters": ("党支部太少", "Too few branches"),
    "relations.reason.lag_beyond_data": ("超出数据跨度", "Beyond the data's span"),
    "relations.help.r": (
        "Pearson 相关系数（描述性）：该滞后期的指标与满意度在全部科室·期中一起升降的程度，−1 至 1；不含科室内比较，也不给 p 值（科室·期彼此并不独立）。",
        "Pearson's r (descriptive): how far the metric at this lag and satisfaction rise and fall together over "
        "all department-periods, −1 to 1; not a within-department comparison, and given without a p-value "
        "(department-periods are not independent).",
    ),
    "relations.help.rho": (
        "Spearman 等级相关：只看排序，对极端值不敏感。",
        "Spearman's rank correlation: uses only the order, so outliers matter less.",
    ),
    "relations.help.coef": (
        "同一科室内指标每提高 1 个单位时，满意度平均变化多少分（已控制科室和期间）。",
        "How many points satisfaction moves when the metric rises by one unit within the same department "
        "(department and period effects removed).",
    ),
    "relations.help.effect": (
        "同一科室内指标每提高一个步长（党建指数、完成率、参会率 10，其余 1）时，满意度平均变化多少分（已控制科室、期间和其他滞后期）。",
        "How many points satisfaction moves when the metric rises by one step (10 for the index, compliance and "
        "attendance, 1 for the others) within the same department (department, period and the other lags removed).",
    ),
    "relations.help.se": (
        "效应估计的不确定程度（党建指标按党支部、纪检指标按科室聚类）。",
        "How uncertain the effect is (clustered by branch for party metrics, by department for discipline ones).",
    ),
    "relations.help.p": (
        "如果实际上没有关联，得到至少这样强结果的概率（聚类少于 30 个时来自野聚类自助法）；单独看的 p 值，结论以校正后的 q 为准。",
        "The chance of a result at least this strong if there were no association (from the wild cluster "
        "bootstrap below 30 clusters); a p on its own: the finding follows the corrected q.",
    ),
    "relations.help.q": (
        "同时检验多组时校正后的 p 值（Benjamini–Hochberg），控制误报比例。",
        "The p-value corrected for testing many pairs at once (Benjamini–Hochberg), keeping false alarms in check.",
    ),
    "relations.chart.band": ("95% 置信带", "95% band"),
    "relations.chart.fit": ("拟合线", "Fitted line"),
    "relations.chart.units": ("党支部", "Branches"),
    "relations.chart.lag": ("滞后期", "Lag"),
    "relations.chart.effect": ("每 {step} 单位的效应（分）", "Effect per {step} (points)"),
    "relations.chart.earlier": ("（{lag} 个{grain}前）", " ({lag} {grain}(s) earlier)"),
    "relations.caveat": (
        "这是统计关联，不能证明因果。",
        " This is an association, not proof of cause.",
    ),
    # Metrics: the index components and the panel's figures
    "component.compliance": ("三会一课", "三会一课 compliance"),
    "component.theme_day": ("主题党日", "Theme party day"),
    "component.attendance": ("参会率", "Attendance"),
    "component.service": ("志愿服务", "Service hours"),
    "component.theme_plus": ("党建+", "Party+"),
    "component.integrity": ("廉洁教育", "Integrity education"),
    "metric.party_index": ("党建指数", "Party-building index"),
    "metric.meeting_compliance": ("三会一课完成率（%）", "三会一课 compliance (%)"),
    "metric.attendance_rate": ("参会率（%）", "Attendance rate (%)"),
    "metric.service_hours_per_member": ("人均服务时长（小时）", "Service hours per member"),
    "metric.theme_plus_activities": ("党建+活动（次）", "Party+ activities"),
    "metric.integrity_activities": ("廉洁教育活动（次）", "Integrity-education activities"),
    "metric.theme_day_compliance": ("主题党日完成率（%）", "Theme party day compliance (%)"),
    "metric.ytd_service_hours_per_member": ("年初至今人均服务时长（小时）", "Service hours per member, year to date"),
    "metric.ytd_theme_plus_activities": ("年初至今党建+活动（次）", "Party+ activities, year to date"),
    "metric.ytd_integrity_activities": ("年初至今廉洁教育活动（次）", "Integrity-education activities, year to date"),
    "metric.discipline_forms_persons": ("运用“四种形态”处理（人次）", "Handled by the four forms (person-times)"),
    "metric.discipline_filed": ("立案审查调查（件）", "Cases placed on file (立案)"),
    "unit.points": ("{value} 分", "{value} pts"),
    "unit.pp": ("{value} 个百分点", "{value} pp"),
    "unit.person_times": ("{value} 人次", "{value} person-times"),
    "unit.cases": ("{value} 件", "{value} cases"),
    "unit.items": ("{value} 项", "{value} items"),
    "unit.records": ("{value} 条", "{value} records"),
    "unit.hours": ("{value} 小时", "{value} h"),
    "unit.branches": ("{value} 个", "{value} branches"),
    "metric.satisfaction_outpatient": ("门诊患者满意度", "Outpatient satisfaction"),
    "metric.satisfaction_inpatient": ("住院患者满意度", "Inpatient satisfaction"),
    "metric.satisfaction_staff": ("医务人员满意度", "Staff satisfaction"),
    "metric.n_outpatient": ("门诊受访人数", "Outpatient respondents"),
    "metric.n_inpatient": ("住院受访人数", "Inpatient respondents"),
    "metric.n_staff": ("医务人员受访人数", "Staff respondents"),
    "metric.discipline_records": ("纪检监察记录（条）", "Discipline records"),
    "metric.discipline_cases": ("四种形态及违反八项规定记录（条）", "Four-forms and Eight-point records"),
    "discipline.help.cases": (
        "四种形态及违反八项规定记录（条）：逐条计数，第一种形态的谈话函询也在其内，不是“执纪案件”",
        "Records of the four forms and Eight-point violations, counted per record (first-form talks included: "
        "not “cases”)",
    ),
    "metric.discipline_form2plus": ("第二至四种形态记录（条）", "Forms 2–4 records"),
    "metric.discipline_complaints": ("信访与投诉（件）", "Petitions and complaints"),
    "metric.cases_per_100_staff": ("每百名职工四种形态及违反八项规定记录数（条）", "Such records per 100 staff"),
    "metric.rectification_required": ("需整改（项）", "Rectifications required"),
    "metric.rectification_on_time": ("按期整改（项）", "Completed on time"),
    "metric.rectification_late": ("逾期完成（项）", "Completed late"),
    "metric.rectification_open": ("整改中未到期（项）", "Open, not yet due"),
    "metric.rectification_overdue": ("逾期未整改（项）", "Overdue"),
    "metric.days_to_close": ("平均整改用时（天）", "Mean days to close"),
    "metric.suppressed": ("人数不足，不予显示", "Too few respondents to show"),
    "metric.withheld": ("为保护小样本而不显示", "Withheld to protect a small group"),
    "metric.withheld_note": (
        "人数列中“<{min_n}”表示不足 {min_n} 人的组，不显示得分和确切人数；“—”表示另一组的得分和人数也不显示"
        "（为保护小样本而不显示），否则用合计减去其余各组即可推算出小组的得分。",
        "In the respondents column, “<{min_n}” marks a group under {min_n}: neither its score nor its exact count "
        "is shown; “—” marks a group withheld as well (“Withheld to protect a small group”), since otherwise the "
        "small group's score could be worked out by subtracting the others from the total.",
    ),
    # Risk warnings
    "risk.rule.index_low": ("党建指数偏低", "Low party-building index"),
    "risk.rule.index_drop": ("党建指数明显下降", "Party-building index fell sharply"),
    "risk.rule.meetings_missed": ("三会一课连续两期未达标", "三会一课 short two periods running"),
    "risk.rule.satisfaction_drop": ("满意度显著下降", "Satisfaction fell significantly"),
    "risk.rule.serious_discipline": ("出现第二种及以上形态", "Form-2+ discipline case"),
    "risk.rule.rectification_overdue": ("整改逾期", "Rectification overdue"),
    "risk.severity.high": ("高", "High"),
    "risk.severity.medium": ("中", "Medium"),
    "risk.severity.low": ("低", "Low"),
    "risk.index_low": (
        "{name}党建指数为 {value}，低于预警线 {threshold}；最弱的一项是{weakest_zh}。",
        "{name}: party-building index {value}, below the warning line of {threshold}; weakest component: {weakest_en}.",
    ),
    "risk.index_drop": (
        "{name}党建指数由上期（{previous}）的 {old} 降至 {value}，下降 {drop} 分。",
        "{name}: party-building index fell from {old} in {previous} to {value}, down {drop} points.",
    ),
    "risk.meetings_missed": (
        "{name}三会一课完成率本期 {value}%、上期（{previous}）{old}%，连续两期低于 {threshold}%；本期未按要求召开：{missing_zh}。",
        "{name}: 三会一课 compliance {value}% this period and {old}% in {previous}, below {threshold}% two "
        "periods running; short this period: {missing_en}.",
    ),
    "risk.satisfaction_drop": (
        "{name}{population_zh}满意度由上期（{previous}）的 {old} 降至 {value}，下降 {drop} 分（p {p}{sd_zh}；本期共检验 {tested} "
        "组变化，多重检验校正后 q {q}；{n} 人受访）。",
        "{name}: {population_en} satisfaction fell from {old} in {previous} to {value}, down {drop} points "
        "(p {p}{sd_en}; {tested} changes tested this period, q {q} after correcting for them; {n} respondents).",
    ),
    "risk.serious_discipline": (
        "{name}本期有 {n} 条第二种及以上形态记录（第二种形态 {form2} 条，第三、四种形态即立案审查调查 {heavy} 件）。",
        "{name}: {n} record(s) of the second or a heavier form this period ({form2} second form, {heavy} third "
        "or fourth, i.e. placed on file).",
    ),
    "risk.rectification_overdue": (
        "{name}有 {n} 项整改逾期未完成（截至 {as_of}），最长逾期 {days} 天。",
        "{name}: {n} rectification(s) open past their deadline as of {as_of}; the oldest is {days} days late.",
    ),
    # Accounts, roles, sign-in (accounts.py, pages/_auth.py)
    "auth.title": ("登录", "Sign in"),
    "auth.caption": (
        "党建洞察仅供本院授权人员使用。请输入您的账号和密码。",
        "Party Building Insight is for authorised staff of this hospital. Enter your user name and password.",
    ),
    "auth.name": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.failed": ("用户名或密码不正确。", "Wrong user name or password."),
    "auth.locked": (
        "登录失败次数过多，已暂停登录，请于 {until} 后再试，或请管理员解除锁定。",
        "Too many failed sign-ins: signing in is paused until {until}. Try again then, or ask an administrator "
        "to unlock it.",
    ),
    "auth.timed_out": (
        "您已超过 {minutes} 分钟未操作，为保护数据已自动退出，请重新登录。",
        "You were signed out after {minutes} minutes without activity, to protect the data. Please sign in again.",
    ),
    "auth.signed_out": ("您已退出登录。", "You have signed out."),
    "auth.account_gone": (
        "您的账号已被停用或角色已变更，请重新登录。",
        "Your account was disabled or its role changed. Please sign in again.",
    ),
    "auth.sign_out": ("退出登录", "Sign out"),
    "discipline.details.title": ("纪检记录明细", "Discipline record details"),
    "discipline.details.caption": (
        "仅纪委办公室和管理员可见。人员以化名显示（同一人在同一数据库中化名相同）；下载会记入审计日志。共 {n} 条。",
        "Visible to the discipline office and administrators only. Persons appear as pseudonyms (the same person "
        "has the same pseudonym in this database); downloads are recorded in the audit trail. {n} records.",
    ),
    "discipline.details.none": ("所选范围内没有纪检记录。", "No discipline records in the chosen scope."),
    "discipline.file.details": ("纪检记录明细", "discipline_record_details"),
    "auth.who": ("当前用户：{display}（{role}）", "Signed in: {display} ({role})"),
    "auth.no_admin": (
        "此数据库还没有管理员账号，因此不提供服务。请在服务器上运行以下命令创建管理员，然后刷新本页：",
        "This database has no administrator account yet, so it is not served. Create one on the server with "
        "the command below, then refresh this page:",
    ),
    "auth.denied.title": ("无权限", "No permission"),
    "auth.denied.body": (
        "您的角色（{role}）无权打开“{page}”。如需此权限，请联系系统管理员。",
        "Your role ({role}) may not open “{page}”. Ask the system administrator if you need it.",
    ),
    "auth.denied.action": (
        "您的角色（{role}）无权执行此操作。",
        "Your role ({role}) may not do this.",
    ),
    "nav.account": ("我的账号", "My account"),
    "nav.accounts": ("账号管理", "Accounts"),
    "nav.audit": ("审计日志", "Audit trail"),
    "account.title": ("我的账号", "My account"),
    "account.facts": (
        "用户名：{name}　显示名：{display}　角色：{role}　上次登录：{last}",
        "User name: {name}   Display name: {display}   Role: {role}   Last sign-in: {last}",
    ),
    "account.change.title": ("修改密码", "Change password"),
    "account.change.old": ("当前密码", "Current password"),
    "account.change.new": ("新密码", "New password"),
    "account.change.again": ("再次输入新密码", "New password again"),
    "account.change.submit": ("修改密码", "Change password"),
    "account.change.done": ("密码已修改。", "Your password was changed."),
    "account.change.mismatch": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "account.change.directory": (
        "您的账号由单位目录（LDAP/AD）管理，请在单位目录中修改密码。",
        "Your account is managed by the directory (LDAP/AD): change its password there.",
    ),
    "account.error.password_short": ("密码至少需要 {n} 个字符。", "A password needs at least {n} characters."),
    "account.error.password_long": ("密码不能超过 {n} 个字符。", "A password may have at most {n} characters."),
    "account.error.password_is_name": ("密码不能与用户名相同。", "The password may not be the user name."),
    "account.error.password_same": ("新密码不能与当前密码相同。", "The new password must differ from the current one."),
    "account.error.wrong_password": ("当前密码不正确。", "The current password is wrong."),
    "account.error.bad_name": (
        "用户名“{name}”无效：只能包含字母、数字、汉字和 _ . @ -，最多 64 个字符。",
        "User name “{name}” is not valid: letters, digits and _ . @ - only, at most 64 characters.",
    ),
    "account.error.bad_role": ("角色“{role}”无效，可选：{roles}。", "Role “{role}” is not valid; one of: {roles}."),
    "account.error.exists": ("用户名“{name}”已存在。", "User name “{name}” is taken."),
    "account.error.unknown": ("没有名为“{name}”的账号。", "There is no account “{name}”."),
    "account.error.last_admin": (
        "“{name}”是唯一的有效管理员，不能停用或改为其他角色；请先添加另一位管理员。",
        "“{name}” is the only active administrator and cannot be disabled or given another role; add another "
        "administrator first.",
    ),
    "account.error.directory_account": (
        "“{name}”由单位目录（LDAP/AD）管理，其密码在目录中修改。",
        "“{name}” is managed by the directory (LDAP/AD); its password is changed there.",
    ),
    "accounts.title": ("账号管理", "Accounts"),
    "accounts.caption": (
        "添加账号、调整角色、停用或启用账号、重置密码、解除登录锁定。每项操作都记入审计日志。",
        "Add accounts, change roles, disable or enable accounts, reset passwords and end lockouts. Every change "
        "is recorded in the audit trail.",
    ),
    "accounts.col.name": ("用户名", "User name"),
    "accounts.col.display": ("显示名", "Display name"),
    "accounts.col.role": ("角色", "Role"),
    "accounts.col.active": ("状态", "Status"),
    "accounts.col.source": ("来源", "Source"),
    "accounts.col.last": ("上次登录", "Last sign-in"),
    "accounts.active": ("启用", "Active"),
    "accounts.inactive": ("已停用", "Disabled"),
    "accounts.source.local": ("本地账号", "Local"),
    "accounts.source.ldap": ("单位目录", "Directory (LDAP)"),
    "accounts.add.title": ("添加账号", "Add an account"),
    "accounts.add.submit": ("添加", "Add"),
    "accounts.add.done": ("已添加账号“{name}”（{role}）。", "Account “{name}” ({role}) added."),
    "accounts.edit.title": ("修改账号", "Change an account"),
    "accounts.edit.who": ("账号", "Account"),
    "accounts.edit.role": ("新角色", "New role"),
    "accounts.edit.set_role": ("更改角色", "Change role"),
    "accounts.edit.disable": ("停用", "Disable"),
    "accounts.edit.enable": ("启用", "Enable"),
    "accounts.edit.unlock": ("解除登录锁定", "End lockout"),
    "accounts.edit.password": ("新密码（重置）", "New password (reset)"),
    "accounts.edit.reset": ("重置密码", "Reset password"),
    "accounts.edit.done": ("已完成：{what}。", "Done: {what}."),
    "roles.title": ("角色与权限", "Roles and permissions"),
    "roles.caption": (
        "每个账号有一个角色，服务器在每个页面、按钮和下载上按角色检查；导航只列出本角色可打开的页面。"
        "纪检记录明细（人员以化名显示）仅纪委办公室和管理员可见。所有导入、撤销、设置修改和账号变更都记入审计日志。",
        "Each account has one role, which the server checks on every page, control and download; the navigation "
        "lists only the pages the role may open. Discipline record details (persons as pseudonyms) are visible to "
        "the discipline office and administrators only. Every import, undo, settings change and account change is "
        "recorded in the audit trail.",
    ),
    "roles.col.role": ("角色", "Role"),
    "roles.col.sees": ("可查看", "Sees"),
    "roles.col.does": ("可操作", "May do"),
    "roles.viewer.sees": (
        "全部看板、关联分析、科室画像、纪检统计（件数、比率、不含人员的整改台账）",
        "Every dashboard, relations, profiles, discipline figures (counts, rates, the ledger without persons)",
    ),
    "roles.viewer.does": ("下载表格和会议材料", "Download tables and the meeting material"),
    "roles.party_office.sees": ("同上", "The same"),
    "roles.party_office.does": (
        "导入/撤销党支部、科室、党建活动、满意度数据；下载模板",
        "Import/undo branches, departments, activities, satisfaction; templates",
    ),
    "roles.discipline_office.sees": ("同上，另含纪检记录明细", "The same, plus discipline record details"),
    "roles.discipline_office.does": ("导入/撤销纪检监察记录", "Import/undo discipline records"),
    "roles.admin.sees": ("全部", "Everything"),
    "roles.admin.does": (
        "账号管理、设置（权重、频次、目标、阈值、登录规则）、审计日志；全部导入",
        "Accounts, settings (weights, frequencies, targets, thresholds, sign-in rules), the audit trail; every import",
    ),
    # The audit trail
    "audit.title": ("审计日志", "Audit trail"),
    "audit.caption": (
        "谁、何时、从哪台电脑、做了什么：登录、导入、撤销、设置修改、账号变更、纪检明细下载。日志只增不改。",
        "Who did what, when and from which client: sign-ins, imports, undos, settings changes, account changes, "
        "downloads of discipline details. Rows are only ever added.",
    ),
    "audit.since": ("开始日期", "From"),
    "audit.until": ("结束日期", "To"),
    "audit.user": ("用户", "User"),
    "audit.action": ("操作", "Action"),
    "audit.any": ("全部", "All"),
    "audit.count": ("共 {n} 条记录。", "{n} rows."),
    "audit.file": ("审计日志", "audit_trail"),
    "audit.col.at": ("时间", "Time"),
    "audit.col.user": ("用户", "User"),
    "audit.col.client": ("客户端", "Client"),
    "audit.col.action": ("操作", "Action"),
    "audit.col.detail": ("详情", "Detail"),
    "audit.action.sign_in": ("登录", "Signed in"),
    "audit.action.sign_in_failed": ("登录失败", "Failed sign-in"),
    "audit.action.sign_in_locked": ("锁定期间尝试登录", "Sign-in while locked"),
    "audit.action.lockout": ("账号锁定", "Lockout (name)"),
    "audit.action.client_lockout": ("客户端锁定", "Lockout (client)"),
    "audit.action.unlocked": ("解除锁定", "Lockout ended"),
    "audit.action.sign_out": ("退出登录", "Signed out"),
    "audit.action.timeout": ("超时退出", "Timed out"),
    "audit.action.password_changed": ("修改密码", "Password changed"),
    "audit.action.password_reset": ("重置密码", "Password reset"),
    "audit.action.import": ("导入", "Import"),
    "audit.action.undo": ("撤销导入", "Undo"),
    "audit.action.settings_changed": ("修改设置", "Settings changed"),
    "audit.action.settings_reset": ("恢复默认设置", "Settings restored to defaults"),
    "audit.action.user_added": ("添加账号", "Account added"),
    "audit.action.user_role": ("更改角色", "Role changed"),
    "audit.action.user_disabled": ("停用账号", "Account disabled"),
    "audit.action.user_enabled": ("启用账号", "Account enabled"),
    "audit.action.download": ("下载纪检明细", "Discipline details downloaded"),
    "audit.action.denied": ("无权限访问", "Access refused"),
    "audit.action.restore": ("从备份恢复", "Restored from a backup"),
    "audit.reason.unknown": ("无此账号", "no such account"),
    "audit.reason.password": ("密码错误", "wrong password"),
    "audit.reason.disabled": ("账号已停用", "account disabled"),
    "audit.reason.directory": ("单位目录未通过", "refused by the directory"),
    "audit.action.report": ("生成会议材料", "Meeting material generated"),
    "audit.detail.period": ("期间", "period"),
    "audit.detail.scope": ("范围", "scope"),
    "audit.detail.format": ("格式", "format"),
    "audit.detail.batch": ("批次", "batch"),
    "audit.detail.file": ("文件", "file"),
    "audit.detail.kind": ("类型", "kind"),
    "audit.detail.rows": ("行数", "rows"),
    "audit.detail.role": ("角色", "role"),
    "audit.detail.old_role": ("原角色", "old role"),
    "audit.detail.name": ("账号", "account"),
    "audit.detail.reason": ("原因", "reason"),
    "audit.detail.minutes": ("分钟", "minutes"),
    "audit.detail.page": ("页面", "page"),
    "audit.detail.what": ("内容", "what"),
    "audit.detail.removed": ("删除行数", "rows removed"),
    "audit.detail.source": ("来源", "source"),
    "audit.setting.metrics": ("指标设置", "Metric settings"),
    "audit.setting.import_limits": ("导入限制", "Import limits"),
    "audit.setting.security": ("登录与安全", "Sign-in rules"),
    "settings.change": ("{field}：{old} → {new}", "{field}: {old} → {new}"),
    "settings.note": (
        "指标设置于 {when} 由 {user} 修改（与默认值不同）。",
        "Metric settings changed on {when} by {user} (they differ from the defaults).",
    ),
    "settings.note.unknown": ("（未记录）", "(not recorded)"),
    # Command line: accounts and audit
    "cli.password.prompt": ("密码：", "Password: "),
    "cli.password.again": ("再次输入密码：", "Password again: "),
    "cli.password.mismatch": ("两次输入的密码不一致，未作更改。", "The two passwords differ; nothing changed."),
    "cli.password.empty": (
        "没有输入密码，未作更改。密码在终端提示时输入，或从标准输入读取一行；不接受命令行参数。",
        "No password given; nothing changed. Type it at the prompt, or give it as one line on standard input; "
        "it is never taken from an argument.",
    ),
    "cli.password.cancelled": ("已取消，未作更改。", "Cancelled; nothing changed."),
    "cli.no_database": (
        "找不到数据库 {path}；请先运行 python -m analytics init --db {path} --admin 用户名。",
        "There is no database {path}; create it first with python -m analytics init --db {path} --admin NAME.",
    ),
    "cli.init.has_admin": (
        "数据库 {path} 已有管理员，未添加账号；请用 python -m analytics user add 添加账号。",
        "The database {path} already has an administrator; no account added. Add accounts with "
        "python -m analytics user add.",
    ),
    "cli.user.disabled": ("已停用账号“{name}”。", "Account “{name}” disabled."),
    "cli.user.enabled": (
        "已启用账号“{name}”，其登录锁定（如有）已解除。",
        "Account “{name}” enabled; any lockout of it ended.",
    ),
    "cli.user.password": (
        "已重置账号“{name}”的密码，其登录锁定（如有）已解除。",
        "Password of “{name}” reset; any lockout of it ended.",
    ),
    "cli.user.role": ("账号“{name}”的角色已改为{role}。", "Account “{name}” is now {role}."),
    "cli.user.unlocked": ("已解除“{name}”的登录锁定。", "Lockout of “{name}” ended."),
    "cli.user.unchanged": ("账号“{name}”已是如此，未作更改。", "Account “{name}” is already so; nothing changed."),
    "cli.user.none": ("还没有账号。", "No accounts yet."),
    "cli.audit.none": ("没有符合条件的审计记录。", "No audit rows match."),
    # LDAP / Active Directory
    "ldap.error.unreadable": (
        "无法读取单位目录（LDAP/AD）配置文件 {path}：{detail}。请检查该文件的权限和编码（UTF-8）。",
        "Cannot read the directory (LDAP/AD) settings file {path}: {detail}. Check its permissions and that it is "
        "UTF-8.",
    ),
    "ldap.error.toml": (
        "单位目录（LDAP/AD）配置文件 {path} 不是有效的 TOML：{detail}。",
        "The directory (LDAP/AD) settings file {path} is not valid TOML: {detail}.",
    ),
    "ldap.error.invalid": (
        "单位目录（LDAP/AD）配置文件 {path} 有误：{detail}。请对照 README 中的示例修改。",
        "The directory (LDAP/AD) settings file {path} is not valid: {detail}. See the example in the README.",
    ),
    # Shared page parts: filters, tables, downloads
    "filters.title": ("筛选", "Filters"),
    "filters.grain": ("统计周期", "Period"),
    "filters.periods": ("期间范围", "Period range"),
    "filters.category": ("科室类别", "Department category"),
    "filters.branch": ("党支部", "Party branch"),
    "filters.all": ("全部", "All"),
    "filters.summary": ("显示范围：{filters}（在侧栏中更改）", "Showing {filters} (change this in the sidebar)"),
    "filters.joiner": ("，", ", "),
    "filters.by_grain": ("按{grain}", "by {grain}"),
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download Excel"),
    "table.click_hint": ("点击某一行可查看该科室画像。", "Click a row to open that department's profile."),
    "export.table": ("表格", "Table"),
    "export.period": ("期间", "Period"),
    "export.scope": ("范围", "Scope"),
    "export.filters": ("筛选条件", "Filters"),
    "export.filter": ("{label}：{value}", "{label}: {value}"),
    "export.filter_separator": ("；", "; "),
    "export.generated": ("生成时间", "Generated at"),
    "export.range": ("{start} 至 {end}", "{start} to {end}"),
    "export.as_of": ("截至 {date}", "As of {date}"),
    "export.yes": ("是", "Yes"),
    "export.no": ("否", "No"),
    "print.rows_left_out": (
        "打印仅含前 {shown} 行（共 {n} 行）；完整表格请下载 Excel 或 CSV。",
        "The print shows the first {shown} of {n} rows; download the Excel or CSV file for the whole table.",
    ),
    "cli.no_warnings": ("本期没有风险预警。", "No warnings for this period."),
    "rag.green": ("良好", "Green"),
    "rag.amber": ("关注", "Amber"),
    "rag.red": ("预警", "Red"),
    # The printed meeting material (analytics/report_pdf.py, analytics/fonts.py)
    "report.pdf.font_missing": (
        "无法生成 PDF：本机没有中文字体（已查找 Noto Sans CJK、思源黑体、文泉驿）。请安装后重试："
        "sudo apt-get install fonts-noto-cjk；或设置环境变量 {variable}，指向一个中文字体文件（.ttf、.otf 或 .ttc）。",
        "Cannot make the PDF: no Chinese font on this machine (looked for Noto Sans CJK, Source Han Sans, WenQuanYi). "
        "Install one, then try again: sudo apt-get install fonts-noto-cjk; or set the environment variable {variable} "
        "to a Chinese font file (.ttf, .otf or .ttc).",
    ),
    "report.pdf.page": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    "report.pdf.contents": ("目录", "Contents"),
    "report.pdf.heading": ("{number}、{heading}", "{number}. {heading}"),
    "report.pdf.scope": ("范围：{scope}", "Scope: {scope}"),
    # Held nothing or not reported (未上报): `metrics.not_reported`, the completeness note
    "reported.not": ("未上报", "Not reported"),
    "reported.rule": (
        "数据完整性：某党支部某期间，只有在覆盖该期间的活动台账中列有该支部时才计分（台账即一次导入的活动文件，"
        "覆盖其最早至最晚活动日期所在的各期间；台账列有该支部而该期没有活动，计为 0 分，即“未开展”）。"
        "没有任何覆盖该期间的台账列有该支部，即为“未上报”：不计分，不计入全院及所选范围的平均、关联分析，也不触发预警。",
        "Data completeness: a branch is scored for a period only when an activities ledger covering that period "
        "lists the branch (a ledger is one imported activities file; it covers the periods from its first to its "
        'last activity date; listed there with no activity in the period, the branch scores 0: "held nothing"). '
        'A branch that no ledger covering the period lists is "not reported": not scored, left out of the '
        "hospital's and the chosen scope's figures and the relations analysis, and it raises no warning.",
    ),
    "reported.all": (
        "所选范围内各党支部各期间均已上报活动台账。",
        "Every branch in the chosen scope reported activities for every period in range.",
    ),
    "reported.list": ("以下党支部 × 期间未上报：", "Not reported (branch × period):"),
    "reported.line": ("{periods}：{branches}", "{periods}: {branches}"),
    "reported.every_branch": ("全部党支部（{n} 个）", "every branch ({n})"),
    "reported.left_out": (
        "{n} 个党支部本期未上报，未计入。",
        "{n} branches did not report this period and are left out.",
    ),
    "reported.department": (
        "所在党支部未上报的期间（不计分）：{periods}。",
        "Periods the department's branch did not report (not scored): {periods}.",
    ),
    "reported.cli": (
        "未上报（没有覆盖该期间的活动台账列有该党支部；党建指标为空，不计入全院）：",
        "Not reported (no activities ledger covering the period lists the branch; party figures null, left out "
        "of the hospital's):",
    ),
    # An SD assumed in place of data (aggregate-only satisfaction change tests), said beside the p it affects
    "assumed_sd.note": ("假定标准差 {sd} 分", "assumed SD {sd} points"),
    "assumed_sd.why": (
        "没有逐条答卷，无法估计标准差，检验假定标准差为 {sd} 分（“设置”中可改）",
        "no individual responses to estimate the SD from: the test assumes an SD of {sd} points (see Settings)",
    ),
    # --- Meeting material (会议材料): analytics/report.py, the report page and `report` CLI -----------------------
    "report.page.title": ("会议材料", "Meeting material"),
    "report.page.caption": (
        "为党委会、党建工作领导小组会准备材料：选择期间、范围和内容，预览后一键生成可编辑的 PPTX（图表可在 PowerPoint/WPS 中修改）"
        "和可打印的 PDF。数字与各页面一致，小样本同样不显示；每次生成都记入审计日志。",
        "Material for party committee meetings: choose the period, scope and sections, preview, then make an editable "
        "PPTX (charts you can change in PowerPoint/WPS) and a printable PDF in one click. The figures are the pages' "
        "own, small groups withheld alike; each generation is recorded in the audit trail.",
    ),
    "report.page.grain": ("期间类型", "Period type"),
    "report.page.period": ("期间", "Period"),
    "report.page.scope": ("范围", "Scope"),
    "report.page.language": ("材料语言", "Language of the material"),
    "report.lang.zh": ("中文", "Chinese"),
    "report.lang.en": ("英文", "English"),
    "report.page.sections": ("包含的内容", "Sections to include"),
    "report.page.none_chosen": ("请至少选择一项内容。", "Choose at least one section."),
    "report.page.no_data": (
        "还没有数据，无法生成会议材料。请先导入活动台账、满意度调查或纪检记录。",
        "No data yet to make meeting material from. Import activities, surveys or discipline records first.",
    ),
    "report.page.building": ("正在汇总材料中的数字…", "Gathering the figures…"),
    "report.page.rendering": ("正在生成 PPTX 和 PDF…", "Making the PPTX and PDF…"),
    "report.page.make": ("生成 PPTX 和 PDF", "Make the PPTX and PDF"),
    "report.page.pptx": ("下载 PPTX（可编辑）", "Download PPTX (editable)"),
    "report.page.pdf": ("下载 PDF（打印用）", "Download PDF (for print)"),
    "report.page.made": ("已生成：PPTX {pptx} KB，PDF {pdf} KB。", "Made: PPTX {pptx} KB, PDF {pdf} KB."),
    "report.page.preview": ("预览", "Preview"),
    "report.cover.title": ("党建与纪检工作情况", "Party building and discipline inspection"),
    "report.marking": ("内部资料 注意保密", "Internal · Confidential"),
    "report.cover.as_of": ("数据截至 {day}（最后一条记录的日期）", "Data as of {day} (the last record's date)"),
    "report.cover.generated": ("生成于 {at}", "Generated {at}"),
    "report.cover.generated_by": ("生成于 {at}，生成人：{by}", "Generated {at} by {by}"),
    "report.scope.hospital": ("全院", "Whole hospital"),
    "report.grain.month": ("月", "month"),
    "report.grain.quarter": ("季度", "quarter"),
    "report.grain.year": ("年", "year"),
    "report.change": ("较上{grain} {value}", "vs previous {grain} {value}"),
    "report.title.up": ("，较上{grain}上升 {value}", ", up {value} on the previous {grain}"),
    "report.title.down": ("，较上{grain}下降 {value}", ", down {value} on the previous {grain}"),
    "report.title.flat": ("，与上{grain}持平", ", level with the previous {grain}"),
    "report.as_of": ("截至 {day}", "as of {day}"),
    "report.respondents": ("{n} 人受访", "{n} respondents"),
    "report.no_respondents": ("本期无受访", "no respondents this period"),
    "report.score": ("得分", "Score"),
    "report.section.headline": ("主要指标", "Headline figures"),
    "report.section.party_index": ("党建指数", "Party-building index"),
    "report.section.meetings": ("三会一课", "三会一课 (three meetings, one lesson)"),
    "report.section.satisfaction": ("满意度", "Satisfaction"),
    "report.section.discipline": ("纪检监察", "Discipline inspection"),
    "report.section.warnings": ("风险预警", "Risk warnings"),
    "report.section.relations": ("党建与满意度的关联", "How party building relates to satisfaction"),
    "report.section.scorecard": ("党建体检", "Party-building health check"),
    "report.section.assessment": ("年度考核", "Annual assessment"),
    "report.section.notes": ("数据说明", "About the data"),
    "report.headline.title": ("党建指数 {value}", "Party-building index {value}"),
    "report.headline.title_plain": ("本期主要指标", "This period's headline figures"),
    "report.party.title": (
        "{n} 个党支部中 {red} 个低于 {amber} 分，{green_n} 个达到 {green} 分",
        "Of {n} branches, {red} are below {amber} and {green_n} reach {green}",
    ),
    "report.party.branch_title": ("{branch} 党建指数 {value}", "{branch}: party-building index {value}"),
    "report.party.chart": ("各党支部党建指数（{period}）", "Party-building index by branch ({period})"),
    "report.party.components": ("{branch} 各项得分（{period}）", "{branch}: component scores ({period})"),
    "report.party.lines": (
        "虚线为 {amber} 分（关注）和 {green} 分（良好）两条线；未上报的党支部不计分。",
        "The dashed lines mark {amber} (amber) and {green} (green); branches that did not report have no score.",
    ),
    "report.meetings.title": ("三会一课完成率 {value}", "三会一课 compliance {value}"),
    "report.meetings.chart": ("三会一课应开与已开（{period}）", "三会一课 required and held ({period})"),
    "report.meetings.required": ("应开", "Required"),
    "report.meetings.held": ("已开", "Held"),
    "report.meetings.count": ("次数", "Meetings"),
    "report.meetings.type": ("会议类型", "Meeting type"),
    "report.meetings.rate": ("完成率", "Compliance"),
    "report.meetings.note": (
        "三会一课指{types}；完成率为各党支部完成率按党员人数加权的平均，每类会议开足应开次数即为 100%。",
        "三会一课 means {types}; compliance is the branches' compliance weighted by members, 100% when a branch "
        "holds every required meeting.",
    ),
    "report.satisfaction.population": ("人群", "Population"),
    "report.satisfaction.score": ("满意度", "Score"),
    "report.satisfaction.change": ("较上{grain}", "vs previous {grain}"),
    "report.satisfaction.p": ("变化的检验", "Test of the change"),
    "report.satisfaction.n": ("受访人数", "Respondents"),
    "report.satisfaction.rule": (
        "受访不足 {min_n} 人的群体不显示分数和人数（“<{min_n}”）；为防止由合计反推，另有部分分数不显示（“—”）。",
        'Groups with fewer than {min_n} respondents show neither score nor count ("<{min_n}"); a few more are '
        'withheld so that they cannot be worked out from totals ("—").',
    ),
    "report.satisfaction.chart": ("满意度趋势", "Satisfaction trend"),
    "report.satisfaction.withheld_note": (
        "{who}：不显示（<{min_n} 或为保护小样本）",
        "{who}: withheld (<{min_n} or protecting one)",
    ),
    "report.satisfaction.all_withheld": (
        "本期满意度均不显示（受访不足 {min_n} 人）",
        "No satisfaction score this period (fewer than {min_n} respondents)",
    ),
    "report.population.outpatient": ("门诊", "Outpatients"),
    "report.population.inpatient": ("住院", "Inpatients"),
    "report.population.staff": ("职工", "Staff"),
    "report.discipline.title": (
        "运用“四种形态”处理 {n} 人次，第一种形态占 {share}；逾期未整改 {overdue} 项",
        "{n} person-times handled by the four forms, {share} by the first; {overdue} rectifications overdue",
    ),
    "report.discipline.title_ledger": ("逾期未整改 {n} 项", "{n} rectifications overdue"),
    "report.discipline.chart": ("“四种形态”处理人次（{period}）", "Person-times by form ({period})"),
    "report.discipline.persons": ("人次", "Person-times"),
    "report.discipline.ledger": ("整改台账：逾期未整改（截至 {day}）", "Rectification ledger: overdue (as of {day})"),
    "report.discipline.no_persons": (
        "本材料不含任何人员信息；纪检记录明细仅限纪委办公室查看。",
        "This material names no person; record-level discipline data is for the discipline office only.",
    ),
    "report.warnings.title": ("风险预警 {n} 条，其中高等级 {high} 条", "{n} risk warnings, {high} of them high"),
    "report.warnings.corrected": (
        "满意度下降预警已对同期全部科室和人群的检验做多重比较校正（BH），只列出校正后仍成立的。",
        "Satisfaction-fall warnings are corrected (BH) for every department and population tested in the period; "
        "only those that survive are listed.",
    ),
    "report.relations.title": (
        "校正后仍成立的关联 {found} 项（共检验 {tests} 组）",
        "{found} associations survive correction ({tests} pairs tested)",
    ),
    "report.relations.untested": (
        "数据不足，本范围无法检验党建与满意度的关联",
        "Too little data in this scope to test how party building relates to satisfaction",
    ),
    "report.scorecard.title": (
        "党建体检（{period}）：{n} 个党支部中 {red} 个为预警",
        "Health check ({period}): {red} of {n} branches red",
    ),
    "report.scorecard.note": (
        "各项为 0–100 分：{green} 分及以上为良好（绿），{amber}–{green} 分为关注（黄），{amber} 分以下为预警（红）；"
        "每项得分背后的完成率、时长和次数见系统“总览”页及其下载。",
        "Scores 0–100: {green} and above green, {amber}–{green} amber, below {amber} red; the rates, hours and counts "
        "behind each score are on the Overview page and in its download.",
    ),
    "report.assessment.index": ("{year} 年党建指数", "Index {year}"),
    "report.assessment.rank": ("{year} 年排名", "Rank {year}"),
    "report.assessment.change": ("变化", "Change"),
    "report.assessment.note": (
        "排名为在全院 {total} 个有得分的党支部中按党建指数由高到低的名次；各项为全年得分（0–100）。",
        "Ranks are among the hospital's {total} scored branches, highest index first; components are the year's "
        "scores (0–100).",
    ),
    "report.assessment.title": (
        "{year} 年度考核：{n} 个党支部，{top} 第一（{value} 分）",
        "{year} assessment: {n} branches, {top} first ({value})",
    ),
    "report.assessment.branch_title": (
        "{branch} {year} 年党建指数 {value} 分，在 {n} 个党支部中排第 {rank}",
        "{branch}: {year} index {value}, ranked {rank} of {n}",
    ),
    "report.assessment.last_rank": ("（上年第 {rank}）", " (last year {rank})"),
    "report.notes.sources": (
        "数据来源：活动记录 {activities} 条，满意度受访 {satisfaction} 人次，纪检记录 {discipline} 条，共 {batches} 次导入；"
        "记录日期 {first} 至 {last}。",
        "Sources: {activities} activity records, {satisfaction} satisfaction respondents, {discipline} discipline "
        "records, from {batches} imports; records dated {first} to {last}.",
    ),
    "report.notes.not_reported": (
        "以下党支部在相应期间未上报活动台账，其党建指标为空，未计入合计：",
        "These branches did not report an activities ledger for these periods; their party figures are empty and "
        "left out of totals:",
    ),
    "report.notes.all_reported": (
        "{period} 各党支部均已上报活动台账。",
        "Every branch reported its activities for {period}.",
    ),
    "report.notes.suppression": (
        "小样本规则：受访不足 {min_n} 人的满意度不显示，并另外隐去可据以反推的分数；本材料与系统页面一致。",
        "Small numbers: satisfaction with fewer than {min_n} respondents is withheld, and so are the scores it "
        "could be worked out from; this material withholds exactly what the pages do.",
    ),
    "report.notes.settings": ("与默认设置不同的设置：", "Settings that differ from the defaults:"),
    "report.notes.default_settings": ("各项设置均为默认值。", "Every setting is at its default."),
    "report.notes.index": ("党建指数的权重：{weights}。", "Index weights: {weights}."),
    "report.error.empty": (
        "数据库中还没有可用于会议材料的数据。",
        "The database holds no data for meeting material yet.",
    ),
    "report.error.period": (
        "没有 {period} 的数据：数据覆盖 {first} 至 {last}。请换一个期间。",
        "No data for {period}: the data covers {first} to {last}. Choose another period.",
    ),
    "report.error.write": (
        "无法写入 {path}：{reason}。请换一个有写权限、空间足够的位置。",
        "Cannot write {path}: {reason}. Choose a place you may write to, with space to spare.",
    ),
    "report.error.render": (
        "无法生成 {what}：{reason}",
        "Cannot make the {what}: {reason}",
    ),
    "report.file": ("会议材料", "meeting_material"),
    "report.error.font": (
        "生成 PDF 需要中文字体，本机没有找到。请让管理员运行 sudo apt-get install fonts-noto-cjk（或设置环境变量 "
        "PBI_CJK_FONT 指向一个中文字体文件），然后重试；PPTX 不受影响。",
        "The PDF needs a Chinese font and none was found on this machine. Ask the administrator to run sudo apt-get "
        "install fonts-noto-cjk (or set PBI_CJK_FONT to a Chinese font file), then try again; the PPTX is unaffected.",
    ),
    "report.error.scope": (
        "没有编码为 {scope} 的党支部。请用 hospital（全院）或以下党支部编码之一：{codes}。",
        "There is no party branch with the code {scope}. Use hospital (the whole hospital) or one of these branch "
        "codes: {codes}.",
    ),
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The string `key` in `lang` ('zh' or 'en'), formatted with `values`."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def p_phrase(p: float) -> str:
    """A p-value as sentences write it after "p": '< 0.001' or '= 0.034'."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def assumed_sd_note(sd: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """'假定标准差 12 分' / 'assumed SD 12 points' for a p that rests on the assumed SD, '' when it does not."""
    if sd is None or sd != sd:  # None or NaN: the p rests on data
        return ""
    return t("assumed_sd.note", lang, sd=f"{float(sd):g}")


def label(member: LabelledEnum, lang: str = DEFAULT_LANGUAGE) -> str:
    return member.label(lang)


def unit(value: str, name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """`value` (already formatted) with its unit `name` (points, pp, person_times, cases, items, records,
    hours, branches): "72.3 分", "+2.0 个百分点", "37 人次"; "—" stays bare."""
    return value if value in ("—", "") else t(f"unit.{name}", lang, value=value)


# --- The libraries' own words --------------------------------------------------------------------------------
# Streamlit has no translations: its controls speak English (a table's toolbar and column menu, the uploader, a
# drop-down's placeholder, the help icons' labels …). In Chinese, the page's chrome script (pages/_ui.py,
# `chrome`) puts these in their place, in the text, tooltips and accessible names of Streamlit's own controls
# (never in the app's content: markdown, captions, code, charts). Exact strings first, then patterns (a
# JavaScript regular expression and its replacement). `ENGLISH_CHROME` is what the browser tests look for.
CHROME_ZH: dict[str, str] = {
    "Page not found": "页面不存在",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "您打开的页面不存在，现显示首页。"
    ),
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Add options": "添加选项",
    "No results": "没有匹配的选项",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Selected values": "已选",
    "Select all": "全选",
    "Upload": "上传",
    "Browse files": "选择文件",
    "Drag and drop file here": "把文件拖到这里",
    "Drag and drop files here": "把文件拖到这里",
    "Drag and drop a file here": "把文件拖到这里",
    "file upload": "上传文件",
    "Remove file": "移除文件",
    "Delete": "删除",
    "Previous page": "上一页",
    "Next page": "下一页",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Sidebar": "侧栏",
    "Collapse sidebar": "收起侧栏",
    "Expand sidebar": "展开侧栏",
    "App pages": "页面",
    "View more": "显示更多",
    "View less": "收起",
    "Skip to main content": "跳到正文",
    "Link to heading": "本节链接",
    "Help": "说明",
    "Decrement": "减少",
    "Increment": "增加",
    "Choose date": "选择日期",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示/隐藏列",
    "Download as CSV": "下载 CSV",
    "Clear selection": "取消选择",
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Format": "数字格式",
    "Autosize": "自动列宽",
    "Pin column": "固定此列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏此列",
    "Copy column name": "复制列名",
    "Automatic": "自动",
    "Localized": "本地格式",
    "Plain": "原样",
    "Compact": "紧凑",
    "Percent": "百分比",
    "Scientific": "科学计数",
    "Accounting": "会计格式",
    "No data": "无数据",
    "No content": "无内容",
    "Running...": "正在计算…",
    "Stop": "停止",
    "Rerun": "重新运行",
    "Connecting": "正在连接",
    "Please wait...": "请稍候…",
    "Connection error": "连接中断",
    "Close": "关闭",
    "Cancel": "取消",
    "Copy": "复制",
    "Copy to clipboard": "复制",
    "Print": "打印",
    "About": "关于",
    "Settings": "设置",
    "Clear caches": "清除缓存",
    "Record a screencast": "录制屏幕",
    "Try again": "重试",
    "Open": "打开",
    "Dismiss": "关闭",
    "download icon": "下载",
}
CHROME_PATTERNS_ZH: tuple[tuple[str, str], ...] = (
    (r"^Help for (.+)$", "$1：说明"),
    (r"^Remove (.+)$", "移除 $1"),
    (r"^Selected Date: (.+)$", "已选日期：$1"),
    (r"^year, (.+)$", "$1（年）"),
    (r"^month, (.+)$", "$1（月）"),
    (r"^day, (.+)$", "$1（日）"),
    (r"^(.+) — start$", "$1（起）"),
    (r"^(.+) — end$", "$1（止）"),
)
# In both languages: the uploader's "1GB per file" is Streamlit's transport limit, not the app's (the import
# page states its own, `upload.limit`), so it is dropped, with the bullet that joined it to the file types.
CHROME_PATTERNS_ALL: tuple[tuple[str, str], ...] = (
    (r"^\d+(?:\.\d+)?\s?[KMGT]?B per file$", ""),
    (r"^• (.+)$", "$1"),
)
ENGLISH_CHROME: tuple[str, ...] = tuple(CHROME_ZH)


def chrome_rules(lang: str) -> dict[str, object]:
    """What the page's chrome script replaces in `lang`: {'exact': {...}, 'patterns': [[regex, replacement]…]}."""
    patterns = [*(CHROME_PATTERNS_ZH if lang == "zh" else ()), *CHROME_PATTERNS_ALL]
    return {"exact": CHROME_ZH if lang == "zh" else {}, "patterns": [list(p) for p in patterns]}


# The shape beside each RAG colour, so a rating reads without colour (colour-blind readers, black-and-white print).
RAG_MARKS = {"green": "●", "amber": "▲", "red": "■"}


def rag_tag(rag: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A RAG rating as a shape and a word: '● 良好', '▲ 关注', '■ 预警' ('' for no rating)."""
    return f"{RAG_MARKS[rag]} {t(f'rag.{rag}', lang)}" if rag in RAG_MARKS else ""
