"""Every shipped scenario loads and runs; bad files give one-line errors naming file and key."""

from pathlib import Path

import pytest
from statecraft.run import simulate
from statecraft.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def test_the_required_scenarios_ship():
    names = {p.stem for p in SCENARIOS}
    assert {"baseline", "export_cutoff", "h20_licence", "uncoordinated", "coordinated"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_loads_and_runs(path):
    scenario = load_scenario(path)
    assert scenario.description
    result = simulate(scenario.params, seed=0, scenario=scenario.name)
    ts = result.timeseries
    assert ts["date"].iloc[0].strftime("%Y-%m") == scenario.params.start_date
    assert len(ts) == len(result.niches) // 6
    assert ts.notna().all().all()


BAD = [
    ("[parameters]\nhearding = 0.5\n", "unknown parameter 'hearding'"),
    ("[parameters]\nherding = 'high'\n", "parameter 'herding' must be a number in \\[0, 1\\]"),
    (
        "[parameters]\nherding = 1.5\n",
        "parameter 'herding' must be a number in \\[0, 1\\]; got 1.5",
    ),
    ("[parameters]\nn_city_funds = 2.5\n", "parameter 'n_city_funds' must be an integer"),
    ("[parameters]\nlocal_share_equity = 0.9\n", "local_share_equity.*must add up to 1"),
    ("[parameters\nherding = 1\n", "malformed TOML"),
    (
        "herding = 0.5\n",
        "unknown top-level key 'herding' \\(parameters go under \\[parameters\\]\\)",
    ),
    ("[parameters]\npolicy_date = '2026'\n", "parameter 'policy_date' must be a month"),
    (
        "[parameters]\nexport_events = "
        "[{date = '2020-01', chips = 2.0, tools = 0.0, foundry = 0.0}]\n",
        "export_events.0.chips",
    ),
    (
        "[parameters]\nexport_events = "
        "[{date = '2020-01', chips = 0.5, tool = 0.0, foundry = 0.0}]\n",
        "unknown key 'export_events.0.tool'",
    ),
    ("seed = -1\n", "key 'seed' must be an integer in \\[0, 2\\^63\\)"),
    ("seed = 9223372036854775808\n", r"seed: an integer of 19 digits is outside TOML's 64-bit"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_scenarios_are_refused_with_file_and_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")
