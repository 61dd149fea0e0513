"""Skin tables of the metals other than Zn (issue 14 item 1): sampled from
:func:`process_models.skins.skin.evaluate_skin`, the model the twin runs on a line whose source holds that metal.

The Zn skin keeps its own tables (:mod:`optimizer.surrogates`: its source follows the stage-II temperature, the
surface Zn and the α phase margin). A skin of another metal ``X`` comes from a source at its own temperature (the
scenario's ``skin_source_temperature_K`` or campaign for ``X`` on the optimised line, else the metal's melting point
plus ``skin_source_superheat_K``, as the twin takes it), so its loading is flux(T_src) × t2 and the stage-II
temperature heats the foil only. Its table is on (1/T2, ln t2, T3, ln t3), outputs:

- ``ln_skin``: ln of the skin thickness [nm] (floored at :data:`~optimizer.surrogates.SKIN_FLOOR_NM`);
- ``surface``: the surface mole fraction of ``X`` (its spec window: ``spec.skin_metals.X``);
- ``phase_bad``: 1 where the skin's phase is not one the spec allows (``allowed_skin_phases``; ``None``: any);
  held ≤ 0 on the chosen metal, so only simplices whose vertices all have an allowed phase are used (conservative);
- ``liquid``: the 0/1 feasibility flag of the melting guard: 1 where the stage-III peak + 3σ of the line's scatter
  (``stage3_guard_peak_K``, :data:`~optimizer.space.STAGE3_GUARD_SIGMA`) reaches the lowest solidus over the
  profile entering stage III (``SkinResult.liquid_onset_K``); held ≤ 0 like ``phase_bad`` when melting is refused,
  so a recommendation keeps the guard the model check judges (:func:`melt_guard`);
- ``energy``: the UHT energy [kWh/m²] (heaters of both stages and the source), ``deposited``: metal laid down
  [kg/m²] (the cost rows buy deposited / source utilisation, :func:`process_models.uht.flows.uht_flow_amounts`),
  ``reach3``: the stage-III power reach (:func:`optimizer.surrogates.stage3_power_reach`).

The stage-III peak range of a metal: the optimiser's range, moved below the lowest solidus of the Cu-X system less
the guard (a film of X on Cu holds every composition between the foil's and the film's, so it melts at the lowest
eutectic it spans: Cu-Mg 759.6 K in its table, below the Zn range 1000-1175 K) and kept as wide as that range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.pwl import GridTable
from optimizer.space import STAGE3_GUARD_SIGMA, DecisionSpace
from optimizer.surrogates import SKIN_FLOOR_NM, stage3_power_reach
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.skins.phase_data import SKIN_METALS
from process_models.skins.skin import SkinRecipe, SkinResult, evaluate_skin, profile_liquid_onset_K
from twin.scenario import UHTLine

METAL_OUTPUTS = ("ln_skin", "surface", "phase_bad", "liquid", "energy", "deposited", "reach3")
METAL_SHAPE = (3, 4, 4, 4)  # knots of a metal's coarse table: 1/T2, ln t2, T3, ln t3
LIQUID_MARGIN_K = 1.0  # the metal's T3 range ends this far below the guarded lowest solidus of the system


@dataclass(frozen=True)
class MetalSpec:
    """What a skin of ``metal`` must meet and how the line makes it: the scenario's limits for that metal
    (``spec.skin_metals``; Zn: the optimiser's targets, not this) and the source temperature [K]."""

    metal: str
    window_nm: tuple[float, float]
    surface_frac: tuple[float, float]
    allowed_phases: tuple[str, ...] | None
    source_temperature_K: float | None

    def phase_ok(self, phases: str) -> bool:
        return self.allowed_phases is None or phases in self.allowed_phases


def check_skin_metals(metals: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The asked skin metals, in the registry's order; an unknown or repeated one is refused (exit 2)."""
    got = tuple(metals)
    if not got:
        raise FoiltwinInputError("skin_metals", "", f"one or more of {', '.join(SKIN_METALS)}")
    for m in got:
        if m not in SKIN_METALS:
            raise FoiltwinInputError("skin_metals", m, f"one or more of {', '.join(SKIN_METALS)} (comma-separated)")
    if len(set(got)) != len(got):
        raise FoiltwinInputError("skin_metals", ",".join(got), "each metal at most once")
    return tuple(m for m in SKIN_METALS if m in got)


def metal_spec(space: DecisionSpace, metal: str) -> MetalSpec:
    """The limits of ``metal`` from the scenario's spec and the optimised line's source temperature for it."""
    sc = space.scenario
    lim = sc.spec.for_metal(metal)
    line = sc.plant.lines[space.uht_index]
    assert isinstance(line, UHTLine)
    src = next((t for _, m, t in line.skin_sources() if m == metal and t is not None), None)
    return MetalSpec(metal, (lim.skin_thickness_nm_min, lim.skin_thickness_nm_max),
                     (lim.surface_at_frac_min, lim.surface_at_frac_max), lim.allowed_skin_phases, src)


def stage3_range_K(space: DecisionSpace, metal: str) -> tuple[float, float]:
    """The metal's stage-III peak range [K]: the optimiser's, moved below the lowest solidus of Cu-``metal`` (over
    all compositions) less the guard (3σ of the line's scatter) and :data:`LIQUID_MARGIN_K`."""
    lo, hi = space.stage3_peak_K
    solidus = profile_liquid_onset_K(metal, np.array([0.0, 1.0]))
    top = min(hi, solidus - guard_K(space) - LIQUID_MARGIN_K)
    return (min(lo, top - (hi - lo)), top)


TIME_SPREAD = (0.6, 1.7)  # the stage-II times of the table give skins from 0.6 x the window's low end to 1.7 x its top


def stage2_time_range_s(space: DecisionSpace, params: ParameterValues, spec: MetalSpec) -> tuple[float, float]:
    """Stage-II times [s] whose deposit gives skins near the metal's window: the skin's growth per second of
    stage II from one model evaluation (the loading is flux x time), widened by :data:`TIME_SPREAD`, inside the
    space's stage-II times."""
    t_lo, t_hi = space.stage2_time_bounds_s()
    T3 = stage3_range_K(space, spec.metal)[0]
    ref = math.sqrt(t_lo * min(t_hi, 60.0))
    r = evaluate_skin(skin_recipe(space, spec, float(np.mean(space.stage2_temperature_K)), ref, T3,
                                  math.sqrt(np.prod(space.stage3_time_bounds_s()))), params)
    nm_per_s = max(r.skin_thickness_m * 1e9 / ref, 1e-9)
    lo, hi = spec.window_nm
    a = min(max(TIME_SPREAD[0] * lo / nm_per_s, t_lo), t_hi)
    b = min(max(TIME_SPREAD[1] * hi / nm_per_s, t_lo), t_hi)
    return (a, b) if b > a * 1.01 else (t_lo, t_hi)


def metal_box(space: DecisionSpace, params: ParameterValues, spec: MetalSpec) -> list[tuple[float, float]]:
    """The coarse table's box: (1/T2, ln t2, T3, ln t3)."""
    T2_lo, T2_hi = space.stage2_temperature_K
    t2 = stage2_time_range_s(space, params, spec)
    t3 = space.stage3_time_bounds_s()
    return [(1.0 / T2_hi, 1.0 / T2_lo), (math.log(t2[0]), math.log(t2[1])), stage3_range_K(space, spec.metal),
            (math.log(t3[0]), math.log(t3[1]))]


def skin_recipe(space: DecisionSpace, spec: MetalSpec, T2: float, t2: float, T3: float, t3: float) -> SkinRecipe:
    """The skin recipe of the line at these settings (the twin's: its foil, the metal's source)."""
    return SkinRecipe(metal=spec.metal, foil_thickness_m=space.foil_thickness_m,
                      source_temperature_K=spec.source_temperature_K, stage2_temperature_K=float(T2),
                      stage2_time_s=float(t2), stage3_peak_K=float(T3), stage3_time_s=float(t3))


def guard_K(space: DecisionSpace) -> float:
    """The melting guard [K]: :data:`~optimizer.space.STAGE3_GUARD_SIGMA` σ of the line's stage-III scatter."""
    return STAGE3_GUARD_SIGMA * space.stage3_scatter_K


def melt_guard(space: DecisionSpace, r: SkinResult) -> dict[str, float]:
    """The melting guard of a skin: ``liquid_onset_K`` (lowest solidus over the profile entering stage III),
    ``stage3_guard_peak_K`` (the peak + 3σ) and ``melt_guard_margin_K`` (their difference, ≥ 0 when it holds)."""
    peak = r.stage3_peak_K + guard_K(space)
    return {"liquid_onset_K": r.liquid_onset_K, "stage3_guard_peak_K": peak,
            "melt_guard_margin_K": r.liquid_onset_K - peak}


def liquid_warning(r: SkinResult) -> bool:
    """The twin's "melting" of a skin of another metal: the transient-liquid warning of the skin model."""
    return any("reaches the liquid" in w for w in r.warnings)


def metal_points(space: DecisionSpace, params: ParameterValues, spec: MetalSpec, points: np.ndarray
                 ) -> dict[str, np.ndarray]:
    """True outputs at points (1/T2, ln t2, T3, ln t3); a sample the model refuses gets values that make its
    vertex unusable (wrong phase, liquid) and ``failed`` = 1."""
    n = points.shape[0]
    out = {k: np.zeros(n) for k in (*METAL_OUTPUTS, "failed", "skin_nm")}
    for i, (z, v2, T3, v3) in enumerate(points):
        try:
            r = evaluate_skin(skin_recipe(space, spec, 1.0 / z, math.exp(v2), T3, math.exp(v3)), params)
        except (FoiltwinInputError, ValueError, FloatingPointError, np.linalg.LinAlgError):
            out["failed"][i] = out["phase_bad"][i] = out["liquid"][i] = 1.0
            out["ln_skin"][i] = math.log(SKIN_FLOOR_NM)
            continue
        nm = r.skin_thickness_m * 1e9
        out["skin_nm"][i] = nm
        out["ln_skin"][i] = math.log(max(nm, SKIN_FLOOR_NM))
        out["surface"][i] = min(max(r.surface_frac, 0.0), 1.0)  # a mole fraction (round-off left 1 + 2e-16)
        out["phase_bad"][i] = 0.0 if spec.phase_ok("+".join(r.skin_phases)) else 1.0
        out["liquid"][i] = 1.0 if liquid_warning(r) or melt_guard(space, r)["melt_guard_margin_K"] < 0.0 else 0.0
        out["energy"][i] = r.energy_kWh_per_m2
        out["deposited"][i] = r.deposited_kg_per_m2
    out["reach3"] = stage3_power_reach(space, params, points[:, 2], np.exp(points[:, 3]))
    return out


def build_metal_skin(space: DecisionSpace, params: ParameterValues, spec: MetalSpec,
                     box: list[tuple[float, float]] | None = None,
                     shape: tuple[int, int, int, int] = METAL_SHAPE) -> GridTable:
    """The metal's skin table on the vertices of ``box`` (default: :func:`metal_box`)."""
    box = box or metal_box(space, params, spec)
    axes = tuple(np.linspace(lo, hi, n) for (lo, hi), n in zip(box, shape, strict=True))
    table = GridTable(f"skin_{spec.metal}", ("inv_T2", "ln_t2", "T3", "ln_t3"), axes)
    out = metal_points(space, params, spec, table.vertices())
    return table.with_values({k: out[k].reshape(table.shape) for k in METAL_OUTPUTS})


def metal_held_out_errors(space: DecisionSpace, params: ParameterValues, spec: MetalSpec, table: GridTable,
                          rng: np.random.Generator, n: int = 24) -> dict[str, dict[str, float]]:
    """The table's errors on ``n`` samples drawn at random in its box (samples the model refuses are counted, not
    used): absolute on ln skin, surface fraction, energy [kWh/m²] and deposit [kg/m²], relative on the skin [nm],
    and how often the table's flags (phase, liquid) agree with the model's."""
    P = np.column_stack([rng.uniform(lo, hi, n) for lo, hi in table.bounds()])
    true = metal_points(space, params, spec, P)
    keep = true["failed"] < 0.5
    pred = table.interpolate(P[keep])
    out: dict[str, dict[str, float]] = {"failed_samples": {"n": int((~keep).sum())}}
    for k in ("ln_skin", "surface", "energy", "deposited"):
        e = np.abs(pred[k] - true[k][keep])
        out[k] = {"max_abs": float(e.max()), "mean_abs": float(e.mean()), "n": int(e.size)} if e.size else {"n": 0}
    rel = np.exp(pred["ln_skin"]) / np.maximum(true["skin_nm"][keep], 1e-9) - 1.0
    out["skin_rel"] = {"max_abs": float(np.abs(rel).max()), "n": int(rel.size)} if rel.size else {"n": 0}
    for k in ("phase_bad", "liquid"):
        agree = (pred[k] > 1e-9) == (true[k][keep] > 0.5)
        out[f"{k}_classification"] = {"accuracy": float(agree.mean()) if agree.size else 1.0, "n": int(agree.size)}
    return out
