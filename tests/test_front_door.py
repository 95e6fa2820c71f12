"""The Python front door: `import statecraft`, its documented examples, one-line errors."""

from __future__ import annotations

import doctest
import importlib

import pytest
import statecraft
from statecraft import ParameterError, Params, ScenarioError, StatecraftError

DOCUMENTED = [
    "statecraft",
    "statecraft.files",
    "statecraft.params",
    "statecraft.scenario",
    "statecraft.experiment",
    "statecraft.run",
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    res = doctest.testmod(
        module,
        extraglobs={"statecraft": statecraft},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert res.failed == 0


def test_front_door_examples_exist() -> None:
    res = doctest.testmod(statecraft, extraglobs={"statecraft": statecraft})
    assert res.attempted >= 5


def test_front_door_lists_what_a_user_needs() -> None:
    for name in ("run_scenario", "load_scenario", "Params", "run_sweep", "load_sweep"):
        assert name in dir(statecraft)
        assert getattr(statecraft, name).__doc__


def test_run_scenario_accepts_name_path_scenario_and_params(tmp_path) -> None:
    short = {"scale": 0.05, "end_date": "2020-04"}
    by_name = statecraft.run_scenario("baseline", seed=2, **short)
    scen = statecraft.load_scenario("baseline")
    by_path = statecraft.run_scenario(scen.path, seed=2, **short)
    by_obj = statecraft.run_scenario(scen, seed=2, **short)
    by_params = statecraft.run_scenario(scen.params.replace(**short), seed=2)
    for other in (by_path, by_obj):
        assert other.timeseries.equals(by_name.timeseries)
    cols = [c for c in by_name.timeseries if c not in ("run_id", "scenario")]
    assert by_params.timeseries[cols].equals(by_name.timeseries[cols])
    assert by_params.run["scenario"].item() == "custom"


def test_simulate_takes_a_mapping_of_overrides() -> None:
    r = statecraft.simulate({"herding": 0.5, "scale": 0.05, "end_date": "2020-03"}, seed=1)
    assert r.params.herding == 0.5 and len(r.timeseries) == 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: Params(herdng=0.5),
            r"^Params: unknown parameter 'herdng' \(did you mean 'herding'",
        ),
        (lambda: Params().replace(herding=5.0), r"^Params: parameter 'herding' must be a number"),
        (
            lambda: statecraft.run_scenario("baseline", herding=-1),
            r"^baseline: parameter 'herding' must be a number in \[0, 1\]; got -1",
        ),
        (lambda: statecraft.simulate({"scale": "big"}, seed=1), r"parameter 'scale'"),
        (lambda: statecraft.load_scenario("baselin"), r"did you mean 'baseline'"),
        (lambda: statecraft.run_scenario("baseline", seed=-1), r"seed must be an integer"),
    ],
)
def test_errors_in_python_are_one_line(call, match) -> None:
    with pytest.raises(StatecraftError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_replace_validates_cross_field_rules_unlike_model_copy() -> None:
    with pytest.raises(ParameterError, match="must add up to 1"):
        Params().replace(central_share_semiconductor=0.9)
    assert isinstance(ParameterError("x"), ScenarioError)


def test_overrides_round_trip() -> None:
    p = Params().replace(herding=0.9, n_city_funds=3)
    assert p.overrides() == {"herding": 0.9, "n_city_funds": 3}
    assert Params(**p.overrides()) == p


def test_shipped_lists() -> None:
    assert {"baseline", "export_cutoff"} <= set(statecraft.shipped_scenarios())
    assert {"duplication", "chip_supply"} <= set(statecraft.shipped_experiments())
