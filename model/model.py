"""StatecraftModel: builds the participants from the parameters; ``step()`` is one month's order.

Who owns what (see ``docs/ARCHITECTURE.md``): the export-control regime, the government, the city
funds and the private investors are in :mod:`statecraft.institutions`; the chip makers in
:mod:`statecraft.chips`; the other buyers of compute in :mod:`statecraft.compute`; the startups
in :mod:`statecraft.startups`; niche values and adoption in :mod:`statecraft.economy`; the
compute market in :mod:`statecraft.market`. ``docs/ODD.md`` ("Process overview and scheduling")
gives the same order in prose. One step is one calendar month; ``model.month`` is its label.
"""

from __future__ import annotations

from typing import Any

import mesa

from . import metrics
from .chips import (
    DomesticDesigner,
    DomesticFoundry,
    ForeignVendor,
    GreyImporters,
    Importers,
    OverseasFoundry,
)
from .compute import Platforms, PublicCompute, StateDataCentres
from .economy import Economy
from .institutions import CityFunds, ExportControlRegime, Government, PrivateInvestors
from .market import ComputeMarket
from .params import Params
from .startups import StartupPopulation

__all__ = ["StatecraftModel", "month_range"]


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_range(start: str, end: str) -> list[str]:
    """All ``YYYY-MM`` labels from ``start`` to ``end`` inclusive."""
    return [
        f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(_month_index(start), _month_index(end) + 1)
    ]


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
    buyers, sellers : list
        The compute market's participants, in clearing order.
    investors : list
        Who backs startups' rounds, in the order they choose (private investors first).
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
        start = _month_index(p.start_date)

        # Participants (the city funds draw their tastes first, then the startups are seeded).
        self.regime = ExportControlRegime(self)
        self.city_funds = CityFunds(self, p.n_city_funds)
        self.foundry = DomesticFoundry(self, self.regime)
        self.overseas = OverseasFoundry(self, self.regime)
        self.designer = DomesticDesigner(self, self.regime, (self.foundry, self.overseas))
        self.vendor = ForeignVendor(self, self.regime)
        self.grey = GreyImporters(self, self.vendor, self.regime)
        self.importers = Importers(self, self.vendor, self.regime)
        self.platforms = Platforms(self)
        self.public_compute = PublicCompute(self)
        self.state_datacentres = StateDataCentres(self)
        share = p.foundry_share_of_chip_money
        self.government = Government(
            self,
            {
                "chips": [(self.foundry, share), (self.designer, 1.0 - share)],
                "cities": [(self.city_funds, 1.0)],
                "compute": [(self.public_compute, 1.0)],
            },
        )
        self.economy = Economy(p, _month_index(p.paradigm_shift_date) - start)
        self.startups = StartupPopulation(
            p, self.rng, self.economy.genai, _month_index(p.genai_rules_date) - start
        )
        self.investors = [PrivateInvestors(p, self.economy), self.city_funds]
        self.market = ComputeMarket(
            p.chip_substitution_elasticity, p.compute_price_elasticity, p.foreign_price_usd_k
        )
        self.buyers = [
            self.startups,
            self.platforms,
            self.public_compute,
            self.state_datacentres,
            self.importers,
        ]
        self.sellers = [self.vendor, self.grey, self.importers, self.designer]

        self.startups.seed(self.economy, self.city_funds.weights)
        self._money0 = 0.0  # money open to startups in the first month (set in step 1)
        self.niche_rows: list = []  # one (n_niches, 5) array per month: the niches table
        self.datacollector = metrics.ScalarCollector(model_reporters=metrics.REPORTERS)

    def _money_open_to_startups(self) -> float:
        """What the investors have for startups this month (US$ m)."""
        money = 0.0
        for investor in self.investors:
            money += investor.money_this_month()
        return money

    def step(self) -> None:
        """Simulate one month (Mesa has already advanced ``self.steps``)."""
        t = self.steps - 1
        self.month = self.months[t]
        self.startups.start_month()
        self.regime.update(self.month)
        self.economy.update_values(t)
        self.government.disburse(self.month)
        self.city_funds.collect_budgets()
        self.city_funds.choose_niches(self.economy)
        if self.steps == 1:
            self._money0 = self._money_open_to_startups()
        self.city_funds.subsidise(self.startups)
        self.startups.raise_rounds(self.investors)
        self.city_funds.lure(self.startups)
        self.designer.stock_up()
        self.market.clear(self.buyers, self.sellers)
        self.city_funds.redeem_vouchers(self.startups)
        self.designer.develop()
        self.foundry.invest()
        cloud = self.platforms.stock + self.state_datacentres.stock
        self.startups.progress(t, self.month, self.economy, cloud)
        self.startups.exit()
        money = self._money_open_to_startups() / self._money0 if self._money0 > 0 else 1.0
        self.startups.enter(money, self.economy, self.city_funds.weights)
        self.economy.adopt(self.startups.gap_months)
        self.city_funds.end_month()
        self.niche_rows.append(metrics.niche_row(self))
        self.datacollector.collect(self)
        if self.steps >= len(self.months):
            self.running = False
