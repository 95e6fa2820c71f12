"""The statistics of an analysis, as grouped, vectorised operations on tidy tables.

- :func:`summarize`: per group (a design point, a scenario) and metric: replicates, mean,
  standard deviation and error, median, the central interval of the replicates (5th-95th
  percentile for ``level=0.9``) and a percentile-bootstrap interval of the mean
  (:func:`scipy.stats.bootstrap`, seeded, vectorised over groups).
- :func:`difference`: two samples of replicates: difference of means with Welch's interval and
  test (:func:`scipy.stats.ttest_ind`), and Cohen's *d* with the pooled standard deviation.

Quantiles are numpy's default (linear interpolation between order statistics).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_LEVEL", "N_RESAMPLES", "bootstrap_mean_ci", "difference", "summarize"]

#: Coverage of every interval unless told otherwise (the issue and the README speak of 90 %).
DEFAULT_LEVEL = 0.9
#: Bootstrap resamples per interval.
N_RESAMPLES = 2000

SUMMARY_COLUMNS = (
    "n",
    "mean",
    "sd",
    "sem",
    "median",
    "interval_low",
    "interval_high",
    "mean_ci_low",
    "mean_ci_high",
)


def bootstrap_mean_ci(
    values: np.ndarray,
    level: float = DEFAULT_LEVEL,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile-bootstrap interval of the mean of each row of ``values``.

    Parameters
    ----------
    values : numpy.ndarray of shape (groups, replicates)
        NaN marks a missing replicate (a failed run, a metric undefined in that run).
    level : float, default=0.9
        Confidence level, in (0, 1).
    n_resamples : int, default=2000
    seed : int, default=0
        Seed of the resampling generator: the same table gives the same interval.

    Returns
    -------
    low, high : numpy.ndarray of shape (groups,)
        NaN for a row with fewer than two values.
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    low = np.full(values.shape[0], np.nan)
    high = low.copy()
    finite = np.isfinite(values)
    counts = finite.sum(axis=1)
    # Rows with the same number of values are bootstrapped together (NaN sort to the end).
    ordered = np.sort(np.where(finite, values, np.nan), axis=1)
    rng = np.random.default_rng(seed)
    for k in np.unique(counts):
        if k < 2:
            continue
        rows = np.flatnonzero(counts == k)
        data = ordered[rows, :k]
        spread = np.ptp(data, axis=1) > 0
        # A constant row: every resample has the same mean.
        low[rows[~spread]] = high[rows[~spread]] = data[~spread, 0]
        if spread.any():
            res = stats.bootstrap(
                (data[spread],),
                np.mean,
                axis=-1,
                vectorized=True,
                confidence_level=level,
                n_resamples=n_resamples,
                method="percentile",
                rng=rng,
                batch=max(1, 20_000_000 // (k * int(spread.sum()))),
            )
            low[rows[spread]] = res.confidence_interval.low
            high[rows[spread]] = res.confidence_interval.high
    return low, high


def summarize(
    frame: pd.DataFrame,
    by: str | Sequence[str],
    metrics: Sequence[str],
    level: float = DEFAULT_LEVEL,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """Statistics of each metric across the replicates of each group, as a tidy table.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per run: the ``by`` columns and the metric columns.
    by : str or list of str
        Columns that define a group (``"point"``, ``"source"``).
    metrics : list of str
        Metric columns.
    level : float, default=0.9
        Coverage of the replicate interval and of the bootstrap interval of the mean.
    n_resamples : int, default=2000
    seed : int, default=0

    Returns
    -------
    pandas.DataFrame
        One row per group and metric: the ``by`` columns, ``metric``, ``n`` (replicates with a
        value), ``mean``, ``sd``, ``sem``, ``median``, ``interval_low``/``interval_high`` (the
        central ``level`` interval of the replicates) and ``mean_ci_low``/``mean_ci_high``.
    """
    by = [by] if isinstance(by, str) else list(by)
    metrics = list(metrics)
    q = ((1 - level) / 2, (1 + level) / 2)
    grouped = frame.groupby(by, sort=True, observed=True)[metrics]
    keys = grouped.size().index  # sorted group keys
    codes = grouped.ngroup().to_numpy()
    slot = frame.groupby(by, sort=True, observed=True).cumcount().to_numpy()
    width = int(slot.max()) + 1 if len(slot) else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN groups give NaN, as wanted
        parts = {
            "n": grouped.count(),
            "mean": grouped.mean(),
            "sd": grouped.std(ddof=1),
            "median": grouped.median(),
            "interval_low": grouped.quantile(q[0]),
            "interval_high": grouped.quantile(q[1]),
        }
    parts["sem"] = parts["sd"] / np.sqrt(parts["n"].where(parts["n"] > 0))
    ci_low = pd.DataFrame(index=keys, columns=metrics, dtype=float)
    ci_high = ci_low.copy()
    for j, m in enumerate(metrics):
        mat = np.full((len(keys), width), np.nan)
        mat[codes, slot] = frame[m].to_numpy(dtype=float)
        lo, hi = bootstrap_mean_ci(mat, level, n_resamples, seed + j)
        ci_low[m], ci_high[m] = lo, hi
    parts["mean_ci_low"], parts["mean_ci_high"] = ci_low, ci_high
    long = {
        name: part.rename_axis(columns="metric").stack(future_stack=True)
        for name, part in parts.items()
    }
    out = pd.DataFrame({c: long[c] for c in SUMMARY_COLUMNS}).reset_index()
    out["n"] = out["n"].astype(np.int64)
    order = {m: i for i, m in enumerate(metrics)}
    out = out.sort_values([*by, "metric"], key=lambda s: s.map(order) if s.name == "metric" else s)
    return out.reset_index(drop=True)


def difference(a: np.ndarray, b: np.ndarray, level: float = DEFAULT_LEVEL) -> dict[str, float]:
    """Difference of the mean of ``b`` from the mean of ``a``, with interval, test and effect.

    Parameters
    ----------
    a, b : array-like
        Replicate values of one metric under the reference (``a``) and the alternative (``b``);
        NaN values are dropped.
    level : float, default=0.9

    Returns
    -------
    dict
        ``difference`` (mean b - mean a), ``difference_low``/``difference_high`` (Welch's
        ``level`` interval), ``cohens_d`` (difference / pooled standard deviation), ``p_value``
        (Welch's two-sided t-test). Values that need two replicates on each side, or some
        variation, are NaN.
    """
    from scipy import stats

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    out = dict.fromkeys(("difference", "difference_low", "difference_high", "cohens_d"), math.nan)
    out["p_value"] = math.nan
    if len(a) == 0 or len(b) == 0:
        return out
    diff = float(b.mean() - a.mean())
    out["difference"] = diff
    if len(a) < 2 or len(b) < 2:
        return out
    va, vb = a.var(ddof=1), b.var(ddof=1)
    pooled = math.sqrt(((len(a) - 1) * va + (len(b) - 1) * vb) / (len(a) + len(b) - 2))
    if pooled == 0:
        # No variation at all: the difference is exact.
        out["difference_low"] = out["difference_high"] = diff
        out["p_value"] = 1.0 if diff == 0 else 0.0
        return out
    out["cohens_d"] = diff / pooled
    with warnings.catch_warnings():
        # Nearly identical samples: scipy warns of precision loss; the result is still usable.
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.ttest_ind(b, a, equal_var=False)
        ci = res.confidence_interval(confidence_level=level)
    out["p_value"] = float(res.pvalue)
    out["difference_low"], out["difference_high"] = float(ci.low), float(ci.high)
    return out
