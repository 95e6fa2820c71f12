"""Worker-kill drill, repeated: SIGKILL one pool worker of a running sweep, see that it ends.

The audit of main at 2257f15 saw a sweep of 10 runs never exit (once in 11 tries) after one of
its two pool workers was killed from outside once two runs were stored. This script repeats
that drill and counts the outcomes::

    .venv/bin/python benchmarks/worker_kill.py --tries 100

Each try starts ``statecraft sweep --workers 2`` on a 10-run experiment, waits until two runs
are stored, SIGKILLs one worker process (a child of the ``forkserver``), and waits up to
``--limit`` seconds for the sweep to exit. A try passes if the sweep exits 0 with every run
stored; a *hang* is a sweep still running at the limit (it is then killed).

Measured (2 cores, load 2-5): at a7f5a93, 1 hang in 100 tries; with bounded waits around
worker loss, 0 in 100 (figures in benchmarks/README.md). The hang: a worker killed half-way
through sending its result leaves the pool's manager thread waiting for the rest for ever
(``tests/faults.py: die_mid_send_once`` reproduces it every time).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCENARIO = (ROOT / "scenarios" / "baseline.toml").as_posix()


def _experiment(folder: Path) -> Path:
    path = folder / "kill.toml"
    path.write_text(
        f'scenario = "{SCENARIO}"\nseed = 1\nreplicates = 5\nhorizon = "2020-06"\n\n'
        "[parameters]\nscale = 0.05\n\n[factors]\nherding = [0.0, 1.0]\n",
        encoding="utf-8",
    )
    return path


def _procs() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we can see."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out[int(d.name)] = (ppid, cmd)
    return out


def _descendants(root: int, procs: dict[int, tuple[int, str]]) -> list[int]:
    kids, todo = [], [root]
    while todo:
        p = todo.pop()
        for pid, (ppid, _) in procs.items():
            if ppid == p:
                kids.append(pid)
                todo.append(pid)
    return kids


def _workers(sweep_pid: int) -> list[int]:
    procs = _procs()
    servers = [p for p in _descendants(sweep_pid, procs) if "forkserver import main" in procs[p][1]]
    return [p for s in servers for p in _descendants(s, procs)]


def one_try(exp: Path, out: Path, limit: float, after: int, expected: int = 10) -> tuple[str, str]:
    """One drill: ``(outcome, detail)``, outcome ``ok``, ``hang``, ``failed``, ``too fast`` (the
    sweep ended before a worker could be killed) or ``no worker``."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(BIN / "statecraft"), "sweep", str(exp), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(
        [*cmd, "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        end = time.monotonic() + limit
        while time.monotonic() < end and len(list((out / "final").glob("*.parquet"))) < after:
            if proc.poll() is not None:
                return "too fast", proc.stderr.read()[-200:]
            time.sleep(0.01)
        workers = []
        while time.monotonic() < end and not workers and proc.poll() is None:
            workers = _workers(proc.pid)
        if not workers:
            return "no worker", ""
        os.kill(workers[0], signal.SIGKILL)
        try:
            _, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            procs = _procs()
            alive = [procs[p][1][:60] for p in _descendants(proc.pid, procs)]
            return "hang", f"processes left: {alive}"
        stored = len(list((out / "final").glob("*.parquet")))
        if proc.returncode == 0 and stored == expected:
            return "ok", ""
        return "failed", f"status {proc.returncode}, {stored} stored: {err.strip()[-200:]}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tries", type=int, default=100)
    ap.add_argument("--limit", type=float, default=300.0, help="seconds before a try is a hang")
    ap.add_argument("--after", type=int, default=2, help="kill once this many runs are stored")
    args = ap.parse_args(argv)
    tally: dict[str, int] = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        exp = _experiment(Path(d))
        for i in range(args.tries):
            outcome, detail = one_try(exp, Path(d) / "out", args.limit, args.after)
            tally[outcome] = tally.get(outcome, 0) + 1
            if outcome != "ok":
                print(f"try {i}: {outcome} {detail}", flush=True)
    load = os.getloadavg()[0]
    print(json.dumps({"tries": args.tries, **tally, "seconds": round(time.perf_counter() - t0)}))
    print(f"load average at the end: {load:.1f}")
    return 0 if tally.get("ok", 0) == args.tries else 1


if __name__ == "__main__":
    sys.exit(main())
