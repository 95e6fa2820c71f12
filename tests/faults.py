"""Fault injection for the sweep tests and drills: task functions that kill their worker.

Workers import this module by name (it is a module of the ``tests`` package), so the
functions must live at module level. Give one to an evaluator as its ``fn``
(``LocalEvaluator(2, fn=faults.kill_some)``).
"""

from __future__ import annotations

import os
import signal

from statecraft.evaluate import Outcome, RunTask, execute

#: Runs whose worker process is killed (SIGKILL) every time it starts them: a sweep's run
#: ``p00001-r000``, and the second run of a ``run_many`` call (``r00001``).
KILLERS = frozenset({"p00001-r000", "r00001"})


def kill_some(task: RunTask) -> Outcome:
    """Run ``task``, except that runs in :data:`KILLERS` kill their own worker process."""
    if task.run_id in KILLERS:
        os.kill(os.getpid(), signal.SIGKILL)
    return execute(task)
