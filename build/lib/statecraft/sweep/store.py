"""The sweep folder: locked, checked against the experiment, written atomically, resumable.

Layout of the output directory::

    manifest.json             experiment hash, versions, git commit, times, per-run status
    experiment.toml           copy of the experiment file
    final/<run_id>.parquet    one row: the run's metrics at its last month (always kept)
    final.parquet             all of final/ merged (written by the first load(), rebuilt when
                              stale)
    timeseries/<run_id>.parquet  every month (when the experiment asks for time series)
    errors/<run_id>.json      a run that raised: its error and traceback

A run is *stored* once its ``final`` file (written last) or its ``errors`` file exists; every
file is written under a temporary name and moved into place with :func:`os.replace`, so a kill
leaves no half-written file under a final name. Re-running the same command skips stored runs.
:func:`load` returns the tidy tables.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import platform
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from .. import __version__
from ..errors import SweepError
from ..experiment import Experiment, RunSpec
from ..files import atomic_write
from .engines import Outcome, RunTask

__all__ = ["MANIFEST", "OWN_FILES", "SweepStore", "git_commit", "model_code_digest", "task_for"]

MANIFEST = "manifest.json"
#: Files the runner writes at the top of the output directory (besides the per-run folders).
#: Each is written under a temporary name ``.<name>.<random>.tmp`` first
#: (see :func:`statecraft.files.atomic_write`).
OWN_FILES = (MANIFEST, "experiment.toml", "final.parquet", "timeseries.parquet")
#: Seconds between rewrites of the manifest while a sweep runs (it is also written at the end;
#: the stored files, not the manifest, say which runs are done).
MANIFEST_INTERVAL = 2.0


# --- the store ----------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_commit() -> str | None:
    """Commit of the source tree this package runs from, read from ``.git``; else ``None``."""
    git = Path(__file__).resolve().parents[2] / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head[5:]
        if (git / ref).is_file():
            return (git / ref).read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except (OSError, IndexError):
        return None
    return None


@functools.cache
def model_code_digest() -> str:
    """Short SHA-256 of the source of every module of the package: results from different code
    must not be mixed in one sweep folder. No hand-kept list: a module added later is covered."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _fingerprint(task: RunTask) -> str:
    blob = json.dumps(
        [
            task.run_id,
            task.seed,
            task.overrides,
            task.experiment,
            task.scenario,
            task.timeseries,
            model_code_digest(),
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def task_for(exp: Experiment, spec: RunSpec) -> RunTask:
    """The task that runs ``spec`` of ``exp``."""
    return RunTask(
        run_id=spec.run_id,
        seed=spec.seed,
        overrides=spec.overrides,
        experiment=exp.name,
        scenario=exp.scenario,
        timeseries=exp.timeseries,
    )


class SweepStore:
    """The output directory: locked, checked against the experiment, written atomically."""

    _subs = ("final", "timeseries", "errors")

    def __init__(self, out: Path, exp: Experiment, specs: list[RunSpec], force: bool) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self._lock = open(out / ".lock", "w")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise SweepError(f"{out}: another sweep is writing to this directory") from None
        try:
            old = self._open(exp, specs, force)
        except BaseException:
            self._lock.close()
            raise
        self.sessions = old.get("sessions", []) if old else []
        self.started = old.get("started", _now()) if old else _now()
        self.status: dict[str, dict[str, Any]] = {}
        self._scan()
        self._last_flush = 0.0

    def _open(self, exp: Experiment, specs: list[RunSpec], force: bool) -> dict[str, Any] | None:
        self.exp = exp
        self.specs = {s.run_id: s for s in specs}
        self.prints = {s.run_id: _fingerprint(task_for(exp, s)) for s in specs}
        old = self._read_manifest()  # refuses a directory that is not ours before touching it
        # Temporary files of a killed writer (we hold the lock: no other sweep is writing; a
        # concurrent load() merely fails to cache its merged table).
        for tmp in self._own_tmp(self.out):
            tmp.unlink(missing_ok=True)
        for sub in self._subs:
            (self.out / sub).mkdir(exist_ok=True)
            for tmp in (self.out / sub).glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        self._check(old, force)
        return old

    @staticmethod
    def _own_tmp(top: Path) -> list[Path]:
        return [tmp for name in OWN_FILES for tmp in top.glob(f".{name}.*.tmp")]

    def close(self) -> None:
        self._lock.close()

    def _read_manifest(self) -> dict[str, Any] | None:
        path = self.out / MANIFEST
        if not path.exists():
            # The first manifest is written before anything but the lock and the empty per-run
            # folders, so a kill leaves at most those, the experiment copy and temporary files
            # (removed next): a fresh sweep. Anything else is not ours, or cannot be matched
            # to an experiment without a manifest.
            ours = {".lock", *self._subs, *OWN_FILES, *(p.name for p in self._own_tmp(self.out))}
            others = sorted(p.name for p in self.out.iterdir() if p.name not in ours)
            if others:
                raise SweepError(
                    f"{self.out}: not a sweep directory (no {MANIFEST}, but holds {others[0]}); "
                    "choose another --out"
                )
            for sub in self._subs:
                d = self.out / sub
                runs = sorted(p.name for p in d.glob("[!.]*")) if d.is_dir() else []
                if runs:
                    raise SweepError(
                        f"{self.out}: holds {sub}/{runs[0]} but no {MANIFEST}, so its results "
                        "cannot be matched to an experiment; choose another --out"
                    )
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise SweepError(f"{path}: unreadable manifest; use another --out") from None

    def _check(self, old: dict[str, Any] | None, force: bool) -> None:
        if old is None:
            return
        was = old.get("experiment", {})
        code = model_code_digest()
        same = (was.get("sha256"), was.get("scenario_sha256"), old.get("model_code_sha256")) == (
            self.exp.sha256,
            self.exp.scenario_sha256,
            code,
        )
        if same:
            return
        if (
            not force
            and old.get("model_code_sha256") != code
            and was.get("sha256") == (self.exp.sha256)
        ):
            raise SweepError(
                f"{self.out}: holds results of different model code (digest "
                f"{str(old.get('model_code_sha256'))[:12]}, now {code[:12]}); "
                "use another --out, or --force to discard them and run again"
            )
        if not force:
            changed = "experiment file" if was.get("sha256") != self.exp.sha256 else "scenario"
            raise SweepError(
                f"{self.out}: holds results of a different {changed} "
                f"({was.get('path')}, sha256 {str(was.get('sha256'))[:12]}…); "
                "use another --out, or --force to keep only the runs that are unchanged"
            )
        # --force: keep stored runs whose task is identical; drop everything else.
        old_prints = {r["run_id"]: r.get("fingerprint") for r in old.get("runs", [])}
        for sub in self._subs:
            for f in (self.out / sub).iterdir():
                rid = f.name.split(".")[0]
                if old_prints.get(rid) is None or old_prints.get(rid) != self.prints.get(rid):
                    f.unlink()

    def _scan(self) -> None:
        """Status of every run from the files on disk (the manifest may lag a kill)."""
        final = {p.stem for p in (self.out / "final").glob("*.parquet")}
        errors = {p.stem for p in (self.out / "errors").glob("*.json")}
        for rid in self.specs:
            if rid in final:
                self.status[rid] = {"status": "ok"}
            elif rid in errors:
                info = json.loads((self.out / "errors" / f"{rid}.json").read_text())
                self.status[rid] = {"status": "failed", "error": info.get("error")}

    def stored(self, retry_failed: bool) -> set[str]:
        return {
            rid
            for rid, s in self.status.items()
            if s["status"] == "ok" or (s["status"] == "failed" and not retry_failed)
        }

    def store(self, o: Outcome) -> None:
        finished = _now()
        if o.error is None:
            if o.timeseries is not None:
                self._write_parquet(self.out / "timeseries" / f"{o.run_id}.parquet", o.timeseries)
            # The final file is written last: its presence marks the run as stored.
            self._write_parquet(self.out / "final" / f"{o.run_id}.parquet", o.final)
            (self.out / "errors" / f"{o.run_id}.json").unlink(missing_ok=True)
            self.status[o.run_id] = {"status": "ok"}
        else:
            blob = json.dumps({"run_id": o.run_id, "error": o.error, "traceback": o.detail})
            path = self.out / "errors" / f"{o.run_id}.json"
            atomic_write(path, lambda tmp: Path(tmp).write_text(blob, encoding="utf-8"))
            self.status[o.run_id] = {"status": "failed", "error": o.error}
        self.status[o.run_id].update(duration_s=round(o.duration_s, 4), finished=finished)
        if time.monotonic() - self._last_flush > MANIFEST_INTERVAL:
            self.write_manifest(state="running")

    @staticmethod
    def _write_parquet(path: Path, df: pd.DataFrame) -> None:
        atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))

    def write_manifest(self, state: str, session: dict[str, Any] | None = None) -> None:
        exp = self.exp
        runs = []
        for rid, spec in self.specs.items():
            row: dict[str, Any] = {
                "run_id": rid,
                "point": spec.point,
                "replicate": spec.replicate,
                "seed": spec.seed,
                "factors": spec.factors,
                "fingerprint": self.prints[rid],
                "status": "pending",
            }
            row.update(self.status.get(rid, {}))
            runs.append(row)
        counts = Counter(r["status"] for r in runs)
        manifest = {
            "format": 1,
            "state": state,
            "experiment": {
                "name": exp.name,
                "path": str(exp.path),
                "sha256": exp.sha256,
                "scenario": exp.scenario,
                "scenario_path": str(exp.scenario_path),
                "scenario_sha256": exp.scenario_sha256,
                "design": exp.design,
                "samples": exp.samples,
                "replicates": exp.replicates,
                "seed": exp.seed,
                "timeseries": exp.timeseries,
                "factors": [f.name for f in exp.factors],
                "base_parameters": exp.base,
            },
            "package_version": __version__,
            "model_code_sha256": model_code_digest(),
            "git_commit": git_commit(),
            "python_version": platform.python_version(),
            "mesa_version": mesa.__version__,
            "numpy_version": np.__version__,
            "started": self.started,
            "finished": _now() if state == "complete" else None,
            "sessions": [*self.sessions, session] if session else self.sessions,
            "counts": {"total": len(runs), **{k: counts.get(k, 0) for k in ("ok", "failed")}},
            "runs": runs,
        }
        if session and state != "running":
            self.sessions = manifest["sessions"]
        blob = json.dumps(manifest, indent=1, default=str)
        atomic_write(self.out / MANIFEST, lambda tmp: Path(tmp).write_text(blob, "utf-8"))
        self._last_flush = time.monotonic()
