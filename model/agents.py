"""The model's agents.

The few institutional actors are ordinary :class:`mesa.Agent` objects, one instance each (one
fund per city). The thousands of startups are a columnar population (:class:`StartupPopulation`):
one numpy array per state variable, so that a step over the whole population is a handful of
vector operations. Measured on this machine, the per-object version of a far simpler agent
already costs more than the whole budget for this model (see ``benchmarks/README.md``).

Money is in US$ m throughout; accelerators in thousands ("k").
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .params import CITIES, N_TIER1

if TYPE_CHECKING:
    from .model import StatecraftModel

__all__ = [
    "CityFund",
    "DomesticDesigner",
    "DomesticFoundry",
    "ExportControlRegime",
    "ForeignVendor",
    "Government",
    "OverseasFoundry",
    "StartupPopulation",
]

INSTRUMENTS = ("equity", "subsidy", "relocation")


class ExportControlRegime(mesa.Agent):
    """Sets the stringency of controls each month from the scenario's timeline (C1, C2, C7).

    Attributes ``chips``, ``tools``, ``foundry`` and ``licensed`` hold the shares in force this
    month (see :class:`statecraft.params.ExportEvent`).
    """

    def __init__(self, model: StatecraftModel) -> None:
        super().__init__(model)
        p = model.p
        g = p.grey_leakage
        events = [(e.date, e.chips, e.tools, e.foundry, e.licensed, g) for e in p.export_events]
        events = [e for e in events if e[0] < p.policy_date]
        events.append(
            (
                p.policy_date,
                p.policy_chips,
                p.policy_tools,
                p.policy_foundry,
                p.policy_licensed,
                p.policy_grey_leakage,
            )
        )
        self._events = events
        self.chips = self.tools = self.foundry = self.licensed = 0.0
        self.grey = g

    def step(self) -> None:
        month = self.model.month
        for date, chips, tools, foundry, licensed, grey in self._events:
            if date <= month:
                self.chips, self.tools, self.foundry = chips, tools, foundry
                self.licensed, self.grey = licensed, grey


class Government(mesa.Agent):
    """The central government: splits the national budget, coordinates, approves models.

    Each month it receives its share of the national AI budget (M1, from
    ``central_budget_start_date``) and the AI-accelerator part of the semiconductor fund (M2),
    plus the startup tranche (M3) while it flows, and passes them on: chip money to the
    domestic foundry and designer, the startup guidance fund to the city funds (by budget
    weight), compute money to its own public compute budget, spent in the compute market.
    """

    def __init__(self, model: StatecraftModel) -> None:
        super().__init__(model)
        self.received = 0.0  # US$ m, everything that came in
        self.national_paid = 0.0  # of the national AI budget (M1)
        self.tranche_paid = 0.0  # of the startup tranche (M3)
        self.to_chips = 0.0
        self.to_cities = 0.0
        self.compute_balance = 0.0  # public-compute money not yet spent
        self.compute_spent = 0.0
        # This month's flows (read by metrics).
        self.month_to_chips = self.month_to_cities = self.month_to_compute = 0.0

    def step(self) -> None:
        m = self.model
        p = m.p
        s = p.scale
        # Fixed monthly instalments until the total is paid (the last one may be smaller).
        national = 0.0
        if m.month >= p.central_budget_start_date:
            national_total = p.central_ai_budget_usd_bn * 1e3 * s
            national = min(
                national_total / (p.central_budget_years * 12.0),
                national_total - self.national_paid,
            )
            self.national_paid += national
        # Only the AI-accelerator part of the industry-wide semiconductor fund (M2) is modelled.
        semi_fund = (
            p.semiconductor_fund_usd_bn_per_year * p.semiconductor_fund_ai_share * 1e3 * s / 12.0
        )
        tranche = 0.0
        if m.month >= p.startup_tranche_date:
            tranche_total = p.startup_tranche_usd_bn * 1e3 * s
            tranche = min(
                tranche_total / p.startup_tranche_months, tranche_total - self.tranche_paid
            )
            self.tranche_paid += tranche
        self.received += national + semi_fund + tranche

        chips = national * p.central_share_semiconductor + semi_fund
        m.foundry.capex_inflow += chips * p.foundry_share_of_chip_money
        m.designer.rd_inflow += chips * (1.0 - p.foundry_share_of_chip_money)
        self.to_chips += chips

        guidance = national * p.central_share_startups + tranche
        weights = m.fund_weights
        for fund, w in zip(m.funds, weights, strict=True):
            fund.receive(guidance * w, central=True)
        self.to_cities += guidance

        compute = national * p.central_share_compute
        self.compute_balance += compute
        self.month_to_chips, self.month_to_cities, self.month_to_compute = chips, guidance, compute

    def spend_compute(self, amount: float) -> None:
        """Record public-compute purchases made in the market (never more than the balance)."""
        amount = min(amount, self.compute_balance)
        self.compute_balance -= amount
        self.compute_spent += amount


class CityFund(mesa.Agent):
    """A city's AI investment fund (M4): equity, subsidies and relocation incentives.

    Its money sits in one sub-balance per instrument; every disbursement is capped by that
    balance, so ``inflow == sum(balance) + sum(disbursed)`` holds at every step. Its choice of
    niches (``niche_weights``) is made by :func:`statecraft.funding.niche_weights`, which mixes the
    fund's own view with imitation of other cities' recent bets and the state's signal (herding)
    and penalises niches other cities already fund (coordination).
    """

    def __init__(self, model: StatecraftModel, index: int) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.city = CITIES[index]
        self.tier1 = index < N_TIER1
        self.budget_weight = 1.0 if self.tier1 else p.second_tier_budget_ratio
        self.shares = np.array(
            [p.local_share_equity, p.local_share_subsidy, p.local_share_relocation]
        )
        self.balance = np.zeros(3)
        self.disbursed = np.zeros(3)
        self.inflow_local = 0.0
        self.inflow_central = 0.0
        # The fund's own, persistent taste for niches (lognormal around 1).
        self.taste = model.rng.lognormal(0.0, p.fund_taste_sigma, size=len(model.niche_names))
        # This month's share of equity per niche (set by the model each step).
        self.niche_weights = np.full(len(model.niche_names), 1.0 / len(model.niche_names))

    def receive(self, amount: float, central: bool = False) -> None:
        self.balance += amount * self.shares
        if central:
            self.inflow_central += amount
        else:
            self.inflow_local += amount

    def pay(self, instrument: int, amount: float) -> float:
        """Disburse up to ``amount`` from one instrument's balance; return what was paid."""
        paid = min(amount, self.balance[instrument])
        self.balance[instrument] -= paid
        self.disbursed[instrument] += paid
        return paid

    def step(self) -> None:
        """Receive this month's own budget (M4, M5)."""
        p = self.model.p
        self.receive(p.local_budget_usd_bn_per_year * 1e3 * p.scale / 12.0 * self.budget_weight)


class DomesticFoundry(mesa.Agent):
    """SMIC-like foundry: capacity grows with capital, limited by tool controls (C2, C4).

    Yield follows an experience curve in cumulative output, so it only improves when domestic
    chips are actually ordered — the channel through which foreign supply can slow the ramp.
    """

    def __init__(self, model: StatecraftModel) -> None:
        super().__init__(model)
        p = model.p
        self.capacity = p.domestic_capacity_k_per_month * p.scale  # k/month
        self.yield_ = p.initial_yield
        self.cumulative_output = 0.0  # k accelerators
        self.capex_inflow = 0.0  # US$ m received this month
        self.capex_total = 0.0
        self.output = 0.0  # k accelerators made this month

    @property
    def supply(self) -> float:
        """Good accelerators that can be made this month (k)."""
        return self.capacity * self.yield_

    def step(self) -> None:
        """Grow capacity from this month's capital and revenue; update the yield."""
        m = self.model
        p = m.p
        capex = self.capex_inflow + p.foundry_reinvest_share * m.designer.revenue
        self.capex_total += capex
        tool_factor = 1.0 - m.regime.tools * p.tool_dependence
        self.capacity += capex / p.capex_per_k_capacity_usd_m * tool_factor
        self.capacity *= 1.0 - p.capacity_depreciation
        self.capex_inflow = 0.0
        self.cumulative_output += self.output
        learning = p.yield_learning_k * p.scale
        self.yield_ = p.max_yield - (p.max_yield - p.initial_yield) * 2.0 ** (
            -self.cumulative_output / learning
        )


class OverseasFoundry(mesa.Agent):
    """TSMC-like foundry that makes domestic designs unless the controls forbid it (C3)."""

    def __init__(self, model: StatecraftModel) -> None:
        super().__init__(model)
        self.output = 0.0

    @property
    def supply(self) -> float:
        p = self.model.p
        return p.overseas_foundry_k_per_month * p.scale * (1.0 - self.model.regime.foundry)


class DomesticDesigner(mesa.Agent):
    """Ascend-like designer: relative performance ramps with R&D, capped by tool access (C5, C11).

    R&D is state money plus a share of revenue, so domestic sales feed the ramp; software
    optimisation (C9) makes installed domestic chips more effective as their use accumulates.
    """

    def __init__(self, model: StatecraftModel) -> None:
        super().__init__(model)
        p = model.p
        self.performance = p.initial_domestic_performance
        self.software_gain = 1.0
        self.rd_inflow = 0.0
        self.rd_total = 0.0
        self.revenue = 0.0  # US$ m this month
        self.revenue_total = 0.0
        self.units_sold_total = 0.0

    @property
    def effective_performance(self) -> float:
        """Delivered performance relative to the foreign flagship, software gains included."""
        return min(1.0, self.performance * self.software_gain)

    def step(self) -> None:
        m = self.model
        p = m.p
        rd = self.rd_inflow + p.designer_rd_share * self.revenue
        self.rd_total += rd
        self.rd_inflow = 0.0
        ceiling = 1.0 - m.regime.tools * (1.0 - p.performance_ceiling_restricted)
        rate = p.performance_rd_rate * math.log2(1.0 + rd / (p.rd_reference_usd_m * p.scale))
        self.performance += min(1.0, rate) * max(ceiling - self.performance, 0.0)
        installed = self.units_sold_total / (p.software_learning_k * p.scale)
        self.software_gain = 1.0 + p.software_optimisation_gain * (1.0 - math.exp(-installed))


class ForeignVendor(mesa.Agent):
    """Nvidia-like vendor: what it would sell into China at list price, and what the controls
    let through. The market (:mod:`statecraft.market`) scales each channel with its price."""

    def __init__(self, model: StatecraftModel) -> None:
        super().__init__(model)
        self.revenue = 0.0
        self.revenue_total = 0.0

    @property
    def potential(self) -> float:
        """Unrestricted flagship supply this month (k accelerators)."""
        p = self.model.p
        years = self.model.steps / 12.0
        return p.foreign_supply_k_per_month * p.scale * (1.0 + p.foreign_supply_growth) ** years

    def channels(self) -> tuple[float, float, float]:
        """This month's (flagship, licensed, grey) supply at floor prices, k accelerators (C7,
        C8)."""
        r = self.model.regime
        v = self.potential
        blocked = v * r.chips
        licensed = blocked * r.licensed
        grey = (blocked - licensed) * r.grey
        return v - blocked, licensed, grey


class StartupPopulation:
    """Columnar store of the startup population (one numpy array per state variable).

    Rows are live startups only: exits are removed at the end of each step (:meth:`compact`)
    after their money has been accounted. ``uid`` is a stable identity across compactions.
    """

    FLOAT = (
        "cash",
        "burn",
        "talent",
        "capability",
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

    def __init__(self) -> None:
        for name in self.FLOAT:
            setattr(self, name, np.zeros(0))
        for name in self.INT:
            setattr(self, name, np.zeros(0, dtype=np.int64))
        for name in self.BOOL:
            setattr(self, name, np.zeros(0, dtype=bool))
        self.next_uid = 0

    def __len__(self) -> int:
        return len(self.cash)

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
