"""StatecraftModel: the wiring and the order of events in one simulated month.

See ``docs/ODD.md`` ("Process overview and scheduling") for the same order in prose. One step
is one calendar month; ``model.month`` is its ``YYYY-MM`` label.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np

from . import metrics
from .agents import (
    CityFund,
    DomesticDesigner,
    DomesticFoundry,
    ExportControlRegime,
    ForeignVendor,
    Government,
    OverseasFoundry,
    StartupPopulation,
)
from .funding import allocate_by_group, niche_weights, own_views
from .kernels import (
    city_subsidies,
    niche_leaders,
    relocate,
    revenue_shares,
    top_quantile,
    update_status,
)
from .market import DOM, HI, LIC, clear_market
from .params import CITIES, GENAI_NICHES, NICHES, Params

__all__ = ["StatecraftModel", "month_range"]

EQUITY, SUBSIDY, RELOCATION = range(3)
DUPLICATION_WINDOW = 12  # months of equity history behind the duplication index


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _top_quantile(values: np.ndarray, rank: float) -> float:
    """The value with ``rank`` values above it, as ``np.quantile(values, 1 - rank / n)``
    (linear interpolation, clipped to the sample), by one partition
    (:func:`statecraft.kernels.top_quantile`)."""
    return float(top_quantile(np.asarray(values, dtype=float), float(rank)))


class _ScalarCollector(mesa.DataCollector):
    """Mesa's DataCollector for model reporters that return numbers.

    Mesa deep-copies every reported value so that a reporter returning a mutable object is
    not changed afterwards; every reporter in :data:`statecraft.metrics.REPORTERS` returns a
    Python number, so the copy is skipped (about a tenth of a run's cost otherwise). The
    first month goes through Mesa's own ``collect``, which validates the reporters.
    """

    def collect(self, model: mesa.Model) -> None:
        if not self._validated:
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        for var, reporter in self.model_reporters.items():
            self.model_vars[var].append(reporter(model))


def month_range(start: str, end: str) -> list[str]:
    """All ``YYYY-MM`` labels from ``start`` to ``end`` inclusive."""
    return [_month_label(i) for i in range(_month_index(start), _month_index(end) + 1)]


class StatecraftModel(mesa.Model):
    """Agent-based model of state-led AI investment.

    Parameters
    ----------
    params : Params, optional
        A validated parameter set; defaults to :class:`statecraft.params.Params()`.
    rng : int or numpy.random.Generator, optional
        Seed or generator; every random draw of the run goes through ``self.rng``.
    **overrides
        Parameter values by name (validated), applied on top of ``params``. This is what
        ``mesa.batch_run`` passes.

    Attributes
    ----------
    month : str
        Month being simulated (``YYYY-MM``).
    startups : StartupPopulation
        The live startups, one row each.
    """

    def __init__(self, params: Params | None = None, *, rng: Any = None, **overrides: Any) -> None:
        super().__init__(rng=rng)
        if params is None:
            params = Params(**overrides)
        elif overrides:
            params = Params(**{**params.model_dump(), **overrides})
        self.p = p = params
        self.months = month_range(p.start_date, p.end_date)
        self.month = self.months[0]
        self.niche_names = NICHES
        k = len(NICHES)
        self.genai = np.array([n in GENAI_NICHES for n in NICHES])
        self.devalued = np.array([n in p.devalued_niches for n in NICHES])
        self.shift_index = _month_index(p.paradigm_shift_date) - _month_index(p.start_date)

        # Institutions (Mesa agents), stepped in a fixed order by step().
        self.regime = ExportControlRegime(self)
        self.government = Government(self)
        self.funds = [CityFund(self, i) for i in range(p.n_city_funds)]
        w = np.array([f.budget_weight for f in self.funds])
        self.fund_weights = w / w.sum()
        self.foundry = DomesticFoundry(self)
        self.overseas = OverseasFoundry(self)
        self.designer = DomesticDesigner(self)
        self.vendor = ForeignVendor(self)

        # Niche values: true, perceived by the state (slow), perceived by markets (fast).
        self.base_value = np.array([getattr(p, f"niche_value_{n}") for n in NICHES])
        self.true_value = self.base_value.copy()
        self.state_value = self.base_value.copy()
        self.market_value = self.base_value.copy()
        self.taste = np.array([f.taste for f in self.funds])
        self.niche_w = np.full((len(self.funds), k), 1.0 / k)
        self.equity_history = np.zeros((DUPLICATION_WINDOW, len(self.funds), k))

        self.own_w = own_views(self.state_value, self.taste)

        # Compute market and stocks (k flagship-equivalent accelerators). Startups own theirs
        # (``startups.compute``); large platforms and the public programme hold one stock each.
        self.units_month = np.zeros(4)
        self.units_history = np.zeros((12, 4))
        self.friction = p.switching_friction
        self.chip_price = self._chip_floor()  # clearing prices, warm start of the next month
        self.private_fill = 1.0
        self.price_index = 1.0
        self.shortage = 0.0
        self.rationed_units = 0.0
        self.unmet_compute = 0.0  # private compute money not spent this month (US$ m)
        self.stock_bigtech = 0.0
        self.stock_public = 0.0
        self.startup_bought = 0.0  # k flagship-equivalents startups bought this month
        self.effective_compute = 0.0
        self.startup_compute = 0.0

        # Frontier, capability and adoption (log2 effective-compute units).
        self.frontier = 0.0
        self.domestic_best = float("nan")  # the leading labs' capability (frontier_labs)
        self.rules_index = _month_index(p.genai_rules_date) - _month_index(p.start_date)
        self.open_source_level = 0.0
        self.adoption = p.initial_adoption

        # Accounting of this month's flows and of cumulative totals (US$ m).
        self.flow = dict.fromkeys(
            ("state_equity", "state_subsidy", "state_relocation", "private"), 0.0
        )
        self.state_equity_niche = np.zeros(k)
        self.cum = dict.fromkeys(
            (
                "state_to_startups",
                "private_to_startups",
                "wasted",
                "wasted_private",
                "state_equity",
                "wasted_state_equity",
                "failed_state_money",
            ),
            0.0,
        )
        self.entries = self.exits = self.relocations = self.releases = 0
        self.approvals_total = self.releases_total = self.entries_total = self.exits_total = 0
        self.champion_log: list[dict[str, Any]] = []
        self.niche_rows: list[np.ndarray] = []

        self.startups = StartupPopulation()
        self._seed_population()
        self._funding0 = 0.0  # money open to startups in the first month (set in step 1)

        self.datacollector = _ScalarCollector(model_reporters=metrics.REPORTERS)

    # --- initialisation ----------------------------------------------------------------------
    def _new_startups(self, n: int, capability: np.ndarray, cash_factor: np.ndarray) -> None:
        p = self.p
        weights = self.market_value / self.market_value.sum()
        niche = self.rng.choice(len(NICHES), size=n, p=weights)
        city = self.rng.choice(len(self.funds), size=n, p=self.fund_weights)
        burn = p.burn_median_usd_m * self.rng.lognormal(0.0, p.burn_sigma, size=n)
        burn = np.where(self.genai[niche], burn * p.genai_burn_multiplier, burn)
        self.startups.add(
            niche=niche,
            city=city,
            burn=burn,
            cash=burn * p.initial_cash_months * cash_factor,
            talent=self.rng.lognormal(0.0, p.talent_sigma, size=n),
            capability=capability,
            birth_step=np.full(n, self.steps),
            research_covered=self.rng.random(n) < p.research_subsidy_coverage,
        )
        self.entries += n

    def _seed_population(self) -> None:
        p = self.p
        n = max(1, round(p.initial_startups * p.scale))
        best = -p.initial_gap_months / p.us_frontier_doubling_months
        cap = -self.rng.exponential(p.initial_capability_spread, size=n)
        # The leading labs (not the single best of N, which grows with N) start
        # `initial_gap_months` behind, at every scale.
        cap += best - _top_quantile(cap, p.frontier_labs * p.scale)
        self._new_startups(n, cap, self.rng.uniform(p.initial_cash_min_fraction, 1.0, size=n))
        self.startups.birth_step[:] = -self.rng.integers(0, p.initial_max_age_months, size=n)
        self.open_source_level = float(np.median(cap))
        self.domestic_best = self._leading_labs()
        self.entries = 0

    def _funding_signal(self) -> float:
        """Money that reached startup funding this month: city equity inflows plus private VC
        (US$ m). Read after the government and the funds have received their money."""
        p = self.p
        local = sum(f.budget_weight for f in self.funds) * p.local_budget_usd_bn_per_year / 12
        state = (local * 1e3 * p.scale + self.government.month_to_cities) * p.local_share_equity
        return state + p.private_vc_usd_bn_per_year * 1e3 * p.scale / 12

    # --- the month ---------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one month (Mesa has already advanced ``self.steps``)."""
        t = self.steps - 1
        self.month = self.months[t]
        for key in self.flow:
            self.flow[key] = 0.0
        self.state_equity_niche[:] = 0.0
        self.entries = self.exits = self.relocations = self.releases = 0
        s = self.startups
        s.round_this_month[:] = 0.0
        s.subsidy_cash[:] = 0.0
        s.voucher[:] = 0.0

        self.regime.step()
        self._update_niche_values(t)
        self.government.step()
        for fund in self.funds:
            fund.step()
        recent = self.equity_history.sum(axis=0)
        self.own_w = own_views(self.state_value, self.taste)
        self.niche_w = niche_weights(
            self.state_value,
            self.taste,
            recent,
            self.p.herding,
            self.p.coordination,
            self.p.imitation_conformity,
            self.p.state_signal_weight,
        )
        for fund, w in zip(self.funds, self.niche_w, strict=True):
            fund.niche_weights = w
        if self.steps == 1:
            self._funding0 = self._funding_signal()
        self._subsidies()
        self._funding_rounds()
        self._relocation()
        self._compute_market()
        self.designer.step()
        self.foundry.step()
        self._startups_progress(t)
        self._exits()
        self._entry()
        self._adoption()
        self.equity_history[1:] = self.equity_history[:-1]  # the oldest month drops out
        self.equity_history[0] = self._equity_month
        self.niche_rows.append(self._niche_snapshot())
        self.datacollector.collect(self)
        if self.steps >= len(self.months):
            self.running = False

    # --- submodels ---------------------------------------------------------------------------
    def _update_niche_values(self, t: int) -> None:
        p = self.p
        value = self.base_value.copy()
        if t >= self.shift_index:
            value[self.devalued] *= 1.0 - p.paradigm_devaluation
            value[self.genai] *= p.paradigm_boost
        self.true_value = value

        def follow(perceived: np.ndarray, lag: float) -> np.ndarray:
            rate = 1.0 if lag <= 0 else 1.0 - math.exp(-1.0 / lag)
            return perceived + rate * (value - perceived)

        self.state_value = follow(self.state_value, p.allocation_lag_months)
        self.market_value = follow(self.market_value, p.market_lag_months)

    def _subsidies(self) -> None:
        """City subsidy programmes: research-cost subsidies, then vouchers, discounts, data."""
        p = self.p
        s = self.startups
        self._voucher_city = s.city.copy()
        if len(s) == 0:
            return
        # M7: a share of research costs (burn other than compute), for covered startups only;
        # then vouchers, model discounts and data (see :func:`statecraft.kernels.city_subsidies`).
        voucher, cash, paid = city_subsidies(
            s.city,
            s.niche,
            s.burn,
            self.steps - s.birth_step,
            s.research_covered,
            self.niche_w,
            np.array([fund.balance[SUBSIDY] for fund in self.funds]),
            p.research_subsidy_age_months,
            p.research_subsidy_rate,
            p.compute_spend_share,
            p.cash_subsidy_cap,
            p.voucher_match,
            np.array(
                [p.subsidy_split_compute, p.subsidy_split_model_discount, p.subsidy_split_data]
            ),
        )
        for f, fund in enumerate(self.funds):
            fund.pay(SUBSIDY, paid[f])
        # Vouchers are paid when spent, after the market (unspendable vouchers stay with the fund).
        s.voucher[:] = voucher
        self._voucher_city = s.city.copy()  # the issuing fund pays, even if the startup moves
        s.subsidy_cash[:] = cash
        s.state_received += cash
        self.flow["state_subsidy"] += cash.sum()
        self.cum["state_to_startups"] += cash.sum()

    def _funding_rounds(self) -> None:
        """Equity rounds: private investors pick first on merit, then the city funds (by niche
        weight) back whom they choose among the rest (M11: officials seek out the startups)."""
        p = self.p
        s = self.startups
        k = len(NICHES)
        n_f = len(self.funds)
        self._equity_month = np.zeros((n_f, k))
        if len(s) == 0:
            return
        seek = np.flatnonzero(s.cash < p.seek_funding_months * s.burn)
        if len(seek) == 0:
            return
        cost = p.round_runway_months * s.burn[seek]
        noise = self.rng.normal(0.0, p.funding_score_noise, size=(2, len(seek)))
        private_month = p.private_vc_usd_bn_per_year * 1e3 * p.scale / 12.0
        budget = private_month * self.market_value / self.market_value.sum()
        funded = allocate_by_group(s.niche[seek], cost, s.capability[seek] + noise[0], budget)
        self._give_round(seek[funded], cost[funded], state=False)
        self.flow["private"] += cost[funded].sum()

        left = ~funded
        rest, cost, score = seek[left], cost[left], s.capability[seek[left]] + noise[1][left]
        if len(rest) == 0:
            return
        group = s.city[rest] * k + s.niche[rest]
        equity = np.array([f.balance[EQUITY] for f in self.funds])
        budget = (equity[:, None] * self.niche_w).ravel()
        funded = allocate_by_group(group, cost, score, budget)
        amount = cost[funded]
        spent = np.bincount(group[funded], weights=amount, minlength=n_f * k).reshape(n_f, k)
        for f, fund in enumerate(self.funds):
            fund.pay(EQUITY, spent[f].sum())
        self._equity_month = spent
        self.state_equity_niche += spent.sum(axis=0)
        self._give_round(rest[funded], amount, state=True)
        self.flow["state_equity"] += amount.sum()

    def _give_round(self, idx: np.ndarray, amount: np.ndarray, *, state: bool) -> None:
        s = self.startups
        s.cash[idx] += amount
        s.round_this_month[idx] += amount
        s.burn[idx] *= self.p.burn_growth_per_round
        if state:
            s.state_received[idx] += amount
            s.state_equity[idx] += amount
            self.cum["state_equity"] += amount.sum()
            self.cum["state_to_startups"] += amount.sum()
        else:
            s.private_received[idx] += amount
            self.cum["private_to_startups"] += amount.sum()

    def _relocation(self) -> None:
        """Other cities lure startups that just raised a round (M8)."""
        p = self.p
        s = self.startups
        if len(self.funds) < 2 or len(s) == 0:
            return
        raised = np.flatnonzero(s.round_this_month > 0)
        if len(raised) == 0:
            return
        accepts = self.rng.random(len(raised)) < p.relocation_acceptance
        cand = raised[accepts]
        order = self.rng.permutation(len(self.funds))
        balance = np.array([fund.balance[RELOCATION] for fund in self.funds])
        dest, offer, paid = relocate(
            cand,
            s.city,
            s.niche,
            s.round_this_month,
            self.niche_w,
            balance,
            order,
            p.relocation_incentive_ratio,
        )
        moved = dest >= 0
        if not moved.any():
            return
        chosen = cand[moved]
        s.cash[chosen] += offer[moved]
        s.state_received[chosen] += offer[moved]
        s.city[chosen] = dest[moved]
        for f, fund in enumerate(self.funds):
            if paid[f] > 0:
                amount = fund.pay(RELOCATION, paid[f])
                self.flow["state_relocation"] += amount
                self.cum["state_to_startups"] += amount
        self.relocations += int(moved.sum())

    def _chip_floor(self) -> np.ndarray:
        """Lowest price each channel sells at (US$ m per k accelerators)."""
        p = self.p
        return p.foreign_price_usd_k * np.array(
            [1.0, p.licensed_price_ratio, p.grey_price_ratio, p.domestic_price_ratio]
        )

    def _compute_market(self) -> None:
        """The chip market clears by price; each buyer owns what it bought (C1, C5–C10).

        Buyers: startups (own compute money plus vouchers), large platforms and the public
        compute programme (domestic chips only, C10). See :func:`statecraft.market.clear_market`.
        """
        p = self.p
        s = self.startups
        flagship, licensed, grey = self.vendor.channels()
        supply = np.array([flagship, licensed, grey, self.foundry.supply + self.overseas.supply])
        floor = self._chip_floor()
        perf = np.array([1.0, p.licensed_performance, 1.0, self.designer.effective_performance])
        # Switching friction falls as domestic chips close the performance gap (C5, C9).
        p0 = p.initial_domestic_performance
        gap_now = 1.0 - self.designer.effective_performance
        self.friction = p.switching_friction * (gap_now / (1.0 - p0) if p0 < 1 else 0.0)
        self.friction = min(max(self.friction, 0.0), 1.0)
        private_w = [1.0, 1.0, 1.0, 1.0 - self.friction]
        weights = np.array([private_w, private_w, [0.0, 0.0, 0.0, 1.0]])

        own = p.compute_spend_share * s.burn
        demand = own + s.voucher
        startup_budget = float(demand.sum())
        years = self.steps / 12.0
        bigtech = (
            p.bigtech_compute_usd_bn_per_year
            * 1e3
            * p.scale
            / 12.0
            * (1 + p.bigtech_growth) ** years
        )
        budgets = np.array([startup_budget, bigtech, self.government.compute_balance])
        res = clear_market(
            supply,
            floor,
            perf,
            budgets,
            weights,
            supply_elasticity=np.array(
                [
                    p.foreign_supply_elasticity,
                    p.foreign_supply_elasticity,
                    p.grey_supply_elasticity,
                    0.0,
                ]
            ),
            substitution=p.chip_substitution_elasticity,
            price_elasticity=p.compute_price_elasticity,
            ref_price=p.foreign_price_usd_k,
            start=self.chip_price,
        )
        self.chip_price = res.price
        self.rationed_units = res.rationed_units
        self.government.spend_compute(float(res.spent[2]))
        private_budget = budgets[0] + budgets[1]
        private_spent = float(res.spent[0] + res.spent[1])
        private_eff = float(res.effective[0] + res.effective[1])
        self.private_fill = private_spent / private_budget if private_budget > 0 else 1.0
        self.unmet_compute = private_budget - private_spent
        wanted = float(res.wanted_at_list[0] + res.wanted_at_list[1])
        self.shortage = min(max(1.0 - private_eff / wanted, 0.0), 1.0) if wanted > 0 else 0.0
        self.price_index = (
            private_spent / private_eff / p.foreign_price_usd_k if private_eff > 0 else math.nan
        )

        # Each startup spent the same share of its compute money as the startups together and
        # owns what that bought; vouchers are paid for what was spent, the rest stays as cash.
        spent_share = float(res.spent[0]) / startup_budget if startup_budget > 0 else 0.0
        per_dollar = float(res.effective[0]) / float(res.spent[0]) if res.spent[0] > 0 else 0.0
        used = s.voucher * spent_share
        paid_v = np.bincount(self._voucher_city, weights=used, minlength=len(self.funds))
        for f, fund in enumerate(self.funds):
            paid = fund.pay(SUBSIDY, paid_v[f])
            if paid < paid_v[f] - 1e-9:  # cannot happen: the voucher pot was reserved
                raise RuntimeError("voucher payment exceeded the subsidy balance")
        s.state_received += used
        self.flow["state_subsidy"] += used.sum()
        self.cum["state_to_startups"] += used.sum()
        self._unspent_compute = own * (1.0 - spent_share)
        keep = 1.0 - 1.0 / p.chip_lifetime_months
        s.compute = s.compute * keep + demand * spent_share * per_dollar
        self.startup_bought = float(res.effective[0])

        units = res.units.sum(axis=0)
        self.units_month = units
        self.units_history[1:] = self.units_history[:-1]
        self.units_history[0] = units
        dom_units = units[DOM]
        from_foundry = min(dom_units, self.foundry.supply)
        self.foundry.output = from_foundry
        self.overseas.output = dom_units - from_foundry
        paid = res.units.sum(axis=0) * res.price
        self.designer.revenue = paid[DOM]
        self.designer.revenue_total += paid[DOM]
        self.designer.units_sold_total += dom_units
        self.vendor.revenue = paid[HI] + paid[LIC]
        self.vendor.revenue_total += paid[HI] + paid[LIC]

        self.stock_bigtech = self.stock_bigtech * keep + float(res.effective[1])
        self.stock_public = self.stock_public * keep + float(res.effective[2])
        self.startup_compute = float(s.compute.sum())
        self.effective_compute = self.startup_compute + self.stock_bigtech + self.stock_public

    def _niche_leaders(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each niche's best capability and its leading labs' capability: ``frontier_labs / k``
        per niche at full scale, as a quantile of the niche's startups (see
        :meth:`_leading_labs`). Niches without startups get -inf and +inf."""
        s = self.startups
        return niche_leaders(s.capability, s.niche, k, self.p.frontier_labs * self.p.scale / k)

    def _leading_labs(self) -> float:
        """Capability of the leading domestic labs: the ``frontier_labs``-th best at full scale.

        At ``scale`` s the population is a sample of s times the full one, so the same rank
        is the quantile ``1 - frontier_labs * s / N``; the measure does not grow with ``scale``
        as a maximum over N would.
        """
        cap = self.startups.capability
        if len(cap) == 0:
            return math.nan
        return _top_quantile(cap, self.p.frontier_labs * self.p.scale)

    def _startups_progress(self, t: int) -> None:
        """Capability, approval, open source, revenue, cash, champions (one month)."""
        p = self.p
        s = self.startups
        self.frontier = (t + 1) / p.us_frontier_doubling_months
        if len(s) == 0:
            self.domestic_best = math.nan
            return
        # Absorptive capacity (0..1) from the startup's own compute and talent. Own progress
        # runs at ``pace`` times the frontier's pace, measured against the frontier's growing
        # compute requirement; catching up with published and open results needs compute too,
        # measured against the fixed 2020 requirement (reproducing known results does not
        # need frontier scale). Without compute both are 0 and the gap grows without limit.
        need = p.reference_compute * 2.0 ** (t / p.compute_requirement_doubling_months)
        skill = p.capability_learning_rate * s.talent
        pace = -np.expm1(-skill * np.log2(1.0 + s.compute / need))
        absorb = -np.expm1(-skill * np.log2(1.0 + s.compute / p.reference_compute))
        # Own progress never outpaces the frontier (pace <= 1), and the catch-up steps are exact
        # exponential relaxations, so capability never passes the frontier or the open level.
        # (Whole-array numpy here: its vectorised exp and log beat a compiled scalar loop.)
        cap = s.capability + pace / p.us_frontier_doubling_months
        cap = self.frontier - (self.frontier - cap) * np.exp(-p.frontier_diffusion * absorb)
        below_open = np.maximum(self.open_source_level - cap, 0.0)
        cap += below_open * -np.expm1(-p.open_source_spillover * absorb)
        s.capability = np.minimum(cap, self.frontier)
        self.domestic_best = self._leading_labs()
        d = p.us_frontier_doubling_months
        k = len(NICHES)
        niche_best, niche_lead = self._niche_leaders(k)
        # Produced capability: within reach of its own niche's leading labs (the same
        # scale-free rank as the national measure, shared among the niches). Approvals exist
        # only under the generative-AI rules (S2); before them generative models sell like
        # the others. Revenue goes to approved generative models and to other startups within
        # ``useful_gap_months`` of their niche's best.
        rules = t >= self.rules_index
        u_approve = self.rng.random(len(s)) if rules else s.capability
        u_release = self.rng.random(len(s))
        approved, released, top, earning = update_status(
            s.capability,
            s.niche,
            self.genai,
            s.approved,
            s.produced,
            s.released,
            u_approve,
            u_release,
            rules,
            niche_best,
            niche_lead,
            self.domestic_best,
            d,
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
        market = (
            p.ai_market_usd_bn_per_year * 1e3 * p.scale / 12.0 * self.adoption / p.initial_adoption
        )
        s.revenue, share, self.niche_revenue = revenue_shares(
            s.capability,
            s.niche,
            earning,
            k,
            market * self.true_value / self.true_value.sum(),
            p.price_competition / (p.crowding_reference * p.scale),
            p.revenue_capability_elasticity,
        )

        s.cash += s.revenue + s.subsidy_cash - s.burn + self._unspent_compute

        top = (share >= p.champion_share) & (s.revenue > 0)
        s.champion_streak = np.where(top, s.champion_streak + 1, 0)
        new = (s.champion_streak >= p.champion_months) & ~s.champion
        s.champion |= new
        for i in np.flatnonzero(new):
            self.champion_log.append(
                {
                    "uid": int(s.uid[i]),
                    "niche": NICHES[s.niche[i]],
                    "city": CITIES[s.city[i]],
                    "date": self.month,
                    "gap_months": float((self.frontier - s.capability[i]) * d),
                    "state_received_usd_bn": float(s.state_received[i]) * 1e-3,
                }
            )

    def _exits(self) -> None:
        """Startups out of cash fail; their money is wasted if they produced no capability.

        State and private money are counted alike, so that state waste can be measured against
        what private investors lose on the same kind of bets (``excess_waste_share``).
        """
        s = self.startups
        fail = s.cash < 0.0
        if fail.any():
            lost = fail & ~s.produced
            self.cum["wasted"] += s.state_received[lost].sum()
            self.cum["wasted_private"] += s.private_received[lost].sum()
            self.cum["wasted_state_equity"] += s.state_equity[lost].sum()
            self.cum["failed_state_money"] += s.state_received[fail].sum()
            self.exits = int(fail.sum())
            self.exits_total += self.exits
            s.compact(~fail)

    def _entry(self) -> None:
        """New startups: count responds to money open to startups; niche follows market hype."""
        p = self.p
        ratio = self._funding_signal() / self._funding0 if self._funding0 > 0 else 1.0
        market = (self.adoption / p.initial_adoption) if p.initial_adoption > 0 else 1.0
        lam = (
            p.entry_rate
            * p.scale
            * ratio**p.entry_funding_elasticity
            * market**p.entry_adoption_elasticity
        )
        n = int(self.rng.poisson(lam))
        if n == 0:
            return
        # Entrants build on the best open model (S8), somewhat below it.
        cap = self.open_source_level - self.rng.exponential(p.entrant_capability_gap, size=n)
        self._new_startups(n, cap, np.ones(n))
        self.entries_total += n

    def _adoption(self) -> None:
        """Bass diffusion of AI use in the economy, slowed by the capability gap (S12)."""
        p = self.p
        gap = metrics.capability_gap_months(self)
        # With no domestic AI firm left there is no one to imitate.
        imitation = (
            0.0
            if math.isnan(gap)
            else p.adoption_imitation * 2.0 ** (-max(gap, 0.0) / p.adoption_gap_halving_months)
        )
        self.adoption += (p.adoption_innovation + imitation * self.adoption) * (1.0 - self.adoption)
        self.adoption = min(max(self.adoption, 0.0), 1.0)

    def _niche_snapshot(self) -> np.ndarray:
        s = self.startups
        k = len(NICHES)
        return np.column_stack(
            [
                np.bincount(s.niche, minlength=k),
                self.state_equity_niche,
                getattr(self, "niche_revenue", np.zeros(k)),
                self.true_value,
                self.state_value,
            ]
        )
