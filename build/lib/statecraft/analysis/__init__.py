"""Analysis of saved results: sweep reports, comparisons, scenario discovery.

The Python API returns the same tables the commands write, as tidy DataFrames::

    from statecraft.analysis import analyse, compare

    a = analyse("results/sweeps/chip_x_duplication")  # statecraft report
    a.points        # per design point and metric: mean, median, intervals
    a.main_effects  # grid and LHS designs
    a.sobol         # Saltelli designs: indices with bootstrap intervals

    c = compare(["baseline", "export_cutoff"], replicates=10)  # statecraft compare
    c.table         # per source and metric: statistics and differences from the first
    c.sentences     # one plain-language line per metric

Scenario discovery (:func:`discover`, ``statecraft report --outcome``) needs the optional
``analysis`` extra (the EMA Workbench).
"""

# Importing this package is cheap: matplotlib and scipy load when a figure or a test is needed.
from .catalog import KEY_METRICS, Metric, describe_metric, key_metrics
from .compare import Comparison, compare, compare_frames, write_comparison
from .discovery import Discovery, discover, parse_outcome
from .report import SweepAnalysis, analyse, build_document, write_report
from .sources import AnalysisError, Source, open_run, open_source, open_sweep, run_scenario
from .stats import bootstrap_mean_ci, difference, summarize

__all__ = [
    "KEY_METRICS",
    "AnalysisError",
    "Comparison",
    "Discovery",
    "Metric",
    "Source",
    "SweepAnalysis",
    "analyse",
    "bootstrap_mean_ci",
    "build_document",
    "compare",
    "compare_frames",
    "describe_metric",
    "difference",
    "discover",
    "key_metrics",
    "open_run",
    "open_source",
    "open_sweep",
    "parse_outcome",
    "run_scenario",
    "summarize",
    "write_comparison",
    "write_report",
]
