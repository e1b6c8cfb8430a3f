"""How party-building and discipline metrics relate to satisfaction, honestly.

For one metric x (a column of the department × period panel), one outcome y (outpatient, inpatient or staff
satisfaction) and a lag L, every department-period with y in period t and x in period t − L of the same
department is a pair. On those pairs:

* **Pearson r** with its 95% confidence interval (Fisher z, `scipy.stats.pearsonr(...).confidence_interval`)
  and p; **Spearman ρ** and p (`scipy.stats.spearmanr`);
* a **within-department fixed-effects regression** y ~ x + department effects + period effects (OLS with
  dummies, `statsmodels`), standard errors clustered at the level where the metric varies (p and CI from
  Student's t with clusters − 1 degrees of freedom): a party metric is its **branch's** (every department of
  a branch carries the same figure), so by branch; a discipline metric by department (`CLUSTER_LEVEL`).
  Clustering by department would treat a branch's departments as independent evidence and overstate the
  certainty (issue 13: 10–15 % false positives at 5 % in a placebo simulation). The coefficient says how y
  moves when
  x moves *within the same department*, after what is common to all departments in a period. Optionally
  weighted by respondents (WLS).

Below the minimum sample (settings: 30 department-periods and 8 departments) no statistic is reported,
only the reason. Across many pairs, Benjamini–Hochberg q-values (`scipy.stats.false_discovery_control`)
control the false discoveries. `finding()` turns the numbers into one sentence in zh and en, always saying
that an association is not proof of cause.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analytics.db import Database
from analytics.i18n import p_phrase, t
from analytics.metrics import PARTY_FIGURES, Filters, Panel, build_panel, rollup, select

METRICS = (*PARTY_FIGURES, "discipline_cases", "discipline_form2plus", "rectification_overdue")
OUTCOMES = ("outpatient", "inpatient", "staff")
LAGS = (0, 1, 2, 3, 4)
LEVELS = ("department", "branch")
# The step a finding speaks of: "a rise of 10 points", "1 more hour per member", "1 more case".
STEP = {
    "party_index": 10.0,
    "meeting_compliance": 10.0,
    "attendance_rate": 10.0,
    "service_hours_per_member": 1.0,
    "theme_plus_activities": 1.0,
    "integrity_activities": 1.0,
    "discipline_cases": 1.0,
    "discipline_form2plus": 1.0,
    "rectification_overdue": 1.0,
}
ALPHA = 0.05
# The level a metric varies at, so the level its standard errors are clustered at: a department carries its
# branch's party figures; discipline figures are the department's own.
CLUSTER_LEVEL = {metric: "branch" if metric in PARTY_FIGURES else "department" for metric in METRICS}


@dataclass
class Relation:
    """The statistics of one (metric, outcome, lag); fields are None with a `reason` below the minimum."""

    metric: str
    outcome: str
    lag: int
    n: int
    n_departments: int
    pearson: dict | None = None  # {"r", "ci": [lo, hi], "p"}
    spearman: dict | None = None  # {"rho", "p"}
    fixed_effects: dict | None = None  # {"coef", "se", "ci": [lo, hi], "p", "clusters": {"level", "n"}}
    reason: str | None = None
    q: float | None = None  # Benjamini–Hochberg, set by `analyse_all`
    grain: str = "quarter"
    minimum_departments: int = 8
    finding: dict = field(default_factory=dict)  # {"zh", "en"}

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "outcome": self.outcome,
            "lag": self.lag,
            "n": self.n,
            "n_departments": self.n_departments,
            "pearson": self.pearson,
            "spearman": self.spearman,
            "fixed_effects": self.fixed_effects,
            "q": self.q,
            "reason": self.reason,
            "finding": self.finding,
        }


def pairs(panel: Panel, metric: str, outcome: str, lag: int) -> pd.DataFrame:
    """department_code, category, period, x (the metric L periods earlier, same department), y, n (respondents):
    the complete pairs. The panel's grid is complete, so shifting within a department is shifting in time."""
    if metric not in METRICS or outcome not in OUTCOMES or lag < 0:
        raise ValueError(f"unknown metric/outcome/lag: {metric!r}, {outcome!r}, {lag!r}")
    frame = panel.frame.sort_values(["department_code", "period_start"])
    out = pd.DataFrame(
        {
            "department_code": frame["department_code"],
            "department_name": frame["department_name"],
            "category": frame["category"],
            "period": frame["period"],
            "x": frame.groupby("department_code")[metric].shift(lag).astype("float64"),
            # The branch whose figure x is (the department's branch in x's period); a branch-level panel's units
            # are branches already.
            "branch_code": frame.groupby("department_code")[
                "branch_code" if "branch_code" in frame else "department_code"
            ].shift(lag),
            "y": frame[f"satisfaction_{outcome}"].astype("float64"),
            "n": frame[f"n_{outcome}"].astype("float64"),
        }
    )
    return out.dropna(subset=["x", "y"]).reset_index(drop=True)


def analyse(panel: Panel, metric: str, outcome: str, lag: int, weighted: bool = False) -> Relation:
    """Pearson, Spearman and the within-department fixed-effects coefficient for one pair of columns."""
    data = pairs(panel, metric, outcome, lag)
    settings = panel.settings
    result = Relation(
        metric,
        outcome,
        lag,
        len(data),
        int(data["department_code"].nunique()),
        grain=panel.grain,
        minimum_departments=settings.relations_min_departments,
    )
    # Departments in which the metric moves at all: only they inform a within-department comparison, and
    # clustered standard errors resting on a handful of them are unreliable.
    moving = int((data.groupby("department_code")["x"].nunique() > 1).sum())
    if result.n < settings.relations_min_n or result.n_departments < settings.relations_min_departments:
        result.reason = "not_enough_data"
    elif data["x"].nunique() < 2 or data["y"].nunique() < 2:
        result.reason = "no_variation"
    elif moving < settings.relations_min_departments:
        result.reason = "no_within_variation"
    elif data[f"{CLUSTER_LEVEL[metric]}_code"].nunique() < settings.relations_min_departments:
        result.reason = "few_clusters"  # the minimum counts the clusters the errors rest on (branches)
    else:
        pearson = stats.pearsonr(data["x"], data["y"])
        ci = pearson.confidence_interval(0.95)
        result.pearson = {
            "r": float(pearson.statistic),
            "ci": [float(ci.low), float(ci.high)],
            "p": float(pearson.pvalue),
        }
        spearman = stats.spearmanr(data["x"], data["y"])
        result.spearman = {"rho": float(spearman.statistic), "p": float(spearman.pvalue)}
        result.fixed_effects = fixed_effects(data, weighted, CLUSTER_LEVEL[metric])
        if result.fixed_effects is None:
            result.reason = "no_within_variation"
    result.finding = finding(result)
    return result


def fixed_effects(data: pd.DataFrame, weighted: bool = False, cluster: str = "department") -> dict | None:
    """y ~ x + C(department) + C(period), errors clustered by `cluster` ("branch" or "department"; OLS, or WLS
    by respondents). None when there are fewer than two clusters or the estimate is not finite."""
    design = pd.concat(
        [
            data[["x"]],
            pd.get_dummies(data["department_code"], prefix="d", drop_first=True, dtype="float64"),
            pd.get_dummies(data["period"], prefix="p", drop_first=True, dtype="float64"),
        ],
        axis=1,
    )
    design = sm.add_constant(design, has_constant="add")
    groups, labels = pd.factorize(data[f"{cluster}_code"])
    if len(labels) < 2:
        return None
    model = sm.WLS(data["y"], design, weights=data["n"]) if weighted else sm.OLS(data["y"], design)
    # With a few dozen clusters, p and CI come from Student's t with (clusters − 1) degrees of freedom rather
    # than the normal approximation, which would overstate the certainty.
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    coef, se = float(fit.params["x"]), float(fit.bse["x"])
    if not (math.isfinite(coef) and math.isfinite(se)) or se == 0:
        return None
    lo, hi = fit.conf_int(alpha=0.05).loc["x"]
    return {
        "coef": coef,
        "se": se,
        "ci": [float(lo), float(hi)],
        "p": float(fit.pvalues["x"]),
        "clusters": {"level": cluster, "n": len(labels)},
    }


def scoped(panel: Panel, filters: Filters | None = None, level: str = "department") -> Panel:
    """The panel cut to the filters' departments and period range; at `level="branch"` the units are branches
    (their satisfaction respondent-weighted, see `metrics.rollup`) instead of departments."""
    filters = filters or Filters(grain=panel.grain)
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if level == "branch":
        frame = rollup(panel, "branch", filters, protect=False).assign(category="")
        frame = frame.assign(department_code=frame["unit"], department_name=frame["unit_name"])
    else:
        frame = select(panel.frame, filters, panel.grain)
    return dataclasses.replace(panel, frame=frame.reset_index(drop=True))


def all_results(
    db: Database, grain: str, level: str = "department", filters: Filters | None = None, weighted: bool = False
) -> list[Relation]:
    """`analyse_all` on the database's panel as the page asks for it (the page caches this per data version)."""
    return analyse_all(scoped(build_panel(db, grain), filters, level), weighted=weighted)


def fitted_line(data: pd.DataFrame, points: int = 50) -> pd.DataFrame:
    """The pooled least-squares line of y on x over the pairs with its 95% confidence band (statsmodels'
    `get_prediction`): x, fit, lo, hi. For the scatter; the within-department coefficient is the table's."""
    fit = sm.OLS(data["y"], sm.add_constant(data["x"])).fit()
    grid = np.linspace(data["x"].min(), data["x"].max(), points)
    prediction = fit.get_prediction(sm.add_constant(pd.Series(grid, name="x"), has_constant="add"))
    band = prediction.conf_int(alpha=0.05)
    return pd.DataFrame({"x": grid, "fit": prediction.predicted_mean, "lo": band[:, 0], "hi": band[:, 1]})


def analyse_all(
    panel: Panel,
    metrics: tuple[str, ...] = METRICS,
    outcomes: tuple[str, ...] = OUTCOMES,
    lags: tuple[int, ...] = LAGS,
    weighted: bool = False,
) -> list[Relation]:
    """Every metric × outcome × lag, with Benjamini–Hochberg q-values of the fixed-effects p across the pairs
    that have one; findings then speak of q."""
    results = [analyse(panel, m, o, lag, weighted) for m in metrics for o in outcomes for lag in lags]
    tested = [r for r in results if r.fixed_effects is not None]
    if tested:
        q = stats.false_discovery_control([r.fixed_effects["p"] for r in tested], method="bh")
        for r, value in zip(tested, q, strict=True):
            r.q = float(value)
            r.finding = finding(r)
    return results


def analyse_in_family(panel: Panel, metric: str, outcome: str, lag: int, weighted: bool = False) -> Relation:
    """One pair as `analyse_all` reports it: its q is the Benjamini–Hochberg q of its family (every metric ×
    outcome × lag), and its finding follows that q, so `relations --metric … --lag …` and `--all` (and the page)
    never say different things about the same pair."""
    family = analyse_all(panel, weighted=weighted)
    return next(r for r in family if (r.metric, r.outcome, r.lag) == (metric, outcome, lag))


# --- Plain words -------------------------------------------------------------------------------------------


def _num(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def finding(result: Relation) -> dict[str, str]:
    """One sentence per language, made only from the numbers: the size and direction of the within-
    department effect for the metric's step, its 95% CI, the sample, and what it does not show."""
    out = {}
    for lang in ("zh", "en"):
        metric = t(f"relations.metric.{result.metric}", lang)
        outcome = t(f"relations.outcome.{result.outcome}", lang)
        lag = t(
            f"relations.lag.{min(result.lag, 2)}",
            lang,
            lag=result.lag,
            grain=t(f"relations.grain.{result.grain}", lang),
        )
        if result.reason is not None:
            out[lang] = t(
                f"relations.finding.{result.reason}",
                lang,
                metric=metric,
                outcome=outcome,
                n=result.n,
                departments=result.n_departments,
                minimum=result.minimum_departments,
            )
            continue
        fe = result.fixed_effects
        step = STEP[result.metric]
        effect, lo, hi = fe["coef"] * step, fe["ci"][0] * step, fe["ci"][1] * step
        significant = fe["p"] < ALPHA and (result.q is None or result.q < ALPHA)
        values = {
            "metric": metric,
            "outcome": outcome,
            "lag": lag,
            "step": _num(step, 0),
            "effect": _num(abs(effect)),
            "lo": _num(lo),
            "hi": _num(hi),
            "p": p_phrase(fe["p"]),
            "q": "" if result.q is None else t("relations.q", lang, q=p_phrase(result.q)),
            "n": result.n,
            "departments": result.n_departments,
            "branches": _branches(fe, lang),
            "r": _num(result.pearson["r"], 2),
        }
        if not significant:
            out[lang] = t("relations.finding.null", lang, **values)
            continue
        key = "relations.finding.positive" if effect > 0 else "relations.finding.negative"
        out[lang] = t(key, lang, **values) + t("relations.caveat", lang)
    return out


def _branches(fe: dict, lang: str) -> str:
    """ "18 个党支部、" before the departments when the errors are clustered by branch (the sample that counts)."""
    clusters = fe.get("clusters") or {}
    return t("relations.branches", lang, n=clusters["n"]) if clusters.get("level") == "branch" else ""


def relations_table(results: list[Relation]) -> pd.DataFrame:
    """All results as one flat table (for the page's download and `--all`)."""
    rows = []
    for r in results:
        rows.append(
            {
                "metric": r.metric,
                "outcome": r.outcome,
                "lag": r.lag,
                "n": r.n,
                "n_departments": r.n_departments,
                "pearson_r": r.pearson["r"] if r.pearson else np.nan,
                "pearson_ci_low": r.pearson["ci"][0] if r.pearson else np.nan,
                "pearson_ci_high": r.pearson["ci"][1] if r.pearson else np.nan,
                "pearson_p": r.pearson["p"] if r.pearson else np.nan,
                "spearman_rho": r.spearman["rho"] if r.spearman else np.nan,
                "spearman_p": r.spearman["p"] if r.spearman else np.nan,
                "fe_coef": r.fixed_effects["coef"] if r.fixed_effects else np.nan,
                "fe_se": r.fixed_effects["se"] if r.fixed_effects else np.nan,
                "fe_ci_low": r.fixed_effects["ci"][0] if r.fixed_effects else np.nan,
                "fe_ci_high": r.fixed_effects["ci"][1] if r.fixed_effects else np.nan,
                "fe_p": r.fixed_effects["p"] if r.fixed_effects else np.nan,
                "q": r.q if r.q is not None else np.nan,
                "reason": r.reason,
            }
        )
    return pd.DataFrame(rows)
