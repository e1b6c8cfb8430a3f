"""What each kind of file must contain: its fields, their header aliases, types and limits.

Headers are matched after normalisation (full-width to half-width, no spaces, case-folded), so
`时长（小时）`, `时长(小时)` and `时长 (小时)` are one header. A reference field (a branch or department)
may be given by code or by name, each with its own aliases.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from analytics.i18n import STRINGS, t
from analytics.schema import (
    ActivityStatus,
    ActivityType,
    DepartmentCategory,
    DisciplineCategory,
    LabelledEnum,
    Population,
    RecordKind,
    RectificationStatus,
    SatisfactionItem,
    SixImprovement,
)


@dataclass(frozen=True)
class Field:
    """One column of a kind of file.

    type: text, int, float, hours, score, date, datetime, period, bool, enum, ref or persons.
    For `ref`, `aliases` name the code column and `name_aliases` the name column; either will do.
    `not_future`: a date that cannot lie after the day of the import (an activity held, an answer given).
    """

    name: str
    type: str
    aliases: tuple[str, ...]
    required: bool = True
    enum: type[LabelledEnum] | None = None
    minimum: float | None = None
    maximum: float | None = None
    ref: str | None = None  # 'branch' or 'department'
    name_aliases: tuple[str, ...] = ()
    label_key: str = ""  # i18n key of the field's name shown to users
    not_future: bool = False


def normalise_header(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold().lstrip("\ufeff")


def _item_fields() -> tuple[Field, ...]:
    extra = {
        SatisfactionItem.ENVIRONMENT: ("环境", "就诊环境", "住院环境"),
        SatisfactionItem.WAITING_TIME: ("候诊时间", "等待时间"),
        SatisfactionItem.PRIVACY: ("隐私",),
        SatisfactionItem.COST: ("费用合理", "医疗费用"),
        SatisfactionItem.PAY_BENEFITS: ("薪酬", "福利待遇"),
        SatisfactionItem.DEVELOPMENT: ("发展", "职业发展空间"),
        SatisfactionItem.SUPERIOR_RELATIONS: ("与上级关系",),
        SatisfactionItem.PEER_RELATIONS: ("与同事关系",),
    }
    return tuple(
        Field(
            item.column,
            "score",
            (item.zh, item.en, item.value, *extra.get(item, ())),
            required=False,
            minimum=0,
            maximum=100,
            label_key=f"item.{item.value}",
        )
        for item in SatisfactionItem
    )


BRANCH_CODE = ("支部编码", "支部代码", "支部编号", "branch_code", "branchcode", "branch code")
BRANCH_NAME = ("支部名称", "所属支部", "支部", "党支部", "branch_name", "branch")
DEPARTMENT_CODE = ("科室编码", "科室代码", "科室编号", "department_code", "dept_code", "department code")
DEPARTMENT_NAME = ("科室名称", "科室", "部门", "所属科室", "department_name", "department", "dept")
# The survey platform's own id of an answer. 序号 last: some exports number the rows of each export afresh,
# which the importer would report as conflicts (never as silent matches).
RESPONSE_ID = ("答卷编号", "问卷编号", "答卷ID", "答卷id", "答卷序号", "response_id", "responseid", "序号")

# Fields several kinds share.
BRANCH_REF = Field(
    "branch_code", "ref", BRANCH_CODE, ref="branch", name_aliases=BRANCH_NAME, label_key="field.branch_code"
)
DEPARTMENT_REF = Field(
    "department_code",
    "ref",
    DEPARTMENT_CODE,
    ref="department",
    name_aliases=DEPARTMENT_NAME,
    label_key="field.department_code",
)
POPULATION = Field(
    "population",
    "enum",
    ("调查对象", "对象类型", "对象", "人群", "population"),
    enum=Population,
    label_key="field.population",
)
SCORE = Field(
    "score",
    "score",
    ("满意度得分", "总体满意度", "得分", "满意度", "总分", "score"),
    minimum=0,
    maximum=100,
    label_key="field.score",
)

FIELDS: dict[RecordKind, tuple[Field, ...]] = {
    RecordKind.BRANCHES: (
        Field("branch_code", "text", BRANCH_CODE, label_key="field.branch_code"),
        Field(
            "name",
            "text",
            ("支部名称", "支部", "党支部", "branch_name", "name"),
            label_key="field.branch_name",
        ),
        Field(
            "member_count",
            "int",
            ("党员人数", "党员数", "members", "member_count"),
            minimum=0,
            label_key="field.member_count",
        ),
        Field(
            "is_joint",
            "bool",
            ("是否联合党支部", "联合党支部", "联合支部", "is_joint", "joint"),
            required=False,
            label_key="field.is_joint",
        ),
        Field(
            "secretary_double_leader",
            "bool",
            (
                "书记是否双带头人",
                "书记是否“双带头人”",
                "双带头人",
                "secretary_double_leader",
                "double_leader",
            ),
            required=False,
            label_key="field.secretary_double_leader",
        ),
    ),
    RecordKind.DEPARTMENTS: (
        Field("department_code", "text", DEPARTMENT_CODE, label_key="field.department_code"),
        Field(
            "name",
            "text",
            ("科室名称", "科室", "部门", "department_name", "name"),
            label_key="field.department_name",
        ),
        Field(
            "category",
            "enum",
            ("科室类别", "类别", "科室类型", "category", "type"),
            enum=DepartmentCategory,
            label_key="field.category",
        ),
        Field(
            "staff_count",
            "int",
            ("职工人数", "员工人数", "人数", "在岗人数", "staff", "staff_count"),
            minimum=0,
            label_key="field.staff_count",
        ),
        BRANCH_REF,
    ),
    RecordKind.ACTIVITIES: (
        Field(
            "activity_date",
            "date",
            ("活动日期", "日期", "开展日期", "活动时间", "date", "activity_date"),
            label_key="field.activity_date",
            not_future=True,
        ),
        BRANCH_REF,
        Field(
            "activity_type",
            "enum",
            ("活动类型", "类型", "活动形式", "type", "activity_type"),
            enum=ActivityType,
            label_key="field.activity_type",
        ),
        Field("topic", "text", ("活动主题", "主题", "内容", "topic"), required=False, label_key="field.topic"),
        Field(
            "attended",
            "int",
            ("参加人数", "实到人数", "参会人数", "出席人数", "attended"),
            minimum=0,
            label_key="field.attended",
        ),
        Field(
            "expected",
            "int",
            ("应到人数", "应参加人数", "expected"),
            required=False,
            minimum=0,
            label_key="field.expected",
        ),
        Field(
            "hours",
            "hours",
            ("时长(小时)", "时长", "学时", "小时", "hours", "duration"),
            required=False,
            minimum=0,
            maximum=24,
            label_key="field.hours",
        ),
        Field(
            "dimension",
            "enum",
            ("六提升维度", "提升维度", "六提升", "维度", "dimension"),
            required=False,
            enum=SixImprovement,
            label_key="field.dimension",
        ),
        Field(
            "status",
            "enum",
            ("召开情况", "召开状态", "是否召开", "活动状态", "状态", "status"),
            required=False,
            enum=ActivityStatus,
            label_key="field.activity_status",
        ),
        Field(
            "source_id",
            "text",
            ("活动编号", "活动ID", "活动id", "活动记录编号", "记录编号", "activity_id", "source_id"),
            required=False,
            label_key="field.source_id",
        ),
    ),
    RecordKind.SATISFACTION_RESPONSES: (
        Field(
            "submitted_at",
            "datetime",
            ("提交时间", "填写时间", "答卷时间", "提交日期", "时间", "submitted_at", "timestamp"),
            label_key="field.submitted_at",
            not_future=True,
        ),
        Field(
            "response_id",
            "text",
            RESPONSE_ID,
            required=False,
            label_key="field.response_id",
        ),
        DEPARTMENT_REF,
        POPULATION,
        SCORE,
        *_item_fields(),
    ),
    RecordKind.SATISFACTION_AGGREGATES: (
        Field(
            "period",
            "period",
            ("调查期间", "期间", "季度", "月份", "统计期间", "period"),
            label_key="field.period",
            not_future=True,
        ),
        DEPARTMENT_REF,
        POPULATION,
        SCORE,
        Field(
            "respondents",
            "int",
            ("样本量", "有效样本", "有效样本量", "样本数", "人数", "respondents", "n"),
            minimum=1,
            label_key="field.respondents",
        ),
    ),
    RecordKind.DISCIPLINE: (
        Field(
            "record_date",
            "date",
            ("日期", "记录日期", "发生日期", "登记日期", "date", "record_date"),
            label_key="field.record_date",
            not_future=True,
        ),
        DEPARTMENT_REF,
        Field(
            "category",
            "enum",
            ("类别", "形态", "问题类别", "类型", "category"),
            enum=DisciplineCategory,
            label_key="field.discipline_category",
        ),
        Field(
            "summary",
            "text",
            ("摘要", "事项", "内容", "问题摘要", "summary"),
            required=False,
            label_key="field.summary",
        ),
        Field(
            "persons",
            "persons",
            ("涉及人员", "当事人", "人员", "姓名", "persons"),
            required=False,
            label_key="field.persons",
        ),
        Field(
            "status",
            "enum",
            ("状态", "整改状态", "status"),
            required=False,
            enum=RectificationStatus,
            label_key="field.status",
        ),
        Field(
            "rectification_deadline",
            "date",
            ("整改期限", "期限", "整改截止日期", "deadline"),
            required=False,
            label_key="field.deadline",
        ),
        Field(
            "rectification_completed",
            "date",
            ("完成日期", "整改完成日期", "销号日期", "completed"),
            required=False,
            label_key="field.completed",
            not_future=True,
        ),
        Field(
            "source_id",
            "text",
            ("案件编号", "线索编号", "问题编号", "记录编号", "台账编号", "编号", "case_id", "source_id"),
            required=False,
            label_key="field.source_id",
        ),
    ),
}

# Extra spellings users write for enum values, beyond each value's code and labels.
# Only spellings whose meaning is certain: a value that is merely similar is refused with the closest
# known value named in the error ("是否指：…？"), never guessed.
ENUM_ALIASES: dict[LabelledEnum, tuple[str, ...]] = {
    DepartmentCategory.CLINICAL: ("临床科室", "临床部门"),
    DepartmentCategory.MEDICAL_TECHNICAL: ("医技科室", "医技部门"),
    DepartmentCategory.MEDICAL_SUPPORT: ("医辅科室", "医疗辅助", "医疗辅助科室", "医辅部门"),
    DepartmentCategory.NURSING: ("护理单元", "护理科室", "护理部门"),
    DepartmentCategory.ADMINISTRATIVE: (
        "行政",
        "管理",
        "机关",
        "职能科室",
        "职能部门",
        "行政科室",
        "行政部门",
        "管理科室",
        "管理部门",
        "行政职能",
        "行政管理",
        "党政管理",
    ),
    DepartmentCategory.LOGISTICS: ("后勤科室", "后勤部门", "后勤保障", "后勤服务"),
    DepartmentCategory.RESEARCH: ("科研科室", "科研部门", "科研平台"),
    DepartmentCategory.TEACHING: ("教学科室", "教学部门"),
    ActivityType.BRANCH_COMMITTEE_MEETING: ("支委会", "支委会议", "支部委员会", "支委会会议"),
    ActivityType.BRANCH_GENERAL_MEETING: ("党员大会", "支部大会", "支部党员大会会议"),
    ActivityType.PARTY_GROUP_MEETING: ("党小组会议", "党小组会议活动"),
    ActivityType.PARTY_LECTURE: ("讲党课", "上党课", "专题党课"),
    ActivityType.THEME_PARTY_DAY: ("主题党日活动", "支部主题党日", "支部主题党日活动"),
    ActivityType.ORGANIZATIONAL_LIFE_MEETING: ("专题组织生活会",),
    ActivityType.DEMOCRATIC_APPRAISAL: ("民主评议党员活动",),
    ActivityType.VOLUNTEER_SERVICE: ("志愿服务活动", "志愿者服务"),
    ActivityType.FREE_CLINIC: ("义诊活动",),
    ActivityType.WARNING_EDUCATION: ("警示教育活动",),
    ActivityType.PARTY_PLUS_PROJECT: (
        "党建+",
        "党建+学科发展",
        "党建+医疗质控",
        "党建+患者服务",
        "党建+科研攻关",
    ),
    ActivityType.THEORY_STUDY: ("中心组学习", "学习"),
    ActivityType.DEMONSTRATION_POST: ("党员责任区", "党员先锋队"),
    Population.OUTPATIENT: ("门诊", "outpatient"),
    Population.INPATIENT: ("住院", "inpatient"),
    Population.STAFF: ("职工", "员工", "医务人员满意度", "staff"),
    DisciplineCategory.FORM_1: ("一种形态", "第1种形态"),
    DisciplineCategory.FORM_2: ("二种形态", "第2种形态"),
    DisciplineCategory.FORM_3: ("三种形态", "第3种形态"),
    DisciplineCategory.FORM_4: ("四种形态", "第4种形态"),
    DisciplineCategory.ETHICS_COMPLAINT: ("医德医风", "投诉"),
    DisciplineCategory.HOTLINE_COMPLAINT: ("12345", "接诉即办", "热线投诉"),
    DisciplineCategory.EIGHT_POINT_VIOLATION: ("八项规定",),
    RectificationStatus.IN_PROGRESS: ("未整改", "进行中", "未完成", "open"),
    RectificationStatus.COMPLETED: ("已完成", "已销号", "完成", "closed"),
    RectificationStatus.NOT_REQUIRED: ("无", "不需整改"),
    ActivityStatus.HELD: ("已开展", "已举行", "召开", "已完成", "是"),
    ActivityStatus.NOT_HELD: ("未开展", "未举行", "延期", "否"),
    ActivityStatus.CANCELLED: ("已取消", "取消召开"),
}

# Load order: organisation first, so records in the same call can refer to it.
LOAD_ORDER: tuple[RecordKind, ...] = tuple(RecordKind)


def enum_aliases(enum: type[LabelledEnum]) -> dict[str, str]:
    """Every accepted spelling (normalised) → the value's code."""
    table: dict[str, str] = {}
    for member in enum:
        for spelling in (member.value, member.zh, member.en, *ENUM_ALIASES.get(member, ())):
            table[normalise_header(spelling)] = member.value
    return table


@functools.cache  # matching a file of 16,384 columns asks this of every field for every header
def header_aliases(field: Field) -> dict[str, str]:
    """Normalised header → which column of the field it is: 'code' or 'name' (refs) or 'value'."""
    out = {normalise_header(a): "name" for a in field.name_aliases}
    out.update({normalise_header(a): ("code" if field.type == "ref" else "value") for a in field.aliases})
    return out


@dataclass(frozen=True)
class HeaderMatch:
    """How a file's headers map onto one kind's fields."""

    kind: RecordKind
    columns: dict[str, tuple[int, str]]  # field name → (column index, 'value' | 'code' | 'name')
    missing: tuple[Field, ...]  # required fields with no column
    unknown: tuple[int, ...]  # columns that match no field

    @property
    def score(self) -> int:
        return len(self.columns) - 3 * len(self.missing)


def match_headers(headers: list[str], kind: RecordKind, mapping: dict[str, str] | None = None) -> HeaderMatch:
    """Map headers to `kind`'s fields; `mapping` (raw header → field name, or '' to ignore) overrides aliases."""
    mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
    columns: dict[str, tuple[int, str]] = {}
    rank: dict[str, tuple[int, int]] = {}  # field → (code before name, position of the alias): lower wins
    unknown: list[int] = []
    fields = FIELDS[kind]
    for index, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            continue
        if key in mapping:
            chosen = next((f for f in fields if f.name == mapping[key]), None)
            if chosen is None:
                continue  # mapped to "ignore"
            candidates = [(chosen, "code" if chosen.type == "ref" else "value", (-1, -1))]
        else:
            candidates = [
                (field, role, (0 if role != "name" else 1, _alias_position(field, key)))
                for field in fields
                if (role := header_aliases(field).get(key)) is not None
            ][:1]
        if not candidates:
            unknown.append(index)
            continue
        field, role, order = candidates[0]
        if field.name in columns:
            # Two columns for one field (活动时间 and 活动日期, or a header twice): keep the more specific
            # alias, or the first; the other is reported as not used.
            if order < rank[field.name]:
                unknown.append(columns[field.name][0])
            else:
                unknown.append(index)
                continue
        columns[field.name] = (index, role)
        rank[field.name] = order
    missing = tuple(f for f in fields if f.required and f.name not in columns)
    return HeaderMatch(kind, columns, missing, tuple(sorted(unknown)))


def _alias_position(field: Field, key: str) -> int:
    aliases = _normalised_aliases(field)
    return aliases.index(key) if key in aliases else len(aliases)


@functools.cache
def _normalised_aliases(field: Field) -> list[str]:
    return [normalise_header(a) for a in (*field.aliases, *field.name_aliases)]


def detect_kind(headers: list[str], mapping: dict[str, str] | None = None) -> list[HeaderMatch]:
    """Kinds ordered from best to worst match; complete matches (no missing field) first."""
    matches = [match_headers(headers, kind, mapping) for kind in RecordKind]
    return sorted(matches, key=lambda m: (bool(m.missing), -m.score))


def looks_like_header(cells: list[object]) -> int:
    """How many cells of a row are known header aliases of any kind (to find the header below title rows)."""
    known = _known_aliases()
    return sum(normalise_header(c) in known for c in cells if c is not None and str(c).strip())


@functools.cache
def _known_aliases() -> frozenset[str]:
    return frozenset(
        normalise_header(a) for fields in FIELDS.values() for f in fields for a in (*f.aliases, *f.name_aliases)
    )


def field_label(field: Field, lang: str) -> str:
    """A field's name for people, in `lang` (satisfaction items are named by their enum)."""
    if field.label_key in STRINGS:
        return t(field.label_key, lang)
    if field.name.startswith("item_"):
        return SatisfactionItem(field.name.removeprefix("item_")).label(lang)
    return field.name


def expectation(field: Field, lang: str) -> str:
    """What a cell of `field` must hold, for error messages and the templates' notes."""
    if field.type == "enum":
        values = ("、" if lang == "zh" else ", ").join(m.label(lang) for m in field.enum)
        return t("expect.enum", lang, values=values)
    if field.type == "ref":
        return t(f"expect.ref.{field.ref}", lang)
    if field.type in ("text", "persons"):
        return t(f"template.{field.type}", lang)
    return t(f"expect.{field.type}", lang)
