import numpy as np
from statecraft.funding import allocate_by_group, niche_weights


def test_allocation_never_exceeds_group_budget_and_funds_best_first():
    rng = np.random.default_rng(0)
    n = 500
    group = rng.integers(0, 6, n)
    cost = rng.uniform(0.1, 2.0, n)
    score = rng.normal(size=n)
    budget = rng.uniform(0, 50, 6)
    funded = allocate_by_group(group, cost, score, budget)
    for g in range(6):
        in_g = group == g
        assert cost[funded & in_g].sum() <= budget[g] + 1e-9
        if (funded & in_g).any() and (~funded & in_g).any():
            assert score[funded & in_g].min() >= score[~funded & in_g].max()


def test_full_herding_puts_everything_on_the_hottest_niche():
    value = np.array([1.0, 3.0, 2.0])
    taste = np.ones((4, 3))
    w = niche_weights(value, taste, np.zeros((4, 3)), herding=1.0, coordination=0.0)
    np.testing.assert_allclose(w, np.tile([0.0, 1.0, 0.0], (4, 1)))


def test_weights_are_shares_and_coordination_spreads_funds():
    rng = np.random.default_rng(1)
    value = np.array([1.0, 3.0, 2.0])
    taste = rng.lognormal(0, 0.3, (5, 3))
    recent = np.zeros((5, 3))
    recent[0, 1] = 10.0  # fund 0 already owns niche 1
    free = niche_weights(value, taste, recent, herding=0.5, coordination=0.0)
    coord = niche_weights(value, taste, recent, herding=0.5, coordination=1.0)
    for w in (free, coord):
        np.testing.assert_allclose(w.sum(axis=1), 1.0)
        assert (w >= 0).all()
    # Other funds move away from niche 1; fund 0 keeps it.
    assert (coord[1:, 1] < free[1:, 1]).all()
    assert coord[0, 1] >= free[0, 1]


def test_coordination_works_even_when_every_fund_chases_the_hot_niche():
    value = np.array([1.0, 3.0, 2.0])
    taste = np.ones((4, 3))
    recent = np.zeros((4, 3))
    recent[:, 1] = 5.0  # everybody is already in the hot niche
    herd = niche_weights(value, taste, recent, herding=1.0, coordination=0.0)
    coord = niche_weights(value, taste, recent, herding=1.0, coordination=1.0)
    np.testing.assert_allclose(coord.sum(axis=1), 1.0)
    assert (herd[:, 1] == 1.0).all()
    assert (coord[:, 1] < 0.5).all()  # most of the money moves to the other niches


def _weights_as_documented(value, taste, recent, herding, coordination, conformity, signal):
    """The Notes of `niche_weights`, transcribed into whole-array numpy."""
    own = taste * value[None, :]
    own = own / own.sum(axis=1, keepdims=True)
    hot = np.eye(len(value))[np.argmax(value)]
    total = recent.sum(axis=0, keepdims=True)
    others = np.maximum(total - recent, 0.0)
    osum = others.sum(axis=1, keepdims=True)
    mix = others / np.where(osum > 0, osum, 1.0)
    peer = mix**conformity if conformity > 0 else (mix > 0).astype(float)
    psum = peer.sum(axis=1, keepdims=True)
    peer = np.where(psum > 0, peer / np.where(psum > 0, psum, 1.0), hot[None, :])
    attract = (1 - herding) * own + herding * ((1 - signal) * peer + signal * hot[None, :])
    share = np.divide(others, total, out=np.zeros_like(others), where=total > 0)
    penalty = coordination * share
    free = own * (1 - penalty)
    fsum = free.sum(axis=1, keepdims=True)
    target = np.where(fsum > 1e-12, free / np.where(fsum > 0, fsum, 1.0), own)
    return attract * (1 - penalty) + target * (attract * penalty).sum(axis=1, keepdims=True)


def test_compiled_niche_weights_follow_the_documented_rule():
    rng = np.random.default_rng(7)
    for trial in range(300):
        value = rng.uniform(0.1, 3.0, 7)
        taste = rng.lognormal(0.0, 0.5, (6, 7))
        recent = rng.uniform(0, 5, (6, 7)) * (rng.random((6, 7)) < 0.5)
        if trial % 4 == 0:
            recent[1:] = 0.0  # only one city has a record
        args = (rng.random(), rng.random(), rng.choice([0.0, 0.5, 2.0]), rng.random())
        w = niche_weights(value, taste, recent, *args)
        np.testing.assert_allclose(
            w, _weights_as_documented(value, taste, recent, *args), atol=1e-12
        )
        np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
        assert (w >= -1e-15).all()


def test_tied_scores_are_funded_in_candidate_order():
    """The sort that ranks candidates may order ties any way; the allocation must not."""
    group = np.zeros(8, dtype=int)
    score = np.array([1.0, 2.0, 2.0, 2.0, 0.0, 2.0, 2.0, 2.0])
    funded = allocate_by_group(group, np.ones(8), score, np.array([3.0]))
    assert funded.tolist() == [False, True, True, True, False, False, False, False]
    shuffled = allocate_by_group(group[::-1], np.ones(8), score[::-1], np.array([3.0]))
    assert shuffled.tolist() == [True, True, True, False, False, False, False, False]
