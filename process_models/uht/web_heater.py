"""Steady temperature of a web moving through a heated zone, in the heater's frame (1-D, per metre of width).

The web (thickness d, speed v) runs along x through the stage-III zone 0 ≤ x ≤ L. In the heater's frame the
temperature is steady and obeys the energy balance per unit width (Incropera2007 §3.6 moving fin, with the
advection term of a moving medium):

    ρ·d·v·dH/dx = d/dx(k(T)·d·dT/dx) + q(x, T) − 2εσ(T⁴ − T_a⁴) − 2h_gas(T)(T − T_a) − h_c(x)(T − T_roll)

H = ∫cp dT (Shomate, Chase1998), k(T) of Cu (Incropera Table A.1), h_gas(T) from the enclosure correlation
(:mod:`process_models.uht.enclosure_convection`), h_c the contact conductance of a roll where the web touches
one. The heat source q is

- ``"joule"`` (default): the foil itself carries a current I_w per metre of width between two electrode rolls
  that bound the zone, q = I_w²·ρ_el(T)/d (Matula1979) — uniform current, hotter foil dissipates more;
- ``"radiant"``: a uniform flux over the zone (radiant or contact heater), absorbed with the foil emissivity.

Geometry: the upstream electrode roll touches the web over ``stage3_entry_contact_length_m`` before x = 0
(0: a sliding contact); after the zone the web meets the chill roll at x = L + ``stage3_quench_gap_m`` and stays
on it (``cooling="contact"``), or cools freely (``"free"``). Far upstream T → T_in; at the far downstream end
the conduction flux vanishes. A material point at x has been in the frame for t = x/v, so T(t) = T(x(t)).

The Péclet number Pe = vL/α (α = k/ρc) says how far heat runs ahead of the web: at 5 m/min and L = 2.5 mm
(a 30 ms pulse) Pe ≈ 2 and conduction into the rolls lowers the peak at a given power; for Pe → ∞ the
solution tends to the lumped model ρ·d·cp·dT/dt = q − losses (:func:`process_models.uht.thermal.
integrate_power_mode`); ``conduction=False`` gives that limit on the same grid.

Numerics: cell-centred finite volumes on a stretched grid (uniform in the zone, geometric outward), exponential
(Allen-Southwell) weighting of the advected enthalpy — central for small cell Péclet, upwind for large —, full
Newton on T with the source amplitude s (I_w² or the flux) as one more unknown when a peak or a power is
prescribed (bordered tridiagonal system, one banded solve with two right-hand sides per iteration for the whole
batch). The discrete balance is conservative: power in = enthalpy carried out + losses to round-off.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError, ModelConvergenceError, check_range
from process_models.errors import check_array as _check
from process_models.lapack import tridiagonal_solvers
from process_models.parameters import default_parameters
from process_models.physical_constants import R as R_GAS
from process_models.physical_constants import sigma as stefan_boltzmann
from process_models.uht.newton_kernel import compiled_kernels_enabled
from process_models.uht.thermal import (
    ThermalParameters,
    _contact_mask,
    _cooling_interval_times,
    _equilibrium_temperature,
    _heater,
    _thermal,
)

FloatArray = NDArray[np.float64]
HeaterMode = Literal["joule", "radiant"]
Target = Literal["peak", "power", "current"]

_SLOPE_STEP_K = 0.01
_MAX_STEP_K = 250.0  # largest Newton temperature update (damping)
_MAX_STEP_LN = 0.7  # largest Newton update of ln s
_TOL_K = 1e-7
_PEAK_GAP_K = 0.1  # largest miss accepted when the target lies in a jump of the discrete peak: well below the
#                    peak's own grid error (≈1 K between the default grid and one 4× finer on the default web, 4.9 K
#                    on the steep one of test_web_heater's jump tests); a target deeper in a larger jump is solved
#                    on the interpolant's peak (_interpolant_peak)
_MAX_ITER = 80
_UPSTREAM_DIFFUSION_LENGTHS = 30.0  # inlet this many α/v ahead of the zone (e^-30 of the preheat left)
_MIN_ZONE_CELLS, _MAX_ZONE_CELLS = 32, 512
_REFERENCE_T_K = 700.0  # properties for the face weights and the grid's Péclet numbers


@dataclass(frozen=True)
class WebGeometry:
    """The zone and rolls of a stage-III heater (registry values unless given)."""

    entry_contact_length_m: float
    quench_gap_m: float

    @classmethod
    def from_values(cls, values: Mapping[str, float] | None = None) -> WebGeometry:
        v = default_parameters() if values is None else values
        return cls(float(v["stage3_entry_contact_length_m"]), float(v["stage3_quench_gap_m"]))


@dataclass(frozen=True)
class WebHeaterResult:
    """Steady profiles of B webs (arrays (B, N) on each row's own grid) and their accounts (B,).

    Powers are per metre of web width [W/m]; ``heat_input_W_per_m`` is the heat the foil absorbs,
    ``power_W_per_m`` the electrical power drawn (absorbed / efficiency [/ absorbed fraction])."""

    x_m: FloatArray
    faces_m: FloatArray
    temperature_K: FloatArray
    line_speed_m_per_s: FloatArray
    heater_length_m: FloatArray
    thickness_m: FloatArray
    inlet_temperature_K: FloatArray
    peak_temperature_K: FloatArray
    peak_position_m: FloatArray
    source_amplitude: FloatArray
    """I_w² [A²/m²] (joule) or the absorbed flux [W/m²] (radiant)."""
    current_per_width_A_per_m: FloatArray | None
    heat_input_W_per_m: FloatArray
    power_W_per_m: FloatArray
    peclet: FloatArray
    """v·L/α with α = k/(ρ cp) at the mean of the inlet and peak temperatures."""
    accounts_W_per_m: dict[str, FloatArray]
    """carried_out (enthalpy leaving downstream), conducted_upstream, radiation, gas, entry_roll, chill_roll."""
    end_temperature_K: float
    peak_from_interpolant: NDArray[np.bool_]
    """Rows whose peak is the largest value of the profile's cubic interpolant (:func:`_interpolant_peak`), not the
    vertex of the parabola through the hottest cell and its neighbours: the prescribed peak fell inside a jump of
    the vertex (where the hottest cell moves on) larger than ``_PEAK_GAP_K``. False for a given power or current."""

    @property
    def areal_power_W_per_m2(self) -> FloatArray:
        """Electrical power per heated foil area, P'/L [W/m²]."""
        return self.power_W_per_m / self.heater_length_m

    @property
    def energy_J_per_m2(self) -> FloatArray:
        """Electrical energy per m² of web, P'/v [J/m²]."""
        return self.power_W_per_m / self.line_speed_m_per_s

    @property
    def balance_residual_W_per_m(self) -> FloatArray:
        """Heat in − (carried out + every loss): zero to round-off for a converged solve."""
        return self.heat_input_W_per_m - sum(self.accounts_W_per_m.values())

    def history(self, n_samples: int = 41) -> tuple[FloatArray, FloatArray, FloatArray]:
        """T(t) of a material point: times (B, M) from where the web starts to warm (T − T_in above 1e-3 of the
        rise), temperatures (B, M), and the time it enters the heated zone (B,). Ends where it has cooled to
        ``end_temperature_K`` after the peak (or at the end of the domain; a peak below it: where the rise has
        fallen back to 1e-3). The samples are spread evenly in a
        measure that adds the cumulative |ΔT|, the distance, and ∫exp(−Q/RT)dt with Q = 150 kJ/mol (a sampling
        weight, not physics: it puts samples where thermally activated processes such as Zn diffusion in Cu,
        191 kJ/mol (seed note 002 §5b), accumulate); the peak (parabola vertex) is a sample. Linear
        interpolation between the cells is the profile's own (second-order) interpolant."""
        check_range("n_samples", n_samples, 8, None)
        B = self.temperature_K.shape[0]
        x = np.concatenate([self.x_m, self.peak_position_m[:, None]], axis=1)
        T = np.concatenate([self.temperature_K, self.peak_temperature_K[:, None]], axis=1)
        order = np.argsort(x, axis=1, kind="stable")
        x, T = np.take_along_axis(x, order, 1), np.take_along_axis(T, order, 1)
        rise = T - self.inlet_temperature_K[:, None]
        span = (self.peak_temperature_K - self.inlet_temperature_K)[:, None]
        start = np.maximum(np.argmax(rise > 1e-3 * span, axis=1) - 1, 0)
        i_peak = np.argmax(T, axis=1)
        hot = (self.peak_temperature_K > self.end_temperature_K)[:, None]  # else: end where the rise has gone
        cooled = np.where(hot, self.end_temperature_K >= T, rise <= 1e-3 * span)
        after = (np.arange(T.shape[1])[None, :] > i_peak[:, None]) & cooled
        end = np.where(after.any(axis=1), np.argmax(after, axis=1), T.shape[1] - 1)
        times = np.empty((B, n_samples))
        temps = np.empty((B, n_samples))
        for b in range(B):
            xs, Ts = x[b, start[b]:end[b] + 1], T[b, start[b]:end[b] + 1]
            if after[b].any() and hot[b, 0]:  # end exactly where the point has cooled to the end temperature
                w = (Ts[-2] - self.end_temperature_K) / (Ts[-2] - Ts[-1])
                xs = np.append(xs[:-1], xs[-2] + w * (xs[-1] - xs[-2]))
                Ts = np.append(Ts[:-1], self.end_temperature_K)
            xq = np.interp(np.linspace(0.0, 3.0, n_samples - 1), _sampling_measure(xs, Ts), xs)
            xq = np.sort(np.append(xq, np.clip(self.peak_position_m[b], xs[0], xs[-1])))
            if np.any(np.diff(xq) <= 0.0):  # the vertex fell on a sample: keep times strictly increasing
                xq = xq + np.arange(n_samples) * 1e-12 * (xs[-1] - xs[0])
            times[b] = (xq - xs[0]) / self.line_speed_m_per_s[b]
            temps[b] = np.interp(xq, xs, Ts)
        zone_entry = -x[np.arange(B), start] / self.line_speed_m_per_s
        return times, temps, zone_entry


# Q/R of the history's sampling weight [K]: a numerical choice (where the samples of the thermal history go), at
# the order of the Cu-Zn interdiffusion activation energies (150 kJ/mol), not a material property
_SAMPLING_ACTIVATION_J_PER_MOL = 150e3
_SAMPLING_ACTIVATION_K = _SAMPLING_ACTIVATION_J_PER_MOL / R_GAS


def _sampling_measure(x: FloatArray, T: FloatArray) -> FloatArray:
    """Cumulative |ΔT| + distance + Arrhenius-weighted distance, each normalised to 1 (total 3)."""
    parts = []
    weight = np.exp(-_SAMPLING_ACTIVATION_K * (1.0 / T - 1.0 / np.max(T)))
    for increments in (np.abs(np.diff(T)), np.diff(x), 0.5 * (weight[1:] + weight[:-1]) * np.diff(x)):
        cum = np.concatenate([[0.0], np.cumsum(increments)])
        parts.append(cum / max(cum[-1], 1e-300))
    return parts[0] + parts[1] + parts[2]


# ---------------------------------------------------------------------------------------------------------
# Grid
# ---------------------------------------------------------------------------------------------------------
def _geometric_steps(first: FloatArray, extent: FloatArray, n: int) -> FloatArray:
    """(B, n) cell sizes starting at ``first`` and growing geometrically to fill ``extent`` (uniform cells of
    extent/n when that is smaller than ``first``). The ratio g solves first·(gⁿ − 1)/(g − 1) = extent (Newton
    on ln g from above, where the sum is convex: monotone convergence)."""
    ratio = np.maximum(extent / first, float(n))
    q = np.log(ratio) / max(n - 1, 1) + 1e-3  # ln g, above the root
    active = np.ones(q.shape, dtype=bool)  # a row stops at its own convergence (batch-independent)
    for _ in range(60):
        g = np.exp(q)
        gn = np.exp(n * q)
        S = np.expm1(n * q) / np.expm1(q)
        dS = (n * gn * np.expm1(q) - np.expm1(n * q) * g) / np.expm1(q) ** 2  # dS/dq
        step = (S - ratio) / dS
        q = np.where(active, np.maximum(q - step, 1e-12), q)
        active &= ~(np.abs(step) < 1e-13)
        if not active.any():
            break
    steps = first[:, None] * np.exp(q[:, None] * np.arange(n)[None, :])
    steps *= (extent / steps.sum(axis=1))[:, None]
    uniform = extent <= n * first
    return np.where(uniform[:, None], (extent / n)[:, None], steps)


@dataclass(frozen=True)
class _Grid:
    faces: FloatArray  # (B, N+1)
    centres: FloatArray  # (B, N)
    widths: FloatArray  # (B, N)
    gaps: FloatArray  # (B, N-1) centre distances
    inlet_gap: FloatArray  # (B,) centre of the first cell to the inlet face
    zone: FloatArray  # (B, N) 1 in the heated zone
    contact: FloatArray  # (B, N) contact conductance [W/(m2 K)]
    entry_contact: FloatArray  # (B, N) part of ``contact`` from the entry roll
    beta: FloatArray  # (B, N-1) weight of the downstream cell in the advected enthalpy
    roll_start: NDArray[np.int64]  # (B,) first cell on the chill roll (N: free cooling, no roll)


def _build_grid(v: FloatArray, L: FloatArray, d: FloatArray, contact_roll: FloatArray, t_down: FloatArray,
                tp: ThermalParameters, geo: WebGeometry, n_zone: int, n_up: int, n_down: int,
                conduction: bool) -> _Grid:
    mat = tp.material
    rho = mat.density_kg_per_m3
    alpha_in = mat.thermal_conductivity_W_per_m_K(np.array(300.0)) / (rho * mat.heat_capacity_J_per_kg_K(
        np.array(300.0)))
    first = L / n_zone
    up_extent = geo.entry_contact_length_m + np.maximum(_UPSTREAM_DIFFUSION_LENGTHS * alpha_in / v, 2.0 * L)
    up = _geometric_steps(first, up_extent, n_up)[:, ::-1]
    zone = np.repeat((L / n_zone)[:, None], n_zone, axis=1)
    gap = geo.quench_gap_m
    n_gap = 0 if gap <= 0.0 else max(4, n_zone // 4)
    gap_cells = np.full((L.size, n_gap), gap / max(n_gap, 1))
    down_first = np.minimum(first, gap / n_gap) if n_gap else first
    down_extent = np.maximum(v * t_down, 4.0 * L) + 10.0 * alpha_in / v
    down = _geometric_steps(down_first, down_extent, n_down)
    widths = np.concatenate([up, zone, gap_cells, down], axis=1)
    faces = np.concatenate([np.zeros((L.size, 1)), np.cumsum(widths, axis=1)], axis=1) - up_extent[:, None]
    faces[:, n_up] = 0.0
    faces[:, n_up + n_zone] = L
    centres = 0.5 * (faces[:, 1:] + faces[:, :-1])
    widths = np.diff(faces, axis=1)
    in_zone = np.zeros_like(widths)
    in_zone[:, n_up:n_up + n_zone] = 1.0
    overlap_entry = np.clip(np.minimum(faces[:, 1:], 0.0) - np.maximum(faces[:, :-1], -geo.entry_contact_length_m),
                            0.0, None) / widths
    h_c = tp.quench_contact_conductance_W_per_m2_K
    entry = h_c * overlap_entry
    roll = np.zeros_like(widths)
    roll[:, n_up + n_zone + n_gap:] = h_c
    contact = entry + roll * contact_roll[:, None]
    gaps = np.diff(centres, axis=1)
    k_ref = float(mat.thermal_conductivity_W_per_m_K(np.array(_REFERENCE_T_K)))
    cp_ref = float(mat.heat_capacity_J_per_kg_K(np.array(_REFERENCE_T_K)))
    if conduction:
        pe = rho * cp_ref * v[:, None] * gaps / k_ref
        small = pe < 1e-4
        safe = np.where(small, 1.0, pe)
        beta = np.where(small, 0.5 - pe / 12.0, 1.0 / safe - 1.0 / np.expm1(np.minimum(safe, 700.0)))
    else:
        beta = np.zeros_like(gaps)
    roll_start = np.where(contact_roll > 0, n_up + n_zone + n_gap, widths.shape[1]).astype(np.int64)
    return _Grid(faces=faces, centres=centres, widths=widths, gaps=gaps, inlet_gap=centres[:, 0] - faces[:, 0],
                 zone=in_zone, contact=contact, entry_contact=entry, beta=beta, roll_start=roll_start)


# ---------------------------------------------------------------------------------------------------------
# Discrete balance
# ---------------------------------------------------------------------------------------------------------
def _slope(f, T: FloatArray) -> FloatArray:
    return (f(T + _SLOPE_STEP_K) - f(T - _SLOPE_STEP_K)) / (2.0 * _SLOPE_STEP_K)


class _Table:
    """A property f(T) and its slope on a uniform 1 K grid, evaluated by cubic Hermite interpolation (error
    ≈ 1e-10 relative for the smooth correlations; continued linearly outside the grid). Evaluating the
    correlations directly costs ~10× more per Newton iteration."""

    T0_K, STEP_K, N = 50.0, 1.0, 3451

    def __init__(self, f, slope=None, *, value_and_slope=None) -> None:
        """``f`` (its slope by central difference unless ``slope`` is given), or ``value_and_slope`` giving both in
        one call (the gas flux: one evaluation of the correlation for both, not two)."""
        T = self.T0_K + self.STEP_K * np.arange(self.N)
        if value_and_slope is not None:
            value, derivative = value_and_slope(T)
            self.f, self.m = np.asarray(value, dtype=float), np.asarray(derivative, dtype=float)
            return
        self.f = np.asarray(f(T), dtype=float)
        self.m = np.asarray(_slope(f, T) if slope is None else slope(T), dtype=float)

    def __call__(self, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        t = (T - self.T0_K) / self.STEP_K
        i = np.minimum(np.maximum(t, 0.0), self.N - 2).astype(np.intp)
        u = t - i
        f0, f1, m0, m1 = self.f[i], self.f[i + 1], self.m[i] * self.STEP_K, self.m[i + 1] * self.STEP_K
        uc = np.minimum(np.maximum(u, 0.0), 1.0)
        inside = uc == u
        u2, u3 = uc * uc, uc * uc * uc
        value = (2 * u3 - 3 * u2 + 1) * f0 + (u3 - 2 * u2 + uc) * m0 + (3 * u2 - 2 * u3) * f1 + (u3 - u2) * m1
        slope = ((6 * u2 - 6 * uc) * (f0 - f1) + (3 * u2 - 4 * uc + 1) * m0 + (3 * u2 - 2 * uc) * m1) / self.STEP_K
        if not np.all(inside):  # linear continuation beyond the grid
            value = np.where(inside, value, value + slope * (u - uc) * self.STEP_K)
        return value, slope


@dataclass(frozen=True)
class _Properties:
    """The T-dependent terms of the balance as tables: enthalpy per kg (from 300 K) with cp, conductivity,
    resistivity and the gas convection flux of both faces."""

    enthalpy: _Table
    conductivity: _Table
    resistivity: _Table
    gas: _Table

    @classmethod
    def of(cls, tp: ThermalParameters) -> _Properties:
        mat = tp.material
        return cls(
            enthalpy=_Table(lambda T: mat.sensible_heat_J_per_kg(np.full_like(T, 300.0), T),
                            mat.heat_capacity_J_per_kg_K),
            conductivity=_Table(mat.thermal_conductivity_W_per_m_K),
            resistivity=_Table(mat.resistivity_ohm_m),
            gas=_Table(None, value_and_slope=tp.enclosure.flux_and_slope),
        )

    @cached_property
    def stacked(self) -> FloatArray:
        """The tables' values and slopes as rows (8, N) in the order the compiled Newton reads them (enthalpy,
        conductivity, resistivity, gas; value then slope): built once per set of tables."""
        return np.stack([self.enthalpy.f, self.enthalpy.m, self.conductivity.f, self.conductivity.m,
                         self.resistivity.f, self.resistivity.m, self.gas.f, self.gas.m])


@dataclass(frozen=True)
class _Problem:
    grid: _Grid
    tp: ThermalParameters
    props: _Properties
    mass_flow: FloatArray  # ρ·d·v [kg/(m s)] (B, 1)
    thickness: FloatArray  # (B, 1)
    T_in: FloatArray  # (B, 1)
    H_in: FloatArray  # (B, 1) enthalpy per kg at the inlet temperature (table origin 300 K)
    joule: bool
    conduction: bool

    def source_shape(self, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        """q = s·g(T) in the zone: g = ρ_el(T)/d (joule, s = I_w²) or 1 (radiant, s = absorbed flux)."""
        if not self.joule:
            return np.ones_like(T), np.zeros_like(T)
        rho_el, slope = self.props.resistivity(T)
        return rho_el / self.thickness, slope / self.thickness

    def losses(self, T: FloatArray) -> tuple[dict[str, FloatArray], FloatArray]:
        """Loss terms per foil area [W/m²] and the T-derivative of their sum."""
        tp, g = self.tp, self.grid
        eps, T_a, T_r = tp.foil_emissivity_frac, tp.ambient_temperature_K, tp.roll_temperature_K
        gas, gas_slope = self.props.gas(T)
        terms = {"radiation": 2.0 * eps * stefan_boltzmann * (T**4 - T_a**4), "gas": gas,
                 "entry_roll": g.entry_contact * (T - T_r), "chill_roll": (g.contact - g.entry_contact) * (T - T_r)}
        return terms, 8.0 * eps * stefan_boltzmann * T**3 + gas_slope + g.contact

    def assemble(self, T: FloatArray, s: FloatArray
                 ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """Residual R (B, N) [W/m], the tridiagonal Jacobian (lower, diag, upper as (B, N) arrays whose
        lower[:, 0] and upper[:, -1] are 0), dR/ds, and the face fluxes (B, N+1)."""
        g = self.grid
        m, d = self.mass_flow, self.thickness
        H, c = self.props.enthalpy(T)
        H = H - self.H_in
        beta = g.beta
        F = np.empty((T.shape[0], T.shape[1] + 1))
        dFa = np.zeros_like(beta)
        dFb = np.zeros_like(beta)
        F[:, 1:-1] = m * ((1.0 - beta) * H[:, :-1] + beta * H[:, 1:])
        dFa += m * (1.0 - beta) * c[:, :-1]
        dFb += m * beta * c[:, 1:]
        F[:, -1] = m[:, 0] * H[:, -1]
        dF_out = m[:, 0] * c[:, -1]
        F[:, 0] = 0.0
        dF_in = np.zeros(T.shape[0])
        if self.conduction:
            k = self.props.conductivity
            dT = T[:, 1:] - T[:, :-1]
            mid = 0.5 * (T[:, 1:] + T[:, :-1])
            kf, dkf = k(mid)
            F[:, 1:-1] -= kf * d * dT / g.gaps
            dFa += d * (kf - 0.5 * dkf * dT) / g.gaps
            dFb -= d * (kf + 0.5 * dkf * dT) / g.gaps
            d0 = T[:, 0] - self.T_in[:, 0]
            mid0 = 0.5 * (T[:, 0] + self.T_in[:, 0])
            k0, dk0 = k(mid0)
            F[:, 0] = -k0 * d[:, 0] * d0 / g.inlet_gap
            dF_in = -d[:, 0] * (k0 + 0.5 * dk0 * d0) / g.inlet_gap
        shape, dshape = self.source_shape(T)
        terms, dloss = self.losses(T)
        loss = sum(terms.values())
        w, z = g.widths, g.zone
        R = F[:, 1:] - F[:, :-1] + w * (loss - s[:, None] * z * shape)
        diag = w * (dloss - s[:, None] * z * dshape)
        diag[:, :-1] += dFa
        diag[:, 1:] -= dFb
        diag[:, -1] += dF_out
        diag[:, 0] -= dF_in
        lower = np.zeros_like(T)
        upper = np.zeros_like(T)
        lower[:, 1:] = -dFa
        upper[:, :-1] = dFb
        return R, lower, diag, upper, -w * z * shape, F


def _solve_tridiagonal(lower: FloatArray, diag: FloatArray, upper: FloatArray, rhs: FloatArray) -> FloatArray:
    """Solve the B independent tridiagonal systems at once, as one system of B·N rows whose couplings between
    rows are zero (one LAPACK ``dgtsv`` call, partial pivoting); rhs (B, N, K). The bands are copied (LAPACK
    overwrites them), ``rhs`` is not touched."""
    dgtsv, _ = tridiagonal_solvers()
    B, N = diag.shape
    _, _, _, x, info = dgtsv(lower.ravel()[1:], diag.ravel(), upper.ravel()[:-1], rhs.reshape(B * N, -1))
    if info > 0:
        raise np.linalg.LinAlgError("singular matrix")
    if info < 0:
        raise ValueError(f"illegal value in argument {-info} of the internal gtsv")
    return x.reshape(rhs.shape)


def _peak(T: FloatArray, grid: _Grid) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Parabola vertex through the hottest cell and its neighbours: (peak, position, cell index m of the middle
    point, gradient of the peak with respect to (T[m-1], T[m], T[m+1]) as (B, 3)).

    Next to the chill roll the stencil stays off it: where the roll starts, the web's temperature drops by up to
    hundreds of K within a cell (its decay length v·ρ·c·d/h_c is far below a cell at a high Péclet number), a corner
    that no parabola through it follows (one through the hottest cell, the last before the roll, and the first on
    the roll put its vertex 13.8 K above the hottest cell on a 0.88 m heater at 16.5 m/min, and the peak jumped by
    that much between two powers 5 W/m apart). There the parabola is the one through the hottest cell and its two
    upstream neighbours, evaluated at its vertex but no further downstream than the roll's first face: the same
    parabola the peak used while the cell before it was the hottest, so the peak is continuous where the hottest
    cell moves on to the last cell before the roll."""
    x = grid.centres
    rows = np.arange(T.shape[0])
    i = np.clip(np.argmax(T, axis=1), 1, T.shape[1] - 2)
    at_roll = (i + 1 == grid.roll_start) & (i >= 2)
    i = np.where(at_roll, i - 1, i)
    h1 = x[rows, i] - x[rows, i - 1]
    h2 = x[rows, i + 1] - x[rows, i]
    Tm, T0, Tp = T[rows, i - 1], T[rows, i], T[rows, i + 1]
    s2, s1 = (Tp - T0) / h2, (T0 - Tm) / h1
    c = (s2 - s1) / (h1 + h2)
    b = s2 - c * h2
    zero = np.zeros_like(h1)
    ds2 = np.stack([zero, -1.0 / h2, 1.0 / h2], axis=1)
    ds1 = np.stack([-1.0 / h1, 1.0 / h1, zero], axis=1)
    dc = (ds2 - ds1) / (h1 + h2)[:, None]
    db = ds2 - h2[:, None] * dc
    curved = c < 0.0
    safe_c = np.where(curved, c, -1.0)
    offset = np.where(curved, np.clip(-b / (2.0 * safe_c), -h1, h2), 0.0)
    peak = np.where(curved, T0 - b**2 / (4.0 * safe_c), T0)
    peak = np.maximum(peak, T0)
    grad = np.where(curved[:, None], -(b / (2.0 * safe_c))[:, None] * db
                    + (b**2 / (4.0 * safe_c**2))[:, None] * dc, 0.0)
    grad[:, 1] += 1.0
    if at_roll.any():  # the parabola at δ from x[m] (the vertex, or the roll's face): T0 + b·δ + c·δ²
        face = grid.faces[rows, np.minimum(i + 2, T.shape[1])] - x[rows, i]
        delta = np.where(curved, np.clip(-b / (2.0 * safe_c), -h1, face), face)
        on_roll = np.maximum(T0 + b * delta + c * delta**2, Tp)  # ≥ the hottest cell (round-off guard)
        # δ is either the vertex (∂/∂δ = 0 there) or fixed: the gradient is that of T0 + b·δ + c·δ² at fixed δ
        roll_grad = delta[:, None] * db + (delta**2)[:, None] * dc
        roll_grad[:, 1] += 1.0
        hottest = on_roll == Tp
        roll_grad = np.where(hottest[:, None], np.array([0.0, 0.0, 1.0]), roll_grad)
        peak = np.where(at_roll, on_roll, peak)
        offset = np.where(at_roll, np.where(hottest, h2, delta), offset)
        grad = np.where(at_roll[:, None], roll_grad, grad)
    return peak, x[rows, i] + offset, i, grad


def _constraint(prob: _Problem, T: FloatArray, s: FloatArray, target: Target, value: FloatArray
                ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Residual C (B,), dC/dT (B, N) and dC/d ln s (B,) of the prescribed peak [K] or absorbed power [W/m]."""
    B, N = T.shape
    row = np.zeros((B, N))
    rows = np.arange(B)
    if target == "peak":
        peak, _, i, grad = _peak(T, prob.grid)
        for j in range(3):
            row[rows, i - 1 + j] = grad[:, j]
        return peak - value, row, np.zeros(B)
    shape, dshape = prob.source_shape(T)
    wz = prob.grid.widths * prob.grid.zone
    absorbed = s * np.sum(wz * shape, axis=1)
    return absorbed / value - 1.0, s[:, None] * wz * dshape / value[:, None], absorbed / value


def _newton(prob: _Problem, T: FloatArray, ln_s: FloatArray, target: Target, value: FloatArray,
            strict: bool = True) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Newton on (T, ln s): the balance R(T, s) = 0 plus, unless the source is fixed ("current"), the target row.
    Returns T, ln s and the rows that converged; ``strict`` raises if any did not. A prescribed peak runs compiled
    when numba is there (:func:`_newton_peak_compiled`), else in numpy (:func:`_newton_numpy`)."""
    if target == "peak" and compiled_kernels_enabled():
        T, ln_s, done = _newton_peak_compiled(prob, T, ln_s, value)
        if strict and not np.all(done):
            raise RuntimeError(f"web_heater: Newton did not converge in {_MAX_ITER} iterations")
        return T, ln_s, done
    return _newton_numpy(prob, T, ln_s, target, value, strict)


def _newton_peak_compiled(prob: _Problem, T: FloatArray, ln_s: FloatArray, value: FloatArray
                          ) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """:func:`_newton_numpy` for a prescribed peak, row by row in numba
    (:func:`process_models.uht.web_heater_kernel_jit.newton_peak_rows`: the same balance, bordered system, damping
    and test). Rows whose system is singular take the numpy path (which raises, as it always did)."""
    from process_models.uht import web_heater_kernel_jit as kj  # numba: only when used

    B, N = T.shape
    g, tp = prob.grid, prob.tp
    geo = np.zeros((B, 8, N))
    geo[:, 0], geo[:, 1], geo[:, 2], geo[:, 3] = g.widths, g.zone, g.contact, g.entry_contact
    geo[:, 4, :N - 1], geo[:, 5, :N - 1] = g.gaps, g.beta
    floor = 0.5 * np.minimum(prob.T_in[:, 0], min(tp.ambient_temperature_K, tp.roll_temperature_K))
    scal = np.zeros((B, 16))
    for j, col in enumerate((_Table.T0_K, _Table.STEP_K, prob.mass_flow[:, 0], prob.thickness[:, 0], prob.H_in[:, 0],
                             prob.T_in[:, 0], tp.foil_emissivity_frac, tp.ambient_temperature_K,
                             tp.roll_temperature_K, stefan_boltzmann, g.inlet_gap, float(prob.joule),
                             float(prob.conduction), floor, g.roll_start,
                             g.faces[np.arange(B), np.minimum(g.roll_start, N)])):
        scal[:, j] = col
    T_new, ln_new = np.array(T, dtype=float), np.array(ln_s, dtype=float)
    status = kj.newton_peak_rows(T_new, ln_new, np.ascontiguousarray(value, dtype=float),
                                 np.ascontiguousarray(g.centres), geo, prob.props.stacked, scal,
                                 np.array([_TOL_K, _MAX_ITER, _MAX_STEP_K, _MAX_STEP_LN]))
    back = np.flatnonzero(status == 2)
    if back.size:
        Tb, lb, ok = _newton_numpy(_rows(prob, back), T[back], ln_s[back], "peak", value[back], strict=False)
        T_new[back], ln_new[back] = Tb, lb
        status[back] = np.where(ok, 0, 1)
    return T_new, ln_new, status == 0


def _newton_numpy(prob: _Problem, T: FloatArray, ln_s: FloatArray, target: Target, value: FloatArray,
                  strict: bool = True) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """:func:`_newton` in numpy, every row at once (one LAPACK call per iteration for the batch)."""
    done = np.zeros(T.shape[0], dtype=bool)
    floor = 0.5 * np.minimum(prob.T_in, min(prob.tp.ambient_temperature_K, prob.tp.roll_temperature_K))
    for _ in range(_MAX_ITER):
        try:
            dT, du = _newton_update(prob, T, ln_s, target, value)
        except np.linalg.LinAlgError:  # some row's Jacobian is singular (iterates far off, e.g. a huge power)
            return _newton_rows_apart(prob, T, ln_s, target, value, done)
        big = np.max(np.abs(dT), axis=1)
        bad = ~(np.isfinite(big) & np.isfinite(du))
        dT[bad], du[bad], big[bad] = 0.0, 0.0, np.inf
        scale = np.minimum(1.0, np.minimum(_MAX_STEP_K / np.maximum(big, 1e-300),
                                           _MAX_STEP_LN / np.maximum(np.abs(du), 1e-300)))
        # no iterate below half the coldest sink: with q ≥ 0 the web is never colder than its sinks (maximum
        # principle), and below ≈45 K the extrapolated resistivity would turn the source into a sink
        scale = np.where(done, 0.0, scale)  # a converged row is frozen: its result does not depend on the batch
        T = np.maximum(T + scale[:, None] * dT, floor)
        ln_s = ln_s + scale * du
        done |= (big < _TOL_K) & (np.abs(du) < 1e-10)
        if np.all(done):
            return T, ln_s, done
    if strict:
        raise RuntimeError(f"web_heater: Newton did not converge in {_MAX_ITER} iterations "
                           f"(largest last update {float(np.max(big)):.3g} K)")
    return T, ln_s, done


def _newton_update(prob: _Problem, T: FloatArray, ln_s: FloatArray, target: Target, value: FloatArray
                   ) -> tuple[FloatArray, FloatArray]:
    """One Newton update (ΔT (B, N), Δln s (B,)) of every row; raises LinAlgError when a row's system is singular."""
    s = np.exp(ln_s)
    R, lower, diag, upper, dR_ds, _ = prob.assemble(T, s)
    if target == "current":
        return _solve_tridiagonal(lower, diag, upper, -R[..., None])[..., 0], np.zeros_like(ln_s)
    C, c_row, e = _constraint(prob, T, s, target, value)
    yz = _solve_tridiagonal(lower, diag, upper, np.stack([-R, s[:, None] * dR_ds], axis=-1))
    y, z = yz[..., 0], yz[..., 1]
    du = (-C - np.sum(c_row * y, axis=1)) / (e - np.sum(c_row * z, axis=1))
    return y - z * du[:, None], du


def _newton_rows_apart(prob: _Problem, T: FloatArray, ln_s: FloatArray, target: Target, value: FloatArray,
                       done: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """After a singular system: a single row has not converged; in a batch, each open row goes on alone from its
    iterate (rows are independent, so the others' results do not change), and the singular one fails."""
    if T.shape[0] == 1:
        return T, ln_s, done
    T, ln_s, done = T.copy(), ln_s.copy(), done.copy()
    for i in np.flatnonzero(~done):
        r = np.array([i])
        T[r], ln_s[r], done[r] = _newton_numpy(_rows(prob, r), T[r], ln_s[r], target, value[r], strict=False)
    return T, ln_s, done


def _rows(prob: _Problem, rows: np.ndarray) -> _Problem:
    """The sub-problem of some rows (for the bracketed inverse)."""
    g = prob.grid
    grid = _Grid(*(getattr(g, f)[rows] for f in ("faces", "centres", "widths", "gaps", "inlet_gap", "zone",
                                                  "contact", "entry_contact", "beta", "roll_start")))
    return _Problem(grid=grid, tp=prob.tp, props=prob.props, mass_flow=prob.mass_flow[rows],
                    thickness=prob.thickness[rows], T_in=prob.T_in[rows], H_in=prob.H_in[rows], joule=prob.joule,
                    conduction=prob.conduction)


def _vertex_peak(T: FloatArray, grid: _Grid) -> FloatArray:
    """The peak [K] of :func:`_peak` alone (the parabola vertex at the hottest cell)."""
    return _peak(T, grid)[0]


def _interpolant_peak(T: FloatArray, grid: _Grid) -> tuple[FloatArray, FloatArray]:
    """Largest value [K] of each row's C¹ piecewise-cubic Hermite interpolant of its cell temperatures, and where
    it lies [m]. The slope at each inner cell is that of the parabola through it and its neighbours (the slope
    :func:`_peak` uses), so the interpolant is third-order accurate, as the parabola is. Unlike the parabola's
    vertex at the hottest cell, this peak is a continuous function of the temperatures (the interpolant is linear
    in them, and the largest value over the whole row moves continuously with it): it does not jump where the
    hottest cell moves on. There, with two equal hottest cells i and i+1 on a uniform grid, its value midway between
    them is that of the cubic through cells i-1..i+2, (9(T_i + T_i+1) − T_i-1 − T_i+2)/16, the mean of the two
    parabolas' values there: it lies inside the vertex's jump, not at an end of it. The intervals that reach onto
    the chill roll are left out: no smooth curve follows the web's drop at the roll's corner (see :func:`_peak`),
    and one through it would overshoot the hottest cell."""
    x = grid.centres
    h1, h2 = x[:, 1:-1] - x[:, :-2], x[:, 2:] - x[:, 1:-1]
    s1, s2 = (T[:, 1:-1] - T[:, :-2]) / h1, (T[:, 2:] - T[:, 1:-1]) / h2
    slope = (h2 * s1 + h1 * s2) / (h1 + h2)  # cells 1..N-2
    a, b, h = T[:, 1:-2], T[:, 2:-1], x[:, 2:-1] - x[:, 1:-2]  # the intervals between inner cells
    ma, mb = slope[:, :-1] * h, slope[:, 1:] * h
    quad, cube = 3.0 * (b - a) - 2.0 * ma - mb, ma + mb - 2.0 * (b - a)  # p(t) = a + ma·t + quad·t² + cube·t³
    disc = np.maximum(quad * quad - 3.0 * cube * ma, 0.0)
    q = -(quad + np.copysign(np.sqrt(disc), quad))  # the roots of p'(t) = ma + 2·quad·t + 3·cube·t², stably
    with np.errstate(divide="ignore", invalid="ignore"):
        roots = [np.nan_to_num(q / (3.0 * cube)), np.nan_to_num(ma / q)]
    best, at = np.maximum(a, b), np.where(a >= b, 0.0, 1.0)
    for t in roots:  # a root outside the interval is moved to its end: a value the interpolant takes there
        t = np.clip(t, 0.0, 1.0)
        p = a + t * (ma + t * (quad + t * cube))
        better = p > best
        best, at = np.where(better, p, best), np.where(better, t, at)
    # interval j joins cells j+1 and j+2: off the roll while j+2 < roll_start (N without a roll: all kept)
    on_roll = np.arange(best.shape[1])[None, :] + 2 >= grid.roll_start[:, None]
    best = np.where(on_roll, -np.inf, best)
    rows, j = np.arange(T.shape[0]), np.argmax(best, axis=1)
    return best[rows, j], x[rows, j + 1] + at[rows, j] * h[rows, j]


@dataclass
class _Bracket:
    """The rows' brackets in ln s: ends, the values regula falsi uses (Illinois halves them), the ends' own misses
    of the target [K] (``g_*``) and the profiles at the ends."""

    lo: FloatArray
    hi: FloatArray
    f_lo: FloatArray
    f_hi: FloatArray
    T_lo: FloatArray
    T_hi: FloatArray
    g_lo: FloatArray
    g_hi: FloatArray


def _bracketed_peak(prob: _Problem, T: FloatArray, ln_s: FloatArray, target: FloatArray,
                    tol_K: float = 1e-6, retry: bool = True, interpolant: bool = False
                    ) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Peak by forward solves at a fixed source amplitude: expand a bracket in ln s around the start (steps of
    0.1) until the peak changes sign against the target, then regula falsi (Illinois) on ln s, warm-started.
    A forward solve without a steady solution (Joule runaway at a fixed current: ρ_el rises with T) counts as
    too hot; the interval is then bisected. A forward solve can also fail only because it started far off (the
    first one starts from a guess): when the bracket then closes on such an end while the other end's converged
    solution is still too cold, the target lies beyond it, and the rows are solved once more (``retry``) from
    that converged solution, so that every forward solve of the new bracket starts warm.

    The peak is :func:`_peak`'s parabola vertex, which jumps where the hottest cell moves on. A target inside a
    jump of at most :data:`_PEAK_GAP_K` takes the nearer end; a row whose target lies in a larger jump is solved
    again from there with the peak of :func:`_interpolant_peak`, which is continuous (``interpolant``: that peak
    for every row). Returns T, ln s and the rows whose peak is the interpolant's."""
    peak_of = (lambda Tn, x: _interpolant_peak(Tn, x)[0]) if interpolant else _vertex_peak

    def peak_at(u: FloatArray, T0: FloatArray) -> tuple[FloatArray, FloatArray]:
        Tn, _, ok = _newton(prob, T0, u, "current", u, strict=False)
        f = np.where(ok, peak_of(Tn, prob.grid) - target, np.inf)
        return f, np.where(ok[:, None], Tn, T0)

    f, T = peak_at(ln_s, T)
    br = _expand_bracket(peak_at, ln_s, f, T)
    T_out, u_out, done, jump = _close_bracket(peak_at, br, tol_K, jumps=not interpolant)
    smooth = np.full(done.size, interpolant)
    if jump.any():  # solved again from the cold end of the jump (kept in T_out, u_out), with the continuous peak
        rows = np.flatnonzero(jump)
        T_out[rows], u_out[rows], _ = _bracketed_peak(_rows(prob, rows), T_out[rows], u_out[rows], target[rows],
                                                      tol_K, retry=False, interpolant=True)
        smooth[rows], done[rows] = True, True
    stale = ~done & (br.g_lo < 0.0) & ~np.isfinite(br.g_hi)  # closed on an end that failed, not one shown too hot
    if retry and stale.any():
        rows = np.flatnonzero(stale)
        T_out[rows], u_out[rows], smooth[rows] = _bracketed_peak(_rows(prob, rows), br.T_lo[rows], br.lo[rows],
                                                                 target[rows], tol_K, retry=False,
                                                                 interpolant=interpolant)
        done |= stale
    if not done.all():
        raise ModelConvergenceError("peak_K", f"{_last_target(target, done)} K",
                                    "a peak the web heater's bracketed solve reaches (it did not converge)")
    return T_out, u_out, smooth


def _expand_bracket(peak_at, ln_s: FloatArray, f: FloatArray, T: FloatArray) -> _Bracket:
    """Widen each row's bracket from ``ln_s`` (miss ``f``, profile ``T``) in steps of 0.1 on the side that is off
    until the peak changes sign against the target."""
    lo, hi = ln_s.copy(), ln_s.copy()
    f_lo, f_hi = f.copy(), f.copy()
    T_lo, T_hi = T.copy(), T.copy()
    for _ in range(200):  # expand from the side that is off
        need_hi, need_lo = f_hi < 0.0, f_lo > 0.0
        if not (need_hi.any() or need_lo.any()):
            break
        trial = np.where(need_hi, hi + 0.1, np.where(need_lo, lo - 0.1, hi))
        f_t, T_t = peak_at(trial, np.where(need_hi[:, None], T_hi, T_lo))
        hi, f_hi, T_hi = (np.where(need_hi, trial, hi), np.where(need_hi, f_t, f_hi),
                          np.where(need_hi[:, None], T_t, T_hi))
        lo, f_lo, T_lo = (np.where(need_lo, trial, lo), np.where(need_lo, f_t, f_lo),
                          np.where(need_lo[:, None], T_t, T_lo))
    return _Bracket(lo, hi, f_lo, f_hi, T_lo, T_hi, f_lo.copy(), f_hi.copy())


def _close_bracket(peak_at, br: _Bracket, tol_K: float, jumps: bool
                   ) -> tuple[FloatArray, FloatArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """Regula falsi (Illinois) in ln s on the brackets ``br`` (updated in place) until each row's peak is within
    ``tol_K`` of its target, or the bracket has collapsed on a jump of the peak: within :data:`_PEAK_GAP_K`, the
    nearer end is taken; a larger jump where the hottest cell moves on (``jumps``) ends the row unsolved, and it is
    reported. Returns T, ln s, the rows solved, the rows on a larger jump (for these, T and ln s of the jump's cold
    end when it was found: a row's result does not depend on how long the others take)."""
    side = np.zeros(br.lo.size)
    done = np.zeros(br.lo.size, dtype=bool)  # a row keeps the result it converged on (batch-independent)
    jump = np.zeros(br.lo.size, dtype=bool)
    T_out, u_out = np.empty_like(br.T_lo), np.empty_like(br.lo)
    for _ in range(200):
        lo, hi, f_lo, f_hi, T_lo, T_hi = br.lo, br.hi, br.f_lo, br.f_hi, br.T_lo, br.T_hi
        finite = np.isfinite(f_hi) & (f_hi != f_lo)
        u = np.where(finite, hi - np.where(finite, f_hi, 0.0) * (hi - lo) / np.where(finite, f_hi - f_lo, 1.0),
                     0.5 * (lo + hi))
        f_u, T_u = peak_at(u, T_lo)
        now = ~done & ~jump & (np.abs(f_u) < tol_K)
        T_out[now], u_out[now] = T_u[now], u[now]
        done |= now
        if (done | jump).all():
            break
        up = f_u > 0.0
        br.hi, br.f_hi, br.T_hi = np.where(up, u, hi), np.where(up, f_u, f_hi), np.where(up[:, None], T_u, T_hi)
        br.lo, br.f_lo, br.T_lo = np.where(up, lo, u), np.where(up, f_lo, f_u), np.where(up[:, None], T_lo, T_u)
        br.g_hi, br.g_lo = np.where(up, f_u, br.g_hi), np.where(up, br.g_lo, f_u)
        # Illinois: halve the stale end's value when the same end is kept twice
        br.f_lo = np.where(up & (side > 0), 0.5 * br.f_lo, br.f_lo)
        br.f_hi = np.where(~up & (side < 0), 0.5 * br.f_hi, br.f_hi)
        side = np.where(up, 1.0, -1.0)
        gap = ~done & ~jump & _collapsed_on_a_gap(br.lo, br.hi, br.g_lo, br.g_hi)
        if gap.any():  # the target lies in a jump of the parabola-vertex peak: take the nearer end
            use_lo = np.abs(br.g_lo) <= np.abs(br.g_hi)
            T_out[gap] = np.where(use_lo[:, None], br.T_lo, br.T_hi)[gap]
            u_out[gap] = np.where(use_lo, br.lo, br.hi)[gap]
            done |= gap
        if jumps:
            new = ~done & ~jump & _collapsed_on_a_jump(br)
            T_out[new], u_out[new] = br.T_lo[new], br.lo[new]
            jump |= new
        if (done | jump).all():
            break
    return T_out, u_out, done, jump


def _collapsed_on_a_gap(lo: FloatArray, hi: FloatArray, g_lo: FloatArray, g_hi: FloatArray) -> NDArray[np.bool_]:
    """Rows whose bracket in ln s has shrunk to a few ulps while the peak still misses the target by less than
    :data:`_PEAK_GAP_K` on the nearer side: the target lies in a jump of the peak itself. The peak is the vertex
    of a parabola through the hottest cell and its neighbours; when the hottest cell moves to the next one, the
    vertex jumps (0.03 K on the default 10 µm web near 1088.6 K), so a target inside the jump has no root."""
    width = np.abs(hi - lo) <= 8.0 * np.spacing(np.maximum(np.abs(lo), np.abs(hi)))
    near = np.minimum(np.abs(g_lo), np.abs(g_hi)) < _PEAK_GAP_K
    return width & near & np.isfinite(g_lo) & np.isfinite(g_hi)


def _collapsed_on_a_jump(br: _Bracket) -> NDArray[np.bool_]:
    """Rows whose bracket in ln s has shrunk to a few ulps with the target inside a jump of the vertex peak larger
    than :data:`_PEAK_GAP_K` (both ends miss it by at least that, on either side) where the hottest cell moves on
    (the ends' hottest cells differ). The jump is the difference of two parabolas' errors at the same profile:
    with equal hottest cells i, i+1 on a uniform grid, Δ³T/8 (Δ³T = T_i+2 − 3T_i+1 + 3T_i − T_i-1), 0.94 K on
    58 cells of 581 µm through a 33.7 mm zone at 5 m/min (6.5 µm foil, chill roll at the zone's end)."""
    width = np.abs(br.hi - br.lo) <= 8.0 * np.spacing(np.maximum(np.abs(br.lo), np.abs(br.hi)))
    far = (br.g_lo <= -_PEAK_GAP_K) & (br.g_hi >= _PEAK_GAP_K) & np.isfinite(br.g_hi)
    moved = np.argmax(br.T_lo, axis=1) != np.argmax(br.T_hi, axis=1)
    return width & far & moved


def _last_target(target: FloatArray, done: NDArray[np.bool_]) -> str:
    """The targets [K] of the rows not solved, for the error message."""
    return ", ".join(f"{t:.6g}" for t in np.asarray(target)[~done][:5])


def _initial_guess(prob: _Problem, T_peak: FloatArray, L: FloatArray, v: FloatArray, contact_roll: FloatArray
                   ) -> FloatArray:
    """A lumped-like profile: a rise through the zone to ``T_peak``, exponential decay after it toward the
    sink (chill-roll time constant ρ·d·cp/h_c, or the free-cooling one), the inlet temperature upstream."""
    tp, x = prob.tp, prob.grid.centres
    T_in = prob.T_in
    Tp = T_peak[:, None]
    capacity = prob.mass_flow / v[:, None] * tp.material.heat_capacity_J_per_kg_K(Tp)
    _, slope = prob.losses(Tp)
    h = np.where(contact_roll[:, None] > 0, tp.quench_contact_conductance_W_per_m2_K, slope)
    decay = v[:, None] * capacity / np.maximum(h, 1e-6)
    sink = np.where(contact_roll[:, None] > 0, tp.roll_temperature_K, tp.ambient_temperature_K)
    xi = np.clip(x / L[:, None], 0.0, 1.0)
    rise = T_in + (Tp - T_in) * xi**1.5
    after = sink + (Tp - sink) * np.exp(-np.maximum(x - L[:, None], 0.0) / decay)
    return np.where(x <= L[:, None], rise, after)


_COOLING_TIME_CACHE: OrderedDict[tuple, tuple[ThermalParameters, float]] = OrderedDict()


def _cooling_time_s(tp: ThermalParameters, d: FloatArray, contact_roll: FloatArray, end_K: float) -> FloatArray:
    """Lumped time [s] to cool from the melting point to ``end_K`` after the zone (domain length downstream),
    kept per (parameters, foil, quench) because the domain only needs to be long enough."""
    keys = [(id(tp), float(a), float(b), float(end_K)) for a, b in zip(d, contact_roll, strict=True)]
    hits = [_COOLING_TIME_CACHE.get(k) for k in keys]
    if all(h is not None and h[0] is tp for h in hits):
        return np.array([h[1] for h in hits])  # type: ignore[index]
    t = _cooling_time_uncached(tp, d, contact_roll, end_K)
    for k, value in zip(keys, t, strict=True):
        _COOLING_TIME_CACHE[k] = (tp, float(value))
    while len(_COOLING_TIME_CACHE) > 256:
        _COOLING_TIME_CACHE.popitem(last=False)
    return t


def _cooling_time_uncached(tp: ThermalParameters, d: FloatArray, contact_roll: FloatArray, end_K: float
                           ) -> FloatArray:
    h_contact = contact_roll * tp.quench_contact_conductance_W_per_m2_K
    T_eq = _equilibrium_temperature(tp, h_contact)
    m = tp.material.density_kg_per_m3 * d
    T_melt = tp.material.melting_temperature_K
    target = np.maximum(end_K, T_eq + 1.0) - T_eq
    t = _cooling_interval_times(np.full_like(d, T_melt) - T_eq, target, T_eq, np.ones_like(d), m, h_contact, tp)
    return np.minimum(1.5 * t, tp.cooling_max_time_s)


# ---------------------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------------------
def _batch(**arrays: ArrayLike) -> dict[str, FloatArray]:
    as_arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in arrays.items()}
    for name, a in as_arrays.items():
        if a.ndim > 1:
            raise FoiltwinInputError(name, a.shape, "a scalar or a 1-D array of shape (B,)")
    try:
        out = np.broadcast_arrays(*as_arrays.values())
    except ValueError:
        shapes = {k: a.shape for k, a in as_arrays.items()}
        raise FoiltwinInputError("batch shape", shapes, "scalars or arrays of one common length B") from None
    return {k: np.array(a, dtype=float) for k, a in zip(as_arrays, out, strict=True)}


_PROPERTY_CACHE: dict[object, tuple[ThermalParameters, _Properties]] = {}


def _properties(tp: ThermalParameters) -> _Properties:
    """Tables of ``tp``, kept for the last few materials and enclosures: by value when the material has a
    ``value_key`` (a parameter draw that leaves the Cu properties and the enclosure alone reuses them), else by
    identity (the entry holds ``tp``, so its id cannot be reused)."""
    value_key = tp.material.value_key  # derived from the fields: computed once per call
    by_value = value_key is not None
    key = (value_key, tp.enclosure) if by_value else id(tp)
    hit = _PROPERTY_CACHE.get(key)
    if hit is None or (not by_value and hit[0] is not tp):
        hit = (tp, _Properties.of(tp))
        _PROPERTY_CACHE[key] = hit
        while len(_PROPERTY_CACHE) > 8:
            _PROPERTY_CACHE.pop(next(iter(_PROPERTY_CACHE)))
    return hit[1]


def _target(peak_K: ArrayLike | None, power_W_per_m: ArrayLike | None,
            current_per_width_A_per_m: ArrayLike | None) -> tuple[Target, ArrayLike]:
    given = [(n, v) for n, v in (("peak", peak_K), ("power", power_W_per_m), ("current", current_per_width_A_per_m))
             if v is not None]
    if len(given) != 1:
        raise FoiltwinInputError("peak_K", peak_K, "exactly one of peak_K, power_W_per_m, current_per_width_A_per_m")
    return given[0]  # type: ignore[return-value]


def solve_web_heater(
    line_speed_m_per_s: ArrayLike,
    heater_length_m: ArrayLike,
    thickness_m: ArrayLike,
    *,
    peak_K: ArrayLike | None = None,
    power_W_per_m: ArrayLike | None = None,
    current_per_width_A_per_m: ArrayLike | None = None,
    cooling: Literal["contact", "free"] | Sequence[str] = "contact",
    inlet_temperature_K: ArrayLike | None = None,
    heater_mode: HeaterMode = "joule",
    absorbed_frac: float | None = None,
    conduction: bool = True,
    params: ThermalParameters | Mapping[str, float] | None = None,
    geometry: WebGeometry | None = None,
    n_zone: int | None = None,
    n_up: int = 40,
    n_down: int = 80,
    inverse: Literal["newton", "bracketed"] = "newton",
) -> WebHeaterResult:
    """Steady temperature of B webs through their stage-III zones, for a prescribed peak [K], electrical power
    per metre of width [W/m] or (joule) current per metre of width [A/m] — exactly one, scalar or (B,).

    The peak and power forms solve for the source amplitude together with T (the inverse problem: the power a
    zone needs for a target peak). ``conduction=False`` drops conduction along the web: the lumped limit.
    ``params``: a registry mapping (default: the registry) or :class:`ThermalParameters` (then ``geometry``
    and the registry's stage-III geometry are used). ``n_zone`` defaults to 2·Pe cells (32-512), so that the
    cell Péclet number stays ≤ 0.5 in the zone (central weighting, second order). ``inverse`` picks how a
    prescribed peak is met: "newton" (the source amplitude an unknown of the Newton system) or "bracketed" (forward
    solves at fixed amplitude, bracketed and closed by regula falsi in ln s); Newton falls back on the bracket for
    rows it does not converge on.
    """
    register("Incropera2007", "web_heater.solve_web_heater")
    tp = _thermal(params)
    geo = geometry if geometry is not None else WebGeometry.from_values(params if isinstance(params, Mapping)
                                                                         else None)
    if inverse not in ("newton", "bracketed"):
        raise FoiltwinInputError("inverse", inverse, "one of newton, bracketed")
    efficiency, absorbed = _heater(tp, heater_mode, absorbed_frac)
    target, raw = _target(peak_K, power_W_per_m, current_per_width_A_per_m)
    if target == "current" and heater_mode != "joule":
        raise FoiltwinInputError("current_per_width_A_per_m", current_per_width_A_per_m, "heater_mode 'joule'")
    v, L, d, T_in, value = _checked_inputs(tp, target, line_speed_m_per_s, heater_length_m, thickness_m, raw,
                                           inlet_temperature_K)
    if target == "power":
        value = value * efficiency * absorbed  # absorbed heat per width
    contact_roll = _contact_mask(cooling, v.size)
    prob = _problem(tp, geo, v, L, d, T_in, contact_roll, heater_mode == "joule", conduction, n_zone, n_up, n_down)
    T, ln_s = _start(prob, target, value, T_in, L, v, contact_roll)
    smooth = np.zeros(v.size, dtype=bool)  # rows whose peak is the interpolant's (a target in the vertex's jump)
    if target == "peak" and inverse == "bracketed":
        T, ln_s, smooth = _bracketed_peak(prob, T, ln_s, value)
    else:
        T0, ln_s0 = T, ln_s
        T, ln_s, ok = _newton(prob, T, ln_s, target, value, strict=False)
        rows = np.flatnonzero(~ok)
        if rows.size and target == "current":
            raise FoiltwinInputError(
                "current_per_width_A_per_m", float(value[rows[0]]),
                "a current with a steady web temperature: at this one the Joule heating runs away (ρ_el rises with "
                "T faster than the losses); give a peak or a power instead")
        if rows.size and target == "power":  # from a guess far off: raise the power in steps, each warm-started
            T[rows], ln_s[rows], ok_r = _power_by_continuation(_rows(prob, rows), value[rows], T_in[rows], L[rows],
                                                               v[rows], contact_roll[rows])
            rows = rows[~ok_r]
        if target == "power":
            _refuse_powers(prob, T, rows, value, efficiency * absorbed, v, d, T_in)
        if rows.size:  # fall back on the bracket for the rows Newton did not converge on
            T[rows], ln_s[rows], smooth[rows] = _bracketed_peak(_rows(prob, rows), T0[rows], ln_s0[rows],
                                                                value[rows])
    return _result(prob, T, np.exp(ln_s), v, L, d, T_in, efficiency * absorbed, heater_mode == "joule", smooth)


def _refuse_powers(prob: _Problem, T: FloatArray, failed: NDArray[np.int64], heat_W_per_m: FloatArray,
                   to_heat: float, v: FloatArray, d: FloatArray, T_in: FloatArray) -> None:
    """Refuse the given powers (absorbed heat per width ``heat_W_per_m``; the user's power is it / ``to_heat``) the
    solid-web model cannot take. A row whose solve failed even by continuation (``failed``) is refused as melting when
    its iterates left the solid foil, else as not converging. A row that converged with its peak at or above the
    melting point is refused too, with that peak, as a peak there is: a Newton that converged there used to be
    returned (1361.7 K and 1392.6 K for 22.5 and 24.3 kW/m on a 0.94 m free-cooled heater at 1.18 m/min, while
    23.4 kW/m between them was refused), so a twin's power table saw a refusal below a solved power."""
    mat = prob.tp.material
    T_melt = mat.melting_temperature_K
    below = f"a power that keeps the web below its melting point ({T_melt:g} K)"
    if failed.size:
        i = int(failed[0])
        if np.max(T[i]) > T_melt:  # the iterates left the solid foil far behind
            raise FoiltwinInputError("power_W_per_m", float(heat_W_per_m[i] / to_heat), below)
        melt_J_per_m2 = float(mat.density_kg_per_m3 * d[i] * mat.sensible_heat_J_per_kg(
            np.array([T_in[i]]), np.array([T_melt]))[0])
        raise ModelConvergenceError("power_W_per_m", float(heat_W_per_m[i] / to_heat),
                                    f"a power the web heater's Newton solve converges on in {_MAX_ITER} "
                                    f"iterations; this one brings {heat_W_per_m[i] / v[i] / melt_J_per_m2:.3g}× the "
                                    f"heat that takes the web from its inlet to melting ({T_melt:g} K), losses aside")
    peak = _peak(T, prob.grid)[0]
    over = np.flatnonzero(peak >= T_melt)
    if over.size:
        i = int(over[0])
        raise FoiltwinInputError("power_W_per_m", float(heat_W_per_m[i] / to_heat),
                                 f"{below}: this one brings the peak to {peak[i]:.1f} K")


def _checked_inputs(tp: ThermalParameters, target: Target, v: ArrayLike, L: ArrayLike, d: ArrayLike,
                    value: ArrayLike, T_in: ArrayLike | None) -> tuple[FloatArray, ...]:
    """Broadcast and range-check speed, length, thickness, inlet temperature and the target value (B,)."""
    a = _batch(v=v, L=L, d=d, value=value, T_in=tp.ambient_temperature_K if T_in is None else T_in)
    low, T_melt = tp.material.validity_K
    T_in = _check("inlet_temperature_K", a["T_in"], low, T_melt, "K", high_inclusive=False)
    if target == "peak":
        value = _check("peak_K", a["value"], float(np.max(T_in)), T_melt, "K", low_inclusive=False,
                       high_inclusive=False)
    else:
        name, unit = ("power_W_per_m", "W/m") if target == "power" else ("current_per_width_A_per_m", "A/m")
        value = _check(name, a["value"], 0.0, None, unit, low_inclusive=False)
    return (_check("line_speed_m_per_s", a["v"], 0.0, 10.0, "m/s", low_inclusive=False),
            _check("heater_length_m", a["L"], 0.0, 1.0, "m", low_inclusive=False),
            _check("thickness_m", a["d"], 0.0, tp.lumped_model_max_thickness_m, "m", low_inclusive=False),
            T_in, value)


def zone_cells(line_speed_m_per_s: ArrayLike, heater_length_m: ArrayLike,
               params: ThermalParameters | Mapping[str, float] | None = None, conduction: bool = True) -> np.ndarray:
    """The default number of zone cells of each row, 2·Pe (Pe with the properties at 700 K) within 32-512: enough
    for a cell Péclet number ≤ 0.5. A batch is solved on the largest; callers that need each row's result to
    depend on its own settings only solve the rows of each count apart (``n_zone=``)."""
    tp = _thermal(params)
    mat = tp.material
    v = np.atleast_1d(np.asarray(line_speed_m_per_s, dtype=float))
    L = np.atleast_1d(np.asarray(heater_length_m, dtype=float))
    if not conduction:
        return np.full(np.broadcast(v, L).shape, 2 * _MIN_ZONE_CELLS, dtype=int)
    k_ref = float(mat.thermal_conductivity_W_per_m_K(np.array(_REFERENCE_T_K)))
    cp_ref = float(mat.heat_capacity_J_per_kg_K(np.array(_REFERENCE_T_K)))
    pe = mat.density_kg_per_m3 * cp_ref * v * L / k_ref
    return np.clip(np.ceil(2.0 * pe), _MIN_ZONE_CELLS, _MAX_ZONE_CELLS).astype(int)


def _problem(tp: ThermalParameters, geo: WebGeometry, v: FloatArray, L: FloatArray, d: FloatArray,
             T_in: FloatArray, contact_roll: FloatArray, joule: bool, conduction: bool, n_zone: int | None,
             n_up: int, n_down: int) -> _Problem:
    """Grid and property tables of the batch; ``n_zone`` None: 2·Pe cells in the zone (32-512)."""
    mat = tp.material
    rho = mat.density_kg_per_m3
    if n_zone is None:
        n_zone = int(np.max(zone_cells(v, L, tp, conduction)))
    for name, n in (("n_zone", n_zone), ("n_up", n_up), ("n_down", n_down)):
        check_range(name, n, 4, 20000)
    t_down = _cooling_time_s(tp, d, contact_roll, tp.cooling_end_temperature_K) + geo.quench_gap_m / v
    grid = _build_grid(v, L, d, contact_roll, t_down, tp, geo, n_zone, n_up, n_down, conduction)
    props = _properties(tp)
    return _Problem(grid=grid, tp=tp, props=props, mass_flow=(rho * d * v)[:, None], thickness=d[:, None],
                    T_in=T_in[:, None], H_in=props.enthalpy(T_in)[0][:, None], joule=joule, conduction=conduction)


_CONTINUATION_STEPS = 8  # power steps of the fallback for a given power whose Newton from the guess failed


def _power_by_continuation(prob: _Problem, value: FloatArray, T_in: FloatArray, L: FloatArray, v: FloatArray,
                           contact_roll: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """A given power solved by continuation: 1/8, 2/8, ... of it, each Newton started from the last solution. Near
    the melting point the Newton from the lumped guess can overshoot past melting although a steady solution
    below it exists (8,952 W/m through 382 mm at 0.246 m/min: 1348.9 K). Returns T, ln s and the rows solved."""
    T, ln_s = _start(prob, "power", value / _CONTINUATION_STEPS, T_in, L, v, contact_roll)
    ok = np.ones(value.size, dtype=bool)
    T_melt = prob.tp.material.melting_temperature_K
    for k in range(1, _CONTINUATION_STEPS + 1):
        T, ln_s, ok_k = _newton(prob, T, ln_s, "power", value * (k / _CONTINUATION_STEPS), strict=False)
        ok &= ok_k & (np.max(T, axis=1) <= T_melt)  # a step past melting: the power melts the web (refused)
        if not ok.any():
            break
    return T, ln_s, ok


def _start(prob: _Problem, target: Target, value: FloatArray, T_in: FloatArray, L: FloatArray, v: FloatArray,
           contact_roll: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Initial T and ln s: the guessed profile for the target (or the lumped peak of the given power/current),
    s from the heat that profile carries and conducts into the rolls."""
    mat = prob.tp.material
    m = prob.mass_flow[:, 0]
    cp = mat.heat_capacity_J_per_kg_K(T_in)
    zone_shape = lambda T: np.sum(prob.grid.widths * prob.grid.zone * prob.source_shape(T)[0], axis=1)  # noqa: E731
    if target == "peak":
        T_peak = value
    elif target == "power":
        T_peak = T_in + value / (m * cp)
    else:
        T_guess = _initial_guess(prob, np.minimum(T_in + 500.0, mat.melting_temperature_K), L, v, contact_roll)
        T_peak = T_in + value**2 * zone_shape(T_guess) / (m * cp)
    T_peak = np.clip(T_peak, T_in + 1.0, 0.98 * mat.melting_temperature_K)
    T0 = _initial_guess(prob, T_peak, L, v, contact_roll)
    if target == "current":
        return T0, 2.0 * np.log(value)
    if target == "power":
        return T0, np.log(value / zone_shape(T0))
    k = mat.thermal_conductivity_W_per_m_K(T_peak)
    fin = np.sqrt(k * prob.thickness[:, 0] / prob.tp.quench_contact_conductance_W_per_m2_K)
    heat = m * mat.sensible_heat_J_per_kg(T_in, T_peak) + k * prob.thickness[:, 0] * (T_peak - T_in) / fin
    return T0, np.log(heat / zone_shape(T0))


def _result(prob: _Problem, T: FloatArray, s: FloatArray, v: FloatArray, L: FloatArray, d: FloatArray,
            T_in: FloatArray, to_heat: float, joule: bool, smooth: NDArray[np.bool_]) -> WebHeaterResult:
    grid, tp = prob.grid, prob.tp
    _, _, _, _, _, F = prob.assemble(T, s)
    terms, _ = prob.losses(T)
    accounts = {name: np.sum(grid.widths * term, axis=1) for name, term in terms.items()}
    accounts["carried_out"] = F[:, -1]
    accounts["conducted_upstream"] = -F[:, 0]
    heat = s * np.sum(grid.widths * grid.zone * prob.source_shape(T)[0], axis=1)
    peak, position, _, _ = _peak(T, grid)
    if smooth.any():  # these rows were solved for the interpolant's peak
        peak[smooth], position[smooth] = (a[smooth] for a in _interpolant_peak(T, grid))
    mat = tp.material
    T_mid = 0.5 * (T_in + peak)
    peclet = v * L * mat.density_kg_per_m3 * mat.heat_capacity_J_per_kg_K(T_mid) / mat.thermal_conductivity_W_per_m_K(
        T_mid)
    return WebHeaterResult(
        x_m=grid.centres, faces_m=grid.faces, temperature_K=T, line_speed_m_per_s=v, heater_length_m=L,
        thickness_m=d, inlet_temperature_K=T_in, peak_temperature_K=peak, peak_position_m=position,
        source_amplitude=s, current_per_width_A_per_m=np.sqrt(s) if joule else None, heat_input_W_per_m=heat,
        power_W_per_m=heat / to_heat, peclet=peclet, accounts_W_per_m=accounts,
        end_temperature_K=tp.cooling_end_temperature_K, peak_from_interpolant=smooth,
    )
