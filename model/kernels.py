"""Compiled loops over the startup population (numba).

Each function here is one pass over the startups that the model would otherwise write as a
dozen whole-array numpy operations. At the model's sizes (1,000 to 10,000 startups, seven
niches, six cities) numpy's per-call overhead dominates those operations, so fusing them
into one loop is what makes a run cheap enough to calibrate (``benchmarks/bench_model.py``).
The functions are pure: they take arrays and numbers and return arrays, draw nothing at
random (the model draws before calling them, so the stream of draws is unchanged), and are
compiled once and cached on disk (``cache=True``).

The equations are documented where they are used, in the participants that call them, and in
``docs/ODD.md`` §7.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "city_subsidies",
    "niche_leaders",
    "overlap",
    "relocate",
    "revenue_hhi",
    "revenue_shares",
    "top_quantile",
    "update_status",
]


@njit(cache=True)
def top_quantile(values, rank):  # pragma: no cover (compiled)
    """``np.quantile(values, 1 - rank / n)`` (linear interpolation, clipped to the sample) by
    one partition: the value with ``rank`` values above it."""
    n = len(values)
    h = (n - 1) * min(max(1.0 - rank / n, 0.0), 1.0)
    lo = int(h)
    hi = min(lo + 1, n - 1)
    part = np.partition(values, lo)
    v_lo = part[lo]
    v_hi = part[lo + 1 :].min() if hi > lo else v_lo
    return v_lo + (h - lo) * (v_hi - v_lo)


@njit(cache=True)
def niche_leaders(capability, niche, k, rank):  # pragma: no cover (compiled)
    """Each niche's best capability and its leading labs' capability (the value with ``rank``
    startups above it); -inf and +inf for a niche without startups."""
    n = len(capability)
    starts = np.zeros(k + 1, dtype=np.int64)
    for i in range(n):
        starts[niche[i] + 1] += 1
    for g in range(k):
        starts[g + 1] += starts[g]
    pos = starts[:-1].copy()
    grouped = np.empty(n)
    for i in range(n):
        grouped[pos[niche[i]]] = capability[i]
        pos[niche[i]] += 1
    best = np.full(k, -np.inf)
    lead = np.full(k, np.inf)
    for g in range(k):
        if starts[g + 1] > starts[g]:
            vals = grouped[starts[g] : starts[g + 1]]
            best[g] = vals.max()
            lead[g] = top_quantile(vals, rank)
    return best, lead


@njit(cache=True)
def revenue_shares(
    capability, niche, earning, k, pool_base, crowding, elasticity
):  # pragma: no cover (compiled)
    """Each startup's revenue this month and its share of its niche's revenue.

    A niche's pool ``pool_base`` shrinks with the number of earning startups in it
    (``/ (1 + crowding * n_earning)``) and is shared by ``2^(elasticity * (c - c_max))``
    among the earning startups, ``c_max`` the niche's best earning capability (ODD §7.16).
    Also returns each niche's revenue (the sum over its startups).
    """
    n = len(capability)
    n_k = np.zeros(k)
    cmax = np.full(k, -np.inf)
    for i in range(n):
        if earning[i]:
            g = niche[i]
            n_k[g] += 1.0
            if capability[i] > cmax[g]:
                cmax[g] = capability[i]
    pool = np.empty(k)
    for g in range(k):
        pool[g] = pool_base[g] / (1.0 + crowding * n_k[g])
    weight = np.zeros(n)
    wsum = np.zeros(k)
    for i in range(n):
        if earning[i]:
            g = niche[i]
            weight[i] = 2.0 ** (elasticity * min(capability[i] - cmax[g], 0.0))
            wsum[g] += weight[i]
    share = np.zeros(n)
    revenue = np.zeros(n)
    niche_revenue = np.zeros(k)
    for i in range(n):
        g = niche[i]
        if wsum[g] > 0.0:
            share[i] = weight[i] / wsum[g]
            revenue[i] = share[i] * pool[g]
        niche_revenue[g] += revenue[i]
    return revenue, share, niche_revenue


@njit(cache=True)
def city_subsidies(
    city,
    niche,
    burn,
    age,
    research_covered,
    niche_w,
    balance,
    max_age,
    research_rate,
    compute_share,
    cash_cap,
    voucher_match,
    split,
):  # pragma: no cover (compiled)
    """This month's subsidies from each city's subsidy balance (ODD §7.7).

    First a share ``research_rate`` of the research costs (burn other than compute) of covered
    startups no older than ``max_age`` months, scaled down pro rata when the city's balance
    is short (M7); what is left is split into compute-voucher, model-discount and data pots
    (``split``), shared among the city's startups by niche weight times burn. Vouchers are
    capped at ``voucher_match`` of the startup's compute spending, cash subsidies at
    ``cash_cap`` of its burn. Returns each startup's voucher and cash subsidy and the cash
    paid per city.
    """
    n = len(city)
    n_f = len(balance)
    need = np.zeros(n)
    weight = np.zeros(n)
    need_by_city = np.zeros(n_f)
    w_by_city = np.zeros(n_f)
    for i in range(n):
        c = city[i]
        if age[i] <= max_age and research_covered[i]:
            need[i] = research_rate * (1.0 - compute_share) * burn[i]
        need_by_city[c] += need[i]
        weight[i] = niche_w[c, niche[i]] * burn[i]
        w_by_city[c] += weight[i]
    frac = np.zeros(n_f)
    pot = np.zeros((n_f, 3))
    for f in range(n_f):
        if need_by_city[f] > 0.0:
            frac[f] = min(1.0, balance[f] / need_by_city[f])
        rest = max(balance[f] - frac[f] * need_by_city[f], 0.0)
        for j in range(3):
            pot[f, j] = rest * split[j]
    voucher = np.zeros(n)
    cash = np.zeros(n)
    paid = np.zeros(n_f)
    for i in range(n):
        c = city[i]
        research = need[i] * frac[c]
        share = weight[i] / w_by_city[c] if w_by_city[c] > 0.0 else 0.0
        voucher[i] = min(share * pot[c, 0], voucher_match * compute_share * burn[i])
        room = max(cash_cap * burn[i] - research, 0.0)
        cash[i] = research + min(share * (pot[c, 1] + pot[c, 2]), room)
        paid[c] += cash[i]
    return voucher, cash, paid


@njit(cache=True)
def update_status(
    capability,
    niche,
    genai_niche,
    approved,
    produced,
    released,
    u_approve,
    u_release,
    rules,
    niche_best,
    niche_lead,
    domestic_best,
    doubling,
    produced_gap,
    approval_gap,
    approval_probability,
    open_level,
    open_propensity,
    useful_gap,
):  # pragma: no cover (compiled)
    """Produced capability, approvals, open releases and who earns revenue this month
    (ODD §7.14–7.16); updates ``approved``, ``produced`` and ``released`` in place.

    ``u_approve`` and ``u_release`` are the month's uniform draws, one per startup
    (``u_approve`` is read only under the rules). Returns the number approved, the number
    released, the best released capability (-inf if none) and the earning mask.
    """
    n = len(capability)
    earning = np.zeros(n, dtype=np.bool_)
    n_approved = 0
    n_released = 0
    top = -np.inf
    for i in range(n):
        g = niche[i]
        c = capability[i]
        if (niche_lead[g] - c) * doubling <= produced_gap:
            produced[i] = True
        genai = genai_niche[g]
        if (
            rules
            and genai
            and not approved[i]
            and (domestic_best - c) * doubling <= approval_gap
            and u_approve[i] < approval_probability
        ):
            approved[i] = True
            n_approved += 1
        if produced[i] and c >= open_level and u_release[i] < open_propensity:
            released[i] = True
            n_released += 1
            if c > top:
                top = c
        useful = (niche_best[g] - c) * doubling <= useful_gap
        earning[i] = approved[i] if (rules and genai) else useful
    return n_approved, n_released, top, earning


@njit(cache=True)
def relocate(cand, city, niche, raised, niche_w, balance, order, ratio):  # pragma: no cover
    """Relocation offers (M8), one fund at a time in ``order``: a fund lures candidates from
    other cities in niches it weights above average (``1 / k``), offering ``ratio`` times the
    round just raised, in candidate order while its relocation balance lasts (the first offer
    it cannot afford ends its list). Returns each candidate's new city (-1: stays), the offer,
    and what each fund pays."""
    n = len(cand)
    k = niche_w.shape[1]
    dest = np.full(n, -1, dtype=np.int64)
    offer = np.zeros(n)
    paid = np.zeros(len(balance))
    for f in order:
        if balance[f] <= 0.0:
            continue
        total = 0.0
        for m in range(n):
            i = cand[m]
            if dest[m] >= 0 or city[i] == f or niche_w[f, niche[i]] <= 1.0 / k:
                continue
            amount = ratio * raised[i]
            total += amount
            if total > balance[f]:
                break
            dest[m] = f
            offer[m] = amount
            paid[f] += amount
    return dest, offer, paid


@njit(cache=True)
def overlap(x, size):  # pragma: no cover (compiled)
    """Money-weighted mean of ``sum_k x[f, k] x[g, k]`` over pairs of different funds."""
    n_f, k = x.shape
    num = 0.0
    den = 0.0
    for f in range(n_f):
        for g in range(n_f):
            if f == g:
                continue
            w = size[f] * size[g]
            dot = 0.0
            for j in range(k):
                dot += x[f, j] * x[g, j]
            num += dot * w
            den += w
    return num / den if den > 0 else 0.0


@njit(cache=True)
def revenue_hhi(revenue, niche, k):  # pragma: no cover (compiled)
    """Revenue-weighted mean over niches of each niche's Herfindahl–Hirschman index."""
    niche_rev = np.zeros(k)
    total = 0.0
    for i in range(len(revenue)):
        niche_rev[niche[i]] += revenue[i]
        total += revenue[i]
    if total <= 0.0:
        return 0.0
    hhi = np.zeros(k)
    for i in range(len(revenue)):
        g = niche[i]
        if niche_rev[g] > 0.0:
            share = revenue[i] / niche_rev[g]
            hhi[g] += share * share
    out = 0.0
    for g in range(k):
        out += hhi[g] * niche_rev[g]
    return out / total
