"""Results a user can trust after any fault: a store that verifies itself, run folders written
as a whole, locks that cannot be abused, and worker deaths blamed on the run that caused them.

Faults are injected for real: files are truncated, swapped and deleted on disk, a ``.lock``
symlink is planted, a worker process is killed with SIGKILL by the run it executes
(:mod:`tests.faults`), and a disk write fails with ENOSPC.
"""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from statecraft import cli
from statecraft.calibration.runner import RunFailed, run_many
from statecraft.evaluate import DaskEvaluator, LocalEvaluator
from statecraft.experiment import load_experiment
from statecraft.sweep import SweepError, load, run_sweep
from statecraft.sweep.store import SweepStore, task_for, verify_folder

from tests import faults

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = (ROOT / "scenarios" / "baseline.toml").as_posix()


def _experiment(folder: Path, factors: str = "herding = [0.0, 1.0]", reps: int = 2) -> Path:
    path = folder / "tiny.toml"
    path.write_text(
        f'scenario = "{SCENARIO}"\nseed = 5\nreplicates = {reps}\nhorizon = "2020-06"\n'
        f"timeseries = true\n\n[parameters]\nscale = 0.05\n\n[factors]\n{factors}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 4-run experiment, a complete sweep folder of it and its tables."""
    tmp = tmp_path_factory.mktemp("tiny")
    exp = load_experiment(_experiment(tmp))
    run_sweep(exp, tmp / "ref", workers=1, progress=False)
    return exp, tmp / "ref", load(tmp / "ref")


def _copy(tiny, tmp_path: Path) -> Path:
    out = tmp_path / "o"
    shutil.copytree(tiny[1], out)
    return out


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.runs, b.runs)
    pd.testing.assert_frame_equal(a.final, b.final)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)


def _resume(exp, out: Path):
    return run_sweep(exp, out, workers=1, progress=False)


# --- the store verifies itself ------------------------------------------------------------------
def test_a_run_file_copied_over_another_is_caught_on_load_and_rerun_on_resume(tiny, tmp_path):
    exp, _, ref = tiny
    out = _copy(tiny, tmp_path)
    shutil.copyfile(out / "final" / "p00000-r000.parquet", out / "final" / "p00000-r001.parquet")
    res = load(out)
    status = res.runs.set_index("run_id")["status"]
    assert status["p00000-r001"] == "damaged" and status["p00000-r000"] == "ok"
    assert res.final["run_id"].is_unique and "p00000-r001" not in set(res.final["run_id"])
    summary = _resume(exp, out)
    assert (summary.ran, summary.repaired) == (1, 1)
    _same(load(out), ref)


@pytest.mark.parametrize("damage", ["truncate", "delete_timeseries", "garble"])
def test_a_damaged_or_missing_run_file_is_reported_and_rerun(tiny, tmp_path, damage):
    exp, _, ref = tiny
    out = _copy(tiny, tmp_path)
    final = out / "final" / "p00001-r000.parquet"
    if damage == "truncate":
        final.write_bytes(final.read_bytes()[:100])
    elif damage == "garble":
        data = bytearray(final.read_bytes())
        data[len(data) // 2] ^= 0xFF
        final.write_bytes(bytes(data))
    else:
        (out / "timeseries" / "p00001-r000.parquet").unlink()
    res = load(out)  # no ArrowInvalid, no silently dropped rows
    row = res.runs.set_index("run_id").loc["p00001-r000"]
    assert row["status"] == "damaged" and row["error"]
    assert "p00001-r000" not in set(res.timeseries["run_id"])
    assert cli.main(["check", str(out)]) == 1
    summary = _resume(exp, out)
    assert (summary.ran, summary.repaired) == (1, 1)
    assert any("failed verification" in n for n in summary.notes)
    _same(load(out), ref)
    assert cli.main(["check", str(out)]) == 0


def test_a_truncated_manifest_is_read_from_its_copy(tiny, tmp_path):
    exp, _, ref = tiny
    out = _copy(tiny, tmp_path)
    (out / "manifest.json").write_text('{"format": 2, "runs": [', encoding="utf-8")
    _same(load(out), ref)
    summary = _resume(exp, out)
    assert summary.ran == 0 and any("damaged" in n for n in summary.notes)
    json.loads((out / "manifest.json").read_text())  # rewritten whole


def test_a_lost_manifest_is_rebuilt_from_the_run_files(tiny, tmp_path, capsys):
    exp, _, ref = tiny
    out = _copy(tiny, tmp_path)
    (out / "manifest.json").write_text("", encoding="utf-8")
    (out / "manifest.prev.json").unlink()
    with pytest.raises(SweepError, match=r"manifest\.json is damaged.*rebuild"):
        load(out)
    assert cli.main(["check", str(out)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    summary = _resume(exp, out)
    assert summary.ran == 0  # every run file names its run and task: all kept
    assert any("rebuilt" in n for n in summary.notes)
    _same(load(out), ref)


def test_a_truncated_error_record_is_rerun_not_a_crash(tiny, tmp_path):
    exp, _, _ = tiny
    out = _copy(tiny, tmp_path)
    rid = "p00001-r001"
    (out / "final" / f"{rid}.parquet").unlink()
    (out / "timeseries" / f"{rid}.parquet").unlink()
    (out / "errors" / f"{rid}.json").write_text('{"run_id": "p00001-r0', encoding="utf-8")
    summary = _resume(exp, out)
    assert summary.ran == 1 and summary.failed == 0
    assert (load(out).runs["status"] == "ok").all()


def test_check_reports_an_intact_folder(tiny, capsys):
    assert cli.main(["check", str(tiny[1])]) == 0
    out = capsys.readouterr().out
    assert "4 runs: 4 ok and verified, 0 failed, 0 not run yet, 0 damaged" in out
    assert cli.main(["sweep", "--verify", str(tiny[1])]) == 0
    report = verify_folder(tiny[1])
    assert report.intact and len(report.ok) == 4


def _edit_keeping_metadata(path: Path) -> None:
    """Change a value of a Parquet file and write it back under its old schema metadata (what
    a careless script, or a forger, does with pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    df = table.to_pandas()
    col = next(c for c in df.columns if df[c].dtype.kind == "f")
    df[col] = df[col] + 1.0
    edited = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(edited.replace_schema_metadata(table.schema.metadata), path)


def test_an_edited_merged_table_is_rebuilt_not_trusted(tiny, tmp_path, capsys):
    _, _, ref = tiny
    out = _copy(tiny, tmp_path)
    _same(load(out), ref)  # writes final.parquet, the merged cache
    _edit_keeping_metadata(out / "final.parquet")
    assert cli.main(["check", str(out)]) == 1
    assert "final.parquet: changed since it was merged" in capsys.readouterr().out
    _same(load(out), ref)  # rebuilt from the run files
    assert cli.main(["check", str(out)]) == 0


def test_an_edited_run_file_is_caught_without_any_manifest(tiny, tmp_path):
    """Both manifests lost and a run file's values rewritten under its old metadata: the run
    file's own content digest no longer matches, so the run runs again; the others are kept."""
    exp, _, ref = tiny
    out = _copy(tiny, tmp_path)
    (out / "manifest.json").unlink()
    (out / "manifest.prev.json").unlink()
    _edit_keeping_metadata(out / "final" / "p00001-r001.parquet")
    summary = _resume(exp, out)
    assert (summary.ran, summary.repaired) == (1, 1)
    _same(load(out), ref)


def _forge(path: Path) -> None:
    """Change a value of a run file and write the digest of the new content into its tag, as
    someone who knows the format would."""
    import pyarrow.parquet as pq
    from statecraft.sweep.store import table_digest

    _edit_keeping_metadata(path)
    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    tag = json.loads(meta[b"statecraft"])
    assert tag["data"] != table_digest(table)
    meta[b"statecraft"] = json.dumps({**tag, "data": table_digest(table)}).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


@pytest.mark.parametrize("forged", ["final/p00000-r001.parquet", "timeseries/p00001-r001.parquet"])
def test_a_forged_run_file_is_caught_by_the_files_that_recorded_it(tiny, tmp_path, forged):
    """Both manifests lost and a run file rewritten together with its own digest: the next
    run's final file recorded the old digest (``prev``), a time series is recorded by its final
    file. (The last final file stored has no successor: only the manifest vouches for it.)"""
    exp, _, ref = tiny
    out = _copy(tiny, tmp_path)
    (out / "manifest.json").unlink()
    (out / "manifest.prev.json").unlink()
    _forge(out / forged)
    summary = _resume(exp, out)
    rid = Path(forged).stem
    assert (summary.ran, summary.repaired) == (1, 1), summary
    assert any(rid in p.name for p in (out / "damaged").iterdir())  # set aside, not trusted
    _same(load(out), ref)


def test_a_stub_manifest_is_damaged_not_trusted(tiny, tmp_path, capsys):
    """A manifest without the shape of one ({"runs": [{"run_id": 5}]}) and no copy: check
    fails, and resuming rebuilds it from the run files, keeping every intact run."""
    exp, _, ref = tiny
    out = _copy(tiny, tmp_path)
    (out / "manifest.json").write_text('{"runs": [{"run_id": 5}]}', encoding="utf-8")
    (out / "manifest.prev.json").unlink()
    (out / "report").mkdir()  # written here by `statecraft report`: no reason to refuse
    assert cli.main(["check", str(out)]) == 2
    assert "manifest.json is damaged" in capsys.readouterr().err
    summary = _resume(exp, out)
    assert summary.ran == 0 and any("rebuilt" in n for n in summary.notes)
    _same(load(out), ref)
    assert cli.main(["check", str(out)]) == 0


def test_manifests_copied_from_another_sweep_keep_the_intact_runs(tiny, tmp_path):
    """Both manifests copied from a sweep of another experiment: no --force needed, nothing
    rerun; the foreign manifests are set aside and the folder's own is rebuilt."""
    exp, _, ref = tiny
    (tmp_path / "x").mkdir()
    other = load_experiment(_experiment(tmp_path / "x", factors="herding = [0.2, 0.8]"))
    run_sweep(other, tmp_path / "other", workers=1, progress=False)
    out = _copy(tiny, tmp_path)
    for name in ("manifest.json", "manifest.prev.json"):
        shutil.copyfile(tmp_path / "other" / name, out / name)
    summary = _resume(exp, out)
    assert summary.ran == 0
    assert any("copied from another sweep" in n for n in summary.notes)
    assert len(list((out / "damaged").glob("*manifest*"))) == 2
    _same(load(out), ref)


# --- locks --------------------------------------------------------------------------------------
@pytest.mark.parametrize("planted", ["symlink", "directory"])
def test_a_planted_lock_symlink_never_truncates_its_target(tiny, tmp_path, planted):
    exp, _, _ = tiny
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "o"
    out.mkdir()
    if planted == "symlink":
        (out / ".lock").symlink_to(victim)
    else:
        (out / ".lock").mkdir()
    with pytest.raises(SweepError, match=r"\.lock: the lock file is (a symlink|not a regular)"):
        run_sweep(exp, out, workers=1, progress=False)
    assert victim.read_text(encoding="utf-8") == "keep me"


#: Holds a sweep folder's lock in another process until its standard input closes.
HOLD_LOCK = """
import sys
from pathlib import Path
from statecraft.experiment import load_experiment
from statecraft.sweep.store import SweepStore
exp = load_experiment(sys.argv[1])
store = SweepStore(Path(sys.argv[2]), exp, exp.runs(), force=False)
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_second_sweep_on_a_folder_is_refused_in_one_line(tiny, tmp_path, capsys):
    """While one sweep holds the folder, another (in this process or another) is refused with
    one line; the lock dies with its holder, even one killed with SIGKILL."""
    exp, _, ref = tiny
    out = tmp_path / "o"
    first = SweepStore(out, exp, exp.runs(), force=False)
    try:
        with pytest.raises(SweepError, match=r"another sweep is writing to this directory$"):
            SweepStore(out, exp, exp.runs(), force=False)
    finally:
        first.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(exp.path), str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    args = ["sweep", str(exp.path), "--out", str(out), "--workers", "1", "--no-progress"]
    try:
        assert holder.stdout.readline() == "locked\n"  # ready: the holder has the lock
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert err == f"statecraft: error: {out}: another sweep is writing to this directory\n"
    finally:
        holder.kill()
        holder.communicate()
    # No stale lock: the next sweep runs (and its results are those of an undisturbed sweep).
    assert cli.main(args) == 0
    _same(load(out), ref)


# --- worker deaths ------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_run_that_kills_its_worker_is_blamed_alone(tiny):
    """Only the killer is recorded as failed; the runs in flight beside it are re-run alone
    and succeed, with the same results as on an undisturbed sweep."""
    exp, _, ref = tiny
    tasks = [task_for(exp, s) for s in exp.runs()]
    outcomes = {o.run_id: o for o in LocalEvaluator(2, fn=faults.kill_some).evaluate(tasks)}
    assert set(outcomes) == {t.run_id for t in tasks}
    failed = {rid for rid, o in outcomes.items() if o.error is not None}
    assert failed == faults.KILLERS & set(outcomes) == {"p00001-r000"}
    assert "died 3 times running this run alone" in outcomes["p00001-r000"].error
    good = pd.concat([o.final for rid, o in sorted(outcomes.items()) if o.error is None])
    expected = ref.final[~ref.final["run_id"].isin(faults.KILLERS)]
    pd.testing.assert_frame_equal(good.reset_index(drop=True), expected.reset_index(drop=True))


@pytest.mark.slow
def test_a_worker_killed_while_sending_its_result_never_hangs_the_evaluation(
    tiny, tmp_path, monkeypatch
):
    """A worker that dies half-way through sending a result leaves the pool's manager thread
    waiting for ever, and the pool never reports the death (a sweep of the audit hung once in
    11 worker kills): the evaluator notices the dead worker itself, runs the runs then in
    flight again alone, and every run ends with its undisturbed result."""
    import dataclasses

    import statecraft.evaluate as evaluate

    monkeypatch.setattr(evaluate, "HUNG_POOL_S", 1.0)
    exp, _, ref = tiny
    marker = str(tmp_path / "died-once")
    tasks = [dataclasses.replace(task_for(exp, s), experiment=marker) for s in exp.runs()]
    outcomes = list(LocalEvaluator(2, fn=faults.die_mid_send_once).evaluate(tasks))
    assert (tmp_path / "died-once").exists()  # the fault did happen
    assert sorted(o.run_id for o in outcomes) == sorted(t.run_id for t in tasks)
    assert all(o.error is None for o in outcomes)
    got = pd.concat([o.final for o in sorted(outcomes, key=lambda o: o.run_id)])
    got["experiment"] = exp.name
    pd.testing.assert_frame_equal(got.reset_index(drop=True), ref.final.reset_index(drop=True))


@pytest.mark.slow
def test_a_run_that_kills_its_dask_workers_is_blamed_alone(tiny):
    """On Dask too: a run Dask gives up on (KilledWorker) runs again alone in a fresh local
    process; only the run that kills that one too is recorded as failed."""
    import dask
    import distributed  # noqa: F401 - its config defaults must exist before config.set
    from statecraft.sweep import local_cluster

    exp, _, ref = tiny
    tasks = [task_for(exp, s) for s in exp.runs()]
    # allowed-failures 0: Dask gives up on every run on a worker at its first death, so the
    # runs beside the killer are blamed by Dask and must be cleared by running alone.
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        local_cluster(2) as address,
        DaskEvaluator(address, fn=faults.kill_some) as evaluator,
    ):
        outcomes = {o.run_id: o for o in evaluator.evaluate(tasks)}
    failed = {rid for rid, o in outcomes.items() if o.error is not None}
    assert failed == {"p00001-r000"} and len(outcomes) == len(tasks)
    good = pd.concat([o.final for rid, o in sorted(outcomes.items()) if o.error is None])
    expected = ref.final[~ref.final["run_id"].isin(faults.KILLERS)]
    pd.testing.assert_frame_equal(good.reset_index(drop=True), expected.reset_index(drop=True))


@pytest.mark.slow
def test_one_evaluator_blames_a_killer_run_in_a_sweep_and_in_run_many(tiny, tmp_path):
    """The sweep runner and the calibration runner share the evaluator, so they share its
    fault handling: the run that kills its worker is the only one that fails."""
    exp, _, ref = tiny
    with LocalEvaluator(2, fn=faults.kill_some) as killer:
        summary = run_sweep(exp, tmp_path / "o", evaluator=killer, progress=False)
        runs = [({"scale": 0.05, "end_date": "2020-03"}, seed) for seed in (1, 2, 3)]
        with pytest.raises(RunFailed, match=r"^run r00001 failed: worker process died 3 times"):
            run_many(runs, evaluator=killer)
    assert (summary.ran, summary.failed) == (4, 1)
    res = load(tmp_path / "o")
    status = res.runs.set_index("run_id")
    assert status.loc["p00001-r000", "status"] == "failed"
    assert "died 3 times running this run alone" in status.loc["p00001-r000", "error"]
    expected = ref.final[ref.final["run_id"] != "p00001-r000"].reset_index(drop=True)
    pd.testing.assert_frame_equal(res.final, expected)


def test_failed_runs_give_a_nonzero_exit_status(tiny, tmp_path, monkeypatch, capsys):
    import statecraft.evaluate as evaluate

    exp, _, _ = tiny
    real = evaluate.simulate
    bad = exp.runs()[2].seed

    def flaky(params, seed, scenario):
        if seed == bad:
            raise RuntimeError("boom")
        return real(params, seed=seed, scenario=scenario)

    monkeypatch.setattr(evaluate, "simulate", flaky)
    args = ["sweep", str(exp.path), "--out", str(tmp_path / "o"), "--workers", "1"]
    assert cli.main([*args, "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "1 runs failed" in err
    # --retry-failed counts what is failed after the retry, not before.
    monkeypatch.setattr(evaluate, "simulate", real)
    assert cli.main([*args, "--no-progress", "--retry-failed"]) == 0
    assert "0 failed" in capsys.readouterr().out


# --- a run's output folder is written as a whole ------------------------------------------------
def test_rerun_into_the_same_folder_replaces_it_whole(tmp_path):
    out = tmp_path / "r"
    base = ["run", "baseline", "--out", str(out)]
    scenario = tmp_path / "tiny.toml"
    scenario.write_text('[parameters]\nscale = 0.05\nend_date = "2020-03"\n', encoding="utf-8")
    assert cli.main(["run", str(scenario), "--out", str(out), "--seed", "1"]) == 0
    assert (out / "dashboard.png").exists()
    assert cli.main(["run", str(scenario), "--out", str(out), "--seed", "2", "--no-dashboard"]) == 0
    assert not (out / "dashboard.png").exists()  # no stale file of the previous run
    for table in ("run", "timeseries", "niches", "champions"):
        df = pd.read_parquet(out / f"{table}.parquet")
        assert set(df["seed"]) <= {2}
    assert base  # the folder is reusable by any scenario


def test_a_failed_write_leaves_the_previous_results(tmp_path, monkeypatch, capsys):
    import statecraft.plots as plots

    scenario = tmp_path / "tiny.toml"
    scenario.write_text('[parameters]\nscale = 0.05\nend_date = "2020-03"\n', encoding="utf-8")
    out = tmp_path / "r"
    assert cli.main(["run", str(scenario), "--out", str(out), "--seed", "1"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full_disk(result, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(plots, "dashboard", full_disk)
    capsys.readouterr()
    assert cli.main(["run", str(scenario), "--out", str(out), "--seed", "2"]) == 2
    err = capsys.readouterr().err
    assert "dashboard.png: cannot write (No space left on device)" in err
    assert err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("where", ["root", "foreign", "file", "symlink"])
def test_an_unsafe_output_folder_is_refused_before_running(tmp_path, capsys, where):
    target = {"root": Path("/"), "file": tmp_path / "f", "symlink": tmp_path / "link"}.get(
        where, tmp_path / "mine"
    )
    if where == "foreign":
        target.mkdir()
        (target / "thesis.tex").write_text("years of work", encoding="utf-8")
    elif where == "file":
        target.write_text("x", encoding="utf-8")
    elif where == "symlink":
        (tmp_path / "real").mkdir()
        target.symlink_to(tmp_path / "real")
    assert cli.main(["run", "baseline", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("statecraft: error: --out") and err.count("\n") == 1
    if where == "foreign":
        assert (target / "thesis.tex").read_text(encoding="utf-8") == "years of work"


# --- the Dask scheduler lost mid-sweep ----------------------------------------------------------
@pytest.mark.slow
def test_a_lost_scheduler_ends_the_sweep_promptly_and_the_folder_resumes(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    # 12 runs over four years: long enough to lose the scheduler mid-way.
    path = _experiment(tmp_path, factors="herding = [0.0, 0.5, 1.0]", reps=4)
    path.write_text(path.read_text().replace('"2020-06"', '"2023-12"'), encoding="utf-8")
    exp = load_experiment(path)
    bin_ = Path(sys.executable).parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    addr = f"tcp://127.0.0.1:{port}"
    web = ["--dashboard-address", "127.0.0.1:0"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    sched = subprocess.Popen(
        [bin_ / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port), *web],
        start_new_session=True,
        **quiet,
    )
    worker = subprocess.Popen(
        [bin_ / "dask", "worker", addr, "--nthreads", "1", "--host", "127.0.0.1", *web],
        start_new_session=True,
        **quiet,
    )
    out = tmp_path / "o"
    quiet_bar = ["--no-progress"]
    try:
        # Ready when the scheduler answers and the worker has registered (not after a fixed time).
        from distributed import Client

        from tests.processes import TIMEOUT_S

        with Client(addr, timeout=TIMEOUT_S) as probe:
            probe.wait_for_workers(1, timeout=TIMEOUT_S)
        proc = subprocess.Popen(
            [bin_ / "statecraft", "sweep", path, "--out", out, "--scheduler", addr, *quiet_bar],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        end = time.monotonic() + 180
        while not list((out / "final").glob("*.parquet")) and proc.poll() is None:
            assert time.monotonic() < end, "no run finished"
            time.sleep(0.05)
        os.killpg(sched.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=60)  # ends by itself: no hang
    finally:
        for p in (worker, sched):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before the scheduler was killed")
    assert proc.returncode == 2, err
    assert "statecraft: error: lost the Dask scheduler at" in err
    assert "rerun the same command to resume" in err
    assert "Traceback" not in err and err.count("\n") == 1, err  # no Dask log noise
    res = load(out)
    assert set(res.runs["status"]) <= {"ok", "pending"}  # lost runs are not recorded failed
    summary = _resume(exp, out)
    assert summary.failed == 0 and summary.skipped >= 1
    assert (load(out).runs["status"] == "ok").all()
    assert verify_folder(out).intact


def test_a_full_disk_mid_sweep_names_the_file_and_the_folder_resumes(
    tiny, tmp_path, monkeypatch, capsys
):
    import pyarrow.parquet as pq

    exp, _, ref = tiny
    real, calls = pq.write_table, []

    def full(table, where, *args, **kwargs):
        calls.append(where)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(where))
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", full)
    out = tmp_path / "o"
    args = ["sweep", str(exp.path), "--out", str(out), "--workers", "1", "--no-progress"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith(".parquet: No space left on device\n")
    assert ".tmp" not in err and f"statecraft: error: {out}/" in err
    monkeypatch.setattr(pq, "write_table", real)
    assert cli.main(args) == 0
    _same(load(out), ref)
