"""小样本保护 Small-number protection: which satisfaction cells are withheld, so that no hidden mean can be
recovered by subtraction (`STATISTICS.md`, "Small numbers").

* **Primary suppression**: a cell (a unit × period × population, or × item) with 0 < n < the minimum
  (`suppression_min_n`, default 10) shows neither its mean nor its exact n: the n reads "<10" (`n_label`).
* **Complementary (secondary) suppression**: a shown total whose children are all shown but one gives
  that one away (total n × mean − Σ shown children n × mean). So every *relation* between cells that
  are shown or downloadable together must hold 0 or at least 2 withheld cells (`protect`): where one
  holds exactly one, one more is withheld — the child with the fewest respondents (the parent only when
  no child is left) — and its n too (it reads "—", it is not a small group). A cell withheld this way
  can make another relation hold exactly one, so the pass repeats until nothing changes (a fixed point).
  When no relation holds exactly one withheld cell, subtraction (one relation at a time, or chained
  through recovered parents) has nothing to start from.

The relations (`relations`), within each period and population (or population × item), for every grain:

* units: department → branch, department → category, department → branch × category, department →
  hospital, branch × category → branch and → category, branch → hospital, category → hospital (the
  category and branch filters of the pages show the category and branch × category totals);
* periods, for every unit: months → quarter, quarters → year, months → year (the grains are each a
  choice of the pages and a `--grain` of the CLI, so each is "downloadable together" with the others).

Totals are counted as exact even where they are not (a quarterly aggregate counts in its quarter, not in
its months; a department that moves branch in the middle of a year): that only withholds a little more.

`protect_cells(departments, min_n, keys)` takes n per department × period (every grain, with each
department's branch and category in that period; `keys` e.g. `["population"]`) and returns every cell of
every level with `primary` and `withheld`; `metrics.build_panel` keeps the withheld cells of its grain
(`Panel.withheld`, `Panel.withheld_items`), and `metrics.rollup`, `satisfaction.items` and
`metrics.records` apply them: every page table, download, CLI text and JSON reads them from there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Each level's grouping columns; a cell's unit is made from them (see `unit_of`).
LEVELS = {
    "department": ["department_code", "branch_code", "category"],
    "branch_category": ["branch_code", "category"],
    "branch": ["branch_code"],
    "category": ["category"],
    "hospital": [],
}
# child level → parent levels (the parent's unit is computed from the child's grouping columns).
HIERARCHY = {
    "department": ("branch", "category", "branch_category", "hospital"),
    "branch_category": ("branch", "category"),
    "branch": ("hospital",),
    "category": ("hospital",),
}
# child grain → parent grains (periods that add up to a longer one).
PERIODS = {"month": ("quarter", "year"), "quarter": ("year",)}
FREQ = {"quarter": "Q", "year": "Y"}
CELL = ["grain", "level", "unit", "period_start"]


def unit_of(frame: pd.DataFrame, level: str) -> pd.Series:
    """The unit of a cell of `level` from its grouping columns: a department or branch code, a category,
    'branch|category', or 'hospital'."""
    if level == "department":
        return frame["department_code"].astype(str)
    if level == "branch":
        return frame["branch_code"].astype(str)
    if level == "category":
        return frame["category"].astype(str)
    if level == "branch_category":
        return frame["branch_code"].astype(str) + "|" + frame["category"].astype(str)
    return pd.Series("hospital", index=frame.index, dtype=object)


def protect(
    n: np.ndarray, primary: np.ndarray, relation: np.ndarray, cell: np.ndarray, parent: np.ndarray
) -> np.ndarray:
    """The withheld cells: `primary` plus the complementary ones, so that no relation holds exactly one.

    `n[i]`, `primary[i]` describe cell i (cells with n > 0 only); each relation is the rows with the same
    `relation` id: its `cell`s, one of them the total (`parent` true). Greedy: every relation with exactly
    one withheld cell withholds its shown child with the smallest n (ties: the first cell), or its total
    when no child is shown; repeated until no relation holds exactly one."""
    withheld = np.asarray(primary, dtype=bool).copy()
    relation = np.asarray(relation, dtype="int64")
    cell = np.asarray(cell, dtype="int64")
    members = pd.DataFrame({"relation": relation, "cell": cell, "parent": np.asarray(parent, dtype=bool)})
    members["n"] = np.asarray(n)[cell]
    # Children first, the smallest first: the first shown member of a relation is the one to withhold.
    members = members.sort_values(["relation", "parent", "n", "cell"], ignore_index=True)
    size = np.bincount(members["relation"], minlength=relation.max() + 1 if len(relation) else 0)
    rel = members["relation"].to_numpy()
    cells = members["cell"].to_numpy()
    while True:
        hidden = withheld[cells]
        count = np.bincount(rel, weights=hidden, minlength=len(size))
        lone = (count == 1) & (size >= 2)
        if not lone.any():
            return withheld
        candidates = members[lone[rel] & ~hidden]
        withheld[candidates.drop_duplicates("relation")["cell"].to_numpy()] = True


def cells_of(departments: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Every cell of every level: `departments` (grain, period_start, department_code, branch_code,
    category, *keys, n) summed up per level; cells with n > 0 only."""
    departments = departments[departments["n"] > 0]
    parts = []
    for level, columns in LEVELS.items():
        cells = departments.groupby(["grain", "period_start", *keys, *columns], as_index=False, dropna=False)["n"].sum()
        cells.insert(0, "level", level)
        cells.insert(1, "unit", unit_of(cells, level))
        parts.append(cells)
    return pd.concat(parts, ignore_index=True)


def relations(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The rows (relation, cell, parent) of every total and its parts among `cells` (see the module
    docstring); `cells` is indexed 0…N−1."""
    ids = pd.MultiIndex.from_frame(cells[[*CELL, *keys]])
    rows = []
    # Units: each child cell names its parent in the same grain and period.
    for child, parents in HIERARCHY.items():
        children = cells[cells["level"] == child]
        for level in parents:
            parent = children[["grain", "period_start", *keys]].assign(level=level, unit=unit_of(children, level))
            rows.append(_members(children.index, parent, ids, keys))
    # Periods: each child cell names the same unit in the longer period that holds it.
    for grain, longer in PERIODS.items():
        children = cells[cells["grain"] == grain]
        for parent_grain in longer:
            start = children["period_start"].dt.to_period(FREQ[parent_grain]).dt.start_time
            parent = children[["level", "unit", *keys]].assign(grain=parent_grain, period_start=start)
            rows.append(_members(children.index, parent, ids, keys))
    members = pd.concat([part.assign(kind=i) for i, part in enumerate(rows)], ignore_index=True)
    members["relation"] = pd.factorize(members["kind"].to_numpy() * len(cells) + members["total"].to_numpy())[0]
    totals = members.drop_duplicates("relation").assign(cell=lambda m: m["total"], parent=True)
    return pd.concat([members, totals], ignore_index=True)[["relation", "cell", "parent"]]


def _members(children: pd.Index, parent: pd.DataFrame, ids: pd.MultiIndex, keys: list[str]) -> pd.DataFrame:
    """(total, cell) for each child cell whose total (`parent`, the total's cell keys) is a cell (n > 0)."""
    total = ids.get_indexer(pd.MultiIndex.from_frame(parent[[*CELL, *keys]]))
    known = total >= 0
    return pd.DataFrame({"total": total[known], "cell": children.to_numpy()[known], "parent": False})


def protect_cells(departments: pd.DataFrame, min_n: int, keys: list[str]) -> pd.DataFrame:
    """Every cell of every level and grain (see `cells_of`) with `primary` (0 < n < `min_n`) and `withheld`
    (primary or complementary, see `protect`)."""
    cells = cells_of(departments, keys)
    cells["primary"] = cells["n"] < min_n
    if cells.empty:
        return cells.assign(withheld=pd.Series(dtype=bool))
    members = relations(cells, keys)
    cells["withheld"] = protect(
        cells["n"].to_numpy(),
        cells["primary"].to_numpy(),
        members["relation"].to_numpy(),
        members["cell"].to_numpy(),
        members["parent"].to_numpy(),
    )
    return cells


def target(level: str, category: str | None, branch: str | None) -> str:
    """The level of the cells a roll-up to `level` shows under the category and branch filters: the
    hospital within a category is the category's total, within a branch the branch's, and so on."""
    if level == "department":
        return "department"
    if level == "branch" or branch:
        return "branch_category" if category else "branch"
    return "category" if category else "hospital"


def units(frame: pd.DataFrame, level: str, category: str | None, branch: str | None) -> pd.Series:
    """The unit (as in `protect_cells`) of each row of a roll-up to `level` under the filters: rows carry
    `department_code` (departments), `branch_code` (branches) or nothing (the hospital)."""
    kind = target(level, category, branch)
    if kind == "department":
        return frame["department_code"].astype(str)
    if kind == "branch" and level == "branch":
        return frame["branch_code"].astype(str)
    if kind == "branch":
        return pd.Series(str(branch), index=frame.index, dtype=object)
    if kind == "branch_category":
        codes = frame["branch_code"].astype(str) if level == "branch" else pd.Series(str(branch), index=frame.index)
        return codes + "|" + str(category)
    if kind == "category":
        return pd.Series(str(category), index=frame.index, dtype=object)
    return pd.Series("hospital", index=frame.index, dtype=object)


def withheld_mask(
    frame: pd.DataFrame, withheld: pd.DataFrame | None, level: str, category: str | None, branch: str | None, **key
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of a roll-up to `level` under the filters (with `period_start`; `key` e.g.
    population='staff', or population and item, as columns of the rows or as values): whether its cell is
    withheld, and whether by complementary suppression only (not a small group itself)."""
    none = np.zeros(len(frame), dtype=bool)
    if withheld is None or withheld.empty or frame.empty:
        return none, none.copy()
    cells = withheld[withheld["level"] == target(level, category, branch)]
    for name, value in key.items():
        if not isinstance(value, pd.Series):
            cells = cells[cells[name] == value]
    names = [name for name, value in key.items() if isinstance(value, pd.Series)]
    found = cells.set_index(["unit", "period_start", *names])["primary"]
    found = found[~found.index.duplicated()]
    rows = pd.MultiIndex.from_arrays(
        [units(frame, level, category, branch), pd.to_datetime(frame["period_start"]), *(key[n] for n in names)]
    )
    primary = found.reindex(rows)
    hidden = primary.notna().to_numpy()
    return hidden, hidden & ~primary.fillna(True).astype(bool).to_numpy()


def n_label(n: object, withheld: bool, complementary: bool, min_n: int) -> object:
    """What a table shows for a cell's n: '<10' for a small group, '—' for a cell withheld to protect one,
    else n itself."""
    if withheld:
        return "—" if complementary else f"<{min_n}"
    return n
