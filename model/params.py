"""Every model parameter, declared once.

Each :class:`Param` carries its default, unit, bounds, description and provenance: a row of
``docs/FACTS.md`` and the article file it comes from, or ``assumption:`` with the reasoning.
Everything else is derived from this one table — the validated :class:`Params` object, the
scenario-file schema and its error messages, the README table (``statecraft params``) and, in
later work, sweep ranges and app sliders.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from .errors import ParameterError
from .files import did_you_mean

__all__ = [
    "CITIES",
    "GENAI_NICHES",
    "NICHES",
    "PARAMETERS",
    "SHARE_GROUPS",
    "SHARE_TOLERANCE",
    "ExportEvent",
    "Param",
    "Params",
    "check_inputs",
    "format_validation_error",
    "param",
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


@dataclass(frozen=True, kw_only=True)
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
        name="start_date",
        default="2020-01",
        unit="YYYY-MM",
        bounds=None,
        description="First simulated month (step 0).",
        source=_A
        + "the five-year growth of S1 (001) runs to the articles' date, so 2020 starts it",
        group="calendar",
        kind="month",
    ),
    Param(
        name="end_date",
        default="2030-12",
        unit="YYYY-MM",
        bounds=None,
        description="Last simulated month; one step per month.",
        source="FACTS S12 (001, 002): the targets are for 2030",
        group="calendar",
        kind="month",
    ),
    Param(
        name="initial_startups",
        default=1400,
        unit="startups",
        bounds=(10, 1_000_000),
        description="AI companies alive at the start date (before `scale`).",
        source="FACTS S1 (001): over 1,400 AI companies five years before the article",
        group="scale",
        kind="int",
    ),
    Param(
        name="scale",
        default=1.0,
        unit="multiplier",
        bounds=(0.01, 100.0),
        description=(
            "Multiplies the startup population and every money flow and market size together, so "
            "per-startup dynamics stay the same; used for benchmarks and quick tests."
        ),
        source=_A + "a pure size knob; 1.0 is the scale the articles describe",
        group="scale",
    ),
    Param(
        name="entry_rate",
        default=125.0,
        unit="startups/month",
        bounds=(0.0, 100_000.0),
        description=(
            "Expected new startups per month when funding and AI adoption are at their 2020 level."
        ),
        source=_A
        + "calibrated so the baseline grows from ~1,400 to ~5,000 companies by 2025 (S1, 001)",
        group="scale",
    ),
    Param(
        name="entry_funding_elasticity",
        default=0.5,
        unit="elasticity",
        bounds=(0.0, 3.0),
        description="How strongly entry responds to money available to back startups "
        "(entry ∝ (funding / 2020 funding)^elasticity).",
        source=_A + "the lending spree of M9 (004) fuelled hundreds of startups; size not given",
        group="scale",
    ),
    # --- central government -----------------------------------------------------------------
    Param(
        name="entry_adoption_elasticity",
        default=0.6,
        unit="elasticity",
        bounds=(0.0, 3.0),
        description=(
            "How strongly entry follows the AI market: entry ∝ (adoption / initial "
            "adoption)^elasticity (founders go where customers are)."
        ),
        source=_A + "the boom of S1 (001) tracks the spread of AI use; strength not given",
        group="scale",
    ),
    Param(
        name="central_ai_budget_usd_bn",
        default=56.0,
        unit="US$ bn",
        bounds=(0.0, 1000.0),
        description=(
            "National AI push, disbursed evenly over `central_budget_years` from "
            "`central_budget_start_date`."
        ),
        source="FACTS M1 (000): about US$56 bn (≈400 bn yuan)",
        group="central",
    ),
    Param(
        name="central_budget_years",
        default=6.0,
        unit="years",
        bounds=(1.0, 30.0),
        description="Years over which the national AI budget is spent.",
        source=_A + "M1 (000) gives no period; spread over the 6 years 2025–2030 to the 2030 "
        "targets (S12)",
        group="central",
    ),
    Param(
        name="central_budget_start_date",
        default="2025-01",
        unit="YYYY-MM",
        bounds=None,
        description="First month of the national AI push (M1).",
        source="FACTS M1 (000): a current push ('now it's hitting the accelerator', July 2025); "
        "January 2025 as its start is an assumption",
        group="central",
        kind="month",
    ),
    Param(
        name="central_share_semiconductor",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share of the national AI budget for domestic chip capacity (foundry capex, designer "
            "R&D)."
        ),
        source=_A + "M1 (000) names startups as the main target; chips and compute take the rest",
        group="central",
    ),
    Param(
        name="central_share_startups",
        default=0.5,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share passed to the city funds as a startup guidance fund.",
        source=_A + "M1 (000): the money is 'channelled into homegrown AI startups'",
        group="central",
    ),
    Param(
        name="central_share_compute",
        default=0.2,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share spent on public compute infrastructure (buys domestic accelerators only; money "
            "waits while none are to be had)."
        ),
        source=_A + "state finances data centres and servers (004); split not given",
        group="central",
    ),
    Param(
        name="semiconductor_fund_usd_bn_per_year",
        default=8.7,
        unit="US$ bn/year",
        bounds=(0.0, 100.0),
        description=(
            "State semiconductor fund spending per year on the whole semiconductor industry; "
            "only `semiconductor_fund_ai_share` of it builds AI-accelerator capacity and R&D. "
            "It continues to the end of the run."
        ),
        source="FACTS M2 (004): nearly US$100 bn since 2014 for the whole semiconductor industry "
        "⇒ ≈ 8.7 bn/year over 11.5 years; the article gives no end date, so continuing it is an "
        "assumption",
        group="central",
    ),
    Param(
        name="semiconductor_fund_ai_share",
        default=0.5,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share of the semiconductor fund that goes to AI-accelerator capacity and design."
        ),
        source=_A + "M2 (004) funds the whole industry ('much of it went to SMIC', whose advanced "
        "nodes make AI accelerators among many other chips); about half",
        group="central",
    ),
    Param(
        name="foundry_share_of_chip_money",
        default=0.7,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share of state chip money that goes to foundry capacity; the rest funds designer R&D."
        ),
        source=_A + "M2 (004): 'much of it went to SMIC'",
        group="central",
    ),
    Param(
        name="startup_tranche_usd_bn",
        default=8.5,
        unit="US$ bn",
        bounds=(0.0, 200.0),
        description="Extra central money for young AI startups, passed to city funds.",
        source="FACTS M3 (004): US$8.5 bn for young AI startups announced April 2025",
        group="central",
    ),
    Param(
        name="startup_tranche_date",
        default="2025-04",
        unit="YYYY-MM",
        bounds=None,
        description="When the startup tranche starts to flow.",
        source="FACTS M3 (004): April 2025",
        group="central",
        kind="month",
    ),
    Param(
        name="startup_tranche_months",
        default=36.0,
        unit="months",
        bounds=(1.0, 120.0),
        description="Months over which the startup tranche is disbursed.",
        source=_A + "M3 (004) gives no period; three years",
        group="central",
    ),
    Param(
        name="coordination",
        default=0.2,
        unit="0–1",
        bounds=(0.0, 1.0),
        description=(
            "Strength of central coordination against 'disorderly competition': penalises a city's"
            " bet on a niche by the share other cities already put there."
        ),
        source="FACTS S6 (001) for the policy; its strength is an assumption (mid-2025: warnings, "
        "few instruments)",
        group="central",
    ),
    Param(
        name="approval_probability",
        default=0.06,
        unit="1/month",
        bounds=(0.0, 1.0),
        description=(
            "Monthly chance that an eligible generative-AI model is approved (only approved "
            "generative models earn revenue)."
        ),
        source=_A + "calibrated towards 117 approved models by April 2024 (S2, 002), counted from "
        "`genai_rules_date`",
        group="central",
    ),
    Param(
        name="genai_rules_date",
        default="2023-08",
        unit="YYYY-MM",
        bounds=None,
        description=(
            "From this month generative models need state approval to earn revenue; before it "
            "there is no approval gate (they sell like other models)."
        ),
        source=_A + "S2 (002) counts approvals under the generative-AI rules; the interim measures "
        "for generative AI services took effect in August 2023 (public record, not in the "
        "articles)",
        group="central",
        kind="month",
    ),
    Param(
        name="approval_gap_months",
        default=6.0,
        unit="months",
        bounds=(0.0, 120.0),
        description=(
            "A generative model is eligible for approval when it is at most this far behind the "
            "best domestic model."
        ),
        source=_A + "regulators approve competitive models, not only the best",
        group="central",
    ),
    # --- local funds ------------------------------------------------------------------------
    Param(
        name="voucher_match",
        default=1.0,
        unit="ratio",
        bounds=(0.0, 10.0),
        description=(
            "A startup's compute vouchers in a month are at most this multiple of its own compute "
            "spending (vouchers top up purchases, they do not replace a budget)."
        ),
        source=_A + "Shanghai's vouchers (M5, 002) subsidise computing power that firms buy",
        group="local",
    ),
    Param(
        name="cash_subsidy_cap",
        default=0.5,
        unit="share of burn",
        bounds=(0.0, 5.0),
        description=(
            "Cash subsidies (research, model discounts, data) a startup receives in a month are at"
            " most this share of its burn."
        ),
        source=_A + "programmes cover part of costs (10–15 % of research in M7, 004), never all",
        group="local",
    ),
    Param(
        name="fund_taste_sigma",
        default=0.3,
        unit="log-sd",
        bounds=(0.0, 3.0),
        description=(
            "Spread of each city fund's persistent taste for niches (lognormal multipliers on its "
            "view of niche values)."
        ),
        source=_A
        + "cities have local specialisations (M4, S3: iFlytek in Anhui, Deep Principle in "
        "Hangzhou); their strength is not given",
        group="local",
    ),
    Param(
        name="funding_score_noise",
        default=1.0,
        unit="log2 units",
        bounds=(0.0, 10.0),
        description=(
            "Standard deviation of the error with which investors judge a startup's capability "
            "when ranking candidates for a round."
        ),
        source=_A + "due diligence is imperfect; one doubling of error",
        group="local",
    ),
    Param(
        name="n_city_funds",
        default=7,
        unit="funds",
        bounds=(1, len(CITIES)),
        description=(
            "Number of city investment funds (Beijing, Shanghai, Shenzhen, Hangzhou, Hefei, "
            "Chengdu, Wuhan, then generic second-tier cities)."
        ),
        source="FACTS M4 (000, 002, 003): seven cities named",
        group="local",
        kind="int",
    ),
    Param(
        name="local_budget_usd_bn_per_year",
        default=0.8,
        unit="US$ bn/year",
        bounds=(0.0, 50.0),
        description="Own money of each tier-1 city fund per year (before `scale`).",
        source=_A + "Shanghai's subsidy programme alone is US$0.139 bn (M5, 002), plus equity and "
        "bank lending (M9, 004)",
        group="local",
    ),
    Param(
        name="second_tier_budget_ratio",
        default=0.5,
        unit="ratio",
        bounds=(0.0, 2.0),
        description="Budget of a second-tier city fund relative to a tier-1 one.",
        source=_A + "M4 (000) distinguishes second-tier cities; size not given",
        group="local",
    ),
    Param(
        name="local_share_equity",
        default=0.6,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of each city fund's inflow for equity and loans (funding rounds).",
        source=_A + "local authorities act as venture capitalists (M4, 002)",
        group="local",
    ),
    Param(
        name="local_share_subsidy",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share for subsidies: research-cost subsidies first, the rest split per "
            "`subsidy_split_*`."
        ),
        source=_A + "M5–M7 (002, 004) describe subsidy programmes; their weight is not given",
        group="local",
    ),
    Param(
        name="local_share_relocation",
        default=0.1,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share for relocation incentives that lure startups from other cities.",
        source=_A + "M8 (004): districts compete with incentives",
        group="local",
    ),
    Param(
        name="subsidy_split_compute",
        default=0.6,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share of the subsidy programme paid as compute vouchers (usable only for compute)."
        ),
        source="FACTS M5 (002): 600 m of Shanghai's 1 bn yuan for computing power",
        group="local",
    ),
    Param(
        name="subsidy_split_model_discount",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share paid as discounts on third-party AI models (lowers a startup's costs).",
        source="FACTS M5 (002): 300 m of 1 bn yuan for model discounts",
        group="local",
    ),
    Param(
        name="subsidy_split_data",
        default=0.1,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share paid as data-set subsidies (lowers a startup's costs).",
        source="FACTS M5 (002): 100 m of 1 bn yuan for data sets",
        group="local",
    ),
    Param(
        name="research_subsidy_rate",
        default=0.125,
        unit="share of burn",
        bounds=(0.0, 0.5),
        description=(
            "Share of a covered young startup's research spending (burn other than compute) paid "
            "by its city fund."
        ),
        source="FACTS M7 (004): one founder describes 10–15 % of early-stage research costs as a "
        "large benefit",
        group="local",
    ),
    Param(
        name="research_subsidy_coverage",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of startups (drawn at birth) that qualify for research subsidies.",
        source=_A + "M7 (004) is one founder's account, not a universal programme; about a third "
        "of young firms",
        group="local",
    ),
    Param(
        name="research_subsidy_age_months",
        default=24.0,
        unit="months",
        bounds=(0.0, 120.0),
        description="A startup counts as early-stage up to this age.",
        source=_A + "M7 (004) says 'early-stage'",
        group="local",
    ),
    Param(
        name="relocation_incentive_ratio",
        default=0.25,
        unit="share of round",
        bounds=(0.0, 2.0),
        description="Relocation payment as a share of the round the startup just raised.",
        source="FACTS M8 (004): US$2.5 m to a startup that had raised US$10 m",
        group="local",
    ),
    Param(
        name="relocation_acceptance",
        default=0.3,
        unit="probability",
        bounds=(0.0, 1.0),
        description="Chance that a startup offered a relocation incentive moves.",
        source=_A + "Deep Principle moved (M8, 004); how often offers succeed is not given",
        group="local",
    ),
    Param(
        name="herding",
        default=0.5,
        unit="0–1",
        bounds=(0.0, 1.0),
        description=(
            "Weight a city fund puts on imitating others instead of its own view: other cities' "
            "recent bets (conformist, see `imitation_conformity`) and the state's signal (see "
            "`state_signal_weight`); 1 = pure imitation."
        ),
        source="FACTS S5 (000) for duplication risk; its strength is an assumption",
        group="local",
    ),
    Param(
        name="imitation_conformity",
        default=2.0,
        unit="exponent",
        bounds=(0.0, 10.0),
        description=(
            "A fund imitates other cities' recent equity by niche raised to this power: 1 copies "
            "their mix, above 1 favours the most popular niches, 0 ignores them."
        ),
        source=_A + "conformist imitation: officials back what peers are visibly backing (S5, 000)",
        group="local",
    ),
    Param(
        name="state_signal_weight",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Within imitation, the weight of the state's signal (its perceived hottest niche) "
            "against other cities' bets."
        ),
        source=_A + "national priorities are announced (S11, 000) and cities follow them in part",
        group="local",
    ),
    Param(
        name="round_runway_months",
        default=18.0,
        unit="months",
        bounds=(1.0, 60.0),
        description="A funding round covers this many months of burn.",
        source=_A + "usual venture practice",
        group="local",
    ),
    Param(
        name="seek_funding_months",
        default=6.0,
        unit="months",
        bounds=(0.0, 36.0),
        description="A startup seeks a round when its cash covers fewer months of burn than this.",
        source=_A + "usual venture practice",
        group="local",
    ),
    Param(
        name="private_vc_usd_bn_per_year",
        default=4.0,
        unit="US$ bn/year",
        bounds=(0.0, 200.0),
        description=(
            "Private venture money per year, allocated by capability and niche value, not by city."
        ),
        source=_A + "investor sentiment swings (M11, 000); the size is not given",
        group="local",
    ),
    # --- startups ---------------------------------------------------------------------------
    Param(
        name="burn_median_usd_m",
        default=0.25,
        unit="US$ m/month",
        bounds=(0.001, 100.0),
        description="Median monthly spending of a new non-generative startup.",
        source=_A + "a team of a few dozen in a Chinese tier-1 city",
        group="startups",
    ),
    Param(
        name="burn_sigma",
        default=0.8,
        unit="log-sd",
        bounds=(0.0, 3.0),
        description="Spread of startup burn (lognormal).",
        source=_A + "firm sizes are right-skewed",
        group="startups",
    ),
    Param(
        name="genai_burn_multiplier",
        default=3.0,
        unit="ratio",
        bounds=(1.0, 50.0),
        description="Burn of generative-AI startups relative to others (model training is costly).",
        source=_A + "compute-heavy niches spend more (C1, 000)",
        group="startups",
    ),
    Param(
        name="burn_growth_per_round",
        default=1.3,
        unit="ratio",
        bounds=(1.0, 5.0),
        description=(
            "Factor by which a startup's burn rises after each funding round (it scales up)."
        ),
        source=_A + "funded startups hire and buy compute",
        group="startups",
    ),
    Param(
        name="initial_cash_min_fraction",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description="Startups alive at the start date hold a uniform share between this and 1 of "
        "`initial_cash_months` of burn (they are part-way through their runway).",
        source=_A + "existing firms are at different points of their funding cycle",
        group="startups",
    ),
    Param(
        name="initial_max_age_months",
        default=48,
        unit="months",
        bounds=(1, 240),
        description="Startups alive at the start date have a uniform age below this (matters for "
        "early-stage research subsidies).",
        source=_A + "most of the ~1,400 firms of S1 (001) were founded in the preceding few years",
        group="startups",
        kind="int",
    ),
    Param(
        name="initial_capability_spread",
        default=1.5,
        unit="log2 units",
        bounds=(0.0, 10.0),
        description=(
            "Mean shortfall of an initial startup's capability below the best one (exponential)."
        ),
        source=_A + "a long tail of weaker firms behind a few leaders",
        group="startups",
    ),
    Param(
        name="entrant_capability_gap",
        default=1.0,
        unit="log2 units",
        bounds=(0.0, 10.0),
        description="Mean shortfall of a new entrant's capability below the best open-source model "
        "(exponential).",
        source=_A
        + "open models lower the barrier to entry (S8, 003/004) but entrants start below them",
        group="startups",
    ),
    Param(
        name="initial_cash_months",
        default=12.0,
        unit="months",
        bounds=(0.0, 60.0),
        description="Cash of a new startup, in months of its burn (seed money).",
        source=_A + "a seed round",
        group="startups",
    ),
    Param(
        name="compute_spend_share",
        default=0.4,
        unit="share of burn",
        bounds=(0.0, 1.0),
        description=(
            "Share of burn spent on compute; unspendable money (no chips to buy) stays as cash."
        ),
        source=_A + "compute is the single biggest bottleneck (C1, 000)",
        group="startups",
    ),
    Param(
        name="talent_sigma",
        default=0.3,
        unit="log-sd",
        bounds=(0.0, 2.0),
        description="Spread of team talent, which multiplies capability growth from compute.",
        source=_A + "talent is concentrated in state-backed labs (004)",
        group="startups",
    ),
    Param(
        name="capability_learning_rate",
        default=1.0,
        unit="1/doubling",
        bounds=(0.0, 10.0),
        description=(
            "Absorptive capacity a = 1 - exp(-rate * talent * log2(1 + compute / requirement)): "
            "own progress is a times the US frontier's pace and catch-up rates are scaled by a."
        ),
        source=_A
        + "one unit per doubling of compute over the requirement; with `frontier_diffusion` it "
        "puts the leading labs at least a few months behind in 2025 (S9, 004)",
        group="startups",
    ),
    Param(
        name="reference_compute",
        default=1.0,
        unit="k flagship-equivalents",
        bounds=(1e-4, 1e4),
        description=(
            "Compute requirement at the start date: a startup owning this much effective compute "
            "gets log2(2) = 1 in its absorptive capacity (the requirement then doubles every "
            "`compute_requirement_doubling_months`)."
        ),
        source=_A + "a cluster of about a thousand flagship accelerators was a serious lab in 2020",
        group="startups",
    ),
    Param(
        name="compute_requirement_doubling_months",
        default=12.0,
        unit="months",
        bounds=(1.0, 120.0),
        description=(
            "Doubling time of the compute needed to keep the same pace of progress (frontier "
            "hardware scale-up)."
        ),
        source=_A + "frontier clusters grow about 2x a year",
        group="startups",
    ),
    Param(
        name="frontier_diffusion",
        default=0.1,
        unit="1/month",
        bounds=(0.0, 1.0),
        description=(
            "Share of the gap to the US frontier closed each month by diffusion (papers, open "
            "weights, talent) at full absorptive capacity."
        ),
        source=_A + "Chinese coders build on open systems (004); a tenth of the gap a month puts "
        "a well-equipped lab about 10 months behind, in line with 'at least a few months' (S9)",
        group="startups",
    ),
    Param(
        name="open_source_spillover",
        default=0.08,
        unit="1/month",
        bounds=(0.0, 1.0),
        description=(
            "Share of the gap to the best domestic open-source model closed each month at full "
            "absorptive capacity."
        ),
        source="FACTS S8 (003, 004) for the mechanism; its rate is an assumption",
        group="startups",
    ),
    Param(
        name="open_source_propensity",
        default=0.03,
        unit="1/month",
        bounds=(0.0, 1.0),
        description=(
            "Monthly chance that a startup that has produced capability and is at or above the "
            "best open-source level releases its model openly."
        ),
        source="FACTS S8 (003, 004): DeepSeek, Alibaba, Huawei, Baidu, ByteDance release openly; "
        "the rate is an assumption",
        group="startups",
    ),
    Param(
        name="useful_gap_months",
        default=9.0,
        unit="months",
        bounds=(0.0, 240.0),
        description=(
            "A non-generative startup can sell once it is at most this far behind the best model "
            "in its niche (generative ones need approval instead)."
        ),
        source=_A + "a model within a few release cycles of the domestic leader finds users",
        group="startups",
    ),
    Param(
        name="produced_gap_months",
        default=9.0,
        unit="months",
        bounds=(0.0, 240.0),
        description=(
            "A startup has 'produced capability' once its capability has come within this many "
            "months of the leading domestic labs (see `frontier_labs`); money that failed startups "
            "received before reaching it counts as wasted."
        ),
        source=_A + "the 'castles in the air' of S5 (000) are projects that never reach a usable "
        "model; within about three release cycles (9 months) of the domestic leaders a model "
        "finds users (the same yardstick as `useful_gap_months`)",
        group="startups",
    ),
    Param(
        name="frontier_labs",
        default=10,
        unit="labs",
        bounds=(1, 1000),
        description=(
            "The domestic frontier is the capability of the `frontier_labs`-th best startup at "
            "full scale (at `scale` s, the quantile 1 - frontier_labs * s / N of N startups), so "
            "that it does not depend on `scale`."
        ),
        source="FACTS S3, S8, S9 (000, 003, 004): about ten named leading developers (Zhipu, "
        "Baichuan, Moonshot, iFlytek, DeepSeek, Alibaba, Huawei, Baidu, ByteDance); the count is "
        "an assumption",
        group="startups",
        kind="int",
    ),
    Param(
        name="us_frontier_doubling_months",
        default=6.0,
        unit="months",
        bounds=(1.0, 48.0),
        description=(
            "US frontier capability (in effective-compute terms) doubles every this many months."
        ),
        source=_A + "public trend of frontier training compute; not in the articles",
        group="startups",
    ),
    Param(
        name="initial_gap_months",
        default=30.0,
        unit="months",
        bounds=(0.0, 240.0),
        description="Gap of the best domestic startup to the US frontier at the start date.",
        source=_A + "before 2023 Chinese models lagged by years; S9 (004) gives only 2025",
        group="startups",
    ),
    Param(
        name="ai_market_usd_bn_per_year",
        default=6.0,
        unit="US$ bn/year",
        bounds=(0.0, 1000.0),
        description="Revenue pool open to AI startups at the start date, growing with adoption.",
        source=_A + "size not given in the articles",
        group="startups",
    ),
    Param(
        name="price_competition",
        default=1.0,
        unit="elasticity",
        bounds=(0.0, 10.0),
        description=(
            "How fast a niche's revenue pool shrinks as it crowds (pool / (1 + γ·n / n_ref))."
        ),
        source="FACTS S4 (003, 004): crowded markets cut prices; strength is an assumption",
        group="startups",
    ),
    Param(
        name="crowding_reference",
        default=150.0,
        unit="startups",
        bounds=(1.0, 100_000.0),
        description=(
            "Startups in a niche (before `scale`) at which price competition halves revenue (γ=1)."
        ),
        source=_A + "a few hundred rivals make a cut-throat market",
        group="startups",
    ),
    Param(
        name="revenue_capability_elasticity",
        default=6.0,
        unit="1/doubling",
        bounds=(0.0, 10.0),
        description=(
            "Revenue weight of a startup in its niche is 2^(elasticity * (capability - niche "
            "best)): how strongly customers favour the best model."
        ),
        source=_A + "winner-take-most markets; S13 (002) notes one firm leads the LLM market",
        group="startups",
    ),
    Param(
        name="champion_share",
        default=0.15,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Revenue share in its niche a startup must hold to count as a national champion."
        ),
        source=_A + "S11 (000) names the goal but no threshold",
        group="startups",
    ),
    Param(
        name="champion_months",
        default=12.0,
        unit="months",
        bounds=(1.0, 120.0),
        description="Consecutive months above `champion_share` needed to become a champion.",
        source=_A + "a champion persists, not a one-month leader",
        group="startups",
    ),
    Param(
        name="adoption_gap_halving_months",
        default=12.0,
        unit="months",
        bounds=(1.0, 240.0),
        description=(
            "Every this many months of capability gap to the US frontier halve the imitation rate "
            "of AI adoption."
        ),
        source=_A + "a weaker domestic model slows uptake; a year's gap halves it",
        group="startups",
    ),
    Param(
        name="initial_adoption",
        default=0.08,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of the economy using AI at the start date.",
        source=_A + "S12 (001) gives only the 90 % target for 2030",
        group="startups",
    ),
    Param(
        name="adoption_innovation",
        default=0.002,
        unit="1/month",
        bounds=(0.0, 0.5),
        description="Bass-diffusion innovation rate of AI adoption.",
        source=_A + "typical Bass parameter",
        group="startups",
    ),
    Param(
        name="adoption_imitation",
        default=0.045,
        unit="1/month",
        bounds=(0.0, 1.0),
        description="Bass-diffusion imitation rate, scaled down by the capability gap.",
        source=_A + "chosen so that adoption nears the 90 % target of S12 (001) only if the gap "
        "stays small",
        group="startups",
    ),
    # --- niche values and the technology shock ----------------------------------------------
    Param(
        name="niche_value_llm",
        default=1.0,
        unit="relative",
        bounds=(0.0, 100.0),
        description="Commercial value of the LLM niche before the paradigm shift.",
        source=_A + "S3 (000)",
        group="shock",
    ),
    Param(
        name="niche_value_multimodal",
        default=0.8,
        unit="relative",
        bounds=(0.0, 100.0),
        description="Value of the multimodal niche before the shift.",
        source=_A + "S3 (000)",
        group="shock",
    ),
    Param(
        name="niche_value_assistants",
        default=0.8,
        unit="relative",
        bounds=(0.0, 100.0),
        description="Value of the assistants niche before the shift.",
        source=_A + "S3 (000)",
        group="shock",
    ),
    Param(
        name="niche_value_speech",
        default=1.5,
        unit="relative",
        bounds=(0.0, 100.0),
        description="Value of the speech/NLP niche before the shift.",
        source=_A + "iFlytek (S3, 000)",
        group="shock",
    ),
    Param(
        name="niche_value_science",
        default=0.8,
        unit="relative",
        bounds=(0.0, 100.0),
        description="Value of the AI-for-science niche before the shift.",
        source=_A + "Deep Principle (S3, 004)",
        group="shock",
    ),
    Param(
        name="niche_value_vision",
        default=3.0,
        unit="relative",
        bounds=(0.0, 100.0),
        description="Value of the vision niche before the shift.",
        source=_A + "the facial-recognition boom (S7, 003/004)",
        group="shock",
    ),
    Param(
        name="paradigm_shift_date",
        default="2022-11",
        unit="YYYY-MM",
        bounds=None,
        description="When the paradigm shift (generative AI) happens.",
        source=_A
        + "S7 (003, 004): caught off guard by generative AI; Nov 2022 is its public start",
        group="shock",
        kind="month",
    ),
    Param(
        name="devalued_niches",
        default=("vision",),
        unit="niches",
        bounds=None,
        description="Niches whose value falls at the paradigm shift.",
        source="FACTS S7 (003, 004): years of investment in facial recognition",
        group="shock",
        kind="niches",
    ),
    Param(
        name="paradigm_devaluation",
        default=0.7,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of value the devalued niches lose at the shift.",
        source=_A + "S7 (003, 004)",
        group="shock",
    ),
    Param(
        name="paradigm_boost",
        default=3.0,
        unit="ratio",
        bounds=(1.0, 20.0),
        description="Factor by which generative niches' value rises at the shift.",
        source=_A + "S7 (003, 004)",
        group="shock",
    ),
    Param(
        name="allocation_lag_months",
        default=18.0,
        unit="months",
        bounds=(0.0, 120.0),
        description=(
            "Time constant with which the state's perceived niche values follow the true ones."
        ),
        source=(
            "FACTS S7 (003, 004): top-down allocation is slow to shift; the lag is an assumption"
        ),
        group="shock",
    ),
    Param(
        name="market_lag_months",
        default=3.0,
        unit="months",
        bounds=(0.0, 120.0),
        description=(
            "Time constant of private investors' and entrepreneurs' perceived niche values."
        ),
        source=_A + "markets react faster than plans (S7)",
        group="shock",
    ),
    # --- chips ------------------------------------------------------------------------------
    Param(
        name="foreign_supply_k_per_month",
        default=50.0,
        unit="k accelerators/month",
        bounds=(0.0, 10_000.0),
        description=(
            "High-end foreign accelerators the vendor would sell into China per month at the start"
            " date without controls (before `scale`)."
        ),
        source=_A + "order of magnitude of Nvidia's China data-centre sales; not in the articles",
        group="chips",
    ),
    Param(
        name="foreign_supply_growth",
        default=0.2,
        unit="1/year",
        bounds=(0.0, 2.0),
        description="Yearly growth of the unrestricted foreign supply.",
        source=_A + "AI demand growth",
        group="chips",
    ),
    Param(
        name="foreign_price_usd_k",
        default=25.0,
        unit="US$ k/accelerator",
        bounds=(0.1, 1000.0),
        description="Price of a foreign high-end accelerator.",
        source=_A + "list price of a flagship part",
        group="chips",
    ),
    Param(
        name="licensed_performance",
        default=0.5,
        unit="relative",
        bounds=(0.0, 1.0),
        description="Performance of a licensed reduced-performance chip relative to the flagship.",
        source="FACTS C7 (004): a China-specific H20; the ratio is an assumption",
        group="chips",
    ),
    Param(
        name="licensed_price_ratio",
        default=0.5,
        unit="ratio",
        bounds=(0.05, 5.0),
        description="Price of a licensed chip relative to the flagship.",
        source=_A + "C7 (004)",
        group="chips",
    ),
    Param(
        name="grey_leakage",
        default=0.05,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share of the blocked foreign flow that still arrives through smuggling and resale, "
            "before `policy_date` (after it: `policy_grey_leakage`)."
        ),
        source="FACTS C8 (001): firms fall back on smuggled or older chips; size is an assumption",
        group="chips",
    ),
    Param(
        name="grey_price_ratio",
        default=1.6,
        unit="ratio",
        bounds=(1.0, 10.0),
        description="Price of a grey-market chip relative to the flagship.",
        source=_A + "C8 (001)",
        group="chips",
    ),
    Param(
        name="domestic_capacity_k_per_month",
        default=6.0,
        unit="k accelerators/month",
        bounds=(0.0, 10_000.0),
        description=(
            "Domestic foundry capacity for AI accelerators at the start date (before `scale`)."
        ),
        source=(
            "FACTS C4 (000, 003, 004): SMIC cannot yet make advanced chips at volume; size is an "
            "assumption"
        ),
        group="chips",
    ),
    Param(
        name="capex_per_k_capacity_usd_m",
        default=250.0,
        unit="US$ m per k/month",
        bounds=(1.0, 100_000.0),
        description=(
            "Capital needed for one k accelerators/month of new domestic capacity at full tool "
            "access."
        ),
        source=_A + "fab cost per wafer start, converted",
        group="chips",
    ),
    Param(
        name="tool_dependence",
        default=0.8,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of capacity growth lost per unit of tool stringency.",
        source="FACTS C2 (000): chip-making tools are restricted; strength is an assumption",
        group="chips",
    ),
    Param(
        name="capacity_depreciation",
        default=0.01,
        unit="1/month",
        bounds=(0.0, 0.2),
        description="Monthly loss of domestic capacity (ageing, obsolescence).",
        source=_A
        + "fabs lose about a tenth of their useful capacity a year to ageing and node obsolescence",
        group="chips",
    ),
    Param(
        name="initial_yield",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description="Yield of the domestic advanced process at the start date.",
        source=_A + "C4 (000, 003, 004): low volume at advanced nodes",
        group="chips",
    ),
    Param(
        name="max_yield",
        default=0.85,
        unit="share",
        bounds=(0.0, 1.0),
        description="Mature yield the domestic process approaches by learning.",
        source=_A + "mature advanced-node processes reach yields in the 80s (percent)",
        group="chips",
    ),
    Param(
        name="yield_learning_k",
        default=1500.0,
        unit="k accelerators",
        bounds=(1.0, 1e7),
        description=(
            "Cumulative domestic output over which the yield gap halves (learning by doing)."
        ),
        source=_A + "experience curve",
        group="chips",
    ),
    Param(
        name="initial_domestic_performance",
        default=0.45,
        unit="relative",
        bounds=(0.0, 1.0),
        description=(
            "Domestic accelerator performance relative to the foreign flagship at the start date."
        ),
        source="FACTS C5 (001, 002, 004): Ascend lags Nvidia; the ratio is an assumption",
        group="chips",
    ),
    Param(
        name="performance_ceiling_restricted",
        default=0.7,
        unit="relative",
        bounds=(0.0, 1.0),
        description="Highest relative performance the domestic designer can reach with tools fully "
        "restricted (ceiling rises to 1 without restrictions).",
        source="FACTS C4, C11 (002, 004): system integration compensates partly; the level is an "
        "assumption",
        group="chips",
    ),
    Param(
        name="performance_rd_rate",
        default=0.005,
        unit="1/month",
        bounds=(0.0, 1.0),
        description="Share of the gap to the ceiling closed per month at reference R&D spending.",
        source=_A + "designer progress",
        group="chips",
    ),
    Param(
        name="rd_reference_usd_m",
        default=200.0,
        unit="US$ m/month",
        bounds=(0.1, 100_000.0),
        description=(
            "Designer R&D per month (state plus reinvested revenue) that gives the reference "
            "progress rate (before `scale`)."
        ),
        source=_A + "a leading accelerator designer spends a few billion dollars a year on R&D",
        group="chips",
    ),
    Param(
        name="designer_rd_share",
        default=0.25,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of domestic chip revenue reinvested in designer R&D.",
        source=_A + "the protective bubble of 002 works through this revenue",
        group="chips",
    ),
    Param(
        name="foundry_reinvest_share",
        default=0.25,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of domestic chip revenue reinvested in foundry capacity.",
        source=_A
        + "foundries reinvest a large part of revenue in capacity; same order as designer R&D",
        group="chips",
    ),
    Param(
        name="domestic_price_ratio",
        default=0.5,
        unit="ratio",
        bounds=(0.05, 5.0),
        description="Price of a domestic accelerator relative to the foreign flagship.",
        source=_A + "priced below the flagship roughly in line with its lower performance (C5)",
        group="chips",
    ),
    Param(
        name="overseas_foundry_k_per_month",
        default=15.0,
        unit="k accelerators/month",
        bounds=(0.0, 10_000.0),
        description=(
            "Domestic-design accelerators the overseas foundry would make per month without "
            "controls (before `scale`)."
        ),
        source="FACTS C3 (000): domestic designers depend on TSMC; size is an assumption",
        group="chips",
    ),
    Param(
        name="switching_friction",
        default=0.8,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Share of private buyers who buy foreign chips first while domestic performance is at "
            "its initial level; falls as domestic chips and software catch up."
        ),
        source="FACTS C5 (001, 002, 004): firms are reluctant to switch; level is an assumption",
        group="chips",
    ),
    Param(
        name="software_optimisation_gain",
        default=0.15,
        unit="ratio",
        bounds=(0.0, 2.0),
        description=(
            "Maximum extra effectiveness of domestic chips from software optimisation, earned with"
            " cumulative domestic use."
        ),
        source="FACTS C9 (002): firms optimise software for weaker hardware; size is an assumption",
        group="chips",
    ),
    Param(
        name="software_learning_k",
        default=3000.0,
        unit="k accelerators",
        bounds=(1.0, 1e7),
        description=(
            "Cumulative domestic accelerators sold over which software gains reach 63 % of their "
            "maximum."
        ),
        source=_A + "software ecosystems mature with the installed base; a few million chips",
        group="chips",
    ),
    Param(
        name="chip_substitution_elasticity",
        default=4.0,
        unit="elasticity",
        bounds=(0.5, 20.0),
        description=(
            "Elasticity of substitution between accelerator channels judged by "
            "performance-adjusted price (CES): high = near-perfect substitutes."
        ),
        source="FACTS C5, C9 (001, 002, 004): domestic chips cannot do everything, software "
        "narrows the difference; the value is an assumption",
        group="chips",
    ),
    Param(
        name="compute_price_elasticity",
        default=0.5,
        unit="elasticity",
        bounds=(0.0, 5.0),
        description=(
            "Elasticity of buyers' compute spending to the price of a flagship-equivalent above "
            "the flagship list price (quantity elasticity is one more); 0 = they spend the whole "
            "budget at any price."
        ),
        source=_A + "compute is the biggest bottleneck (C1, 000), so demand is inelastic in money "
        "but buyers do cut back when chips cost a multiple of list (C8, 001)",
        group="chips",
    ),
    Param(
        name="foreign_supply_elasticity",
        default=0.5,
        unit="elasticity",
        bounds=(0.0, 5.0),
        description=(
            "Elasticity of the foreign vendor's flagship and licensed supply to China with respect "
            "to the price above list (it diverts allocation to a market that pays more)."
        ),
        source=_A + "a vendor allocates scarce output to the best-paying markets; modest",
        group="chips",
    ),
    Param(
        name="grey_supply_elasticity",
        default=1.0,
        unit="elasticity",
        bounds=(0.0, 5.0),
        description=(
            "Elasticity of grey-channel supply with respect to the grey price above its floor "
            "(`grey_price_ratio`): smuggling grows with the premium."
        ),
        source="FACTS C8 (001): firms fall back on smuggled chips; the elasticity is an assumption",
        group="chips",
    ),
    Param(
        name="chip_lifetime_months",
        default=48.0,
        unit="months",
        bounds=(6.0, 240.0),
        description="Service life of an installed accelerator.",
        source=_A + "data-centre accelerators are written off over about four years",
        group="chips",
    ),
    Param(
        name="bigtech_compute_usd_bn_per_year",
        default=6.0,
        unit="US$ bn/year",
        bounds=(0.0, 1000.0),
        description=(
            "Compute spending of large platforms that competes with startups for accelerators at "
            "the start date, growing at `bigtech_growth`."
        ),
        source="assumption: M10 (004) — ByteDance alone spent US$11 bn in one year on data "
        "centres and AI infrastructure — is a lower bound on all platforms' spending; the part "
        "that buys AI accelerators is smaller (6 bn in 2020 growing to ≈ 12 bn by 2024)",
        group="chips",
    ),
    Param(
        name="bigtech_growth",
        default=0.2,
        unit="1/year",
        bounds=(0.0, 2.0),
        description="Yearly growth of large platforms' compute spending.",
        source=_A + "ByteDance's spending (M10, 004) signals fast growth",
        group="chips",
    ),
    # --- export controls --------------------------------------------------------------------
    Param(
        name="export_events",
        default=_DEFAULT_EVENTS,
        unit="timeline",
        bounds=None,
        description=(
            "Export-control history: from each event's date, its stringencies for chips, tools, "
            "overseas foundry and the licensed share of the blocked flow."
        ),
        source="FACTS C1, C2, C3, C7 (000, 004) for the mechanisms; dates are the public record of "
        "US rules, levels are assumptions",
        group="export",
        kind="events",
    ),
    Param(
        name="policy_date",
        default="2026-01",
        unit="YYYY-MM",
        bounds=None,
        description=(
            "Date from which the scenario's future regime (`policy_*`) replaces the timeline."
        ),
        source=_A + "the articles' 'next 12–18 months' (000)",
        group="export",
        kind="month",
    ),
    Param(
        name="policy_chips",
        default=0.9,
        unit="share",
        bounds=(0.0, 1.0),
        description="Chip stringency from `policy_date` on.",
        source=_A + "default keeps the mid-2025 level",
        group="export",
    ),
    Param(
        name="policy_tools",
        default=0.7,
        unit="share",
        bounds=(0.0, 1.0),
        description="Tool stringency from `policy_date` on.",
        source=_A + "default keeps the mid-2025 level",
        group="export",
    ),
    Param(
        name="policy_foundry",
        default=0.95,
        unit="share",
        bounds=(0.0, 1.0),
        description="Overseas-foundry stringency from `policy_date` on.",
        source=_A + "default keeps the mid-2025 level",
        group="export",
    ),
    Param(
        name="policy_grey_leakage",
        default=0.05,
        unit="share",
        bounds=(0.0, 1.0),
        description=(
            "Grey-channel leakage (see `grey_leakage`) from `policy_date` on: enforcement can "
            "tighten or loosen with the regime."
        ),
        source=_A + "default keeps the historical level",
        group="export",
    ),
    Param(
        name="policy_licensed",
        default=0.0,
        unit="share",
        bounds=(0.0, 1.0),
        description="Licensed share of the blocked flow from `policy_date` on.",
        source=_A + "default keeps the April 2025 H20 ban",
        group="export",
    ),
)

#: Groups of shares that must add up to one.
SHARE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("central_share_semiconductor", "central_share_startups", "central_share_compute"),
    ("local_share_equity", "local_share_subsidy", "local_share_relocation"),
    ("subsidy_split_compute", "subsidy_split_model_discount", "subsidy_split_data"),
)
#: Shares of one group must add up to 1 within this (0.333333 x 3 is accepted).
SHARE_TOLERANCE = 1e-6

_BY_NAME = {p.name: p for p in PARAMETERS}
assert len(_BY_NAME) == len(PARAMETERS), "duplicate parameter name"


def param(name: str) -> Param:
    """Return the declaration of parameter ``name`` (KeyError if unknown)."""
    return _BY_NAME[name]


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


# --- rules over several parameters --------------------------------------------------------------
def check_inputs(p: Params) -> None:
    """Refuse parameter combinations the model cannot run or would silently reinterpret.

    Bounds on single parameters are in their declarations; these rules involve several: shares
    adding up to one, dates in order, an export event the policy regime would override, a
    tranche dated before the start, a policy that never applies, ... Run by ``Params``
    validation, so a scenario, an experiment's design point and ``Params(...)`` all obey them.

    Rules about a date "after end_date" apply only to a date changed from its default: a
    shorter horizon legitimately cuts off a default date (a quick run to 2021 of the baseline),
    but a policy the user dated after the end of the run would silently never apply.

    Raises
    ------
    ValueError
        With a one-line message (``Params`` turns it into a :class:`ParameterError`).
    """
    if p.end_date < p.start_date:
        raise ValueError(f"end_date {p.end_date} is before start_date {p.start_date}")
    given = {
        n
        for n in ("policy_date", "startup_tranche_date", "paradigm_shift_date")
        if getattr(p, n) != param(n).default
    }
    if p.initial_adoption <= 0:
        raise ValueError(
            "initial_adoption must be above 0: the AI market and startup entry are scaled by "
            f"adoption / initial_adoption; got {p.initial_adoption!r}"
        )
    for group in SHARE_GROUPS:
        values = [getattr(p, k) for k in group]
        total = math.fsum(values)
        if abs(total - 1.0) > SHARE_TOLERANCE * (1 + 1e-9):
            raise ValueError(
                f"shares {', '.join(group)} must add up to 1 (within {SHARE_TOLERANCE:g}); "
                f"{' + '.join(repr(v) for v in values)} = {total!r}"
            )
    _check_export_events(p)
    if "policy_date" in given and p.policy_date > p.end_date:
        raise ValueError(
            f"policy_date {p.policy_date} is after end_date {p.end_date}: the policy_* regime "
            "would never apply; set it within the run or extend end_date"
        )
    if p.startup_tranche_usd_bn > 0 and p.startup_tranche_date < p.start_date:
        raise ValueError(
            f"startup_tranche_date {p.startup_tranche_date} is before start_date "
            f"{p.start_date}: the tranche would be paid from the start instead; set it on or "
            "after start_date (or startup_tranche_usd_bn = 0)"
        )
    if "startup_tranche_date" in given and p.startup_tranche_date > p.end_date:
        raise ValueError(
            f"startup_tranche_date {p.startup_tranche_date} is after end_date {p.end_date}: "
            "the tranche would never be paid; set it within the run or extend end_date"
        )
    if "paradigm_shift_date" in given and p.paradigm_shift_date > p.end_date:
        raise ValueError(
            f"paradigm_shift_date {p.paradigm_shift_date} is after end_date {p.end_date}: the "
            "shift would never happen; set it within the run or extend end_date"
        )
    _check_niche_values(p)
    if p.designer_rd_share + p.foundry_reinvest_share > 1.0:
        raise ValueError(
            "designer_rd_share + foundry_reinvest_share must be at most 1 (both come out of "
            f"domestic chip revenue); they add up to "
            f"{p.designer_rd_share + p.foundry_reinvest_share:.4g}"
        )
    if p.initial_yield > p.max_yield:
        raise ValueError(f"initial_yield {p.initial_yield} is above max_yield {p.max_yield}")


def _check_export_events(p: Params) -> None:
    events = p.export_events
    if not events:
        raise ValueError(
            "export_events is empty; give at least one event (for no controls before "
            'policy_date: [{date = "<start month>", chips = 0.0, tools = 0.0, foundry = 0.0}])'
        )
    dates = [e.date for e in events]
    dup = sorted({d for d in dates if dates.count(d) > 1})
    if dup:
        raise ValueError(f"export_events: two events dated {dup[0]}; give one event per date")
    late = [d for d in dates if d >= p.policy_date]
    if late:
        raise ValueError(
            f"export_events: the event dated {late[0]} is not before policy_date "
            f"{p.policy_date}, from which the policy_* values replace the timeline, so it would "
            "be ignored; move policy_date later or drop the event"
        )
    if dates != sorted(dates):
        raise ValueError("export_events must be in date order")


def _check_niche_values(p: Params) -> None:
    before = {n: getattr(p, f"niche_value_{n}") for n in NICHES}
    after = {
        n: v
        * ((1.0 - p.paradigm_devaluation) if n in p.devalued_niches else 1.0)
        * (p.paradigm_boost if n in GENAI_NICHES else 1.0)
        for n, v in before.items()
    }
    if sum(before.values()) <= 0:
        raise ValueError("niche_value_* must not all be 0: some niche must be worth entering")
    if sum(after.values()) <= 0:
        raise ValueError(
            "after the paradigm shift every niche would be worth 0 (devalued_niches, "
            "paradigm_devaluation): some niche must keep a value"
        )


# --- error messages -----------------------------------------------------------------------------
def _expected(name: str) -> str:
    p = param(name)
    if p.kind in ("int", "float") and p.bounds is not None:
        lo, hi = p.bounds
        return f"{'an integer' if p.kind == 'int' else 'a number'} in [{lo:g}, {hi:g}]"
    if p.kind == "month":
        return 'a month "YYYY-MM"'
    if p.kind == "niches":
        return "a list of niches"
    return "a list of events {date, chips, tools, foundry, licensed}"


def format_validation_error(err: ValidationError, where: str) -> str:
    """Turn pydantic's report on a parameter set into one line:
    ``<where>: parameter 'x' must be ...; got ...``.

    ``where`` names the file and table, or the design point, the values came from.
    """
    errors = err.errors(include_url=False)
    # An unknown key explains the rest ("tools: Field required" after a typo `tool`): say it first.
    e = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    loc = e.get("loc", ())
    got = e.get("input")
    if not loc:  # a rule over several parameters (check_inputs)
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        return f"{where}: {msg}"
    key = str(loc[0])
    if e["type"] == "extra_forbidden" and len(loc) == 1:
        hint = did_you_mean(key, _BY_NAME) or " (see `statecraft params` for the list)"
        return f"{where}: unknown parameter '{key}'{hint}"
    if e["type"] == "extra_forbidden":
        path = ".".join(str(x) for x in loc)
        return f"{where}: unknown key '{path}'"
    if len(loc) == 1:
        return f"{where}: parameter '{key}' must be {_expected(key)}; got {got!r}"
    path = ".".join(str(x) for x in loc)
    return f"{where}: parameter '{path}': {e['msg']}; got {got!r}"


# --- the validated parameter set ----------------------------------------------------------------
class _ParamsBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            # One line naming the parameter and what it must be, as for a scenario file.
            raise ParameterError(
                format_validation_error(err, "Params"), validation_error=err
            ) from None

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, validated like a scenario file's values.

        Unlike pydantic's ``model_copy(update=...)``, which skips validation, this refuses a
        value outside its bounds or a set of shares that no longer adds up to one.

        Raises
        ------
        ParameterError
            One line naming the parameter and what was expected.

        Examples
        --------
        >>> from statecraft import Params
        >>> Params().replace(herding=0.8).herding
        0.8
        >>> Params().replace(herding=5.0)
        Traceback (most recent call last):
        ...
        statecraft.errors.ParameterError: Params: parameter 'herding' must be ... [0, 1]; got 5.0
        """
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self)(**{**values, **changes})

    def overrides(self) -> dict[str, Any]:
        """The values that differ from the defaults (what a scenario file would hold)."""
        return {
            p.name: getattr(self, p.name)
            for p in PARAMETERS
            if getattr(self, p.name) != type(self).model_fields[p.name].default
        }

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        check_inputs(cast("Params", self))  # Params is the only subclass
        return self


Params = create_model(
    "Params",
    __base__=_ParamsBase,
    __doc__="Validated, immutable parameter set of one run (see :data:`PARAMETERS`).",
    **{p.name: _field(p) for p in PARAMETERS},
)


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
