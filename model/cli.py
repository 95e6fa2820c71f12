"""The ``statecraft`` command.

``statecraft run SCENARIO [--seed N] [--out DIR]`` runs one scenario and writes its outputs;
``statecraft sweep EXPERIMENT [--out DIR]`` runs an experiment file's sweep (resuming one that
was interrupted); ``statecraft params`` prints the parameter table. Bad input ends with a
one-line error on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from pathlib import Path

from .params import parameter_table_markdown

__all__ = ["main"]

DEFAULT_SEED = 1
MAX_SEED = 2**63 - 1  # seeds are stored as int64 in the output tables


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own convention)
        self.exit(2, f"statecraft: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="statecraft", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run one scenario file and write its outputs")
    run.add_argument("scenario", help="scenario file, or a name in scenarios/ (e.g. baseline)")
    run.add_argument(
        "--seed",
        type=int,
        default=None,
        help=f"random seed (default: the file's `seed`, else {DEFAULT_SEED})",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: results/<scenario>-s<seed>)",
    )
    run.add_argument("--no-dashboard", action="store_true", help="skip the PNG dashboard")
    sub.add_parser("params", help="print the parameter table (Markdown)")
    sweep = sub.add_parser("sweep", help="run an experiment file's sweep; resumes if interrupted")
    sweep.add_argument("experiment", help="experiment file, or a name in experiments/")
    sweep.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: results/sweeps/<experiment>)",
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
        help="accept a DIR holding a changed experiment's results "
        "(unchanged runs are kept, the rest discarded)",
    )
    sweep.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    from .calibration.cli import add_parsers  # validate, sensitivity, calibrate

    add_parsers(sub)
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
    from .run import run_id_for, simulate, write_outputs
    from .scenario import load_scenario
    from .summary import summarize

    scenario = load_scenario(args.scenario)
    seed = args.seed if args.seed is not None else scenario.seed
    if seed is None:
        seed = DEFAULT_SEED
    if not 0 <= seed <= MAX_SEED:
        raise _UsageError(f"--seed must be an integer in [0, {MAX_SEED}]; got {seed}")
    out = args.out or Path("results") / run_id_for(scenario.name, seed)
    result = simulate(scenario.params, seed=seed, scenario=scenario.name)
    written = write_outputs(result, out, dashboard=not args.no_dashboard)
    summary = summarize(
        result.timeseries, result.niches, result.champions, scenario.params.paradigm_shift_date
    )
    print(f"scenario {scenario.name} (seed {seed}): {scenario.description}")
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key:<{width}}  {_fmt(value)}")
    print(f"wrote {len(written)} files to {out}/")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from .experiment import load_experiment
    from .sweep import run_sweep

    exp = load_experiment(args.experiment)
    out = args.out or Path("results") / "sweeps" / exp.name
    # A batch system ends a job with SIGTERM: stop as cleanly as on Ctrl-C (results on disk are
    # kept, the manifest says "interrupted", and rerunning the command resumes).
    signal.signal(signal.SIGTERM, _terminate)
    if args.workers is not None and args.workers < 1:
        raise _UsageError(f"--workers must be an integer >= 1; got {args.workers}")
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


class _UsageError(Exception):
    pass


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``statecraft`` console script."""
    from .scenario import ScenarioError

    args = _build_parser().parse_args(argv)
    try:
        if args.command == "params":
            sys.stdout.write(parameter_table_markdown())
            return 0
        if args.command == "sweep":
            return _sweep(args)
        if hasattr(args, "handler"):  # commands defined by statecraft.calibration.cli
            return args.handler(args)
        return _run(args)
    except (ScenarioError, _UsageError) as err:
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
