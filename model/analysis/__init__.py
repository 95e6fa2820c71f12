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

from importlib import import_module

#: Public name -> submodule. Loaded on first use, so ``statecraft params`` does not pay for
#: matplotlib and scipy.
_WHERE = {
    "KEY_METRICS": "catalog",
    "Metric": "catalog",
    "describe_metric": "catalog",
    "key_metrics": "catalog",
    "Comparison": "compare",
    "compare": "compare",
    "compare_frames": "compare",
    "write_comparison": "compare",
    "Discovery": "discovery",
    "discover": "discovery",
    "parse_outcome": "discovery",
    "SweepAnalysis": "report",
    "analyse": "report",
    "build_document": "report",
    "write_report": "report",
    "AnalysisError": "sources",
    "Source": "sources",
    "open_run": "sources",
    "open_source": "sources",
    "open_sweep": "sources",
    "run_scenario": "sources",
    "bootstrap_mean_ci": "stats",
    "difference": "stats",
    "summarize": "stats",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


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
