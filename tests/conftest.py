"""Shared helpers for the test suite."""

from __future__ import annotations

import pandas as pd
import pytest
from statecraft.model import StatecraftModel
from statecraft.params import Params


def run_model(seed: int = 0, **overrides) -> StatecraftModel:
    """Run a model to its end and return it."""
    model = StatecraftModel(Params(**overrides), rng=seed)
    while model.running:
        model.step()
    return model


def final(model: StatecraftModel) -> pd.Series:
    return model.datacollector.get_model_vars_dataframe().iloc[-1]


@pytest.fixture
def small() -> dict:
    """Overrides for a fast run: a quarter of the population, horizon to 2027."""
    return {"scale": 0.25, "end_date": "2027-12"}
