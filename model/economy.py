"""The economy startups sell into: what each niche is worth, as it is and as it is seen, and how
far AI use has spread (S7, S12).

:class:`Economy` owns the niche values — true, perceived by the state (slowly) and by private
markets (fast) — and the Bass diffusion of AI adoption, slowed by the capability gap.
"""

from __future__ import annotations

import math

import numpy as np

from .params import GENAI_NICHES, NICHES, Params

__all__ = ["Economy"]


class Economy:
    """Niche values and AI adoption.

    Attributes
    ----------
    base_value, true_value, state_value, market_value : ndarray of shape (n_niches,)
        Value of each niche before the paradigm shift, now, as the state sees it and as private
        markets see it.
    genai, devalued : ndarray of bool
        Generative-AI niches, and niches the shift devalues (S7).
    adoption : float
        Share of the economy using AI, in [0, 1].
    """

    def __init__(self, p: Params, shift_step: int) -> None:
        self.p = p
        self.shift_step = shift_step  # 0-based month of the paradigm shift
        self.genai = np.array([n in GENAI_NICHES for n in NICHES])
        self.devalued = np.array([n in p.devalued_niches for n in NICHES])
        self.base_value = np.array([getattr(p, f"niche_value_{n}") for n in NICHES])
        self.true_value = self.base_value.copy()
        self.state_value = self.base_value.copy()
        self.market_value = self.base_value.copy()
        self.adoption = p.initial_adoption

    def update_values(self, t: int) -> None:
        """Month ``t`` (0-based): the shift revalues niches; perceptions follow with a lag."""
        p = self.p
        value = self.base_value.copy()
        if t >= self.shift_step:
            value[self.devalued] *= 1.0 - p.paradigm_devaluation
            value[self.genai] *= p.paradigm_boost
        self.true_value = value

        def follow(perceived: np.ndarray, lag: float) -> np.ndarray:
            rate = 1.0 if lag <= 0 else 1.0 - math.exp(-1.0 / lag)
            return perceived + rate * (value - perceived)

        self.state_value = follow(self.state_value, p.allocation_lag_months)
        self.market_value = follow(self.market_value, p.market_lag_months)

    def market_weights(self) -> np.ndarray:
        """Each niche's share of value as private markets see it (where entrants and VC go)."""
        return self.market_value / self.market_value.sum()

    def revenue_pools(self) -> np.ndarray:
        """This month's AI revenue by niche (US$ m): the market grows with adoption (S12) and
        is split by true niche value."""
        p = self.p
        market = (
            p.ai_market_usd_bn_per_year * 1e3 * p.scale / 12.0 * self.adoption / p.initial_adoption
        )
        return market * self.true_value / self.true_value.sum()

    def market_growth(self) -> float:
        """Adoption relative to its start (1 when ``initial_adoption`` is 0)."""
        p = self.p
        return (self.adoption / p.initial_adoption) if p.initial_adoption > 0 else 1.0

    def adopt(self, gap_months: float) -> None:
        """Bass diffusion of AI use, slowed by the capability gap (S12). With no domestic AI
        firm left (gap NaN) there is no one to imitate."""
        p = self.p
        imitation = (
            0.0
            if math.isnan(gap_months)
            else p.adoption_imitation
            * 2.0 ** (-max(gap_months, 0.0) / p.adoption_gap_halving_months)
        )
        self.adoption += (p.adoption_innovation + imitation * self.adoption) * (1.0 - self.adoption)
        self.adoption = min(max(self.adoption, 0.0), 1.0)
