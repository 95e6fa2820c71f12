"""Outputs of the model: one pure function ``f(model) -> float`` per metric.

Each is recorded every month by Mesa's DataCollector (see :data:`REPORTERS`) and becomes a
column of the run's time-series table. Money is reported in US$ bn, compute in thousands of
flagship-equivalent accelerators.

Metrics read the participants' public state only, and only the participants named in
:class:`ModelState` (which :class:`statecraft.model.StatecraftModel` satisfies), so this module
needs nothing from the model's own file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import mesa
import numpy as np

from .kernels import overlap, revenue_hhi
from .params import NICHES, Params

if TYPE_CHECKING:
    from .chips import DomesticDesigner, DomesticFoundry, Importers
    from .economy import Economy
    from .institutions import CityFunds, ExportControlRegime, Government
    from .market import Buyer, ComputeMarket
    from .startups import StartupPopulation


class ModelState(Protocol):
    """The public state metrics read: the model's participants and its parameters."""

    p: Params
    buyers: list[Buyer]
    startups: StartupPopulation
    city_funds: CityFunds
    government: Government
    regime: ExportControlRegime
    market: ComputeMarket
    designer: DomesticDesigner
    foundry: DomesticFoundry
    importers: Importers
    economy: Economy


_BN = 1e-3  # US$ m -> US$ bn


def active_startups(model: ModelState) -> int:
    """Startups alive at the end of the month."""
    return len(model.startups)


def entries(model: ModelState) -> int:
    """Startups founded this month."""
    return model.startups.entries


def exits(model: ModelState) -> int:
    """Startups that failed this month (cash ran out)."""
    return model.startups.exits


def relocations(model: ModelState) -> int:
    """Startups that moved city for a relocation incentive this month (M8)."""
    return model.city_funds.relocations


def funding_state_equity_usd_bn(model: ModelState) -> float:
    """Equity and loans from city funds to startups this month (US$ bn)."""
    return model.startups.flow["state_equity"] * _BN


def funding_state_subsidy_usd_bn(model: ModelState) -> float:
    """Subsidies paid this month: research costs, compute vouchers used, model and data (US$ bn)."""
    return model.startups.flow["state_subsidy"] * _BN


def funding_state_relocation_usd_bn(model: ModelState) -> float:
    """Relocation incentives paid this month (US$ bn)."""
    return model.startups.flow["state_relocation"] * _BN


def funding_private_usd_bn(model: ModelState) -> float:
    """Private venture rounds this month (US$ bn)."""
    return model.startups.flow["private"] * _BN


def central_to_chips_usd_bn(model: ModelState) -> float:
    """Central money to the domestic foundry and designer this month (US$ bn)."""
    return model.government.month_paid["chips"] * _BN


def central_to_cities_usd_bn(model: ModelState) -> float:
    """Central guidance money passed to the city funds this month (US$ bn)."""
    return model.government.month_paid["cities"] * _BN


def central_to_compute_usd_bn(model: ModelState) -> float:
    """Central money for public compute this month (US$ bn)."""
    return model.government.month_paid["compute"] * _BN


def state_to_startups_cum_usd_bn(model: ModelState) -> float:
    """Cumulative state money received by startups since the start (US$ bn)."""
    return model.startups.cum["state_to_startups"] * _BN


def _overlap(x: np.ndarray, size: np.ndarray) -> float:
    """Money-weighted mean overlap ``sum_k x[f, k] x[g, k]`` over pairs of different funds."""
    return float(overlap(np.asarray(x, dtype=float), np.asarray(size, dtype=float)))


def duplication_index(model: ModelState) -> float:
    """Overlap of city funds' niche bets beyond what independent choices give, over its ceiling.

    With ``x[f, k]`` fund ``f``'s share of its trailing-12-month equity in niche ``k``, the
    overlap ``O`` is the mean over pairs of different funds (weighted by their equity) of
    ``sum_k x[f, k] x[g, k]``: the chance that a dollar of one city and a dollar of another
    back the same niche. ``O_0`` is the same overlap of the funds' *own* views (what each
    would do alone, :func:`statecraft.funding.own_views`). ``D = (O - O_0) / (1 - O_0)``:
    0 when cities choose as they would independently, 1 (the ceiling) when every city puts all
    its money in one and the same niche, negative when they specialise more than independent
    choices would (coordination). 0 with no equity or a single fund.
    """
    e = model.city_funds.equity_history.sum(axis=0)
    size = e.sum(axis=1)
    if (size > 0).sum() < 2:
        return 0.0
    x = e / np.where(size > 0, size, 1.0)[:, None]
    observed = _overlap(x, size)
    independent = _overlap(model.city_funds.own_w, size)
    if independent >= 1.0:
        return 0.0
    return float((observed - independent) / (1.0 - independent))


def hot_niche_equity_share(model: ModelState) -> float:
    """Share of all city-fund equity over the trailing 12 months that went to the single most
    funded niche: 1 when every city backs the same niche (herding, S5). 0 with no equity."""
    e = model.city_funds.equity_history.sum(axis=(0, 1))
    total = e.sum()
    return float(e.max() / total) if total > 0 else 0.0


def wasted_funding_usd_bn(model: ModelState) -> float:
    """Cumulative state money received by startups that failed without producing capability.

    A startup has *produced capability* once its capability came within
    ``produced_gap_months`` of the leading domestic labs (:func:`capability_gap_months`'s
    yardstick). All state money a failed startup received (equity, subsidies, vouchers used,
    relocation) counts. US$ bn.
    """
    return model.startups.cum["wasted"] * _BN


def wasted_share(model: ModelState) -> float:
    """:func:`wasted_funding_usd_bn` as a share of all state money received by startups so far."""
    total = model.startups.cum["state_to_startups"]
    return float(model.startups.cum["wasted"] / total) if total > 0 else 0.0


def private_wasted_share(model: ModelState) -> float:
    """Private venture money lost in startups that failed without producing capability, as a
    share of all private money to startups: the benchmark of ordinary startup attrition."""
    total = model.startups.cum["private_to_startups"]
    return float(model.startups.cum["wasted_private"] / total) if total > 0 else 0.0


def state_equity_wasted_share(model: ModelState) -> float:
    """City-fund equity lost in startups that failed without producing capability, as a share
    of all city-fund equity: the state's bets measured like :func:`private_wasted_share`."""
    total = model.startups.cum["state_equity"]
    return float(model.startups.cum["wasted_state_equity"] / total) if total > 0 else 0.0


def excess_waste_share(model: ModelState) -> float:
    """State equity wasted in excess of what private investors lose on the same kind of bets
    (equity rounds in the same startup population): :func:`state_equity_wasted_share` minus
    :func:`private_wasted_share`. Positive when state bets fail unproductively more often."""
    return state_equity_wasted_share(model) - private_wasted_share(model)


def excess_wasted_usd_bn(model: ModelState) -> float:
    """:func:`excess_waste_share` times all city-fund equity so far: state money lost beyond
    the private benchmark (US$ bn)."""
    return excess_waste_share(model) * model.startups.cum["state_equity"] * _BN


def devalued_niche_equity_share(model: ModelState) -> float:
    """Share of this month's city-fund equity that went to niches devalued by the shift (S7)."""
    by_niche = model.city_funds.equity_month.sum(axis=0)
    total = by_niche.sum()
    if total <= 0:
        return 0.0
    return float(by_niche[model.economy.devalued].sum() / total)


def domestic_share(model: ModelState) -> float:
    """Domestic accelerators as a share of all sold in China, trailing 12 months (C6)."""
    return model.market.domestic_share()


def foreign_units(model: ModelState) -> float:
    """Foreign accelerators (flagship, licensed, grey) sold this month (k)."""
    return model.market.units_sold(domestic=False)


def domestic_units(model: ModelState) -> float:
    """Domestic accelerators sold this month (k)."""
    return model.market.units_sold(domestic=True)


def accelerators_shipped(model: ModelState) -> float:
    """Accelerators shipped into the country this month, domestic and foreign (k): importers'
    resales are not shipped again (IDC's "cards shipped")."""
    return model.market.units_sold(domestic=True) + model.market.units_sold(domestic=False)


def effective_compute(model: ModelState) -> float:
    """Installed compute in China, held by all buyers, in k flagship-equivalent accelerators."""
    total = 0.0
    for buyer in model.buyers:  # in order, rounding as plain additions (not sum()'s compensation)
        total += buyer.stock
    return float(total)


def startup_compute(model: ModelState) -> float:
    """Effective compute used by startups this month (k flagship-equivalents)."""
    return model.startups.compute_held


def compute_fill(model: ModelState) -> float:
    """Share of private buyers' compute budgets (startups, platforms) spent on chips this month."""
    return model.market.last.private_fill


def unmet_compute_usd_bn(model: ModelState) -> float:
    """Private compute money not spent this month: priced out, or nothing on offer (US$ bn)."""
    return model.market.last.unmet * _BN


def compute_shortage(model: ModelState) -> float:
    """Share of the compute private buyers would have bought at the flagship list price with
    unlimited supply that they did not get this month (0 = no shortage)."""
    return model.market.last.shortage


def chip_price_index(model: ModelState) -> float:
    """Price private buyers paid per flagship-equivalent this month, relative to the flagship
    list price (1 = list; NaN when nothing was bought)."""
    return model.market.last.price_index


def domestic_chip_price_index(model: ModelState) -> float:
    """Clearing price of domestic accelerators relative to their floor (production cost)."""
    return float(model.designer.price / model.designer.floor_price)


def chip_units_rationed(model: ModelState) -> float:
    """Accelerators demanded at the clearing prices but not delivered this month (k): rationing
    by quantity left after prices did their work (0 when prices cleared the market)."""
    return model.market.last.rationed_units


def domestic_performance(model: ModelState) -> float:
    """Domestic accelerator performance relative to the foreign flagship, software included."""
    return model.designer.effective_performance


def domestic_capacity(model: ModelState) -> float:
    """Good accelerator dies the domestic foundry can make this month (k): wafer starts x dies
    per wafer x yield."""
    return model.foundry.capacity


def domestic_unsold(model: ModelState) -> float:
    """Domestic accelerators offered but not bought this month (k): where it is above 0,
    demand, not supply, set the domestic share."""
    return model.designer.unsold


def importer_stock(model: ModelState) -> float:
    """Foreign accelerators importers hold, bought ahead of announced rules (k)."""
    return model.importers.held


def die_stock(model: ModelState) -> float:
    """Domestic-design dies made overseas and not yet packaged (k)."""
    return model.designer.die_stock


def overseas_dies_made(model: ModelState) -> float:
    """Domestic-design dies the overseas foundry has made since the start (k)."""
    return model.designer.foundries[1].cumulative_output


def hbm_stock(model: ModelState) -> float:
    """High-bandwidth memory stacks the designer holds, bought ahead of the memory rule (k)."""
    return model.designer.hbm_stock


def domestic_yield(model: ModelState) -> float:
    """Yield of the domestic advanced process."""
    return model.foundry.yield_


def best_capability(model: ModelState) -> float:
    """Capability of the leading domestic labs (log2 units; the US frontier is 0 at the start):
    the ``frontier_labs``-th best startup at full scale, a measure independent of ``scale``."""
    return model.startups.domestic_best


def capability_gap_months(model: ModelState) -> float:
    """Months the US frontier is ahead of the leading domestic labs (S9).

    Capability is measured in doublings of effective compute; the frontier gains one doubling
    every ``us_frontier_doubling_months``, so the gap in months is
    ``(frontier - best) * us_frontier_doubling_months``: how long ago the US stood where the
    leading domestic labs stand now. ``best`` is :func:`best_capability`. NaN with no startups.
    """
    return model.startups.gap_months


def champions(model: ModelState) -> int:
    """Live national champions: startups that held at least ``champion_share`` of their niche's
    revenue for ``champion_months`` consecutive months (S11)."""
    return int(model.startups.champion.sum())


def market_hhi(model: ModelState) -> float:
    """Revenue concentration: each niche's Herfindahl–Hirschman index (shares in 0–1),
    weighted by the niche's share of total revenue. 1 = one firm per niche."""
    s = model.startups
    return float(revenue_hhi(s.revenue, s.niche, len(NICHES)))


def open_source_releases(model: ModelState) -> int:
    """Open-model releases this month (S8)."""
    return model.startups.releases


def approved_models(model: ModelState) -> int:
    """Generative models approved by the state since the start (S2)."""
    return model.startups.approvals_total


def ai_adoption(model: ModelState) -> float:
    """Share of the economy using AI (S12 targets 0.9 by 2030)."""
    return model.economy.adoption


def export_chip_stringency(model: ModelState) -> float:
    """Share of the foreign flagship flow blocked this month."""
    return model.regime.chips


def export_tool_stringency(model: ModelState) -> float:
    """Share of chip-making tool supply blocked this month."""
    return model.regime.tools


#: Name -> function, in output-column order.
REPORTERS = {
    f.__name__: f
    for f in (
        active_startups,
        entries,
        exits,
        relocations,
        funding_state_equity_usd_bn,
        funding_state_subsidy_usd_bn,
        funding_state_relocation_usd_bn,
        funding_private_usd_bn,
        central_to_chips_usd_bn,
        central_to_cities_usd_bn,
        central_to_compute_usd_bn,
        state_to_startups_cum_usd_bn,
        duplication_index,
        hot_niche_equity_share,
        wasted_funding_usd_bn,
        wasted_share,
        private_wasted_share,
        state_equity_wasted_share,
        excess_waste_share,
        excess_wasted_usd_bn,
        devalued_niche_equity_share,
        domestic_share,
        foreign_units,
        domestic_units,
        accelerators_shipped,
        effective_compute,
        startup_compute,
        compute_fill,
        unmet_compute_usd_bn,
        compute_shortage,
        chip_price_index,
        domestic_chip_price_index,
        chip_units_rationed,
        domestic_performance,
        domestic_capacity,
        domestic_unsold,
        importer_stock,
        die_stock,
        overseas_dies_made,
        hbm_stock,
        domestic_yield,
        best_capability,
        capability_gap_months,
        champions,
        market_hhi,
        open_source_releases,
        approved_models,
        ai_adoption,
        export_chip_stringency,
        export_tool_stringency,
    )
}


def niche_row(model: ModelState) -> np.ndarray:
    """This month's row per niche: startups, state equity (US$ m), revenue (US$ m), true value
    and state-perceived value; shape (n_niches, 5). Becomes the run's ``niches`` table."""
    s = model.startups
    k = len(NICHES)
    return np.column_stack(
        [
            np.bincount(s.niche, minlength=k),
            model.city_funds.equity_month.sum(axis=0),
            s.niche_revenue,
            model.economy.true_value,
            model.economy.state_value,
        ]
    )


class ScalarCollector(mesa.DataCollector):
    """Mesa's DataCollector for model reporters that return numbers.

    Mesa deep-copies every reported value so that a reporter returning a mutable object is
    not changed afterwards; every reporter in :data:`REPORTERS` returns a Python number, so the
    copy is skipped (about a tenth of a run's cost otherwise). The first month goes through
    Mesa's own ``collect``, which validates the reporters.
    """

    def collect(self, model: mesa.Model) -> None:
        if not self._validated:
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        for var, reporter in self.model_reporters.items():
            self.model_vars[var].append(reporter(model))
