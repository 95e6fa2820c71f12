"""The AI startups: a columnar population with its whole life cycle, and the capability gap.

The thousands of startups are one :class:`StartupPopulation`: one numpy array per state
variable, so that a month over the whole population is a handful of vector operations and
compiled loops (:mod:`statecraft.kernels`). Measured on this machine, the per-object version of
a far simpler agent already costs more than the whole budget for this model (see
``benchmarks/README.md``).

The population is a buyer in the compute market (:class:`statecraft.market.Buyer`): its budget
is its startups' compute money plus their vouchers, and each startup owns what its share
bought. It raises equity rounds from a list of investors (:class:`Investor`)
and keeps the ledger of all money startups received (:attr:`StartupPopulation.flow`,
:attr:`StartupPopulation.cum`). Money is in US$ m; compute in k flagship-equivalents;
capability in log2 effective-compute units (the US frontier is 0 at the start).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .compute import private_preference
from .kernels import niche_leaders, revenue_shares, top_quantile, update_status
from .market import Buyer, Offer, Purchase
from .params import CITIES, NICHES, Params

if TYPE_CHECKING:
    from .economy import Economy

__all__ = ["Investor", "StartupPopulation", "leading_quantile"]

FLOWS = ("state_equity", "state_subsidy", "state_relocation", "private")
TOTALS = (
    "state_to_startups",
    "private_to_startups",
    "wasted",
    "wasted_private",
    "state_equity",
    "wasted_state_equity",
    "failed_state_money",
)


def leading_quantile(values: np.ndarray, rank: float) -> float:
    """The value with ``rank`` values above it, as ``np.quantile(values, 1 - rank / n)``
    (linear interpolation, clipped to the sample), by one partition
    (:func:`statecraft.kernels.top_quantile`)."""
    return float(top_quantile(np.asarray(values, dtype=float), float(rank)))


class Investor:
    """Role: backs startups' equity rounds (private investors, city funds, ...).

    Each month the startup population asks its investors in turn
    (:meth:`statecraft.startups.StartupPopulation.raise_rounds`); an investor sees the
    candidates still unfunded and chooses whom to back. ``state`` investors' money counts as
    state money (equity) in the startups' ledger, the others' as private.
    """

    state: bool = False

    def money_this_month(self) -> float:
        """Money this investor has for startups this month (US$ m): entry responds to the sum
        over investors (:meth:`StartupPopulation.enter`)."""
        raise NotImplementedError

    def invest(
        self,
        startups: StartupPopulation,
        candidates: np.ndarray,
        cost: np.ndarray,
        score: np.ndarray,
    ) -> np.ndarray:
        """Choose whom to back among ``candidates`` (row indices), each costing ``cost`` and
        seen with ``score`` (capability plus this investor's noise); pay for them out of its own
        money and return the bool mask of those funded."""
        raise NotImplementedError


class StartupPopulation(Buyer):
    """Columnar store and life cycle of the startup population (one array per state variable).

    Rows are live startups only: exits are removed at the end of each month (:meth:`exit`)
    after their money has been accounted. ``uid`` is a stable identity across compactions.

    Parameters
    ----------
    p : Params
        The run's parameters.
    rng : numpy.random.Generator
        The run's generator (every draw of the population goes through it).
    genai : ndarray of bool
        Which niches are generative AI (costlier to run; approval rules apply).
    rules_step : int
        0-based month from which generative models need approval (S2).

    Attributes
    ----------
    frontier : float
        The US frontier's capability this month.
    domestic_best : float
        Capability of the leading domestic labs (NaN with no startups).
    open_source_level : float
        Capability of the best open model.
    flow, cum : dict of str to float
        Money to startups this month by kind, and cumulative totals (US$ m).
    champion_log : list of dict
        One record per national champion when it first qualified.
    """

    FLOAT = (
        "cash",
        "burn",
        "talent",
        "capability",
        "knowhow",
        "state_received",
        "state_equity",
        "private_received",
        "revenue",
        "compute",
        "round_this_month",
        "subsidy_cash",
        "voucher",
    )
    INT = ("uid", "niche", "city", "birth_step", "champion_streak")
    BOOL = ("approved", "produced", "released", "champion", "research_covered")

    def __init__(
        self, p: Params, rng: np.random.Generator, genai: np.ndarray, rules_step: int
    ) -> None:
        for name in self.FLOAT:
            setattr(self, name, np.zeros(0))
        for name in self.INT:
            setattr(self, name, np.zeros(0, dtype=np.int64))
        for name in self.BOOL:
            setattr(self, name, np.zeros(0, dtype=bool))
        self.next_uid = 0
        self.p = p
        self.rng = rng
        self.genai = genai
        self.rules_step = rules_step
        self.step = 0  # months simulated so far (the population ages its startups by it)
        self.frontier = 0.0
        self.domestic_best = math.nan
        self.open_source_level = 0.0
        self.niche_revenue = np.zeros(len(NICHES))
        self.flow = dict.fromkeys(FLOWS, 0.0)
        self.cum = dict.fromkeys(TOTALS, 0.0)
        self.entries = self.exits = self.releases = 0
        self.approvals_total = self.releases_total = self.entries_total = self.exits_total = 0
        self.champion_log: list[dict[str, Any]] = []
        # Compute market: this month's budget, what was bought, what was left.
        self.voucher_city = np.zeros(0, dtype=np.int64)  # issuing fund of each voucher
        self.voucher_used = np.zeros(0)
        self.unspent_compute = np.zeros(0)
        self.compute_bought = 0.0  # k flagship-equivalents bought this month
        self.compute_held = 0.0  # k flagship-equivalents held after this month's purchases
        self._compute_money = (np.zeros(0), np.zeros(0))  # (own, own + vouchers), from budget()

    def __len__(self) -> int:
        return len(self.cash)

    # --- the columns -------------------------------------------------------------------------
    def add(self, **columns: np.ndarray) -> None:
        """Append new startups; columns not given start at zero/False."""
        n = len(next(iter(columns.values())))
        columns["uid"] = np.arange(self.next_uid, self.next_uid + n)
        self.next_uid += n
        for name in self.FLOAT + self.INT + self.BOOL:
            old = getattr(self, name)
            new = columns.get(name)
            if new is None:
                new = np.zeros(n, dtype=old.dtype)
            setattr(self, name, np.concatenate([old, np.asarray(new, dtype=old.dtype)]))

    def compact(self, keep: np.ndarray) -> None:
        """Keep only the rows where ``keep`` is true."""
        rows = np.flatnonzero(keep)  # one index for all columns: faster than 22 boolean masks
        for name in self.FLOAT + self.INT + self.BOOL:
            setattr(self, name, getattr(self, name).take(rows))

    # --- birth -------------------------------------------------------------------------------
    def found(
        self,
        n: int,
        capability: np.ndarray,
        cash_factor: np.ndarray,
        niche_weights: np.ndarray,
        city_weights: np.ndarray,
    ) -> None:
        """Found ``n`` startups: niche by market value, city by budget, burn and talent drawn."""
        p = self.p
        rng = self.rng
        niche = rng.choice(len(NICHES), size=n, p=niche_weights)
        city = rng.choice(len(city_weights), size=n, p=city_weights)
        burn = p.burn_median_usd_m * rng.lognormal(0.0, p.burn_sigma, size=n)
        burn = np.where(self.genai[niche], burn * p.genai_burn_multiplier, burn)
        self.add(
            niche=niche,
            city=city,
            burn=burn,
            cash=burn * p.initial_cash_months * cash_factor,
            talent=rng.lognormal(0.0, p.talent_sigma, size=n),
            capability=capability,
            knowhow=np.maximum(self.frontier - capability, 0.0),
            birth_step=np.full(n, self.step),
            research_covered=rng.random(n) < p.research_subsidy_coverage,
        )
        self.entries += n

    def seed(self, economy: Economy, city_weights: np.ndarray) -> None:
        """The population of the first month: ``initial_startups`` (times ``scale``), of mixed
        ages, whose leading labs stand ``initial_gap_months`` behind the US frontier."""
        p = self.p
        rng = self.rng
        n = max(1, round(p.initial_startups * p.scale))
        best = -p.initial_gap_months / p.us_frontier_doubling_months
        cap = -rng.exponential(p.initial_capability_spread, size=n)
        # The leading labs (not the single best of N, which grows with N) start
        # `initial_gap_months` behind, at every scale.
        cap += best - leading_quantile(cap, p.frontier_labs * p.scale)
        cash_factor = rng.uniform(p.initial_cash_min_fraction, 1.0, size=n)
        self.found(n, cap, cash_factor, economy.market_weights(), city_weights)
        self.birth_step[:] = -rng.integers(0, p.initial_max_age_months, size=n)
        self.open_source_level = float(np.median(cap))
        self.domestic_best = self.leading_labs()
        self.entries = 0

    def enter(self, funding_ratio: float, economy: Economy, city_weights: np.ndarray) -> None:
        """New startups: their number responds to money open to startups (``funding_ratio``
        against the first month) and to adoption; they build on the best open model (S8)."""
        p = self.p
        lam = (
            p.entry_rate
            * p.scale
            * funding_ratio**p.entry_funding_elasticity
            * economy.market_growth() ** p.entry_adoption_elasticity
        )
        n = int(self.rng.poisson(lam))
        if n == 0:
            return
        cap = self.open_source_level - self.rng.exponential(p.entrant_capability_gap, size=n)
        self.found(n, cap, np.ones(n), economy.market_weights(), city_weights)
        self.entries_total += n

    # --- the month ---------------------------------------------------------------------------
    def start_month(self) -> None:
        """Clear this month's flows and counters."""
        self.step += 1
        for key in self.flow:
            self.flow[key] = 0.0
        self.entries = self.exits = self.releases = 0
        self.round_this_month[:] = 0.0
        self.subsidy_cash[:] = 0.0
        self.voucher[:] = 0.0
        n = len(self)
        self.voucher_city = self.city.copy()
        self.voucher_used = np.zeros(n)
        self.unspent_compute = np.zeros(n)

    def book_state_money(self, kind: str, amount: float) -> None:
        """Account ``amount`` of state money of ``kind`` (a key of :attr:`flow`) received."""
        self.flow[kind] += amount
        self.cum["state_to_startups"] += amount

    def grant_subsidies(self, voucher: np.ndarray, cash: np.ndarray) -> None:
        """Compute vouchers (paid by the issuing city when spent) and cash subsidies."""
        self.voucher[:] = voucher
        self.voucher_city = self.city.copy()  # the issuing fund pays, even if the startup moves
        self.subsidy_cash[:] = cash
        self.state_received += cash
        self.book_state_money("state_subsidy", cash.sum())

    def vouchers_paid(self) -> None:
        """The issuing cities paid for the vouchers used (:attr:`voucher_used`)."""
        self.state_received += self.voucher_used
        self.book_state_money("state_subsidy", self.voucher_used.sum())

    def move(self, idx: np.ndarray, city: np.ndarray, incentive: np.ndarray) -> None:
        """Startups ``idx`` move to ``city`` for a relocation ``incentive`` (M8)."""
        self.cash[idx] += incentive
        self.state_received[idx] += incentive
        self.city[idx] = city

    def raise_rounds(self, investors: Sequence[Investor]) -> None:
        """Equity rounds: startups short of runway seek a round; each investor in turn (private
        investors first, on merit) backs whom it chooses among those still unfunded, each with
        its own noisy view of capability (M11: officials seek out the startups)."""
        p = self.p
        if len(self) == 0:
            return
        seek = np.flatnonzero(self.cash < p.seek_funding_months * self.burn)
        if len(seek) == 0:
            return
        cost = p.round_runway_months * self.burn[seek]
        noise = self.rng.normal(0.0, p.funding_score_noise, size=(len(investors), len(seek)))
        row = noise[0]
        kept = np.arange(len(seek))  # positions (in the first list) of the candidates left
        for i, investor in enumerate(investors):
            funded = investor.invest(self, seek, cost, self.capability[seek] + row)
            self._give_round(seek[funded], cost[funded], state=investor.state)
            if i + 1 == len(investors):
                return
            left = ~funded
            seek, cost, kept = seek[left], cost[left], kept[left]
            if len(seek) == 0:
                return
            row = noise[i + 1][kept]  # the next investor's view of the candidates left

    def _give_round(self, idx: np.ndarray, amount: np.ndarray, *, state: bool) -> None:
        self.cash[idx] += amount
        self.round_this_month[idx] += amount
        self.burn[idx] *= self.p.burn_growth_per_round
        if state:
            self.state_received[idx] += amount
            self.state_equity[idx] += amount
            self.cum["state_equity"] += amount.sum()
            self.cum["state_to_startups"] += amount.sum()
            self.flow["state_equity"] += amount.sum()
        else:
            self.private_received[idx] += amount
            self.cum["private_to_startups"] += amount.sum()
            self.flow["private"] += amount.sum()

    # --- a buyer in the compute market -------------------------------------------------------
    def budget(self) -> float:
        own = self.p.compute_spend_share * self.burn
        demand = own + self.voucher
        self._compute_money = (own, demand)  # a cache for take(): burn does not change between
        return float(demand.sum())

    @property
    def stock(self) -> float:
        """Compute the startups hold after this month's purchases (k flagship-equivalents)."""
        return self.compute_held

    def preference(self, offer: Offer) -> float:
        return private_preference(offer, self.p)

    def take(self, purchase: Purchase) -> None:
        """Each startup spent the same share of its compute money as the startups together and
        owns what that bought; vouchers are used for what was spent (the issuing city pays,
        :meth:`vouchers_paid`), the rest of its own compute money stays as cash."""
        own, demand = self._compute_money
        budget, spent = purchase.budget, purchase.spent
        spent_share = spent / budget if budget > 0 else 0.0
        per_dollar = purchase.effective / spent if spent > 0 else 0.0
        self.voucher_used = self.voucher * spent_share
        self.unspent_compute = own * (1.0 - spent_share)
        keep = 1.0 - 1.0 / self.p.chip_lifetime_months
        self.compute = self.compute * keep + demand * spent_share * per_dollar
        self.compute_bought = purchase.effective
        self.compute_held = float(self.compute.sum())

    # --- capability, revenue, champions ------------------------------------------------------
    def leading_labs(self) -> float:
        """Capability of the leading domestic labs: the ``frontier_labs``-th best at full scale.

        At ``scale`` s the population is a sample of s times the full one, so the same rank
        is the quantile ``1 - frontier_labs * s / N``; the measure does not grow with ``scale``
        as a maximum over N would.
        """
        if len(self) == 0:
            return math.nan
        return leading_quantile(self.capability, self.p.frontier_labs * self.p.scale)

    def niche_leaders(self) -> tuple[np.ndarray, np.ndarray]:
        """Each niche's best capability and its leading labs' capability: ``frontier_labs / k``
        per niche at full scale, as a quantile of the niche's startups (see
        :meth:`leading_labs`). Niches without startups get -inf and +inf."""
        k = len(NICHES)
        return niche_leaders(
            self.capability, self.niche, k, self.p.frontier_labs * self.p.scale / k
        )

    @property
    def gap_months(self) -> float:
        """Months the US frontier is ahead of the leading domestic labs (NaN with none)."""
        return float((self.frontier - self.domestic_best) * self.p.us_frontier_doubling_months)

    def progress(self, t: int, month: str, economy: Economy, cloud: float = 0.0) -> None:
        """Month ``t`` (0-based): capability, approval, open source, revenue, cash, champions."""
        p = self.p
        self.frontier = (t + 1) / p.us_frontier_doubling_months
        if len(self) == 0:
            self.domestic_best = math.nan
            return
        self._learn(t, cloud)
        share = self._status_and_revenue(t, economy)
        self.cash += self.revenue + self.subsidy_cash - self.burn + self.unspent_compute
        self._champions(share, month)

    def _learn(self, t: int, cloud: float) -> None:
        # Capability is the best model a startup has trained: the US frontier, less its
        # know-how deficit, less log2 of how far its compute falls short of what frontier
        # training needs this month (that need doubles every
        # `compute_requirement_doubling_months`; the frontier's know-how grows at the rest of
        # its pace). The know-how deficit grows with the frontier and is closed by diffusion
        # (papers, open weights, talent) at a rate set by absorptive capacity, down to the
        # open-weight frontier's lag; the domestic open models are a second source. More
        # compute always raises what can be trained, and nothing caps capability at the
        # frontier: the gap has no floor set by one parameter.
        p = self.p
        need = p.reference_compute * 2.0 ** (t / p.compute_requirement_doubling_months)
        g_alg = max(
            1.0 / p.us_frontier_doubling_months - 1.0 / p.compute_requirement_doubling_months, 0.0
        )
        skill = p.capability_learning_rate * self.talent
        absorb = -np.expm1(-skill * np.log2(1.0 + self.compute / p.reference_compute))
        open_deficit = g_alg * p.open_weights_lag_months
        know = self.knowhow + g_alg
        know -= np.maximum(know - open_deficit, 0.0) * -np.expm1(-p.frontier_diffusion * absorb)
        self.knowhow = know
        # Training compute: its own, plus rented cloud compute (``cloud_access_share`` of the
        # platforms' and state data centres' installed base) shared in proportion to its own.
        own = self.compute_held
        rent = 1.0 + p.cloud_access_share * cloud / own if own > 0 else 1.0
        with np.errstate(divide="ignore"):
            trained = self.frontier - know + np.log2(self.compute * rent / need)
        cap = np.maximum(self.capability, trained)
        below_open = np.maximum(self.open_source_level - cap, 0.0)
        cap += below_open * -np.expm1(-p.open_source_spillover * absorb)
        self.capability = cap
        self.domestic_best = self.leading_labs()

    def _status_and_revenue(self, t: int, economy: Economy) -> np.ndarray:
        # Produced capability: within reach of its own niche's leading labs (the same
        # scale-free rank as the national measure, shared among the niches). Approvals exist
        # only under the generative-AI rules (S2); before them generative models sell like
        # the others. Revenue goes to approved generative models and to other startups within
        # ``useful_gap_months`` of their niche's best.
        p = self.p
        niche_best, niche_lead = self.niche_leaders()
        rules = t >= self.rules_step
        u_approve = self.rng.random(len(self)) if rules else self.capability
        u_release = self.rng.random(len(self))
        approved, released, top, earning = update_status(
            self.capability,
            self.niche,
            self.genai,
            self.approved,
            self.produced,
            self.released,
            u_approve,
            u_release,
            rules,
            niche_best,
            niche_lead,
            self.domestic_best,
            p.us_frontier_doubling_months,
            p.produced_gap_months,
            p.approval_gap_months,
            p.approval_probability,
            self.open_source_level,
            p.open_source_propensity,
            p.useful_gap_months,
        )
        self.approvals_total += approved
        if released:
            # The open level follows the leading labs: a release above them (the best of many
            # releasers, which grows with N) lifts it only to their level.
            self.open_source_level = max(self.open_source_level, min(top, self.domestic_best))
            self.releases = released
            self.releases_total += released
        # Revenue: each niche's pool, shrunk by crowding (S4), shared by capability.
        self.revenue, share, self.niche_revenue = revenue_shares(
            self.capability,
            self.niche,
            earning,
            len(NICHES),
            economy.revenue_pools(),
            p.price_competition / (p.crowding_reference * p.scale),
            p.revenue_capability_elasticity,
        )
        return share

    def _champions(self, share: np.ndarray, month: str) -> None:
        p = self.p
        top = (share >= p.champion_share) & (self.revenue > 0)
        self.champion_streak = np.where(top, self.champion_streak + 1, 0)
        new = (self.champion_streak >= p.champion_months) & ~self.champion
        self.champion |= new
        for i in np.flatnonzero(new):
            self.champion_log.append(
                {
                    "uid": int(self.uid[i]),
                    "niche": NICHES[self.niche[i]],
                    "city": CITIES[self.city[i]],
                    "date": month,
                    "gap_months": float(
                        (self.frontier - self.capability[i]) * p.us_frontier_doubling_months
                    ),
                    "state_received_usd_bn": float(self.state_received[i]) * 1e-3,
                }
            )

    def exit(self) -> None:
        """Startups out of cash fail; their money is wasted if they produced no capability.

        State and private money are counted alike, so that state waste can be measured against
        what private investors lose on the same kind of bets (``excess_waste_share``).
        """
        fail = self.cash < 0.0
        if fail.any():
            lost = fail & ~self.produced
            self.cum["wasted"] += self.state_received[lost].sum()
            self.cum["wasted_private"] += self.private_received[lost].sum()
            self.cum["wasted_state_equity"] += self.state_equity[lost].sum()
            self.cum["failed_state_money"] += self.state_received[fail].sum()
            self.exits = int(fail.sum())
            self.exits_total += self.exits
            self.compact(~fail)
