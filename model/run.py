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
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from . import files
from .errors import ParameterError, StatecraftError
from .model import StatecraftModel
from .params import NICHES, PARAMETERS, Params
from .version import __version__

__all__ = [
    "OUTPUT_FILES",
    "RunResult",
    "check_output_folder",
    "run_id_for",
    "simulate",
    "write_outputs",
]


@dataclass
class RunResult:
    """All tables of one run (see module docstring), and the parameters that made them.

    Attributes
    ----------
    run, timeseries, niches, champions : pandas.DataFrame
        The run's tables (see :mod:`statecraft.run`).
    params : Params or None
        The validated parameters of the run.
    """

    run: pd.DataFrame
    timeseries: pd.DataFrame
    niches: pd.DataFrame
    champions: pd.DataFrame
    params: Params | None = None

    def dashboard(self, path: str | Path | None = None):
        """The run's dashboard as a matplotlib Figure (also written to ``path`` if given)."""
        from .plots import dashboard

        return dashboard(self, path)

    def summary(self) -> dict[str, object]:
        """Headline numbers of the run (what ``statecraft run`` prints)."""
        from .summary import summarize

        shift = self.run["paradigm_shift_date"].iloc[0]
        return summarize(self.timeseries, self.niches, self.champions, shift)

    def write(self, out: str | Path, dashboard: bool = True) -> list[Path]:
        """Write the tables (Parquet and CSV) and the dashboard to folder ``out``."""
        return write_outputs(self, out, dashboard=dashboard)

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


def simulate(params: Params | Mapping[str, Any], seed: int, scenario: str = "custom") -> RunResult:
    """Run the model over its whole horizon and return its tables.

    Most users want :func:`statecraft.run_scenario`, which also reads scenario files.

    Parameters
    ----------
    params : Params or mapping
        Validated parameters, or parameter values by name (validated on top of the defaults).
    seed : int
        Seed of the run's single random generator (``numpy.random.default_rng(seed)``).
    scenario : str, default="custom"
        Label stored with the outputs.

    Raises
    ------
    ParameterError
        If ``params`` is a mapping with an unknown name or a value out of bounds.
    """
    if not isinstance(params, Params):
        params = Params(**dict(params))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise ParameterError(f"seed must be an integer in [0, 2^63); got {seed!r}")
    seed = int(seed)
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
        model.startups.champion_log,
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
    return RunResult(run=run, timeseries=ts, niches=niches, champions=champions, params=params)


#: Names a run's output folder may hold: such a folder is replaced as a whole by a new run.
OUTPUT_FILES = frozenset(
    {
        f"{t}.{ext}"
        for t in ("run", "timeseries", "niches", "champions")
        for ext in ("parquet", "csv")
    }
    | {"dashboard.png"}
)


def check_output_folder(out: str | Path) -> Path:
    """Refuse an output folder a run must not replace; return it as a Path.

    A run may write into a missing or empty folder, or replace a folder holding only a run's
    outputs (:data:`OUTPUT_FILES`). Anything else - the root, a file, a symlink, a folder with
    other files - is refused (:func:`statecraft.files.check_output_folder`, the rule of every
    command that writes), so a typo in ``--out`` cannot destroy unrelated files.

    Raises
    ------
    StatecraftError
    """
    return files.check_output_folder(out, OUTPUT_FILES, "a statecraft run's output")


def write_outputs(result: RunResult, out_dir: str | Path, dashboard: bool = True) -> list[Path]:
    """Write every table as Parquet and CSV, and the dashboard PNG, to folder ``out_dir`` as a
    whole.

    Everything is written into a temporary folder beside ``out_dir``, which then replaces it
    with one rename: a failure (full disk, Ctrl-C, a crash) leaves the previous results, or
    nothing - never a mix of two runs, never a stale ``dashboard.png``. ``out_dir`` must be
    missing, empty or a previous run's output folder (see :func:`check_output_folder`).

    Raises
    ------
    StatecraftError
        If ``out_dir`` is refused, or a file cannot be written (naming the file).
    """
    out = check_output_folder(out_dir)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.", suffix=".tmp"))
    except OSError as err:
        raise StatecraftError(f"--out {out}: cannot create it ({err.strerror})") from None
    names = []
    try:
        for name, df in result.tables().items():
            names.append(f"{name}.parquet")
            df.to_parquet(tmp / names[-1], index=False)
            names.append(f"{name}.csv")
            df.to_csv(tmp / names[-1], index=False)
        if dashboard:
            from .plots import dashboard as draw

            names.append("dashboard.png")
            draw(result, tmp / names[-1])
        os.chmod(tmp, 0o777 & ~_umask())
        _replace_folder(tmp, out.absolute())
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StatecraftError(
            f"{out / names[-1] if names else out}: cannot write ({err.strerror}); "
            f"{out} was left as it was"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / n for n in names]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace_folder(new: Path, out: Path) -> None:
    """Put folder ``new`` at ``out``: one rename, or - if ``out`` exists - two (the old folder
    is moved aside first and removed after, so a crash in between leaves the old results
    beside ``out``, never a mix)."""
    if not out.exists():
        os.rename(new, out)
        return
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".old"))
    os.rename(out, old / "previous")
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old / "previous", out)
        os.rmdir(old)
        raise
    shutil.rmtree(old, ignore_errors=True)
