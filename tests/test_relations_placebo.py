"""A placebo simulation (issue 13, point 1): a branch-level metric with no effect at all, and satisfaction with
a shock shared by a branch's departments in each period. Clustered by branch (what `relations` does for party
metrics), the 5 % test rejects about 5 % of the time; clustered by department it rejects far more often,
because it counts a branch's departments as independent evidence. The data are generated here, not drawn from
the product."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.relations import fixed_effects

BRANCHES, DEPARTMENTS_PER_BRANCH, PERIODS, RUNS = 18, 3, 12, 300


def placebo(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for b in range(BRANCHES):
        x = rng.normal(0, 1, PERIODS).cumsum()  # the branch's metric, persistent over time; no effect on y
        shock = rng.normal(0, 1, PERIODS).cumsum()  # a branch × period shock shared by its departments
        for d in range(DEPARTMENTS_PER_BRANCH):
            level = rng.normal(80, 3)
            for t in range(PERIODS):
                rows.append(
                    {
                        "department_code": f"B{b}D{d}",
                        "branch_code": f"B{b}",
                        "period": f"P{t:02d}",
                        "x": x[t],
                        "y": level + shock[t] + rng.normal(0, 1),
                        "n": 50.0,
                    }
                )
    return pd.DataFrame(rows)


def test_branch_clustering_holds_the_false_positive_rate_near_five_per_cent():
    rng = np.random.default_rng(20261201)
    rejected = {"branch": 0, "department": 0}
    for _ in range(RUNS):
        data = placebo(rng)
        for level in rejected:
            rejected[level] += fixed_effects(data, cluster=level, interval=False)["p"] < 0.05
    rate = {level: count / RUNS for level, count in rejected.items()}
    # 300 runs: a true 5 % rate lies within 2.5–8.5 % with 95 % probability (binomial).
    assert 0.02 <= rate["branch"] <= 0.09, rate
    assert rate["department"] > 2 * rate["branch"] and rate["department"] > 0.1, rate
