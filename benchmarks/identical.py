"""Prove that a restructuring changed no number: every shipped scenario × seeds, before and after.

Run from the repository root, once on the old code and once on the new::

    .venv/bin/python benchmarks/identical.py save /tmp/before      # on the old commit
    .venv/bin/python benchmarks/identical.py compare /tmp/before   # on the new one

``save`` runs every scenario in ``scenarios/`` for each seed (default 0-4) and writes each run's
four tables (``run``, ``timeseries``, ``niches``, ``champions``) as Parquet. ``compare`` runs the
same set again and compares every table cell by cell: it prints, per table, whether it is
identical bit for bit and otherwise the largest relative difference and where it is; it exits 1
if any table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import statecraft

TABLES = ("run", "timeseries", "niches", "champions")


def _runs(seeds: list[int]):
    for name in statecraft.shipped_scenarios():
        for seed in seeds:
            yield name, seed, statecraft.run_scenario(name, seed=seed)


def save(folder: Path, seeds: list[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, seed, res in _runs(seeds):
        for table, frame in res.tables().items():
            frame.to_parquet(folder / f"{name}-s{seed}-{table}.parquet")
        print(f"saved {name} seed {seed}", flush=True)


def _largest_difference(old: pd.DataFrame, new: pd.DataFrame) -> tuple[float, str]:
    worst, where = 0.0, ""
    for col in old.columns:
        a, b = old[col], new[col]
        if not (pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)):
            if not a.equals(b):
                return float("inf"), f"{col} (non-numeric)"
            continue
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        both_nan = np.isnan(x) & np.isnan(y)
        rel = np.abs(x - y) / np.maximum(np.maximum(np.abs(x), np.abs(y)), 1e-300)
        rel[both_nan] = 0.0
        rel[np.isnan(rel)] = np.inf
        if len(rel) and rel.max() > worst:
            worst, where = float(rel.max()), f"{col} row {int(rel.argmax())}"
    return worst, where


def compare(folder: Path, seeds: list[int]) -> int:
    differing = 0
    version_columns = {"package_version"}  # the only column a restructuring may change
    for name, seed, res in _runs(seeds):
        for table, new in res.tables().items():
            old = pd.read_parquet(folder / f"{name}-s{seed}-{table}.parquet")
            if table == "run":
                old = old.drop(columns=list(version_columns & set(old.columns)))
                new = new.drop(columns=list(version_columns & set(new.columns)))
            if list(old.columns) != list(new.columns) or len(old) != len(new):
                print(f"{name} seed {seed} {table}: shape or columns differ")
                differing += 1
                continue
            if old.equals(new):
                continue
            worst, where = _largest_difference(old, new)
            print(f"{name} seed {seed} {table}: largest relative difference {worst:.3g} at {where}")
            differing += 1
    n = len(statecraft.shipped_scenarios()) * len(seeds) * len(TABLES)
    print(f"{n - differing} of {n} tables identical bit for bit")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args(argv)
    if args.action == "save":
        save(args.folder, args.seeds)
        return 0
    return compare(args.folder, args.seeds)


if __name__ == "__main__":
    sys.exit(main())
