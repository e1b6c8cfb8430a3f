"""A hand-made meeting-material `Report` using every feature of the model (a ranking with RAG colours and
reference lines, a withheld value, clustered columns, lines, a long table with fills, a formula-like cell),
for the renderers' tests; the built report of the demo is tested in tests/test_report.py."""

from __future__ import annotations

from analytics.i18n import rag_tag
from analytics.report_model import (
    RAG_BARS,
    RAG_FILLS,
    Chart,
    Cover,
    Figure,
    Reference,
    Report,
    Section,
    Series,
    Table,
)

BRANCHES = [f"第{i}党支部（内科）" for i in range(1, 25)]
INDEX = [91.2, 88.0, 84.5, 80.1, 79.9, 77.0, 75.5, 73.2, 70.0, 68.8, 66.1, 64.0]
INDEX += [62.5, 61.0, 60.0, 59.9, 58.0, 55.5, 52.0, 49.9, 45.0, 41.2, None, 38.0]


def rag(value: float | None) -> str | None:
    if value is None:
        return None
    return "green" if value >= 80 else "amber" if value >= 60 else "red"


def sample_report(lang: str = "zh") -> Report:
    colours = RAG_BARS
    ranking = Chart(
        kind="bar",
        title="各党支部党建指数",
        categories=BRANCHES,
        series=[Series(name="党建指数", values=INDEX)],
        value_title="党建指数（分）",
        minimum=0,
        maximum=100,
        point_colours=[colours.get(rag(v)) if rag(v) else None for v in INDEX],
        point_labels=[rag_tag(rag(v), "zh") or None if rag(v) else None for v in INDEX],
        references=[Reference(value=60, label="60"), Reference(value=80, label="80")],
        notes={BRANCHES[22]: "未上报"},
    )
    meetings = Chart(
        kind="column",
        title="三会一课：应开与已开",
        categories=["支部党员大会", "支部委员会", "党小组会", "党课"],
        series=[Series(name="应开", values=[24, 72, 72, 24]), Series(name="已开", values=[20, 61, 50, 24])],
        value_title="次数",
        digits=0,
    )
    trend = Chart(
        kind="line",
        title="满意度趋势",
        categories=["2025Q1", "2025Q2", "2025Q3", "2025Q4"],
        series=[
            Series(name="门诊患者满意度", values=[85.1, 86.0, 84.2, 87.3]),
            Series(name="住院患者满意度", values=[90.2, None, 91.0, 90.5]),
            Series(name="职工满意度", values=[78.0, 79.5, 80.1, None]),
        ],
        value_title="分",
        minimum=60,
        maximum=100,
        notes={"2025Q4": "职工满意度 <10"},
    )
    long_rows = [
        [name, f"{v:.1f}" if v is not None else "未上报", "12", f"{i}"]
        for i, (name, v) in enumerate(zip(BRANCHES, INDEX, strict=True))
    ] * 3
    long_rows = [list(row) for row in long_rows]  # three copies, each row its own list
    fills = [[None, RAG_FILLS.get(rag(INDEX[i % 24]) or "", None), None, None] for i in range(len(long_rows))]
    long_rows[5][0] = '=HYPERLINK("x")'
    scorecard = Table(
        title="党建体检",
        columns=["党支部", "党建指数", "党员数", "排名"],
        rows=long_rows,
        numeric=[False, True, True, True],
        fills=fills,
        widths=[3, 1, 1, 1],
        note="绿色 ≥ 80，琥珀色 60–80，红色 < 60",
    )
    satisfaction = Table(
        columns=["人群", "满意度", "较上季度", "受访人数"],
        rows=[
            ["门诊患者", "87.3 分", "+3.1 分", "1,204"],
            ["住院患者", "90.5 分", "-0.5 分", "833"],
            ["职工", "—", "—", "<10"],
        ],
        numeric=[False, True, True, True],
    )
    sections = [
        Section(
            key="headline",
            heading="主要指标",
            title="党建指数 62.3 分，较上季度下降 8.5 分",
            figures=[
                Figure(label="党建指数", value="62.3 分", change="较上季度 -8.5 分", rag="amber"),
                Figure(label="三会一课完成率", value="65.9%", change="较上季度 -11.0 个百分点"),
                Figure(label="职工满意度", value="—", note="<10 人，不显示"),
                Figure(label="运用“四种形态”处理", value="163 人次", note="2025Q1–2025Q4"),
            ],
        ),
        Section(
            key="party_index",
            heading="党建指数",
            title="24 个党支部中 9 个低于 60 分",
            sentences=["虚线为 60 分（琥珀）和 80 分（绿）。"],
            chart=ranking,
        ),
        Section(key="meetings", heading="三会一课", title="三会一课完成率 65.9%", chart=meetings),
        Section(
            key="satisfaction",
            heading="满意度",
            title="门诊患者满意度 87.3 分，较上季度上升 3.1 分",
            chart=trend,
            tables=[satisfaction],
            sentences=["受访不足 10 人的群体不显示分数（“<10”）。"],
        ),
        Section(key="scorecard", heading="党建体检", title="党建体检：9 个党支部为红色", tables=[scorecard]),
        Section(
            key="notes",
            heading="数据说明",
            title="数据说明",
            sentences=["数据来源：活动台账 3 个文件，满意度调查 5 个文件。" * 3, "小样本规则：受访不足 10 人不显示。"],
        ),
    ]
    return Report(
        lang=lang,
        period="2025Q4",
        grain="quarter",
        scope="hospital",
        cover=Cover(
            title="党建与纪检工作情况",
            hospital="示例人民医院",
            period="2025年第四季度",
            scope="全院",
            marking="内部资料 注意保密",
            lines=["数据截至 2025-12-31", "生成于 2026-12-01 10:00，由 党委办公室 生成"],
        ),
        sections=sections,
        footer="内部资料 注意保密 · 示例人民医院 · 2025年第四季度",
    )
