"""The monthly accelerator market: prices that clear supply and demand (C1, C5–C10).

Four channels: foreign flagship (``hi``), licensed reduced-performance (``lic``, H20-like),
grey/smuggled (``grey``) and domestic (``dom``). Each month :func:`clear_market` finds the
prices at which what buyers want equals what sellers offer.

Demand. Each buyer ``b`` (startups, large platforms, the public compute programme) has a budget
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
returns what each buyer bought and paid, and leaves accounting to the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

__all__ = ["CHANNELS", "MarketResult", "clear_market"]

CHANNELS = ("hi", "lic", "grey", "dom")
HI, LIC, GREY, DOM = range(4)

_TOL = 1e-3  # |log D - log Q| at which a channel counts as cleared
_MAX_ITER = 200


@dataclass(frozen=True)
class MarketResult:
    """Outcome of one month's market.

    Attributes
    ----------
    price : ndarray of shape (4,)
        Clearing price per channel (US$ m per k accelerators), each at least its floor.
    units : ndarray of shape (n_buyers, 4)
        k accelerators bought by each buyer per channel.
    spent : ndarray of shape (n_buyers,)
        US$ m each buyer paid; never more than its budget.
    effective : ndarray of shape (n_buyers,)
        k flagship-equivalent accelerators each buyer bought (``units @ perf``).
    offered : ndarray of shape (4,)
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
    """Spending shares (n_buyers, 4), spending (n_buyers,) and units demanded (4,)."""
    nb = weights.shape[0]
    share = np.zeros((nb, 4))
    spend = np.zeros(nb)
    units = np.zeros(4)
    q = np.ones(4)
    for j in range(4):
        if on[j]:
            q[j] = p[j] / perf[j]
    unit_elastic = abs(sigma - 1.0) < 1e-9
    for b in range(nb):
        asum = 0.0
        for j in range(4):
            if on[j]:
                asum += weights[b, j]
        if asum <= 0.0:
            continue  # no channel on offer that this buyer buys: it spends nothing
        tsum = 0.0
        logsum = 0.0
        for j in range(4):
            if on[j]:
                abar = weights[b, j] / asum
                share[b, j] = abar * q[j] ** (1.0 - sigma)
                tsum += share[b, j]
                logsum += abar * math.log(q[j])
        if tsum > 0.0:
            for j in range(4):
                share[b, j] /= tsum
        if unit_elastic:
            index = math.exp(logsum)
        else:
            index = (tsum if tsum > 0.0 else 1.0) ** (1.0 / (1.0 - sigma))
        spend[b] = budgets[b] * min(1.0, (ref / index) ** eta)
        for j in range(4):
            units[j] += spend[b] * share[b, j]
    for j in range(4):
        units[j] /= p[j]
    return share, spend, units


@njit(cache=True)
def _newton(x, lo, supply, weights, budgets, perf, on, eps, sigma, eta, ref):  # pragma: no cover
    """Damped Newton steps on log prices (see the module docstring); returns (x, steps)."""
    damp = np.ones(4)
    z_prev = np.zeros(4)
    z = np.zeros(4)
    it = 0
    for it in range(1, _MAX_ITER + 1):  # noqa: B007 (the count is reported)
        p = np.exp(x)
        share, spend, demand = _demand(p, weights, budgets, perf, on, sigma, eta, ref)
        done = True
        for j in range(4):
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
        for j in range(4):
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
    """Prices, units bought (n_buyers, 4), units offered and units rationed at log prices ``x``:
    each channel delivers ``min(demand, offered)``, shared in proportion to demand."""
    p = np.exp(x)
    share, spend, demand = _demand(p, weights, budgets, perf, on, sigma, eta, ref)
    nb = weights.shape[0]
    units = np.zeros((nb, 4))
    offered = np.zeros(4)
    rationed = 0.0
    for j in range(4):
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
    """Clear one month's accelerator market by price.

    Parameters
    ----------
    supply : ndarray of shape (4,)
        k accelerators each channel offers at its floor price (``Q0``).
    floor : ndarray of shape (4,)
        Lowest price at which each channel sells (US$ m per k), > 0.
    perf : ndarray of shape (4,)
        Performance relative to the foreign flagship, >= 0 (0: useless, never bought).
    budgets : ndarray of shape (n_buyers,)
        Most each buyer would spend this month (US$ m), >= 0.
    weights : ndarray of shape (n_buyers, 4)
        Preference weights, >= 0 (0: the buyer does not buy that channel).
    supply_elasticity : ndarray of shape (4,)
        ``ε_j`` of each channel's supply, >= 0.
    substitution : float
        ``σ`` > 0, elasticity of substitution between channels.
    price_elasticity : float
        ``η`` >= 0, elasticity of spending to the price index above ``ref_price``.
    ref_price : float
        Price per flagship-equivalent at which buyers spend their whole budget (list price).
    start : ndarray of shape (4,), optional
        Starting prices (last month's); defaults to the floors.
    """
    floor = np.asarray(floor, dtype=float)
    supply = np.maximum(np.asarray(supply, dtype=float), 0.0)
    perf = np.asarray(perf, dtype=float)
    budgets = np.maximum(np.asarray(budgets, dtype=float), 0.0)
    weights = np.asarray(weights, dtype=float)
    eps = np.asarray(supply_elasticity, dtype=float)
    on = (supply > 0) & (perf > 0)
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
        spent=units @ p,
        effective=units @ perf,
        offered=offered,
        wanted_at_list=budgets / ref,
        rationed_units=rationed,
        iterations=it,
    )
