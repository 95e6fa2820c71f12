"""Draw one figure per mechanism of issue 7 into ``docs/figures/`` (PNG).

    .venv/bin/python docs/figures/make_figures.py          # about 3 minutes on 2 cores

- ``market_price_shortage.png``: the chip market clears by price — price index and shortage
  against export-control stringency, and over time in the baseline and under a cut-off;
- ``gap_starvation.png``: the capability gap when compute is cut, down to no chips at all;
- ``duplication_herding.png``: the duplication index against herding, for three levels of
  coordination, and excess waste alongside;
- ``waste_definition.png``: how waste depends on the definition of produced capability.

Runs at scale 0.25 (the gap does not depend on scale), seeds 0-2, means with standard errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "benchmarks"))
# The probe's settings and its run helper, so that figures and review show the same runs.
from probe_mechanisms import CUTOFF, STARVE, run  # noqa: E402

SEEDS = range(3)
SCALE = 0.25


def frames(**kw):
    return [run(seed, scale=SCALE, **kw)[0] for seed in SEEDS]


def stat(fs, column, row=-1):
    v = np.array([f[column].iloc[row] if row is not None else f[column].mean() for f in fs])
    return v.mean(), v.std(ddof=1) / np.sqrt(len(v))


def dates(n):
    return 2020 + np.arange(n) / 12.0


def market_figure():
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    levels = np.linspace(0.0, 1.0, 6)
    price, short, share = [], [], []
    for chips in levels:
        fs = frames(policy_chips=float(chips), policy_grey_leakage=0.05, end_date="2028-12")
        price.append(stat(fs, "chip_price_index"))
        short.append(stat(fs, "compute_shortage"))
        share.append(stat(fs, "domestic_share"))
    ax = axes[0]
    for series, label, color in (
        (price, "price per flagship-equivalent (× list)", "tab:red"),
        (short, "shortage (share of wanted compute not bought)", "tab:blue"),
        (share, "domestic share of units (12 months)", "tab:green"),
    ):
        m = np.array([x[0] for x in series])
        e = np.array([x[1] for x in series])
        ax.errorbar(levels, m, yerr=2 * e, marker="o", label=label, color=color, capsize=3)
    ax.set_xlabel("chip stringency from 2026 (`policy_chips`)")
    ax.set_title("Dec 2028: prices clear the market, shortage follows")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax = axes[1]
    for kw, label, ls in (({}, "baseline", "-"), (CUTOFF, "cut-off from 2026", "--")):
        fs = frames(**kw)
        n = len(fs[0])
        ax.plot(dates(n), np.mean([f["chip_price_index"] for f in fs], axis=0), "tab:red", ls=ls,
                label=f"price index, {label}")  # fmt: skip
        ax.plot(dates(n), np.mean([f["compute_shortage"] for f in fs], axis=0), "tab:blue", ls=ls,
                label=f"shortage, {label}")  # fmt: skip
    ax.set_title("Over time (mean of 3 seeds)")
    ax.set_xlabel("year")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(HERE / "market_price_shortage.png", dpi=90)
    plt.close(fig)


def gap_figure():
    fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
    cases = (
        ({"policy_chips": 0.3}, "loose controls (policy_chips 0.3)"),
        ({}, "baseline"),
        (CUTOFF, "cut-off from 2026"),
        (
            {**CUTOFF, "policy_grey_leakage": 0.0, "domestic_wafers_k_per_month": 0.0},
            "cut-off, no grey, no initial domestic capacity",
        ),
        (
            STARVE,
            "no chips at all (starvation)",
        ),
    )  # fmt: skip
    for kw, label in cases:
        fs = frames(**kw)
        g = np.array([f["capability_gap_months"].to_numpy() for f in fs])
        ax.plot(dates(g.shape[1]), g.mean(axis=0), label=label)
    ax.axhline(33.3, color="grey", ls=":", lw=1)
    ax.text(2020.2, 35, "old bound 1/frontier_diffusion ≈ 33 months", fontsize=8, color="grey")
    ax.set_xlabel("year")
    ax.set_ylabel("months behind the US frontier")
    ax.set_title("Gap of the leading domestic labs: widens without bound under starvation")
    ax.set_yscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.savefig(HERE / "gap_starvation.png", dpi=90)
    plt.close(fig)


def duplication_figure():
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    herding = np.linspace(0.0, 1.0, 5)
    for coord, color in ((0.0, "tab:red"), (0.2, "tab:orange"), (1.0, "tab:blue")):
        dup, exc = [], []
        for h in herding:
            fs = frames(herding=float(h), coordination=coord)
            dup.append(stat(fs, "duplication_index", row=None))
            exc.append(stat(fs, "excess_waste_share"))
        for ax, series in ((axes[0], dup), (axes[1], exc)):
            m = np.array([x[0] for x in series])
            e = np.array([x[1] for x in series])
            ax.errorbar(herding, m, yerr=2 * e, marker="o", color=color, capsize=3,
                        label=f"coordination {coord:g}")  # fmt: skip
    axes[0].axhline(0.0, color="grey", lw=1)
    axes[0].set_ylim(-0.5, 1.0)
    axes[0].set_title("Duplication index (mean 2020–2030): 0 = independent, 1 = one niche")
    axes[1].axhline(0.0, color="grey", lw=1)
    axes[1].set_title("Excess waste 2030: state equity minus private money lost")
    for ax in axes:
        ax.set_xlabel("herding (weight on imitating other cities and the state's signal)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.savefig(HERE / "duplication_herding.png", dpi=90)
    plt.close(fig)


def waste_figure():
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    gaps = np.array([1.0, 3.0, 6.0, 9.0, 12.0, 18.0, 24.0])
    series = {c: [] for c in ("wasted_share", "state_equity_wasted_share", "private_wasted_share",
                              "excess_waste_share")}  # fmt: skip
    for g in gaps:
        fs = frames(produced_gap_months=float(g))
        for c in series:
            series[c].append(stat(fs, c))
    for c, s in series.items():
        m = np.array([x[0] for x in s])
        e = np.array([x[1] for x in s])
        ax.errorbar(gaps, m, yerr=2 * e, marker="o", capsize=3, label=c)
    ax.axvline(9.0, color="grey", ls=":", lw=1)
    ax.set_xlabel("`produced_gap_months` (how close to its niche's leaders counts as produced)")
    ax.set_ylabel("share, 2030")
    ax.set_title("Waste depends strongly on the definition; its excess over private stays < 0.1")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(HERE / "waste_definition.png", dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Draw every figure, or only those named (e.g. ``waste_figure``)."""
    names = sys.argv[1:] if argv is None else argv
    for draw in (market_figure, gap_figure, duplication_figure, waste_figure):
        if names and draw.__name__ not in names:
            continue
        draw()
        print("drew", draw.__name__, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
