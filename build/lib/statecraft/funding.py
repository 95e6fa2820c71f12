"""How city funds and private investors choose niches and startups.

Pure functions over arrays, called by :class:`statecraft.model.StatecraftModel` each month. Keeping
them free of model state makes the herding and coordination rules testable on their own.
"""

from __future__ import annotations

import numpy as np

__all__ = ["allocate_by_group", "niche_weights"]


def niche_weights(
    perceived_value: np.ndarray,
    taste: np.ndarray,
    recent_equity: np.ndarray,
    herding: float,
    coordination: float,
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
        Weight on the nationally hottest niche (S5): 1 puts every fund's whole budget there.
    coordination : float in [0, 1]
        Central coordination (S6): takes from a fund's weight on a niche the share of that
        niche's recent equity that came from *other* cities, and gives what it takes to the
        niches the fund favours that others leave free, so cities specialise.

    Returns
    -------
    ndarray of shape (n_funds, n_niches)
        Rows sum to 1.

    Notes
    -----
    ``own = taste * perceived / sum(taste * perceived)``;
    ``hot = onehot(argmax(perceived))``;
    ``a = (1 - herding) * own + herding * hot``;
    ``p = coordination * others_share`` (per fund and niche);
    ``g = own * (1 - p) / sum(own * (1 - p))`` (the fund's view of the niches others leave
    free; ``own`` if none is free);
    ``w = a * (1 - p) + g * sum(a * p)``. Rows of ``a`` and ``g`` sum to 1, so rows of ``w`` do
    too. Coordination thus works even against full herding: what it takes from crowded niches
    goes to the fund's own, less crowded specialisations.
    """
    own = taste * perceived_value[None, :]
    own = own / own.sum(axis=1, keepdims=True)
    hot = np.zeros_like(perceived_value)
    hot[int(np.argmax(perceived_value))] = 1.0
    attract = (1.0 - herding) * own + herding * hot[None, :]
    total = recent_equity.sum(axis=0, keepdims=True)
    others = total - recent_equity
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
    n = len(group)
    funded = np.zeros(n, dtype=bool)
    if n == 0:
        return funded
    order = np.lexsort((-score, group))
    g = group[order]
    c = cost[order]
    csum = np.cumsum(c)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    offset = np.repeat(np.r_[0.0, csum[starts[1:] - 1]], np.diff(np.r_[starts, n]))
    within = csum - offset
    funded[order] = within <= budget[g]
    return funded
