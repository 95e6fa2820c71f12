"""Benchmark the sweep runner against its yardsticks, side by side in one process.

Measured (medians over ``--repeats``), all on the same runs:

1. machinery overhead: ``run_sweep(workers=1)`` against calling ``simulate`` in a loop;
2. pool scaling: speed-up of the local pool over 1 worker, divided by the speed-up the same
   pool gives a pure-CPU reference task of similar length (the machine's 2 vCPUs are shared,
   so an absolute speed-up would measure the neighbours);
3. Dask on a loopback cluster (already running, as a user's would be) against the local pool;
4. ``mesa.batch_run`` with the same process count on the same parameter points.

Usage::

    .venv/bin/python benchmarks/bench_sweep.py            # print Markdown
    .venv/bin/python benchmarks/bench_sweep.py --write    # ... and update benchmarks/README.md
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTION = "## Sweep benchmarks"


def _experiment_text(points: int, replicates: int) -> str:
    scenario = (ROOT / "scenarios" / "baseline.toml").as_posix()
    return f"""
description = "benchmark"
scenario = "{scenario}"
seed = 1
replicates = {replicates}

[design]
kind = "grid"

[factors]
herding = {{ min = 0.0, max = 1.0, levels = {points} }}
"""


def _cpu_task(n: int) -> int:
    """Pure-Python CPU work (no I/O, no numpy): the reference for pool scaling."""
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i) % 1_000_003
    return acc


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark; print (and with ``--write`` store) the results as Markdown."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10, help="design points (default 10)")
    ap.add_argument("--replicates", type=int, default=4, help="replicates (default 4)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--repeats", type=int, default=3, help="repeats per measure (default 3)")
    ap.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    args = ap.parse_args(argv)

    import mesa
    from statecraft.experiment import load_experiment
    from statecraft.model import StatecraftModel
    from statecraft.run import simulate
    from statecraft.scenario import resolve
    from statecraft.sweep import local_cluster, run_sweep

    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    path = tmp / "bench.toml"
    path.write_text(_experiment_text(args.points, args.replicates), encoding="utf-8")
    exp = load_experiment(path)
    runs = exp.runs()
    n, w = len(runs), args.workers
    counter = iter(range(10**6))

    def loop() -> None:
        for r in runs:
            simulate(resolve(r.overrides), seed=r.seed, scenario=exp.name)

    def sweep(**kw) -> None:
        run_sweep(exp, tmp / f"out{next(counter)}", progress=False, **kw)

    # Reference task sized like one run.
    t_run = _time(lambda: simulate(resolve(runs[0].overrides), seed=1))
    size = 200_000
    size = int(size * t_run / _time(lambda: _cpu_task(size)))

    def ref_serial() -> None:
        for _ in range(n):
            _cpu_task(size)

    def ref_pool() -> None:
        ctx = mp.get_context("forkserver")
        with ProcessPoolExecutor(w, mp_context=ctx) as pool:
            list(pool.map(_cpu_task, [size] * n))

    values = sorted({r.overrides["herding"] for r in runs})

    def batch() -> None:
        mesa.batch_run(
            StatecraftModel,
            parameters={"herding": values},
            rng=list(range(args.replicates)),
            number_processes=w,
            data_collection_period=-1,
            max_steps=10_000,
            display_progress=False,
        )

    times: dict[str, list[float]] = {}
    with local_cluster(n_workers=w) as address:
        for _ in range(args.repeats):  # interleaved, so drifts in machine load hit every measure
            for name, fn in {
                "loop": loop,
                "sweep_1": lambda: sweep(workers=1),
                "sweep_pool": lambda: sweep(workers=w),
                "sweep_dask": lambda: sweep(scheduler=address),
                "ref_serial": ref_serial,
                "ref_pool": ref_pool,
                "batch_run": batch,
            }.items():
                times.setdefault(name, []).append(_time(fn))
    med = {k: statistics.median(v) for k, v in times.items()}

    overhead = med["sweep_1"] / med["loop"] - 1
    s_sweep = med["sweep_1"] / med["sweep_pool"]
    s_ref = med["ref_serial"] / med["ref_pool"]
    dask_vs_pool = med["sweep_dask"] / med["sweep_pool"] - 1
    ours_vs_batch = med["sweep_pool"] / med["batch_run"]

    def ok(cond: bool) -> str:
        return "yes" if cond else "**no**"

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} by `bench_sweep.py`: {n} full-scale baseline runs "
        f"({args.points} herding levels × {args.replicates} replicates), {w} processes, "
        f"median of {args.repeats} interleaved repeats; timings include pool start-up and "
        "writing results.",
        "",
        "| measure | time (s) |",
        "|---|---|",
        *(f"| {k} | {v:.2f} |" for k, v in med.items()),
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| sweep machinery overhead over a `simulate` loop ≤ 5 % | {overhead:+.1%} | "
        f"{ok(overhead <= 0.05)} |",
        f"| pool speed-up ÷ pure-CPU reference speed-up ≥ 0.9 | {s_sweep:.2f}× ÷ {s_ref:.2f}× = "
        f"{s_sweep / s_ref:.2f} | {ok(s_sweep / s_ref >= 0.9)} |",
        f"| Dask loopback cluster within 10 % of the local pool | {dask_vs_pool:+.1%} | "
        f"{ok(abs(dask_vs_pool) <= 0.10)} |",
        f"| ours (local pool) not slower than `mesa.batch_run` | {ours_vs_batch:.2f}× its time | "
        f"{ok(ours_vs_batch <= 1.0)} |",
        "",
        "`mesa.batch_run` runs the same parameter points and run count with seeds "
        f"0…{args.replicates - 1} per point, keeps results in memory only and is not resumable.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        _write_section(HERE / "README.md", text)


def _write_section(readme: Path, body: str) -> None:
    """Replace the body of the ``## Sweep benchmarks`` section (append it if missing)."""
    old = readme.read_text(encoding="utf-8") if readme.exists() else ""
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    new_section = f"{SECTION}\n\n{body}\n"
    if pattern.search(old):
        new = pattern.sub(lambda _: new_section, old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + new_section
    readme.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
