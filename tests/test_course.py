"""The course pack: exercises checked from a run, and pages whose model answers are not stale."""

from __future__ import annotations

import pytest
from statecraft.app.course import EXERCISES, Check, main, pages, verdict
from statecraft.params import PARAMETERS

from tests.conftest import ROOT

MONTHS = ["2027-10", "2027-11", "2027-12", "2028-01"]


def test_a_by_check_answers_yes_when_passed_no_after_its_month_and_waits_before():
    check = Check("domestic_share", "above", 0.5, "2027-12", "by", "domestic share", True)
    assert check.text == "domestic share at or above 50% in any month up to 2027-12"
    v = verdict(check, MONTHS, [0.4, 0.55, 0.3, 0.9], 4)
    assert (v.answer, v.text) == (True, "yes: 55% in 2027-11")
    assert verdict(check, MONTHS, [0.4, 0.45, 0.3, 0.9], 2).answer is None  # not yet decided
    v = verdict(check, MONTHS, [0.4, 0.45, 0.3, 0.9], 4)  # passes only after 2027-12
    assert (v.answer, v.text) == (False, "no: not by 2027-12 (closest: 45%)")
    assert verdict(check, ["2020-01"], [0.9], 1).text == "this run does not reach 2027-12"


def test_an_at_check_reads_the_value_in_its_month():
    check = Check("capability_gap_months", "below", 11.5, "2027-12", "at", "the gap")
    assert verdict(check, MONTHS, [9, 9, 12, 9], 3).text == "no: 12 in 2027-12"
    assert verdict(check, MONTHS, [9, 9, 11, 9], 4).answer is True
    assert verdict(check, MONTHS, [9, 9, None, 9], 4).answer is False
    assert verdict(check, MONTHS, [9, 9, 11, 9], 2).answer is None


def test_there_are_five_exercises_on_declared_levers_and_reported_metrics():
    from statecraft import metrics

    assert len(EXERCISES) >= 5
    names = {p.name for p in PARAMETERS}
    for ex in EXERCISES:
        assert set(ex.levers) <= names, ex.key
        assert ex.check.metric in metrics.REPORTERS, ex.key
        ex.params()  # valid values


@pytest.mark.slow
def test_the_course_pages_and_their_model_answers_are_up_to_date(tmp_path):
    """Fails when a change to the model changes an answer: run
    ``python -m statecraft.app.course docs/course`` and commit the pages."""
    folder = ROOT / "docs" / "course"
    expected = pages()
    for name, text in expected.items():
        path = folder / name
        assert path.exists(), f"{path} missing: python -m statecraft.app.course docs/course"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: python -m statecraft.app.course docs/course"
        )
    assert main([str(folder), "--check"]) == 0
    assert main([str(tmp_path), "--check"]) == 1
    assert main([str(tmp_path)]) == 0 and main([str(tmp_path), "--check"]) == 0
