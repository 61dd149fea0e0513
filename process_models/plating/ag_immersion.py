"""Ag plumes on Cu by immersion in aqueous AgF: galvanic displacement Cu + 2 Ag⁺ → Cu²⁺ + 2 Ag (seed 004).

Per unit foil area (one face), vectorised over B immersions; docs/texture_ag_quality.md.

- **Rate:** transport-limited (the reaction has ΔG° ≈ −88 kJ per mol Cu, seed note 004 §4.2, so Ag⁺ is taken
  to be consumed at the surface as fast as it arrives). The Ag⁺ flux is c·D/δ(t): a Cottrell layer
  δ = √(πDt) grows until it reaches the convective layer δ_conv, after which the flux is steady (Bard2001).
  The transport integral G(t) = ∫ D/δ dt [m] is closed form. In a quiescent bath δ_conv is the natural-
  convection layer L/Sh of :mod:`process_models.plating.natural_convection` (the reaction's own density
  difference drives it); in an agitated one it is an assumed Nernst layer.
- **Bath depletion** (optional): a bath of volume per foil area h [m] loses what the foil takes up,
  c = c₀ − n/h, so the Ag⁺ consumed is n = c₀·h·(1 − exp(−G/h)) (→ c₀·G for h → ∞).
- **Stoichiometry:** Cu dissolved = Ag deposited / 2, exactly. The optional AgCuF3 channel (seed note 004
  §4.2, ``agcuf3_cu_precipitated_frac``, default 0 = off) precipitates a share φ of the Cu²⁺ with one more Ag⁺
  each, so Ag⁺ consumed = Ag metal·(1 + φ/2); that Ag⁺ is reported separately.
- **Window flags:** relative to the seed's single optimum 1 wt %/2 min by the dose c·t (seed note 004 §4.3
  hypothesis): below ``ag_plume_dose_low_ratio_frac`` → incomplete plumes, above
  ``ag_plume_dose_high_ratio_frac`` → plumes damaged. Thresholds are assumptions.

Not modelled: a slowdown once plumes cover the surface (the Cu must then be reached through the Ag layer);
the transport-limited loading is therefore an upper bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.costing.flows import Flows
from process_models.errors import FoiltwinInputError, check_range
from process_models.errors import check_array as _check
from process_models.parameters import parameters_or_default as _values
from process_models.plating.natural_convection import ConvectionLayer, Orientation, natural_convection_layer

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
ParamsLike = Mapping[str, float] | None
Agitation = Literal["quiescent", "agitated"]

AGITATIONS: tuple[str, ...] = ("quiescent", "agitated")
AGF_MASS_FRAC_RANGE = (0.0, 0.2)  # open at 0; dilute-bath density assumption up to 20 wt %
MAX_TIME_S = 86400.0


def agf_concentration_mol_per_m3(agf_mass_frac: ArrayLike, params: ParamsLike = None) -> FloatArray:
    """Ag⁺ (= AgF) concentration [mol/m3] of a bath with AgF mass fraction ``agf_mass_frac`` (0.01 = 1 wt %).

    c = w·ρ_bath/M_AgF; 1 wt % → 78.8 mol/m3 (seed note 004 §4.3: ≈ 0.079 mol/L).
    """
    register("CRC", "ag_immersion.agf_concentration_mol_per_m3")
    values = _values(params)
    w = _check("agf_mass_frac", agf_mass_frac, *AGF_MASS_FRAC_RANGE, "1 (mass fraction)", low_inclusive=False)
    return w * values["agf_bath_density_kg_per_m3"] / values["agf_molar_mass_kg_per_mol"]


def diffusion_layer_m(agitation: Agitation, c0_mol_per_m3: ArrayLike, orientation: Orientation = "vertical",
                      electrode_length_m: float | None = None, byproduct_frac: float = 0.0,
                      params: ParamsLike = None) -> tuple[FloatArray, ConvectionLayer | None]:
    """Steady diffusion layer [m] per row: natural convection (quiescent; with its :class:`ConvectionLayer`) or the
    assumed Nernst layer of an agitated bath (``None`` for the convection record)."""
    if agitation not in AGITATIONS:
        raise FoiltwinInputError("agitation", agitation, f"one of {', '.join(AGITATIONS)}")
    c0 = np.atleast_1d(np.asarray(c0_mol_per_m3, dtype=float))
    if agitation == "agitated":
        return np.full(c0.shape, _values(params)["ag_immersion_agitated_diffusion_layer_m"]), None
    layer = natural_convection_layer(c0, orientation, electrode_length_m, byproduct_frac, params,
                                     field="electrode_length_m")
    return layer.diffusion_layer_m, layer


def transport_integral_m(time_s: ArrayLike, diffusion_layer_m: ArrayLike, diffusivity_m2_per_s: float) -> FloatArray:
    """G(t) = ∫₀ᵗ D/δ(t') dt' [m] with δ = min(√(πDt'), δ_conv): Cottrell, then steady (Bard2001).

    Ag⁺ delivered per area without depletion = c·G. G = 2√(Dt/π) for t ≤ t* = δ_conv²/(πD), else
    2δ_conv/π + (D/δ_conv)(t − t*). ``diffusion_layer_m`` broadcasts against ``time_s``.
    """
    register("Bard2001", "ag_immersion.transport_integral_m")
    t = _check("time_s", time_s, 0.0, None, "s")
    d = np.asarray(diffusion_layer_m, dtype=float)
    D = float(diffusivity_m2_per_s)
    t_star = d * d / (np.pi * D)
    late = 2.0 * d / np.pi + D / d * (t - t_star)
    return np.where(t <= t_star, 2.0 * np.sqrt(D * t / np.pi), late)


@dataclass(frozen=True)
class ImmersionResult:
    """Outcome per foil area, arrays of shape (B,). Loadings are one face; thickness is dense-equivalent."""

    agf_concentration_mol_per_m3: FloatArray
    ag_mol_per_m2: FloatArray
    ag_kg_per_m2: FloatArray
    ag_thickness_m: FloatArray
    cu_dissolved_mol_per_m2: FloatArray
    cu_dissolved_kg_per_m2: FloatArray
    cu_thinning_m: FloatArray
    ag_ion_consumed_mol_per_m2: FloatArray
    """All Ag⁺ taken from the bath: Ag metal plus the Ag in AgCuF3."""
    ag_ion_to_byproduct_mol_per_m2: FloatArray
    agcuf3_mol_per_m2: FloatArray
    agcuf3_kg_per_m2: FloatArray
    bath_final_concentration_mol_per_m3: FloatArray
    """Ag⁺ left in the bath (equal to the initial one when no bath volume is given)."""
    dose_ratio: FloatArray
    """(mass fraction × time) over the seed's 1 wt % × 2 min."""
    diffusion_layer_m: FloatArray
    """Steady convective layer δ_conv [m] (natural convection when quiescent)."""
    convection_onset_s: FloatArray
    """t* = δ_conv²/(πD) [s]: Cottrell before, steady after."""
    sherwood_number: FloatArray
    """L/δ of the natural convection (NaN when agitated)."""
    rayleigh_number: FloatArray
    """Solutal Gr·Sc of the natural convection (NaN when agitated)."""
    ag_coverage_frac: FloatArray
    incomplete_plumes: BoolArray
    plumes_damaged: BoolArray

    def flows_per_m2(self, row: int = 0) -> Flows:
        """Flows of row ``row`` per m² of foil: the Ag deposited (bought as AgF). No line time: the immersion
        tank's fixed costs are not modelled."""
        return Flows({"ag_kg_per_m2": float(self.ag_kg_per_m2[row])})


def _ag_ion_consumed_mol_per_m2(c0: FloatArray, G: FloatArray, h: FloatArray | None) -> FloatArray:
    """Ag⁺ consumed [mol/m2] for transport integral G [m], with depletion of a bath h [m] per area if given."""
    if h is None:
        return c0 * G
    return -c0 * h * np.expm1(-G / h)


def _immersion_inputs(time_s: ArrayLike, agf_mass_frac: ArrayLike, bath_volume_per_area_m: ArrayLike | None,
                      agcuf3_cu_frac: float | None, values: ParamsLike
                      ) -> tuple[FloatArray, FloatArray, float, FloatArray | None]:
    """:func:`ag_immersion`'s inputs checked: times [s] and AgF concentrations [mol/m3] as (B,) arrays, the AgCuF3
    share and the bath volume per area [m] (None: no depletion); FoiltwinInputError names a bad one."""
    t = _check("time_s", time_s, 0.0, MAX_TIME_S, "s")
    c0 = agf_concentration_mol_per_m3(agf_mass_frac, values)
    phi = values["agcuf3_cu_precipitated_frac"] if agcuf3_cu_frac is None else agcuf3_cu_frac
    phi = check_range("agcuf3_cu_frac", phi, 0.0, 1.0)
    try:
        t, c0 = (np.atleast_1d(a) for a in np.broadcast_arrays(t, c0))
    except ValueError:
        raise FoiltwinInputError("time_s/agf_mass_frac", (np.shape(time_s), np.shape(agf_mass_frac)),
                                 "scalars or arrays of one length B") from None
    if t.ndim != 1:
        raise FoiltwinInputError("time_s", t.shape, "a scalar or an array of shape (B,)")
    h = None
    if bath_volume_per_area_m is not None:
        h = np.broadcast_to(_check("bath_volume_per_area_m", bath_volume_per_area_m, 0.0, None, "m",
                                   low_inclusive=False), t.shape)
    return t, c0, phi, h


def _bath_layer(agitation: Agitation, c0: FloatArray, orientation: Orientation, electrode_length_m: float | None,
                phi: float, agf_mass_frac: ArrayLike, values: ParamsLike) -> tuple[FloatArray, ConvectionLayer | None]:
    """:func:`diffusion_layer_m` of the immersion. With the default sample length (``electrode_length_m`` unset) a
    Rayleigh number outside the correlation's range comes from the bath's strength, so the refusal names
    ``agf_mass_frac`` (the length the caller did not set is no setting to change)."""
    try:
        return diffusion_layer_m(agitation, c0, orientation, electrode_length_m, phi, values)
    except FoiltwinInputError as err:
        if electrode_length_m is not None or err.field != "electrode_length_m":
            raise
        w = np.asarray(agf_mass_frac, dtype=float)
        raise FoiltwinInputError(
            "agf_mass_frac", float(w) if w.ndim == 0 else agf_mass_frac,
            f"a bath whose natural convection at the default {err.value * 1e3:g} mm sample ({orientation}) lies "
            f"in the correlation's range (a more dilute bath drives too little of it; electrode_length_m "
            f"{err.allowed})") from None


def ag_immersion(
    time_s: ArrayLike,
    agf_mass_frac: ArrayLike,
    *,
    agitation: Agitation = "quiescent",
    bath_volume_per_area_m: ArrayLike | None = None,
    agcuf3_cu_frac: float | None = None,
    orientation: Orientation = "vertical",
    electrode_length_m: float | None = None,
    params: ParamsLike = None,
) -> ImmersionResult:
    """Ag plume loading and Cu dissolved after immersing Cu for ``time_s`` [s] in AgF of mass fraction
    ``agf_mass_frac`` (0.01 = 1 wt %). Scalars or (B,) arrays.

    ``bath_volume_per_area_m`` (bath volume / foil area, m3/m2 = m) turns on bath depletion; ``None`` = a
    bath so large its concentration stays constant. ``agcuf3_cu_frac`` overrides the registry's AgCuF3 share.
    A quiescent bath's layer comes from natural convection at a ``orientation`` foil ("vertical" or
    "horizontal_up") of characteristic length ``electrode_length_m`` (height, or area/perimeter; ``None``: the
    seed's Ø 12 mm disk). Raises :class:`FoiltwinInputError` for time < 0, a concentration ≤ 0 or a length whose
    Rayleigh number leaves the correlation's range.
    """
    register("Zhang2023", "ag_immersion.ag_immersion")
    register("CRC", "ag_immersion.ag_immersion")
    values = _values(params)
    t, c0, phi, h = _immersion_inputs(time_s, agf_mass_frac, bath_volume_per_area_m, agcuf3_cu_frac, values)
    D = values["galvanic_ag_ion_diffusivity_m2_per_s"]
    delta, layer = _bath_layer(agitation, c0, orientation, electrode_length_m, phi, agf_mass_frac, values)
    G = transport_integral_m(t, delta, D)
    ag_ion = _ag_ion_consumed_mol_per_m2(c0, G, h)
    ag = ag_ion / (1.0 + 0.5 * phi)
    cu = 0.5 * ag
    byproduct = phi * cu  # mol AgCuF3 = mol Ag⁺ it took
    if phi > 0.0:
        register("Zhang2023", "ag_immersion.ag_immersion (AgCuF3 channel)")
    M_ag, M_cu = values["galvanic_ag_molar_mass_kg_per_mol"], values["cu_molar_mass_kg_per_mol"]
    M_agcuf3 = M_ag + M_cu + 3.0 * values["galvanic_f_molar_mass_kg_per_mol"]
    c_final = c0 if h is None else c0 * np.exp(-G / h)  # = c0 − n/h, kept non-negative

    # Window flags and coverage relative to the seed's optimum (quiescent lab beaker, no depletion).
    t_ref = values["ag_immersion_reference_time_s"]
    w_ref = values["ag_immersion_reference_agf_mass_frac"]
    w = np.broadcast_to(np.asarray(agf_mass_frac, dtype=float), t.shape)
    dose = w * t / (w_ref * t_ref)
    c_ref = agf_concentration_mol_per_m3(w_ref, values)
    G_ref = transport_integral_m(t_ref, diffusion_layer_m("quiescent", c_ref, byproduct_frac=phi, params=values)[0], D)
    ag_ref = float(c_ref * G_ref[0]) / (1.0 + 0.5 * phi)
    coverage = 1.0 - (1.0 - values["ag_plume_coverage_at_reference_frac"]) ** (ag / ag_ref)
    return ImmersionResult(
        agf_concentration_mol_per_m3=c0,
        ag_mol_per_m2=ag,
        ag_kg_per_m2=ag * M_ag,
        ag_thickness_m=ag * M_ag / values["galvanic_ag_density_kg_per_m3"],
        cu_dissolved_mol_per_m2=cu,
        cu_dissolved_kg_per_m2=cu * M_cu,
        cu_thinning_m=cu * M_cu / values["cu_density_kg_per_m3"],
        ag_ion_consumed_mol_per_m2=ag_ion,
        ag_ion_to_byproduct_mol_per_m2=byproduct,
        agcuf3_mol_per_m2=byproduct,
        agcuf3_kg_per_m2=byproduct * M_agcuf3,
        bath_final_concentration_mol_per_m3=np.array(c_final, dtype=float),
        dose_ratio=dose,
        diffusion_layer_m=delta,
        convection_onset_s=delta * delta / (np.pi * D),
        sherwood_number=np.full(t.shape, np.nan) if layer is None else layer.sherwood_number,
        rayleigh_number=np.full(t.shape, np.nan) if layer is None else layer.rayleigh_number,
        ag_coverage_frac=coverage,
        incomplete_plumes=dose < values["ag_plume_dose_low_ratio_frac"],
        plumes_damaged=dose > values["ag_plume_dose_high_ratio_frac"],
    )
