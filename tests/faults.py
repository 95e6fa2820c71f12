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


def die_mid_send_once(task: RunTask) -> Outcome:
    """Like :func:`kill_some`, but the killer dies half-way through sending a result, once.

    The worker takes the lock of the pool's result pipe, writes the header of a long message
    and a few bytes of it, and kills itself: the pool's manager thread then waits for the rest
    of that message for ever (an external SIGKILL at the wrong moment does the same). The run
    dies only the first time: ``task.experiment`` names a marker file it creates.
    """
    import gc
    import struct
    from multiprocessing.queues import Queue, SimpleQueue
    from pathlib import Path

    marker = Path(task.experiment)
    if task.run_id in KILLERS and not marker.exists():
        marker.touch()
        pipe = next(
            o for o in gc.get_objects() if isinstance(o, SimpleQueue) and not isinstance(o, Queue)
        )
        pipe._wlock.acquire()
        pipe._writer._send(struct.pack("!i", 1_000_000) + b"\x80\x04")
        os.kill(os.getpid(), signal.SIGKILL)
    return execute(task)
