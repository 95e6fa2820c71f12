"""The app's levers, derived from the parameter declarations (no Solara here).

Each control shows a declared parameter under its own name, with its declared default, bounds and
unit, and a help text made from its description and source. A value typed into a control is
checked by the same validation as a scenario file (:meth:`statecraft.Params.replace`); a value it
refuses comes back as a one-line :class:`~statecraft.errors.ParameterError` that the page shows
under the control.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError
from ..params import PARAMETERS, SHARE_GROUPS, Param, Params

__all__ = [
    "DATED_BY",
    "LEVER_GROUPS",
    "PLAIN",
    "Lever",
    "apply_change",
    "dated_by",
    "levers",
    "other_levers",
    "parse_value",
]

#: The main levers a student moves, grouped by the question they answer. Each is a declared
#: parameter with a plain label, the unit in words and one sentence; the parameter's own name,
#: description and source are in its tooltip. Names that the parameter table no longer declares
#: are skipped (the model's mechanisms are still being revised), so the app never breaks on them;
#: every other declared parameter is listed under "More parameters" (:func:`other_levers`).
LEVER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "What if foreign chips are cut off?",
        (
            "policy_date",
            "policy_chips",
            "policy_tools",
            "policy_foundry",
            "policy_licensed",
            "policy_grey_leakage",
        ),
    ),
    (
        "Can China make its own chips?",
        (
            "semiconductor_fund_usd_bn_per_year",
            "domestic_wafers_k_per_month",
            "procurement_mandate",
            "switching_friction",
        ),
    ),
    (
        "Where does the central AI budget go?",
        ("central_share_semiconductor", "central_share_startups", "central_share_compute"),
    ),
    ("Do city funds all chase the same niches?", ("n_city_funds", "herding", "coordination")),
    (
        "Which subsidies help startups?",
        ("research_subsidy_rate", "voucher_match", "local_share_subsidy"),
    ),
    ("Who counts as a national champion?", ("champion_share", "champion_months")),
    ("What if the technology changes?", ("paradigm_shift_date",)),
)

#: Plain words for the main levers: (label, unit in words, one sentence). A lever missing here
#: shows its declared description instead.
PLAIN: dict[str, tuple[str, str, str]] = {
    "policy_date": (
        "New chip policy starts",
        "month, YYYY-MM",
        "From this month on, the export controls below replace the rules in force.",
    ),
    "policy_chips": (
        "Foreign AI chips blocked",
        "0 to 1 (1 = all)",
        "Share of the flow of top foreign accelerators (Nvidia-like) that export controls stop.",
    ),
    "policy_tools": (
        "Chip-making tools blocked",
        "0 to 1 (1 = all)",
        "Share of foreign chip-making tools kept from China's factories, which slows them.",
    ),
    "policy_foundry": (
        "Foreign foundries closed to Chinese designs",
        "0 to 1 (1 = all)",
        "Share of Chinese-designed chips that foreign foundries (TSMC-like) stop making.",
    ),
    "policy_licensed": (
        "Blocked chips sold under licence (H20-like)",
        "0 to 1 (1 = all)",
        "Share of the blocked chips sold anyway as licensed, weaker chips.",
    ),
    "policy_grey_leakage": (
        "Blocked chips smuggled in",
        "0 to 1 (1 = all)",
        "Share of the blocked chips that still arrive through grey channels.",
    ),
    "semiconductor_fund_usd_bn_per_year": (
        "State chip fund",
        "US$ bn a year",
        "What the state semiconductor fund spends each year (half of it on AI chips).",
    ),
    "domestic_wafers_k_per_month": (
        "Domestic AI-chip wafers at the start",
        "thousand wafers a month",
        "How many advanced-node wafers Chinese factories start for AI chips each month in 2020.",
    ),
    "procurement_mandate": (
        "State data centres must buy domestic",
        "0 to 1 (1 = domestic only)",
        "How strongly state-owned data centres are told to avoid foreign chips (from 2025).",
    ),
    "switching_friction": (
        "Cost of leaving Nvidia's software",
        "0 to 1",
        "How much private buyers shy away from chips whose software is still immature.",
    ),
    "central_share_semiconductor": (
        "Central AI budget: share to chips",
        "0 to 1",
        "Part of the national AI budget given to domestic chip makers.",
    ),
    "central_share_startups": (
        "Central AI budget: share to startups",
        "0 to 1",
        "Part of the national AI budget passed to city funds to invest in startups.",
    ),
    "central_share_compute": (
        "Central AI budget: share to computing centres",
        "0 to 1",
        "Part of the national AI budget spent on public computing power for startups.",
    ),
    "n_city_funds": (
        "City investment funds",
        "funds",
        "How many cities run their own AI fund (Beijing, Shanghai, Shenzhen, ...).",
    ),
    "herding": (
        "Herding of city funds",
        "0 to 1 (1 = copy others)",
        "How much a city fund copies other cities' bets instead of following its own view.",
    ),
    "coordination": (
        "Central coordination",
        "0 to 1 (1 = strong)",
        "How strongly Beijing discourages a city from betting on niches others already back.",
    ),
    "research_subsidy_rate": (
        "Research subsidy",
        "share of research costs",
        "Part of a young startup's research spending that its city pays.",
    ),
    "voucher_match": (
        "Compute vouchers",
        "times own spending",
        "Compute vouchers can add up to this multiple of what a startup spends on computing.",
    ),
    "local_share_subsidy": (
        "City budget: share to subsidies",
        "0 to 1",
        "Part of a city fund's budget paid as subsidies rather than invested as equity.",
    ),
    "champion_share": (
        "Champion: revenue share needed",
        "0 to 1",
        "Share of its niche's revenue a startup must hold to count as a national champion.",
    ),
    "champion_months": (
        "Champion: months at the top needed",
        "months",
        "How long a startup must keep that share to become a national champion.",
    ),
    "paradigm_shift_date": (
        "Generative-AI shift",
        "month, YYYY-MM",
        "When generative AI arrives and makes some older niches (computer vision) worth less.",
    ),
}

#: Month parameters and the levers that only act from that month on: a change to such a lever
#: moves nothing before it (the app's banner says so).
DATED_BY: dict[str, str] = {
    "policy_": "policy_date",
    "paradigm_": "paradigm_shift_date",
    "startup_tranche_": "startup_tranche_date",
    "central_": "central_budget_start_date",
}

#: A slider over a range this many times wider than the default would be useless near the
#: default; such sliders stop at ``WIDE_RANGE x default`` and the typed field takes the rest.
WIDE_RANGE = 10.0
SLIDER_STEPS = 100


@dataclass(frozen=True)
class Lever:
    """One control: a declared parameter plus what the page needs to draw it.

    Parameters
    ----------
    param : Param
        The declaration (name, default, unit, bounds, description, source).
    slider : tuple of float or None
        ``(low, high, step)`` of the slider; ``None`` for a month (typed only).
    """

    param: Param
    slider: tuple[float, float, float] | None

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def label(self) -> str:
        """The plain label, e.g. ``Herding of city funds`` (the description's first sentence for
        a parameter without plain words)."""
        plain = PLAIN.get(self.name)
        if plain:
            return plain[0]
        return self.param.name.replace("_", " ").capitalize()

    @property
    def unit(self) -> str:
        """The unit in words."""
        plain = PLAIN.get(self.name)
        return plain[1] if plain else self.param.unit

    @property
    def meaning(self) -> str:
        """One sentence: what moving it does."""
        plain = PLAIN.get(self.name)
        return plain[2] if plain else self.param.description

    @property
    def help(self) -> str:
        """The tooltip: parameter name, description, bounds, default, and where the value comes
        from."""
        p = self.param
        bounds = "" if p.bounds is None else f" Bounds [{p.bounds[0]:g}, {p.bounds[1]:g}]."
        default = f"{p.default:g}" if isinstance(p.default, float) else str(p.default)
        if p.source.startswith("assumption:"):
            why = "Assumption: " + p.source.removeprefix("assumption:").strip()
        else:
            why = "Source: " + p.source
        return f"Parameter {p.name} ({p.unit}): {p.description}{bounds} Default {default}. {why}."

    def format(self, value: Any) -> str:
        """The value as the typed field shows it."""
        if isinstance(value, float):
            return f"{value:.6g}"
        return str(value)


def _slider(p: Param) -> tuple[float, float, float] | None:
    if p.kind not in ("float", "int") or p.bounds is None:
        return None
    lo, hi = (float(b) for b in p.bounds)
    if hi - lo > WIDE_RANGE * max(abs(float(p.default)), 1e-9) and p.default > 0:
        hi = min(hi, lo + WIDE_RANGE * float(p.default))
    if p.kind == "int":
        return (lo, hi, 1.0)
    raw = (hi - lo) / SLIDER_STEPS
    step = 10 ** math.floor(math.log10(raw))  # a round step: 0.01, 0.1, 1, ...
    return (lo, hi, step)


def levers() -> list[tuple[str, list[Lever]]]:
    """The lever groups with the parameters the table declares, in :data:`LEVER_GROUPS` order."""
    declared = {p.name: p for p in PARAMETERS}
    out = []
    for heading, names in LEVER_GROUPS:
        group = [Lever(declared[n], _slider(declared[n])) for n in names if n in declared]
        if group:
            out.append((heading, group))
    return out


def other_levers() -> list[tuple[str, list[Lever]]]:
    """Every other declared number or month parameter, by its declared group: new parameters
    show up here without any change to the app."""
    main = {lv.name for _, group in levers() for lv in group}
    out: dict[str, list[Lever]] = {}
    for p in PARAMETERS:
        if p.name in main or p.kind not in ("float", "int", "month"):
            continue
        out.setdefault(p.group, []).append(Lever(p, _slider(p)))
    return list(out.items())


def dated_by(name: str) -> str | None:
    """The month parameter before which lever ``name`` changes nothing, if any."""
    declared = {p.name for p in PARAMETERS}
    for prefix, month in DATED_BY.items():
        if name.startswith(prefix) and name != month and month in declared:
            return month
    return None


def parse_value(p: Param, raw: Any) -> Any:
    """Turn what a control sends (a number, or text typed by a user) into the parameter's type.

    Raises
    ------
    ParameterError
        One line, e.g. ``herding must be a number; got 'abc'``.
    """
    if p.kind == "month":
        return str(raw).strip()
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            kind = "an integer" if p.kind == "int" else "a number"
            raise ParameterError(f"{p.name} must be {kind}; got {raw!r}") from None
    else:
        value = float(raw)
    if p.kind == "int":
        if not value.is_integer():
            raise ParameterError(f"{p.name} must be an integer; got {raw!r}")
        return int(value)
    return value


def _rebalanced(params: Params, name: str, value: float) -> dict[str, float]:
    """Changes that set ``name`` and keep its share group adding up to one: the other shares of
    the group are scaled in proportion (all equal if they were all zero)."""
    for group in SHARE_GROUPS:
        if name not in group or not 0.0 <= value <= 1.0:
            continue
        others = [n for n in group if n != name]
        total = sum(getattr(params, n) for n in others)
        rest = 1.0 - value
        if total > 0:
            changes = {n: getattr(params, n) * rest / total for n in others}
        else:
            changes = {n: rest / len(others) for n in others}
        # round away float noise so that the typed fields show 0.35, not 0.35000000000000003
        changes = {n: round(v, 12) for n, v in changes.items()}
        changes[others[-1]] = round(1.0 - value - sum(changes[n] for n in others[:-1]), 12)
        return {**changes, name: value}
    return {name: value}


def apply_change(params: Params, name: str, raw: Any) -> Params:
    """``params`` with parameter ``name`` set from a control's value, validated.

    A share that belongs to a group that must add up to one (the central budget split, the
    city funds' split) moves the other shares of its group in proportion.

    Raises
    ------
    ParameterError
        One line naming the parameter, what it must be and what was given.

    Examples
    --------
    >>> from statecraft import Params
    >>> apply_change(Params(), "herding", "0.8").herding
    0.8
    >>> apply_change(Params(), "herding", "1.5")
    Traceback (most recent call last):
    ...
    statecraft.errors.ParameterError: parameter 'herding' must be a number in [0, 1]; got 1.5
    """
    p = next((q for q in PARAMETERS if q.name == name), None)
    if p is None:
        raise ParameterError(f"unknown parameter {name!r}")
    value = parse_value(p, raw)
    changes = _rebalanced(params, name, value) if p.kind == "float" else {name: value}
    try:
        return params.replace(**changes)
    except ParameterError as err:
        raise ParameterError(str(err).removeprefix("Params: ")) from None
