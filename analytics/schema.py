"""The five kinds of record, as pydantic models and labelled enums.

Every enum value is a stable English code (stored in the database) with a Chinese and an English label
(shown to users). Importers match either label or the code; pages show `member.label(lang)`.
The database tables in `db.py` mirror these models column for column.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese and an English label: `X = "code", "中文", "English"`."""

    zh: str
    en: str

    def __new__(cls, code: str, zh: str, en: str) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.zh = zh
        member.en = en
        return member

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    @classmethod
    def parse(cls, text: str) -> Self:
        """The member whose code, Chinese or English label equals `text` (case-insensitive, trimmed)."""
        key = text.strip().casefold()
        for member in cls:
            if key in (member.value.casefold(), member.zh.casefold(), member.en.casefold()):
                return member
        raise ValueError(f"{text!r} is not a {cls.__name__}")


class DepartmentCategory(LabelledEnum):
    """科室类别: the categories hospital registers use (DOMAIN.md); spellings such as 行政 or 临床科室 are
    aliases of these (see `fields.ENUM_ALIASES`)."""

    CLINICAL = "clinical", "临床", "Clinical"
    MEDICAL_TECHNICAL = "medical_technical", "医技", "Medical-technical"
    MEDICAL_SUPPORT = "medical_support", "医辅", "Medical support"
    NURSING = "nursing", "护理", "Nursing"
    ADMINISTRATIVE = "administrative", "职能", "Administrative"
    LOGISTICS = "logistics", "后勤", "Logistics"
    RESEARCH = "research", "科研", "Research"
    TEACHING = "teaching", "教学", "Teaching"


class ActivityType(LabelledEnum):
    """Party-building activity types. The first four are 三会一课; then 主题党日, 组织生活会 and 民主评议党员,
    the other organisational life with a required frequency."""

    BRANCH_GENERAL_MEETING = "branch_general_meeting", "支部党员大会", "Branch general meeting"
    BRANCH_COMMITTEE_MEETING = "branch_committee_meeting", "支部委员会会议", "Branch committee meeting"
    PARTY_GROUP_MEETING = "party_group_meeting", "党小组会", "Party group meeting"
    PARTY_LECTURE = "party_lecture", "党课", "Party lecture"
    THEME_PARTY_DAY = "theme_party_day", "主题党日", "Theme party day"
    ORGANIZATIONAL_LIFE_MEETING = "organizational_life_meeting", "组织生活会", "Organisational life meeting"
    DEMOCRATIC_APPRAISAL = "democratic_appraisal", "民主评议党员", "Democratic appraisal of members"
    THEORY_STUDY = "theory_study", "理论学习", "Theory study"
    VOLUNTEER_SERVICE = "volunteer_service", "志愿服务", "Volunteer service"
    FREE_CLINIC = "free_clinic", "义诊", "Free clinic"
    HEALTH_EDUCATION = "health_education", "健康科普", "Health education"
    HEART_TO_HEART_TALK = "heart_to_heart_talk", "谈心谈话", "Heart-to-heart talk"
    WARNING_EDUCATION = "warning_education", "警示教育", "Warning education"
    INTEGRITY_TALK = "integrity_talk", "廉政谈话", "Integrity talk"
    PARTY_PLUS_PROJECT = "party_plus_project", "党建+项目", "Party+ project"
    DEMONSTRATION_POST = "demonstration_post", "党员示范岗", "Party member demonstration post"
    TRAINING = "training", "培训", "Training"
    OTHER = "other", "其他", "Other"


class ActivityStatus(LabelledEnum):
    """Whether a planned activity took place (召开情况); only held ones count."""

    HELD = "held", "已召开", "Held"
    NOT_HELD = "not_held", "未召开", "Not held"
    CANCELLED = "cancelled", "取消", "Cancelled"


# 三会一课 and the other organisational-life meetings with a required minimum frequency
# (Regulations on the Work of Party Branches, 2018). Later issues make these settings.
REQUIRED_MEETINGS_PER_YEAR: dict[ActivityType, int] = {
    ActivityType.BRANCH_GENERAL_MEETING: 4,
    ActivityType.BRANCH_COMMITTEE_MEETING: 12,
    ActivityType.PARTY_GROUP_MEETING: 12,
    ActivityType.PARTY_LECTURE: 4,
    ActivityType.THEME_PARTY_DAY: 12,
    ActivityType.ORGANIZATIONAL_LIFE_MEETING: 1,
    ActivityType.DEMOCRATIC_APPRAISAL: 1,
}

# 三会一课 is exactly these four (DOMAIN.md): 支部党员大会、支委会、党小组会、党课. The theme party day (主题党日) is a
# separate monthly requirement reported beside it, never counted inside it (`metrics.meeting_compliance`).
THREE_MEETINGS_ONE_LESSON: tuple[ActivityType, ...] = (
    ActivityType.BRANCH_GENERAL_MEETING,
    ActivityType.BRANCH_COMMITTEE_MEETING,
    ActivityType.PARTY_GROUP_MEETING,
    ActivityType.PARTY_LECTURE,
)

# Organisational life (组织生活): the meetings attendance is measured over. Service events (志愿服务, 义诊 …)
# carry the whole branch as their expected headcount while a few members serve, so counting them would make
# attendance fall whenever a branch does more service (issue 13: an artefact "finding" on the demo).
ORGANISATIONAL_LIFE: frozenset[ActivityType] = frozenset(
    {
        ActivityType.BRANCH_GENERAL_MEETING,
        ActivityType.BRANCH_COMMITTEE_MEETING,
        ActivityType.PARTY_GROUP_MEETING,
        ActivityType.PARTY_LECTURE,
        ActivityType.THEME_PARTY_DAY,
        ActivityType.ORGANIZATIONAL_LIFE_MEETING,
    }
)

# Activities that count as service to patients and the public (volunteer/service hours).
SERVICE_ACTIVITIES: frozenset[ActivityType] = frozenset(
    {ActivityType.VOLUNTEER_SERVICE, ActivityType.FREE_CLINIC, ActivityType.HEALTH_EDUCATION}
)


class SixImprovement(LabelledEnum):
    """六提升: the dimension an activity strengthens (seed 002)."""

    LEADERSHIP = "leadership", "领导力", "Leadership"
    CENTRIPETAL_FORCE = "centripetal_force", "向心力", "Centripetal force"
    COMBAT_EFFECTIVENESS = "combat_effectiveness", "战斗力", "Combat effectiveness"
    COHESION = "cohesion", "凝聚力", "Cohesion"
    EXECUTION = "execution", "执行力", "Execution"
    INTERNAL_DRIVE = "internal_drive", "内驱力", "Internal drive"


class Population(LabelledEnum):
    """Who answered a satisfaction survey: the three national assessment indicators."""

    OUTPATIENT = "outpatient", "门诊患者", "Outpatients"
    INPATIENT = "inpatient", "住院患者", "Inpatients"
    STAFF = "staff", "医务人员", "Medical staff"


class SatisfactionItem(LabelledEnum):
    """Dimension items of a satisfaction response (0–100 each); patients and staff answer different ones.

    Each is a nullable column `item_<code>` in `satisfaction_responses`.
    """

    ENVIRONMENT = "environment", "就医环境", "Environment"
    DOCTOR_COMMUNICATION = "doctor_communication", "医生沟通", "Doctor communication"
    NURSE_COMMUNICATION = "nurse_communication", "护士沟通", "Nurse communication"
    WAITING_TIME = "waiting_time", "等候时间", "Waiting time"
    PRIVACY = "privacy", "隐私保护", "Privacy"
    COST = "cost", "费用", "Cost"
    PAY_BENEFITS = "pay_benefits", "薪酬福利", "Pay and benefits"
    DEVELOPMENT = "development", "职业发展", "Career development"
    WORK_ENVIRONMENT = "work_environment", "工作环境", "Work environment"
    SUPERIOR_RELATIONS = "superior_relations", "上级关系", "Relations with superiors"
    PEER_RELATIONS = "peer_relations", "同事关系", "Relations with peers"

    @property
    def column(self) -> str:
        return f"item_{self.value}"


PATIENT_ITEMS: tuple[SatisfactionItem, ...] = tuple(SatisfactionItem)[:6]
STAFF_ITEMS: tuple[SatisfactionItem, ...] = tuple(SatisfactionItem)[6:]


class DisciplineCategory(LabelledEnum):
    """Discipline-inspection record categories, the four forms (四种形态) first."""

    FORM_1 = "form_1", "第一种形态", "First form"
    FORM_2 = "form_2", "第二种形态", "Second form"
    FORM_3 = "form_3", "第三种形态", "Third form"
    FORM_4 = "form_4", "第四种形态", "Fourth form"
    INTEGRITY_TALK = "integrity_talk", "廉政谈话", "Integrity talk"
    PETITION_REPORT = "petition_report", "信访举报", "Petition or report"
    ETHICS_COMPLAINT = "ethics_complaint", "医德医风投诉", "Medical-ethics complaint"
    HOTLINE_COMPLAINT = "hotline_complaint", "12345接诉即办", "12345 hotline complaint"
    SUPERVISION_PROPOSAL = "supervision_proposal", "监督建议书", "Supervision proposal"
    WARNING_EDUCATION = "warning_education", "警示教育", "Warning education"
    EIGHT_POINT_VIOLATION = "eight_point_violation", "违反八项规定", "Eight-point Regulation violation"
    PRAISE_LETTER = "praise_letter", "表扬信", "Praise letter"
    RED_ENVELOPE_REFUSED = "red_envelope_refused", "拒收红包", "Red envelope refused"


FOUR_FORMS: tuple[DisciplineCategory, ...] = tuple(DisciplineCategory)[:4]


class RectificationStatus(LabelledEnum):
    """Where a record's rectification (整改) stands; overdue is derived from the deadline, not stored."""

    NOT_REQUIRED = "not_required", "无需整改", "No rectification"
    IN_PROGRESS = "in_progress", "整改中", "In progress"
    COMPLETED = "completed", "已整改", "Completed"


class PeriodGrain(LabelledEnum):
    MONTH = "month", "月", "Month"
    QUARTER = "quarter", "季度", "Quarter"
    YEAR = "year", "年", "Year"


class RecordKind(LabelledEnum):
    """The kinds of file the party office uploads; each import batch is of one kind."""

    BRANCHES = "branches", "党支部", "Party branches"
    DEPARTMENTS = "departments", "科室", "Departments"
    ACTIVITIES = "activities", "党建活动", "Party-building activities"
    SATISFACTION_RESPONSES = "satisfaction_responses", "满意度（逐条答卷）", "Satisfaction (responses)"
    SATISFACTION_AGGREGATES = "satisfaction_aggregates", "满意度（科室汇总）", "Satisfaction (aggregates)"
    DISCIPLINE = "discipline", "纪检监察记录", "Discipline records"


# --- Records -------------------------------------------------------------------------------------------

_STRICT = ConfigDict(extra="forbid", frozen=True)
Score = Field(ge=0, le=100)


class Branch(BaseModel):
    """党支部. A joint branch (联合党支部) spans several departments."""

    model_config = _STRICT
    branch_code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    is_joint: bool = False
    member_count: int = Field(ge=0)
    secretary_double_leader: bool | None = None  # 书记是否双带头人


class Department(BaseModel):
    """科室; belongs to exactly one branch."""

    model_config = _STRICT
    department_code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    category: DepartmentCategory
    staff_count: int = Field(ge=0)
    branch_code: str = Field(min_length=1)


class Activity(BaseModel):
    """One party-building activity of a branch (三会一课, 主题党日, service...)."""

    model_config = _STRICT
    activity_date: dt.date
    branch_code: str = Field(min_length=1)
    activity_type: ActivityType
    topic: str = ""
    attended: int = Field(ge=0)
    expected: int | None = Field(default=None, ge=0)
    hours: float | None = Field(default=None, ge=0, le=24)
    dimension: SixImprovement | None = None
    status: ActivityStatus = ActivityStatus.HELD
    source_id: str | None = None  # the ledger's own id (活动编号), when it has one


class SatisfactionResponse(BaseModel):
    """One answered questionnaire; scores on 0–100 (Likert answers are mapped on import)."""

    model_config = _STRICT
    submitted_at: dt.datetime
    response_id: str | None = None  # the survey platform's own id (答卷编号), when the export has one
    department_code: str = Field(min_length=1)
    population: Population
    score: float = Score
    items: dict[SatisfactionItem, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _items_in_range(self) -> SatisfactionResponse:
        for item, value in self.items.items():
            if not 0 <= value <= 100:
                raise ValueError(f"{item.value} score {value} is outside 0–100")
        return self


class SatisfactionAggregate(BaseModel):
    """A department's score for one period and population, with its number of respondents."""

    model_config = _STRICT
    department_code: str = Field(min_length=1)
    period_grain: PeriodGrain
    period_start: dt.date
    population: Population
    score: float = Score
    respondents: int = Field(gt=0)


class DisciplineRecord(BaseModel):
    """A discipline-inspection record. Persons are stored only as keyed pseudonyms (see `privacy.py`)."""

    model_config = _STRICT
    record_date: dt.date
    department_code: str = Field(min_length=1)
    category: DisciplineCategory
    summary: str = ""
    persons_pseudonymised: list[str] = Field(default_factory=list)
    status: RectificationStatus = RectificationStatus.NOT_REQUIRED
    rectification_deadline: dt.date | None = None
    rectification_completed: dt.date | None = None
    source_id: str | None = None  # the ledger's own id (案件编号), when it has one

    @model_validator(mode="after")
    def _completion_consistent(self) -> DisciplineRecord:
        if self.rectification_completed and self.rectification_completed < self.record_date:
            raise ValueError("rectification completed before the record date")
        return self


class ImportBatch(BaseModel):
    """One imported file (or one kind of demo data); every stored row points at its batch."""

    model_config = ConfigDict(frozen=True)
    batch_id: int
    file_name: str
    sha256: str | None
    kind: RecordKind
    rows: int = Field(ge=0)
    imported_by: str | None = None
    imported_at: dt.datetime


class StatusReport(BaseModel):
    """What `python -m analytics status --json` prints."""

    schema_version: int
    counts: dict[str, int]
    batches: int
