"""Outputs of the model: one pure function ``f(model) -> float`` per metric.

Each is recorded every month by Mesa's DataCollector (see :data:`REPORTERS`) and becomes a
column of the run's time-series table. Money is reported in US$ bn, compute in thousands of
flagship-equivalent accelerators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .market import DOM

if TYPE_CHECKING:
    from .model import StatecraftModel

_BN = 1e-3  # US$ m -> US$ bn


def active_startups(model: StatecraftModel) -> int:
    """Startups alive at the end of the month."""
    return len(model.startups)


def entries(model: StatecraftModel) -> int:
    """Startups founded this month."""
    return model.entries


def exits(model: StatecraftModel) -> int:
    """Startups that failed this month (cash ran out)."""
    return model.exits


def relocations(model: StatecraftModel) -> int:
    """Startups that moved city for a relocation incentive this month (M8)."""
    return model.relocations


def funding_state_equity_usd_bn(model: StatecraftModel) -> float:
    """Equity and loans from city funds to startups this month (US$ bn)."""
    return model.flow["state_equity"] * _BN


def funding_state_subsidy_usd_bn(model: StatecraftModel) -> float:
    """Subsidies paid this month: research costs, compute vouchers used, model and data (US$ bn)."""
    return model.flow["state_subsidy"] * _BN


def funding_state_relocation_usd_bn(model: StatecraftModel) -> float:
    """Relocation incentives paid this month (US$ bn)."""
    return model.flow["state_relocation"] * _BN


def funding_private_usd_bn(model: StatecraftModel) -> float:
    """Private venture rounds this month (US$ bn)."""
    return model.flow["private"] * _BN


def central_to_chips_usd_bn(model: StatecraftModel) -> float:
    """Central money to the domestic foundry and designer this month (US$ bn)."""
    return model.government.month_to_chips * _BN


def central_to_cities_usd_bn(model: StatecraftModel) -> float:
    """Central guidance money passed to the city funds this month (US$ bn)."""
    return model.government.month_to_cities * _BN


def central_to_compute_usd_bn(model: StatecraftModel) -> float:
    """Central money for public compute this month (US$ bn)."""
    return model.government.month_to_compute * _BN


def state_to_startups_cum_usd_bn(model: StatecraftModel) -> float:
    """Cumulative state money received by startups since the start (US$ bn)."""
    return model.cum["state_to_startups"] * _BN


def duplication_index(model: StatecraftModel) -> float:
    """Share of city-fund equity over the trailing 12 months that duplicates another city's bet.

    With ``E[f, k]`` the equity fund ``f`` put into niche ``k`` over the last 12 months,
    ``D = 1 - sum_k max_f E[f, k] / sum_{f,k} E[f, k]``: the money beyond the lead city's stake
    in each niche, as a share of all city equity. 0 when each niche is backed by one city only;
    it approaches ``1 - 1/n_funds`` when every city backs every niche equally. 0 with no equity.
    """
    e = model.equity_history.sum(axis=0)
    total = e.sum()
    if total <= 0:
        return 0.0
    return float(1.0 - e.max(axis=0).sum() / total)


def hot_niche_equity_share(model: StatecraftModel) -> float:
    """Share of all city-fund equity over the trailing 12 months that went to the single most
    funded niche: 1 when every city backs the same niche (herding, S5). 0 with no equity."""
    e = model.equity_history.sum(axis=(0, 1))
    total = e.sum()
    return float(e.max() / total) if total > 0 else 0.0


def wasted_funding_usd_bn(model: StatecraftModel) -> float:
    """Cumulative state money received by startups that failed without producing capability.

    A startup has *produced capability* once, in some month, its revenue reached
    ``useful_revenue_ratio`` times its burn: customers paid in earnest for what it built.
    All state money a startup received
    (equity, subsidies, vouchers used, relocation) counts. US$ bn.
    """
    return model.cum["wasted"] * _BN


def wasted_share(model: StatecraftModel) -> float:
    """:func:`wasted_funding_usd_bn` as a share of all state money received by startups so far."""
    total = model.cum["state_to_startups"]
    return float(model.cum["wasted"] / total) if total > 0 else 0.0


def devalued_niche_equity_share(model: StatecraftModel) -> float:
    """Share of this month's city-fund equity that went to niches devalued by the shift (S7)."""
    total = model.state_equity_niche.sum()
    if total <= 0:
        return 0.0
    return float(model.state_equity_niche[model.devalued].sum() / total)


def domestic_share(model: StatecraftModel) -> float:
    """Domestic accelerators as a share of all sold in China, trailing 12 months (C6)."""
    units = model.units_history.sum(axis=0)
    total = units.sum()
    return float(units[DOM] / total) if total > 0 else 0.0


def foreign_units(model: StatecraftModel) -> float:
    """Foreign accelerators (flagship, licensed, grey) sold this month (k)."""
    return float(model.units_month[:DOM].sum())


def domestic_units(model: StatecraftModel) -> float:
    """Domestic accelerators sold this month (k)."""
    return float(model.units_month[DOM])


def effective_compute(model: StatecraftModel) -> float:
    """Installed compute in China, in k flagship-equivalent accelerators."""
    return model.effective_compute


def startup_compute(model: StatecraftModel) -> float:
    """Effective compute used by startups this month (k flagship-equivalents)."""
    return model.startup_compute


def compute_fill(model: StatecraftModel) -> float:
    """Share of private compute demand (money) that found chips this month."""
    return model.private_fill


def chip_price_markup(model: StatecraftModel) -> float:
    """Scarcity markup on accelerator list prices paid by private buyers this month (>= 1)."""
    return model.markup


def domestic_performance(model: StatecraftModel) -> float:
    """Domestic accelerator performance relative to the foreign flagship, software included."""
    return model.designer.effective_performance


def domestic_capacity(model: StatecraftModel) -> float:
    """Domestic foundry capacity for AI accelerators (k per month)."""
    return model.foundry.capacity


def domestic_yield(model: StatecraftModel) -> float:
    """Yield of the domestic advanced process."""
    return model.foundry.yield_


def best_capability(model: StatecraftModel) -> float:
    """Capability of the best domestic startup (log2 units; the frontier is 0 at the start)."""
    s = model.startups
    return float(s.capability.max()) if len(s) else float("nan")


def capability_gap_months(model: StatecraftModel) -> float:
    """Months the US frontier is ahead of the best domestic startup (S9).

    Capability is measured in doublings of effective compute; the frontier gains one doubling
    every ``us_frontier_doubling_months``, so the gap in months is
    ``(frontier - best) * us_frontier_doubling_months``: how long ago the US stood where the
    best domestic model stands now.
    """
    s = model.startups
    if len(s) == 0:
        return float("nan")
    return float((model.frontier - s.capability.max()) * model.p.us_frontier_doubling_months)


def champions(model: StatecraftModel) -> int:
    """Live national champions: startups that held at least ``champion_share`` of their niche's
    revenue for ``champion_months`` consecutive months (S11)."""
    return int(model.startups.champion.sum())


def market_hhi(model: StatecraftModel) -> float:
    """Revenue concentration: each niche's Herfindahl–Hirschman index (shares in 0–1),
    weighted by the niche's share of total revenue. 1 = one firm per niche."""
    s = model.startups
    rev = s.revenue
    total = rev.sum()
    if total <= 0:
        return 0.0
    niche_rev = np.bincount(s.niche, weights=rev, minlength=len(model.niche_names))
    share = np.divide(rev, niche_rev[s.niche], out=np.zeros(len(s)), where=niche_rev[s.niche] > 0)
    hhi_k = np.bincount(s.niche, weights=share**2, minlength=len(model.niche_names))
    return float((hhi_k * niche_rev).sum() / total)


def open_source_releases(model: StatecraftModel) -> int:
    """Open-model releases this month (S8)."""
    return model.releases


def approved_models(model: StatecraftModel) -> int:
    """Generative models approved by the state since the start (S2)."""
    return model.approvals_total


def ai_adoption(model: StatecraftModel) -> float:
    """Share of the economy using AI (S12 targets 0.9 by 2030)."""
    return model.adoption


def export_chip_stringency(model: StatecraftModel) -> float:
    """Share of the foreign flagship flow blocked this month."""
    return model.regime.chips


def export_tool_stringency(model: StatecraftModel) -> float:
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
        devalued_niche_equity_share,
        domestic_share,
        foreign_units,
        domestic_units,
        effective_compute,
        startup_compute,
        compute_fill,
        chip_price_markup,
        domestic_performance,
        domestic_capacity,
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
