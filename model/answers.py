"""Answer the README's questions from the shipped scenarios, over replicate seeds.

``python -m statecraft.answers [N_SEEDS]`` runs each shipped scenario with seeds
0..N-1 and prints the means (and standard errors) of the headline numbers as a Markdown table.
The statistics are :func:`statecraft.analysis.compare_frames`'s (the same as ``statecraft
compare``); this module only runs the scenarios, computes each run's headline numbers
(:func:`statecraft.summary.summarize`) and lays out the table.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

from .analysis.compare import compare_frames
from .files import shipped
from .run import simulate
from .scenario import load_scenario
from .summary import months_devalued_funding_persists, summarize, value_at

__all__ = ["answers_table", "lag_table"]

ROWS = (
    ("startups_2025_01", "startups in Jan 2025 (S1: >5,000)", "{:,.0f}"),
    ("approved_models_2024_04", "approved generative models by Apr 2024 (S2: 117)", "{:.0f}"),
    ("domestic_share_passes_50pct", "domestic share of accelerators passes 50 %", None),
    ("gap_months_2025_06", "gap to US frontier, Jun 2025 (months)", "{:.1f}"),
    ("gap_months_2030_12", "gap to US frontier, Dec 2030 (months)", "{:.1f}"),
    ("domestic_performance_end", "domestic chip performance 2030 (vs flagship)", "{:.2f}"),
    ("domestic_capacity_end", "domestic foundry capacity 2030 (k/month)", "{:.0f}"),
    ("wasted_share_end", "state money to startups wasted by 2030 (share)", "{:.2f}"),
    ("wasted_funding_usd_bn_end", "wasted by 2030 (US$ bn)", "{:.1f}"),
    (
        "excess_waste_share_end",
        "state equity wasted beyond private investors' rate by 2030 (share points)",
        "{:.3f}",
    ),
    ("compute_shortage_2028_12", "compute shortage, Dec 2028 (share not bought)", "{:.2f}"),
    ("chip_price_index_2028_12", "price per flagship-equivalent, Dec 2028 (x list)", "{:.2f}"),
    ("startups_end", "startups alive Dec 2030", "{:,.0f}"),
    (
        "duplication_index_mean",
        "duplication index (mean; 0 = independent, 1 = one niche)",
        "{:.2f}",
    ),
    (
        "months_devalued_funding_persists",
        "months state money keeps flowing to devalued niches",
        "{:.0f}",
    ),
    ("champions_ever", "national champions by 2030", "{:.1f}"),
    ("ai_adoption_end", "AI adoption 2030 (S12 target 0.9)", "{:.2f}"),
)


def _month_number(month: str | None) -> float:
    """``YYYY-MM`` as a number of months (NaN: never), so dates can be summarised."""
    if month is None:
        return math.nan
    year, mon = (int(x) for x in month.split("-"))
    return float(year * 12 + mon - 1)


def _month_text(number: float) -> str:
    n = math.floor(number)
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def _date_cell(row: pd.Series, total: int) -> str:
    """Median month among the runs that get there, and how many never do."""
    never = total - int(row["n"])
    if never * 2 >= total:
        return f"never ({never} of {total} runs)"
    suffix = f" ({never} of {total} runs never)" if never else ""
    return _month_text(row["median"]) + suffix


def _number_cell(row: pd.Series, fmt: str) -> str:
    if row["n"] == 0 or math.isnan(row["mean"]):
        return "n/a"
    cell = fmt.format(row["mean"])
    if row["n"] > 1 and row["sd"] > 0:
        cell += " ± " + fmt.format(row["sem"])
    return cell


def answers_table(scenario_dir: Path | None = None, n_seeds: int = 10) -> str:
    """Markdown table: one column per scenario, mean ± standard error over seeds (median month
    for dates).

    ``scenario_dir`` defaults to the scenarios shipped with the package (found with
    :mod:`importlib.resources`, whatever the current directory).
    """
    rows = []
    champs: dict[str, list[pd.DataFrame]] = {}
    paths = (
        sorted(scenario_dir.glob("*.toml")) if scenario_dir else list(shipped("scenarios").values())
    )
    for path in paths:
        sc = load_scenario(path)
        for seed in range(n_seeds):
            res = simulate(sc.params, seed=seed, scenario=sc.name)
            s = summarize(res.timeseries, res.niches, res.champions, sc.params.paradigm_shift_date)
            s["domestic_capacity_end"] = value_at(
                res.timeseries,
                "domestic_capacity",
                res.timeseries["date"].iloc[-1].strftime("%Y-%m"),
            )
            row = {"source": sc.name, "seed": seed}
            for key, _, fmt in ROWS:
                row[key] = _month_number(s[key]) if fmt is None else float(s[key])
            rows.append(row)
            champs.setdefault(sc.name, []).append(res.champions)
    frame = pd.DataFrame(rows)
    stats = compare_frames(frame, [key for key, _, _ in ROWS]).set_index(["metric", "source"])
    names = list(dict.fromkeys(frame["source"]))
    out = ["| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key, label, fmt in ROWS:
        cells = [
            _date_cell(stats.loc[(key, n)], n_seeds)
            if fmt is None
            else _number_cell(stats.loc[(key, n)], fmt)
            for n in names
        ]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    out.append(
        f"Means ± standard error over seeds 0–{n_seeds - 1} (median month for dates). "
        "Differences smaller than about twice the standard errors are noise."
    )
    out.append("")
    out.append("Champions by niche and city (all seeds pooled, share of champions):")
    out.append("")
    for name in names:
        df = pd.concat(champs[name]) if champs[name] else pd.DataFrame()
        if df.empty:
            out.append(f"- {name}: none")
            continue
        niche = df["niche"].value_counts(normalize=True).round(2).to_dict()
        city = df["city"].value_counts(normalize=True).head(4).round(2).to_dict()
        out.append(f"- {name}: niches {niche}; top cities {city}")
    return "\n".join(out) + "\n"


def lag_table(lags=(3.0, 6.0, 18.0, 36.0), n_seeds: int = 3) -> str:
    """How long state equity keeps flowing to devalued niches, by ``allocation_lag_months``."""
    base = load_scenario(shipped("scenarios")["baseline"])
    rows = []
    for lag in lags:
        params = base.params.model_copy(update={"allocation_lag_months": lag})
        for s in range(n_seeds):
            months = months_devalued_funding_persists(
                simulate(params, seed=s, scenario="baseline").timeseries,
                params.paradigm_shift_date,
            )
            rows.append({"source": f"{lag:g}", "seed": s, "months": months})
    stats = compare_frames(pd.DataFrame(rows), ["months"]).set_index("source")
    cells = [f"{stats.loc[f'{lag:g}', 'mean']:.0f}" for lag in lags]
    head = "| `allocation_lag_months` | " + " | ".join(f"{x:g}" for x in lags) + " |"
    rule = "|---" * (len(lags) + 1) + "|"
    row = "| months money keeps flowing to devalued niches | " + " | ".join(cells) + " |"
    return "\n".join([head, rule, row]) + "\n"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    sys.stdout.write(answers_table(n_seeds=n))
    sys.stdout.write("\nPersistence after the paradigm shift (baseline, 3 seeds):\n\n")
    sys.stdout.write(lag_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
