"""Paired replications of a baseline and a what-if with common random numbers (issue 12).

Replication ``r`` runs both scenarios with the seed ``seed + r`` (the batch rule of ``twin.batch.expand``); random
streams are keyed by (line, source) names (``twin.rng``), so the two runs of a pair draw the same breakdowns,
coil lengths and gauge noise wherever their plants share a source. Each KPI's delta is the mean of the paired
differences with its two-sided Student-t interval (n − 1 degrees of freedom); the delta is significant when the
interval excludes 0. Common random numbers make the paired differences' spread smaller than the spread of either
scenario alone, so fewer replications tell a real change from noise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from process_models.errors import FoiltwinInputError
from twin.progress import Progress, ProgressCallback, eta_s
from twin.results_db import flatten
from twin.scenario import Scenario, field_bounds

MAX_REPLICATIONS = 100
CONFIDENCE = 0.95
SAME_REL = 1e-9  # a paired difference this small relative to the KPI is rounding, not a change


@dataclass(frozen=True)
class PairedDelta:
    """One KPI over ``n`` pairs: means of both scenarios, mean and standard deviation of the paired difference
    (what-if − baseline), its t-interval at :data:`CONFIDENCE` (None with one pair) and whether that excludes 0."""

    kpi: str
    n: int
    baseline_mean: float
    whatif_mean: float
    delta_mean: float
    delta_sd: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def significant(self) -> bool | None:
        """The interval excludes 0 (None with one pair: no interval). A mean difference within
        :data:`SAME_REL` of the KPI's size is floating-point rounding of two equal runs, never significant."""
        if self.ci_low is None or self.ci_high is None:
            return None
        if abs(self.delta_mean) <= SAME_REL * max(abs(self.baseline_mean), abs(self.whatif_mean)):
            return False
        return self.ci_low > 0.0 or self.ci_high < 0.0

    @property
    def half_width(self) -> float | None:
        return None if self.ci_low is None or self.ci_high is None else 0.5 * (self.ci_high - self.ci_low)


def t_interval(values: list[float], confidence: float = CONFIDENCE) -> tuple[float, float | None, float | None,
                                                                             float | None]:
    """(mean, sample sd, low, high) of the two-sided Student-t interval of the mean; sd and interval None for one
    value."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = math.fsum(values) / n
    if n == 1:
        return mean, None, None, None
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    from scipy.stats import t as student_t

    half = float(student_t.ppf(0.5 + confidence / 2.0, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


@dataclass(frozen=True)
class PairedReplications:
    """The reports of ``n`` paired runs and the deltas of every numeric KPI both reports of each pair hold (keys
    flattened as in the results database: ``cost_per_m2``, ``skin_thickness_nm.p05``, ``lines.uht-1.oee``)."""

    seeds: tuple[int, ...]
    baseline: tuple[dict[str, Any], ...]
    whatif: tuple[dict[str, Any], ...]
    deltas: dict[str, PairedDelta]

    @property
    def n(self) -> int:
        return len(self.seeds)

    def delta(self, path: tuple[str, ...] | str) -> PairedDelta | None:
        key = path if isinstance(path, str) else ".".join(path)
        return self.deltas.get(key)


def paired_deltas(baseline: list[dict[str, Any]], whatif: list[dict[str, Any]],
                  confidence: float = CONFIDENCE) -> dict[str, PairedDelta]:
    """Per KPI key present in every report of both lists: the paired-difference statistics."""
    if len(baseline) != len(whatif) or not baseline:
        raise ValueError("paired_deltas needs as many baseline as what-if reports, at least one")
    flat_a = [flatten(r) for r in baseline]
    flat_b = [flatten(r) for r in whatif]
    keys = set(flat_a[0])
    for f in (*flat_a, *flat_b):
        keys &= set(f)
    out = {}
    for key in sorted(keys):
        a = [f[key] for f in flat_a]
        b = [f[key] for f in flat_b]
        mean, sd, lo, hi = t_interval([y - x for x, y in zip(a, b, strict=True)], confidence)
        out[key] = PairedDelta(key, len(a), math.fsum(a) / len(a), math.fsum(b) / len(b), mean, sd, lo, hi)
    return out


def _memoised_run() -> Callable[[Scenario], dict[str, Any]]:
    """``twin.simulate.run_single`` with one physics memo over the call's runs (:mod:`twin.physics_memo`): the
    replications meet mostly the same segment histories; the reports are those of separate runs, bit for bit."""
    from twin.physics_memo import PhysicsMemo
    from twin.simulate import run_single

    memo = PhysicsMemo()
    return lambda scenario: run_single(scenario, physics_memo=memo)


def run_paired(baseline: Scenario, whatif: Scenario, replications: int,
               progress: ProgressCallback | None = None,
               run: Callable[[Scenario], dict[str, Any]] | None = None) -> PairedReplications:
    """``replications`` pairs (baseline, what-if) with seeds ``baseline.seed + r`` for both (common random
    numbers); ``run`` is ``twin.simulate.run_single`` unless given (a caller's cache). ``progress``
    (``twin.progress``) gets job "replications", ``done`` of ``2 * replications`` runs, after each run."""
    if isinstance(replications, bool) or not isinstance(replications, int) or not 1 <= replications <= MAX_REPLICATIONS:
        raise FoiltwinInputError("replications", replications, f"an integer in [1, {MAX_REPLICATIONS}]")
    if whatif.seed != baseline.seed:
        raise FoiltwinInputError("seed", whatif.seed, f"the baseline's seed {baseline.seed} (common random numbers)")
    hi = field_bounds(Scenario, "seed").high
    if hi is not None and baseline.seed + replications - 1 > hi:
        raise FoiltwinInputError("seed", baseline.seed, f"at most {int(hi) - replications + 1} with {replications} "
                                 "replications (replication r runs with seed + r)")
    if run is None:
        run = _memoised_run()
    seeds = tuple(baseline.seed + r for r in range(replications))
    total = 2 * replications
    reports_a: list[dict[str, Any]] = []
    reports_b: list[dict[str, Any]] = []
    t0 = time.monotonic()
    for r, seed in enumerate(seeds):
        for which, sc, sink in (("baseline", baseline, reports_a), ("what-if", whatif, reports_b)):
            sink.append(run(sc if r == 0 else sc.model_copy(update={"seed": seed})))
            if progress is not None:
                done, elapsed = len(reports_a) + len(reports_b), time.monotonic() - t0
                progress(Progress("replications", f"replication {r + 1}/{replications}: {which} (seed {seed})", done,
                                  total, "runs", elapsed, eta_s=eta_s(done, total, elapsed)))
    return PairedReplications(seeds, tuple(reports_a), tuple(reports_b), paired_deltas(reports_a, reports_b))


def replicate(scenarios: list[Scenario], replications: int, seed: int, progress: ProgressCallback | None = None,
              run: Callable[[Scenario], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Each scenario ``replications`` times with the seeds ``seed + r`` (the same for every scenario: common random
    numbers), summarised as ``ResultsDB.summary`` rows: per scenario its name, runs, and per numeric KPI key (plant
    level, flattened) the mean, sd, n, min, max and 95 % t-interval (``kpi_statistics``; a KPI that some run
    reports as undefined, such as a cost per good m² without good m², as ``undefined_statistics``). Names that
    repeat get ``#2``, ``#3``."""
    from twin.results_db import kpi_statistics, undefined_leaves, undefined_statistics

    if isinstance(replications, bool) or not isinstance(replications, int) or not 1 <= replications <= MAX_REPLICATIONS:
        raise FoiltwinInputError("replications", replications, f"an integer in [1, {MAX_REPLICATIONS}]")
    hi = field_bounds(Scenario, "seed").high
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0 or (hi is not None and
                                                                        seed + replications - 1 > hi):
        raise FoiltwinInputError("seed", seed, f"an integer in [0, {int(hi or 0) - replications + 1}] with "
                                 f"{replications} replications")
    if run is None:
        run = _memoised_run()
    total, done, t0 = len(scenarios) * replications, 0, time.monotonic()
    out, seen = [], {}
    for sc in scenarios:
        seen[sc.name] = seen.get(sc.name, 0) + 1
        name = sc.name if seen[sc.name] == 1 else f"{sc.name} #{seen[sc.name]}"
        flats, undefined = [], []
        for r in range(replications):
            report = run(sc.model_copy(update={"seed": seed + r}))
            plant = {k: v for k, v in report.items() if k != "lines"}
            flats.append(flatten(plant))
            undefined.append(set(undefined_leaves(plant)))
            done += 1
            if progress is not None:
                elapsed = time.monotonic() - t0
                progress(Progress("replications", f"{name}: replication {r + 1}/{replications} (seed {seed + r})",
                                  done, total, "runs", elapsed, eta_s=eta_s(done, total, elapsed)))
        row: dict[str, Any] = {"scenario": name, "runs_ok": replications, "factors": {}}
        for key in sorted(set.intersection(*(set(f) | u for f, u in zip(flats, undefined, strict=True)))):
            vals = [f[key] for f in flats if key in f]
            if len(vals) < replications:  # undefined in some run (no good m²): said, with the reason
                row[key] = undefined_statistics(replications, replications - len(vals), key)
                continue
            mean, sd, _, _ = t_interval(vals)
            row[key] = kpi_statistics(len(vals), mean, sd, min(vals), max(vals))
        out.append(row)
    return out
