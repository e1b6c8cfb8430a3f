"""Schema in code: every enum value is labelled in both languages; models reject impossible records."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from analytics import schema
from analytics.schema import (
    ActivityType,
    DisciplineCategory,
    LabelledEnum,
    Population,
    SatisfactionResponse,
)

ENUMS = [
    cls
    for cls in vars(schema).values()
    if isinstance(cls, type) and issubclass(cls, LabelledEnum) and cls is not LabelledEnum
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_value_has_distinct_chinese_and_english_labels(enum):
    assert len(enum) > 0
    for member in enum:
        assert member.zh and member.en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in member.zh), member.zh
        assert member.en.isascii(), member.en
    assert len({m.zh for m in enum}) == len(enum)
    assert len({m.en for m in enum}) == len(enum)


def test_the_domain_names_are_there():
    assert {m.zh for m in ActivityType} >= {
        "支部党员大会",
        "支部委员会会议",
        "党小组会",
        "党课",
        "主题党日",
        "组织生活会",
        "民主评议党员",
        "志愿服务",
        "义诊",
        "健康科普",
        "党建+项目",
    }
    assert [m.zh for m in Population] == ["门诊患者", "住院患者", "医务人员"]
    assert [m.zh for m in schema.FOUR_FORMS] == ["第一种形态", "第二种形态", "第三种形态", "第四种形态"]
    assert {"廉政谈话", "信访举报", "表扬信", "拒收红包"} <= {m.zh for m in DisciplineCategory}


def test_labels_parse_back_to_their_member():
    assert ActivityType.parse(" 主题党日 ") is ActivityType.THEME_PARTY_DAY
    assert Population.parse("Inpatients") is Population.INPATIENT
    assert DisciplineCategory.parse("form_2") is DisciplineCategory.FORM_2
    with pytest.raises(ValueError, match="not a ActivityType"):
        ActivityType.parse("开会")


def test_a_score_outside_0_to_100_is_rejected():
    good = {
        "submitted_at": dt.datetime(2024, 3, 5, 9),
        "department_code": "D01",
        "population": "inpatient",
        "score": 90,
    }
    assert SatisfactionResponse(**good).population is Population.INPATIENT
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        SatisfactionResponse(**{**good, "score": 135})
    with pytest.raises(ValidationError, match="outside 0–100"):
        SatisfactionResponse(**good, items={"environment": 120})


def test_a_negative_attendance_is_rejected():
    ok = schema.Activity(
        activity_date=dt.date(2024, 3, 5), branch_code="DZB01", activity_type="party_lecture", attended=12
    )
    assert ok.activity_type is ActivityType.PARTY_LECTURE
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        schema.Activity(
            activity_date=dt.date(2024, 3, 5), branch_code="DZB01", activity_type="party_lecture", attended=-1
        )
