"""Participants, not a blackboard: a new buyer is one class and one registration line, and the
market clears it with the others with money conserved."""

import mesa
import pytest
from statecraft.compute import private_preference
from statecraft.market import Buyer, Offer, Purchase, Sale
from statecraft.model import StatecraftModel
from statecraft.params import Params


class CloudProvider(mesa.Agent, Buyer):
    """A cloud provider buying compute for resale: a fixed monthly capex budget, spent like any
    private buyer's; it rents out what it holds at a mark-up on what it paid."""

    def __init__(self, model, capex_usd_m_per_month: float, markup: float = 1.3) -> None:
        super().__init__(model)
        self.capex = capex_usd_m_per_month
        self.markup = markup
        self.cash = 0.0  # capex received, not spent
        self.spent = 0.0
        self.received = 0.0
        self.stock = 0.0  # k flagship-equivalents installed
        self.rent_price = 0.0  # US$ m per k flagship-equivalent

    def budget(self) -> float:
        self.cash += self.capex
        self.received += self.capex
        return self.cash

    def preference(self, offer: Offer) -> float:
        return private_preference(offer, self.model.p)

    def take(self, purchase: Purchase) -> None:
        self.cash -= purchase.spent
        self.spent += purchase.spent
        keep = 1.0 - 1.0 / self.model.p.chip_lifetime_months
        self.stock = self.stock * keep + purchase.effective
        if purchase.effective > 0:
            self.rent_price = self.markup * purchase.spent / purchase.effective


def _record_sales(model: StatecraftModel) -> dict[str, float]:
    """Count each offer's booked revenue by wrapping its seller's ``book``."""
    revenue: dict[str, float] = {}
    for seller in model.sellers:
        book = seller.book

        def counted(sales: list[Sale], book=book) -> None:
            for sale in sales:
                revenue[sale.offer.name] = revenue.get(sale.offer.name, 0.0) + sale.revenue
            book(sales)

        seller.book = counted
    return revenue


def test_a_cloud_provider_is_one_class_and_one_line_and_money_is_conserved():
    model = StatecraftModel(Params(scale=0.1, end_date="2024-12"), rng=0)
    cloud = CloudProvider(model, capex_usd_m_per_month=40.0)
    model.buyers.append(cloud)  # the one registration line
    revenue = _record_sales(model)
    while model.running:
        model.step()
    spent_by_buyers = cloud.spent + model.public_compute.spent
    # The cloud provider bought compute, and what it paid never exceeded what it had.
    assert cloud.stock > 0 and cloud.spent > 0
    assert cloud.cash >= -1e-9
    assert cloud.received == pytest.approx(cloud.cash + cloud.spent, rel=1e-12)
    assert cloud.rent_price > 0
    # Every dollar buyers paid reached a seller: sales revenue equals buyers' spending.
    total_revenue = sum(revenue.values())
    assert total_revenue >= spent_by_buyers  # startups and platforms paid too
    assert model.vendor.revenue_total + model.designer.revenue_total <= total_revenue + 1e-6


def test_market_money_balances_every_month_with_a_new_buyer():
    """Each month, what buyers spent equals what sellers booked, to rounding, with the cloud
    provider in the market; and the state's compute money is conserved."""
    model = StatecraftModel(Params(scale=0.1, end_date="2023-12"), rng=1)
    cloud = CloudProvider(model, capex_usd_m_per_month=25.0)
    model.buyers.append(cloud)
    spent_month: list[float] = []
    for buyer in model.buyers:
        take = buyer.take

        def counted(purchase: Purchase, take=take) -> None:
            spent_month.append(purchase.spent)
            take(purchase)

        buyer.take = counted
    revenue = _record_sales(model)
    booked_before = 0.0
    while model.running:
        spent_month.clear()
        model.step()
        booked = sum(revenue.values())
        assert sum(spent_month) == pytest.approx(booked - booked_before, rel=1e-9, abs=1e-9)
        booked_before = booked
        public = model.public_compute
        assert public.received == pytest.approx(public.balance + public.spent)
    assert len(model.market.offers) == 4
    assert cloud.stock > 0


def test_without_the_new_buyer_nothing_changes_and_with_it_others_get_less():
    """Registering the buyer is the only change: a run without it is the shipped model; with
    it, private buyers compete for the same chips, so startups hold no more compute."""
    base = StatecraftModel(Params(scale=0.1, end_date="2023-12"), rng=2)
    with_cloud = StatecraftModel(Params(scale=0.1, end_date="2023-12"), rng=2)
    with_cloud.buyers.append(CloudProvider(with_cloud, capex_usd_m_per_month=400.0))
    held = []
    for m in (base, with_cloud):
        while m.running:
            m.step()
        held.append(m.datacollector.get_model_vars_dataframe()["startup_compute"].to_numpy())
    assert held[1].sum() < held[0].sum()
