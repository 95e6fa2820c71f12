"""Time a whole baseline run of this checkout against an older commit, side by side.

Run from the repository root::

    .venv/bin/python benchmarks/speed_vs.py 58492bf             # 15 interleaved pairs
    .venv/bin/python benchmarks/speed_vs.py 58492bf --pairs 31

The older commit's ``model/`` is extracted with ``git archive`` into a temporary folder and
imported under another name (its modules import each other relatively), so both versions run in
one process, alternating (old then new, new then old, ...), each after a warm-up and a
``gc.collect()``. Printed: the median time of a run (construction plus every month, full scale,
``Params()``) of each, and the median and range of the per-pair ratio new / old.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

OLD = "statecraft_old"


def _extract(commit: str, into: Path) -> None:
    archive = into / "old.tar"
    subprocess.run(
        ["git", "archive", "--format=tar", "-o", str(archive), commit, "model"], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (into / "model").rename(into / OLD)


def _run(model_module, params_module, seed: int) -> float:
    gc.collect()
    start = time.perf_counter()
    model = model_module.StatecraftModel(params_module.Params(), rng=seed)
    while model.running:
        model.step()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the older commit to compare against")
    parser.add_argument("--pairs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        _extract(args.commit, Path(tmp))
        sys.path.insert(0, tmp)
        old = (importlib.import_module(f"{OLD}.model"), importlib.import_module(f"{OLD}.params"))
        new = (
            importlib.import_module("statecraft.model"),
            importlib.import_module("statecraft.params"),
        )
        _run(*old, 0), _run(*new, 0)  # warm-up: compiled kernels, caches
        t_new, t_old, ratio = [], [], []
        for i in range(args.pairs):
            seed = i % 5
            if i % 2:
                a, b = _run(*new, seed), _run(*old, seed)
            else:
                b, a = _run(*old, seed), _run(*new, seed)
            t_new.append(a)
            t_old.append(b)
            ratio.append(a / b)
    print(
        f"new {statistics.median(t_new):.4f} s, old ({args.commit}) "
        f"{statistics.median(t_old):.4f} s per run; new/old median {statistics.median(ratio):.3f}"
        f" (range {min(ratio):.3f}-{max(ratio):.3f}, {args.pairs} pairs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
