"""Buyers of compute other than the startups: the large platforms and the public programme.

Each is a :class:`statecraft.market.Buyer` that keeps its own stock of installed accelerators
(k flagship-equivalents, retired over ``chip_lifetime_months``). A new buyer — a cloud provider
buying compute for resale, a state data centre under a procurement mandate — is one more class
like these and one entry in the model's list of buyers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from .market import Buyer, Offer, Purchase, switching_friction

if TYPE_CHECKING:
    from .params import Params

__all__ = ["Platforms", "PublicCompute", "StateDataCentres", "private_preference"]


def private_preference(offer: Offer, p: Params) -> float:
    """A private buyer's weight on ``offer``: 1, less the cost of switching to a chip whose
    software ecosystem is immature (C5), which falls as it matures (C9)."""
    return 1.0 - switching_friction(offer.ecosystem, p.switching_friction)


class Platforms(mesa.Agent, Buyer):
    """The large platforms (cloud and internet firms): a compute budget that grows each year,
    spent like any private buyer's (switching friction against domestic chips, C5)."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.stock = 0.0  # k flagship-equivalents installed

    def budget(self) -> float:
        p = self.model.p
        years = self.model.steps / 12.0
        return (
            p.bigtech_compute_usd_bn_per_year
            * 1e3
            * p.scale
            / 12.0
            * (1 + p.bigtech_growth) ** years
        )

    def preference(self, offer: Offer) -> float:
        return private_preference(offer, self.model.p)

    def take(self, purchase: Purchase) -> None:
        keep = 1.0 - 1.0 / self.model.p.chip_lifetime_months
        self.stock = self.stock * keep + purchase.effective


class PublicCompute(mesa.Agent, Buyer):
    """The public compute programme: receives the government's compute money and buys domestic
    chips only (C10). Its unspent money stays in its balance for later months."""

    private = False

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.received = 0.0  # US$ m since the start
        self.balance = 0.0  # money not yet spent
        self.spent = 0.0
        self.stock = 0.0  # k flagship-equivalents installed

    def receive(self, amount: float) -> None:
        """Compute money from the government (a recipient)."""
        self.received += amount
        self.balance += amount

    def budget(self) -> float:
        return self.balance

    def preference(self, offer: Offer) -> float:
        return 1.0 if offer.domestic else 0.0

    def take(self, purchase: Purchase) -> None:
        if purchase.spent > self.balance + 1e-9 * max(1.0, self.balance):
            raise RuntimeError("the public compute programme spent more than its balance")
        amount = min(purchase.spent, self.balance)
        self.balance -= amount
        self.spent += amount
        keep = 1.0 - 1.0 / self.model.p.chip_lifetime_months
        self.stock = self.stock * keep + purchase.effective


class StateDataCentres(mesa.Agent, Buyer):
    """State-owned data centres (the state telecom operators' and state cloud's compute): their
    own capital budget, growing each year, spent like a private buyer's until the procurement
    mandate (``procurement_mandate`` from ``procurement_mandate_date``) takes that share of
    weight off foreign chips. A state buyer: not in the private statistics.
    """

    private = False

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.stock = 0.0  # k flagship-equivalents installed
        self.spent = 0.0  # US$ m since the start

    def budget(self) -> float:
        p = self.model.p
        years = self.model.steps / 12.0
        return (
            p.state_datacentre_usd_bn_per_year
            * 1e3
            * p.scale
            / 12.0
            * (1 + p.state_datacentre_growth) ** years
        )

    @property
    def mandate(self) -> float:
        """Weight taken off foreign chips this month."""
        p = self.model.p
        return p.procurement_mandate if self.model.month >= p.procurement_mandate_date else 0.0

    def preference(self, offer: Offer) -> float:
        weight = private_preference(offer, self.model.p)
        return weight if offer.domestic else weight * (1.0 - self.mandate)

    def take(self, purchase: Purchase) -> None:
        self.spent += purchase.spent
        keep = 1.0 - 1.0 / self.model.p.chip_lifetime_months
        self.stock = self.stock * keep + purchase.effective
