"""Reduced versions of the shipped `duplication` and `chip_supply` sweeps, as Markdown tables.

    .venv/bin/python benchmarks/sweep_tables.py        # about 3 minutes on 2 quiet cores

The shipped sweeps (``statecraft sweep experiments/duplication.toml`` ...) are the reference;
this script runs the same factor grids at ``scale`` 0.25 (the capability gap does not depend on
scale, docs/MECHANISMS_REVIEW.md) with the seven named city funds and 2 replicate seeds, so that
the README tables can be regenerated quickly after a change to the mechanisms.
"""

from __future__ import annotations

import sys

import numpy as np
from statecraft.model import StatecraftModel
from statecraft.params import Params

SEEDS = range(2)


def finals(**kw):
    rows = []
    for seed in SEEDS:
        model = StatecraftModel(Params(scale=0.25, **kw), rng=seed)
        while model.running:
            model.step()
        df = model.datacollector.get_model_vars_dataframe()
        row = df.iloc[-1].to_dict()
        row["duplication_mean"] = float(df["duplication_index"].mean())
        rows.append(row)
    return rows


def table(title, rows, cols, cells, fmt):
    out = [
        title,
        "",
        f"| {rows[0]} ↓ {cols[0]} → | " + " | ".join(f"{c:g}" for c in cols[1]) + " |",
    ]
    out.append("|---" * (len(cols[1]) + 1) + "|")
    for r in rows[1]:
        out.append(f"| {r:g} | " + " | ".join(fmt.format(cells[(r, c)]) for c in cols[1]) + " |")
    return "\n".join(out) + "\n"


def main() -> int:
    levels = (0.0, 0.25, 0.5, 0.75, 1.0)
    dup, excess, waste = {}, {}, {}
    for h in levels:
        for c in levels:
            rs = finals(herding=h, coordination=c)
            dup[(h, c)] = np.mean([r["duplication_mean"] for r in rs])
            excess[(h, c)] = np.mean([r["excess_waste_share"] for r in rs])
            waste[(h, c)] = np.mean([r["wasted_share"] for r in rs])
    grid = (("herding", levels), ("coordination", levels))
    print(table("Duplication index (mean over the run):", grid[0], grid[1], dup, "{:.2f}"))
    print(table("Excess waste share, 2030 (state equity minus private):", grid[0], grid[1],
                excess, "{:+.3f}"))  # fmt: skip
    print(table("Wasted share of state money, 2030:", grid[0], grid[1], waste, "{:.2f}"))
    chips = (0.5, 0.9, 1.0)
    fund = (4.0, 8.7, 20.0)
    share, gap = {}, {}
    for x in chips:
        for f in fund:
            rs = finals(policy_chips=x, semiconductor_fund_usd_bn_per_year=f)
            share[(x, f)] = np.mean([r["domestic_share"] for r in rs])
            gap[(x, f)] = np.mean([r["capability_gap_months"] for r in rs])
    g = (("chips", chips), ("fund (US$ bn/yr)", fund))
    print(table("Domestic share of accelerators sold, 2030:", g[0], g[1], share, "{:.2f}"))
    print(table("Gap to the US frontier, Dec 2030 (months):", g[0], g[1], gap, "{:.1f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
