"""The ``statecraft`` command: argument parsing only; every command calls the Python front door.

Bad input ends with a one-line error on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from pathlib import Path

from . import __version__
from .errors import StatecraftError

__all__ = ["main"]

MAX_SEED = 2**63 - 1  # seeds are stored as int64 in the output tables

DESCRIPTION = """\
statecraft: an agent-based simulation of state-led AI investment (chip supply, duplicated
local funding, the capability gap to the US frontier, wasted money, national champions).

examples:
  statecraft run baseline                     run a shipped scenario, write results/baseline-s1/
  statecraft run my_case.toml --seed 7        run your own scenario file
  statecraft scenarios                        list the shipped scenarios
  statecraft sweep duplication --workers 2    run a shipped experiment's sweep (resumable)
  statecraft params | less                    every parameter: default, unit, bounds, source

`statecraft COMMAND --help` shows each command's options and examples.
"""

RUN_EXAMPLES = """\
examples:
  statecraft run baseline
  statecraft run export_cutoff --seed 3 --out results/cutoff
  statecraft run scenarios/my_case.toml --no-dashboard

SCENARIO is a file, or the name of a scenario in ./scenarios/ or shipped with statecraft
(`statecraft scenarios`). Writes timeseries, niches, champions and run tables (Parquet and CSV)
and dashboard.png, then prints the headline numbers.
"""

SWEEP_EXAMPLES = """\
examples:
  statecraft sweep duplication
  statecraft sweep chip_supply --workers 2 --out results/chips
  statecraft sweep my_experiment.toml --scheduler tcp://127.0.0.1:8786

EXPERIMENT is a file, or the name of an experiment in ./experiments/ or shipped with
statecraft (`statecraft experiments`). Results stream to the folder as runs finish; running
the same command again resumes an interrupted sweep. Read them with statecraft.load_sweep().
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own convention)
        self.exit(2, f"statecraft: error: {message}\n")


def _sub(sub, name: str, help: str, epilog: str | None = None) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="statecraft",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"statecraft {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = _sub(sub, "run", "run one scenario and write its outputs", RUN_EXAMPLES)
    run.add_argument("scenario", help="scenario file, or a scenario name (e.g. baseline)")
    run.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the file's `seed`, else 1)"
    )
    run.add_argument(
        "--out", type=Path, default=None, help="output folder (default: results/<scenario>-s<seed>)"
    )
    run.add_argument("--no-dashboard", action="store_true", help="skip the PNG dashboard")

    _sub(
        sub,
        "params",
        "print the parameter table (Markdown)",
        "examples:\n  statecraft params\n  statecraft params > params.md\n",
    )
    _sub(sub, "scenarios", "list the shipped scenarios", "example:\n  statecraft scenarios\n")
    _sub(sub, "experiments", "list the shipped experiments", "example:\n  statecraft experiments\n")

    sweep = _sub(sub, "sweep", "run an experiment's sweep; resumes if interrupted", SWEEP_EXAMPLES)
    sweep.add_argument("experiment", help="experiment file, or an experiment name")
    sweep.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: results/sweeps/<experiment>)",
    )
    sweep.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local worker processes (default: all CPUs; 1 = in this process)",
    )
    sweep.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on the Dask cluster at ADDRESS (e.g. tcp://127.0.0.1:8786)",
    )
    sweep.add_argument(
        "--force",
        action="store_true",
        help="accept a folder holding a changed experiment's results "
        "(unchanged runs are kept, the rest discarded)",
    )
    sweep.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return "never" if value is None else str(value)


def _run(args: argparse.Namespace) -> int:
    from . import load_scenario, run_scenario
    from .run import run_id_for

    scenario = load_scenario(args.scenario)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise StatecraftError(f"--seed must be an integer in [0, {MAX_SEED}]; got {args.seed}")
    result = run_scenario(scenario, seed=args.seed)
    seed = int(result.run["seed"].item())
    out = args.out or Path("results") / run_id_for(scenario.name, seed)
    written = result.write(out, dashboard=not args.no_dashboard)
    print(f"scenario {scenario.name} (seed {seed}): {scenario.description}")
    summary = result.summary()
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key:<{width}}  {_fmt(value)}")
    print(f"wrote {len(written)} files to {out}/")
    return 0


def _list(folder: str) -> int:
    import tomllib

    from .files import shipped

    for name, path in shipped(folder).items():
        description = tomllib.loads(path.read_text(encoding="utf-8")).get("description", "")
        print(f"{name:<20} {description}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from . import load_experiment, run_sweep

    exp = load_experiment(args.experiment)
    # A batch system ends a job with SIGTERM: stop as cleanly as on Ctrl-C (results on disk are
    # kept, the manifest says "interrupted", and rerunning the command resumes).
    signal.signal(signal.SIGTERM, _terminate)
    if args.workers is not None and args.workers < 1:
        raise StatecraftError(f"--workers must be an integer >= 1; got {args.workers}")
    out = args.out or Path("results") / "sweeps" / exp.name
    s = run_sweep(
        exp,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        force=args.force,
        retry_failed=args.retry_failed,
        progress=not args.no_progress,
    )
    print(
        f"sweep {exp.name}: {s.total} runs ({s.skipped} already stored, {s.ran} run now, "
        f"{s.failed} failed) in {s.elapsed_s:.1f} s; results in {out}/"
    )
    return 0


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``statecraft`` console script."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "params":
            from .params import parameter_table_markdown

            sys.stdout.write(parameter_table_markdown())
            return 0
        if args.command in ("scenarios", "experiments"):
            return _list(args.command)
        if args.command == "sweep":
            return _sweep(args)
        return _run(args)
    except StatecraftError as err:
        print(f"statecraft: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`statecraft params | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        print(f"statecraft: error: {err.filename or ''}: {err.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("statecraft: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
