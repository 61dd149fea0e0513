"""Stage II: γ-Cu5Zn8 nucleation, island growth and the β layer beneath, coupled to the α uptake.

Mechanism (docs/uht_model.md, "Stage II"), per unit foil area, for B foils at once:

* **Adatoms and nucleation** (mean-field rate equations, Venables, Spiller & Hanbücken, Rep. Prog. Phys. 47
  (1984) 399). Zn arrives at the supply flux J. What lands on the islands (area fraction θ) joins them; what
  lands on the bare α surface is an adatom that dissolves into α, is captured by an island or meets another
  adatom (a stable dimer nucleates an island: critical nucleus i* = 1). Quasi-steady adatoms: their density,
  relative to the density unsaturated α would hold without islands, is the **supersaturation**
  ``u = 1/(s + Λ)``, with ``s`` the α surface's remaining capacity to dissolve Zn (1 well below the α solvus,
  0 at it: "the Zn the α can absorb", the α uptake itself being the 1-D interdiffusion solver) and
  ``Λ = Σ_k N_k·π·((r_k + ℓ)² − r_k²)`` the capture by islands relative to dissolution on unsaturated α
  (ℓ = adatom migration length; r_k the island radii). Nucleation rate per unit bare area
  ``I = I_ref·(J_b/J_ref)²·u²`` (i* = 1: dimers form ∝ n²), integrated exactly over a step with Λ growing
  by the new islands (:func:`nucleate`). As α saturates (s → 0) the supersaturation and the nucleation
  burst rise until the islands' own capture stops them.
* **Partition of the Zn** (the solver's surface flux): unsaturated α dissolves the share 1/(1 + Λ) of the
  bare-surface adatoms and the islands' Zn beneath them; both fall linearly to 0 over the last
  ``stage2_alpha_saturation_width_frac`` below the α solvus. The rest of the delivered Zn joins the islands.
* **Islands**: spherical caps of fixed aspect h/r, nucleated in cohorts (one per solver step); an island's
  share of the Zn is ∝ its capture reach π(r + ℓ)². Coverage by Kolmogorov–Johnson–Mehl–Avrami (extended
  area): ``θ = 1 − exp(−Σ_k N_k·π·r_k²)``; the γ height over the covered area is its volume / θ (islands that
  impinge keep thickening: the height is set by the Zn supply).
* **γ's own limit** (Gösele & Tu, J. Appl. Phys. 53 (1982) 3252: a layer passes at most its diffusion
  capacity): Zn crosses an island of height h at most at c·D̃γ·Δx_γ/h per covered area (γ field width Δx_γ
  from the phase diagram, D̃γ from the fick-mode law); Zn offered beyond it builds the next Zn-richer phase,
  ε, on top (booked, and put on the stage-III profile at the ε composition).
* **β beneath the γ** (multiphase growth, Kidson, J. Nucl. Mater. 3 (1961) 21, with the interface reaction in
  series, Gösele & Tu): under the covered area the Zn reaching the intermetallic (J_loc = its flux / θ) passes
  the γ and feeds a β layer between γ and α, which passes ``c·Δx_β·D̃β/(L_β + a0)`` (a0 = one jump); its
  thickness obeys ``dM/dt = a/M − b`` with ``M = L_β + a0``, ``a = D̃β·Δx_β·(1/Δ₁ + 1/Δ₂)``,
  ``b = J_loc/(c·Δ₁)`` (Δ₁, Δ₂ the γ/β and β/α composition gaps; uptake by α below neglected), solved
  exactly over each step (Lambert W). β forms only where the supply flux is below its capacity
  c·Δx_β·D̃β/a0·(1 + Δ₁/Δ₂): small, young islands (high J_loc) are γ. With the Kuper D̃β, β would take all
  the Zn (the study's 1-D result); the fitted ``beta_diffusivity_scale_frac`` (V1: γ is the main product)
  keeps it minor, and the same factor governs β in stage III.

Mass balance (exact by construction, tested to 1e-9): delivered = α uptake + γ + β + ε; the intermetallics
get each step's delivered Zn minus the α inventory change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from process_models.citations import register
from process_models.parameters.registry import ParameterValues
from process_models.roots import lambert_w0
from process_models.rowwise import row_dot
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.newton_kernel import compiled_kernels_enabled
from process_models.uht.phase_diagram import cuzn_phase_diagram

_TABLE_MIN_K = 500.0  # the phase table starts here; below it the fields barely move and little Zn arrives
# Sub-steps of a solver step's island bookkeeping at most, where the γ's capacity at the step's start cannot pass the
# step's Zn (the first steps after nucleation, when θ/h grows by orders of magnitude within a step): the step's Zn is
# booked in ⌈offered/capacity⌉ equal parts, each with the capacity of the state it finds. Booked at once, the start
# state's capacity sent nearly all of such a step's Zn to ε: with 50 solver steps the ε of a source-limited stage II
# (700 K, 30 s, Zn source 750 K) came out 1.27 nm against 0.15 nm with 3200 steps, and its γ 2.5 % thin (6 % at
# 750 K); with the sub-steps 0.18 nm and 0.05 % (2 % at 750 K). Steps whose Zn the γ passes are booked as before.
MAX_CAPACITY_SUBSTEPS = 64
_TINY = np.finfo(float).tiny


@dataclass(frozen=True)
class IslandConstants:
    """Constants of the nucleation and island model, resolved once from the registry."""

    nucleation_rate_ref_per_m2_s: float  # I_ref: nucleation rate on unsaturated α at J_ref, no islands
    reference_flux_mol_per_m2_s: float  # J_ref
    capture_length_m: float  # ℓ
    aspect_frac: float  # h/r of a cap
    gamma_zn_frac: float  # x_γ (Cu5Zn8)
    gamma_molar_density_mol_per_m3: float  # c_γ (atoms, mol/m³)
    molar_density_mol_per_m3: float  # c of the solver's frame (for the Kidson layer thicknesses)

    @classmethod
    def from_parameters(cls, params: ParameterValues) -> IslandConstants:
        register("Venables1984", "gamma_islands")
        register("Avrami1939", "gamma_islands")
        register("Kidson1961", "gamma_islands")
        register("GoseleTu1982", "gamma_islands")
        x = params["gamma_cu5zn8_zn_frac"]
        molar_mass = x * params["zn_molar_mass_kg_per_mol"] + (1.0 - x) * params["cu_molar_mass_kg_per_mol"]
        return cls(
            nucleation_rate_ref_per_m2_s=params["gamma_nucleation_rate_ref_per_m2_s"],
            reference_flux_mol_per_m2_s=params["gamma_nucleation_reference_flux_mol_per_m2_s"],
            capture_length_m=params["zn_adatom_capture_length_m"],
            aspect_frac=params["gamma_island_aspect_frac"],
            gamma_zn_frac=x,
            gamma_molar_density_mol_per_m3=params["gamma_cu5zn8_density_kg_per_m3"] / molar_mass,
            molar_density_mol_per_m3=params["cuzn_alloy_molar_density_mol_per_m3"],
        )

    @property
    def cap_volume_factor(self) -> float:
        """v = k·r³ for a spherical cap of height h = a·r: k = π·a·(3 + a²)/6."""
        a = self.aspect_frac
        return np.pi * a * (3.0 + a * a) / 6.0

    def zn_to_volume_m3(self, zn_mol: np.ndarray) -> np.ndarray:
        """Volume [m³] of γ holding ``zn_mol`` of Zn."""
        return zn_mol / (self.gamma_zn_frac * self.gamma_molar_density_mol_per_m3)


def nucleate(s: np.ndarray, capture: np.ndarray, rate0_per_m2_s: np.ndarray, new_capture_m2: float,
             dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Islands nucleated over dt [1/m²] and the adatom supersaturation u at the end of the step.

    u = 1/(s + Λ) and I = I0·u² (i* = 1); the new islands add their own capture, Λ = Λ0 + a·ΔN with
    a = πℓ², so dΔN/dt = I0/(s + Λ0 + a·ΔN)², integrated exactly over the step:
    (S0 + a·ΔN)³ = S0³ + 3·a·I0·dt. This self-limits the burst when α saturates (s → 0).
    """
    S0 = s + capture
    born = np.maximum((np.cbrt(S0 ** 3 + 3.0 * new_capture_m2 * rate0_per_m2_s * dt_s) - S0) / new_capture_m2,
                      0.0)
    u = 1.0 / np.maximum(S0 + new_capture_m2 * born, _TINY)
    return born, u


def uptake_conductance(J, coverage, capture):
    """α's uptake conductance [mol m⁻² s⁻¹] under a supply ``J``: the bare area's share (1 − θ) of the supply,
    split with the islands' capture Λ, plus the covered area's share θ (arrays or numbers; also compiled into the
    stage-II march, ``newton_kernel_jit.march_islands``)."""
    return J * (1.0 - coverage) / (1.0 + capture) + J * coverage


@dataclass
class IslandState:
    """Islands of B foils: cohort counts N_k [1/m²] and Zn per island [mol]; layers; Zn accounts [mol/m²]."""

    counts_per_m2: np.ndarray  # (B, K)
    zn_per_island_mol: np.ndarray  # (B, K)
    n_cohorts: int
    coverage_frac: np.ndarray  # θ
    capture_frac: np.ndarray  # Λ
    beta_thickness_m: np.ndarray  # Kidson β thickness under the covered area
    beta_zn_frac: np.ndarray  # its mean composition
    epsilon_zn_frac: np.ndarray  # composition of the ε on top (Zn beyond γ's capacity)
    delivered_mol_per_m2: np.ndarray
    alpha_mol_per_m2: np.ndarray
    intermetallic_mol_per_m2: np.ndarray  # γ + β
    epsilon_mol_per_m2: np.ndarray
    max_supersaturation: np.ndarray  # largest u seen
    min_capacity_ratio: np.ndarray  # smallest (γ diffusion capacity)/(flux offered to the γ)

    @classmethod
    def empty(cls, B: int, max_cohorts: int) -> IslandState:
        def z() -> np.ndarray:
            return np.zeros(B)
        return cls(np.zeros((B, max_cohorts)), np.zeros((B, max_cohorts)), 0, z(), z(), z(), np.full(B, 0.46),
                   np.full(B, 0.81), z(), z(), z(), z(), z(), np.full(B, np.inf))


class IslandGrowth:
    """Couples the island model to the interdiffusion solver of stage II.

    :meth:`alpha_flux` is the solver's surface flux (the Zn α dissolves); :meth:`step_done` is its per-step
    ``record`` hook: it books the step's Zn (delivered − α uptake → islands), nucleates a cohort, grows the
    islands, updates the coverage, the β layer and the ε beyond the γ's capacity. Island quantities are held
    constant within a solver step (explicit), or within each of its sub-steps where the γ's capacity binds
    (:data:`MAX_CAPACITY_SUBSTEPS`); the α surface composition is implicit.
    """

    def __init__(self, supply, params: ParameterValues, t0_s: np.ndarray, x0: np.ndarray, widths_m: np.ndarray,
                 max_cohorts: int) -> None:
        self.k = IslandConstants.from_parameters(params)
        self.params = params
        self.supply = supply
        self.diagram = cuzn_phase_diagram()
        self.diffusivity = CuZnFickDiffusivity.from_parameters(params)
        self.width = params["stage2_alpha_saturation_width_frac"]
        self.beta_reaction_length_m = params["beta_reaction_length_m"]
        self.widths = widths_m
        B = x0.shape[0]
        self.state = IslandState.empty(B, max_cohorts)
        self.state.alpha_mol_per_m2[:] = self.k.molar_density_mol_per_m3 * row_dot(x0, widths_m)
        self.t_prev = np.asarray(t0_s, dtype=float).copy()
        self._J = np.zeros(B)  # supply flux of the current step (from the latest flux call)
        self._T = np.full(B, _TABLE_MIN_K)  # its temperature (the step's effective temperature)
        self._cache: dict[str, np.ndarray] = {}
        self._planned: dict[tuple[bytes, bytes], tuple[np.ndarray, np.ndarray]] | None = {}
        self.planned_steps: tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]] | None = None
        self._planned_fields: dict[bytes, dict[str, np.ndarray]] | None = {}
        self._fields_cache: tuple[np.ndarray, dict[str, np.ndarray]] | None = None
        self._kernel = islands_step_kernel() if compiled_kernels_enabled() else None
        if self._kernel is not None:
            self._pack_state()

    def _pack_state(self) -> None:
        """For the compiled bookkeeping (:func:`islands_step_kernel`): the per-foil accounts and the step clock
        become rows of one (12, B) array, kept as views by the state, and the constants one vector."""
        from process_models.uht.islands_kernel_jit import CONSTANT_NAMES, FIELD_ROWS, STATE_ROWS

        st = self.state
        self._rows = np.array([getattr(st, n) for n in STATE_ROWS[:-1]] + [self.t_prev], dtype=float)
        for i, name in enumerate(STATE_ROWS[:-1]):
            setattr(st, name, self._rows[i])
        self.t_prev = self._rows[-1]
        k = self.k
        values = {**vars(k), "cap_volume_factor": k.cap_volume_factor, "saturation_width_frac": self.width,
                  "beta_reaction_length_m": self.beta_reaction_length_m,
                  "capacity_substeps_max": float(MAX_CAPACITY_SUBSTEPS)}
        self._consts = np.array([values[n] for n in CONSTANT_NAMES], dtype=float)
        self._field_names = FIELD_ROWS
        self._field_rows: tuple[dict[str, np.ndarray], np.ndarray] | None = None

    # --- solver callbacks ------------------------------------------------------------------------

    def alpha_flux(self, x_s: np.ndarray, T: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Zn flux into α [mol m⁻² s⁻¹] and its derivative in the surface composition x_s (see module doc)."""
        c = self._cache
        if not c or not (np.array_equal(T, c["T"]) and np.array_equal(t, c["t"])):
            st = self.state
            planned = self._step_lookups()[0].get((T.tobytes(), t.tobytes()))
            J, x_cap = planned if planned is not None else self._supply_at(T, t)
            conductance = uptake_conductance(J, st.coverage_frac, st.capture_frac)
            c.update(T=T.copy(), t=t.copy(), J=J, k=conductance, x_cap=x_cap)
        self._J, self._T = c["J"], T
        return self._alpha_flux(x_s, c["x_cap"], c["k"])

    def _supply_at(self, T: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Supply flux [mol m⁻² s⁻¹] and α's Zn cap at (T, t) (any shape, one row per foil)."""
        return (self.supply.flux(T, t, self.params),
                np.asarray(self.diagram.alpha_max_zn_frac(np.maximum(T, _TABLE_MIN_K))))

    def plan(self, T: np.ndarray, t: np.ndarray) -> None:
        """Supply and α cap of every solver step at once (``T``, ``t`` (B, n): the steps' temperatures and end
        times of the whole batch); a step at exactly these (T, t) finds them ready. Element-wise the same."""
        J, x_cap = self._supply_at(np.asarray(T, dtype=float), np.asarray(t, dtype=float))
        Tm = np.maximum(T, _TABLE_MIN_K)
        fields = self._fields_at(Tm)
        self.planned_steps = (J, x_cap, fields)  # (B, n) each: what the compiled march takes
        self._plan_keys = (np.asarray(T, dtype=float), np.asarray(t, dtype=float), Tm)
        self._planned, self._planned_fields = None, None  # per-step lookups, made at their first use

    def _step_lookups(self) -> tuple[dict, dict]:
        """The plan as lookups per step: (T, t) bytes → (supply, α cap) and T bytes → fields, made once from
        :attr:`planned_steps` when a step first asks (the compiled march reads the arrays and never asks)."""
        if self._planned is None:
            T, t, Tm = self._plan_keys
            J, x_cap, fields = self.planned_steps
            self._planned, self._planned_fields = {}, {}
            for k in range(T.shape[1]):
                key = (np.ascontiguousarray(T[:, k]).tobytes(), np.ascontiguousarray(t[:, k]).tobytes())
                self._planned[key] = (J[:, k].copy(), x_cap[:, k].copy())
                self._planned_fields[np.ascontiguousarray(Tm[:, k]).tobytes()] = {n: v[:, k].copy()
                                                                                   for n, v in fields.items()}
        return self._planned, self._planned_fields

    def alpha_flux_at(self, T: np.ndarray, t: np.ndarray):
        """:meth:`alpha_flux` with (T, t) fixed: ``f(x_s) -> (J, dJ/dx_s)``, the supply and the α cap computed
        once (the solver binds a step's temperature and time once and iterates in x_s); the same numbers."""
        self.alpha_flux(np.zeros_like(T), T, t)  # fills the step's supply and cap, books J and T for step_done
        c = self._cache
        x_cap, k = c["x_cap"], c["k"]
        return lambda x_s: self._alpha_flux(x_s, x_cap, k)

    def alpha_uptake_factors(self, T: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """The α uptake at a step's (T, t) (B,) as its factors: J = k·clip((x_cap − x_s)/w, 0, 1) with the conductance
        k [mol m⁻² s⁻¹], α's cap x_cap and the saturation width w; books the step's supply as
        :meth:`alpha_flux_at` does (the compiled Newton step's input)."""
        self.alpha_flux(np.zeros_like(T), T, t)
        c = self._cache
        return c["k"], c["x_cap"], self.width

    # --- the compiled march's view (newton_kernel.IslandUptakeStep) -------------------------------

    def uptake_factors_of(self, foils: np.ndarray, T: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`alpha_uptake_factors` of the foils ``foils`` alone, at their (T, t): the conductance and α's cap,
        each foil's the same numbers as in the whole batch's call; books their supply and temperature for
        :meth:`step_done` (the other foils' are left as they were)."""
        J = self.supply.rows(foils).flux(T, t, self.params)
        x_cap = self.diagram.alpha_max_zn_frac(np.maximum(T, _TABLE_MIN_K))
        st = self.state
        conductance = uptake_conductance(J, st.coverage_frac[foils], st.capture_frac[foils])
        self._J, self._T = self._J.copy(), np.array(self._T, dtype=float)
        self._J[foils], self._T[foils] = J, T
        self._cache.clear()  # the whole-batch view no longer matches the booked supply
        return conductance, np.asarray(x_cap, dtype=float)

    @property
    def compiled_bookkeeping(self) -> bool:
        """Whether :meth:`step_done` runs compiled (``islands_kernel_jit``)."""
        return self._kernel is not None

    @property
    def state_rows(self) -> np.ndarray:
        """The accounts and the step clock as one (12, B) array (rows: ``islands_kernel_jit.STATE_ROWS``), the
        state's own storage."""
        return self._rows

    @property
    def kernel_constants(self) -> np.ndarray:
        """The compiled bookkeeping's constants (``islands_kernel_jit.CONSTANT_NAMES``)."""
        return self._consts

    @property
    def step_supply(self) -> np.ndarray:
        """The supply flux (B,) [mol m⁻² s⁻¹] of each foil's latest flux call (what :meth:`step_done` books)."""
        return self._J

    def step_fields_row(self, b: int) -> np.ndarray:
        """Foil b's phase fields (``islands_kernel_jit.FIELD_ROWS``) at its latest flux call's temperature (at least
        the phase table's start), as :meth:`step_done` takes them."""
        f = self._fields_at(np.maximum(self._T[b:b + 1], _TABLE_MIN_K))
        return np.array([f[name][0] for name in self._field_names], dtype=float)

    def _alpha_flux(self, x_s: np.ndarray, x_cap: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s_raw = (x_cap - x_s) / self.width
        s = np.minimum(np.maximum(s_raw, 0.0), 1.0)
        ds = np.where((s_raw > 0.0) & (s_raw < 1.0), -1.0 / self.width, 0.0)
        return k * s, k * ds

    def step_done(self, x: np.ndarray, T_end: np.ndarray, t_end: np.ndarray) -> np.ndarray:
        """Book one solver step for every foil (the solver's ``record`` hook); returns the coverage. Compiled
        (:mod:`process_models.uht.islands_kernel_jit`) when the compiled kernels are on, else in numpy.

        A foil whose γ cannot pass the step's Zn at the step's start is booked in sub-steps
        (:meth:`_substeps`, :data:`MAX_CAPACITY_SUBSTEPS`); the others in one, their accounts untouched by the
        sub-steps of the others."""
        if self._kernel is not None:
            return self._step_done_compiled(x, t_end)
        st, k = self.state, self.k
        dt = np.maximum(t_end - self.t_prev, 0.0)
        self.t_prev = np.asarray(t_end, dtype=float).copy()
        T = np.maximum(self._T, _TABLE_MIN_K)
        J = self._J
        alpha_now = k.molar_density_mol_per_m3 * row_dot(x, self.widths)
        d_islands = J * dt - (alpha_now - st.alpha_mol_per_m2)  # what α did not take (≥ 0 up to round-off)
        st.alpha_mol_per_m2 = alpha_now
        st.delivered_mol_per_m2 += J * dt
        s = np.clip((self._fields(T)["x_cap"] - x[:, 0]) / self.width, 0.0, 1.0)  # the α surface at the step's end
        m = self._substeps(T, dt, d_islands)
        self._book(T, dt / m, d_islands / m, s, new_cohort=True)
        for i in range(1, int(m.max())):
            idle = m <= i
            kept = self._rows_of(idle)
            self._book(T, dt / m, d_islands / m, s, new_cohort=False)
            self._put_rows(kept, idle)
        return self.state.coverage_frac.copy()

    def _book(self, T: np.ndarray, dt: np.ndarray, d_islands: np.ndarray, s: np.ndarray, new_cohort: bool) -> None:
        """Book ``d_islands`` [mol/m²] over ``dt`` [s] (a step or a sub-step): ε beyond the γ's capacity, nucleation
        at the α surface ``s``, growth, the dilution of β by new coverage, the Kidson β layer."""
        st, k = self.state, self.k
        J = self._J
        # beyond the γ's diffusion capacity the Zn builds ε on top (state at the (sub-)step's start)
        d_eps = self._beyond_gamma_capacity(T, dt, d_islands)
        st.epsilon_mol_per_m2 += d_eps
        d_int = d_islands - d_eps
        st.intermetallic_mol_per_m2 += d_int
        # nucleation over the step, at the step's end state of the α surface (implicit in s)
        Jb = J * (1.0 - st.coverage_frac)
        rate0 = k.nucleation_rate_ref_per_m2_s * (Jb / k.reference_flux_mol_per_m2_s) ** 2
        born, u = nucleate(s, st.capture_frac, rate0 * (1.0 - st.coverage_frac), np.pi * k.capture_length_m ** 2,
                           dt)
        np.maximum(st.max_supersaturation, np.where(J > 0.0, u, 0.0), out=st.max_supersaturation)
        theta_old = st.coverage_frac
        self._grow(born, np.maximum(d_int, 0.0), new_cohort)
        # the newly covered area starts without β: the covered column's mean β thickness is diluted
        st.beta_thickness_m *= np.divide(theta_old, st.coverage_frac, out=np.zeros_like(theta_old),
                                         where=st.coverage_frac > 0.0)
        self._kidson(T, dt, d_int)

    def _substeps(self, T: np.ndarray, dt: np.ndarray, d_islands: np.ndarray) -> np.ndarray:
        """Parts (B,) to book the step's Zn in: ⌈offered/capacity⌉ (at most :data:`MAX_CAPACITY_SUBSTEPS`) where the
        γ's capacity at the step's start is below the Zn offered to the islands, else 1."""
        capacity, ok = self._gamma_capacity(T, dt)
        offered = np.maximum(d_islands, 0.0)
        short = ok & (offered > capacity)
        parts = np.divide(offered, capacity, out=np.full_like(offered, np.inf), where=short & (capacity > 0.0))
        return np.where(short, np.minimum(np.ceil(parts), MAX_CAPACITY_SUBSTEPS), 1.0)

    def _rows_of(self, foils: np.ndarray) -> dict[str, np.ndarray]:
        """Copies of the accounts of ``foils`` (a mask), for :meth:`_put_rows`."""
        return {name: v[foils].copy() for name, v in vars(self.state).items() if isinstance(v, np.ndarray)}

    def _put_rows(self, kept: dict[str, np.ndarray], foils: np.ndarray) -> None:
        """Put back the accounts of ``foils`` kept by :meth:`_rows_of` (bit for bit)."""
        for name, v in kept.items():
            getattr(self.state, name)[foils] = v

    def _step_done_compiled(self, x: np.ndarray, t_end: np.ndarray) -> np.ndarray:
        """:meth:`step_done` by the compiled kernel: the same accounts, to round-off."""
        f = self._fields(np.maximum(self._T, _TABLE_MIN_K))
        if self._field_rows is None or self._field_rows[0] is not f:  # the hold repeats a step's fields
            self._field_rows = (f, np.array([f[n] for n in self._field_names], dtype=float))
        st = self.state
        coverage = np.empty(x.shape[0])
        st.n_cohorts = self._kernel(np.ascontiguousarray(x, dtype=float), self.widths, np.ascontiguousarray(self._J),
                                    np.ascontiguousarray(t_end, dtype=float), self._field_rows[1], self._rows,
                                    st.counts_per_m2, st.zn_per_island_mol, st.n_cohorts, self._consts, coverage)
        return coverage

    # --- islands ----------------------------------------------------------------------------------

    def _radii_m(self) -> np.ndarray:
        """Free-growth (extended) cap radius of each cohort's islands (B, K) [m]."""
        k = self.k
        vol = k.zn_to_volume_m3(self.state.zn_per_island_mol[:, : self.state.n_cohorts])
        return np.cbrt(vol / k.cap_volume_factor)

    def _grow(self, born_per_m2: np.ndarray, zn_mol_per_m2: np.ndarray, new_cohort: bool = True) -> None:
        """Add a cohort of ``born_per_m2`` islands (to the latest one: not ``new_cohort``, a sub-step's) and share
        ``zn_mol_per_m2`` among all islands by reach."""
        st, ell = self.state, self.k.capture_length_m
        if new_cohort and st.n_cohorts < st.counts_per_m2.shape[1]:
            st.n_cohorts += 1
        j = st.n_cohorts - 1  # a full table merges later births into the last cohort
        st.counts_per_m2[:, j] += born_per_m2
        K = st.n_cohorts
        N = st.counts_per_m2[:, :K]
        reach = np.pi * (self._radii_m() + ell) ** 2  # capture reach of one island [m²]
        total = np.sum(N * reach, axis=1)
        share = np.divide(zn_mol_per_m2, total, out=np.zeros_like(total), where=total > 0.0)
        st.zn_per_island_mol[:, :K] += share[:, None] * reach
        r = self._radii_m()
        st.coverage_frac = -np.expm1(-np.sum(N * np.pi * r * r, axis=1))
        st.capture_frac = np.sum(N * np.pi * ((r + ell) ** 2 - r * r), axis=1)

    # --- the γ's diffusion capacity and the β beneath (Kidson / Gösele–Tu) ------------------------

    def _fields(self, T: np.ndarray) -> dict[str, np.ndarray]:
        """Field limits, α's cap and the γ and mid-β D̃ at the step temperatures (cached: in the hold they repeat
        step after step; planned for every step at once by :meth:`plan`)."""
        cached = self._fields_cache
        if cached is not None and np.array_equal(cached[0], T):
            return cached[1]
        out = self._step_lookups()[1].get(T.tobytes())
        if out is None:
            out = self._fields_at(T)
        self._fields_cache = (T.copy(), out)
        return out

    def _fields_at(self, T: np.ndarray) -> dict[str, np.ndarray]:
        """:meth:`_fields` computed, for T of any shape (one row per foil)."""
        d = self.diagram
        _, x_a = d.phase_field_zn_frac("alpha", T)
        b_lo, b_hi = d.phase_field_zn_frac("beta", T)
        g_lo, g_hi = d.phase_field_zn_frac("gamma", T)
        e_lo, e_hi = d.phase_field_zn_frac("epsilon", T)
        D_gamma = self.diffusivity.diffusivity(np.full(T.shape, self.k.gamma_zn_frac), T)
        has_beta = np.isfinite(b_lo)
        x_mid = np.where(has_beta, 0.5 * (b_lo + b_hi), 0.0)
        D_beta = np.where(has_beta, self.diffusivity.diffusivity(x_mid, T), 1.0)  # finite where unused
        return {"x_a": x_a, "b_lo": b_lo, "b_hi": b_hi, "g_lo": g_lo, "g_hi": g_hi, "e_lo": e_lo, "e_hi": e_hi,
                "x_cap": np.asarray(d.alpha_max_zn_frac(T)), "D_gamma": D_gamma, "D_beta_mid": D_beta}

    def _gamma_capacity(self, T: np.ndarray, dt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The Zn [mol/m²] the γ can pass over ``dt`` (c·D̃γ·Δx_γ/h per covered area, state now; infinite for a γ of
        zero height), and where the γ exists (islands and a γ field)."""
        st, k = self.state, self.k
        f = self._fields(T)
        theta = st.coverage_frac
        ok = (theta > 0.0) & np.isfinite(f["g_lo"])
        h = self.gamma_height_m()
        rate = k.molar_density_mol_per_m3 * f["D_gamma"] * np.where(ok, f["g_hi"] - f["g_lo"], 0.0)
        capacity = np.full_like(theta, np.inf)  # a γ of zero height passes anything
        thick = h > 0.0
        capacity[thick] = rate[thick] / h[thick] * theta[thick] * dt[thick]
        return capacity, ok

    def _beyond_gamma_capacity(self, T: np.ndarray, dt: np.ndarray, d_islands: np.ndarray) -> np.ndarray:
        """Zn of this step the γ cannot pass (:meth:`_gamma_capacity`, state at the step's start)."""
        st = self.state
        f = self._fields(T)
        capacity, ok = self._gamma_capacity(T, dt)
        offered = np.maximum(d_islands, 0.0)
        ratio = np.divide(capacity, offered, out=np.full_like(capacity, np.inf), where=offered > 0.0)
        np.minimum(st.min_capacity_ratio, np.where(ok, ratio, np.inf), out=st.min_capacity_ratio)
        e_mid = 0.5 * (f["e_lo"] + f["e_hi"])
        st.epsilon_zn_frac = np.where(np.isfinite(e_mid), e_mid, st.epsilon_zn_frac)
        return np.where(ok, np.maximum(offered - capacity, 0.0), 0.0)

    def _kidson(self, T: np.ndarray, dt: np.ndarray, d_int: np.ndarray) -> None:
        """Advance the β layer under the covered area over the step."""
        st, k = self.state, self.k
        c = k.molar_density_mol_per_m3
        f = self._fields(T)
        theta = st.coverage_frac
        ok = (theta > 0.0) & np.isfinite(f["g_lo"]) & np.isfinite(f["b_lo"])
        d1 = np.where(ok, f["g_lo"] - f["b_hi"], 1.0)  # γ/β composition gap
        d2 = np.where(ok, f["b_lo"] - f["x_a"], 1.0)  # β/α composition gap
        xb = np.where(ok, 0.5 * (f["b_lo"] + f["b_hi"]), st.beta_zn_frac)
        D_beta = np.where(ok, f["D_beta_mid"], 1.0)  # D̃ at xb where ok; elsewhere a is 0 whatever D̃ is
        a = D_beta * np.where(ok, f["b_hi"] - f["b_lo"], 0.0) * (1.0 / d1 + 1.0 / d2)
        j_loc = np.divide(np.maximum(d_int, 0.0), theta * dt, out=np.zeros_like(theta), where=ok & (dt > 0.0))
        # Gösele–Tu: the β passes c·Δx_β·D̃β/(L + a0) (the interface reaction in series), so with M = L + a0
        # the Kidson law dM/dt = a/M − b holds; β cannot shrink below zero thickness
        a0 = self.beta_reaction_length_m
        L_new = np.maximum(kidson_beta_thickness_m(st.beta_thickness_m + a0, a, j_loc / (c * d1), dt) - a0, 0.0)
        z_loc = np.divide(st.intermetallic_mol_per_m2, theta, out=np.zeros_like(theta), where=ok)
        st.beta_thickness_m = np.where(ok, np.minimum(L_new, z_loc / (c * xb)), st.beta_thickness_m)
        st.beta_zn_frac = xb

    # --- results ----------------------------------------------------------------------------------

    def beta_mol_per_m2(self) -> np.ndarray:
        """Zn in the β layer per foil area [mol m⁻²]."""
        st = self.state
        beta = st.coverage_frac * self.k.molar_density_mol_per_m3 * st.beta_zn_frac * st.beta_thickness_m
        return np.minimum(beta, st.intermetallic_mol_per_m2)  # capped at all of it as β, exactly

    def gamma_mol_per_m2(self) -> np.ndarray:
        """Zn in the γ islands per foil area [mol m⁻²]."""
        return self.state.intermetallic_mol_per_m2 - self.beta_mol_per_m2()

    def gamma_height_m(self) -> np.ndarray:
        """Mean γ height over the covered area [m] (volume / coverage)."""
        theta = self.state.coverage_frac
        vol = self.k.zn_to_volume_m3(np.maximum(self.gamma_mol_per_m2(), 0.0))
        return np.divide(vol, theta, out=np.zeros_like(theta), where=theta > 0.0)

    def particle_size_m(self) -> np.ndarray:
        """Coverage-weighted mean island diameter [m]: the particles an SEM image shows. Each island's
        footprint is its free-growth footprint scaled by θ/A_ext (the share left after impingement)."""
        st = self.state
        if st.n_cohorts == 0:
            return np.zeros(st.coverage_frac.shape)
        N = st.counts_per_m2[:, : st.n_cohorts]
        r = self._radii_m()
        area = N * np.pi * r * r
        a_ext = area.sum(axis=1)
        scale = np.sqrt(np.divide(st.coverage_frac, a_ext, out=np.ones_like(a_ext), where=a_ext > 0.0))
        mean_r = np.divide(np.sum(area * r, axis=1), a_ext, out=np.zeros_like(a_ext), where=a_ext > 0.0)
        return 2.0 * mean_r * scale

    def island_zn_mol_per_m2(self) -> np.ndarray:
        """Σ_k N_k·(Zn per island) [mol m⁻²]: the islands' own account of γ + β."""
        K = self.state.n_cohorts
        return np.sum(self.state.counts_per_m2[:, :K] * self.state.zn_per_island_mol[:, :K], axis=1)

    def island_density_per_m2(self) -> np.ndarray:
        """Islands per m² (all cohorts)."""
        return self.state.counts_per_m2[:, : self.state.n_cohorts].sum(axis=1)


def kidson_beta_thickness_m(L0_m: np.ndarray, a_m2_per_s: np.ndarray, b_m_per_s: np.ndarray,
                            dt_s: np.ndarray) -> np.ndarray:
    """Exact solution over dt of dL/dt = a/L − b (β layer fed through its interfaces, Kidson 1961).

    With L* = a/b, w = 1 − L/L* and τ = b²t/a: (w − w0) + ln(w0/w) = τ, i.e. w·e^(−w) = w0·e^(−w0−τ):
    for L0 < L* (0 < w ≤ 1) w = −W0(−w0·e^(−w0−τ)); for L0 > L* (w < 0) y = −w solves y + ln y = ln(−w0) − w0 − τ.
    b = 0 gives parabolic growth L² = L0² + 2at; a = 0 leaves L0.
    """
    L0, a, b, dt = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (L0_m, a_m2_per_s, b_m_per_s, dt_s)))
    out = np.sqrt(L0 * L0 + 2.0 * a * dt)
    fed = (b > 0.0) & (a > 0.0)
    if not fed.any():
        return out
    Ls = a[fed] / b[fed]
    w0 = 1.0 - L0[fed] / Ls
    tau = b[fed] ** 2 * dt[fed] / a[fed]
    w = np.zeros_like(w0)
    below = w0 > 0.0
    arg = -w0[below] * np.exp(-w0[below] - tau[below])
    w[below] = -lambert_w0(np.maximum(arg, -np.exp(-1.0)))
    above = w0 < 0.0
    if above.any():
        w[above] = -_solve_y_plus_ln_y(np.log(-w0[above]) - w0[above] - tau[above])
    result = out.copy()
    result[fed] = Ls * (1.0 - w)
    return result


def _solve_y_plus_ln_y(rhs: np.ndarray) -> np.ndarray:
    """y > 0 with y + ln y = rhs (i.e. y = W0(e^rhs)), by Newton from a bracketing start; no overflow."""
    y = np.where(rhs > 1.0, rhs - np.log(np.maximum(rhs, 1.0)), np.exp(np.minimum(rhs, 1.0)))
    y = np.maximum(y, 1e-300)
    active = np.ones(y.shape, dtype=bool)  # an element stops at its own convergence (batch-independent)
    for _ in range(60):
        f = y + np.log(y) - rhs
        y_new = np.maximum(y - f * y / (y + 1.0), 0.5 * y)
        done = np.abs(y_new - y) <= 1e-14 * np.maximum(y, 1e-300)
        y = np.where(active, y_new, y)
        active &= ~done
        if not active.any():
            return y
    return y


@cache
def islands_step_kernel():
    """The compiled ``islands_step`` of :mod:`process_models.uht.islands_kernel_jit` (numba: imported here, at the
    first use, not at import; compiled once, then loaded from numba's on-disk cache)."""
    from process_models.uht import islands_kernel_jit

    return islands_kernel_jit.islands_step
