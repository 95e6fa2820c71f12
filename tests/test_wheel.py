"""The built wheel, installed into a fresh virtual environment, works outside the repository."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    args = ["pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(ROOT)]
    build = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, check=False
    )
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next((tmp / "dist").glob("statecraft-*.whl"))
    env = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    py = env / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies come from this test environment's site-packages (read-only, no network);
    # statecraft itself comes only from the wheel: the development install's import hook is a
    # .pth file, which is not processed for a path added this way.
    site = Path(
        subprocess.check_output(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


def _in(env: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COV_CORE_SOURCE")}
    return subprocess.run(args, cwd=cwd, env=clean, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_wheel_ships_the_package_scenarios_and_experiments(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("raise SystemExit('the user model.py was imported')\n")
    code = (
        "import statecraft, statecraft.run, statecraft.sweep\n"
        "print(statecraft.__file__)\n"
        "print(sorted(statecraft.shipped_scenarios()), sorted(statecraft.shipped_experiments()))\n"
    )
    proc = _in(venv, tmp_path, str(venv / "bin" / "python"), "-c", code)
    assert proc.returncode == 0, proc.stderr
    assert str(venv) in proc.stdout.splitlines()[0]
    assert "'baseline'" in proc.stdout and "'duplication'" in proc.stdout


@pytest.mark.slow
def test_installed_command_runs_a_shipped_scenario_from_any_folder(
    venv: Path, tmp_path: Path
) -> None:
    (tmp_path / "model.py").write_text("raise SystemExit('the user model.py was imported')\n")
    exe = str(venv / "bin" / "statecraft")
    proc = _in(venv, tmp_path, exe, "run", "baseline", "--out", "out", "--no-dashboard")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "timeseries.parquet").is_file()
    assert _in(venv, tmp_path, exe, "--version").stdout.startswith("statecraft ")


@pytest.mark.slow
def test_users_experiment_outside_the_repository_names_a_shipped_scenario(
    venv: Path, tmp_path: Path
) -> None:
    (tmp_path / "mine.toml").write_text(
        'scenario = "baseline"\nseed = 3\nhorizon = "2020-04"\n'
        "[parameters]\nscale = 0.05\n[factors]\nherding = [0.0, 1.0]\n"
    )
    exe = str(venv / "bin" / "statecraft")
    proc = _in(
        venv, tmp_path, exe, "sweep", "mine.toml", "--workers", "1", "--no-progress", "--out", "o"
    )
    assert proc.returncode == 0, proc.stderr
    assert "2 runs" in proc.stdout and (tmp_path / "o" / "manifest.json").is_file()


def test_every_subpackage_is_declared_for_the_wheel() -> None:
    """Fast guard for the slow tests above: a new folder under model/ must be in pyproject."""
    import tomllib

    declared = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        "statecraft" + "".join(f".{p}" for p in init.parent.relative_to(ROOT / "model").parts)
        for init in (ROOT / "model").rglob("__init__.py")
    }
    assert found <= declared


def test_the_package_ships_no_test_code() -> None:
    """The browser harness and other test helpers live in tests/: no module of the package
    imports them, or the test-only Playwright."""
    for path in (ROOT / "model").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in ("tests", "playwright", "pytest"), (
                    f"{path.relative_to(ROOT)} imports {name}"
                )
