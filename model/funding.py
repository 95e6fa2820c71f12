"""How city funds and private investors choose niches and startups.

Pure functions over arrays, called by the investors (:mod:`statecraft.institutions`) each month.
Keeping them free of model state makes the herding and coordination rules testable on their own.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["allocate_by_group", "niche_weights", "own_views"]


def own_views(perceived_value: np.ndarray, taste: np.ndarray) -> np.ndarray:
    """Each fund's own, independent niche weights: ``taste * perceived / sum(...)`` per row.

    This is what each city would do without looking at the others (no herding, no
    coordination): the benchmark of :func:`statecraft.metrics.duplication_index`.
    """
    own = taste * perceived_value[None, :]
    total = own.sum(axis=1, keepdims=True)
    return np.divide(own, total, out=np.full_like(own, 1.0 / own.shape[1]), where=total > 0)


def niche_weights(
    perceived_value: np.ndarray,
    taste: np.ndarray,
    recent_equity: np.ndarray,
    herding: float,
    coordination: float,
    conformity: float = 2.0,
    signal_weight: float = 0.3,
) -> np.ndarray:
    """Share of each fund's equity budget that goes to each niche.

    Parameters
    ----------
    perceived_value : ndarray of shape (n_niches,)
        The state's (lagged) view of each niche's value (S7).
    taste : ndarray of shape (n_funds, n_niches)
        Each fund's own, persistent preference multipliers.
    recent_equity : ndarray of shape (n_funds, n_niches)
        Equity each fund put into each niche over the trailing 12 months.
    herding : float in [0, 1]
        Weight on imitation (S5) instead of the fund's own view.
    coordination : float in [0, 1]
        Central coordination (S6): takes from a fund's weight on a niche the share of that
        niche's recent equity that came from *other* cities, and gives what it takes to the
        niches the fund favours that others leave free, so cities specialise.
    conformity : float >= 0, default=2.0
        Exponent on other cities' recent equity: above 1, popular niches are copied more than
        in proportion (conformist imitation).
    signal_weight : float in [0, 1], default=0.3
        Weight of the state's signal (its perceived hottest niche) within imitation.

    Returns
    -------
    ndarray of shape (n_funds, n_niches)
        Rows sum to 1.

    Notes
    -----
    ``own = taste * perceived / sum(taste * perceived)`` (:func:`own_views`);
    ``O[f] = (sum of other funds' recent equity)^conformity``, normalised per row (the state's
    signal alone while others have no record);
    ``imitate = (1 - signal_weight) * O + signal_weight * onehot(argmax(perceived))``;
    ``a = (1 - herding) * own + herding * imitate``;
    ``p = coordination * others_share`` (per fund and niche);
    ``g = own * (1 - p) / sum(own * (1 - p))`` (the fund's view of the niches others leave
    free; ``own`` if none is free);
    ``w = a * (1 - p) + g * sum(a * p)``. Rows of ``a`` and ``g`` sum to 1, so rows of ``w`` do
    too. Imitation feeds on itself through ``recent_equity``: a niche that other cities back
    attracts more of each city's money next month, so herds form from the cities' interaction.
    """
    return _niche_weights(
        np.asarray(perceived_value, dtype=float),
        np.asarray(taste, dtype=float),
        np.asarray(recent_equity, dtype=float),
        float(herding),
        float(coordination),
        float(conformity),
        float(signal_weight),
    )


@njit(cache=True)
def _niche_weights(
    value, taste, recent, herding, coordination, conformity, signal_weight
):  # pragma: no cover (compiled)
    """The rule of :func:`niche_weights`, one fund and niche at a time (the arrays are a few
    funds by a few niches, where numpy's per-call overhead is most of the cost)."""
    n_f, k = taste.shape
    hot = np.argmax(value)
    total = np.zeros(k)
    for f in range(n_f):
        for j in range(k):
            total[j] += recent[f, j]
    out = np.empty((n_f, k))
    own = np.empty(k)
    peer = np.empty(k)
    free = np.empty(k)
    for f in range(n_f):
        own_sum = 0.0
        for j in range(k):
            own[j] = taste[f, j] * value[j]
            own_sum += own[j]
        for j in range(k):
            own[j] = own[j] / own_sum if own_sum > 0 else 1.0 / k
        osum = 0.0
        for j in range(k):
            peer[j] = max(total[j] - recent[f, j], 0.0)
            osum += peer[j]
        peer_sum = 0.0
        for j in range(k):
            mix = peer[j] / osum if osum > 0 else peer[j]
            if conformity > 0:
                peer[j] = mix**conformity
            else:
                peer[j] = 1.0 if mix > 0 else 0.0
            peer_sum += peer[j]
        taken = 0.0
        free_sum = 0.0
        for j in range(k):
            hot_j = 1.0 if j == hot else 0.0
            p = peer[j] / peer_sum if peer_sum > 0 else hot_j
            imitate = (1.0 - signal_weight) * p + signal_weight * hot_j
            attract = (1.0 - herding) * own[j] + herding * imitate
            others = max(total[j] - recent[f, j], 0.0)
            share = others / total[j] if total[j] > 0 else 0.0
            penalty = coordination * share
            taken += attract * penalty
            out[f, j] = attract * (1.0 - penalty)
            free[j] = own[j] * (1.0 - penalty)
            free_sum += free[j]
        for j in range(k):
            target = free[j] / free_sum if free_sum > 1e-12 else own[j]
            out[f, j] += target * taken
    return out


def allocate_by_group(
    group: np.ndarray, cost: np.ndarray, score: np.ndarray, budget: np.ndarray
) -> np.ndarray:
    """Fund candidates in order of score within each group until the group's budget runs out.

    Parameters
    ----------
    group : int ndarray of shape (n,)
        Group of each candidate (e.g. ``city * n_niches + niche``).
    cost : ndarray of shape (n,)
        What funding each candidate costs.
    score : ndarray of shape (n,)
        Higher is funded first.
    budget : ndarray of shape (n_groups,)
        Money available per group.

    Returns
    -------
    bool ndarray of shape (n,)
        Which candidates are funded. The funded cost of a group never exceeds its budget.
    """
    group = np.asarray(group, dtype=np.int64)
    if len(group) and (group.min() < 0 or group.max() >= len(budget)):
        raise ValueError("allocate_by_group: a group index is outside the budget array")
    score = np.asarray(score, dtype=float)
    # numpy's default (SIMD) sort is several times faster than its stable sort or a compiled
    # one; _allocate then puts tied scores back in the candidates' order, so the result does
    # not depend on how the sort treats ties.
    by_score = np.argsort(-score)
    return _allocate(
        group, np.asarray(cost, dtype=float), by_score, score, np.asarray(budget, dtype=float)
    )


@njit(cache=True)
def _allocate(group, cost, by_score, score, budget):  # pragma: no cover (compiled)
    """Tied scores in candidate order, then a running total of each group's cost in score
    order against the group's budget."""
    n = len(group)
    n_groups = len(budget)
    funded = np.zeros(n, dtype=np.bool_)
    start = 0
    while start < n:  # a run of equal scores: sort its (few) indices ascending
        end = start + 1
        while end < n and score[by_score[end]] == score[by_score[start]]:
            end += 1
        if end - start > 1:
            by_score[start:end] = np.sort(by_score[start:end])
        start = end
    total = np.zeros(n_groups)
    stopped = np.zeros(n_groups, dtype=np.bool_)
    for i in by_score:
        g = group[i]
        if stopped[g]:
            continue
        total[g] += cost[i]
        if total[g] <= budget[g]:
            funded[i] = True
        else:
            stopped[g] = True  # the running total only grows: nobody later fits
    return funded
