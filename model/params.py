"""Every model parameter, declared once.

Each :class:`Param` carries its default, unit, bounds, description and provenance: a row of
``shared/FACTS.md`` and the article file it comes from, or ``assumption:`` with the reasoning.
Everything else is derived from this one table — the validated :class:`Params` object, the
scenario-file schema and its error messages, the README table (``statecraft params``) and, in
later work, sweep ranges and app sliders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, model_validator

__all__ = [
    "CITIES",
    "GENAI_NICHES",
    "NICHES",
    "PARAMETERS",
    "SHARE_GROUPS",
    "ExportEvent",
    "Param",
    "Params",
    "parameter_table_markdown",
]

#: Niches a startup can work in (FACTS S3; "vision" stands for the facial-recognition boom of S7).
NICHES: tuple[str, ...] = ("llm", "multimodal", "assistants", "speech", "science", "vision")
#: Generative-AI niches: their models need state approval before earning revenue (FACTS S2).
GENAI_NICHES: tuple[str, ...] = ("llm", "multimodal", "assistants")
#: Cities with their own AI investment funds, tier-1 first (FACTS M4). Funds beyond the seven the
#: articles name carry generic labels; they exist so that sweeps can vary the number of funds.
CITIES: tuple[str, ...] = (
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Hangzhou",
    "Hefei",
    "Chengdu",
    "Wuhan",
    "City-8",
    "City-9",
    "City-10",
    "City-11",
    "City-12",
)
#: How many of :data:`CITIES` are tier-1 (the rest get ``second_tier_budget_ratio``).
N_TIER1 = 4

Niche = Literal["llm", "multimodal", "assistants", "speech", "science", "vision"]
_MONTH = re.compile(r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")
MonthStr = Annotated[str, Field(pattern=_MONTH.pattern)]


class ExportEvent(BaseModel):
    """One step of the export-control timeline: from ``date`` on, these stringencies hold.

    Each stringency is the share of the unrestricted flow that the controls block (FACTS C1,
    C2, C7): ``chips`` of foreign high-end accelerators, ``tools`` of chip-making tools for the
    domestic foundry, ``foundry`` of overseas-foundry production of domestic designs (C3), and
    ``licensed`` the share of the *blocked* accelerator flow that is sold instead as licensed,
    reduced-performance chips (H20-like, C7).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    date: MonthStr
    chips: Annotated[float, Field(ge=0.0, le=1.0)]
    tools: Annotated[float, Field(ge=0.0, le=1.0)]
    foundry: Annotated[float, Field(ge=0.0, le=1.0)]
    licensed: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0


@dataclass(frozen=True)
class Param:
    """Declaration of one model parameter.

    Parameters
    ----------
    name : str
        snake_case key used in scenario files and on the model.
    default : object
        Value used when no scenario overrides it.
    unit : str
        Physical or accounting unit ("US$ bn", "share", "months", ...).
    bounds : tuple or None
        Inclusive ``(low, high)`` for numbers; ``None`` for dates, choices and lists.
    description : str
        What it means in the model.
    source : str
        ``"FACTS <row> (<file>): ..."`` or ``"assumption: <reasoning>"``.
    group : str
        Which part of the model reads it (for the table and the app).
    kind : str
        One of ``float``, ``int``, ``month``, ``niches``, ``events``.
    """

    name: str
    default: Any
    unit: str
    bounds: tuple[float, float] | None
    description: str
    source: str
    group: str
    kind: str = "float"

    @property
    def is_assumption(self) -> bool:
        """True when the *value* is an assumption, also when a FACTS row gives the mechanism
        ("FACTS S5 (000) for duplication risk; its strength is an assumption")."""
        return "assumption" in self.source


# Default export-control history. The articles give the mechanisms (C1, C2, C3, C7) but not
# the dates of earlier rounds; the dates below are the public record of US rules (Huawei's
# foundry cut-off in Sept 2020, the chip rules of Oct 2022 and Oct 2023, the H20 licence
# requirement of April 2025), and the stringency levels are assumptions.
_DEFAULT_EVENTS: tuple[ExportEvent, ...] = (
    ExportEvent(date="2020-01", chips=0.0, tools=0.3, foundry=0.0),
    ExportEvent(date="2020-09", chips=0.0, tools=0.4, foundry=0.9),
    ExportEvent(date="2022-10", chips=0.6, tools=0.6, foundry=0.9, licensed=0.5),
    ExportEvent(date="2023-10", chips=0.85, tools=0.7, foundry=0.95, licensed=0.4),
    ExportEvent(date="2025-04", chips=0.9, tools=0.7, foundry=0.95, licensed=0.0),
)

_A = "assumption: "

PARAMETERS: tuple[Param, ...] = (
    # --- calendar and scale ------------------------------------------------------------------
    Param(
        "start_date",
        "2020-01",
        "YYYY-MM",
        None,
        "First simulated month (step 0).",
        _A + "the five-year growth of S1 (001) runs to the articles' date, so 2020 starts it",
        "calendar",
        "month",
    ),
    Param(
        "end_date",
        "2030-12",
        "YYYY-MM",
        None,
        "Last simulated month; one step per month.",
        "FACTS S12 (001, 002): the targets are for 2030",
        "calendar",
        "month",
    ),
    Param(
        "initial_startups",
        1400,
        "startups",
        (10, 1_000_000),
        "AI companies alive at the start date (before `scale`).",
        "FACTS S1 (001): over 1,400 AI companies five years before the article",
        "scale",
        "int",
    ),
    Param(
        "scale",
        1.0,
        "multiplier",
        (0.01, 100.0),
        "Multiplies the startup population and every money flow and market size together, so "
        "per-startup dynamics stay the same; used for benchmarks and quick tests.",
        _A + "a pure size knob; 1.0 is the scale the articles describe",
        "scale",
    ),
    Param(
        "entry_rate",
        125.0,
        "startups/month",
        (0.0, 100_000.0),
        "Expected new startups per month when funding and AI adoption are at their 2020 level.",
        _A + "calibrated so the baseline grows from ~1,400 to ~5,000 companies by 2025 (S1, 001)",
        "scale",
    ),
    Param(
        "entry_funding_elasticity",
        0.5,
        "elasticity",
        (0.0, 3.0),
        "How strongly entry responds to money available to back startups "
        "(entry ∝ (funding / 2020 funding)^elasticity).",
        _A + "the lending spree of M9 (004) fuelled hundreds of startups; size not given",
        "scale",
    ),
    # --- central government -----------------------------------------------------------------
    Param(
        "entry_adoption_elasticity",
        0.6,
        "elasticity",
        (0.0, 3.0),
        "How strongly entry follows the AI market: entry ∝ (adoption / initial adoption)^"
        "elasticity (founders go where customers are).",
        _A + "the boom of S1 (001) tracks the spread of AI use; strength not given",
        "scale",
    ),
    Param(
        "central_ai_budget_usd_bn",
        56.0,
        "US$ bn",
        (0.0, 1000.0),
        "National AI push, disbursed evenly over `central_budget_years` from the start date.",
        "FACTS M1 (000): about US$56 bn (≈400 bn yuan)",
        "central",
    ),
    Param(
        "central_budget_years",
        11.0,
        "years",
        (1.0, 30.0),
        "Years over which the national AI budget is spent.",
        _A + "M1 (000) gives no period; spread over the 2020–2030 horizon",
        "central",
    ),
    Param(
        "central_share_semiconductor",
        0.3,
        "share",
        (0.0, 1.0),
        "Share of the national AI budget for domestic chip capacity (foundry capex, designer R&D).",
        _A + "M1 (000) names startups as the main target; chips and compute take the rest",
        "central",
    ),
    Param(
        "central_share_startups",
        0.5,
        "share",
        (0.0, 1.0),
        "Share passed to the city funds as a startup guidance fund.",
        _A + "M1 (000): the money is 'channelled into homegrown AI startups'",
        "central",
    ),
    Param(
        "central_share_compute",
        0.2,
        "share",
        (0.0, 1.0),
        "Share spent on public compute infrastructure (buys domestic accelerators only; money "
        "waits while none are to be had).",
        _A + "state finances data centres and servers (004); split not given",
        "central",
    ),
    Param(
        "semiconductor_fund_usd_bn_per_year",
        8.7,
        "US$ bn/year",
        (0.0, 100.0),
        "State semiconductor fund spending per year (foundry capex and designer R&D).",
        "FACTS M2 (004): nearly US$100 bn since 2014 ⇒ ≈ 8.7 bn/year over 11.5 years",
        "central",
    ),
    Param(
        "foundry_share_of_chip_money",
        0.7,
        "share",
        (0.0, 1.0),
        "Share of state chip money that goes to foundry capacity; the rest funds designer R&D.",
        _A + "M2 (004): 'much of it went to SMIC'",
        "central",
    ),
    Param(
        "startup_tranche_usd_bn",
        8.5,
        "US$ bn",
        (0.0, 200.0),
        "Extra central money for young AI startups, passed to city funds.",
        "FACTS M3 (004): US$8.5 bn for young AI startups announced April 2025",
        "central",
    ),
    Param(
        "startup_tranche_date",
        "2025-04",
        "YYYY-MM",
        None,
        "When the startup tranche starts to flow.",
        "FACTS M3 (004): April 2025",
        "central",
        "month",
    ),
    Param(
        "startup_tranche_months",
        36.0,
        "months",
        (1.0, 120.0),
        "Months over which the startup tranche is disbursed.",
        _A + "M3 (004) gives no period; three years",
        "central",
    ),
    Param(
        "coordination",
        0.2,
        "0–1",
        (0.0, 1.0),
        "Strength of central coordination against 'disorderly competition': penalises a city's "
        "bet on a niche by the share other cities already put there.",
        "FACTS S6 (001) for the policy; its strength is an assumption (mid-2025: warnings, "
        "few instruments)",
        "central",
    ),
    Param(
        "approval_probability",
        0.015,
        "1/month",
        (0.0, 1.0),
        "Monthly chance that an eligible generative-AI model is approved (only approved "
        "generative models earn revenue).",
        _A + "calibrated towards 117 approved models by April 2024 (S2, 002)",
        "central",
    ),
    Param(
        "approval_gap_months",
        6.0,
        "months",
        (0.0, 120.0),
        "A generative model is eligible for approval when it is at most this far behind the "
        "best domestic model.",
        _A + "regulators approve competitive models, not only the best",
        "central",
    ),
    # --- local funds ------------------------------------------------------------------------
    Param(
        "voucher_match",
        1.0,
        "ratio",
        (0.0, 10.0),
        "A startup's compute vouchers in a month are at most this multiple of its own compute "
        "spending (vouchers top up purchases, they do not replace a budget).",
        _A + "Shanghai's vouchers (M5, 002) subsidise computing power that firms buy",
        "local",
    ),
    Param(
        "cash_subsidy_cap",
        0.5,
        "share of burn",
        (0.0, 5.0),
        "Cash subsidies (research, model discounts, data) a startup receives in a month are at "
        "most this share of its burn.",
        _A + "programmes cover part of costs (10–15 % of research in M7, 004), never all",
        "local",
    ),
    Param(
        "fund_taste_sigma",
        0.3,
        "log-sd",
        (0.0, 3.0),
        "Spread of each city fund's persistent taste for niches (lognormal multipliers on its "
        "view of niche values).",
        _A + "cities have local specialisations (M4, S3: iFlytek in Anhui, Deep Principle in "
        "Hangzhou); their strength is not given",
        "local",
    ),
    Param(
        "funding_score_noise",
        1.0,
        "log2 units",
        (0.0, 10.0),
        "Standard deviation of the error with which investors judge a startup's capability "
        "when ranking candidates for a round.",
        _A + "due diligence is imperfect; one doubling of error",
        "local",
    ),
    Param(
        "n_city_funds",
        7,
        "funds",
        (1, len(CITIES)),
        "Number of city investment funds (Beijing, Shanghai, Shenzhen, Hangzhou, Hefei, "
        "Chengdu, Wuhan, then generic second-tier cities).",
        "FACTS M4 (000, 002, 003): seven cities named",
        "local",
        "int",
    ),
    Param(
        "local_budget_usd_bn_per_year",
        0.8,
        "US$ bn/year",
        (0.0, 50.0),
        "Own money of each tier-1 city fund per year (before `scale`).",
        _A + "Shanghai's subsidy programme alone is US$0.139 bn (M5, 002), plus equity and "
        "bank lending (M9, 004)",
        "local",
    ),
    Param(
        "second_tier_budget_ratio",
        0.5,
        "ratio",
        (0.0, 2.0),
        "Budget of a second-tier city fund relative to a tier-1 one.",
        _A + "M4 (000) distinguishes second-tier cities; size not given",
        "local",
    ),
    Param(
        "local_share_equity",
        0.6,
        "share",
        (0.0, 1.0),
        "Share of each city fund's inflow for equity and loans (funding rounds).",
        _A + "local authorities act as venture capitalists (M4, 002)",
        "local",
    ),
    Param(
        "local_share_subsidy",
        0.3,
        "share",
        (0.0, 1.0),
        "Share for subsidies: research-cost subsidies first, the rest split per `subsidy_split_*`.",
        _A + "M5–M7 (002, 004) describe subsidy programmes; their weight is not given",
        "local",
    ),
    Param(
        "local_share_relocation",
        0.1,
        "share",
        (0.0, 1.0),
        "Share for relocation incentives that lure startups from other cities.",
        _A + "M8 (004): districts compete with incentives",
        "local",
    ),
    Param(
        "subsidy_split_compute",
        0.6,
        "share",
        (0.0, 1.0),
        "Share of the subsidy programme paid as compute vouchers (usable only for compute).",
        "FACTS M5 (002): 600 m of Shanghai's 1 bn yuan for computing power",
        "local",
    ),
    Param(
        "subsidy_split_model_discount",
        0.3,
        "share",
        (0.0, 1.0),
        "Share paid as discounts on third-party AI models (lowers a startup's costs).",
        "FACTS M5 (002): 300 m of 1 bn yuan for model discounts",
        "local",
    ),
    Param(
        "subsidy_split_data",
        0.1,
        "share",
        (0.0, 1.0),
        "Share paid as data-set subsidies (lowers a startup's costs).",
        "FACTS M5 (002): 100 m of 1 bn yuan for data sets",
        "local",
    ),
    Param(
        "research_subsidy_rate",
        0.125,
        "share of burn",
        (0.0, 0.5),
        "Share of a young startup's monthly research spending paid by its city fund.",
        "FACTS M7 (004): 10–15 % of early-stage research costs",
        "local",
    ),
    Param(
        "research_subsidy_age_months",
        24.0,
        "months",
        (0.0, 120.0),
        "A startup counts as early-stage up to this age.",
        _A + "M7 (004) says 'early-stage'",
        "local",
    ),
    Param(
        "relocation_incentive_ratio",
        0.25,
        "share of round",
        (0.0, 2.0),
        "Relocation payment as a share of the round the startup just raised.",
        "FACTS M8 (004): US$2.5 m to a startup that had raised US$10 m",
        "local",
    ),
    Param(
        "relocation_acceptance",
        0.3,
        "probability",
        (0.0, 1.0),
        "Chance that a startup offered a relocation incentive moves.",
        _A + "Deep Principle moved (M8, 004); how often offers succeed is not given",
        "local",
    ),
    Param(
        "herding",
        0.5,
        "0–1",
        (0.0, 1.0),
        "Weight a city fund puts on the nationally hottest niche instead of its own view; "
        "1 = every city chases the hot niche.",
        "FACTS S5 (000) for duplication risk; its strength is an assumption",
        "local",
    ),
    Param(
        "round_runway_months",
        18.0,
        "months",
        (1.0, 60.0),
        "A funding round covers this many months of burn.",
        _A + "usual venture practice",
        "local",
    ),
    Param(
        "seek_funding_months",
        6.0,
        "months",
        (0.0, 36.0),
        "A startup seeks a round when its cash covers fewer months of burn than this.",
        _A + "usual venture practice",
        "local",
    ),
    Param(
        "private_vc_usd_bn_per_year",
        4.0,
        "US$ bn/year",
        (0.0, 200.0),
        "Private venture money per year, allocated by capability and niche value, not by city.",
        _A + "investor sentiment swings (M11, 000); the size is not given",
        "local",
    ),
    # --- startups ---------------------------------------------------------------------------
    Param(
        "burn_median_usd_m",
        0.25,
        "US$ m/month",
        (0.001, 100.0),
        "Median monthly spending of a new non-generative startup.",
        _A + "a team of a few dozen in a Chinese tier-1 city",
        "startups",
    ),
    Param(
        "burn_sigma",
        0.8,
        "log-sd",
        (0.0, 3.0),
        "Spread of startup burn (lognormal).",
        _A + "firm sizes are right-skewed",
        "startups",
    ),
    Param(
        "genai_burn_multiplier",
        3.0,
        "ratio",
        (1.0, 50.0),
        "Burn of generative-AI startups relative to others (model training is costly).",
        _A + "compute-heavy niches spend more (C1, 000)",
        "startups",
    ),
    Param(
        "burn_growth_per_round",
        1.3,
        "ratio",
        (1.0, 5.0),
        "Factor by which a startup's burn rises after each funding round (it scales up).",
        _A + "funded startups hire and buy compute",
        "startups",
    ),
    Param(
        "initial_cash_min_fraction",
        0.3,
        "share",
        (0.0, 1.0),
        "Startups alive at the start date hold a uniform share between this and 1 of "
        "`initial_cash_months` of burn (they are part-way through their runway).",
        _A + "existing firms are at different points of their funding cycle",
        "startups",
    ),
    Param(
        "initial_max_age_months",
        48,
        "months",
        (1, 240),
        "Startups alive at the start date have a uniform age below this (matters for "
        "early-stage research subsidies).",
        _A + "most of the ~1,400 firms of S1 (001) were founded in the preceding few years",
        "startups",
        "int",
    ),
    Param(
        "initial_capability_spread",
        1.5,
        "log2 units",
        (0.0, 10.0),
        "Mean shortfall of an initial startup's capability below the best one (exponential).",
        _A + "a long tail of weaker firms behind a few leaders",
        "startups",
    ),
    Param(
        "entrant_capability_gap",
        1.0,
        "log2 units",
        (0.0, 10.0),
        "Mean shortfall of a new entrant's capability below the best open-source model "
        "(exponential).",
        _A + "open models lower the barrier to entry (S8, 003/004) but entrants start below them",
        "startups",
    ),
    Param(
        "initial_cash_months",
        12.0,
        "months",
        (0.0, 60.0),
        "Cash of a new startup, in months of its burn (seed money).",
        _A + "a seed round",
        "startups",
    ),
    Param(
        "compute_spend_share",
        0.4,
        "share of burn",
        (0.0, 1.0),
        "Share of burn spent on compute; unspendable money (no chips to buy) stays as cash.",
        _A + "compute is the single biggest bottleneck (C1, 000)",
        "startups",
    ),
    Param(
        "talent_sigma",
        0.3,
        "log-sd",
        (0.0, 2.0),
        "Spread of team talent, which multiplies capability growth from compute.",
        _A + "talent is concentrated in state-backed labs (004)",
        "startups",
    ),
    Param(
        "capability_learning_rate",
        0.5,
        "frontier pace per doubling",
        (0.0, 5.0),
        "Own progress of a startup as a share of the US frontier's pace, per doubling of its "
        "effective compute over the requirement (times talent; capped at the full pace).",
        _A + "calibrated so the best domestic model is a few months behind in 2025 (S9, 004)",
        "startups",
    ),
    Param(
        "reference_compute",
        0.3,
        "k flagship-equivalents",
        (1e-4, 1e4),
        "Effective compute at the start date at which the compute term of capability growth "
        "gives one unit (the requirement then doubles every "
        "`compute_requirement_doubling_months`).",
        _A + "a cluster of about a thousand flagship accelerators was a serious lab in 2020",
        "startups",
    ),
    Param(
        "compute_requirement_doubling_months",
        24.0,
        "months",
        (1.0, 120.0),
        "Doubling time of the compute needed to keep the same pace of progress (frontier "
        "hardware scale-up).",
        _A + "frontier clusters grow about 2x a year",
        "startups",
    ),
    Param(
        "frontier_diffusion",
        0.03,
        "1/month",
        (0.0, 1.0),
        "Share of the gap to the US frontier closed each month by diffusion (papers, open "
        "weights, talent).",
        _A + "Chinese coders build on open systems (004)",
        "startups",
    ),
    Param(
        "open_source_spillover",
        0.08,
        "1/month",
        (0.0, 1.0),
        "Share of the gap to the best domestic open-source model closed each month.",
        "FACTS S8 (003, 004) for the mechanism; its rate is an assumption",
        "startups",
    ),
    Param(
        "open_source_propensity",
        0.03,
        "1/month",
        (0.0, 1.0),
        "Monthly chance that a startup that has produced capability and is at or above the best "
        "open-source level releases its model openly.",
        "FACTS S8 (003, 004): DeepSeek, Alibaba, Huawei, Baidu, ByteDance release openly; "
        "the rate is an assumption",
        "startups",
    ),
    Param(
        "useful_gap_months",
        9.0,
        "months",
        (0.0, 240.0),
        "A non-generative startup can sell once it is at most this far behind the best model "
        "in its niche (generative ones need approval instead).",
        _A + "a model within a few release cycles of the domestic leader finds users",
        "startups",
    ),
    Param(
        "useful_revenue_ratio",
        0.25,
        "revenue/burn",
        (0.0, 10.0),
        "A startup has 'produced capability' once its monthly revenue has reached this share "
        "of its burn: customers pay for what it built (used by `wasted funding`).",
        _A + "the 'castles in the air' of S5 (000) are projects nobody pays for",
        "startups",
    ),
    Param(
        "us_frontier_doubling_months",
        6.0,
        "months",
        (1.0, 48.0),
        "US frontier capability (in effective-compute terms) doubles every this many months.",
        _A + "public trend of frontier training compute; not in the articles",
        "startups",
    ),
    Param(
        "initial_gap_months",
        30.0,
        "months",
        (0.0, 240.0),
        "Gap of the best domestic startup to the US frontier at the start date.",
        _A + "before 2023 Chinese models lagged by years; S9 (004) gives only 2025",
        "startups",
    ),
    Param(
        "ai_market_usd_bn_per_year",
        6.0,
        "US$ bn/year",
        (0.0, 1000.0),
        "Revenue pool open to AI startups at the start date, growing with adoption.",
        _A + "size not given in the articles",
        "startups",
    ),
    Param(
        "price_competition",
        1.0,
        "elasticity",
        (0.0, 10.0),
        "How fast a niche's revenue pool shrinks as it crowds (pool / (1 + γ·n / n_ref)).",
        "FACTS S4 (003, 004): crowded markets cut prices; strength is an assumption",
        "startups",
    ),
    Param(
        "crowding_reference",
        150.0,
        "startups",
        (1.0, 100_000.0),
        "Startups in a niche (before `scale`) at which price competition halves revenue (γ=1).",
        _A + "a few hundred rivals make a cut-throat market",
        "startups",
    ),
    Param(
        "revenue_capability_elasticity",
        6.0,
        "1/doubling",
        (0.0, 10.0),
        "Revenue weight of a startup in its niche is 2^(elasticity * (capability - niche best)): "
        "how strongly customers favour the best model.",
        _A + "winner-take-most markets; S13 (002) notes one firm leads the LLM market",
        "startups",
    ),
    Param(
        "champion_share",
        0.15,
        "share",
        (0.0, 1.0),
        "Revenue share in its niche a startup must hold to count as a national champion.",
        _A + "S11 (000) names the goal but no threshold",
        "startups",
    ),
    Param(
        "champion_months",
        12.0,
        "months",
        (1.0, 120.0),
        "Consecutive months above `champion_share` needed to become a champion.",
        _A + "a champion persists, not a one-month leader",
        "startups",
    ),
    Param(
        "adoption_gap_halving_months",
        12.0,
        "months",
        (1.0, 240.0),
        "Every this many months of capability gap to the US frontier halve the imitation rate "
        "of AI adoption.",
        _A + "a weaker domestic model slows uptake; a year's gap halves it",
        "startups",
    ),
    Param(
        "initial_adoption",
        0.08,
        "share",
        (0.0, 1.0),
        "Share of the economy using AI at the start date.",
        _A + "S12 (001) gives only the 90 % target for 2030",
        "startups",
    ),
    Param(
        "adoption_innovation",
        0.002,
        "1/month",
        (0.0, 0.5),
        "Bass-diffusion innovation rate of AI adoption.",
        _A + "typical Bass parameter",
        "startups",
    ),
    Param(
        "adoption_imitation",
        0.045,
        "1/month",
        (0.0, 1.0),
        "Bass-diffusion imitation rate, scaled down by the capability gap.",
        _A + "chosen so that adoption nears the 90 % target of S12 (001) only if the gap "
        "stays small",
        "startups",
    ),
    # --- niche values and the technology shock ----------------------------------------------
    Param(
        "niche_value_llm",
        1.0,
        "relative",
        (0.0, 100.0),
        "Commercial value of the LLM niche before the paradigm shift.",
        _A + "S3 (000)",
        "shock",
    ),
    Param(
        "niche_value_multimodal",
        0.8,
        "relative",
        (0.0, 100.0),
        "Value of the multimodal niche before the shift.",
        _A + "S3 (000)",
        "shock",
    ),
    Param(
        "niche_value_assistants",
        0.8,
        "relative",
        (0.0, 100.0),
        "Value of the assistants niche before the shift.",
        _A + "S3 (000)",
        "shock",
    ),
    Param(
        "niche_value_speech",
        1.5,
        "relative",
        (0.0, 100.0),
        "Value of the speech/NLP niche before the shift.",
        _A + "iFlytek (S3, 000)",
        "shock",
    ),
    Param(
        "niche_value_science",
        0.8,
        "relative",
        (0.0, 100.0),
        "Value of the AI-for-science niche before the shift.",
        _A + "Deep Principle (S3, 004)",
        "shock",
    ),
    Param(
        "niche_value_vision",
        3.0,
        "relative",
        (0.0, 100.0),
        "Value of the vision niche before the shift.",
        _A + "the facial-recognition boom (S7, 003/004)",
        "shock",
    ),
    Param(
        "paradigm_shift_date",
        "2022-11",
        "YYYY-MM",
        None,
        "When the paradigm shift (generative AI) happens.",
        _A + "S7 (003, 004): caught off guard by generative AI; Nov 2022 is its public start",
        "shock",
        "month",
    ),
    Param(
        "devalued_niches",
        ("vision",),
        "niches",
        None,
        "Niches whose value falls at the paradigm shift.",
        "FACTS S7 (003, 004): years of investment in facial recognition",
        "shock",
        "niches",
    ),
    Param(
        "paradigm_devaluation",
        0.7,
        "share",
        (0.0, 1.0),
        "Share of value the devalued niches lose at the shift.",
        _A + "S7 (003, 004)",
        "shock",
    ),
    Param(
        "paradigm_boost",
        3.0,
        "ratio",
        (1.0, 20.0),
        "Factor by which generative niches' value rises at the shift.",
        _A + "S7 (003, 004)",
        "shock",
    ),
    Param(
        "allocation_lag_months",
        18.0,
        "months",
        (0.0, 120.0),
        "Time constant with which the state's perceived niche values follow the true ones.",
        "FACTS S7 (003, 004): top-down allocation is slow to shift; the lag is an assumption",
        "shock",
    ),
    Param(
        "market_lag_months",
        3.0,
        "months",
        (0.0, 120.0),
        "Time constant of private investors' and entrepreneurs' perceived niche values.",
        _A + "markets react faster than plans (S7)",
        "shock",
    ),
    # --- chips ------------------------------------------------------------------------------
    Param(
        "foreign_supply_k_per_month",
        50.0,
        "k accelerators/month",
        (0.0, 10_000.0),
        "High-end foreign accelerators the vendor would sell into China per month at the start "
        "date without controls (before `scale`).",
        _A + "order of magnitude of Nvidia's China data-centre sales; not in the articles",
        "chips",
    ),
    Param(
        "foreign_supply_growth",
        0.2,
        "1/year",
        (0.0, 2.0),
        "Yearly growth of the unrestricted foreign supply.",
        _A + "AI demand growth",
        "chips",
    ),
    Param(
        "foreign_price_usd_k",
        25.0,
        "US$ k/accelerator",
        (0.1, 1000.0),
        "Price of a foreign high-end accelerator.",
        _A + "list price of a flagship part",
        "chips",
    ),
    Param(
        "licensed_performance",
        0.5,
        "relative",
        (0.0, 1.0),
        "Performance of a licensed reduced-performance chip relative to the flagship.",
        "FACTS C7 (004): a China-specific H20; the ratio is an assumption",
        "chips",
    ),
    Param(
        "licensed_price_ratio",
        0.5,
        "ratio",
        (0.05, 5.0),
        "Price of a licensed chip relative to the flagship.",
        _A + "C7 (004)",
        "chips",
    ),
    Param(
        "grey_leakage",
        0.05,
        "share",
        (0.0, 1.0),
        "Share of the blocked foreign flow that still arrives through smuggling and resale, "
        "before `policy_date` (after it: `policy_grey_leakage`).",
        "FACTS C8 (001): firms fall back on smuggled or older chips; size is an assumption",
        "chips",
    ),
    Param(
        "grey_price_ratio",
        1.6,
        "ratio",
        (1.0, 10.0),
        "Price of a grey-market chip relative to the flagship.",
        _A + "C8 (001)",
        "chips",
    ),
    Param(
        "domestic_capacity_k_per_month",
        6.0,
        "k accelerators/month",
        (0.0, 10_000.0),
        "Domestic foundry capacity for AI accelerators at the start date (before `scale`).",
        "FACTS C4 (000, 003, 004): SMIC cannot yet make advanced chips at volume; size is an "
        "assumption",
        "chips",
    ),
    Param(
        "capex_per_k_capacity_usd_m",
        250.0,
        "US$ m per k/month",
        (1.0, 100_000.0),
        "Capital needed for one k accelerators/month of new domestic capacity at full tool access.",
        _A + "fab cost per wafer start, converted",
        "chips",
    ),
    Param(
        "tool_dependence",
        0.8,
        "share",
        (0.0, 1.0),
        "Share of capacity growth lost per unit of tool stringency.",
        "FACTS C2 (000): chip-making tools are restricted; strength is an assumption",
        "chips",
    ),
    Param(
        "capacity_depreciation",
        0.01,
        "1/month",
        (0.0, 0.2),
        "Monthly loss of domestic capacity (ageing, obsolescence).",
        _A
        + "fabs lose about a tenth of their useful capacity a year to ageing and node obsolescence",
        "chips",
    ),
    Param(
        "initial_yield",
        0.3,
        "share",
        (0.0, 1.0),
        "Yield of the domestic advanced process at the start date.",
        _A + "C4 (000, 003, 004): low volume at advanced nodes",
        "chips",
    ),
    Param(
        "max_yield",
        0.85,
        "share",
        (0.0, 1.0),
        "Mature yield the domestic process approaches by learning.",
        _A + "mature advanced-node processes reach yields in the 80s (percent)",
        "chips",
    ),
    Param(
        "yield_learning_k",
        1500.0,
        "k accelerators",
        (1.0, 1e7),
        "Cumulative domestic output over which the yield gap halves (learning by doing).",
        _A + "experience curve",
        "chips",
    ),
    Param(
        "initial_domestic_performance",
        0.45,
        "relative",
        (0.0, 1.0),
        "Domestic accelerator performance relative to the foreign flagship at the start date.",
        "FACTS C5 (001, 002, 004): Ascend lags Nvidia; the ratio is an assumption",
        "chips",
    ),
    Param(
        "performance_ceiling_restricted",
        0.7,
        "relative",
        (0.0, 1.0),
        "Highest relative performance the domestic designer can reach with tools fully "
        "restricted (ceiling rises to 1 without restrictions).",
        "FACTS C4, C11 (002, 004): system integration compensates partly; the level is an "
        "assumption",
        "chips",
    ),
    Param(
        "performance_rd_rate",
        0.005,
        "1/month",
        (0.0, 1.0),
        "Share of the gap to the ceiling closed per month at reference R&D spending.",
        _A + "designer progress",
        "chips",
    ),
    Param(
        "rd_reference_usd_m",
        200.0,
        "US$ m/month",
        (0.1, 100_000.0),
        "Designer R&D per month (state plus reinvested revenue) that gives the reference "
        "progress rate (before `scale`).",
        _A + "a leading accelerator designer spends a few billion dollars a year on R&D",
        "chips",
    ),
    Param(
        "designer_rd_share",
        0.25,
        "share",
        (0.0, 1.0),
        "Share of domestic chip revenue reinvested in designer R&D.",
        _A + "the protective bubble of 002 works through this revenue",
        "chips",
    ),
    Param(
        "foundry_reinvest_share",
        0.25,
        "share",
        (0.0, 1.0),
        "Share of domestic chip revenue reinvested in foundry capacity.",
        _A + "foundries reinvest a large part of revenue in capacity; same order as designer R&D",
        "chips",
    ),
    Param(
        "domestic_price_ratio",
        0.5,
        "ratio",
        (0.05, 5.0),
        "Price of a domestic accelerator relative to the foreign flagship.",
        _A + "priced below the flagship roughly in line with its lower performance (C5)",
        "chips",
    ),
    Param(
        "overseas_foundry_k_per_month",
        15.0,
        "k accelerators/month",
        (0.0, 10_000.0),
        "Domestic-design accelerators the overseas foundry would make per month without "
        "controls (before `scale`).",
        "FACTS C3 (000): domestic designers depend on TSMC; size is an assumption",
        "chips",
    ),
    Param(
        "switching_friction",
        0.8,
        "share",
        (0.0, 1.0),
        "Share of private buyers who buy foreign chips first while domestic performance is at "
        "its initial level; falls as domestic chips and software catch up.",
        "FACTS C5 (001, 002, 004): firms are reluctant to switch; level is an assumption",
        "chips",
    ),
    Param(
        "software_optimisation_gain",
        0.15,
        "ratio",
        (0.0, 2.0),
        "Maximum extra effectiveness of domestic chips from software optimisation, earned with "
        "cumulative domestic use.",
        "FACTS C9 (002): firms optimise software for weaker hardware; size is an assumption",
        "chips",
    ),
    Param(
        "software_learning_k",
        3000.0,
        "k accelerators",
        (1.0, 1e7),
        "Cumulative domestic accelerators sold over which software gains reach 63 % of their "
        "maximum.",
        _A + "software ecosystems mature with the installed base; a few million chips",
        "chips",
    ),
    Param(
        "max_scarcity_markup",
        3.0,
        "ratio",
        (1.0, 20.0),
        "Highest markup over list prices that a short accelerator market reaches; beyond it, "
        "demand is rationed. 1 = fixed prices.",
        _A + "grey-market and rental prices of restricted chips rose to a multiple of list "
        "prices (C8, 001, describes the fallback, not the price)",
        "chips",
    ),
    Param(
        "chip_lifetime_months",
        48.0,
        "months",
        (6.0, 240.0),
        "Service life of an installed accelerator.",
        _A + "data-centre accelerators are written off over about four years",
        "chips",
    ),
    Param(
        "bigtech_compute_usd_bn_per_year",
        6.0,
        "US$ bn/year",
        (0.0, 1000.0),
        "Compute spending of large platforms that competes with startups for accelerators at "
        "the start date, growing at `bigtech_growth`.",
        "assumption: M10 (004) — ByteDance alone spent US$11 bn in a year on data centres — "
        "bounds it from above; only spending on AI accelerators competes with startups",
        "chips",
    ),
    Param(
        "bigtech_growth",
        0.2,
        "1/year",
        (0.0, 2.0),
        "Yearly growth of large platforms' compute spending.",
        _A + "ByteDance's spending (M10, 004) signals fast growth",
        "chips",
    ),
    # --- export controls --------------------------------------------------------------------
    Param(
        "export_events",
        _DEFAULT_EVENTS,
        "timeline",
        None,
        "Export-control history: from each event's date, its stringencies for chips, tools, "
        "overseas foundry and the licensed share of the blocked flow.",
        "FACTS C1, C2, C3, C7 (000, 004) for the mechanisms; dates are the public record of "
        "US rules, levels are assumptions",
        "export",
        "events",
    ),
    Param(
        "policy_date",
        "2026-01",
        "YYYY-MM",
        None,
        "Date from which the scenario's future regime (`policy_*`) replaces the timeline.",
        _A + "the articles' 'next 12–18 months' (000)",
        "export",
        "month",
    ),
    Param(
        "policy_chips",
        0.9,
        "share",
        (0.0, 1.0),
        "Chip stringency from `policy_date` on.",
        _A + "default keeps the mid-2025 level",
        "export",
    ),
    Param(
        "policy_tools",
        0.7,
        "share",
        (0.0, 1.0),
        "Tool stringency from `policy_date` on.",
        _A + "default keeps the mid-2025 level",
        "export",
    ),
    Param(
        "policy_foundry",
        0.95,
        "share",
        (0.0, 1.0),
        "Overseas-foundry stringency from `policy_date` on.",
        _A + "default keeps the mid-2025 level",
        "export",
    ),
    Param(
        "policy_grey_leakage",
        0.05,
        "share",
        (0.0, 1.0),
        "Grey-channel leakage (see `grey_leakage`) from `policy_date` on: enforcement can "
        "tighten or loosen with the regime.",
        _A + "default keeps the historical level",
        "export",
    ),
    Param(
        "policy_licensed",
        0.0,
        "share",
        (0.0, 1.0),
        "Licensed share of the blocked flow from `policy_date` on.",
        _A + "default keeps the April 2025 H20 ban",
        "export",
    ),
)

#: Groups of shares that must add up to one.
SHARE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("central_share_semiconductor", "central_share_startups", "central_share_compute"),
    ("local_share_equity", "local_share_subsidy", "local_share_relocation"),
    ("subsidy_split_compute", "subsidy_split_model_discount", "subsidy_split_data"),
)

_BY_NAME = {p.name: p for p in PARAMETERS}
assert len(_BY_NAME) == len(PARAMETERS), "duplicate parameter name"


def _int_to_float(v: Any) -> Any:
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def _list_to_tuple(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _field(p: Param) -> tuple[Any, Any]:
    lo, hi = p.bounds if p.bounds is not None else (None, None)
    if p.kind == "int":
        return (Annotated[int, Field(ge=lo, le=hi, strict=True)], p.default)
    if p.kind == "float":
        # Accept ints for floats (TOML users write `scale = 2`) but not bools or strings.
        return (
            Annotated[
                float, BeforeValidator(_int_to_float), Field(ge=lo, le=hi, allow_inf_nan=False)
            ],
            p.default,
        )
    if p.kind == "month":
        return (MonthStr, p.default)
    if p.kind == "niches":
        return (Annotated[tuple[Niche, ...], BeforeValidator(_list_to_tuple)], p.default)
    if p.kind == "events":
        return (Annotated[tuple[ExportEvent, ...], BeforeValidator(_list_to_tuple)], p.default)
    raise ValueError(f"unknown parameter kind {p.kind!r} for {p.name!r}")


class _ParamsBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="after")
    def _check_consistency(self) -> _ParamsBase:
        for group in SHARE_GROUPS:
            total = sum(getattr(self, k) for k in group)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(
                    f"shares {', '.join(group)} must add up to 1; they add up to {total:.4g}"
                )
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        dates = [e.date for e in self.export_events]
        if dates != sorted(dates):
            raise ValueError("export_events must be in date order")
        before = {n: getattr(self, f"niche_value_{n}") for n in NICHES}
        after = {
            n: v
            * ((1.0 - self.paradigm_devaluation) if n in self.devalued_niches else 1.0)
            * (self.paradigm_boost if n in GENAI_NICHES else 1.0)
            for n, v in before.items()
        }
        if sum(before.values()) <= 0:
            raise ValueError("niche_value_* must not all be 0: some niche must be worth entering")
        if sum(after.values()) <= 0:
            raise ValueError(
                "after the paradigm shift every niche would be worth 0 (devalued_niches, "
                "paradigm_devaluation): some niche must keep a value"
            )
        if self.designer_rd_share + self.foundry_reinvest_share > 1.0:
            raise ValueError(
                "designer_rd_share + foundry_reinvest_share must be at most 1 (both come out of "
                f"domestic chip revenue); they add up to "
                f"{self.designer_rd_share + self.foundry_reinvest_share:.4g}"
            )
        if self.initial_yield > self.max_yield:
            raise ValueError(
                f"initial_yield {self.initial_yield} is above max_yield {self.max_yield}"
            )
        return self


Params = create_model(
    "Params",
    __base__=_ParamsBase,
    __doc__="Validated, immutable parameter set of one run (see :data:`PARAMETERS`).",
    **{p.name: _field(p) for p in PARAMETERS},
)


def param(name: str) -> Param:
    """Return the declaration of parameter ``name`` (KeyError if unknown)."""
    return _BY_NAME[name]


def _fmt_default(p: Param) -> str:
    if p.kind == "events":
        return f"{len(p.default)} events (see docs/ODD.md)"
    if p.kind == "niches":
        return ", ".join(p.default)
    return f"{p.default:g}" if isinstance(p.default, float) else str(p.default)


def _fmt_bounds(p: Param) -> str:
    if p.bounds is None:
        return ""
    lo, hi = p.bounds
    return f"[{lo:g}, {hi:g}]"


def parameter_table_markdown() -> str:
    """Render :data:`PARAMETERS` as a Markdown table (the README embeds this text)."""
    rows = [
        "| parameter | default | unit | bounds | description | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        cells = [
            f"`{p.name}`",
            _fmt_default(p),
            p.unit,
            _fmt_bounds(p),
            p.description,
            p.source,
        ]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"
