"""``statecraft app``: start the browser app on this machine (parser and launcher).

The page runs in a ``solara run`` child process, started with the settings that keep it offline:
no telemetry, no version check, no solara.dev check frame (``--production``), and every
JavaScript and CSS file served from the ``solara-assets`` package through the server's own
``/_solara/cdn/`` route. A file missing from that package is then looked up at an address on
this machine that refuses at once, so it fails loudly instead of reaching the internet.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..errors import StatecraftError

__all__ = [
    "ENV_SCENARIO",
    "ENV_SEED",
    "OFFLINE_ENV",
    "add_parser",
    "launch",
    "run",
    "solara_command",
]

#: Environment variables through which the launcher hands the scenario and seed to the page.
ENV_SCENARIO = "STATECRAFT_APP_SCENARIO"
ENV_SEED = "STATECRAFT_APP_SEED"

EXAMPLES = """\
examples:
  statecraft app                          the baseline scenario at http://127.0.0.1:8765/
  statecraft app export_cutoff            start from a shipped scenario
  statecraft app my_case.toml --port 9000 your own scenario file, another port

Open the printed address in a browser. Each browser tab gets its own run. Ctrl-C stops the app.
Needs the optional dependencies: pip install "statecraft[app]".
"""

OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    # the browser loads the front end from this server, which reads the solara-assets files
    "SOLARA_ASSETS_PROXY": "True",
    # a file missing there would be fetched from a CDN: point at a closed local port instead
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
}
APP = "statecraft.app.app:Page"
STARTUP_TIMEOUT_S = 600.0  # a loaded machine took ~110 s to start the server
NEEDED = ("solara", "solara_assets", "mesa.visualization", "ipyvuetify")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``app`` subcommand to the ``statecraft`` parser."""
    p = sub.add_parser(
        "app",
        help="start the interactive browser app",
        description="Start the interactive browser app (levers, live charts, ecosystem view).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default="baseline",
        help="scenario file, or a scenario name (default: baseline)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default: 8765)")
    p.add_argument("--seed", type=int, default=None, help="seed (default: the file's, else 1)")
    return p


def _check_installed() -> None:
    missing = [m for m in NEEDED if _find(m) is None]
    if missing:
        raise StatecraftError(
            f"the app needs its optional dependencies ({', '.join(missing)} missing): "
            'pip install "statecraft[app]"'
        )


def _find(module: str):
    try:
        return importlib.util.find_spec(module)
    except ModuleNotFoundError:  # the parent package is missing
        return None


def solara_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line of the app."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",  # no solara.dev check frame, no auto-restart
        "--no-open",
        "--no-check-version",  # no PyPI request at start-up
        "--log-level",
        "warning",
    ]


def launch(
    scenario: str, host: str = "127.0.0.1", port: int = 8765, seed: int | None = None, **popen
) -> subprocess.Popen:
    """Start the app's server process (does not wait for it to listen).

    Parameters
    ----------
    scenario : str
        A shipped scenario's name or a scenario file (made absolute here).
    host, port : str, int
        Where the server listens.
    seed : int, optional
        Seed of every session's first run.
    **popen
        Passed to :class:`subprocess.Popen` (``stdout``, ``stderr``, ``env`` additions as
        ``extra_env``).
    """
    path = Path(scenario)
    if path.suffix == ".toml" or path.exists():
        scenario = str(path.resolve())
    env = {**os.environ, **OFFLINE_ENV, ENV_SCENARIO: scenario, **popen.pop("extra_env", {})}
    env.pop(ENV_SEED, None)
    if seed is not None:
        env[ENV_SEED] = str(seed)
    return subprocess.Popen(solara_command(host, port), env=env, **popen)


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_listening(host: str, port: int, proc: subprocess.Popen, timeout: float) -> None:
    """Return when ``host:port`` accepts connections; raise if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StatecraftError(f"the app's server stopped at start-up (exit {proc.returncode})")
        try:
            with socket.create_connection((target, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise StatecraftError(f"the app's server did not listen on {host}:{port} within {timeout:g} s")


def run(args: argparse.Namespace) -> int:
    """Handle ``statecraft app``: check, start the server, print its address, wait."""
    from .. import load_scenario

    if not 1 <= args.port <= 65535:
        raise StatecraftError(f"--port must be an integer in [1, 65535]; got {args.port}")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise StatecraftError(f"--seed must be an integer in [0, 2^63); got {args.seed}")
    _check_installed()
    scenario = load_scenario(args.scenario)  # a bad file is refused here, in one line
    if not _port_free(args.host, args.port):
        raise StatecraftError(
            f"cannot listen on {args.host}:{args.port} (in use, or not an address of this "
            "machine); choose another with --port or --host"
        )
    # solara's own "starting at" line comes before it listens: print ours when it does
    proc = launch(args.scenario, args.host, args.port, args.seed, stdout=subprocess.DEVNULL)

    def stop(signum: int, frame: object) -> None:  # pass SIGTERM on: no orphaned server
        proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        wait_listening(args.host, args.port, proc, STARTUP_TIMEOUT_S)
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
        print(
            f"statecraft app: {scenario.name} at http://{shown}:{args.port}/ (Ctrl-C to stop)",
            flush=True,
        )
        code = proc.wait()
        # stopped by us (SIGTERM passed on) or by Ctrl-C: a normal end
        return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code
    except BaseException:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
