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

from .market import Buyer, Offer, Purchase, Sale, Seller
from .params import months_between

if TYPE_CHECKING:
    from .institutions import ExportControlRegime
    from .params import Params

__all__ = [
    "SUPPLY_PARAMETERS",
    "DomesticDesigner",
    "DomesticFoundry",
    "ForeignVendor",
    "GreyImporters",
    "Importers",
    "OverseasFoundry",
    "scaled_supply",
]


#: The parameters that set how many chips can be made or shipped: scaling them all by one factor
#: scales the country's chip supply (:func:`scaled_supply`).
SUPPLY_PARAMETERS = (
    "foreign_supply_k_per_month",
    "domestic_wafers_k_per_month",
    "overseas_foundry_k_per_month",
    "packaging_k_per_month",
    "domestic_hbm_k_stacks_per_month",
)


def scaled_supply(params: Params, factor: float) -> dict[str, float]:
    """Overrides that multiply every chip-supply parameter of ``params`` by ``factor``."""
    return {name: getattr(params, name) * factor for name in SUPPLY_PARAMETERS}


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


class Importers(mesa.Agent, Buyer, Seller):
    """Importers and resellers of foreign accelerators who buy ahead of announced rules.

    While a chip rule is known but not yet in force (:attr:`ExportControlRegime.coming`), they
    buy towards a stock of ``import_stockpile_months`` months of the foreign supply the rule
    will cut, spread over the months left; afterwards they sell the stock on the market (a
    resale channel, elasticity 0, at the flagship's price per unit of performance). Their
    purchases count as shipments into the country (as market trackers count sell-in); their
    resales do not, so they move the domestic share of shipments by *when* foreign chips
    arrive. They are a buyer that installs nothing (``stock`` 0) and not a private end user.
    """

    private = False

    def __init__(self, model: mesa.Model, vendor: ForeignVendor, regime: ExportControlRegime):
        super().__init__(model)
        self.vendor = vendor
        self.regime = regime
        self.held = 0.0  # k accelerators in stock
        self.held_effective = 0.0  # k flagship-equivalents in stock
        self.spent = 0.0  # US$ m since the start
        self.revenue = 0.0
        self.bought = 0.0  # k accelerators bought this month
        self.sold = 0.0  # k accelerators resold this month

    def _target(self) -> float:
        """k accelerators they want to hold this month (0 outside an announcement window)."""
        coming = self.regime.coming
        if coming is None:
            return 0.0
        cut = max(self.regime.open_share - coming.open_share, 0.0)
        return self.model.p.import_stockpile_months * self.vendor.potential * cut

    @property
    def stockpiling(self) -> bool:
        return self._target() > self.held

    def budget(self) -> float:
        target = self._target()
        if target <= self.held:
            return 0.0
        months = max(self.regime.months_to_coming, 1)
        return (target - self.held) / months * self.model.p.foreign_price_usd_k

    def preference(self, offer: Offer) -> float:
        return 1.0 if offer.seller is self.vendor else 0.0

    def take(self, purchase: Purchase) -> None:
        self.bought = float(purchase.units.sum())
        self.held += self.bought
        self.held_effective += purchase.effective
        self.spent += purchase.spent

    def offers(self) -> list[Offer]:
        units = 0.0 if self.stockpiling else self.held
        perf = self.held_effective / self.held if self.held > 0 else 1.0
        price = self.model.p.foreign_price_usd_k * perf
        return [Offer(self, "resale", units, price, perf, 0.0, domestic=False, resale=True)]

    def book(self, sales: list[Sale]) -> None:
        (sale,) = sales
        self.sold = sale.units
        if self.held > 0:
            self.held_effective *= max(1.0 - sale.units / self.held, 0.0)
        self.held = max(self.held - sale.units, 0.0)
        self.revenue += sale.revenue


class DomesticFoundry(mesa.Agent):
    """SMIC-like foundry: advanced-node wafer starts grow with capital, limited by tool controls
    (C2, C4).

    Good dies are wafers x ``dies_per_wafer`` x yield; the yield follows an experience curve in
    cumulative wafers, so it only improves when domestic dies are actually ordered — the channel
    through which foreign supply or the overseas die stock can slow the ramp.
    """

    def __init__(self, model: mesa.Model, regime: ExportControlRegime) -> None:
        super().__init__(model)
        p = model.p
        self.regime = regime
        self.wafers = p.domestic_wafers_k_per_month * p.scale  # k wafer starts/month
        self.yield_ = p.initial_yield
        self.cumulative_wafers = 0.0  # k
        self.cumulative_output = 0.0  # k good dies
        self.capex_inflow = 0.0  # US$ m received this month
        self.capex_total = 0.0
        self.output = 0.0  # k good dies made this month

    @property
    def dies_per_k_wafers(self) -> float:
        """Good dies (k) per k wafers at this month's yield."""
        return self.model.p.dies_per_wafer * self.yield_

    @property
    def supply(self) -> float:
        """Good dies that can be made this month (k)."""
        return self.wafers * self.dies_per_k_wafers

    @property
    def capacity(self) -> float:
        """Alias of :attr:`supply` (k good dies a month)."""
        return self.supply

    def receive(self, amount: float) -> None:
        """Capital for capacity (US$ m): the government's chip money (the foundry is one of its
        recipients) and the share of revenue the designer reinvests."""
        self.capex_inflow += amount

    def produce(self, units: float) -> None:
        """Make ``units`` (k good dies) of this month's orders."""
        self.output = units

    def invest(self) -> None:
        """Grow wafer starts from this month's capital; move down the experience curve by this
        month's wafers."""
        p = self.model.p
        capex = self.capex_inflow
        self.capex_total += capex
        tool_factor = 1.0 - self.regime.tools * p.tool_dependence
        self.wafers += capex / p.capex_per_k_wafers_usd_m * tool_factor
        self.wafers *= 1.0 - p.capacity_depreciation
        self.capex_inflow = 0.0
        per = self.dies_per_k_wafers
        self.cumulative_wafers += self.output / per if per > 0 else 0.0
        self.cumulative_output += self.output
        learning = p.yield_learning_k * p.scale
        self.yield_ = p.max_yield - (p.max_yield - p.initial_yield) * 2.0 ** (
            -self.cumulative_wafers / learning
        )


class OverseasFoundry(mesa.Agent):
    """TSMC-like foundry that makes domestic designs unless the controls forbid it (C3); its
    dies go into the designer's die stock."""

    def __init__(self, model: mesa.Model, regime: ExportControlRegime) -> None:
        super().__init__(model)
        self.regime = regime
        self.output = 0.0  # k dies made this month
        self.cumulative_output = 0.0

    @property
    def supply(self) -> float:
        p = self.model.p
        return p.overseas_foundry_k_per_month * p.scale * (1.0 - self.regime.foundry)

    def produce(self, units: float) -> None:
        """Make ``units`` more dies (k) this month."""
        self.output += units
        self.cumulative_output += units


class DomesticDesigner(mesa.Agent, Seller):
    """Ascend-like designer: sells domestic accelerators made from its dies; relative performance
    ramps with R&D, capped by tool access (C5, C11).

    Each month it receives the overseas foundry's dies into a die stock and offers what it can
    package: at most its packaging capacity, its dies (the stock first, then the domestic
    foundry's output) and its high-bandwidth memory (HBM) over ``hbm_stacks_per_chip``. Foreign
    HBM is unlimited except for the blocked share (``memory``); while a memory rule is announced
    it stockpiles HBM, drawn down afterwards with domestic HBM. It sells at its production-cost
    floor with no supply elasticity in the short run, and is the only domestic seller.
    R&D is state money plus a share of revenue, so domestic sales feed the ramp; the software
    ecosystem (C9) matures with the installed base: it makes installed domestic chips more
    effective and lowers buyers' switching cost (``Offer.ecosystem``).
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
        self.software_maturity = 0.0
        self.rd_inflow = 0.0
        self.rd_total = 0.0
        self.revenue = 0.0  # US$ m this month
        self.revenue_total = 0.0
        self.units_sold = 0.0  # k this month
        self.units_sold_total = 0.0
        self.die_stock = 0.0  # k dies made overseas, not yet packaged
        self.hbm_stock = 0.0  # k HBM stacks bought ahead of the memory rule
        self.packaging = p.packaging_k_per_month * p.scale  # k accelerators/month
        self.unsold = 0.0  # k accelerators offered but not sold this month
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

    def hbm_limit(self) -> float:
        """Accelerators (k) this month's HBM allows: the stock, domestic output and the
        unblocked share of foreign HBM."""
        p = self.model.p
        stacks = p.hbm_stacks_per_chip
        if stacks <= 0:
            return math.inf
        foreign = (1.0 - self.regime.memory) * self.packaging
        return (self.hbm_stock + self._domestic_hbm()) / stacks + foreign

    def _domestic_hbm(self) -> float:
        p = self.model.p
        if self.model.month < p.domestic_hbm_date:
            return 0.0
        years = months_between(p.domestic_hbm_date, self.model.month) / 12.0
        return p.domestic_hbm_k_stacks_per_month * p.scale * (1.0 + p.domestic_hbm_growth) ** years

    def _stockpile_hbm(self) -> None:
        """Buy HBM ahead of an announced memory rule (towards the target, over the months
        left)."""
        coming = self.regime.coming
        if coming is None or coming.memory <= self.regime.memory:
            return
        p = self.model.p
        need = self.packaging * p.hbm_stacks_per_chip * (coming.memory - self.regime.memory)
        target = p.hbm_stockpile_months * need
        if target > self.hbm_stock:
            self.hbm_stock += (target - self.hbm_stock) / max(self.regime.months_to_coming, 1)

    def stock_up(self) -> None:
        """Before the market. Under a foundry ban that leaks (``0 < foundry < 1``), order every
        die the overseas foundry can still make into the die stock (the route may close any
        month); buy HBM ahead of an announced memory rule."""
        _, overseas = self.foundries
        overseas.output = 0.0
        if 0.0 < self.regime.foundry < 1.0:
            made = overseas.supply
            overseas.produce(made)
            self.die_stock += made
        self._stockpile_hbm()

    def _overseas_to_order(self) -> float:
        """Dies (k) the overseas foundry makes to order this month (none under a ban)."""
        _, overseas = self.foundries
        return overseas.supply if self.regime.foundry == 0.0 else 0.0

    def offers(self) -> list[Offer]:
        home, _ = self.foundries
        dies = self.die_stock + self._overseas_to_order() + home.supply
        units = max(min(dies, self.packaging, self.hbm_limit()), 0.0)
        perf = self.effective_performance
        return [
            Offer(
                self,
                "domestic",
                units,
                self.floor_price,
                perf,
                0.0,
                domestic=True,
                ecosystem=self.software_maturity,
            )
        ]

    def book(self, sales: list[Sale]) -> None:
        """Record the sale, take its dies from the stock first and then order the rest from the
        domestic foundry, use HBM, and reinvest a share of the revenue in the domestic
        foundry's capacity."""
        (sale,) = sales
        home, _ = self.foundries
        units = sale.units
        from_stock = min(units, self.die_stock)
        self.die_stock -= from_stock
        _, overseas = self.foundries
        from_overseas = min(units - from_stock, self._overseas_to_order())
        if from_overseas > 0:
            overseas.produce(from_overseas)
        home.produce(min(units - from_stock - from_overseas, home.supply))
        p = self.model.p
        if self.regime.memory > 0 and p.hbm_stacks_per_chip > 0:
            # blocked share of the HBM comes from domestic output first, then the stock
            need = units * p.hbm_stacks_per_chip * self.regime.memory
            self.hbm_stock = max(self.hbm_stock - max(need - self._domestic_hbm(), 0.0), 0.0)
        self.unsold = max(sale.offered - units, 0.0)
        self.price = sale.price
        self.units_sold = units
        self.revenue = sale.revenue
        self.revenue_total += sale.revenue
        self.units_sold_total += units
        home.receive(p.foundry_reinvest_share * sale.revenue)

    def develop(self) -> None:
        """Spend this month's R&D (state money and a share of revenue) on performance; grow
        packaging; mature the software ecosystem with the installed base."""
        p = self.model.p
        rd = self.rd_inflow + p.designer_rd_share * self.revenue
        self.rd_total += rd
        self.rd_inflow = 0.0
        ceiling = 1.0 - self.regime.tools * (1.0 - p.performance_ceiling_restricted)
        rate = p.performance_rd_rate * math.log2(1.0 + rd / (p.rd_reference_usd_m * p.scale))
        self.performance += min(1.0, rate) * max(ceiling - self.performance, 0.0)
        self.packaging *= (1.0 + p.packaging_growth) ** (1.0 / 12.0)
        installed = self.units_sold_total / (p.software_learning_k * p.scale)
        self.software_maturity = -math.expm1(-installed)
        self.software_gain = 1.0 + p.software_optimisation_gain * self.software_maturity
