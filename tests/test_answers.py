"""The answers table: a layout of compare_frames' statistics over the shipped scenarios."""

from __future__ import annotations

from pathlib import Path

from statecraft.answers import _month_number, _month_text, answers_table, lag_table


def test_answers_table_over_small_scenarios(tmp_path: Path):
    for name, extra in (("a", ""), ("b", "herding = 1.0\n")):
        (tmp_path / f"{name}.toml").write_text(
            f'[parameters]\nscale = 0.05\nend_date = "2025-06"\n{extra}'
        )
    text = answers_table(tmp_path, n_seeds=3)
    lines = text.splitlines()
    assert lines[0] == "| | a | b |"
    row = next(x for x in lines if x.startswith("| startups in Jan 2025"))
    cells = [c.strip() for c in row.split("|")[2:4]]
    assert all("±" in c for c in cells)  # mean ± standard error over three seeds
    row = next(x for x in lines if x.startswith("| gap to US frontier, Dec 2030"))
    assert "n/a" in row  # the runs end in 2025: no value
    assert "Means ± standard error over seeds 0–2" in text


def test_month_numbers_round_trip():
    assert _month_text(_month_number("2025-10")) == "2025-10"
    assert _month_text(_month_number("2025-12") + 0.5) == "2025-12"


def test_lag_table_has_one_cell_per_lag():
    text = lag_table(lags=(3.0, 36.0), n_seeds=1)
    assert text.splitlines()[0] == "| `allocation_lag_months` | 3 | 36 |"
