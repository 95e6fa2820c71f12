"""Benchmark ``statecraft report`` on a synthetic sweep of 10,000 runs with time series.

The sweep is written in the store's layout (``manifest.json``, one Parquet file per run under
``final/`` and ``timeseries/``) with every metric column the model has, 1,000 design points
(40 × 25 grid of ``policy_chips`` × ``herding``) × 10 replicates × 132 months: 1.32 million
monthly rows. Values are random walks, so the statistics have real work to do. The folder is
read once with :func:`statecraft.sweep.load` before timing (which merges the per-run files, as
the first ``load()`` after a sweep does); then ``statecraft report`` runs ``--repeats`` times,
each in a fresh process, and its wall time and peak resident memory (``ru_maxrss`` of the child)
are recorded. Target: under a minute.

Usage::

    .venv/bin/python benchmarks/bench_report.py            # print Markdown
    .venv/bin/python benchmarks/bench_report.py --write    # ... and update benchmarks/README.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
SECTION = "## Report benchmark"
TARGET_S = 60.0


def make_sweep(out: Path, nx: int = 40, ny: int = 25, reps: int = 10, months: int = 132) -> int:
    """Write a synthetic sweep folder; return its number of runs."""
    from statecraft.metrics import REPORTERS

    rng = np.random.default_rng(0)
    n_points = nx * ny
    n = n_points * reps
    point = np.repeat(np.arange(n_points), reps)
    rep = np.tile(np.arange(reps), n_points)
    xs = np.linspace(0.0, 1.0, nx)[point // ny]
    ys = np.linspace(0.0, 1.0, ny)[point % ny]
    run_ids = [f"p{p:05d}-r{r:03d}" for p, r in zip(point, rep, strict=True)]
    dates = pd.date_range("2020-01-01", periods=months, freq="MS")
    metrics = list(REPORTERS)
    # Random walks with a drift set by the factors: (runs, months) per metric.
    cols = {}
    for j, m in enumerate(metrics):
        drift = (0.5 + xs - ys * (j % 3 - 1))[:, None] / months
        walk = np.cumsum(drift + rng.normal(0, 0.02, (n, months)), axis=1)
        cols[m] = (walk - walk.min()).ravel()
    ts = pa.table(
        {
            "run_id": pa.array(np.repeat(run_ids, months)),
            "scenario": pa.array(np.repeat("baseline", n * months)),
            "seed": pa.array(np.repeat(np.arange(n, dtype=np.int64), months)),
            "step": pa.array(np.tile(np.arange(1, months + 1), n)),
            "date": pa.array(np.tile(dates.to_numpy(), n)),
            **{m: pa.array(v) for m, v in cols.items()},
        }
    )
    (out / "final").mkdir(parents=True)
    (out / "timeseries").mkdir()
    for i, rid in enumerate(run_ids):
        part = ts.slice(i * months, months)
        pq.write_table(part, out / "timeseries" / f"{rid}.parquet")
        pq.write_table(part.slice(months - 1, 1), out / "final" / f"{rid}.parquet")
    manifest = {
        "format": 1,
        "state": "complete",
        "experiment": {
            "name": "bench",
            "scenario": "baseline",
            "design": "grid",
            "samples": None,
            "replicates": reps,
            "factors": ["policy_chips", "herding"],
        },
        "model_code_sha256": "synthetic",
        "runs": [
            {
                "run_id": rid,
                "point": int(p),
                "replicate": int(r),
                "seed": i,
                "factors": {"policy_chips": float(x), "herding": float(y)},
                "status": "ok",
            }
            for i, (rid, p, r, x, y) in enumerate(zip(run_ids, point, rep, xs, ys, strict=True))
        ],
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    return n


def time_report(sweep: Path, out: Path) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one ``statecraft report`` in a fresh process."""
    code = (
        "import resource, sys, time\n"
        "from statecraft.cli import main\n"
        "t = time.perf_counter()\n"
        f"rc = main(['report', {str(sweep)!r}, '--out', {str(out)!r}])\n"
        "el = time.perf_counter() - t\n"
        "print(rc, el, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    rc, _inner, rss_kib = res.stdout.split()[-3:]
    if rc != "0":
        raise RuntimeError(res.stderr)
    return wall, int(rss_kib) / 1024


def _load_only(sweep: Path) -> tuple[float, float]:
    """Peak RSS (MiB) of ``load(sweep)`` alone in a fresh process, and its time series' size."""
    code = (
        "import resource\n"
        "from statecraft.sweep import load\n"
        f"r = load({str(sweep)!r})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " r.timeseries.memory_usage(deep=True).sum())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rss_kib, nbytes = out.stdout.split()[-2:]
    return int(rss_kib) / 1024, int(nbytes) / 2**20


def main() -> int:
    """Run the benchmark; print (and with ``--write`` store) the results as Markdown."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=None, help="keep the synthetic sweep here")
    ap.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    args = ap.parse_args()
    from statecraft.sweep import load

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        sweep = args.dir or Path(tmp) / "sweep"
        t0 = time.perf_counter()
        if not (sweep / "manifest.json").is_file():
            n = make_sweep(sweep)
            made = f"Writing the synthetic sweep took {time.perf_counter() - t0:.0f} s"
        else:
            n = len(json.loads((sweep / "manifest.json").read_text())["runs"])
            made = "The synthetic sweep was reused from an earlier run (`--dir`)"
        t0 = time.perf_counter()
        res = load(sweep)  # merges the per-run files once, as the first load after a sweep
        rows = len(res.timeseries)
        del res
        first_load = time.perf_counter() - t0
        load_before = os.getloadavg()[0]
        runs = [time_report(sweep, Path(tmp) / f"report{i}") for i in range(args.repeats)]
        load_rss, ts_mib = _load_only(sweep)
        load_after = os.getloadavg()[0]
    times = [r[0] for r in runs]
    rss = [r[1] for r in runs]
    body = "\n".join(
        [
            f"Measured {date.today():%Y-%m-%d} by `bench_report.py`: `statecraft report` on a "
            f"synthetic sweep of {n:,} runs (1,000 design points × 10 replicates) with time "
            f"series ({rows:,} monthly rows, every model metric), each report in a fresh process, "
            f"median of {args.repeats}. {made}; a `load()` before the timed runs (which merges "
            f"the per-run files the first time) took {first_load:.0f} s; neither is timed. "
            "The time includes starting Python and importing pandas, scipy and matplotlib. "
            f"The 2-core machine is shared: its 1-minute load average was {load_before:.1f} "
            f"before and {load_after:.1f} after the timed runs (2.0 = both cores busy).",
            "",
            "| measure | median | runs |",
            "|---|---|---|",
            f"| wall time of `statecraft report` (s) | {statistics.median(times):.1f} | "
            + ", ".join(f"{t:.1f}" for t in times)
            + " |",
            f"| peak resident memory (MiB) | {statistics.median(rss):.0f} | "
            + ", ".join(f"{m:.0f}" for m in rss)
            + " |",
            "",
            "| target | measured | met |",
            "|---|---|---|",
            f"| report on 10,000 runs with time series < {TARGET_S:.0f} s | "
            f"{statistics.median(times):.1f} s | "
            f"{'yes' if statistics.median(times) < TARGET_S else 'no'} |",
            "",
            f"Where the memory goes: `statecraft.sweep.load()` alone peaks at {load_rss:.0f} MiB "
            "in a fresh process (it reads every column of the merged time series; the frame "
            f"itself is {ts_mib:.0f} MiB); the analysis adds the rest. Run it with "
            "`.venv/bin/python benchmarks/bench_report.py [--write] [--dir DIR]`: the first "
            "run writes 20,000 small Parquet files and merges them (several minutes on this "
            "machine); `--dir` keeps them for the next.",
        ]
    )
    print(body)
    if args.write:
        _write_section(HERE / "README.md", body)
    return 0


def _write_section(readme: Path, body: str) -> None:
    """Replace (or append) this benchmark's section of the benchmarks README."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    new_section = f"{SECTION}\n\n{body}\n"
    if pattern.search(text):
        text = pattern.sub(lambda _: new_section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + new_section
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
