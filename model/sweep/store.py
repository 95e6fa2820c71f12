"""The sweep folder: locked, checked against the experiment, written atomically, resumable.

Layout of the output directory::

    manifest.json             experiment hash, versions, git commit, times, per-run status
    experiment.toml           copy of the experiment file
    final/<run_id>.parquet    one row: the run's metrics at its last month (always kept)
    final.parquet             all of final/ merged (written by the first load(), rebuilt when
                              stale or changed)
    final.parquet.sha256      its SHA-256 and the digest of the run files it was merged from
    timeseries/<run_id>.parquet  every month (when the experiment asks for time series)
    errors/<run_id>.json      a run that raised: its error and traceback
    manifest.prev.json        the previous manifest (read if manifest.json is damaged)
    damaged/                  run files that failed verification, set aside (never read)
    .lock                     locked (:mod:`filelock`) while a sweep writes here: a second
                              sweep on the folder is refused

A run is *stored* once its ``final`` file (written last) or its ``errors`` file exists; every
file is written under a temporary name and moved into place with :func:`os.replace`, so a kill
leaves no half-written file under a final name. Re-running the same command skips stored runs.
:func:`load` returns the tidy tables.

Every run file vouches for itself: a Parquet file carries its run id, table and task
fingerprint in its schema metadata (an error record in its JSON), and the manifest records
each file's SHA-256. A file is trusted only if its hash matches the manifest (or, for a file
the manifest has not caught up with, if it parses and names the right run and fingerprint);
anything else is moved to ``damaged/`` and its run runs again on resume. :func:`verify_folder`
(``statecraft check DIR``) reports what is intact without changing anything.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import os
import platform
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from ..errors import SweepError
from ..evaluate import Outcome, RunTask
from ..experiment import Experiment, RunSpec
from ..files import atomic_write, cache_changed, check_output_folder, file_sha256
from ..version import __version__

__all__ = [
    "MANIFEST",
    "OWN_FILES",
    "FolderReport",
    "SweepStore",
    "check_run_file",
    "git_commit",
    "model_code_digest",
    "read_manifest",
    "run_problem",
    "sources_digest",
    "status_on_disk",
    "task_for",
    "utc_now",
    "verify_folder",
]

MANIFEST = "manifest.json"
#: The manifest before the last rewrite: read when ``manifest.json`` is damaged.
MANIFEST_PREV = "manifest.prev.json"
#: Files the runner writes at the top of the output directory (besides the per-run folders).
#: Each is written under a temporary name ``.<name>.<random>.tmp`` first
#: (see :func:`statecraft.files.atomic_write`).
OWN_FILES = (
    MANIFEST,
    MANIFEST_PREV,
    "experiment.toml",
    "final.parquet",
    "timeseries.parquet",
    "final.parquet.sha256",
    "timeseries.parquet.sha256",
)
#: Per-run folders: table -> file suffix.
RUN_FOLDERS = {"final": ".parquet", "timeseries": ".parquet", "errors": ".json"}
#: Key of the schema metadata entry that names a Parquet file's run.
META_KEY = b"statecraft"
#: Seconds between rewrites of the manifest while a sweep runs (it is also written at the end;
#: the stored files, not the manifest, say which runs are done).
MANIFEST_INTERVAL = 2.0


# --- the store ----------------------------------------------------------------------------------
def utc_now() -> str:
    """The time now, UTC, to the second, ISO 8601 (as the manifest records times)."""
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


# --- self-verifying run files -------------------------------------------------------------------
def sources_digest(files: dict[str, str]) -> str:
    """Digest of the verified run files (run id -> SHA-256) a merged table is built from."""
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()


class _Hasher(io.RawIOBase):
    """A write-only stream that only hashes what is written to it."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sha.update(data)
        return len(data)


def table_digest(table: Any) -> str:
    """SHA-256 (hex) of a table's content: column names, types and every value, not its
    metadata (so it can be stored in the metadata, and matches nothing but identical data).

    ``table`` is a :class:`pyarrow.Table` or a :class:`pandas.DataFrame`; the table is hashed
    as an Arrow IPC stream (one chunk, fixed batch size), so the rows written to a Parquet file
    and the rows read back from it give the same digest (about 0.3 ms for a run's file).
    """
    import pyarrow as pa

    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    table = table.replace_schema_metadata(None).combine_chunks()
    sink = _Hasher()
    with pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), table.schema) as writer:
        writer.write_table(table, max_chunksize=1 << 16)
    return sink.sha.hexdigest()


def record_digest(record: dict[str, Any]) -> str:
    """SHA-256 (hex) of an error record's content (every key but ``data``)."""
    blob = json.dumps({k: v for k, v in record.items() if k != "data"}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def write_run_parquet(
    path: Path,
    df: pd.DataFrame,
    run_id: str,
    fingerprint: str,
    links: dict[str, Any] | None = None,
) -> str:
    """Write ``df`` atomically with the run's id, fingerprint and content digest
    (:func:`table_digest`) in the schema metadata; return the file's SHA-256.

    ``links`` are digests of other files recorded in the tag (see :meth:`SweepStore.store`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    tag = json.dumps(
        {
            "run_id": run_id,
            "fingerprint": fingerprint,
            "table": path.parent.name,
            "data": table_digest(table),
            **(links or {}),
        }
    )
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: tag})
    digest: list[str] = []

    def write(tmp: str) -> None:
        pq.write_table(table, tmp)
        digest.append(file_sha256(Path(tmp)))

    atomic_write(path, write)
    return digest[0]


def write_run_json(path: Path, record: dict[str, Any]) -> str:
    """Write an error record atomically, with its content digest (:func:`record_digest`) as
    ``data``; return the file's SHA-256."""
    blob = json.dumps({**record, "data": record_digest(record)}).encode("utf-8")
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(blob))
    return hashlib.sha256(blob).hexdigest()


def _file_tag(path: Path) -> dict[str, Any]:
    """The run id, fingerprint and content digest a run file says it holds (reads the whole
    file, so a truncated or garbled file raises here rather than later in :func:`load`), and
    ``intact``: whether its content still matches that digest (``None``: it carries none)."""
    if path.suffix == ".json":
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("error"), str):
            raise ValueError("not an error record")
        intact = record["data"] == record_digest(record) if "data" in record else None
        return {**record, "intact": intact}
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    tag = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
    if not isinstance(tag, dict):
        raise ValueError("malformed tag")
    if "run_id" in table.column_names:
        ids = set(table.column("run_id").to_pylist())
        if ids != {tag.get("run_id")}:
            raise ValueError(f"holds rows of {sorted(map(str, ids))[:2]}")
    intact = tag["data"] == table_digest(table) if "data" in tag else None
    return {**tag, "intact": intact}


def check_run_file(
    path: Path, run_id: str, sha256: str | None, fingerprint: str | None
) -> str | None:
    """Why the run file ``path`` cannot be trusted as run ``run_id``'s, or ``None`` if intact.

    With ``sha256`` (from the manifest) the file must match it byte for byte; in any case it
    must parse and name ``run_id`` (and ``fingerprint``, if given) inside.
    """
    if not path.is_file():
        return "missing"
    if sha256 is not None:
        # The manifest's hash was taken of the file as written (tag included): a match is
        # proof enough, and spares parsing every file of a large sweep.
        try:
            if file_sha256(path) != sha256:
                return "changed since it was written (SHA-256 differs from the manifest)"
        except OSError as err:
            return f"unreadable ({err.strerror})"
        return None
    try:
        tag = _file_tag(path)
    except Exception as err:  # any parse failure: truncated, garbled, not Parquet/JSON
        return f"unreadable ({type(err).__name__})"
    if tag["intact"] is False:
        return "edited since it was written (its values differ from the digest written with them)"
    if tag.get("run_id") != run_id:
        return f"holds run {tag.get('run_id')!r}, not {run_id!r}"
    if fingerprint is not None and tag.get("fingerprint") not in (None, fingerprint):
        return "belongs to a different task (fingerprint differs)"
    if fingerprint is not None and sha256 is None and tag.get("fingerprint") != fingerprint:
        return "carries no fingerprint and is not in the manifest"
    if tag["intact"] is None:
        # Not in the manifest, so only its own content digest can vouch for it.
        return "carries no content digest and is not in the manifest"
    return None


#: Keys of a manifest's ``experiment`` table and of each of its ``runs``, with their types.
_EXPERIMENT_KEYS = {
    "name": str,
    "sha256": str,
    "scenario": str,
    "design": str,
    "replicates": int,
    "factors": list,
}
_RUN_KEYS = {
    "run_id": str,
    "point": int,
    "replicate": int,
    "seed": int,
    "factors": dict,
    "fingerprint": str,
}


def _well_formed(data: object) -> bool:
    """Whether ``data`` has the shape of a manifest (a hand-written or foreign stub such as
    ``{"runs": [{"run_id": 5}]}`` is treated as damaged, not trusted)."""

    def typed(d: object, keys: dict[str, type]) -> bool:
        return isinstance(d, dict) and all(
            isinstance(d.get(k), t) and not isinstance(d.get(k), bool) for k, t in keys.items()
        )

    if not isinstance(data, dict) or not typed(data.get("experiment"), _EXPERIMENT_KEYS):
        return False
    runs = data.get("runs")
    if not isinstance(runs, list) or not all(typed(r, _RUN_KEYS) for r in runs):
        return False
    ids = [r["run_id"] for r in runs]
    # Run ids become file names: nothing but letters, digits, "-" and "_".
    safe = all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", i) for i in ids)
    return (
        safe
        and len(set(ids)) == len(ids)
        and all(isinstance(r.get("files", {}), dict) for r in runs)
    )


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if _well_formed(data) else None


def read_manifest(out: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The folder's manifest, from ``manifest.json`` or else its previous copy.

    Returns ``(manifest, note)``: ``note`` says which copy was damaged, if any; ``manifest`` is
    ``None`` if neither copy is readable (or there is none).
    """
    main = _read_json(out / MANIFEST)
    if main is not None:
        return main, None
    prev = _read_json(out / MANIFEST_PREV)
    if not (out / MANIFEST).exists():
        return prev, None if prev is None else f"{MANIFEST} missing; read {MANIFEST_PREV}"
    if prev is not None:
        return prev, f"{MANIFEST} is damaged; read {MANIFEST_PREV}"
    return None, f"{MANIFEST} is damaged and {MANIFEST_PREV} is missing or damaged"


def _recorded(row: dict[str, Any], table: str) -> str | None:
    return (row.get("files") or {}).get(table)


@dataclasses.dataclass
class FolderReport:
    """What :func:`verify_folder` found: run ids by state, and the problem of each bad file."""

    out: Path
    ok: list[str]
    failed: list[str]
    pending: list[str]
    damaged: dict[str, str]
    note: str | None
    #: Merged tables (``final.parquet``...) changed since they were written: not results, but
    #: someone or something edited them (the next load rebuilds them from the run files).
    caches: list[str] = dataclasses.field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.damaged and self.note is None and not self.caches

    def lines(self) -> list[str]:
        n = len(self.ok) + len(self.failed) + len(self.pending) + len(self.damaged)
        head = (
            f"{self.out}: {n} runs: {len(self.ok)} ok and verified, {len(self.failed)} failed, "
            f"{len(self.pending)} not run yet, {len(self.damaged)} damaged or missing"
        )
        out = [head]
        if self.note:
            out.append(f"  manifest: {self.note}")
        out += [f"  {rid}: {why}" for rid, why in sorted(self.damaged.items())]
        out += [
            f"  {name}: changed since it was merged from the run files (the next load rebuilds it)"
            for name in self.caches
        ]
        return out


def verify_folder(out: str | Path) -> FolderReport:
    """Check every run file of a sweep folder against its manifest, without changing anything.

    Raises
    ------
    SweepError
        If ``out`` holds no readable manifest.
    """
    out = Path(out)
    if not out.is_dir():
        raise SweepError(f"{out}: no such sweep directory")
    manifest, note = read_manifest(out)
    if manifest is None:
        raise SweepError(
            f"{out}: not a sweep directory, or its manifest is lost ({note or 'no ' + MANIFEST}); "
            "rerun its `statecraft sweep` command with --out here to rebuild it from the run files"
        )
    ok, failed, pending, damaged = [], [], [], {}
    keep_ts = bool(manifest.get("experiment", {}).get("timeseries"))
    rows = {row.get("run_id"): row for row in manifest["runs"]}
    for row in manifest["runs"]:
        rid = row.get("run_id")
        status = status_on_disk(out, row)
        problem = run_problem(out, {**row, "status": status}, keep_ts)
        if status in ("ok", "failed") and problem:
            damaged[rid] = problem
        elif status == "ok":
            ok.append(rid)
        elif status == "failed":
            failed.append(rid)
        else:
            pending.append(rid)
    caches = []
    for table in ("final", "timeseries") if keep_ts else ("final",):
        # A verified file's hash is the manifest's, when the manifest has one.
        files = {
            rid: _recorded(rows[rid], table) or file_sha256(out / table / f"{rid}.parquet")
            for rid in ok
        }
        if cache_changed(out / f"{table}.parquet", sources_digest(files)):
            caches.append(f"{table}.parquet")
    return FolderReport(out, ok, failed, pending, damaged, note, caches)


def status_on_disk(out: Path, row: dict[str, Any]) -> str:
    """A run's status: what its files say (a run stored after the manifest's last rewrite - a
    sweep still running, or killed - has files the manifest does not list yet), else the
    manifest's (whose files may then be missing: :func:`run_problem` reports it)."""
    if (out / "final" / f"{row['run_id']}.parquet").exists():
        return "ok"
    if (out / "errors" / f"{row['run_id']}.json").exists():
        return "failed"
    status = row.get("status")
    return status if status in ("ok", "failed") else "pending"


def run_problem(out: Path, row: dict[str, Any], timeseries: bool | None) -> str | None:
    """What is wrong with the stored files of the manifest row ``row`` (None: intact)."""
    rid, fp = row["run_id"], row.get("fingerprint")
    if row.get("status") == "ok":
        tables = ["final", "timeseries"] if timeseries else ["final"]
    elif row.get("status") == "failed":
        tables = ["errors"]
    else:
        return None
    for table in tables:
        path = out / table / f"{rid}{RUN_FOLDERS[table]}"
        why = check_run_file(path, rid, _recorded(row, table), fp)
        if why:
            return f"{table}/{path.name} {why}"
    return None


def _lock(out: Path) -> FileLock:
    """Hold the folder's ``.lock`` (a :mod:`filelock` lock: ``flock`` on POSIX, ``msvcrt``
    locking on Windows; the kernel drops it when the process dies, so a killed sweep never
    leaves a stale lock), or refuse with a one-line :class:`SweepError`."""
    path = out / ".lock"
    # filelock releases before 3.20.1 open the path following a symlink (and truncate what it
    # points to): a planted ``.lock`` symlink or special file is refused, never written through.
    if path.is_symlink():
        raise SweepError(f"{path}: the lock file is a symlink; remove it or choose another --out")
    if path.exists() and not path.is_file():
        raise SweepError(f"{path}: the lock file is not a regular file; choose another --out")
    # Not thread-local: the lock belongs to the store, whichever thread closes it.
    lock = FileLock(path, thread_local=False)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        raise SweepError(f"{out}: another sweep is writing to this directory") from None
    except NotImplementedError:
        raise SweepError(
            f"{out}: this file system does not support file locks; choose another --out"
        ) from None
    except OSError as err:
        raise SweepError(
            f"{path}: cannot create the lock file ({err.strerror or err}); choose another --out"
        ) from None
    return lock


class SweepStore:
    """The output directory: locked, checked against the experiment, written atomically, and
    verified file by file when opened (see the module docstring)."""

    _subs = tuple(RUN_FOLDERS)

    def __init__(self, out: Path, exp: Experiment, specs: list[RunSpec], force: bool) -> None:
        self.out = out
        if out.exists() and not out.is_dir():
            raise SweepError(f"{out}: exists and is not a directory; choose another --out")
        # The rule of every command that writes; the contents are checked against the manifest
        # (_read_manifest: a folder with other files and no manifest is refused).
        check_output_folder(out, None, "a sweep", error=SweepError)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SweepError(f"{out}: cannot create the directory ({err.strerror})") from None
        self._lock = _lock(out)
        #: What opening the folder found and repaired: one line each (the CLI prints them).
        self.notes: list[str] = []
        #: Runs whose stored files failed verification: run id -> problem (they run again).
        self.repaired: dict[str, str] = {}
        try:
            old = self._open(exp, specs, force)
            self.sessions = old.get("sessions", []) if old else []
            self.started = old.get("started", utc_now()) if old else utc_now()
            self.status: dict[str, dict[str, Any]] = {}
            self._scan(old)
        except BaseException:
            self._lock.release()
            raise
        self._last_flush = 0.0
        #: (run id, content digest) of the last final file stored (see :meth:`store`).
        self._last_final: tuple[str, str] | None = None

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
        if old is not None and not self._same(old) and self._foreign(old):
            # A manifest copied from another sweep: the run files, which vouch for themselves,
            # decide (never --force, which would discard every intact run).
            for name in (MANIFEST, MANIFEST_PREV):
                self._set_aside(self.out / name)
            self.notes.append(
                f"{MANIFEST} describes none of the run files here (copied from another "
                f"sweep?); set aside in {self.out / 'damaged'}/ and rebuilt from the run files"
            )
            old = None
        self._check(old, force)
        return old

    def _same(self, old: dict[str, Any]) -> bool:
        """Whether manifest ``old`` was written for this experiment, scenario and model code."""
        was = old.get("experiment", {})
        return (was.get("sha256"), was.get("scenario_sha256"), old.get("model_code_sha256")) == (
            self.exp.sha256,
            self.exp.scenario_sha256,
            model_code_digest(),
        )

    def _foreign(self, old: dict[str, Any]) -> bool:
        """Whether manifest ``old`` describes none of the run files here while some of them are
        intact runs of this experiment (the manifest came from elsewhere)."""
        rows = {r["run_id"]: r for r in old["runs"]}
        ours = False
        for path in self._run_files():
            rid = path.name.split(".")[0]
            try:
                tag = _file_tag(path)
            except Exception:
                continue  # damaged: set aside by _scan
            if not tag["intact"]:
                continue  # damaged: set aside by _scan
            if tag.get("fingerprint") == rows.get(rid, {}).get("fingerprint"):
                return False  # the manifest wrote this file: it belongs here
            ours = ours or tag.get("fingerprint") == self.prints.get(rid)
        return ours

    @staticmethod
    def _own_tmp(top: Path) -> list[Path]:
        return [tmp for name in OWN_FILES for tmp in top.glob(f".{name}.*.tmp")]

    def close(self) -> None:
        """Release the folder's lock (another sweep may then write to it)."""
        self._lock.release()

    def _run_files(self) -> list[Path]:
        return [
            p
            for sub, suffix in RUN_FOLDERS.items()
            if (self.out / sub).is_dir()
            for p in sorted((self.out / sub).glob(f"[!.]*{suffix}"))
        ]

    def _read_manifest(self) -> dict[str, Any] | None:
        manifest, note = read_manifest(self.out)
        if note:
            self.notes.append(note)
        if manifest is not None:
            return manifest
        ours = {
            ".lock",
            "damaged",
            *self._subs,
            *OWN_FILES,
            *(p.name for p in self._own_tmp(self.out)),
        }
        # What the analysis commands write here by default: a report, the sensitivity cache.
        derived = re.compile(r"report|outcomes-[0-9a-f]+\.parquet(\.sha256)?")
        others = sorted(
            p.name
            for p in self.out.iterdir()
            if p.name not in ours and not derived.fullmatch(p.name)
        )
        if others:
            raise SweepError(
                f"{self.out}: not a sweep directory (no {MANIFEST}, but holds {others[0]}); "
                "choose another --out"
            )
        # No readable manifest. The first one is written before any run, so run files here
        # mean it was lost: rebuild it from the files that name a run of this experiment
        # (checked in _scan); files that carry no such tag cannot be matched to anything.
        for path in self._run_files():
            try:
                tag = _file_tag(path)
            except Exception:
                continue  # damaged: set aside by _scan
            if tag.get("run_id") is None or (
                path.suffix == ".parquet" and "fingerprint" not in tag
            ):
                raise SweepError(
                    f"{self.out}: holds {path.parent.name}/{path.name} but no {MANIFEST}, so its "
                    "results cannot be matched to an experiment; choose another --out"
                )
        if self._run_files():
            self.notes.append(f"{MANIFEST} rebuilt from the run files")
        return None

    def _check(self, old: dict[str, Any] | None, force: bool) -> None:
        if old is None or self._same(old):
            return
        was = old.get("experiment", {})
        code = model_code_digest()
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

    def _set_aside(self, path: Path) -> None:
        """Move a run file that failed verification to ``damaged/`` (kept for inspection)."""
        if not path.exists():
            return
        dest = self.out / "damaged"
        dest.mkdir(exist_ok=True)
        os.replace(path, dest / f"{path.parent.name}.{path.name}.{time.time_ns()}")

    def _scan(self, old: dict[str, Any] | None) -> None:
        """Status of every run from its verified files on disk (the manifest may lag a kill).

        A file is trusted if its SHA-256 matches the manifest, or - not yet in the manifest -
        if it parses and names this run and this task's fingerprint. Any other file of a run
        is moved to ``damaged/`` and the run runs again.
        """
        rows = {r.get("run_id"): r for r in (old or {}).get("runs", []) if isinstance(r, dict)}
        # Without a manifest, the final files vouch for one another (see store()).
        breaks = self._broken_links() if old is None else {}
        for rid, fp in self.prints.items():
            row = rows.get(rid, {})
            if row.get("fingerprint") not in (None, fp):
                row = {}  # a changed task (kept by --force only if unchanged)
            paths = {t: self.out / t / f"{rid}{s}" for t, s in RUN_FOLDERS.items()}
            status = row.get("status")
            if paths["final"].exists():
                tables = ["final", "timeseries"] if self.exp.timeseries else ["final"]
                files, why = {}, breaks.get(rid)
                for t in tables if why is None else []:
                    sha = _recorded(row, t) if status == "ok" else None
                    why = check_run_file(paths[t], rid, sha, fp)
                    if why:
                        why = f"{t}/{paths[t].name} {why}"
                        break
                    files[t] = sha or file_sha256(paths[t])
                if why is None:
                    paths["errors"].unlink(missing_ok=True)
                    self.status[rid] = {"status": "ok", "files": files}
                    self._keep(rid, row)
                    continue
                self.repaired[rid] = why
                for t in tables:
                    self._set_aside(paths[t])
            elif status == "ok":
                self.repaired[rid] = f"final/{paths['final'].name} missing"
            if paths["errors"].exists():
                sha = _recorded(row, "errors") if status == "failed" else None
                why = check_run_file(paths["errors"], rid, sha, fp)
                if why is None:
                    error = _file_tag(paths["errors"]).get("error")
                    files = {"errors": sha or file_sha256(paths["errors"])}
                    self.status[rid] = {"status": "failed", "error": error, "files": files}
                    self._keep(rid, row)
                    continue
                self.repaired.setdefault(rid, f"errors/{paths['errors'].name} {why}")
                self._set_aside(paths["errors"])
            elif status == "failed" and rid not in self.repaired:
                self.repaired[rid] = f"errors/{paths['errors'].name} missing"
        if self.repaired:
            self.notes.append(
                f"{len(self.repaired)} stored runs failed verification and will run again "
                f"(damaged files moved to {self.out / 'damaged'}/)"
            )

    def _broken_links(self) -> dict[str, str]:
        """Runs whose files disagree with what other run files recorded of them: run id ->
        problem. A time series must have the digest its final file recorded, and a final file
        the digest the final file stored after it recorded (``prev``)."""
        tags: dict[str, dict[str, Any]] = {}
        for path in sorted((self.out / "final").glob("[!.]*.parquet")):
            with contextlib.suppress(Exception):  # unreadable: check_run_file says why
                tags[path.name.split(".")[0]] = _file_tag(path)
        broken: dict[str, str] = {}
        for rid, tag in tags.items():
            ts = self.out / "timeseries" / f"{rid}.parquet"
            if self.exp.timeseries and "timeseries" in tag and ts.is_file():
                with contextlib.suppress(Exception):
                    if _file_tag(ts).get("data") != tag["timeseries"]:
                        broken[rid] = (
                            f"timeseries/{ts.name} differs from the digest its final file "
                            "recorded of it"
                        )
            prev = tag.get("prev")
            if (
                isinstance(prev, list)
                and len(prev) == 2
                and isinstance(prev[0], str)
                and prev[0] in tags
                and tags[prev[0]].get("data") != prev[1]
            ):
                broken.setdefault(
                    prev[0],
                    f"final/{prev[0]}.parquet differs from the digest run {rid}'s final file "
                    "recorded of it when it was stored after it",
                )
        return broken

    def _keep(self, rid: str, row: dict[str, Any]) -> None:
        for key in ("duration_s", "finished"):
            if key in row:
                self.status[rid][key] = row[key]

    def stored(self, retry_failed: bool) -> set[str]:
        return {
            rid
            for rid, s in self.status.items()
            if s["status"] == "ok" or (s["status"] == "failed" and not retry_failed)
        }

    def store(self, o: Outcome) -> None:
        """Write a run's files (time series, then final), and note it in the manifest.

        Besides its own content digest, a final file records the digest of its run's time
        series (``timeseries``) and of the final file stored just before it in this session
        (``prev``: run id and digest). Without the manifest these links still catch a run file
        whose values were rewritten together with its own digest: the files that recorded it
        disagree (all but the last final file stored, whose successor never came).
        """
        finished = utc_now()
        fp = self.prints[o.run_id]
        if o.error is None:
            files = {}
            links: dict[str, Any] = {}
            if o.timeseries is not None:
                path = self.out / "timeseries" / f"{o.run_id}.parquet"
                files["timeseries"] = write_run_parquet(path, o.timeseries, o.run_id, fp)
                links["timeseries"] = table_digest(o.timeseries)
            if self._last_final is not None:
                links["prev"] = list(self._last_final)
            # The final file is written last: its presence marks the run as stored.
            path = self.out / "final" / f"{o.run_id}.parquet"
            files["final"] = write_run_parquet(path, o.final, o.run_id, fp, links)
            self._last_final = (o.run_id, table_digest(o.final))
            (self.out / "errors" / f"{o.run_id}.json").unlink(missing_ok=True)
            self.status[o.run_id] = {"status": "ok", "files": files}
        else:
            record = {"run_id": o.run_id, "fingerprint": fp, "error": o.error}
            record["traceback"] = o.detail
            sha = write_run_json(self.out / "errors" / f"{o.run_id}.json", record)
            self.status[o.run_id] = {"status": "failed", "error": o.error, "files": {"errors": sha}}
        self.status[o.run_id].update(duration_s=round(o.duration_s, 4), finished=finished)
        if time.monotonic() - self._last_flush > MANIFEST_INTERVAL:
            self.write_manifest(state="running")

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
            "format": 2,
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
            "finished": utc_now() if state == "complete" else None,
            "sessions": [*self.sessions, session] if session else self.sessions,
            "counts": {"total": len(runs), **{k: counts.get(k, 0) for k in ("ok", "failed")}},
            "runs": runs,
        }
        if session and state != "running":
            self.sessions = manifest["sessions"]
        blob = json.dumps(manifest, indent=1, default=str)
        # Two copies, each replaced atomically: if one is damaged later, the other is read.
        for name in (MANIFEST_PREV, MANIFEST):
            atomic_write(self.out / name, lambda tmp: Path(tmp).write_text(blob, "utf-8"))
        self._last_flush = time.monotonic()
