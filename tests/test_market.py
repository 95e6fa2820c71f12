import numpy as np
import pytest
from statecraft.market import clear_market

HI, LIC, GREY, DOM = range(4)  # the columns of these array-level tests

FLOOR = np.array([25.0, 12.5, 40.0, 12.5])
PERF = np.array([1.0, 0.5, 1.0, 0.6])
PRIVATE = [1.0, 1.0, 1.0, 0.5]
WEIGHTS = np.array([PRIVATE, [0.0, 0.0, 0.0, 1.0]])  # a private buyer, the public programme
EPS = np.array([0.5, 0.5, 1.0, 0.0])


def _clear(supply, budgets, weights=WEIGHTS, **kw):
    args = {
        "supply_elasticity": EPS,
        "substitution": 4.0,
        "price_elasticity": 0.5,
        "ref_price": 25.0,
    }
    args.update(kw)
    return clear_market(np.asarray(supply, float), FLOOR, PERF, np.asarray(budgets, float),
                        weights, **args)  # fmt: skip


def test_money_and_units_are_consistent():
    res = _clear([10.0, 5.0, 2.0, 8.0], [5000.0, 100.0])
    units = res.units.sum(axis=0)
    assert (units <= res.offered + 1e-9).all()
    np.testing.assert_allclose(res.spent, res.units @ res.price)
    assert (res.spent <= np.array([5000.0, 100.0]) + 1e-9).all()
    assert res.units[1, [HI, LIC, GREY]].sum() == 0  # the state buys domestic only
    assert (res.price >= FLOOR - 1e-12).all()
    np.testing.assert_allclose(res.effective, res.units @ PERF)


def test_a_short_market_clears_by_price_without_a_cap():
    """Issue 7, item 1: the old market had a markup cap of 3 and sold every chip. Here ten
    times the money meets the same chips: prices rise as far as it takes (beyond the old
    cap), demand equals supply, and no quantity rationing is left."""
    supply = [10.0, 0.0, 0.0, 10.0]
    value = np.array(supply) @ FLOOR
    res = _clear(supply, [10.0 * value, 0.0], price_elasticity=0.0)
    assert res.price[HI] > 3.0 * FLOOR[HI]
    assert res.rationed_units <= 2e-3 * res.units.sum()
    np.testing.assert_allclose(res.units.sum(axis=0)[[HI, DOM]], res.offered[[HI, DOM]], rtol=1e-2)


def test_more_money_means_higher_prices_and_buyers_respond_to_price():
    supply = [10.0, 0.0, 1.0, 10.0]
    low = _clear(supply, [500.0, 0.0])
    high = _clear(supply, [5000.0, 0.0])
    assert (high.price >= low.price - 1e-9).all() and high.price[HI] > low.price[HI]
    # With a price response, the richer buyer spends a smaller share of its budget.
    assert high.spent[0] / 5000.0 < low.spent[0] / 500.0
    inelastic = _clear(supply, [5000.0, 0.0], price_elasticity=0.0)
    assert inelastic.spent[0] == pytest.approx(5000.0, rel=1e-2)


def test_a_glut_leaves_prices_at_the_floor_and_chips_unsold():
    res = _clear([1000.0, 0.0, 0.0, 1000.0], [500.0, 50.0])
    np.testing.assert_allclose(res.price, FLOOR)
    assert res.units.sum(axis=0)[DOM] < 1000.0
    assert res.spent[0] == pytest.approx(500.0)


def test_nothing_on_offer_means_nothing_spent():
    res = _clear([0.0, 0.0, 0.0, 0.0], [500.0, 50.0])
    assert res.spent.sum() == 0.0 and res.effective.sum() == 0.0


def test_licensed_supply_takes_sales_from_domestic_chips_when_supply_is_ample():
    """The 'protective bubble' channel (002): licensed foreign chips replace domestic ones."""
    without = _clear([0.0, 0.0, 0.0, 100.0], [500.0, 0.0])
    with_lic = _clear([0.0, 100.0, 0.0, 100.0], [500.0, 0.0])
    assert with_lic.units[0, DOM] < 0.7 * without.units[0, DOM]


def test_friction_and_substitution_shape_the_domestic_share():
    supply = [100.0, 0.0, 0.0, 100.0]
    reluctant = _clear(supply, [2000.0, 0.0], weights=np.array([[1, 1, 1, 0.1], [0, 0, 0, 1.0]]))
    willing = _clear(supply, [2000.0, 0.0], weights=np.array([[1, 1, 1, 1.0], [0, 0, 0, 1.0]]))
    assert willing.units[0, DOM] > reluctant.units[0, DOM]
    # Imperfect substitutes: both channels are bought, not just the cheaper one.
    assert willing.units[0, HI] > 0 and willing.units[0, DOM] > 0


def test_clearing_converges_for_random_inputs():
    rng = np.random.default_rng(3)
    for _ in range(200):
        supply = rng.uniform(0, 100, 4) * (rng.random(4) < 0.8)
        res = _clear(
            supply,
            rng.uniform(0, 1e4, 2),
            substitution=rng.uniform(0.5, 20.0),
            price_elasticity=rng.uniform(0.0, 5.0),
            supply_elasticity=rng.uniform(0.0, 5.0, 4),
        )
        assert np.isfinite(res.price).all() and (res.spent >= 0).all()
        assert (res.units.sum(axis=0) <= res.offered + 1e-9).all()
        assert res.rationed_units <= 0.05 * max(res.units.sum(), 1e-9) + 1e-6
