"""Arguments and handlers of ``statecraft report`` and ``statecraft compare``.

:func:`add_parsers` adds both commands to the ``statecraft`` parser; each handler returns the
exit status. Bad input (:class:`~statecraft.analysis.sources.AnalysisError`) is reported by the
main command as a one-line error with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .document import check_report_folder
from .sources import AnalysisError

__all__ = ["add_parsers", "compare_command", "report_command"]


def _metrics(text: str | None) -> list[str] | None:
    return [m.strip() for m in text.split(",") if m.strip()] if text else None


def _level(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1); got {text!r}") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1); got {text!r}")
    return v


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1; got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1; got {text!r}")
    return v


def add_parsers(sub) -> None:
    """Add ``report`` and ``compare`` to the subcommands ``sub`` of the main parser."""
    rep = sub.add_parser(
        "report", help="turn a sweep folder into a report (HTML, Markdown, tables, figures)"
    )
    rep.add_argument("sweep", type=Path, help="sweep folder written by `statecraft sweep`")
    rep.add_argument("--out", type=Path, default=None, help="report folder (default: SWEEP/report)")
    rep.add_argument(
        "--metrics", default=None, help="comma-separated metrics (default: the key metrics)"
    )
    rep.add_argument(
        "--heatmap",
        nargs=2,
        metavar=("X", "Y"),
        default=None,
        help="factors on the heatmaps' axes (default: the first two)",
    )
    rep.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="'METRIC OP VALUE'",
        help="scenario discovery (PRIM) for runs where e.g. 'capability_gap_months <= 12'; "
        "repeatable; needs the [analysis] extra",
    )
    rep.add_argument("--level", type=_level, default=0.9, help="interval coverage (default 0.9)")

    cmp = sub.add_parser(
        "compare",
        help="compare runs, scenarios or sweeps side by side (the first is the reference)",
    )
    cmp.add_argument(
        "sources",
        nargs="+",
        help="sweep folders, run folders, or scenario files/names (run with --replicates seeds)",
    )
    cmp.add_argument(
        "--metrics", default=None, help="comma-separated metrics (default: the key metrics)"
    )
    cmp.add_argument(
        "--replicates",
        type=_positive,
        default=10,
        help="seeds per scenario run on the fly (default 10)",
    )
    cmp.add_argument(
        "--out", type=Path, default=None, help="also write a report folder (HTML, tables)"
    )
    cmp.add_argument("--level", type=_level, default=0.9, help="interval coverage (default 0.9)")


def report_command(args: argparse.Namespace) -> int:
    """``statecraft report``."""
    from .report import write_report

    out, a = write_report(
        args.sweep,
        args.out,
        _metrics(args.metrics),
        heatmap=tuple(args.heatmap) if args.heatmap else None,
        outcomes=args.outcome,
        level=args.level,
    )
    for note in a.notes:
        print(f"note: {note}", file=sys.stderr)
    n = len(a.source.final)
    print(f"report of {a.source.name} ({n} runs, {len(a.metrics)} metrics): {out}/report.html")
    return 0


def compare_command(args: argparse.Namespace) -> int:
    """``statecraft compare``."""
    from .compare import build_document, compare, side_by_side

    if len(args.sources) < 2:
        raise AnalysisError(f"compare needs at least two sources; got {len(args.sources)}")
    if args.out is not None:
        check_report_folder(args.out)  # before the runs, not after them
    c = compare(args.sources, _metrics(args.metrics), replicates=args.replicates, level=args.level)
    doc = build_document(c)
    for s in c.sources:
        for note in s.notes:
            print(f"note: {s.name}: {note}", file=sys.stderr)
    for d in c.differs:
        print(f"note: {d}", file=sys.stderr)
    print("\n".join(c.sentences))
    table = side_by_side(c)
    if not table.empty:
        print()
        print(table.to_string(index=False))
    if args.out is not None:
        doc.write(args.out)
        print(f"\nwrote {args.out}/report.html")
    return 0


def handle(args: argparse.Namespace) -> int | None:
    """Run ``args.command`` if it is one of ours; None otherwise. AnalysisError becomes a
    one-line message and exit status 2."""
    handlers = {"report": report_command, "compare": compare_command}
    if args.command not in handlers:
        return None
    try:
        return handlers[args.command](args)
    except AnalysisError as err:
        print(f"statecraft: error: {err}", file=sys.stderr)
        return 2
