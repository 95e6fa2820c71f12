"""Participants, not a blackboard: a new buyer, seller, recipient or investor is one class and
a registration line, and money (and chips) are conserved."""

import re

import mesa
import numpy as np
import pytest
from statecraft.compute import private_preference
from statecraft.market import Buyer, Offer, Purchase, Sale, Seller
from statecraft.model import StatecraftModel
from statecraft.params import Params
from statecraft.startups import Investor


class CloudProvider(mesa.Agent, Buyer):
    """A cloud provider buying compute for resale: a fixed monthly capex budget, spent like any
    private buyer's; it rents out what it holds at a mark-up on what it paid."""

    def __init__(self, model, capex_usd_m_per_month: float, markup: float = 1.3) -> None:
        super().__init__(model)
        self.capex = capex_usd_m_per_month
        self.markup = markup
        self.cash = 0.0  # capex received and not spent
        self.received = self.spent = 0.0
        self.stock = 0.0  # k flagship-equivalents installed
        self.rent_price = 0.0  # US$ m per k flagship-equivalent

    def budget(self) -> float:
        return self.cash + self.capex

    def preference(self, offer: Offer) -> float:
        return private_preference(offer, self.model.p)

    def take(self, purchase: Purchase) -> None:
        self.received += self.capex
        self.cash += self.capex - purchase.spent
        self.spent += purchase.spent
        keep = 1.0 - 1.0 / self.model.p.chip_lifetime_months
        self.stock = self.stock * keep + purchase.effective
        if purchase.effective > 0:
            self.rent_price = self.markup * purchase.spent / purchase.effective


class StockpilingImporter(mesa.Agent, Seller):
    """An importer that buys a fixed quota of grey chips abroad each month and sells from its
    stock at a premium over the flagship list price (elasticity 0: it cannot sell more than
    it holds)."""

    def __init__(self, model, quota_k: float, premium: float = 1.8) -> None:
        super().__init__(model)
        self.quota = quota_k
        self.premium = premium
        self.stock = 0.0
        self.imported = self.sold = self.revenue = 0.0

    def offers(self) -> list[Offer]:
        floor = self.model.p.foreign_price_usd_k * self.premium
        units = self.stock + self.quota
        return [Offer(self, "stockpile", units, floor, 1.0, 0.0, domestic=False)]

    def book(self, sales: list[Sale]) -> None:
        (sale,) = sales
        self.imported += self.quota
        self.stock += self.quota - sale.units
        self.sold += sale.units
        self.revenue += sale.revenue


class ProvincialFund(mesa.Agent, Investor):
    """A provincial guidance fund: receives a share of the central compute money and backs
    the best-scored startups still unfunded, in any niche, while its money lasts."""

    state = True

    def __init__(self, model) -> None:
        super().__init__(model)
        self.balance = self.received = self.invested = 0.0

    def receive(self, amount: float) -> None:
        self.balance += amount
        self.received += amount

    def money_this_month(self) -> float:
        return self.balance

    def invest(self, startups, candidates, cost, score) -> np.ndarray:
        funded = np.zeros(len(candidates), dtype=bool)
        for i in np.argsort(-score, kind="stable"):
            if cost[i] <= self.balance:
                funded[i] = True
                self.balance -= cost[i]
                self.invested += cost[i]
        return funded


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
    # The cloud provider bought compute, and never paid more than it had.
    assert cloud.stock > 0 and cloud.spent > 0 and cloud.rent_price > 0
    assert cloud.cash >= -1e-9
    assert cloud.received == pytest.approx(cloud.cash + cloud.spent, rel=1e-12)
    # Its stock counts in the country's installed compute.
    row = model.datacollector.get_model_vars_dataframe().iloc[-1]
    held = sum(buyer.stock for buyer in model.buyers if buyer is not cloud)
    assert row["effective_compute"] == pytest.approx(held + cloud.stock, rel=1e-12)
    # Every dollar sellers booked came from a buyer's purchase (checked month by month below).
    assert sum(revenue.values()) > cloud.spent


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
    assert len(model.market.offers) == 5  # flagship, licensed, grey, importers' resale, domestic
    assert cloud.stock > 0


def test_a_new_buyer_competes_with_the_startups_for_chips():
    """With a large cloud provider in the market, startups hold less compute (by 2027, when the
    market is short; before 2024 domestic chips are left unsold and the effect is lost in
    general-equilibrium noise)."""
    base = StatecraftModel(Params(scale=0.1, end_date="2027-12"), rng=2)
    with_cloud = StatecraftModel(Params(scale=0.1, end_date="2027-12"), rng=2)
    with_cloud.buyers.append(CloudProvider(with_cloud, capex_usd_m_per_month=400.0))
    held = []
    for m in (base, with_cloud):
        while m.running:
            m.step()
        held.append(m.datacollector.get_model_vars_dataframe()["startup_compute"].to_numpy())
    assert held[1].sum() < held[0].sum()


def test_an_inert_new_seller_leaves_every_number_unchanged():
    """A seller offering nothing is a participant that is switched off: bit-identical tables."""
    runs = []
    for inert in (False, True):
        model = StatecraftModel(Params(scale=0.1, end_date="2023-12"), rng=3)
        if inert:
            model.sellers.append(StockpilingImporter(model, quota_k=0.0))
        while model.running:
            model.step()
        runs.append(model.datacollector.get_model_vars_dataframe())
    assert runs[0].equals(runs[1])


def test_a_stockpiling_importer_is_one_class_and_one_line_and_conserves_units():
    model = StatecraftModel(Params(scale=0.1, policy_date="2026-01", policy_chips=1.0), rng=4)
    importer = StockpilingImporter(model, quota_k=0.5)
    model.sellers.append(importer)  # the one registration line
    revenue = _record_sales(model)
    while model.running:
        model.step()
    assert importer.sold > 0 and importer.stock >= -1e-9
    assert importer.imported == pytest.approx(importer.sold + importer.stock, rel=1e-12)
    assert revenue["stockpile"] == pytest.approx(importer.revenue, rel=1e-12)
    assert len(model.market.units_history[0]) == 6  # its own channel in the market's history


def test_a_provincial_fund_is_a_recipient_and_an_investor_and_money_is_conserved():
    model = StatecraftModel(Params(scale=0.1, end_date="2025-12"), rng=5)
    province = ProvincialFund(model)
    # Two registration lines: a share of the compute programme, a place among the investors.
    model.government.programmes["compute"] = [(model.public_compute, 0.7), (province, 0.3)]
    model.investors.append(province)
    equity_before = []
    while model.running:
        model.step()
        equity_before.append(model.startups.cum["state_equity"])
    g = model.government
    assert g.received == pytest.approx(sum(g.paid.values()), rel=1e-12)
    public = model.public_compute
    assert g.paid["compute"] == pytest.approx(public.received + province.received, rel=1e-12)
    assert province.received == pytest.approx(province.balance + province.invested, rel=1e-12)
    assert province.invested > 0
    # What it invested reached startups as state equity, on top of the city funds' equity.
    cities = sum(f.disbursed[0] for f in model.city_funds)
    assert model.startups.cum["state_equity"] == pytest.approx(cities + province.invested)


def test_recipient_weights_that_would_create_money_are_refused():
    model = StatecraftModel(Params(scale=0.05, end_date="2020-06"), rng=0)
    model.government.programmes["compute"].append((ProvincialFund(model), 0.2))
    with pytest.raises(
        ValueError, match=re.escape("'compute': recipient weights add up to 1.2, not 1")
    ):
        model.step()
    with pytest.raises(ValueError, match="unknown programme 'provinces'"):
        type(model.government)(model, {"provinces": []})
