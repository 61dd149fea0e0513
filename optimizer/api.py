"""``optimize``: targets in, checked settings out — surrogate MILP, local refinement, twin loop, infeasibility.

1. Coarse tables over the search box (cached per plant, parameters and skin window) → all-modes MILP → a point;
   the runner-up mode (no-good cut) is kept too when it is within 3 % on the coarse tables.
2. The point is evaluated with the process models. With its mode fixed, a trust-region loop: small local tables
   (skin 2×3×3, stage II 3×3) are sampled on a region around the point (half-widths start at one coarse knot
   spacing), the models' offset from the table at the last checked point is added (zero-order bias: skin, phase
   margin, surface Zn, melting margin) and the MILP is solved again; a cheaper accepted point re-centres the region
   (axes that held it back grow), any other step goes back to the best point so far with the region halved — until a
   step improves the checked objective by < 0.5 % or 4 steps in a row are not accepted; the loop then restarts from
   its incumbent on a region half as wide while that pays, within max_refinements × 3 refinements, and returns the
   best point it accepted (:meth:`_Run._refine_mode`). Accepted: the surrogate's skin within max(tolerance/10,
   3 nm) of the models and the models meeting the targets, the melting guard included (no melt at the peak + 3σ).
3. The point is run in the twin (short horizon, fixed seed). A twin meeting every target prices the point (its
   cost is reported; a cost or throughput > 10 % off the models' is said in the message). If the twin misses a
   target, the best point the loop accepted farther from the α edge is run in the twin first (:func:`_backed_off`);
   without one, its offsets (skin thickness, yield, time per m²) are added to the surrogate and the loop of 2. resumes
   from the point; the loop gives up after ``max_twin_iterations`` with a report of what misses.
4. If the MILP stays infeasible (also on tables refined around its elastic point), an elastic copy minimises
   weighted target violations: the conflicting targets and the nearest achievable point come back with status
   "infeasible" (and :class:`TargetsInfeasibleError`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimizer.cache_store import made_by
from optimizer.economics import Economics, economics
from optimizer.errors import TargetsInfeasibleError
from optimizer.metal_surrogates import build_metal_skin, check_skin_metals, metal_spec
from optimizer.model import Corrections, build_model
from optimizer.pwl import GridTable, output
from optimizer.result import OptimizationResult
from optimizer.solution import Point, binding, predicted, read_point
from optimizer.solve import DEFAULT_SOLVER, check_solver, solve
from optimizer.space import DecisionSpace, SearchRanges
from optimizer.surrogates import (
    OptimiserCache,
    Surrogates,
    build_skin,
    build_surrogates,
    decision_space_of,
    held_out_errors,
    stage2_outputs,
    table_errors,
)
from optimizer.targets import OBJECTIVE_KPIS, Targets
from optimizer.verify import (
    GUARD_MISS,
    Check,
    check_in_twin,
    check_melting_guard,
    check_with_models,
    judge_melting_guard,
    least_soak,
)
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters.registry import ParameterValues
from twin.progress import Progress, ProgressCallback
from twin.scenario import Scenario, field_bounds
from twin.simulate import build_parameters

LOCAL_SKIN_SHAPE = (2, 3, 3)  # local tables: the region's centre ± its half-width on every axis
LOCAL_STAGE2_SHAPE = (3, 3)
SHRINK = 0.5  # half-widths of axes that did not hold the point back shrink by this each local iteration
EDGE_FRAC = 0.9  # a point this far from the centre (in half-widths) sits on the region's edge
AGREE_FRACTION_OF_TOLERANCE = 0.1
AGREE_MIN_NM = 3.0


def _frozen(value: Any) -> Any:
    """``value`` as nested tuples (dicts sorted by key, dataclasses by field), so that it can key a cache."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_frozen(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _key(space: DecisionSpace, params: ParameterValues, window: tuple[float, float],
         skin_metals: tuple[str, ...] = ("Zn",)) -> tuple:
    """What the coarse tables are built from: every field of the decision space (the scenario enters through
    them: the stage-III scatter of the melting guard, the coils of the anneal table, the baths of the plating
    tables too), the limits and source of each skin metal other than Zn (the scenario's spec and line), the
    parameters and the skin window. Two plants share tables only when all of these agree."""
    eq = tuple((f.name, _frozen(getattr(space, f.name))) for f in fields(space) if f.name != "scenario")
    metals = tuple(_frozen(metal_spec(space, x)) for x in skin_metals if x != "Zn")
    return eq, skin_metals, metals, tuple(sorted(params.items())), tuple(round(w, 6) for w in window)


def coarse_surrogates(space: DecisionSpace, params: ParameterValues, window: tuple[float, float],
                      held_out: bool = True, seed: int = 0, cache: OptimiserCache | None = None,
                      skin_metals: tuple[str, ...] = ("Zn",)) -> Surrogates:
    """The coarse tables over the whole search box (kept in ``cache`` when given; its citations replayed on a
    hit); ``skin_metals``: the metals the line may use (a table each for those other than Zn)."""
    def build(keys: list[tuple]) -> list[Surrogates]:
        return [build_surrogates(space, params, window, skin_shape=(3, 6, 5), held_out=held_out, seed=seed,
                                 skin_metals=skin_metals) for _ in keys]

    if cache is None:
        return build([()])[0]
    s = cache.coarse.get_many([_key(space, params, window, skin_metals)], build)[0]
    if held_out and not s.errors:  # cached without its held-out check: add it now (the other metals' too)
        s.errors = table_errors(space, params, s, window, seed)
    return s


@dataclass(frozen=True)
class _Region:
    """The trust region of the local phase: centre and half-width of every axis of the skin table
    (ln loading, T3, ln t3) and of the stage-II table (1/T2, ln t2)."""

    centre: tuple[np.ndarray, np.ndarray]
    half: tuple[np.ndarray, np.ndarray]

    @staticmethod
    def around(coarse: Surrogates, route: str, centre: tuple[list[float], list[float]]) -> _Region:
        """Half-widths of one knot spacing of the coarse tables."""
        half = tuple(np.array([(a[-1] - a[0]) / (a.size - 1) for a in t.axes])
                     for t in (coarse.skin[route], coarse.stage2))
        return _Region((np.asarray(centre[0], float), np.asarray(centre[1], float)), half)  # type: ignore[arg-type]

    def boxes(self, outer: tuple[list[tuple[float, float]], list[tuple[float, float]]]
              ) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """centre ± half on every axis, shifted (not shrunk) to stay inside ``outer``."""
        out = []
        for c, h, bounds in zip(self.centre, self.half, outer, strict=True):
            box = []
            for ck, hk, (lo, hi) in zip(c, h, bounds, strict=True):
                hk = min(hk, (hi - lo) / 2.0)
                ck = min(max(ck, lo + hk), hi - hk)
                box.append((ck - hk, ck + hk))
            out.append(box)
        return out[0], out[1]

    def moving(self, new: tuple[list[float], list[float]], outer: tuple[list[tuple[float, float]],
                                                                         list[tuple[float, float]]]
               ) -> tuple[np.ndarray, np.ndarray]:
        """Axes on which the new point sits on the edge of the region (the region held it back), away from the
        search bounds."""
        flags = []
        for c, h, x, bounds in zip(self.centre, self.half, new, outer, strict=True):
            x = np.asarray(x, float)
            lo = np.array([b[0] for b in bounds])
            hi = np.array([b[1] for b in bounds])
            tol = 1e-6 * (hi - lo)
            flags.append((np.abs(x - c) >= EDGE_FRAC * h) & (x > lo + tol) & (x < hi - tol))
        return flags[0], flags[1]

    def step(self, new: tuple[list[float], list[float]], moving: tuple[np.ndarray, np.ndarray]) -> _Region:
        """Re-centred on ``new``; axes that held the point back keep their width, the others shrink."""
        half = tuple(np.where(mv, h, SHRINK * h) for h, mv in zip(self.half, moving, strict=True))
        return _Region((np.asarray(new[0], float), np.asarray(new[1], float)), half)  # type: ignore[arg-type]

    def grown(self, new: tuple[list[float], list[float]], moving: tuple[np.ndarray, np.ndarray]) -> _Region:
        """Re-centred on ``new`` after a successful step: axes that held the point back grow by 1/SHRINK, the
        others keep their width (shrinking them on a success only slows the walk to the optimum)."""
        half = tuple(np.where(mv, h / SHRINK, h) for h, mv in zip(self.half, moving, strict=True))
        return _Region((np.asarray(new[0], float), np.asarray(new[1], float)), half)  # type: ignore[arg-type]

    def widened(self, factor: float) -> _Region:
        return _Region(self.centre, (self.half[0] * factor, self.half[1] * factor))


def _centre(space: DecisionSpace, m: pyo.ConcreteModel, route: str) -> tuple[list[float], list[float]]:
    """Coordinates of the solved point in the skin table and in the stage-II table."""
    u = m.uht
    ln_t3 = pyo.value(u.ln_pace) + math.log(space.stage3_heater_length_m)  # the route's copies equal these
    ln_t2 = pyo.value(u.ln_pace) + sum(pyo.value(u.y_zone[k]) * math.log(space.zone_lengths_m[k - 1])
                                       for k in u.ZONES)
    return [pyo.value(u.ln_loading[route]), pyo.value(u.T3), ln_t3], [pyo.value(u.inv_T2), ln_t2]


def _centre_of(space: DecisionSpace, cand: Candidate, route: str) -> tuple[list[float], list[float]]:
    """:func:`_centre` of a candidate's point: its model's coordinates with the peak the point was checked at (a
    coarse point moved down to its melting edge keeps its model)."""
    skin, stage2 = _centre(space, cand.model, route)
    return [skin[0], cand.point.stage3_peak_K, skin[2]], stage2


def _outer(coarse: Surrogates, route: str) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    return coarse.skin[route].bounds(), coarse.stage2.bounds()


def _refine(space: DecisionSpace, params: ParameterValues, s: Surrogates, coarse: Surrogates, route: str,
            region: _Region) -> Surrogates:
    """Local tables on ``region`` (the chosen route's skin table and the stage-II table); the skin samples take
    their stage II at the region's stage-II time (its temperature solved for each loading)."""
    box, box2 = region.boxes(_outer(coarse, route))
    table = build_skin(space, params, route, box, LOCAL_SKIN_SHAPE, s.law["b_K"], s.solvus_zn_frac,
                       float(region.centre[1][1]), float(1.0 / region.centre[1][0]), guard=True)
    axes2 = tuple(np.linspace(lo, hi, n) for (lo, hi), n in zip(box2, LOCAL_STAGE2_SHAPE, strict=True))
    t2 = GridTable("stage2", ("inv_T2", "ln_t2"), axes2)
    V = t2.vertices()
    out2 = stage2_outputs(space, params, V[:, 0], V[:, 1], s.nominal_loading_kg_per_m2)
    t2 = t2.with_values({k: v.reshape(t2.shape) for k, v in out2.items()})
    skin = dict(s.skin)
    skin[route] = table
    per_vertex = 1 + (1 if any(k.startswith("plated") for k in space.modes) else 0)
    return replace(s, stage2=t2, skin=skin, samples=s.samples + table.n_vertices + per_vertex * t2.n_vertices,
                   errors={})


def _agrees(pred: dict, chk: Check, targets: Targets, factor: float = 1.0) -> bool:
    """The surrogate agrees with the process models at the point (within ``factor`` × the agreement bound), and the
    models meet the targets there."""
    s_true = chk.kpis["skin_thickness_expected_nm"]
    ok_skin = abs(pred["skin_thickness_nm"] - s_true) <= factor * max(
        AGREE_FRACTION_OF_TOLERANCE * targets.tolerance_nm, AGREE_MIN_NM)
    return chk.ok and ok_skin


def _summary(point: Point, pred: dict, chk: Check, kind: str) -> dict[str, Any]:
    return {"kind": kind, "mode": point.mode, "web_speed_m_per_min": point.web_speed_m_per_min,
            "stage2_temperature_K": point.stage2_temperature_K, "stage3_peak_K": point.stage3_peak_K,
            "stage2_modules_on": point.stage2_modules_on, "predicted_skin_nm": pred["skin_thickness_nm"],
            "models_skin_nm": chk.kpis["skin_thickness_nm"], "models_phase": chk.kpis["skin_phase"],
            "predicted_cost_per_m2": pred["cost_per_m2"], "models_cost_per_m2": chk.kpis["cost_per_m2"],
            "misses": list(chk.misses)}


MODE_MARGIN_FRAC = 0.03  # a runner-up mode this close on the coarse tables is refined too
# The coarse MILPs pick the mode and the region to refine, and the refinement ends where its start leads it: at a
# 1 % gap HiGHS returned, for the same model with its rows in another order, a point 0.6 % above the coarse optimum
# in another region (4 modules at 802 K instead of 3 at 823 K), which refined to 4.85 instead of 3.96 USD/m².
# At 1e-4 the coarse point is the optimum's region whatever the order (same CPU time: ≈ 0.5 s per coarse solve).
COARSE_MIP_GAP = 1e-4
SHADE = {"ln_skin": 0.002, "margin": 5e-4, "melt_margin_K": 0.3}  # zero-order corrections toward the safe side
RESTARTS = 2  # restarts of the trust-region loop from its incumbent (passes of _Run._refine_mode)
STABLE_FRAC = 0.005  # refinement stops once a further refinement improves the checked objective less than this
FALLBACK_AGREE_FACTOR = 2.0  # the agreement bound's widening on the second pass after a coarse fallback
# a pass of the trust-region loop ends after this many steps in a row without an accepted point (the region has then
# shrunk 16-fold around the incumbent; the old default of max_refinements, which also ended a pass)
PASS_STALL = 4


@dataclass(frozen=True)
class Candidate:
    """One solved MILP and what became of its point: the model and its handles, the solver's outcome, the point
    (its coil-anneal soak cut to the least that meets the texture target), the surrogate's prediction there and the
    process-model check. ``kind`` as in the log (coarse, refined, ...). ``fallback``: why the point is not shown
    optimal, empty if it is: the trust-region loop accepted no step and fell back on it (the models pass it, but it
    is the coarse start or a refined point the surrogate did not predict)."""

    model: pyo.ConcreteModel
    handles: Any
    solve: Any
    point: Point
    predicted: dict[str, Any]
    check: Check
    kind: str = "refined"
    fallback: str = ""


def _improves(new: float, old: float, frac: float = STABLE_FRAC) -> bool:
    """A score (lower is better; negative for a KPI to maximise) ``new`` beats ``old`` by at least ``frac`` of
    its size (anything finite beats an infinite ``old``)."""
    return new < old - frac * abs(old) if math.isfinite(old) else new < old


class _Walk:
    """What the trust-region loop of one start has seen: the incumbent a step must beat (``best``: the best point
    the process models pass that the loop accepted, or the start if the models pass it), and the best point the
    models pass at all (``verified``: also points whose skin the surrogate mispredicted). :meth:`result` returns
    the incumbent, or without one the best verified point (as a fallback): the loop never returns a point worse
    than one it accepted, nor its start when the models pass that."""

    def __init__(self, start: Candidate, score: Any, targets: Targets, incumbent: bool = True) -> None:
        self.start, self._score, self.targets = start, score, targets
        # ``incumbent`` off: the start is no point to beat (the twin missed a target there)
        self.best: Candidate | None = start if start.check.ok and incumbent else None
        self.verified: Candidate | None = self.best
        self.dead = False  # the MILP is infeasible even on recovered tables: nothing more to find

    def score(self) -> float:
        return math.inf if self.best is None else self._score(self.best)

    def see(self, cand: Candidate, accepted: bool) -> bool:
        """Offer a checked point; True if it becomes the incumbent (``accepted``: the surrogate predicted it)."""
        if not cand.check.ok:
            return False
        if self.verified is None or self._score(cand) < self._score(self.verified):
            self.verified = cand
        if accepted and self._score(cand) < self.score():
            self.best = cand
            return True
        return False

    def result(self, below_edge: Any) -> Candidate | None:
        """The incumbent, or without one the best point the models passed; labelled a fallback (not shown optimal)
        unless the loop accepted it under the plain agreement bound: the coarse start (moved down to its melting
        edge by ``below_edge`` when only the guard fails it), or a refined point the surrogate did not predict
        within the bound. Without any, the start itself (the caller reports it infeasible)."""
        best = self.best if self.best is not None else self.verified
        if best is None:
            moved = below_edge(self.start)
            return self.start if moved is None else replace(
                moved, fallback="the coarse tables' point moved down to its melting edge")
        if best is self.start:
            coarse = best.kind.startswith("coarse")
            return replace(best, fallback=best.fallback or "the coarse tables' point") if coarse else best
        if best.kind.startswith("coarse"):  # the start moved down to its edge, the incumbent of a fallback pass
            return replace(best, fallback="the coarse tables' point moved down to its melting edge")
        if best is not self.best:
            return replace(best, fallback="a refined point the surrogate did not predict within the agreement bound")
        if not _agrees(best.predicted, best.check, self.targets):
            return replace(best, fallback=f"a refined point the surrogate predicted only within "
                                          f"{FALLBACK_AGREE_FACTOR:g}× the agreement bound")
        return best


class _Run:
    """State of one optimisation (tables, corrections, iteration log)."""

    def __init__(self, space: DecisionSpace, params: ParameterValues, targets: Targets, econ: Economics,
                 coarse: Surrogates, solver: str, time_limit_s: float, mip_gap: float) -> None:
        self.space, self.params, self.targets, self.econ = space, params, targets, econ
        self.coarse = coarse
        self.s = coarse
        self.cor = Corrections()
        self.solver, self.time_limit_s, self.mip_gap = solver, time_limit_s, mip_gap
        self.log: list[dict[str, Any]] = []
        self.solve_seconds = 0.0
        self.refinements = 0
        self.coarse_gap: float | None = None
        self.refinements_of_mode = 0
        self.metal_best: dict[str, float] = {}  # each asked skin metal's best checked objective (issue 14)
        self.fixed_metal: str | None = None  # the skin metal of the candidate being refined
        self.fixed_modules: int | None = None  # the stage-II modules of the Zn candidate being refined
        self.accepted: list[Candidate] = []  # every point the trust-region loop accepted (the twin's second choices)
        self._tables: dict[int, tuple[pyo.ConcreteModel, Surrogates]] = {}  # each solved model's tables, by id

    def tables_of(self, cand: Candidate) -> Surrogates:
        """The tables ``cand``'s MILP was solved on (the latest ones for a point this run did not solve)."""
        got = self._tables.get(id(cand.model))
        return got[1] if got is not None and got[0] is cand.model else self.s

    def solve_once(self, elastic: bool = False, space: DecisionSpace | None = None, exclude: str | None = None,
                   cutoff: float | None = None, mip_gap: float | None = None, metal: str | None = None,
                   **kw: Any) -> tuple:
        m, h = build_model(space or self.space, self.s, self.targets, self.econ, self.params, self.cor,
                           elastic=elastic, **kw)
        if exclude is not None:  # no-good cut on a mode: the runner-up
            m.y_mode[exclude].fix(0)
        metal = metal or self.fixed_metal
        if metal is not None and hasattr(m, "skin_metal"):  # this skin metal only
            for x in m.skin_metal.METALS:
                if x != metal:
                    m.skin_metal.y_metal[x].fix(0)
        if self.fixed_modules is not None and hasattr(m, "uht"):  # this many stage-II modules heated
            for k in m.uht.ZONES:
                m.uht.y_zone[k].fix(1 if k == self.fixed_modules else 0)
        if cutoff is not None:  # only points at least this good are of interest (often proves infeasibility fast)
            m.cutoff = pyo.Constraint(expr=m.obj.expr <= cutoff)
        out = solve(m, self.solver, self.time_limit_s, self.mip_gap if mip_gap is None else mip_gap)
        self.solve_seconds += out.seconds
        return m, h, out

    def check(self, p: Point, edge_guess_K: float | None = None, guard: bool = True) -> Check:
        """The point in the process models; with ``edge_guess_K`` (the surrogate's melting edge there) its melting
        edge too, judged as the guard when ``guard`` (:func:`check_melting_guard`)."""
        chk = check_with_models(self.space, self.params, self.econ, self.targets, p, self.cor.yield_factor,
                                self.cor.time_factor, self.cor.ln_skin.get(p.route, 0.0))
        if edge_guess_K is None:
            return chk
        return check_melting_guard(self.space, self.params, self.targets, p, chk, edge_guess_K, judge=guard)

    def _evaluate(self, m: pyo.ConcreteModel, h: Any, out: Any, kind: str, guard: bool = True) -> Candidate:
        """Read, check and log the solved point; ``guard`` off for points of the coarse tables, which do not keep
        the melting guard (they pick the mode and the region to refine)."""
        p = least_soak(self.space, self.params, self.targets, read_point(m, h))
        self._tables[id(m)] = (m, self.s)
        pred = corrected_prediction(self.cor, m, h, p)
        if p.skin_metal != "Zn":  # another metal's check judges its own liquid (evaluate_skin); no Zn melting edge
            chk = self.check(p)
        else:
            margin = (pyo.value(output(m.uht.skin[p.route], "melt_margin_K"))
                      + self.cor.melt_margin_bias.get(p.route, 0.0))
            chk = self.check(p, p.stage3_peak_K + margin, guard=guard)  # the coarse points' edge: the first bias
        self.log.append(_summary(p, pred, chk, kind))
        return Candidate(m, h, out, p, pred, chk, kind)

    def resume(self, found: Candidate, max_refinements: int, agree_factor: float = 1.0,
               **kw: Any) -> Candidate | None:
        """The trust-region loop again from an earlier result (its mode fixed), after the twin's offsets were added
        to the corrections: they move the optimum a little, not to another mode or region."""
        self.s = self.coarse
        self.refinements_of_mode = 0
        return self._refine_mode(found, max_refinements, agree_factor=agree_factor, incumbent=False, **kw)

    def converge(self, max_refinements: int, **kw: Any) -> Candidate | None:
        """Coarse MILP over all modes (and the runner-up mode), then each candidate refined with its mode fixed
        until the surrogate agrees with the process models; None if the coarse MILP is infeasible."""
        self.s = self.coarse
        m, h, out = self.solve_once(mip_gap=COARSE_MIP_GAP, **kw)
        if out.status == "infeasible":
            # the coarse tables are conservative: refine around the nearest point before calling it infeasible
            return self._from_nearest(max_refinements, **kw)
        self.coarse_gap = out.mip_gap
        first = self._evaluate(m, h, out, "coarse", guard=False)
        starts = [first]
        for x in self.s.skin_metals:  # each other asked metal's own coarse optimum is refined and checked too
            if x != first.point.skin_metal:
                mx, hx, outx = self.solve_once(metal=x, mip_gap=COARSE_MIP_GAP, **kw)
                if outx.status != "infeasible":
                    starts.append(self._evaluate(mx, hx, outx, f"coarse, skin metal {x}"))
        if len(self.space.modes) > 1:
            cut = out.objective + abs(out.objective) * MODE_MARGIN_FRAC if first.check.ok else None
            m2, h2, out2 = self.solve_once(exclude=first.point.mode, cutoff=cut, mip_gap=COARSE_MIP_GAP, **kw)
            if out2.status != "infeasible":
                ru = self._evaluate(m2, h2, out2, "coarse runner-up", guard=False)
                if (ru.predicted["cost_per_m2"] <= first.predicted["cost_per_m2"] * (1.0 + MODE_MARGIN_FRAC)
                        or not first.check.ok):
                    starts.append(ru)
        finals = []
        for start in starts:
            self.s = self.coarse
            self.refinements_of_mode = 0
            self.fixed_metal = start.point.skin_metal if len(self.s.skin_metals) > 1 else None
            got = self._refine_mode(start, max_refinements, **kw)
            self.fixed_metal = None
            if got is not None:
                finals.append(got)
        ok = [f for f in finals if f.check.ok]
        for f in ok:
            x = f.point.skin_metal
            self.metal_best[x] = min(self.metal_best.get(x, math.inf), self._score(f))
        if ok:
            return min(ok, key=self._score)
        return finals[0] if finals else first

    def _learn_bias(self, route: str, cand: Candidate) -> None:
        """Zero-order corrections: the local table's own error at the last point (process models − table), for
        the skin, the phase margin and the surface Zn (the constraints that hold the optimum); the stage-II heat-up
        share needs none (exact in the pace), and the stage-III power reach is near-linear in T3 (second difference
        < 1e-3 of the limit per 50 K) and is checked by the recipe, which refuses an unreachable peak."""
        if cand.point.route != route or cand.point.skin_metal != "Zn":
            return
        raw = self.s.skin[route].interpolate(np.array([_centre_of(self.space, cand, route)[0]]))
        k = cand.check.kpis
        # shaded toward the safe side by SHADE: a zero-order correction is exact only at the point, and the MILP
        # puts the next point on the rows it corrects, so without it the loop converges onto them from outside
        lo, hi = self.targets.skin_window_nm
        toward = -1.0 if k["skin_thickness_nm"] < 0.5 * (lo + hi) else 1.0  # toward the nearer edge of the window
        if k["skin_thickness_nm"] > 0:
            self.cor.ln_skin_bias[route] = float(math.log(k["skin_thickness_nm"]) - raw["ln_skin"][0]
                                                 + toward * SHADE["ln_skin"])
        self.cor.margin_bias[route] = float(k["phase_margin_zn_frac"] - raw["margin"][0] + SHADE["margin"])
        self.cor.surface_zn_bias[route] = float(k["surface_zn_at_frac"] - raw["surface_zn"][0])
        edge = k.get("stage3_melt_edge_K")  # the melting edge at the point (its own stage II), not the table's
        if edge is not None:
            self.cor.melt_margin_bias[route] = float(edge - cand.point.stage3_peak_K - raw["melt_margin_K"][0]
                                                     - SHADE["melt_margin_K"])

    def _from_nearest(self, max_refinements: int, **kw: Any) -> Candidate | None:
        """Coarse MILP infeasible: local tables around the elastic (nearest) point, then twice as wide, and try
        again."""
        m, h, out = self.solve_once(elastic=True)
        if out.status == "infeasible":
            return None
        p = read_point(m, h)
        space = self.space.restricted((p.mode,))
        route = p.route
        region = _Region.around(self.coarse, route, _centre(self.space, m, route))
        for widen in (1.0, 2.0):
            self.s = _refine(self.space, self.params, self.coarse, self.coarse, route, region.widened(widen))
            self.refinements += 1
            m2, h2, out2 = self.solve_once(space=space, **kw)
            if out2.status != "infeasible":
                self.refinements_of_mode = 1
                return self._refine_mode(self._evaluate(m2, h2, out2, "refined from the nearest point"),
                                         max_refinements, keep_tables=True, region=region.widened(widen), **kw)
        return None

    def _score(self, cand: Candidate) -> float:
        """The objective's KPI at a candidate as the process models give it, signed by the KPI catalogue's sense
        (lower is better; the weighted objective is scored on cost)."""
        kpi = OBJECTIVE_KPIS["throughput" if self.targets.objective == "throughput" else "cost"]
        v = float(kpi.value(cand.check.kpis))
        return v if kpi.sense == "min" else -v

    def _recover(self, space: DecisionSpace, route: str, region: _Region, **kw: Any) -> tuple:
        """Local MILP infeasible: the region cut the feasible set off, or its knots are too far apart to resolve a
        boundary (the melting guard holds whole simplices: with T3 knots 35 K apart a guarded peak between knots
        takes the knot below with it). Local tables of half the width around the nearest point of these tables
        (elastic solve), then — still infeasible — twice as wide around the old centre. Which of several near-equal
        coarse points the 1 %-gap coarse MILP returns is the solver's choice; the search must not depend on it.
        Returns (model, handles, outcome, region)."""
        me, _, oute = self.solve_once(elastic=True, space=space, **kw)
        if oute.status != "infeasible":
            near = region.step(_centre(self.space, me, route), (np.zeros(3, bool), np.zeros(2, bool)))
            self.s = _refine(self.space, self.params, self.s, self.coarse, route, near)
            self.refinements += 1
            m, h, out = self.solve_once(space=space, **kw)
            if out.status != "infeasible":
                return m, h, out, near
        region = region.widened(2.0)
        self.s = _refine(self.space, self.params, self.s, self.coarse, route, region)
        self.refinements += 1
        m, h, out = self.solve_once(space=space, **kw)
        return m, h, out, region

    def _below_edge(self, start: Candidate) -> Candidate | None:
        """A coarse start whose only miss is the melting guard, moved down to its melting edge and checked there
        with the guard; None if that point misses too (or the edge is below the peak's range)."""
        edge = start.check.kpis.get("stage3_melt_edge_K")
        if (edge is None or edge < self.space.stage3_peak_K[0]
                or not all(m.startswith(GUARD_MISS) for m in start.check.misses)):
            return None
        p = replace(start.point, stage3_peak_K=float(edge))
        moved = self.check(p, edge, guard=True)
        self.log.append(_summary(p, start.predicted, moved, "coarse, moved down to its melting edge"))
        return replace(start, point=p, check=moved) if moved.ok else None

    def _refine_mode(self, start: Candidate, max_refinements: int, keep_tables: bool = False,
                     region: _Region | None = None, agree_factor: float = 1.0, incumbent: bool = True,
                     **kw: Any) -> Candidate | None:
        """Trust-region loop with the mode fixed, in passes (:meth:`_pass`) from the incumbent — the best point the
        process models pass (the melting guard included) that the loop has accepted, or its start when the models
        pass that — with fresh corrections: the loop stalls where a shrunken region's zero-order corrections hold it
        at one of the steep constraints (α margin, melting edge). A pass after the first runs while the one before
        it improved the incumbent by ≥ STABLE_FRAC (at most RESTARTS of them), each on a region half as wide as the
        one before: a restart on the full width let the MILP jump off the ridge where the α margin, the melting edge
        and the skin window meet (to 4 stage-II modules at 4.7 m/min, α+β and liquid); a narrower one resolves the
        ridge's slope. When the first pass accepted no step from a coarse start, the next one widens the agreement
        bound instead (:meth:`_fallback_start`). ``max_refinements`` × (1 + RESTARTS) refinements in all, and no pass
        ends at a count of its own, so a larger budget only runs the same loop further; the result is the best point
        the models passed (:meth:`_Walk.result`): more refinements never give a worse one."""
        if start.point.skin_metal != "Zn":
            return self._refine_metal(start, max_refinements, **kw)
        # a coarse point was checked without the guard (its tables do not keep it): judged now, so that the loop
        # never falls back on a point the line's scatter would melt
        start = replace(start, check=judge_melting_guard(self.space, start.point, start.check))
        self.fixed_modules = start.point.stage2_modules_on
        try:
            return self._refine_zn(start, max_refinements, keep_tables, region, agree_factor, incumbent, **kw)
        finally:
            self.fixed_modules = None

    def _refine_zn(self, start: Candidate, max_refinements: int, keep_tables: bool, region: _Region | None,
                   agree_factor: float, incumbent: bool, **kw: Any) -> Candidate | None:
        """:meth:`_refine_mode`'s passes for a Zn start, its stage-II module count held (``fixed_modules``): the
        module count is the coarse MILP's choice (or the twin's start's); local tables that let a step change it
        jumped off the ridge the loop climbs (throughput, vapour line: from 3 modules at 3.0 m/min to 4 at 3.8, then
        stuck near 3.3 m/min, 91.8 m²/h against 115.1 along 3 modules)."""
        walk = _Walk(start, self._score, self.targets, incumbent)
        budget = self.refinements_of_mode + max(max_refinements, 0) * (1 + RESTARTS)
        factor, narrow = agree_factor, 0
        for k in range(1 + RESTARTS):
            before = walk.score()
            if k > 0:  # fresh tables around the incumbent (the twin's corrections are kept)
                self.s = self.coarse
            accepted = self._pass(walk, budget, factor, keep_tables=keep_tables and k == 0,
                                  region=region if k == 0 else None, narrow=narrow, **kw)
            if walk.dead or self.refinements_of_mode >= budget:
                break
            if k == 0 and not accepted:  # the next pass from the start, the agreement bound widened, or none
                if factor >= FALLBACK_AGREE_FACTOR or not self._fallback_start(walk, start):
                    break
                factor = FALLBACK_AGREE_FACTOR
                continue
            if k > 0 and not _improves(walk.score(), before):
                break
            narrow += 1
        return walk.result(self._below_edge)

    def _fallback_start(self, walk: _Walk, start: Candidate) -> bool:
        """After a first pass that accepted no step from a coarse start (every step missed a target or disagreed
        with the models), the loop runs once more from that start — moved down to its melting edge when only the
        guard failed it — as the incumbent, with the agreement bound widened by FALLBACK_AGREE_FACTOR: near the
        α/α+β edge the local tables' skin error changes sign within a region, so every cheaper point the models
        passed disagreed by 8–16 nm against a 5 nm bound (450 ± 50 nm on the default plant: the start cost
        3.58 USD/m² in the models, such a pass 3.22, a small grid 3.09). A point accepted only under the wider
        bound is reported as a fallback (not shown optimal). False when there is nothing to start from: not a
        coarse start, or none the models pass."""
        if not start.kind.startswith("coarse"):
            return False
        if walk.best is None:
            moved = self._below_edge(start)
            if moved is None:
                return False
            walk.see(moved, accepted=True)
        return True

    def _pass(self, walk: _Walk, budget: int, agree_factor: float, keep_tables: bool = False,
              region: _Region | None = None, narrow: int = 0, **kw: Any) -> bool:
        """One pass of the trust-region loop from the walk's incumbent (its start if none): local tables on a
        region, MILP, check in the process models. A better point that the models pass and the surrogate predicts
        (within ``agree_factor`` × the bound) is accepted and re-centres the region (axes that held it back grow);
        a worse, missing or disagreeing one sends the loop back to the incumbent with every axis halved. The pass
        ends once an accepted step improves the incumbent by less than STABLE_FRAC, after PASS_STALL steps in a row
        without an accepted one, when even the recovered MILP is infeasible or at the walk's ``budget``. Every
        point the models pass is offered to the walk (:meth:`_Walk.see`). True if a step was accepted."""
        here = walk.best or walk.start
        route = here.point.route
        space = self.space.restricted((here.point.mode,))
        if not keep_tables:
            self.cor.ln_skin_bias, self.cor.margin_bias, self.cor.surface_zn_bias = {}, {}, {}
        self.cor.melt_margin_bias = {}
        region = region or _Region.around(self.coarse, route, _centre_of(self.space, here, route)).widened(
            SHRINK ** narrow)
        none = (np.zeros(3, bool), np.zeros(2, bool))
        outer = _outer(self.coarse, route)
        cand, accepted, misses = here, False, 0
        while self.refinements_of_mode < budget and misses < PASS_STALL:
            self.s = _refine(self.space, self.params, self.s, self.coarse, route, region)
            self.refinements += 1
            self.refinements_of_mode += 1
            self._learn_bias(route, cand)  # the latest point: nearest the constraints that hold the optimum
            m, h, out = self.solve_once(space=space, **kw)
            if out.status == "infeasible":  # the region cut the feasible set off
                m, h, out, region = self._recover(space, route, region, **kw)
                if out.status == "infeasible":
                    walk.dead = True
                    break
            cand = self._evaluate(m, h, out, "refined")
            new = _centre(self.space, m, route)
            before = walk.score()
            if walk.see(cand, accepted=_agrees(cand.predicted, cand.check, self.targets, agree_factor)):
                accepted, misses = True, 0
                self.accepted.append(cand)
                if not _improves(self._score(cand), before):
                    break
                region = region.grown(new, region.moving(new, outer))
            elif walk.best is not None:  # a worse or unchecked step: back to the incumbent, every axis shrunk
                misses += 1
                region = region.step(_centre_of(self.space, walk.best, route), none)
            else:  # the local tables are not accurate enough at the point: shrink every axis
                misses += 1
                region = region.step(new, none)
        return accepted

    def _refine_metal(self, start: Candidate, max_refinements: int, **kw: Any) -> Candidate | None:
        """Trust-region loop for a skin of another metal X, mode and metal fixed: X's table re-sampled on a box
        of one coarse knot spacing around the last point (halved on every step), MILP, check with X's model;
        keeps the best point the models accept and stops once a step improves it by less than STABLE_FRAC."""
        p = start.point
        x = p.skin_metal
        space = self.space.restricted((p.mode,))
        coarse = self.coarse.metals[x]
        half = np.array([(a[-1] - a[0]) / (a.size - 1) for a in coarse.axes])
        best = start if start.check.ok else None
        cand = start
        while self.refinements_of_mode < max_refinements:
            centre = _metal_centre(self.space, cand.model, x)
            box = []
            for c, hk, (lo, hi) in zip(centre, half, coarse.bounds(), strict=True):
                hk = min(hk, (hi - lo) / 2.0)
                c = min(max(c, lo + hk), hi - hk)
                box.append((c - hk, c + hk))
            table = build_metal_skin(self.space, self.params, self.coarse.metal_specs[x], box, LOCAL_METAL_SHAPE)
            self.s = replace(self.s, metals={**self.s.metals, x: table},
                             samples=self.s.samples + table.n_vertices, errors={})
            self.refinements += 1
            self.refinements_of_mode += 1
            m, h, out = self.solve_once(space=space, metal=x, **kw)
            if out.status == "infeasible":
                half = half * 2.0
                continue
            cand = self._evaluate(m, h, out, f"refined, skin metal {x}")
            if cand.check.ok:
                improved = best is None or _improves(self._score(cand), self._score(best))
                if best is None or self._score(cand) < self._score(best):
                    best = cand
                if not improved:
                    break
            half = half * SHRINK
        return best if best is not None else cand


def _metal_centre(space: DecisionSpace, m: pyo.ConcreteModel, metal: str) -> list[float]:
    """Coordinates of the solved point in a metal's table: (1/T2, ln t2, T3, ln t3)."""
    u = m.uht  # the UHT-line block
    return [pyo.value(u.inv_T2), pyo.value(u.ln_t2), pyo.value(u.T3),
            pyo.value(u.ln_pace) + math.log(space.stage3_heater_length_m)]


def corrected_prediction(cor: Corrections, m: pyo.ConcreteModel, h: Any, p: Point) -> dict:
    """The surrogate's prediction at ``p`` with the corrections the MILP's rows used (the table alone can say
    "not alpha" at a point whose corrected margin the row held at 0)."""
    r = p.route
    return predicted(m, h, p, cor.ln_skin.get(r, 0.0) + cor.ln_skin_bias.get(r, 0.0),
                     cor.margin.get(r, 0.0) + cor.margin_bias.get(r, 0.0),
                     cor.surface_zn.get(r, 0.0) + cor.surface_zn_bias.get(r, 0.0))


LOCAL_METAL_SHAPE = (2, 3, 3, 3)  # a metal's local table: the box's ends on 1/T2, its centre too on the others


# slacks below these are the solver's round-off, not a violation: the melting-margin rows carry table values up to
# ~1e2 K, so HiGHS's 1e-7 feasibility tolerance leaves up to ~1e-5 K of "overheat" (the edge is known to 0.3 K)
NEGLIGIBLE_SLACK = {"no_melting": 1e-3}


def _violation_report(m: pyo.ConcreteModel, h: Any, tol: float = 1e-6) -> dict[str, dict[str, Any]]:
    out = {}
    for name, v in h.slacks.items():
        val = pyo.value(v)
        if val > max(tol, NEGLIGIBLE_SLACK.get(name, 0.0)):
            unit = str(pyo.units.get_units(v))
            amount = float(val)
            if name.startswith("skin_thickness"):
                amount, unit = (math.exp(val) - 1.0) * h.targets.skin_thickness_nm, "nm"
            elif name == "min_throughput_m2_per_h":
                tf = pyo.value(m.throughput_floor)
                t_good = pyo.value(m.time_good)
                amount, unit = tf - 3600.0 / max(t_good, 1e-9), "m2/h"
            elif name == "single_phase_alpha":
                unit = "Zn at. fraction above the alpha solvus (at the freeze temperature)"
            elif name.startswith("surface_zn"):
                unit = "Zn at. fraction"
            elif name == "min_texture_100":
                unit = "(100) area fraction"
            out[name] = {"amount": amount, "unit": unit}
    return out


def _infeasible(run: _Run, result: OptimizationResult) -> OptimizationResult:
    """Elastic solve: which targets give way, by how much, and the nearest achievable point (phase 1: least
    weighted violation; phase 2: the best objective among points with that violation)."""
    m, h, out = run.solve_once(elastic=True)
    if out.status != "infeasible":
        least = pyo.value(m.violation)
        m2, h2 = build_model(run.space, run.s, run.targets, run.econ, run.params, run.cor, elastic=True,
                             violation_cap=least * (1.0 + 1e-6) + 1e-9)
        out2 = solve(m2, run.solver, run.time_limit_s, run.mip_gap)
        run.solve_seconds += out2.seconds
        if out2.status != "infeasible":
            m, h, out = m2, h2, out2
    if out.status == "infeasible":  # equipment limits alone cannot be met: nothing to relax
        result.status = "infeasible"
        result.message = "no settings inside the equipment limits satisfy the physics constraints"
        result.infeasibility = {"conflicting_targets": [], "violations": {}, "nearest_point": None}
        return result
    p = read_point(m, h)
    pred = corrected_prediction(run.cor, m, h, p)
    chk = run.check(p)
    viol = _violation_report(m, h)
    if not viol:  # the elastic optimum needs no slack: the surrogate thinks the targets can be met, the models
        viol = {x.split(":")[0]: {"amount": None, "unit": "", "note": x} for x in chk.misses}  # disagree
    bind = [b for b in binding(m, h, p) if b.split(" (")[0] not in viol]
    conflicting = sorted(viol)
    result.status = "infeasible"
    result.settings = p.settings(run.space)
    result.predicted = pred
    result.checked = chk.kpis
    result.binding_constraints = bind
    result.infeasibility = {
        "conflicting_targets": conflicting,
        "conflicts_with": bind,
        "violations": viol,
        "nearest_point": {"settings": p.settings(run.space), "predicted": pred, "models": chk.kpis},
    }
    result.message = (f"targets cannot all be met: {', '.join(conflicting)} must give way"
                      + (f" (held by {'; '.join(bind)})" if bind else ""))
    result.mip_gap = out.mip_gap
    return result


STAGES = ("sampling the process models for the surrogates",
          "solving the MILP and refining it in the process models",
          "checking the settings in the twin")


def optimize(targets: Targets, scenario: Scenario | None = None, *, params: ParameterValues | None = None,
             modes: tuple[str, ...] | None = None, ranges: SearchRanges | None = None, solver: str = DEFAULT_SOLVER,
             verify_twin: bool = True, twin_hours: float = 24.0, twin_seed: int | None = None,
             max_refinements: int = 4, max_twin_iterations: int = 3, time_limit_s: float = 30.0,
             mip_gap: float = 1e-4, held_out: bool = True, seed: int = 0, use_cache: bool = True,
             raise_infeasible: bool = True, throughput_floor_m2_per_h: float | None = None,
             cache: OptimiserCache | None = None, progress: ProgressCallback | None = None,
             skin_metals: tuple[str, ...] = ("Zn",)) -> OptimizationResult:
    """Least-cost (or most-throughput) settings that meet ``targets`` on ``scenario``'s plant.

    Returns an :class:`OptimizationResult`; infeasible targets raise :class:`TargetsInfeasibleError` carrying
    the result (or return it with ``raise_infeasible=False``). Bad inputs raise ``FoiltwinInputError``.
    ``cache``: the caller's :class:`OptimiserCache` (stage-II outcomes and coarse tables kept across calls);
    ``None``: a fresh one for this call. ``use_cache`` off: the coarse tables are built afresh even so.
    ``progress`` (:mod:`twin.progress`) hears the name of each stage as it starts (:data:`STAGES`).
    ``skin_metals``: the metals the UHT line's source may hold; with more than Zn the metal is a decision of the
    MILP (:mod:`optimizer.blocks.skin_metal`), each metal's own optimum is refined and checked, the best checked one
    wins (``result.skin_metal``, ``result.skin_metal_costs``).
    """
    cache = OptimiserCache() if cache is None else cache
    with cache.active():
        return _optimize(targets, scenario, params=params, modes=modes, ranges=ranges, solver=solver,
                         verify_twin=verify_twin, twin_hours=twin_hours, twin_seed=twin_seed,
                         max_refinements=max_refinements, max_twin_iterations=max_twin_iterations,
                         time_limit_s=time_limit_s, mip_gap=mip_gap, held_out=held_out, seed=seed,
                         coarse_cache=cache if use_cache else None, raise_infeasible=raise_infeasible,
                         throughput_floor_m2_per_h=throughput_floor_m2_per_h, progress=progress,
                         skin_metals=skin_metals)


def _optimize(targets: Targets, scenario: Scenario | None, *, params: ParameterValues | None,
              modes: tuple[str, ...] | None, ranges: SearchRanges | None, solver: str, verify_twin: bool,
              twin_hours: float, twin_seed: int | None, max_refinements: int, max_twin_iterations: int,
              time_limit_s: float, mip_gap: float, held_out: bool, seed: int, coarse_cache: OptimiserCache | None,
              raise_infeasible: bool, throughput_floor_m2_per_h: float | None,
              progress: ProgressCallback | None = None, skin_metals: tuple[str, ...] = ("Zn",)
              ) -> OptimizationResult:
    t0 = time.perf_counter()

    def stage(k: int, name: str) -> None:
        if progress is not None:
            progress(Progress("optimize", name, k, len(STAGES), "stages", time.perf_counter() - t0))
    check_solver(solver)
    skin_metals = check_skin_metals(skin_metals)
    if verify_twin:  # the twin check's horizon, as a scenario's hours allow it
        b = field_bounds(Scenario, "hours")
        check_range("twin_hours", twin_hours, b.low, b.high, low_inclusive=b.low_inclusive, unit="h")
    scenario = scenario or Scenario()
    params = params or build_parameters(scenario)
    targets = targets.with_defaults(scenario)
    space = decision_space_of(scenario, params, ranges, modes)
    econ = economics(params, space.foil_thickness_m, targets.currency)
    stage(0, STAGES[0])
    coarse = coarse_surrogates(space, params, targets.skin_window_nm, held_out=held_out, seed=seed,
                               cache=coarse_cache, skin_metals=skin_metals)
    run = _Run(space, params, targets, econ, coarse, solver, time_limit_s, mip_gap)
    result = OptimizationResult(status="feasible", targets=targets.to_dict(), currency=econ.currency,
                                objective=targets.objective)
    stage(1, STAGES[1])
    kw: dict[str, Any] = {}
    if throughput_floor_m2_per_h is not None:
        kw["throughput_floor_m2_per_h"] = throughput_floor_m2_per_h
    if targets.objective == "weighted":
        kw["objective_refs"] = _weighted_refs(run, max_refinements)
    found = run.converge(max_refinements, **kw)
    if found is None:
        res = _infeasible(run, result)
        return _finish(run, res, t0, coarse, held_out, seed, raise_infeasible)
    m, h, out, p, pred, chk = found.model, found.handles, found.solve, found.point, found.predicted, found.check
    if not chk.ok:
        res = _infeasible(run, result)
        res.message = ("the surrogate found settings, but none met the targets in the process models after "
                       f"{run.refinements} refinements; " + res.message)
        return _finish(run, res, t0, coarse, held_out, seed, raise_infeasible)
    tw: Check | None = None
    twin_runs = 0
    if verify_twin:
        seed_twin = scenario.seed if twin_seed is None else twin_seed
        found, tw, twin_runs = _twin_loop(run, found, twin_hours, seed_twin, max_twin_iterations, max_refinements,
                                          kw, stage)
        m, h, out, p, pred, chk = found.model, found.handles, found.solve, found.point, found.predicted, found.check
    result.settings = p.settings(space)
    result.skin_metal = p.skin_metal
    result.skin_metal_costs = _metal_costs(run, skin_metals)
    result.predicted = pred
    result.checked = chk.kpis
    result.verified = tw.kpis if tw is not None else None
    result.cost_per_m2 = (tw.kpis["cost_per_m2"] if tw is not None else chk.kpis["cost_per_m2"])
    result.mip_gap = out.mip_gap
    result.binding_constraints = binding(m, h, p)
    result.twin_iterations = twin_runs
    result.twin_agreed = None if tw is None else tw.ok
    result.status, result.message = _status(run, found, tw, twin_runs)
    run.s = run.tables_of(found)  # the final tables are those of the recommendation, not the last ones built
    return _finish(run, result, t0, coarse, held_out, seed, raise_infeasible)


def _status(run: _Run, found: Candidate, tw: Check | None, twin_runs: int) -> tuple[str, str]:
    """The result's status and message: feasible for a fallback of the trust-region loop or a point the twin
    rejects, else optimal when the final MILP was solved to optimality; the message says what checked the point."""
    k, out = found.check.kpis, found.solve
    solved = "optimal" if out.status == "optimal" else "feasible"
    if found.fallback:  # not shown optimal
        twin_misses = f"; the twin: {'; '.join(tw.misses)}" if tw is not None and not tw.ok else ""
        return "feasible", (f"no refinement step was accepted in {run.refinements} refinements (each missed a target "
                            "in the process models or disagreed with the surrogate): this is the best point the "
                            f"models pass, {found.fallback}; a cheaper one may exist{twin_misses}")
    if tw is not None and not tw.ok:
        return "feasible", (f"gave up agreeing with the twin after {twin_runs} runs: {'; '.join(tw.misses)} (the "
                            "process models meet every target)")
    if tw is not None and not _twin_agrees(found.check, tw):
        return solved, (f"checked in the process models and the twin; the twin meets every target and prices the "
                        f"point: its cost {tw.kpis['cost_per_m2']:.3g} and throughput "
                        f"{tw.kpis['throughput_m2_per_h']:.3g} differ from the process models' "
                        f"{k['cost_per_m2']:.3g} and {k['throughput_m2_per_h']:.3g} by more than "
                        f"{TWIN_AGREE_FRAC:.0%} (the twin's are reported)")
    return solved, ("checked in the process models" + (" and the twin" if tw is not None else "")
                    + ("" if out.status == "optimal" else f"; solver stopped: {out.termination}"))


def _twin_loop(run: _Run, found: Candidate, twin_hours: float, seed_twin: int, max_twin_iterations: int,
               max_refinements: int, kw: dict[str, Any], stage: Any) -> tuple[Candidate, Check, int]:
    """Check the point in the twin; returns (point, twin check, twin runs).

    A twin that meets every target prices the point: its cost and throughput are what is reported, and the point
    is kept. (Restarting refinement with the twin's scalar yield and time factors moved the default optimum to a
    point dearer in the models, 3.477 against 3.080 USD/m², and in the twin, 3.489 against 3.397: the factors
    scale cost nearly uniformly, so they cannot rank points the models ranked.) Only a twin that misses a target
    teaches the surrogate its offsets and resumes refinement from the point, at most ``max_twin_iterations`` runs.
    Another metal's skin learns nothing from the twin (no corrections of its table). Before refining again, the
    best point the loop accepted earlier that is clear of what the twin showed (:func:`_backed_off`) is checked in
    the twin: the loop walks to where the α margin, the melting guard and the skin window meet, and the twin's
    peak scatter turns a few percent of the metres there α+β (94.4 % α metres at the default optimum, 3.043 USD/m²
    in the models), while a point the walk passed on its way keeps them α.
    """
    twin_runs = 0
    tried: list[Candidate] = []
    while True:
        p, chk = found.point, found.check
        stage(2, f"{STAGES[2]} (run {twin_runs + 1} of at most {max_twin_iterations}, {twin_hours:g} h)")
        tw = check_in_twin(run.space, run.params, run.econ, run.targets, p, chk, twin_hours, seed_twin)
        twin_runs += 1
        run.log.append({"kind": "twin", "misses": list(tw.misses), "skin_nm": tw.kpis["skin_thickness_nm"],
                        "yield_fraction": tw.kpis["yield_fraction"],
                        "throughput_m2_per_h": tw.kpis["throughput_m2_per_h"],
                        "cost_per_m2": tw.kpis["cost_per_m2"]})
        if tw.ok or twin_runs >= max_twin_iterations or p.skin_metal != "Zn":
            return found, tw, twin_runs
        _learn_from_twin(run, p, chk, tw)
        tried.append(found)
        backed = _backed_off(run, found, tried)
        if backed is not None:  # a point the loop accepted already, clear of what the twin showed
            found = backed
            continue
        stage(1, f"{STAGES[1]} again, with what the twin showed")
        again = run.resume(found, max_refinements, **kw)
        if again is None or not again.check.ok:
            return found, tw, twin_runs
        found = again


def _backed_off(run: _Run, found: Candidate, tried: list[Candidate]) -> Candidate | None:
    """The best point the trust-region loop accepted in ``found``'s mode, not yet run in the twin, that meets the
    targets with the twin's offsets learnt so far: its phase margin below −(the twin's margin back-off) and its skin,
    moved by the twin's ln-skin offset, inside the window. None if there is none."""
    if not run.accepted:
        return None
    route = found.point.route
    edge = min(t.check.kpis["phase_margin_zn_frac"] for t in tried)  # the twin's α+β showed up this close
    shift = math.exp(run.cor.ln_skin.get(route, 0.0))
    lo, hi = run.targets.skin_window_nm
    ok = [c for c in run.accepted
          if c.point.mode == found.point.mode and c.point.skin_metal == found.point.skin_metal and c.check.ok
          and not any(c.model is t.model for t in tried)
          and c.check.kpis["phase_margin_zn_frac"] < edge
          and lo <= c.check.kpis["skin_thickness_nm"] * shift <= hi]
    return min(ok, key=run._score) if ok else None


def _metal_costs(run: _Run, metals: tuple[str, ...]) -> dict[str, float | None]:
    """Each asked metal's best objective KPI checked in the process models (cost per good m², or for the
    throughput objective the throughput), None where no checked point of that metal met the targets."""
    sign = -1.0 if run.targets.objective == "throughput" else 1.0
    return {x: (sign * run.metal_best[x] if x in run.metal_best else None) for x in metals}


TWIN_AGREE_FRAC = 0.10  # cost and throughput of the twin within this of the prediction: no need to learn more


def _twin_agrees(chk: Check, tw: Check) -> bool:
    """The twin's cost and throughput agree with the process-model check (the twin's short run scatters)."""
    for key in ("cost_per_m2", "throughput_m2_per_h"):
        a, b = chk.kpis.get(key), tw.kpis.get(key)
        if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)):
            return False
        if abs(b - a) > TWIN_AGREE_FRAC * abs(a):
            return False
    return True


def _learn_from_twin(run: _Run, p: Point, chk: Check, tw: Check) -> None:
    """Add the twin's offsets from the process models to the surrogate (zero-order modifier adaptation)."""
    c = run.cor
    s_tw, s_pm = tw.kpis.get("skin_thickness_nm"), chk.kpis["skin_thickness_nm"]
    if s_tw and s_pm and s_tw > 0 and s_pm > 0:
        c.ln_skin[p.route] = c.ln_skin.get(p.route, 0.0) + math.log(s_tw / s_pm)
    if any(x.startswith("single_phase_alpha") for x in tw.misses):
        c.margin[p.route] = c.margin.get(p.route, 0.0) + 0.005
    y_tw, y_pm = tw.kpis.get("yield_fraction") or 0.0, chk.kpis.get("yield_fraction") or 0.0
    if y_tw > 0 and y_pm > 0:
        c.yield_factor = float(np.clip(c.yield_factor * y_tw / y_pm, 0.2, 1.5))
    h_tw = tw.kpis.get("scheduled_s_per_m2")
    h_pm = 3600.0 * (chk.kpis.get("yield_fraction") or 1.0) / max(chk.kpis["throughput_m2_per_h"], 1e-9)
    if h_tw and math.isfinite(h_tw) and h_pm > 0:
        c.time_factor = float(np.clip(c.time_factor * h_tw / h_pm, 0.5, 3.0))


def _weighted_refs(run: _Run, max_refinements: int) -> tuple[float, float]:
    """Cost at the least-cost point and time per good m² at the most-throughput point (the weights' scales)."""
    refs = []
    for objective in ("cost", "throughput"):
        run.targets = replace(run.targets, objective=objective)
        found = run.converge(max_refinements)
        if found is None:
            refs.append(1.0)
            continue
        pred = found.predicted
        refs.append(pred["cost_per_m2"] if objective == "cost" else 3600.0 / pred["throughput_m2_per_h"])
    run.targets = replace(run.targets, objective="weighted")
    return refs[0], refs[1]


def _finish(run: _Run, result: OptimizationResult, t0: float, coarse: Surrogates, held_out: bool, seed: int,
            raise_infeasible: bool) -> OptimizationResult:
    final_errors = {}
    if held_out and run.s is not coarse:
        routes = (result.settings["zn_route"],) if result.settings else None
        final_errors = held_out_errors(run.space, run.params, run.s, np.random.default_rng(seed + 1),
                                       run.targets.skin_window_nm, n_stage2=16, n_skin=16, n_plating=0, routes=routes)
        final_errors = {k: v for k, v in final_errors.items() if not k.startswith("plating")}
    result.surrogate = {
        "samples": run.s.samples, "coarse_build_seconds": coarse.seconds,
        "vapour_law": run.s.law,
        "coarse_errors": coarse.errors, "final_errors": final_errors,
        "final_tables": {name: {"axes": {a: [float(x[0]), float(x[-1]), int(x.size)] for a, x in
                                          zip(t.axis_names, t.axes, strict=True)}}
                         for name, t in [("stage2", run.s.stage2), *[(f"skin_{r}", t) for r, t in run.s.skin.items()]]},
    }
    result.iterations = run.log
    result.made_by = made_by(run.params)
    result.refinements = run.refinements
    result.solve_seconds = run.solve_seconds
    result.total_seconds = time.perf_counter() - t0
    if result.status == "infeasible" and raise_infeasible:
        raise TargetsInfeasibleError(result.message, result)
    return result


PARETO_AXES = (("cost", "throughput"), ("cost", "tolerance"))
PARETO_MAX_POINTS = 50  # each point is a whole optimisation (seconds): more is a mistake, not a finer front


def pareto(targets: Targets, scenario: Scenario | None = None, *, axes: tuple[str, str] = ("cost", "throughput"),
           points: int = 6, **kw: Any) -> OptimizationResult:
    """Trade-off front by ε-constraint: least cost at a sweep of minimum throughputs (``("cost", "throughput")``)
    or of skin-thickness tolerances (``("cost", "tolerance")``, from ``targets.tolerance_nm`` down to a fifth
    of it). Returns the least-cost result (checked as :func:`optimize` does) with ``pareto`` holding the
    non-dominated points, each checked in the process models (not the twin)."""
    axes = tuple(axes)  # type: ignore[assignment]
    if axes not in PARETO_AXES:
        raise FoiltwinInputError("pareto", ",".join(axes), "one of " + "; ".join(",".join(a) for a in PARETO_AXES))
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= PARETO_MAX_POINTS:
        raise FoiltwinInputError("pareto points", points, f"an integer in [2, {PARETO_MAX_POINTS}]")
    t0 = time.perf_counter()
    kw.setdefault("cache", OptimiserCache())  # one cache for the whole front: the same plant's tables
    quiet = {k: v for k, v in kw.items() if k not in ("verify_twin", "raise_infeasible")}
    base = optimize(targets, scenario, **kw)
    front: list[dict[str, Any]] = []

    def add(res: OptimizationResult, label: float) -> None:
        if res.status == "infeasible" or res.checked is None:
            return
        c = res.checked
        front.append({"axes": {"cost_per_m2": c["cost_per_m2"],
                               ("throughput_m2_per_h" if axes[1] == "throughput" else "tolerance_nm"):
                               c["throughput_m2_per_h"] if axes[1] == "throughput" else label},
                      "settings": res.settings, "predicted": res.predicted, "checked": c})

    if axes[1] == "throughput":
        fast = optimize(replace(targets, objective="throughput"), scenario, verify_twin=False,
                        raise_infeasible=False, **quiet)
        lo = base.checked["throughput_m2_per_h"] if base.checked else 0.0
        hi = fast.checked["throughput_m2_per_h"] if fast.checked else lo
        add(base, lo)
        for eps in np.linspace(lo, hi, points)[1:-1]:
            add(optimize(targets, scenario, verify_twin=False, raise_infeasible=False,
                         throughput_floor_m2_per_h=float(eps), **quiet), float(eps))
        add(fast, hi)
        key = "throughput_m2_per_h"
        better = lambda a, b: a >= b  # noqa: E731 - more throughput is better
    else:
        add(base, targets.tolerance_nm)
        for tol in np.linspace(targets.tolerance_nm, targets.tolerance_nm / 5.0, points)[1:]:
            add(optimize(replace(targets, tolerance_nm=float(tol)), scenario, verify_twin=False,
                         raise_infeasible=False, **quiet), float(tol))
        key = "tolerance_nm"
        better = lambda a, b: a <= b  # noqa: E731 - a tighter tolerance is better
    # keep the non-dominated points (less cost and better on the other axis), sorted by cost
    nd = [p for p in front if not any(
        q is not p and q["axes"]["cost_per_m2"] <= p["axes"]["cost_per_m2"] and better(q["axes"][key], p["axes"][key])
        and (q["axes"]["cost_per_m2"] < p["axes"]["cost_per_m2"] or q["axes"][key] != p["axes"][key])
        for q in front)]
    nd.sort(key=lambda p: p["axes"]["cost_per_m2"])
    base.pareto = nd
    base.message += f"; Pareto front {axes[0]} vs {axes[1]}: {len(nd)} non-dominated of {len(front)} points"
    base.total_seconds = time.perf_counter() - t0
    return base
