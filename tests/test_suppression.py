"""Small-number protection holds: no withheld satisfaction mean can be recovered by subtraction.

The recovery search (`recover`) is an attacker's, written here without the product's helpers: it reads
only what `python -m analytics metrics --json` prints at department, branch and hospital level and month,
quarter and year grain, derives the totals from the records themselves (a department's `branch`, the
periods' labels) and, for every total whose parts are all known but one, subtracts — repeatedly, since a
recovered cell can open another total. On the code before complementary suppression (88f2165) it recovered
419 of the 1,621 withheld cells of demo seed 1 to within 0.005 points; now it must recover none.

Then the greedy rule itself, on small planted tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from analytics import cli, metrics, satisfaction, suppression
from analytics.db import Database
from tests.conftest import copy_database

AS_OF = "2025-12-31"
GRAINS = ("month", "quarter", "year")
LEVELS = ("department", "branch", "hospital")
POPULATIONS = ("outpatient", "inpatient", "staff")
CLOSE = 0.5  # a mean recovered to within half a point is recovered


@pytest.fixture(scope="module")
def demo_copy(demo_db_path, tmp_path_factory) -> str:
    return str(copy_database(demo_db_path, tmp_path_factory.mktemp("supp")))


def metrics_json(db: str, level: str, grain: str) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["metrics", "--db", db, "--level", level, "--grain", grain, "--as-of", AS_OF, "--json"])
    assert code in (0, None)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def published(demo_copy) -> dict[tuple[str, str], list[dict]]:
    return {(level, grain): metrics_json(demo_copy, level, grain) for level in LEVELS for grain in GRAINS}


@pytest.fixture(scope="module")
def truth(demo_copy) -> dict[tuple, float]:
    """The true mean of every cell with respondents (to tell a recovery from an unlucky guess)."""
    out = {}
    with Database(demo_copy) as db:
        for grain in GRAINS:
            panel = metrics.build_panel(db, grain, as_of=dt.date.fromisoformat(AS_OF))
            for level in LEVELS:
                rolled = metrics.rollup(panel, level, protect=False)
                for pop in POPULATIONS:
                    rows = rolled[rolled[f"n_{pop}"] > 0]
                    means = rows[f"sum_{pop}"] / rows[f"n_{pop}"]
                    for unit, period, mean in zip(rows["unit"], rows["period"], means, strict=True):
                        out[(grain, level, unit, period, pop)] = float(mean)
    return out


# --- The attacker ---------------------------------------------------------------------------------------------


def longer(period: str, grain: str) -> list[tuple[str, str]]:
    """The longer periods (grain, label) that hold `period`: a month's quarter and year, a quarter's year."""
    if grain == "month":
        year, month = period.split("-")
        return [("quarter", f"{year}Q{(int(month) - 1) // 3 + 1}"), ("year", year)]
    if grain == "quarter":
        return [("year", period[:4])]
    return []


def totals(published: dict[tuple[str, str], list[dict]], pop: str) -> dict[tuple, list[tuple]]:
    """Every total as the printed records define it: (total cell, kind of parts) → the part cells. Branches
    and the hospital over departments, the hospital over branches, and every unit's quarter over its months,
    year over its quarters, year over its months."""
    relations: dict[tuple, list[tuple]] = defaultdict(list)
    for (level, grain), rows in published.items():
        for r in rows:
            key = (grain, level, r["unit"], r["period"], pop)
            if level == "department":
                relations[((grain, "branch", r["branch"], r["period"], pop), level)].append(key)
                relations[((grain, "hospital", "hospital", r["period"], pop), level)].append(key)
            if level == "branch":
                relations[((grain, "hospital", "hospital", r["period"], pop), level)].append(key)
            for parent_grain, label in longer(r["period"], grain):
                relations[((parent_grain, level, r["unit"], label, pop), grain)].append(key)
    return relations


def recover(published: dict[tuple[str, str], list[dict]]) -> tuple[dict[tuple, float], int]:
    """Every withheld mean that subtraction recovers, and how many cells were withheld (a null mean with
    respondents: n printed > 0, or n null)."""
    known: dict[tuple, tuple[float | None, float | None]] = {}  # cell → (n, n × mean); None = not shown
    withheld = set()
    for (level, grain), rows in published.items():
        for r in rows:
            for pop in POPULATIONS:
                key = (grain, level, r["unit"], r["period"], pop)
                n, mean = r[f"n_{pop}"], r[f"satisfaction_{pop}"]
                if n == 0:
                    known[key] = (0.0, 0.0)
                elif mean is None:
                    withheld.add(key)
                    known[key] = (None if n is None else float(n), None)
                else:
                    known[key] = (float(n), float(n) * mean)
    relations = [
        (total, members)
        for pop in POPULATIONS
        for (total, _), members in totals(published, pop).items()
        if total in known
    ]
    found: dict[tuple, float] = {}
    changed = True
    while changed:
        changed = False
        for total, members in relations:
            cells = [total, *members]
            unknown = [c for c in cells if known[c][1] is None]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            others = [c for c in members if c != cell]
            if cell == total:
                s = sum(known[c][1] for c in members)
                n = sum(known[c][0] for c in members) if all(known[c][0] is not None for c in members) else None
            else:
                s = known[total][1] - sum(known[c][1] for c in others)
                ns = [known[c][0] for c in (total, *others)]
                n = ns[0] - sum(ns[1:]) if all(v is not None for v in ns) else None
            n = known[cell][0] if known[cell][0] is not None else n
            if not n or n <= 0:
                continue
            known[cell] = (n, s)
            found[cell] = s / n
            changed = True
    return found, len(withheld)


# --- The search on the demo -----------------------------------------------------------------------------------


def test_no_withheld_mean_is_recoverable_by_subtraction(published, truth):
    found, withheld = recover(published)
    recovered = {cell: mean for cell, mean in found.items() if abs(mean - truth[cell]) < CLOSE}
    assert withheld > 1000  # the demo has many small staff groups: the search has something to look for
    assert recovered == {}, f"{len(recovered)} of {withheld} withheld cells recovered, e.g. {list(recovered)[:5]}"


def test_withheld_cells_print_no_n_and_departments_name_their_branch(published):
    branches = {r["unit"] for r in published[("branch", "quarter")]}
    rows = published[("department", "quarter")]
    assert {r["branch"] for r in rows} <= branches
    withheld = [(r, pop) for r in rows for pop in POPULATIONS if r[f"satisfaction_{pop}"] is None]
    assert any(r[f"n_{pop}"] is None for r, pop in withheld)
    # A null score is either nobody (n 0) or withheld (n null): a withheld cell never prints its n.
    assert all(r[f"n_{pop}"] in (0, None) for r, pop in withheld)


def test_cli_text_shows_less_than_the_minimum_not_the_n(demo_copy):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(["metrics", "--db", demo_copy, "--level", "department", "--as-of", AS_OF])
    text = out.getvalue()
    assert "<10" in text and "—" in text


def test_items_keep_no_total_with_one_withheld_part(demo_copy):
    """Item means per department, branch and hospital of a period: each branch total and the hospital's
    have 0 or at least 2 withheld parts."""
    with Database(demo_copy) as db:
        panel = metrics.build_panel(db, "quarter", as_of=dt.date.fromisoformat(AS_OF))
    filters = metrics.Filters(grain="quarter")
    checked = 0
    for period in panel.periods[-4:]:
        for pop in POPULATIONS:
            departments = satisfaction.items(panel, filters, pop, period, "department")
            branches = satisfaction.items(panel, filters, pop, period, "branch")
            hospital = satisfaction.items(panel, filters, pop, period, "hospital")
            if departments.empty:
                continue
            branch_of = panel.frame[panel.frame["period"] == period].set_index("department_code")["branch_code"]
            departments = departments.assign(branch=departments["unit"].map(branch_of))
            for item, rows in departments.groupby("item"):
                for branch, parts in rows.groupby("branch"):
                    total = branches[(branches["unit"] == branch) & (branches["item"] == item)]
                    hidden = int(parts["mean"].isna().sum()) + int(total["mean"].isna().sum())
                    assert hidden != 1, (period, pop, item, branch)
                    checked += 1
                top = hospital[hospital["item"] == item]
                parts = branches[branches["item"] == item]
                assert int(parts["mean"].isna().sum()) + int(top["mean"].isna().sum()) != 1
    assert checked > 100
    assert departments["suppressed"].any()


# --- The greedy rule on planted tables ------------------------------------------------------------------------


def planted(rows: list[tuple[str, str, int]], grain: str = "quarter", period: str = "2024-01-01") -> pd.DataFrame:
    """Departments (code, branch, n) in one period; all of category 'clinical'."""
    return pd.DataFrame(
        {
            "grain": grain,
            "period_start": pd.Timestamp(period),
            "department_code": [r[0] for r in rows],
            "branch_code": [r[1] for r in rows],
            "category": "clinical",
            "population": "staff",
            "n": [r[2] for r in rows],
        }
    )


def withheld_units(cells: pd.DataFrame, level: str = "department") -> set[str]:
    return set(cells[(cells["level"] == level) & cells["withheld"]]["unit"])


def test_one_small_department_withholds_its_smallest_sibling_too():
    cells = suppression.protect_cells(
        planted([("D1", "B1", 4), ("D2", "B1", 30), ("D3", "B1", 12)]), 10, ["population"]
    )
    assert withheld_units(cells) == {"D1", "D3"}  # D3: the smallest of the others
    assert not cells[cells["level"].isin(["branch", "hospital"])]["withheld"].any()
    assert cells.set_index("unit").loc["D3", "primary"].item() is False


def test_two_small_departments_need_nothing_more():
    cells = suppression.protect_cells(planted([("D1", "B1", 4), ("D2", "B1", 30), ("D3", "B1", 6)]), 10, ["population"])
    assert withheld_units(cells) == {"D1", "D3"}
    assert cells.loc[cells["unit"] == "D3", "primary"].item()


def test_a_withheld_branch_is_protected_at_the_hospital_and_the_fixed_point_spans_two_levels():
    # B1 = D1 + D2 (both small: 9 in all, withheld); at the hospital B1 is then the one withheld branch,
    # so the smallest other branch (B3) is withheld; B3's total then holds one withheld cell (itself), so
    # its smallest department (D4) follows.
    rows = [("D1", "B1", 4), ("D2", "B1", 5), ("D3", "B2", 40), ("D4", "B3", 11), ("D5", "B3", 12), ("D6", "B3", 13)]
    cells = suppression.protect_cells(planted(rows), 10, ["population"])
    assert withheld_units(cells, "branch") == {"B1", "B3"}
    assert withheld_units(cells) == {"D1", "D2", "D4"}  # B3 and D4 withheld: two in B3's total
    assert not cells[cells["level"] == "hospital"]["withheld"].any()


def test_a_lone_child_goes_with_its_total():
    # A total (cell 0, withheld, e.g. to protect a sibling elsewhere) whose one part (cell 1) is shown would
    # give itself away: the part is withheld too.
    table = pd.DataFrame({"n": [20, 20], "primary": [True, False]})
    withheld = suppression.protect(
        table["n"].to_numpy(), table["primary"].to_numpy(), np.array([0, 0]), np.array([0, 1]), np.array([True, False])
    )
    assert withheld.tolist() == [True, True]


def test_periods_add_up_too():
    # One small month in a quarter: another month of the same department and quarter is withheld.
    months = pd.concat(
        [
            planted([("D1", "B1", 3), ("D2", "B1", 3)], "month", "2024-01-01"),
            planted([("D1", "B1", 40), ("D2", "B1", 40)], "month", "2024-02-01"),
            planted([("D1", "B1", 20), ("D2", "B1", 30)], "month", "2024-03-01"),
            planted([("D1", "B1", 63), ("D2", "B1", 73)], "quarter", "2024-01-01"),
        ]
    )
    cells = suppression.protect_cells(months, 10, ["population"])
    d1 = cells[(cells["unit"] == "D1") & (cells["grain"] == "month") & cells["withheld"]]
    assert sorted(d1["period_start"].dt.month) == [1, 3]  # March (20) is D1's smallest other month
