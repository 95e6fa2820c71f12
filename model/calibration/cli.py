"""Sub-commands of ``statecraft`` for calibration and validation.

``statecraft validate [SCENARIO]`` compares a scenario with the targets;
``statecraft sensitivity EXPERIMENT_DIR`` analyses a Morris or Saltelli sweep;
``statecraft calibrate [SCENARIO]`` fits the influential assumptions to the calibration targets.
:func:`add_parsers` adds them to the main parser; each sets ``handler``, which ``statecraft.cli``
calls. Errors are :class:`~statecraft.scenario.ScenarioError` subclasses: the main command prints
them as one line and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..files import check_output_file
from ..scenario import ScenarioError

__all__ = ["add_parsers"]


def _positive(kind):
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a positive number; got {text!r}") from None
        if not v > 0:
            raise argparse.ArgumentTypeError(f"must be > 0; got {text!r}")
        return v

    return parse


def _engine_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=_positive(int),
        default=None,
        help="local worker processes (default: all CPUs; 1 = in this process)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on the Dask cluster at ADDRESS (e.g. tcp://127.0.0.1:8786)",
    )


def add_parsers(sub) -> None:
    """Add ``validate``, ``sensitivity`` and ``calibrate`` to the sub-parsers ``sub``."""
    v = sub.add_parser(
        "validate", help="compare a scenario with the reported targets (Markdown table)"
    )
    v.add_argument("scenario", nargs="?", default="baseline", help="scenario (default: baseline)")
    v.add_argument("--targets", type=Path, default=None, help="targets file (default: shipped)")
    v.add_argument("--seeds", type=_positive(int), default=20, help="replicates (default: 20)")
    v.add_argument("--seed", type=int, default=None, help="root seed (default: the scenario's)")
    v.add_argument("--scale", type=_positive(float), default=None, help="override `scale`")
    v.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    v.add_argument(
        "--readme",
        type=Path,
        default=None,
        metavar="README",
        help="rewrite the baseline table in README (20 seeds) and exit",
    )
    _engine_args(v)
    v.set_defaults(handler=_validate)

    s = sub.add_parser(
        "sensitivity",
        help="Morris or Sobol indices (with CIs) from a stored sweep of a morris/saltelli design",
    )
    s.add_argument("sweep_dir", type=Path, help="sweep output directory (results/sweeps/NAME)")
    s.add_argument("--out", type=Path, default=None, help="also write the report to this file")
    s.add_argument(
        "--top",
        type=_positive(int),
        default=None,
        help=(
            "Morris: how many influential assumptions to keep "
            "(default: the two strongest of each headline answer)"
        ),
    )
    s.add_argument(
        "--write-sobol",
        type=Path,
        default=None,
        metavar="FILE",
        help="Morris: write a Saltelli experiment over the influential assumptions to FILE",
    )
    s.add_argument(
        "--sobol-samples",
        type=_positive(int),
        default=128,
        help="Morris: base samples of the written Saltelli design (a power of two; default 128)",
    )
    s.set_defaults(handler=_sensitivity)

    c = sub.add_parser(
        "calibrate",
        help="fit influential assumptions to the calibration targets (ABC-SMC, pyabc)",
    )
    c.add_argument("scenario", nargs="?", default="baseline", help="scenario (default: baseline)")
    c.add_argument(
        "--config",
        type=Path,
        default=None,
        help="calibration file: parameters, priors, budget (default: shipped calibrate.toml)",
    )
    c.add_argument(
        "--budget",
        type=_positive(int),
        default=None,
        help="override: max candidates (each runs on the file's `seeds` seeds)",
    )
    c.add_argument(
        "--population", type=_positive(int), default=None, help="override: particles per round"
    )
    c.add_argument(
        "--predictive",
        type=_positive(int),
        default=None,
        help="override: posterior draws for the predictive intervals",
    )
    c.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: results/calibration/<scenario>)",
    )
    c.add_argument(
        "--scenario-out",
        type=Path,
        default=None,
        help="calibrated scenario file (default: scenarios/<scenario>_calibrated.toml)",
    )
    _engine_args(c)
    c.set_defaults(handler=_calibrate)


def _validate(args: argparse.Namespace) -> int:
    from .validate import update_readme, validate, validation_table

    for path, flag in ((args.out, "--out"), (args.readme, "--readme")):
        if path is not None:
            check_output_file(path, flag, error=ScenarioError)
    if args.readme is not None:
        changed = update_readme(args.readme, workers=args.workers, scheduler=args.scheduler)
        print(f"{args.readme}: validation table {'updated' if changed else 'already current'}")
        return 0
    result = validate(
        args.scenario,
        targets=args.targets,
        n_seeds=args.seeds,
        root_seed=args.seed,
        scale=args.scale,
        workers=args.workers,
        scheduler=args.scheduler,
    )
    text = validation_table(result)
    sys.stdout.write(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    failed = result.failed_validation
    if failed:
        print(f"statecraft: held-out targets fail: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from .sensitivity import report

    if args.sobol_samples & (args.sobol_samples - 1):
        raise ScenarioError(f"--sobol-samples must be a power of two; got {args.sobol_samples}")
    for path, flag in ((args.out, "--out"), (args.write_sobol, "--write-sobol")):
        if path is not None:
            check_output_file(path, flag, error=ScenarioError)
    text = report(
        args.sweep_dir,
        top=args.top,
        write_sobol=args.write_sobol,
        sobol_samples=args.sobol_samples,
    )
    sys.stdout.write(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from .calibrate import calibrate

    try:
        result = calibrate(
            args.scenario,
            config=args.config,
            budget=args.budget,
            population=args.population,
            predictive=args.predictive,
            out=args.out,
            scenario_out=args.scenario_out,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    except ImportError as err:
        raise ScenarioError(
            f"calibrate needs the calibration extra ({err.name}): "
            "pip install 'statecraft[calibration]'"
        ) from None
    sys.stdout.write(result.report)
    return 0
