"""How party-building and discipline metrics relate to satisfaction, honestly.

For one metric x (a column of the department × period panel) and one outcome y (outpatient, inpatient or staff
satisfaction), every department-period with y in period t and x in periods t, t − 1, …, t − K of the same
department (K = 4, fewer when the data span too few periods) is a row of **one distributed-lag model**:

    y_t ~ x_t + x_{t−1} + … + x_{t−K} + department effects + period effects

(OLS with dummies, `statsmodels`; optionally weighted by respondents). Each lag's coefficient is its effect net
of the other lags: fitting each lag alone lets it soak up its neighbours' signal and throws up alternating-sign
"effects" at late lags (issue 13). The coefficient says how y moves when x moves *within the same department*,
after what is common to all departments in a period.

**Clustering.** Standard errors are clustered at the level where the metric varies (`CLUSTER_LEVEL`): a party
metric is its **branch's** (every department of a branch carries the same figure), so by branch; a discipline
metric by department. p and CI use Student's t with clusters − 1 degrees of freedom. With fewer than
`BOOTSTRAP_BELOW` clusters even that is too sure of itself, so p and CI come from the **wild cluster bootstrap**
(null imposed, Rademacher weights, Webb's below `WEBB_BELOW` clusters; the `wildboottest` package, with its
bootstrap denominator computed as one matrix product, see `_wild_cluster`). The CI is the set of effects the
bootstrap test does not reject (test inversion with the same draws). The department effects are partialled out
first (Frisch–Waugh–Lovell; they are nested in the clusters, so the bootstrap is unchanged).

**Descriptive columns.** Pearson r and Spearman ρ of x at each lag with y, on the model's rows. They are shown
without p-values: textbook p-values assume independent rows, which department-periods are not.

Below the minimum sample (settings: 30 department-periods and 8 departments, and 8 clusters) no statistic is
reported, only the reason. Across every metric × outcome × lag (the family the page shows), Benjamini–Hochberg
q-values (`scipy.stats.false_discovery_control`) control the false discoveries; a finding is called one only on
q < 0.05. `finding()` turns the numbers into one sentence in zh and en, always saying that an association is not
proof of cause.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import threading
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
# Below this many clusters, cluster-robust standard errors are too small even with t(G − 1) (Cameron, Gelbach &
# Miller 2008; MacKinnon & Webb 2017): p and CI then come from the wild cluster bootstrap, null imposed (WCR),
# Rademacher weights, or Webb's six-point weights below `WEBB_BELOW` clusters, `DRAWS` draws.
BOOTSTRAP_BELOW = 30
WEBB_BELOW = 12
DRAWS = 1999


@dataclass
class Relation:
    """The statistics of one (metric, outcome, lag) of a distributed-lag model; fields are None with a `reason`
    below the minimum."""

    metric: str
    outcome: str
    lag: int
    n: int
    n_departments: int
    pearson: dict | None = None  # {"r"}: descriptive, on the model's rows
    spearman: dict | None = None  # {"rho"}
    # {"coef", "se", "ci": [lo, hi], "p", "clusters": {"level", "n"}, "inference": "wild_bootstrap" | "cluster_t",
    #  "cluster_t": {"p", "ci"}, "bootstrap": {"draws", "weights"} | None}; p and ci are those of `inference`.
    fixed_effects: dict | None = None
    reason: str | None = None
    q: float | None = None  # Benjamini–Hochberg, set by `analyse_all`
    grain: str = "quarter"
    minimum_departments: int = 8
    lags: list[int] = field(default_factory=lambda: list(LAGS))  # the lags the model holds together
    finding: dict = field(default_factory=dict)  # {"zh", "en"}

    @property
    def significant(self) -> bool:
        """A finding only when its family's q (or, alone, its p) is below 0.05."""
        if self.fixed_effects is None:
            return False
        return self.fixed_effects["p"] < ALPHA and (self.q is None or self.q < ALPHA)

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "outcome": self.outcome,
            "lag": self.lag,
            "n": self.n,
            "n_departments": self.n_departments,
            "model": {"kind": "distributed_lag", "lags": self.lags},
            "pearson": self.pearson,
            "spearman": self.spearman,
            "fixed_effects": self.fixed_effects,
            "q": self.q,
            "reason": self.reason,
            "finding": self.finding,
        }


def model_lags(panel: Panel) -> list[int]:
    """The lags one model holds together: 0–4, fewer when the panel spans too few periods to leave two periods
    of outcomes after the longest lag (three years by year: lags 0 and 1)."""
    periods = int(panel.frame["period"].nunique())
    return list(range(max(0, min(max(LAGS), periods - 2)) + 1))


def lagged(panel: Panel, metric: str, outcome: str, lags: list[int] | None = None) -> pd.DataFrame:
    """department_code, department_name, category, period, branch_code, y, n (respondents) and x0 … xK (the
    metric 0 … K periods earlier, same department): the rows on which every lag and y are known. The panel's
    grid is complete, so shifting within a department is shifting in time."""
    if metric not in METRICS or outcome not in OUTCOMES:
        raise ValueError(f"unknown metric/outcome: {metric!r}, {outcome!r}")
    lags = model_lags(panel) if lags is None else lags
    frame = panel.frame.sort_values(["department_code", "period_start"])
    by_department = frame.groupby("department_code")[metric]
    out = pd.DataFrame(
        {
            "department_code": frame["department_code"],
            "department_name": frame["department_name"],
            "category": frame["category"],
            "period": frame["period"],
            # A branch-level panel's units are branches already.
            "branch_code": frame["branch_code" if "branch_code" in frame else "department_code"],
            "y": frame[f"satisfaction_{outcome}"].astype("float64"),
            "n": frame[f"n_{outcome}"].astype("float64"),
            **{f"x{lag}": by_department.shift(lag).astype("float64") for lag in lags},
        }
    )
    return out.dropna(subset=["y", *(f"x{lag}" for lag in lags)]).reset_index(drop=True)


def analyse_profile(panel: Panel, metric: str, outcome: str, weighted: bool = False) -> list[Relation]:
    """One distributed-lag model of `outcome` on `metric` at lags 0–4 together: a Relation per lag in `LAGS`
    (those beyond the data's span carry reason "lag_beyond_data")."""
    from scipy import stats  # here, not at the top: see _wild_cluster

    lags = model_lags(panel)
    data = lagged(panel, metric, outcome, lags)
    settings = panel.settings
    results = [
        Relation(
            metric,
            outcome,
            lag,
            len(data) if lag in lags else 0,
            int(data["department_code"].nunique()) if lag in lags else 0,
            grain=panel.grain,
            minimum_departments=settings.relations_min_departments,
            lags=lags,
        )
        for lag in LAGS
    ]
    reason = _too_little(data, metric, settings)
    fitted = None
    if reason is None:
        regressors = [f"x{lag}" for lag in lags]
        fitted = fixed_effects(data, weighted, CLUSTER_LEVEL[metric], regressors, seed=_seed(metric, outcome))
        reason = "no_within_variation" if fitted is None else None
    for result in results:
        if result.lag not in lags:
            result.reason = "lag_beyond_data"
        elif reason is not None:
            result.reason = reason
        else:
            x = data[f"x{result.lag}"]
            result.pearson = {"r": _correlation(stats.pearsonr, x, data["y"])}
            result.spearman = {"rho": _correlation(stats.spearmanr, x, data["y"])}
            result.fixed_effects = fitted[f"x{result.lag}"]
        result.finding = finding(result)
    return results


def analyse(panel: Panel, metric: str, outcome: str, lag: int, weighted: bool = False) -> Relation:
    """One lag of the distributed-lag model (without its family's q: see `analyse_in_family`)."""
    if lag not in LAGS:
        raise ValueError(f"unknown lag: {lag!r}")
    return analyse_profile(panel, metric, outcome, weighted)[LAGS.index(lag)]


def _too_little(data: pd.DataFrame, metric: str, settings) -> str | None:
    """The reason no statistic is reported on these rows, or None."""
    if len(data) < settings.relations_min_n or data["department_code"].nunique() < settings.relations_min_departments:
        return "not_enough_data"
    if data["x0"].nunique() < 2 or data["y"].nunique() < 2:
        return "no_variation"
    # Departments in which the metric moves at all: only they inform a within-department comparison, and
    # clustered standard errors resting on a handful of them are unreliable.
    if (data.groupby("department_code")["x0"].nunique() > 1).sum() < settings.relations_min_departments:
        return "no_within_variation"
    if data[f"{CLUSTER_LEVEL[metric]}_code"].nunique() < settings.relations_min_departments:
        return "few_clusters"  # the minimum counts the clusters the errors rest on (branches)
    return None


def _correlation(test, x: pd.Series, y: pd.Series) -> float | None:
    value = float(test(x, y).statistic) if x.nunique() > 1 else math.nan
    return value if math.isfinite(value) else None


def _seed(*parts: str) -> int:
    """A fixed seed per model, so the bootstrap gives the same p on every run."""
    return zlib.crc32("|".join(parts).encode())


def fixed_effects(
    data: pd.DataFrame,
    weighted: bool = False,
    cluster: str = "department",
    regressors: list[str] | tuple[str, ...] = ("x",),
    *,
    seed: int = 0,
    interval: bool = True,
    draws: int = DRAWS,
) -> dict | None:
    """y ~ regressors + C(department) + C(period) (OLS, or WLS by respondents), errors clustered by `cluster`
    ("branch" or "department"): per regressor {"coef", "se", "ci", "p", "clusters", "inference", "cluster_t",
    "bootstrap"}, or for a single regressor "x" that dict itself. Below `BOOTSTRAP_BELOW` clusters p (and, with
    `interval`, ci) come from the wild cluster bootstrap. None when there are fewer than two clusters or an
    estimate is not finite."""
    from statsmodels.regression.linear_model import OLS, WLS  # here, not at the top: see _wild_cluster

    regressors = list(regressors)
    departments, periods = effects(data)
    design = pd.concat([data[regressors], departments, periods], axis=1).assign(const=1.0)
    groups, labels = pd.factorize(data[f"{cluster}_code"], sort=True)  # clusters numbered in code order
    if len(labels) < 2:
        return None
    model = WLS(data["y"], design, weights=data["n"]) if weighted else OLS(data["y"], design)
    # With a few dozen clusters, p and CI come from Student's t with (clusters − 1) degrees of freedom rather
    # than the normal approximation, which would overstate the certainty.
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    bounds = fit.conf_int(alpha=0.05)
    out = {}
    for name in regressors:
        coef, se = float(fit.params[name]), float(fit.bse[name])
        if not (math.isfinite(coef) and math.isfinite(se)) or se == 0:
            return None
        analytic = {"p": float(fit.pvalues[name]), "ci": [float(v) for v in bounds.loc[name]]}
        out[name] = {
            "coef": coef,
            "se": se,
            **analytic,
            "clusters": {"level": cluster, "n": len(labels)},
            "inference": "cluster_t",
            "cluster_t": analytic,
            "bootstrap": None,
        }
    if len(labels) < BOOTSTRAP_BELOW:
        # The department effects are partialled out (nested in the clusters, so the bootstrap is unchanged, as
        # fwildclusterboot and pyfixest do); the period effects stay in the model (not nested).
        values = _partialled(pd.concat([data[regressors], periods, data["y"]], axis=1), departments, data, weighted)
        X, y = values[:, :-1], values[:, -1]
        weights = "webb" if len(labels) < WEBB_BELOW else "rademacher"
        for j, name in enumerate(regressors):
            boot = dict(X=X, y=y, groups=groups, j=j, draws=draws, weights=weights, seed=seed + j)
            estimate = out[name]
            estimate["p"] = wild_p(**boot)
            if interval:
                estimate["ci"] = wild_interval(estimate["coef"], estimate["se"], estimate["ci"], **boot)
            estimate["inference"] = "wild_bootstrap"
            estimate["bootstrap"] = {"draws": draws, "weights": weights}
    return out["x"] if regressors == ["x"] else out


def effects(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The department and period dummies of the model's rows (first of each dropped)."""
    return (
        pd.get_dummies(data["department_code"], prefix="d", drop_first=True, dtype="float64"),
        pd.get_dummies(data["period"], prefix="p", drop_first=True, dtype="float64"),
    )


def _partialled(values: pd.DataFrame, effects: pd.DataFrame, data: pd.DataFrame, weighted: bool) -> np.ndarray:
    """`values` with `effects` (dummies) and a constant partialled out: residuals of each column on them (rows
    scaled by √n first when weighted). By Frisch–Waugh–Lovell the remaining coefficients and residuals are
    the full model's."""
    absorbed = effects.assign(const=1.0).to_numpy(dtype="float64")
    out = values.to_numpy(dtype="float64")
    if weighted:
        scale = np.sqrt(data["n"].to_numpy(dtype="float64"))[:, None]
        absorbed, out = absorbed * scale, out * scale
    return out - absorbed @ np.linalg.lstsq(absorbed, out, rcond=None)[0]


@functools.cache
def _wild_cluster() -> type:
    """The bootstrap class, made on first use: wildboottest brings numba, which the command line's other commands
    need not load (scipy and statsmodels are imported where used for the same reason)."""
    from wildboottest.wildboottest import WildboottestCL

    class WildCluster(WildboottestCL):
        """`wildboottest`'s wild cluster bootstrap, with the CRV1 bootstrap denominator as one matrix product:
        the library compiles a numba function anew on every call (0.7 s each, hundreds per page). Same numbers as
        the library's own (tests/test_relations.py)."""

        def get_denom(self) -> None:
            if self.crv_type != "crv1":
                super().get_denom()
                return
            # H[g, h] = R (X'X)⁻¹ X_g'X_g (X'X)⁻¹ s_h, as the library's double loop; then Z = C ∘ v − H v.
            left = np.einsum("k,gkl,lm->gm", self.R @ self.tXXinv, np.asarray(self.tXgXg_list), self.tXXinv)
            h = left @ self.scores_mat
            z = self.Cg[:, None] * self.v - h @ self.v
            self.denom = self.ssc * np.sum(z**2, axis=0)

    return WildCluster


def wild_p(
    X: np.ndarray, y: np.ndarray, groups: np.ndarray, j: int, draws: int, weights: str, seed: int, null: float = 0.0
) -> float:
    """The wild cluster bootstrap p (WCR, two-tailed) of H0: coefficient j = `null`, on partialled data."""
    restriction = np.zeros(X.shape[1])
    restriction[j] = 1.0
    boot = _wild_cluster()(X=X, Y=y - null * X[:, j], cluster=groups, R=restriction, B=draws, seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    boot.get_weights(weights_type=weights)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return float(boot.pvalue)


def wild_interval(coef: float, se: float, start: list[float], alpha: float = ALPHA, **boot) -> list[float]:
    """The 95% CI as the effects the bootstrap test does not reject (test inversion, the same draws for every
    candidate). Each end is searched from `start` (the t(G − 1) interval's, usually close): in half-SE steps
    until the test's verdict changes, then bisection to 1/256 SE."""

    def rejected(null: float) -> bool:
        return wild_p(null=null, **boot) < alpha

    bounds = []
    for sign, end in zip((-1.0, 1.0), start, strict=True):
        step = se / 2
        if rejected(end):  # inwards until accepted (the estimate itself always is)
            inner, outer = end - sign * step, end
            while sign * (inner - coef) > 0 and rejected(inner):
                inner, outer = inner - sign * step, inner
            if sign * (inner - coef) <= 0:
                inner = coef
        else:  # outwards until rejected, in growing steps
            inner, outer = end, end + sign * step
            while abs(outer - coef) <= 256 * se and not rejected(outer):
                inner, step = outer, step * 2
                outer = inner + sign * step
            if abs(outer - coef) > 256 * se:
                bounds.append(sign * math.inf)  # never rejected: unbounded on this side
                continue
        for _ in range(7):
            middle = (inner + outer) / 2
            if rejected(middle):
                outer = middle
            else:
                inner = middle
        bounds.append((inner + outer) / 2)
    return bounds


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


# Families already computed, per database file, data version, day and question: the relations page and the
# meeting material (in either language) ask for the same family, which takes seconds; a write makes a new key.
# The panels they rest on are kept too, so that one pair and then its family build the panel once.
_FAMILIES: dict[tuple, list[Relation]] = {}
_PANELS: dict[tuple, Panel] = {}
_FAMILIES_KEPT = 16
_PANELS_KEPT = 4


_KEEPING = threading.Lock()  # the server's warm-up thread (pages/_ui.py) and page runs share them


def _keep(store: dict, key: tuple, value, kept: int) -> None:
    with _KEEPING:
        if len(store) >= kept:
            store.pop(next(iter(store)))
        store[key] = value


def _panel(db: Database, grain: str, today: dt.date, panel: Panel | None) -> Panel:
    """`build_panel(db, grain)` as of `today`: the one handed in if it is that, else one kept for this data version."""
    if panel is not None and panel.grain == grain and panel.as_of == today:
        return panel
    key = (str(db.path), db.data_version(), today, grain)
    if key not in _PANELS:
        _keep(_PANELS, key, build_panel(db, grain), _PANELS_KEPT)
    return _PANELS[key]


def all_results(
    db: Database,
    grain: str,
    level: str = "department",
    filters: Filters | None = None,
    weighted: bool = False,
    *,
    panel: Panel | None = None,
) -> list[Relation]:
    """`analyse_all` on the database's panel as the page asks for it, computed once per data version (and day)
    in this process. A caller that has that panel (`build_panel(db, grain)`, as of today) may hand it in. The
    results are shared: treat them as read-only."""
    today = dt.date.today()
    key = (str(db.path), db.data_version(), today, grain, level, filters, weighted)
    if key not in _FAMILIES:
        family = analyse_all(scoped(_panel(db, grain, today, panel), filters, level), weighted=weighted)
        _keep(_FAMILIES, key, family, _FAMILIES_KEPT)
    return _FAMILIES[key]


def pair_results(
    db: Database,
    grain: str,
    level: str,
    filters: Filters | None,
    weighted: bool,
    metric: str,
    outcome: str,
) -> list[Relation]:
    """One metric × outcome of `all_results` (a Relation per lag in `LAGS`), in a fraction of its time: the same
    distributed-lag model on the same rows, so the same estimates, but **without q** unless the family is
    computed already (then its own results). Its `finding` and `significant` then rest on a bare p, which the
    page never shows: it draws the estimates at once and says what they mean once the family gives q."""
    today = dt.date.today()
    family = _FAMILIES.get((str(db.path), db.data_version(), today, grain, level, filters, weighted))
    if family is not None:
        return [r for r in family if (r.metric, r.outcome) == (metric, outcome)]
    return analyse_profile(scoped(_panel(db, grain, today, None), filters, level), metric, outcome, weighted)


def analyse_all(
    panel: Panel,
    metrics: tuple[str, ...] = METRICS,
    outcomes: tuple[str, ...] = OUTCOMES,
    weighted: bool = False,
) -> list[Relation]:
    """Every metric × outcome × lag (one distributed-lag model per metric × outcome), with Benjamini–Hochberg
    q-values of the p across the pairs that have one; findings then speak of q."""
    from scipy import stats  # here, not at the top: see _wild_cluster

    results = [r for m in metrics for o in outcomes for r in analyse_profile(panel, m, o, weighted)]
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


def surviving(results: list[Relation]) -> list[Relation]:
    """The findings that survive correction, strongest (smallest q, then largest |t|) first: what the page
    opens on."""
    found = [r for r in results if r.significant]
    return sorted(found, key=lambda r: (r.q, -abs(r.fixed_effects["coef"] / r.fixed_effects["se"])))


def partial_scatter(panel: Panel, result: Relation, weighted: bool = False) -> pd.DataFrame:
    """The picture of a within-department finding: for each of the model's rows, x at the result's lag and y with
    the department and period effects and the other lags removed (residuals, Frisch–Waugh–Lovell), so that the
    least-squares slope through these points is exactly the model's coefficient. department_name, category,
    period, x, y (deviations), and the lag's raw x for the hover."""
    data = lagged(panel, result.metric, result.outcome, result.lags)
    name = f"x{result.lag}"
    others = [f"x{lag}" for lag in result.lags if lag != result.lag]
    values = _partialled(data[[name, "y"]], pd.concat([*effects(data), data[others]], axis=1), data, weighted)
    residuals, y = values[:, :1], values[:, 1]
    if weighted:  # shown in points, not scaled by √n: the slope through them is then the WLS one
        scale = np.sqrt(data["n"].to_numpy(dtype="float64"))
        residuals, y = residuals / scale[:, None], y / scale
    # The raw metric is a branch figure shown elsewhere; the raw satisfaction is not given, since a cell
    # withheld to protect a small group (`suppression`) is in the model but must not be shown.
    return data[["department_name", "category", "period"]].assign(x=residuals[:, 0], y=y, x_raw=data[name])


def effect_line(points: pd.DataFrame, fe: dict, samples: int = 50) -> pd.DataFrame:
    """The model's slope through the origin of the deviations, with the band its 95% CI spans: x, fit, lo, hi."""
    grid = np.linspace(points["x"].min(), points["x"].max(), samples)
    ends = np.stack([grid * fe["ci"][0], grid * fe["ci"][1]])
    return pd.DataFrame({"x": grid, "fit": grid * fe["coef"], "lo": ends.min(axis=0), "hi": ends.max(axis=0)})


# --- Plain words -------------------------------------------------------------------------------------------


def _num(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else ("∞" if value > 0 else "−∞")


def _digits(effect: float, lo: float, hi: float) -> int:
    """One decimal, or as many more (up to 3) as keep the estimate and the CI's ends apart ("0.8 to 0.8")."""
    for digits in (1, 2, 3):
        shown = {_num(abs(effect), digits), _num(lo, digits), _num(hi, digits)}
        if len(shown) == 3 or digits == 3:
            return digits
    return 3


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
                maxlag=max(result.lags),
            )
            continue
        fe = result.fixed_effects
        step = STEP[result.metric]
        effect, lo, hi = fe["coef"] * step, fe["ci"][0] * step, fe["ci"][1] * step
        digits = _digits(effect, lo, hi)
        values = {
            "metric": metric,
            "outcome": outcome,
            "lag": lag,
            "step": _num(step, 0),
            "effect": _num(abs(effect), digits),
            "lo": _num(lo, digits),
            "hi": _num(hi, digits),
            "p": p_phrase(fe["p"]),
            "q": "" if result.q is None else t("relations.q", lang, q=p_phrase(result.q)),
            "n": result.n,
            "departments": result.n_departments,
            "branches": _branches(fe, lang),
        }
        if not result.significant:
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
        fe = r.fixed_effects or {}
        rows.append(
            {
                "metric": r.metric,
                "outcome": r.outcome,
                "lag": r.lag,
                "n": r.n,
                "n_departments": r.n_departments,
                "n_clusters": fe["clusters"]["n"] if fe else np.nan,
                "cluster_level": fe["clusters"]["level"] if fe else None,
                "pearson_r": r.pearson["r"] if r.pearson and r.pearson["r"] is not None else np.nan,
                "spearman_rho": r.spearman["rho"] if r.spearman and r.spearman["rho"] is not None else np.nan,
                "fe_coef": fe.get("coef", np.nan),
                "fe_se": fe.get("se", np.nan),
                "fe_ci_low": fe["ci"][0] if fe else np.nan,
                "fe_ci_high": fe["ci"][1] if fe else np.nan,
                "fe_p": fe.get("p", np.nan),
                "inference": fe.get("inference"),
                "q": r.q if r.q is not None else np.nan,
                "significant": r.significant,
                "reason": r.reason,
            }
        )
    return pd.DataFrame(rows)
