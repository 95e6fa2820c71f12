"""How city funds and private investors choose niches and startups.

Pure functions over arrays, called by :class:`model.model.StatecraftModel` each month. Keeping
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
        Central coordination (S6): scales down a fund's weight on a niche by the share of that
        niche's recent equity that came from *other* cities, so that funds spread out.

    Returns
    -------
    ndarray of shape (n_funds, n_niches)
        Rows sum to 1.

    Notes
    -----
    ``own = taste * perceived / sum(taste * perceived)``;
    ``hot = onehot(argmax(perceived))``;
    ``a = ((1 - herding) * own + herding * hot) * (1 - coordination * others_share)``,
    renormalised per fund. With ``coordination = 1`` a niche wholly funded by other cities gets
    nothing from this fund.
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
    attract = attract * (1.0 - coordination * others_share)
    sums = attract.sum(axis=1, keepdims=True)
    # A fund whose every niche is fully taken by others falls back to its own view.
    return np.where(sums > 1e-12, attract / np.where(sums > 0, sums, 1.0), own)


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
