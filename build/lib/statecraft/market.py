"""The monthly compute market: who buys which accelerators (C1, C5–C8, C10).

Four channels: foreign flagship (``hi``), licensed reduced-performance (``lic``, H20-like),
grey/smuggled (``grey``), and domestic (``dom``). Buyers and their order of preference:

1. the state's public compute programme buys domestic chips only (C10: keep the domestic
   alternative going);
2. *foreign-first* private buyers — the share ``friction`` of private money, reluctant to switch
   (C5) — buy flagship, then licensed, then grey chips, and only then domestic ones;
3. *domestic-first* private buyers buy domestic chips, then foreign ones.

Scarcity pricing: when private money exceeds the list-price value of the chips left after the
state's purchase, every channel's price rises by the same markup ``D / S`` (capped at
``max_markup``), so a short market clears through prices — chip sellers earn the scarcity rent
and buyers get fewer chips per dollar. Money that still finds no chips (demand beyond the cap:
every channel sold out) stays with its owner. The function is pure: it returns what was
bought and leaves accounting to the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CHANNELS", "MarketResult", "clear_market"]

CHANNELS = ("hi", "lic", "grey", "dom")
HI, LIC, GREY, DOM = range(4)


@dataclass(frozen=True)
class MarketResult:
    """Outcome of one month's market.

    Attributes
    ----------
    public_units, private_units : ndarray of shape (4,)
        k accelerators bought per channel (order of :data:`CHANNELS`).
    public_spent, private_spent : float
        US$ m spent.
    private_fill : float
        Share of private demand (in money) that found chips, in [0, 1].
    markup : float
        Scarcity markup on list prices paid by private buyers (>= 1).
    """

    public_units: np.ndarray
    private_units: np.ndarray
    public_spent: float
    private_spent: float
    private_fill: float
    markup: float


def _buy(
    budget: float, order: tuple[int, ...], avail: np.ndarray, price: np.ndarray, units: np.ndarray
) -> float:
    """Spend ``budget`` on channels in ``order``; update ``avail`` and ``units``; return rest."""
    for ch in order:
        if budget <= 0.0:
            break
        if avail[ch] <= 0.0 or price[ch] <= 0.0:
            continue
        q = min(avail[ch], budget / price[ch])
        avail[ch] -= q
        units[ch] += q
        budget -= q * price[ch]
    return max(budget, 0.0)


def clear_market(
    avail: np.ndarray,
    price: np.ndarray,
    public_budget: float,
    private_budget: float,
    friction: float,
    max_markup: float = 1.0,
) -> MarketResult:
    """Allocate this month's accelerators among buyers.

    Parameters
    ----------
    avail : ndarray of shape (4,)
        k accelerators available per channel.
    price : ndarray of shape (4,)
        US$ m per k accelerators per channel.
    public_budget : float
        Public compute money to spend (domestic chips only).
    private_budget : float
        Private money for compute (startups plus large platforms).
    friction : float in [0, 1]
        Share of private money that is foreign-first.
    max_markup : float, default=1.0
        Highest scarcity markup on list prices; 1 means fixed prices and pure rationing.
    """
    avail = np.array(avail, dtype=float)
    pub = np.zeros(4)
    priv = np.zeros(4)
    pub_left = _buy(public_budget, (DOM,), avail, price, pub)
    supply_value = float(avail @ price)
    markup = 1.0
    if supply_value > 0 and private_budget > supply_value:
        markup = min(private_budget / supply_value, max(max_markup, 1.0))
    price = price * markup
    ff_left = _buy(private_budget * friction, (HI, LIC, GREY), avail, price, priv)
    df_left = _buy(private_budget * (1.0 - friction), (DOM, HI, LIC, GREY), avail, price, priv)
    ff_left = _buy(ff_left, (DOM,), avail, price, priv)
    private_spent = private_budget - ff_left - df_left
    fill = private_spent / private_budget if private_budget > 0 else 1.0
    return MarketResult(
        public_units=pub,
        private_units=priv,
        public_spent=public_budget - pub_left,
        private_spent=private_spent,
        private_fill=min(max(fill, 0.0), 1.0),
        markup=markup,
    )
