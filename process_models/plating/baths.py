"""Plating baths as data: one frozen :class:`Bath` per bath type, built from the parameter registry.

Baths (names for :func:`get_bath`): ``zn_acid_sulfate``, ``zn_acid_chloride``, ``zn_alkaline_zincate``,
``cu_acid_sulfate``, ``cu_acid_sulfate_fsi`` (acid sulfate + FSI⁻ texture additive, seed 000 §1.2 — composition
assumed), ``ag_thiosulfate`` (cyanide-free, Ren2013) and ``sn_acid_sulfate``. Their constants live in
:mod:`process_models.parameters.electrodeposition_literature` as ``<prefix>_<quantity>`` and are overridable by
name. Line-wide constants (transport correlations, anodes, rectifier, drag-out, numerics) are collected in
:class:`PlatingConstants`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Literal

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.electrodeposition_literature import BATH_PREFIXES

AnodeKind = Literal["soluble", "insoluble"]
ANODE_KINDS: tuple[str, ...] = ("soluble", "insoluble")
BATH_NAMES: tuple[str, ...] = tuple(BATH_PREFIXES)
METALS: tuple[str, ...] = ("Zn", "Cu", "Ag", "Sn")

# Registry names of valence-independent metal data: (molar mass, density); valences are stoichiometry.
_METAL_KEYS: dict[str, tuple[str, str]] = {
    "Zn": ("zn_molar_mass_kg_per_mol", "zn_density_kg_per_m3"),
    "Cu": ("cu_molar_mass_kg_per_mol", "cu_density_kg_per_m3"),
    "Ag": ("plating_ag_molar_mass_kg_per_mol", "plating_ag_density_kg_per_m3"),
    "Sn": ("plating_sn_molar_mass_kg_per_mol", "plating_sn_density_kg_per_m3"),
}
# Electrons per deposited atom (Zn2+, Cu2+, Ag(I), Sn2+): reaction stoichiometry, not a fitted constant.
_VALENCE: dict[str, int] = {"Zn": 2, "Cu": 2, "Ag": 1, "Sn": 2}
_BATH_METAL: dict[str, str] = {
    "zn_acid_sulfate": "Zn", "zn_acid_chloride": "Zn", "zn_alkaline_zincate": "Zn",
    "cu_acid_sulfate": "Cu", "cu_acid_sulfate_fsi": "Cu", "ag_thiosulfate": "Ag", "sn_acid_sulfate": "Sn",
}
# Default anode per bath: zincate lines use insoluble anodes (Zn anodes dissolve chemically in caustic).
_DEFAULT_ANODE: dict[str, str] = {name: "soluble" for name in BATH_NAMES} | {"zn_alkaline_zincate": "insoluble"}
# Baths whose entries fall back to another bath's (the FSI bath is acid-sulfate Cu plus an additive).
_FALLBACK: dict[str, str] = {"cu_acid_sulfate_fsi": "cu_acid_sulfate"}
_NOTES: dict[str, str] = {
    "cu_acid_sulfate_fsi": "FSI- additive steers growth to (110) (seed 000 §1.2, Feng2026); composition assumed",
    "ag_thiosulfate": "Cu displaces Ag(I) by immersion; enter the bath live (cathodic) to avoid a loose immersion film",
    "zn_alkaline_zincate": "H2 co-evolution is large (CE 50-85 %); deposits embrittle if not baked",
}
_SOURCES: dict[str, tuple[str, ...]] = {
    "zn_acid_sulfate": ("SeedNote002", "CRC", "Schlesinger2010"),
    "zn_acid_chloride": ("SeedNote002", "CRC", "Schlesinger2010"),
    "zn_alkaline_zincate": ("SeedNote002", "CRC"),
    "cu_acid_sulfate": ("SeedNote000", "CRC"),
    "cu_acid_sulfate_fsi": ("SeedNote000", "Feng2026", "CRC"),
    "ag_thiosulfate": ("Ren2013", "CRC"),
    "sn_acid_sulfate": ("CRC",),
}


@dataclass(frozen=True)
class DepositMetal:
    """The plated metal: symbol, electrons per atom n, molar mass [kg/mol] and deposit density [kg/m3]."""

    symbol: str
    valence_count: int
    molar_mass_kg_per_mol: float
    density_kg_per_m3: float


@dataclass(frozen=True)
class Bath:
    """One plating bath: composition, windows, transport and kinetics at the reference temperature.

    Potentials are vs SHE. ``exchange_current_density_A_per_m2`` is quoted at the standard concentration and the
    reference temperature (``PlatingConstants``); conductivity and diffusivity at the reference temperature.
    Transfer coefficients are apparent ones (α_a + α_c = n for the metal reaction).
    """

    name: str
    metal: DepositMetal
    metal_concentration_mol_per_m3: float
    metal_concentration_window_mol_per_m3: tuple[float, float]
    temperature_K: float
    temperature_window_K: tuple[float, float]
    current_density_window_A_per_m2: tuple[float, float]
    typical_current_density_A_per_m2: float
    ph_frac: float
    conductivity_S_per_m: float
    metal_diffusivity_m2_per_s: float
    exchange_current_density_A_per_m2: float
    cathodic_transfer_coefficient_frac: float
    anodic_transfer_coefficient_frac: float
    formal_potential_V: float
    her_exchange_current_density_A_per_m2: float
    her_transfer_coefficient_frac: float
    cathode_efficiency_window_frac: tuple[float, float]
    anode_efficiency_frac: float
    default_anode: str
    additive_concentration_mol_per_m3: float = 0.0
    note: str = ""
    sources: tuple[str, ...] = ()

    @property
    def valence_count(self) -> int:
        return self.metal.valence_count


@dataclass(frozen=True)
class PlatingConstants:
    """Line-wide constants; field names are registry parameter names."""

    plating_reference_temperature_K: float
    plating_standard_concentration_mol_per_m3: float
    plating_viscosity_activation_energy_J_per_mol: float
    plating_kinematic_viscosity_m2_per_s: float
    plating_metal_kinetics_activation_energy_J_per_mol: float
    plating_her_activation_energy_J_per_mol: float
    plating_agitation_diffusion_layer_m: float
    plating_laminar_plate_sherwood_coefficient_frac: float
    plating_turbulent_plate_sherwood_coefficient_frac: float
    plating_transition_reynolds_frac: float
    plating_convection_blend_exponent_frac: float
    plating_moving_web_sherwood_coefficient_frac: float
    plating_oer_standard_potential_V: float
    plating_oer_exchange_current_density_A_per_m2: float
    plating_oer_transfer_coefficient_frac: float
    plating_anode_to_cathode_area_ratio_frac: float
    plating_anode_cathode_gap_m: float
    plating_contact_drop_at_max_current_V: float
    plating_rectifier_efficiency_frac: float
    plating_web_faces_count: float
    plating_dragout_film_m: float
    plating_dragout_recovery_frac: float
    plating_max_limiting_share_frac: float
    uniformity_width_cells_count: float
    uniformity_gap_cells_count: float
    uniformity_overhang_cells_count: float
    uniformity_far_field_gaps_frac: float
    uniformity_edge_cell_frac: float

    @classmethod
    def from_values(cls, values: Mapping[str, float]) -> PlatingConstants:
        return cls(**{f.name: float(values[f.name]) for f in fields(cls)})


ParamsLike = Mapping[str, float] | None


@lru_cache(maxsize=1)
def _default_constants() -> PlatingConstants:
    return PlatingConstants.from_values(default_parameters())


def plating_constants(params: ParamsLike = None) -> PlatingConstants:
    """The line-wide plating constants from ``params`` (default: the full registry)."""
    return _default_constants() if params is None else PlatingConstants.from_values(params)


def deposit_metal(symbol: str, params: ParamsLike = None) -> DepositMetal:
    """Molar mass, density and valence of plated metal ``symbol`` (one of :data:`METALS`)."""
    if symbol not in _METAL_KEYS:
        raise FoiltwinInputError("metal", symbol, f"one of {', '.join(METALS)}")
    values = default_parameters() if params is None else params
    m_key, rho_key = _METAL_KEYS[symbol]
    return DepositMetal(symbol, _VALENCE[symbol], float(values[m_key]), float(values[rho_key]))


def _window(field: str, low: float, default: float, high: float) -> tuple[float, float]:
    if not low <= default <= high:
        raise FoiltwinInputError(field, (low, default, high), "min ≤ default ≤ max (check the overrides)")
    return low, high


@lru_cache(maxsize=16)
def _default_bath(name: str) -> Bath:
    return _build_bath(name, default_parameters())


def get_bath(name: str, params: ParamsLike = None) -> Bath:
    """The bath ``name`` (one of :data:`BATH_NAMES`) built from ``params`` (default: the registry)."""
    if name not in BATH_PREFIXES:
        raise FoiltwinInputError("bath", name, f"one of {', '.join(BATH_NAMES)}")
    return _default_bath(name) if params is None else _build_bath(name, params)


def _lookup(values: Mapping[str, float], key: str) -> float | None:
    """``values[key]``, or None where the set has no such parameter (a bath without an additive, a fallback bath's
    own value): a membership test, so that an expected miss costs no "did you mean" hint."""
    return float(values[key]) if key in values else None


def _build_bath(name: str, values: Mapping[str, float]) -> Bath:
    prefixes = [BATH_PREFIXES[name]] + ([BATH_PREFIXES[_FALLBACK[name]]] if name in _FALLBACK else [])

    def v(quantity: str) -> float:
        for prefix in prefixes:
            found = _lookup(values, f"{prefix}_{quantity}")
            if found is not None:
                return found
        return float(values[f"{prefixes[0]}_{quantity}"])  # raises the registry's unknown-name error

    prefix = prefixes[0]
    c = v("metal_concentration_mol_per_m3")
    T = v("temperature_K")
    j_typ = v("typical_current_density_A_per_m2")
    ce_lo, ce_hi = v("cathode_efficiency_min_frac"), v("cathode_efficiency_max_frac")
    return Bath(
        name=name,
        metal=deposit_metal(_BATH_METAL[name], values),
        metal_concentration_mol_per_m3=c,
        metal_concentration_window_mol_per_m3=_window(
            f"{prefix}_metal_concentration_mol_per_m3", v("metal_concentration_min_mol_per_m3"), c,
            v("metal_concentration_max_mol_per_m3")),
        temperature_K=T,
        temperature_window_K=_window(f"{prefix}_temperature_K", v("temperature_min_K"), T, v("temperature_max_K")),
        current_density_window_A_per_m2=_window(
            f"{prefix}_typical_current_density_A_per_m2", v("current_density_min_A_per_m2"), j_typ,
            v("current_density_max_A_per_m2")),
        typical_current_density_A_per_m2=j_typ,
        ph_frac=v("ph_frac"),
        conductivity_S_per_m=v("conductivity_S_per_m"),
        metal_diffusivity_m2_per_s=v("metal_diffusivity_m2_per_s"),
        exchange_current_density_A_per_m2=v("exchange_current_density_A_per_m2"),
        cathodic_transfer_coefficient_frac=v("cathodic_transfer_coefficient_frac"),
        anodic_transfer_coefficient_frac=v("anodic_transfer_coefficient_frac"),
        formal_potential_V=v("formal_potential_V"),
        her_exchange_current_density_A_per_m2=v("her_exchange_current_density_A_per_m2"),
        her_transfer_coefficient_frac=v("her_transfer_coefficient_frac"),
        cathode_efficiency_window_frac=_window(f"{prefix}_cathode_efficiency_min_frac", ce_lo, ce_lo, ce_hi),
        anode_efficiency_frac=v("anode_efficiency_frac"),
        default_anode=_DEFAULT_ANODE[name],
        additive_concentration_mol_per_m3=_lookup(values, f"{prefix}_additive_concentration_mol_per_m3") or 0.0,
        note=_NOTES.get(name, ""),
        sources=_SOURCES[name],
    )


def resolve_bath(bath: Bath | str, params: ParamsLike = None) -> Bath:
    """``bath`` itself, or the bath of that name."""
    return bath if isinstance(bath, Bath) else get_bath(bath, params)


def resolve_metal(metal: DepositMetal | Bath | str, params: ParamsLike = None) -> DepositMetal:
    """A :class:`DepositMetal` from a metal symbol, a bath or a bath name (a bath name wins over nothing)."""
    if isinstance(metal, DepositMetal):
        return metal
    if isinstance(metal, Bath):
        return metal.metal
    if metal in BATH_PREFIXES:
        return get_bath(metal, params).metal
    if metal not in _METAL_KEYS:
        raise FoiltwinInputError("metal", metal, f"one of {', '.join(METALS)} or a bath: {', '.join(BATH_NAMES)}")
    return deposit_metal(metal, params)
