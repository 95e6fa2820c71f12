from types import SimpleNamespace

import numpy as np
import pytest
from statecraft import metrics

from tests.conftest import run_model


def _with_equity(e, own=None):
    e = np.asarray(e, dtype=float)
    if own is None:
        own = np.full(e.shape, 1.0 / e.shape[1])
    funds = SimpleNamespace(equity_history=e[None, :, :], own_w=np.asarray(own, dtype=float))
    return SimpleNamespace(city_funds=funds)


def test_duplication_index_has_a_meaningful_zero_and_a_ceiling_of_one():
    uniform = np.full((4, 3), 1.0 / 3)
    # Cities do what their own (here: identical, spread) views say: no duplication beyond that.
    assert metrics.duplication_index(_with_equity(np.full((4, 3), 2.0), uniform)) == 0.0
    # Every city in the same single niche: the ceiling, whatever the funds' sizes.
    herd = [[5.0, 0.0, 0.0], [1.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.5, 0.0, 0.0]]
    assert metrics.duplication_index(_with_equity(herd, uniform)) == pytest.approx(1.0)
    # Perfect specialisation is below independent choices: negative.
    special = [[5.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 2.0]]
    assert metrics.duplication_index(_with_equity(special, np.full((3, 3), 1 / 3))) < 0.0
    # No equity, or a single fund: 0.
    assert metrics.duplication_index(_with_equity(np.zeros((3, 2)))) == 0.0
    assert metrics.duplication_index(_with_equity([[1.0, 2.0]])) == 0.0


def test_old_duplication_index_sat_near_its_ceiling_for_independent_choices():
    """Issue 7, item 5: the old index (1 - sum_k max_f E / sum E) gives 1 - 1/n for funds that
    simply follow the same spread view; the new one gives 0 for that case."""
    e = np.full((7, 6), 1.0)
    old = 1.0 - e.max(axis=0).sum() / e.sum()
    assert old == pytest.approx(6 / 7)
    assert metrics.duplication_index(_with_equity(e)) == pytest.approx(0.0)


def test_every_reporter_is_documented_and_returns_a_number():
    model = run_model(0, scale=0.1, end_date="2020-06")
    for name, fn in metrics.REPORTERS.items():
        assert fn.__doc__, name
        value = fn(model)
        assert isinstance(value, int | float), name
