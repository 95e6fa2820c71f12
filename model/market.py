"""The monthly accelerator market: prices that clear supply and demand (C1, C5–C10).

Participants meet here in two roles. A :class:`Seller` puts :class:`Offer` s on the market (units
at a floor price, a performance relative to the foreign flagship, a supply elasticity) and books
its own :class:`Sale` s; a :class:`Buyer` states a budget and a preference weight for each offer
and takes its :class:`Purchase`. :class:`ComputeMarket` clears any list of buyers against any
list of sellers; each offer is a channel of the market (today: the foreign vendor's flagship and
licensed H20-like chips, grey imports, and the domestic designer's chips). The arithmetic below
is :func:`clear_market`, over arrays, compiled; nothing outside this module indexes a channel.

Demand. Each buyer ``b`` (startups, large platforms, the public compute programme, ...) has a budget
``B_b`` and preference weights ``a_bj`` (0 where it will not buy: the state buys domestic only;
switching friction lowers private buyers' weight on domestic chips, C5). Chips are imperfect
substitutes judged by their *performance-adjusted* price ``q_j = p_j / perf_j`` (C9: software
gains raise ``perf`` of domestic chips). Over the channels on offer, the buyer spends the share

    s_bj = a_bj q_j^(1 - σ) / Σ_i a_bi q_i^(1 - σ)        (CES, substitution elasticity σ)

and its price index is ``P_b = (Σ_j ā_bj q_j^(1 - σ))^(1 / (1 - σ))`` with the weights ``ā``
normalised over the channels on offer. It spends ``S_b = B_b min(1, (r / P_b)^η)`` of its
budget, ``r`` the flagship list price: above the list price it buys less (elasticity ``η`` of
spending, so ``1 + η`` of quantity); at or below it, it spends its whole budget. Channel demand
in units is ``D_j = Σ_b S_b s_bj / p_j``.

Supply. Channel ``j`` offers ``Q_j = Q0_j (p_j / c_j)^ε_j`` at any price ``p_j ≥ c_j`` (its
floor: list price, production cost or the smugglers' premium), ``ε_j`` its supply elasticity
(0 for the domestic foundry in the short run: capacity is capacity).

Clearing. Damped Newton steps on log prices, ``log p_j += h_j (log D_j - log Q_j) / e_j``
with ``e_j`` the channel's own-price elasticity of excess demand and ``h_j`` halved each time
the channel's excess demand changes sign, floored at ``c_j``, warm-started from last month's
prices, until every channel clears or sits at its floor with unsold supply.
No cap: prices go as high as it takes. Whatever a residual imbalance leaves is rationed in
proportion to demand and reported (``rationed_units``). A buyer with no channel on offer spends
nothing: that is rationing by quantity, reported as unmet demand. The function is pure: it
returns what each buyer bought and paid; :class:`ComputeMarket` hands each participant its part.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = [
    "Buyer",
    "Clearing",
    "ComputeMarket",
    "MarketResult",
    "Offer",
    "Purchase",
    "Sale",
    "Seller",
    "clear_market",
]

_TOL = 1e-3  # |log D - log Q| at which a channel counts as cleared
_MAX_ITER = 200
_HISTORY = 12  # months of units sold kept for trailing shares
#: Offers of fewer units than this (k, i.e. one accelerator) are not on the market: a stock
#: drawn down to rounding residue would otherwise be "cleared" at an astronomical price.
MIN_UNITS = 1e-3


# --- roles ------------------------------------------------------------------------------------
class Offer(NamedTuple):
    """What one seller puts on the market this month: one channel of the market.

    Attributes
    ----------
    seller : Seller
        Who made the offer.
    name : str
        The channel's name (``flagship``, ``licensed``, ``grey``, ``domestic``, ...).
    units : float
        k accelerators offered at the floor price (``Q0``), >= 0.
    floor : float
        Lowest price at which they sell (US$ m per k), > 0.
    performance : float
        Performance relative to the foreign flagship, >= 0 (0: useless, never bought).
    elasticity : float
        Supply elasticity above the floor, >= 0 (0: capacity is capacity). The market may
        sell more than ``units`` when it is above 0: a seller of a finite stock offers it
        with elasticity 0.
    domestic : bool
        Made by a domestic designer (counts in the domestic share; the state buys only these).
    resale : bool
        Resold from a stock already shipped into the country (an importer's stockpile): not
        counted again as a shipment in the domestic share.
    ecosystem : float
        Maturity of the chip's software ecosystem in [0, 1] (1: the incumbent foreign one):
        private buyers' switching cost scales with ``1 - ecosystem``.
    """

    seller: Seller
    name: str
    units: float
    floor: float
    performance: float
    elasticity: float
    domestic: bool
    resale: bool = False
    ecosystem: float = 1.0


class Sale(NamedTuple):
    """What one ``offer`` sold this month: ``units`` (k) at ``price`` (US$ m per k), ``revenue``
    (US$ m) and the ``offered`` units at that price."""

    offer: Offer
    units: float
    price: float
    revenue: float
    offered: float


class Purchase(NamedTuple):
    """What one buyer got this month.

    Attributes
    ----------
    budget : float
        The budget it stated (US$ m).
    spent : float
        What it paid (US$ m), never more than ``budget``.
    effective : float
        k flagship-equivalent accelerators bought (units times performance).
    units : ndarray of shape (n_offers,)
        k accelerators bought from each offer, in the order of :attr:`ComputeMarket.offers`.
    wanted_at_list : float
        k flagship-equivalents its whole budget would buy at the flagship list price.
    """

    budget: float
    spent: float
    effective: float
    units: np.ndarray
    wanted_at_list: float


class Seller:
    """Role: offers accelerators each month and books its own sales.

    A subclass implements :meth:`offers` and :meth:`book`; after clearing, the market calls
    :meth:`book` once a month with one :class:`Sale` per offer, in the order of :meth:`offers`
    (a sale of 0 units where nothing sold).
    """

    def offers(self) -> list[Offer]:
        """This month's offers (one per channel the seller sells through)."""
        raise NotImplementedError

    def book(self, sales: list[Sale]) -> None:
        """Record this month's sales: revenue, output, anything the seller keeps."""
        raise NotImplementedError


class Buyer:
    """Role: states a budget and preferences, and takes what it got.

    The market calls :meth:`budget` and :meth:`preference` as queries (they change nothing)
    and :meth:`take` once a month. ``private`` buyers (startups, platforms, a cloud provider)
    count in the market's private statistics (fill, unmet money, shortage, price index); a
    state buyer sets it to False. ``stock`` is the compute it holds (k flagship-equivalents),
    summed over buyers as the installed compute of the country.
    """

    private: bool = True
    stock: float = 0.0

    def budget(self) -> float:
        """Most the buyer would spend this month (US$ m), >= 0; a query."""
        raise NotImplementedError

    def preference(self, offer: Offer) -> float:
        """Weight >= 0 on ``offer`` (0: the buyer does not buy it)."""
        raise NotImplementedError

    def take(self, purchase: Purchase) -> None:
        """Own what was bought (stocks, payment, money left over)."""
        raise NotImplementedError


def switching_friction(ecosystem: float, friction: float) -> float:
    """Private buyers' weight off a chip for the cost of leaving their software ecosystem (C5,
    C9): ``friction`` for a chip whose ecosystem is new (``ecosystem`` 0), falling to 0 as it
    matures to the incumbent's (1)."""
    value = friction * (1.0 - ecosystem)
    return min(max(value, 0.0), 1.0)


class Clearing(NamedTuple):
    """One month's market, summed up for the private buyers (what metrics read).

    Attributes
    ----------
    private_fill : float
        Share of private budgets spent (1 when they had no budget).
    unmet : float
        Private money not spent (US$ m): priced out, or nothing on offer.
    shortage : float
        Share of what private budgets would buy at the flagship list price not bought, in [0, 1].
    price_index : float
        Price private buyers paid per flagship-equivalent over the list price (NaN: none bought).
    rationed_units : float
        k accelerators demanded at the clearing prices but not delivered.
    """

    private_fill: float = 1.0
    unmet: float = 0.0
    shortage: float = 0.0
    price_index: float = 1.0
    rationed_units: float = 0.0


class ComputeMarket:
    """The monthly accelerator market: clears buyers against sellers by price.

    Parameters
    ----------
    substitution : float
        ``σ`` > 0, elasticity of substitution between offers.
    price_elasticity : float
        ``η`` >= 0, elasticity of spending to the price index above ``list_price``.
    list_price : float
        Flagship list price (US$ m per k): buyers spend their whole budget at or below it.

    Attributes
    ----------
    offers : list of Offer
        This month's offers, in clearing order.
    domestic : ndarray of bool, shape (n_offers,)
        Which offers are domestic chips.
    prices, units : ndarray of shape (n_offers,)
        This month's clearing prices and units sold.
    units_history : ndarray of shape (12, n_channels)
        Units sold in the last twelve months, newest first, one column per channel ever
        offered (a seller and an offer name), in the order first seen; a channel absent in a
        month sold 0 that month.
    channel_domestic : ndarray of bool, shape (n_channels,)
        Which columns of ``units_history`` are domestic chips.
    channel_resale : ndarray of bool, shape (n_channels,)
        Which columns of ``units_history`` are resales from stocks already shipped in.
    last : Clearing
        This month's private-market summary.
    """

    def __init__(self, substitution: float, price_elasticity: float, list_price: float) -> None:
        self.substitution = substitution
        self.price_elasticity = price_elasticity
        self.list_price = list_price
        self.offers: list[Offer] = []
        self.domestic = np.zeros(0, dtype=bool)
        self.prices = np.zeros(0)
        self.units = np.zeros(0)
        self.units_history = np.zeros((_HISTORY, 0))
        self.channel_domestic = np.zeros(0, dtype=bool)
        self.channel_resale = np.zeros(0, dtype=bool)
        self.resale = np.zeros(0, dtype=bool)
        self._channels: dict[tuple[int, str], int] = {}  # (seller, offer name) -> column
        self._last_price: dict[tuple[int, str], float] = {}
        self.last = Clearing()

    def clear(self, buyers: Sequence[Buyer], sellers: Sequence[Seller]) -> Clearing:
        """Clear one month: collect offers and budgets, find prices, hand out the results.

        Each buyer's :meth:`Buyer.take` is called with its :class:`Purchase` (in the order
        given), then each seller's :meth:`Seller.book` with its offers' :class:`Sale` s.
        """
        by_seller = [seller.offers() for seller in sellers]
        offers = [offer for own in by_seller for offer in own]
        n = len(offers)
        keys = [(id(o.seller), o.name) for o in offers]
        # Warm start from each channel's last clearing price (its floor when new).
        start = np.array(
            [self._last_price.get(k, o.floor) for k, o in zip(keys, offers, strict=True)]
        )
        self._add_channels(keys, offers)
        self.offers = offers
        self.domestic = np.array([o.domestic for o in offers], dtype=bool)
        self.resale = np.array([o.resale for o in offers], dtype=bool)
        budgets = np.array([buyer.budget() for buyer in buyers], dtype=float)
        weights = np.array(
            [[buyer.preference(o) for o in offers] for buyer in buyers], dtype=float
        ).reshape(len(buyers), n)
        # Offer is a tuple (seller, name, units, floor, performance, elasticity, domestic):
        # one array of the four numeric fields, one row per field.
        table = np.array([o[2:6] for o in offers], dtype=float).reshape(n, 4).T.copy()
        res = clear_market(
            table[0],
            table[1],
            table[2],
            budgets,
            weights,
            supply_elasticity=table[3],
            substitution=self.substitution,
            price_elasticity=self.price_elasticity,
            ref_price=self.list_price,
            start=start,
        )
        self.prices = res.price
        self._last_price.update(zip(keys, res.price.tolist(), strict=True))
        self.last = self._summary(buyers, budgets, res)
        units = res.units.sum(axis=0)
        self.units = units
        self.units_history[1:] = self.units_history[:-1]
        if list(self._channels) == keys:
            self.units_history[0] = units
        else:
            self.units_history[0] = 0.0
            self.units_history[0, [self._channels[k] for k in keys]] = units
        spent, effective, wanted = (
            res.spent.tolist(),
            res.effective.tolist(),
            res.wanted_at_list.tolist(),
        )
        for b, (buyer, budget) in enumerate(zip(buyers, budgets.tolist(), strict=True)):
            buyer.take(Purchase(budget, spent[b], effective[b], res.units[b], wanted[b]))
        sold, price = units.tolist(), res.price.tolist()
        paid, offered = (units * res.price).tolist(), res.offered.tolist()
        j = 0
        for seller, own in zip(sellers, by_seller, strict=True):
            sales = []
            for offer in own:
                sales.append(Sale(offer, sold[j], price[j], paid[j], offered[j]))
                j += 1
            seller.book(sales)
        return self.last

    def _add_channels(self, keys: list[tuple[int, str]], offers: list[Offer]) -> None:
        new = [(k, o) for k, o in zip(keys, offers, strict=True) if k not in self._channels]
        if not new:
            return
        for k, _ in new:
            self._channels[k] = len(self._channels)
        extra = np.zeros((_HISTORY, len(new)))
        self.units_history = np.concatenate([self.units_history, extra], axis=1)
        flags = np.array([o.domestic for _, o in new], dtype=bool)
        self.channel_domestic = np.concatenate([self.channel_domestic, flags])
        resale = np.array([o.resale for _, o in new], dtype=bool)
        self.channel_resale = np.concatenate([self.channel_resale, resale])

    def _summary(self, buyers: Sequence[Buyer], budgets: np.ndarray, res: MarketResult) -> Clearing:
        budget = spent = eff = wanted = 0.0
        rows = zip(
            budgets.tolist(),
            res.spent.tolist(),
            res.effective.tolist(),
            res.wanted_at_list.tolist(),
            strict=True,
        )
        for buyer, (b_b, s_b, e_b, w_b) in zip(buyers, rows, strict=True):
            if buyer.private:
                budget += b_b
                spent += s_b
                eff += e_b
                wanted += w_b
        return Clearing(
            private_fill=spent / budget if budget > 0 else 1.0,
            unmet=budget - spent,
            shortage=min(max(1.0 - eff / wanted, 0.0), 1.0) if wanted > 0 else 0.0,
            price_index=spent / eff / self.list_price if eff > 0 else math.nan,
            rationed_units=res.rationed_units,
        )

    def domestic_share(self) -> float:
        """Domestic accelerators as a share of all shipped into the country, trailing twelve
        months (0 if none): resales from importers' stocks are not shipped again."""
        units = self.units_history.sum(axis=0)
        total = units[~self.channel_resale].sum()
        return float(units[self.channel_domestic].sum() / total) if total > 0 else 0.0

    def units_sold(self, *, domestic: bool) -> float:
        """k domestic (or foreign) accelerators shipped this month (resales excluded)."""
        mask = self.domestic if domestic else ~self.domestic & ~self.resale
        return float(self.units[mask].sum())


# --- the arithmetic ---------------------------------------------------------------------------
class MarketResult(NamedTuple):
    """Outcome of one month's market, over arrays (see :func:`clear_market`).

    Attributes
    ----------
    price : ndarray of shape (n_offers,)
        Clearing price per offer (US$ m per k accelerators), each at least its floor.
    units : ndarray of shape (n_buyers, n_offers)
        k accelerators bought by each buyer from each offer.
    spent : ndarray of shape (n_buyers,)
        US$ m each buyer paid; never more than its budget.
    effective : ndarray of shape (n_buyers,)
        k flagship-equivalent accelerators each buyer bought (``units @ perf``).
    offered : ndarray of shape (n_offers,)
        k accelerators offered per channel at the clearing price.
    wanted_at_list : ndarray of shape (n_buyers,)
        k flagship-equivalents each buyer would have bought with its whole budget at the
        flagship list price: the benchmark of the shortage.
    rationed_units : float
        k accelerators demanded at the clearing prices but not delivered (0 when the market
        cleared by price alone).
    iterations : int
        Newton steps taken.
    """

    price: np.ndarray
    units: np.ndarray
    spent: np.ndarray
    effective: np.ndarray
    offered: np.ndarray
    wanted_at_list: np.ndarray
    rationed_units: float
    iterations: int


@njit(cache=True)
def _demand(p, weights, budgets, perf, on, sigma, eta, ref):  # pragma: no cover (compiled)
    """Spending shares (n_buyers, n_offers), spending (n_buyers,) and units demanded (n_offers,)."""
    nb = weights.shape[0]
    nc = weights.shape[1]
    share = np.zeros((nb, nc))
    spend = np.zeros(nb)
    units = np.zeros(nc)
    q = np.ones(nc)
    for j in range(nc):
        if on[j]:
            q[j] = p[j] / perf[j]
    unit_elastic = abs(sigma - 1.0) < 1e-9
    for b in range(nb):
        asum = 0.0
        for j in range(nc):
            if on[j]:
                asum += weights[b, j]
        if asum <= 0.0:
            continue  # no channel on offer that this buyer buys: it spends nothing
        tsum = 0.0
        logsum = 0.0
        for j in range(nc):
            if on[j]:
                abar = weights[b, j] / asum
                share[b, j] = abar * q[j] ** (1.0 - sigma)
                tsum += share[b, j]
                logsum += abar * math.log(q[j])
        if tsum > 0.0:
            for j in range(nc):
                share[b, j] /= tsum
        if unit_elastic:
            index = math.exp(logsum)
        else:
            index = (tsum if tsum > 0.0 else 1.0) ** (1.0 / (1.0 - sigma))
        spend[b] = budgets[b] * min(1.0, (ref / index) ** eta)
        for j in range(nc):
            units[j] += spend[b] * share[b, j]
    for j in range(nc):
        units[j] /= p[j]
    return share, spend, units


@njit(cache=True)
def _newton(x, lo, supply, weights, budgets, perf, on, eps, sigma, eta, ref):  # pragma: no cover
    """Damped Newton steps on log prices (see the module docstring); returns (x, steps)."""
    nc = weights.shape[1]
    damp = np.ones(nc)
    z_prev = np.zeros(nc)
    z = np.zeros(nc)
    it = 0
    for it in range(1, _MAX_ITER + 1):  # noqa: B007 (the count is reported)
        p = np.exp(x)
        share, spend, demand = _demand(p, weights, budgets, perf, on, sigma, eta, ref)
        done = True
        for j in range(nc):
            if on[j] and demand[j] > 0.0:
                z[j] = math.log(demand[j] / (supply[j] * math.exp(eps[j] * (x[j] - lo[j]))))
            else:
                z[j] = -1.0
            # A channel is done when it clears, or at its floor with supply to spare.
            at_floor = x[j] <= lo[j] + 1e-12
            if on[j] and abs(z[j]) > _TOL and not (at_floor and z[j] < 0.0):
                done = False
        if done:
            break
        tot = spend.sum()
        for j in range(nc):
            s_bar = 0.0
            if tot > 0.0:
                for b in range(spend.shape[0]):
                    s_bar += spend[b] * share[b, j]
                s_bar /= tot
            elastic = max(1.0 + (sigma - 1.0) * (1.0 - s_bar) + eps[j], 1.0)
            # Halve a channel's step whenever its excess demand changes sign (an overshoot),
            # so the iteration cannot cycle whatever the elasticities.
            if z[j] * z_prev[j] < 0.0:
                damp[j] *= 0.5
            z_prev[j] = z[j]
            step = damp[j] * z[j] / elastic if on[j] else 0.0
            x[j] = max(x[j] + min(max(step, -2.0), 2.0), lo[j])
    return x, it


@njit(cache=True)
def _settle(x, lo, supply, weights, budgets, perf, on, eps, sigma, eta, ref):  # pragma: no cover
    """Prices, units bought (n_buyers, n_offers), units offered and units rationed at log
    prices ``x``: each offer delivers ``min(demand, offered)``, shared in proportion to demand."""
    p = np.exp(x)
    share, spend, demand = _demand(p, weights, budgets, perf, on, sigma, eta, ref)
    nb = weights.shape[0]
    nc = weights.shape[1]
    units = np.zeros((nb, nc))
    offered = np.zeros(nc)
    rationed = 0.0
    for j in range(nc):
        if on[j]:
            offered[j] = supply[j] * math.exp(eps[j] * (x[j] - lo[j]))
        sold = min(demand[j], offered[j])
        fill = sold / demand[j] if demand[j] > 0.0 else 0.0
        rationed += demand[j] - sold
        for b in range(nb):
            units[b, j] = spend[b] * share[b, j] / p[j] * fill
    return p, units, offered, rationed


def clear_market(
    supply: np.ndarray,
    floor: np.ndarray,
    perf: np.ndarray,
    budgets: np.ndarray,
    weights: np.ndarray,
    *,
    supply_elasticity: np.ndarray,
    substitution: float,
    price_elasticity: float,
    ref_price: float,
    start: np.ndarray | None = None,
) -> MarketResult:
    """Clear one month's accelerator market by price, over arrays (one column per offer).

    Parameters
    ----------
    supply : ndarray of shape (n_offers,)
        k accelerators each channel offers at its floor price (``Q0``).
    floor : ndarray of shape (n_offers,)
        Lowest price at which each channel sells (US$ m per k), > 0.
    perf : ndarray of shape (n_offers,)
        Performance relative to the foreign flagship, >= 0 (0: useless, never bought).
    budgets : ndarray of shape (n_buyers,)
        Most each buyer would spend this month (US$ m), >= 0.
    weights : ndarray of shape (n_buyers, n_offers)
        Preference weights, >= 0 (0: the buyer does not buy that channel).
    supply_elasticity : ndarray of shape (n_offers,)
        ``ε_j`` of each channel's supply, >= 0.
    substitution : float
        ``σ`` > 0, elasticity of substitution between channels.
    price_elasticity : float
        ``η`` >= 0, elasticity of spending to the price index above ``ref_price``.
    ref_price : float
        Price per flagship-equivalent at which buyers spend their whole budget (list price).
    start : ndarray of shape (n_offers,), optional
        Starting prices (last month's); defaults to the floors.
    """
    floor = np.asarray(floor, dtype=float)
    supply = np.maximum(np.asarray(supply, dtype=float), 0.0)
    perf = np.asarray(perf, dtype=float)
    budgets = np.maximum(np.asarray(budgets, dtype=float), 0.0)
    weights = np.asarray(weights, dtype=float)
    eps = np.asarray(supply_elasticity, dtype=float)
    on = (supply >= MIN_UNITS) & (perf > 0)
    lo = np.log(floor)
    x = lo.copy() if start is None else np.maximum(np.log(start), lo)
    sigma, eta = float(substitution), float(price_elasticity)
    x, it = _newton(x, lo, supply, weights, budgets, perf, on, eps, sigma, eta, float(ref_price))
    p, units, offered, rationed = _settle(
        x, lo, supply, weights, budgets, perf, on, eps, sigma, eta, ref_price
    )
    ref = ref_price if ref_price > 0 else 1.0
    return MarketResult(
        price=p,
        units=units,
        # Row sums in channel order (not a BLAS product, whose order of additions depends on
        # the number of channels): an offer of nothing adds exact zeros and changes no bit.
        spent=(units * p).sum(axis=1),
        effective=(units * perf).sum(axis=1),
        offered=offered,
        wanted_at_list=budgets / ref,
        rationed_units=rationed,
        iterations=it,
    )
