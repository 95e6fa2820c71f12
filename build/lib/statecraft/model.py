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
from .funding import allocate_by_group, niche_weights
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

        # Compute stocks: installed k accelerators per channel, private and public.
        self.stock_private = np.zeros(4)
        self.stock_public = np.zeros(4)
        self.units_month = np.zeros(4)
        self.units_history = np.zeros((12, 4))
        self.friction = p.switching_friction
        self.private_fill = 1.0
        self.markup = 1.0
        self.effective_compute = 0.0
        self.startup_compute = 0.0

        # Frontier, capability and adoption (log2 effective-compute units).
        self.frontier = 0.0
        self.open_source_level = 0.0
        self.adoption = p.initial_adoption

        # Accounting of this month's flows and of cumulative totals (US$ m).
        self.flow = dict.fromkeys(
            ("state_equity", "state_subsidy", "state_relocation", "private"), 0.0
        )
        self.state_equity_niche = np.zeros(k)
        self.cum = dict.fromkeys(
            ("state_to_startups", "private_to_startups", "wasted", "failed_state_money"), 0.0
        )
        self.entries = self.exits = self.relocations = self.releases = 0
        self.approvals_total = self.releases_total = self.entries_total = self.exits_total = 0
        self.champion_log: list[dict[str, Any]] = []
        self.niche_rows: list[np.ndarray] = []

        self.startups = StartupPopulation()
        self._seed_population()
        self._funding0 = 0.0  # money open to startups in the first month (set in step 1)

        self.datacollector = mesa.DataCollector(model_reporters=metrics.REPORTERS)

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
        )
        self.entries += n

    def _seed_population(self) -> None:
        p = self.p
        n = max(1, round(p.initial_startups * p.scale))
        best = -p.initial_gap_months / p.us_frontier_doubling_months
        cap = -self.rng.exponential(p.initial_capability_spread, size=n)
        cap += best - cap.max()
        self._new_startups(n, cap, self.rng.uniform(p.initial_cash_min_fraction, 1.0, size=n))
        self.startups.birth_step[:] = -self.rng.integers(0, p.initial_max_age_months, size=n)
        self.open_source_level = float(np.median(cap))
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
        self.niche_w = niche_weights(
            self.state_value, self.taste, recent, self.p.herding, self.p.coordination
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
        self.equity_history = np.roll(self.equity_history, 1, axis=0)
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
        young = (self.steps - s.birth_step) <= p.research_subsidy_age_months
        research_need = np.where(young, p.research_subsidy_rate * s.burn, 0.0)
        cash_cap = p.cash_subsidy_cap * s.burn
        compute_spend = p.compute_spend_share * s.burn
        n_f = len(self.funds)
        need_by_city = np.bincount(s.city, weights=research_need, minlength=n_f)
        w_self = self.niche_w[s.city, s.niche] * s.burn
        w_by_city = np.bincount(s.city, weights=w_self, minlength=n_f)
        research_frac = np.zeros(n_f)
        pot = np.zeros((n_f, 3))  # compute, model discount, data budgets per city
        split = np.array(
            [p.subsidy_split_compute, p.subsidy_split_model_discount, p.subsidy_split_data]
        )
        for f, fund in enumerate(self.funds):
            bal = fund.balance[SUBSIDY]
            if need_by_city[f] > 0:
                research_frac[f] = min(1.0, bal / need_by_city[f])
            rest = bal - research_frac[f] * need_by_city[f]
            pot[f] = max(rest, 0.0) * split
        research = research_need * research_frac[s.city]
        share = np.divide(
            w_self, w_by_city[s.city], out=np.zeros(len(s)), where=w_by_city[s.city] > 0
        )
        voucher = np.minimum(share * pot[s.city, 0], p.voucher_match * compute_spend)
        cash_room = np.maximum(cash_cap - research, 0.0)
        discount_data = np.minimum(share * (pot[s.city, 1] + pot[s.city, 2]), cash_room)
        cash = research + discount_data
        paid = np.bincount(s.city, weights=cash, minlength=n_f)
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
        """Equity rounds: city funds (by niche weight) first, then private investors."""
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
        score = s.capability[seek] + self.rng.normal(0.0, p.funding_score_noise, size=len(seek))
        group = s.city[seek] * k + s.niche[seek]
        equity = np.array([f.balance[EQUITY] for f in self.funds])
        budget = (equity[:, None] * self.niche_w).ravel()
        funded = allocate_by_group(group, cost, score, budget)
        idx = seek[funded]
        amount = cost[funded]
        spent = np.bincount(group[funded], weights=amount, minlength=n_f * k).reshape(n_f, k)
        for f, fund in enumerate(self.funds):
            fund.pay(EQUITY, spent[f].sum())
        self._equity_month = spent
        self.state_equity_niche += spent.sum(axis=0)
        self._give_round(idx, amount, state=True)
        self.flow["state_equity"] += amount.sum()

        rest = seek[~funded]
        if len(rest):
            cost = p.round_runway_months * s.burn[rest]
            score = s.capability[rest] + self.rng.normal(0.0, p.funding_score_noise, size=len(rest))
            private_month = p.private_vc_usd_bn_per_year * 1e3 * p.scale / 12.0
            budget = private_month * self.market_value / self.market_value.sum()
            funded = allocate_by_group(s.niche[rest], cost, score, budget)
            self._give_round(rest[funded], cost[funded], state=False)
            self.flow["private"] += cost[funded].sum()

    def _give_round(self, idx: np.ndarray, amount: np.ndarray, *, state: bool) -> None:
        s = self.startups
        s.cash[idx] += amount
        s.round_this_month[idx] += amount
        s.burn[idx] *= self.p.burn_growth_per_round
        if state:
            s.state_received[idx] += amount
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
        moved = np.zeros(len(cand), dtype=bool)
        k = len(NICHES)
        for f in self.rng.permutation(len(self.funds)):
            fund = self.funds[f]
            want = (~moved) & (s.city[cand] != f) & (self.niche_w[f, s.niche[cand]] > 1.0 / k)
            if not want.any() or fund.balance[RELOCATION] <= 0:
                continue
            offer = p.relocation_incentive_ratio * s.round_this_month[cand[want]]
            ok = np.cumsum(offer) <= fund.balance[RELOCATION]
            chosen = cand[want][ok]
            paid = fund.pay(RELOCATION, offer[ok].sum())
            s.cash[chosen] += offer[ok]
            s.state_received[chosen] += offer[ok]
            s.city[chosen] = f
            moved[np.flatnonzero(want)[ok]] = True
            self.flow["state_relocation"] += paid
            self.cum["state_to_startups"] += paid
            self.relocations += len(chosen)

    def _compute_market(self) -> None:
        """Chips made and sold this month; installed compute; each startup's share of it."""
        p = self.p
        s = self.startups
        flagship, licensed, grey = self.vendor.channels()
        dom_supply = self.foundry.supply + self.overseas.supply
        avail = np.array([flagship, licensed, grey, dom_supply])
        price_k = p.foreign_price_usd_k  # US$ k per accelerator = US$ m per k accelerators
        price = price_k * np.array(
            [1.0, p.licensed_price_ratio, p.grey_price_ratio, p.domestic_price_ratio]
        )
        # Foreign-first share falls as domestic chips close the performance gap (C5, C9).
        p0 = p.initial_domestic_performance
        gap_now = 1.0 - self.designer.effective_performance
        self.friction = p.switching_friction * (gap_now / (1.0 - p0) if p0 < 1 else 0.0)
        self.friction = min(max(self.friction, 0.0), 1.0)

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
        res = clear_market(
            avail,
            price,
            self.government.compute_balance,
            startup_budget + bigtech,
            self.friction,
            max_markup=p.max_scarcity_markup,
        )
        self.markup = res.markup
        self.private_fill = res.private_fill
        self.government.spend_compute(res.public_spent)
        # Vouchers are paid for what was actually bought.
        used = s.voucher * res.private_fill
        paid_v = np.bincount(self._voucher_city, weights=used, minlength=len(self.funds))
        for f, fund in enumerate(self.funds):
            paid = fund.pay(SUBSIDY, paid_v[f])
            if paid < paid_v[f] - 1e-9:  # cannot happen: the voucher pot was reserved
                raise RuntimeError("voucher payment exceeded the subsidy balance")
        s.state_received += used
        self.flow["state_subsidy"] += used.sum()
        self.cum["state_to_startups"] += used.sum()
        # Startups pay their own compute share only for chips that could be bought.
        self._unspent_compute = own * (1.0 - res.private_fill)

        units = res.public_units + res.private_units
        self.units_month = units
        self.units_history = np.roll(self.units_history, 1, axis=0)
        self.units_history[0] = units
        dom_units = units[DOM]
        from_foundry = min(dom_units, self.foundry.supply)
        self.foundry.output = from_foundry
        self.overseas.output = dom_units - from_foundry
        paid = res.public_units * price + res.private_units * price * res.markup
        dom_revenue = paid[DOM]
        self.designer.revenue = dom_revenue
        self.designer.revenue_total += dom_revenue
        self.designer.units_sold_total += dom_units
        vendor_rev = paid[HI] + paid[LIC]
        self.vendor.revenue = vendor_rev
        self.vendor.revenue_total += vendor_rev

        keep = 1.0 - 1.0 / p.chip_lifetime_months
        self.stock_private = self.stock_private * keep + res.private_units
        self.stock_public = self.stock_public * keep + res.public_units
        perf = np.array([1.0, p.licensed_performance, 1.0, self.designer.effective_performance])
        e_private = float(self.stock_private @ perf)
        e_public = float(self.stock_public @ perf)
        self.effective_compute = e_private + e_public
        private_total = startup_budget + bigtech
        startup_part = startup_budget / private_total if private_total > 0 else 0.0
        self.startup_compute = e_private * startup_part + e_public
        share = demand / startup_budget if startup_budget > 0 else np.zeros(len(s))
        s.compute = self.startup_compute * share

    def _startups_progress(self, t: int) -> None:
        """Capability, approval, open source, revenue, cash, champions (one month)."""
        p = self.p
        s = self.startups
        self.frontier = (t + 1) / p.us_frontier_doubling_months
        if len(s) == 0:
            return
        need = p.reference_compute * 2.0 ** (t / p.compute_requirement_doubling_months)
        # Own progress runs at most at the frontier's pace (1 / doubling per month), so no
        # startup can overtake the frontier by compute alone.
        pace = np.minimum(
            1.0, p.capability_learning_rate * s.talent * np.log2(1.0 + s.compute / need)
        )
        growth = pace / p.us_frontier_doubling_months
        growth += p.frontier_diffusion * np.maximum(self.frontier - s.capability, 0.0)
        growth += p.open_source_spillover * np.maximum(self.open_source_level - s.capability, 0.0)
        s.capability += growth
        gap = (self.frontier - s.capability) * p.us_frontier_doubling_months
        k = len(NICHES)
        niche_best = np.full(k, -np.inf)
        np.maximum.at(niche_best, s.niche, s.capability)
        behind_niche = (niche_best[s.niche] - s.capability) * p.us_frontier_doubling_months
        behind = (s.capability.max() - s.capability) * p.us_frontier_doubling_months

        genai = self.genai[s.niche]
        eligible = genai & ~s.approved & (behind <= p.approval_gap_months)
        approve = eligible & (self.rng.random(len(s)) < p.approval_probability)
        s.approved |= approve
        self.approvals_total += int(approve.sum())

        release = (
            s.produced
            & (s.capability >= self.open_source_level)
            & (self.rng.random(len(s)) < p.open_source_propensity)
        )
        if release.any():
            s.released |= release
            self.open_source_level = max(self.open_source_level, float(s.capability[release].max()))
            self.releases = int(release.sum())
            self.releases_total += self.releases

        # Revenue: each niche's pool, shrunk by crowding (S4), shared by capability.
        earning = np.where(genai, s.approved, behind_niche <= p.useful_gap_months)
        n_k = np.bincount(s.niche, weights=earning, minlength=k)
        market = (
            p.ai_market_usd_bn_per_year * 1e3 * p.scale / 12.0 * self.adoption / p.initial_adoption
        )
        pool = market * self.true_value / self.true_value.sum()
        pool /= 1.0 + p.price_competition * n_k / (p.crowding_reference * p.scale)
        cmax = np.full(k, -np.inf)
        np.maximum.at(cmax, s.niche[earning], s.capability[earning])
        weight = np.where(
            earning,
            np.exp2(
                p.revenue_capability_elasticity * np.minimum(s.capability - cmax[s.niche], 0.0)
            ),
            0.0,
        )
        wsum = np.bincount(s.niche, weights=weight, minlength=k)
        share = np.divide(weight, wsum[s.niche], out=np.zeros(len(s)), where=wsum[s.niche] > 0)
        s.revenue = share * pool[s.niche]
        # Capability counts as produced once customers pay for it in earnest.
        s.produced |= s.revenue >= p.useful_revenue_ratio * s.burn
        self.niche_revenue = np.bincount(s.niche, weights=s.revenue, minlength=k)

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
                    "gap_months": float(gap[i]),
                    "state_received_usd_bn": float(s.state_received[i]) * 1e-3,
                }
            )

    def _exits(self) -> None:
        """Startups out of cash fail; their state money is wasted if they produced nothing."""
        s = self.startups
        fail = s.cash < 0.0
        if fail.any():
            wasted = s.state_received[fail & ~s.produced].sum()
            self.cum["wasted"] += wasted
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
