"""Fault drills: hostile inputs and real faults, counted for the README's "Reliability" section.

Run from the repository root::

    .venv/bin/python benchmarks/fault_drills.py            # print the tallies and any failures
    .venv/bin/python benchmarks/fault_drills.py --inputs   # the hostile inputs only (~1 min)

Part 1, **inputs**: every entry of :data:`INPUTS` is a scenario file, an experiment file or a
command line a hostile or careless user might give. Each goes through the real ``statecraft``
command (in this process) and is classified:

- *refused*: exit status 2 and exactly one line ``statecraft: error: ...`` on standard error,
  with no raw control character;
- *accepted*: exit status 0;
- *crashed*: anything else (a traceback escaping ``main``, another status, several lines).

An entry passes if it ends the way it is declared to (``refuse`` or ``accept``).

Part 2, **faults**: each drill of :data:`DRILLS` damages a complete sweep folder, or interrupts
a sweep or a run, the way a crash, a full disk, a careless copy or a hostile user would. A
drill passes ("survived") if the damage is reported (never trusted, no traceback) and, after
the sweep's command is run again, the folder's tables equal those of an undisturbed sweep
("nothing lost"): same runs, same final and time-series rows, bit for bit.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCENARIO = (ROOT / "scenarios" / "baseline.toml").as_posix()
# Accepted scenario inputs run for real: keep them tiny.
TINY = 'scale = 0.05\nend_date = "2020-03"\n'


def _deep(n: int) -> str:
    return "[" * n + "]" * n


def _exp(body: str, factors: str = "herding = [0.0, 1.0]", params: str = "scale = 0.05") -> str:
    return (
        f'scenario = "{SCENARIO}"\nseed = 1\nhorizon = "2020-03"\n{body}\n'
        f"[parameters]\n{params}\n\n[factors]\n{factors}\n"
    )


EV = '{{date = "{d}", chips = {c}, tools = 0.1, foundry = 0.1}}'


def _events(*pairs: tuple[str, float]) -> str:
    return "export_events = [" + ", ".join(EV.format(d=d, c=c) for d, c in pairs) + "]\n"


#: (name, kind, content, expected). kind: "scenario" / "experiment" (file text; a bytes value
#: is written as is), or "cli" (argument list; {tmp} is a scratch folder, {exp} a tiny
#: experiment file, {sc} a tiny scenario file).
INPUTS: list[tuple[str, str, str | bytes | list[str], str]] = [
    # --- scenario: cross-field rules (silently reinterpreted before) ---
    (
        "export event after policy_date",
        "scenario",
        "[parameters]\n"
        + TINY
        + 'policy_date = "2023-01"\n'
        + _events(("2022-10", 0.5), ("2024-01", 0.9)),
        "refuse",
    ),
    (
        "export event on policy_date",
        "scenario",
        "[parameters]\n"
        + TINY
        + 'policy_date = "2024-01"\n'
        + _events(("2022-10", 0.5), ("2024-01", 0.9)),
        "refuse",
    ),
    (
        "duplicate export event dates",
        "scenario",
        "[parameters]\n" + TINY + _events(("2022-10", 0.5), ("2022-10", 0.9)),
        "refuse",
    ),
    (
        "empty export event list",
        "scenario",
        "[parameters]\n" + TINY + "export_events = []\n",
        "refuse",
    ),
    (
        "policy_date after end_date",
        "scenario",
        '[parameters]\nscale = 0.05\nend_date = "2022-12"\npolicy_date = "2024-06"\n'
        + _events(("2022-10", 0.5)),
        "refuse",
    ),
    (
        "policy_date after the default horizon",
        "scenario",
        '[parameters]\npolicy_date = "2031-06"\n',
        "refuse",
    ),
    (
        "tranche date before start_date",
        "scenario",
        "[parameters]\n" + TINY + 'startup_tranche_date = "2019-06"\n',
        "refuse",
    ),
    (
        "tranche date after end_date",
        "scenario",
        '[parameters]\nscale = 0.05\nend_date = "2022-12"\nstartup_tranche_date = "2024-06"\n',
        "refuse",
    ),
    (
        "paradigm shift after end_date",
        "scenario",
        '[parameters]\nscale = 0.05\nend_date = "2021-12"\nparadigm_shift_date = "2023-01"\n',
        "refuse",
    ),
    (
        "start_date moved past the default tranche",
        "scenario",
        '[parameters]\nstart_date = "2026-01"\n',
        "refuse",
    ),
    ("end_date before start_date", "scenario", '[parameters]\nend_date = "2019-01"\n', "refuse"),
    (
        "initial_adoption = 0 (ZeroDivisionError before)",
        "scenario",
        "[parameters]\n" + TINY + "initial_adoption = 0.0\n",
        "refuse",
    ),
    (
        "shares add up to 0.99",
        "scenario",
        "[parameters]\n" + TINY + "local_share_equity = 0.59\n",
        "refuse",
    ),
    (
        "shares of thirds: 0.333333 x 3 = 0.999999",
        "scenario",
        "[parameters]\n" + TINY + "central_share_semiconductor = 0.333333\n"
        "central_share_startups = 0.333333\ncentral_share_compute = 0.333333\n",
        "accept",
    ),
    # --- scenario: size ---
    (
        "population of 10^8 startups (MemoryError after 22 s before)",
        "scenario",
        "[parameters]\nscale = 100.0\ninitial_startups = 1000000\n",
        "refuse",
    ),
    (
        "entry of 10^9 startups",
        "scenario",
        "[parameters]\nscale = 100.0\nentry_rate = 100000.0\n",
        "refuse",
    ),
    # --- scenario: syntax and types ---
    (
        "huge integer (OverflowError before)",
        "scenario",
        "[parameters]\ninitial_startups = 99999999999999999999999999999\n",
        "refuse",
    ),
    ("huge integer seed", "scenario", "seed = 99999999999999999999999999\n", "refuse"),
    (
        "deeply nested array (RecursionError before)",
        "scenario",
        f"[parameters]\nherding = {_deep(5000)}\n",
        "refuse",
    ),
    ("UTF-8 byte-order mark", "scenario", b"\xef\xbb\xbf[parameters]\n" + TINY.encode(), "accept"),
    ("not UTF-8", "scenario", b"[parameters]\nherding = 0.5 # \xff\xfe\n", "refuse"),
    ("malformed TOML", "scenario", "[parameters\nherding = 0.5\n", "refuse"),
    ("misspelled parameter", "scenario", "[parameters]\nherdng = 0.5\n", "refuse"),
    ("misspelled top-level key", "scenario", "descripton = 'x'\n", "refuse"),
    ("parameter at top level", "scenario", "herding = 0.5\n", "refuse"),
    (
        "key with a newline and escape codes",
        "scenario",
        '[parameters]\n"herd\\nstatecraft: error: forged\\u001b[2J" = 1\n',
        "refuse",
    ),
    ("NaN value", "scenario", "[parameters]\nherding = nan\n", "refuse"),
    ("infinite value", "scenario", "[parameters]\nentry_rate = inf\n", "refuse"),
    ("string for a number", "scenario", '[parameters]\nherding = "0.5"\n', "refuse"),
    ("boolean for a number", "scenario", "[parameters]\nherding = true\n", "refuse"),
    ("float for an integer", "scenario", "[parameters]\nn_city_funds = 2.5\n", "refuse"),
    ("value below its bound", "scenario", "[parameters]\nherding = -0.1\n", "refuse"),
    ("month 13", "scenario", '[parameters]\npolicy_date = "2026-13"\n', "refuse"),
    ("month as a date", "scenario", "[parameters]\npolicy_date = 2026-01-01\n", "refuse"),
    (
        "unknown key in an export event",
        "scenario",
        '[parameters]\nexport_events = [{date = "2022-10", chips = 0.5, tools = 0.1, '
        "foundry = 0.1, "
        "tool = 1.0}]\n",
        "refuse",
    ),
    (
        "stringency above 1",
        "scenario",
        '[parameters]\nexport_events = [{date = "2022-10", chips = 1.5, tools = 0.1, '
        "foundry = 0.1}]\n",
        "refuse",
    ),
    ("unknown niche", "scenario", '[parameters]\ndevalued_niches = ["robots"]\n', "refuse"),
    ("negative seed", "scenario", "seed = -1\n", "refuse"),
    ("description not a string", "scenario", "description = 3\n", "refuse"),
    ("parameters not a table", "scenario", "parameters = 3\n", "refuse"),
    ("empty file (the defaults)", "scenario", "[parameters]\n" + TINY, "accept"),
    # --- experiment files ---
    ("misspelled experiment key", "experiment", _exp("replicate = 2"), "refuse"),
    (
        "misspelled design key",
        "experiment",
        _exp('[design]\nkind = "lhs"\nsampels = 8\n'),
        "refuse",
    ),
    ("misspelled factor key", "experiment", "", "refuse"),  # filled below
    ("unknown factor", "experiment", _exp("", factors="herdin = [0.0, 1.0]"), "refuse"),
    (
        "grid of 10^8 points",
        "experiment",
        _exp(
            "",
            factors="\n".join(
                f"{n} = {{ min = 0.0, max = 1.0, levels = 10 }}"
                for n in (
                    "herding",
                    "coordination",
                    "policy_chips",
                    "policy_tools",
                    "policy_foundry",
                    "policy_licensed",
                    "policy_grey_leakage",
                    "grey_leakage",
                )
            ),
        ),
        "refuse",
    ),
    ("10^6 replicates", "experiment", _exp("replicates = 1000000"), "refuse"),
    ("10^9 replicates", "experiment", _exp("replicates = 1000000000"), "refuse"),
    (
        "Sobol design of 2^70 samples",
        "experiment",
        _exp(
            '[design]\nkind = "sobol"\nsamples = 1180591620717411303424\n', factors="herding = {}"
        ),
        "refuse",
    ),
    (
        "Sobol design of 2^40 samples",
        "experiment",
        _exp('[design]\nkind = "sobol"\nsamples = 1099511627776\n', factors="herding = {}"),
        "refuse",
    ),
    (
        "Saltelli samples not a power of two",
        "experiment",
        _exp('[design]\nkind = "saltelli"\nsamples = 6\n', factors="herding = {}"),
        "refuse",
    ),
    (
        "factor min above max",
        "experiment",
        _exp("", factors="herding = { min = 0.8, max = 0.2, levels = 2 }"),
        "refuse",
    ),
    ("factor outside its bounds", "experiment", _exp("", factors="herding = [0.0, 2.0]"), "refuse"),
    ("factor values repeat", "experiment", _exp("", factors="herding = [0.5, 0.5]"), "refuse"),
    (
        "factor levels 0",
        "experiment",
        _exp("", factors="herding = { min = 0.0, max = 1.0, levels = 0 }"),
        "refuse",
    ),
    (
        "huge factor levels",
        "experiment",
        _exp("", factors="herding = { min = 0.0, max = 1.0, levels = 99999999999999999999 }"),
        "refuse",
    ),
    (
        "deeply nested factor values",
        "experiment",
        _exp("", factors=f"herding = {_deep(5000)}"),
        "refuse",
    ),
    ("NaN factor value", "experiment", _exp("", factors="herding = [0.0, nan]"), "refuse"),
    ("factor on a month", "experiment", _exp("", factors='policy_date = ["2024-01"]'), "refuse"),
    (
        "horizon before the start",
        "experiment",
        _exp("").replace('horizon = "2020-03"', 'horizon = "2019-01"'),
        "refuse",
    ),
    (
        "horizon malformed",
        "experiment",
        _exp("").replace('horizon = "2020-03"', 'horizon = "2020-3"'),
        "refuse",
    ),
    (
        "design point breaking the share rule",
        "experiment",
        _exp("", factors="central_share_compute = [0.2, 0.5]"),
        "refuse",
    ),
    (
        "design point: export event after a swept policy date",
        "experiment",
        _exp("", params='scale = 0.05\npolicy_date = "2026-01"\n' + _events(("2025-06", 0.5))),
        "accept",
    ),
    (
        "base scenario missing",
        "experiment",
        _exp("").replace(SCENARIO, "no_such_scenario"),
        "refuse",
    ),
    ("parameter set twice", "experiment", _exp("", params="scale = 0.05\nherding = 0.5"), "refuse"),
    ("experiment with a BOM", "experiment", b"\xef\xbb\xbf" + _exp("").encode(), "accept"),
    # --- command lines ---
    (
        "--scheduler 'not a url'",
        "cli",
        ["sweep", "{exp}", "--out", "{tmp}/s", "--scheduler", "not a url"],
        "refuse",
    ),
    (
        "--scheduler without a port",
        "cli",
        ["sweep", "{exp}", "--out", "{tmp}/s", "--scheduler", "tcp://localhost"],
        "refuse",
    ),
    (
        "--scheduler unreachable",
        "cli",
        ["sweep", "{exp}", "--out", "{tmp}/s", "--scheduler", "tcp://127.0.0.1:{port}"],
        "refuse",
    ),
    ("--workers 0", "cli", ["sweep", "{exp}", "--out", "{tmp}/s", "--workers", "0"], "refuse"),
    ("--max-runs 0", "cli", ["sweep", "{exp}", "--out", "{tmp}/s", "--max-runs", "0"], "refuse"),
    (
        "--max-runs raised for a large design",
        "cli",
        [
            "sweep",
            "{exp}",
            "--out",
            "{tmp}/s2",
            "--max-runs",
            "4",
            "--workers",
            "1",
            "--no-progress",
        ],
        "accept",
    ),
    ("--max-memory -1", "cli", ["run", "{sc}", "--out", "{tmp}/r", "--max-memory", "-1"], "refuse"),
    (
        "--max-memory nan",
        "cli",
        ["run", "{sc}", "--out", "{tmp}/r", "--max-memory", "nan"],
        "refuse",
    ),
    (
        "--max-memory too small for the run",
        "cli",
        ["run", "{sc}", "--out", "{tmp}/r", "--max-memory", "0.01"],
        "refuse",
    ),
    ("--seed -1", "cli", ["run", "{sc}", "--seed", "-1"], "refuse"),
    ("--seed 2^64", "cli", ["run", "{sc}", "--seed", "18446744073709551616"], "refuse"),
    ("run --out /", "cli", ["run", "{sc}", "--out", "/"], "refuse"),
    ("run --out an existing file", "cli", ["run", "{sc}", "--out", "{tmp}/file"], "refuse"),
    (
        "run --out a folder of other files",
        "cli",
        ["run", "{sc}", "--out", "{tmp}/foreign"],
        "refuse",
    ),
    ("run --out a symlink", "cli", ["run", "{sc}", "--out", "{tmp}/link"], "refuse"),
    ("run --out a previous run's folder", "cli", ["run", "{sc}", "--out", "{tmp}/prev"], "accept"),
    ("sweep --out /", "cli", ["sweep", "{exp}", "--out", "/"], "refuse"),
    ("sweep --out a file", "cli", ["sweep", "{exp}", "--out", "{tmp}/file"], "refuse"),
    (
        "sweep --out a folder of other files",
        "cli",
        ["sweep", "{exp}", "--out", "{tmp}/foreign"],
        "refuse",
    ),
    (
        "sweep --out a run's output folder",
        "cli",
        ["sweep", "{exp}", "--out", "{tmp}/prev"],
        "refuse",
    ),
    ("check a folder that is not a sweep", "cli", ["check", "{tmp}/foreign"], "refuse"),
    ("check a missing folder", "cli", ["check", "{tmp}/nowhere"], "refuse"),
    ("unknown scenario name", "cli", ["run", "baselin"], "refuse"),
    ("scenario is a folder", "cli", ["run", "{tmp}"], "refuse"),
    # --- second audit: one output-folder rule for every command that writes ---
    ("report --out /", "cli", ["report", "{tmp}/nowhere", "--out", "/"], "refuse"),
    (
        "report --out a folder of other files",
        "cli",
        ["report", "{tmp}/nowhere", "--out", "{tmp}/foreign"],
        "refuse",
    ),
    ("report --out a symlink", "cli", ["report", "{tmp}/nowhere", "--out", "{tmp}/link"], "refuse"),
    (
        "compare --out a folder of other files",
        "cli",
        ["compare", "baseline", "export_cutoff", "--out", "{tmp}/foreign"],
        "refuse",
    ),
    (
        "calibrate --out a folder of other files",
        "cli",
        ["calibrate", "--out", "{tmp}/foreign", "--workers", "1"],
        "refuse",
    ),
    (
        "calibrate --scenario-out a folder",
        "cli",
        ["calibrate", "--out", "{tmp}/cal", "--scenario-out", "{tmp}/real", "--workers", "1"],
        "refuse",
    ),
    (
        "sensitivity --out a folder",
        "cli",
        ["sensitivity", "{tmp}/nowhere", "--out", "{tmp}/real"],
        "refuse",
    ),
    (
        "validate --out a symlink",
        "cli",
        ["validate", "--seeds", "1", "--out", "{tmp}/link"],
        "refuse",
    ),
    # --- second audit: values ---
    (
        "paradigm shift before the start",
        "scenario",
        '[parameters]\nparadigm_shift_date = "1950-01"\n',
        "refuse",
    ),
    ("integer of 401 digits", "scenario", f"[parameters]\nentry_rate = 1{'0' * 400}\n", "refuse"),
    (
        "integer of 5,001 digits",
        "scenario",
        f"[parameters]\nentry_rate = 1{'0' * 5000}\n",
        "refuse",
    ),
    (
        "factor bound of 401 digits",
        "experiment",
        _exp("", factors=f"entry_rate = [0, 1{'0' * 400}]"),
        "refuse",
    ),
    (
        "--workers 100000",
        "cli",
        ["sweep", "{exp}", "--out", "{tmp}/w", "--workers", "100000"],
        "refuse",
    ),
]
INPUTS[[n for n, *_ in INPUTS].index("misspelled factor key")] = (
    "misspelled factor key",
    "experiment",
    _exp("", factors="herding = { min = 0.0, max = 1.0, levles = 2 }"),
    "refuse",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(argv: list[str]) -> tuple[str, str, float]:
    """Run ``statecraft argv`` in this process: (outcome, first stderr line, seconds)."""
    from statecraft import cli

    err, out = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            rc = cli.main(argv)
    except SystemExit as e:
        rc = e.code
    except BaseException:
        return "crashed", traceback.format_exc().strip().splitlines()[-1], 0.0
    dt = time.perf_counter() - t0
    text = err.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    if rc == 0:
        return "accepted", "", dt
    clean = all(c.isprintable() for c in text.rstrip("\n"))
    if rc == 2 and len(lines) == 1 and lines[0].startswith("statecraft: error: ") and clean:
        return "refused", lines[0], dt
    return "crashed", f"status {rc}: {text[-300:]!r}", dt


def _scratch(tmp: Path) -> dict[str, str]:
    (tmp / "file").write_text("x", encoding="utf-8")
    (tmp / "foreign").mkdir(exist_ok=True)
    (tmp / "foreign" / "thesis.tex").write_text("years of work", encoding="utf-8")
    (tmp / "real").mkdir(exist_ok=True)
    if not (tmp / "link").exists():
        (tmp / "link").symlink_to(tmp / "real")
    sc = tmp / "tiny_scenario.toml"
    sc.write_text("[parameters]\n" + TINY, encoding="utf-8")
    exp = tmp / "tiny_experiment.toml"
    exp.write_text(_exp("replicates = 2"), encoding="utf-8")
    _call(["run", str(sc), "--out", str(tmp / "prev"), "--no-dashboard"])
    return {"tmp": str(tmp), "sc": str(sc), "exp": str(exp), "port": str(_free_port())}


def run_inputs(verbose: bool = True) -> dict[str, int]:
    """Try every entry of :data:`INPUTS`; print failures; return the tallies."""
    tally = {"tried": 0, "refused": 0, "accepted": 0, "crashed": 0, "as_declared": 0}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        subs = _scratch(tmp)
        cwd = os.getcwd()
        os.chdir(tmp)  # default output folders land in the scratch folder
        try:
            for i, (name, kind, content, expect) in enumerate(INPUTS):
                if kind == "cli":
                    argv = [a.format(**subs) for a in content]
                else:
                    path = tmp / f"input{i}.toml"
                    data = content if isinstance(content, bytes) else content.encode("utf-8")
                    path.write_bytes(data)
                    out = str(tmp / f"out{i}")
                    cmd = "run" if kind == "scenario" else "sweep"
                    argv = [cmd, str(path), "--out", out]
                    if cmd == "sweep":
                        argv += ["--workers", "1", "--no-progress"]
                    else:
                        argv += ["--no-dashboard"]
                outcome, line, dt = _call(argv)
                tally["tried"] += 1
                tally[outcome] += 1
                ok = outcome == {"refuse": "refused", "accept": "accepted"}[expect]
                tally["as_declared"] += ok
                if verbose and (not ok or "--scheduler" in name or os.environ.get("DRILLS_ALL")):
                    mark = "ok  " if ok else "FAIL"
                    print(f"{mark} {name}: {outcome} in {dt:.1f} s {line[:150]}")
        finally:
            os.chdir(cwd)
    return tally


# --- part 2: faults -----------------------------------------------------------------------------
def _write_experiment(folder: Path) -> Path:
    path = folder / "drill.toml"
    path.write_text(
        _exp("replicates = 2\ntimeseries = true", factors="herding = [0.0, 0.5, 1.0]").replace(
            'horizon = "2020-03"', 'horizon = "2020-12"'
        ),
        encoding="utf-8",
    )
    return path


def _tables(out: Path):
    from statecraft.sweep import load

    return load(out)


def _same(a, b) -> bool:
    try:
        pd.testing.assert_frame_equal(a.runs, b.runs)
        pd.testing.assert_frame_equal(a.final, b.final)
        pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    except AssertionError:
        return False
    return True


def _sweep_cli(exp: Path, out: Path, *extra: str) -> tuple[str, str, float]:
    return _call(["sweep", str(exp), "--out", str(out), "--workers", "1", "--no-progress", *extra])


def _damage(
    fn: Callable[[Path], None], harmless: bool = False
) -> Callable[[Path, Path], tuple[bool, str]]:
    """A drill that damages a complete folder with ``fn``, checks that ``statecraft check``
    and ``load`` report it (unless ``harmless``: the damage touches no result), then resumes."""

    def drill(exp: Path, out: Path) -> tuple[bool, str]:
        fn(out)
        if harmless:
            outcome, line, _ = _sweep_cli(exp, out)
            leftovers = [p.name for p in out.rglob(".*.tmp")]
            return outcome == "accepted" and not leftovers, line
        outcome, line, _ = _call(["check", str(out)])
        reported = outcome != "accepted"
        try:
            runs = _tables(out).runs
            reported = reported or (runs["status"] == "damaged").any()
        except Exception as err:  # a one-line SweepError is a report too
            from statecraft.errors import StatecraftError

            if not isinstance(err, StatecraftError):
                return False, f"load raised {type(err).__name__}"
            reported = True
        outcome, line, _ = _sweep_cli(exp, out)
        return reported and outcome == "accepted", line

    return drill


def _truncate(rel: str) -> Callable[[Path], None]:
    def fn(out: Path) -> None:
        p = out / rel
        p.write_bytes(p.read_bytes()[: max(1, len(p.read_bytes()) // 3)])

    return fn


def _flip(rel: str) -> Callable[[Path], None]:
    def fn(out: Path) -> None:
        p = out / rel
        data = bytearray(p.read_bytes())
        data[len(data) // 2] ^= 0x55
        p.write_bytes(bytes(data))

    return fn


def _delete(*rels: str) -> Callable[[Path], None]:
    def fn(out: Path) -> None:
        for rel in rels:
            (out / rel).unlink()

    return fn


def _swap(out: Path) -> None:
    a, b = out / "final" / "p00000-r000.parquet", out / "final" / "p00001-r000.parquet"
    shutil.copyfile(a, b)


def _swap_ts(out: Path) -> None:
    a, b = out / "timeseries" / "p00000-r000.parquet", out / "timeseries" / "p00002-r001.parquet"
    shutil.copyfile(a, b)


def _stray(out: Path) -> None:
    (out / "final" / ".p00000-r000.parquet.abc.tmp").write_bytes(b"half")
    (out / ".manifest.json.abc.tmp").write_bytes(b"{")


def _fake_error(out: Path) -> None:
    rid = "p00002-r000"
    (out / "final" / f"{rid}.parquet").unlink()
    (out / "timeseries" / f"{rid}.parquet").unlink()
    (out / "errors" / f"{rid}.json").write_text('{"run_id": "p00002-r0', encoding="utf-8")


def _every_file(out: Path) -> None:
    for p in (out / "final").glob("*.parquet"):
        p.write_bytes(b"")


def _kill_mid_sweep(sig: int) -> Callable[[Path, Path], tuple[bool, str]]:
    def drill(exp: Path, out: Path) -> tuple[bool, str]:
        shutil.rmtree(out)
        cmd = [
            str(BIN / "statecraft"),
            "sweep",
            str(exp),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        end = time.monotonic() + 120
        while time.monotonic() < end and len(list((out / "final").glob("*.parquet"))) < 2:
            time.sleep(0.02)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole process group
        else:
            proc.send_signal(sig)
        proc.wait(timeout=60)
        outcome, line, _ = _sweep_cli(exp, out)
        return outcome == "accepted", line

    return drill


def _two_writers(exp: Path, out: Path) -> tuple[bool, str]:
    from statecraft.experiment import load_experiment
    from statecraft.sweep.store import SweepStore

    e = load_experiment(exp)
    store = SweepStore(out, e, e.runs(), force=False)
    try:
        outcome, line, _ = _sweep_cli(exp, out)
    finally:
        store.close()
    return outcome == "refused" and "another sweep" in line, line


def _lock_symlink(exp: Path, out: Path) -> tuple[bool, str]:
    victim = out.parent / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (out / ".lock").unlink(missing_ok=True)
    (out / ".lock").symlink_to(victim)
    outcome, line, _ = _sweep_cli(exp, out)
    intact = victim.read_text(encoding="utf-8") == "precious"
    (out / ".lock").unlink()
    return outcome == "refused" and intact, line


def _killer_run(exp: Path, out: Path) -> tuple[bool, str]:
    sys.path.insert(0, str(ROOT))
    from statecraft.evaluate import LocalEvaluator
    from statecraft.experiment import load_experiment
    from statecraft.sweep.store import task_for

    from tests import faults

    e = load_experiment(exp)
    tasks = [task_for(e, s) for s in e.runs()]
    outcomes = list(LocalEvaluator(2, fn=faults.kill_some).evaluate(tasks))
    failed = {o.run_id for o in outcomes if o.error}
    killers = faults.KILLERS & {t.run_id for t in tasks}
    return failed == killers and len(outcomes) == len(tasks), f"failed: {failed}"


def _full_disk_run(exp: Path, out: Path) -> tuple[bool, str]:
    """A run whose dashboard write fails with ENOSPC over a previous run's folder."""
    import errno

    import statecraft.plots as plots

    folder = out.parent / "run_out"
    sc = out.parent / "drill_scenario.toml"
    sc.write_text("[parameters]\n" + TINY, encoding="utf-8")
    _call(["run", str(sc), "--out", str(folder), "--seed", "1"])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real = plots.dashboard

    def full(result, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    plots.dashboard = full
    try:
        outcome, line, _ = _call(["run", str(sc), "--out", str(folder), "--seed", "2"])
    finally:
        plots.dashboard = real
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    return outcome == "refused" and before == after and "dashboard.png" in line, line


def _full_disk_sweep(exp: Path, out: Path) -> tuple[bool, str]:
    """The disk fills up after a few runs are stored: one line naming the file, and the
    folder resumes."""
    import errno

    import pyarrow.parquet as pq

    shutil.rmtree(out)
    real, calls = pq.write_table, []

    def full(table, where, *args, **kwargs):
        calls.append(where)
        if len(calls) > 5:
            raise OSError(errno.ENOSPC, "No space left on device", str(where))
        return real(table, where, *args, **kwargs)

    pq.write_table = full
    try:
        outcome, line, _ = _sweep_cli(exp, out)
    finally:
        pq.write_table = real
    named = "No space left on device" in line and str(out) in line and ".tmp" not in line
    resumed, _, _ = _sweep_cli(exp, out)
    return outcome == "refused" and named and resumed == "accepted", line


def _scheduler_lost(exp: Path, out: Path) -> tuple[bool, str]:
    """Kill the Dask scheduler mid-sweep: the sweep must end promptly with a message and a
    non-zero status, and resume to the same tables."""
    shutil.rmtree(out)
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    sched = subprocess.Popen(
        [
            str(BIN / "dask"),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            "127.0.0.1:0",
            "--no-show",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            str(BIN / "dask"),
            "worker",
            addr,
            "--nthreads",
            "1",
            "--nworkers",
            "1",
            "--host",
            "127.0.0.1",
            "--dashboard-address",
            "127.0.0.1:0",
            "--no-nanny",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(3)
        cmd = [
            str(BIN / "statecraft"),
            "sweep",
            str(exp),
            "--out",
            str(out),
            "--scheduler",
            addr,
            "--no-progress",
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        end = time.monotonic() + 120
        while time.monotonic() < end and len(list((out / "final").glob("*.parquet"))) < 1:
            time.sleep(0.05)
        os.killpg(sched.pid, signal.SIGKILL)
        t0 = time.monotonic()
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            return False, "the sweep hung after the scheduler was lost"
        took = time.monotonic() - t0
        line = err.strip().splitlines()[-1] if err.strip() else ""
        one_line = len(err.strip().splitlines()) == 1  # no Dask tracebacks before it
        ok = proc.returncode == 2 and "lost the Dask scheduler" in line and one_line
    finally:
        for p in (worker, sched):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
    outcome, _, _ = _sweep_cli(exp, out)
    return ok and outcome == "accepted", f"ended {took:.1f} s after the loss: {line}"


def _edit(rel: str, load_first: bool = False) -> Callable[[Path], None]:
    """Rewrite a Parquet file with one value changed under its old schema metadata (what a
    careless script or a forger does); ``load_first`` writes the merged tables first."""

    def fn(out: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if load_first:
            _tables(out)
        p = out / rel
        table = pq.read_table(p)
        df = table.to_pandas()
        col = next(c for c in df.columns if df[c].dtype.kind == "f")
        df[col] = df[col] + 1.0
        edited = pa.Table.from_pandas(df, preserve_index=False)
        pq.write_table(edited.replace_schema_metadata(table.schema.metadata), p)

    return fn


def _forge(rel: str) -> Callable[[Path], None]:
    """Like :func:`_edit`, and the file's own content digest rewritten to match (a forger who
    knows the format)."""

    def fn(out: Path) -> None:
        import pyarrow.parquet as pq
        from statecraft.sweep.store import table_digest

        _edit(rel)(out)
        p = out / rel
        table = pq.read_table(p)
        meta = dict(table.schema.metadata)
        tag = json.loads(meta[b"statecraft"])
        meta[b"statecraft"] = json.dumps({**tag, "data": table_digest(table)}).encode()
        pq.write_table(table.replace_schema_metadata(meta), p)

    return fn


def _stub_manifest(out: Path) -> None:
    (out / "manifest.json").write_text('{"runs":[{"run_id":5}]}', encoding="utf-8")
    (out / "manifest.prev.json").unlink()


def _foreign_manifests(out: Path) -> None:
    """Both manifests copied from a sweep of another experiment."""
    from statecraft.experiment import load_experiment
    from statecraft.sweep import run_sweep

    other = out.parent / f"{out.name}-other"
    other.mkdir()
    path = other / "other.toml"
    path.write_text(_exp("replicates = 1", factors="herding = [0.2, 0.8]"), encoding="utf-8")
    run_sweep(load_experiment(path), other / "sweep", workers=1, progress=False)
    for name in ("manifest.json", "manifest.prev.json"):
        shutil.copyfile(other / "sweep" / name, out / name)


def _worker_killed(exp: Path, out: Path) -> tuple[bool, str]:
    """SIGKILL one pool worker of a running sweep once two runs are stored: the sweep must end
    by itself, every run stored (see benchmarks/worker_kill.py, which repeats this)."""
    from statecraft.experiment import load_experiment
    from worker_kill import one_try

    size = load_experiment(exp).size
    outcome, detail = one_try(exp, out, limit=300.0, after=2, expected=size)
    outcome2, _, _ = _sweep_cli(exp, out)
    return outcome == "ok" and outcome2 == "accepted", f"{outcome} {detail}".strip()


def _dies_mid_send(exp: Path, out: Path) -> tuple[bool, str]:
    """A worker dies half-way through sending its result (the pool then never reports it)."""
    import dataclasses

    sys.path.insert(0, str(ROOT))
    from statecraft.evaluate import LocalEvaluator
    from statecraft.experiment import load_experiment
    from statecraft.sweep.store import task_for

    from tests import faults

    e = load_experiment(exp)
    marker = str(out.parent / f"{out.name}-died")
    tasks = [dataclasses.replace(task_for(e, s), experiment=marker) for s in e.runs()]
    outcomes = list(LocalEvaluator(2, fn=faults.die_mid_send_once).evaluate(tasks))
    errors = [o.error for o in outcomes if o.error]
    died = Path(marker).exists()
    ok = died and len(outcomes) == len(tasks) and not errors
    return ok, f"{len(outcomes)} of {len(tasks)} runs, errors: {errors[:1]}"


#: name -> drill(experiment file, complete sweep folder copy) -> (passed, detail)
DRILLS: dict[str, Callable[[Path, Path], tuple[bool, str]]] = {
    "run file copied over another's": _damage(_swap),
    "time series copied over another's": _damage(_swap_ts),
    "final file truncated": _damage(_truncate("final/p00001-r001.parquet")),
    "final file with a flipped byte": _damage(_flip("final/p00002-r000.parquet")),
    "time-series file truncated": _damage(_truncate("timeseries/p00000-r001.parquet")),
    "time-series file deleted": _damage(_delete("timeseries/p00001-r000.parquet")),
    "final file deleted": _damage(_delete("final/p00000-r000.parquet")),
    "every final file emptied": _damage(_every_file),
    "manifest truncated": _damage(_truncate("manifest.json")),
    "manifest and its copy lost": _damage(_delete("manifest.json", "manifest.prev.json")),
    "manifest emptied, copy truncated": _damage(
        lambda out: (_truncate("manifest.prev.json")(out), (out / "manifest.json").write_bytes(b""))
    ),
    "error record truncated": _damage(_fake_error),
    "stray temporary files": _damage(_stray, harmless=True),
    "sweep killed with SIGKILL": _kill_mid_sweep(signal.SIGKILL),
    "sweep ended with SIGTERM": _kill_mid_sweep(signal.SIGTERM),
    "sweep interrupted with Ctrl-C": _kill_mid_sweep(signal.SIGINT),
    "two writers at once": _two_writers,
    "planted .lock symlink": _lock_symlink,
    "a run that kills its worker": _killer_run,
    "full disk during `run` over old results": _full_disk_run,
    "full disk during a sweep": _full_disk_sweep,
    "Dask scheduler killed mid-sweep": _scheduler_lost,
    # --- second audit ---
    "merged table edited under its metadata": _damage(_edit("final.parquet", load_first=True)),
    "manifests lost and a run file edited": _damage(
        lambda out: (
            _delete("manifest.json", "manifest.prev.json")(out),
            _edit("final/p00001-r001.parquet")(out),
        )
    ),
    "manifests lost and a run file forged with its digest": _damage(
        lambda out: (
            _delete("manifest.json", "manifest.prev.json")(out),
            _forge("final/p00001-r000.parquet")(out),
        )
    ),
    "manifest replaced by a stub, copy lost": _damage(_stub_manifest),
    "manifests copied from another sweep": _damage(_foreign_manifests),
    "one worker SIGKILLed mid-sweep": _worker_killed,
    "a worker dies half-way through sending a result": _dies_mid_send,
}


def run_faults(verbose: bool = True) -> dict[str, int]:
    """Run every drill on a fresh copy of a complete sweep; return the tallies."""
    from statecraft.experiment import load_experiment
    from statecraft.sweep import run_sweep

    tally = {"drills": 0, "survived": 0, "nothing_lost": 0}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        exp = _write_experiment(tmp)
        ref_dir = tmp / "ref"
        run_sweep(load_experiment(exp), ref_dir, workers=1, progress=False)
        ref = _tables(ref_dir)
        for i, (name, drill) in enumerate(DRILLS.items()):
            out = tmp / f"d{i}"
            shutil.copytree(ref_dir, out)
            t0 = time.perf_counter()
            try:
                passed, detail = drill(exp, out)
            except Exception:
                passed, detail = False, traceback.format_exc().strip().splitlines()[-1]
            intact = out.exists() and (out / "manifest.json").exists() and _same(_tables(out), ref)
            passed, intact = bool(passed), bool(intact)
            tally["drills"] += 1
            tally["survived"] += passed
            tally["nothing_lost"] += intact
            if verbose:
                mark = "ok  " if passed and intact else "FAIL"
                lost = "" if intact else " [tables differ from the undisturbed sweep]"
                dt = time.perf_counter() - t0
                print(f"{mark} {name} ({dt:.1f} s){lost}: {detail[:140]}")
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", action="store_true", help="hostile inputs only")
    ap.add_argument("--faults", action="store_true", help="fault drills only")
    args = ap.parse_args(argv)
    results = {}
    if not args.faults:
        results["inputs"] = run_inputs()
        print(json.dumps(results["inputs"]))
    if not args.inputs:
        results["faults"] = run_faults()
        print(json.dumps(results["faults"]))
    bad = results.get("inputs", {}).get("tried", 0) - results.get("inputs", {}).get(
        "as_declared", 0
    )
    bad += results.get("faults", {}).get("drills", 0) - min(
        results.get("faults", {}).get("survived", 0),
        results.get("faults", {}).get("nothing_lost", 0),
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
