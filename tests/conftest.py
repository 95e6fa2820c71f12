"""Shared fixtures and helpers of the test suite.

Small and fast inputs (a quarter-size run, a 0.05-scale experiment), a finished small sweep for
the analysis tests, the ``statecraft`` command run as a user runs it, and one headless Chromium
per test module. Waiting on and stopping child processes: :mod:`tests.processes`; the app in a
browser: :mod:`tests.browser`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from statecraft.experiment import load_experiment
from statecraft.model import StatecraftModel
from statecraft.params import Params
from statecraft.sweep import run_sweep

from tests.processes import TIMEOUT_S

#: The repository's root folder.
ROOT = Path(__file__).resolve().parents[1]
#: The shipped baseline scenario, as an experiment file names it.
BASELINE = (ROOT / "scenarios" / "baseline.toml").as_posix()


# --- models -------------------------------------------------------------------------------------
def run_model(seed: int = 0, **overrides) -> StatecraftModel:
    """Run a model to its end and return it."""
    model = StatecraftModel(Params(**overrides), rng=seed)
    while model.running:
        model.step()
    return model


def final(model: StatecraftModel) -> pd.Series:
    return model.datacollector.get_model_vars_dataframe().iloc[-1]


@pytest.fixture
def small() -> dict:
    """Overrides for a fast run: a quarter of the population, horizon to 2027."""
    return {"scale": 0.25, "end_date": "2027-12"}


# --- the command --------------------------------------------------------------------------------
def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``statecraft ARGS`` in a child process, as a user runs it; its output captured as text.

    The time limit (:data:`~tests.processes.TIMEOUT_S`) only ends a hang: no test here needs
    more than a minute even on a busy machine.
    """
    return subprocess.run(
        [sys.executable, "-m", "statecraft.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=TIMEOUT_S,
    )


# --- experiments and sweeps ---------------------------------------------------------------------
def write_experiment(
    path: Path,
    factors: str,
    *,
    scenario: str = BASELINE,
    seed: int = 1,
    replicates: int = 1,
    horizon: str = "2021-06",
    design: str = 'kind = "grid"',
    timeseries: bool = True,
    scale: float = 0.05,
) -> Path:
    """Write a small experiment file (``scale = 0.05``: seconds per run) to ``path``.

    ``factors`` and ``design`` are the bodies of the ``[factors]`` and ``[design]`` tables.
    """
    path.write_text(
        f"""\
scenario = "{scenario}"
seed = {seed}
replicates = {replicates}
horizon = "{horizon}"
timeseries = {str(timeseries).lower()}

[parameters]
scale = {scale}

[design]
{design}

[factors]
{factors}
""",
        encoding="utf-8",
    )
    return path


def sweep(folder: Path, name: str, factors: str, **experiment) -> Path:
    """Write the experiment ``folder/name.toml``, run it in this process; return its output."""
    path = write_experiment(folder / f"{name}.toml", factors, **experiment)
    out = folder / f"{name}-out"
    run_sweep(load_experiment(path), out, workers=1, progress=False)
    return out


#: The factors of :func:`grid_sweep`: 2 x 3 design points.
GRID = "herding = [0.0, 1.0]\ncoordination = [0.0, 0.5, 1.0]"


@pytest.fixture(scope="session")
def grid_sweep(tmp_path_factory) -> Path:
    """A finished sweep folder: herding x coordination, 6 points x 3 replicates to 2021-06.

    Shared: a test that changes it works on a copy.
    """
    return sweep(tmp_path_factory.mktemp("grid"), "grid", GRID, seed=7, replicates=3)


# --- the browser --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium():
    """Headless Debian Chromium under Playwright, one per test module.

    Skipped where Chromium or Playwright is missing, except on CI (``CI`` set), where a missing
    browser fails: ``make test`` installs it.
    """
    from tests.browser import CHROMIUM, browser

    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (the dev extra installs it)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; `make test` installs it")
        pytest.skip(missing)
    with browser() as b:
        yield b
