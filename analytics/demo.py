"""Deterministic demo data for a 1,500-bed general hospital, with planted relations to test against.

The hospital: 24 party branches (13 of them joint branches, 联合党支部) over 40 departments (28 clinical,
6 medical-technical, 6 administrative), three years (2023–2025) by quarter. At `scale=1` there are about
15,000 individual satisfaction responses; `scale` multiplies only them (`scale=300` ≈ 4.5 million,
`scale=600` ≈ 9 million). Branches, departments, activities, department aggregates and discipline records do
not scale.

How the data is made:
* Each branch has a latent *engagement* per quarter (its own level plus an AR(1) drift). Every required
  meeting of 三会一课 and the theme party day is held in a month or quarter with that probability, so a
  branch's realised **三会一课 compliance** varies from quarter to quarter.
* Each branch has an independent latent *service* level per quarter that sets how many volunteer services,
  free clinics and health-education events (志愿服务/义诊/健康科普) it runs: realised **service hours per
  member** = Σ(hours × attendees) ÷ party members, per quarter.
* Satisfaction scores (0–100) are drawn around a department × population mean: a population base
  (outpatient 82, inpatient 84, staff 76), a fixed department effect (sd 3), a trend of +0.2 per quarter,
  and the planted effects below. Responses scatter around that mean with sd 9; national-platform
  aggregates (one row per department × quarter × population with a respondent count) carry sampling noise
  of sd 9/√n. Medical-technical departments have no inpatients; administrative ones only staff.
* **One satisfaction source per department × quarter × population** (the counting rule, see
  `analytics/metrics.py`): the hospital's own survey system went live in 2024Q3 (`OWN_SURVEY_FROM`). The six
  quarters before it are the national platform's quarterly aggregates only (612 rows), the six from it on the
  hospital's own individual responses only, with item scores. So every aggregate counts, nothing is counted
  twice, and a year such as 2024 adds up both kinds. Both kinds are drawn for every quarter and then cut, so
  the random draws (and everything drawn after them) are those of a demo with both everywhere.

Planted relations (`PLANTED`, checked by `tests/test_demo.py` with an independent pandas/scipy computation on
the source that counts in each quarter, aggregates before 2024Q3 and responses after):
1. **Inpatient satisfaction rises with the branch's 三会一课 compliance of the previous quarter (lag 1):**
   +0.8 points per 10 percentage points of compliance. Compliance is the mean, over the four meetings of
   三会一课 (支部委员会会议 and 党小组会 monthly; 支部党员大会 and 党课 quarterly), of min(held ÷ required, 1)
   in the quarter. The theme party day (主题党日, monthly) is held with the same engagement but is not part
   of 三会一课 and carries no planted effect of its own.
2. **Outpatient satisfaction rises with the branch's service hours per member in the same quarter
   (lag 0):** +1.0 point per service hour per member.
3. **Staff satisfaction has no relation** to any party-building metric (the planted null).
Discipline records arrive at random (Poisson, by category, proportional to staff) and are planted
independent of everything else.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import queries
from analytics.db import Database
from analytics.periods import quarter_starts
from analytics.privacy import pseudonymise
from analytics.schema import (
    PATIENT_ITEMS,
    STAFF_ITEMS,
    THREE_MEETINGS_ONE_LESSON,
    ActivityType,
    DepartmentCategory,
    DisciplineCategory,
    Population,
    RecordKind,
    RectificationStatus,
    SatisfactionItem,
    SixImprovement,
)

HOSPITAL_NAME = "示范市第一人民医院"
FIRST_YEAR, LAST_YEAR = 2023, 2025
AS_OF = dt.date(LAST_YEAR, 12, 31)  # the demo's "today": rectifications open after this are in progress
# The hospital's own survey system went live on this day: earlier quarters' satisfaction is the national
# platform's quarterly aggregates only, this quarter on the hospital's own individual responses only.
OWN_SURVEY_FROM = dt.date(2024, 7, 1)


@dataclass(frozen=True)
class PlantedRelation:
    metric: str
    outcome: Population
    lag: int  # quarters between the metric and the outcome
    slope: float  # outcome points per metric unit
    unit: str


PLANTED: tuple[PlantedRelation, ...] = (
    PlantedRelation("meeting_compliance", Population.INPATIENT, 1, 0.08, "percentage point of compliance"),
    PlantedRelation("service_hours_per_member", Population.OUTPATIENT, 0, 1.0, "service hour per member"),
)
PLANTED_NULL = Population.STAFF

_COMPLIANCE_CENTRE = 75.0  # compliance (%) at which the planted effect is zero
_HOURS_CENTRE = 1.0

# (code, name, category, staff, branch code). The first six departments and four branches are those of
# ../shared/samples, with the same staff and members, so the sample registers import as "unchanged".
C, M, A = DepartmentCategory.CLINICAL, DepartmentCategory.MEDICAL_TECHNICAL, DepartmentCategory.ADMINISTRATIVE
DEPARTMENTS: tuple[tuple[str, str, DepartmentCategory, int, str], ...] = (
    ("D01", "心血管内科", C, 85, "DZB01"),
    ("D02", "呼吸与危重症医学科", C, 70, "DZB01"),
    ("D03", "普通外科", C, 96, "DZB02"),
    ("D04", "检验科", M, 40, "DZB03"),
    ("D05", "影像科", M, 38, "DZB03"),
    ("D06", "党委办公室", A, 15, "DZB04"),
    ("D07", "消化内科", C, 78, "DZB05"),
    ("D08", "内分泌科", C, 52, "DZB05"),
    ("D09", "神经内科", C, 88, "DZB06"),
    ("D10", "肾内科", C, 61, "DZB07"),
    ("D11", "血液科", C, 49, "DZB08"),
    ("D12", "肿瘤科", C, 73, "DZB08"),
    ("D13", "骨科", C, 112, "DZB09"),
    ("D14", "神经外科", C, 84, "DZB10"),
    ("D15", "胸外科", C, 55, "DZB02"),
    ("D16", "泌尿外科", C, 63, "DZB11"),
    ("D17", "心脏大血管外科", C, 70, "DZB12"),
    ("D18", "妇科", C, 68, "DZB13"),
    ("D19", "产科", C, 92, "DZB13"),
    ("D20", "儿科", C, 87, "DZB14"),
    ("D21", "新生儿科", C, 46, "DZB14"),
    ("D22", "眼科", C, 44, "DZB15"),
    ("D23", "耳鼻咽喉科", C, 41, "DZB15"),
    ("D24", "口腔科", C, 47, "DZB15"),
    ("D25", "皮肤科", C, 32, "DZB16"),
    ("D26", "感染科", C, 45, "DZB16"),
    ("D27", "急诊科", C, 118, "DZB17"),
    ("D28", "重症医学科", C, 95, "DZB18"),
    ("D29", "麻醉科", C, 86, "DZB19"),
    ("D30", "康复医学科", C, 51, "DZB20"),
    ("D31", "中医科", C, 38, "DZB20"),
    ("D32", "病理科", M, 34, "DZB03"),
    ("D33", "超声医学科", M, 48, "DZB21"),
    ("D34", "药学部", M, 76, "DZB22"),
    ("D35", "输血科", M, 18, "DZB22"),
    ("D36", "院长办公室", A, 16, "DZB04"),
    ("D37", "纪检监察室", A, 9, "DZB04"),
    ("D38", "医务部", A, 24, "DZB23"),
    ("D39", "护理部", A, 19, "DZB23"),
    ("D40", "财务处", A, 27, "DZB24"),
)

SAMPLE_BRANCHES: dict[str, tuple[int, bool]] = {  # members, secretary is a double leader
    "DZB01": (23, True),
    "DZB02": (31, True),
    "DZB03": (17, False),
    "DZB04": (12, False),
}
BRANCH_NAMES: dict[str, str] = {
    "DZB01": "内科第一党支部",
    "DZB02": "外科党支部",
    "DZB03": "医技联合党支部",
    "DZB04": "机关党支部",
    "DZB05": "内科第二党支部",
    "DZB06": "神经内科党支部",
    "DZB07": "肾内科党支部",
    "DZB08": "血液肿瘤联合党支部",
    "DZB09": "骨科党支部",
    "DZB10": "神经外科党支部",
    "DZB11": "泌尿外科党支部",
    "DZB12": "心脏大血管外科党支部",
    "DZB13": "妇产科党支部",
    "DZB14": "儿科党支部",
    "DZB15": "五官科联合党支部",
    "DZB16": "感染皮肤联合党支部",
    "DZB17": "急诊科党支部",
    "DZB18": "重症医学科党支部",
    "DZB19": "麻醉科党支部",
    "DZB20": "康复中医联合党支部",
    "DZB21": "超声医学科党支部",
    "DZB22": "药学输血联合党支部",
    "DZB23": "机关第二党支部",
    "DZB24": "机关第三党支部",
}

TOPICS = (
    "学习贯彻党的二十大精神",
    "深入学习习近平新时代中国特色社会主义思想",
    "党纪学习教育",
    "医德医风专题教育",
    "改善就医感受、提升患者体验",
    "公立医院高质量发展",
    "廉洁从医警示教育",
    "进一步改善医疗服务行动计划",
    "主题教育专题研讨",
    "安全生产与医疗质量",
)
SERVICE_TOPICS = ("社区义诊", "健康科普进社区", "门诊导医志愿服务", "慢病管理健康讲座", "无偿献血志愿活动")
SUMMARIES: dict[DisciplineCategory, str] = {
    DisciplineCategory.FORM_1: "谈话提醒：工作作风问题",
    DisciplineCategory.FORM_2: "党内警告：违规收受礼品",
    DisciplineCategory.FORM_3: "撤销职务：违规采购",
    DisciplineCategory.FORM_4: "移送审查：严重违纪",
    DisciplineCategory.INTEGRITY_TALK: "新任科室负责人廉政谈话",
    DisciplineCategory.PETITION_REPORT: "群众来信反映科室管理问题",
    DisciplineCategory.ETHICS_COMPLAINT: "患者投诉服务态度",
    DisciplineCategory.HOTLINE_COMPLAINT: "12345热线反映候诊时间长",
    DisciplineCategory.SUPERVISION_PROPOSAL: "就耗材管理制发监督建议书",
    DisciplineCategory.WARNING_EDUCATION: "观看警示教育片",
    DisciplineCategory.EIGHT_POINT_VIOLATION: "违规公款吃喝",
    DisciplineCategory.PRAISE_LETTER: "患者来信表扬",
    DisciplineCategory.RED_ENVELOPE_REFUSED: "拒收患者家属红包",
}
# Expected records per department-quarter for a department of 60 staff.
DISCIPLINE_RATES: dict[DisciplineCategory, float] = {
    DisciplineCategory.FORM_1: 0.25,
    DisciplineCategory.FORM_2: 0.04,
    DisciplineCategory.FORM_3: 0.012,
    DisciplineCategory.FORM_4: 0.004,
    DisciplineCategory.INTEGRITY_TALK: 0.35,
    DisciplineCategory.PETITION_REPORT: 0.08,
    DisciplineCategory.ETHICS_COMPLAINT: 0.15,
    DisciplineCategory.HOTLINE_COMPLAINT: 0.10,
    DisciplineCategory.SUPERVISION_PROPOSAL: 0.03,
    DisciplineCategory.WARNING_EDUCATION: 0.10,
    DisciplineCategory.EIGHT_POINT_VIOLATION: 0.01,
    DisciplineCategory.PRAISE_LETTER: 0.8,
    DisciplineCategory.RED_ENVELOPE_REFUSED: 0.3,
}
NEEDS_RECTIFICATION = frozenset(
    {
        *DISCIPLINE_RATES.keys()
        - {
            DisciplineCategory.INTEGRITY_TALK,
            DisciplineCategory.WARNING_EDUCATION,
            DisciplineCategory.PRAISE_LETTER,
            DisciplineCategory.RED_ENVELOPE_REFUSED,
        }
    }
)
NAMES_PERSONS = frozenset(
    {*NEEDS_RECTIFICATION - {DisciplineCategory.SUPERVISION_PROPOSAL}, DisciplineCategory.PRAISE_LETTER}
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"

# Monthly-required and quarterly-required meetings held every quarter; all but the theme party day are 三会一课,
# the four that define the planted compliance.
MONTHLY_MEETINGS = (
    ActivityType.BRANCH_COMMITTEE_MEETING,
    ActivityType.PARTY_GROUP_MEETING,
    ActivityType.THEME_PARTY_DAY,
)
QUARTERLY_MEETINGS = (ActivityType.BRANCH_GENERAL_MEETING, ActivityType.PARTY_LECTURE)
SERVICE_TYPES = (ActivityType.VOLUNTEER_SERVICE, ActivityType.FREE_CLINIC, ActivityType.HEALTH_EDUCATION)
DIMENSION_OF: dict[ActivityType, SixImprovement] = {
    ActivityType.BRANCH_GENERAL_MEETING: SixImprovement.LEADERSHIP,
    ActivityType.BRANCH_COMMITTEE_MEETING: SixImprovement.COMBAT_EFFECTIVENESS,
    ActivityType.PARTY_GROUP_MEETING: SixImprovement.COMBAT_EFFECTIVENESS,
    ActivityType.PARTY_LECTURE: SixImprovement.CENTRIPETAL_FORCE,
    ActivityType.THEME_PARTY_DAY: SixImprovement.CENTRIPETAL_FORCE,
    ActivityType.THEORY_STUDY: SixImprovement.CENTRIPETAL_FORCE,
    ActivityType.VOLUNTEER_SERVICE: SixImprovement.COHESION,
    ActivityType.FREE_CLINIC: SixImprovement.COHESION,
    ActivityType.HEALTH_EDUCATION: SixImprovement.COHESION,
    ActivityType.WARNING_EDUCATION: SixImprovement.EXECUTION,
    ActivityType.PARTY_PLUS_PROJECT: SixImprovement.INTERNAL_DRIVE,
}


@dataclass(frozen=True)
class DemoData:
    """Generated tables, shaped like the database tables (discipline persons still as plain names)."""

    branches: pd.DataFrame
    departments: pd.DataFrame
    activities: pd.DataFrame
    responses: pd.DataFrame
    aggregates: pd.DataFrame
    discipline: pd.DataFrame


def generate(seed: int = 1, scale: float = 1.0) -> DemoData:
    """Make the demo hospital's data; the same `seed` and `scale` always give the same tables."""
    rng = np.random.default_rng(seed)
    quarters = quarter_starts(FIRST_YEAR, LAST_YEAR)
    departments = _departments()
    branches = _branches(departments, rng)
    activities, realised = _activities(branches, quarters, rng)
    responses, aggregates = _satisfaction(departments, realised, quarters, scale, rng)
    discipline = _discipline(departments, quarters, rng)
    return DemoData(branches, departments, activities, responses, aggregates, discipline)


def _departments() -> pd.DataFrame:
    return pd.DataFrame(
        [(code, name, cat.value, staff, branch) for code, name, cat, staff, branch in DEPARTMENTS],
        columns=["department_code", "name", "category", "staff_count", "branch_code"],
    )


def _branches(departments: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    per_branch = departments.groupby("branch_code").agg(staff=("staff_count", "sum"), n=("name", "size"))
    codes = list(BRANCH_NAMES)
    member_share = rng.uniform(0.22, 0.38, len(codes))  # party members among staff
    branches = pd.DataFrame(
        {
            "branch_code": codes,
            "name": [BRANCH_NAMES[c] for c in codes],
            "is_joint": per_branch.loc[codes, "n"].to_numpy() > 1,
            "member_count": np.maximum(3, np.round(per_branch.loc[codes, "staff"].to_numpy() * member_share)).astype(
                int
            ),
            "secretary_double_leader": rng.random(len(codes)) < 0.6,
        }
    )
    for code, (members, double_leader) in SAMPLE_BRANCHES.items():
        row = branches["branch_code"] == code
        branches.loc[row, "member_count"] = members
        branches.loc[row, "secretary_double_leader"] = double_leader
    return branches


def _latent(rng: np.random.Generator, n_units: int, n_periods: int, low: float, high: float, sd: float):
    """A per-unit level plus AR(1) drift, clipped to [0.05, 1] of its range: shape (units, periods)."""
    level = rng.uniform(low, high, n_units)
    drift = np.zeros((n_units, n_periods))
    for t in range(1, n_periods):
        drift[:, t] = 0.5 * drift[:, t - 1] + rng.normal(0, sd, n_units)
    return level[:, None] + drift


def _activities(branches: pd.DataFrame, quarters: pd.DatetimeIndex, rng: np.random.Generator):
    """Activities of every branch, and the realised per branch-quarter metrics the planting uses."""
    n_b, n_q = len(branches), len(quarters)
    engagement = np.clip(_latent(rng, n_b, n_q, 0.55, 0.92, 0.14), 0.15, 1.0)
    service = np.clip(_latent(rng, n_b, n_q, 0.4, 1.6, 0.35), 0.05, None)
    rows: list[tuple] = []
    held = np.zeros((n_b, n_q))  # summed min(held/required, 1) over the four meetings of 三会一课
    service_person_hours = np.zeros((n_b, n_q))
    members = branches["member_count"].to_numpy()

    def add(b: int, day: pd.Timestamp, kind: ActivityType, topic: str, attend_p: float, hours: float) -> int:
        attended = int(rng.binomial(members[b], min(attend_p, 1.0)))
        dim = DIMENSION_OF.get(kind)
        dimension = dim.value if dim is not None and rng.random() < 0.8 else None
        rows.append(
            (
                day.date(),
                branches.at[b, "branch_code"],
                kind.value,
                topic,
                attended,
                int(members[b]),
                hours,
                dimension,
            )
        )
        return attended

    for b in range(n_b):
        for q, start in enumerate(quarters):
            e = engagement[b, q]
            attend_p = 0.72 + 0.25 * e
            for kind in MONTHLY_MEETINGS:
                months_held = 0
                for month in range(3):
                    if rng.random() < e:
                        months_held += 1
                        day = start + pd.DateOffset(months=month, days=int(rng.integers(0, 27)))
                        add(b, day, kind, TOPICS[rng.integers(len(TOPICS))], attend_p, _hours(rng))
                if kind in THREE_MEETINGS_ONE_LESSON:
                    held[b, q] += min(months_held / 3, 1.0)
            for kind in QUARTERLY_MEETINGS:
                times = int(rng.random() < e) + int(rng.random() < 0.1 * e)
                for _ in range(times):
                    day = start + pd.DateOffset(days=int(rng.integers(0, 88)))
                    add(b, day, kind, TOPICS[rng.integers(len(TOPICS))], attend_p, _hours(rng))
                held[b, q] += min(times, 1)
            if start.month == 10:  # the year's organisational life meeting and democratic appraisal
                for kind in (ActivityType.ORGANIZATIONAL_LIFE_MEETING, ActivityType.DEMOCRATIC_APPRAISAL):
                    if rng.random() < 0.92:
                        day = start + pd.DateOffset(months=2, days=int(rng.integers(0, 25)))
                        add(b, day, kind, "年度组织生活会暨民主评议党员", 0.95, 3.0)
            for _ in range(rng.poisson(2.0 * service[b, q])):
                kind = SERVICE_TYPES[rng.integers(len(SERVICE_TYPES))]
                hours = float(rng.choice([2.0, 2.5, 3.0, 4.0]))
                day = start + pd.DateOffset(days=int(rng.integers(0, 88)))
                service_person_hours[b, q] += hours * add(
                    b, day, kind, SERVICE_TOPICS[rng.integers(len(SERVICE_TOPICS))], 0.3, hours
                )
            for kind, rate in (
                (ActivityType.THEORY_STUDY, 1.2),
                (ActivityType.PARTY_PLUS_PROJECT, 0.4),
                (ActivityType.WARNING_EDUCATION, 0.25),
                (ActivityType.HEART_TO_HEART_TALK, 0.5),
            ):
                for _ in range(rng.poisson(rate)):
                    day = start + pd.DateOffset(days=int(rng.integers(0, 88)))
                    add(b, day, kind, TOPICS[rng.integers(len(TOPICS))], 0.6 + 0.3 * e, _hours(rng))

    activities = pd.DataFrame(
        rows,
        columns=[
            "activity_date",
            "branch_code",
            "activity_type",
            "topic",
            "attended",
            "expected",
            "hours",
            "dimension",
        ],
    )
    activities = activities.sort_values(["activity_date", "branch_code", "activity_type"], kind="stable")
    activities.insert(0, "activity_id", np.arange(1, len(activities) + 1))
    realised = {
        "compliance": 100 * held / len(THREE_MEETINGS_ONE_LESSON),
        "hours_per_member": service_person_hours / members[:, None],
        "branch_index": {code: i for i, code in enumerate(branches["branch_code"])},
    }
    return activities.reset_index(drop=True), realised


def _hours(rng: np.random.Generator) -> float:
    return float(rng.choice([1.0, 1.5, 2.0]))


def _satisfaction(departments, realised, quarters, scale, rng):
    """Responses (quarters from `OWN_SURVEY_FROM` on) and national-platform aggregates (the quarters before)
    around each department × quarter × population mean: one source per cell, so none is left uncounted.
    Both are drawn for every cell and then cut, so the random draws after them stay the same."""
    base = {Population.OUTPATIENT: 82.0, Population.INPATIENT: 84.0, Population.STAFF: 76.0}
    # Mean respondents per department-quarter of the hospital's own survey, for an 80-staff department.
    per_cell = {Population.OUTPATIENT: 38.0, Population.INPATIENT: 32.0, Population.STAFF: 19.0}
    cells = []
    for _, dep in departments.iterrows():
        b = realised["branch_index"][dep["branch_code"]]
        populations = [Population.STAFF]
        if dep["category"] != DepartmentCategory.ADMINISTRATIVE:
            populations.insert(0, Population.OUTPATIENT)
        if dep["category"] == DepartmentCategory.CLINICAL:
            populations.insert(1, Population.INPATIENT)
        for pop in populations:
            effect = rng.normal(0, 3)
            for q, start in enumerate(quarters):
                mean = base[pop] + effect + 0.2 * q
                if pop is Population.INPATIENT and q > 0:
                    mean += PLANTED[0].slope * (realised["compliance"][b, q - 1] - _COMPLIANCE_CENTRE)
                if pop is Population.OUTPATIENT:
                    mean += PLANTED[1].slope * (realised["hours_per_member"][b, q] - _HOURS_CENTRE)
                size = dep["staff_count"] / 80 if pop is Population.STAFF else (dep["staff_count"] / 80) ** 0.5
                cells.append((dep["department_code"], pop.value, start, mean, per_cell[pop] * size * scale))
    cell = pd.DataFrame(cells, columns=["department_code", "population", "start", "mean", "expected_n"])

    n = rng.poisson(cell["expected_n"].to_numpy())
    idx = np.repeat(np.arange(len(cell)), n)
    starts = cell["start"].to_numpy()[idx]
    offsets = rng.uniform(0, 90 * 86400, len(idx)).astype("int64")
    submitted = (starts + offsets.astype("timedelta64[s]")).astype("datetime64[s]")
    score = np.clip(np.round(rng.normal(cell["mean"].to_numpy()[idx], 9.0)), 0, 100)
    responses = pd.DataFrame(
        {
            "submitted_at": submitted,
            "department_code": cell["department_code"].to_numpy()[idx],
            "population": cell["population"].to_numpy()[idx],
            "score": score,
        }
    )
    is_staff = responses["population"].to_numpy() == Population.STAFF.value
    for item in SatisfactionItem:
        values = np.clip(np.round(score + rng.normal(-2.0, 6.0, len(score))), 0, 100)
        applies = is_staff if item in STAFF_ITEMS else ~is_staff
        assert item in STAFF_ITEMS or item in PATIENT_ITEMS
        responses[item.column] = np.where(applies, values, np.nan)
    own_survey = cell["start"].dt.date.to_numpy() >= OWN_SURVEY_FROM
    responses = responses[own_survey[idx]].sort_values("submitted_at", kind="stable").reset_index(drop=True)

    platform_n = np.maximum(
        1,
        rng.poisson(np.where(cell["population"] == "staff", 1.6, 4.0) * cell["expected_n"].to_numpy() / scale),
    )
    aggregates = pd.DataFrame(
        {
            "department_code": cell["department_code"],
            "period_grain": "quarter",
            "period_start": cell["start"].dt.date,
            "population": cell["population"],
            "score": np.clip(np.round(rng.normal(cell["mean"], 9.0 / np.sqrt(platform_n)), 1), 0, 100),
            "respondents": platform_n.astype(int),
        }
    )
    return responses, aggregates[~own_survey].reset_index(drop=True)


def _discipline(departments: pd.DataFrame, quarters: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for _, dep in departments.iterrows():
        for start in quarters:
            for category, rate in DISCIPLINE_RATES.items():
                for _ in range(rng.poisson(rate * dep["staff_count"] / 60)):
                    day = (start + pd.DateOffset(days=int(rng.integers(0, 90)))).date()
                    persons = []
                    if category in NAMES_PERSONS:
                        persons = [
                            SURNAMES[rng.integers(len(SURNAMES))] + GIVEN[rng.integers(len(GIVEN))]
                            for _ in range(1 + int(rng.random() < 0.2))
                        ]
                    status, deadline, completed = RectificationStatus.NOT_REQUIRED.value, None, None
                    if category in NEEDS_RECTIFICATION:
                        deadline = day + dt.timedelta(days=int(rng.choice([30, 60, 90])))
                        late = rng.random() < 0.15
                        completed = day + dt.timedelta(days=int(rng.integers(5, 30 if not late else 150)))
                        if completed > AS_OF:
                            completed = None
                        status = (RectificationStatus.COMPLETED if completed else RectificationStatus.IN_PROGRESS).value
                    rows.append(
                        (
                            day,
                            dep["department_code"],
                            category.value,
                            SUMMARIES[category],
                            persons,
                            status,
                            deadline,
                            completed,
                        )
                    )
    discipline = (
        pd.DataFrame(
            rows,
            columns=[
                "record_date",
                "department_code",
                "category",
                "summary",
                "persons",
                "status",
                "rectification_deadline",
                "rectification_completed",
            ],
        )
        .sort_values(["record_date", "department_code"], kind="stable")
        .reset_index(drop=True)
    )
    discipline.insert(0, "record_id", np.arange(1, len(discipline) + 1))
    return discipline


# --- Loading -------------------------------------------------------------------------------------------


def has_records(db: Database) -> bool:
    counts = db.reader().execute(queries.RECORD_COUNTS).fetchone()
    return any(counts)


def load(db: Database, data: DemoData, seed: int, replace: bool = False) -> None:
    """Store the demo in one transaction, one import batch per kind; refuses a database holding records."""
    if has_records(db) and not replace:
        raise ValueError(f"{db.path} already holds records; use replace=True (--force) to wipe it")
    secret = db.pseudonym_secret()
    discipline = data.discipline.assign(
        persons_pseudonymised=[[pseudonymise(name, secret) for name in names] for names in data.discipline["persons"]]
    ).drop(columns="persons")
    # The demo's organisation stands unchanged since the start of its first year.
    since = pd.Timestamp(data.activities["activity_date"].min()).to_period("Y").start_time.date()
    tables = (
        (RecordKind.BRANCHES, "branches", data.branches.assign(valid_from=since)),
        (RecordKind.DEPARTMENTS, "departments", data.departments.assign(valid_from=since)),
        (RecordKind.ACTIVITIES, "activities", data.activities),
        (RecordKind.SATISFACTION_RESPONSES, "satisfaction_responses", data.responses),
        (RecordKind.SATISFACTION_AGGREGATES, "satisfaction_aggregates", data.aggregates),
        (RecordKind.DISCIPLINE, "discipline_records", discipline),
    )
    with db.writer() as cur:
        for table in queries.RECORD_TABLES:
            cur.execute(queries.delete_all(table))
        for kind, table, frame in tables:
            batch_id = cur.execute(
                queries.INSERT_BATCH,
                [f"演示数据 demo (seed {seed})", None, kind.value, "demo", dt.datetime.now(), None],
            ).fetchone()[0]
            cur.execute(queries.FINISH_BATCH, [len(frame), 0, 0, batch_id])
            cur.register("demo_frame", frame.assign(batch_id=batch_id))
            cur.execute(queries.insert_from(table, [*frame.columns, "batch_id"], "demo_frame"))
            cur.unregister("demo_frame")
        cur.execute(queries.SET_META, ["hospital_name", HOSPITAL_NAME])
        cur.execute(queries.SET_META, ["demo_seed", str(seed)])


def build(db: Database, seed: int = 1, scale: float = 1.0, replace: bool = False) -> None:
    """Generate and store the demo hospital: what `python -m analytics demo` runs."""
    load(db, generate(seed, scale), seed, replace=replace)


# --- Demo accounts (`make run`) ---------------------------------------------------------------------------------

# One account per role, for trying the app out: (user name, role, display name).
DEMO_ACCOUNTS = (
    ("admin", "admin", "admin"),
    ("leader", "viewer", "leader"),
    ("party", "party_office", "party"),
    ("discipline", "discipline_office", "discipline"),
)


def add_demo_accounts(db: Database, path: Path) -> bool:
    """For the demo database without any account: one account per role with a random password, written
    (user name, role, password) to `path` (readable by its owner only; git-ignored under data/). Whether
    accounts were made: none are when the database has one already, or holds a hospital's own data rather
    than the demo (accounts whose passwords sit in a file must never reach real data)."""
    from analytics import accounts

    if accounts.users(db) or db.meta("demo_seed") is None:
        return False
    made = []
    for name, role, display in DEMO_ACCOUNTS:
        password = accounts.random_password()
        accounts.add_user(db, name, role, password, display)
        made.append((name, role, password))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
        out.write("# 演示账号（仅供演示）Demo accounts, demo only; real ones: `python -m analytics user add`.\n")
        out.write(f"# {db.path}\n")
        for name, role, password in made:
            out.write(f"{name}\t{role}\t{password}\n")
    return True
