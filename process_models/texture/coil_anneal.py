"""Batch coil anneal in a bell (box) furnace before the UHT line (docs/coil_anneal.md).

Foil coils are heated under a protective N2-H2 atmosphere, held at the soak temperature and cooled, so that
the Cu recrystallises toward the (100) cube texture (seed 000 Table 2: high-T annealing at 900-1050 °C,
controlled atmosphere, hours per batch). A programme is (soak temperature, soak time, heating and cooling
rate); the coils are lumped (one temperature), which ramps linearly from the charge temperature to the soak,
holds, and ramps down to the unload temperature. Everything is vectorised over a batch of B programmes that
share one :class:`FurnaceLoad`.

- **Texture.** The Arrhenius equivalent time at T_cal of the whole history, θ = ∫ exp(−Q/R·(1/T − 1/T_cal)) dt,
  in closed form (exponential integral on the ramps), then :mod:`process_models.texture.texture_model`
  (JMAK, cube end state).
- **Energy per batch** = [m_Cu·∫cp dT (Shomate, Chase1998) + m_steel·c_steel·ΔT + UA·∫(T − T_amb) dt over the
  heat-up and soak] / η. The cool-down costs no electricity: the heating hood is off and the shell losses
  are what cool the load.
- **Protective gas** = flow × cycle time; cycle time = handling + heat-up + soak + cool-down.
- **What a wound coil can take.** The wraps of a wound coil touch; hot enough and long enough they diffusion-bond
  (Samouhos2019). A wound load is refused above ``coil_anneal_wound_max_soak_temperature_K`` (850 °C), and every
  programme carries a sticking indicator: its equivalent time at the bonding reference (850 °C) with the
  activation energy of Cu lattice diffusion (FrostAshby1982), over the reference bond time (60 min), closed form
  like θ. Above ``coil_anneal_max_sticking_frac`` the wraps stick (``AnnealCycle.wraps_stick``).
  :func:`longest_soak_without_sticking_s` gives the longest soak at a temperature that stays below it.
- **Optimiser transforms.** :func:`soak_equivalent_time_s` (ln θ linear in ln t and 1/T) and
  :func:`equivalent_time_for_texture_100` (least θ reaching a (100) fraction, closed-form JMAK inverse).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.costing.flows import Flows, price_flows
from process_models.costing.pricing import seed000_unit_cost_reference
from process_models.errors import FoiltwinInputError, check_range
from process_models.errors import check_array as _check
from process_models.materials.properties import cu_sensible_heat_J_per_kg
from process_models.parameters import default_parameters
from process_models.parameters import parameters_or_default as _values
from process_models.parameters.registry import ParameterValues
from process_models.physical_constants import R
from process_models.texture.texture_model import (
    Texture,
    anneal_texture_equivalent,
    isothermal_equivalent_time_s,
    recrystallised_fraction,
)

FloatArray = NDArray[np.float64]
ParamsLike = Mapping[str, float] | None

J_PER_KWH = 3.6e6
S_PER_H = 3600.0
# Ramp rates the model accepts [K/s]: a bell furnace manages ~0.1 K/s; the upper end allows the zero-ramp limit.
RAMP_RATE_RANGE_K_PER_S = (0.0, 1e6)
_CALLER = "coil_anneal"


# ---------------------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FurnaceLoad:
    """What one batch holds: ``coils_count`` coils of foil ``coil_length_m`` × ``coil_width_m`` × ``foil_thickness_m``.

    ``wound``: the coils are tightly wound, their wraps touching (the default, and what the plant's coils are): the
    soak is limited by the sticking of the wraps. ``False``: an open load (open coils with a spacer between the
    wraps, or sheets), no wrap contact. Bad values raise :class:`FoiltwinInputError` at construction.
    """

    coils_count: int
    coil_length_m: float
    coil_width_m: float
    foil_thickness_m: float
    wound: bool = True

    def __post_init__(self) -> None:
        n = self.coils_count
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise FoiltwinInputError("coils_count", n, "an integer in [1, 1000]")
        check_range("coils_count", n, 1, 1000)
        check_range("coil_length_m", self.coil_length_m, 0.0, 1e5, low_inclusive=False, unit="m")
        check_range("coil_width_m", self.coil_width_m, 0.0, 3.0, low_inclusive=False, unit="m")
        check_range("foil_thickness_m", self.foil_thickness_m, 0.0, 1e-3, low_inclusive=False, unit="m")
        if not isinstance(self.wound, bool | np.bool_):
            raise FoiltwinInputError("wound", self.wound, "True (wound coils) or False (an open load)")

    @classmethod
    def default(cls, params: ParamsLike = None) -> FurnaceLoad:
        """The registry's default batch (``coil_anneal_coils_count``, ``…_coil_length_m``, ``…_coil_width_m``,
        ``…_foil_thickness_m``)."""
        values = _values(params)
        return cls(round(values["coil_anneal_coils_count"]), values["coil_anneal_coil_length_m"],
                   values["coil_anneal_coil_width_m"], values["coil_anneal_foil_thickness_m"])

    @property
    def area_m2(self) -> float:
        """Product area of the batch [m²]: coils × length × width (one face)."""
        return self.coils_count * self.coil_length_m * self.coil_width_m

    def copper_mass_kg(self, params: ParamsLike = None) -> float:
        """Cu mass of the batch [kg]: area × thickness × ``cu_density_kg_per_m3`` (CRC)."""
        return self.area_m2 * self.foil_thickness_m * _values(params)["cu_density_kg_per_m3"]


# ---------------------------------------------------------------------------------------------------------
# Programme and thermal history
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Programme:
    soak_temperature_K: FloatArray
    soak_time_s: FloatArray
    heating_rate_K_per_s: FloatArray
    cooling_rate_K_per_s: FloatArray
    charge_temperature_K: float
    unload_temperature_K: float

    @property
    def heat_up_s(self) -> FloatArray:
        return (self.soak_temperature_K - self.charge_temperature_K) / self.heating_rate_K_per_s

    @property
    def cool_down_s(self) -> FloatArray:
        return (self.soak_temperature_K - self.unload_temperature_K) / self.cooling_rate_K_per_s


def soak_temperature_range_K(params: ParamsLike = None, wound: bool = True) -> tuple[float, float]:
    """Soak temperatures the furnace accepts [K]: ``coil_anneal_min/max_soak_temperature_K``, below Cu melting, and
    for wound coils at most ``coil_anneal_wound_max_soak_temperature_K`` (the wraps bond above it)."""
    values = _values(params)
    low = values["coil_anneal_min_soak_temperature_K"]
    high = min(values["coil_anneal_max_soak_temperature_K"], values["cu_melting_temperature_K"])
    if wound:
        high = min(high, values["coil_anneal_wound_max_soak_temperature_K"])
    if low >= high:
        raise FoiltwinInputError("coil_anneal_min_soak_temperature_K", low,
                                 f"below the furnace maximum {high:g} K (coil_anneal_max_soak_temperature_K"
                                 + (", coil_anneal_wound_max_soak_temperature_K)" if wound else ")"))
    return low, high


def _soak(soak_temperature_K: ArrayLike, soak_time_s: ArrayLike, values: Mapping[str, float], wound: bool = True
          ) -> tuple[FloatArray, FloatArray]:
    low, high = soak_temperature_range_K(values, wound=False)
    temps = _check("soak_temperature_K", soak_temperature_K, low, high, "K")
    w_max = values["coil_anneal_wound_max_soak_temperature_K"]
    if wound and np.any(temps > w_max):
        register("Samouhos2019", f"{_CALLER}.soak_temperature_range_K")
        raise FoiltwinInputError(
            "soak_temperature_K", float(np.max(temps)),
            f"at most {min(w_max, high):g} K for wound coils (coil_anneal_wound_max_soak_temperature_K: the touching "
            f"wraps diffusion-bond above it, Samouhos2019); [{low:g}, {high:g}] K only for an open load")
    t = _check("soak_time_s", soak_time_s, 0.0, values["coil_anneal_max_soak_time_s"], "s")
    return temps, t


def _programme(soak_temperature_K: ArrayLike, soak_time_s: ArrayLike, values: Mapping[str, float],
               heating_rate_K_per_s: ArrayLike | None, cooling_rate_K_per_s: ArrayLike | None,
               wound: bool = True) -> _Programme:
    """Validated programme arrays broadcast to (B,)."""
    T, t = _soak(soak_temperature_K, soak_time_s, values, wound)
    rates = []
    for field, given, default in (("heating_rate_K_per_s", heating_rate_K_per_s, "coil_anneal_heating_rate_K_per_s"),
                                  ("cooling_rate_K_per_s", cooling_rate_K_per_s, "coil_anneal_cooling_rate_K_per_s")):
        rates.append(_check(field, values[default] if given is None else given, *RAMP_RATE_RANGE_K_PER_S, "K/s",
                            low_inclusive=False))
    arrays = [np.atleast_1d(a) for a in (T, t, *rates)]
    names = "soak_temperature_K/soak_time_s/heating_rate_K_per_s/cooling_rate_K_per_s"
    if any(a.ndim != 1 for a in arrays):
        raise FoiltwinInputError(names, [a.shape for a in arrays], "scalars or arrays of shape (B,)")
    try:
        T, t, up, down = (np.array(a, dtype=float) for a in np.broadcast_arrays(*arrays))
    except ValueError:
        raise FoiltwinInputError(names, [a.shape for a in arrays], "scalars or arrays of one shape (B,)") from None
    return _Programme(T, t, up, down, values["coil_anneal_charge_temperature_K"],
                      values["coil_anneal_unload_temperature_K"])


def thermal_history(soak_temperature_K: ArrayLike, soak_time_s: ArrayLike, params: ParamsLike = None,
                    heating_rate_K_per_s: ArrayLike | None = None, cooling_rate_K_per_s: ArrayLike | None = None,
                    wound: bool = True) -> tuple[FloatArray, FloatArray]:
    """Coil temperature knots (time_s, temperature_K), each (B, 4): charge → soak → end of soak → unload.

    Time 0 is the start of the heat-up (handling excluded); T is piecewise linear between the knots, as
    :func:`process_models.texture.texture_model.equivalent_time_s` reads it. Rates default to the registry [K/s].
    """
    p = _programme(soak_temperature_K, soak_time_s, _values(params), heating_rate_K_per_s, cooling_rate_K_per_s,
                   wound)
    t1 = p.heat_up_s
    t2 = t1 + p.soak_time_s
    time_s = np.stack([np.zeros_like(t1), t1, t2, t2 + p.cool_down_s], axis=1)
    temperature_K = np.stack([np.full_like(t1, p.charge_temperature_K), p.soak_temperature_K,
                              p.soak_temperature_K, np.full_like(t1, p.unload_temperature_K)], axis=1)
    return time_s, temperature_K


# ---------------------------------------------------------------------------------------------------------
# Equivalent time
# ---------------------------------------------------------------------------------------------------------
def _arrhenius(values: Mapping[str, float]) -> tuple[float, float]:
    """(Q/R [K], T_cal [K]) of the recrystallisation kinetics (Vandermeer2004, seed 000 Table 2)."""
    return values["recrystallisation_activation_J_per_mol"] / R, values["recrystallisation_calibration_temperature_K"]


def _arrhenius_antiderivative_K(T: FloatArray, a: float, T_cal: float) -> FloatArray:
    """H(T) [K] with dH/dT = exp(a/T_cal − a/T): T·exp(a/T_cal − x)·(1 − x·eˣ·E1(x)), x = a/T."""
    from scipy.special import exp1  # here, not at import: only the furnace's ramps need it (start-up)

    x = a / T
    return T * np.exp(a / T_cal - x) * (1.0 - x * np.exp(x) * exp1(x))


def _sticking_arrhenius(values: Mapping[str, float]) -> tuple[float, float]:
    """(Q_b/R [K], T_ref [K]) of the wraps' diffusion bonding (FrostAshby1982 Q_v, Samouhos2019 reference)."""
    return values["coil_sticking_activation_J_per_mol"] / R, values["coil_sticking_reference_temperature_K"]


def _ramp_equivalent_time_s(T_low: FloatArray | float, T_high: FloatArray, rate_K_per_s: FloatArray,
                            values: Mapping[str, float], arrhenius: tuple[float, float] | None = None) -> FloatArray:
    """θ of a linear ramp between T_low and T_high at |dT/dt| = rate [s] (exact, exponential integral), for the
    recrystallisation kinetics or another ``arrhenius`` = (Q/R, T_ref)."""
    a, T_cal = _arrhenius(values) if arrhenius is None else arrhenius
    T_low = np.broadcast_to(np.asarray(T_low, dtype=float), T_high.shape)
    return (_arrhenius_antiderivative_K(T_high, a, T_cal) - _arrhenius_antiderivative_K(T_low, a, T_cal)) / rate_K_per_s


def ramp_equivalent_time_s(T_low: ArrayLike, T_high: ArrayLike, rate_K_per_s: ArrayLike, params: ParamsLike = None,
                           arrhenius: tuple[float, float] | None = None) -> FloatArray:
    """θ [s] of a linear ramp between ``T_low`` and ``T_high`` [K] at |dT/dt| = ``rate_K_per_s`` (either direction):
    [H(T_high) − H(T_low)]/rate with the exponential-integral antiderivative H of the Arrhenius factor; the
    recrystallisation kinetics, or ``arrhenius`` = (Q/R [K], T_ref [K]). Inputs broadcast; no range checks."""
    values = _values(params)
    hi = np.asarray(T_high, dtype=float)
    return _ramp_equivalent_time_s(T_low, hi, np.asarray(rate_K_per_s, dtype=float), values, arrhenius)


def soak_equivalent_time_s(soak_temperature_K: ArrayLike, soak_time_s: ArrayLike, params: ParamsLike = None,
                           wound: bool = True) -> FloatArray:
    """θ of the soak alone [s]: t·exp(−Q/R·(1/T − 1/T_cal)).

    ln θ = ln t − (Q/R)·(1/T) + Q/(R·T_cal) is linear in ln t and 1/T: the exact transform an MILP uses
    (with the ramps' share, which only adds, as a margin). Inputs broadcast; furnace limits apply.
    """
    register("Vandermeer2004", f"{_CALLER}.soak_equivalent_time_s")
    values = _values(params)
    T, t = _soak(soak_temperature_K, soak_time_s, values, wound)
    return isothermal_equivalent_time_s(t, T, values)


def equivalent_time_for_texture_100(target_100_frac: ArrayLike, initial_100_frac: ArrayLike,
                                    params: ParamsLike = None) -> FloatArray:
    """Least equivalent time θ at T_cal [s] with (1 − X)·f0 + X·f_end ≥ target, X = 1 − exp(−(θ/τ)^n).

    θ = τ·(−ln(1 − X*))^(1/n) with X* = (target − f0)/(f_end − f0); 0 where f0 already meets the target.
    f_end is ``texture_cube_end_100_frac``; a target at or above it (and above f0) is unreachable and raises
    naming ``target_100_frac``. Inputs broadcast.
    """
    register("Humphreys2004", f"{_CALLER}.equivalent_time_for_texture_100")
    register("Feng2026", f"{_CALLER}.equivalent_time_for_texture_100")
    values = _values(params)
    target = _check("target_100_frac", target_100_frac, 0.0, 1.0)
    f0 = _check("initial_100_frac", initial_100_frac, 0.0, 1.0)
    try:
        target, f0 = (np.array(a, dtype=float) for a in np.broadcast_arrays(target, f0))
    except ValueError:
        raise FoiltwinInputError("target_100_frac/initial_100_frac", (target.shape, f0.shape),
                                 "scalars or arrays of one shape") from None
    f_end = values["texture_cube_end_100_frac"]
    met = f0 >= target
    bad = ~met & (target >= f_end)
    if np.any(bad):
        i = np.flatnonzero(bad)[0]
        raise FoiltwinInputError(
            "target_100_frac", float(target.flat[i]),
            f"at most the initial (100) fraction {float(f0.flat[i]):g} or below the cube end state's "
            f"{f_end:g} (texture_cube_end_100_frac): reachable [{float(f0.flat[i]):g}, {f_end:g})")
    span = np.where(met, 1.0, f_end - f0)
    X = np.where(met, 0.0, (target - f0) / span)
    n = values["recrystallisation_avrami_exponent_frac"]
    return values["recrystallisation_time_constant_s"] * (-np.log1p(-X)) ** (1.0 / n)


def _ramps_equivalent_time_s(p: _Programme, values: Mapping[str, float],
                             arrhenius: tuple[float, float] | None = None) -> FloatArray:
    """θ of the heat-up and the cool-down of programme ``p`` [s] (recrystallisation, or ``arrhenius``)."""
    return (_ramp_equivalent_time_s(p.charge_temperature_K, p.soak_temperature_K, p.heating_rate_K_per_s, values,
                                    arrhenius)
            + _ramp_equivalent_time_s(p.unload_temperature_K, p.soak_temperature_K, p.cooling_rate_K_per_s, values,
                                      arrhenius))


def soak_time_for_texture_100(target_100_frac: ArrayLike, initial_100_frac: ArrayLike,
                              soak_temperature_K: ArrayLike, params: ParamsLike = None,
                              heating_rate_K_per_s: ArrayLike | None = None,
                              cooling_rate_K_per_s: ArrayLike | None = None, wound: bool = True) -> FloatArray:
    """Least soak time [s] at ``soak_temperature_K`` whose whole programme (ramps included) gives foil starting at
    ``initial_100_frac`` a (100) fraction of ``target_100_frac``: (θ_min − θ_ramps) / θ_soak(1 s), 0 where the
    ramps alone suffice. A target the furnace's longest soak cannot reach raises naming ``target_100_frac``.
    Whether the wraps of a wound coil stick on that soak is :func:`longest_soak_without_sticking_s`'s answer."""
    values = _values(params)
    need = equivalent_time_for_texture_100(target_100_frac, initial_100_frac, values)
    p = _programme(soak_temperature_K, 0.0, values, heating_rate_K_per_s, cooling_rate_K_per_s, wound)
    ramps = _ramps_equivalent_time_s(p, values)
    per_s = soak_equivalent_time_s(p.soak_temperature_K, 1.0, values, wound)
    t = np.maximum(need - ramps, 0.0) / per_s
    t_max = values["coil_anneal_max_soak_time_s"]
    if np.any(t > t_max):
        i = int(np.flatnonzero(t > t_max)[0])
        raise FoiltwinInputError("target_100_frac", float(np.broadcast_to(target_100_frac, t.shape)[i]),
                                 f"reachable within the furnace's longest soak ({t_max / 3600:g} h, "
                                 f"coil_anneal_max_soak_time_s) at {float(p.soak_temperature_K[i]):g} K: "
                                 "raise the soak temperature")
    return t


def longest_soak_without_sticking_s(soak_temperature_K: ArrayLike, params: ParamsLike = None,
                                    heating_rate_K_per_s: ArrayLike | None = None,
                                    cooling_rate_K_per_s: ArrayLike | None = None) -> FloatArray:
    """Longest soak [s] at ``soak_temperature_K`` (wound coils) whose whole programme keeps the sticking indicator at
    ``coil_anneal_max_sticking_frac``: (f_max·t_ref − θ_b,ramps) / θ_b,soak(1 s), closed form. Negative where the
    ramps alone already bond the wraps. Inputs broadcast; the wound-coil temperature limit applies."""
    register("Samouhos2019", f"{_CALLER}.longest_soak_without_sticking_s")
    register("FrostAshby1982", f"{_CALLER}.longest_soak_without_sticking_s")
    values = _values(params)
    p = _programme(soak_temperature_K, 0.0, values, heating_rate_K_per_s, cooling_rate_K_per_s, wound=True)
    a, T_ref = _sticking_arrhenius(values)
    allowance = values["coil_anneal_max_sticking_frac"] * values["coil_sticking_reference_time_s"]
    ramps = _ramps_equivalent_time_s(p, values, (a, T_ref))
    return (allowance - ramps) / np.exp(a / T_ref - a / p.soak_temperature_K)


def hottest_non_sticking_soak_temperature_K(soak_time_s: float, params: ParamsLike = None,
                                            heating_rate_K_per_s: float | None = None,
                                            cooling_rate_K_per_s: float | None = None) -> float:
    """The highest soak temperature [K] of the wound-coil range at which a soak of ``soak_time_s`` [s] does not stick
    the wraps (bisection on :func:`longest_soak_without_sticking_s`, which falls with temperature; to 1e-6 K).
    Raises naming ``soak_time_s`` when even the coolest soak the furnace accepts sticks."""
    values = _values(params)
    low, high = soak_temperature_range_K(values, wound=True)

    def fits(T: float) -> bool:
        return float(longest_soak_without_sticking_s(T, values, heating_rate_K_per_s, cooling_rate_K_per_s)[0]) \
            >= soak_time_s

    if fits(high):
        return high
    if not fits(low):
        raise FoiltwinInputError("soak_time_s", soak_time_s,
                                 f"a soak the wound coils take at {low:g} K or above (coil_anneal_max_sticking_frac)")
    while high - low > 1e-6:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


# ---------------------------------------------------------------------------------------------------------
# Cycle
# ---------------------------------------------------------------------------------------------------------
def furnace_flow_amounts(energy_kWh_per_m2, protective_gas_Nm3_per_m2) -> dict:
    """A furnace's (coil anneal or hot zone) priced amounts per m² of product: electricity [kWh] and forming gas
    [Nm³]. Plain arithmetic, so the MILP builds its rows from it too."""
    return {"electricity_kWh_per_m2": energy_kWh_per_m2, "forming_gas_Nm3_per_m2": protective_gas_Nm3_per_m2}


@dataclass(frozen=True, eq=False)
class AnnealCycle:
    """One furnace programme per row, arrays of shape (B,); per-m² values are per m² of product (one face).

    Times [s]: ``heat_up_s`` + ``soak_time_s`` + ``cool_down_s`` + handling = ``cycle_time_s``.
    ``equivalent_time_s``: θ at T_cal of the whole history; ``recrystallised_frac``: JMAK X(θ).
    Heat delivered per batch [kWh]: ``copper_heat_kwh_per_batch`` + ``furnace_mass_heat_kwh_per_batch`` +
    ``shell_loss_kwh_per_batch``; ``energy_kwh_per_batch`` is their sum over the heating efficiency (electricity).
    ``protective_gas_Nm3_per_m2``: forming gas; ``throughput_m2_per_h``: batch area per hour of cycle.
    ``sticking_equivalent_time_s``: the whole history's equivalent time at the bonding reference temperature (Cu
    lattice diffusion's activation energy); ``sticking_frac``: that over the reference bond time; ``wraps_stick``:
    a wound load above ``coil_anneal_max_sticking_frac`` (always False for an open load).
    """

    area_m2: float
    soak_temperature_K: FloatArray
    soak_time_s: FloatArray
    heating_rate_K_per_s: FloatArray
    cooling_rate_K_per_s: FloatArray
    heat_up_s: FloatArray
    cool_down_s: FloatArray
    cycle_time_s: FloatArray
    equivalent_time_s: FloatArray
    recrystallised_frac: FloatArray
    copper_heat_kwh_per_batch: FloatArray
    furnace_mass_heat_kwh_per_batch: FloatArray
    shell_loss_kwh_per_batch: FloatArray
    energy_kwh_per_batch: FloatArray
    energy_kwh_per_m2: FloatArray
    protective_gas_Nm3_per_m2: FloatArray
    throughput_m2_per_h: FloatArray
    sticking_equivalent_time_s: FloatArray
    sticking_frac: FloatArray
    wraps_stick: NDArray[np.bool_]
    wound: bool = True

    def __len__(self) -> int:
        return int(self.soak_temperature_K.shape[0])

    def flows_per_m2(self, row: int = 0) -> Flows:
        """Flows of programme ``row`` per m² of product: electricity, forming gas, and the coil anneal's
        time per m² (1 / ``throughput_m2_per_h``: its fixed costs are charged on it)."""
        return Flows(furnace_flow_amounts(float(self.energy_kwh_per_m2[row]),
                                          float(self.protective_gas_Nm3_per_m2[row])),
                     {"coil_anneal": 1.0 / float(self.throughput_m2_per_h[row])})


def anneal_cycle(soak_temperature_K: ArrayLike, soak_time_s: ArrayLike, load: FurnaceLoad,
                 params: ParamsLike = None, heating_rate_K_per_s: ArrayLike | None = None,
                 cooling_rate_K_per_s: ArrayLike | None = None) -> AnnealCycle:
    """Thermal history, equivalent time, recrystallised fraction, cycle time, energy, gas and the sticking indicator
    of B programmes.

    ``soak_temperature_K`` in the furnace range (:func:`soak_temperature_range_K`; wound loads at most
    ``coil_anneal_wound_max_soak_temperature_K``), ``soak_time_s`` in [0, ``coil_anneal_max_soak_time_s``], rates
    [K/s] (registry defaults when ``None``); scalars broadcast.
    """
    register("Feng2026", f"{_CALLER}.anneal_cycle")
    register("Assumed", f"{_CALLER}.anneal_cycle")
    register("BJDSTech", f"{_CALLER}.anneal_cycle")
    register("Incropera2007", f"{_CALLER}.anneal_cycle")
    register("Vandermeer2004", f"{_CALLER}.anneal_cycle")
    if not isinstance(load, FurnaceLoad):
        raise FoiltwinInputError("load", load, "a FurnaceLoad")
    values = _values(params)
    p = _programme(soak_temperature_K, soak_time_s, values, heating_rate_K_per_s, cooling_rate_K_per_s, load.wound)
    Ts, Tc = p.soak_temperature_K, p.charge_temperature_K
    heat_up, cool_down = p.heat_up_s, p.cool_down_s
    cycle = values["coil_anneal_handling_time_s"] + heat_up + p.soak_time_s + cool_down

    a, T_cal = _arrhenius(values)
    theta = p.soak_time_s * np.exp(a / T_cal - a / Ts) + _ramps_equivalent_time_s(p, values)
    b, T_ref = _sticking_arrhenius(values)
    theta_b = p.soak_time_s * np.exp(b / T_ref - b / Ts) + _ramps_equivalent_time_s(p, values, (b, T_ref))
    sticking = theta_b / values["coil_sticking_reference_time_s"]
    if load.wound:
        register("Samouhos2019", f"{_CALLER}.anneal_cycle")

    T_amb = values["ambient_temperature_K"]
    q_cu = load.copper_mass_kg(values) * cu_sensible_heat_J_per_kg(Tc, Ts, params=values)
    q_steel = (values["coil_anneal_furnace_steel_mass_kg"]
               * values["coil_anneal_furnace_steel_heat_capacity_J_per_kg_K"] * (Ts - Tc))
    # UA·∫(T − T_amb) dt over the linear heat-up (mean temperature) and the soak; heaters are off on cool-down
    q_loss = values["coil_anneal_shell_loss_coefficient_W_per_K"] * (
        heat_up * (0.5 * (Tc + Ts) - T_amb) + p.soak_time_s * (Ts - T_amb))
    energy_kwh = (q_cu + q_steel + q_loss) / values["coil_anneal_heating_efficiency_frac"] / J_PER_KWH
    area = load.area_m2
    gas = values["coil_anneal_forming_gas_flow_Nm3_per_h"] * cycle / S_PER_H / area
    return AnnealCycle(
        area_m2=area, soak_temperature_K=Ts, soak_time_s=p.soak_time_s, heating_rate_K_per_s=p.heating_rate_K_per_s,
        cooling_rate_K_per_s=p.cooling_rate_K_per_s, heat_up_s=heat_up, cool_down_s=cool_down, cycle_time_s=cycle,
        equivalent_time_s=theta, recrystallised_frac=recrystallised_fraction(theta, values),
        copper_heat_kwh_per_batch=q_cu / J_PER_KWH, furnace_mass_heat_kwh_per_batch=q_steel / J_PER_KWH,
        shell_loss_kwh_per_batch=q_loss / J_PER_KWH, energy_kwh_per_batch=energy_kwh,
        energy_kwh_per_m2=energy_kwh / area, protective_gas_Nm3_per_m2=gas,
        throughput_m2_per_h=area / (cycle / S_PER_H), sticking_equivalent_time_s=theta_b, sticking_frac=sticking,
        wraps_stick=(sticking > values["coil_anneal_max_sticking_frac"]) & load.wound, wound=load.wound,
    )


def anneal_cycle_texture(cycle: AnnealCycle, initial_texture: Texture | ArrayLike, params: ParamsLike = None
                         ) -> FloatArray:
    """Texture (B, 4) after the anneal: f = (1 − X)·f_initial + X·f_cube at the cycle's θ (rows broadcast)."""
    return anneal_texture_equivalent(initial_texture, cycle.equivalent_time_s, params).texture


# ---------------------------------------------------------------------------------------------------------
# Seed 000 sanity check
# ---------------------------------------------------------------------------------------------------------
def seed000_cost_comparison(params: ParameterValues | None = None) -> dict[str, float]:
    """Cost per good m² [CNY] of the texture calibration anneal (2 h at 975 °C) vs seed 000 Table 2.

    Default load (held open: 975 °C is beyond what wound coils take) and ramps, electricity and forming gas at
    registry prices, fixed costs of ``LineEconomics.default("coil_anneal")``; no foil. Table 2's 15 000-30 000
    CNY/m² is for the whole lab-scale single-crystal route, so the two are compared, not fitted:
    ``ratio_to_seed_min`` = model / lower end.
    """
    params = default_parameters() if params is None else params
    load = replace(FurnaceLoad.default(params), wound=False)
    cycle = anneal_cycle(params["recrystallisation_calibration_temperature_K"],
                         params["recrystallisation_calibration_time_s"], load, params)
    line_time = {"coil_anneal": 1.0 / params["coil_anneal_line_throughput_m2_per_h"]}
    cost = price_flows(cycle.flows_per_m2().with_line_time(line_time), params, "CNY")
    seed = seed000_unit_cost_reference(params, currency="CNY")["high_t_annealing"]
    return {
        "model_CNY_per_m2": cost.total_per_good_m2,
        "variable_CNY_per_m2": cost.by_category["electricity"] + cost.by_category["gas"],
        "seed000_min_CNY_per_m2": seed["min_per_m2"],
        "seed000_max_CNY_per_m2": seed["max_per_m2"],
        "ratio_to_seed_min": cost.total_per_good_m2 / seed["min_per_m2"],
        "recrystallised_frac": float(cycle.recrystallised_frac[0]),
        "cycle_time_s": float(cycle.cycle_time_s[0]),
        "energy_kwh_per_m2": float(cycle.energy_kwh_per_m2[0]),
    }
