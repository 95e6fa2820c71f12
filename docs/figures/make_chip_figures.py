"""Draw one figure per chip-supply mechanism (issue 16) into ``docs/figures/`` (PNG).

    .venv/bin/python docs/figures/make_chip_figures.py     # about 2 minutes on 2 cores

- ``chips_stockpiling.png``: importers buy ahead of announced rules and sell afterwards — their
  stock, foreign shipments with and without buying ahead, and the domestic share;
- ``chips_production.png``: domestic production — dies from the overseas stock and the domestic
  foundry, packaging and HBM limits, and what was offered against what was bought;
- ``chips_demand.png``: demand decides when supply allows — the 2027 share against the
  procurement mandate and the switching cost;
- ``chips_catch_up.png``: the 2030 gap against all chip supply scaled, and its two parts.

Runs the calibrated baseline (``scenarios/baseline_calibrated.toml``) at scale 1, seeds 0-2,
means with two standard errors.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from statecraft.chips import scaled_supply
from statecraft.model import StatecraftModel
from statecraft.scenario import load_scenario

HERE = Path(__file__).resolve().parent
SEEDS = range(3)
CAL = load_scenario("baseline_calibrated").params


def runs(**kw):
    out = []
    for seed in SEEDS:
        model = StatecraftModel(CAL.replace(**kw) if kw else CAL, rng=seed)
        model.run_model()
        out.append(model.datacollector.get_model_vars_dataframe())
    return out


def mean(frames, column):
    return np.mean([f[column].to_numpy() for f in frames], axis=0)


def years(n):
    return 2020 + (np.arange(n) + 1) / 12.0


def windows(ax):
    for e in CAL.export_events:
        if e.announced is not None:
            a = int(e.announced[:4]) + (int(e.announced[5:]) - 1) / 12
            b = int(e.date[:4]) + (int(e.date[5:]) - 1) / 12
            ax.axvspan(a, b, color="grey", alpha=0.15, lw=0)


def stockpiling():
    base, off = runs(), runs(import_stockpile_months=0.0)
    n = len(base[0])
    t = years(n)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
    ax = axes[0]
    ax.plot(t, mean(base, "importer_stock"), color="tab:orange")
    windows(ax)
    ax.set(title="Importers' stock (k accelerators)\nshaded: rule announced, not yet in force",
           xlabel="year", xlim=(2021.5, 2027))  # fmt: skip
    ax = axes[1]
    ax.plot(t, mean(base, "foreign_units"), label="with buying ahead")
    ax.plot(t, mean(off, "foreign_units"), label="without (stockpile months 0)", ls="--")
    windows(ax)
    ax.set(title="Foreign accelerators shipped (k / month)", xlabel="year", xlim=(2021.5, 2027))
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.plot(t, mean(base, "domestic_share"), label="with buying ahead")
    ax.plot(t, mean(off, "domestic_share"), label="without", ls="--")
    for y, v in ((2023, 0.10), (2024, 0.30), (2025, 0.41)):
        ax.plot(y + 1, v, "kD", ms=6)
    ax.plot([], [], "kD", label="IDC (year to Dec)")
    ax.set(title="Domestic share of shipments (trailing 12 months)", xlabel="year",
           xlim=(2021.5, 2030.1), ylim=(0, 1))  # fmt: skip
    ax.legend(fontsize=8)
    for a in axes:
        a.grid(alpha=0.3)
    fig.savefig(HERE / "chips_stockpiling.png", dpi=110)
    plt.close(fig)


def production():
    base, nodies = runs(), runs(overseas_foundry_k_per_month=0.0)
    t = years(len(base[0]))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
    ax = axes[0]
    ax.plot(t, mean(base, "die_stock"), label="overseas die stock (k dies)")
    ax.plot(t, mean(base, "hbm_stock") / CAL.hbm_stacks_per_chip,
            label="HBM stock (k accelerators' worth)")  # fmt: skip
    ax.set(title="Stocks made before the routes closed", xlabel="year")
    ax.legend(fontsize=8)
    ax = axes[1]
    sold = mean(base, "domestic_units")
    ax.plot(t, sold, label="bought")
    ax.plot(t, sold + mean(base, "domestic_unsold"), label="offered", ls="--")
    ax.plot(t, mean(base, "domestic_capacity"), label="domestic foundry's good dies", ls=":")
    ax.set(title="Domestic accelerators (k / month)", xlabel="year")
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.plot(t, mean(base, "domestic_share"), label="baseline")
    ax.plot(t, mean(nodies, "domestic_share"), label="no overseas dies", ls="--")
    ax.set(title="Domestic share of shipments", xlabel="year", ylim=(0, 1))
    ax.legend(fontsize=8)
    for a in axes:
        a.grid(alpha=0.3)
    fig.savefig(HERE / "chips_production.png", dpi=110)
    plt.close(fig)


def demand():
    levels = np.linspace(0.0, 1.0, 5)
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    for name, color in (("procurement_mandate", "tab:red"), ("switching_friction", "tab:blue")):
        vals = []
        for v in levels:
            fs = runs(**{name: float(v)})
            x = np.array([f["domestic_share"].iloc[(2027 - 2020) * 12 + 11] for f in fs])
            vals.append((x.mean(), x.std(ddof=1) / np.sqrt(len(x))))
        m = np.array([v[0] for v in vals])
        e = np.array([v[1] for v in vals])
        ax.errorbar(levels, m, yerr=2 * e, marker="o", capsize=3, color=color, label=f"`{name}`")
    ax.set(title="Demand decides when supply allows: Dec 2027 domestic share",
           xlabel="lever value", ylabel="domestic share of shipments")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(HERE / "chips_demand.png", dpi=110)
    plt.close(fig)


def catch_up():
    factors = np.array([0.1, 0.3, 1.0, 3.0, 10.0])
    gaps = []
    for f in factors:
        fs = runs(**scaled_supply(CAL, float(f)))
        x = np.array([fr["capability_gap_months"].iloc[-1] for fr in fs])
        gaps.append((x.mean(), x.std(ddof=1) / np.sqrt(len(x))))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    ax = axes[0]
    ax.errorbar(factors, [g[0] for g in gaps], yerr=[2 * g[1] for g in gaps], marker="o",
                capsize=3)  # fmt: skip
    ax.set_xscale("log")
    ax.set(title="Dec 2030 gap against all chip supply scaled", xlabel="chip supply (× calibrated)",
           ylabel="months behind the US frontier")  # fmt: skip
    ax.grid(alpha=0.3)
    ax = axes[1]
    for kw, label in (({}, "calibrated"), (scaled_supply(CAL, 0.3), "× 0.3"),
                      (scaled_supply(CAL, 3.0), "× 3")):  # fmt: skip
        fs = runs(**kw)
        ax.plot(years(len(fs[0])), mean(fs, "capability_gap_months"), label=label)
    ax.set(title="Gap over time", xlabel="year", ylabel="months")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(HERE / "chips_catch_up.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    stockpiling()
    production()
    demand()
    catch_up()
