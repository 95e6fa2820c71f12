"""Child processes in tests: wait for them to be ready, never for a fixed time; always stop them.

A test that sleeps a fixed time, or asserts how long something took, passes on a quiet machine and
fails on a shared one (a CI runner at load 10 on 2 cores is several times slower). Tests here poll
a condition instead, with one generous limit, :data:`TIMEOUT_S`, that only a real hang reaches.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

__all__ = ["TIMEOUT_S", "die_with_parent", "free_port", "stop_process", "wait_until"]

#: Seconds any single wait may take before the test fails (``STATECRAFT_TEST_TIMEOUT`` overrides).
#: Reached only when something hangs: a quiet machine needs a few seconds for the longest wait
#: (the app's server starting), a heavily loaded one a few minutes.
TIMEOUT_S = float(os.environ.get("STATECRAFT_TEST_TIMEOUT", "600"))

#: How often :func:`wait_until` looks again; a poll interval, not a wait for something to happen.
POLL_S = 0.05


def wait_until(predicate: Callable[[], object], what: str, timeout: float = TIMEOUT_S) -> None:
    """Return as soon as ``predicate()`` is true; fail the test after ``timeout`` seconds.

    ``what`` completes the failure message "timed out after N s waiting until ...".
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(POLL_S)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now (and so refuses connections)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = TIMEOUT_S) -> None:
    """Stop ``proc`` with SIGTERM, wait for it to end, and SIGKILL it only if it will not.

    SIGTERM first, and a generous wait: a server run under coverage's subprocess patch writes its
    coverage data when it gets SIGTERM (``sigterm = true`` in pyproject.toml); a SIGKILL after a
    short wait on a loaded machine loses that data and the suite's coverage drops.
    """
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def die_with_parent() -> None:
    """``preexec_fn`` for servers: SIGTERM the child when the test process dies (Linux).

    A fixture's teardown stops a server when a test fails, but not when pytest itself is killed
    (a CI job's time limit, Ctrl-C twice); the kernel then sends the server SIGTERM.
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1
_PRCTL = None
if sys.platform == "linux":  # looked up here, never in the forked child (no locks taken there)
    import ctypes

    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
