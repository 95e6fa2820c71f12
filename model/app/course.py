"""The course pack: guided exercises, each checked from the student's own run (no Solara here).

Each :class:`Exercise` is declared once here and shown twice: as a panel in the app (the
question, the levers to move, what to look for, and a check of the student's run) and as a page
in ``docs/course/`` written by this module. The teachers' notes on those pages carry the model's
answers over several seeds, computed by this module, never typed by hand::

    python -m statecraft.app.course docs/course      # rewrite the pages
    python -m statecraft.app.course --check docs/course   # fail if a page is stale

(``tests/test_course.py`` runs the check.)
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..model import StatecraftModel
from ..params import Params, param

__all__ = ["EXERCISES", "SEEDS", "Check", "Exercise", "Verdict", "main", "page", "verdict"]

#: Seeds of the model's answers in the teachers' notes.
SEEDS: tuple[int, ...] = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Check:
    """A yes/no question about a run: does ``metric`` go ``above``/``below`` ``level``?

    ``when="by"``: in any month up to and including ``month``; ``when="at"``: in ``month``.
    ``percent``: the level and values are shares, shown as percentages.
    """

    metric: str
    direction: Literal["above", "below"]
    level: float
    month: str
    when: Literal["by", "at"]
    what: str  # e.g. "domestic chips' share of sales"
    percent: bool = False

    def fmt(self, value: float) -> str:
        return f"{value:.0%}" if self.percent else f"{value:.3g}"

    @property
    def text(self) -> str:
        """The question in words, e.g. ``passes 50 % domestic share by 2027-12``."""
        side = "at or above" if self.direction == "above" else "at or below"
        when = "in any month up to" if self.when == "by" else "in"
        return f"{self.what} {side} {self.fmt(self.level)} {when} {self.month}"


@dataclass(frozen=True)
class Verdict:
    """The check applied to a run: ``answer`` is True/False, or None while undecided."""

    answer: bool | None
    text: str


def _meets(check: Check, value: float | None) -> bool:
    if value is None:
        return False
    return value >= check.level if check.direction == "above" else value <= check.level


def verdict(check: Check, months: Sequence[str], values: Sequence[float | None], shown: int):
    """Apply ``check`` to a run's ``values`` (one per month of ``months``) up to month ``shown``.

    Returns
    -------
    Verdict
        ``answer`` None while the run has not reached the month that decides.
    """
    if check.month not in months:
        return Verdict(None, f"this run does not reach {check.month}")
    end = months.index(check.month) + 1  # months up to and including check.month
    seen = list(values[: min(shown, end)])
    if check.when == "by":
        hit = next((i for i, v in enumerate(seen) if _meets(check, v)), None)
        if hit is not None:
            return Verdict(True, f"yes: {check.fmt(seen[hit])} in {months[hit]}")
        if shown < end:
            return Verdict(None, f"not yet: play on to {check.month}")
        best = [v for v in seen if v is not None]
        peak = (max if check.direction == "above" else min)(best) if best else None
        closest = "" if peak is None else f" (closest: {check.fmt(peak)})"
        return Verdict(False, f"no: not by {check.month}{closest}")
    if shown < end:
        return Verdict(None, f"not yet: play on to {check.month}")
    value = seen[end - 1]
    if value is None:
        return Verdict(False, f"no value in {check.month}")
    word = "yes" if _meets(check, value) else "no"
    return Verdict(_meets(check, value), f"{word}: {check.fmt(value)} in {check.month}")


@dataclass(frozen=True)
class Exercise:
    """A guided exercise: a question, the levers to move, what to look for, a checked answer."""

    key: str
    title: str
    question: str
    levers: dict[str, Any]
    look_for: str
    check: Check
    teacher: str
    compare: dict[str, Any] = field(default_factory=dict)  # the run to compare with (defaults)

    def params(self, base: Params | None = None) -> Params:
        """``base`` (the defaults) with the exercise's levers set."""
        return (base or Params()).replace(**self.levers)


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        key="chip-cutoff",
        title="Chip cut-off and self-reliance",
        question=(
            "If the United States cut off every foreign AI chip, chip-making tool and foundry "
            "service from January 2026, would Chinese chips take over the market, and how fast?"
        ),
        levers={
            "policy_chips": 1.0,
            "policy_tools": 1.0,
            "policy_foundry": 1.0,
            "policy_licensed": 0.0,
            "policy_grey_leakage": 0.01,
        },
        look_for=(
            "Pin the run with the default levers first. Then set the levers, play to 2030 and "
            "watch the 'Domestic chips' share of sales' panel after the red policy line, and the "
            "gap to the US frontier: self-reliance in chips is not the same as catching up."
        ),
        check=Check("domestic_share", "above", 0.8, "2028-12", "by", "domestic chips' share", True),
        teacher=(
            "Domestic chips gain share because foreign chips vanish, not because domestic chips "
            "get better: the frontier gap widens at the same time. Ask students which of the two "
            "curves a policymaker would report."
        ),
    ),
    Exercise(
        key="h20-licences",
        title="H20 licences and the gap",
        question=(
            "From July 2025 the US licenses sales of weaker, H20-like chips. Does letting those "
            "chips in narrow China's gap to the US frontier, and at what cost to domestic chips?"
        ),
        levers={"policy_date": "2025-07", "policy_licensed": 0.8},
        look_for=(
            "Compare with a pinned default run: the gap panel (lower is better for China) and "
            "the domestic share panel after the red line in mid-2025."
        ),
        check=Check(
            "capability_gap_months", "below", 15.0, "2028-12", "at", "the gap in months", False
        ),
        teacher=(
            "Licensed chips ease the compute shortage, so startups catch up a little faster, "
            "but buyers who can get them buy fewer domestic chips: the trade-off the H20 debate "
            "was about."
        ),
    ),
    Exercise(
        key="herding",
        title="Herding and waste",
        question=(
            "What happens when every city fund copies the others and nobody coordinates them? "
            "Do the cities end up betting on the same niches, and is money wasted?"
        ),
        levers={"herding": 1.0, "coordination": 0.0},
        look_for=(
            "The blue duplication index (1 = every city bets on the same niche) and the red "
            "excess-waste share; in the ecosystem view, thick lines from many cities into one "
            "niche."
        ),
        check=Check("duplication_index", "above", 0.9, "2028-12", "at", "the duplication index"),
        teacher=(
            "Duplication rises to its ceiling; excess waste rises too but by less, and varies "
            "from seed to seed: duplicated bets are not all lost. Pin two seeds to show the "
            "spread."
        ),
    ),
    Exercise(
        key="coordination",
        title="Coordination",
        question=(
            "Beijing can discourage 'disorderly competition' by penalising a city that bets on "
            "niches others already back. Does strong coordination end duplication?"
        ),
        levers={"herding": 0.2, "coordination": 0.9},
        look_for=(
            "The duplication index falling below zero means cities spread their bets more than "
            "independent choices would. Does anything else on the charts change?"
        ),
        check=Check("duplication_index", "below", 0.1, "2028-12", "at", "the duplication index"),
        teacher=(
            "Coordination removes duplication almost completely, but the gap, the domestic "
            "share and the number of startups barely move: in this model, duplication wastes "
            "some money but does not decide the race."
        ),
    ),
    Exercise(
        key="champions",
        title="National champions",
        question=(
            "How many national champions does China's AI industry produce by 2030, and how "
            "much does the answer depend on what we call a champion?"
        ),
        levers={"champion_share": 0.3},
        look_for=(
            "The 'National champions' panel; the stars in the ecosystem view. Change the "
            "revenue share a champion needs from 15 % to 30 % and compare with a pinned run."
        ),
        check=Check("champions", "above", 8, "2030-12", "at", "the number of champions"),
        teacher=(
            "Counting champions is a definition as much as a result: doubling the revenue share "
            "needed roughly halves the count. A good discussion of what 'national champion' "
            "targets measure."
        ),
    ),
)


def _run(params: Params, seed: int) -> tuple[list[str], dict[str, list[float]]]:
    return _run_cached(params.model_dump_json(), seed)


@functools.cache
def _run_cached(params_json: str, seed: int) -> tuple[list[str], dict[str, list[float]]]:
    model = StatecraftModel(Params.model_validate_json(params_json), rng=seed)
    while model.running:
        model.step()
    return list(model.months), {k: list(v) for k, v in model.datacollector.model_vars.items()}


def model_answers(ex: Exercise, seeds: Sequence[int] = SEEDS) -> list[tuple[str, list[Verdict]]]:
    """The check on the default run and on the exercise's run, for each seed."""
    out = []
    for label, params in (("default levers", Params()), ("exercise levers", ex.params())):
        verdicts = []
        for seed in seeds:
            months, values = _run(params, seed)
            verdicts.append(verdict(ex.check, months, values[ex.check.metric], len(months)))
        out.append((label, verdicts))
    return out


def _lever_line(name: str, value: Any) -> str:
    from .controls import PLAIN

    label = PLAIN.get(name, (param(name).description,))[0]
    return f"- **{label}** (`{name}`): {value}"


def page(ex: Exercise, number: int, seeds: Sequence[int] = SEEDS) -> str:
    """The exercise's page in ``docs/course/`` (Markdown), with the model's answers."""
    lines = [
        f"# Exercise {number}: {ex.title}",
        "",
        "<!-- generated by `python -m statecraft.app.course docs/course`; do not edit -->",
        "",
        f"**Question.** {ex.question}",
        "",
        "**Levers to move** (in the app: *Exercises* tab, *Set these levers*, or by hand in the "
        "lever panel; start from the defaults):",
        "",
        *(_lever_line(k, v) for k, v in ex.levers.items()),
        "",
        f"**What to look for.** {ex.look_for}",
        "",
        f"**The app checks your run:** is {ex.check.text}? It answers yes or no once your run "
        f"has reached {ex.check.month}.",
        "",
        "## Notes for teachers",
        "",
        ex.teacher,
        "",
        f"The model's answers, seeds {', '.join(map(str, seeds))} (a run's seed is in the app's "
        "*Run* bar):",
        "",
        "| levers | " + " | ".join(f"seed {s}" for s in seeds) + " | yes |",
        "|---|" + "---|" * len(seeds) + "---:|",
    ]
    for label, verdicts in model_answers(ex, seeds):
        yes = sum(v.answer is True for v in verdicts)
        lines.append(
            f"| {label} | "
            + " | ".join(v.text for v in verdicts)
            + f" | {yes} of {len(verdicts)} |"
        )
    lines += [
        "",
        "Uncertainty: the seeds differ only in the model's random draws (startups, funds' "
        "tastes); the parameters' own uncertainty (most are assumptions, see the app's "
        "tooltips and `statecraft params`) is not in this table, so treat a threshold the runs "
        "pass by a small margin as a tendency, not a forecast.",
        "",
    ]
    return "\n".join(lines)


def pages(seeds: Sequence[int] = SEEDS) -> dict[str, str]:
    """File name -> text of every page, the index included."""
    out = {}
    index = [
        "# Course pack: guided exercises with the statecraft app",
        "",
        "<!-- generated by `python -m statecraft.app.course docs/course`; do not edit -->",
        "",
        "Start the app with `statecraft app` and open the *Exercises* tab. Each exercise asks a "
        "question, names the levers to move and what to look for, and checks the answer from "
        "your own run. The teachers' notes on each page give the model's answers over several "
        "seeds.",
        "",
    ]
    for i, ex in enumerate(EXERCISES, 1):
        name = f"{i:02d}-{ex.key}.md"
        out[name] = page(ex, i, seeds)
        index.append(f"{i}. [{ex.title}]({name}): {ex.question}")
    out["README.md"] = "\n".join(index) + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write (or check) the course pack's pages.")
    ap.add_argument("folder", type=Path, help="where the pages go (docs/course)")
    ap.add_argument("--check", action="store_true", help="fail if a page differs")
    args = ap.parse_args(argv)
    stale = []
    for name, text in pages().items():
        path = args.folder / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            args.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"stale course pages: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
