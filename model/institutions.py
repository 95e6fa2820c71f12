"""The institutions: the export-control regime, the central government, the city funds and the
private investors.

The regime, the government and each :class:`CityFund` are ordinary :class:`mesa.Agent` objects
(one fund per city); the funds act together as :class:`CityFunds`, since herding and
coordination are choices made in view of the other cities, and :class:`PrivateInvestors` is a
plain object (it holds no state). The government pays *recipients* (anything with
``receive(amount)``); the city funds and private investors back startups as
:class:`statecraft.startups.Investor` s. Money is in US$ m throughout.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

import mesa
import numpy as np

from .funding import allocate_by_group, niche_weights, own_views
from .kernels import city_subsidies, relocate
from .params import CITIES, N_TIER1, NICHES, Params, months_between
from .startups import Investor, StartupPopulation

if TYPE_CHECKING:
    from .economy import Economy

__all__ = [
    "CityFund",
    "CityFunds",
    "ExportControlRegime",
    "Government",
    "PrivateInvestors",
    "Recipient",
    "Rule",
]

INSTRUMENTS = ("equity", "subsidy", "relocation")
EQUITY, SUBSIDY, RELOCATION = range(3)
DUPLICATION_WINDOW = 12  # months of equity history behind the duplication index


class Recipient(Protocol):
    """Role: anything the government can pay."""

    def receive(self, amount: float) -> None: ...


class ExportControlRegime(mesa.Agent):
    """Sets the stringency of controls each month from the scenario's timeline (C1, C2, C7).

    Attributes ``chips``, ``tools``, ``foundry``, ``licensed``, ``grey`` and ``memory`` hold the
    shares in force this month (see :class:`statecraft.params.ExportEvent`). ``coming`` is the
    next rule that is known (announced) but not yet in force, as a :class:`Rule`, or None;
    ``months_to_coming`` the months until it bites. Importers and the designer read them to buy
    ahead.
    """

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        p = model.p
        g = p.grey_leakage
        rules = [
            Rule(e.date, e.known, e.chips, e.tools, e.foundry, e.licensed, g, e.memory)
            for e in p.export_events
            if e.date < p.policy_date
        ]
        rules.append(
            Rule(
                p.policy_date,
                p.policy_date,
                p.policy_chips,
                p.policy_tools,
                p.policy_foundry,
                p.policy_licensed,
                p.policy_grey_leakage,
                p.policy_memory,
            )
        )
        self.events = rules
        self.chips = self.tools = self.foundry = self.licensed = self.memory = 0.0
        self.grey = g
        self.coming: Rule | None = None
        self.months_to_coming = 0

    def update(self, month: str) -> None:
        """Put in force every event dated ``month`` (``YYYY-MM``) or earlier; note the next
        announced one."""
        self.coming = None
        for rule in self.events:
            if rule.date <= month:
                self.chips, self.tools, self.foundry = rule.chips, rule.tools, rule.foundry
                self.licensed, self.grey, self.memory = rule.licensed, rule.grey, rule.memory
            elif rule.known <= month and self.coming is None:
                self.coming = rule
                self.months_to_coming = months_between(month, rule.date)

    @property
    def open_share(self) -> float:
        """Share of the vendor's unrestricted supply sold this month (flagship plus licensed)."""
        return open_share(self.chips, self.licensed)


class Rule(NamedTuple):
    """One dated step of the regime: when it bites (``date``), when it is known (``known``) and
    its stringencies."""

    date: str
    known: str
    chips: float
    tools: float
    foundry: float
    licensed: float
    grey: float
    memory: float

    @property
    def open_share(self) -> float:
        return open_share(self.chips, self.licensed)


def open_share(chips: float, licensed: float) -> float:
    """Share of the vendor's unrestricted flow sold: the unblocked flagship plus the licensed
    part of the blocked flow."""
    return 1.0 - chips + chips * licensed


class Government(mesa.Agent):
    """The central government: receives the national budget and pays it to its programmes.

    Each month it receives its share of the national AI budget (M1, from
    ``central_budget_start_date``) and the AI-accelerator part of the semiconductor fund (M2),
    plus the startup tranche (M3) while it flows, and pays three programmes, each a list of
    ``(recipient, weight)``: ``chips`` (the domestic foundry and designer), ``cities`` (the
    startup guidance fund, to the city funds by budget weight) and ``compute`` (the public
    compute programme). A new recipient — a provincial government, a state data centre — is
    one more entry in a programme.
    """

    PROGRAMMES = ("chips", "cities", "compute")

    def __init__(
        self, model: mesa.Model, programmes: dict[str, Sequence[tuple[Recipient, float]]]
    ) -> None:
        super().__init__(model)
        unknown = set(programmes) - set(self.PROGRAMMES)
        if unknown:
            raise ValueError(
                f"Government: unknown programme {sorted(unknown)[0]!r}; "
                f"expected one of {', '.join(self.PROGRAMMES)}"
            )
        self.programmes = {name: list(programmes.get(name, ())) for name in self.PROGRAMMES}
        self.received = 0.0  # US$ m, everything that came in
        self.national_paid = 0.0  # of the national AI budget (M1)
        self.tranche_paid = 0.0  # of the startup tranche (M3)
        self.paid = dict.fromkeys(self.PROGRAMMES, 0.0)  # since the start
        self.month_paid = dict.fromkeys(self.PROGRAMMES, 0.0)  # this month

    def disburse(self, month: str) -> None:
        """Receive this month's money and pay it to the programmes' recipients."""
        p = self.model.p
        s = p.scale
        # Fixed monthly instalments until the total is paid (the last one may be smaller).
        national = 0.0
        if month >= p.central_budget_start_date:
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
        if month >= p.startup_tranche_date:
            tranche_total = p.startup_tranche_usd_bn * 1e3 * s
            tranche = min(
                tranche_total / p.startup_tranche_months, tranche_total - self.tranche_paid
            )
            self.tranche_paid += tranche
        self.received += national + semi_fund + tranche
        amounts = {
            "chips": national * p.central_share_semiconductor + semi_fund,
            "cities": national * p.central_share_startups + tranche,
            "compute": national * p.central_share_compute,
        }
        for name, amount in amounts.items():
            recipients = self.programmes[name]
            total = sum(weight for _, weight in recipients)
            if abs(total - 1.0) > 1e-9:  # money would be created or lost
                raise ValueError(
                    f"Government programme {name!r}: recipient weights add up to {total:g}, not 1"
                )
            for recipient, weight in recipients:
                recipient.receive(amount * weight)
            self.paid[name] += amount
            self.month_paid[name] = amount


class CityFund(mesa.Agent):
    """A city's AI investment fund (M4): equity, subsidies and relocation incentives.

    Its money sits in one sub-balance per instrument; every disbursement is capped by that
    balance, so ``inflow == sum(balance) + sum(disbursed)`` holds at every step.
    """

    def __init__(self, model: mesa.Model, index: int) -> None:
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
        self.taste = model.rng.lognormal(0.0, p.fund_taste_sigma, size=len(NICHES))

    def _credit(self, amount: float) -> None:
        self.balance += amount * self.shares

    def receive(self, amount: float) -> None:
        """Central guidance money (paid on by :class:`CityFunds`)."""
        self._credit(amount)
        self.inflow_central += amount

    def collect_budget(self) -> None:
        """Receive this month's own budget (M4, M5)."""
        p = self.model.p
        amount = p.local_budget_usd_bn_per_year * 1e3 * p.scale / 12.0 * self.budget_weight
        self._credit(amount)
        self.inflow_local += amount

    def pay(self, instrument: int, amount: float) -> float:
        """Disburse up to ``amount`` from one instrument's balance; return what was paid."""
        paid = min(amount, self.balance[instrument])
        self.balance[instrument] -= paid
        self.disbursed[instrument] += paid
        return paid


class CityFunds(Investor):
    """The city funds together: they choose niches in view of one another (herding and
    coordination), subsidise, back startups and lure them from other cities.

    Attributes
    ----------
    funds : list of CityFund
    weights : ndarray
        Each fund's share of all city budgets (where new startups are founded).
    niche_w, own_w : ndarray of shape (n_funds, n_niches)
        This month's niche weights, and what each fund would choose alone
        (:func:`statecraft.funding.own_views`).
    equity_month : ndarray of shape (n_funds, n_niches)
        Equity paid this month by fund and niche.
    equity_history : ndarray of shape (12, n_funds, n_niches)
        The last twelve months of ``equity_month``, newest first.
    relocations : int
        Startups lured this month.
    """

    state = True

    def __init__(self, model: mesa.Model, n_funds: int) -> None:
        self.p = model.p
        self.rng = model.rng
        self.funds = [CityFund(model, i) for i in range(n_funds)]
        w = np.array([f.budget_weight for f in self.funds])
        self.weights = w / w.sum()
        self.taste = np.array([f.taste for f in self.funds])
        k = len(NICHES)
        self.niche_w = np.full((n_funds, k), 1.0 / k)
        self.equity_month = np.zeros((n_funds, k))
        self.equity_history = np.zeros((DUPLICATION_WINDOW, n_funds, k))
        self.own_w = np.zeros((n_funds, k))
        self.relocations = 0
        self.central_month = 0.0  # central guidance received this month

    def __iter__(self) -> Iterator[CityFund]:
        return iter(self.funds)

    def __len__(self) -> int:
        return len(self.funds)

    def receive(self, amount: float) -> None:
        """Central guidance money for the cities (the funds are the recipient of the
        government's ``cities`` programme), passed on to each fund by budget weight."""
        self.central_month = amount
        for fund, w in zip(self.funds, self.weights, strict=True):
            fund.receive(amount * w)

    def collect_budgets(self) -> None:
        """Each fund receives its own budget; this month's counters start at zero."""
        self.equity_month = np.zeros_like(self.equity_month)
        self.relocations = 0
        for fund in self.funds:
            fund.collect_budget()

    def choose_niches(self, economy: Economy) -> None:
        """This month's niche weights: each fund's own view of the state-perceived values,
        mixed with imitation of other cities' recent bets and the state's signal (herding),
        and penalised where other cities already fund (coordination)."""
        p = self.p
        recent = self.equity_history.sum(axis=0)
        self.own_w = own_views(economy.state_value, self.taste)
        self.niche_w = niche_weights(
            economy.state_value,
            self.taste,
            recent,
            p.herding,
            p.coordination,
            p.imitation_conformity,
            p.state_signal_weight,
        )

    def money_this_month(self) -> float:
        """Equity money that reached the funds this month, own budgets plus central guidance
        (US$ m): the state's part of the money open to startups."""
        p = self.p
        local = sum(f.budget_weight for f in self.funds) * p.local_budget_usd_bn_per_year / 12
        return (local * 1e3 * p.scale + self.central_month) * p.local_share_equity

    def subsidise(self, startups: StartupPopulation) -> None:
        """Research-cost subsidies, then vouchers, model discounts and data (M7; see
        :func:`statecraft.kernels.city_subsidies`). Vouchers are paid when spent, after the
        market (unspendable vouchers stay with the fund)."""
        p = self.p
        s = startups
        if len(s) == 0:
            return
        voucher, cash, paid = city_subsidies(
            s.city,
            s.niche,
            s.burn,
            s.step - s.birth_step,
            s.research_covered,
            self.niche_w,
            np.array([fund.balance[SUBSIDY] for fund in self.funds]),
            p.research_subsidy_age_months,
            p.research_subsidy_rate,
            p.compute_spend_share,
            p.cash_subsidy_cap,
            p.voucher_match,
            np.array(
                [p.subsidy_split_compute, p.subsidy_split_model_discount, p.subsidy_split_data]
            ),
        )
        for f, fund in enumerate(self.funds):
            fund.pay(SUBSIDY, paid[f])
        s.grant_subsidies(voucher, cash)

    def invest(
        self,
        startups: StartupPopulation,
        candidates: np.ndarray,
        cost: np.ndarray,
        score: np.ndarray,
    ) -> np.ndarray:
        """Each fund backs the best candidates of its own city, niche by niche, with its equity
        balance split by its niche weights."""
        k = len(NICHES)
        n_f = len(self.funds)
        group = startups.city[candidates] * k + startups.niche[candidates]
        equity = np.array([f.balance[EQUITY] for f in self.funds])
        budget = (equity[:, None] * self.niche_w).ravel()
        funded = allocate_by_group(group, cost, score, budget)
        spent = np.bincount(group[funded], weights=cost[funded], minlength=n_f * k).reshape(n_f, k)
        for f, fund in enumerate(self.funds):
            fund.pay(EQUITY, spent[f].sum())
        self.equity_month = spent
        return funded

    def lure(self, startups: StartupPopulation) -> None:
        """Other cities lure startups that just raised a round (M8)."""
        p = self.p
        s = startups
        if len(self.funds) < 2 or len(s) == 0:
            return
        raised = np.flatnonzero(s.round_this_month > 0)
        if len(raised) == 0:
            return
        accepts = self.rng.random(len(raised)) < p.relocation_acceptance
        cand = raised[accepts]
        order = self.rng.permutation(len(self.funds))
        balance = np.array([fund.balance[RELOCATION] for fund in self.funds])
        dest, offer, paid = relocate(
            cand,
            s.city,
            s.niche,
            s.round_this_month,
            self.niche_w,
            balance,
            order,
            p.relocation_incentive_ratio,
        )
        moved = dest >= 0
        if not moved.any():
            return
        s.move(cand[moved], dest[moved], offer[moved])
        for f, fund in enumerate(self.funds):
            if paid[f] > 0:
                s.book_state_money("state_relocation", fund.pay(RELOCATION, paid[f]))
        self.relocations += int(moved.sum())

    def redeem_vouchers(self, startups: StartupPopulation) -> None:
        """Pay for the compute vouchers startups used this month, each from its issuing fund."""
        used = startups.voucher_used
        paid = np.bincount(startups.voucher_city, weights=used, minlength=len(self.funds))
        for f, fund in enumerate(self.funds):
            if fund.pay(SUBSIDY, paid[f]) < paid[f] - 1e-9:  # the voucher pot was reserved
                raise RuntimeError("voucher payment exceeded the subsidy balance")
        startups.vouchers_paid()

    def end_month(self) -> None:
        """This month's equity joins the trailing history (the oldest month drops out)."""
        self.equity_history[1:] = self.equity_history[:-1]
        self.equity_history[0] = self.equity_month


class PrivateInvestors(Investor):
    """Private venture investors: a monthly budget split over niches as markets value them,
    backing the best-scored candidates first (they pick before the city funds)."""

    state = False

    def __init__(self, p: Params, economy: Economy) -> None:
        self.p = p
        self.economy = economy

    def money_this_month(self) -> float:
        """Private venture money this month (US$ m)."""
        p = self.p
        return p.private_vc_usd_bn_per_year * 1e3 * p.scale / 12.0

    def invest(
        self,
        startups: StartupPopulation,
        candidates: np.ndarray,
        cost: np.ndarray,
        score: np.ndarray,
    ) -> np.ndarray:
        budget = (
            self.money_this_month() * self.economy.market_value / self.economy.market_value.sum()
        )
        return allocate_by_group(startups.niche[candidates], cost, score, budget)
