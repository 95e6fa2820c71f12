"""Referee's probe of the model's mechanisms (issue 7): rerun it after any change to them.

    .venv/bin/python benchmarks/probe_mechanisms.py            # about 5 minutes on 2 cores
    .venv/bin/python benchmarks/probe_mechanisms.py --quick    # fewer seeds and draws

It prints Markdown: one section per item of the review in issue 7 (measured on the model as it
is), random in-bounds parameter sets (NaN, negatives, gap >= 0, capability <= frontier, money
conserved), one-at-a-time changes of every assumption that moves a headline answer, extreme
settings, and the directional claims over replicate seeds. ``docs/MECHANISMS_REVIEW.md`` records
its figures.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np
from pydantic import ValidationError
from statecraft.model import StatecraftModel
from statecraft.params import PARAMETERS, SHARE_GROUPS, Params, param

CUTOFF = {
    "policy_chips": 1.0,
    "policy_tools": 1.0,
    "policy_foundry": 1.0,
    "policy_licensed": 0.0,
    "policy_grey_leakage": 0.01,
}
STARVE = {
    "foreign_supply_k_per_month": 0.0,
    "domestic_wafers_k_per_month": 0.0,
    "overseas_foundry_k_per_month": 0.0,
    "semiconductor_fund_usd_bn_per_year": 0.0,
    "central_share_semiconductor": 0.0,
    "central_share_startups": 0.8,
}
#: Assumptions varied one at a time: (name, low, high).
OAT = (
    ("capex_per_k_wafers_usd_m", 125.0, 500.0),
    ("foreign_supply_growth", 0.1, 0.4),
    ("semiconductor_fund_ai_share", 0.25, 1.0),
    ("switching_friction", 0.0, 1.0),
    ("chip_substitution_elasticity", 1.5, 10.0),
    ("compute_price_elasticity", 0.0, 2.0),
    ("foreign_supply_elasticity", 0.0, 2.0),
    ("grey_supply_elasticity", 0.0, 3.0),
    ("capability_learning_rate", 0.5, 2.0),
    ("frontier_diffusion", 0.05, 0.2),
    ("compute_requirement_doubling_months", 6.0, 24.0),
    ("reference_compute", 0.3, 3.0),
    ("frontier_labs", 3, 30),
    ("herding", 0.0, 1.0),
    ("imitation_conformity", 1.0, 4.0),
    ("state_signal_weight", 0.0, 1.0),
    ("coordination", 0.0, 1.0),
    ("produced_gap_months", 3.0, 18.0),
    ("bigtech_compute_usd_bn_per_year", 3.0, 12.0),
    ("compute_spend_share", 0.2, 0.6),
)
HEADLINES = (
    ("domestic_share", "2030-12", "dom. share 2030"),
    ("capability_gap_months", "2030-12", "gap 2030 (mo)"),
    ("duplication_index", None, "dup. index (mean)"),
    ("excess_waste_share", "2030-12", "excess waste 2030"),
    ("chip_price_index", "2028-12", "price idx 2028"),
)


def _index(month: str) -> int:
    year, mon = (int(x) for x in month.split("-"))
    return (year - 2020) * 12 + mon - 1


def run(seed: int = 0, **kw):
    model = StatecraftModel(Params(**kw), rng=seed)
    while model.running:
        model.step()
    return model.datacollector.get_model_vars_dataframe(), model


def value(df, column, month):
    return float(df[column].mean()) if month is None else float(df[column].iloc[_index(month)])


def mean_over(seeds, column, month="2030-12", **kw):
    vals = [value(run(s, **kw)[0], column, month) for s in seeds]
    return float(np.nanmean(vals)), float(np.nanstd(vals, ddof=1) / math.sqrt(len(vals)))


def fmt(m_se):
    m, se = m_se
    return f"{m:.3f} ± {se:.3f}"


def headlines(seeds, **kw):
    frames = [run(s, **kw)[0] for s in seeds]
    return {
        label: np.nanmean([value(f, col, month) for f in frames]) for col, month, label in HEADLINES
    }


def section_items(seeds, out):
    sc = {"scale": 0.25}
    out("## The eight review items, measured now\n")
    df, _ = run(0)
    late = df.iloc[_index("2023-01") :]
    out(
        f"1. Market fill ≥ 0.999 in {np.mean(late['compute_fill'] >= 0.999):.2f} of months "
        f"from 2023 (baseline seed 0); price index max {df['chip_price_index'].max():.2f}, "
        f"shortage max {df['compute_shortage'].max():.2f}; market iterations at most "
        f"{max(_iterations(0)):d}."
    )
    out(f"   Domestic share 2030, baseline: {fmt(mean_over(seeds, 'domestic_share', **sc))}.")
    for name, lo, hi in OAT[:6]:
        a = mean_over(seeds, "domestic_share", **sc, **{name: lo})[0]
        b = mean_over(seeds, "domestic_share", **sc, **{name: hi})[0]
        out(f"   - `{name}` {lo:g} / {hi:g} → 2030 share {a:.3f} / {b:.3f}")
    base_alive = mean_over(seeds, "active_startups", **sc)
    cut_alive = mean_over(seeds, "active_startups", **sc, **CUTOFF)
    out(
        f"2. Startups alive 2030 (scale 0.25): baseline {fmt(base_alive)}, cut-off "
        f"{fmt(cut_alive)}; startup compute Dec 2028 baseline "
        f"{fmt(mean_over(seeds, 'startup_compute', '2028-12', **sc))}, cut-off "
        f"{fmt(mean_over(seeds, 'startup_compute', '2028-12', **sc, **CUTOFF))} (k); "
        f"wasted share baseline {fmt(mean_over(seeds, 'wasted_share', **sc))}, cut-off "
        f"{fmt(mean_over(seeds, 'wasted_share', **sc, **CUTOFF))}."
    )
    gap = "capability_gap_months"
    out(
        f"3. Gap 2030 with no chips at all: {fmt(mean_over(seeds, gap, **sc, **STARVE))}"
        f" months (2025-06: {fmt(mean_over(seeds, gap, '2025-06', **sc, **STARVE))});"
        f" baseline {fmt(mean_over(seeds, gap, **sc))}; cut-off "
        f"{fmt(mean_over(seeds, gap, **sc, **CUTOFF))}."
    )
    state = mean_over(seeds, "state_equity_wasted_share", **sc)
    private = mean_over(seeds, "private_wasted_share", **sc)
    out(
        f"4. Waste 2030: state equity {fmt(state)}, private {fmt(private)}, excess "
        f"{fmt(mean_over(seeds, 'excess_waste_share', **sc))}; all state money "
        f"{fmt(mean_over(seeds, 'wasted_share', **sc))}."
    )
    for gap in (3.0, 9.0, 18.0):
        out(
            f"   - `produced_gap_months` = {gap:g}: wasted share "
            f"{fmt(mean_over(seeds, 'wasted_share', **sc, produced_gap_months=gap))}, excess "
            f"{fmt(mean_over(seeds, 'excess_waste_share', **sc, produced_gap_months=gap))}"
        )
    out("5. Duplication index (mean over the run), coordination 0:")
    for h in (0.0, 0.25, 0.5, 0.75, 1.0):
        d = mean_over(seeds, "duplication_index", None, **sc, herding=h, coordination=0.0)
        e = mean_over(seeds, "excess_waste_share", **sc, herding=h, coordination=0.0)
        out(f"   - herding {h:g}: duplication {fmt(d)}, excess waste {fmt(e)}")
    for c in (0.0, 0.5, 1.0):
        d = mean_over(seeds, "duplication_index", None, **sc, coordination=c)
        e = mean_over(seeds, "excess_waste_share", **sc, coordination=c)
        out(f"   - coordination {c:g} (herding 0.5): duplication {fmt(d)}, excess waste {fmt(e)}")
    out("6. Gap June 2025 by scale:")
    for scale in (0.1, 0.25, 1.0):
        g = mean_over(seeds, "capability_gap_months", "2025-06", scale=scale, end_date="2025-06")
        out(f"   - scale {scale:g}: {fmt(g)}")
    approvals = [run(s, end_date="2024-04")[0]["approved_models"] for s in seeds]
    out(
        "7. Approvals before 2023-08: "
        f"{np.mean([a.iloc[_index('2023-07')] for a in approvals]):.1f}; by 2024-04: "
        f"{np.mean([a.iloc[-1] for a in approvals]):.1f} (S2: 117)."
    )
    out(
        "8. Provenance: M2 — "
        + param("semiconductor_fund_ai_share").source
        + "; M10 — "
        + param("bigtech_compute_usd_bn_per_year").source
        + "; M1 start "
        + Params().central_budget_start_date
        + "; M7 coverage "
        + f"{param('research_subsidy_coverage').default:g}.\n"
    )


def _iterations(seed):
    import statecraft.model as sm

    counts = []
    original = sm.clear_market

    def counting(*a, **k):
        res = original(*a, **k)
        counts.append(res.iterations)
        return res

    sm.clear_market = counting
    try:
        run(seed)
    finally:
        sm.clear_market = original
    return counts


def section_random(n, out):
    out(f"## {n} random in-bounds parameter sets (scale 0.05, 2020–2026)\n")
    rng = np.random.default_rng(2026)
    skip = {"scale", "initial_startups", "entry_rate", "n_city_funds"}
    numeric = [p for p in PARAMETERS if p.bounds is not None and p.name not in skip]
    bad = {"invalid": 0, "nan": 0, "negative": 0, "gap<0": 0, "above frontier": 0, "money": 0}
    worst_gap = math.inf
    t0 = time.perf_counter()
    done = 0
    tries = 0
    while done < n and tries < 50 * n:
        tries += 1
        draw = {}
        for p in numeric:
            lo, hi = p.bounds
            x = rng.uniform(lo, hi)
            draw[p.name] = round(x) if p.kind == "int" else float(x)
        # Cross-parameter rules: share groups add up to 1 (a uniform point on the simplex),
        # reinvestment shares at most 1 together, initial yield at most the mature one.
        for group in SHARE_GROUPS:
            w = rng.dirichlet(np.ones(len(group)))
            draw.update({name: float(x) for name, x in zip(group, w, strict=True)})
        total = draw["designer_rd_share"] + draw["foundry_reinvest_share"]
        if total > 1.0:
            draw["designer_rd_share"] /= total
            draw["foundry_reinvest_share"] /= total
        lo, hi = sorted((draw["initial_yield"], draw["max_yield"]))
        draw["initial_yield"], draw["max_yield"] = lo, hi
        try:
            model = StatecraftModel(Params(scale=0.05, end_date="2026-12", **draw), rng=done)
        except ValidationError:
            bad["invalid"] += 1
            continue
        above = False
        while model.running:
            model.step()
            above |= bool((model.startups.capability > model.startups.frontier + 1e-12).any())
        df = model.datacollector.get_model_vars_dataframe()
        money = df.filter(like="_usd_bn").drop(columns=["excess_wasted_usd_bn"])
        key = df.drop(columns=["chip_price_index", "capability_gap_months", "best_capability"])
        bad["nan"] += int(key.isna().to_numpy().any())
        bad["negative"] += int((money.to_numpy() < -1e-9).any())
        gap = df["capability_gap_months"].dropna()
        bad["gap<0"] += int((gap < -1e-9).any())
        worst_gap = min(worst_gap, float(gap.min()) if len(gap) else math.inf)
        bad["above frontier"] += int(above)
        disbursed = sum(f.disbursed.sum() for f in model.city_funds)
        bad["money"] += int(
            not math.isclose(
                disbursed, model.startups.cum["state_to_startups"], rel_tol=1e-9, abs_tol=1e-6
            )
        )
        done += 1
    out(
        f"{n} sets run ({bad['invalid']} draws refused by validation, e.g. share groups not "
        f"adding to 1) in {time.perf_counter() - t0:.0f} s. Sets with NaN in a metric: "
        f"{bad['nan']}; negative money: {bad['negative']}; gap < 0: {bad['gap<0']} (smallest gap "
        f"{worst_gap:.2f} months); capability above the US frontier: {bad['above frontier']}; "
        f"fund money not conserved: {bad['money']}.\n"
    )


def section_oat(seeds, out):
    out("## One at a time (scale 0.25, mean over seeds)\n")
    base = headlines(seeds, scale=0.25)
    labels = [label for _, _, label in HEADLINES]
    out("| assumption | value | " + " | ".join(labels) + " |")
    out("|---|---|" + "---|" * len(labels))
    out("| (baseline) | | " + " | ".join(f"{base[k]:.3f}" for k in labels) + " |")
    for name, lo, hi in OAT:
        for v in (lo, hi):
            h = headlines(seeds, scale=0.25, **{name: v})
            out(f"| `{name}` | {v:g} | " + " | ".join(f"{h[k]:.3f}" for k in labels) + " |")
    out("")


def section_directions(seeds, out):
    out("## Directions over replicate seeds (scale 0.5)\n")
    sc = {"scale": 0.5}
    rows = (
        ("loose controls (policy_chips 0.3)", {"policy_chips": 0.3}),
        ("baseline", {}),
        ("cut-off from 2026", CUTOFF),
        ("herding 0, coordination 0", {"herding": 0.0, "coordination": 0.0}),
        ("herding 1, coordination 0", {"herding": 1.0, "coordination": 0.0}),
        ("coordination 1 (herding 0.5)", {"coordination": 1.0}),
    )
    cols = (
        ("domestic_share", "2030-12"),
        ("capability_gap_months", "2030-12"),
        ("duplication_index", None),
        ("excess_waste_share", "2030-12"),
        ("wasted_share", "2030-12"),
        ("active_startups", "2030-12"),
    )
    out("| setting | " + " | ".join(c for c, _ in cols) + " |")
    out("|---|" + "---|" * len(cols))
    for name, kw in rows:
        frames = [run(s, **sc, **kw)[0] for s in seeds]
        cells = []
        for col, month in cols:
            v = np.array([value(f, col, month) for f in frames])
            cells.append(f"{v.mean():.3f} ± {v.std(ddof=1) / math.sqrt(len(v)):.3f}")
        out(f"| {name} | " + " | ".join(cells) + " |")
    out("")


def section_chips(seeds, out):
    """Issue 16: chip supply from behaviour, at scale 1 on the calibrated baseline."""
    from statecraft.chips import scaled_supply
    from statecraft.scenario import load_scenario

    cal = load_scenario("baseline_calibrated").params.model_dump()
    months = ("2023-12", "2024-12", "2025-12")
    out("## Chip supply (issue 16), calibrated baseline, scale 1\n")

    def shares(**kw):
        frames = [run(s, **{**cal, **kw})[0] for s in seeds]
        return np.array([[value(f, "domestic_share", m) for m in months] for f in frames])

    base = shares()
    m = base.mean(axis=0)
    out(
        f"- Domestic share 2023 / 2024 / 2025: {m[0]:.3f} / {m[1]:.3f} / {m[2]:.3f} "
        f"(IDC 0.10 / 0.30 / 0.41); 2024/2023 ratio {m[1] / m[0]:.2f}; seed sd "
        f"{base.std(axis=0, ddof=1).max():.3f}."
    )
    for label, kw in (
        ("no stockpiling (`import_stockpile_months` 0)", {"import_stockpile_months": 0.0}),
        ("no die stock (`overseas_foundry_k_per_month` 0)", {"overseas_foundry_k_per_month": 0.0}),
        ("no HBM stockpile (`hbm_stockpile_months` 0)", {"hbm_stockpile_months": 0.0}),
    ):
        alt = shares(**kw).mean(axis=0)
        out(
            f"- {label}: {alt[0]:.3f} / {alt[1]:.3f} / {alt[2]:.3f} "
            f"(largest change {np.abs(alt - m).max():.3f})"
        )
    base_f = [run(s, **cal)[0] for s in seeds]
    nodie_f = [run(s, **{**cal, "overseas_foundry_k_per_month": 0.0})[0] for s in seeds]
    late = [_index("2026-06"), _index("2027-12")]
    for label, fs in (("with the die stock", base_f), ("without", nodie_f)):
        y = np.mean([f["domestic_yield"].iloc[_index("2025-12")] for f in fs])
        sh = [np.mean([f["domestic_share"].iloc[i] for f in fs]) for i in late]
        out(
            f"- {label}: domestic yield Dec 2025 {y:.3f}; share Jun 2026 / Dec 2027 "
            f"{sh[0]:.3f} / {sh[1]:.3f}"
        )
    f0 = base_f[0]
    dies = (
        f0["overseas_dies_made"].iloc[_index("2024-12")]
        - f0["overseas_dies_made"].iloc[_index("2022-12")]
    )
    out(
        f"- Held out: dies made overseas 2023-24 {dies:,.0f} k (reported 2,000-2,900 k); "
        f"HBM stock Nov 2024 {f0['hbm_stock'].iloc[_index('2024-11')]:,.0f} k stacks "
        "(reported ~13,000 k)."
    )
    h20 = {"policy_date": "2025-07", "policy_licensed": 0.8}
    a = mean_over(seeds, "domestic_share", "2027-12", **{**cal, **h20, "procurement_mandate": 0.0})
    b = mean_over(seeds, "domestic_share", "2027-12", **{**cal, **h20, "procurement_mandate": 1.0})
    out(
        f"- 2027 share with H20 sales resumed, `procurement_mandate` 0 / 1: {a[0]:.3f} / {b[0]:.3f}"
    )
    for name, lo, hi in (
        ("procurement_mandate", 0.0, 1.0),
        ("switching_friction", 0.0, 1.0),
    ):
        a = mean_over(seeds, "domestic_share", "2027-12", **{**cal, name: lo})[0]
        b = mean_over(seeds, "domestic_share", "2027-12", **{**cal, name: hi})[0]
        out(f"- 2027 share, `{name}` {lo:g} / {hi:g}: {a:.3f} / {b:.3f} (moves {abs(b - a):.3f})")
    unsold = []
    for s in seeds:
        f = run(s, **cal)[0]
        left = f["domestic_unsold"].to_numpy()
        unsold.append(int((left > 0.01 * (f["domestic_units"].to_numpy() + left)).sum()))
    out(f"- Months with more than 1 % of domestic chips left unsold (of 132), by seed: {unsold}.")
    params = Params(**cal)
    out("- 2030 gap (months) with all chip supply scaled:")
    for factor in (0.1, 0.3, 1.0, 3.0, 10.0):
        g = mean_over(seeds, "capability_gap_months", **{**cal, **scaled_supply(params, factor)})
        out(f"   - x{factor:g}: {fmt(g)}")
    for name, lo, hi in (
        ("frontier_diffusion", params.frontier_diffusion / 2, params.frontier_diffusion * 2),
        ("open_weights_lag_months", 0.0, 2 * params.open_weights_lag_months + 3.0),
        ("cloud_access_share", 0.0, 1.0),
    ):
        a = mean_over(seeds, "capability_gap_months", **{**cal, name: lo})
        b = mean_over(seeds, "capability_gap_months", **{**cal, name: hi})
        out(f"- 2030 gap, `{name}` {lo:.3g} / {hi:.3g}: {fmt(a)} / {fmt(b)}")
    out("")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer seeds and draws")
    ap.add_argument(
        "--sections",
        default="chips,items,random,directions,oat",
        help="comma-separated subset of chips, items, random, directions, oat",
    )
    args = ap.parse_args(argv)
    want = set(args.sections.split(","))
    seeds = range(2) if args.quick else range(4)
    lines: list[str] = []

    def out(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    t0 = time.perf_counter()
    if "chips" in want:
        section_chips(seeds, out)
    if "items" in want:
        section_items(seeds, out)
    if "random" in want:
        section_random(8 if args.quick else 20, out)
    if "directions" in want:
        section_directions(seeds, out)
    if "oat" in want:
        section_oat(range(2), out)
    out(f"_Probe took {time.perf_counter() - t0:.0f} s._")
    return 0


if __name__ == "__main__":
    sys.exit(main())
