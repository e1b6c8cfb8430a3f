"""The one-source rule of satisfaction written out with pandas, for the tests that recompute figures by hand
(independently of the product's SQL, `queries.COUNTED_AGGREGATES`): for each department × period ×
population the finest source counts — individual responses, then monthly, quarterly and yearly aggregates."""

from __future__ import annotations

import pandas as pd

FREQ = {"month": "M", "quarter": "Q", "year": "Y"}
MONTHS = {"month": 1, "quarter": 3, "year": 12}


def counted(aggregates: pd.DataFrame, responses: pd.DataFrame) -> pd.Series:
    """For each aggregate row (`department_code`, `population`, `period_grain`, `period_start`): whether it
    counts, i.e. no response (`department_code`, `population`, `submitted_at`) and no aggregate of a finer grain
    of the same department and population falls inside its period."""
    submitted = pd.to_datetime(responses["submitted_at"])
    starts = pd.to_datetime(aggregates["period_start"])
    finer: dict[str, set] = {}  # per grain: the department × population × period cells holding finer data
    for grain, freq in FREQ.items():
        below = aggregates["period_grain"].map(MONTHS) < MONTHS[grain]
        answered = zip(responses["department_code"], responses["population"], submitted.dt.to_period(freq), strict=True)
        aggregated = zip(
            aggregates.loc[below, "department_code"],
            aggregates.loc[below, "population"],
            starts[below].dt.to_period(freq),
            strict=True,
        )
        finer[grain] = {*answered, *aggregated}
    keys = zip(aggregates["department_code"], aggregates["population"], aggregates["period_grain"], starts, strict=True)
    flags = [(code, pop, start.to_period(FREQ[grain])) not in finer[grain] for code, pop, grain, start in keys]
    return pd.Series(flags, index=aggregates.index, dtype=bool)
