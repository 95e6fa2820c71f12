import math

import pytest
from pydantic import ValidationError
from statecraft.params import PARAMETERS, SHARE_GROUPS, Params, parameter_table_markdown


def test_defaults_build_and_are_within_bounds():
    p = Params()
    for decl in PARAMETERS:
        value = getattr(p, decl.name)
        if decl.bounds is not None:
            lo, hi = decl.bounds
            assert lo <= value <= hi, decl.name


def test_every_parameter_is_documented_with_provenance():
    for decl in PARAMETERS:
        assert decl.unit and decl.description, decl.name
        assert decl.source.startswith(("assumption", "FACTS")), decl.name
        if decl.source.startswith("FACTS"):
            # A fact row must name the article file it comes from.
            assert "(0" in decl.source, decl.name


NUMERIC = [d for d in PARAMETERS if d.bounds is not None]


@pytest.mark.parametrize("decl", NUMERIC, ids=[d.name for d in NUMERIC])
def test_values_just_outside_bounds_are_refused(decl):
    lo, hi = decl.bounds
    step = 1 if decl.kind == "int" else max(abs(hi - lo) * 1e-6, 1e-9)
    for bad in (lo - step, hi + step):
        value = int(bad) if decl.kind == "int" else float(bad)
        with pytest.raises(ValidationError, match=decl.name):
            Params(**{decl.name: value})


def test_wrong_types_are_refused():
    with pytest.raises(ValidationError, match="n_city_funds"):
        Params(n_city_funds=3.5)
    with pytest.raises(ValidationError, match="herding"):
        Params(herding="high")
    with pytest.raises(ValidationError, match="herding"):
        Params(herding=True)
    with pytest.raises(ValidationError, match="herding"):
        Params(herding=math.nan)


def test_integers_are_accepted_for_floats():
    assert Params(scale=2).scale == 2.0


@pytest.mark.parametrize("group", SHARE_GROUPS)
def test_shares_must_add_up_to_one(group):
    with pytest.raises(ValidationError, match="must add up to 1"):
        Params(**{group[0]: 0.0})


def test_unknown_parameter_is_refused():
    with pytest.raises(ValidationError, match="extra"):
        Params(hearding=0.5)


def test_dates_and_niches_are_validated():
    with pytest.raises(ValidationError, match="policy_date"):
        Params(policy_date="2026-13")
    with pytest.raises(ValidationError, match="devalued_niches"):
        Params(devalued_niches=["robots"])
    with pytest.raises(ValidationError, match="end_date"):
        Params(start_date="2025-01", end_date="2024-12")


def test_parameter_table_lists_every_parameter():
    table = parameter_table_markdown()
    for decl in PARAMETERS:
        assert f"`{decl.name}`" in table


def test_reinvestment_shares_cannot_exceed_revenue():
    with pytest.raises(ValidationError, match="designer_rd_share \\+ foundry_reinvest_share"):
        Params(designer_rd_share=0.7, foundry_reinvest_share=0.5)


def test_assumed_values_are_flagged_as_assumptions():
    from statecraft.params import param

    assert param("herding").is_assumption  # FACTS S5 gives the mechanism, not the strength
    assert param("entry_rate").is_assumption
    assert not param("central_ai_budget_usd_bn").is_assumption  # FACTS M1: US$56 bn
    assert not param("research_subsidy_rate").is_assumption  # FACTS M7: 10-15 %


def test_niche_values_must_leave_some_niche_worth_something():
    zero = {f"niche_value_{n}": 0.0 for n in ("llm", "multimodal", "assistants", "speech")}
    with pytest.raises(ValidationError, match="must not all be 0"):
        Params(**zero, niche_value_science=0.0, niche_value_vision=0.0)
    everything = ["llm", "multimodal", "assistants", "speech", "science", "vision"]
    with pytest.raises(ValidationError, match="after the paradigm shift"):
        Params(devalued_niches=everything, paradigm_devaluation=1.0)
