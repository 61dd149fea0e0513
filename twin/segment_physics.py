"""Per-segment physics in bulk: segment histories → UHT recipes → skin, energy, inspection.

Histories are quantised before the physics (temperatures to ``TEMPERATURE_STEP_K``, times to a relative
``TIME_STEP_FRAC``) so that the many near-identical metres of a steady line share one solve, and solved
recipes are kept in a bounded cache across batches; the skin changes by ≈0.4 nm per K of stage-III peak and
by ≈0.1 % per 0.1 % of time (calibration), so the quantisation error stays below 0.5 nm — far inside the
gauge noise and the spec window. Segments whose
history lies outside the physics' validity (e.g. a stage-II zone that drifted below 500 K) are not
guessed at: they are recorded as out of spec with the reason.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.quality.indicators import nucleation_overpotential_V
from process_models.skins.skin import SkinRecipe, SkinResult, evaluate_skin
from process_models.skins.spec_defaults import zn_phase_allowed
from process_models.texture.texture_model import anneal_texture_equivalent
from process_models.uht.recipe import RecipeResult, Stage2Cache, UHTRecipe, evaluate_recipes
from twin.physics_memo import PhysicsMemo, parameters_key
from twin.rng import Streams
from twin.scenario import SpecLimits
from twin.uht_line import SegmentBatch

TEMPERATURE_STEP_K = 1.0
ZN_LOADING_STEP_KG_PER_M2 = 1e-6  # 0.1 µg/cm2 of plated Zn
FOIL_STEP_UM = 0.1  # the skin barely depends on the foil thickness (back face µm away from the skin)
TIME_STEP_FRAC = 1e-3
RESULT_CACHE_SIZE = 20000
PHYSICS_BATCH_RECIPES = 256  # new histories solved in one call (issue 15: ≈250 per call is the recipe model's best)
MAX_PENDING_SEGMENTS = 100_000  # segments held back for their physics at most (memory stays flat)
SKIN_HISTOGRAM_EDGES_NM = np.linspace(0.0, 3000.0, 6001)  # fixed bins: memory does not grow with the run

RESULT_COLUMNS = ("skin_thickness_nm", "surface_zn_at_frac", "zn_loading_mg_per_cm2", "zn_deposited_mg_per_cm2",
                  "energy_kwh_per_m2")
SEGMENT_COLUMNS = (
    "line", "coil_id", "index_in_coil", "finished_h", "length_m", "width_m", "foil_thickness_um",
    "stage2_time_s", "stage2_temperature_K", "stage3_time_ms", "stage3_peak_K", "interrupted",
    "plated_zn_mg_per_cm2", "skin_thickness_nm", "skin_phase", "surface_zn_at_frac", "zn_loading_mg_per_cm2",
    "zn_deposited_mg_per_cm2", "energy_kwh_per_m2", "melting", "texture_fraction_100", "nucleation_overpotential_mV",
    "gauge_skin_thickness_nm", "in_spec", "truly_in_spec", "reject_reason", "web_break", "skin_metal",
    "surface_skin_metal_at_frac",
)


def _quantised_plated_zn(plated_zn_kg_per_m2: np.ndarray) -> np.ndarray:
    """Plated Zn per face on the history grid [kg/m²]; 0: the segment takes the vapour route (stage-II Zn)."""
    return np.round(plated_zn_kg_per_m2 / ZN_LOADING_STEP_KG_PER_M2) * ZN_LOADING_STEP_KG_PER_M2


@dataclass(frozen=True)
class SkinSegmentResult:
    """A skin of another metal than Zn (:func:`process_models.skins.skin.evaluate_skin`) in the columns of a Zn
    :class:`RecipeResult` the twin reads (no Zn: the Zn columns are 0; the texture indicator's surface phases are
    unknown, so the nucleation indicator is not computed)."""

    metal: str
    skin_thickness_nm: float
    surface_skin_metal_at_frac: float
    metal_deposited_kg_per_m2: float
    energy_kwh_per_m2: float
    skin_phase: str
    warnings: tuple[str, ...]
    anneal_equivalent_time_s: float
    surface_zn_at_frac: float = 0.0
    zn_loading_mg_per_cm2: float = 0.0
    zn_deposited_mg_per_cm2: float = 0.0

    @classmethod
    def of(cls, r: SkinResult) -> SkinSegmentResult:
        return cls(r.recipe.metal, r.skin_thickness_m * 1e9, r.surface_frac, r.deposited_kg_per_m2,
                   r.energy_kWh_per_m2, "+".join(r.skin_phases), r.warnings, r.anneal_equivalent_time_s)


def _quantise_time(t: np.ndarray) -> np.ndarray:
    """Round times to a relative step (log grid), keeping zero at zero."""
    out = np.zeros_like(t)
    pos = t > 0
    out[pos] = np.exp(np.round(np.log(t[pos]) / TIME_STEP_FRAC) * TIME_STEP_FRAC)
    return out


@dataclass
class LineTotals:
    """Running sums over the finished segments of one line (what the KPIs need)."""

    metres: float = 0.0
    metres_in_spec: float = 0.0
    metres_truly_in_spec: float = 0.0
    area_m2: float = 0.0
    area_in_spec_m2: float = 0.0
    energy_kwh: float = 0.0
    zn_deposited_kg: float = 0.0
    zn_vapour_deposited_kg: float = 0.0  # of it, Zn the stage-II vapour laid down (not an electroplated precursor)
    zn_retained_kg: float = 0.0
    segments: int = 0
    physics_solves: int = 0
    skin_hist_m: np.ndarray = field(default_factory=lambda: np.zeros(SKIN_HISTOGRAM_EDGES_NM.size - 1))
    skin_sum_nm_m: float = 0.0
    skin_metres: float = 0.0
    skin_phase_m: dict[str, float] = field(default_factory=dict)
    escaped: float = 0.0
    false_rejects: float = 0.0
    texture_100_m: float = 0.0
    overpotential_mV_m: float = 0.0
    web_break_m: float = 0.0  # metres scrapped around web breaks
    indicator_metres: float = 0.0  # metres with a nucleation indicator (Zn skins)
    skin_metal_m: dict[str, float] = field(default_factory=dict)  # metres made per skin metal
    skin_metal_deposited_kg: dict[str, float] = field(default_factory=dict)  # other metals than Zn

    def skin_quantile_nm(self, q: float) -> float:
        """Length-weighted quantile of the skin thickness (0.5 nm bins)."""
        if self.skin_metres <= 0.0:
            return float("nan")
        cdf = np.cumsum(self.skin_hist_m) / self.skin_metres
        i = int(np.searchsorted(cdf, q))
        return float(0.5 * (SKIN_HISTOGRAM_EDGES_NM[i] + SKIN_HISTOGRAM_EDGES_NM[min(i + 1, cdf.size)]))


@dataclass
class _Pending:
    """A batch waiting for its new histories to be solved: its distinct histories, each segment's index into them,
    their results where known (cached ones, resolved when the batch came) and the refusal reasons."""

    batch: SegmentBatch
    recipes: list[UHTRecipe | SkinRecipe | None]
    which: np.ndarray
    reasons: np.ndarray
    foil_um: np.ndarray
    known: dict[int, RecipeResult | SkinSegmentResult | FoiltwinInputError]
    solves: int


class SegmentPhysics:
    """Callable sink: evaluates finished batches, inspects them and passes rows on.

    New histories are solved in bulk: batches are held back (in order) until ``batch_recipes`` new distinct
    histories have gathered, ``max_pending_segments`` segments wait, or :meth:`flush` is called (the run's end);
    then the new histories go to the recipe model in one call, whose cost per recipe falls about tenfold from one
    recipe to a few hundred (benchmarks/bench_recipe.py). The batches are then inspected in the order they came, so
    the gauge's random numbers, the logs and the totals are those of immediate processing; results do not depend on
    which histories share a call (the recipe model solves each independently; the cache already relies on that).
    The UHT line is the plant's last: nothing downstream waits for these results during the run."""

    def __init__(self, params: ParameterValues, spec: SpecLimits, streams: Streams,
                 write: Callable[[dict[str, np.ndarray]], None] | None, gauge_noise_nm: dict[str, float],
                 batch_recipes: int = PHYSICS_BATCH_RECIPES, max_pending_segments: int = MAX_PENDING_SEGMENTS,
                 memo: PhysicsMemo | None = None) -> None:
        self.params, self.spec, self.write = params, spec, write
        self.memo = memo  # the caller's results across runs (a batch worker's), if any
        self._params_key = parameters_key(params) if memo is not None else ()
        self.streams = streams
        self.gauge_noise_nm = gauge_noise_nm
        self.batch_recipes, self.max_pending_segments = batch_recipes, max_pending_segments
        self.totals: dict[str, LineTotals] = {}
        self._cache: OrderedDict[UHTRecipe | SkinRecipe, RecipeResult | SkinSegmentResult | FoiltwinInputError] = \
            OrderedDict()
        self.stage2 = Stage2Cache()  # this run's stage-II outcomes (bounded; citations replayed on a hit)
        self._pending: list[_Pending] = []
        self._new: dict[UHTRecipe | SkinRecipe, None] = {}  # histories waiting for their solve, in first-seen order
        self._pending_segments = 0

    def _evaluate(self, recipes: list[UHTRecipe | SkinRecipe]) -> list:
        """The results of new histories: from the caller's memo where it has them, the others solved
        (:meth:`_solve`)."""
        if self.memo is None:
            return self._solve(recipes)
        return self.memo.results(self._params_key, recipes, self._solve)

    def _solve(self, recipes: list[UHTRecipe | SkinRecipe]) -> list:
        """Zn recipes in one call (:meth:`_evaluate_zn`), skins of other metals one by one; refused ones as their
        error."""
        zn = [r for r in recipes if isinstance(r, UHTRecipe)]
        out = dict(zip(zn, self._evaluate_zn(zn), strict=True)) if zn else {}
        for r in recipes:
            if isinstance(r, SkinRecipe):
                try:
                    out[r] = SkinSegmentResult.of(evaluate_skin(r, self.params))
                except FoiltwinInputError as err:
                    out[r] = err
        return [out[r] for r in recipes]

    def _evaluate_zn(self, recipes: list[UHTRecipe]) -> list[RecipeResult | FoiltwinInputError]:
        """The recipes in one call; if the model refuses one, the halves apart (down to single recipes), the refused
        ones as their error."""
        try:
            return list(evaluate_recipes(recipes, self.params, self.stage2))
        except FoiltwinInputError as err:
            if len(recipes) == 1:
                return [err]
            half = len(recipes) // 2
            return self._evaluate_zn(recipes[:half]) + self._evaluate_zn(recipes[half:])

    def _histories(self, batch: SegmentBatch) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
        """The batch's quantised histories as recipes, one per distinct history in order of first appearance
        (``None`` where the model's range refuses it), each segment's index into them, the refusal reasons per
        distinct history ("" when valid) and the quantised foil thickness per segment [µm]."""
        seg = batch.segments
        n = seg.length_m.size
        T2 = np.round(batch.stage2_temperature_K / TEMPERATURE_STEP_K) * TEMPERATURE_STEP_K
        T3 = np.round(batch.stage3_peak_K / TEMPERATURE_STEP_K) * TEMPERATURE_STEP_K
        t2 = _quantise_time(batch.stage2_time_s)
        t3 = _quantise_time(batch.stage3_time_s)
        plated = _quantised_plated_zn(batch.plated_zn_kg_per_m2)
        foil_um = np.where(np.isnan(batch.foil_thickness_um), seg.foil_thickness_um, batch.foil_thickness_um)
        foil_um = np.round(foil_um / FOIL_STEP_UM) * FOIL_STEP_UM
        contact = np.asarray(batch.cooling) == "contact"
        L3 = np.asarray(batch.stage3_heater_length_m, dtype=float)
        key = np.column_stack([foil_um, plated, T2, t2, T3, t3, contact, L3])
        src = batch.skin_source
        if src is not None:  # a line with campaigns: the source and whether the segment spans a change
            key = np.column_stack([key, src, batch.skin_source_mixed])
        src = np.zeros(n, dtype=int) if src is None else src
        mixed = np.zeros(n, dtype=bool) if batch.skin_source_mixed is None else batch.skin_source_mixed
        # a history with a NaN is its own (its refusal names its first bad field)
        key = np.column_stack([key, np.where(np.isnan(key).any(axis=1), np.arange(1, n + 1), 0)])
        _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        recipes: list[UHTRecipe | SkinRecipe | None] = []
        reasons = np.full(order.size, "", dtype=object)
        for u, i in enumerate(first[order]):
            metal, source_K = batch.skin_sources[int(src[i])]
            if mixed[i] or (metal != "Zn" and plated[i] > 0):
                recipes.append(None)
                reasons[u] = ("skin-metal changeover: stage II spanned a source change" if mixed[i] else
                              f"plated Zn precursor on a {metal} source")
                continue
            r: UHTRecipe | SkinRecipe
            if metal == "Zn":
                r = UHTRecipe(foil_thickness_m=float(foil_um[i]) * 1e-6,
                              zn_route="plated" if plated[i] > 0 else "vapour",
                              plated_zn_loading_kg_per_m2=float(plated[i]),
                              stage2_temperature_K=float(T2[i]), stage2_time_s=float(t2[i]),
                              stage3_peak_K=float(T3[i]), stage3_time_s=float(t3[i]), cooling=str(batch.cooling[i]),
                              stage3_heater_length_m=float(L3[i]))
            else:  # issue 14: the skin model of the metal (stage III as a set-point history, free cooling)
                r = SkinRecipe(metal=metal, foil_thickness_m=float(foil_um[i]) * 1e-6, source_temperature_K=source_K,
                               stage2_temperature_K=float(T2[i]), stage2_time_s=float(t2[i]),
                               stage3_peak_K=float(T3[i]), stage3_time_s=float(t3[i]))
            try:
                recipes.append(r.validated(self.params))
            except FoiltwinInputError as err:
                recipes.append(None)
                reasons[u] = f"history outside model range: {err.field}={err.value:.4g}"
        return recipes, rank[np.ravel(inverse)], reasons, foil_um

    def __call__(self, batch: SegmentBatch) -> None:
        recipes, which, reasons, foil_um = self._histories(batch)
        known: dict[int, RecipeResult | FoiltwinInputError] = {}
        solves = 0
        for u, r in enumerate(recipes):
            if r is None:
                continue
            if r in self._cache:
                known[u] = self._cache[r]
            elif r not in self._new:
                self._new[r] = None
                solves += 1
        self._pending.append(_Pending(batch, recipes, which, reasons, foil_um, known, solves))
        self._pending_segments += batch.segments.length_m.size
        if len(self._new) >= self.batch_recipes or self._pending_segments >= self.max_pending_segments:
            self.flush()

    def flush(self) -> None:
        """Solve the new histories gathered so far in one call, then inspect the waiting batches in order."""
        todo = list(self._new)
        solved = dict(zip(todo, self._evaluate(todo), strict=True)) if todo else {}
        self._cache.update(solved)
        while len(self._cache) > RESULT_CACHE_SIZE:
            self._cache.popitem(last=False)
        pending, self._pending, self._new, self._pending_segments = self._pending, [], {}, 0
        for p in pending:
            results = [p.known[u] if u in p.known else (None if r is None else solved[r])
                       for u, r in enumerate(p.recipes)]
            for u, res in enumerate(results):  # histories the model refused while solving (e.g. the foil fully
                if isinstance(res, FoiltwinInputError):  # converted)
                    p.reasons[u] = f"history outside model range: {res.field}={res.value}"
                    p.recipes[u] = None
                    results[u] = None
            self._inspect_batch(p, results)

    def _results(self, results: list[RecipeResult | None]) -> dict[str, np.ndarray]:
        """Per distinct history: the result columns, phase, melting, UHT anneal θ and the surface phase shares the
        nucleation indicator needs (NaN, "unknown" and zeros where there is no result)."""
        m = len(results)
        out: dict[str, np.ndarray] = {k: np.full(m, np.nan) for k in RESULT_COLUMNS}
        out["phase"] = np.full(m, "unknown", dtype=object)
        out["melting"] = np.zeros(m, dtype=bool)
        for k in ("anneal", "gamma", "alpha", "metal_kg"):
            out[k] = np.zeros(m)
        out["surface_metal"] = np.full(m, np.nan)
        out["indicator"] = np.ones(m, dtype=bool)
        ref = self.params["skin_reference_zn_frac"]
        for u, res in enumerate(results):
            if res is None:
                continue
            for k in RESULT_COLUMNS:
                out[k][u] = getattr(res, k)
            out["phase"][u] = res.skin_phase
            out["anneal"][u] = res.anneal_equivalent_time_s
            if isinstance(res, SkinSegmentResult):  # no Zn-skin surface phases: no nucleation indicator
                out["melting"][u] = any("reaches the liquid" in w for w in res.warnings)
                out["surface_metal"][u] = res.surface_skin_metal_at_frac
                out["metal_kg"][u] = res.metal_deposited_kg_per_m2
                out["indicator"][u] = False
                continue
            out["surface_metal"][u] = res.surface_zn_at_frac
            out["melting"][u] = any(w.startswith("melting") for w in res.warnings)
            sf = res.surface_phase_fractions
            out["gamma"][u] = sf.get("gamma", 0.0) + sf.get("beta", 0.0)
            out["alpha"][u] = sf.get("alpha", 0.0) * min(max(res.surface_zn_at_frac / ref, 0.0), 1.0)
        return out

    def _inspect_batch(self, p: _Pending, results: list[RecipeResult | None]) -> None:
        """Skin, texture and indicator of each segment of a batch, the gauge reading and inspection, totals, logs."""
        batch = p.batch
        seg = batch.segments
        n = seg.length_m.size
        which, foil_um = p.which, p.foil_um
        per = self._results(results)
        per["valid"] = np.array([r is not None for r in results], dtype=bool)
        cols = {k: per[k][which] for k in RESULT_COLUMNS}
        phase, melting, anneal, gamma, alpha, valid, surface, metal_kg, indicator = (
            per[k][which] for k in ("phase", "melting", "anneal", "gamma", "alpha", "valid", "surface_metal",
                                    "metal_kg", "indicator"))
        metal = np.array([m for m, _ in batch.skin_sources], dtype=object)[
            np.zeros(n, dtype=int) if batch.skin_source is None else batch.skin_source]
        if batch.skin_sources == (("Zn", None),):
            allowed = self.spec.allowed_skin_phases
            per["ok_phase"] = np.array([zn_phase_allowed(ph, allowed) for ph in per["phase"]], dtype=bool)
            ok_phase = per["ok_phase"][which]
        else:
            allowed = {m: self._allowed_phases(m) for m in dict.fromkeys(metal)}
            ok_phase = np.array([allowed[m] is None or ph in allowed[m] for m, ph in zip(metal, phase, strict=True)],
                                dtype=bool)
        reasons = p.reasons[which]
        texture0 = np.stack([batch.texture_111_frac, batch.texture_100_frac, batch.texture_110_frac], axis=1)
        commercial = np.array([self.params[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110")])
        texture0 = np.where(np.isnan(texture0), commercial, texture0)
        texture0 = np.column_stack([texture0, 1.0 - texture0.sum(axis=1)])
        # the coil furnace's θ and the UHT heat add up (JMAK additivity): one anneal on the sum
        texture = anneal_texture_equivalent(texture0, anneal + batch.furnace_equivalent_time_s, self.params).texture
        eta_mV = 1e3 * nucleation_overpotential_V(texture, gamma, alpha, 0.0, params=self.params)
        eta_mV = np.where(indicator & (metal == "Zn"), eta_mV, np.nan)  # no indicator model for the other metals
        line = batch.line
        noise = self.streams.get(line, "gauge").standard_normal(n)
        gauge = cols["skin_thickness_nm"] + self.gauge_noise_nm[line] * noise
        in_spec, truly = self._inspect(batch, cols, gauge, melting, ok_phase, valid, reasons, metal, surface)
        self._add_totals(batch, cols, phase, texture, eta_mV, in_spec, truly, p.solves, metal, metal_kg)
        if self.write is not None:
            self.write({
                "line": np.full(n, line, dtype=object), "coil_id": seg.coil_id, "index_in_coil": seg.index_in_coil,
                "finished_h": seg.finished_h, "length_m": seg.length_m, "width_m": seg.width_m,
                "foil_thickness_um": foil_um, "stage2_time_s": batch.stage2_time_s,
                "stage2_temperature_K": batch.stage2_temperature_K, "stage3_time_ms": batch.stage3_time_s * 1e3,
                "stage3_peak_K": batch.stage3_peak_K, "interrupted": batch.interrupted,
                "plated_zn_mg_per_cm2": batch.plated_zn_kg_per_m2 * 100.0, **cols,
                "skin_phase": phase, "melting": melting, "texture_fraction_100": texture[:, 1],
                "nucleation_overpotential_mV": eta_mV, "gauge_skin_thickness_nm": gauge, "in_spec": in_spec,
                "truly_in_spec": truly, "reject_reason": reasons,
                "web_break": np.zeros(n, dtype=bool) if batch.web_break is None else batch.web_break,
                "skin_metal": metal, "surface_skin_metal_at_frac": surface,
            })

    def _allowed_phases(self, metal: str) -> tuple[str, ...] | None:
        """The phases a skin of ``metal`` may have (None: any)."""
        return self.spec.allowed_skin_phases if metal == "Zn" else self.spec.for_metal(metal).allowed_skin_phases

    def _windows(self, metal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per segment: the skin thickness window [nm] and the surface-composition window of its metal."""
        s = self.spec
        out = [np.empty(metal.size) for _ in range(4)]
        for m in dict.fromkeys(metal):
            sel = metal == m
            x = s.for_metal(m) if m != "Zn" else None
            lim = ((s.skin_thickness_nm_min, s.skin_thickness_nm_max, s.surface_zn_at_frac_min,
                    s.surface_zn_at_frac_max) if x is None else
                   (x.skin_thickness_nm_min, x.skin_thickness_nm_max, x.surface_at_frac_min, x.surface_at_frac_max))
            for a, v in zip(out, lim, strict=True):
                a[sel] = v
        return out[0], out[1], out[2], out[3]

    def _inspect(self, batch: SegmentBatch, cols: dict[str, np.ndarray], gauge: np.ndarray, melting: np.ndarray,
                 ok_phase: np.ndarray, valid: np.ndarray, reasons: np.ndarray, metal: np.ndarray,
                 x_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inline inspection (in spec) and the audit (truly in spec) of each segment against the limits of its skin
        metal (``x_s``: the surface mole fraction of that metal); rejects get their reasons."""
        s = self.spec
        n = gauge.size
        lo, hi, x_lo, x_hi = self._windows(metal)
        ok_zn = (x_s >= x_lo) & (x_s <= x_hi)
        no_melt = ~melting if s.reject_melting else np.ones(n, dtype=bool)
        in_window = (gauge >= lo) & (gauge <= hi)
        truly_window = (cols["skin_thickness_nm"] >= lo) & (cols["skin_thickness_nm"] <= hi)
        # inline inspection: the XRF gauge reads thickness and surface Zn; melting leaves visible defects;
        # the phase is not seen inline (it is judged in the "truly in spec" audit only)
        upstream = batch.upstream_in_spec
        intact = np.ones(n, dtype=bool) if batch.web_break is None else ~batch.web_break
        in_spec = in_window & ok_zn & no_melt & upstream & valid & intact
        truly = truly_window & ok_zn & no_melt & ok_phase & upstream & valid & intact
        for i in np.nonzero(valid & ~in_spec)[0]:
            why = []
            if not in_window[i]:
                why.append(f"gauge skin {gauge[i]:.0f} nm outside [{lo[i]:g}, {hi[i]:g}]")
            if not ok_zn[i]:
                why.append(f"surface {metal[i]} {x_s[i]:.3f} outside window")
            if not no_melt[i]:
                why.append("melting")
            if not upstream[i]:
                why.append("foil out of spec at the plating line")
            if not intact[i]:
                why.append("scrapped at a web break")
            reasons[i] = "; ".join(why)
        return in_spec, truly

    def _add_totals(self, batch: SegmentBatch, cols: dict[str, np.ndarray], phase: np.ndarray, texture: np.ndarray,
                    eta_mV: np.ndarray, in_spec: np.ndarray, truly: np.ndarray, solves: int, metal: np.ndarray,
                    metal_kg: np.ndarray) -> None:
        """Add the batch to its line's running sums."""
        seg = batch.segments
        area = seg.length_m * seg.width_m
        t = self.totals.setdefault(batch.line, LineTotals())
        t.segments += seg.length_m.size
        t.physics_solves += solves
        t.metres += float(seg.length_m.sum())
        t.metres_in_spec += float(seg.length_m[in_spec].sum())
        t.metres_truly_in_spec += float(seg.length_m[truly].sum())
        t.area_m2 += float(area.sum())
        t.area_in_spec_m2 += float(area[in_spec].sum())
        t.escaped += float(seg.length_m[in_spec & ~truly].sum())
        t.false_rejects += float(seg.length_m[~in_spec & truly].sum())
        finite = np.isfinite(cols["energy_kwh_per_m2"])
        t.energy_kwh += float(np.sum(cols["energy_kwh_per_m2"][finite] * area[finite]))
        t.zn_deposited_kg += float(np.sum(cols["zn_deposited_mg_per_cm2"][finite] * area[finite])) * 1e-2
        vapour = finite & (_quantised_plated_zn(batch.plated_zn_kg_per_m2) == 0.0)  # plated Zn is the plating line's
        t.zn_vapour_deposited_kg += float(np.sum(cols["zn_deposited_mg_per_cm2"][vapour] * area[vapour])) * 1e-2
        t.zn_retained_kg += float(np.sum(cols["zn_loading_mg_per_cm2"][finite] * area[finite])) * 1e-2
        skin = cols["skin_thickness_nm"][finite]
        t.skin_hist_m += np.histogram(skin, SKIN_HISTOGRAM_EDGES_NM, weights=seg.length_m[finite])[0]
        t.skin_sum_nm_m += float(np.sum(skin * seg.length_m[finite]))
        t.skin_metres += float(seg.length_m[finite].sum())
        t.texture_100_m += float(np.sum(texture[:, 1] * seg.length_m))
        has_eta = np.isfinite(eta_mV)
        t.overpotential_mV_m += float(np.sum((eta_mV * seg.length_m)[has_eta]))
        t.indicator_metres += float(seg.length_m[has_eta].sum())
        for m in dict.fromkeys(metal):
            sel = metal == m
            t.skin_metal_m[m] = t.skin_metal_m.get(m, 0.0) + float(seg.length_m[sel].sum())
            if m != "Zn":
                t.skin_metal_deposited_kg[m] = (t.skin_metal_deposited_kg.get(m, 0.0)
                                                + float(np.sum(metal_kg[sel & finite] * area[sel & finite])))
        if batch.web_break is not None:
            t.web_break_m += float(seg.length_m[batch.web_break].sum())
        for p in dict.fromkeys(phase):  # metres per phase, added one segment after the other (cumsum is sequential)
            lengths = seg.length_m[phase == p]
            t.skin_phase_m[p] = float(np.cumsum(np.concatenate([[t.skin_phase_m.get(p, 0.0)], lengths]))[-1])
