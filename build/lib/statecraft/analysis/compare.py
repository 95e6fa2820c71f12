"""``statecraft compare``: runs, scenarios or sweeps side by side, on the same metrics.

:func:`compare_frames` is the statistics on plain tables (one row per run, a ``source`` column);
:func:`compare` opens what it is given (:func:`~statecraft.analysis.sources.open_source`), checks
that the results can be compared at all (same horizon, same model code, same metrics, for sweeps
the same design), and returns a :class:`Comparison`: a tidy table, one sentence per metric, and
monthly bands when time series exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .catalog import describe_metric, key_metrics
from .document import Document, fmt
from .report import bands_table
from .sources import AnalysisError, Source, open_source
from .stats import DEFAULT_LEVEL, N_RESAMPLES, difference, summarize

__all__ = ["Comparison", "compare", "compare_frames", "sentence", "write_comparison"]

DIFF_COLUMNS = ("difference", "difference_low", "difference_high", "cohens_d", "p_value")


def compare_frames(
    frame: pd.DataFrame,
    metrics: Sequence[str],
    by: Sequence[str] = (),
    level: float = DEFAULT_LEVEL,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """Statistics of each source and its difference from the first source, tidy.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per run: ``source`` (the first source seen is the reference), the ``by``
        columns, the metric columns.
    metrics : list of str
    by : list of str
        Columns matching runs across sources (a sweep's factors); empty for whole sources.
    level : float, default=0.9
    n_resamples : int, default=2000
    seed : int, default=0

    Returns
    -------
    pandas.DataFrame
        One row per source, ``by`` group and metric: ``source, *by, metric``, the columns of
        :func:`~statecraft.analysis.stats.summarize`, and ``difference`` (mean minus the
        reference's mean), ``difference_low/high`` (Welch's ``level`` interval), ``cohens_d``,
        ``p_value`` (Welch's t-test); NaN on the reference's rows.
    """
    names = list(dict.fromkeys(frame["source"]))
    by = list(by)
    stats = summarize(frame, ["source", *by], metrics, level, n_resamples, seed)
    stats["source"] = pd.Categorical(stats["source"], categories=names, ordered=True)
    diffs = []
    ref = names[0]
    groups = dict(tuple(frame.groupby(["source", *by], sort=False)))
    for key, alt in groups.items():
        key = key if isinstance(key, tuple) else (key,)
        if key[0] == ref:
            continue
        base = groups.get((ref, *key[1:]))
        for m in metrics:
            d = difference(
                base[m].to_numpy() if base is not None else np.array([]), alt[m].to_numpy(), level
            )
            diffs.append(
                {"source": key[0], **dict(zip(by, key[1:], strict=True)), "metric": m, **d}
            )
    out = stats
    if diffs:
        d = pd.DataFrame(diffs)
        d["source"] = pd.Categorical(d["source"], categories=names, ordered=True)
        out = stats.merge(d, on=["source", *by, "metric"], how="left")
    else:
        for c in DIFF_COLUMNS:
            out[c] = np.nan
    order = {m: i for i, m in enumerate(metrics)}
    out = out.sort_values(
        ["metric", *by, "source"], key=lambda s: s.map(order) if s.name == "metric" else s
    )
    out["source"] = out["source"].astype(str)
    return out.reset_index(drop=True)


def _amount(value: float, unit: str) -> str:
    if unit == "US$ bn":
        return f"US$ {fmt(value)} bn"
    if unit in ("", "share", "index"):
        return fmt(value)
    return f"{fmt(value)} {unit}"


def sentence(
    metric: str,
    reference: str,
    alternative: str,
    row_ref: Mapping[str, float],
    row_alt: Mapping[str, float],
    when: str,
    level: float = DEFAULT_LEVEL,
) -> str:
    """One plain-language line comparing an alternative's mean of ``metric`` with the reference's.

    Examples
    --------
    "export_cutoff widens the gap to US frontier in Dec 2030 from 17.5 to 21.6 months
    (difference 4.1, 90 % interval 2.8–5.4)."
    """
    m = describe_metric(metric)
    a, b = row_ref["mean"], row_alt["mean"]
    d, lo, hi = row_alt["difference"], row_alt["difference_low"], row_alt["difference_high"]
    pct = f"{level:.0%}".replace("%", " %")
    what = f"the {m.label} in {when}"
    if np.isnan(a) or np.isnan(b):
        return f"{alternative}: {what} is undefined in some runs (no value to compare)."
    unit = "" if m.unit in ("share", "index") else m.unit
    if np.isnan(lo):
        why = "one run or none on a side" if min(row_ref["n"], row_alt["n"]) < 2 else "no spread"
        return (
            f"{alternative} {m.up if d > 0 else m.down} {what} from {_amount(a, unit)} to "
            f"{_amount(b, unit)} (difference {fmt(d)}; no interval: {why})."
        )
    if lo == hi:
        return (
            f"{alternative} {'leaves' if d == 0 else m.up if d > 0 else m.down} {what} "
            f"{'at' if d == 0 else 'from'} {_amount(a, unit)}"
            + ("" if d == 0 else f" to {_amount(b, unit)}")
            + " (no variation across replicates)."
        )
    interval = f"{pct} interval {fmt(lo)} to {fmt(hi)}"
    if lo <= 0 <= hi:
        return (
            f"{alternative} leaves {what} about unchanged: {_amount(b, unit)} against "
            f"{_amount(a, unit)} (difference {fmt(d)}, {interval}: within the noise)."
        )
    verb = m.up if d > 0 else m.down
    return (
        f"{alternative} {verb} {what} from {_amount(a, unit)} to {_amount(b, unit)} "
        f"(difference {fmt(d)}, {interval})."
    )


@dataclass
class Comparison:
    """Everything :func:`compare` found.

    Attributes
    ----------
    sources : list of Source
        The first is the reference.
    metrics : list of str
    table : pandas.DataFrame
        Tidy statistics and differences (see :func:`compare_frames`); for sweeps one row per
        design point (factor values), source and metric.
    summary : pandas.DataFrame
        For sweeps: per alternative and metric, the mean difference over design points, its
        range, and at how many points the interval excludes zero. Empty otherwise.
    sentences : list of str
        One line per metric and alternative.
    bands : pandas.DataFrame
        Monthly median and interval per source (empty unless every source has time series).
    differs : list of str
        What differs between the sources besides what they are (base scenarios, metric sets).
    """

    sources: list[Source]
    metrics: list[str]
    level: float
    table: pd.DataFrame
    summary: pd.DataFrame
    sentences: list[str]
    bands: pd.DataFrame
    differs: list[str] = field(default_factory=list)

    @property
    def by(self) -> list[str]:
        return list(self.sources[0].factors) if self.sources[0].kind == "sweep" else []


def _unique_names(sources: list[Source]) -> None:
    seen: dict[str, int] = {}
    for s in sources:
        seen[s.name] = seen.get(s.name, 0) + 1
    for s in sources:
        if seen[s.name] > 1:
            s.name = str(s.path) if s.path else f"{s.name} ({s.kind})"


def check_comparable(sources: list[Source], metrics: Sequence[str] | None) -> tuple[list, list]:
    """Refuse sources that cannot be compared; return the metrics and what differs.

    Raises
    ------
    AnalysisError
        Different horizons, model code, design (sweeps), a sweep against a run or scenario, a
        metric some source lacks, or no metric in common.
    """
    first = sources[0]
    kinds = {s.kind == "sweep" for s in sources}
    if len(kinds) > 1:
        sweep = next(s for s in sources if s.kind == "sweep")
        other = next(s for s in sources if s.kind != "sweep")
        raise AnalysisError(
            f"cannot compare sweep '{sweep.name}' with {other.kind} '{other.name}': a sweep's "
            "runs vary factors; compare sweeps with sweeps, runs and scenarios with each other"
        )
    for s in sources[1:]:
        if s.end != first.end:
            raise AnalysisError(
                f"'{first.name}' ends {first.end:%Y-%m} but '{s.name}' ends {s.end:%Y-%m}: "
                "compare results over the same horizon"
            )
        if first.model_code and s.model_code and first.model_code != s.model_code:
            raise AnalysisError(
                f"'{first.name}' and '{s.name}' come from different model code (digest "
                f"{first.model_code[:12]} vs {s.model_code[:12]}): rerun one of them"
            )
        if first.kind == "sweep":
            if sorted(s.factors) != sorted(first.factors):
                raise AnalysisError(
                    f"sweep '{first.name}' varies {', '.join(first.factors)} but '{s.name}' "
                    f"varies {', '.join(s.factors)}: compare sweeps of the same design"
                )
            pa = set(first.final[first.factors].drop_duplicates().itertuples(index=False))
            pb = set(s.final[first.factors].drop_duplicates().itertuples(index=False))
            if not pa & pb:
                raise AnalysisError(
                    f"sweeps '{first.name}' and '{s.name}' share no design point: compare sweeps "
                    "of the same design"
                )
    common = [m for m in first.metrics if all(m in s.metrics for s in sources[1:])]
    if metrics:
        for m in metrics:
            lacking = [s.name for s in sources if m not in s.metrics]
            if lacking:
                raise AnalysisError(
                    f"unknown metric '{m}' in '{lacking[0]}'; expected one of "
                    f"{', '.join(common or first.metrics)}"
                )
        chosen = list(metrics)
    else:
        chosen = key_metrics(common)
    if not chosen:
        raise AnalysisError("the sources have no metric in common")
    differs = []
    only = {s.name: [m for m in s.metrics if m not in common] for s in sources}
    for name, ms in only.items():
        if ms:
            differs.append(f"metrics only in '{name}' (left out): {', '.join(ms)}")
    unknown = [s.name for s in sources if not s.model_code]
    if unknown and len(unknown) < len(sources):
        differs.append(
            f"the model code of '{unknown[0]}' is not recorded: check that it comes from the "
            "same model version as the others"
        )
    scen = {s.name: s.scenario for s in sources}
    if len(set(scen.values())) > 1 and first.kind == "sweep":
        differs.append(
            "base scenarios differ: " + "; ".join(f"'{n}' on {sc}" for n, sc in scen.items())
        )
    return chosen, differs


def _frame(sources: list[Source], metrics: Sequence[str], by: Sequence[str]) -> pd.DataFrame:
    parts = []
    for s in sources:
        df = s.final[[*by, *metrics]].copy()
        df.insert(0, "source", s.name)
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def compare(
    refs: Sequence[str | Path | Source],
    metrics: Sequence[str] | None = None,
    *,
    replicates: int = 10,
    level: float = DEFAULT_LEVEL,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> Comparison:
    """Compare runs, scenarios or sweeps on the same metrics; the first is the reference.

    Parameters
    ----------
    refs : list
        Sweep folders, run folders, scenario files or names (run here with ``replicates``
        seeds), or :class:`Source` objects; at least two.
    metrics : list of str, optional
        Default: the key metrics all sources have.
    replicates : int, default=10
        Seeds (0, 1, ...) per scenario run on the fly.
    level : float, default=0.9
    n_resamples : int, default=2000
    seed : int, default=0

    Returns
    -------
    Comparison

    Raises
    ------
    AnalysisError
        Fewer than two sources, or sources that cannot be compared (see
        :func:`check_comparable`).
    """
    if len(refs) < 2:
        raise AnalysisError(f"compare needs at least two sources; got {len(refs)}")
    sources = [r if isinstance(r, Source) else open_source(r, replicates) for r in refs]
    _unique_names(sources)
    chosen, differs = check_comparable(sources, metrics)
    by = list(sources[0].factors) if sources[0].kind == "sweep" else []
    frame = _frame(sources, chosen, by)
    table = compare_frames(frame, chosen, by, level, n_resamples, seed)
    when = sources[0].end.strftime("%b %Y")
    ref = sources[0].name
    sentences: list[str] = []
    summary = pd.DataFrame()
    if not by:
        for m in chosen:
            rows = table[table["metric"] == m].set_index("source")
            for s in sources[1:]:
                sentences.append(
                    sentence(m, ref, s.name, rows.loc[ref], rows.loc[s.name], when, level)
                )
    else:
        alt = table[(table["source"] != ref)].dropna(subset=["difference"])
        resolved = (alt["difference_low"] > 0) | (alt["difference_high"] < 0)
        g = alt.assign(resolved=resolved).groupby(["source", "metric"], sort=False)
        summary = pd.DataFrame(
            {
                "points": g.size(),
                "mean_difference": g["difference"].mean(),
                "min_difference": g["difference"].min(),
                "max_difference": g["difference"].max(),
                "points_resolved": g["resolved"].sum(),
            }
        ).reset_index()
        pct = f"{level:.0%}".replace("%", " %")
        for r in summary.itertuples(index=False):
            m = describe_metric(r.metric)
            verb = m.up if r.mean_difference > 0 else m.down
            sentences.append(
                f"Across {r.points} design points, {r.source} {verb} the {m.label} in {when} "
                f"by {fmt(abs(r.mean_difference))} on average against {ref} (from "
                f"{fmt(r.min_difference)} to {fmt(r.max_difference)} by point); the {pct} "
                f"interval excludes zero at {r.points_resolved} of {r.points} points."
            )
    bands = pd.DataFrame()
    if all(not s.timeseries.empty for s in sources):
        parts = []
        for s in sources:
            cols = ["date", *[m for m in chosen if m in s.timeseries]]
            parts.append(s.timeseries[cols].assign(group=s.name))
        bands = bands_table(pd.concat(parts, ignore_index=True), chosen, level)
    return Comparison(sources, chosen, level, table, summary, sentences, bands, differs)


def _header(metric: str) -> str:
    m = describe_metric(metric)
    return f"{m.label} ({m.unit})" if m.unit else m.label


def side_by_side(c: Comparison) -> pd.DataFrame:
    """A reader's table: one row per metric, for each source the mean [interval of the mean],
    then for each alternative the difference [interval], Cohen's d and p."""
    if c.by:
        return pd.DataFrame()
    t = c.table
    pct = f"{c.level:.0%}".replace("%", " %")
    rows = []
    for m in c.metrics:
        sub = t[t["metric"] == m].set_index("source")
        row = {"metric": _header(m)}
        for s in c.sources:
            r = sub.loc[s.name]
            row[f"{s.name} (n={r['n']})"] = (
                f"{fmt(r['mean'])} [{fmt(r['mean_ci_low'])} to {fmt(r['mean_ci_high'])}]"
            )
        for s in c.sources[1:]:
            r = sub.loc[s.name]
            row[f"{s.name} − {c.sources[0].name}"] = (
                f"{fmt(r['difference'])} "
                f"[{fmt(r['difference_low'])} to {fmt(r['difference_high'])}]"
            )
            row[f"d ({s.name})"] = fmt(r["cohens_d"])
            row[f"p ({s.name})"] = fmt(r["p_value"])
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["caption"] = (
        f"Mean [{pct} bootstrap interval of the mean]; difference from {c.sources[0].name} "
        f"[{pct} Welch interval]; d: Cohen's d (pooled sd); p: Welch's two-sided t-test."
    )
    return out


def build_document(c: Comparison) -> Document:
    """Lay out a :class:`Comparison` as a report."""
    names = [s.name for s in c.sources]
    doc = Document("Comparison: " + " vs ".join(names))
    desc = "; ".join(
        f"'{s.name}': {s.kind}"
        + (f" of {s.scenario}" if s.scenario and s.scenario != s.name else "")
        + f", {len(s.final)} runs"
        for s in c.sources
    )
    doc.text(
        f"{desc}. Reference: '{names[0]}'. Values at the last simulated month "
        f"({c.sources[0].end:%b %Y})."
    )
    for s in c.sources:
        for n in s.notes:
            doc.note(f"{s.name}: {n}")
    for d in c.differs:
        doc.note(d)
    doc.heading("In short")
    doc.bullets(c.sentences)
    pct = f"{c.level:.0%}".replace("%", " %")
    if c.by:
        s = c.summary.copy()
        s["metric"] = s["metric"].map(_header)
        doc.table(s, f"Differences from {names[0]} over design points")
    else:
        t = side_by_side(c)
        doc.table(t, t.attrs["caption"])
    if not c.bands.empty:
        from . import figures  # matplotlib: only when drawing

        fig = figures.fan_chart(
            c.bands, c.metrics, "group", "Monthly time series: " + " vs ".join(names), "source"
        )
        doc.figure(
            "time_series",
            figures.png(fig),
            f"Median (line) and central {pct} band across each source's runs, by month.",
        )
    doc.save_table("comparison", c.table)
    if not c.summary.empty:
        doc.save_table("summary", c.summary)
    if not c.bands.empty:
        doc.save_table("bands", c.bands)
    return doc


def write_comparison(c: Comparison, out: str | Path) -> Path:
    """Write the comparison's report folder (HTML, Markdown, tables, figures)."""
    out = Path(out)
    build_document(c).write(out)
    return out
