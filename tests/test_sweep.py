"""The sweep runner: same tables on every engine, resume after kills, failures recorded.

Fault tests use real processes on loopback only: the sweep itself runs as a ``statecraft
sweep`` subprocess that is killed with SIGKILL, and a Dask worker process is killed mid-sweep.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import psutil
import pytest
import statecraft.evaluate as evaluate
from statecraft.calibration.runner import run_many
from statecraft.evaluate import (
    DaskEvaluator,
    EvaluatorError,
    InlineEvaluator,
    LocalEvaluator,
    evaluator_for,
)
from statecraft.experiment import load_experiment
from statecraft.sweep import SweepError, load, local_cluster, run_sweep, sobol_indices

from tests.conftest import write_experiment
from tests.processes import wait_until

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCENARIO = (ROOT / "scenarios" / "baseline.toml").as_posix()


def _experiment(
    tmp_path: Path,
    *,
    factors: str,
    horizon: str = "2021-06",
    reps: int = 2,
    timeseries: bool = True,
    design: str = 'kind = "grid"',
    name: str = "exp",
) -> Path:
    return write_experiment(
        tmp_path / f"{name}.toml",
        factors,
        scenario=SCENARIO,
        seed=3,
        replicates=reps,
        horizon=horizon,
        design=design,
        timeseries=timeseries,
    )


SMALL = "herding = [0.0, 1.0]\nn_city_funds = { min = 2, max = 4 }"  # 6 points x 2 = 12 runs
# 30 points x 2 = 60 runs over 4 years: long enough to be killed mid-way.
LONG = "herding = { min = 0.0, max = 1.0, levels = 6 }\nn_city_funds = { min = 2, max = 6 }"


#: Three short runs as the calibration tools ask for them: (overrides, seed).
CALIBRATION_RUNS = [
    ({"scale": 0.05, "end_date": "2020-06", "herding": h}, seed)
    for h, seed in ((0.0, 1), (1.0, 2), (0.5, 3))
]


def _assert_same_series(a: list[pd.DataFrame], b: list[pd.DataFrame]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


def _assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.runs, b.runs)
    pd.testing.assert_frame_equal(a.final, b.final)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)


def _n_stored(out: Path) -> int:
    d = out / "final"
    return len(list(d.glob("*.parquet"))) if d.is_dir() else 0


def _wait_for(cond) -> None:
    wait_until(cond, "the sweep's condition")  # the shared, generous limit (busy CI machines)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small experiment and its tables from one worker in this process."""
    tmp = tmp_path_factory.mktemp("small")
    exp = load_experiment(_experiment(tmp, factors=SMALL))
    summary = run_sweep(exp, tmp / "inline", workers=1, progress=False)
    assert (summary.total, summary.ran, summary.failed) == (12, 12, 0)
    return exp, load(tmp / "inline")


@pytest.fixture(scope="module")
def long(tmp_path_factory):
    """The longer experiment (for the kill tests) and its uninterrupted tables."""
    tmp = tmp_path_factory.mktemp("long")
    path = _experiment(tmp, factors=LONG, horizon="2023-12", timeseries=False)
    run_sweep(load_experiment(path), tmp / "ref", workers=2, progress=False)
    return path, load(tmp / "ref")


# --- tables -------------------------------------------------------------------------------------
def test_load_gives_tidy_tables(small) -> None:
    _, res = small
    assert list(res.runs.columns) == [
        "run_id",
        "experiment",
        "scenario",
        "point",
        "replicate",
        "seed",
        "herding",
        "n_city_funds",
        "status",
        "error",
    ]
    assert (res.runs["status"] == "ok").all() and res.runs["run_id"].is_unique
    assert res.runs["seed"].is_unique
    assert list(res.final["run_id"]) == list(res.runs["run_id"])
    assert (res.final["step"] == 18).all()
    assert len(res.timeseries) == 12 * 18
    assert res.timeseries.groupby("run_id")["step"].apply(list).map(len).eq(18).all()
    # The tables say which experiment and which base scenario they come from.
    assert set(res.final["experiment"]) == {"exp"} and set(res.final["scenario"]) == {"baseline"}
    # One merged table: design point and outcomes per run.
    table = res.table
    assert len(table) == 12 and table["run_id"].is_unique
    assert {"herding", "n_city_funds", "active_startups", "capability_gap_months"} <= set(table)
    row = table.iloc[3]
    stored = res.final.set_index("run_id").loc[row["run_id"]]
    assert row["active_startups"] == stored.active_startups


def test_manifest_records_hash_versions_times_and_status(small, tmp_path: Path) -> None:
    exp, _ = small
    run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    m = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert m["experiment"]["sha256"] == exp.sha256
    assert {"package_version", "git_commit", "started", "finished"} <= set(m)
    assert m["state"] == "complete" and m["finished"] is not None
    assert [r["status"] for r in m["runs"]] == ["ok"] * 12


# --- determinism across engines -----------------------------------------------------------------
def test_local_pool_gives_the_same_tables_as_one_worker(small, tmp_path: Path) -> None:
    exp, ref = small
    run_sweep(exp, tmp_path / "pool", workers=2, progress=False)
    _assert_same(load(tmp_path / "pool"), ref)


@pytest.mark.slow
def test_dask_loopback_cluster_gives_the_same_tables(small, tmp_path: Path) -> None:
    exp, ref = small
    with local_cluster(n_workers=2) as address:
        assert address.startswith("tcp://127.0.0.1:")
        run_sweep(exp, tmp_path / "dask", scheduler=address, progress=False)
        # The calibration's runs go through the same Dask evaluator.
        on_dask = run_many(CALIBRATION_RUNS, scheduler=address)
    _assert_same(load(tmp_path / "dask"), ref)
    _assert_same_series(on_dask, run_many(CALIBRATION_RUNS, workers=1))


# --- one evaluator for sweeps and calibration ---------------------------------------------------
class Recording(InlineEvaluator):
    """An inline evaluator that notes each run it evaluates and each open and close."""

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []
        self.opened = self.closed = 0

    def open(self) -> None:
        self.opened += 1

    def close(self) -> None:
        self.closed += 1

    def evaluate(self, tasks):
        for outcome in super().evaluate(tasks):
            self.ran.append(outcome.run_id)
            yield outcome


def test_sweeps_and_calibration_runs_go_through_the_one_evaluator(monkeypatch, small, tmp_path):
    """Both choose their evaluator with evaluator_for and run every run through it."""
    exp, ref = small
    made: list[Recording] = []
    asked: list[tuple] = []

    def recording_for(workers=None, scheduler=None):
        asked.append((workers, scheduler))
        made.append(Recording())
        return made[-1]

    monkeypatch.setattr(evaluate, "evaluator_for", recording_for)
    run_sweep(exp, tmp_path / "o", workers=3, progress=False)
    series = run_many(CALIBRATION_RUNS, workers=3)
    assert asked == [(3, None), (3, None)]
    assert sorted(made[0].ran) == sorted(ref.runs["run_id"])
    assert sorted(made[1].ran) == ["r00000", "r00001", "r00002"]
    # Each call opened and closed the evaluator it made.
    assert [(m.opened, m.closed) for m in made] == [(1, 1), (1, 1)]
    _assert_same(load(tmp_path / "o"), ref)
    monkeypatch.undo()
    _assert_same_series(series, run_many(CALIBRATION_RUNS, workers=1))


def test_a_callers_evaluator_serves_both_and_is_left_open(small, tmp_path: Path) -> None:
    exp, ref = small
    ev = Recording()
    run_sweep(exp, tmp_path / "o", evaluator=ev, progress=False)
    run_many(CALIBRATION_RUNS, evaluator=ev)
    assert len(ev.ran) == 12 + 3 and ev.closed == 0
    _assert_same(load(tmp_path / "o"), ref)
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["sessions"][-1]["engine"] == "inline"
    with pytest.raises(TypeError, match="not both"):
        run_many(CALIBRATION_RUNS, workers=2, evaluator=ev)


def test_run_many_gives_the_same_series_on_the_pool_as_inline() -> None:
    inline = run_many(CALIBRATION_RUNS, workers=1)
    assert [len(ts) for ts in inline] == [6, 6, 6]
    assert inline[0]["seed"].iloc[0] == 1 and inline[2]["seed"].iloc[0] == 3
    _assert_same_series(run_many(CALIBRATION_RUNS, workers=2), inline)


def test_evaluator_for_picks_the_backend_the_options_ask_for() -> None:
    assert type(evaluator_for(workers=1)) is InlineEvaluator
    pool = evaluator_for(workers=3)
    assert type(pool) is LocalEvaluator and pool.label == "local x3"
    dask = evaluator_for(workers=3, scheduler="tcp://127.0.0.1:8786")
    # Not connected until opened: choosing costs nothing.
    assert type(dask) is DaskEvaluator and dask.client is None
    assert dask.label == "dask tcp://127.0.0.1:8786"
    for bad in (0, -1, 1.5, True):
        with pytest.raises(EvaluatorError, match=r"^--workers must be an integer >= 1; got "):
            evaluator_for(workers=bad)


def test_bad_evaluator_options_are_sweep_errors(small, tmp_path: Path) -> None:
    exp, _ = small
    with pytest.raises(SweepError, match=r"^--workers must be an integer >= 1; got 0$"):
        run_sweep(exp, tmp_path / "o", workers=0, progress=False)
    with pytest.raises(SweepError, match="is not a scheduler address"):
        run_sweep(exp, tmp_path / "o", scheduler="not a url", progress=False)
    assert not (tmp_path / "o").exists()  # refused before the folder was made
    with pytest.raises(EvaluatorError, match="is not a scheduler address"):
        run_many(CALIBRATION_RUNS, scheduler="not a url")


# --- resume -------------------------------------------------------------------------------------
def test_rerun_skips_stored_runs(small, tmp_path: Path) -> None:
    exp, ref = small
    run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    again = run_sweep(exp, tmp_path / "o", workers=2, progress=False)
    assert (again.skipped, again.ran) == (12, 0)
    _assert_same(load(tmp_path / "o"), ref)


@pytest.mark.slow
def test_sweep_killed_with_sigkill_resumes_to_the_same_tables(long, tmp_path: Path) -> None:
    path, ref = long
    out = tmp_path / "out"
    cmd = [str(BIN / "statecraft"), "sweep", str(path), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen([*cmd, "--no-progress"], stdout=subprocess.DEVNULL)
    try:
        _wait_for(lambda: _n_stored(out) >= 5 or proc.poll() is not None)
        helpers = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # Its worker processes (and their fork server) must not outlive it.
    assert helpers
    _, alive = psutil.wait_procs(helpers, timeout=15)
    assert not alive, f"left behind: {alive}"
    stored = _n_stored(out)
    assert 5 <= stored < 60, "the sweep finished before it could be killed"
    # Temporary files left by the kill never count as results and are cleaned up.
    resumed = run_sweep(load_experiment(path), out, workers=2, progress=False)
    assert resumed.skipped == stored and resumed.ran == 60 - stored
    res = load(out)
    pd.testing.assert_frame_equal(res.runs, ref.runs)
    pd.testing.assert_frame_equal(res.final, ref.final)
    assert not [p for p in (out / "final").iterdir() if p.suffix != ".parquet"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.slow
def test_ctrl_c_stops_promptly_and_resumes_to_the_same_tables(
    long, tmp_path: Path, sig: signal.Signals
) -> None:
    """Ctrl-C (SIGINT) or a batch system's SIGTERM ends the sweep within seconds, exit 130;
    a rerun finishes the rest."""
    path, ref = long
    out = tmp_path / "out"
    cmd = [str(BIN / "statecraft"), "sweep", str(path), "--out", str(out), "--workers", "2"]
    # A shell without job control starts background jobs with SIGINT ignored and children
    # inherit that (CI may run us so): restore the default disposition, then exec the sweep.
    exec_with_sigint = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", exec_with_sigint, *cmd, "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: _n_stored(out) >= 5 or proc.poll() is not None)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["state"] == "interrupted"
    stored = _n_stored(out)
    resumed = run_sweep(load_experiment(path), out, workers=2, progress=False)
    assert resumed.skipped == stored and resumed.ran == 60 - stored
    res = load(out)
    pd.testing.assert_frame_equal(res.runs, ref.runs)
    pd.testing.assert_frame_equal(res.final, ref.final)


@pytest.mark.slow
def test_killed_dask_worker_does_not_change_the_results(long, tmp_path: Path) -> None:
    path, ref = long
    out, sched_file = tmp_path / "out", tmp_path / "scheduler.json"
    loopback = ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--port",
                "0",
                *loopback,
                "--scheduler-file",
                str(sched_file),
            ],
            **quiet,
        )
    ]
    try:
        _wait_for(sched_file.exists)
        _wait_for(lambda: "address" in sched_file.read_text())
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        workers = [
            subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny", *loopback],
                **quiet,
            )
            for _ in range(2)
        ]
        procs += workers
        sweep = subprocess.Popen(
            [
                str(BIN / "statecraft"),
                "sweep",
                str(path),
                "--out",
                str(out),
                "--scheduler",
                address,
                "--no-progress",
            ],
            stdout=subprocess.DEVNULL,
        )
        procs.append(sweep)
        _wait_for(lambda: _n_stored(out) >= 5 or sweep.poll() is not None)
        workers[0].send_signal(signal.SIGKILL)
        killed_at = _n_stored(out)
        assert sweep.wait(timeout=120) == 0
        assert killed_at < 60, "the sweep finished before the worker could be killed"
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    res = load(out)
    pd.testing.assert_frame_equal(res.runs, ref.runs)
    pd.testing.assert_frame_equal(res.final, ref.final)


# --- refusing and recording ---------------------------------------------------------------------
def test_changed_experiment_is_refused_unless_forced(small, tmp_path: Path, capsys) -> None:
    from statecraft.cli import main

    path = _experiment(tmp_path, factors=SMALL)
    out = tmp_path / "o"
    run_sweep(load_experiment(path), out, workers=1, progress=False)
    path.write_text(path.read_text().replace("replicates = 2", "replicates = 3"))
    with pytest.raises(SweepError, match=r"holds results of a different experiment file"):
        run_sweep(load_experiment(path), out, workers=1, progress=False)
    assert main(["sweep", str(path), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    # --force keeps the 12 runs whose parameters and seeds did not change.
    forced = run_sweep(load_experiment(path), out, workers=1, force=True, progress=False)
    assert (forced.total, forced.skipped, forced.ran) == (18, 12, 6)
    res = load(out)
    _, ref = small
    kept = res.final[res.final["run_id"].isin(ref.final["run_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept.drop(columns="scenario"), ref.final.drop(columns="scenario"))


def test_directory_of_other_files_is_refused(small, tmp_path: Path) -> None:
    exp, _ = small
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "notes.txt").write_text("mine")
    (tmp_path / "o" / ".manifest.json.abc.tmp").write_text("theirs?")
    with pytest.raises(SweepError, match=r"not a sweep directory \(no manifest.json, but holds no"):
        run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    # Refused before anything is created or cleaned up in it (but the lock file).
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        ".lock",
        ".manifest.json.abc.tmp",
        "notes.txt",
    ]


def test_directory_left_by_a_kill_before_the_first_manifest_resumes(small, tmp_path: Path):
    """A kill after the runner set up the directory but before manifest.json existed."""
    exp, ref = small
    out = tmp_path / "o"
    for sub in ("final", "timeseries", "errors"):
        (out / sub).mkdir(parents=True)
    (out / ".lock").write_text("")
    (out / "experiment.toml").write_text(exp.path.read_text()[:10])  # even a partial copy
    leftovers = [
        out / ".manifest.json.k1j2h3.tmp",
        out / ".experiment.toml.x9y8z7.tmp",
        out / ".final.parquet.abc123.tmp",
        out / "final" / ".p00000-r000.parquet.q1w2e3.tmp",
    ]
    for tmp in leftovers:
        tmp.write_text("half")
    summary = run_sweep(exp, out, workers=1, progress=False)
    assert (summary.skipped, summary.ran) == (0, 12)
    assert not [p for p in leftovers if p.exists()]
    assert (out / "experiment.toml").read_text() == exp.path.read_text()
    _assert_same(load(out), ref)


def test_first_manifest_is_written_before_the_experiment_file_is_copied(
    monkeypatch, small, tmp_path: Path
):
    import shutil

    exp, ref = small
    out = tmp_path / "o"

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(shutil, "copyfile", killed)
        with pytest.raises(KeyboardInterrupt):
            run_sweep(exp, out, workers=1, progress=False)
    assert (out / "manifest.json").is_file()
    assert run_sweep(exp, out, workers=1, progress=False).ran == 12
    _assert_same(load(out), ref)


def test_run_files_without_a_manifest_are_refused(small, tmp_path: Path) -> None:
    # Results with no manifest and no tag naming their run cannot be matched to an
    # experiment: never reuse them.
    exp, _ = small
    (tmp_path / "o" / "final").mkdir(parents=True)
    pd.DataFrame({"x": [1]}).to_parquet(tmp_path / "o" / "final" / "p00000-r000.parquet")
    with pytest.raises(SweepError, match=r"holds final/p00000-r000\.parquet but no manifest"):
        run_sweep(exp, tmp_path / "o", workers=1, progress=False)


def test_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
    # central_share_semiconductor = 0.5 breaks the rule that the central shares add up to 1.
    # load_experiment refuses such a design, so build it past the loader: those runs raise in
    # the worker process.
    factors = "central_share_semiconductor = [0.3]\nherding = [0.0, 1.0]"
    exp = load_experiment(_experiment(tmp_path, factors=factors, reps=1, timeseries=False))
    shares = dataclasses.replace(exp.factors[0], high=0.5, values=(0.3, 0.5))
    exp = dataclasses.replace(exp, factors=(shares, exp.factors[1]))
    summary = run_sweep(exp, tmp_path / "o", workers=2, progress=False)
    assert (summary.ran, summary.failed) == (4, 2)
    res = load(tmp_path / "o")
    bad = res.runs[res.runs["central_share_semiconductor"] == 0.5]
    assert (bad["status"] == "failed").all()
    assert bad["error"].str.contains("must add up to 1").all()
    assert (res.runs.loc[res.runs["central_share_semiconductor"] == 0.3, "status"] == "ok").all()
    assert len(res.final) == 2
    m = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert m["counts"] == {"total": 4, "ok": 2, "failed": 2}
    # Failed runs are not re-run by default; --retry-failed runs them again.
    assert run_sweep(exp, tmp_path / "o", workers=1, progress=False).ran == 0
    assert run_sweep(exp, tmp_path / "o", workers=1, retry_failed=True, progress=False).ran == 2


def test_inline_exception_is_recorded(monkeypatch, small, tmp_path: Path) -> None:
    import statecraft.evaluate as sweep_mod

    exp, _ = small
    real = sweep_mod.simulate
    bad_seed = exp.runs()[3].seed

    def flaky(params, seed, scenario):
        if seed == bad_seed:
            raise RuntimeError("boom")
        return real(params, seed=seed, scenario=scenario)

    monkeypatch.setattr(sweep_mod, "simulate", flaky)
    summary = run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    assert (summary.ran, summary.failed) == (12, 1)
    err = json.loads((tmp_path / "o" / "errors" / f"{exp.runs()[3].run_id}.json").read_text())
    assert err["error"] == "RuntimeError: boom" and "Traceback" in err["traceback"]


def test_sobol_indices_from_a_saltelli_sweep(tmp_path: Path) -> None:
    factors = "herding = {}\ncoordination = {}"
    path = _experiment(
        tmp_path,
        factors=factors,
        reps=1,
        timeseries=False,
        design='kind = "saltelli"\nsamples = 4',
        horizon="2020-12",
    )
    run_sweep(load_experiment(path), tmp_path / "o", workers=2, progress=False)
    res = load(tmp_path / "o")
    assert list(res.runs["block"].unique()) == ["A", "B", "AB_herding", "AB_coordination"]
    idx = sobol_indices(res, "duplication_index")
    assert list(idx["factor"]) == ["herding", "coordination"]
    assert idx[["first_order", "total_order"]].notna().all().all()


def test_no_side_effects_at_import() -> None:
    code = (
        "import statecraft.sweep, statecraft.experiment, sys; print('distributed' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") is None


def test_load_merges_per_run_files_once_and_rebuilds_when_runs_change(small, tmp_path: Path):
    exp, ref = small
    out = tmp_path / "o"
    run_sweep(exp, out, workers=1, progress=False)
    _assert_same(load(out), ref)
    assert (out / "final.parquet").is_file() and (out / "timeseries.parquet").is_file()
    _assert_same(load(out), ref)  # now from the merged files
    # A run removed (as --force does before running it again) makes the cache stale.
    victim = sorted((out / "final").glob("*.parquet"))[0]
    victim.unlink()
    partial = load(out)
    assert len(partial.final) == len(ref.final) - 1
    run_sweep(exp, out, workers=1, progress=False)
    _assert_same(load(out), ref)


def test_results_of_other_model_code_are_refused_unless_forced(small, tmp_path: Path, monkeypatch):
    import statecraft.sweep.store as store

    exp, ref = small
    out = tmp_path / "o"
    # Runs stored by other model code: its digest is in the manifest and in every fingerprint.
    with monkeypatch.context() as m:
        m.setattr(store, "model_code_digest", lambda: "0" * 16)
        run_sweep(exp, out, workers=1, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model_code_sha256"] == "0" * 16
    with pytest.raises(SweepError, match="different model code"):
        run_sweep(exp, out, workers=1, progress=False)
    forced = run_sweep(exp, out, workers=1, progress=False, force=True)
    assert (forced.skipped, forced.ran) == (0, 12)
    _assert_same(load(out), ref)


@pytest.mark.slow
def test_workers_that_cannot_start_stop_the_sweep_with_a_message(small, tmp_path: Path):
    """A main module that worker processes cannot re-import (a script piped on stdin) breaks
    every pool at once: the sweep must stop with a clear error, not rebuild pools forever."""
    exp, _ = small
    script = (
        "from model.experiment import load_experiment\n"
        "from statecraft.sweep import SweepError, run_sweep\n"
        f"exp = load_experiment({str(exp.path)!r})\n"
        "try:\n"
        f"    run_sweep(exp, {str(tmp_path / 'o')!r}, workers=2, progress=False)\n"
        "except SweepError as err:\n"
        "    print('SweepError:', err)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120
    )
    assert "SweepError: worker processes keep dying" in proc.stdout, proc.stdout[-2000:]
