"""Cu–Zn alloying on the UHT line: stage II (Zn film) and stage III (conversion to an α skin).

Stage II — supply-limited reactive deposition with a γ-first phase-selection rule.
    Zn arrives at the surface at the supply flux (vapour or plated route). Zn enters the α solid
    solution below the surface by interdiffusion (1-D solver, composition-dependent D̃) as long as the
    surface stays below the α solvus x_α,max(T); the rest builds a γ-Cu5Zn8 film on top. This rule is an
    ASSUMPTION, stated because a plain 1-D local-equilibrium model grows β, not γ, at the seed's flux
    (feasibility study §0.6, §4), while the seed measures γ after stage II (seed 002 Fig. 1b) as
    nanoparticles and islands (Fig. S8) — i.e. nucleation-controlled, 3-D growth of the first
    intermetallic, which a 1-D model cannot represent.
Stage III — the γ film (a box at x = 8/13) on top of the stage-II α profile is the initial condition
    of the same solver, driven by the stage-III temperature history (ramp, hold, quench) with Zn
    evaporation at the surface (fick mode, study §2: depths agree with the phase-aware model within ~3 %
    below 1200 K, study §0.2). The phases are then decided through the same history's cooling
    (:mod:`process_models.uht.quench`: each depth's freeze point, then massive α or retained β′).

Both stages work in a volume-fixed frame with the constant molar density of α-Cu0.64Zn0.36; the foil's
growth by the added Zn (≈2 % of a 10 µm foil) is not followed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from process_models.citations import register
from process_models.parameters.registry import ParameterValues
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.interdiffusion import (
    DepthGrid,
    DiffusionResult,
    FluxBC,
    solve_interdiffusion,
)
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.quench import QuenchResult, quench_phases
from process_models.uht.zn_evaporation import SurfaceEvaporation
from process_models.uht.zn_supply import hertz_knudsen_flux_mol_per_m2_s

# Below the phase table's lowest temperature the α solvus barely moves (0.39) and no Zn arrives, so the
# solvus used for the stage-II saturation switch is read at this temperature or above.
_SOLVUS_LOOKUP_MIN_K = 500.0
_HEATER_OFF_REL_TOL = 1e-9


@dataclass(frozen=True)
class ZnSupply:
    """Zn supply of stage II for a batch of B foils.

    ``route_plated`` (B,) bool; vapour foils use ``source_temperature_K`` (NaN = the source follows the
    foil temperature, as in the seed's single heater); plated foils release ``plated_mol_per_m2``
    uniformly over the heater-on time (the plated layer reacts while the foil is hot).
    """

    route_plated: np.ndarray
    source_temperature_K: np.ndarray
    plated_mol_per_m2: np.ndarray
    heater_on_s: np.ndarray

    def flux(self, T_K: np.ndarray, t_s: np.ndarray, params: ParameterValues) -> np.ndarray:
        """Supply flux at the surface [mol m⁻² s⁻¹] at foil temperature ``T_K`` and time ``t_s``.

        ``T_K`` and ``t_s`` are (B,) or (B, n) (one row per foil)."""
        T = np.asarray(T_K, dtype=float)
        col = (slice(None),) + (None,) * (T.ndim - 1)  # per-foil arrays broadcast along the rows
        # the last step ends on the heater-off sample, which may round a few ulp past heater_on_s
        on = t_s <= self.heater_on_s[col] * (1.0 + _HEATER_OFF_REL_TOL)
        src = np.where(np.isnan(self.source_temperature_K[col]), T, self.source_temperature_K[col])
        vapour = params["zn_vapour_transfer_efficiency_frac"] * hertz_knudsen_flux_mol_per_m2_s(src, params)
        plated = self.plated_mol_per_m2 / np.maximum(self.heater_on_s, np.finfo(float).tiny)
        return np.where(on, np.where(self.route_plated[col], plated[col], vapour), 0.0)


@dataclass(frozen=True)
class Stage2Result:
    """Stage-II outcome per foil: α profile (B, N) below a γ film, and the Zn accounts [mol m⁻²]."""

    x_alpha: np.ndarray
    zn_delivered_mol_per_m2: np.ndarray
    zn_in_alpha_mol_per_m2: np.ndarray
    zn_in_gamma_mol_per_m2: np.ndarray
    diffusion: DiffusionResult


@dataclass(frozen=True)
class Stage3Result:
    """Stage-III outcome per foil: final profile (B, N), Zn lost, the deepest transient melt [m] and the
    phases as quenched through the same history."""

    x: np.ndarray
    zn_initial_mol_per_m2: np.ndarray
    zn_lost_mol_per_m2: np.ndarray
    max_melt_depth_m: np.ndarray
    diffusion: DiffusionResult
    quench: QuenchResult


def _solve(grid: DepthGrid, x0: np.ndarray, time_s: np.ndarray, temperature_K: np.ndarray,
           params: ParameterValues, flux, record, n_steps: int) -> DiffusionResult:
    """The interdiffusion solver with the Cu–Zn fick-mode D̃ (Kirchhoff form) and the registry's numerics."""
    model = CuZnFickDiffusivity.from_parameters(params)
    return solve_interdiffusion(
        x0, grid, time_s, temperature_K, molar_density_mol_per_m3=params["cuzn_alloy_molar_density_mol_per_m3"],
        diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, clock=model.clock, surface=FluxBC(flux),
        n_steps=n_steps, record=record,
    )


def stage2_zn_film(
    grid: DepthGrid, time_s: np.ndarray, temperature_K: np.ndarray, supply: ZnSupply,
    params: ParameterValues,
) -> Stage2Result:
    """Grow the stage-II film on pure Cu for B foils with histories ``time_s``/``temperature_K`` (B, M)."""
    register("Wang2025", "uht_alloying.stage2_zn_film")
    register("FeasibilityStudy2026", "uht_alloying.stage2_zn_film")
    diagram = cuzn_phase_diagram()
    width = params["stage2_alpha_saturation_width_frac"]
    B = time_s.shape[0]
    step: dict[str, np.ndarray] = {}  # supply and α solvus at the step's (T, t), reused over its iterations

    def flux(x_s: np.ndarray, T: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not step or not (np.array_equal(T, step["T"]) and np.array_equal(t, step["t"])):
            step.update(T=T.copy(), t=t.copy(), J=supply.flux(T, t, params),
                        x_cap=diagram.alpha_max_zn_frac(np.maximum(T, _SOLVUS_LOOKUP_MIN_K)))
        s = np.clip((step["x_cap"] - x_s) / width, 0.0, 1.0)
        ds = np.where((s > 0.0) & (s < 1.0), -1.0 / width, 0.0)
        return step["J"] * s, step["J"] * ds

    result = _solve(grid, np.zeros((B, grid.n_cells)), time_s, temperature_K, params, flux, None,
                    int(params["stage2_diffusion_steps_count"]))
    # Supply over the solver's own steps (step-end time, step temperature): the Zn that did not enter α
    # built the γ film, so delivered = α uptake + γ film holds to round-off.
    t_end = result.step_time_s[:, 1:]
    dt = np.diff(result.step_time_s, axis=1)
    delivered = np.sum(supply.flux(result.step_effective_temperature_K, t_end, params) * dt, axis=1)
    return Stage2Result(
        x_alpha=result.x, zn_delivered_mol_per_m2=delivered,
        zn_in_alpha_mol_per_m2=result.zn_in_mol_per_m2,
        zn_in_gamma_mol_per_m2=delivered - result.zn_in_mol_per_m2, diffusion=result,
    )


def film_on_profile(grid: DepthGrid, x_below: np.ndarray, film_mol_per_m2: np.ndarray,
                    film_zn_frac: float, molar_density_mol_per_m3: float) -> np.ndarray:
    """Profile (B, N) of a film of ``film_mol_per_m2`` Zn at composition ``film_zn_frac`` on top of
    ``x_below`` (B, N), which is pushed down by the film thickness. Zn is conserved exactly: each
    cell receives the overlap integral of the shifted piecewise-constant profiles; what is pushed past
    the back face is kept in the last cell."""
    c = molar_density_mol_per_m3
    faces = grid.faces_m
    h = film_mol_per_m2 / (c * film_zn_frac)  # film thickness in the frame (B,)
    film = c * film_zn_frac * np.clip(np.minimum(faces[None, 1:], h[:, None]) - faces[None, :-1], 0.0, None)
    cum_below = np.concatenate([np.zeros((x_below.shape[0], 1)), np.cumsum(c * x_below * grid.widths_m,
                                                                             axis=1)], axis=1)
    shifted = np.empty_like(cum_below)
    for b in range(x_below.shape[0]):
        shifted[b] = np.interp(faces - h[b], faces, cum_below[b], left=0.0)
    below = np.diff(shifted, axis=1)
    below[:, -1] += cum_below[:, -1] - shifted[:, -1]
    return (film + below) / (c * grid.widths_m[None, :])


def stage3_conversion(
    grid: DepthGrid, x0: np.ndarray, time_s: np.ndarray, temperature_K: np.ndarray,
    params: ParameterValues,
) -> Stage3Result:
    """Run the stage-III pulse on profiles ``x0`` (B, N) with histories (B, M), Zn evaporating."""
    register("FeasibilityStudy2026", "uht_alloying.stage3_conversion")
    diagram = cuzn_phase_diagram()
    widths = grid.widths_m[None, :]
    flux = SurfaceEvaporation(params, time_origin_s=time_s[:, 0])

    def record(x: np.ndarray, T: np.ndarray, t: np.ndarray) -> np.ndarray:
        melted = diagram.solidus_temperature_K(x) < T[:, None]
        return np.sum(melted * widths, axis=1)

    initial = params["cuzn_alloy_molar_density_mol_per_m3"] * np.sum(x0 * widths, axis=1)
    result = _solve(grid, x0, time_s, temperature_K, params, flux, record,
                    int(params["stage3_diffusion_steps_count"]))
    return Stage3Result(
        x=result.x, zn_initial_mol_per_m2=initial, zn_lost_mol_per_m2=result.zn_out_mol_per_m2,
        max_melt_depth_m=result.recorded.max(axis=0), diffusion=result,
        quench=quench_phases(result.x, time_s, temperature_K, params),
    )
