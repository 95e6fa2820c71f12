"""The chip makers: sellers of AI accelerators and the foundries behind them.

Each seller puts its offers on the :class:`statecraft.market.ComputeMarket` and books its own
sales (:class:`statecraft.market.Seller`); the government's chip money reaches the foundry and
the designer through :meth:`receive` (they are its recipients). Money is in US$ m, accelerators
in thousands ("k").
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from .market import Offer, Sale, Seller

if TYPE_CHECKING:
    from .institutions import ExportControlRegime

__all__ = [
    "DomesticDesigner",
    "DomesticFoundry",
    "ForeignVendor",
    "GreyImporters",
    "OverseasFoundry",
]


class ForeignVendor(mesa.Agent, Seller):
    """Nvidia-like vendor: sells its flagship where the controls allow and a licensed,
    reduced-performance chip (H20-like) where they license it (C1, C7, C8).

    It reads the export regime each month; what the controls block but do not license is
    what grey importers can bring in (:class:`GreyImporters`).
    """

    def __init__(self, model: mesa.Model, regime: ExportControlRegime) -> None:
        super().__init__(model)
        self.regime = regime
        self.revenue = 0.0  # US$ m this month
        self.revenue_total = 0.0
        self.units_sold = 0.0  # k this month

    @property
    def potential(self) -> float:
        """Unrestricted flagship supply this month (k accelerators)."""
        p = self.model.p
        years = self.model.steps / 12.0
        return p.foreign_supply_k_per_month * p.scale * (1.0 + p.foreign_supply_growth) ** years

    @property
    def blocked(self) -> float:
        """Flagship supply the controls block this month (k)."""
        return self.potential * self.regime.chips

    @property
    def unlicensed(self) -> float:
        """Blocked flagship supply not sold under licence this month (k): what grey importers
        can draw on."""
        blocked = self.blocked
        return blocked - blocked * self.regime.licensed

    def offers(self) -> list[Offer]:
        p = self.model.p
        v = self.potential
        blocked = self.blocked
        licensed = blocked * self.regime.licensed
        eps = p.foreign_supply_elasticity
        price = p.foreign_price_usd_k
        return [
            Offer(self, "flagship", v - blocked, price * 1.0, 1.0, eps, domestic=False),
            Offer(
                self,
                "licensed",
                licensed,
                price * p.licensed_price_ratio,
                p.licensed_performance,
                eps,
                domestic=False,
            ),
        ]

    def book(self, sales: list[Sale]) -> None:
        self.revenue = sum(sale.revenue for sale in sales)
        self.revenue_total += self.revenue
        self.units_sold = sum(sale.units for sale in sales)


class GreyImporters(mesa.Agent, Seller):
    """Grey and smuggled imports of blocked flagship chips (C7): a share ``grey`` of what the
    controls block without licensing, at a smugglers' premium, more elastic than the vendor."""

    def __init__(self, model: mesa.Model, vendor: ForeignVendor, regime: ExportControlRegime):
        super().__init__(model)
        self.vendor = vendor
        self.regime = regime
        self.revenue = 0.0
        self.units_sold = 0.0

    def offers(self) -> list[Offer]:
        p = self.model.p
        units = self.vendor.unlicensed * self.regime.grey
        floor = p.foreign_price_usd_k * p.grey_price_ratio
        return [Offer(self, "grey", units, floor, 1.0, p.grey_supply_elasticity, domestic=False)]

    def book(self, sales: list[Sale]) -> None:
        (sale,) = sales
        self.revenue = sale.revenue
        self.units_sold = sale.units


class DomesticFoundry(mesa.Agent):
    """SMIC-like foundry: capacity grows with capital, limited by tool controls (C2, C4).

    Yield follows an experience curve in cumulative output, so it only improves when domestic
    chips are actually ordered — the channel through which foreign supply can slow the ramp.
    """

    def __init__(self, model: mesa.Model, regime: ExportControlRegime) -> None:
        super().__init__(model)
        p = model.p
        self.regime = regime
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

    def receive(self, amount: float) -> None:
        """Capital for capacity (US$ m): the government's chip money (the foundry is one of its
        recipients) and the share of revenue the designer reinvests."""
        self.capex_inflow += amount

    def produce(self, units: float) -> None:
        """Make ``units`` (k) of this month's orders."""
        self.output = units

    def invest(self) -> None:
        """Grow capacity from this month's capital; move down the experience curve by this
        month's output."""
        p = self.model.p
        capex = self.capex_inflow
        self.capex_total += capex
        tool_factor = 1.0 - self.regime.tools * p.tool_dependence
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

    def __init__(self, model: mesa.Model, regime: ExportControlRegime) -> None:
        super().__init__(model)
        self.regime = regime
        self.output = 0.0

    @property
    def supply(self) -> float:
        p = self.model.p
        return p.overseas_foundry_k_per_month * p.scale * (1.0 - self.regime.foundry)

    def produce(self, units: float) -> None:
        self.output = units


class DomesticDesigner(mesa.Agent, Seller):
    """Ascend-like designer: sells domestic accelerators made by its foundries; relative
    performance ramps with R&D, capped by tool access (C5, C11).

    It offers what its foundries can make this month (the domestic foundry first, then the
    overseas one) at its production-cost floor, with no supply elasticity in the short run; it
    is the only domestic seller and the only one that orders from the foundries (a second
    domestic seller would need foundries of its own).
    R&D is state money plus a share of revenue, so domestic sales feed the ramp; software
    optimisation (C9) makes installed domestic chips more effective as their use accumulates.
    """

    def __init__(
        self,
        model: mesa.Model,
        regime: ExportControlRegime,
        foundries: tuple[DomesticFoundry, OverseasFoundry],
    ) -> None:
        super().__init__(model)
        p = model.p
        self.regime = regime
        self.foundries = foundries
        self.performance = p.initial_domestic_performance
        self.software_gain = 1.0
        self.rd_inflow = 0.0
        self.rd_total = 0.0
        self.revenue = 0.0  # US$ m this month
        self.revenue_total = 0.0
        self.units_sold_total = 0.0
        self.price = self.floor_price  # this month's clearing price (US$ m per k)

    @property
    def effective_performance(self) -> float:
        """Delivered performance relative to the foreign flagship, software gains included."""
        return min(1.0, self.performance * self.software_gain)

    @property
    def floor_price(self) -> float:
        """Lowest price it sells at: production cost (US$ m per k)."""
        p = self.model.p
        return p.foreign_price_usd_k * p.domestic_price_ratio

    def receive(self, amount: float) -> None:
        """State R&D money (a recipient of the government's chip money)."""
        self.rd_inflow += amount

    def offers(self) -> list[Offer]:
        home, overseas = self.foundries
        units = home.supply + overseas.supply
        perf = self.effective_performance
        return [Offer(self, "domestic", units, self.floor_price, perf, 0.0, domestic=True)]

    def book(self, sales: list[Sale]) -> None:
        """Record the sale, order it from the foundries (the domestic one first) and reinvest a
        share of the revenue in the domestic foundry's capacity."""
        (sale,) = sales
        home, overseas = self.foundries
        from_home = min(sale.units, home.supply)
        home.produce(from_home)
        overseas.produce(sale.units - from_home)
        self.price = sale.price
        self.revenue = sale.revenue
        self.revenue_total += sale.revenue
        self.units_sold_total += sale.units
        home.receive(self.model.p.foundry_reinvest_share * sale.revenue)

    def develop(self) -> None:
        """Spend this month's R&D (state money and a share of revenue) on performance."""
        p = self.model.p
        rd = self.rd_inflow + p.designer_rd_share * self.revenue
        self.rd_total += rd
        self.rd_inflow = 0.0
        ceiling = 1.0 - self.regime.tools * (1.0 - p.performance_ceiling_restricted)
        rate = p.performance_rd_rate * math.log2(1.0 + rd / (p.rd_reference_usd_m * p.scale))
        self.performance += min(1.0, rate) * max(ceiling - self.performance, 0.0)
        installed = self.units_sold_total / (p.software_learning_k * p.scale)
        self.software_gain = 1.0 + p.software_optimisation_gain * (1.0 - math.exp(-installed))
