"""Cu–Zn alloying on the UHT line: stage II (γ islands, β beneath, α uptake) and stage III (conversion).

Stage II — supply-limited reactive deposition with γ nucleation and island growth.
    Zn arrives at the surface at the supply flux (vapour or plated route). Zn dissolves into α below the
    surface by interdiffusion (1-D solver, composition-dependent D̃) while α can absorb it; adatoms not
    dissolved nucleate γ-Cu5Zn8 islands (atomistic nucleation, mean-field rate equations) or are captured
    by them; islands cover the surface by JMAK kinetics and thicken with the supply; a β layer grows
    beneath the γ by multiphase (Kidson) growth. Physics in :mod:`process_models.uht.gamma_islands`.
    A plain 1-D local-equilibrium model grows β, not γ, at the seed's flux (feasibility study §0.6, §4);
    here γ forms by nucleation on the surface, and β stays minor only because β grows slowly
    (``beta_diffusivity_scale_frac``, fitted to V1).
Stage III — the β and γ films (boxes at their compositions) on top of the stage-II α profile are the
    initial condition of the same solver, driven by the stage-III temperature history (ramp, hold, quench)
    with Zn evaporation at the surface (fick mode, study §2). The phases are then decided through the same
    history's cooling (:mod:`process_models.uht.quench`: each depth's freeze point, then massive α or retained β′).
    The islands enter as a laterally averaged film (their Zn spread over the foil area).

Both stages work in a volume-fixed frame with the constant molar density of α-Cu0.64Zn0.36; the foil's
growth by the added Zn (≈2 % of a 10 µm foil) is not followed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from process_models.citations import register
from process_models.parameters.registry import ParameterValues
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.gamma_islands import IslandGrowth
from process_models.uht.interdiffusion import (
    DepthGrid,
    DiffusionResult,
    FluxBC,
    solve_interdiffusion,
)
from process_models.uht.newton_kernel import (
    CuZnKirchhoffStep,
    compiled_kernels_enabled,
    evaporation_step,
    island_uptake_step,
)
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.quench import QuenchResult, quench_phases
from process_models.uht.zn_evaporation import SurfaceEvaporation
from process_models.uht.zn_supply import hertz_knudsen_flux_mol_per_m2_s

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

    def rows(self, foils: np.ndarray) -> ZnSupply:
        """The supply of the foils ``foils`` alone (each foil's flux depends on its own settings only)."""
        return ZnSupply(self.route_plated[foils], self.source_temperature_K[foils], self.plated_mol_per_m2[foils],
                        self.heater_on_s[foils])

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
    """Stage-II outcome per foil: α profile (B, N) below the β, γ and ε layers, the Zn accounts [mol m⁻²]
    and the islands (coverage, mean γ height over the covered area [m], particle size [m], density [m⁻²]).
    ``min_gamma_capacity_ratio`` is the smallest ratio of the γ's diffusion capacity to the Zn offered to it
    (> 1: supply-limited; ε forms only below 1). ``zn_in_islands_mol_per_m2`` = Σ_k N_k·(Zn per island) is the
    islands' own bookkeeping of γ + β (a check)."""

    x_alpha: np.ndarray
    zn_delivered_mol_per_m2: np.ndarray
    zn_in_alpha_mol_per_m2: np.ndarray
    zn_in_gamma_mol_per_m2: np.ndarray
    zn_in_beta_mol_per_m2: np.ndarray
    zn_in_epsilon_mol_per_m2: np.ndarray
    zn_in_islands_mol_per_m2: np.ndarray
    beta_zn_frac: np.ndarray
    epsilon_zn_frac: np.ndarray
    gamma_coverage_frac: np.ndarray
    gamma_island_height_m: np.ndarray
    gamma_particle_size_m: np.ndarray
    gamma_island_density_per_m2: np.ndarray
    max_adatom_supersaturation: np.ndarray
    min_gamma_capacity_ratio: np.ndarray
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
    solidus_margin_K: np.ndarray
    """The pulse's closest approach to melting [K]: min over the solver's steps and the depth of (solidus of the
    local composition − foil temperature). Negative exactly when some step melts (max_melt_depth_m > 0): the
    same steps and cells, the same comparison. Unlike the melt depth, which jumps from 0, it varies smoothly with
    the peak, so a search for the melting edge could aim at its zero."""


def _compiled_step(model: CuZnFickDiffusivity, flux: object) -> CuZnKirchhoffStep | None:
    """The compiled Newton step for ``flux`` (numba installed, ``FOILTWIN_COMPILED_KERNELS`` not 0), if the kernel knows
    the flux: Zn evaporating in stage III, or the islands' α uptake in stage II (their bound ``alpha_flux``)."""
    if not compiled_kernels_enabled():
        return None
    if isinstance(flux, SurfaceEvaporation):
        return evaporation_step(model, flux)
    owner = getattr(flux, "__self__", None)
    if isinstance(owner, IslandGrowth) and flux == owner.alpha_flux:
        return island_uptake_step(model, owner)
    return None


def _solve(grid: DepthGrid, x0: np.ndarray, time_s: np.ndarray, temperature_K: np.ndarray,
           params: ParameterValues, flux, record, n_steps: int,
           model: CuZnFickDiffusivity | None = None, flux_at=None, flux_plan=None,
           record_rows: bool = False) -> DiffusionResult:
    """The interdiffusion solver with the Cu–Zn fick-mode D̃ (Kirchhoff form) and the registry's numerics."""
    model = CuZnFickDiffusivity.from_parameters(params) if model is None else model

    def plan(T: np.ndarray, t: np.ndarray) -> None:  # every step's T-dependent factors at once
        model.plan(T)
        if flux_plan is not None:
            flux_plan(T, t)

    kernel = _compiled_step(model, flux)
    return solve_interdiffusion(
        x0, grid, time_s, temperature_K, molar_density_mol_per_m3=params["cuzn_alloy_molar_density_mol_per_m3"],
        diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, kirchhoff_at=model.kirchhoff_at, clock=model.clock,
        surface=FluxBC(flux, at=flux_at), n_steps=n_steps, record=record, record_rows=record_rows,
        plan=plan if kernel is None else kernel.plan,
        newton_kernel=kernel,
    )


def stage2_zn_film(
    grid: DepthGrid, time_s: np.ndarray, temperature_K: np.ndarray, supply: ZnSupply,
    params: ParameterValues,
) -> Stage2Result:
    """Grow stage II on pure Cu for B foils with histories ``time_s``/``temperature_K`` (B, M)."""
    register("Wang2025", "uht_alloying.stage2_zn_film")
    register("FeasibilityStudy2026", "uht_alloying.stage2_zn_film")
    B = time_s.shape[0]
    n_steps = int(params["stage2_diffusion_steps_count"])
    time_s, temperature_K = thin_collinear_samples(time_s, temperature_K, max_kept=n_steps // 5)
    x0 = np.zeros((B, grid.n_cells))
    islands = IslandGrowth(supply, params, time_s[:, 0], x0, grid.widths_m, max_cohorts=n_steps)
    # The α never reaches the β range in stage II (its surface stays below the α solvus, < 0.40, while the α law
    # runs to fick_alpha_beta_switch_zn_frac): its solve uses the β law unscaled, which changes no converged
    # profile but keeps Newton away from the steep α/slow-β step when an iterate overshoots (cold plated foils)
    alpha_model = dataclasses.replace(CuZnFickDiffusivity.from_parameters(params),
                                      beta_factor=params["beta_thermodynamic_factor_frac"])
    result = _solve(grid, x0, time_s, temperature_K, params, islands.alpha_flux, islands.step_done, n_steps,
                    model=alpha_model, flux_at=islands.alpha_flux_at,
                    flux_plan=islands.plan)
    st = islands.state
    # delivered = α uptake + γ + β + ε holds to round-off: the islands got what α did not take, step by step
    return Stage2Result(
        x_alpha=result.x, zn_delivered_mol_per_m2=st.delivered_mol_per_m2.copy(),
        zn_in_alpha_mol_per_m2=st.alpha_mol_per_m2.copy(),
        zn_in_gamma_mol_per_m2=islands.gamma_mol_per_m2(), zn_in_beta_mol_per_m2=islands.beta_mol_per_m2(),
        zn_in_epsilon_mol_per_m2=st.epsilon_mol_per_m2.copy(), zn_in_islands_mol_per_m2=islands.island_zn_mol_per_m2(),
        beta_zn_frac=st.beta_zn_frac.copy(),
        epsilon_zn_frac=st.epsilon_zn_frac.copy(), gamma_coverage_frac=st.coverage_frac.copy(),
        gamma_island_height_m=islands.gamma_height_m(), gamma_particle_size_m=islands.particle_size_m(),
        gamma_island_density_per_m2=islands.island_density_per_m2(),
        max_adatom_supersaturation=st.max_supersaturation.copy(),
        min_gamma_capacity_ratio=st.min_capacity_ratio.copy(), diffusion=result,
    )


def collinear_keep_masks(time_s: np.ndarray, temperature_K: np.ndarray, max_kept: int,
                         tol_K: float = 1e-6) -> np.ndarray:
    """Per foil (B, M): the samples :func:`thin_collinear_samples` keeps when that foil is thinned on its own —
    every end and kink, and at most ``max_kept`` evenly spread interior samples that lie on a straight line through
    their neighbours (within ``tol_K``). A row's mask depends on its own history only."""
    t, T = time_s, temperature_K
    keep = np.ones(t.shape, dtype=bool)
    if t.shape[1] < 3:
        return keep
    dt_l = t[:, 1:-1] - t[:, :-2]
    dt_r = t[:, 2:] - t[:, 1:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        line = T[:, :-2] + (T[:, 2:] - T[:, :-2]) * dt_l / (dt_l + dt_r)
    straight = (np.abs(line - T[:, 1:-1]) <= tol_K) & (dt_l > 0.0)
    for b in range(t.shape[0]):
        idx = np.flatnonzero(straight[b]) + 1
        keep[b, idx] = False
        if idx.size and max_kept > 0:
            spread = np.linspace(0, idx.size - 1, min(max_kept, idx.size)).round().astype(int)
            keep[b, idx[np.unique(spread)]] = True
    return keep


def thin_collinear_samples(time_s: np.ndarray, temperature_K: np.ndarray, max_kept: int,
                           tol_K: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """The histories (B, M) with their interior samples that lie on a straight line through their neighbours
    thinned to at most ``max_kept`` evenly spread ones: T(t) is unchanged.

    The solver puts a step end on every interior sample; a linear stage-II ramp is sampled densely (40 samples
    took 40 of the 50 steps, leaving ~10 for the hold where the islands nucleate and grow). A few kept ramp
    samples still bound the step length there, which a constant plated supply into cold α needs. Foils whose own
    masks (:func:`collinear_keep_masks`) agree are thinned as each would be alone; otherwise a sample is thinned
    only where it is straight in every foil (callers that need batch-independent results group foils by mask)."""
    t, T = time_s, temperature_K
    if t.shape[1] < 3:
        return t, T
    masks = collinear_keep_masks(t, T, max_kept, tol_K)
    if np.all(masks == masks[:1]):
        return t[:, masks[0]], T[:, masks[0]]
    dt_l = t[:, 1:-1] - t[:, :-2]
    dt_r = t[:, 2:] - t[:, 1:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        line = T[:, :-2] + (T[:, 2:] - T[:, :-2]) * dt_l / (dt_l + dt_r)
    straight = np.nonzero(np.all(np.abs(line - T[:, 1:-1]) <= tol_K, axis=0) & np.all(dt_l > 0.0, axis=0))[0] + 1
    keep = np.ones(t.shape[1], dtype=bool)
    keep[straight] = False
    if straight.size and max_kept > 0:
        spread = np.linspace(0, straight.size - 1, min(max_kept, straight.size)).round().astype(int)
        keep[straight[np.unique(spread)]] = True
    return t[:, keep], T[:, keep]


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
        solidus = diagram.solidus_lookup_K(x)  # the solver keeps x in [0, 1]
        melted = solidus < T[:, None]
        return np.stack([np.sum(melted * widths, axis=1), solidus.min(axis=1) - T], axis=-1)  # depth, margin

    initial = params["cuzn_alloy_molar_density_mol_per_m3"] * np.sum(x0 * widths, axis=1)
    result = _solve(grid, x0, time_s, temperature_K, params, flux, record,
                    int(params["stage3_diffusion_steps_count"]), flux_at=flux.at, flux_plan=flux.plan,
                    record_rows=True)  # melt depth and margin: row by row, no state
    return Stage3Result(
        x=result.x, zn_initial_mol_per_m2=initial, zn_lost_mol_per_m2=result.zn_out_mol_per_m2,
        max_melt_depth_m=result.recorded[..., 0].max(axis=0), diffusion=result,
        quench=quench_phases(result.x, time_s, temperature_K, params),
        solidus_margin_K=result.recorded[..., 1].min(axis=0),
    )
