"""Lumped energy balance of a thin Cu foil moving through a heating zone (per unit foil area, SI units).

The foil is isothermal through its thickness δ: the through-thickness diffusion time δ²/α is ≈5 µs for
20 µm Cu (α ≈ 8e-5 m²/s at 1200 K), three decades below the fastest ramp considered (1e5 K/s, ≈10 ms to
1150 K), and the Biot number h·δ/k ≤ 2e3 W/(m² K) · 20 µm / 340 W/(m K) ≈ 1e-4 ≪ 0.1 (lumped-capacitance
criterion, Incropera2007 §5.1-5.2). The balance for each foil is

    m''·cp(T)·dT/dt = q(t, T) - 2·ε·σ·(T⁴ - T_amb⁴) - 2·h_gas(T)·(T - T_amb) - h_c·(T - T_roll),

m'' = ρ·δ, both faces radiating and convecting, h_c > 0 only on the chill roll (cooling mode "contact").
h_gas(T) is the mean per face of the enclosure correlation (:mod:`process_models.uht.enclosure_convection`:
natural convection to the enclosure walls in the process gas, from its geometry and pressure).
The absorbed heat q is either a heater flux times an absorbed fraction (radiant heater: the foil
emissivity, by Kirchhoff), or direct Joule heating by a current per unit web width I_w [A/m] flowing along
the foil, q = I_w²·ρ_el(T)/δ.

Two entry points:

- :func:`setpoint_history` is the temperature-controlled recipe of the UHT stages: a linear ramp to a set
  point, a hold, then free or contact cooling. The heater power that the recipe needs follows from the
  balance; the cooling phase is autonomous, so it is integrated exactly as t(T) = ∫ C/L dT by Gauss-Legendre
  quadrature (batched, no time stepping).
- :func:`integrate_power_mode` integrates T(t) for a given heater power or Joule current with a stiff
  solver (batch = one system of independent foils) and flags melting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache, partial
from types import FunctionType
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError, ModelConvergenceError, check_range
from process_models.errors import check_array as _check
from process_models.materials.properties import (
    CU_HEAT_CAPACITY_T_LOW_K,
    cu_heat_capacity_J_per_kg_K,
    cu_resistivity_ohm_m,
    cu_sensible_heat_J_per_kg,
    cu_thermal_conductivity_W_per_m_K,
)
from process_models.parameters import ParameterValues, default_parameters
from process_models.physical_constants import sigma as stefan_boltzmann
from process_models.rowwise import row_dot
from process_models.uht.enclosure_convection import GasEnclosure

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
HeaterMode = Literal["joule", "radiant"]
CoolingMode = Literal["contact", "free"]
Drive = ArrayLike | Callable[[float], ArrayLike]

_HEATER_MODES: tuple[str, ...] = ("joule", "radiant")
_COOLING_MODES: tuple[str, ...] = ("contact", "free")
# Gauss-Legendre nodes per cooling interval (the integrand is smooth in ln|T - T_eq|).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(4)
# Distance [K] from the sink temperature at which the foil counts as equilibrated (cooling target
# when the end temperature is not reachable).
_EQUILIBRIUM_BAND_K = 1e-3
# A step of the heater power (ramp end, heater off) is sampled as two points this fraction of the next
# sample interval apart, so that times stay strictly increasing and the power history stays sharp.
_JUMP_GAP_FRAC = 1e-6
# Temperature step [K] of the central differences for property slopes in the Jacobian.
_SLOPE_STEP_K = 0.01


# ---------------------------------------------------------------------------------------------------------
# Material and parameters
# ---------------------------------------------------------------------------------------------------------
def _constant_heat_capacity(T: FloatArray, cp: float) -> FloatArray:
    return np.full(np.shape(T), cp)


def _constant_sensible_heat(T1: FloatArray, T2: FloatArray, cp: float) -> FloatArray:
    return cp * (np.asarray(T2, dtype=float) - np.asarray(T1, dtype=float))


# The registry values the Cu property functions read (process_models.materials.properties); the material hands them
# only these, so a function that starts reading another one fails at once instead of escaping FoilMaterial.value_key.
_COPPER_NAMES = ("cu_density_kg_per_m3", "cu_melting_temperature_K", "cu_molar_mass_kg_per_mol")


@dataclass(frozen=True)
class FoilMaterial:
    """The foil properties the balance needs.

    The callables take temperatures [K] as arrays and must accept values slightly outside ``validity_K``
    (the solver may overshoot); inputs to this module are checked against ``validity_K`` instead.
    """

    density_kg_per_m3: float
    melting_temperature_K: float
    validity_K: tuple[float, float]
    heat_capacity_J_per_kg_K: Callable[[FloatArray], FloatArray]
    sensible_heat_J_per_kg: Callable[[FloatArray, FloatArray], FloatArray]
    resistivity_ohm_m: Callable[[FloatArray], FloatArray]
    thermal_conductivity_W_per_m_K: Callable[[FloatArray], FloatArray]

    @property
    def value_key(self) -> tuple[object, ...] | None:
        """What this material computes, by value: two materials with one key have the same properties, so the
        heater shares its property tables between them. Derived from the fields themselves: a property given as
        ``functools.partial`` of a function with hashable arguments (a registry mapping counts by its items) keys
        by that; any other callable (a lambda, a method) gives None: only this object has its properties."""
        parts: list[object] = [self.density_kg_per_m3, self.melting_temperature_K, self.validity_K]
        for f in (self.heat_capacity_J_per_kg_K, self.sensible_heat_J_per_kg, self.resistivity_ohm_m,
                  self.thermal_conductivity_W_per_m_K):
            if not isinstance(f, partial) or not isinstance(f.func, FunctionType):
                return None
            kw = {k: tuple(sorted(v.items())) if isinstance(v, dict) else v for k, v in f.keywords.items()}
            parts.append((f.func, f.args, tuple(sorted(kw.items()))))
        try:
            hash(tuple(parts))
        except TypeError:
            return None
        return tuple(parts)

    @classmethod
    def copper(cls, values: Mapping[str, float] | None = None) -> FoilMaterial:
        """Solid Cu: Shomate cp (Chase 1998), Matula (1979) resistivity, Incropera (2007, Table A.1)
        conductivity, density from the registry.

        Validity is that of the cp fit (298 K to melting); the resistivity table starts at 300 K and is
        continued linearly below it.
        """
        values = default_parameters() if values is None else values
        own = {n: float(values[n]) for n in _COPPER_NAMES}  # all the property functions may read
        kw = {"extrapolate": True, "params": own}
        melting = own["cu_melting_temperature_K"]
        return cls(
            density_kg_per_m3=own["cu_density_kg_per_m3"],
            melting_temperature_K=melting,
            validity_K=(CU_HEAT_CAPACITY_T_LOW_K, melting),
            heat_capacity_J_per_kg_K=partial(cu_heat_capacity_J_per_kg_K, **kw),
            sensible_heat_J_per_kg=partial(cu_sensible_heat_J_per_kg, **kw),
            resistivity_ohm_m=partial(cu_resistivity_ohm_m, **kw),
            thermal_conductivity_W_per_m_K=partial(cu_thermal_conductivity_W_per_m_K, **kw),
        )

    def with_constant_heat_capacity(self, cp_J_per_kg_K: float) -> FoilMaterial:
        """A copy with a temperature-independent cp (closed-form checks); valid from 0 K to melting."""
        check_range("cp_J_per_kg_K", cp_J_per_kg_K, 0.0, None, low_inclusive=False, unit="J/(kg K)")
        return replace(
            self,
            validity_K=(0.0, self.melting_temperature_K),
            heat_capacity_J_per_kg_K=partial(_constant_heat_capacity, cp=float(cp_J_per_kg_K)),
            sensible_heat_J_per_kg=partial(_constant_sensible_heat, cp=float(cp_J_per_kg_K)),
        )

    def with_constant_transport(self, conductivity_W_per_m_K: float, resistivity_ohm_m: float) -> FoilMaterial:
        """A copy with temperature-independent conductivity and resistivity (closed-form checks)."""
        check_range("conductivity_W_per_m_K", conductivity_W_per_m_K, 0.0, None, unit="W/(m K)")
        check_range("resistivity_ohm_m", resistivity_ohm_m, 0.0, None, low_inclusive=False, unit="ohm m")
        return replace(
            self,
            thermal_conductivity_W_per_m_K=partial(_constant_heat_capacity, cp=float(conductivity_W_per_m_K)),
            resistivity_ohm_m=partial(_constant_heat_capacity, cp=float(resistivity_ohm_m)),
        )


@dataclass(frozen=True)
class ThermalParameters:
    """Everything the balance reads; field names (except ``material`` and ``enclosure``) are registry parameter
    names. ``enclosure`` gives the gas convection (geometry, gas, ``gas_convection_multiplier_frac``)."""

    material: FoilMaterial
    enclosure: GasEnclosure
    foil_emissivity_frac: float
    ambient_temperature_K: float
    quench_contact_conductance_W_per_m2_K: float
    roll_temperature_K: float
    joule_heater_efficiency_frac: float
    radiant_heater_efficiency_frac: float
    heater_max_areal_power_W_per_m2: float
    cooling_end_temperature_K: float
    cooling_max_time_s: float
    lumped_model_max_thickness_m: float

    @classmethod
    def from_values(cls, values: Mapping[str, float] | None = None) -> ThermalParameters:
        """Read the fields from a name → value mapping (default: the full registry)."""
        values = default_parameters() if values is None else values
        names = [f.name for f in fields(cls) if f.name not in ("material", "enclosure")]
        return cls(material=FoilMaterial.copper(values), enclosure=GasEnclosure.from_values(values),
                   **{n: float(values[n]) for n in names})

    def with_constant_heat_capacity(self, cp_J_per_kg_K: float) -> ThermalParameters:
        """A copy whose foil has a temperature-independent cp."""
        return replace(self, material=self.material.with_constant_heat_capacity(cp_J_per_kg_K))

    def with_gas_convection_multiplier(self, multiplier_frac: float) -> ThermalParameters:
        """A copy with the enclosure's gas convection scaled (0: none)."""
        check_range("gas_convection_multiplier_frac", multiplier_frac, 0.0, None)
        return replace(self, enclosure=replace(self.enclosure, multiplier_frac=float(multiplier_frac)))

    def __post_init__(self) -> None:
        if self.enclosure.wall_temperature_K != self.ambient_temperature_K:  # walls = surroundings = gas
            walls = replace(self.enclosure, wall_temperature_K=self.ambient_temperature_K)
            object.__setattr__(self, "enclosure", walls)


ParamsLike = ThermalParameters | Mapping[str, float] | None


@lru_cache(maxsize=1)
def _default_thermal() -> ThermalParameters:
    return ThermalParameters.from_values(default_parameters())


_THERMAL_CACHE: dict[int, tuple[Mapping[str, float], ThermalParameters]] = {}


def _thermal(params: ParamsLike) -> ThermalParameters:
    """The balance's parameters; those of an immutable registry (``ParameterValues``) are kept for the last few
    registries by identity (the entry holds the registry, so its id cannot be reused)."""
    if isinstance(params, ThermalParameters):
        return params
    if params is None:
        return _default_thermal()
    if not isinstance(params, ParameterValues):  # a plain mapping may change: build afresh
        return ThermalParameters.from_values(params)
    hit = _THERMAL_CACHE.get(id(params))
    if hit is None or hit[0] is not params:
        hit = (params, ThermalParameters.from_values(params))
        _THERMAL_CACHE[id(params)] = hit
        while len(_THERMAL_CACHE) > 16:
            _THERMAL_CACHE.pop(next(iter(_THERMAL_CACHE)))
    return hit[1]


# ---------------------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------------------


def _thickness(thickness_m: ArrayLike, tp: ThermalParameters) -> FloatArray:
    """Foil thickness [m], within the lumped model's range (0, lumped_model_max_thickness_m]."""
    return _check("thickness_m", thickness_m, 0.0, tp.lumped_model_max_thickness_m, "m", low_inclusive=False)


def _batch(**arrays: ArrayLike) -> tuple[int, dict[str, FloatArray]]:
    """Broadcast scalars and (B,) arrays to a common batch size B."""
    as_arrays = {k: np.asarray(v, dtype=float) for k, v in arrays.items()}
    for name, a in as_arrays.items():
        if a.ndim > 1:
            raise FoiltwinInputError(name, a.shape, "a scalar or a 1-D array of shape (B,)")
    try:
        out = np.broadcast_arrays(*[np.atleast_1d(a) for a in as_arrays.values()])
    except ValueError:
        shapes = {k: a.shape for k, a in as_arrays.items()}
        raise FoiltwinInputError("batch shape", shapes, "scalars or arrays of one common length B") from None
    return out[0].shape[0], {k: np.array(a, dtype=float) for k, a in zip(as_arrays, out, strict=True)}


def _contact_mask(cooling: str | Sequence[str], batch: int) -> FloatArray:
    modes = np.atleast_1d(np.asarray(cooling, dtype=object))
    for m in modes:
        if m not in _COOLING_MODES:
            raise FoiltwinInputError("cooling", m, f"one of {', '.join(_COOLING_MODES)}")
    if modes.shape[0] not in (1, batch):
        raise FoiltwinInputError("cooling", list(modes), f"one mode or {batch} modes (one per foil)")
    return np.broadcast_to((modes == "contact").astype(float), (batch,)).copy()


def _heater(tp: ThermalParameters, heater_mode: str, absorbed_frac: float | None) -> tuple[float, float]:
    """(electrical efficiency, fraction of the heater output the foil absorbs) of a heater mode.

    Joule: the foil is the resistor (absorbed 1). Radiant: the foil absorbs its emissivity (Kirchhoff)
    unless ``absorbed_frac`` says otherwise (e.g. 1 for a contact heater).
    """
    if heater_mode not in _HEATER_MODES:
        raise FoiltwinInputError("heater_mode", heater_mode, f"one of {', '.join(_HEATER_MODES)}")
    if heater_mode == "joule":
        if absorbed_frac is not None:
            raise FoiltwinInputError("absorbed_frac", absorbed_frac, "None for heater_mode 'joule'")
        return tp.joule_heater_efficiency_frac, 1.0
    absorbed = tp.foil_emissivity_frac if absorbed_frac is None else absorbed_frac
    return tp.radiant_heater_efficiency_frac, check_range("absorbed_frac", absorbed, 0.0, 1.0)


# ---------------------------------------------------------------------------------------------------------
# Balance terms
# ---------------------------------------------------------------------------------------------------------
def _loss_and_slope(
    T: FloatArray, tp: ThermalParameters, h_contact: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """Heat loss [W/m2] and its T-derivative [W/(m2 K)]; ``h_contact`` = contact conductance (0 off roll)."""
    eps = tp.foil_emissivity_frac
    T_amb, T_roll = tp.ambient_temperature_K, tp.roll_temperature_K
    gas, gas_slope = tp.enclosure.flux_and_slope(T)
    loss = 2.0 * eps * stefan_boltzmann * (T**4 - T_amb**4) + gas + h_contact * (T - T_roll)
    slope = 8.0 * eps * stefan_boltzmann * T**3 + gas_slope + h_contact
    return loss, slope


def _contact_conductance(tp: ThermalParameters, contact: bool | ArrayLike) -> FloatArray:
    return tp.quench_contact_conductance_W_per_m2_K * np.asarray(contact, dtype=float)


def _property_slope(f: Callable[[FloatArray], FloatArray], T: FloatArray) -> FloatArray:
    return (f(T + _SLOPE_STEP_K) - f(T - _SLOPE_STEP_K)) / (2.0 * _SLOPE_STEP_K)


def areal_heat_capacity_J_per_m2_K(
    temperature_K: ArrayLike, thickness_m: ArrayLike, params: ParamsLike = None
) -> FloatArray:
    """Heat capacity per foil area, ρ·δ·cp(T) [J/(m2 K)]."""
    register("Incropera2007", "thermal.areal_heat_capacity_J_per_m2_K")
    tp = _thermal(params)
    mat = tp.material
    T = _check("temperature_K", temperature_K, *mat.validity_K, "K")
    d = _thickness(thickness_m, tp)
    return mat.density_kg_per_m3 * d * mat.heat_capacity_J_per_kg_K(T)


def heat_loss_W_per_m2(
    temperature_K: ArrayLike, params: ParamsLike = None, contact: bool | ArrayLike = False
) -> FloatArray:
    """Loss per foil area [W/m2]: radiation and gas convection from both faces, plus roll contact if on it.

    2·ε·σ·(T⁴ - T_amb⁴) + 2·h_gas(T)·(T - T_amb) + h_c·(T - T_roll) (Stefan-Boltzmann and Newton laws,
    Incropera2007 §1.2; h_gas from the enclosure correlation).
    """
    register("Incropera2007", "thermal.heat_loss_W_per_m2")
    tp = _thermal(params)
    T = _check("temperature_K", temperature_K, 0.0, None, "K")
    return _loss_and_slope(T, tp, _contact_conductance(tp, contact))[0]


def joule_heat_flux_W_per_m2(
    temperature_K: ArrayLike, current_per_width_A_per_m: ArrayLike, thickness_m: ArrayLike,
    params: ParamsLike = None,
) -> FloatArray:
    """Joule heat per foil area [W/m2] of a current per web width I_w along the foil: I_w²·ρ_el(T)/δ."""
    tp = _thermal(params)
    mat = tp.material
    T = _check("temperature_K", temperature_K, *mat.validity_K, "K")
    d = _thickness(thickness_m, tp)
    current = _check("current_per_width_A_per_m", current_per_width_A_per_m, None, None, "A/m")
    return current**2 * mat.resistivity_ohm_m(T) / d


def sensible_heat_J_per_m2(
    T1_K: ArrayLike, T2_K: ArrayLike, thickness_m: ArrayLike, params: ParamsLike = None
) -> FloatArray:
    """Heat to take the foil from T1 to T2 without losses, ρ·δ·∫cp dT [J/m2] (exact; energy lower bound)."""
    tp = _thermal(params)
    mat = tp.material
    T1 = _check("T1_K", T1_K, *mat.validity_K, "K")
    T2 = _check("T2_K", T2_K, *mat.validity_K, "K")
    d = _thickness(thickness_m, tp)
    return mat.density_kg_per_m3 * d * mat.sensible_heat_J_per_kg(T1, T2)


# ---------------------------------------------------------------------------------------------------------
# Set-point recipe
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemperatureHistory:
    """Temperature-controlled heating (ramp, hold) and cooling of a batch of B foils.

    Arrays of shape (B, M) share one M = n_heating + n_cool; t = 0 is heater on, times are strictly
    increasing. The first n_heating columns are the heater-on phase (ramp up to ``ramp_end_time_s``, then
    hold), the last n_cool the cooling. A step of the power (ramp end, heater off) is kept as two samples a
    vanishing interval apart. Linear interpolation in time between samples reproduces T(t) to well below 1 K.
    """

    time_s: FloatArray
    temperature_K: FloatArray
    heat_input_W_per_m2: FloatArray
    """Heat absorbed by the foil, C(T)·dT/dt + losses, during heater-on; 0 while cooling."""
    heater_power_W_per_m2: FloatArray
    """Electrical power drawn by the heater per foil area (heat input / (efficiency · absorbed fraction))."""
    current_per_width_A_per_m: FloatArray | None
    """Joule mode: the current per web width that dissipates the heat input; None for a radiant heater."""
    peak_temperature_K: FloatArray
    reached_setpoint: BoolArray
    ramp_end_time_s: FloatArray
    heater_off_time_s: FloatArray
    heat_input_J_per_m2: FloatArray
    heater_energy_J_per_m2: FloatArray
    sensible_heat_J_per_m2: FloatArray
    heating_loss_J_per_m2: FloatArray
    max_heater_power_W_per_m2: FloatArray
    power_feasible: BoolArray
    """0 ≤ heater power ≤ heater_max_areal_power_W_per_m2 throughout the heater-on phase."""
    end_time_s: FloatArray
    reached_end_temperature: BoolArray
    n_heating: int
    n_cool: int

    @property
    def batch_size(self) -> int:
        return self.time_s.shape[0]

    def rows(self, foils: list[int] | np.ndarray) -> TemperatureHistory:
        """The histories of the foils ``foils`` alone (each foil's history depends on its own settings only, and M
        is fixed by the sampling, so these are the rows a batch of those foils would get)."""
        idx = np.asarray(foils, dtype=np.intp)
        picked = {f.name: (v[idx] if isinstance(v, np.ndarray) else v)
                  for f in fields(self) for v in (getattr(self, f.name),)}
        return TemperatureHistory(**picked)

    def segment(self, name: Literal["heating", "cooling"]) -> slice:
        """Column slice of the heater-on or the cooling phase."""
        if name not in ("heating", "cooling"):
            raise FoiltwinInputError("segment", name, "one of heating, cooling")
        return slice(0, self.n_heating) if name == "heating" else slice(self.n_heating, None)


def _ramp_loss_J_per_m2(
    T0: FloatArray, T1: FloatArray, rate: FloatArray, tp: ThermalParameters
) -> FloatArray:
    """∫ loss dt over a linear ramp T0 → T1 at ``rate`` (free foil): (1/rate)·∫ L dT; radiation in closed form,
    gas convection by panel quadrature split at the correlation's kinks (≈1e-12 relative)."""
    eps = tp.foil_emissivity_frac
    T_amb = tp.ambient_temperature_K

    def antiderivative(T: FloatArray) -> FloatArray:
        return 2.0 * eps * stefan_boltzmann * (T**5 / 5.0 - T_amb**4 * T)

    gas = tp.enclosure.flux_integral_W_K_per_m2(T0, T1).reshape(np.shape(T0))
    return (antiderivative(T1) - antiderivative(T0) + gas) / rate


def _equilibrium_temperature(tp: ThermalParameters, h_contact: FloatArray) -> FloatArray:
    """Temperature where the cooling loss vanishes (between T_amb and T_roll); Newton from the hot side.

    The loss is increasing and convex in T, so Newton from above converges monotonically.
    """
    T = np.full(h_contact.shape, max(tp.ambient_temperature_K, tp.roll_temperature_K))
    active = np.ones(T.shape, dtype=bool)  # a foil stops at its own convergence (batch-independent)
    for _ in range(100):
        loss, slope = _loss_and_slope(T, tp, h_contact)
        step = np.divide(loss, slope, out=np.zeros_like(T), where=slope > 0.0)
        T = np.where(active, T - step, T)
        active &= ~(np.abs(step) <= 1e-12 * np.maximum(T, 1.0))
        if not active.any():
            break
    return T


def _cooling_integrand(
    y: FloatArray, T_eq: FloatArray, sign: FloatArray, m: FloatArray, h_contact: FloatArray,
    tp: ThermalParameters,
) -> FloatArray:
    """dt / d(-ln y) = C(T)·y / |L(T)| with y = |T - T_eq|: smooth and finite down to T_eq."""
    T = T_eq + sign * y
    loss = _loss_and_slope(T, tp, h_contact)[0]
    return m * tp.material.heat_capacity_J_per_kg_K(T) * sign * y / loss


def _cooling_interval_times(
    y_hi: FloatArray, y_lo: FloatArray, T_eq: FloatArray, sign: FloatArray, m: FloatArray,
    h_contact: FloatArray, tp: ThermalParameters,
) -> FloatArray:
    """Time to cool (or warm) from |T - T_eq| = y_hi to y_lo (elementwise; Gauss-Legendre in ln y).

    The per-foil arrays ``T_eq`` ... ``h_contact`` broadcast against ``y_hi`` after a trailing axis is added.
    """
    u_hi, u_lo = np.log(y_hi), np.log(y_lo)
    half = 0.5 * (u_hi - u_lo)
    u = (0.5 * (u_hi + u_lo))[..., None] + half[..., None] * _GL_NODES
    per_foil = (T_eq[..., None], sign[..., None], m[..., None], h_contact[..., None])
    g = _cooling_integrand(np.exp(u), *per_foil, tp)
    return half * row_dot(g, _GL_WEIGHTS)


def _cooling_grid(
    y_hi: FloatArray, y_lo: FloatArray, T_eq: FloatArray, sign: FloatArray, m: FloatArray,
    h_contact: FloatArray, tp: ThermalParameters, n: int,
) -> tuple[FloatArray, FloatArray]:
    """Times (R, n) and |T - T_eq| (R, n) on n points uniform in sqrt(y) from y_hi down to y_lo."""
    y = np.linspace(np.sqrt(y_hi), np.sqrt(y_lo), n, axis=-1) ** 2
    per_foil = (T_eq[:, None], sign[:, None], m[:, None], h_contact[:, None])
    dt = _cooling_interval_times(y[:, :-1], y[:, 1:], *per_foil, tp)
    return np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(dt, axis=1)], axis=1), y


def _crossing(
    t: FloatArray, y: FloatArray, t_stop: FloatArray, T_eq: FloatArray, sign: FloatArray, m: FloatArray,
    h_contact: FloatArray, tp: ThermalParameters,
) -> FloatArray:
    """|T - T_eq| at time ``t_stop`` (< t[:, -1]), by Newton on the grid interval that holds it."""
    rows = np.arange(t.shape[0])
    k = np.minimum((t <= t_stop[:, None]).sum(axis=1) - 1, t.shape[1] - 2)
    t_k, y_k, y_k1 = t[rows, k], y[rows, k], y[rows, k + 1]
    u_k, u_k1 = np.log(y_k), np.log(y_k1)
    u = u_k + (t_stop - t_k) / (t[rows, k + 1] - t_k) * (u_k1 - u_k)
    per_foil = (T_eq, sign, m, h_contact)
    active = np.ones(u.shape, dtype=bool)  # a foil stops at its own convergence (batch-independent)
    for _ in range(8):
        residual = t_k + _cooling_interval_times(y_k, np.exp(u), *per_foil, tp) - t_stop
        u_new = np.clip(u + residual / _cooling_integrand(np.exp(u), *per_foil, tp), u_k1, u_k)
        u = np.where(active, u_new, u)
        active &= ~(np.abs(residual) <= 1e-12 * t_stop)
        if not active.any():
            break
    return np.exp(u)


def _cooling_samples(
    T_peak: FloatArray, m: FloatArray, h_contact: FloatArray, T_end: FloatArray, t_max: FloatArray,
    tp: ThermalParameters, n: int,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Cooling after heater off: times since off (B, n), all > 0; temperatures (B, n); T_end reached (B,).

    The ODE is autonomous, so t(T) = ∫ C/L dT is integrated directly (exact up to the quadrature). Samples
    are uniform in sqrt|T - T_eq|, which keeps the linear-interpolation error of T(t) about equal along the
    curve (≲0.3 K for n ≈ 100 from 1350 K); the first one sits just after heater off. Cooling stops when T
    falls to ``T_end`` or at ``t_max``; a foil that does not cross ``T_end`` (already below it, or a sink
    warmer than it) is followed to within 1 mK of the sink temperature T_eq and held there until ``t_max``.
    """
    B = T_peak.shape[0]
    T_eq = _equilibrium_temperature(tp, h_contact)
    sign = np.where(T_peak >= T_eq, 1.0, -1.0)
    y0 = np.abs(T_peak - T_eq)
    loss_peak, slope_peak = _loss_and_slope(T_peak, tp, h_contact)
    moving = (y0 > _EQUILIBRIUM_BAND_K) & (slope_peak > 0.0)
    crossing = moving & (sign > 0.0) & (T_peak > T_end) & (T_end > T_eq)

    # Grid including the heater-off point (t = 0); not moving: constant T until t_max.
    t = np.linspace(0.0, 1.0, n) * t_max[:, None]
    y = np.repeat(y0[:, None], n, axis=1)
    late = np.zeros(B, dtype=bool)
    idx = np.flatnonzero(moving)
    if idx.size:
        per_foil = (T_eq[idx], sign[idx], m[idx], h_contact[idx])
        y_target = np.where(crossing[idx], np.maximum(T_end[idx] - T_eq[idx], _EQUILIBRIUM_BAND_K),
                            _EQUILIBRIUM_BAND_K)
        t_i, y_i = _cooling_grid(y0[idx], y_target, *per_foil, tp, n)
        late_i = t_i[:, -1] > t_max[idx]
        if np.any(late_i):
            sub = np.flatnonzero(late_i)
            sub_foil = tuple(a[sub] for a in per_foil)
            y_stop = _crossing(t_i[sub], y_i[sub], t_max[idx][sub], *sub_foil, tp)
            t_i[sub], y_i[sub] = _cooling_grid(y0[idx][sub], y_stop, *sub_foil, tp, n)
        # Stopped by time, or parked at the sink until t_max: the last sample is at t_max.
        to_t_max = late_i | ~crossing[idx]
        t_i[to_t_max, -1] = t_max[idx][to_t_max]
        t[idx], y[idx] = t_i, y_i
        late[idx] = late_i
    T = T_eq[:, None] + sign[:, None] * y
    T[~moving] = T_peak[~moving, None]
    # Replace the heater-off point by one just after it (first-order step from the peak).
    dt_jump = _JUMP_GAP_FRAC * t[:, 1]
    T[:, 0] = T_peak - loss_peak / (m * tp.material.heat_capacity_J_per_kg_K(T_peak)) * dt_jump
    t[:, 0] = dt_jump
    return t, T, (T_peak <= T_end) | (crossing & ~late)


def _setpoint_inputs(tp: ThermalParameters, start_temperature_K: ArrayLike, setpoint_K: ArrayLike,
                     heating_rate_K_per_s: ArrayLike, heater_on_s: ArrayLike, thickness_m: ArrayLike,
                     end_temperature_K: ArrayLike | None, max_cooling_time_s: ArrayLike | None
                     ) -> tuple[int, *tuple[FloatArray, ...]]:
    """:func:`setpoint_history`'s inputs broadcast to (B,) and range-checked: B, start and set temperatures [K],
    heating rate [K/s], heater on-time [s], thickness [m], end temperature [K], cooling cap [s]."""
    B, a = _batch(
        T_start=start_temperature_K, T_set=setpoint_K, rate=heating_rate_K_per_s,
        t_on=heater_on_s, d=thickness_m,
        T_end=tp.cooling_end_temperature_K if end_temperature_K is None else end_temperature_K,
        t_cool=tp.cooling_max_time_s if max_cooling_time_s is None else max_cooling_time_s,
    )
    low, T_melt = tp.material.validity_K
    T_set = _check("setpoint_K", a["T_set"], low, T_melt, "K", high_inclusive=False)
    T_start = _check("start_temperature_K", a["T_start"], low, T_melt, "K", high_inclusive=False)
    above = T_start > T_set
    if np.any(above):
        i = int(np.flatnonzero(above)[0])
        raise FoiltwinInputError("start_temperature_K", float(T_start[i]),
                                 f"at most setpoint_K = {T_set[i]:g} K (the heater cannot cool)")
    rate = _check("heating_rate_K_per_s", a["rate"], 0.0, None, "K/s", low_inclusive=False)
    t_on = _check("heater_on_s", a["t_on"], 0.0, None, "s", low_inclusive=False)
    d = _thickness(a["d"], tp)
    T_end = _check("end_temperature_K", a["T_end"], 0.0, None, "K", low_inclusive=False)
    t_cool = _check("max_cooling_time_s", a["t_cool"], 0.0, None, "s", low_inclusive=False)
    return B, T_start, T_set, rate, t_on, d, T_end, t_cool


def _heating_samples(tp: ThermalParameters, T_start: FloatArray, T_set: FloatArray, rate: FloatArray,
                     t_on: FloatArray, m: FloatArray, n_ramp: int, n_hold: int
                     ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Heater on: ramp, then hold. Foils with both phases get n_ramp ramp samples ending at the ramp end and
    n_hold hold samples starting just after it (the power step); the others spread all n_ramp + n_hold samples
    over the one phase they have. Returns the ramp end [s], whether the set point is reached, the peak [K], the
    sample times [s] and temperatures [K] (B, n) and the heat input [W/m²] (B, n), m the areal mass [kg/m²]."""
    mat = tp.material
    t_reach = (T_set - T_start) / rate
    reached = t_reach <= t_on
    t_ramp = np.minimum(t_reach, t_on)
    T_peak = np.where(reached, T_set, T_start + rate * t_on)
    n_heating = n_ramp + n_hold
    s_hold = np.linspace(0.0, 1.0, n_hold)
    s_hold[0] = _JUMP_GAP_FRAC * s_hold[1]
    # (a phase shorter than _JUMP_GAP_FRAC of the on-time counts as absent, so times stay distinct)
    two_phase = ((t_ramp > _JUMP_GAP_FRAC * t_on) & (t_on - t_ramp > _JUMP_GAP_FRAC * t_on))[:, None]
    t_h = np.where(
        two_phase,
        np.concatenate([t_ramp[:, None] * np.linspace(0.0, 1.0, n_ramp),
                        t_ramp[:, None] + (t_on - t_ramp)[:, None] * s_hold], axis=1),
        t_on[:, None] * np.linspace(0.0, 1.0, n_heating),
    )
    on_ramp = np.where(two_phase, np.arange(n_heating) < n_ramp, (t_ramp > 0.5 * t_on)[:, None])
    T_h = np.minimum(T_start[:, None] + rate[:, None] * t_h, T_peak[:, None])
    q_on = (np.where(on_ramp, m[:, None] * mat.heat_capacity_J_per_kg_K(T_h) * rate[:, None], 0.0)
            + _loss_and_slope(T_h, tp, np.zeros(T_start.shape)[:, None])[0])
    return t_ramp, reached, T_peak, t_h, T_h, q_on


def _heater_power_limits(tp: ThermalParameters, power_W_per_m2: FloatArray, on_power_limit: str, heater_mode: str,
                         rate: FloatArray, d: FloatArray, T_start: FloatArray, T_set: FloatArray
                         ) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The largest heater power [W/m²] of each foil's heating samples (B, n) and whether all of them lie in
    [0, heater_max_areal_power_W_per_m2]; with ``on_power_limit="raise"`` the first foil outside raises
    :class:`FoiltwinInputError` (at its heating rate)."""
    p_max = power_W_per_m2.max(axis=1)
    p_min = power_W_per_m2.min(axis=1)
    feasible = (p_min >= 0.0) & (p_max <= tp.heater_max_areal_power_W_per_m2)
    if on_power_limit == "raise" and not np.all(feasible):
        i = int(np.flatnonzero(~feasible)[0])
        need = p_max[i] if p_max[i] > tp.heater_max_areal_power_W_per_m2 else p_min[i]
        raise FoiltwinInputError(
            "heating_rate_K_per_s", float(rate[i]),
            f"a ramp whose heater power stays in [0, {tp.heater_max_areal_power_W_per_m2:g}] W/m2 "
            f"(heater_max_areal_power_W_per_m2)",
            reason=f"foil {i}: {heater_mode} heater needs {need:.4g} W/m2 for {d[i]:g} m foil, "
                   f"{T_start[i]:g} -> {T_set[i]:g} K; pass on_power_limit='flag' to get flags instead",
        )
    return p_max, feasible


def setpoint_history(
    start_temperature_K: ArrayLike,
    setpoint_K: ArrayLike,
    heating_rate_K_per_s: ArrayLike,
    heater_on_s: ArrayLike,
    thickness_m: ArrayLike,
    *,
    cooling: CoolingMode | Sequence[CoolingMode] = "contact",
    end_temperature_K: ArrayLike | None = None,
    max_cooling_time_s: ArrayLike | None = None,
    heater_mode: HeaterMode = "joule",
    absorbed_frac: float | None = None,
    on_power_limit: Literal["raise", "flag"] = "raise",
    params: ParamsLike = None,
    n_ramp: int = 41,
    n_hold: int = 11,
    n_cool: int = 97,
) -> TemperatureHistory:
    """Temperature-controlled recipe: ramp at ``heating_rate_K_per_s`` to the set point, hold until the
    heater has been on for ``heater_on_s``, then cool ("contact": chill roll; "free": radiation and
    gas convection only) until T ≤ ``end_temperature_K`` or ``max_cooling_time_s`` has passed.

    Inputs are scalars or arrays of shape (B,). If the ramp cannot reach the set point within the on-time
    the peak is lower and ``reached_setpoint`` is False. The heat the recipe needs is
    C(T)·dT/dt + losses(T); the electrical energy is that over (efficiency · absorbed fraction). A heater
    power outside [0, heater_max_areal_power_W_per_m2] raises :class:`FoiltwinInputError`
    (``on_power_limit="raise"``) or is flagged in ``power_feasible`` (``"flag"``).
    Defaults for the end temperature and the cooling cap come from the registry.
    """
    register("Incropera2007", "thermal.setpoint_history")
    tp = _thermal(params)
    mat = tp.material
    if on_power_limit not in ("raise", "flag"):
        raise FoiltwinInputError("on_power_limit", on_power_limit, "one of raise, flag")
    for name, value in (("n_ramp", n_ramp), ("n_hold", n_hold), ("n_cool", n_cool)):
        check_range(name, value, 2, None)
    efficiency, absorbed = _heater(tp, heater_mode, absorbed_frac)
    check_range("absorbed_frac", absorbed, 0.0, 1.0, low_inclusive=False)  # the recipe needs some heat in
    factor = 1.0 / (efficiency * absorbed)  # electrical power per absorbed heat
    B, T_start, T_set, rate, t_on, d, T_end, t_cool = _setpoint_inputs(
        tp, start_temperature_K, setpoint_K, heating_rate_K_per_s, heater_on_s, thickness_m, end_temperature_K,
        max_cooling_time_s)
    h_contact = _contact_conductance(tp, _contact_mask(cooling, B))
    m = mat.density_kg_per_m3 * d
    free = np.zeros(B)
    t_ramp, reached, T_peak, t_h, T_h, q_on = _heating_samples(tp, T_start, T_set, rate, t_on, m, n_ramp, n_hold)
    n_heating = n_ramp + n_hold

    sensible = m * mat.sensible_heat_J_per_kg(T_start, T_peak)
    ramp_loss = _ramp_loss_J_per_m2(T_start, T_peak, rate, tp)
    hold_loss = _loss_and_slope(T_peak, tp, free)[0] * (t_on - t_ramp)
    heat_in = sensible + ramp_loss + hold_loss

    p_max, feasible = _heater_power_limits(tp, q_on * factor, on_power_limit, heater_mode, rate, d, T_start, T_set)

    # --- heater off: cooling
    t_c, T_c, reached_end = _cooling_samples(T_peak, m, h_contact, T_end, t_cool, tp, n_cool)

    time = np.concatenate([t_h, t_on[:, None] + t_c], axis=1)
    temperature = np.concatenate([T_h, T_c], axis=1)
    heat = np.concatenate([q_on, np.zeros((B, n_cool))], axis=1)
    current = None
    if heater_mode == "joule":
        # (heat < 0 only where power_feasible is False: no current can do that, report 0)
        current = np.sqrt(np.maximum(heat, 0.0) * d[:, None] / mat.resistivity_ohm_m(temperature))
    return TemperatureHistory(
        time_s=time, temperature_K=temperature, heat_input_W_per_m2=heat, heater_power_W_per_m2=heat * factor,
        current_per_width_A_per_m=current, peak_temperature_K=T_peak, reached_setpoint=reached,
        ramp_end_time_s=t_ramp, heater_off_time_s=t_on, heat_input_J_per_m2=heat_in,
        heater_energy_J_per_m2=heat_in * factor, sensible_heat_J_per_m2=sensible,
        heating_loss_J_per_m2=ramp_loss + hold_loss, max_heater_power_W_per_m2=p_max,
        power_feasible=feasible, end_time_s=time[:, -1], reached_end_temperature=reached_end,
        n_heating=n_heating, n_cool=n_cool,
    )


# ---------------------------------------------------------------------------------------------------------
# Given power or current
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PowerModeHistory:
    """T(t) of B foils under a given heater power or Joule current (shared time grid).

    Samples after a foil reaches its melting point are NaN: the solid lumped model ends there.
    """

    time_s: FloatArray
    """(M,) common sample times."""
    temperature_K: FloatArray
    """(B, M)."""
    heat_input_W_per_m2: FloatArray
    """(B, M) heat absorbed by the foil."""
    heater_power_W_per_m2: FloatArray
    """(B, M) electrical power per foil area (heater output / efficiency)."""
    final_temperature_K: FloatArray
    """(B,) at the end of the run, or the melting point for a melted foil."""
    melted: BoolArray
    melt_time_s: FloatArray
    """(B,) NaN where the foil did not melt."""
    heat_input_J_per_m2: FloatArray
    """(B,) ∫ heat input dt up to the end (or melting)."""
    heater_energy_J_per_m2: FloatArray
    loss_J_per_m2: FloatArray
    """(B,) ∫ losses dt up to the end (or melting)."""


def _drive_function(drive: Drive, batch: int, field: str, nonnegative: bool) -> Callable[[float], FloatArray]:
    """A checked t → (B,) function from a constant, a (B,) array or a callable of t."""

    def checked(value: ArrayLike) -> FloatArray:
        arr = np.broadcast_to(np.asarray(value, dtype=float), (batch,))
        return _check(field, arr, 0.0 if nonnegative else None, None, "W/m2" if nonnegative else "A/m")

    if callable(drive):
        return lambda t: checked(drive(t))
    constant = checked(drive)
    return lambda t: constant


def _power_source(drive: Drive, joule: bool, B: int, mat, d: FloatArray
                  ) -> tuple[Callable[[float, FloatArray], FloatArray], Callable[[float, FloatArray], FloatArray]]:
    """Heater output per foil area q(t, T) [W/m²] and ∂q/∂T: the Joule heat itself, or the heater flux reaching
    the foil."""
    if joule:
        current = _drive_function(drive, B, "current_per_width_A_per_m", False)

        def source(t: float, T: FloatArray) -> FloatArray:
            return current(t) ** 2 * mat.resistivity_ohm_m(T) / d

        def source_slope(t: float, T: FloatArray) -> FloatArray:
            return current(t) ** 2 * _property_slope(mat.resistivity_ohm_m, T) / d
        return source, source_slope
    power = _drive_function(drive, B, "heater_power_W_per_m2", True)

    def source(t: float, T: FloatArray) -> FloatArray:
        return power(t)

    def source_slope(t: float, T: FloatArray) -> FloatArray:
        return np.zeros_like(T)
    return source, source_slope


def _ivp_system(B: int, source, source_slope, tp, h_contact: FloatArray, m: FloatArray, absorbed: float,
                T_melt: float):
    """(rhs, jacobian, all_melted event) of the stiff system: B temperatures, then the running integrals of
    heater output and losses per foil."""
    from scipy import sparse  # here, not at import: the twin's start-up does not need scipy.integrate

    mat = tp.material

    def rhs(t: float, state: FloatArray) -> FloatArray:
        T = state[:B]
        out = source(t, T)
        loss = _loss_and_slope(T, tp, h_contact)[0]
        return np.concatenate([(absorbed * out - loss) / (m * mat.heat_capacity_J_per_kg_K(T)), out, loss])

    rows = np.arange(3 * B)
    cols = np.tile(np.arange(B), 3)

    def jacobian(t: float, state: FloatArray) -> sparse.csc_matrix:
        T = state[:B]
        out, dout = source(t, T), source_slope(t, T)
        loss, dloss = _loss_and_slope(T, tp, h_contact)
        C = m * mat.heat_capacity_J_per_kg_K(T)
        dC = m * _property_slope(mat.heat_capacity_J_per_kg_K, T)
        dT = (absorbed * dout - dloss) / C - (absorbed * out - loss) * dC / C**2
        return sparse.csc_matrix((np.concatenate([dT, dout, dloss]), (rows, cols)), shape=(3 * B, 3 * B))

    def all_melted(t: float, state: FloatArray) -> float:
        return float(np.min(state[:B]) - T_melt)

    all_melted.terminal = True  # type: ignore[attr-defined]
    all_melted.direction = 1.0  # type: ignore[attr-defined]
    return rhs, jacobian, all_melted


def _default_max_step_s(source, B: int, duration: float, absorbed: float, m: FloatArray, mat, T_start: FloatArray,
                        T_melt: float) -> float:
    """1/20 of the shortest heating time to the melting point at the largest drive seen on 65 probe times."""
    probe = np.linspace(0.0, duration, 65)
    q_probe = absorbed * np.max([source(t, np.full(B, T_melt)) for t in probe], axis=0)
    C_start = m * mat.heat_capacity_J_per_kg_K(T_start)
    heating_time = np.divide(C_start * (T_melt - T_start), q_probe, out=np.full(B, np.inf), where=q_probe > 0.0)
    return min(duration / 10.0, float(np.min(heating_time)) / 20.0)


def _melting(sol, B: int, T_melt: float, duration: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(melted, melt time [s] (NaN: not melted), final state) from the integrator's solution: the record is the
    evaluated samples plus the end state (the melting event when every foil melted); a foil's first crossing of
    T_melt is bracketed on the record and refined by secant steps on the dense output."""
    if sol.status == 1:
        t_last, y_last = float(sol.t_events[0][0]), np.array(sol.y_events[0][0], dtype=float)
        y_last[:B] = np.maximum(y_last[:B], T_melt)  # the event sits on T_melt to solver precision
    else:
        t_last, y_last = duration, sol.y[:, -1]
    rec_t = np.append(sol.t, t_last)
    rec_y = np.concatenate([sol.y, y_last[:, None]], axis=1)
    melted = np.any(rec_y[:B] >= T_melt, axis=1)
    final_state = np.array(y_last, dtype=float)
    melt_time = np.full(B, np.nan)
    if np.any(melted):
        i = np.flatnonzero(melted)
        k = np.argmax(rec_y[i] >= T_melt, axis=1)  # ≥ 1, the start is below T_melt
        slope = (rec_y[i, k] - rec_y[i, k - 1]) / (rec_t[k] - rec_t[k - 1])
        t_m = rec_t[k - 1] + (T_melt - rec_y[i, k - 1]) / slope
        for _ in range(4):
            t_m = np.clip(t_m - (sol.sol(t_m)[i, np.arange(i.size)] - T_melt) / slope, rec_t[k - 1], rec_t[k])
        melt_time[i] = t_m
        states = sol.sol(t_m)
        for block in (1, 2):
            final_state[block * B + i] = states[block * B + i, np.arange(i.size)]
        final_state[i] = T_melt
    return melted, melt_time, final_state


def _power_history(sol, source, B: int, T_melt: float, duration: float, t_eval: FloatArray, absorbed: float,
                   efficiency: float) -> PowerModeHistory:
    """The :class:`PowerModeHistory` of the integrator's solution (samples after a foil melted are NaN)."""
    melted, melt_time, final_state = _melting(sol, B, T_melt, duration)
    n_samples = t_eval.size
    n_done = sol.t.size
    T = np.full((B, n_samples), np.nan)
    out = np.full((B, n_samples), np.nan)
    T[:, :n_done] = sol.y[:B]
    out[:, :n_done] = np.stack([source(t, sol.y[:B, j]) for j, t in enumerate(sol.t)], axis=1)
    after_melting = t_eval[None, :] >= melt_time[:, None]  # NaN melt time (not melted) compares False
    T[after_melting] = np.nan
    out[after_melting] = np.nan
    e_out, e_loss = final_state[B: 2 * B], final_state[2 * B:]
    return PowerModeHistory(
        time_s=t_eval, temperature_K=T, heat_input_W_per_m2=absorbed * out,
        heater_power_W_per_m2=out / efficiency, final_temperature_K=final_state[:B], melted=melted,
        melt_time_s=melt_time, heat_input_J_per_m2=absorbed * e_out,
        heater_energy_J_per_m2=e_out / efficiency, loss_J_per_m2=e_loss,
    )


def integrate_power_mode(
    start_temperature_K: ArrayLike,
    duration_s: float,
    thickness_m: ArrayLike,
    *,
    heater_power_W_per_m2: Drive | None = None,
    current_per_width_A_per_m: Drive | None = None,
    absorbed_frac: float | None = None,
    contact: bool | ArrayLike = False,
    params: ParamsLike = None,
    n_samples: int = 201,
    max_step_s: float | None = None,
    rtol: float = 1e-8,
    atol_K: float = 1e-6,
    method: Literal["Radau", "BDF"] = "Radau",
) -> PowerModeHistory:
    """Integrate T(t) of B foils for ``duration_s`` under a given heat source.

    Give exactly one of ``heater_power_W_per_m2`` (radiant/contact heater flux, absorbed with
    ``absorbed_frac``, default the foil emissivity by Kirchhoff; use 1 for a contact heater) or
    ``current_per_width_A_per_m`` (direct Joule heating, q = I_w²·ρ_el(T)/δ). Each is a scalar, a (B,) array
    or a callable of t returning either. ``contact`` puts the foil on the chill roll.

    The batch is one stiff system (Radau or BDF) of B independent temperatures plus, per foil, the running
    integrals of heater output and losses; the Jacobian is supplied (sparse, diagonal blocks). ``max_step_s``
    defaults to 1/20 of the shortest heating time to the melting point at the largest drive seen on 65
    probe times, so ramps of 1e3-1e5 K/s are resolved; pass it for drives with features shorter than that.
    The run stops early once every foil has reached its melting point.
    """
    from scipy.integrate import solve_ivp  # here, not at import: the twin's start-up does not need it

    register("Incropera2007", "thermal.integrate_power_mode")
    tp = _thermal(params)
    mat = tp.material
    if (heater_power_W_per_m2 is None) == (current_per_width_A_per_m is None):
        raise FoiltwinInputError("heater_power_W_per_m2", heater_power_W_per_m2,
                                 "exactly one of heater_power_W_per_m2 and current_per_width_A_per_m")
    if method not in ("Radau", "BDF"):
        raise FoiltwinInputError("method", method, "one of Radau, BDF")
    joule = current_per_width_A_per_m is not None
    efficiency, absorbed = _heater(tp, "joule" if joule else "radiant", absorbed_frac)
    duration = check_range("duration_s", duration_s, 0.0, None, low_inclusive=False, unit="s")
    check_range("n_samples", n_samples, 2, None)
    drive = current_per_width_A_per_m if joule else heater_power_W_per_m2
    constant_drive = {} if callable(drive) else {"drive": drive}
    B, a = _batch(T_start=start_temperature_K, d=thickness_m, contact=contact, **constant_drive)
    low, T_melt = mat.validity_K
    T_start = _check("start_temperature_K", a["T_start"], low, T_melt, "K", high_inclusive=False)
    d = _thickness(a["d"], tp)
    h_contact = _contact_conductance(tp, a["contact"])
    m = mat.density_kg_per_m3 * d
    source, source_slope = _power_source(drive, joule, B, mat, d)
    rhs, jacobian, all_melted = _ivp_system(B, source, source_slope, tp, h_contact, m, absorbed, T_melt)
    if max_step_s is None:
        max_step = _default_max_step_s(source, B, duration, absorbed, m, mat, T_start, T_melt)
    else:
        max_step = check_range("max_step_s", max_step_s, 0.0, None, low_inclusive=False, unit="s")
    energy_scale = m * mat.heat_capacity_J_per_kg_K(T_start)
    atol = np.concatenate([np.full(B, atol_K), atol_K * energy_scale, atol_K * energy_scale])
    t_eval = np.linspace(0.0, duration, n_samples)
    sol = solve_ivp(rhs, (0.0, duration), np.concatenate([T_start, np.zeros(2 * B)]), method=method,
                    t_eval=t_eval, jac=jacobian, events=all_melted, rtol=rtol, atol=atol, max_step=max_step,
                    dense_output=True)
    if sol.status < 0:
        raise ModelConvergenceError("integrate_power_mode", f"{B} foils over {duration:g} s",
                                    f"a drive the stiff thermal integrator can follow ({sol.message})",
                                    rows=tuple(range(B)))
    return _power_history(sol, source, B, T_melt, duration, t_eval, absorbed, efficiency)
