"""How city funds and private investors choose niches and startups.

Pure functions over arrays, called by :class:`statecraft.model.StatecraftModel` each month. Keeping
them free of model state makes the herding and coordination rules testable on their own.
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
    own = own_views(perceived_value, taste)
    hot = np.zeros_like(perceived_value)
    hot[int(np.argmax(perceived_value))] = 1.0
    total = recent_equity.sum(axis=0, keepdims=True)
    others = np.maximum(total - recent_equity, 0.0)
    osum = others.sum(axis=1, keepdims=True)
    mix = others / np.where(osum > 0, osum, 1.0)  # shares, so the power cannot overflow
    peer = mix**conformity if conformity > 0 else (mix > 0).astype(float)
    peer_sum = peer.sum(axis=1, keepdims=True)
    has_peer = peer_sum > 0
    peer = np.where(has_peer, peer / np.where(has_peer, peer_sum, 1.0), hot[None, :])
    imitate = (1.0 - signal_weight) * peer + signal_weight * hot[None, :]
    attract = (1.0 - herding) * own + herding * imitate
    with np.errstate(invalid="ignore", divide="ignore"):
        others_share = np.where(total > 0, others / total, 0.0)
    penalty = coordination * others_share
    taken = (attract * penalty).sum(axis=1, keepdims=True)
    # What is taken goes to the fund's own view of the niches others leave free.
    free = own * (1.0 - penalty)
    free_sum = free.sum(axis=1, keepdims=True)
    target = np.where(free_sum > 1e-12, free / np.where(free_sum > 0, free_sum, 1.0), own)
    return attract * (1.0 - penalty) + target * taken


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
    return _allocate(
        group,
        np.asarray(cost, dtype=float),
        np.asarray(score, dtype=float),
        np.asarray(budget, dtype=float),
    )


@njit(cache=True)
def _allocate(group, cost, score, budget):  # pragma: no cover (compiled)
    """Counting sort by group (stable), a stable sort by descending score within each group
    (ties keep the candidates' order), then a running total against the group's budget."""
    n = len(group)
    n_groups = len(budget)
    funded = np.zeros(n, dtype=np.bool_)
    starts = np.zeros(n_groups + 1, dtype=np.int64)
    for i in range(n):
        starts[group[i] + 1] += 1
    for g in range(n_groups):
        starts[g + 1] += starts[g]
    order = np.empty(n, dtype=np.int64)
    pos = starts[:-1].copy()
    for i in range(n):
        order[pos[group[i]]] = i
        pos[group[i]] += 1
    for g in range(n_groups):
        lo, hi = starts[g], starts[g + 1]
        if hi == lo:
            continue
        idx = order[lo:hi]
        ranked = idx[np.argsort(-score[idx], kind="mergesort")]
        total = 0.0
        for i in ranked:
            total += cost[i]
            funded[i] = total <= budget[g]
    return funded
