"""Check a scenario against the targets: replicate runs, then a pass/fail table.

``statecraft validate [SCENARIO]`` runs the scenario (default ``baseline``) over replicate seeds,
evaluates every target's statistic on each run, and prints a Markdown table of target, reported
value, pass band, model mean and 90 % interval over seeds, and pass/fail — calibration and
validation (held-out) targets separately. A target passes when the model mean lies in its band.
The exit status is 1 when a validation target fails, so CI can hold the line.

The README shows the table for the baseline; :func:`update_readme` rewrites it and records a
digest of everything it depends on (targets file, scenario file, model code, seeds, scale), which
a test compares with the current one.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario import Scenario, ScenarioError, load_scenario
from ..sweep import model_code_digest
from .runner import run_many, seeds_for
from .targets import Target, check_horizon, evaluate, load_targets

__all__ = [
    "README_SEEDS",
    "Validation",
    "readme_digest",
    "update_readme",
    "validate",
    "validation_table",
]

#: Replicates behind the README's table.
README_SEEDS = 20
START, END = "<!-- validate:start -->\n", "<!-- validate:end -->"


@dataclass(frozen=True)
class Validation:
    """Result of :func:`validate`.

    Attributes
    ----------
    scenario : str
    seeds : list of int
    scale : float
    table : pandas.DataFrame
        One row per target: ``id, role, description, metric, reported, band, mean, q05, q95,
        passes, source`` and ``n`` (runs with a value).
    values : pandas.DataFrame
        Per run and target: ``seed, id, value``.
    """

    scenario: str
    seeds: list[int]
    scale: float
    table: pd.DataFrame
    values: pd.DataFrame

    @property
    def failed_validation(self) -> list[str]:
        """Ids of held-out targets that fail."""
        t = self.table
        return list(t.loc[(t["role"] == "validate") & ~t["passes"], "id"])


def horizon_for(targets: tuple[Target, ...], scenario: Scenario) -> str:
    """Last month any target reads, after checking every month lies in the scenario's horizon.

    Runs stop there: months after the last target change nothing in the table.
    """
    p = scenario.params
    check_horizon(targets, p.start_date, p.end_date, f"scenario '{scenario.name}'")
    return max(m for t in targets for m in t.months)


def validate(
    scenario: str | Path = "baseline",
    *,
    targets: str | Path | None = None,
    n_seeds: int = README_SEEDS,
    root_seed: int | None = None,
    scale: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Validation:
    """Run ``scenario`` over ``n_seeds`` seeds and compare it with every target.

    Parameters
    ----------
    scenario : str or Path, default="baseline"
        Scenario file or name.
    targets : str or Path, optional
        Targets file (default: the shipped one).
    n_seeds : int, default=20
        Replicate runs; seeds from ``SeedSequence(root_seed).spawn(n_seeds)``.
    root_seed : int, optional
        Default: the scenario's ``seed``, else 1.
    scale : float, optional
        Override the scenario's ``scale`` (targets marked ``per_scale`` are rescaled).
    workers : int, optional
        Local processes (default: all CPUs); 1 runs in this process.
    scheduler : str, optional
        Dask scheduler address.

    Returns
    -------
    Validation
    """
    sc = load_scenario(scenario)
    tg = load_targets(targets)
    end = horizon_for(tg, sc)
    overrides = {**sc.overrides, "end_date": end}
    if scale is not None:
        overrides["scale"] = scale
    run_scale = float(overrides.get("scale", sc.params.scale))
    root = root_seed if root_seed is not None else (sc.seed if sc.seed is not None else 1)
    seeds = seeds_for(root, n_seeds)
    series = run_many(
        [(overrides, s) for s in seeds], workers=workers, scheduler=scheduler, label=sc.name
    )
    rows = [
        {"seed": s, "id": t.id, "value": evaluate(t, ts, run_scale)}
        for s, ts in zip(seeds, series, strict=True)
        for t in tg
    ]
    values = pd.DataFrame(rows)
    return Validation(
        scenario=sc.name,
        seeds=seeds,
        scale=run_scale,
        table=summarize(tg, values),
        values=values,
    )


def summarize(targets: tuple[Target, ...], values: pd.DataFrame) -> pd.DataFrame:
    """One row per target: model mean and 90 % interval over runs, and pass/fail.

    Parameters
    ----------
    targets : tuple of Target
    values : pandas.DataFrame
        Columns ``id`` and ``value`` (one row per run and target).
    """
    out = []
    for t in targets:
        v = values.loc[values["id"] == t.id, "value"].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        mean = float(v.mean()) if len(v) else math.nan
        q05, q95 = np.quantile(v, [0.05, 0.95]) if len(v) else (math.nan, math.nan)
        out.append(
            {
                "id": t.id,
                "role": t.role,
                "description": t.description,
                "metric": t.metric,
                "reported": t.reported,
                "band": t.band(),
                "mean": mean,
                "q05": float(q05),
                "q95": float(q95),
                "n": len(v),
                "passes": t.passes(mean),
                "source": t.source,
            }
        )
    return pd.DataFrame(out)


def _fmt(x: float) -> str:
    if isinstance(x, str):
        return x
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def validation_table(v: Validation) -> str:
    """Markdown: calibration targets, then validation (held-out) targets.

    Parameters
    ----------
    v : Validation

    Returns
    -------
    str
    """
    lines = [
        f"Scenario `{v.scenario}`, {len(v.seeds)} seeds, scale {v.scale:g}; model = mean "
        "[5 %, 95 % over seeds]; a target passes when the mean lies in its band.",
        "",
    ]
    for role, title in (("calibrate", "Calibration targets"), ("validate", "Held-out targets")):
        t = v.table[v.table["role"] == role]
        if t.empty:
            continue
        n_pass = int(t["passes"].sum())
        lines += [
            f"**{title}** ({n_pass} of {len(t)} pass)",
            "",
            "| target | metric | reported | band | model | pass |",
            "|---|---|---|---|---|---|",
        ]
        for r in t.itertuples(index=False):
            model = f"{_fmt(r.mean)} [{_fmt(r.q05)}, {_fmt(r.q95)}]"
            lines.append(
                f"| {r.id}: {r.description} | `{r.metric}` | {_fmt(r.reported)} | {r.band} "
                f"| {model} | {'pass' if r.passes else '**fail**'} |"
            )
        lines.append("")
    return "\n".join(lines)


# --- README -------------------------------------------------------------------------------------
def readme_digest(
    scenario: str | Path = "baseline",
    targets: str | Path | None = None,
    n_seeds: int = README_SEEDS,
) -> str:
    """Short hash of what the README's validation table depends on: the targets file, the
    scenario file, the model code and the number of seeds."""
    from .targets import default_targets_path

    sc = load_scenario(scenario)
    h = hashlib.sha256()
    h.update(Path(targets or default_targets_path()).read_bytes())
    h.update(Path(sc.path).read_bytes())
    h.update(model_code_digest().encode())
    h.update(str(n_seeds).encode())
    return h.hexdigest()[:16]


def readme_block(v: Validation, digest: str) -> str:
    """The text between the README markers."""
    return (
        f"<!-- generated by `statecraft validate --readme README.md`; inputs digest {digest} -->"
        "\n\n" + validation_table(v)
    )


def update_readme(path: str | Path, **kwargs) -> bool:
    """Rewrite the validation table in ``path`` (between the ``validate`` markers).

    Parameters
    ----------
    path : str or Path
        The README.
    **kwargs
        Passed to :func:`validate` (``workers``, ``scheduler``).

    Returns
    -------
    bool
        True if the file changed.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), flags=re.DOTALL)
    if not pattern.search(text):
        raise ScenarioError(f"{path}: no '{START.strip()}' ... '{END}' markers")
    v = validate("baseline", n_seeds=README_SEEDS, **kwargs)
    block = readme_block(v, readme_digest("baseline"))
    new = pattern.sub(lambda _: START + block + END, text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def readme_is_current(path: str | Path) -> bool:
    """Whether the README's table was generated from the current inputs (by digest)."""
    text = Path(path).read_text(encoding="utf-8")
    m = re.search(r"inputs digest ([0-9a-f]{16})", text)
    return bool(m) and m.group(1) == readme_digest("baseline")
