import numpy as np
import pytest
from statecraft.market import DOM, GREY, HI, LIC, clear_market

PRICE = np.array([25.0, 12.5, 40.0, 12.5])


def test_money_and_units_are_consistent_and_capped_by_availability():
    avail = np.array([10.0, 5.0, 2.0, 8.0])
    res = clear_market(avail, PRICE, public_budget=50.0, private_budget=1e6, friction=0.6)
    units = res.public_units + res.private_units
    assert (units <= avail + 1e-12).all()
    assert res.private_spent == pytest.approx(res.private_units @ PRICE)
    assert res.public_spent == pytest.approx(res.public_units @ PRICE)
    assert res.public_units[[HI, LIC, GREY]].sum() == 0  # the state buys domestic only
    assert 0 <= res.private_fill < 1  # demand far above supply is rationed


def test_licensed_supply_takes_sales_from_domestic_chips_when_supply_is_ample():
    """The 'protective bubble' channel (002): with foreign-first buyers and enough chips,
    licensed foreign chips replace domestic ones that would otherwise have been bought."""
    without = clear_market(np.array([0.0, 0.0, 0.0, 100.0]), PRICE, 0.0, 500.0, friction=0.7)
    with_lic = clear_market(np.array([0.0, 100.0, 0.0, 100.0]), PRICE, 0.0, 500.0, friction=0.7)
    assert with_lic.private_units[DOM] < 0.5 * without.private_units[DOM]


def test_friction_orders_preferences():
    avail = np.array([100.0, 0.0, 0.0, 100.0])
    foreign_first = clear_market(avail, PRICE, 0.0, 500.0, friction=1.0)
    domestic_first = clear_market(avail, PRICE, 0.0, 500.0, friction=0.0)
    assert foreign_first.private_units[HI] > domestic_first.private_units[HI]
    assert domestic_first.private_units[DOM] > foreign_first.private_units[DOM]


def test_scarcity_markup_clears_a_short_market_up_to_its_cap():
    avail = np.array([10.0, 0.0, 0.0, 10.0])
    supply_value = avail @ PRICE
    res = clear_market(avail, PRICE, 0.0, 2.0 * supply_value, friction=0.5, max_markup=3.0)
    assert res.markup == pytest.approx(2.0)
    np.testing.assert_allclose(res.private_units, avail)  # everything sold
    assert res.private_spent == pytest.approx(res.private_units @ PRICE * res.markup)
    assert res.private_fill == pytest.approx(1.0)
    capped = clear_market(avail, PRICE, 0.0, 10.0 * supply_value, friction=0.5, max_markup=3.0)
    assert capped.markup == 3.0 and capped.private_fill == pytest.approx(0.3)
    glut = clear_market(avail, PRICE, 0.0, 0.5 * supply_value, friction=0.5, max_markup=3.0)
    assert glut.markup == 1.0
