"""Run one simulation and turn it into tidy tables; write them to disk.

Tables (one per grain, joined on ``run_id``):

- ``timeseries``: one row per month — ``run_id, scenario, seed, step, date`` and one column per
  metric of :mod:`statecraft.metrics`;
- ``niches``: one row per month and niche — startups, state equity, revenue, true and perceived
  value;
- ``champions``: one row per national champion when it first qualified;
- ``run``: one row — scenario, seed, package and library versions, every parameter value.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from . import __version__
from .model import StatecraftModel
from .params import NICHES, PARAMETERS, Params

__all__ = ["RunResult", "run_id_for", "simulate", "write_outputs"]


@dataclass
class RunResult:
    """All tables of one run (see module docstring)."""

    run: pd.DataFrame
    timeseries: pd.DataFrame
    niches: pd.DataFrame
    champions: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "run": self.run,
            "timeseries": self.timeseries,
            "niches": self.niches,
            "champions": self.champions,
        }


def _param_value(value: object) -> object:
    if isinstance(value, tuple):
        return json.dumps([v.model_dump() if hasattr(v, "model_dump") else v for v in value])
    return value


def run_id_for(scenario: str, seed: int) -> str:
    return f"{scenario}-s{seed}"


def simulate(params: Params, seed: int, scenario: str = "custom") -> RunResult:
    """Run the model over its whole horizon and return its tables.

    Parameters
    ----------
    params : Params
        Validated parameters.
    seed : int
        Seed of the run's single random generator (``numpy.random.default_rng(seed)``).
    scenario : str, default="custom"
        Label stored with the outputs.
    """
    model = StatecraftModel(params, rng=seed)
    while model.running:
        model.step()
    run_id = run_id_for(scenario, seed)
    keys = {"run_id": run_id, "scenario": scenario, "seed": seed}

    ts = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    ts.insert(0, "date", pd.to_datetime(model.months[: len(ts)], format="%Y-%m"))
    ts.insert(0, "step", np.arange(1, len(ts) + 1))
    for i, (k, v) in enumerate(keys.items()):
        ts.insert(i, k, v)

    arr = np.stack(model.niche_rows)  # (steps, niches, 5)
    n_steps, k = arr.shape[0], arr.shape[1]
    niches = pd.DataFrame(
        {
            "step": np.repeat(np.arange(1, n_steps + 1), k),
            "date": np.repeat(ts["date"].to_numpy(), k),
            "niche": np.tile(np.array(NICHES), n_steps),
            "startups": arr[:, :, 0].ravel().astype(np.int64),
            "state_equity_usd_bn": arr[:, :, 1].ravel() * 1e-3,
            "revenue_usd_bn": arr[:, :, 2].ravel() * 1e-3,
            "true_value": arr[:, :, 3].ravel(),
            "state_perceived_value": arr[:, :, 4].ravel(),
        }
    )
    for i, (k_, v) in enumerate(keys.items()):
        niches.insert(i, k_, v)

    champions = pd.DataFrame(
        model.champion_log,
        columns=["uid", "niche", "city", "date", "gap_months", "state_received_usd_bn"],
    )
    champions["date"] = pd.to_datetime(champions["date"], format="%Y-%m")
    for i, (k_, v) in enumerate(keys.items()):
        champions.insert(i, k_, v)

    run_row = dict(keys)
    run_row.update(
        package_version=__version__,
        mesa_version=mesa.__version__,
        numpy_version=np.__version__,
        python_version=platform.python_version(),
        steps=n_steps,
    )
    for p in PARAMETERS:
        run_row[p.name] = _param_value(getattr(params, p.name))
    run = pd.DataFrame([run_row])
    return RunResult(run=run, timeseries=ts, niches=niches, champions=champions)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write) -> None:
    """Write ``path`` through a temporary file in the same folder and ``os.replace`` it, so a
    reader (or a crash) never sees a half-written file. The file gets the usual permissions
    (0666 less the umask), not mkstemp's private 0600."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(result: RunResult, out_dir: str | Path, dashboard: bool = True) -> list[Path]:
    """Write every table as Parquet and CSV (each file atomically) and the dashboard PNG."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in result.tables().items():
        pq = out / f"{name}.parquet"
        _atomic_write(pq, lambda tmp, df=df: df.to_parquet(tmp, index=False))
        csv = out / f"{name}.csv"
        _atomic_write(csv, lambda tmp, df=df: df.to_csv(tmp, index=False))
        written += [pq, csv]
    if dashboard:
        from .plots import dashboard as draw

        png = out / "dashboard.png"
        _atomic_write(png, lambda tmp: draw(result, tmp))
        written.append(png)
    return written
