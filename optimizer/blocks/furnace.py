"""The coil furnaces (batch bell anneal of the wound coils toward the (100) cube texture) as a block of the MILP.

Decisions: ``y_anneal`` (coils annealed), ``inv_T_soak`` = 1/T_soak [1/K] and ``ln_t_soak`` = ln(soak / s); all
three are 0 when the coils are not annealed (every table of the block is active only with ``y_anneal``).

- ``cycle``: furnace electricity [kWh/m²], forming gas [Nm³/m²] and cycle time [s/m²] per m² of product on
  (1/T_soak, ln t_soak), sampled from ``process_models.texture.coil_anneal.anneal_cycle`` (full batches;
  ``optimizer.surrogates.build_anneal``);
- ``ln_theta_soak``: ln θ of the soak at T_cal, exact (Arrhenius additivity): ln θ = ln t − (Q/R)/T + Q/(R T_cal);
  the ramps' share of θ is left out (conservative; the process-model check credits it);
- ``gain``: the (100) share the soak adds, X(θ)·span (:func:`anneal_gain_table`, a lagged under-estimator of the
  JMAK X, Humphreys2004 / Feng2026 through ``texture_model.recrystallised_fraction``);
- ``sticking``: the longest soak the wound coils take at 1/T (:func:`anneal_sticking_table`, concave, so its
  chords under-estimate it) and the row ``sticking_ok``: ln t_soak ≤ ln t_max(1/T).

Outputs (Expressions, per m² of product): ``energy_kwh_per_m2``, ``gas_Nm3_per_m2``, ``gain_100`` and
``line_time_s_per_m2``, the furnaces' share of the plant's time: cycle time × (1 + downtime per hot hour) / the
number of furnaces. Alone, the block's inputs are its three decisions: with them fixed, only the tables' weights
are free (:func:`optimizer.blocks.dof.table_freedom`).
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from optimizer.pwl import GridTable, add_table, output
from optimizer.space import DecisionSpace
from process_models.parameters.registry import ParameterValues
from process_models.physical_constants import R as R_GAS
from process_models.texture.coil_anneal import longest_soak_without_sticking_s
from process_models.texture.texture_model import recrystallised_fraction

U = pyo.units
GAIN_STEP_LN = 0.25  # largest knot spacing of the anneal's (100) gain table in ln θ
GAIN_STEP_X = 0.01  # and the largest step in X between knots: the lag costs at most this much of X
STICKING_KNOTS = 17  # knots of the longest non-sticking soak on 1/T_soak
CYCLE_OUTPUTS = {"energy_kwh_per_m2": U.kWh / U.m**2, "gas_Nm3_per_m2": U.m**3 / U.m**2,
                 "cycle_s_per_m2": U.s / U.m**2}


def anneal_gain_table(u_lo: float, u_hi: float, span_100: float, params: ParameterValues) -> GridTable:
    """(100) gain of a coil anneal, X(θ)·span, on ln θ: a piecewise-linear under-estimator — each knot carries
    the JMAK X of the knot before it, so between knots the table never exceeds the monotone X (conservative).
    Knots are at most ``GAIN_STEP_LN`` apart and, where X rises, at most ``GAIN_STEP_X`` of X apart (the JMAK
    inverse places them), so the table under-states X by less than 0.01 where a target can bind."""
    n = max(3, math.ceil((u_hi - u_lo) / GAIN_STEP_LN) + 1)
    coarse = np.linspace(u_lo, u_hi, n)
    tau = params["recrystallisation_time_constant_s"]
    n_jmak = params["recrystallisation_avrami_exponent_frac"]
    levels = np.arange(GAIN_STEP_X, 1.0, GAIN_STEP_X)
    fine = np.log(tau) + np.log(-np.log1p(-levels)) / n_jmak  # ln θ where X = each level
    u = np.unique(np.concatenate([coarse, fine[(fine > u_lo) & (fine < u_hi)]]))
    x = np.asarray(recrystallised_fraction(np.exp(u), params), dtype=float)
    lagged = np.concatenate([[0.0], x[:-1]])
    return GridTable("anneal_gain", ("ln_theta",), (u,), {"gain_100": lagged * max(span_100, 0.0)})


def anneal_sticking_table(z_lo: float, z_hi: float, space: DecisionSpace, params: ParameterValues) -> GridTable:
    """ln of the longest soak [s] the wound coils take at 1/T (``coil_anneal.longest_soak_without_sticking_s``, closed
    form, the space's ramps): ln(allowance − ramps' share) + (Q_b/R)(1/T − 1/T_ref), concave in 1/T, so the chords
    between knots never exceed it (conservative). The space's temperature range keeps the allowance positive."""
    a = space.anneal
    assert a is not None
    z = np.linspace(z_lo, z_hi, STICKING_KNOTS)
    T = np.clip(1.0 / z, *a.soak_temperature_K)
    t = longest_soak_without_sticking_s(T, params, a.heating_rate_K_per_s, a.cooling_rate_K_per_s)
    return GridTable("anneal_sticking", ("inv_T_soak",), (z,), {"ln_t_max": np.log(np.maximum(t, 1e-300))})


def soak_theta_offset(params: ParameterValues) -> tuple[float, float]:
    """(Q/R [K], Q/(R T_cal)) of ln θ_soak = ln t − (Q/R)/T + Q/(R T_cal) (recrystallisation Arrhenius law)."""
    qr = params["recrystallisation_activation_J_per_mol"] / R_GAS
    return qr, qr / params["recrystallisation_calibration_temperature_K"]


def add_furnace_block(m: pyo.Block, name: str, space: DecisionSpace, cycle: GridTable, params: ParameterValues,
                      texture_span_100: float) -> pyo.Block:
    """Block ``m.<name>`` of the coil furnaces (module docstring): ``cycle`` is the furnace table on (1/T_soak,
    ln t_soak) (``Surrogates.anneal``), ``texture_span_100`` the (100) share a full recrystallisation adds
    (cube end state − the highest substrate share)."""
    assert space.anneal is not None, "the plant has no coil furnace"
    b = pyo.Block()
    m.add_component(name, b)
    b.y_anneal = pyo.Var(domain=pyo.Binary, units=U.dimensionless, doc="coils annealed in the furnace")
    (z_lo, z_hi), (lt_lo, lt_hi) = cycle.bounds()
    b.inv_T_soak = pyo.Var(bounds=(0.0, z_hi), units=U.K**-1, doc="1 / soak temperature (0 when not annealing)")
    b.ln_t_soak = pyo.Var(bounds=(min(0.0, lt_lo), max(0.0, lt_hi)), units=U.dimensionless,
                          doc="ln(soak time / s) (0 when not annealing)")
    b.cycle = pyo.Block()
    add_table(b.cycle, cycle, {"inv_T_soak": (b.inv_T_soak, U.K**-1), "ln_t_soak": (b.ln_t_soak, U.dimensionless)},
              CYCLE_OUTPUTS, active=b.y_anneal)
    qr, qr_cal = soak_theta_offset(params)
    gain = anneal_gain_table(lt_lo - qr * z_hi + qr_cal, lt_hi - qr * z_lo + qr_cal, texture_span_100, params)
    u_lo, u_hi = gain.bounds()[0]
    b.ln_theta_soak = pyo.Var(bounds=(min(0.0, u_lo), max(0.0, u_hi)), units=U.dimensionless,
                              doc="ln(θ of the soak / s at T_cal) (0 when not annealing)")
    b.theta_def = pyo.Constraint(expr=b.ln_theta_soak == b.ln_t_soak - qr * U.K * b.inv_T_soak + qr_cal * b.y_anneal)
    b.gain = pyo.Block()
    add_table(b.gain, gain, {"ln_theta": (b.ln_theta_soak, U.dimensionless)}, {"gain_100": U.dimensionless},
              active=b.y_anneal)
    # what the wound coils take: the soak may not exceed the longest one whose whole programme (ramps included)
    # keeps the sticking indicator at its limit; ln t_max is concave in 1/T, so the table under-estimates it
    b.sticking = pyo.Block()
    add_table(b.sticking, anneal_sticking_table(z_lo, z_hi, space, params), {"inv_T_soak": (b.inv_T_soak, U.K**-1)},
              {"ln_t_max": U.dimensionless}, active=b.y_anneal)
    b.sticking_ok = pyo.Constraint(expr=b.ln_t_soak <= output(b.sticking, "ln_t_max"))
    b.energy_kwh_per_m2 = pyo.Expression(expr=output(b.cycle, "energy_kwh_per_m2"))
    b.gas_Nm3_per_m2 = pyo.Expression(expr=output(b.cycle, "gas_Nm3_per_m2"))
    b.gain_100 = pyo.Expression(expr=output(b.gain, "gain_100"))
    b.line_time_s_per_m2 = pyo.Expression(expr=line_time_factor(space) * output(b.cycle, "cycle_s_per_m2"))
    return b


def line_time_factor(space: DecisionSpace) -> float:
    """Plant time per second of furnace cycle: (1 + downtime per hot hour) / furnaces (batches share them)."""
    an = space.anneal
    assert an is not None
    return (1.0 + an.downtime_per_hot_h) / an.furnaces_count
