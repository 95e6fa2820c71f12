"""Every input is honoured or refused: hostile and careless inputs end in one line naming the
file, the key and what to do - never a traceback, never a silent reinterpretation."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest
from statecraft import Params, cli
from statecraft.checks import estimate_run
from statecraft.errors import ParameterError, ScenarioError, printable
from statecraft.experiment import load_experiment
from statecraft.scenario import load_scenario

from tests.conftest import write_experiment
from tests.processes import free_port


def _ev(date: str) -> dict:
    return {"date": date, "chips": 0.5, "tools": 0.1, "foundry": 0.1}


def _refused(capsys, argv: list[str]) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("statecraft: error: ") and err.count("\n") == 1, err
    return err


# --- cross-field rules --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        (
            {"policy_date": "2023-01", "export_events": [_ev("2022-10"), _ev("2024-01")]},
            r"event dated 2024-01 is not before policy_date 2023-01.*ignored",
        ),
        (
            {"export_events": [_ev("2022-10"), _ev("2022-10")]},
            r"two events dated 2022-10; give one event per date",
        ),
        ({"export_events": []}, r"export_events is empty"),
        (
            {"end_date": "2022-12", "policy_date": "2024-06", "export_events": [_ev("2022-10")]},
            r"policy_date 2024-06 is after end_date 2022-12: the policy_\* regime would never",
        ),
        ({"startup_tranche_date": "2019-06"}, r"startup_tranche_date 2019-06 is before start"),
        (
            {"end_date": "2022-12", "startup_tranche_date": "2024-06"},
            r"tranche would never be paid",
        ),
        (
            {"end_date": "2021-12", "paradigm_shift_date": "2023-01"},
            r"shift would never happen",
        ),
        ({"initial_adoption": 0.0}, r"initial_adoption must be above 0"),
        (
            {"paradigm_shift_date": "1950-01"},
            r"paradigm_shift_date 1950-01 is before start_date 2020-01: a changed date must",
        ),
        ({"entry_rate": 10**400}, r"'entry_rate' must be a number in \[0, 100000\]"),
        (
            {"local_share_equity": 0.59},
            r"must add up to 1 \(within 1e-06\); 0\.59 \+ 0\.3 \+ 0\.1 = 0\.99$",
        ),
    ],
)
def test_combinations_the_model_would_reinterpret_are_refused(overrides, match) -> None:
    with pytest.raises(ParameterError, match=match):
        Params(**overrides)


def test_a_shorter_horizon_may_cut_off_default_dates() -> None:
    # A quick run of the baseline to 2021 leaves the default policy date (2026) unreached:
    # that is a truncation the user chose, not a policy they dated after the end.
    p = Params(end_date="2021-06")
    assert p.policy_date > p.end_date


def test_the_refusal_names_the_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "late.toml"
    path.write_text('[parameters]\npolicy_date = "2023-01"\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"late\.toml: \[parameters\]: export_events: the event"
    ):
        load_scenario(path)


# --- syntax, types and keys ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "match"),
    [
        (f"[parameters]\nherding = {'[' * 5000}{']' * 5000}\n", r"nested too deeply"),
        ("[parameters]\ninitial_startups = 9223372036854775807\n", r"\[10, 1e\+06\]"),
        (
            "[parameters]\ninitial_startups = 99999999999999999999999999999\n",
            r"parameters\.initial_startups: an integer of 29 digits is outside TOML's 64-bit",
        ),
        (
            f"[parameters]\nentry_rate = 1{'0' * 400}\n",
            r"parameters\.entry_rate: an integer of 401 digits is outside TOML's 64-bit range",
        ),
        (
            f"[parameters]\nentry_rate = 1{'0' * 5000}\n",
            r"s\.toml: malformed TOML: an integer with more than 4,300 digits$",
        ),
        ('[parameters]\nparadigm_shift_date = "1950-01"\n', r"1950-01 is before start_date"),
        (
            "[parameters]\nherdng = 0.5\n",
            r"unknown parameter 'herdng' \(did you mean 'herding'\?\)",
        ),
        ("descripton = 'x'\n", r"did you mean 'description'"),
        ('[parameters]\n"herd\\nstatecraft: error: forged\\u001b[2J" = 1\n', r"herd\\nstate"),
    ],
)
def test_hostile_scenario_files_get_one_line(tmp_path: Path, capsys, text, match) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    err = _refused(capsys, ["run", str(path), "--out", str(tmp_path / "o")])
    assert re.search(match, err), err
    assert "\x1b" not in err


@pytest.mark.parametrize(
    "factor", [f"entry_rate = [0, 1{'0' * 400}]", f"entry_rate = {{ min = 0, max = 1{'0' * 400} }}"]
)
def test_a_huge_integer_in_an_experiment_gets_one_line(tmp_path: Path, capsys, factor) -> None:
    path = write_experiment(tmp_path / "e.toml", factor, seed=1, horizon="2020-03")
    err = _refused(capsys, ["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "1"])
    assert "factors.entry_rate" in err and "outside TOML's 64-bit range" in err


def test_more_workers_than_a_few_per_cpu_are_refused(tmp_path: Path, capsys) -> None:
    path = write_experiment(tmp_path / "e.toml", "herding = [0.0, 1.0]", seed=1)
    argv = ["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "100000"]
    assert "--workers must be at most" in _refused(capsys, argv)
    assert not (tmp_path / "o").exists()
    argv = ["calibrate", "--workers", "100000", "--out", str(tmp_path / "c")]
    assert "--workers must be at most" in _refused(capsys, argv)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[parameters]\nherding = 0.25\n")
    assert load_scenario(path).params.herding == 0.25


def test_printable_escapes_control_characters() -> None:
    assert printable("a\nb\x1b[2J\tc") == "a\\nb\\x1b[2J\\tc"
    assert str(ScenarioError("key 'x\ny'")) == "key 'x\\ny'"


# --- size and cost ------------------------------------------------------------------------------
def _experiment(tmp_path: Path, factors: str = "herding = [0.0, 1.0]", **spec) -> Path:
    return write_experiment(tmp_path / "e.toml", factors, seed=1, horizon="2020-03", **spec)


def test_a_huge_design_is_refused_before_it_is_generated(tmp_path: Path) -> None:
    factors = "\n".join(
        f"{n} = {{ min = 0.0, max = 1.0, levels = 10 }}"
        for n in (
            *("herding", "coordination", "policy_chips", "policy_tools", "policy_foundry"),
            *("policy_licensed", "policy_grey_leakage", "grey_leakage"),
        )
    )
    path = _experiment(tmp_path, factors)
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError, match=r"100,000,000 runs.*--max-runs N"):
            load_experiment(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # nothing allocated: the design would take gigabytes (numpy reports to tracemalloc)
    assert peak < 20e6, f"{peak / 1e6:.0f} MB allocated"


def test_the_run_limit_is_raised_with_a_flag(tmp_path: Path, capsys) -> None:
    path = _experiment(tmp_path, replicates=3)  # 6 runs
    args = ["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]
    assert "6 runs, more than the limit of 5" in _refused(capsys, [*args, "--max-runs", "5"])
    assert load_experiment(path, max_runs=6).size == 6
    with pytest.raises(ScenarioError, match="replicates: must be an integer in"):
        load_experiment(_experiment(tmp_path, replicates=1000000000))


def test_a_run_too_big_for_memory_is_refused_before_running(tmp_path: Path, capsys) -> None:
    path = tmp_path / "big.toml"
    path.write_text("[parameters]\nscale = 100.0\ninitial_startups = 1000000\n", encoding="utf-8")
    err = _refused(capsys, ["run", str(path), "--out", str(tmp_path / "o")])
    assert "big.toml: this run would need about" in err and "--max-memory GB" in err
    est = estimate_run(Params(scale=100.0, initial_startups=1_000_000))
    assert est["startups"] > 1e8


# --- the Dask scheduler -------------------------------------------------------------------------
def test_a_malformed_scheduler_address_is_refused_at_once(tmp_path: Path, capsys) -> None:
    path = _experiment(tmp_path)
    argv = ["sweep", str(path), "--out", str(tmp_path / "o"), "--scheduler", "not a url"]
    assert "is not a scheduler address" in _refused(capsys, argv)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_an_unreachable_scheduler_is_refused_with_its_address(tmp_path: Path, capsys) -> None:
    port = free_port()  # nobody listens there
    path = _experiment(tmp_path)
    argv = ["sweep", str(path), "--out", str(tmp_path / "o"), "--scheduler"]
    err = _refused(capsys, [*argv, f"tcp://127.0.0.1:{port}"])
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err


# --- one output-folder rule for every command that writes ---------------------------------------
def _unsafe(tmp_path: Path, where: str) -> Path:
    """An output path no command may write to: the root, someone else's folder, a symlink."""
    if where == "root":
        return Path("/")
    if where == "foreign":
        target = tmp_path / "theirs"
        target.mkdir()
        (target / "thesis.tex").write_text("years of work", encoding="utf-8")
        (target / "report.md").write_text("their notes", encoding="utf-8")
        return target
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    return tmp_path / "link"


@pytest.mark.parametrize("where", ["root", "foreign", "symlink"])
def test_every_command_that_writes_a_folder_refuses_an_unsafe_one_first(
    tmp_path: Path, capsys, where: str
) -> None:
    """`report`, `compare` and `calibrate` apply the rule of `run` and `sweep`, before any work
    (the sources named here do not even exist: the folder is refused first)."""
    target = _unsafe(tmp_path, where)
    nowhere = str(tmp_path / "nowhere")
    for argv, flag in (
        (["report", nowhere, "--out", str(target)], "--out"),
        (["compare", nowhere, nowhere, "--out", str(target)], "--out"),
        (["calibrate", "--out", str(target), "--workers", "1"], "--out"),
        (["run", "baseline", "--out", str(target)], "--out"),
    ):
        err = _refused(capsys, argv)
        assert f"{flag} {target}" in err, (argv[0], err)
    if where == "foreign":
        assert (target / "report.md").read_text(encoding="utf-8") == "their notes"
        assert sorted(p.name for p in target.iterdir()) == ["report.md", "thesis.tex"]


def test_a_report_never_overwrites_someone_elses_folder(grid_sweep: Path, tmp_path, capsys):
    target = _unsafe(tmp_path, "foreign")
    err = _refused(capsys, ["report", str(grid_sweep), "--out", str(target)])
    assert "is not empty and not a report folder (holds 'thesis.tex')" in err
    assert (target / "report.md").read_text(encoding="utf-8") == "their notes"
    # A report folder is a report's to replace.
    assert cli.main(["report", str(grid_sweep), "--out", str(tmp_path / "rep")]) == 0
    assert cli.main(["report", str(grid_sweep), "--out", str(tmp_path / "rep")]) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--seeds", "1", "--out", "{dir}"],
        ["sensitivity", "{tmp}/nowhere", "--out", "{link}"],
        ["sensitivity", "{tmp}/nowhere", "--write-sobol", "{dir}"],
        ["calibrate", "--scenario-out", "{dir}", "--out", "{tmp}/cal", "--workers", "1"],
    ],
)
def test_every_command_that_writes_a_file_refuses_a_folder_or_a_symlink(
    tmp_path: Path, capsys, argv: list[str]
) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "victim.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "victim.txt")
    subs = {"dir": tmp_path / "dir", "link": tmp_path / "link", "tmp": tmp_path}
    err = _refused(capsys, [a.format(**subs) for a in argv])
    assert re.search(r"(is a symlink|exists and is not a regular file)", err), err
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "keep me"
    assert list((tmp_path / "dir").iterdir()) == []
