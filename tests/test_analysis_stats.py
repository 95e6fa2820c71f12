"""The statistics of statecraft.analysis against values computed by hand on small tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statecraft.analysis.catalog import describe_metric, key_metrics
from statecraft.analysis.compare import compare_frames, sentence
from statecraft.analysis.stats import bootstrap_mean_ci, difference, summarize


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "point": [0, 0, 0, 0, 0, 1, 1, 1, 1],
            "x": [1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 2.0, 2.0, np.nan],
            "y": [10.0, 20.0, 30.0, 40.0, 50.0, 4.0, 8.0, 6.0, 2.0],
        }
    )


def test_summarize_matches_hand_computed_values():
    s = summarize(_table(), "point", ["x", "y"]).set_index(["point", "metric"])
    r = s.loc[(0, "x")]
    assert r["n"] == 5
    assert r["mean"] == pytest.approx(3.0)
    assert r["median"] == pytest.approx(3.0)
    # sd of 1..5 with ddof=1: sqrt(10/4)
    assert r["sd"] == pytest.approx(math.sqrt(2.5))
    assert r["sem"] == pytest.approx(math.sqrt(2.5) / math.sqrt(5))
    # linear quantiles of 1..5: position 0.05 * 4 = 0.2 -> 1.2; 0.95 * 4 = 3.8 -> 4.8
    assert r["interval_low"] == pytest.approx(1.2)
    assert r["interval_high"] == pytest.approx(4.8)
    r = s.loc[(1, "y")]  # 2, 4, 6, 8
    assert r["mean"] == pytest.approx(5.0)
    assert r["median"] == pytest.approx(5.0)
    assert r["interval_low"] == pytest.approx(2.3)  # 0.05 * 3 = 0.15 -> 2 + 0.15 * 2
    assert r["interval_high"] == pytest.approx(7.7)


def test_missing_replicate_is_left_out_and_a_constant_group_has_a_point_interval():
    s = summarize(_table(), "point", ["x"]).set_index(["point", "metric"])
    r = s.loc[(1, "x")]
    assert r["n"] == 3
    assert r["mean"] == 2.0
    assert r["sd"] == 0.0
    assert (r["mean_ci_low"], r["mean_ci_high"]) == (2.0, 2.0)


def test_bootstrap_interval_of_the_mean_is_the_bootstrap_distribution_percentiles():
    # Two values a, b: a resample mean is a, (a+b)/2 or b with probabilities 1/4, 1/2, 1/4;
    # the 90 % percentile interval is therefore [a, b].
    lo, hi = bootstrap_mean_ci(np.array([[0.0, 10.0]]), level=0.9, n_resamples=4000)
    assert (lo[0], hi[0]) == (0.0, 10.0)
    # Large normal sample: close to mean +- 1.645 sd / sqrt(n).
    rng = np.random.default_rng(1)
    x = rng.normal(5.0, 2.0, size=(1, 400))
    lo, hi = bootstrap_mean_ci(x, level=0.9, n_resamples=4000)
    half = 1.645 * x.std(ddof=1) / math.sqrt(400)
    assert lo[0] == pytest.approx(x.mean() - half, abs=0.03)
    assert hi[0] == pytest.approx(x.mean() + half, abs=0.03)


def test_bootstrap_is_seeded_and_needs_two_values():
    x = np.array([[1.0, 4.0, 2.0, 8.0], [3.0, np.nan, np.nan, np.nan]])
    a = bootstrap_mean_ci(x, seed=3)
    b = bootstrap_mean_ci(x, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    assert math.isnan(a[0][1]) and math.isnan(a[1][1])


def test_difference_matches_hand_computed_welch_and_cohen():
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    b = np.array([2.0, 4.0, 6.0, 8.0, 10.0])
    d = difference(a, b, level=0.9)
    assert d["difference"] == pytest.approx(3.0)
    # pooled sd = sqrt((4 * 2.5 + 4 * 10) / 8) = sqrt(6.25) = 2.5 -> d = 3 / 2.5
    assert d["cohens_d"] == pytest.approx(1.2)
    # Welch: se = sqrt(2.5/5 + 10/5) = sqrt(2.5); df = 2.5^2 / ((0.5^2 + 2^2) / 4) = 5.882...
    se = math.sqrt(2.5)
    df = 2.5**2 / ((0.5**2 + 2.0**2) / 4)
    from scipy.stats import t

    assert d["p_value"] == pytest.approx(2 * t.sf(3.0 / se, df))
    assert d["difference_low"] == pytest.approx(3.0 - t.ppf(0.95, df) * se)
    assert d["difference_high"] == pytest.approx(3.0 + t.ppf(0.95, df) * se)


def test_difference_without_spread_or_replicates():
    d = difference([2.0, 2.0], [3.0, 3.0])
    assert (d["difference"], d["difference_low"], d["difference_high"]) == (1.0, 1.0, 1.0)
    assert d["p_value"] == 0.0
    d = difference([2.0], [3.0])
    assert d["difference"] == 1.0 and math.isnan(d["p_value"])


def test_compare_frames_differences_are_from_the_first_source():
    frame = pd.DataFrame(
        {
            "source": ["base"] * 3 + ["alt"] * 3,
            "gap": [10.0, 11.0, 12.0, 14.0, 15.0, 16.0],
        }
    )
    t = compare_frames(frame, ["gap"]).set_index("source")
    assert list(t.index) == ["base", "alt"]
    assert math.isnan(t.loc["base", "difference"])
    assert t.loc["alt", "difference"] == pytest.approx(4.0)
    assert t.loc["alt", "cohens_d"] == pytest.approx(4.0)  # both sds are 1


def test_sentence_reads_like_the_issue():
    ref = {"mean": 17.5, "n": 20}
    alt = {
        "mean": 21.6,
        "n": 20,
        "difference": 4.1,
        "difference_low": 2.8,
        "difference_high": 5.4,
    }
    s = sentence("capability_gap_months", "baseline", "export_cutoff", ref, alt, "Dec 2030")
    assert s == (
        "export_cutoff widens the gap to US frontier in Dec 2030 from 17.5 months to "
        "21.6 months (difference 4.10, 90 % interval 2.80 to 5.40)."
    )
    alt.update(difference=0.3, difference_low=-0.9, difference_high=1.5, mean=17.8)
    s = sentence("capability_gap_months", "baseline", "export_cutoff", ref, alt, "Dec 2030")
    assert "about unchanged" in s and "within the noise" in s


def test_metric_catalog_falls_back_to_the_columns_there_are():
    assert key_metrics(["wasted_share", "foo"]) == ["wasted_share"]
    assert key_metrics(["foo", "bar"]) == ["foo", "bar"]
    m = describe_metric("funding_private_usd_bn")
    assert (m.label, m.unit) == ("funding private", "US$ bn")
