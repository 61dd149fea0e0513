"""Continuous moving hot-zone anneal: one foil web, free of any contact, pulled through a short hot zone toward the
(100) texture (docs/hot_zone_anneal.md).

This is the route by which metre-scale single-crystal Cu foils are made: a temperature-gradient-driven anneal that
turns industrial polycrystalline foil into (5 × 50) cm² single-crystal Cu(111) (Xu2017); seeded growth whose facet
follows the seed, ~30 × 20 cm² and "several metres" in prospect (Wu2020); contact-free, since contact stresses stop
the colossal grain growth (Jin2018); above ≈ 1000 °C, where abnormal grain growth in Cu foil sets in (Guo2023).
Unlike a wound coil in a bell furnace (:mod:`process_models.texture.coil_anneal`), the web touches nothing while
hot, so no sticking limits its temperature.

A material point of the web, pulled at v [m/s], rises linearly from the entry temperature to T_hz over the entry
gradient L_g, holds for L_hz/v, and falls linearly over the exit gradient. Every residence time is ∝ 1/v, so

- **θ** = Θ₁/v with Θ₁ = L_hz·exp(−Q/R·(1/T_hz − 1/T_cal)) + Σ_gradients L_g·[H(T_hz) − H(T_end)]/(T_hz − T_end)
  [s·m/s], the ramps in the exponential-integral closed form of the coil anneal; then the JMAK texture model (the
  same X(θ), cube end state). The fastest speed that reaches a (100) target is Θ₁/θ_min (closed form).
- **Throughput** = v·w [m²/s]; **energy per m²** = [ρ·t·∫c_p dT (web to T_hz, Shomate) + UA·(T_hz − T_amb)/(v·w)]/η;
  **forming gas per m²** = flow / throughput.

Everything is vectorised over B programmes (temperature, speed) on one web.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.costing.flows import Flows
from process_models.errors import FoiltwinInputError, check_range
from process_models.errors import check_array as _check
from process_models.materials.properties import cu_sensible_heat_J_per_kg
from process_models.parameters import parameters_or_default as _values
from process_models.physical_constants import R
from process_models.texture.coil_anneal import (
    equivalent_time_for_texture_100,
    furnace_flow_amounts,
    ramp_equivalent_time_s,
)
from process_models.texture.texture_model import Texture, anneal_texture_equivalent, recrystallised_fraction

FloatArray = NDArray[np.float64]
ParamsLike = Mapping[str, float] | None
J_PER_KWH = 3.6e6
S_PER_H = 3600.0
_CALLER = "hot_zone"


@dataclass(frozen=True)
class HotZoneWeb:
    """The web pulled through the hot zone: width [m] and foil thickness [m] (checked on construction)."""

    width_m: float
    foil_thickness_m: float

    def __post_init__(self) -> None:
        check_range("width_m", self.width_m, 0.0, 3.0, low_inclusive=False, unit="m")
        check_range("foil_thickness_m", self.foil_thickness_m, 0.0, 1e-3, low_inclusive=False, unit="m")

    @classmethod
    def default(cls, params: ParamsLike = None) -> HotZoneWeb:
        """The registry's web (``hot_zone_web_width_m``, ``hot_zone_foil_thickness_m``)."""
        v = _values(params)
        return cls(v["hot_zone_web_width_m"], v["hot_zone_foil_thickness_m"])


def temperature_range_K(params: ParamsLike = None) -> tuple[float, float]:
    """Hot-zone temperatures the line accepts [K]: ``hot_zone_min/max_temperature_K``, below Cu melting."""
    v = _values(params)
    low, high = v["hot_zone_min_temperature_K"], min(v["hot_zone_max_temperature_K"], v["cu_melting_temperature_K"])
    if low >= high:
        raise FoiltwinInputError("hot_zone_min_temperature_K", low, f"below the hot-zone maximum {high:g} K")
    return low, high


def pull_speed_range_m_per_s(params: ParamsLike = None) -> tuple[float, float]:
    """Pull speeds the line runs at [m/s]: ``hot_zone_min/max_pull_speed_m_per_s``."""
    v = _values(params)
    return v["hot_zone_min_pull_speed_m_per_s"], v["hot_zone_max_pull_speed_m_per_s"]


def _temperature(temperature_K: ArrayLike, values: Mapping[str, float]) -> FloatArray:
    return np.atleast_1d(_check("hot_zone_temperature_K", temperature_K, *temperature_range_K(values), "K"))


def unit_speed_equivalent_time_s(temperature_K: ArrayLike, params: ParamsLike = None) -> FloatArray:
    """Θ₁ [s·(m/s)]: the equivalent time at T_cal of one pass at 1 m/s (θ = Θ₁/v): the hold over the hot zone plus
    the two linear gradients (exponential-integral closed form)."""
    register("Vandermeer2004", f"{_CALLER}.unit_speed_equivalent_time_s")
    v = _values(params)
    T = _temperature(temperature_K, v)
    a = v["recrystallisation_activation_J_per_mol"] / R
    t_cal = v["recrystallisation_calibration_temperature_K"]
    L_hz, L_g = v["hot_zone_length_m"], v["hot_zone_gradient_length_m"]
    hold = L_hz * np.exp(-a * (1.0 / T - 1.0 / t_cal))
    ramps = np.zeros_like(T)
    for end in (v["hot_zone_entry_temperature_K"], v["hot_zone_exit_temperature_K"]):
        # at 1 m/s the gradient takes L_g seconds: rate = (T − T_end)/L_g
        ramps += ramp_equivalent_time_s(end, T, (T - end) / L_g, v) if L_g > 0.0 else 0.0
    return hold + ramps


@dataclass(frozen=True, eq=False)
class HotZoneAnneal:
    """B hot-zone programmes, arrays (B,); per-m² values per m² of web (one face, the product area)."""

    temperature_K: FloatArray
    pull_speed_m_per_s: FloatArray
    residence_time_s: FloatArray
    """Time at T_hz: L_hz/v."""
    transit_time_s: FloatArray
    """Time in the furnace, gradients included: (L_hz + 2 L_g)/v."""
    equivalent_time_s: FloatArray
    recrystallised_frac: FloatArray
    foil_heat_kwh_per_m2: FloatArray
    shell_loss_kwh_per_m2: FloatArray
    energy_kwh_per_m2: FloatArray
    protective_gas_Nm3_per_m2: FloatArray
    throughput_m2_per_h: FloatArray

    def __len__(self) -> int:
        return int(self.temperature_K.shape[0])

    def flows_per_m2(self, row: int = 0) -> Flows:
        """Flows of programme ``row`` per m² of product: electricity, forming gas, and the hot zone anneal's
        time per m² (1 / ``throughput_m2_per_h``: its fixed costs are charged on it)."""
        return Flows(furnace_flow_amounts(float(self.energy_kwh_per_m2[row]),
                                          float(self.protective_gas_Nm3_per_m2[row])),
                     {"hot_zone_anneal": 1.0 / float(self.throughput_m2_per_h[row])})


def hot_zone_anneal(temperature_K: ArrayLike, pull_speed_m_per_s: ArrayLike, web: HotZoneWeb | None = None,
                    params: ParamsLike = None) -> HotZoneAnneal:
    """Texture kinetics, energy, gas and throughput of B programmes (hot-zone temperature [K], pull speed [m/s]) on
    one ``web`` (``None``: the registry's). Scalars broadcast; out-of-range values raise naming the field."""
    for key in ("Xu2017", "Wu2020", "Jin2018", "Guo2023", "Chase1998", "Assumed"):
        register(key, f"{_CALLER}.hot_zone_anneal")
    v = _values(params)
    web = HotZoneWeb.default(v) if web is None else web
    if not isinstance(web, HotZoneWeb):
        raise FoiltwinInputError("web", web, "a HotZoneWeb")
    T = _temperature(temperature_K, v)
    speed = np.atleast_1d(_check("pull_speed_m_per_s", pull_speed_m_per_s, *pull_speed_range_m_per_s(v), "m/s"))
    try:
        T, speed = (np.array(x, dtype=float) for x in np.broadcast_arrays(T, speed))
    except ValueError:
        raise FoiltwinInputError("temperature_K/pull_speed_m_per_s", (T.shape, speed.shape),
                                 "scalars or arrays of one shape (B,)") from None
    theta = unit_speed_equivalent_time_s(T, v) / speed
    area_rate = speed * web.width_m  # m²/s
    T_amb = v["ambient_temperature_K"]
    foil = web.foil_thickness_m * v["cu_density_kg_per_m3"] * cu_sensible_heat_J_per_kg(T_amb, T, params=v)
    loss = v["hot_zone_shell_loss_coefficient_W_per_K"] * (T - T_amb) / area_rate
    eta = v["hot_zone_heating_efficiency_frac"]
    L_hz, L_g = v["hot_zone_length_m"], v["hot_zone_gradient_length_m"]
    throughput = area_rate * S_PER_H
    return HotZoneAnneal(
        temperature_K=T, pull_speed_m_per_s=speed, residence_time_s=L_hz / speed,
        transit_time_s=(L_hz + 2.0 * L_g) / speed, equivalent_time_s=theta,
        recrystallised_frac=np.asarray(recrystallised_fraction(theta, v), dtype=float),
        foil_heat_kwh_per_m2=foil / J_PER_KWH, shell_loss_kwh_per_m2=loss / J_PER_KWH,
        energy_kwh_per_m2=(foil + loss) / eta / J_PER_KWH,
        protective_gas_Nm3_per_m2=v["hot_zone_forming_gas_flow_Nm3_per_h"] / throughput,
        throughput_m2_per_h=throughput,
    )


def hot_zone_texture(result: HotZoneAnneal, initial_texture: Texture | ArrayLike, params: ParamsLike = None
                     ) -> FloatArray:
    """Texture (B, 4) after the pass: f = (1 − X)·f_initial + X·f_cube at the pass's θ (rows broadcast)."""
    return anneal_texture_equivalent(initial_texture, result.equivalent_time_s, params).texture


def pull_speed_for_texture_100(target_100_frac: ArrayLike, initial_100_frac: ArrayLike, temperature_K: ArrayLike,
                               params: ParamsLike = None) -> FloatArray:
    """Fastest pull speed [m/s] at ``temperature_K`` whose pass gives foil starting at ``initial_100_frac`` a (100)
    fraction of ``target_100_frac``: Θ₁/θ_min, capped at the line's top speed (where even that overshoots the
    target). A target that needs a speed below the line's slowest raises naming ``target_100_frac``."""
    v = _values(params)
    need = equivalent_time_for_texture_100(target_100_frac, initial_100_frac, v)
    unit = unit_speed_equivalent_time_s(temperature_K, v)
    lo, hi = pull_speed_range_m_per_s(v)
    with np.errstate(divide="ignore"):
        speed = np.where(need > 0.0, unit / np.maximum(need, 1e-300), np.inf)
    if np.any(speed < lo):
        i = int(np.flatnonzero(speed < lo)[0])
        raise FoiltwinInputError("target_100_frac", float(np.broadcast_to(target_100_frac, speed.shape)[i]),
                                 f"reachable at the line's slowest pull ({lo * 6e4:g} mm/min, "
                                 "hot_zone_min_pull_speed_m_per_s): raise the hot-zone temperature")
    return np.minimum(speed, hi)
