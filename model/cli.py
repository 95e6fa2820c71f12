"""The ``statecraft`` command: argument parsing only; every command calls the Python front door.

``statecraft report SWEEP_DIR`` and ``statecraft compare A B ...`` analyse saved results
(:mod:`statecraft.analysis.cli`). Bad input ends with a one-line error on standard error and
exit status 2.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import tomllib
from pathlib import Path
from typing import NoReturn

from . import load_experiment, load_scenario, run_scenario, run_sweep
from .analysis import cli as analysis_cli
from .app import cli as app_cli
from .calibration import cli as calibration_cli
from .checks import DEFAULT_MAX_RUNS, check_run_cost
from .errors import StatecraftError, printable
from .evaluate import check_workers, default_workers
from .experiment import Experiment
from .files import shipped
from .params import Params, parameter_table_markdown
from .run import check_output_folder, run_id_for
from .sweep.store import verify_folder
from .version import __version__

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
  statecraft app                              the interactive browser app (levers, live charts)

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
  statecraft sweep --verify results/sweeps/duplication   (same as `statecraft check`)

EXPERIMENT is a file, or the name of an experiment in ./experiments/ or shipped with
statecraft (`statecraft experiments`). Results stream to the folder as runs finish; running
the same command again resumes an interrupted sweep. Read them with statecraft.load_sweep().
"""


CHECK_EXAMPLES = """\
examples:
  statecraft check results/sweeps/duplication

Checks every stored run file against the SHA-256 recorded in the manifest (and the run id
inside the file). Exit status 0 if everything is intact, 1 if some run files are damaged or
missing (rerun the sweep's command to run those again).
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse's own convention)
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
    _add_max_memory(run)

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
    sweep.add_argument(
        "--verify",
        action="store_true",
        help="only verify the sweep folder given in place of EXPERIMENT (= statecraft check)",
    )
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    sweep.add_argument(
        "--max-runs",
        type=int,
        default=DEFAULT_MAX_RUNS,
        metavar="N",
        help=f"refuse an experiment of more runs (default: {DEFAULT_MAX_RUNS:,})",
    )
    _add_max_memory(sweep)

    check = _sub(
        sub, "check", "verify a sweep folder's stored runs (changes nothing)", CHECK_EXAMPLES
    )
    check.add_argument("folder", type=Path, help="a folder written by `statecraft sweep`")
    analysis_cli.add_parsers(sub)  # report, compare
    calibration_cli.add_parsers(sub)  # validate, sensitivity, calibrate
    app_cli.add_parser(sub)
    return parser


def _add_max_memory(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-memory",
        type=float,
        default=None,
        metavar="GB",
        help="refuse runs estimated to need more memory (default: half of this machine's)",
    )


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return "never" if value is None else str(value)


def _run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise StatecraftError(f"--seed must be an integer in [0, {MAX_SEED}]; got {args.seed}")
    _check_max_memory(args)
    try:
        check_run_cost(scenario.params, args.max_memory)
    except StatecraftError as err:
        raise StatecraftError(f"{scenario.path or scenario.name}: {err}") from None
    seed = args.seed if args.seed is not None else scenario.seed if scenario.seed is not None else 1
    out = args.out or Path("results") / run_id_for(scenario.name, seed)
    check_output_folder(out)  # before the run, not after it
    result = run_scenario(scenario, seed=args.seed)
    seed = int(result.run["seed"].item())
    written = result.write(out, dashboard=not args.no_dashboard)
    print(printable(f"scenario {scenario.name} (seed {seed}): {scenario.description}"))
    summary = result.summary()
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key:<{width}}  {_fmt(value)}")
    print(printable(f"wrote {len(written)} files to {out}/"))
    return 0


def _check_max_memory(args: argparse.Namespace) -> None:
    if args.max_memory is not None and not (0 < args.max_memory < math.inf):
        raise StatecraftError(f"--max-memory must be a number of GB above 0; got {args.max_memory}")


def _list(folder: str) -> int:
    for name, path in shipped(folder).items():
        description = tomllib.loads(path.read_text(encoding="utf-8")).get("description", "")
        print(f"{name:<20} {description}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    if args.verify:
        return _check(argparse.Namespace(folder=Path(args.out or args.experiment)))
    if args.max_runs < 1:
        raise StatecraftError(f"--max-runs must be an integer >= 1; got {args.max_runs}")
    _check_max_memory(args)
    exp = load_experiment(args.experiment, max_runs=args.max_runs)
    # A batch system ends a job with SIGTERM: stop as cleanly as on Ctrl-C (results on disk are
    # kept, the manifest says "interrupted", and rerunning the command resumes).
    signal.signal(signal.SIGTERM, _terminate)
    if args.workers is not None:
        check_workers(args.workers)
    if not args.scheduler:
        # The largest design point decides; its factors are within the declared bounds.
        copies = min(args.workers or default_workers(), exp.size)
        try:
            check_run_cost(_largest(exp), args.max_memory, copies=copies)
        except StatecraftError as err:
            raise StatecraftError(f"{exp.path}: {err}") from None
    out = args.out or Path("results") / "sweeps" / exp.name
    s = run_sweep(
        exp,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        force=args.force,
        retry_failed=args.retry_failed,
        progress=not args.no_progress,
        max_runs=args.max_runs,
    )
    for note in s.notes:
        print(printable(f"statecraft: {out}: {note}"), file=sys.stderr)
    print(
        printable(
            f"sweep {exp.name}: {s.total} runs ({s.skipped} already stored, {s.ran} run now, "
            f"{s.failed} failed) in {s.elapsed_s:.1f} s; results in {out}/"
        )
    )
    if s.failed:
        print(
            printable(
                f"statecraft: {s.failed} runs failed (their errors are in {out}/errors/; "
                "--retry-failed runs them again)"
            ),
            file=sys.stderr,
        )
        return 1
    return 0


def _largest(exp: Experiment) -> Params:
    """Parameters of the experiment's most expensive run (size knobs at their maximum)."""
    base = dict(exp.base)
    for f in exp.factors:
        if f.name in ("scale", "initial_startups", "entry_rate"):
            base[f.name] = f.cast(f.high)
    return Params(**base)


def _check(args: argparse.Namespace) -> int:
    report = verify_folder(args.folder)
    for line in report.lines():
        print(printable(line))
    return 0 if report.intact else 1


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``statecraft`` console script."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "params":
            sys.stdout.write(parameter_table_markdown())
            return 0
        if args.command in ("scenarios", "experiments"):
            return _list(args.command)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "check":
            return _check(args)
        status = analysis_cli.handle(args)
        if status is not None:
            return status
        if hasattr(args, "handler"):  # commands defined by statecraft.calibration.cli
            return args.handler(args)
        if args.command == "app":
            return app_cli.run(args)
        return _run(args)
    except StatecraftError as err:
        return _error(str(err))
    except BrokenPipeError:
        # The reader went away (`statecraft params | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        where = err.filename or getattr(args, "out", None) or ""
        return _error(f"{where}: {err.strerror or err}")
    except MemoryError:
        return _error("out of memory; lower scale, or fewer --workers")
    except KeyboardInterrupt:
        print("statecraft: interrupted", file=sys.stderr)
        return 130


def _error(message: str) -> int:
    print(f"statecraft: error: {printable(message)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
