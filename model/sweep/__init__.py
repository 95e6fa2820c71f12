"""Sweeps: run an experiment's runs in parallel, store results as they finish, resume after a
crash, and read them back.

- :mod:`.runner` — :func:`run_sweep`, the loop that feeds the experiment's missing runs to an
  evaluator (:mod:`statecraft.evaluate`: inline, local process pool or Dask) and stores their
  outcomes;
- :mod:`.store` — the sweep folder (lock, manifest, atomic files, resume, verification of every
  run file; its layout is documented there and in the README), :func:`verify_folder`;
- :mod:`.results` — :func:`load` into tidy tables, :func:`sobol_indices`.

:class:`RunTask`, :class:`Outcome`, :func:`execute` and :func:`local_cluster` live in
:mod:`statecraft.evaluate` and are re-exported here.
"""

from ..errors import SweepError
from ..evaluate import Outcome, RunTask, execute, local_cluster
from .results import SweepResults, load, sobol_indices
from .runner import SweepSummary, default_workers, run_sweep
from .store import MANIFEST, FolderReport, git_commit, model_code_digest, verify_folder

__all__ = [
    "MANIFEST",
    "FolderReport",
    "Outcome",
    "RunTask",
    "SweepError",
    "SweepResults",
    "SweepSummary",
    "default_workers",
    "execute",
    "git_commit",
    "load",
    "local_cluster",
    "model_code_digest",
    "run_sweep",
    "sobol_indices",
    "verify_folder",
]
