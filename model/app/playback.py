"""A session's run, computed ahead of what the page shows (no Solara here).

The page shows month ``shown`` of a :class:`Playback`; the model behind it may already be further
on. Once a new run (a lever, a seed, a scenario, Reset) is drawn in the browser, a background
thread computes the rest of it month by month (started then, not earlier, so that it does not
compete with drawing the change for the interpreter), so that Step, ▶ and "Run to the end"
only move what is shown and the charts' axes are known for the whole run. Each computed month
keeps a small snapshot of the ecosystem (city funds, niches, startups), so the ecosystem view
can show any month already computed, not only the model's latest.

The thread never touches the page's state: it only steps the model, under :attr:`lock`, which
every reader holds too. A new run :meth:`stop` s the old one's thread.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import StatecraftModel
from ..params import NICHES, Params

__all__ = ["MAX_POINTS", "Ecosystem", "Playback", "ecosystem_snapshot", "jitter"]

MAX_POINTS = 2500  # startups kept per month for the ecosystem view; more only slow the drawing
GRID = 1000  # startups' positions are kept as integers 0..GRID


def jitter(uid: np.ndarray) -> np.ndarray:
    """A stable pseudo-random number in [0, 1) per startup, so that points do not jump between
    months (splitmix64 of the startup's id; no generator, the run's draws stay untouched)."""
    z = uid.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / 2.0**53


@dataclass(frozen=True)
class Ecosystem:
    """What the ecosystem view draws for one month.

    ``money[f, j]``: state money (US$ m) that city ``f``'s live startups in niche ``j`` received.
    ``x`` (capability, 0 = least capable shown, :data:`GRID` = most), ``y`` (position inside the
    niche's band, 0..GRID), ``niche`` and ``kind`` (0 state-backed, 1 private only, 2 champion)
    of up to :data:`MAX_POINTS` startups (every champion among them).
    """

    step: int
    month: str
    cities: tuple[str, ...]
    money: np.ndarray
    counts: np.ndarray
    devalued: tuple[bool, ...]
    x: np.ndarray
    y: np.ndarray
    niche: np.ndarray
    kind: np.ndarray
    total: int

    def to_json(self) -> dict[str, Any]:
        """Plain lists for the browser (the ecosystem view draws them on a canvas)."""
        top = float(self.money.max()) if self.money.size and self.money.max() > 0 else 1.0
        links = [
            [int(f), int(j), round(float(self.money[f, j]) / top, 3)]
            for f, j in zip(*np.nonzero(self.money > 0), strict=True)
        ]
        by_city = self.money.sum(axis=1)
        return {
            "step": self.step,
            "month": self.month,
            "cities": list(self.cities),
            "city_size": [round(float(v), 3) for v in by_city / max(float(by_city.max()), 1e-12)],
            "niches": list(NICHES),
            "counts": [int(c) for c in self.counts],
            "devalued": list(self.devalued),
            "links": links,
            "x": self.x.tolist(),
            "y": self.y.tolist(),
            "niche": self.niche.tolist(),
            "kind": self.kind.tolist(),
            "total": self.total,
        }


def ecosystem_snapshot(model: StatecraftModel) -> Ecosystem:
    """The ecosystem view's data for the model's current month."""
    s = model.startups
    k = len(NICHES)
    cities = tuple(fund.city for fund in model.city_funds)
    n_f = len(cities)
    city = np.asarray(s.city, dtype=np.int64)
    niche = np.asarray(s.niche, dtype=np.int64)
    state = np.asarray(s.state_received, dtype=float)
    money = np.bincount(city * k + niche, weights=state, minlength=n_f * k).reshape(n_f, k)
    counts = np.bincount(niche, minlength=k)
    shifted = model.steps > getattr(model, "shift_index", 10**9)
    devalued = np.asarray(getattr(model, "devalued", np.zeros(k, dtype=bool)), dtype=bool)
    flags = tuple(bool(shifted and j < len(devalued) and devalued[j]) for j in range(k))
    n = len(s)
    empty = np.zeros(0, dtype=np.int16)
    month = model.months[model.steps - 1] if model.steps else model.months[0]
    if n == 0:
        return Ecosystem(
            model.steps, month, cities, money, counts, flags, empty, empty, empty, empty, 0
        )
    uid = np.asarray(s.uid)
    champ = np.asarray(s.champion, dtype=bool)
    keep = np.ones(n, dtype=bool) if n <= MAX_POINTS else jitter(uid + 7) < MAX_POINTS / n
    keep |= champ
    cap = np.asarray(s.capability, dtype=float)
    # a few laggards would squeeze everyone else to the right: clip the lowest 2 %
    lo, hi = float(np.quantile(cap, 0.02)), float(cap.max())
    x = (np.clip(cap, lo, hi) - lo) / (hi - lo if hi > lo else 1.0)
    kind = np.where(champ, 2, np.where(state > 0, 0, 1))
    return Ecosystem(
        model.steps,
        month,
        cities,
        money,
        counts,
        flags,
        np.round(x[keep] * GRID).astype(np.int16),
        np.round(jitter(uid[keep]) * GRID).astype(np.int16),
        niche[keep].astype(np.int8),
        kind[keep].astype(np.int8),
        n,
    )


class Playback:
    """One run of the model: computed months, their snapshots, and a thread computing ahead.

    Parameters
    ----------
    params : Params
        The run's parameters.
    seed : int
        The run's seed.
    """

    _serial = itertools.count(1)

    def __init__(self, params: Params, seed: int) -> None:
        self.serial = next(self._serial)  # names the run in the browser (ids can be reused)
        self.params = params
        self.seed = seed
        self.model = StatecraftModel(params, rng=seed)
        self.months: list[str] = list(self.model.months)
        self.lock = threading.Lock()
        # month -> its ecosystem; a replay to the month on screen keeps only that month's (the
        # page never goes back in a run: Reset makes a new one)
        self.snapshots: dict[int, Ecosystem] = {0: ecosystem_snapshot(self.model)}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def total(self) -> int:
        """Months in the run."""
        return len(self.months)

    @property
    def computed(self) -> int:
        """Months computed so far."""
        return self.model.steps

    def advance_to(self, n: int, *, replay: bool = False) -> int:
        """Compute the run up to month ``n`` (no further than its end); return months computed.

        ``replay``: the months before ``n`` will not be shown, so only month ``n`` keeps its
        ecosystem snapshot (a lever change replays the new run to the month on screen).
        """
        n = min(n, self.total)
        while self.model.steps < n:
            with self.lock:
                if self.model.steps >= n:
                    break
                self.model.step()
                if not replay or self.model.steps == n:
                    self.snapshots[self.model.steps] = ecosystem_snapshot(self.model)
        return self.model.steps

    def compute_ahead(self) -> None:
        """Start computing the rest of the run in a background thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._ahead, name="statecraft-ahead", daemon=True
            )
            self._thread.start()

    def _ahead(self) -> None:
        while not self._stop.is_set() and self.model.steps < self.total:
            self.advance_to(self.model.steps + 1)

    def stop(self) -> None:
        """Stop computing ahead (the run is no longer shown)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread computing ahead (tests, the benchmark)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def series(self, names: list[str] | set[str]) -> dict[str, list[float | None]]:
        """The computed values of the metrics ``names`` (``None`` for a missing number)."""
        with self.lock:
            n = self.model.steps
            out = {}
            for name in names:
                values = self.model.datacollector.model_vars.get(name, [])[:n]
                out[name] = [None if v is None or v != v else float(v) for v in values]
            return out

    def snapshot(self, shown: int) -> Ecosystem:
        """The ecosystem at month ``shown`` (computing up to it if needed)."""
        self.advance_to(shown)
        with self.lock:
            return self.snapshots[max(k for k in self.snapshots if k <= shown)]

    def table(self, shown: int) -> list[dict[str, Any]]:
        """The run's time series up to month ``shown``: one row per month, every metric."""
        self.advance_to(shown)
        with self.lock:
            data = self.model.datacollector.model_vars
            names = list(data)
            return [
                {"month": self.months[i], "step": i + 1, **{k: data[k][i] for k in names}}
                for i in range(shown)
            ]
