import math
import re
from pathlib import Path

import pytest
from statecraft.errors import ParameterError
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
        assert decl.source.startswith(("assumption", "FACTS", "published", "calibrated")), decl.name
        if decl.source.startswith(("published", "calibrated")):
            # A published figure or a fit to published figures is cited in docs/DATA.md.
            assert "docs/DATA.md" in decl.source, decl.name
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
        with pytest.raises(ParameterError, match=decl.name):
            Params(**{decl.name: value})


def test_wrong_types_are_refused():
    with pytest.raises(ParameterError, match="n_city_funds"):
        Params(n_city_funds=3.5)
    with pytest.raises(ParameterError, match="herding"):
        Params(herding="high")
    with pytest.raises(ParameterError, match="herding"):
        Params(herding=True)
    with pytest.raises(ParameterError, match="herding"):
        Params(herding=math.nan)


def test_integers_are_accepted_for_floats():
    assert Params(scale=2).scale == 2.0


@pytest.mark.parametrize("group", SHARE_GROUPS)
def test_shares_must_add_up_to_one(group):
    with pytest.raises(ParameterError, match="must add up to 1"):
        Params(**{group[0]: 0.0})


def test_unknown_parameter_is_refused():
    with pytest.raises(ParameterError, match="unknown parameter"):
        Params(hearding=0.5)


def test_dates_and_niches_are_validated():
    with pytest.raises(ParameterError, match="policy_date"):
        Params(policy_date="2026-13")
    with pytest.raises(ParameterError, match="devalued_niches"):
        Params(devalued_niches=["robots"])
    with pytest.raises(ParameterError, match="end_date"):
        Params(start_date="2025-01", end_date="2024-12")


def test_parameter_table_lists_every_parameter():
    table = parameter_table_markdown()
    for decl in PARAMETERS:
        assert f"`{decl.name}`" in table


def test_reinvestment_shares_cannot_exceed_revenue():
    with pytest.raises(ParameterError, match="designer_rd_share \\+ foundry_reinvest_share"):
        Params(designer_rd_share=0.7, foundry_reinvest_share=0.5)


def test_assumed_values_are_flagged_as_assumptions():
    from statecraft.params import param

    assert param("herding").is_assumption  # FACTS S5 gives the mechanism, not the strength
    assert param("entry_rate").is_assumption
    assert not param("central_ai_budget_usd_bn").is_assumption  # FACTS M1: US$56 bn
    assert not param("research_subsidy_rate").is_assumption  # FACTS M7: 10-15 %


def test_niche_values_must_leave_some_niche_worth_something():
    zero = {f"niche_value_{n}": 0.0 for n in ("llm", "multimodal", "assistants", "speech")}
    with pytest.raises(ParameterError, match="must not all be 0"):
        Params(**zero, niche_value_science=0.0, niche_value_vision=0.0)
    everything = ["llm", "multimodal", "assistants", "speech", "science", "vision"]
    with pytest.raises(ParameterError, match="after the paradigm shift"):
        Params(devalued_niches=everything, paradigm_devaluation=1.0)


# --- provenance ---------------------------------------------------------------------------------
FACT_TABLE = Path(__file__).resolve().parents[1] / "docs" / "FACTS.md"
_CITED = re.compile(r"\b([MSC]\d{1,2}) \((\d{3}(?:, \d{3})*)\)")


def _fact_rows() -> dict[str, set[str]]:
    rows = {}
    for line in FACT_TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[MSC]\d{1,2}", cells[0]):
            rows[cells[0]] = set(re.findall(r"\d{3}", cells[2]))
    return rows


def test_fact_table_has_every_row_once() -> None:
    rows = _fact_rows()
    assert len(rows) >= 35
    assert {"M1", "M7", "S1", "S2", "S9", "S12", "C6", "C7"} <= set(rows)


@pytest.mark.parametrize("decl", PARAMETERS, ids=lambda d: d.name)
def test_provenance_names_facts_the_table_has(decl) -> None:
    rows = _fact_rows()
    ids = re.findall(r"\b([MSC]\d{1,2})\b", decl.source)
    if not decl.is_assumption and not decl.source.startswith("published"):
        assert _CITED.search(decl.source), f"{decl.name}: must cite a fact row: {decl.source!r}"
    for row in ids:
        assert row in rows, f"{decl.name} cites {row}, which docs/FACTS.md does not have"
    # An article cited beside rows must hold one of them; cited alone, it must exist.
    articles = set().union(*(rows[r] for r in ids)) if ids else {"000", "001", "002", "003", "004"}
    for group in re.findall(r"\((\d{3}(?:, \d{3})*)\)", decl.source):
        for art in re.findall(r"\d{3}", group):
            assert art in articles, f"{decl.name} cites article {art}; its rows are in {articles}"
