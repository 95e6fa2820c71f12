from types import SimpleNamespace

import numpy as np
import pytest
from statecraft import metrics

from tests.conftest import run_model


def _with_equity(e):
    return SimpleNamespace(equity_history=np.asarray(e, dtype=float)[None, :, :])


def test_duplication_index_definition():
    one_city_per_niche = [[5.0, 0.0], [0.0, 3.0]]
    assert metrics.duplication_index(_with_equity(one_city_per_niche)) == 0.0
    all_equal = np.full((4, 3), 2.0)
    assert metrics.duplication_index(_with_equity(all_equal)) == pytest.approx(1 - 1 / 4)
    assert metrics.duplication_index(_with_equity(np.zeros((3, 2)))) == 0.0
    mixed = [[6.0, 0.0], [2.0, 2.0]]  # niche 0: 2 of 8 beyond the lead city
    assert metrics.duplication_index(_with_equity(mixed)) == pytest.approx(2 / 10)


def test_every_reporter_is_documented_and_returns_a_number():
    model = run_model(0, scale=0.1, end_date="2020-06")
    for name, fn in metrics.REPORTERS.items():
        assert fn.__doc__, name
        value = fn(model)
        assert isinstance(value, int | float), name
